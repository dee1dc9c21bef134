/* check_plan.c: the plan model, read from real auto_explain output saved in
 * tests/data/plans/ (its README says how each file was made), in both forms:
 * nodes, figures, the two forms agreeing, writing and walking. Time outside
 * the tree is in check_plan_times.c, malformed input in check_plan_errors.c. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_testutil.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

/* ---- the text form, node by node ---- */

static const struct node_case {
	int plan, node;
	const char *type, *relation, *index, *alias;
	double rows, loops;             /* per loop; 0 loops when never executed */
	const char *relationship;
} text_nodes[] = {
	{ 0, 4, "Hash Join", NULL, NULL, NULL, 7407, 3, "Outer" },
	{ 0, 7, "Seq Scan", "customers", NULL, "c", 1111, 1, "Outer" },
	{ 1, 3, "Bitmap Index Scan", NULL, "customers_pkey", NULL, 3, 1, "Outer" },
	{ 1, 4, "Bitmap Heap Scan", "orders", NULL, "o", 20, 3, "Inner" },
	{ 7, 0, "Index Only Scan", "orders", "orders_pkey", "orders", 2999, 1, NULL },
	{ 10, 1, "Aggregate", NULL, NULL, NULL, 2000, 1, "InitPlan" },
	{ 10, 2, "Index Scan", "orders", "orders_customer_idx", "orders", 40000, 1, "Outer" },
	{ 10, 5, "Sort", NULL, NULL, NULL, 2000, 1, "Inner" },
	{ 11, 1, "Aggregate", NULL, NULL, NULL, 1, 5, "SubPlan" },
	{ 12, 4, "Seq Scan", "orders", NULL, "orders_1", 13333, 3, "Outer" },
	{ 12, 5, "Index Scan", "orders", "orders_pkey", "orders", 5, 1, "Outer" },
	{ 13, 1, "Index Only Scan", "customers", "customers_pkey", "c", 0, 1, "Outer" },
	{ 13, 2, "Bitmap Heap Scan", "orders", NULL, "o", 0, 0, "Inner" },
	{ 13, 3, "Bitmap Index Scan", NULL, "orders_customer_idx", NULL, 0, 0, "Outer" },
	{ 14, 1, "Hash Join", NULL, NULL, NULL, 0, 3, "Outer" },
	{ 15, 3, "Index Scan", "orders", "orders_customer_idx", "o", 6, 3, "Inner" },
	{ 16, 2, "Subquery Scan", NULL, NULL, "*SELECT* 1", 2000, 1, "Member" },
	{ 16, 3, "Seq Scan", "customers", NULL, "customers", 2000, 1, "Subquery" },
	{ 17, 1, "Values Scan", NULL, NULL, "*VALUES*", 2, 1, "Member" },
	{ 18, 0, "Function Scan", NULL, NULL, "g", 5, 1, NULL },
	{ 21, 3, "Index Scan", "Order Notes", "Order Notes_pkey", "n", 19, 1, "Outer" },
	{ 23, 0, "ModifyTable", "orders", NULL, "orders", 0, 1, NULL },
	{ 26, 1, "Incremental Sort", NULL, NULL, NULL, 10, 1, "Outer" },
	{ 28, 4, "Memoize", NULL, NULL, NULL, 1, 3999, "Inner" },
	{ 30, 3, "Seq Scan", "Order Notes", NULL, "n", 500, 1, "Outer" },
	{ 31, 3, "Materialize", NULL, NULL, NULL, 29, 5000, "Inner" },
	{ 33, 1, "Result", NULL, NULL, NULL, 1, 1, "Outer" },
	{ 35, 1, "Index Scan", "customers", "customers_pkey", "c", 1, 1, "Outer" },
};

START_TEST(text_node)
{
	const struct node_case *c = &text_nodes[_i];
	struct plan *p = load("text.log", c->plan);
	const struct plan_node *n = nth(p, c->node);
	ck_str(n->node_type, c->type);
	ck_str(n->relation_name, c->relation);
	ck_str(n->index_name, c->index);
	ck_str(n->alias, c->alias);
	ck_str(n->parent_relationship, c->relationship);
	ck_assert(n->has_costs);
	ck_assert_double_eq(n->actual_rows, c->rows);
	ck_assert_double_eq(n->actual_loops, c->loops);
	ck_assert_int_eq(n->never_executed, c->loops == 0);
	ck_assert_int_eq(n->has_actual, c->loops > 0);
	plan_free(p);
}
END_TEST

