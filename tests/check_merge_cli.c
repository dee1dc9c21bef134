/* check_merge_cli.c: saved states where report's other commands take
 * inputs: `check` gates a merge, `--baseline` compares one, and the TUI
 * opens one (its first screen, PGSIFT_TUI_FIRST_SCREEN). On real server
 * logs: the forms log and the workload's sample, each saved on its own. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pgsift-mcli-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *cmd;
	int st;
	if (asprintf(&cmd, "cd '%s' && '%s' report -q -o /dev/null --save %s/a.state "
			"tests/data/forms/postgresql.log.zst && '%s' report -q -o /dev/null "
			"--save %s/b.state samples/postgresql.log.zst && '%s' report -q -f json "
			"-o %s/base.json samples/postgresql.log.zst", tu_root(), tu_bin(), dir,
			tu_bin(), dir, tu_bin(), dir) < 0)
		abort();
	free(tu_run(cmd, &st));
	ck_assert_msg(st == 0, "%s: exit %d", cmd, st);
	free(cmd);
}

static void teardown(void)
{
	char cmd[128];
	int st;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(tu_run(cmd, &st));
}

/* Runs `pgsift ARGS` in the source tree with stderr joined to stdout. */
static char *pgsift(int *st, const char *args)
{
	char *cmd;
	if (asprintf(&cmd, "cd '%s' && D=%s && '%s' %s 2>&1", tu_root(), dir, tu_bin(),
			args) < 0)
		abort();
	char *out = tu_run(cmd, st);
	free(cmd);
	return out;
}

START_TEST(test_check_gates_a_merge)
{
	int st;
	char *out = pgsift(&st, "check -q -f json -o /dev/null --fail-on 'p95>1ms' "
		"$D/a.state $D/b.state");
	ck_assert_msg(st == 1, "exit %d: %s", st, out);
	ck_assert_msg(strstr(out, "gate failed: p95>1ms"), "%s", out);
	free(out);
	out = pgsift(&st, "check -q -f json -o /dev/null --fail-on 'p95>100000000ms' "
		"$D/a.state $D/b.state");
	ck_assert_msg(st == 0, "exit %d: %s", st, out);
	free(out);
}
END_TEST

START_TEST(test_baseline_of_a_merge)
{
	int st;
	char *out = pgsift(&st, "merge -q -f json --baseline $D/base.json "
		"$D/a.state $D/b.state");
	ck_assert_msg(st == 0, "exit %d", st);
	/* The baseline is the sample's report: the forms log is another run
	 * of the same workload, so every group matches, and the merge's totals
	 * grew past the threshold (regressions on total time). */
	const char *b = strstr(out, "\"baseline\": {");
	ck_assert_msg(b != NULL, "no baseline section");
	ck_assert_msg(strstr(b, "\"matched\": ") && !strstr(b, "\"matched\": 0,"),
		"nothing matched the baseline: %.300s", b);
	ck_assert_msg(strstr(b, "\"regressions\": [\n"), "no regressions: %.300s", b);
	free(out);
}
END_TEST

START_TEST(test_tui_opens_states)
{
	int st;
	if (access("/usr/bin/script", X_OK) != 0) {
		tu_skip("merge_cli", "no script(1) for a pseudo-terminal");
		return;
	}
	char *cmd;
	if (asprintf(&cmd, "cd '%s' && PGSIFT_TUI_FIRST_SCREEN=1 TERM=xterm script -qec "
			"\"'%s' tui -q %s/a.state %s/b.state\" /dev/null", tu_root(), tu_bin(),
			dir, dir) < 0)
		abort();
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "exit %d", st);
	/* The slowest statement of the two runs is the workload's seed. */
	ck_assert_msg(strstr(out, "INSERT INTO order_items"), "first screen: %.400s", out);
	free(out);
	free(cmd);
}
END_TEST

Suite *suite_merge_cli(void);
Suite *suite_merge_cli(void)
{
	Suite *s = suite_create("merge_cli");
	TCase *tc = tcase_create("merge_cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_check_gates_a_merge);
	tcase_add_test(tc, test_baseline_of_a_merge);
	tcase_add_test(tc, test_tui_opens_states);
	suite_add_tcase(s, tc);
	return s;
}
