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
#include "tmux_testutil.h"

static char report[128];

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
	if (tt_no_tmux("tui_keys", "back_never_quits"))
		return;
	tt_start("samples/postgresql.log.zst", 100, 30);
	tt_expect("of 41 groups");
	tt_keys("2");
	tt_expect("finding 1 of 18");
	tt_keys("j");
	tt_expect("finding 2 of 18");
	tt_keys("Enter");
	tt_expect("finding 2's statements");
	tt_keys("Enter");
	tt_expect("Latency histogram");
	/* Esc and q go back, one level each, never out. */
	tt_keys("Escape");
	tt_expect("finding 2's statements");
	tt_keys("q");
	tt_expect("finding 2 of 18");
	ck_assert(tt_running());
	tt_keys("Escape");
	tt_expect("this is a top view");
	ck_assert(tt_running());
	tt_keys("q");
	tt_expect("Quit? y/n");
	tt_keys("n");
	ck_assert(tt_running());
	tt_keys("q");
	tt_expect("Quit? y/n");
	tt_keys("y");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* ---- a finding's statements ---- */

/* The orders index finding names 3 statements (a regex on "orders"
 * found 13 groups): the list shows exactly those, for a fresh analysis
 * and its saved report alike. */
static void finding_statements(const char *input)
{
	tt_start(input, 120, 30);
	tt_expect("of 41 groups");
	tt_keys("2");
	tt_keys("j");
	tt_expect("finding 2 of 18");
	tt_keys("Enter");
	char *screen = tt_wait_for("finding 2's statements");
	ck_assert_msg(strstr(screen, "3 of 41 groups"), "%s", screen);
	/* Each of them reads orders (by customer). */
	int rows = 0;
	for (const char *p = screen; (p = strstr(p, "FROM orders")); p++)
		rows++;
	ck_assert_msg(rows >= 3, "%s", screen);
	free(screen);
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}

START_TEST(finding_statements_log)
{
	if (tt_no_tmux("tui_keys", "finding_statements_log"))
		return;
	finding_statements("samples/postgresql.log.zst");
}
END_TEST

