/* advice_plan.c: advice read from plan nodes.
 *
 * - sort_spill, one per group: sorts on disk, hash joins in batches, hash
 *   aggregates spilling, lossy bitmap heap blocks and the group's temporary
 *   files, with the work_mem that would have held the largest of them
 *   (maintenance_work_mem for CREATE INDEX, REINDEX, CLUSTER, VACUUM and
 *   ALTER TABLE building an index); none for temporary files alone when a
 *   third of the plan's time or more went to triggers (advice_plan_time.c).
 * - row_misestimate, one per (table, columns): a scan whose actual rows are
 *   off from the planned rows by the limit ratio, feeding a join or a sort;
 *   ANALYZE, and extended statistics when several columns are compared.
 * - table_bloat, one per table: index-only scans fetching heap pages
 *   (the visibility map is behind: VACUUM).
 * - slow_query, one per run: parallel workers planned but not launched.
 * - slow_query, one per group: JIT compilation taking over JIT_SHARE of the
 *   plan's execution time and at least JIT_MIN_MS; raise the jit_*_cost
 *   thresholds above the plan's cost, or jit = off. Being the group's
 *   slow_query finding, it stands in for advice.c's generic one, whose
 *   "hot node" would be the node JIT's time was charged to.
 * The group's worst plan is what is read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "events.h"
#include "strbuf.h"
#include "util.h"

static void sb_str(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

/* ---- work_mem ---- */

#define SPILL_TRIGGER_SHARE (1.0 / 3) /* of the plan's time, in triggers */

struct spill {
	const struct adv_ctx *c;
	json_t *nodes;
	double need_kb;         /* work_mem that would have held the largest */
};

static void spill_node(struct spill *s, const struct plan_node *n, const char *what,
		double used_kb, double need_kb)
{
	if (need_kb > s->need_kb)
		s->need_kb = need_kb;
	json_array_append_new(s->nodes, json_pack("{s:s, s:s, s:s?, s:f, s:f}", "node_type",
		n->node_type ? n->node_type : "", "what", what, "relation", n->relation_name,
		"space_kb", used_kb, "work_mem_needed_kb", need_kb));
}

static int spill_visit(const struct plan_node *n, void *arg)
{
	struct spill *s = arg;
	if (plan_node_sort_spilled(n)) {
		/* An in-memory sort takes about twice the space of its run files. */
		int64_t kb = n->sort_space_kb;
		for (size_t i = 0; i < n->nworkers; i++)
			if (n->workers[i]->sort_space_kb > kb)
				kb = n->workers[i]->sort_space_kb;
		spill_node(s, n, "sort on disk", (double)kb, 2.0 * (double)kb);
	}
	if (n->has_hash && n->hash_batches > 1)
		spill_node(s, n, "hash in batches", (double)n->peak_memory_kb,
			(double)n->peak_memory_kb * (double)n->hash_batches);
	if (n->has_hashagg && (n->disk_usage_kb > 0 || n->hashagg_batches > 1))
		spill_node(s, n, "hash aggregate on disk", (double)n->disk_usage_kb,
			(double)n->peak_memory_kb + 2.0 * (double)n->disk_usage_kb);
	if (n->lossy_heap_blocks > 0) {
		/* About 64 bytes of bitmap per exact heap page, doubled for margin. */
		double pages = (double)(n->exact_heap_blocks + n->lossy_heap_blocks);
		spill_node(s, n, "lossy bitmap heap blocks", (double)n->lossy_heap_blocks,
			pages * 128.0 / 1024.0);
	}
	return 0;
}

static const struct ev_temp_group *temp_of(const struct adv_ctx *c, uint64_t fp)
{
	const struct ev_temp_files *tf = c->a->events ? events_temp_files(c->a->events) : NULL;
	for (size_t i = 0; tf && i < tf->ngroups; i++)
		if (tf->groups[i].has_fingerprint && tf->groups[i].fingerprint == fp)
			return &tf->groups[i];
	return NULL;
}

