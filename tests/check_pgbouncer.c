/* check_pgbouncer.c: pgBouncer's log, parsed and reported.
 *
 * "core" reads tests/data/pgbouncer/pgbouncer-1.18.log, written by a real
 * pgBouncer 1.18 in front of a real server (tests/workload/
 * pgbouncer-workload.sh), through the registry: detection, fields, bad
 * lines. "report" and "live" run the binary and check the JSON report's
 * "pooler" figures against counts this test takes from the log itself
 * (not hand-written numbers); "live" runs the workload afresh and also
 * checks the stats totals against the pooler's own SHOW STATS, the
 * server's log read in the same run, a saved state merged, -j 2 and the
 * saved report read back. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_testutil.h"
#include "pgbouncer_testutil.h"
#include "testutil.h"
#include "timeutil.h"

#define FIXTURE "tests/data/pgbouncer/pgbouncer-1.18.log"

/* ---- core: the fixture through the registry ---- */

START_TEST(test_parse_fixture)
{
	char *path = tu_data_path("pgbouncer", FIXTURE);
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(parser_detect(text, strlen(text))->id, "pgbouncer");
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, text, strlen(text), 0, REC_POOLER, &r);
	ck_assert_str_eq(r.report.format, "pgbouncer");
	ck_assert_uint_eq(r.report.nproblems, 0);
	struct log_counts k = counts_of(path);
	ck_assert_uint_eq(r.n, k.lines);
	/* The first line: "2026-12-06 03:20:59.199 UTC [6727] LOG kernel ..." */
	ck_assert_int_eq(r.g[0].pid, 6727);
	ck_assert_int_eq(r.g[0].sev, SEV_LOG);
	ck_assert(r.g[0].tz_known);
	char iso[32];
	ts_format_iso(r.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2026-12-06T03:20:59.199Z");
	size_t logins = 0, refused = 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct got *g = &r.g[i];
		if (strncmp(g->s[S_MESSAGE], "login attempt: ", 15) == 0) {
			logins++;
			ck_assert_str_eq(g->s[S_HOST], "127.0.0.1");
			ck_assert_int_eq(g->s[S_SESSION][0], 'C');
			/* "(nodb)/alice" before login: the database asked for. */
			ck_assert_msg(g->s[S_DB][0] && strcmp(g->s[S_DB], "(nodb)") != 0,
					"line %llu: db '%s'", (unsigned long long)g->line, g->s[S_DB]);
		}
		if (strstr(g->s[S_MESSAGE], "no more connections allowed") &&
				g->sev == SEV_WARNING) {
			refused++;
			ck_assert_str_eq(g->s[S_DB], "");
			ck_assert_str_eq(g->s[S_USER], "");
		}
	}
	ck_assert_uint_eq(logins, k.logins);
	ck_assert_uint_eq(refused, k.max_client_conn);
	run_free(&r);
	free(text);
	free(path);
}
END_TEST

/* A server's stderr log is not taken for pgBouncer's, nor the reverse. */
START_TEST(test_detect_apart)
{
	char *path = tu_data_path("pgbouncer", "tests/data/workload-excerpt.log");
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	const struct parser *p = parser_detect(text, strlen(text));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_ne(p->id, "pgbouncer");
	free(text);
	free(path);
}
END_TEST

/* Bad lines: reported with their line, the rest read, exit 3. */
START_TEST(test_bad_lines)
{
	char *path = tu_data_path("pgbouncer", FIXTURE);
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	/* After the fourth line: a torn line and a line of another program. */
	char *at = text;
	for (int i = 0; i < 4; i++)
		at = strchr(at, '\n') + 1;
	static const char bad[] = "2026-12-06 03:21:00.2\nsome other program wrote this\n";
	size_t head = (size_t)(at - text), len = strlen(text);
	char *buf = malloc(len + sizeof(bad));
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, text, head);
	memcpy(buf + head, bad, sizeof(bad) - 1);
	memcpy(buf + head + sizeof(bad) - 1, at, len - head + 1);
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, buf, strlen(buf), 0, REC_POOLER, &r);
	ck_assert_str_eq(r.report.format, "pgbouncer");
	ck_assert_uint_eq(r.report.nproblems, 2);
	ck_assert_uint_eq(r.report.skipped, 2);
	ck_assert_uint_eq(r.report.problems[0].line, 5);
	ck_assert_uint_eq(r.report.problems[1].line, 6);
	ck_assert_ptr_nonnull(strstr(r.report.problems[0].message, "not a pgBouncer log line"));
	struct log_counts k = counts_of(path);
	ck_assert_uint_eq(r.n, k.lines);
	run_free(&r);

	/* The binary says where, and exits 3 with the report written. */
	char *tmp = tu_write_temp(buf, strlen(buf));
	char args[1024];
	snprintf(args, sizeof(args), "report -q -f json '%s'", tmp);
	json_t *j = report(args, 3);
	const json_t *in = json_array_get(json_object_get(j, "inputs"), 0);
	const json_t *pr = json_array_get(json_object_get(in, "problems"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(pr, "line")), 5);
	check_pooler(json_object_get(j, "pooler"), &k);
	json_decref(j);
	tu_remove(tmp);
	free(buf);
	free(text);
	free(path);
}
END_TEST

