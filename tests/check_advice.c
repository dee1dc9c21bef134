/* check_advice.c: the advice pass on real statements and plans.
 *
 * - "sql": parse-tree extraction, table-driven;
 * - "sample": samples/postgresql.log.zst (pg-workload.sh): the findings
 *   the issue lists, and none for primary-key lookups or orders (status);
 * - "plans": tests/data/advice/plans.log (make-plans.sh, a real server):
 *   nested-loop evidence, misestimates, heap fetches, lossy bitmaps,
 *   workers not launched, OFFSET from extended-protocol parameters; and
 *   JIT's share of the worst plan there and in tests/data/plans/jit.log;
 *   time outside the plan tree (foreign-key triggers) in triggers.log and
 *   the sample; maintenance_work_mem for maintenance.log's spills;
 *   parallel scans counted once a statement (parallel.log and snapshots);
 * - "limits": thresholds change the outcome. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "../analyzer/advice/advice_int.h"
#include "findings.h"
#include "strbuf.h"
#include "testutil.h"

struct sql_case {
	const char *sql;
	enum adv_stmt kind;
	const char *preds;      /* "table.column:use ..." in order, use e/r/j; "?" for no table */
	const char *sort;       /* "table.column[-]" ... */
	int has_offset;
	long long offset;
	int offset_param;
};

static const struct sql_case sql_cases[] = {
	{ "SELECT id FROM orders WHERE customer_id = $1 ORDER BY created_at DESC",
	  ADV_STMT_SELECT, "orders.customer_id:e", "orders.created_at-", 0, -1, 0 },
	{ "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
	  "WHERE o.status IN ($1, $2) AND o.created_at >= $3 ORDER BY o.created_at, o.id "
	  "LIMIT 50 OFFSET 10000",
	  ADV_STMT_SELECT, "orders.status:e orders.created_at:r customers.id:j orders.customer_id:j",
	  "orders.created_at orders.id", 1, 10000, 0 },
	{ "SELECT * FROM t WHERE (a = 1 OR b = 2) AND c BETWEEN 1 AND 5 LIMIT $1 OFFSET $2",
	  ADV_STMT_SELECT, "t.c:r", "", 1, -1, 2 },
	{ "UPDATE public.t SET a = 1 FROM u WHERE t.x = u.y AND t.z = ANY($1)",
	  ADV_STMT_UPDATE, "public.t.x:j u.y:j public.t.z:e", "", 0, -1, 0 },
	{ "DELETE FROM t USING u WHERE t.x = u.y AND lower(t.k) = $1",
	  ADV_STMT_DELETE, "t.x:j u.y:j", "", 0, -1, 0 },
	{ "SELECT a FROM t, u WHERE a = $1 AND $2 < b",
	  ADV_STMT_SELECT, "?.a:e ?.b:r", "", 0, -1, 0 },
	{ "SELECT * FROM x WHERE id IN (SELECT x_id FROM y WHERE y.k = $1)",
	  ADV_STMT_SELECT, "y.k:e", "", 0, -1, 0 },
	{ "INSERT INTO t VALUES (1)", ADV_STMT_OTHER, "", "", 0, -1, 0 },
};

START_TEST(test_sql)
{
	const struct sql_case *tc = &sql_cases[_i];
	struct adv_query *q = adv_query_parse(tc->sql);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(q->kind, tc->kind);
	char got[1024] = "";
	for (size_t i = 0; i < q->npreds; i++) {
		char one[160];
		snprintf(one, sizeof(one), "%s%s.%s:%c", i ? " " : "", q->preds[i].table ? q->preds[i].table : "?",
			q->preds[i].column, "erj"[q->preds[i].use]);
		strcat(got, one);
	}
	ck_assert_str_eq(got, tc->preds);
	got[0] = '\0';
	for (size_t i = 0; i < q->nsort; i++) {
		char one[160];
		snprintf(one, sizeof(one), "%s%s.%s%s", i ? " " : "", q->sort[i].table,
			q->sort[i].column, q->sort[i].desc ? "-" : "");
		strcat(got, one);
	}
	ck_assert_str_eq(got, tc->sort);
	ck_assert_int_eq(q->has_offset, tc->has_offset);
	ck_assert_int_eq(q->offset, tc->offset);
	ck_assert_int_eq(q->offset_param, tc->offset_param);
	if (q->nsort)
		ck_assert(strncmp(tc->sql + q->order_pos, "ORDER BY", 8) == 0);
	adv_query_free(q);
}
END_TEST

