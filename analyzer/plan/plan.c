/* plan.c: the plan model's two ends: plan_parse() hands a body to the
 * reader of its form (plan_json.c, plan_text.c), and plan_to_json() writes
 * a plan out as EXPLAIN (FORMAT JSON) text. Both stand on plan_model.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "strbuf.h"
#include "util.h"

struct plan *plan_parse(const char *body, size_t len, char *err, size_t errlen)
{
	while (len && (*body == ' ' || *body == '\t' || *body == '\n' || *body == '\r')) {
		body++;
		len--;
	}
	if (len == 0) {
		snprintf(err, errlen, "not a plan: empty body");
		return NULL;
	}
	struct plan *p = *body == '{' || *body == '[' ? plan_parse_json(body, len, err, errlen)
		: plan_parse_text(body, len, err, errlen);
	unsigned depth = 0;
	for (const struct plan_node *n = p ? p->root : NULL; n; n = plan_node_next(n))
		if (n->depth > depth)
			depth = n->depth;
	if (depth >= PLAN_MAX_DEPTH) {
		snprintf(err, errlen, "a plan nested deeper than %d nodes", PLAN_MAX_DEPTH);
		plan_free(p);
		return NULL;
	}
	return p;
}

/* ---- writing ---- */

/* A writer in EXPLAIN's layout: two spaces a level, one member a line. */
struct jw {
	struct strbuf sb;
	int depth;
	bool first;
};

static void jw_indent(struct jw *w)
{
	for (int i = 0; i < w->depth; i++)
		sb_append(&w->sb, "  ", 2);
}

static void jw_key(struct jw *w, const char *key)
{
	sb_append(&w->sb, w->first ? "\n" : ",\n", w->first ? 1 : 2);
	w->first = false;
	jw_indent(w);
	if (key) {
		plan_json_quote(&w->sb, key, strlen(key));
		sb_append(&w->sb, ": ", 2);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	sb_putc(&w->sb, c);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first) {
		sb_putc(&w->sb, '\n');
		jw_indent(w);
	}
	sb_putc(&w->sb, c);
	w->first = false;
}

static void jw_str(struct jw *w, const char *key, const char *s)
{
	if (!s)
		return;
	jw_key(w, key);
	plan_json_quote(&w->sb, s, strlen(s));
}

static void jw_raw(struct jw *w, const char *key, const char *json)
{
	jw_key(w, key);
	sb_append(&w->sb, json, strlen(json));
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_raw(w, key, v ? "true" : "false");
}

/* Numbers as EXPLAIN prints them: fixed decimals, but counts that PostgreSQL
 * 18 prints with two decimals keep them only when not whole. */
static void jw_num(struct jw *w, const char *key, double v, int decimals)
{
	char tmp[64];
	if (!isfinite(v))
		v = 0;
	if (fabs(v) >= 9223372036854775808.0) {
		/* PostgreSQL writes estimates past 2^63 as integers, which jansson
		 * refuses ("too big integer"): the plan would be lost from the
		 * JSON report. With an exponent every reader takes it as a
		 * number (and, having 17 digits, as the same double). */
		snprintf(tmp, sizeof(tmp), "%.17g", v);
		jw_raw(w, key, tmp);
		return;
	}
	if (decimals < 0)
		decimals = v == floor(v) ? 0 : 2;
	snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	/* No "-0": it reads back as 0 and writes differently. */
	jw_raw(w, key, tmp[0] == '-' && strspn(tmp + 1, "0.") == strlen(tmp + 1) ? tmp + 1 : tmp);
}

static void jw_int(struct jw *w, const char *key, int64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	jw_raw(w, key, tmp);
}

static void jw_list(struct jw *w, const char *key, const char **items, size_t n)
{
	if (!items)
		return;
	jw_key(w, key);
	sb_putc(&w->sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_append(&w->sb, ", ", 2);
		plan_json_quote(&w->sb, items[i], strlen(items[i]));
	}
	sb_putc(&w->sb, ']');
}

static bool is(const struct plan_node *n, const char *type)
{
	return n->node_type && strcmp(n->node_type, type) == 0;
}