/* Plan by plan: node count, root type, a figure only the text holds. */
static const struct shape_case {
	int plan;
	size_t nodes;
	const char *root;
	const char *query_start;
} text_shapes[] = {
	{ 0, 8, "Aggregate", "SELECT c.region" },
	{ 3, 3, "Gather Merge", "SELECT id, name, price" },
	{ 10, 7, "Merge Join", "WITH big AS MATERIALIZED" },
	{ 16, 7, "SetOp", "SELECT id FROM customers EXCEPT" },
	{ 22, 2, "Bitmap Heap Scan", "SELECT id,\n       total\n  FROM orders\n WHERE created_at" },
	{ 24, 2, "ModifyTable", "INSERT INTO order_items" },
	{ 32, 1, "Result", "SELECT 1 WHERE" },
	{ 34, 4, "Aggregate", "SELECT count(*) FROM order_items WHERE qty = 3;" },
};

START_TEST(text_shape)
{
	const struct shape_case *c = &text_shapes[_i];
	struct plan *p = load("text.log", c->plan);
	ck_assert_uint_eq(p->nnodes, c->nodes);
	ck_str(p->root->node_type, c->root);
	ck_assert_msg(strncmp(p->query_text, c->query_start, strlen(c->query_start)) == 0,
		"query text \"%s\"", p->query_text);
	ck_assert(!p->from_json);
	/* Text writes no Buffers line for a node that used none. */
	ck_assert_int_eq(p->has_buffers, c->plan != 32);
	plan_free(p);
}
END_TEST

START_TEST(text_multiline_query)
{
	struct plan *p = load("text.log", 22);
	ck_str(p->query_text, "SELECT id,\n       total\n  FROM orders\n"
		" WHERE created_at > '2026-03-01'\n   AND customer_id = 42;");
	const struct plan_node *n = p->root;
	ck_str(n->recheck_cond, "(customer_id = 42)");
	ck_str(n->filter, "(created_at > '2026-03-01 00:00:00+00'::timestamp with time zone)");
	ck_assert_double_eq(n->rows_removed_by_filter, 7);
	ck_assert_int_eq(n->exact_heap_blocks, 20);
	ck_assert_int_eq(n->lossy_heap_blocks, 0);
	plan_free(p);
}
END_TEST

/* Sorts: method, space and its type, in the node and in its workers. */
static const struct sort_case {
	const char *file;
	int plan, node;
	const char *method, *space;
	int64_t kb;
	size_t nworkers;
	bool spilled;
} sorts[] = {
	{ "text.log", 0, 2, "quicksort", "Memory", 25, 2, false },
	{ "text.log", 3, 1, "external merge", "Disk", 184, 2, true },
	{ "text.log", 4, 2, "top-N heapsort", "Memory", 26, 2, false },
	{ "text.log", 10, 3, "external merge", "Disk", 40, 0, true },
	{ "text.log", 10, 5, "quicksort", "Memory", 49, 0, false },
	{ "json.log", 1, 2, "external merge", "Disk", 64, 2, true },
	{ "workload.log", 1, 1, "external merge", "Disk", 2512, 0, true },
	{ "workload.log", 3, 1, "top-N heapsort", "Memory", 26, 0, false },
	{ "workload.log", 3, 3, "external merge", "Disk", 2496, 0, true },
	{ "workload.log", 6, 1, "external merge", "Disk", 2512, 0, true },
};

START_TEST(sort_info)
{
	const struct sort_case *c = &sorts[_i];
	struct plan *p = load(c->file, c->plan);
	const struct plan_node *n = nth(p, c->node);
	ck_str(n->node_type, "Sort");
	ck_str(n->sort_method, c->method);
	ck_str(n->sort_space_type, c->space);
	ck_assert_int_eq(n->sort_space_kb, c->kb);
	ck_assert_uint_eq(n->nworkers, c->nworkers);
	ck_assert_int_eq(plan_node_sort_spilled(n), c->spilled);
	ck_assert(n->nsort_key > 0);
	plan_free(p);
}
END_TEST