START_TEST(finding_statements_report)
{
	if (tt_no_tmux("tui_keys", "finding_statements_report"))
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
	if (tt_no_tmux("tui_keys", "prompts"))
		return;
	tt_start("samples/postgresql.log.zst", 100, 30);
	tt_expect("of 41 groups");
	tt_keys("/");
	tt_expect("search groups");
	tt_type("order_items");
	tt_keys("Enter");
	tt_expect("/order_items/");
	/* Again: the line starts empty, Up recalls, Esc keeps the search. */
	tt_keys("/");
	tt_expect("search groups");
	char *line = tt_status_line();
	ck_assert_msg(strstr(line, "order_items") == NULL, "prompt not empty: %s", line);
	free(line);
	tt_keys("Up");
	line = tt_status_line();
	ck_assert_msg(strstr(line, "search groups") && strstr(line, "order_items"), "%s", line);
	free(line);
	tt_keys("Escape");
	tt_expect("4 of 41 groups");
	/* Typing does not add to an old answer: "orders" alone. */
	tt_keys("/");
	tt_expect("search groups");
	tt_type("customers");
	tt_keys("Enter");
	tt_expect("/customers/");
	tt_keys("/");
	tt_expect("search groups");
	tt_keys("Enter");
	tt_expect("41 of 41 groups");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* ---- text never lost ---- */

START_TEST(text_kept_80)
{
	if (tt_no_tmux("tui_keys", "text_kept_80"))
		return;
	tt_start("samples/postgresql.log.zst", 80, 24);
	tt_expect("of 41 groups");
	tt_keys("/");
	tt_type("generate_series");
	tt_keys("Enter");
	/* The seed INSERT first, of the 4 that name it. */
	tt_expect("4 of 41 groups");
	tt_keys("Enter");
	tt_expect("1 call \xc2\xb7 total");
	/* The finding's title, wrapped under its severity: every
	 * character of "($5 * $6)" is on screen. */
	char *screen = tt_wait_for("Findings (1)");
	ck_assert_msg(strstr(screen, "($5 * $6))"), "%s", screen);
	free(screen);
	/* A plan line too long for 40 columns is cut with ">", and Right
	 * shows its end after a "<". */
	tt_sh("tmux -L %s resize-window -t %s -x 40 -y 12", tt_sock, tt_session);
	tt_keys("v");
	screen = tt_wait_for("ModifyTable");
	ck_assert_msg(strstr(screen, ">\n"), "%s", screen);
	free(screen);
	tt_keys("Right");
	tt_keys("Right");
	tt_expect("<");
	screen = tt_wait_for("rows 0");
	free(screen);
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
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
	if (tt_no_tmux("tui_keys", "small_terminal"))
		return;
	tt_start("samples/postgresql.log.zst", 40, 10);
	/* The query keeps its column: text after the numbers. */
	char *screen = tt_wait_for("of 41 groups");
	ck_assert_msg(strstr(screen, "query") && strstr(screen, "SELECT oi.product_id"), "%s", screen);
	free(screen);
	tt_keys("2");
	/* The title under the columns, whole words. */
	screen = tt_wait_for("finding 1 of 18");
	ck_assert_msg(strstr(screen, "Index order_items (order_id)"), "%s", screen);
	free(screen);
	tt_keys("Down");
	tt_expect("finding 2 of 18");
	tt_keys("Down");
	tt_expect("finding 3 of 18");
	tt_keys("Up");
	tt_expect("finding 2 of 18");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

START_TEST(paging_and_search)
{
	if (tt_no_tmux("tui_keys", "paging_and_search"))
		return;
	tt_start("samples/postgresql.log.zst", 100, 20);
	tt_expect("of 41 groups");
	tt_keys("Enter");
	tt_expect("line 1 of");
	tt_keys("Space");
	tt_expect("line 18 of");
	tt_keys("g");
	tt_expect("line 1 of");
	tt_keys("/");
	tt_type("order_items");
	tt_keys("Enter");
	char *first = tt_status_line();
	tt_keys("n");
	usleep(300000);
	char *second = tt_status_line();
	ck_assert_str_ne(first, second);
	tt_keys("N");
	usleep(300000);
	char *back = tt_status_line();
	ck_assert_str_eq(first, back);
	free(first);
	free(second);
	free(back);
	/* The matches are drawn in the search style (on yellow: SGR 43). */
	char *screen = tt_capture_as(true);
	ck_assert_msg(strstr(screen, "43m" "order_items") != NULL, "no highlighted match:\n%s", screen);
	free(screen);
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* ---- loading screen ---- */

/* A log that arrives slowly on standard input: the loading screen shows
 * the bytes read while the analysis waits for the rest. */
START_TEST(loading_screen)
{
	if (tt_no_tmux("tui_keys", "loading_screen"))
		return;
	tt_start_with("(zstd -dc samples/postgresql.log.zst; sleep 4) |", "-", 80, 24);
	char *screen = tt_wait_for("analysing -");
	ck_assert_msg(strstr(screen, "read") && strstr(screen, "MB/s"), "%s", screen);
	free(screen);
	tt_expect("of 41 groups");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* ---- the raw log ---- */

/* In a group's detail: searches its first example shown with a place
 * ("db shop" heads each) and opens the log there with o, which must show
 * that place in the status line. */
static void open_first_example(void)
{
	tt_keys("/");
	tt_type("db shop");
	tt_keys("Enter");
	char *screen = tt_wait_for("postgresql.log.zst:");
	const char *p = strstr(screen, "samples/postgresql.log.zst:");
	ck_assert_ptr_nonnull(p);
	char place[128];
	ck_assert_int_eq(sscanf(p, "%127s", place), 1);
	free(screen);
	tt_keys("o");
	char *line = NULL;
	for (int i = 0; i < 100; i++) {
		free(line);
		line = tt_status_line();
		if (strncmp(line, place, strlen(place)) == 0)
			break;
		usleep(50000);
	}
	ck_assert_msg(strncmp(line, place, strlen(place)) == 0, "opened '%s', not %s", line, place);
	free(line);
}

START_TEST(raw_log)
{
	if (tt_no_tmux("tui_keys", "raw_log"))
		return;
	tt_start("samples/postgresql.log.zst", 120, 50);
	tt_expect("of 41 groups");
	/* From a group: its first call, marked. */
	tt_keys("o");
	char *screen = tt_wait_for("samples/postgresql.log.zst:");
	ck_assert_msg(strstr(screen, "\xe2\x96\xb6") && strstr(screen, "INSERT INTO order_items"),
		"%s", screen);
	free(screen);
	tt_keys("q");
	tt_expect("of 41 groups");
	/* From an example of a group's detail: its place, as shown. */
	tt_keys("j");
	tt_keys("Enter");
	tt_expect("Examples (");
	open_first_example();
	tt_keys("Escape");
	tt_expect("Examples (");
	/* From a finding: its statement's first call. */
	tt_keys("2");
	tt_expect("finding 1 of 18");
	tt_keys("o");
	tt_expect("samples/postgresql.log.zst:");
	tt_keys("q");
	tt_expect("finding 1 of 18");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* A saved report keeps each example's place ("place" in the JSON): o
 * opens the log there as from the analysis itself. */
START_TEST(raw_log_saved)
{
	if (tt_no_tmux("tui_keys", "raw_log_saved"))
		return;
	tt_start(saved_report(), 120, 50);
	tt_expect("of 41 groups");
	tt_keys("Enter");
	tt_expect("Examples (");
	open_first_example();
	char *screen = tt_capture();
	ck_assert_msg(strstr(screen, "\xe2\x96\xb6") != NULL, "%s", screen);
	free(screen);
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* ---- minimum calls and columns ---- */

START_TEST(min_calls_columns)
{
	if (tt_no_tmux("tui_keys", "min_calls_columns"))
		return;
	tt_start("samples/postgresql.log.zst", 160, 40);
	tt_expect("of 41 groups");
	tt_keys("M");
	tt_expect("at least how many calls");
	tt_type("100");
	tt_keys("Enter");
	char *screen = tt_wait_for("calls \xe2\x89\xa5 100");
	/* Every row shown has 100 calls or more. */
	for (const char *l = strchr(screen, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		long calls;
		if (sscanf(l + 1, "%ld", &calls) == 1 && l[1] == ' ')
			ck_assert_msg(calls >= 100 || strchr(l + 1, ','), "%.80s", l + 1);
	}
	free(screen);
	tt_keys("C");
	tt_expect("show/hide columns");
	tt_type("p50 min");
	tt_keys("Enter");
	screen = tt_wait_for("P50");
	ck_assert_msg(strstr(screen, " min "), "%s", screen);
	free(screen);
	tt_keys("C");
	tt_type("bogus");
	tt_keys("Enter");
	tt_expect("no column 'bogus'");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
}
END_TEST

/* ---- standard input ---- */

START_TEST(stdin_report)
{
	if (tt_no_tmux("tui_keys", "stdin_report"))
		return;
	char pre[256];
	/* Compressed, as reports are often kept. */
	snprintf(pre, sizeof(pre), "zstd -qc %s |", saved_report());
	tt_start_with(pre, "-", 100, 20);
	/* The saved report's totals; a report read as a log would have no
	 * groups of these. */
	tt_expect("41 of 41 groups");
	tt_expect("24,277 queries");
	tt_keys("Q");
	ck_assert_int_eq(tt_exit_status(), 0);
	tt_stop();
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
