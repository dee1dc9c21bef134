/* check_rank_live.c: rankings a DBA acts on, on the workload's real log
 * (tests/workload/pg-workload.sh): statement kinds, and the rankings
 * without the one-off maintenance and seed statements a short log is
 * full of. The "kinds" case reads statements as that server logged them. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stmt_kind.h"
#include "testutil.h"
#include "util.h"

/* ---- kinds, on texts the workload's server logged (normalized) ---- */

static const struct kind_case {
	const char *sql;
	enum stmt_kind kind;
	bool bulk;
} kind_cases[] = {
	{ "CHECKPOINT", SK_MAINTENANCE, false },
	{ "ANALYZE", SK_MAINTENANCE, false },
	{ "CREATE INDEX orders_status_idx ON orders(status)", SK_MAINTENANCE, false },
	{ "CREATE UNIQUE INDEX customers_id_uniq ON customers(id)", SK_MAINTENANCE, false },
	{ "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL, "
		"status text NOT NULL, total numeric(10, $1) NOT NULL, created_at "
		"timestamptz NOT NULL)", SK_DDL, false },
	{ "CREATE DATABASE shop", SK_DDL, false },
	{ "CREATE EXTENSION pg_stat_statements", SK_DDL, false },
	{ "INSERT INTO customers (email, name, created_at) SELECT $1 || g || $2, "
		"$3 || g, now() - (g % $4) * interval $5 FROM generate_series($6, $7 * "
		":scale) g", SK_WRITE, true },
	{ "SET application_name = $1; UPDATE products SET price = price + $2 WHERE "
		"id % $3 = $4", SK_WRITE, false },
	{ "SET application_name = $1; BEGIN; UPDATE orders SET status = $2 WHERE "
		"id = $3; SELECT pg_sleep($4); COMMIT", SK_WRITE, false },
	{ "COPY(SELECT now() AS captured_at, t.*, pg_relation_size(t.relid) AS "
		"table_bytes FROM pg_stat_user_tables t) TO STDOUT WITH (FORMAT csv, "
		"HEADER)", SK_READ, false },
	{ "COPY big_table FROM STDIN", SK_WRITE, true },
	{ "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = $1",
		SK_READ, false },
	{ "SELECT pg_stat_statements_reset()", SK_READ, false },
	{ "SET application_name = $1", SK_UTILITY, false },
	{ "BEGIN", SK_TRANSACTION, false },
	{ "COMMIT", SK_TRANSACTION, false },
	{ "WITH moved AS (DELETE FROM orders WHERE status = $1 RETURNING *) "
		"INSERT INTO orders_archive SELECT * FROM moved", SK_WRITE, true },
	{ "WITH t AS (SELECT id FROM orders) SELECT count(*) FROM t", SK_READ, false },
	{ "(SELECT $1) UNION (SELECT $2)", SK_READ, false },
	{ "EXPLAIN (ANALYZE) SELECT $1", SK_UTILITY, false },
	{ "VACUUM (VERBOSE) products", SK_MAINTENANCE, false },
	{ "select * from \"weird;name\" where a = $1", SK_READ, false },
	{ "frobnicate the database", SK_OTHER, false },
	{ "", SK_OTHER, false },
};

START_TEST(test_kinds)
{
	const struct kind_case *t = &kind_cases[_i];
	bool bulk = !t->bulk;
	enum stmt_kind k = stmt_kind_of(t->sql, &bulk);
	ck_assert_msg(k == t->kind, "%s: %s, not %s", t->sql, stmt_kind_name(k),
			stmt_kind_name(t->kind));
	ck_assert_msg(bulk == t->bulk, "%s: bulk %d", t->sql, bulk);
}
END_TEST

START_TEST(test_first_len)
{
	ck_assert_uint_eq(stmt_first_len("SET a = $1; SELECT $2"), 10);
	ck_assert_uint_eq(stmt_first_len("SELECT \"a;b\" FROM t"), 19);
	ck_assert_uint_eq(stmt_first_len("SELECT (SELECT $1; ) x"), 22);
	ck_assert(stmt_kind_one_off(SK_MAINTENANCE, false, 1000));
	ck_assert(stmt_kind_one_off(SK_WRITE, true, 1));
	ck_assert(!stmt_kind_one_off(SK_WRITE, true, 2));
	ck_assert(!stmt_kind_one_off(SK_READ, false, 1));
}
END_TEST

/* ---- the workload's report ---- */

static const char *live_dir;
static int live_ready;          /* 1 ran, -1 no server binaries, -2 failed */

static void live_setup(void)
{
	live_dir = tu_shared_workload(&live_ready);
}

static bool live_skip(const char *who)
{
	if (live_ready == -1) {
		tu_skip(who, TU_NO_SERVER);
		return true;
	}
	ck_assert_msg(live_ready == 1, "pg-workload.sh failed");
	return false;
}