START_TEST(test_sql_helpers)
{
	ck_assert_ptr_null(adv_query_parse("SELEC 1"));
	ck_assert_ptr_null(adv_query_parse("SELECT 1; SELECT 2"));
	ck_assert_int_eq(adv_param_value("$1 = '50', $2 = '10000'", 2), 10000);
	ck_assert_int_eq(adv_param_value("$12 = '7', $2 = 'x'", 2), -1);
	ck_assert_int_eq(adv_param_value("$12 = '7', $2 = '3'", 2), 3);
	ck_assert(adv_mentions("(oi.order_id = $1)", "order_id"));
	ck_assert(!adv_mentions("(suborder_id = $1)", "order_id"));
	ck_assert(!adv_mentions("(x = 'order_id')", "order_id"));
	ck_assert(adv_text_may_name("SELECT * FROM T LIMIT 5 Offset $1", "offset"));
	ck_assert(!adv_text_may_name("SELECT * FROM t LIMIT 5", "offset"));
	ck_assert(adv_text_may_name("SELECT * FROM \"a\"\"b\"", "a\"b"));
	ck_assert(adv_text_may_name("SELECT * FROM U&\"\\0061\"", "a"));
	ck_assert(adv_same_table("public.orders", NULL, "orders"));
	ck_assert(adv_same_table("orders", "public", "orders"));
	ck_assert(!adv_same_table("other.orders", "public", "orders"));
	struct strbuf sb = STRBUF_INIT;
	const char *cols[] = { "customer_id", "Created At DESC" };
	adv_index_sql(&sb, "shop.orders", cols, 1);
	ck_assert_str_eq(sb.buf, "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON shop.orders (customer_id);");
	sb_reset(&sb);
	adv_ident(&sb, "Created At");
	ck_assert_str_eq(sb.buf, "\"Created At\"");
	sb_release(&sb);
}
END_TEST

static struct analysis *analyse_file(const char *rel)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tu_root(), rel);
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a;
	analysis_run(&o, paths, 1, &a);
	ck_assert_uint_gt(a->ngroups, 0);
	return a;
}

static bool has_col(const struct finding *f, const char *col)
{
	for (char **c = f->columns; c && *c; c++)
		if (strcmp(*c, col) == 0)
			return true;
	return false;
}

static size_t ncols(const struct finding *f)
{
	size_t n = 0;
	for (char **c = f->columns; c && *c; c++)
		n++;
	return n;
}

/* The index of the finding of kind whose title contains needle, or -1. */
static long find(const struct analysis *a, enum finding_kind kind, const char *table,
		const char *needle)
{
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (f->kind == kind && (!table || (f->table && strcmp(f->table, table) == 0)) &&
				(!needle || strstr(f->title, needle) || (f->suggestion && strstr(f->suggestion, needle))))
			return (long)i;
	}
	return -1;
}