START_TEST(sort_keys_and_workers)
{
	struct plan *p = load("text.log", 3);
	const struct plan_node *s = nth(p, 1);
	ck_assert_uint_eq(s->nsort_key, 2);
	ck_str(s->sort_key[0], "price DESC");
	ck_str(s->sort_key[1], "name");
	ck_assert_int_eq(s->workers[1]->worker_number, 1);
	ck_str(s->workers[1]->sort_method, "quicksort");
	ck_str(s->workers[1]->sort_space_type, "Memory");
	ck_assert_int_eq(s->workers[1]->sort_space_kb, 25);
	ck_assert_int_eq(nth(p, 0)->workers_planned, 2);
	ck_assert_int_eq(nth(p, 0)->workers_launched, 2);
	ck_assert(nth(p, 2)->parallel_aware);
	plan_free(p);
	/* A sort key that is an expression keeps its parentheses. */
	p = load("workload.log", 3);
	ck_str(nth(p, 1)->sort_key[0], "(sum(total)) DESC");
	ck_str(nth(p, 2)->group_key[0], "customer_id");
	plan_free(p);
}
END_TEST

/* Rows removed, per loop as EXPLAIN shows them. */
static const struct removed_case {
	const char *file;
	int plan, node;
	double filter, join_filter;
} removed[] = {
	{ "text.log", 2, 3, 7993, 0 },
	{ "text.log", 12, 5, 348, 0 },
	{ "text.log", 15, 2, 14, 0 },
	{ "text.log", 15, 3, 13, 0 },
	{ "text.log", 29, 4, 30000, 0 },
	{ "text.log", 31, 1, 0, 137634 },
	{ "workload.log", 5, 1, 33334, 0 },
	{ "workload.log", 2, 0, 0, 0 },
};

START_TEST(rows_removed)
{
	const struct removed_case *c = &removed[_i];
	struct plan *p = load(c->file, c->plan);
	const struct plan_node *n = nth(p, c->node);
	ck_assert_double_eq(n->rows_removed_by_filter, c->filter);
	ck_assert_double_eq(n->rows_removed_by_join_filter, c->join_filter);
	if (c->join_filter > 0)
		ck_str(n->join_filter, "(p.price < (c.id)::numeric)");
	else
		ck_assert_ptr_nonnull(n->filter);
	plan_free(p);
}
END_TEST

/* Buffers: shared hit/read/dirtied/written, temp read/written. */
static const struct buffers_case {
	const char *file;
	int plan, node;
	int64_t hit, read, dirtied, written, temp_read, temp_written;
} buffers[] = {
	{ "workload.log", 0, 0, 200684, 3, 607, 605, 86, 86 },
	{ "workload.log", 0, 1, 50011, 0, 0, 0, 86, 86 },
	{ "workload.log", 4, 0, 28, 1, 1, 0, 0, 0 },
	{ "text.log", 29, 1, 739, 0, 0, 0, 236, 236 },
	{ "text.log", 13, 2, 0, 0, 0, 0, 0, 0 },
	{ "text.log", 23, 0, 74, 2, 2, 0, 0, 0 },
	{ "text.log", 29, 3, 306, 0, 0, 0, 0, 21 },
	{ "json.log", 0, 0, 363, 0, 0, 0, 0, 0 },
};

START_TEST(buffer_counts)
{
	const struct buffers_case *c = &buffers[_i];
	struct plan *p = load(c->file, c->plan);
	const struct plan_buffers *b = &nth(p, c->node)->buffers;
	ck_assert_int_eq(b->shared_hit, c->hit);
	ck_assert_int_eq(b->shared_read, c->read);
	ck_assert_int_eq(b->shared_dirtied, c->dirtied);
	ck_assert_int_eq(b->shared_written, c->written);
	ck_assert_int_eq(b->temp_read, c->temp_read);
	ck_assert_int_eq(b->temp_written, c->temp_written);
	ck_assert_int_eq(b->local_hit + b->local_read, 0);
	plan_free(p);
}
END_TEST