static bool is_join(const struct plan_node *n)
{
	return is(n, "Nested Loop") || is(n, "Hash Join") || is(n, "Merge Join");
}

/* The key EXPLAIN gives the scanned object's name, by node type. */
static void write_target(struct jw *w, const struct plan_node *n)
{
	if (n->scan_direction)
		jw_str(w, "Scan Direction", n->scan_direction);
	jw_str(w, "Index Name", n->index_name);
	jw_str(w, "Relation Name", n->relation_name);
	jw_str(w, "Function Name", n->function_name);
	jw_str(w, "CTE Name", n->cte_name);
	jw_str(w, "Schema", n->schema);
	jw_str(w, "Alias", n->alias);
}

static void write_buffers(struct jw *w, const struct plan_node *n)
{
	const struct plan_buffers *b = &n->buffers;
	jw_int(w, "Shared Hit Blocks", b->shared_hit);
	jw_int(w, "Shared Read Blocks", b->shared_read);
	jw_int(w, "Shared Dirtied Blocks", b->shared_dirtied);
	jw_int(w, "Shared Written Blocks", b->shared_written);
	jw_int(w, "Local Hit Blocks", b->local_hit);
	jw_int(w, "Local Read Blocks", b->local_read);
	jw_int(w, "Local Dirtied Blocks", b->local_dirtied);
	jw_int(w, "Local Written Blocks", b->local_written);
	jw_int(w, "Temp Read Blocks", b->temp_read);
	jw_int(w, "Temp Written Blocks", b->temp_written);
}

/* Whether v written with that many decimals is not zero: what decides on
 * writing a figure must be what reads back. */
static bool shows(double v, int decimals)
{
	return fabs(v) >= 0.5 * pow(10, -decimals);
}

/* Only timings that are not all zero: the text form leaves zeros out, so
 * writing JSON's zeros would make the two forms differ. */
static void write_io(struct jw *w, const struct plan_node *n)
{
	const struct plan_io *io = &n->io;
	if (!n->has_io_timing || !(shows(io->shared_read_ms, 3) || shows(io->shared_write_ms, 3)
			|| shows(io->local_read_ms, 3) || shows(io->local_write_ms, 3)
			|| shows(io->temp_read_ms, 3) || shows(io->temp_write_ms, 3)))
		return;
	if (n->io_lumped) {
		jw_num(w, "I/O Read Time", io->shared_read_ms, 3);
		jw_num(w, "I/O Write Time", io->shared_write_ms, 3);
	} else {
		jw_num(w, "Shared I/O Read Time", io->shared_read_ms, 3);
		jw_num(w, "Shared I/O Write Time", io->shared_write_ms, 3);
		jw_num(w, "Local I/O Read Time", io->local_read_ms, 3);
		jw_num(w, "Local I/O Write Time", io->local_write_ms, 3);
	}
	jw_num(w, "Temp I/O Read Time", io->temp_read_ms, 3);
	jw_num(w, "Temp I/O Write Time", io->temp_write_ms, 3);
}

/* The execution figures a node and its workers share. */
static void write_actuals(struct jw *w, const struct plan_node *n)
{
	if (n->has_actual || n->never_executed) {
		if (n->has_timing) {
			jw_num(w, "Actual Startup Time", n->actual_startup_ms, 3);
			jw_num(w, "Actual Total Time", n->actual_total_ms, 3);
		}
		jw_num(w, "Actual Rows", n->actual_rows, -1);
		jw_num(w, "Actual Loops", n->actual_loops, 0);
	}
}

static void write_sort(struct jw *w, const struct plan_node *n)
{
	if (!n->sort_method)
		return;
	jw_str(w, "Sort Method", n->sort_method);
	jw_int(w, "Sort Space Used", n->sort_space_kb);
	jw_str(w, "Sort Space Type", n->sort_space_type ? n->sort_space_type : "Memory");
}

static void write_hashagg(struct jw *w, const struct plan_node *n)
{
	if (!n->has_hashagg)
		return;
	jw_int(w, "HashAgg Batches", n->hashagg_batches);
	jw_int(w, "Peak Memory Usage", n->peak_memory_kb);
	jw_int(w, "Disk Usage", n->disk_usage_kb);
}