/* pgsift's output for args (after "report -q -j 1"); the caller frees. */
static char *run(const char *args)
{
	char cmd[8192];
	int status;
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -j 1 %s", live_dir,
			tu_bin(), args);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(out != NULL && status == 0, "%s: exit %d", cmd, status);
	return out;
}

static json_t *run_json(const char *args)
{
	char full[4096];
	snprintf(full, sizeof(full), "-f json %s", args);
	char *out = run(full);
	json_error_t err;
	json_t *r = json_loads(out, 0, &err);
	ck_assert_msg(r != NULL, "JSON: %s", err.text);
	free(out);
	return r;
}

static json_t *group_where(json_t *r, const char *query_start)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r, "groups"), i, g) {
		const char *q = json_string_value(json_object_get(g, "query"));
		if (q && strncmp(q, query_start, strlen(query_start)) == 0)
			return g;
	}
	return NULL;
}

/* The text of the Markdown section that starts with heading. */
static char *md_section(const char *md, const char *heading)
{
	const char *s = strstr(md, heading);
	ck_assert_msg(s != NULL, "no %s", heading);
	const char *e = strstr(s + strlen(heading), "\n## ");
	size_t n = e ? (size_t)(e - s) : strlen(s);
	char *out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* The workload logs a CHECKPOINT, an ANALYZE, four CREATE INDEX, the
 * schema's DDL and four seed INSERT ... SELECT: each a kind in the JSON,
 * and none in the rankings unless --all-kinds. */
START_TEST(test_live_kinds)
{
	if (live_skip("rank_live: kinds"))
		return;
	json_t *r = run_json("postgresql.log");
	static const struct { const char *q, *kind; bool one_off; } want[] = {
		{ "CHECKPOINT", "maintenance", true },
		{ "ANALYZE", "maintenance", true },
		{ "CREATE INDEX orders_status_idx", "maintenance", true },
		{ "CREATE TABLE orders", "ddl", true },
		{ "INSERT INTO order_items (order_id, product_id, qty) SELECT", "write", true },
		{ "SELECT oi.product_id, oi.qty FROM order_items", "read", false },
		{ "SET application_name = $1; UPDATE products", "write", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		json_t *g = group_where(r, want[i].q);
		ck_assert_msg(g != NULL, "no group %s", want[i].q);
		ck_assert_str_eq(json_string_value(json_object_get(g, "kind")), want[i].kind);
		ck_assert_msg(json_is_true(json_object_get(g, "one_off")) == want[i].one_off,
				"%s one_off", want[i].q);
	}
	/* The breakdown adds up to the totals. */
	json_t *totals = json_object_get(r, "totals"), *kinds = json_object_get(totals, "kinds");
	uint64_t calls = 0, groups = 0;
	const char *name;
	json_t *k;
	json_object_foreach(kinds, name, k) {
		calls += (uint64_t)json_integer_value(json_object_get(k, "calls"));
		groups += (uint64_t)json_integer_value(json_object_get(k, "groups"));
	}
	ck_assert_uint_eq(calls, (uint64_t)json_integer_value(json_object_get(totals, "queries")));
	ck_assert_uint_eq(groups, (uint64_t)json_integer_value(json_object_get(totals, "fingerprints")));
	ck_assert_int_ge(json_integer_value(json_object_get(json_object_get(kinds,
			"maintenance"), "groups")), 6);
	json_decref(r);

	char *md = run("postgresql.log");
	char *worst = md_section(md, "## Worst offenders");
	ck_assert_msg(!strstr(worst, "`CHECKPOINT`") && !strstr(worst, "`ANALYZE`") &&
			!strstr(worst, "SELECT $1 + (g") && !strstr(worst, "CREATE "),
			"one-off statements ranked:\n%s", worst);
	ck_assert_ptr_nonnull(strstr(worst, "`SELECT oi.product_id, oi.qty FROM order_items"));
	ck_assert_ptr_nonnull(strstr(worst, "Left out of the rankings: "));
	ck_assert_ptr_nonnull(strstr(md, "## Statement kinds"));
	free(worst);
	free(md);
	md = run("--all-kinds postgresql.log");
	worst = md_section(md, "## Worst offenders");
	/* The one-off statements are back (which of them reach the top
	 * depends on what else the workload runs). */
	ck_assert_msg(strstr(worst, "`CHECKPOINT`") || strstr(worst, "`ANALYZE") ||
			strstr(worst, "SELECT $1 + (g") || strstr(worst, "CREATE "),
			"no one-off statement ranked with --all-kinds:\n%s", worst);
	ck_assert_ptr_null(strstr(worst, "Left out of the rankings"));
	free(worst);
	free(md);
}
END_TEST

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* The workload's pg_stat_statements snapshots add no time to its log:
 * "billing" sends "SET ...; BEGIN; UPDATE orders ...; SELECT pg_sleep(...);
 * COMMIT" as one simple query, logged once with one duration, while
 * pg_stat_statements counts each statement. Those join the logged text's
 * group ("within") instead of becoming groups of their own. */
START_TEST(test_live_pgss)
{
	if (live_skip("rank_live: pgss"))
		return;
	json_t *log = run_json("postgresql.log");
	json_t *both = run_json("postgresql.log pg_stat_statements_before.csv "
			"pg_stat_statements_after.csv");
	json_t *t1 = json_object_get(log, "totals"), *t2 = json_object_get(both, "totals");
	ck_assert_msg(fabs(num(t1, "total_ms") - num(t2, "total_ms")) < 0.01,
			"total %.3f ms alone, %.3f with pg_stat_statements",
			num(t1, "total_ms"), num(t2, "total_ms"));
	ck_assert_int_eq(json_integer_value(json_object_get(t1, "queries")),
			json_integer_value(json_object_get(t2, "queries")));
	ck_assert_int_eq(json_integer_value(json_object_get(t1, "fingerprints")),
			json_integer_value(json_object_get(t2, "fingerprints")));
	ck_assert_ptr_null(group_where(both, "SELECT pg_sleep($1)"));
	json_t *host = group_where(both, "SET application_name = $1; BEGIN; UPDATE orders");
	ck_assert_ptr_nonnull(host);
	size_t i;
	json_t *s, *sleep = NULL, *lookup = NULL, *nested = NULL;
	json_array_foreach(json_object_get(json_object_get(both, "snapshots"), "statements"), i, s) {
		const char *q = json_string_value(json_object_get(s, "query"));
		if (strcmp(q, "SELECT pg_sleep($1)") == 0)
			sleep = s;
		if (strncmp(q, "SELECT oi.product_id, oi.qty FROM order_items", 45) == 0)
			lookup = s;
		if (strstr(q, "FROM customers WHERE id = c"))
			nested = s;
	}
	/* nested.sql: the function's lookup, nested only: no group, its
	 * time in the 4 logged calls of customer_name(). */
	ck_assert_ptr_nonnull(nested);
	ck_assert(num(nested, "calls") >= 4);
	ck_assert(num(nested, "nested_calls") == num(nested, "calls"));
	ck_assert(json_is_false(json_object_get(nested, "in_logs")));
	ck_assert_ptr_null(group_where(both, json_string_value(json_object_get(nested, "query"))));
	json_t *caller = group_where(both, "SELECT customer_name($1)");
	ck_assert_ptr_nonnull(caller);
	ck_assert_int_eq(json_integer_value(json_object_get(caller, "calls")), 4);
	ck_assert_ptr_nonnull(sleep);
	ck_assert(json_is_true(json_object_get(sleep, "in_logs")));
	ck_assert_str_eq(json_string_value(json_object_get(sleep, "within")),
			json_string_value(json_object_get(host, "fingerprint")));
	ck_assert(num(sleep, "total_ms") > 400);        /* pg_sleep(0.5) */
	/* A statement the log has on its own joins its own group. */
	ck_assert_ptr_nonnull(lookup);
	ck_assert(json_is_null(json_object_get(lookup, "within")));
	ck_assert_int_eq(json_integer_value(json_object_get(lookup, "log_calls")), 121);
	json_decref(log);
	json_decref(both);
}
END_TEST

static const char *sev_name(json_t *f)
{
	return json_string_value(json_object_get(f, "severity"));
}

static int sev_rank(json_t *f)
{
	const char *s = sev_name(f);
	return strcmp(s, "critical") == 0 ? 2 : strcmp(s, "warning") == 0 ? 1 : 0;
}

/* "What to fix first" on the workload: the missing index on order_items,
 * the N+1 loop of its lookups, the table's sequential scans each claimed
 * the lookup's 5 s; now each finding says what it saves after the ones
 * above it, the savings add up to no more than the run, and the loop
 * says it shares the index's statement. The seed INSERTs' findings are
 * info, last. */
START_TEST(test_live_findings)
{
	if (live_skip("rank_live: findings"))
		return;
	json_t *r = run_json("postgresql.log pg_stat_statements_before.csv "
			"pg_stat_statements_after.csv pg_stat_user_tables_before.csv "
			"pg_stat_user_tables_after.csv pg_stat_user_indexes_before.csv "
			"pg_stat_user_indexes_after.csv");
	double total = num(json_object_get(r, "totals"), "total_ms"), saved = 0;
	json_t *fs = json_object_get(r, "findings"), *f, *prev = NULL;
	size_t i, index_at = 0, loop_at = 0;
	json_array_foreach(fs, i, f) {
		saved += num(f, "saves_ms");
		ck_assert(num(f, "saves_ms") <= num(f, "impact_ms") + 0.001);
		/* Most severe first, then most saved. */
		if (prev && sev_rank(prev) == sev_rank(f))
			ck_assert_msg(num(prev, "saves_ms") >= num(f, "saves_ms"),
					"finding %zu saves more than the one above", i + 1);
		else if (prev)
			ck_assert_int_gt(sev_rank(prev), sev_rank(f));
		prev = f;
		const char *kind = json_string_value(json_object_get(f, "kind"));
		const char *table = json_string_value(json_object_get(f, "table"));
		if (strcmp(kind, "missing_index") == 0 && table &&
				strstr(table, "order_items") && !index_at)
			index_at = i + 1;
		if (strcmp(kind, "n_plus_one") == 0)
			loop_at = i + 1;
		json_t *ev = json_object_get(f, "evidence");
		const char *q = json_string_value(json_object_get(ev, "query"));
		if (q && strncmp(q, "INSERT INTO order_items (order_id, product_id, qty) SELECT", 58) == 0) {
			ck_assert_str_eq(sev_name(f), "info");
			ck_assert_str_eq(json_string_value(json_object_get(ev,
					"one_off_statement")), "write");
		}
	}
	ck_assert_msg(saved <= total + 0.01, "saves %.3f ms of %.3f", saved, total);
	ck_assert_uint_gt(index_at, 0);
	ck_assert_uint_gt(loop_at, index_at);
	json_t *loop = json_array_get(fs, loop_at - 1), *x;
	bool shares_index = false;
	json_array_foreach(json_object_get(loop, "shares_statements_with"), i, x)
		shares_index |= (size_t)json_integer_value(x) == index_at;
	ck_assert(shares_index);
	ck_assert(num(loop, "saves_ms") < num(loop, "impact_ms"));
	json_decref(r);

	char *md = run("postgresql.log");
	char *fix = md_section(md, "## What to fix first");
	ck_assert_ptr_nonnull(strstr(fix, " its statements: saves "));
	/* The first three are about the application. */
	const char *third = strstr(fix, "**4. ");
	ck_assert_ptr_nonnull(third);
	const char *seed = strstr(fix, "INSERT INTO order\\_items (order\\_id");
	ck_assert_msg(!seed || seed > third, "a seed INSERT in the first three:\n%s", fix);
	const char *checkpoint = strstr(fix, "CHECKPOINT");
	ck_assert(!checkpoint || checkpoint > third);
	free(fix);
	free(md);
}
END_TEST

/* The workload's log spans under a minute: its timeline is by the second
 * in JSON (run and groups) and Markdown, every call in a bucket. */
START_TEST(test_live_timeline)
{
	if (live_skip("rank_live: timeline"))
		return;
	json_t *r = run_json("postgresql.log");
	json_t *tl = json_object_get(json_object_get(r, "events"), "timeline");
	ck_assert_int_eq(json_integer_value(json_object_get(tl, "bucket_s")), 1);
	json_t *b;
	size_t i, n = json_array_size(json_object_get(tl, "buckets"));
	uint64_t calls = 0;
	json_array_foreach(json_object_get(tl, "buckets"), i, b)
		calls += (uint64_t)json_integer_value(json_object_get(b, "calls"));
	ck_assert_uint_eq(calls, (uint64_t)json_integer_value(json_object_get(
			json_object_get(r, "totals"), "queries")));
	ck_assert_uint_ge(n, 10);       /* tens of seconds, not one minute */
	ck_assert_uint_le(n, 120);
	json_t *g = group_where(r, "SELECT oi.product_id, oi.qty FROM order_items");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(g,
			"timeline"), "bucket_s")), 1);
	json_decref(r);

	char *md = run("postgresql.log");
	char *sec = md_section(md, "## Timeline");
	ck_assert_ptr_nonnull(strstr(sec, " buckets of 1 second; one column per second."));
	ck_assert_ptr_nonnull(strstr(sec, "Busiest seconds (by total time):"));
	free(sec);
	free(md);
}
END_TEST

Suite *suite_rank_live(void);
Suite *suite_rank_live(void)
{
	Suite *s = suite_create("rank_live");
	TCase *tc = tcase_create("kinds");
	tcase_add_loop_test(tc, test_kinds, 0, (int)ARRAY_SIZE(kind_cases));
	tcase_add_test(tc, test_first_len);
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, live_setup, NULL);
	tcase_add_test(tc, test_live_kinds);
	tcase_add_test(tc, test_live_pgss);
	tcase_add_test(tc, test_live_findings);
	tcase_add_test(tc, test_live_timeline);
	suite_add_tcase(s, tc);
	return s;
}