START_TEST(hash_and_memoize)
{
	struct plan *p = load("text.log", 29);
	const struct plan_node *h = nth(p, 3);
	ck_str(h->node_type, "Hash");
	ck_assert(h->has_hash);
	ck_assert_int_eq(h->hash_buckets, 4096);
	ck_assert_int_eq(h->hash_batches, 8);
	ck_assert_int_eq(h->orig_hash_batches, 8);
	ck_assert_int_eq(h->peak_memory_kb, 78);
	ck_str(nth(p, 1)->hash_cond, "(oi.order_id = o.id)");
	ck_assert(nth(p, 1)->has_io_timing && nth(p, 1)->io_lumped);
	ck_assert_double_eq_tol(nth(p, 1)->io.temp_write_ms, 1.878, 1e-9);
	plan_free(p);

	p = load("text.log", 9);          /* a HashAggregate spilling to disk */
	const struct plan_node *a = nth(p, 3);
	ck_str(a->strategy, "Hashed");
	ck_str(a->partial_mode, "Partial");
	ck_assert(a->has_hashagg);
	ck_assert_int_eq(a->hashagg_batches, 5);
	ck_assert_int_eq(a->peak_memory_kb, 161);
	ck_assert_int_eq(a->disk_usage_kb, 680);
	ck_assert_uint_eq(a->nworkers, 2);
	ck_assert_int_eq(a->workers[1]->hashagg_batches, 5);
	ck_assert_int_eq(a->workers[1]->peak_memory_kb, 161);
	ck_assert_int_eq(a->workers[1]->disk_usage_kb, 216);
	plan_free(p);

	p = load("text.log", 28);
	const struct plan_node *m = nth(p, 4);
	ck_str(plan_node_extra(m, "Cache Key"), "\"oi.qty\"");
	ck_str(plan_node_extra(m, "Cache Hits"), "3996");
	ck_str(plan_node_extra(m, "Cache Misses"), "3");
	ck_assert_int_eq(m->peak_memory_kb, 1);
	ck_assert_double_eq(nth(p, 5)->heap_fetches, 3);
	plan_free(p);
}
END_TEST

START_TEST(subplans_and_triggers)
{
	struct plan *p = load("text.log", 12);
	ck_str(nth(p, 1)->subplan_name, "InitPlan 1 (returns $1)");
	ck_str(nth(p, 5)->filter, "(total > $1)");
	plan_free(p);
	p = load("text.log", 10);
	ck_str(nth(p, 1)->subplan_name, "CTE big");
	ck_str(nth(p, 4)->cte_name, "big");
	ck_str(nth(p, 0)->merge_cond, "(((a.customer_id + 1)) = b.customer_id)");
	plan_free(p);
	p = load("text.log", 11);
	ck_str(nth(p, 1)->subplan_name, "SubPlan 1");
	plan_free(p);

	p = load("text.log", 23);
	ck_str(p->root->operation, "Update");
	ck_assert_uint_eq(p->ntriggers, 1);
	ck_str(p->triggers[0].name, "orders_touch");
	ck_assert_double_eq(p->triggers[0].calls, 3);
	ck_assert(p->triggers[0].has_time);
	plan_free(p);
	p = load("text.log", 24);
	ck_assert_uint_eq(p->ntriggers, 2);
	ck_assert_ptr_null(p->triggers[1].name);
	ck_str(p->triggers[1].constraint_name, "order_items_product_id_fkey");
	ck_str(plan_node_extra(p->root, "Conflict Resolution"), "\"NOTHING\"");
	ck_str(plan_node_extra(p->root, "Conflict Arbiter Indexes"), "[\"order_items_pkey\"]");
	ck_str(plan_node_extra(p->root, "Tuples Inserted"), "1");
	plan_free(p);
	p = load("json.log", 4);
	ck_assert_uint_eq(p->ntriggers, 1);
	ck_str(p->triggers[0].relation, "orders");
	plan_free(p);
}
END_TEST

START_TEST(verbose_and_workers)
{
	struct plan *p = load("text.log", 34);
	const struct plan_node *s = nth(p, 3);
	ck_str(s->schema, "public");
	ck_str(s->relation_name, "order_items");
	ck_str(plan_node_extra(s, "Output"), "[\"id\",\"order_id\",\"product_id\",\"qty\"]");
	ck_assert_uint_eq(s->nworkers, 2);
	ck_assert_double_eq(s->workers[0]->actual_rows, 0);
	ck_assert(!s->workers[0]->has_buffers);
	ck_assert_double_eq(s->workers[1]->actual_rows, 4380);
	ck_assert_int_eq(s->workers[1]->buffers.shared_hit, 71);
	plan_free(p);
	p = load("json.log", 7);
	s = nth(p, 3);
	ck_assert_uint_eq(s->nworkers, 2);
	ck_assert(s->workers[1]->has_actual && s->workers[1]->has_buffers);
	ck_str(plan_node_extra(nth(p, 0), "Output"), "[\"count(*)\"]");
	plan_free(p);
	p = load("text.log", 26);
	const struct plan_node *i = nth(p, 1);
	ck_str(plan_node_extra(i, "Presorted Key"), "[\"created_at\"]");
	ck_str(plan_node_extra(i, "Full-sort Groups"), "{\"Group Count\":1,\"Sort Methods Used\":"
		"[\"quicksort\"],\"Sort Space Memory\":{\"Average Sort Space Used\":25,"
		"\"Peak Sort Space Used\":25}}");
	plan_free(p);
}
END_TEST