static void spill_run(struct adv_ctx *c, struct adv_item *it)
{
	struct spill s = { .c = c, .nodes = json_array() };
	if (it->plan)
		plan_walk(it->plan, spill_visit, &s);
	const struct ev_temp_group *tg = temp_of(c, it->g->fingerprint);
	/* Temporary files of a plan whose nodes show no spill and whose time
	 * went largely to triggers (a seed INSERT's tuplestore, its foreign-key
	 * checks taking the time): work_mem would gain little, and slow_query
	 * says where the time went. */
	bool triggers = it->plan && json_array_size(s.nodes) == 0 &&
		adv_plan_trigger_share(it) >= SPILL_TRIGGER_SHARE;
	if ((json_array_size(s.nodes) == 0 && !tg) || triggers) {
		json_decref(s.nodes);
		return;
	}
	if (tg && s.need_kb == 0)
		s.need_kb = 2.0 * (double)tg->max_bytes / 1024.0;
	double mb = ceil(s.need_kb / 1024.0);
	if (mb < 1)
		mb = 1;
	const struct group *g = it->g;
	const char *maint = adv_maintenance_of(g->query);
	const char *setting = maint ? "maintenance_work_mem" : "work_mem";
	struct finding *f = adv_add(c, FK_sort_spill, g->total_ms, adv_band(c, g), g->calls,
		"%s too small (needs about %.0f MB): %.120s", setting, mb, g->query);
	finding_set_fingerprint(f, g->fingerprint);
	json_t *gj = adv_group_json(c, g);
	json_object_update(f->evidence, gj);
	json_decref(gj);
	json_object_set_new(f->evidence, "nodes", s.nodes);
	if (tg)
		json_object_set_new(f->evidence, "temp_files", json_pack("{s:I, s:I, s:I}",
			"count", (json_int_t)tg->count, "bytes", (json_int_t)tg->bytes,
			"max_bytes", (json_int_t)tg->max_bytes));
	json_object_set_new(f->evidence, "work_mem_needed_kb", json_real(s.need_kb));
	if (maint) {
		json_object_set_new(f->evidence, "setting", json_string(setting));
		json_object_set_new(f->evidence, "maintenance", json_string(maint));
		finding_set_suggestion(f, "-- %s sorts in maintenance_work_mem, not work_mem; "
			"for the session that runs it (autovacuum's workers: autovacuum_work_mem)\n"
			"SET maintenance_work_mem = '%.0fMB';", maint, mb);
	} else {
		finding_set_suggestion(f, "-- for the sessions that run it (or ALTER ROLE ... SET work_mem)\n"
			"SET work_mem = '%.0fMB';", mb);
	}
	adv_item_helped(it, f);
}

/* ---- JIT ---- */

#define JIT_SHARE 0.10          /* of the plan's execution time */
#define JIT_MIN_MS 5.0

/* A jit_*_above_cost that this plan's cost stays under: a power of ten
 * above twice the cost, never below floor (PostgreSQL's default). */
static double jit_cost_above(const struct plan *p, double floor_cost)
{
	if (!p->root->has_costs || p->root->total_cost <= 0)
		return floor_cost;
	double v = pow(10, ceil(log10(2 * p->root->total_cost)));
	return v > floor_cost ? v : floor_cost;
}

static void jit_run(struct adv_ctx *c, struct adv_item *it)
{
	const struct plan *p = it->plan;
	const struct plan_jit *j = &p->jit;
	if (!p->has_jit || !j->has_timing || j->total_ms < JIT_MIN_MS)
		return;
	const char *from;
	double exec = adv_plan_duration(it, &from);
	if (exec <= 0 || j->total_ms < JIT_SHARE * exec)
		return;
	/* The timers are not the same: JIT's total can pass the duration by a
	 * hair when compiling is nearly all the statement did. */
	double share = j->total_ms >= exec ? 1 : j->total_ms / exec;
	const struct group *g = it->g;
	struct finding *f = adv_add(c, FK_slow_query, share * g->total_ms, adv_band(c, g), g->calls,
		"JIT compilation takes %.0f%% of the plan's time (%.1f of %.1f ms): %.120s",
		100 * share, j->total_ms, exec, g->query);
	finding_set_fingerprint(f, g->fingerprint);
	json_t *gj = adv_group_json(c, g);
	json_object_update(f->evidence, gj);
	json_decref(gj);
	json_object_set_new(f->evidence, "jit_ms", json_real(j->total_ms));
	json_object_set_new(f->evidence, "execution_ms", json_real(exec));
	json_object_set_new(f->evidence, "execution_from", json_string(from));
	json_object_set_new(f->evidence, "share", json_real(share));
	json_object_set_new(f->evidence, "functions", json_integer((json_int_t)j->functions));
	json_object_set_new(f->evidence, "options", json_pack("{s:b, s:b, s:b, s:b}",
		"inlining", j->inlining, "optimization", j->optimization,
		"expressions", j->expressions, "deforming", j->deforming));
	json_object_set_new(f->evidence, "timing_ms", json_pack("{s:f, s:f, s:f, s:f}",
		"generation", j->generation_ms, "inlining", j->inlining_ms,
		"optimization", j->optimization_ms, "emission", j->emission_ms));
	if (p->root->has_costs)
		json_object_set_new(f->evidence, "plan_cost", json_real(p->root->total_cost));
	double above = jit_cost_above(p, 100000), inline_above = jit_cost_above(p, 500000);
	char cost[64] = "";
	if (p->root->has_costs)
		snprintf(cost, sizeof(cost), " (its cost: %.0f)", p->root->total_cost);
	finding_set_suggestion(f, "-- JIT compiled %lld functions: %.1f ms generating, %.1f ms "
		"inlining, %.1f ms optimizing, %.1f ms emitting\n"
		"-- for the sessions that run it (or ALTER ROLE / ALTER DATABASE ... SET), "
		"keep this plan%s under the thresholds:\n"
		"SET jit_above_cost = %.0f;\nSET jit_inline_above_cost = %.0f;\n"
		"SET jit_optimize_above_cost = %.0f;\n-- or turn JIT off for them:\nSET jit = off;",
		(long long)j->functions, j->generation_ms, j->inlining_ms, j->optimization_ms,
		j->emission_ms, cost, above, inline_above, inline_above);
	adv_item_helped(it, f);
}

