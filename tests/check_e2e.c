/* check_e2e.c: the pgsift binary on real server output.
 *
 * - samples/postgresql.log.zst, made by pg-workload.sh (SCALE 1);
 * - pgBadger's fixtures in ../shared/corpus/pgbadger, against the counts
 *   its README gives;
 * - a fresh run of pg-workload.sh against a real PostgreSQL started for
 *   the test (skipped, saying so, only when no server binaries exist).
 * The planted facts checked are those pg-workload.sh's comments list. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* Runs "pgsift ARGS" and parses its JSON output. */
static json_t *run_json(const char *args, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -f json %s", tu_root(), tu_bin(), args);
	char *out = tu_run(cmd, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "%s: not JSON (%s): %.200s", cmd, err.text, out);
	free(out);
	return j;
}

static json_int_t total_calls(json_t *report)
{
	json_int_t n = 0;
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(report, "groups"), i, g)
		n += json_integer_value(json_object_get(g, "calls"));
	return n;
}

/* The one group whose normalized query contains all of needles (NULL-ended);
 * fails when there is not exactly one. */
static json_t *group_with(json_t *report, const char *needle, const char *also)
{
	json_t *found = NULL, *g;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(report, "groups"), i, g) {
		const char *q = json_string_value(json_object_get(g, "query"));
		if (strstr(q, needle) && (!also || strstr(q, also))) {
			found = g;
			n++;
		}
	}
	ck_assert_msg(n == 1, "%d groups match '%s'", n, needle);
	return found;
}

static json_int_t calls_of(json_t *g)
{
	return json_integer_value(json_object_get(g, "calls"));
}

/* What pg-workload.sh plants, at SCALE 1. */
static void assert_workload_facts(json_t *r, int scale)
{
	/* The N+1 order_items lookups: 10 x 12 + 1 later (logged with a JSON
	 * plan), counted once each although auto_explain logged some of them. */
	json_t *g = group_with(r, "FROM order_items oi WHERE oi.order_id", NULL);
	ck_assert_int_eq(calls_of(g), 121 * scale);
	json_t *apps = json_object_get(g, "applications");
	ck_assert_int_eq(json_integer_value(json_object_get(apps, "orders-page")), 121 * scale);
	/* Its worst plan, as EXPLAIN JSON, with literals masked. */
	json_t *plan = json_object_get(g, "plan");
	ck_assert(json_is_object(plan));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(plan, "Plan"), "Node Type")), "Seq Scan");
	ck_assert_str_eq(json_string_value(json_object_get(plan, "Query Text")),
		"SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = $1");
	ck_assert(strstr(json_string_value(json_object_get(json_object_get(plan, "Plan"), "Filter")), "$1") != NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "timed_calls")), 121 * scale);
	/* The OFFSET pages: one group, 4 + 1 queries. */
	g = group_with(r, "ORDER BY created_at LIMIT", "OFFSET");
	ck_assert_int_eq(calls_of(g), 5);
	/* IN lists of 3 and 7 items: one group. */
	g = group_with(r, "FROM products WHERE id IN", NULL);
	ck_assert_int_eq(calls_of(g), 2);
	/* The three pgbench statements, prepared protocol, 8000 x SCALE each. */
	ck_assert_int_eq(calls_of(group_with(r, "email, name FROM customers WHERE id =", NULL)), 8000 * scale);
	ck_assert_int_eq(calls_of(group_with(r, "name, price FROM products WHERE id =", NULL)), 8000 * scale);
	ck_assert_int_eq(calls_of(group_with(r, "count(*) FROM orders WHERE status", NULL)), 8000 * scale);
	/* Orders by customer without an index: 2 clients x N/4 (the one run
	 * later selects other columns: another statement). */
	g = group_with(r, "total, created_at FROM orders WHERE customer_id", NULL);
	ck_assert_int_eq(calls_of(g), 100 * scale);
	/* Fingerprints are 16 hex digits; totals agree with the groups. */
	const char *fp = json_string_value(json_object_get(g, "fingerprint"));
	ck_assert_uint_eq(strlen(fp), 16);
	ck_assert_uint_eq(strspn(fp, "0123456789abcdef"), 16);
	json_t *totals = json_object_get(r, "totals");
	ck_assert_int_eq(json_integer_value(json_object_get(totals, "queries")), total_calls(r));
	ck_assert_int_eq(json_integer_value(json_object_get(totals, "fingerprints")),
		(json_int_t)json_array_size(json_object_get(r, "groups")));
}

