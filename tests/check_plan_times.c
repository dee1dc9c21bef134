/* check_plan_times.c: where a plan's time goes outside its tree: parallel
 * workers (with and without the leader taking part) and trigger time, read
 * from real auto_explain output in tests/data/plans/. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_testutil.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

/* ---- parallel plans and time outside the tree ---- */

/* parallel.log (make-parallel-triggers.sh): two statements over 1M rows,
 * each a Gather of two workers, in text then JSON, plain then VERBOSE. A
 * node below the Gather ran in three processes at once: its wall time is
 * its time per loop, not three times it, and the Gather's own time is what
 * the leader spent gathering. The wall times of all nodes' own shares add
 * up to the root's, and none is above it. */
static const struct par_case {
	int plan;
	int gather, scan;               /* in walk order */
	double gather_ms, scan_ms, under_ms;     /* the Gather's total, the scan's per loop,
	                                            the Gather's child's per loop */
	bool verbose;
} par_cases[] = {
	{ 0, 1, 3, 257.630, 151.322, 172.349, false },
	{ 1, 0, 1, 148.207, 106.020, 106.020, false },
	{ 2, 1, 3, 229.736, 135.460, 147.377, true },
	{ 3, 0, 1, 152.747, 91.055, 91.055, true },
	{ 4, 1, 3, 257.144, 148.128, 153.603, false },
	{ 5, 0, 1, 147.797, 81.258, 81.258, false },
	{ 6, 1, 3, 231.005, 144.615, 150.895, true },
	{ 7, 0, 1, 148.019, 95.763, 95.763, true },
};

static int sum_self(const struct plan_node *n, void *arg)
{
	*(double *)arg += plan_node_self_ms(n);
	return 0;
}

START_TEST(parallel_wall_time)
{
	const struct par_case *c = &par_cases[_i];
	struct plan *p = load("parallel.log", c->plan);
	ck_assert_int_eq(p->from_json, c->plan >= 4);
	const struct plan_node *g = nth(p, c->gather), *scan = nth(p, c->scan);
	ck_str(g->node_type, "Gather");
	ck_str(scan->node_type, "Seq Scan");
	ck_assert(scan->parallel_aware);
	ck_str(scan->relation_name, "readings");
	ck_assert_int_eq(g->workers_launched, 2);
	ck_assert_double_eq(scan->actual_loops, 3);
	ck_assert_uint_eq(scan->nworkers, c->verbose ? 2 : 0);
	ck_assert_double_eq(plan_node_processes(scan), 3);
	ck_assert_double_eq(plan_node_processes(g), 1);
	ck_assert_double_eq(plan_node_processes(p->root), 1);
	ck_assert_double_eq_tol(plan_node_total_ms(g), c->gather_ms, 1e-9);
	ck_assert_double_eq_tol(plan_node_total_ms(scan), c->scan_ms, 1e-9);
	ck_assert_double_eq_tol(plan_node_self_ms(g), c->gather_ms - c->under_ms, 1e-9);
	/* Every node's share is within the root's; the shares add up. */
	double root = plan_node_total_ms(p->root), sum = 0;
	ck_assert_double_gt(root, 0);
	for (const struct plan_node *n = p->root; n; n = plan_node_next(n))
		ck_assert_msg(plan_node_total_ms(n) <= root + 1e-9, "%s: %.3f of %.3f ms",
			n->node_type, plan_node_total_ms(n), root);
	plan_walk(p, sum_self, &sum);
	ck_assert_double_eq_tol(sum, root, 1e-6);
	ck_assert_double_gt(plan_node_self_ms(g), 0);
	/* Rows are still counted over every process. */
	ck_assert_double_eq(plan_node_rows(scan), scan->actual_rows * 3);
	plan_free(p);
}
END_TEST

/* parallel_noleader.log: the aggregate with parallel_leader_participation
 * off, VERBOSE: the two workers ran every loop (loops=2), the leader only
 * gathered. */
START_TEST(parallel_no_leader)
{
	struct plan *p = load("parallel_noleader.log", 0);
	const struct plan_node *g = nth(p, 1), *agg = nth(p, 2), *scan = nth(p, 3);
	ck_str(g->node_type, "Gather");
	ck_assert_double_eq(scan->actual_loops, 2);
	ck_assert_uint_eq(agg->nworkers, 2);
	ck_assert_double_eq(plan_node_processes(scan), 2);
	ck_assert_double_eq(plan_node_processes(agg), 2);
	ck_assert_double_eq_tol(plan_node_total_ms(scan), 248.446, 1e-9);
	ck_assert_double_eq_tol(plan_node_self_ms(g), 385.428 - 264.281, 1e-9);
	plan_free(p);
}
END_TEST

/* triggers.log: the foreign-key checks of an INSERT of 100,000 rows and of
 * a DELETE of 50 referenced rows (no index on the referencing column) run
 * after the plan tree: its root holds a fraction of the logged duration,
 * the trigger the rest. */
START_TEST(trigger_time)
{
	static const struct { double root_ms, trigger_ms, calls; } want[] = {
		{ 564.642, 779.772, 100000 }, { 0.843, 917.286, 50 },
		{ 570.683, 799.685, 100000 }, { 1.072, 2507.094, 50 },
	};
	for (int i = 0; i < 4; i++) {
		struct plan *p = load("triggers.log", i);
		ck_assert_uint_eq(p->ntriggers, 1);
		const struct plan_trigger *t = &p->triggers[0];
		ck_str(t->constraint_name, "payments_account_id_fkey");
		ck_assert(t->has_time);
		ck_assert_double_eq(t->calls, want[i].calls);
		ck_assert_double_eq_tol(plan_node_total_ms(p->root), want[i].root_ms, 1e-9);
		ck_assert_double_eq_tol(t->time_ms, want[i].trigger_ms, 1e-9);
		ck_assert(t->time_ms > plan_node_total_ms(p->root));
		plan_free(p);
	}
}
END_TEST

Suite *suite_plan_times(void);

Suite *suite_plan_times(void)
{
	Suite *s = suite_create("plan_times");
	TCase *tc = tcase_create("times");
	tcase_add_loop_test(tc, parallel_wall_time, 0, (int)ARRAY_SIZE(par_cases));
	tcase_add_test(tc, parallel_no_leader);
	tcase_add_test(tc, trigger_time);
	suite_add_tcase(s, tc);
	return s;
}