/* ---- row misestimates ---- */

static bool feeds_join_or_sort(const struct plan_node *n)
{
	const struct plan_node *p = n->parent;
	/* Hash, Materialize and Memoize only pass rows on. */
	while (p && p->node_type && (strcmp(p->node_type, "Hash") == 0 ||
			strcmp(p->node_type, "Materialize") == 0 || strcmp(p->node_type, "Memoize") == 0))
		p = p->parent;
	if (!p || !p->node_type)
		return false;
	return strcmp(p->node_type, "Nested Loop") == 0 || strcmp(p->node_type, "Hash Join") == 0 ||
		strcmp(p->node_type, "Merge Join") == 0 || strstr(p->node_type, "Sort") != NULL;
}

/* Fewer rows than planned is no misestimate when a Limit, a semi or anti
 * join or a merge join stopped the node early. */
static bool may_stop_early(const struct plan_node *n)
{
	for (const struct plan_node *p = n->parent; p; p = p->parent) {
		if (!p->node_type)
			continue;
		if (strcmp(p->node_type, "Limit") == 0 || strcmp(p->node_type, "Merge Join") == 0)
			return true;
		if (p->join_type && (strcmp(p->join_type, "Semi") == 0 || strcmp(p->join_type, "Anti") == 0))
			return true;
	}
	return false;
}

struct mis {
	struct adv_ctx *c;
	struct adv_item *it;
	struct mis_set *set;
};

struct mis_entry {
	char *key;
	struct finding *f;
};

struct mis_set {
	struct mis_entry *v;
	size_t n;
};