START_TEST(settings_and_jit)
{
	struct plan *t = load("text.log", 36), *j = load("json.log", 8);
	const char *want = "{\"jit_above_cost\":\"0\",\"min_parallel_table_scan_size\":\"0\","
		"\"parallel_setup_cost\":\"10\",\"parallel_tuple_cost\":\"0.001\",\"work_mem\":\"64kB\"}";
	for (int k = 0; k < 2; k++) {
		const struct plan *p = k ? j : t;
		ck_assert_uint_eq(p->nnodes, 2);
		/* JIT's block goes to the plan's fields, not to extras nor to
		 * properties of the last node. */
		ck_str(p->extras->key, "Settings");
		ck_str(p->extras->json, want);
		ck_assert_ptr_null(p->extras->next);
		ck_assert_ptr_null(nth(p, 1)->extras);
		ck_str(nth(p, 1)->index_cond, "(id < 1000)");
		ck_assert(p->has_jit && p->jit.has_timing && !p->jit.has_deform);
		ck_assert_int_eq(p->jit.functions, 5);
		ck_assert(!p->jit.inlining && !p->jit.optimization);
		ck_assert(p->jit.expressions && p->jit.deforming);
	}
	/* The two runs' timings, as logged. */
	ck_assert_double_eq_tol(t->jit.generation_ms, 0.268, 1e-9);
	ck_assert_double_eq_tol(t->jit.optimization_ms, 0.214, 1e-9);
	ck_assert_double_eq_tol(t->jit.emission_ms, 14.909, 1e-9);
	ck_assert_double_eq_tol(t->jit.total_ms, 15.391, 1e-9);
	ck_assert_double_eq_tol(j->jit.generation_ms, 0.297, 1e-9);
	ck_assert_double_eq_tol(j->jit.emission_ms, 4.135, 1e-9);
	ck_assert_double_eq_tol(j->jit.total_ms, 4.883, 1e-9);
	/* Plans below jit_above_cost have none. */
	struct plan *n = load("text.log", 0);
	ck_assert(!n->has_jit);
	char *s = plan_to_json(n);
	ck_assert_ptr_null(strstr(s, "\"JIT\""));
	free(s);
	plan_free(n);
	plan_free(t);
	plan_free(j);
}
END_TEST

static json_t *as_json(const struct plan *p);

/* tests/data/plans/jit.log (make-jit.sh): each statement in text then in
 * JSON form. */
static const struct jit_case {
	int plan;
	int64_t functions;
	bool inlining_opt;      /* Inlining and Optimization both */
	double generation_ms, total_ms;
} jits[] = {
	{ 0, 5, true, 0.316, 37.176 },
	{ 1, 5, true, 0.304, 40.860 },
	{ 2, 8, false, 0.538, 7.333 },
	{ 3, 8, false, 0.379, 5.151 },
	{ 4, 27, false, 2.650, 79.562 },
	{ 5, 27, false, 6.384, 55.847 },
};

START_TEST(jit_summary)
{
	const struct jit_case *c = &jits[_i];
	struct plan *p = load("jit.log", c->plan);
	ck_assert(p->from_json == (c->plan % 2 == 1));
	ck_assert(p->has_jit && p->jit.has_timing && !p->jit.has_deform);
	ck_assert_int_eq(p->jit.functions, c->functions);
	ck_assert(p->jit.inlining == c->inlining_opt && p->jit.optimization == c->inlining_opt);
	ck_assert(p->jit.expressions && p->jit.deforming);
	ck_assert_double_eq_tol(p->jit.generation_ms, c->generation_ms, 1e-9);
	ck_assert_double_eq_tol(p->jit.total_ms, c->total_ms, 1e-9);
	/* The phases add up to the total, to the printed decimals. */
	ck_assert_double_eq_tol(p->jit.generation_ms + p->jit.inlining_ms + p->jit.optimization_ms
		+ p->jit.emission_ms, p->jit.total_ms, 0.0025);
	/* A worker's JIT (VERBOSE, under the Sort) is left out in both forms:
	 * neither fields nor extras of the worker. */
	for (const struct plan_node *n = p->root; n; n = plan_node_next(n))
		for (size_t k = 0; k < n->nworkers; k++) {
			ck_assert_ptr_null(plan_node_extra(n->workers[k], "Functions"));
			ck_assert_ptr_null(plan_node_extra(n->workers[k], "Timing"));
			ck_assert_ptr_null(plan_node_extra(n->workers[k], "JIT"));
		}
	if (c->plan >= 4) {
		const struct plan_node *sort = plan_find(p, "Sort");
		ck_assert_uint_eq(sort->nworkers, 2);
		ck_str(sort->workers[1]->sort_method, "quicksort");
		ck_assert(sort->workers[1]->has_buffers);
	}
	json_t *j = as_json(p);
	json_t *jit = json_object_get(j, "JIT");
	ck_assert_int_eq(json_integer_value(json_object_get(jit, "Functions")), c->functions);
	ck_assert(json_is_true(json_object_get(json_object_get(jit, "Options"), "Deforming")));
	ck_assert_double_eq_tol(json_real_value(json_object_get(json_object_get(jit, "Timing"),
		"Total")), c->total_ms, 1e-9);
	json_decref(j);
	plan_free(p);
}
END_TEST

