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
 * (settings.pgbench). Other parts of the workload run some of the same
 * statements (blocking.sh updates orders.status too), so every expected
 * figure is counted here from the workload's log or its own files, never
 * written down. The consecutive
 * queries come from consecutive-dashboard.ndjson, made from a real
 * server's log by tests/data/traces/make-consecutive.sh; none of the real
 * Sentry events of ../shared/corpus passes Sentry's thresholds. */
#include <check.h>
#include <glob.h>
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

/* ---- the expected figures, from the workload's log and files ---- */

/* The log of the run (stderr form), NUL-terminated; the caller frees it. */
static char *workload_log(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/postgresql.log", live_dir);
	char *log = tu_slurp(path);
	ck_assert_msg(log != NULL, "cannot read %s", path);
	return log;
}

/* The statement a logged call ran: the text after "duration: N ms
 * statement: " or "... ms  execute NAME: " on the line at s (to its end,
 * *len), or NULL when the line is no call (parse, bind, other messages). */
static const char *call_text(const char *s, size_t *len)
{
	const char *nl = strchr(s, '\n'), *end = nl ? nl : s + strlen(s);
	const char *d = memmem(s, (size_t)(end - s), "  duration: ", 12);
	if (!d)
		return NULL;
	const char *ms = memmem(d, (size_t)(end - d), " ms  ", 5);
	if (!ms)
		return NULL;
	const char *t = ms + 5;
	if (strncmp(t, "statement: ", 11) == 0) {
		t += 11;
	} else if (strncmp(t, "execute ", 8) == 0) {
		t = memmem(t, (size_t)(end - t), ": ", 2);
		if (!t)
			return NULL;
		t += 2;
	} else {
		return NULL;
	}
	*len = (size_t)(end - t);
	return t;
}

/* The logged calls of statements starting with prefix (and, with params,
 * whose DETAIL line says "parameters: " params). */
static size_t logged_calls(const char *log, const char *prefix, const char *params)
{
	size_t n = 0, plen = strlen(prefix);
	for (const char *s = log; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		size_t len;
		const char *t = call_text(s, &len);
		if (!t || len < plen || memcmp(t, prefix, plen) != 0)
			continue;
		if (params) {
			const char *next = strchr(t, '\n'), *detail;
			if (!next)
				continue;
			const char *after = strchr(next + 1, '\n');
			size_t nlen = after ? (size_t)(after - next - 1) : strlen(next + 1);
			detail = memmem(next + 1, nlen, "DETAIL:  parameters: ", 21);
			if (!detail || (size_t)(next + 1 + nlen - (detail + 21)) != strlen(params) ||
					memcmp(detail + 21, params, strlen(params)) != 0)
				continue;
		}
		n++;
	}
	return n;
}

/* The logged calls of "UPDATE table SET ..." whose SET list assigns
 * column (as the advice reads them: the statement is the UPDATE). */
static size_t logged_updates(const char *log, const char *table, const char *column)
{
	char head[256];
	snprintf(head, sizeof(head), "UPDATE %s SET ", table);
	size_t n = 0, hlen = strlen(head), clen = strlen(column);
	for (const char *s = log; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		size_t len;
		const char *t = call_text(s, &len);
		if (!t || len < hlen || memcmp(t, head, hlen) != 0)
			continue;
		const char *set = t + hlen, *end = t + len;
		const char *w = memmem(set, (size_t)(end - set), " WHERE ", 7);
		if (w)
			end = w;
		/* Each assignment starts the list or follows ", ". */
		for (const char *c = set; c && c < end; ) {
			if ((size_t)(end - c) > clen && memcmp(c, column, clen) == 0 &&
					(c[clen] == ' ' || c[clen] == '=')) {
				n++;
				break;
			}
			c = memmem(c, (size_t)(end - c), ", ", 2);
			if (c)
				c += 2;
		}
	}
	return n;
}

