/* check_md_outputs.c: what the Markdown and text reports show a reader
 * besides the figures, on the project's real server log
 * (samples/postgresql.log.zst, written by tests/workload/pg-workload.sh):
 * each example's place in the raw log and its backend, kept through a
 * saved JSON report and a saved state; the worst plan as text; the
 * timeline as a chart GitHub draws; the text report as complete as the
 * Markdown, fitted to the terminal. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define SAMPLE "samples/postgresql.log.zst"
/* The slowest call of the order-items lookup, as the server logged it. */
#define SLOWEST_PLACE SAMPLE ":48111"
#define SLOWEST_PID "2471"

static char *run(const char *args, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s 2>&1", tu_root(), tu_bin(), args);
	return tu_run(cmd, status);
}

static void assert_has(const char *got, const char *want)
{
	ck_assert_msg(strstr(got, want) != NULL, "no \"%s\" in:\n%.2000s", want, got);
}

START_TEST(test_example_place_md)
{
	int st;
	char *md = run("report -q -j 1 " SAMPLE, &st);
	ck_assert_int_eq(st, 0);
	assert_has(md, "app `orders-page`, pid " SLOWEST_PID ", at `" SLOWEST_PLACE "`\n");
	free(md);

	/* The place is where the raw log holds that call. */
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cd '%s' && zstdcat " SAMPLE " | sed -n 48111p",
			tu_root());
	char *line = tu_run(cmd, &st);
	assert_has(line, "[" SLOWEST_PID "] postgres@shop/orders-page LOG:  "
			"duration: 85.810 ms  statement: SELECT oi.product_id");
	free(line);
}
END_TEST

START_TEST(test_example_place_saved)
{
	char json[] = "/tmp/pgsift-md-XXXXXX", state[] = "/tmp/pgsift-st-XXXXXX";
	int fd = mkstemp(json), st;
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = mkstemp(state);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char args[4096];

	snprintf(args, sizeof(args), "report -q -j 1 -f json -o %s --save %s " SAMPLE,
			json, state);
	free(run(args, &st));
	ck_assert_int_eq(st, 0);
	char *doc = tu_slurp(json);
	ck_assert_ptr_nonnull(doc);
	assert_has(doc, "\"place\": \"" SLOWEST_PLACE "\",\n          \"pid\": " SLOWEST_PID "\n");
	free(doc);

	/* Read back from the JSON report (the fast loader) and the state. */
	const char *from[] = { json, state };
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "%s -q %s", i ? "merge" : "report", from[i]);
		char *md = run(args, &st);
		ck_assert_msg(st == 0, "%s:\n%s", args, md);
		assert_has(md, ", pid " SLOWEST_PID ", at `" SLOWEST_PLACE "`\n");
		free(md);
	}
	unlink(json);
	unlink(state);
}
END_TEST

START_TEST(test_plan_md)
{
	int st;
	char *md = run("report -q -j 1 " SAMPLE, &st);
	ck_assert_int_eq(st, 0);
	assert_has(md, "<details><summary>Worst plan (66.609 ms)</summary>\n\n```text\n"
		"Seq Scan on order_items oi: 66.592 ms (own 66.592 ms), rows 2 of 2 "
		"estimated, 1 loop  <- 100% of the time on its own\n"
		"    Filter: (order_id = $1)\n"
		"    Rows Removed by Filter: 199,998\n```\n\n</details>\n");
	/* A child under its parent, and a cheap node left unmarked. */
	assert_has(md, "Sort: 45.360 ms (own 0.033 ms), rows 20 of 20 estimated, 1 loop\n"
		"    Sort Method: quicksort (Memory, 26 kB)\n"
		"    -> Seq Scan on orders: 45.327 ms");
	ck_assert_ptr_null(strstr(md, "in the JSON report)\n"));
	free(md);
}
END_TEST

START_TEST(test_timeline_mermaid)
{
	int st;
	char *md = run("report -q -j 1 " SAMPLE, &st);
	ck_assert_int_eq(st, 0);
	/* The calls per second of the run, then the text chart as before. */
	assert_has(md, "## Timeline\n\n```mermaid\nxychart-beta\n"
		"    title \"Calls per second (UTC)\"\n"
		"    x-axis [\"13:45:42\", \"13:45:43\"");
	assert_has(md, "    y-axis \"calls\"\n    bar [7, 1, 1, 0, 0, 5, 4719, 9226, "
		"4640, 2759, 2898, 3, 8, 10]\n```\n\nFrom 2026-11-22 13:45:42");
	assert_has(md, "```text\ncalls ");
	free(md);
}
END_TEST

/* -f text: findings with their SQL, events, each offender's plan and
 * examples with their place; "1 call", not "1 calls". */