/* PostgreSQL 17 writes deforming's share of generation: "Generation 1.0 ms
 * (Deform 0.2 ms)" in text, "Generation": {"Deform", "Total"} in JSON. The
 * JIT summary below is a real plan's, with a deform time put in. */
START_TEST(jit_deform)
{
	char *b = body("jit.log", 0), err[256] = "";
	struct strbuf sb = STRBUF_INIT;
	const char *at = strstr(b, "Generation 0.316 ms");
	ck_assert_ptr_nonnull(at);
	sb_append(&sb, b, (size_t)(at - b) + 19);
	sb_append(&sb, " (Deform 0.125 ms)", 18);
	sb_append(&sb, at + 19, strlen(at + 19));
	struct plan *p = plan_parse(sb.buf, sb.len, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert(p->jit.has_deform);
	ck_assert_double_eq_tol(p->jit.deform_ms, 0.125, 1e-9);
	ck_assert_double_eq_tol(p->jit.generation_ms, 0.316, 1e-9);
	ck_assert_double_eq_tol(p->jit.inlining_ms, 5.127, 1e-9);
	char *s = plan_to_json(p);
	ck_assert_ptr_nonnull(strstr(s, "\"Generation\": {\n        \"Deform\": 0.125,\n"
		"        \"Total\": 0.316\n      },"));
	struct plan *q = plan_parse(s, strlen(s), err, sizeof(err));
	ck_assert_msg(q != NULL, "%s", err);
	ck_assert(q->jit.has_deform);
	char *s2 = plan_to_json(q);
	ck_str(s, s2);
	free(s);
	free(s2);
	plan_free(p);
	plan_free(q);
	/* A JIT that is not an object is an error, as other keys of the wrong type. */
	const char *bad = "{\"Query Text\": \"\", \"Plan\": {\"Node Type\": \"Result\"}, \"JIT\": 5}";
	ck_assert_ptr_null(plan_parse(bad, strlen(bad), err, sizeof(err)));
	ck_assert_str_eq(err, "JSON plan: \"JIT\" is not an object");
	sb_release(&sb);
	free(b);
}
END_TEST

/* ---- both forms of one statement give one model ---- */

/* Drops what one side cannot hold. Between the forms: "Inner Unique" (in
 * text only with VERBOSE) and I/O timings (they change from run to run).
 * Between the server's JSON and ours: what carries nothing, I/O timings all
 * zero, empty "Workers" and "Triggers". The plan's "JIT" is kept by both;
 * a node's (a worker's, with VERBOSE) is not kept. */
static void strip(json_t *v, bool forms)
{
	const char *key;
	json_t *x;
	void *tmp;
	size_t i;
	bool io = false;
	if (json_is_array(v))
		json_array_foreach(v, i, x)
			strip(x, forms);
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, x)
		io |= strstr(key, "I/O ") && json_number_value(x) != 0;
	bool top = json_object_get(v, "Plan") != NULL;
	json_object_foreach_safe(v, tmp, key, x) {
		bool drop = forms ? strcmp(key, "Inner Unique") == 0 || strstr(key, "I/O ")
			: (json_is_array(x) && json_array_size(x) == 0)
				|| (strcmp(key, "JIT") == 0 && !top) || (strstr(key, "I/O ") && !io);
		if (drop)
			json_object_del(v, key);
		else
			strip(x, forms);
	}
}

