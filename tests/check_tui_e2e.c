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

static bool have_tmux(void)
{
	return system("command -v tmux >/dev/null 2>&1") == 0;
}

static void skip_no_tmux(const char *test)
{
	char who[128];
	/* Check names a test's function NAME_fn. */
	size_t len = strlen(test);
	if (len > 3 && strcmp(test + len - 3, "_fn") == 0)
		len -= 3;
	snprintf(who, sizeof(who), "tui_e2e: %.*s", (int)len, test);
	tu_skip(who, "tmux not installed (the TUI end-to-end tests drive it)");
}

/* Inside a test: without tmux, skip it (tu_skip) and return. */
#define SKIP_WITHOUT_TMUX() do { \
		if (!have_tmux()) { \
			skip_no_tmux(__func__); \
			return; \
		} \
	} while (0)

/* A private tmux server per test run, so a user's sessions are never
 * touched and nothing is left behind. */
static char sock[64], session[64], exitfile[128];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st;
	free(tu_run(cmd, &st));
}

static void start(const char *args, int cols, int rows)
{
	snprintf(sock, sizeof(sock), "pgsift-tui-%d", (int)getpid());
	snprintf(session, sizeof(session), "t%ld", (long)time(NULL) % 100000);
	snprintf(exitfile, sizeof(exitfile), "/tmp/pgsift-tui-exit-%d", (int)getpid());
	unlink(exitfile);
	sh("tmux -L %s new-session -d -s %s -x %d -y %d "
	   "\"cd '%s' && TERM=xterm-256color LANG=C.UTF-8 '%s' tui %s; echo \\$? > %s; sleep 60\"",
	   sock, session, cols, rows, tu_root(), tu_bin(), args, exitfile);
}

static void stop(void)
{
	sh("tmux -L %s kill-server 2>/dev/null", sock);
	unlink(exitfile);
}

static char *capture(void)
{
	char cmd[256];
	int st;
	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p -t %s", sock, session);
	return tu_run(cmd, &st);
}

static void keys(const char *k)
{
	sh("tmux -L %s send-keys -t %s %s", sock, session, k);
}

/* Waits (up to 20 s) until the screen shows needle; returns the screen. */
static char *wait_for(const char *needle)
{
	char *screen = NULL;
	for (int i = 0; i < 400; i++) {
		free(screen);
		screen = capture();
		if (strstr(screen, needle))
			return screen;
		usleep(50000);
	}
	ck_abort_msg("screen never showed '%s'; it shows:\n%s", needle, screen);
	return screen;
}

static void expect(const char *needle)
{
	free(wait_for(needle));
}

static int exit_status(void)
{
	for (int i = 0; i < 200; i++) {
		FILE *fp = fopen(exitfile, "r");
		int rc = -1;
		if (fp) {
			if (fscanf(fp, "%d", &rc) != 1)
				rc = -1;
			fclose(fp);
			if (rc >= 0)
				return rc;
		}
		usleep(50000);
	}
	return -1;
}

/* Down to the first row whose text holds needle, then Enter. */
static void open_row(const char *needle)
{
	char *screen = wait_for(needle);
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
		keys("j");
	keys("Enter");
}

static void walk_through(const char *input)
{
	start(input, 100, 30);
	expect("of 41 groups");
	keys("P");
	expect("sort P99");
	expect("\xe2\x96\xbcP99");
	keys("/");
	expect("search groups");
	keys("order_items Enter");
	expect("4 of 41 groups \xc2\xb7 sort P99 \xe2\x86\x93 \xc2\xb7 /order_items/");
	open_row("SELECT oi.product_id, oi.qty FROM order");
	expect("Group a4c4e51324f428ed");
	expect("Latency histogram");
	keys("v");
	char *screen = wait_for("Plan (worst");
	ck_assert_msg(strstr(screen, "Seq Scan on order_items oi") != NULL, "%s", screen);
	ck_assert(strstr(screen, "Rows Removed by Filter") != NULL);
	free(screen);
	keys("2");
	expect("findings \xc2\xb7");
	/* A top view: q asks first. */
	keys("q");
	expect("Quit? y/n");
	keys("y");
	ck_assert_int_eq(exit_status(), 0);
	stop();
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
	start("samples/postgresql.log.zst", 80, 24);
	expect("of 41 groups");
	keys("Enter");
	expect("Group ");
	keys("v");
	expect("Plan (worst");
	sh("tmux -L %s resize-window -t %s -x 132 -y 40", sock, session);
	char *screen = wait_for("Plan (worst");
	/* The wider screen is used: the title now fits whole. */
	ck_assert_msg(strstr(screen, "? help \xc2\xb7 q back") != NULL, "%s", screen);
	free(screen);
	sh("tmux -L %s resize-window -t %s -x 40 -y 8", sock, session);
	expect("Plan");
	sh("tmux -L %s resize-window -t %s -x 80 -y 24", sock, session);
	expect("Plan (worst");
	keys("q");
	expect("of 41 groups");
	keys("4");
	expect("timeline \xc2\xb7");
	keys("?");
	expect("this help");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

START_TEST(signal_restores)
{
	SKIP_WITHOUT_TMUX();
	start("samples/postgresql.log.zst", 80, 24);
	expect("of 41 groups");
	char cmd[256];
	int st;
	snprintf(cmd, sizeof(cmd), "tmux -L %s display -p -t %s '#{alternate_on}'", sock, session);
	char *alt = tu_run(cmd, &st);
	ck_assert_msg(alt[0] == '1', "the TUI did not use the alternate screen: %s", alt);
	free(alt);
	/* The pane's shell runs pgsift as its child: signal that pid only. */
	snprintf(cmd, sizeof(cmd), "pgrep -P \"$(tmux -L %s display -p -t %s '#{pane_pid}')\"",
		sock, session);
	char *pids = tu_run(cmd, &st);
	long pid = strtol(pids, NULL, 10);
	free(pids);
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(kill((pid_t)pid, SIGTERM), 0);
	snprintf(cmd, sizeof(cmd), "tmux -L %s display -p -t %s '#{alternate_on}'", sock, session);
	ck_assert_int_eq(exit_status(), 128 + SIGTERM);
	alt = tu_run(cmd, &st);
	ck_assert_msg(alt[0] == '0', "terminal not restored after SIGTERM: %s", alt);
	free(alt);
	stop();
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