START_TEST(test_text_complete)
{
	int st;
	char *t = run("report -q -j 1 -f text " SAMPLE, &st);
	ck_assert_int_eq(st, 0);
	assert_has(t, "\nWhat to fix first\n=================\n18 findings: 2 critical, "
		"9 warning, 7 info");
	assert_has(t, "\n1. critical missing_index (3,246.4 ms, 24.2% of all time): Index "
		"order_items (order_id) would serve 1 statement (121 calls) that scan "
		"order_items without one\n"
		"    CREATE INDEX CONCURRENTLY order_items_order_id_idx ON order_items (order_id);\n");
	assert_has(t, "\nEvents\n======\nlock waits: 1, 383.308 ms waited in all\n"
		"  383.308 ms, pid 2489, ShareLock on transaction 783, blocked by pid 2485: ");
	assert_has(t, "\ntemporary files: 11, 23.8 MiB (largest 5.0 MiB)\n"
		"     9.8 MiB in 4 files: SELECT id, name, price FROM products");
	assert_has(t, "     5.0 MiB in 1 file: SELECT * FROM orders ORDER BY created_at\n");
	assert_has(t, "\n#1 a4c4e51324f428ed: 3,246.4 ms in 121 calls; P50 21.650, "
		"P95 53.786, P99 67.022, max 85.810 ms\n"
		"  SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = $1\n"
		"  worst plan (66.609 ms):\n"
		"    Seq Scan on order_items oi: 66.592 ms (own 66.592 ms), rows 2 of 2 "
		"estimated, 1 loop  <- 100% of the time on its own\n"
		"        Filter: (order_id = $1)\n"
		"        Rows Removed by Filter: 199,998\n"
		"  example 1: 2026-11-22T13:45:50.061Z, 85.810 ms, db shop, user postgres, "
		"app orders-page, pid " SLOWEST_PID ", at " SLOWEST_PLACE "\n");
	assert_has(t, ": 521.105 ms in 1 call; P50");
	ck_assert_msg(strstr(t, " 1 calls") == NULL, "%.200s", strstr(t, " 1 calls"));
	free(t);

	/* Markdown says it the same way. */
	char *md = run("report -q -j 1 " SAMPLE, &st);
	ck_assert_int_eq(st, 0);
	assert_has(md, "<details><summary>3. 521.105 ms in 1 call, P95 521.105 ms: ");
	ck_assert_msg(strstr(md, " 1 calls") == NULL, "%.200s", strstr(md, " 1 calls"));
	free(md);
}
END_TEST

/* `check -f text`: the verdict first, then the comparison with a
 * baseline (the golden baseline of the same evidence). */
START_TEST(test_text_check)
{
	int st;
	char *t = run("check -q -j 1 -f text --fail-on 'p95>100ms,p95>100ms&calls>=2' "
		"--baseline tests/golden/full-baseline.json " SAMPLE, &st);
	ck_assert_int_eq(st, 1);
	assert_has(t, " fingerprints\n\nCHECK FAILED: 1 of 2 gates\n"
		"  FAILED  p95>100ms: 12 groups; highest P95 3382.168 ms: INSERT INTO order_items");
	assert_has(t, "\n  passed  p95>100ms&calls>=2: 0 groups; highest P95 59.494 ms: SELECT id, name, price");
	assert_has(t, "\nCompared with the baseline\n==========================\n"
		"baseline tests/golden/full-baseline.json\n42 groups, 41 of them seen again "
		"(by fingerprint)\nregressions (P95 or total time up more than 25%):\n");
	assert_has(t, "\n    1        36.054        53.786    +49%       2,134.819       "
		"3,246.374    +52%  SELECT oi.product...\n");
	free(t);
}
END_TEST

/* The query column fits the terminal: under an 80-column tty, each row of
 * the table is at most 80 columns (the query cut at 28 and "..."). */
START_TEST(test_text_width)
{
	int st;
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "command -v script >/dev/null || exit 77; cd '%s' && "
		"script -qec \"stty cols 80 rows 40; '%s' report -q -j 1 -f text " SAMPLE "\" "
		"/tmp/pgsift-md-width.$$ | tr -d '\\r'; rm -f /tmp/pgsift-md-width.$$",
		tu_root(), tu_bin());
	char *t = tu_run(cmd, &st);
	if (st == 77) {
		tu_skip("md_outputs text width", "no script(1) to give a terminal");
		free(t);
		return;
	}
	char *table = strstr(t, "Worst offenders by total time\n");
	ck_assert_msg(table != NULL, "%.2000s", t);
	assert_has(table, "\n 1  3,246.374    121   26.830   53.786   67.022  "
		"SELECT oi.product_id, oi.qty...\n");
	char *end = strstr(table, "\n\n");
	for (char *l = strchr(table, '\n') + 1; l < end; l = strchr(l, '\n') + 1) {
		size_t cols = 0;
		for (char *c = l; *c != '\n'; c++)
			cols += ((unsigned char)*c & 0xc0) != 0x80;
		ck_assert_msg(cols <= 80, "%zu columns: %.*s", cols, (int)(strchr(l, '\n') - l), l);
	}
	free(t);
}
END_TEST

Suite *suite_md_outputs(void);
Suite *suite_md_outputs(void)
{
	Suite *s = suite_create("md_outputs");
	TCase *tc = tcase_create("examples");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_example_place_md);
	tcase_add_test(tc, test_example_place_saved);
	suite_add_tcase(s, tc);
	tc = tcase_create("markdown");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plan_md);
	tcase_add_test(tc, test_timeline_mermaid);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_text_complete);
	tcase_add_test(tc, test_text_check);
	tcase_add_test(tc, test_text_width);
	suite_add_tcase(s, tc);
	return s;
}
