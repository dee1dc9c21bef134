/* check_cli_progress.c: the progress bar on standard error. Forced with
 * --progress through a pipe, its last line gives the input's size read
 * of its size (100%) and a rate, redrawn with \r and ended with a
 * newline off a terminal, erased on one; by default through a pipe,
 * with -q or with --no-progress there is none. On standard input the size is unknown:
 * "MB read". The input is a real server log (tests/data/workload-excerpt.log,
 * a pg-workload run) repeated to some MB. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "check_cli.h"
#include "testutil.h"
#include "util.h"

#define LOG "tests/data/workload-excerpt.log"

static char *big_log(uint64_t *size)
{
	char *log = tu_slurp(LOG);
	ck_assert_ptr_nonnull(log);
	size_t n = strlen(log), copies = (3u << 20) / n + 1;
	char *text = xmalloc(n * copies);
	for (size_t i = 0; i < copies; i++)
		memcpy(text + i * n, log, n);
	char *path = tu_write_temp(text, n * copies);
	*size = n * copies;
	free(text);
	free(log);
	return path;
}

/* As the bar writes MB: tenths, rounded, with a thousands comma. */
static void mb(uint64_t bytes, char *buf, size_t len)
{
	uint64_t tenths = (bytes * 10 + 524288) / 1048576;
	snprintf(buf, len, "%llu.%llu", (unsigned long long)(tenths / 10),
		(unsigned long long)(tenths % 10));
}

/* The text after the last \r of err, which must end with a newline. */
static const char *last_draw(const char *err)
{
	const char *r = strrchr(err, '\r');
	ck_assert_msg(r != NULL, "no \\r: '%s'", err);
	ck_assert_msg(err[strlen(err) - 1] == '\n', "'%s'", err);
	return r + 1;
}

START_TEST(test_forced)
{
	uint64_t size;
	char *path = big_log(&size), args[128], want[128], num[32];
	struct cli c;
	snprintf(args, sizeof(args), "report --progress -j %d -o /dev/null %%s", 1 + _i);
	cli_run(&c, args, path);
	ck_assert_int_eq(c.status, 0);
	mb(size, num, sizeof(num));
	snprintf(want, sizeof(want), "pgsift: %s of %s MB (100%%)  ", num, num);
	const char *last = last_draw(c.err);
	ck_assert_msg(strncmp(last, want, strlen(want)) == 0, "'%s' not '%s'", last, want);
	ck_assert_ptr_nonnull(strstr(last, " MB/s\n"));
	ck_assert_ptr_null(strstr(c.err, "\033["));     /* no terminal codes into a pipe */
	/* The bar is one line, however many times it was drawn, ended
	 * before the notes that follow it. */
	ck_assert_ptr_eq(strchr(c.err, '\n'), strchr(last, '\n'));
	ck_assert_ptr_nonnull(strstr(c.err, "log_line_prefix '%m [%p] %q%u@%d/%a ' detected"));
	cli_free(&c);
	tu_remove(path);
}
END_TEST

START_TEST(test_stdin)
{
	uint64_t size;
	char *path = big_log(&size), want[128], num[32];
	struct cli c;
	cli_run(&c, "report --progress -o /dev/null - <%s", path);
	ck_assert_int_eq(c.status, 0);
	mb(size, num, sizeof(num));
	snprintf(want, sizeof(want), "pgsift: %s MB read  ", num);
	const char *last = last_draw(c.err);
	ck_assert_msg(strncmp(last, want, strlen(want)) == 0, "'%s' not '%s'", last, want);
	cli_free(&c);
	tu_remove(path);
}
END_TEST

static const char *const none[] = {
	"report -o /dev/null %s",
	"report -q -o /dev/null %s",
	"report --progress --no-progress -o /dev/null %s",
	"check --no-progress -o /dev/null %s",
};

START_TEST(test_none)
{
	uint64_t size;
	char *path = big_log(&size);
	struct cli c;
	cli_run(&c, none[_i], path);
	ck_assert_int_lt(c.status, 2);
	ck_assert_ptr_null(strstr(c.err, "MB/s"));
	ck_assert_ptr_null(strchr(c.err, '\r'));
	cli_free(&c);
	tu_remove(path);
}
END_TEST

/* On a terminal (script(1) makes one): a small, quick run draws no bar;
 * with --progress the bar is drawn in place and erased at the end, the
 * line left empty for what follows. */
START_TEST(test_terminal)
{
	if (system("command -v script >/dev/null 2>&1") != 0) {
		tu_skip("cli_progress terminal", "no script(1) (util-linux)");
		return;
	}
	for (int forced = 0; forced < 2; forced++) {
		char *cmd;
		int status;
		if (asprintf(&cmd, "cd '%s' && timeout 60 script -qec \"'%s' report -q %s"
				"-o /dev/null %s\" /dev/null </dev/null", tu_root(), tu_bin(),
				forced ? "--progress " : "", LOG) < 0)
			abort();
		char *out = tu_run(cmd, &status);
		ck_assert_msg(status == 0, "%d: %s", status, out);
		if (!forced) {
			ck_assert_msg(out[0] == '\0', "'%s'", out);
		} else {
			ck_assert_msg(strncmp(out, "\rpgsift: 0.0 of 0.0 MB (", 24) == 0, "'%s'", out);
			size_t n = strlen(out);
			ck_assert_msg(n > 4 && strcmp(out + n - 4, "\r\033[K") == 0, "'%s'", out);
			ck_assert_ptr_null(strchr(out, '\n'));
		}
		free(out);
		free(cmd);
	}
}
END_TEST

Suite *suite_cli_progress(void);
Suite *suite_cli_progress(void)
{
	Suite *s = suite_create("cli_progress");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_forced, 0, 2);
	tcase_add_test(tc, test_stdin);
	tcase_add_test(tc, test_terminal);
	tcase_add_loop_test(tc, test_none, 0, (int)(sizeof(none) / sizeof(none[0])));
	suite_add_tcase(s, tc);
	return s;
}
