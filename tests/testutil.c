/* testutil.c: helpers shared by the test suites. */
#include <check.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "testutil.h"
#include "util.h"

char *tu_write_temp(const char *text, size_t len)
{
	char *path = xstrdup("/tmp/pgsift-test-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	if (write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
	return path;
}

void tu_remove(char *path)
{
	if (path)
		unlink(path);
	free(path);
}

struct analysis *tu_analyse_text(const char *text, const struct pgsift_options *o,
		enum analysis_status *st)
{
	struct pgsift_options def;
	if (!o) {
		options_init(&def);
		def.jobs = 1;
		o = &def;
	}
	char *path = tu_write_temp(text, strlen(text));
	const char *paths[] = { path };
	struct analysis *a;
	enum analysis_status s = analysis_run(o, paths, 1, &a);
	if (st)
		*st = s;
	tu_remove(path);
	return a;
}

struct group *tu_find_group(const struct analysis *a, const char *needle)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (strstr(a->groups[i]->query, needle))
			return a->groups[i];
	return NULL;
}

const char *tu_root(void)
{
	const char *r = getenv("PGSIFT_ROOT");
	return r ? r : ".";
}

const char *tu_bin(void)
{
	const char *b = getenv("PGSIFT_BIN");
	return b ? b : "./pgsift";
}

char *tu_run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		abort();
	size_t cap = 1 << 16, len = 0, n;
	char *out = xmalloc(cap);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 4096)
			out = xrealloc(out, cap *= 2);
	}
	out[len] = '\0';
	int rc = pclose(p);
	*status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	return out;
}

/* ---- skipped tests ---- */

#define SKIP_ENV "PGSIFT_SKIP_LOG"

void tu_skip(const char *who, const char *why)
{
	fprintf(stderr, "%s: SKIPPED: %s\n", who, why);
	const char *log = getenv(SKIP_ENV);
	if (!log || !*log)
		return;
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s\t%s\n", who, why);
	if (n < 0 || (size_t)n >= sizeof(line))
		abort();
	/* One write to a file opened for appending: lines from tests running
	 * at the same time do not interleave. */
	int fd = open(log, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		abort();
	close(fd);
}

static char skip_log[] = "/tmp/pgsift-skips-XXXXXX";

void tu_skip_begin(void)
{
	int fd = mkstemp(skip_log);
	if (fd < 0)
		abort();
	close(fd);
	if (setenv(SKIP_ENV, skip_log, 1) != 0)
		abort();
}

struct skip_reason {
	char *why;
	struct strbuf who;      /* one indented line per test */
	unsigned n;
};

unsigned tu_skip_end(FILE *out)
{
	FILE *f = fopen(skip_log, "r");
	if (!f)
		abort();
	struct skip_reason *r = NULL;
	size_t nr = 0;
	unsigned total = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		size_t i = 0;
		while (i < nr && strcmp(r[i].why, tab + 1) != 0)
			i++;
		if (i == nr) {
			r = xrealloc(r, ++nr * sizeof(*r));
			r[i].why = xstrdup(tab + 1);
			r[i].who = (struct strbuf)STRBUF_INIT;
			r[i].n = 0;
		}
		sb_append(&r[i].who, "      ", 6);
		sb_append(&r[i].who, line, strlen(line));
		sb_putc(&r[i].who, '\n');
		r[i].n++;
		total++;
	}
	free(line);
	fclose(f);
	unlink(skip_log);
	if (total)
		fprintf(out, "%u test%s skipped:\n", total, total == 1 ? "" : "s");
	else
		fputs("0 tests skipped.\n", out);
	for (size_t i = 0; i < nr; i++) {
		fprintf(out, "  %u: %s:\n%s", r[i].n, r[i].why, r[i].who.buf);
		free(r[i].why);
		sb_release(&r[i].who);
	}
	free(r);
	return total;
}

/* ---- data beside the tree ---- */

