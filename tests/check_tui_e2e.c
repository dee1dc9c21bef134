/* check_tui_e2e.c: the real binary's TUI driven in tmux (send-keys,
 * capture-pane): the walk-through on the workload's log and on its
 * saved JSON report, a resize, and the terminal restored on SIGTERM.
 * Skips, saying so, when tmux is not installed. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "tmux_testutil.h"

/* Inside a test: without tmux, skip it (tu_skip) and return. */
#define SKIP_WITHOUT_TMUX() do { \
		if (tt_no_tmux("tui_e2e", __func__)) \
			return; \
	} while (0)

/* Down to the first row whose text holds needle, then Enter. */
static void open_row(const char *needle)
{
	char *screen = tt_wait_for(needle);
	int row = 0;
	const char *p = screen, *hit = strstr(screen, needle);
	/* Lines before the first group row: the title and the column header. */
	while ((p = strchr(p, '\n')) && p < hit) {
		row++;
		p++;
	}
	free(screen);
	ck_assert_int_ge(row, 2);
	for (int i = 0; i < row - 2; i++)
		tt_keys("j");
	tt_keys("Enter");
}

static void walk_through(const char *input)
{
	tt_start(input, 100, 30);
	tt_expect("of 41 groups");
	tt_keys("P");
	tt_expect("sort P99");
	tt_expect("\xe2\x96\xbcP99");
	tt_keys("/");
	tt_expect("search groups");
	tt_keys("order_items Enter");
	tt_expect("4 of 41 groups \xc2\xb7 sort P99 \xe2\x86\x93 \xc2\xb7 /order_items/");
	open_row("SELECT oi.product_id, oi.qty FROM order");
	tt_expect("Group a4c4e51324f428ed");
	tt_expect("Latency histogram");
	tt_keys("v");
	char *screen = tt_wait_for("Plan (worst");
	ck_assert_msg(strstr(screen, "Seq Scan on order_items oi") != NULL, "%s", screen);
	ck_assert(strstr(screen, "Rows Removed by Filter") != NULL);
	free(screen);
	tt_keys("2");
	tt_expect("findings \xc2\xb7");
	/* A top view: q asks first. */
	tt_keys("q");
	tt_expect("Quit? y/n");
	tt_keys("y");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}

START_TEST(walk_log)
{
	SKIP_WITHOUT_TMUX();
	walk_through("-j 2 samples/postgresql.log.zst");
}
END_TEST

START_TEST(walk_report)
{
	SKIP_WITHOUT_TMUX();
	char path[128], cmd[8192];
	int st;
	snprintf(path, sizeof(path), "/tmp/pgsift-tui-report-%d.json", (int)getpid());
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -f json -o %s samples/postgresql.log.zst",
		tu_root(), tu_bin(), path);
	free(tu_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	snprintf(cmd, sizeof(cmd), "%s", path);
	walk_through(cmd);
	/* The title names the report: it was reopened, not analysed. */
	unlink(path);
}
END_TEST

START_TEST(resize)
{
	SKIP_WITHOUT_TMUX();
	tt_start("samples/postgresql.log.zst", 80, 24);
	tt_expect("of 41 groups");
	tt_keys("Enter");
	tt_expect("Group ");
	tt_keys("v");
	tt_expect("Plan (worst");
	tt_sh("tmux -L %s resize-window -t %s -x 132 -y 40", tt_sock, tt_session);
	char *screen = tt_wait_for("Plan (worst");
	/* The wider screen is used: the title now fits whole. */
	ck_assert_msg(strstr(screen, "? help \xc2\xb7 q back") != NULL, "%s", screen);
	free(screen);
	tt_sh("tmux -L %s resize-window -t %s -x 40 -y 8", tt_sock, tt_session);
	tt_expect("Plan");
	tt_sh("tmux -L %s resize-window -t %s -x 80 -y 24", tt_sock, tt_session);
	tt_expect("Plan (worst");
	tt_keys("q");
	tt_expect("of 41 groups");
	tt_keys("4");
	tt_expect("timeline \xc2\xb7");
	tt_keys("?");
	tt_expect("this help");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

START_TEST(signal_restores)
{
	SKIP_WITHOUT_TMUX();
	tt_start("samples/postgresql.log.zst", 80, 24);
	tt_expect("of 41 groups");
	char cmd[256];
	int st;
	snprintf(cmd, sizeof(cmd), "tmux -L %s display -p -t %s '#{alternate_on}'", tt_sock, tt_session);
	char *alt = tu_run(cmd, &st);
	ck_assert_msg(alt[0] == '1', "the TUI did not use the alternate screen: %s", alt);
	free(alt);
	/* The pane's shell runs pgsift as its child: signal that pid only. */
	snprintf(cmd, sizeof(cmd), "pgrep -P \"$(tmux -L %s display -p -t %s '#{pane_pid}')\"",
		tt_sock, tt_session);
	char *pids = tu_run(cmd, &st);
	long pid = strtol(pids, NULL, 10);
	free(pids);
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(kill((pid_t)pid, SIGTERM), 0);
	snprintf(cmd, sizeof(cmd), "tmux -L %s display -p -t %s '#{alternate_on}'", tt_sock, tt_session);
	ck_assert_int_eq(tt_exit_status(), 128 + SIGTERM);
	alt = tu_run(cmd, &st);
	ck_assert_msg(alt[0] == '0', "terminal not restored after SIGTERM: %s", alt);
	free(alt);
	tt_stop();
}
END_TEST

Suite *suite_tui_e2e(void);
Suite *suite_tui_e2e(void)
{
	Suite *s = suite_create("tui_e2e");
	TCase *tc = tcase_create("e2e");
	tcase_add_test(tc, walk_log);
	tcase_add_test(tc, walk_report);
	tcase_add_test(tc, resize);
	tcase_add_test(tc, signal_restores);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