START_TEST(test_sample_index)
{
	struct analysis *a = analyse_file("samples/postgresql.log.zst");
	long oi = find(a, FK_missing_index, "order_items", NULL);
	long o = find(a, FK_missing_index, "orders", NULL);
	ck_assert_int_ge(oi, 0);
	ck_assert_int_ge(o, 0);
	const struct finding *f = findings_at(a->findings, (size_t)oi);
	ck_assert_uint_eq(ncols(f), 1);
	ck_assert(has_col(f, "order_id"));
	ck_assert_int_eq(f->severity, FS_CRITICAL);
	ck_assert_str_eq(f->suggestion + 0, "CREATE INDEX CONCURRENTLY order_items_order_id_idx ON order_items (order_id);"
		"\n-- helps a4c4e51324f428ed (3246 ms): SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = $1");
	json_t *scan = json_object_get(json_array_get(json_object_get(f->evidence, "groups"), 0), "scan");
	ck_assert_str_eq(json_string_value(json_object_get(scan, "node_type")), "Seq Scan");
	ck_assert_double_eq(json_real_value(json_object_get(scan, "removed_per_loop")), 199998);
	const struct finding *fo = findings_at(a->findings, (size_t)o);
	ck_assert_uint_eq(ncols(fo), 1);
	ck_assert(has_col(fo, "customer_id"));
	/* Both statements with plans and the JSON-plan one without. */
	ck_assert_uint_eq(json_array_size(json_object_get(fo->evidence, "groups")), 3);
	ck_assert_double_gt(fo->impact_ms, 1980);
	/* Ranked above every other advice finding. */
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *x = findings_at(a->findings, i);
		if (x->kind != FK_missing_index && x->kind != FK_n_plus_one)
			ck_assert_int_gt((long)i, o);
	}
	/* Nothing for the primary-key lookups or orders (status), which exists. */
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *x = findings_at(a->findings, i);
		if (x->kind == FK_missing_index)
			ck_assert(!has_col(x, "id") && !has_col(x, "status"));
	}
	ck_assert_int_eq(find(a, FK_missing_index, NULL, NULL), oi < o ? oi : o);
	analysis_free(a);
}
END_TEST

START_TEST(test_sample_page)
{
	struct analysis *a = analyse_file("samples/postgresql.log.zst");
	long i = find(a, FK_offset_pagination, "products", NULL);
	ck_assert_int_ge(i, 0);
	const struct finding *f = findings_at(a->findings, (size_t)i);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "max_offset")), 45000);
	ck_assert_ptr_nonnull(strstr(f->suggestion, "SELECT id, name, price FROM products WHERE "
		"(created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT 50;"));
	ck_assert_ptr_nonnull(strstr(f->suggestion,
		"CREATE INDEX CONCURRENTLY products_created_at_id_idx ON products (created_at, id);"));
	/* The unbounded listings. */
	ck_assert_int_ge(find(a, FK_unbounded_result, NULL, "SELECT * FROM orders ORDER BY created_at"), 0);
	ck_assert_int_ge(find(a, FK_unbounded_result, NULL, "FROM order_items WHERE qty"), 0);
	/* The sort spills, with the work_mem they needed (5144 kB on disk). */
	i = find(a, FK_sort_spill, NULL, "SELECT * FROM orders ORDER BY created_at");
	ck_assert_int_ge(i, 0);
	f = findings_at(a->findings, (size_t)i);
	ck_assert_ptr_nonnull(strstr(f->suggestion, "SET work_mem = '11MB';"));
	ck_assert_ptr_nonnull(strstr(f->title, "11 MB"));
	ck_assert_int_ge(find(a, FK_sort_spill, NULL, "ORDER BY price DESC, name"), 0);
	/* No misestimate in this run's plans (the top-N sort under a Limit is not one). */
	ck_assert_int_eq(find(a, FK_row_misestimate, NULL, NULL), -1);
	/* The one-off bulk INSERT is slow but no application work: info,
	 * ranked last (findings_rank()). */
	i = find(a, FK_slow_query, NULL, "INSERT INTO order_items");
	ck_assert_int_ge(i, 0);
	f = findings_at(a->findings, (size_t)i);
	ck_assert_int_eq(f->severity, FS_INFO);
	ck_assert_str_eq(json_string_value(json_object_get(f->evidence,
			"one_off_statement")), "write");
	analysis_free(a);
}
END_TEST

/* The sample with its auto_explain entries taken out: the OFFSET statement
 * has no plan, so it is parsed on its own (advice_page.c), and it must still
 * be advised from its examples' literals; nothing else needing a plan is. */