char *tu_data_path(const char *who, const char *rel)
{
	char *path;
	if (strncmp(rel, "../shared/", 10) == 0) {
		struct stat st;
		if (asprintf(&path, "%s/../shared/corpus", tu_root()) < 0)
			abort();
		bool absent = stat(path, &st) != 0 || !S_ISDIR(st.st_mode);
		free(path);
		if (absent) {
			char what[512];
			snprintf(what, sizeof(what), "%s (%s)", who, rel);
			tu_skip(what, TU_NO_SHARED);
			return NULL;
		}
	}
	if (asprintf(&path, "%s/%s", tu_root(), rel) < 0)
		abort();
	return path;
}

/* ---- the real server ---- */

static bool server_installed(void)
{
	glob_t gl;
	if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &gl) != 0)
		return false;
	globfree(&gl);
	return true;
}

bool tu_have_server(const char *who)
{
	if (server_installed())
		return true;
	tu_skip(who, TU_NO_SERVER);
	return false;
}

int tu_run_workload(const char *out, const char *extra_sql)
{
	if (!server_installed())
		return -1;
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pg-workload.sh' %s%s%s'%s' >&2",
		tu_root(), extra_sql ? "-x '" : "", extra_sql ? extra_sql : "",
		extra_sql ? "' " : "", out);
	return system(cmd) == 0 ? 1 : -2;
}

static char shared_dir[] = "/tmp/pgsift-workload-XXXXXX";
static int shared_status;       /* 0: not run yet */
static pid_t shared_owner;

/* Check forks a child per test and children exit through exit() too:
 * only the runner that made the directory removes it. */
static void shared_cleanup(void)
{
	if (getpid() != shared_owner)
		return;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", shared_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "testutil: could not remove %s\n", shared_dir);
}

const char *tu_shared_workload(int *status)
{
	if (shared_status == 0) {
		if (!server_installed()) {
			shared_status = -1;
		} else if (!mkdtemp(shared_dir)) {
			shared_status = -2;
		} else {
			shared_owner = getpid();
			atexit(shared_cleanup);
			shared_status = tu_run_workload(shared_dir, NULL);
		}
	}
	*status = shared_status;
	return shared_status == 1 ? shared_dir : NULL;
}

char *tu_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(&sb, buf, n);
	fclose(f);
	sb_append(&sb, "", 0);
	return sb.buf;
}

int tu_first_diff_line(const char *a, const char *b)
{
	int line = 1;
	for (; *a && *a == *b; a++, b++)
		if (*a == '\n')
			line++;
	return line;
}

json_t *tu_report_json(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	ck_assert_msg(j != NULL, "not JSON: %s", e.text);
	json_t *tot = json_object_get(j, "totals");
	json_object_del(tot, "distinct_texts");
	json_object_del(tot, "parsed_texts");
	return j;
}

char *tu_json_text(json_t *j)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(j);
	return s;
}

char *tu_report_figures(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	ck_assert_msg(j != NULL, "not JSON: %s", e.text);
	json_t *tot = json_object_get(j, "totals"), *g;
	char *s = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&s, &len);
	fprintf(f, "%lld %.3f\n", (long long)json_integer_value(json_object_get(tot, "queries")),
		json_real_value(json_object_get(tot, "total_ms")));
	json_array_foreach(json_object_get(j, "groups"), i, g)
		fprintf(f, "%s %lld %.3f %.3f\n", json_string_value(json_object_get(g, "fingerprint")),
			(long long)json_integer_value(json_object_get(g, "calls")),
			json_number_value(json_object_get(g, "min_ms")),
			json_number_value(json_object_get(g, "max_ms")));
	fclose(f);
	json_decref(j);
	return s;
}