static json_t *as_json(const struct plan *p)
{
	char *s = plan_to_json(p);
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	ck_assert_msg(j != NULL, "plan_to_json gave bad JSON: %s", err.text);
	free(s);
	return j;
}

START_TEST(forms_agree)
{
	struct plan *t = load("pairs.log", 2 * _i), *j = load("pairs.log", 2 * _i + 1);
	ck_assert(!t->from_json && j->from_json);
	ck_str(t->query_text, j->query_text);
	ck_assert_uint_eq(t->nnodes, j->nnodes);
	json_t *a = as_json(t), *b = as_json(j);
	strip(a, true);
	strip(b, true);
	if (!json_equal(a, b)) {
		char *x = json_dumps(a, JSON_INDENT(1)), *y = json_dumps(b, JSON_INDENT(1));
		ck_abort_msg("pair %d differs:\n%s\n---\n%s", _i, x, y);
	}
	json_decref(a);
	json_decref(b);
	plan_free(t);
	plan_free(j);
}
END_TEST

/* The same messages from the stderr and the jsonlog file: one JSON text. */
START_TEST(stderr_and_jsonlog)
{
	struct plan *a = load("workload.log", _i), *b = load("workload.json", _i);
	char *x = plan_to_json(a), *y = plan_to_json(b);
	ck_str(x, y);
	free(x);
	free(y);
	plan_free(a);
	plan_free(b);
}
END_TEST

/* ---- writing ---- */

static const char *const all_files[] = { "text.log", "json.log", "pairs.log", "workload.log",
	"jit.log", "parallel.log", "parallel_noleader.log", "triggers.log" };

/* plan_to_json's text reads back into the same model: written again, it is
 * the same text. */
START_TEST(round_trip)
{
	const char *file = all_files[_i];
	int n = count_plans(file);
	ck_assert_int_gt(n, 0);
	for (int k = 0; k < n; k++) {
		struct plan *p = load(file, k);
		char *s = plan_to_json(p), err[256] = "";
		json_error_t jerr;
		json_t *j = json_loads(s, 0, &jerr);
		ck_assert_msg(j != NULL, "%s %d: %s", file, k, jerr.text);
		ck_assert_ptr_nonnull(json_object_get(j, "Plan"));
		ck_str(json_string_value(json_object_get(json_object_get(j, "Plan"), "Node Type")),
			p->root->node_type);
		json_decref(j);
		struct plan *q = plan_parse(s, strlen(s), err, sizeof(err));
		ck_assert_msg(q != NULL, "%s %d: %s", file, k, err);
		ck_assert_uint_eq(q->nnodes, p->nnodes);
		char *s2 = plan_to_json(q);
		ck_assert_msg(strcmp(s, s2) == 0, "%s %d:\n%s\n---\n%s", file, k, s, s2);
		free(s);
		free(s2);
		plan_free(p);
		plan_free(q);
	}
}
END_TEST

/* What the server wrote in JSON comes out again. */
START_TEST(json_kept)
{
	/* json.log all; the JSON halves of pairs.log and jit.log. */
	const char *file = _i == 0 ? "json.log" : _i == 1 ? "pairs.log" : "jit.log";
	int n = count_plans(file);
	for (int k = _i == 0 ? 0 : 1; k < n; k += _i == 0 ? 1 : 2) {
		char *b = body(file, k);
		json_t *orig = json_loads(b, 0, NULL);
		ck_assert_ptr_nonnull(orig);
		struct plan *p = load(file, k);
		json_t *out = as_json(p);
		strip(orig, false);
		if (!json_equal(orig, out)) {
			char *x = json_dumps(orig, JSON_INDENT(1)), *y = json_dumps(out, JSON_INDENT(1));
			ck_abort_msg("%s %d:\n%s\n---\n%s", file, k, x, y);
		}
		json_decref(orig);
		json_decref(out);
		plan_free(p);
		free(b);
	}
}
END_TEST

START_TEST(writer_layout)
{
	struct plan *p = load("workload.log", 6);
	char *s = plan_to_json(p);
	/* EXPLAIN's own layout: two spaces a level, costs with two decimals. */
	ck_assert_msg(strncmp(s, "{\n  \"Query Text\": \"SELECT id, name, price FROM products",
		50) == 0, "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "\n  \"Plan\": {\n    \"Node Type\": \"Limit\",\n"));
	ck_assert_ptr_nonnull(strstr(s, "\"Startup Cost\": 0.00,"));
	ck_assert_ptr_nonnull(strstr(s, "\"Sort Key\": [\"created_at\"],"));
	ck_assert_ptr_nonnull(strstr(s, "\"Sort Space Type\": \"Disk\""));
	free(s);
	plan_free(p);
	/* A query text that is not UTF-8 still gives valid JSON. */
	char *b = body("workload.log", 2), err[256];
	char *q = strstr(b, "order_items");
	q[0] = (char)0xe9;
	p = plan_parse(b, strlen(b), err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	json_t *j = as_json(p);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "Query Text")), "\xef\xbf\xbd"));
	json_decref(j);
	plan_free(p);
	free(b);
}
END_TEST

