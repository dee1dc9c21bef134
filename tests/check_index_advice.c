/* check_index_advice.c: advice that weighs what indexes cost writes, stale
 * statistics, cache candidates and queries that wait for each other, on
 * real server output.
 *
 * The workload (tests/workload/pg-workload.sh: index_advice.sql,
 * fulfilment.pgbench, merge.pgbench) plants 300 UPDATEs of the indexed
 * orders.status, 20 of orders.customer_id (the missing index's column),
 * shipments changed far past its last ANALYZE with autovacuum off, and two
 * statements on stock_moves that one index serves, and a storefront
 * reading one settings row and one customer again and again
 * (settings.pgbench). The consecutive
 * queries come from consecutive-dashboard.ndjson, made from a real
 * server's log by tests/data/traces/make-consecutive.sh; none of the real
 * Sentry events of ../shared/corpus passes Sentry's thresholds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/advice/advice_int.h"
#include "analysis.h"
#include "findings.h"
#include "testutil.h"

static struct analysis *analyse(const char *const *paths, size_t n)
{
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	struct analysis *a;
	analysis_run(&o, paths, n, &a);
	return a;
}

/* The findings of kind on table (any when NULL), into out; how many. */
static size_t findings_of(const struct analysis *a, enum finding_kind k, const char *table,
		const struct finding **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (f->kind == k && (!table || (f->table && strcmp(f->table, table) == 0))) {
			if (n < max)
				out[n] = f;
			n++;
		}
	}
	return n;
}

static json_int_t ev_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "evidence has no integer '%s'", key);
	return json_integer_value(v);
}

/* ---- the statement reading ---- */

START_TEST(test_update_targets)
{
	struct adv_query *q = adv_query_parse(
		"UPDATE public.orders o SET status = $1, total = o.total + 1, status = $2 "
		"FROM customers c WHERE c.id = o.customer_id AND c.id = $3");
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(q->kind, ADV_STMT_UPDATE);
	ck_assert_str_eq(q->target, "public.orders");
	ck_assert_uint_eq(q->nset_cols, 2);
	ck_assert_str_eq(q->set_cols[0], "status");
	ck_assert_str_eq(q->set_cols[1], "total");
	adv_query_free(q);
	q = adv_query_parse("SELECT 1 FROM orders WHERE id = $1");
	ck_assert_ptr_null(q->target);
	ck_assert_uint_eq(q->nset_cols, 0);
	adv_query_free(q);
}
END_TEST

/* ---- the workload ---- */

static const char *live_dir;
static int live_ready;

static void live_setup(void)
{
	live_dir = tu_shared_workload(&live_ready);
}

static struct analysis *analyse_workload(void)
{
	static const char *const names[] = { "postgresql.log",
		"pg_stat_user_tables_before.csv", "pg_stat_user_tables_after.csv",
		"pg_stat_user_indexes_before.csv", "pg_stat_user_indexes_after.csv" };
	char paths[5][4096];
	const char *p[5];
	for (size_t i = 0; i < 5; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", live_dir, names[i]);
		p[i] = paths[i];
	}
	return analyse(p, 5);
}

START_TEST(test_live_write_cost)
{
	if (live_ready == -1) {
		tu_skip("index_advice: live_write_cost", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(live_ready == 1, "pg-workload.sh failed");
	struct analysis *a = analyse_workload();
	const struct finding *f[4];
	/* An existing index whose column 300 UPDATEs set. */
	ck_assert_uint_eq(findings_of(a, FK_index_write_cost, NULL, f, 4), 1);
	ck_assert_str_eq(f[0]->index, "orders_status_idx");
	ck_assert_str_eq(f[0]->table, "orders");
	ck_assert_str_eq(f[0]->columns[0], "status");
	ck_assert_int_eq(ev_int(f[0]->evidence, "update_calls"), 300);
	json_int_t upd = ev_int(f[0]->evidence, "n_tup_upd"), hot = ev_int(f[0]->evidence, "n_tup_hot_upd");
	ck_assert_int_ge(upd, 300);
	ck_assert_int_le(hot, upd - 300);       /* none of the 300 was HOT */
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "orders_status_idx"));
	/* The proposed index on orders.customer_id, which 20 UPDATEs set. */
	ck_assert_uint_eq(findings_of(a, FK_missing_index, "orders", f, 4), 1);
	ck_assert_str_eq(f[0]->columns[0], "customer_id");
	const json_t *wc = json_object_get(f[0]->evidence, "write_cost");
	ck_assert_ptr_nonnull(wc);
	ck_assert_int_eq(ev_int(wc, "update_calls"), 20);
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "none of them can be a HOT update"));
	/* order_items' index: no UPDATE sets order_id, nothing said. */
	ck_assert_uint_eq(findings_of(a, FK_missing_index, "order_items", f, 4), 1);
	ck_assert_ptr_null(json_object_get(f[0]->evidence, "write_cost"));
	/* One index for (warehouse_id, qty) and (qty, warehouse_id). */
	ck_assert_uint_eq(findings_of(a, FK_missing_index, "stock_moves", f, 4), 1);
	ck_assert_ptr_nonnull(f[0]->columns[1]);
	ck_assert_str_eq(f[0]->columns[0], "warehouse_id");
	ck_assert_str_eq(f[0]->columns[1], "qty");
	ck_assert_uint_eq(json_array_size(json_object_get(f[0]->evidence, "groups")), 2);
	analysis_free(a);
}
END_TEST