void tu_json_drop_places(json_t *j)
{
	size_t i;
	const char *k;
	json_t *v;
	if (json_is_object(j)) {
		json_object_del(j, "first_at");
		json_object_foreach(j, k, v)
			tu_json_drop_places(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			tu_json_drop_places(v);
	}
}

/* ---- JSON reports for the schema check ---- */

#define SPOOL_ENV "PGSIFT_SCHEMA_SPOOL"

/* The wrapper: a shell script, so that it is found and run the same way
 * as the binary by every test and script (fleet hosts reach it by PATH).
 * Commands that write no report exec the binary, keeping its pid (the
 * TUI tests signal it). The real binary and the spool are written in, as
 * the fleet's stand-in clears the environment. A copy is named by its
 * checksum: the many runs that write the same report keep one. */
static const char spool_script[] =
	"#!/bin/sh\n"
	"# pgsift for the tests (tests/testutil.c, tu_spool_begin): keeps a copy of\n"
	"# each JSON report a run writes, for the schema check of make test.\n"
	"real='%s'\n"
	"spool='%s'\n"
	"case ${1-} in\n"
	"report|check|merge) ;;\n"
	"*) exec \"$real\" \"$@\" ;;\n"
	"esac\n"
	"keep() {\n"
	"\t[ -f \"$1\" ] && [ \"$(head -c 1 \"$1\")\" = '{' ] || return 0\n"
	"\tsum=$(cksum < \"$1\" | tr ' ' -)\n"
	"\tcp \"$1\" \"$spool/report-$sum.json\" &&\n"
	"\t\tprintf 'cd %%s && pgsift %%s\\n' \"$PWD\" \"$2\" > \"$spool/report-$sum.cmd\"\n"
	"}\n"
	"fmt= outs= tostdout=1 prev=\n"
	"for a in \"$@\"; do\n"
	"\tcase $prev in\n"
	"\t-f|--format) fmt=$a; prev=; continue ;;\n"
	"\t-o|--output) [ \"$a\" = - ] || { outs=\"$outs$a\n\"; tostdout=0; }; prev=; continue ;;\n"
	"\tesac\n"
	"\tcase $a in\n"
	"\t--format=*) fmt=${a#--format=} ;;\n"
	"\t-f?*) fmt=${a#-f} ;;\n"
	"\t--output=*) outs=\"$outs${a#--output=}\n\"; tostdout=0 ;;\n"
	"\t-o?*) outs=\"$outs${a#-o}\n\"; tostdout=0 ;;\n"
	"\tesac\n"
	"\tprev=$a\n"
	"done\n"
	"if [ \"$fmt\" = json ] && [ $tostdout = 1 ]; then\n"
	"\tt=$(mktemp \"$spool/.out-XXXXXXXX\") || exit 2\n"
	"\t{ \"$real\" \"$@\"; echo $? > \"$t.rc\"; } | tee \"$t\"\n"
	"\trc=$(cat \"$t.rc\" 2>/dev/null || echo 1)\n"
	"\tkeep \"$t\" \"$*\"\n"
	"\trm -f \"$t\" \"$t.rc\"\n"
	"else\n"
	"\t\"$real\" \"$@\"\n"
	"\trc=$?\n"
	"fi\n"
	"printf %%s \"$outs\" | while IFS= read -r f; do keep \"$f\" \"$*\"; done\n"
	"exit $rc\n";

void tu_spool_begin(void)
{
	const char *dir = getenv(SPOOL_ENV);
	char real[PATH_MAX], path[PATH_MAX + 64];

	if (!dir || !*dir)
		return;
	/* No binary: the tests that run it fail on their own, naming it. */
	if (!realpath(tu_bin(), real)) {
		fprintf(stderr, "testutil: %s: %s: no JSON report spool\n", tu_bin(),
			strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/bin", dir);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		abort();
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		abort();
	snprintf(path, sizeof(path), "%s/bin/pgsift", dir);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, spool_script, real, dir) < 0 || fclose(f) != 0 ||
			chmod(path, 0755) != 0 || setenv("PGSIFT_BIN", path, 1) != 0) {
		fprintf(stderr, "testutil: %s: %s\n", path, strerror(errno));
		abort();
	}
}

void tu_spool_report(const char *who, const char *text)
{
	const char *dir = getenv(SPOOL_ENV);
	char path[PATH_MAX];
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a: the same text, one copy */

	if (!dir || !*dir || !text || text[0] != '{')
		return;
	for (const char *p = text; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(path, sizeof(path), "%s/inproc-%016llx.cmd", dir, (unsigned long long)h);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%s (a writer run in the test's process)\n", who) < 0 ||
			fclose(f) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/inproc-%016llx.json", dir, (unsigned long long)h);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}