/* ---- walking ---- */

static int count_visit(const struct plan_node *n, void *arg)
{
	(void)n;
	(*(size_t *)arg)++;
	return 0;
}

static int stop_at_sort(const struct plan_node *n, void *arg)
{
	(void)arg;
	return strcmp(n->node_type, "Sort") == 0 ? 7 : 0;
}

START_TEST(walk)
{
	struct plan *p = load("text.log", 10);
	size_t visited = 0;
	ck_assert_int_eq(plan_walk(p, count_visit, &visited), 0);
	ck_assert_uint_eq(visited, p->nnodes);
	ck_assert_int_eq(plan_walk(p, stop_at_sort, NULL), 7);
	const struct plan_node *s = plan_find(p, "Sort");
	ck_assert_ptr_eq(s, nth(p, 3));
	ck_assert_ptr_null(plan_find(p, "Gather"));
	ck_assert_ptr_eq(s->parent, p->root);
	ck_assert_uint_eq(s->depth, 1);
	ck_assert_uint_eq(nth(p, 2)->depth, 2);
	ck_assert_ptr_null(plan_node_next(nth(p, 6)));
	/* Inclusive time is per loop times loops; a node's own share excludes
	 * its children's. */
	ck_assert(plan_node_total_ms(p->root) >= plan_node_total_ms(s));
	double sum = plan_node_self_ms(p->root);
	for (size_t i = 0; i < p->root->nchildren; i++)
		sum += plan_node_total_ms(p->root->children[i]);
	ck_assert(sum >= plan_node_total_ms(p->root) - 1e-6);
	plan_free(p);

	p = load("workload.log", 5);      /* 250 rows planned, 16666 found */
	ck_assert_double_eq_tol(plan_node_misestimate(nth(p, 1)), 16666.0 / 250, 1e-9);
	ck_assert_double_eq(plan_node_rows(nth(p, 1)), 16666);
	plan_free(p);
	p = load("text.log", 13);
	ck_assert_double_eq(plan_node_misestimate(nth(p, 2)), 1);
	ck_assert_double_eq(plan_node_total_ms(nth(p, 2)), 0);
	plan_free(p);
}
END_TEST

Suite *suite_plan(void);

Suite *suite_plan(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("text");
	tcase_add_loop_test(tc, text_node, 0, (int)ARRAY_SIZE(text_nodes));
	tcase_add_loop_test(tc, text_shape, 0, (int)ARRAY_SIZE(text_shapes));
	tcase_add_test(tc, text_multiline_query);
	suite_add_tcase(s, tc);

	tc = tcase_create("figures");
	tcase_add_loop_test(tc, sort_info, 0, (int)ARRAY_SIZE(sorts));
	tcase_add_test(tc, sort_keys_and_workers);
	tcase_add_loop_test(tc, rows_removed, 0, (int)ARRAY_SIZE(removed));
	tcase_add_loop_test(tc, buffer_counts, 0, (int)ARRAY_SIZE(buffers));
	tcase_add_test(tc, hash_and_memoize);
	tcase_add_test(tc, subplans_and_triggers);
	tcase_add_test(tc, verbose_and_workers);
	tcase_add_test(tc, settings_and_jit);
	tcase_add_loop_test(tc, jit_summary, 0, (int)ARRAY_SIZE(jits));
	tcase_add_test(tc, jit_deform);
	suite_add_tcase(s, tc);

	tc = tcase_create("forms");
	tcase_add_loop_test(tc, forms_agree, 0, 13);
	tcase_add_loop_test(tc, stderr_and_jsonlog, 0, 7);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_add_loop_test(tc, round_trip, 0, (int)ARRAY_SIZE(all_files));
	tcase_add_loop_test(tc, json_kept, 0, 3);
	tcase_add_test(tc, writer_layout);
	tcase_add_test(tc, walk);
	suite_add_tcase(s, tc);
	return s;
}