START_TEST(test_live_stale_statistics)
{
	if (live_ready == -1) {
		tu_skip("index_advice: live_stale_statistics", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(live_ready == 1, "pg-workload.sh failed");
	struct analysis *a = analyse_workload();
	const struct finding *f[4];
	ck_assert_uint_eq(findings_of(a, FK_stale_statistics, NULL, f, 4), 1);
	ck_assert_str_eq(f[0]->table, "shipments");
	ck_assert_int_ge(ev_int(f[0]->evidence, "n_mod_since_analyze"), 60000);
	ck_assert_ptr_nonnull(json_object_get(f[0]->evidence, "last_analyze"));
	ck_assert(json_is_null(json_object_get(f[0]->evidence, "last_autoanalyze")));
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "ANALYZE shipments;"));
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "autovacuum_analyze_scale_factor"));
	/* It stands on the misestimate it explains. */
	const struct finding *m[4];
	ck_assert_uint_eq(findings_of(a, FK_row_misestimate, "shipments", m, 4), 1);
	ck_assert_double_eq_tol(f[0]->impact_ms, m[0]->impact_ms, 1e-6);
	/* The workload's other tables were analyzed recently enough. */
	analysis_free(a);
	/* Without table snapshots, no such finding. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/postgresql.log", live_dir);
	const char *p[] = { path };
	a = analyse(p, 1);
	ck_assert_uint_eq(findings_of(a, FK_stale_statistics, NULL, f, 4), 0);
	analysis_free(a);
}
END_TEST

/* The storefront's settings row and customer 42, 800 calls each with the
 * same parameters (extended protocol, DETAIL: parameters), and the OLTP
 * count with the same literals 8,000 times, in every form of the log;
 * the OLTP customer lookups (random ids) are no candidate. No literal
 * shows. */
static const char *const forms[] = { "postgresql.log", "postgresql.csv", "postgresql.json" };

