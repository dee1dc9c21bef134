/* check_cli_run.c: how the cli suites run the binary (check_cli.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_cli.h"
#include "testutil.h"
#include "util.h"

/* args with its "%s" (if any) replaced by path (caller frees). */
static char *with_path(const char *args, const char *path)
{
	const char *at = strstr(args, "%s");
	char *s;
	if (!at)
		return xstrdup(args);
	if (asprintf(&s, "%.*s'%s'%s", (int)(at - args), args, path, at + 2) < 0)
		abort();
	return s;
}

void cli_run_env(struct cli *c, const char *env, const char *args, const char *path)
{
	char *errfile = tu_write_temp("", 0), *line = with_path(args, path), *cmd;
	if (asprintf(&cmd, "cd '%s' && %s '%s' %s 2>'%s'%s", tu_root(), env, tu_bin(),
			line, errfile, strchr(line, '<') ? "" : " </dev/null") < 0)
		abort();
	c->out = tu_run(cmd, &c->status);
	FILE *f = fopen(errfile, "r");
	ck_assert_ptr_nonnull(f);
	c->err = xcalloc(1, 1 << 16);
	size_t n = fread(c->err, 1, (1 << 16) - 1, f);
	c->err[n] = '\0';
	fclose(f);
	tu_remove(errfile);
	free(line);
	free(cmd);
}

void cli_run(struct cli *c, const char *args, const char *path)
{
	cli_run_env(c, "", args, path);
}

void cli_free(struct cli *c)
{
	free(c->out);
	free(c->err);
}

size_t cli_count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

char *cli_subst(const char *text, const char *with)
{
	size_t n = 0, wl = strlen(with);
	for (const char *p = text; (p = strstr(p, "@D")); p += 2)
		n++;
	char *out = xmalloc(strlen(text) + n * wl + 1), *o = out;
	for (const char *p = text; *p; ) {
		if (p[0] == '@' && p[1] == 'D') {
			memcpy(o, with, wl);
			o += wl;
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}
