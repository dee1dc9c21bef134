/* testutil.c: helpers shared by the test suites. */
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