START_TEST(test_sample_planless)
{
	char cmd[4096];
	int status;
	snprintf(cmd, sizeof(cmd), "zstd -dc '%s/samples/postgresql.log.zst' | "
		"awk '/ plan:$/ { skip = 1; next } skip && /^\t/ { next } { skip = 0; print }'",
		tu_root());
	char *text = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_null(strstr(text, " plan:\n"));
	struct analysis *a = tu_analyse_text(text, NULL, NULL);
	free(text);
	long i = find(a, FK_offset_pagination, "products", NULL);
	ck_assert_int_ge(i, 0);
	const struct finding *f = findings_at(a->findings, (size_t)i);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "max_offset")), 45000);
	ck_assert_ptr_null(json_object_get(f->evidence, "limit_node"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "SELECT id, name, price FROM products WHERE "
		"(created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT 50;"));
	ck_assert_int_eq(find(a, FK_missing_index, NULL, NULL), -1);
	ck_assert_int_eq(find(a, FK_unbounded_result, NULL, NULL), -1);
	analysis_free(a);
}
END_TEST

START_TEST(test_plans)
{
	struct analysis *a = analyse_file("tests/data/advice/plans.log");
	/* Nested loop inner scans and a seq scan with a range: one index. */
	long i = find(a, FK_missing_index, "events", NULL);
	ck_assert_int_ge(i, 0);
	const struct finding *f = findings_at(a->findings, (size_t)i);
	ck_assert_str_eq(f->columns[0], "account_id");
	ck_assert_str_eq(f->columns[1], "at");
	ck_assert_uint_eq(json_array_size(json_object_get(f->evidence, "groups")), 2);
	bool inner = false;
	size_t k;
	json_t *v;
	json_array_foreach(json_object_get(f->evidence, "groups"), k, v)
		inner = inner || strstr(json_string_value(json_object_get(json_object_get(v, "scan"), "why")),
			"nested loop");
	ck_assert(inner);
	/* No index for a table of 50 rows, nor for events (kind), which exists. */
	ck_assert_int_eq(find(a, FK_missing_index, "tiny", NULL), -1);
	for (k = 0; k < findings_count(a->findings); k++)
		if (findings_at(a->findings, k)->kind == FK_missing_index)
			ck_assert(!has_col(findings_at(a->findings, k), "kind"));
	/* OFFSET from the extended protocol's parameters, keyset DESC. */
	i = find(a, FK_offset_pagination, "events", NULL);
	ck_assert_int_ge(i, 0);
	f = findings_at(a->findings, (size_t)i);
	ck_assert_int_ge(json_integer_value(json_object_get(f->evidence, "max_offset")), 20000);
	ck_assert_ptr_nonnull(strstr(f->suggestion, "WHERE subkind = $1 AND (at, id) < ($2, $3) "
		"ORDER BY at DESC, id DESC LIMIT 20;"));
	/* Correlated columns. */
	i = find(a, FK_row_misestimate, "events", NULL);
	ck_assert_int_ge(i, 0);
	f = findings_at(a->findings, (size_t)i);
	ck_assert(has_col(f, "kind") && has_col(f, "subkind"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "CREATE STATISTICS events_kind_subkind_stats "
		"(dependencies, mcv) ON kind, subkind FROM events;"));
	/* Heap fetches, lossy bitmap, hash batches, workers. */
	i = find(a, FK_table_bloat, "accounts", "VACUUM (ANALYZE) accounts;");
	ck_assert_int_ge(i, 0);
	ck_assert_int_ge(find(a, FK_sort_spill, NULL, "count(payload) FROM events"), 0);
	i = find(a, FK_sort_spill, NULL, "e.subkind < $1");
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		findings_at(a->findings, (size_t)i)->evidence, "nodes"), 0), "what")), "hash in batches");
	i = find(a, FK_slow_query, NULL, "not launched");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(json_array_size(json_object_get(findings_at(a->findings, (size_t)i)->evidence,
		"groups")), 1);
	/* Every finding has evidence and a suggestion; no index twice. */
	for (k = 0; k < findings_count(a->findings); k++) {
		f = findings_at(a->findings, k);
		ck_assert_uint_gt(json_object_size(f->evidence), 0);
		ck_assert_ptr_nonnull(f->suggestion);
		const char *c = strstr(f->suggestion, "CREATE INDEX");
		for (size_t m = k + 1; c && m < findings_count(a->findings); m++) {
			const char *d = findings_at(a->findings, m)->suggestion;
			const char *e = d ? strstr(d, "CREATE INDEX") : NULL;
			if (e)
				ck_assert(strncmp(c, e, strcspn(c, ";")) != 0);
		}
	}
	analysis_free(a);
}
END_TEST