/* ---- report: the fixture through the binary ---- */

START_TEST(test_report_fixture)
{
	char *path = tu_data_path("pgbouncer", FIXTURE);
	struct log_counts k = counts_of(path);
	char args[1024];
	snprintf(args, sizeof(args), "report -q -f json '%s'", path);
	json_t *j = report(args, 0);
	check_pooler(json_object_get(j, "pooler"), &k);
	/* The window is the pooler's first and last lines'. */
	const json_t *w = json_object_get(j, "window");
	ck_assert_str_eq(json_string_value(json_object_get(w, "start")), "2026-12-06T03:20:59.199Z");
	ck_assert_str_eq(json_string_value(json_object_get(w, "end")), "2026-12-06T03:21:16.336Z");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "pooler"),
			"first_seen")), "2026-12-06T03:20:59.199Z");
	json_decref(j);
	/* The Markdown section. */
	char cmd[1024];
	int status;
	snprintf(cmd, sizeof(cmd), "'%s' report -q '%s'", tu_bin(), path);
	char *md = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_nonnull(strstr(md, "## pgBouncer\n"));
	ck_assert_ptr_nonnull(strstr(md, "| `max_client_conn` | WARNING |"));
	ck_assert_ptr_nonnull(strstr(md, "### pgBouncer stats timeline"));
	free(md);
	/* The text report's lines. */
	snprintf(cmd, sizeof(cmd), "'%s' report -q -f text '%s'", tu_bin(), path);
	char *text = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	char want[128];
	snprintf(want, sizeof(want), "pgbouncer: %llu logins (%llu failed)",
			(unsigned long long)k.logins, (unsigned long long)k.login_failed);
	ck_assert_msg(strstr(text, want), "no '%s' in: %s", want, text);
	free(text);
	free(path);
}
END_TEST

/* A log that starts in the middle of sessions (rotated): the clients
 * that logged in before it still count, with their length; --db keeps
 * the lines of that database (and the stats lines, which name none). */
START_TEST(test_cut_and_filtered)
{
	char *path = tu_data_path("pgbouncer", FIXTURE);
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	char *at = text;
	for (int i = 0; i < 11; i++)
		at = strchr(at, '\n') + 1;
	char *tail = tu_write_temp(at, strlen(at));
	struct log_counts k = counts_of(tail);
	char args[1024];
	snprintf(args, sizeof(args), "report -q -f json '%s'", tail);
	json_t *j = report(args, 0);
	const json_t *p = json_object_get(j, "pooler");
	check_pooler(p, &k);
	ck_assert_uint_gt(juint(p, "sessions.closed"), juint(p, "sessions.logins"));
	json_decref(j);

	struct log_counts all = counts_of(path);
	snprintf(args, sizeof(args), "report -q -f json --db shop '%s'", path);
	j = report(args, 0);
	p = json_object_get(j, "pooler");
	ck_assert_uint_eq(juint(p, "sessions.logins"), all.shop_logins);
	ck_assert_uint_eq(juint(p, "stats.lines"), all.stats_lines);
	ck_assert_uint_lt(juint(p, "lines"), all.lines);
	json_decref(j);
	tu_remove(tail);
	free(text);
	free(path);
}
END_TEST

/* The stats line of older versions, as their sources write it (1.7:
 * "Stats: N req/s, in N b/s, out N b/s,query N us", pid without
 * brackets; 1.8 and 1.9: "wait time N us"), around the real 1.18 line. */