/* The number written right after marker in the workload file rel. */
static long workload_number(const char *rel, const char *marker)
{
	char *path = tu_data_path("index_advice", rel);
	char *text = tu_slurp(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	const char *at = strstr(text, marker);
	ck_assert_msg(at != NULL, "%s has no '%s'", path, marker);
	long v = strtol(at + strlen(marker), NULL, 10);
	free(text);
	free(path);
	return v;
}

/* The statements of the workload's SQL and pgbench files (not comments)
 * with every one of needles in their line. */
static size_t workload_statements(const char *const *needles, size_t nn)
{
	char pattern[4096];
	size_t n = 0;
	glob_t gl;
	snprintf(pattern, sizeof(pattern), "%s/tests/workload/*.sql", tu_root());
	ck_assert_int_eq(glob(pattern, 0, NULL, &gl), 0);
	snprintf(pattern, sizeof(pattern), "%s/tests/workload/*.pgbench", tu_root());
	ck_assert_int_eq(glob(pattern, GLOB_APPEND, NULL, &gl), 0);
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		char *text = tu_slurp(gl.gl_pathv[i]);
		ck_assert_ptr_nonnull(text);
		for (char *s = text, *nl; s && *s; s = nl ? nl + 1 : NULL) {
			nl = strchr(s, '\n');
			if (nl)
				*nl = '\0';
			if (strncmp(s, "--", 2) == 0 || s[0] == '#' || s[0] == '\\')
				continue;
			size_t k = 0;
			while (k < nn && strstr(s, needles[k]))
				k++;
			n += k == nn;
		}
		free(text);
	}
	globfree(&gl);
	return n;
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
	char *log = workload_log();
	json_int_t status_updates = (json_int_t)logged_updates(log, "orders", "status");
	json_int_t customer_updates = (json_int_t)logged_updates(log, "orders", "customer_id");
	static const char *const serves[] = { "FROM stock_moves WHERE", "warehouse_id =" };
	size_t stock_statements = workload_statements(serves, 2);
	free(log);
	/* fulfilment.pgbench's 300 and merge.pgbench's 20 at least. */
	ck_assert_int_ge(status_updates, 300);
	ck_assert_int_ge(customer_updates, 20);
	ck_assert_uint_ge(stock_statements, 2);
	struct analysis *a = analyse_workload();
	const struct finding *f[4];
	/* An existing index whose column the logged UPDATEs set. */
	ck_assert_uint_eq(findings_of(a, FK_index_write_cost, NULL, f, 4), 1);
	ck_assert_str_eq(f[0]->index, "orders_status_idx");
	ck_assert_str_eq(f[0]->table, "orders");
	ck_assert_str_eq(f[0]->columns[0], "status");
	ck_assert_int_eq(ev_int(f[0]->evidence, "update_calls"), status_updates);
	json_int_t upd = ev_int(f[0]->evidence, "n_tup_upd"), hot = ev_int(f[0]->evidence, "n_tup_hot_upd");
	ck_assert_int_ge(upd, status_updates);
	/* None of them was HOT: each sets an indexed column. */
	ck_assert_int_le(hot, upd - status_updates);
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "orders_status_idx"));
	/* The proposed index on orders.customer_id, which merge.pgbench's
	 * UPDATEs set. */
	ck_assert_uint_eq(findings_of(a, FK_missing_index, "orders", f, 4), 1);
	ck_assert_str_eq(f[0]->columns[0], "customer_id");
	const json_t *wc = json_object_get(f[0]->evidence, "write_cost");
	ck_assert_ptr_nonnull(wc);
	ck_assert_int_eq(ev_int(wc, "update_calls"), customer_updates);
	ck_assert_ptr_nonnull(strstr(f[0]->suggestion, "none of them can be a HOT update"));
	/* order_items' index: no UPDATE sets order_id, nothing said. */
	ck_assert_uint_eq(findings_of(a, FK_missing_index, "order_items", f, 4), 1);
	ck_assert_ptr_null(json_object_get(f[0]->evidence, "write_cost"));
	/* One index for (warehouse_id, qty) and (qty, warehouse_id). */
	ck_assert_uint_eq(findings_of(a, FK_missing_index, "stock_moves", f, 4), 1);
	ck_assert_ptr_nonnull(f[0]->columns[1]);
	ck_assert_str_eq(f[0]->columns[0], "warehouse_id");
	ck_assert_str_eq(f[0]->columns[1], "qty");
	ck_assert_uint_eq(json_array_size(json_object_get(f[0]->evidence, "groups")),
		stock_statements);
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
	/* The rows index_advice.sql inserts after its ANALYZE (scale 1). */
	long pending = workload_number("tests/workload/index_advice.sql",
		"'pending' FROM generate_series(1, ");
	ck_assert_int_gt(pending, 0);
	ck_assert_int_ge(ev_int(f[0]->evidence, "n_mod_since_analyze"), pending);
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
 * count with the same literals 8,000 times (each counted in the stderr
 * log), in every form of the log; the OLTP customer lookups (random ids)
 * are no candidate. Any other candidate another part of the workload
 * makes passes the rule's thresholds. No literal shows. */
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
	char *log = workload_log();
	json_int_t settings_calls = (json_int_t)logged_calls(log,
		"SELECT name, value FROM settings WHERE id = $1", "$1 = '1'");
	json_int_t customer_calls = (json_int_t)logged_calls(log,
		"SELECT id, email, name, created_at FROM customers WHERE id = $1", "$1 = '42'");
	json_int_t count_calls = (json_int_t)logged_calls(log,
		"SELECT count(*) FROM orders WHERE status = 'new' AND id < 100", NULL);
	free(log);
	ck_assert_int_ge(settings_calls, 100);
	ck_assert_int_ge(customer_calls, 100);
	ck_assert_int_ge(count_calls, 100);
	struct analysis *a = analyse(p, 1);
	const struct finding *f[16];
	size_t nf = findings_of(a, FK_cache_candidate, NULL, f, 16);
	ck_assert_uint_ge(nf, 3);
	ck_assert_uint_le(nf, 16);
	bool settings = false, customer = false, count = false;
	for (size_t i = 0; i < nf; i++) {
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
			ck_assert_int_eq(same, settings_calls);
			ck_assert_str_eq(by, "parameters");
		} else if (strstr(q, "created_at FROM customers")) {
			customer = true;
			ck_assert_int_eq(same, customer_calls);
			ck_assert_str_eq(by, "parameters");
		} else if (strstr(q, "count(*) FROM orders WHERE status")) {
			count = true;
			ck_assert_int_eq(same, count_calls);
			ck_assert_str_eq(by, "literals");
		} else {
			/* Not the OLTP lookup of random customers. */
			ck_assert_msg(!strstr(q, "SELECT id, email, name FROM customers"),
				"a cache candidate of random ids: %s", q);
			ck_assert_int_ge(same, 100);
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
	/* The other reports' time is what running them at once saves. */
	ck_assert_double_gt(total - first - longest, 0);
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
