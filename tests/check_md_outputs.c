/* check_md_outputs.c: what the Markdown and text reports show a reader
 * besides the figures, on the project's real server log
 * (samples/postgresql.log.zst, written by tests/workload/pg-workload.sh):
 * each example's place in the raw log and its backend, kept through a
 * saved JSON report and a saved state; the worst plan as text; the
 * timeline as a chart GitHub draws. */
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
	return s;
}