START_TEST(test_older_stats)
{
	static const char text[] =
		"2017-03-01 10:00:00.000 UTC 2001 LOG Stats: 10 req/s, in 100 b/s, out 200 b/s,query 300 us\n"
		"2017-03-01 10:01:00.000 UTC 2001 LOG Stats: 20 req/s, in 400 b/s, out 500 b/s,query 600 us\n"
		"2018-03-01 10:00:00.000 UTC [2002] LOG stats: 1 xacts/s, 30 queries/s, in 1 B/s, out 2 B/s, xact 3 us, query 4 us, wait time 5 us\n"
		"2018-03-01 10:01:00.000 UTC [2002] LOG stats: 1 xacts/s, 40 queries/s, in 1 B/s, out 2 B/s, xact 3 us, query 4 us, wait time 5 us\n";
	char *tmp = tu_write_temp(text, sizeof(text) - 1);
	char args[1024];
	snprintf(args, sizeof(args), "report -q -f json --input-format pgbouncer '%s'", tmp);
	json_t *j = report(args, 0);
	const json_t *p = json_object_get(j, "pooler");
	ck_assert_uint_eq(juint(p, "stats.lines"), 4);
	ck_assert(fabs(jnum(p, "stats.peak_queries_s") - 40) < 1e-9);
	/* 60 s each: (10 + 20 + 30 + 40) x 60. */
	ck_assert(fabs(jnum(p, "stats.queries") - 6000) < 1e-6);
	ck_assert(fabs(jnum(p, "stats.bytes_in") - (100 + 400 + 1 + 1) * 60) < 1e-6);
	/* Written with 3 decimals. */
	ck_assert(fabs(jnum(p, "stats.wait_s") - 2 * 5 * 60 / 1e6) <= 0.0005);
	ck_assert(fabs(jnum(p, "stats.avg_query_us") -
			(300.0 * 10 + 600 * 20 + 4 * 30 + 4 * 40) / 100) < 1e-3);
	json_decref(j);
	tu_remove(tmp);
}
END_TEST

/* pgBadger's own pgBouncer fixtures, when ../shared/corpus/pgbadger has
 * them: a 1.9 log (no zone, pid without brackets, "wait time") whose
 * sessions pgBadger's t/03_consistency.t counts as 63,943 ("pgBouncer
 * connections": the clients closed with their age), and a 1.21 log. */
START_TEST(test_pgbadger_fixtures)
{
	static const struct {
		const char *rel;
		uint64_t lines, closed, stats_lines;
	} fx[] = {
		{ "../shared/corpus/pgbadger/pgbouncer.log.gz", 127910, 63943, 5 },
		{ "../shared/corpus/pgbadger/pgbouncer.1.21.log.gz", 100000, 49627, 9 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(fx); i++) {
		char *path = tu_data_path("pgbouncer: pgBadger's fixtures", fx[i].rel);
		if (!path)
			return;
		if (access(path, R_OK) != 0) {
			tu_skip("pgbouncer: pgBadger's pgBouncer fixtures",
				"not in ../shared/corpus/pgbadger");
			free(path);
			return;
		}
		char args[1024];
		snprintf(args, sizeof(args), "report -q -f json '%s'", path);
		json_t *j = report(args, 0);
		const json_t *in = json_array_get(json_object_get(j, "inputs"), 0);
		ck_assert_str_eq(json_string_value(json_object_get(in, "format")), "pgbouncer");
		ck_assert_int_eq(json_integer_value(json_object_get(in, "skipped")), 0);
		const json_t *p = json_object_get(j, "pooler");
		ck_assert_uint_eq(juint(p, "lines"), fx[i].lines);
		ck_assert_uint_eq(juint(p, "sessions.closed"), fx[i].closed);
		ck_assert_uint_eq(juint(p, "stats.lines"), fx[i].stats_lines);
		json_decref(j);
		free(path);
	}
}
END_TEST

/* Without a pgBouncer log there is no "pooler" key. */
START_TEST(test_absent_without_pooler)
{
	char *path = tu_data_path("pgbouncer", "tests/data/workload-excerpt.log");
	char args[1024];
	snprintf(args, sizeof(args), "report -q -f json '%s'", path);
	json_t *j = report(args, 0);
	ck_assert_ptr_null(json_object_get(j, "pooler"));
	json_decref(j);
	free(path);
}
END_TEST

Suite *suite_pgbouncer(void);
Suite *suite_pgbouncer(void)
{
	Suite *s = suite_create("pgbouncer");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_fixture);
	tcase_add_test(tc, test_detect_apart);
	tcase_add_test(tc, test_bad_lines);
	suite_add_tcase(s, tc);
	tc = tcase_create("report");
	tcase_add_test(tc, test_report_fixture);
	tcase_add_test(tc, test_cut_and_filtered);
	tcase_add_test(tc, test_older_stats);
	tcase_add_test(tc, test_pgbadger_fixtures);
	tcase_add_test(tc, test_absent_without_pooler);
	suite_add_tcase(s, tc);
	return s;
}