/* JIT's share of the worst plan: tests/data/advice/plans.log has one JSON
 * plan compiled with every jit_*_cost at 0 (inlining and optimization on);
 * tests/data/plans/jit.log (make-jit.sh) a small aggregate, JIT nearly all
 * of it, and an aggregate over 5M rows whose worst plan spends 7 of 1805 ms
 * in JIT: no finding for that one. */
static const struct jit_advice {
	const char *file, *query;       /* in the title */
	double jit_ms, execution_ms;    /* of the group's worst plan */
	long long functions;
	bool inlining;
	const char *jit_above;          /* the suggested jit_above_cost */
} jit_advice[] = {
	{ "tests/data/advice/plans.log", "sum(kind * $1 + subkind)", 236.626, 237.014, 5, true,
	  "SET jit_above_cost = 100000;" },
	{ "tests/data/plans/jit.log", "sum(sensor * $1 + kind)", 40.860, 41.033, 5, true,
	  "SET jit_above_cost = 100000;" },
};

START_TEST(test_jit)
{
	const struct jit_advice *c = &jit_advice[_i];
	struct analysis *a = analyse_file(c->file);
	long i = find(a, FK_slow_query, NULL, "JIT compilation takes");
	ck_assert_int_ge(i, 0);
	const struct finding *f = findings_at(a->findings, (size_t)i);
	ck_assert_msg(strstr(f->title, c->query) != NULL, "%s", f->title);
	ck_assert(f->has_fingerprint);
	json_t *e = f->evidence;
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "jit_ms")), c->jit_ms, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "execution_ms")), c->execution_ms, 1e-9);
	ck_assert_str_eq(json_string_value(json_object_get(e, "execution_from")), "auto_explain_duration");
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "share")), c->jit_ms / c->execution_ms, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "functions")), c->functions);
	json_t *opt = json_object_get(e, "options");
	ck_assert(json_is_true(json_object_get(opt, "inlining")) == c->inlining);
	ck_assert(json_is_true(json_object_get(opt, "expressions")));
	ck_assert_ptr_nonnull(json_object_get(e, "fingerprint"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, c->jit_above));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "SET jit_inline_above_cost = 500000;\n"
		"SET jit_optimize_above_cost = 500000;\n"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "\nSET jit = off;"));
	/* One finding per group, none for JIT under the share, and no generic
	 * slow_query beside it for the same group. */
	size_t n = 0;
	for (size_t k = 0; k < findings_count(a->findings); k++) {
		const struct finding *g = findings_at(a->findings, k);
		if (g->kind == FK_slow_query && g->has_fingerprint && g->fingerprint == f->fingerprint)
			n++;
		if (strstr(g->title, "JIT"))
			ck_assert_msg(g == f, "%s", g->title);
	}
	ck_assert_uint_eq(n, 1);
	analysis_free(a);
}
END_TEST

/* Time outside the plan tree: tests/data/plans/triggers.log
 * (make-parallel-triggers.sh) has an INSERT of 100,000 rows whose
 * foreign-key checks took 800 of its 1,376 ms and a DELETE whose checks
 * (no index on the referencing column) took 2,507 of 2,508 ms (their
 * worst plans, JSON form); their plan trees hold the rest. slow_query says so, with the trigger, and puts
 * the node's share against the whole duration. */
