/* check_tui_keys.c: the TUI's keys as a user meets them (issue 17), the
 * real binary driven in tmux on the workload's log and its saved report:
 * going back never quits, a finding opens the statements it names,
 * prompts start empty with a history, no text lost at 80 or 40 columns,
 * paging, backward search and highlighted matches, the loading screen,
 * the raw log lines around a call, the minimum-calls filter and the
 * columns, and `tui -` on a saved report. Skips, saying so, without tmux.
 * The finding-to-statements model is also checked without a terminal. */
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tui/model.h"
#include "analysis.h"
#include "findings.h"
#include "testutil.h"

/* ---- a private tmux server per test (as check_tui_e2e.c) ---- */

static char sock[64], session[64], exitfile[128], report[128];

static bool no_tmux(const char *test)
{
	if (system("command -v tmux >/dev/null 2>&1") == 0)
		return false;
	char who[128];
	snprintf(who, sizeof(who), "tui_keys: %s", test);
	tu_skip(who, "tmux not installed (the TUI end-to-end tests drive it)");
	return true;
}

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

/* Runs `pgsift tui ARGS` (pre: a shell prefix, e.g. a pipe into it). */
static void start_with(const char *pre, const char *args, int cols, int rows)
{
	snprintf(sock, sizeof(sock), "pgsift-tuik-%d", (int)getpid());
	snprintf(session, sizeof(session), "k%ld", (long)time(NULL) % 100000);
	snprintf(exitfile, sizeof(exitfile), "/tmp/pgsift-tuik-exit-%d", (int)getpid());
	unlink(exitfile);
	sh("tmux -L %s new-session -d -s %s -x %d -y %d "
	   "\"cd '%s' && %s TERM=xterm-256color LANG=C.UTF-8 '%s' tui %s; echo \\$? > %s; sleep 60\"",
	   sock, session, cols, rows, tu_root(), pre, tu_bin(), args, exitfile);
}

static void start(const char *args, int cols, int rows)
{
	start_with("", args, cols, rows);
}

static void stop(void)
{
	sh("tmux -L %s kill-server 2>/dev/null", sock);
	unlink(exitfile);
}

/* The pane as text, or with its colours as escape sequences. */
static char *capture_as(bool escapes)
{
	char cmd[256];
	int st;
	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p %s -t %s", sock,
		escapes ? "-e" : "", session);
	return tu_run(cmd, &st);
}

static void keys(const char *k)
{
	sh("tmux -L %s send-keys -t %s %s", sock, session, k);
}

/* Literal text typed (no key names). */
static void type(const char *text)
{
	sh("tmux -L %s send-keys -l -t %s '%s'", sock, session, text);
}