static void write_extras(struct jw *w, const struct plan_extra *e)
{
	for (; e; e = e->next)
		jw_raw(w, e->key, e->json);
}

static void write_worker(struct jw *w, const struct plan *p, const struct plan_node *n)
{
	jw_open(w, NULL, '{');
	jw_int(w, "Worker Number", n->worker_number);
	write_actuals(w, n);
	write_sort(w, n);
	write_hashagg(w, n);
	if (n->has_peak_memory && !n->has_hashagg)
		jw_int(w, "Peak Memory Usage", n->peak_memory_kb);
	write_extras(w, n->extras);
	if (n->has_buffers || (p->has_buffers && n->has_actual))
		write_buffers(w, n);
	write_io(w, n);
	jw_close(w, '}');
}

static void write_node(struct jw *w, const struct plan *p, const struct plan_node *n)
{
	bool analyzed = n->has_actual || n->never_executed;
	jw_str(w, "Node Type", n->node_type ? n->node_type : "???");
	jw_str(w, "Strategy", n->strategy);
	jw_str(w, "Partial Mode", n->partial_mode);
	jw_str(w, "Operation", n->operation);
	jw_str(w, "Parent Relationship", n->parent_relationship);
	jw_str(w, "Subplan Name", n->subplan_name);
	jw_str(w, "Custom Plan Provider", n->custom_provider);
	jw_bool(w, "Parallel Aware", n->parallel_aware);
	jw_bool(w, "Async Capable", n->async_capable);
	write_target(w, n);
	jw_str(w, "Join Type", n->join_type);
	jw_str(w, "Command", n->command);
	if (n->has_costs) {
		jw_num(w, "Startup Cost", n->startup_cost, 2);
		jw_num(w, "Total Cost", n->total_cost, 2);
		jw_num(w, "Plan Rows", n->plan_rows, -1);
		jw_int(w, "Plan Width", n->plan_width);
	}
	write_actuals(w, n);
	if (is_join(n) && n->inner_unique >= 0)
		jw_bool(w, "Inner Unique", n->inner_unique);
	jw_list(w, "Sort Key", n->sort_key, n->nsort_key);
	jw_list(w, "Group Key", n->group_key, n->ngroup_key);
	jw_str(w, "Index Cond", n->index_cond);
	jw_str(w, "Recheck Cond", n->recheck_cond);
	/* EXPLAIN JSON writes the zero counts that text leaves out where the
	 * node has the condition they count. */
	bool recheck = n->recheck_cond || (n->index_cond
		&& (is(n, "Index Scan") || is(n, "Index Only Scan")));
	if ((recheck && analyzed) || shows(n->rows_removed_by_index_recheck, 0))
		jw_num(w, "Rows Removed by Index Recheck", n->rows_removed_by_index_recheck, 0);
	jw_str(w, "Merge Cond", n->merge_cond);
	jw_str(w, "Hash Cond", n->hash_cond);
	jw_str(w, "Join Filter", n->join_filter);
	if ((n->join_filter && analyzed) || shows(n->rows_removed_by_join_filter, 0))
		jw_num(w, "Rows Removed by Join Filter", n->rows_removed_by_join_filter, 0);
	jw_str(w, "Filter", n->filter);
	if ((n->filter && analyzed) || shows(n->rows_removed_by_filter, 0))
		jw_num(w, "Rows Removed by Filter", n->rows_removed_by_filter, 0);
	if (is(n, "Index Only Scan") && analyzed)
		jw_num(w, "Heap Fetches", n->heap_fetches, 0);
	if (is(n, "Bitmap Heap Scan") && analyzed) {
		jw_int(w, "Exact Heap Blocks", n->exact_heap_blocks);
		jw_int(w, "Lossy Heap Blocks", n->lossy_heap_blocks);
	}
	write_sort(w, n);
	if (n->has_hash) {
		jw_int(w, "Hash Buckets", n->hash_buckets);
		jw_int(w, "Original Hash Buckets", n->orig_hash_buckets);
		jw_int(w, "Hash Batches", n->hash_batches);
		jw_int(w, "Original Hash Batches", n->orig_hash_batches);
		jw_int(w, "Peak Memory Usage", n->peak_memory_kb);
	}
	if (is(n, "Aggregate") && n->strategy && (strcmp(n->strategy, "Hashed") == 0
			|| strcmp(n->strategy, "Mixed") == 0))
		jw_int(w, "Planned Partitions", n->planned_partitions);
	write_hashagg(w, n);
	if (n->has_peak_memory && !n->has_hash && !n->has_hashagg)
		jw_int(w, "Peak Memory Usage", n->peak_memory_kb);
	if (n->workers_planned >= 0)
		jw_int(w, "Workers Planned", n->workers_planned);
	if (n->workers_launched >= 0)
		jw_int(w, "Workers Launched", n->workers_launched);
	if (is(n, "Gather"))
		jw_bool(w, "Single Copy", n->single_copy);
	write_extras(w, n->extras);
	if (p->has_buffers)
		write_buffers(w, n);
	write_io(w, n);
	if (n->nworkers) {
		jw_open(w, "Workers", '[');
		for (size_t i = 0; i < n->nworkers; i++)
			write_worker(w, p, n->workers[i]);
		jw_close(w, ']');
	}
	if (n->nchildren) {
		jw_open(w, "Plans", '[');
		for (size_t i = 0; i < n->nchildren; i++) {
			jw_open(w, NULL, '{');
			write_node(w, p, n->children[i]);
			jw_close(w, '}');
		}
		jw_close(w, ']');
	}
}

