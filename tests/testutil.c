/* testutil.c: helpers shared by the test suites. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static bool have_server(const char *who)
{
	glob_t gl;
	if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &gl) != 0) {
		fprintf(stderr, "%s: SKIPPING the live-server test: no PostgreSQL server "
			"binaries under /usr/lib/postgresql (install the postgresql package)\n", who);
		return false;
	}
	globfree(&gl);
	return true;
}

int tu_run_workload(const char *who, const char *out, const char *extra_sql)
{
	if (!have_server(who))
		return -1;
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "%s%s%sbash '%s/../shared/corpus/pg-workload.sh' '%s' 1 >&2",
		extra_sql ? "PGWORKLOAD_EXTRA_SQL='" : "", extra_sql ? extra_sql : "",
		extra_sql ? "' " : "", tu_root(), out);
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

const char *tu_shared_workload(const char *who, int *status)
{
	if (shared_status == 0) {
		if (!have_server(who)) {
			shared_status = -1;
		} else if (!mkdtemp(shared_dir)) {
			shared_status = -2;
		} else {
			shared_owner = getpid();
			atexit(shared_cleanup);
			shared_status = tu_run_workload(who, shared_dir, NULL);
		}
	} else if (shared_status == -1) {
		have_server(who);       /* say it for this suite too */
	}
	*status = shared_status;
	return shared_status == 1 ? shared_dir : NULL;
}