static char *wait_for(const char *needle)
{
	char *screen = NULL;
	for (int i = 0; i < 400; i++) {
		free(screen);
		screen = capture_as(false);
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

/* The last line of the screen (the status or the prompt). */
static char *status_line(void)
{
	char *s = capture_as(false);
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	char *nl = strrchr(s, '\n');
	char *line = strdup(nl ? nl + 1 : s);
	free(s);
	return line;
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

static bool running(void)
{
	usleep(300000);
	return access(exitfile, F_OK) != 0;
}

/* The workload's log saved as a JSON report, once. */
static const char *saved_report(void)
{
	if (report[0])
		return report;
	char cmd[1024];
	int st;
	snprintf(report, sizeof(report), "/tmp/pgsift-tuik-report-%d.json", (int)getpid());
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -f json -o %s samples/postgresql.log.zst",
		tu_root(), tu_bin(), report);
	free(tu_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	return report;
}

static void unlink_report(void)
{
	if (report[0])
		unlink(report);
}

/* ---- going back never quits ---- */

START_TEST(back_never_quits)
{
	if (no_tmux("back_never_quits"))
		return;
	start("samples/postgresql.log.zst", 100, 30);
	expect("of 41 groups");
	keys("2");
	expect("finding 1 of 18");
	keys("j");
	expect("finding 2 of 18");
	keys("Enter");
	expect("finding 2's statements");
	keys("Enter");
	expect("Latency histogram");
	/* Esc and q go back, one level each, never out. */
	keys("Escape");
	expect("finding 2's statements");
	keys("q");
	expect("finding 2 of 18");
	ck_assert(running());
	keys("Escape");
	expect("this is a top view");
	ck_assert(running());
	keys("q");
	expect("Quit? y/n");
	keys("n");
	ck_assert(running());
	keys("q");
	expect("Quit? y/n");
	keys("y");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* ---- a finding's statements ---- */

/* The orders index finding names 3 statements (a regex on "orders"
 * found 13 groups): the list shows exactly those, for a fresh analysis
 * and its saved report alike. */
static void finding_statements(const char *input)
{
	start(input, 120, 30);
	expect("of 41 groups");
	keys("2");
	keys("j");
	expect("finding 2 of 18");
	keys("Enter");
	char *screen = wait_for("finding 2's statements");
	ck_assert_msg(strstr(screen, "3 of 41 groups"), "%s", screen);
	/* Each of them reads orders (by customer). */
	int rows = 0;
	for (const char *p = screen; (p = strstr(p, "FROM orders")); p++)
		rows++;
	ck_assert_msg(rows >= 3, "%s", screen);
	free(screen);
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}

START_TEST(finding_statements_log)
{
	if (no_tmux("finding_statements_log"))
		return;
	finding_statements("samples/postgresql.log.zst");
}
END_TEST

START_TEST(finding_statements_report)
{
	if (no_tmux("finding_statements_report"))
		return;
	finding_statements(saved_report());
	unlink_report();
}
END_TEST

/* The model under it: every finding's statements are the same groups
 * in the analysis and in its saved report. */
START_TEST(finding_claims_saved)
{
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	char path[4096];
	snprintf(path, sizeof(path), "%s/samples/postgresql.log.zst", tu_root());
	const char *paths[] = { path };
	char err[256];
	struct tui_report *fresh = tui_report_analyse(&o, paths, 1, err, sizeof(err), NULL);
	ck_assert_msg(fresh != NULL, "%s", err);
	struct tui_report *saved = NULL;
	ck_assert_int_eq(tui_report_probe_file(saved_report(), false, &saved, err, sizeof(err)), 1);
	ck_assert_uint_eq(fresh->nfindings, saved->nfindings);
	size_t named = 0;
	for (size_t i = 0; i < fresh->nfindings; i++) {
		struct finding_claim *a = NULL, *b = NULL;
		size_t na = finding_claims(fresh->findings[i].f, &a);
		size_t nb = finding_claims(saved->findings[i].f, &b);
		ck_assert_uint_eq(na, nb);
		for (size_t k = 0; k < na; k++)
			ck_assert(a[k].fp == b[k].fp);
		named += na;
		free(a);
		free(b);
	}
	ck_assert_uint_gt(named, fresh->nfindings / 2);
	tui_report_free(fresh);
	tui_report_free(saved);
	unlink_report();
}
END_TEST

/* ---- prompts ---- */

START_TEST(prompts)
{
	if (no_tmux("prompts"))
		return;
	start("samples/postgresql.log.zst", 100, 30);
	expect("of 41 groups");
	keys("/");
	expect("search groups");
	type("order_items");
	keys("Enter");
	expect("/order_items/");
	/* Again: the line starts empty, Up recalls, Esc keeps the search. */
	keys("/");
	expect("search groups");
	char *line = status_line();
	ck_assert_msg(strstr(line, "order_items") == NULL, "prompt not empty: %s", line);
	free(line);
	keys("Up");
	line = status_line();
	ck_assert_msg(strstr(line, "search groups") && strstr(line, "order_items"), "%s", line);
	free(line);
	keys("Escape");
	expect("4 of 41 groups");
	/* Typing does not add to an old answer: "orders" alone. */
	keys("/");
	expect("search groups");
	type("customers");
	keys("Enter");
	expect("/customers/");
	keys("/");
	expect("search groups");
	keys("Enter");
	expect("41 of 41 groups");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* ---- text never lost ---- */

START_TEST(text_kept_80)
{
	if (no_tmux("text_kept_80"))
		return;
	start("samples/postgresql.log.zst", 80, 24);
	expect("of 41 groups");
	keys("/");
	type("generate_series");
	keys("Enter");
	/* The seed INSERT first, of the 4 that name it. */
	expect("4 of 41 groups");
	keys("Enter");
	expect("1 call \xc2\xb7 total");
	/* The finding's title, wrapped under its severity: every
	 * character of "($5 * $6)" is on screen. */
	char *screen = wait_for("Findings (1)");
	ck_assert_msg(strstr(screen, "($5 * $6))"), "%s", screen);
	free(screen);
	/* A plan line too long for 40 columns is cut with ">", and Right
	 * shows its end after a "<". */
	sh("tmux -L %s resize-window -t %s -x 40 -y 12", sock, session);
	keys("v");
	screen = wait_for("ModifyTable");
	ck_assert_msg(strstr(screen, ">\n"), "%s", screen);
	free(screen);
	keys("Right");
	keys("Right");
	expect("<");
	screen = wait_for("rows 0");
	free(screen);
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* Under it: at every width, each wrapped line fits with its indent, and
 * the lines hold every character of the text (the workload's seed
 * INSERT, whose "$5 * " was lost at 80 columns). */
START_TEST(wrap_keeps_text)
{
	const char *text = "info     P95 3382 ms over 1 call (critical band): INSERT INTO order_items "
		"(order_id, product_id, qty) SELECT $1 + (g % ($2 * $3)), $4 + (g % ($5 * $6)), "
		"$7 + g % $8 FROM generate_series($9, $10 * $11) g";
	for (int width = 20; width <= 160; width++) {
		struct tlines l = { 0 };
		tlines_wrap_as(&l, TS_NORMAL, TL_FINDING, 3, text, width, 2, 11);
		char joined[1024] = "", want[1024] = "";
		size_t j = 0;
		for (size_t i = 0; i < l.n; i++) {
			ck_assert_msg(tt_width(l.v[i].text) <= width, "width %d line %zu: '%s'", width, i,
				l.v[i].text);
			ck_assert_int_eq(l.v[i].kind, TL_FINDING);
			for (const char *t = l.v[i].text; *t; t++)
				if (*t != ' ')
					joined[j++] = *t;
		}
		joined[j] = '\0';
		/* Every character but the spaces the lines break at. */
		j = 0;
		for (const char *p = text; *p; p++)
			if (*p != ' ')
				want[j++] = *p;
		want[j] = '\0';
		ck_assert_msg(strcmp(joined, want) == 0, "width %d: '%s'", width, joined);
		tlines_clear(&l);
	}
}
END_TEST

/* ---- small terminals, paging, search ---- */

START_TEST(small_terminal)
{
	if (no_tmux("small_terminal"))
		return;
	start("samples/postgresql.log.zst", 40, 10);
	/* The query keeps its column: text after the numbers. */
	char *screen = wait_for("of 41 groups");
	ck_assert_msg(strstr(screen, "query") && strstr(screen, "SELECT oi.product_id"), "%s", screen);
	free(screen);
	keys("2");
	/* The title under the columns, whole words. */
	screen = wait_for("finding 1 of 18");
	ck_assert_msg(strstr(screen, "Index order_items (order_id)"), "%s", screen);
	free(screen);
	keys("Down");
	expect("finding 2 of 18");
	keys("Down");
	expect("finding 3 of 18");
	keys("Up");
	expect("finding 2 of 18");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

START_TEST(paging_and_search)
{
	if (no_tmux("paging_and_search"))
		return;
	start("samples/postgresql.log.zst", 100, 20);
	expect("of 41 groups");
	keys("Enter");
	expect("line 1 of");
	keys("Space");
	expect("line 18 of");
	keys("g");
	expect("line 1 of");
	keys("/");
	type("order_items");
	keys("Enter");
	char *first = status_line();
	keys("n");
	usleep(300000);
	char *second = status_line();
	ck_assert_str_ne(first, second);
	keys("N");
	usleep(300000);
	char *back = status_line();
	ck_assert_str_eq(first, back);
	free(first);
	free(second);
	free(back);
	/* The matches are drawn in the search style (on yellow: SGR 43). */
	char *screen = capture_as(true);
	ck_assert_msg(strstr(screen, "43m" "order_items") != NULL, "no highlighted match:\n%s", screen);
	free(screen);
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* ---- loading screen ---- */

/* A log that arrives slowly on standard input: the loading screen shows
 * the bytes read while the analysis waits for the rest. */
START_TEST(loading_screen)
{
	if (no_tmux("loading_screen"))
		return;
	start_with("(zstd -dc samples/postgresql.log.zst; sleep 4) |", "-", 80, 24);
	char *screen = wait_for("analysing -");
	ck_assert_msg(strstr(screen, "read") && strstr(screen, "MB/s"), "%s", screen);
	free(screen);
	expect("of 41 groups");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* ---- the raw log ---- */

START_TEST(raw_log)
{
	if (no_tmux("raw_log"))
		return;
	start("samples/postgresql.log.zst", 120, 50);
	expect("of 41 groups");
	/* From a group: its first call, marked. */
	keys("o");
	char *screen = wait_for("samples/postgresql.log.zst:");
	ck_assert_msg(strstr(screen, "\xe2\x96\xb6") && strstr(screen, "INSERT INTO order_items"),
		"%s", screen);
	free(screen);
	keys("q");
	expect("of 41 groups");
	/* From an example of a group's detail: its place, as shown. */
	keys("j");
	keys("Enter");
	expect("Examples (");
	keys("/");
	type("db shop");
	keys("Enter");
	screen = wait_for("postgresql.log.zst:");
	const char *p = strstr(screen, "samples/postgresql.log.zst:");
	ck_assert_ptr_nonnull(p);
	char place[128];
	ck_assert_int_eq(sscanf(p, "%127s", place), 1);
	free(screen);
	keys("o");
	char *line = NULL;
	for (int i = 0; i < 100; i++) {
		free(line);
		line = status_line();
		if (strstr(line, " of 41"))
			break;
		usleep(50000);
	}
	ck_assert_msg(strncmp(line, place, strlen(place)) == 0, "opened '%s', not %s", line, place);
	free(line);
	keys("Escape");
	expect("Examples (");
	/* From a finding: its statement's first call. */
	keys("2");
	expect("finding 1 of 18");
	keys("o");
	expect("samples/postgresql.log.zst:");
	keys("q");
	expect("finding 1 of 18");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* A saved report keeps each example's place ("place" in the JSON): o
 * opens the log there as from the analysis itself. */
START_TEST(raw_log_saved)
{
	if (no_tmux("raw_log_saved"))
		return;
	start(saved_report(), 120, 50);
	expect("of 41 groups");
	keys("Enter");
	expect("Examples (");
	keys("/");
	type("db shop");
	keys("Enter");
	char *screen = wait_for("postgresql.log.zst:");
	const char *p = strstr(screen, "samples/postgresql.log.zst:");
	ck_assert_ptr_nonnull(p);
	char place[128];
	ck_assert_int_eq(sscanf(p, "%127s", place), 1);
	free(screen);
	keys("o");
	char *line = NULL;
	for (int i = 0; i < 100; i++) {
		free(line);
		line = status_line();
		if (strncmp(line, place, strlen(place)) == 0)
			break;
		usleep(50000);
	}
	ck_assert_msg(strncmp(line, place, strlen(place)) == 0, "opened '%s', not %s", line, place);
	free(line);
	screen = capture_as(false);
	ck_assert_msg(strstr(screen, "\xe2\x96\xb6") != NULL, "%s", screen);
	free(screen);
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* ---- minimum calls and columns ---- */

START_TEST(min_calls_columns)
{
	if (no_tmux("min_calls_columns"))
		return;
	start("samples/postgresql.log.zst", 160, 40);
	expect("of 41 groups");
	keys("M");
	expect("at least how many calls");
	type("100");
	keys("Enter");
	char *screen = wait_for("calls \xe2\x89\xa5 100");
	/* Every row shown has 100 calls or more. */
	for (const char *l = strchr(screen, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		long calls;
		if (sscanf(l + 1, "%ld", &calls) == 1 && l[1] == ' ')
			ck_assert_msg(calls >= 100 || strchr(l + 1, ','), "%.80s", l + 1);
	}
	free(screen);
	keys("C");
	expect("show/hide columns");
	type("p50 min");
	keys("Enter");
	screen = wait_for("P50");
	ck_assert_msg(strstr(screen, " min "), "%s", screen);
	free(screen);
	keys("C");
	type("bogus");
	keys("Enter");
	expect("no column 'bogus'");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
}
END_TEST

/* ---- standard input ---- */

START_TEST(stdin_report)
{
	if (no_tmux("stdin_report"))
		return;
	char pre[256];
	/* Compressed, as reports are often kept. */
	snprintf(pre, sizeof(pre), "zstd -qc %s |", saved_report());
	start_with(pre, "-", 100, 20);
	/* The saved report's totals; a report read as a log would have no
	 * groups of these. */
	expect("41 of 41 groups");
	expect("24,277 queries");
	keys("Q");
	ck_assert_int_eq(exit_status(), 0);
	stop();
	unlink_report();
}
END_TEST

Suite *suite_tui_keys(void);
Suite *suite_tui_keys(void)
{
	Suite *s = suite_create("tui_keys");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, back_never_quits);
	tcase_add_test(tc, finding_statements_log);
	tcase_add_test(tc, finding_statements_report);
	tcase_add_test(tc, finding_claims_saved);
	tcase_add_test(tc, prompts);
	tcase_add_test(tc, text_kept_80);
	tcase_add_test(tc, wrap_keeps_text);
	tcase_add_test(tc, small_terminal);
	tcase_add_test(tc, paging_and_search);
	tcase_add_test(tc, loading_screen);
	tcase_add_test(tc, raw_log);
	tcase_add_test(tc, raw_log_saved);
	tcase_add_test(tc, min_calls_columns);
	tcase_add_test(tc, stdin_report);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