static int mis_visit(const struct plan_node *n, void *arg)
{
	struct mis *m = arg;
	const struct advice_limits *l = m->c->l;
	if (!n->relation_name || !n->has_actual || n->never_executed || !n->has_costs ||
			!feeds_join_or_sort(n))
		return 0;
	double ratio = plan_node_misestimate(n);
	double big = n->actual_rows > n->plan_rows ? n->actual_rows : n->plan_rows;
	if (ratio < l->misestimate || big < l->min_misestimate_rows)
		return 0;
	if (n->actual_rows < n->plan_rows && may_stop_early(n))
		return 0;
	/* The columns the node compares, from the statement. */
	const struct adv_query *q = m->it->q;
	const char *t = NULL;
	for (size_t i = 0; q && i < q->ntables && !t; i++)
		if (adv_same_table(q->tables[i], n->schema, n->relation_name))
			t = q->tables[i];
	if (!t)
		t = n->relation_name;
	const char *conds[3] = { n->filter, n->index_cond, n->recheck_cond };
	for (size_t k = 0; k < n->nchildren; k++)
		if (n->children[k]->node_type && strcmp(n->children[k]->node_type, "Bitmap Index Scan") == 0)
			conds[2] = n->children[k]->index_cond;
	const char *cols[8];
	size_t ncols = 0;
	for (size_t i = 0; q && i < q->npreds && ncols < 8; i++) {
		const struct adv_pred *p = &q->preds[i];
		if (p->use == ADV_JOIN || (p->table && strcmp(p->table, t) != 0))
			continue;
		bool seen = false, dup = false;
		for (int k = 0; k < 3; k++)
			seen = seen || adv_mentions(conds[k], p->column);
		for (size_t k = 0; k < ncols; k++)
			dup = dup || strcmp(cols[k], p->column) == 0;
		if (seen && !dup)
			cols[ncols++] = p->column;
	}
	struct strbuf key = STRBUF_INIT, sql = STRBUF_INIT;
	sb_str(&key, t);
	for (size_t i = 0; i < ncols; i++) {
		sb_putc(&key, i ? ',' : ':');
		sb_str(&key, cols[i]);
	}
	struct mis_set *set = m->set;
	struct finding *f = NULL;
	for (size_t i = 0; i < set->n && !f; i++)
		if (strcmp(set->v[i].key, key.buf) == 0)
			f = set->v[i].f;
	const struct group *g = m->it->g;
	json_t *node = json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:s?}", "node_type", n->node_type,
		"relation", n->relation_name, "plan_rows", n->plan_rows, "actual_rows", n->actual_rows,
		"loops", n->actual_loops, "ratio", ratio, "condition", n->filter ? n->filter : n->index_cond);
	json_t *gj = adv_group_json(m->c, g);
	json_object_set_new(gj, "node", node);
	if (f) {
		f->impact_ms += g->total_ms;
		json_array_append_new(json_object_get(f->evidence, "groups"), gj);
	} else {
		f = adv_add(m->c, FK_row_misestimate, g->total_ms, adv_band(m->c, g), g->calls,
			"Rows on %s %s by %.0fx (planned %.0f, got %.0f)%s", t,
			n->actual_rows > n->plan_rows ? "underestimated" : "overestimated", ratio,
			n->plan_rows, n->actual_rows, ncols > 1 ? ": correlated columns?" : "");
		finding_set_table(f, t);
		for (size_t i = 0; i < ncols; i++)
			finding_add_column(f, cols[i]);
		json_object_set_new(f->evidence, "groups", json_pack("[o]", gj));
		if (ncols > 1) {
			sb_str(&sql, "CREATE STATISTICS ");
			struct strbuf name = STRBUF_INIT;
			const char *dot = strrchr(t, '.');
			sb_str(&name, dot ? dot + 1 : t);
			for (size_t i = 0; i < ncols; i++) {
				sb_putc(&name, '_');
				sb_str(&name, cols[i]);
			}
			sb_str(&name, "_stats");
			adv_ident(&sql, name.buf);
			sb_release(&name);
			sb_str(&sql, " (dependencies, mcv) ON ");
			for (size_t i = 0; i < ncols; i++) {
				if (i)
					sb_str(&sql, ", ");
				adv_ident(&sql, cols[i]);
			}
			sb_str(&sql, " FROM ");
			adv_ident(&sql, t);
			sb_str(&sql, ";\n");
		}
		sb_str(&sql, "ANALYZE ");
		adv_ident(&sql, t);
		sb_str(&sql, ";");
		finding_set_suggestion(f, "%s", sql.buf);
		set->v = xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
		set->v[set->n].key = xstrdup(key.buf);
		set->v[set->n++].f = f;
	}
	adv_item_helped(m->it, f);
	sb_release(&key);
	sb_release(&sql);
	return 0;
}

/* ---- heap fetches, parallel workers ---- */

struct run_state {
	struct adv_ctx *c;
	struct adv_item *it;
	struct mis_set heap;    /* per table */
	struct finding *workers;
};