START_TEST(test_triggers)
{
	struct analysis *a = analyse_file("tests/data/plans/triggers.log");
	long i = find(a, FK_slow_query, NULL, "INSERT INTO payments");
	ck_assert_int_ge(i, 0);
	const struct finding *f = findings_at(a->findings, (size_t)i);
	ck_assert_ptr_nonnull(strstr(f->suggestion, "-- 59% of its worst plan's 1376 ms is outside "
		"the plan tree (whose root took 571 ms), in triggers:\n"
		"--   RI_ConstraintTrigger_c_16404 for constraint payments_account_id_fkey on payments: "
		"800 ms, 100000 calls\n"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "VALIDATE CONSTRAINT"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "-- 30% of its worst plan's time is in "
		"ModifyTable on payments"));
	json_t *pt = json_object_get(f->evidence, "plan_time");
	ck_assert_double_eq_tol(json_real_value(json_object_get(pt, "duration_ms")), 1376.017, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(pt, "plan_tree_ms")), 570.683, 1e-9);
	json_t *tr = json_array_get(json_object_get(f->evidence, "triggers"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(tr, "constraint")), "payments_account_id_fkey");
	ck_assert_double_eq_tol(json_real_value(json_object_get(tr, "time_ms")), 799.685, 1e-9);

	i = find(a, FK_slow_query, NULL, "DELETE FROM accounts");
	ck_assert_int_ge(i, 0);
	f = findings_at(a->findings, (size_t)i);
	ck_assert_ptr_nonnull(strstr(f->suggestion, "-- 100% of its worst plan's 2508 ms is outside "
		"the plan tree"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "each deleted row of accounts looks for its "
		"referencing rows"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "WHERE conname = 'payments_account_id_fkey';"));
	ck_assert_ptr_null(strstr(f->suggestion, "Seq Scan"));      /* 1 ms of 2508 */
	analysis_free(a);

	/* samples/postgresql.log.zst (pg-workload.sh, without log_triggers):
	 * the seed INSERTs' plans hold a fifth of their time, the checks of
	 * their foreign keys the rest; their temporary files (a tuplestore)
	 * get no work_mem advice. A SELECT's time outside the tree is sending
	 * its rows, and its sort on disk still gets it. */
	a = analyse_file("samples/postgresql.log.zst");
	i = find(a, FK_slow_query, NULL, "INSERT INTO order_items (order_id");
	ck_assert_int_ge(i, 0);
	f = findings_at(a->findings, (size_t)i);
	ck_assert_ptr_nonnull(strstr(f->suggestion, "-- 79% of its worst plan's 3375 ms is outside "
		"the plan tree (whose root took 711 ms): AFTER triggers"));
	ck_assert_ptr_nonnull(strstr(f->suggestion, "-- 17% of its worst plan's time is in "
		"ModifyTable on order_items"));
	ck_assert_ptr_null(strstr(f->suggestion, "work_mem"));
	ck_assert_int_eq(find(a, FK_sort_spill, NULL, "INSERT INTO order_items (order_id"), -1);
	ck_assert_int_eq(find(a, FK_sort_spill, NULL, "INSERT INTO orders (customer_id"), -1);
	ck_assert_int_ge(find(a, FK_sort_spill, NULL, "SELECT * FROM orders ORDER BY created_at"), 0);
	analysis_free(a);
}
END_TEST

/* tests/data/plans/maintenance.log: CREATE INDEX, REINDEX and CLUSTER at
 * maintenance_work_mem = 1MB, each with a 28 MB temporary file: the
 * setting to raise is maintenance_work_mem, and there is no plan to log. */