static void write_jit(struct jw *w, const struct plan_jit *j)
{
	jw_open(w, "JIT", '{');
	jw_int(w, "Functions", j->functions);
	jw_open(w, "Options", '{');
	jw_bool(w, "Inlining", j->inlining);
	jw_bool(w, "Optimization", j->optimization);
	jw_bool(w, "Expressions", j->expressions);
	jw_bool(w, "Deforming", j->deforming);
	jw_close(w, '}');
	if (j->has_timing) {
		jw_open(w, "Timing", '{');
		if (j->has_deform) {
			jw_open(w, "Generation", '{');
			jw_num(w, "Deform", j->deform_ms, 3);
			jw_num(w, "Total", j->generation_ms, 3);
			jw_close(w, '}');
		} else {
			jw_num(w, "Generation", j->generation_ms, 3);
		}
		jw_num(w, "Inlining", j->inlining_ms, 3);
		jw_num(w, "Optimization", j->optimization_ms, 3);
		jw_num(w, "Emission", j->emission_ms, 3);
		jw_num(w, "Total", j->total_ms, 3);
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

char *plan_to_json(const struct plan *p)
{
	struct jw w = { STRBUF_INIT, 0, true };
	sb_putc(&w.sb, '{');
	w.depth = 1;
	jw_str(&w, "Query Text", p->query_text);
	if (p->root) {
		jw_open(&w, "Plan", '{');
		write_node(&w, p, p->root);
		jw_close(&w, '}');
	}
	write_extras(&w, p->extras);
	if (p->has_planning_time)
		jw_num(&w, "Planning Time", p->planning_ms, 3);
	if (p->ntriggers) {
		jw_open(&w, "Triggers", '[');
		for (size_t i = 0; i < p->ntriggers; i++) {
			const struct plan_trigger *t = &p->triggers[i];
			jw_open(&w, NULL, '{');
			jw_str(&w, "Trigger Name", t->name);
			jw_str(&w, "Constraint Name", t->constraint_name);
			jw_str(&w, "Relation", t->relation);
			if (t->has_time)
				jw_num(&w, "Time", t->time_ms, 3);
			jw_num(&w, "Calls", t->calls, 0);
			jw_close(&w, '}');
		}
		jw_close(&w, ']');
	}
	if (p->has_jit)
		write_jit(&w, &p->jit);
	if (p->has_execution_time)
		jw_num(&w, "Execution Time", p->execution_ms, 3);
	jw_close(&w, '}');
	return w.sb.buf;
}