START_TEST(test_sample)
{
	int status;
	json_t *r = run_json("samples/postgresql.log.zst", &status);
	ck_assert_int_eq(status, 0);
	assert_workload_facts(r, 1);
	json_t *in = json_array_get(json_object_get(r, "inputs"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(in, "format")), "stderr");
	ck_assert_int_eq(json_integer_value(json_object_get(in, "skipped")), 0);
	/* The two missing indexes rank above everything else. */
	json_t *fs = json_object_get(r, "findings");
	const char *want[2][2] = { { "order_items", "order_id" }, { "orders", "customer_id" } };
	for (size_t i = 0; i < 2; i++) {
		json_t *f = json_array_get(fs, i);
		ck_assert_str_eq(json_string_value(json_object_get(f, "kind")), "missing_index");
		ck_assert_str_eq(json_string_value(json_object_get(f, "table")), want[i][0]);
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "columns"), 0)), want[i][1]);
	}
	json_decref(r);

	/* The Markdown report: the sections a person reads first. */
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report samples/postgresql.log.zst 2>/dev/null", tu_root(), tu_bin());
	char *md = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	ck_assert(strstr(md, "Worst offenders") != NULL);
	ck_assert(strstr(md, "order_items") != NULL);
	free(md);
}
END_TEST

struct fixture {
	const char *file;
	json_int_t calls;
	int status;
	json_int_t skipped;
	json_int_t groups;      /* -1: not checked */
};

/* Figures from ../shared/corpus/pgbadger/README.md and a grep of each file. */
static const struct fixture fixtures[] = {
	{ "light.postgres.log.zst", 629, 0, 0, -1 },
	{ "rds.log.zst", 114594, 0, 0, -1 },
	/* syslog: 59,871 duration lines; 3 systemd lines are another program's. */
	{ "pg-syslog.1.zst", 59871, 0, 0, -1 },
	{ "stmt_type.log", 12, 0, 0, 12 },
	/* 3 statements and 2 executes; the parse and bind lines are preparation. */
	{ "multiline_param.log", 5, 0, 0, 4 },
	/* csvlog: one execute of 688786.283 ms and one statement without a
	 * duration: two calls. */
	{ "csv_statement_without_duration.log", 2, 0, 0, -1 },
	/* pg_ctl's two lines are skipped and reported: exit 3. */
	{ "pg_rawcsv.log", 0, 3, 2, 0 },
};

START_TEST(test_pgbadger_fixture)
{
	const struct fixture *f = &fixtures[_i];
	char args[4096], *path;
	snprintf(args, sizeof(args), "../shared/corpus/pgbadger/%s", f->file);
	if (!(path = tu_data_path("e2e: pgbadger_fixture", args)))
		return;
	snprintf(args, sizeof(args), "'%s' 2>/dev/null", path);
	free(path);
	int status;
	json_t *r = run_json(args, &status);
	ck_assert_int_eq(status, f->status);
	ck_assert_int_eq(total_calls(r), f->calls);
	json_t *in = json_array_get(json_object_get(r, "inputs"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(in, "skipped")), f->skipped);
	if (f->groups >= 0)
		ck_assert_int_eq((json_int_t)json_array_size(json_object_get(r, "groups")), f->groups);
	if (_i == 0) {
		/* light: every statement in database postgres, by user postgres. */
		json_t *g;
		size_t i;
		json_array_foreach(json_object_get(r, "groups"), i, g) {
			ck_assert_int_eq(json_integer_value(json_object_get(
				json_object_get(g, "databases"), "postgres")), calls_of(g));
			ck_assert_int_eq(json_integer_value(json_object_get(
				json_object_get(g, "users"), "postgres")), calls_of(g));
		}
	}
	if (_i == 4) {
		json_t *g = group_with(r, "t.typnamespace", NULL);
		ck_assert_int_eq(json_integer_value(json_object_get(g, "prep_count")), 3);
	}
	json_decref(r);
}
END_TEST

static const char *workload_dir;
static int workload_ready;      /* 1 ran, -1 no server binaries, -2 failed */

static void workload_setup(void)
{
	workload_dir = tu_shared_workload(&workload_ready);
}

START_TEST(test_live_server)
{
	if (workload_ready == -1) {
		tu_skip("e2e: live_server", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(workload_ready == 1, "pg-workload.sh failed");
	char args[4096];
	snprintf(args, sizeof(args), "'%s/postgresql.log'", workload_dir);
	int status;
	json_t *r = run_json(args, &status);
	ck_assert_int_eq(status, 0);
	assert_workload_facts(r, 1);
	json_decref(r);

	/* The same log through gzip and standard input gives the same report. */
	snprintf(args, sizeof(args), "- < '%s/postgresql.log'", workload_dir);
	r = run_json(args, &status);
	ck_assert_int_eq(status, 0);
	assert_workload_facts(r, 1);
	json_decref(r);
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "gzip -c '%s/postgresql.log' > '%s/postgresql.log.gz'",
		workload_dir, workload_dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "'%s/postgresql.log.gz'", workload_dir);
	r = run_json(args, &status);
	ck_assert_int_eq(status, 0);
	assert_workload_facts(r, 1);
	json_decref(r);
}
END_TEST

Suite *suite_e2e(void);
Suite *suite_e2e(void)
{
	Suite *s = suite_create("e2e");
	TCase *tc = tcase_create("samples");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sample);
	tcase_add_loop_test(tc, test_pgbadger_fixture, 0, (int)(sizeof(fixtures) / sizeof(fixtures[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, workload_setup, NULL);
	tcase_add_test(tc, test_live_server);
	suite_add_tcase(s, tc);
	return s;
}