START_TEST(test_maintenance)
{
	static const char *const cmds[] = { "CREATE INDEX", "REINDEX", "CLUSTER" };
	struct analysis *a = analyse_file("tests/data/plans/maintenance.log");
	for (size_t k = 0; k < 3; k++) {
		char title[64];
		snprintf(title, sizeof(title), "(needs about 54 MB): %s", cmds[k]);
		long i = find(a, FK_sort_spill, NULL, title);
		ck_assert_msg(i >= 0, "%s", cmds[k]);
		const struct finding *f = findings_at(a->findings, (size_t)i);
		ck_assert(strncmp(f->title, "maintenance_work_mem too small", 30) == 0);
		ck_assert_ptr_nonnull(strstr(f->suggestion, "SET maintenance_work_mem = '54MB';"));
		ck_assert_ptr_null(strstr(f->suggestion, "SET work_mem"));
		ck_assert_str_eq(json_string_value(json_object_get(f->evidence, "maintenance")), cmds[k]);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(f->evidence,
			"temp_files"), "max_bytes")), 28082176);
		i = find(a, FK_slow_query, NULL, cmds[k]);
		ck_assert_int_ge(i, 0);
		snprintf(title, sizeof(title), "-- %s has no plan", cmds[k]);
		ck_assert_ptr_nonnull(strstr(findings_at(a->findings, (size_t)i)->suggestion, title));
	}
	for (size_t k = 0; k < findings_count(a->findings); k++)
		ck_assert_ptr_null(strstr(findings_at(a->findings, k)->title, " work_mem"));
	analysis_free(a);
}
END_TEST

/* tests/data/plans/parallel.log and pg_stat_user_tables around it: 8
 * statements, each a parallel scan of readings by a leader and two
 * workers, which the server counts as 24 sequential scans. */
START_TEST(test_parallel_seq_scans)
{
	static const char *const rel[] = { "tests/data/plans/parallel.log",
		"tests/data/plans/parallel_tables_before.csv", "tests/data/plans/parallel_tables_after.csv" };
	char paths[3][4096];
	const char *pp[3];
	for (int k = 0; k < 3; k++) {
		snprintf(paths[k], sizeof(paths[k]), "%s/%s", tu_root(), rel[k]);
		pp[k] = paths[k];
	}
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	struct analysis *a;
	analysis_run(&o, pp, 3, &a);
	long i = find(a, FK_seq_scan_heavy, "public.readings", NULL);
	ck_assert_int_ge(i, 0);
	const struct finding *f = findings_at(a->findings, (size_t)i);
	ck_assert_ptr_nonnull(strstr(f->title, "was read by 8 sequential scans (24 as the server "
		"counts them, a parallel scan once per process)"));
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "seq_scan")), 24);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "statement_scans")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "parallel_worker_scans")), 16);
	ck_assert_uint_eq(json_array_size(json_object_get(f->evidence, "statements")), 2);
	analysis_free(a);
}
END_TEST

START_TEST(test_limits)
{
	struct analysis *a = analyse_file("samples/postgresql.log.zst");
	struct advice_limits l;
	advice_limits_init(&l);
	l.min_table_rows = 1e9;
	l.min_offset = 100000;
	l.unbounded_rows = 1e6;
	struct pgsift_options o;
	options_init(&o);
	findings_free(a->findings);
	a->findings = findings_new();
	advice_run(a, &o, &l);
	ck_assert_int_eq(find(a, FK_missing_index, NULL, NULL), -1);
	ck_assert_int_eq(find(a, FK_unbounded_result, NULL, NULL), -1);
	ck_assert_int_eq(find(a, FK_offset_pagination, NULL, NULL), -1);
	ck_assert_int_ge(find(a, FK_sort_spill, NULL, NULL), 0);
	analysis_free(a);
}
END_TEST

Suite *suite_advice(void);
Suite *suite_advice(void)
{
	Suite *s = suite_create("advice");
	TCase *tc = tcase_create("sql");
	tcase_add_loop_test(tc, test_sql, 0, (int)(sizeof(sql_cases) / sizeof(sql_cases[0])));
	tcase_add_test(tc, test_sql_helpers);
	suite_add_tcase(s, tc);
	tc = tcase_create("sample");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sample_index);
	tcase_add_test(tc, test_sample_page);
	tcase_add_test(tc, test_sample_planless);
	suite_add_tcase(s, tc);
	tc = tcase_create("plans");
	tcase_add_test(tc, test_plans);
	tcase_add_loop_test(tc, test_jit, 0, (int)(sizeof(jit_advice) / sizeof(jit_advice[0])));
	tcase_add_test(tc, test_triggers);
	tcase_add_test(tc, test_maintenance);
	tcase_add_test(tc, test_parallel_seq_scans);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}