START_TEST(test_live_cache_candidates)
{
	if (live_ready == -1) {
		tu_skip("index_advice: live_cache_candidates", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(live_ready == 1, "pg-workload.sh failed");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", live_dir, forms[_i]);
	const char *p[] = { path };
	struct analysis *a = analyse(p, 1);
	const struct finding *f[8];
	ck_assert_uint_eq(findings_of(a, FK_cache_candidate, NULL, f, 8), 3);
	bool settings = false, customer = false, count = false;
	for (size_t i = 0; i < 3; i++) {
		const json_t *ev = f[i]->evidence;
		const char *q = json_string_value(json_object_get(ev, "query"));
		const char *by = json_string_value(json_object_get(ev, "by"));
		json_int_t same = ev_int(ev, "same_calls");
		ck_assert(f[i]->has_fingerprint);
		char *dump = json_dumps(ev, 0);
		/* As the log has them: $1 = '1', $1 = '42', status = 'new'
		 * (bare numbers would match the figures). */
		const char *texts[] = { dump, f[i]->title, f[i]->suggestion };
		for (size_t t = 0; t < 3; t++)
			ck_assert_msg(!strstr(texts[t], "'1'") && !strstr(texts[t], "'42'") &&
				!strstr(texts[t], "= 42") && !strstr(texts[t], "'new'") &&
				!strstr(texts[t], "< 100"), "a literal in %s", texts[t]);
		free(dump);
		if (strstr(q, "FROM settings")) {
			settings = true;
			ck_assert_int_eq(same, 800);
			ck_assert_str_eq(by, "parameters");
		} else if (strstr(q, "created_at FROM customers")) {
			customer = true;
			ck_assert_int_eq(same, 800);
			ck_assert_str_eq(by, "parameters");
		} else if (strstr(q, "count(*) FROM orders")) {
			count = true;
			ck_assert_int_eq(same, 8000);
			ck_assert_str_eq(by, "literals");
		}
		/* A 60 s cache answers all but the first of each minute. */
		double hits = json_real_value(json_object_get(ev, "cache_hits"));
		double span = json_real_value(json_object_get(ev, "span_s"));
		ck_assert_double_eq_tol(hits, (double)same - 1 - (double)(int64_t)(span / 60), 1e-9);
		ck_assert_double_eq_tol(f[i]->impact_ms,
			hits * json_real_value(json_object_get(ev, "mean_ms")), 1e-3);
	}
	ck_assert(settings && customer && count);
	analysis_free(a);
}
END_TEST

/* ---- consecutive queries ---- */

START_TEST(test_consecutive_dashboard)
{
	char *path = tu_data_path("index_advice: consecutive",
		"tests/data/traces/consecutive-dashboard.ndjson");
	const char *p[] = { path };
	struct analysis *a = analyse(p, 1);
	free(path);
	const struct finding *f[4];
	ck_assert_uint_eq(findings_of(a, FK_consecutive_queries, NULL, f, 4), 1);
	const json_t *ev = f[0]->evidence;
	ck_assert_int_eq(ev_int(ev, "occurrences"), 3);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "transaction")), "/dashboard/");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "parent")),
		"function: dashboard.views.index");
	/* Of the example's four spans, the user lookup depends on nothing
	 * before it but is first; the three reports are independent. The
	 * time saved is the run's total less the longest of them (they are
	 * longer than the lookup). */
	const json_t *spans = json_object_get(ev, "spans");
	ck_assert_uint_eq(json_array_size(spans), 4);
	double total = 0, longest = 0, first = 0;
	for (size_t i = 0; i < 4; i++) {
		const json_t *s = json_array_get(spans, i);
		double d = json_real_value(json_object_get(s, "duration_ms"));
		ck_assert(json_is_true(json_object_get(s, "independent")) == (i > 0));
		total += d;
		if (i == 0)
			first = d;
		else if (d > longest)
			longest = d;
	}
	ck_assert_double_gt(longest, first);
	ck_assert_double_gt(longest, 30);
	double saved = json_real_value(json_object_get(ev, "saved_ms"));
	ck_assert_double_gt(saved, 100 * 3);
	ck_assert_double_eq_tol(f[0]->impact_ms, saved, 1e-6);
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "independent"));
	analysis_free(a);
}
END_TEST

/* Sentry's own events: every run of consecutive SELECTs has a WHERE or
 * literals in its later spans, or saves too little (Rails: 175 ms of
 * 2.5 s, under a tenth): none is reported, as Sentry reports none. */
static const char *const corpus[] = {
	"../shared/corpus/sentry/django-n-plus-one.json",
	"../shared/corpus/sentry/rails-n-plus-one.json",
	"../shared/corpus/sentry/django-solved-n-plus-one.json",
	"../shared/corpus/sentry/mongodb-n-plus-one.json",
	"../shared/corpus/sentry/prisma-mn-plus-one.json",
};

START_TEST(test_consecutive_corpus)
{
	char *path = tu_data_path("index_advice: consecutive_corpus", corpus[_i]);
	if (!path)
		return;
	const char *p[] = { path };
	struct analysis *a = analyse(p, 1);
	free(path);
	const struct finding *f[4];
	ck_assert_uint_eq(findings_of(a, FK_consecutive_queries, NULL, f, 4), 0);
	analysis_free(a);
}
END_TEST

Suite *suite_index_advice(void);
Suite *suite_index_advice(void)
{
	Suite *s = suite_create("index_advice");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_update_targets);
	tcase_add_test(tc, test_consecutive_dashboard);
	tcase_add_loop_test(tc, test_consecutive_corpus, 0, sizeof(corpus) / sizeof(corpus[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_add_unchecked_fixture(tc, live_setup, NULL);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_live_write_cost);
	tcase_add_test(tc, test_live_stale_statistics);
	tcase_add_loop_test(tc, test_live_cache_candidates, 0, sizeof(forms) / sizeof(forms[0]));
	suite_add_tcase(s, tc);
	return s;
}
