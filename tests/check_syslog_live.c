/* check_syslog_live.c: PostgreSQL's syslog output, as a real rsyslogd
 * writes it, gives the figures of the same server's own csvlog, and read
 * on 2 and 7 workers (cut where no message is split) the answer of one.
 *
 * tests/workload/pg-syslog.sh runs one throwaway server logging to syslog,
 * stderr and csvlog at once, with rsyslogd writing each message three
 * ways (the traditional BSD header, RFC 3339 dates, RFC 5424), in three
 * phases: default (prefix 'user=%u,db=%d,app=%a,client=%h '), verbose
 * (the same, log_error_verbosity = verbose: "LOG:  00000: ..." and
 * LOCATION pieces) and stamped (verbose, '%m [%p] %q%u@%d '). Its
 * workload has backends logging at once and statements longer than the
 * server's 900-byte syslog limit, so pieces of one message arrive between
 * other backends' lines. Each syslog file, read with its format and prefix
 * detected, must give the csvlog's calls and total time per group,
 * temporary files per statement, errors, connections and sessions, and
 * skip no line.
 *
 * The script makes a private /dev/log in a mount namespace of its own (its
 * header says why); without root, unshare or rsyslogd it exits 2 and the
 * suite is skipped with its reason. */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "testutil.h"
#include "util.h"

static char *dir;       /* the phases' logs */
static int made;        /* 1 made, -1 no server, -2 failed, -3 skipped */
static char why[256];   /* the script's reason for skipping */

static void make_logs(void)
{
	char tmpl[] = "/tmp/pgsift-slogs.XXXXXX";
	made = -1;
	if (access("/usr/lib/postgresql", F_OK) != 0)
		return;
	dir = xstrdup(mkdtemp(tmpl));
	char cmd[2048];
	int status;
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pg-syslog.sh' '%s' 2>'%s/script.err'; "
		"rc=$?; cat '%s/script.err' >&2; exit $rc", tu_root(), dir, dir, dir);
	free(tu_run(cmd, &status));
	made = status == 0 ? 1 : status == 2 ? -3 : -2;
	if (made == -3) {
		snprintf(cmd, sizeof(cmd), "sed -n 's/^pg-syslog: skipped: //p' '%s/script.err'", dir);
		char *out = tu_run(cmd, &status);
		snprintf(why, sizeof(why), "%.*s", (int)strcspn(out, "\n"), out);
		free(out);
	}
}

static void remove_logs(void)
{
	if (!dir)
		return;
	char cmd[512];
	int status;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(tu_run(cmd, &status));
	free(dir);
	dir = NULL;
}

static bool have_logs(const char *who)
{
	if (made == -1 && !tu_have_server(who))
		return false;
	if (made == -3) {
		tu_skip(who, why[0] ? why : "pg-syslog.sh could not run");
		return false;
	}
	ck_assert_msg(made == 1, "pg-syslog.sh failed (its output is above)");
	return true;
}

static char *path_of(const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static json_t *at(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);
	return b ? json_object_get(v, b) : v;
}