static int other_visit(const struct plan_node *n, void *arg)
{
	struct run_state *rs = arg;
	const struct group *g = rs->it->g;
	double fetches = n->heap_fetches;     /* EXPLAIN gives the total over loops */
	double rows = plan_node_rows(n);
	if (n->node_type && strcmp(n->node_type, "Index Only Scan") == 0 && n->relation_name &&
			fetches >= rs->c->l->min_heap_fetches && fetches >= 0.5 * rows) {
		struct finding *f = NULL;
		for (size_t i = 0; i < rs->heap.n && !f; i++)
			if (strcmp(rs->heap.v[i].key, n->relation_name) == 0)
				f = rs->heap.v[i].f;
		json_t *gj = adv_group_json(rs->c, g);
		json_object_set_new(gj, "node", json_pack("{s:s?, s:f, s:f}", "index", n->index_name,
			"heap_fetches", fetches, "rows", rows));
		if (f) {
			f->impact_ms += g->total_ms;
			json_array_append_new(json_object_get(f->evidence, "groups"), gj);
		} else {
			f = adv_add(rs->c, FK_table_bloat, g->total_ms, adv_band(rs->c, g), g->calls,
				"Index-only scans on %s fetch heap pages (%.0f fetches for %.0f rows): "
				"its visibility map is behind", n->relation_name, fetches, rows);
			finding_set_table(f, n->relation_name);
			if (n->index_name)
				finding_set_index(f, n->index_name);
			json_object_set_new(f->evidence, "groups", json_pack("[o]", gj));
			struct strbuf sql = STRBUF_INIT;
			sb_str(&sql, "VACUUM (ANALYZE) ");
			adv_ident(&sql, n->relation_name);
			sb_str(&sql, ";\n-- and let autovacuum visit it more often "
				"(autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_scale_factor)");
			finding_set_suggestion(f, "%s", sql.buf);
			sb_release(&sql);
			rs->heap.v = xrealloc(rs->heap.v, (rs->heap.n + 1) * sizeof(*rs->heap.v));
			rs->heap.v[rs->heap.n].key = xstrdup(n->relation_name);
			rs->heap.v[rs->heap.n++].f = f;
		}
		adv_item_helped(rs->it, f);
	}
	if (n->workers_planned > 0 && n->workers_launched >= 0 && n->workers_launched < n->workers_planned) {
		json_t *gj = adv_group_json(rs->c, g);
		json_object_set_new(gj, "node", json_pack("{s:s, s:i, s:i}", "node_type", n->node_type,
			"workers_planned", n->workers_planned, "workers_launched", n->workers_launched));
		if (!rs->workers) {
			rs->workers = adv_add(rs->c, FK_slow_query, 0, BAND_GOOD, 0,
				"Parallel workers planned but not launched: the worker pool is exhausted");
			json_object_set_new(rs->workers->evidence, "groups", json_array());
			finding_set_suggestion(rs->workers, "-- raise the pool (postgresql.conf; "
				"max_worker_processes needs a restart)\nALTER SYSTEM SET max_parallel_workers = 16;\n"
				"ALTER SYSTEM SET max_worker_processes = 16;");
		}
		json_t *arr = json_object_get(rs->workers->evidence, "groups");
		bool dup = false;
		size_t i;
		json_t *v;
		json_array_foreach(arr, i, v)
			dup = dup || json_equal(json_object_get(v, "fingerprint"), json_object_get(gj, "fingerprint"));
		if (!dup) {
			rs->workers->impact_ms += g->total_ms;
			json_array_append(arr, gj);
			adv_item_helped(rs->it, rs->workers);
		}
		json_decref(gj);
	}
	return 0;
}

static void free_set(struct mis_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].key);
	free(s->v);
}

void adv_plan_run(struct adv_ctx *c)
{
	struct mis_set mset = { 0 };
	struct run_state rs = { .c = c };
	for (size_t i = 0; i < c->n; i++) {
		struct adv_item *it = &c->items[i];
		spill_run(c, it);
		if (!it->plan)
			continue;
		jit_run(c, it);
		struct mis m = { .c = c, .it = it, .set = &mset };
		plan_walk(it->plan, mis_visit, &m);
		rs.it = it;
		plan_walk(it->plan, other_visit, &rs);
	}
	/* Findings that grew over several groups: severity from the total. */
	struct finding *grown[1] = { rs.workers };
	for (size_t i = 0; i < mset.n + rs.heap.n + 1; i++) {
		struct finding *f = i < mset.n ? mset.v[i].f :
			i < mset.n + rs.heap.n ? rs.heap.v[i - mset.n].f : grown[0];
		json_t *groups = f ? json_object_get(f->evidence, "groups") : NULL;
		if (json_array_size(groups) < 1)
			continue;
		enum band worst = BAND_GOOD;
		uint64_t calls = 0;
		size_t k;
		json_t *v;
		json_array_foreach(groups, k, v) {
			const char *b = json_string_value(json_object_get(v, "band"));
			for (int x = BAND_CRITICAL; x > (int)worst; x--)
				if (b && strcmp(b, report_band_name((enum band)x)) == 0)
					worst = (enum band)x;
			calls += (uint64_t)json_integer_value(json_object_get(v, "calls"));
		}
		f->severity = adv_severity(c, f->impact_ms, worst, calls);
	}
	free_set(&mset);
	free_set(&rs.heap);
}
