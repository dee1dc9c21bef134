/* check_snapshots_e2e.c: the pgsift binary on statistics snapshots.
 *
 * - the saved exports of one pg-workload.sh run (tests/data/snapshots/):
 *   JSON "snapshots" key, findings, the Markdown "Statistics" section;
 * - no snapshots given: no "snapshots" key;
 * - a log forced as a snapshot: refused, exit 2, saying why;
 * - a fresh pg-workload.sh run (skipped, saying so, without server
 *   binaries): its log and its snapshots of the SAME run together, where
 *   the planted statements' pg_stat_statements calls equal the log's. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define SNAPS "tests/data/snapshots/pg_stat_statements_before.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_before.csv " \
	"tests/data/snapshots/pg_stat_user_tables_before.csv " \
	"tests/data/snapshots/pg_stat_statements_after.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_after.csv " \
	"tests/data/snapshots/pg_stat_user_tables_after.csv"

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

static bool has_finding(json_t *r, const char *kind, const char *index, const char *table)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(r, "findings"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "kind")), kind))
			continue;
		const char *x = json_string_value(json_object_get(f, "index"));
		const char *t = json_string_value(json_object_get(f, "table"));
		if ((!index || (x && strcmp(x, index) == 0)) && (!table || (t && strcmp(t, table) == 0)))
			return true;
	}
	return false;
}

static void assert_planted_findings(json_t *r)
{
	ck_assert(has_finding(r, "unused_index", "public.products_name_idx", NULL));
	ck_assert(has_finding(r, "duplicate_index", "public.customers_email_idx2", NULL));
	ck_assert(!has_finding(r, "duplicate_index", "public.customers_email_idx", NULL));
	ck_assert(has_finding(r, "table_bloat", NULL, "public.products"));
	ck_assert(has_finding(r, "seq_scan_heavy", NULL, "public.order_items"));
}

static json_t *stmt_with(json_t *r, const char *needle)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(json_object_get(r, "snapshots"), "statements"), i, s)
		if (strstr(json_string_value(json_object_get(s, "query")), needle))
			return s;
	return NULL;
}

START_TEST(test_saved)
{
	int status;
	json_t *r = run_json(SNAPS, &status);
	ck_assert_int_eq(status, 0);
	json_t *sn = json_object_get(r, "snapshots");
	ck_assert(json_is_object(sn));
	json_t *v = json_object_get(json_object_get(sn, "views"), "pg_stat_statements");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "snapshots")), 2);
	ck_assert(json_is_true(json_object_get(v, "differenced")));
	json_t *s = stmt_with(r, "FROM order_items oi WHERE oi.order_id");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "calls")), 121);
	ck_assert(json_is_false(json_object_get(s, "in_logs")));
	assert_planted_findings(r);
	/* The group exists with source pgss alone. */
	size_t i;
	json_t *g;
	bool seen = false;
	json_array_foreach(json_object_get(r, "groups"), i, g) {
		if (strstr(json_string_value(json_object_get(g, "query")), "FROM order_items oi WHERE")) {
			json_t *src = json_object_get(g, "sources");
			ck_assert_uint_eq(json_array_size(src), 1);
			ck_assert_str_eq(json_string_value(json_array_get(src, 0)), "pgss");
			ck_assert_int_eq(json_integer_value(json_object_get(g, "calls")), 121);
			ck_assert(json_is_null(json_object_get(g, "p95_ms")));
			seen = true;
		}
	}
	ck_assert(seen);
	json_decref(r);

	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q %s", tu_root(), tu_bin(), SNAPS);
	char *md = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	ck_assert(strstr(md, "## Statistics") != NULL);
	ck_assert(strstr(md, "### Statements (`pg_stat_statements`)") != NULL);
	ck_assert(strstr(md, "| `public.products` |") != NULL);
	ck_assert(strstr(md, "DROP INDEX CONCURRENTLY public.products_name_idx;") != NULL);
	free(md);
}
END_TEST

START_TEST(test_no_snapshots)
{
	int status;
	json_t *r = run_json("samples/postgresql.log.zst", &status);
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_null(json_object_get(r, "snapshots"));
	json_decref(r);
}
END_TEST

START_TEST(test_log_as_snapshot)
{
	char cmd[8192];
	int status;
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report --input-format pgss-csv "
		"tests/data/workload-excerpt.log 2>&1 >/dev/null", tu_root(), tu_bin());
	char *err = tu_run(cmd, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "tests/data/workload-excerpt.log:1: not a "
		"pg_stat_statements snapshot") != NULL, "%s", err);
	free(err);
}
END_TEST

static const char *workload_dir;
static int workload_ready;      /* 1 ran, -1 no server binaries, -2 failed */

static void workload_setup(void)
{
	workload_dir = tu_shared_workload(&workload_ready);
}

/* Statements the workload plants, with the calls pg_stat_statements and
 * the log must both count. */
static const struct { const char *needle; json_int_t calls; } planted[] = {
	{ "email, name FROM customers WHERE id =", 8000 },
	{ "name, price FROM products WHERE id =", 8000 },
	{ "count(*) FROM orders WHERE status", 8000 },
	{ "FROM order_items oi WHERE oi.order_id", 121 },
	{ "ORDER BY created_at LIMIT", 5 },
	{ "FROM products WHERE id IN", 2 },
	{ "SELECT id FROM orders WHERE customer_id", 10 },
};

START_TEST(test_live_server)
{
	if (workload_ready == -1) {
		tu_skip("snapshots_e2e: live_server", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(workload_ready == 1, "pg-workload.sh failed");
	char args[4096];
	snprintf(args, sizeof(args), "'%1$s/postgresql.log' '%1$s'/pg_stat_*_before.csv "
		"'%1$s'/pg_stat_*_after.csv", workload_dir);
	int status;
	json_t *r = run_json(args, &status);
	ck_assert_int_eq(status, 0);
	for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
		json_t *s = stmt_with(r, planted[i].needle);
		ck_assert_msg(s != NULL, "no pgss statement '%s'", planted[i].needle);
		ck_assert_int_eq(json_integer_value(json_object_get(s, "calls")), planted[i].calls);
		ck_assert(json_is_true(json_object_get(s, "in_logs")));
		ck_assert_int_eq(json_integer_value(json_object_get(s, "log_calls")), planted[i].calls);
	}
	/* The group keeps the log's figures and gains the source. */
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "groups"), i, g) {
		if (!strstr(json_string_value(json_object_get(g, "query")), "FROM order_items oi WHERE"))
			continue;
		ck_assert_int_eq(json_integer_value(json_object_get(g, "calls")), 121);
		json_t *src = json_object_get(g, "sources");
		ck_assert_str_eq(json_string_value(json_array_get(src, json_array_size(src) - 1)), "pgss");
		ck_assert_str_eq(json_string_value(json_array_get(src, 0)), "log");
	}
	assert_planted_findings(r);
	json_decref(r);
}
END_TEST

Suite *suite_snapshots_e2e(void);
Suite *suite_snapshots_e2e(void)
{
	Suite *s = suite_create("snapshots_e2e");
	TCase *tc = tcase_create("saved");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_saved);
	tcase_add_test(tc, test_no_snapshots);
	tcase_add_test(tc, test_log_as_snapshot);
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, workload_setup, NULL);
	tcase_add_test(tc, test_live_server);
	suite_add_tcase(s, tc);
	return s;
}