static void add_line(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_line(struct strbuf *sb, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sb_append(sb, line, strlen(line));
	sb_putc(sb, '\n');
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text sorted, in place. */
static char *sorted(char *text)
{
	char *save = NULL, *lines[512];
	size_t n = 0;
	for (char *l = strtok_r(text, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_lines);
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		add_line(&out, "%s", lines[i]);
	free(text);
	return out.buf ? out.buf : xstrdup("");
}

/* What must not depend on the form of the log: a report's figures as
 * sorted lines (the caller frees). */
static char *figures_of(const char *name)
{
	char *p = path_of(name), cmd[4096];
	int status;
	snprintf(cmd, sizeof(cmd), "'%s' report -q -j 1 -f json '%s'", tu_bin(), p);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s: exit %d", name, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err), *v, *e;
	ck_assert_msg(j != NULL, "%s: %s", name, err.text);
	free(out);
	free(p);
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	const char *k;
	json_t *in = json_array_get(at(j, "inputs", NULL), 0);
	add_line(&sb, "skipped %lld", (long long)json_integer_value(at(in, "skipped", NULL)));
	add_line(&sb, "problems %lld", (long long)json_integer_value(at(in, "problems_total", NULL)));
	json_array_foreach(at(j, "groups", NULL), i, v)
		add_line(&sb, "group %s: %lld calls, %.3f ms", json_string_value(at(v, "query", NULL)),
			(long long)json_integer_value(at(v, "calls", NULL)),
			json_number_value(at(v, "total_ms", NULL)));
	json_t *ev = at(j, "events", NULL);
	add_line(&sb, "temp files %lld, %lld bytes",
		(long long)json_integer_value(at(at(ev, "temp_files", NULL), "count", NULL)),
		(long long)json_integer_value(at(at(ev, "temp_files", NULL), "bytes", NULL)));
	json_array_foreach(at(at(ev, "temp_files", NULL), "by_group", NULL), i, v)
		add_line(&sb, "temp files of %s: %lld", json_string_value(at(v, "query", NULL)),
			(long long)json_integer_value(at(v, "count", NULL)));
	json_array_foreach(at(ev, "errors", NULL), i, v)
		add_line(&sb, "error %s %s: %lld (%s)", json_string_value(at(v, "severity", NULL)),
			json_string_value(at(v, "message", NULL)),
			(long long)json_integer_value(at(v, "count", NULL)),
			json_string_value(at(v, "example", NULL)));
	json_t *c = at(ev, "connections", NULL);
	json_object_foreach(c, k, v)
		if (json_is_integer(v) && strcmp(k, "peak_sessions") != 0)
			add_line(&sb, "connections %s %lld", k, (long long)json_integer_value(v));
	json_object_foreach(at(c, "by_application", NULL), k, v)
		add_line(&sb, "connections of %s %lld", k, (long long)json_integer_value(v));
	json_object_foreach(at(c, "failures", NULL), k, e)
		add_line(&sb, "refused %s %lld", k, (long long)json_integer_value(e));
	add_line(&sb, "sessions %lld, %.3f s",
		(long long)json_integer_value(at(at(c, "sessions", NULL), "count", NULL)),
		json_number_value(at(at(c, "sessions", NULL), "total_s", NULL)));
	json_decref(j);
	return sorted(sb.buf ? sb.buf : xstrdup(""));
}

/* How many pieces of name ("[n-m]", m > 1) do not follow the piece before
 * them of the same message: the interleaving the test is about. */
static unsigned apart_pieces(const char *name)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	char line[4096];
	long last_pid = -1, last_seq = -1, last_chunk = -1;
	unsigned apart = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *h = strstr(line, "postgres[");
		long pid, seq, chunk;
		if (!h || sscanf(h, "postgres[%ld]: [%ld-%ld]", &pid, &seq, &chunk) != 3)
			continue;
		if (chunk > 1 && !(pid == last_pid && seq == last_seq && chunk == last_chunk + 1))
			apart++;
		last_pid = pid;
		last_seq = seq;
		last_chunk = chunk;
	}
	fclose(f);
	free(p);
	return apart;
}

/* The JSON report of name read with -j jobs in ranges of a few KB (the
 * test hook), canonical and without the run's cache counters. */
static char *report_at_jobs(const char *name, unsigned jobs)
{
	char *p = path_of(name), cmd[4096];
	int status;
	snprintf(cmd, sizeof(cmd), "PGSIFT_SPLIT_PIECE=2048 '%s' report -q -j %u -f json '%s'",
		tu_bin(), jobs, p);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0 || status == 3, "%s: exit %d", cmd, status);
	char *t = tu_json_text(tu_report_json(out));
	free(out);
	free(p);
	return t;
}

static const char *const phases[] = { "default", "verbose", "stamped" };

START_TEST(test_forms)
{
	static const char *const forms[] = { "bsd", "rfc3339", "rfc5424" };
	if (!have_logs("syslog live"))
		return;
	char name[64];
	snprintf(name, sizeof(name), "%s.csv", phases[_i]);
	char *want = figures_of(name);
	/* The workload's facts, so that equal figures are not equally empty:
	 * 6 x 40 + 4 x 10 of each pgbench statement, 6 sessions x 2 of the
	 * psql file (a temporary file, two errors each). */
	ck_assert_msg(strstr(want, "SELECT count(*) FROM t WHERE id IN ($1 /*, ...*/) AND v <> $2 AND id <> $3: 280 calls"),
		"%s", want);
	ck_assert_msg(strstr(want, "temp files of SELECT v FROM t, generate_series($1, $2) ORDER BY v DESC LIMIT $3: 12\n"),
		"%s", want);
	ck_assert_msg(strstr(want, "error ERROR division by zero: 12 (SELECT $1 / $2)\n"), "%s", want);
	ck_assert_msg(strstr(want, "skipped 0\n"), "%s", want);
	snprintf(name, sizeof(name), "%s.bsd", phases[_i]);
	ck_assert_msg(apart_pieces(name) > 0, "%s: no piece apart from its message's", name);
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		snprintf(name, sizeof(name), "%s.%s", phases[_i], forms[i]);
		char *got = figures_of(name);
		if (strcmp(want, got) != 0)
			fprintf(stderr, "%s differs from its csvlog:\n--- want\n%s--- got\n%s",
				name, want, got);
		ck_assert_msg(strcmp(want, got) == 0, "%s: line %d differs", name,
			tu_first_diff_line(want, got));
		free(got);
		/* Cut for several workers where no message is split: the
		 * answer of one reader. */
		char *one = report_at_jobs(name, 1);
		static const unsigned jobs[] = { 2, 7 };
		for (size_t k = 0; k < ARRAY_SIZE(jobs); k++) {
			char *many = report_at_jobs(name, jobs[k]);
			ck_assert_msg(strcmp(one, many) == 0, "%s: -j %u differs from -j 1 "
				"from line %d on", name, jobs[k], tu_first_diff_line(one, many));
			free(many);
		}
		free(one);
	}
	free(want);
}
END_TEST

Suite *suite_syslog_live(void);
Suite *suite_syslog_live(void)
{
	Suite *s = suite_create("syslog_live");
	TCase *tc = tcase_create("forms");
	tcase_add_unchecked_fixture(tc, make_logs, remove_logs);
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_forms, 0, (int)ARRAY_SIZE(phases));
	suite_add_tcase(s, tc);
	return s;
}
