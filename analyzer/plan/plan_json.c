/* plan_json.c: reads plans in auto_explain's JSON form (EXPLAIN (FORMAT
 * JSON)) into the plan model. Keys the model has a field for are read by
 * the table below; the others are kept as extras so they are written back. */
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "util.h"

enum kind { K_STR, K_NUM, K_I64, K_INT, K_BOOL, K_TRI, K_LIST, K_SKIP };

struct field {
	const char *key;
	enum kind kind;
	long off;               /* of the value in struct plan_node */
	long flag, flag2;       /* of bools set when the key is seen, or -1;
	                           for a list, flag is where its length goes */
};

#define NODE(m) ((long)offsetof(struct plan_node, m))
#define F(key, kind, m) { key, kind, NODE(m), -1, -1 }
#define FF(key, kind, m, f) { key, kind, NODE(m), NODE(f), -1 }
#define BUF(key, m) { key, K_I64, NODE(buffers.m), NODE(has_buffers), -1 }
#define IO(key, m) { key, K_NUM, NODE(io.m), NODE(has_io_timing), -1 }

static const struct field fields[] = {
	F("Node Type", K_STR, node_type),
	F("Strategy", K_STR, strategy),
	F("Partial Mode", K_STR, partial_mode),
	F("Operation", K_STR, operation),
	F("Join Type", K_STR, join_type),
	F("Command", K_STR, command),
	F("Custom Plan Provider", K_STR, custom_provider),
	F("Parent Relationship", K_STR, parent_relationship),
	F("Subplan Name", K_STR, subplan_name),
	F("Relation Name", K_STR, relation_name),
	F("Schema", K_STR, schema),
	F("Alias", K_STR, alias),
	F("Index Name", K_STR, index_name),
	F("Scan Direction", K_STR, scan_direction),
	F("Function Name", K_STR, function_name),
	F("CTE Name", K_STR, cte_name),
	F("Parallel Aware", K_BOOL, parallel_aware),
	F("Async Capable", K_BOOL, async_capable),
	F("Single Copy", K_BOOL, single_copy),
	F("Inner Unique", K_TRI, inner_unique),
	FF("Startup Cost", K_NUM, startup_cost, has_costs),
	FF("Total Cost", K_NUM, total_cost, has_costs),
	FF("Plan Rows", K_NUM, plan_rows, has_costs),
	FF("Plan Width", K_INT, plan_width, has_costs),
	{ "Actual Startup Time", K_NUM, NODE(actual_startup_ms), NODE(has_timing), NODE(has_actual) },
	{ "Actual Total Time", K_NUM, NODE(actual_total_ms), NODE(has_timing), NODE(has_actual) },
	FF("Actual Rows", K_NUM, actual_rows, has_actual),
	FF("Actual Loops", K_NUM, actual_loops, has_actual),
	F("Filter", K_STR, filter),
	F("Index Cond", K_STR, index_cond),
	F("Recheck Cond", K_STR, recheck_cond),
	F("Hash Cond", K_STR, hash_cond),
	F("Merge Cond", K_STR, merge_cond),
	F("Join Filter", K_STR, join_filter),
	F("Rows Removed by Filter", K_NUM, rows_removed_by_filter),
	F("Rows Removed by Join Filter", K_NUM, rows_removed_by_join_filter),
	F("Rows Removed by Index Recheck", K_NUM, rows_removed_by_index_recheck),
	FF("Sort Key", K_LIST, sort_key, nsort_key),
	FF("Group Key", K_LIST, group_key, ngroup_key),
	F("Sort Method", K_STR, sort_method),
	F("Sort Space Type", K_STR, sort_space_type),
	F("Sort Space Used", K_I64, sort_space_kb),
	FF("Hash Buckets", K_I64, hash_buckets, has_hash),
	FF("Original Hash Buckets", K_I64, orig_hash_buckets, has_hash),
	FF("Hash Batches", K_I64, hash_batches, has_hash),
	FF("Original Hash Batches", K_I64, orig_hash_batches, has_hash),
	FF("HashAgg Batches", K_I64, hashagg_batches, has_hashagg),
	FF("Disk Usage", K_I64, disk_usage_kb, has_hashagg),
	F("Planned Partitions", K_I64, planned_partitions),
	FF("Peak Memory Usage", K_I64, peak_memory_kb, has_peak_memory),
	F("Heap Fetches", K_NUM, heap_fetches),
	F("Exact Heap Blocks", K_I64, exact_heap_blocks),
	F("Lossy Heap Blocks", K_I64, lossy_heap_blocks),
	F("Workers Planned", K_INT, workers_planned),
	F("Workers Launched", K_INT, workers_launched),
	F("Worker Number", K_INT, worker_number),
	BUF("Shared Hit Blocks", shared_hit),
	BUF("Shared Read Blocks", shared_read),
	BUF("Shared Dirtied Blocks", shared_dirtied),
	BUF("Shared Written Blocks", shared_written),
	BUF("Local Hit Blocks", local_hit),
	BUF("Local Read Blocks", local_read),
	BUF("Local Dirtied Blocks", local_dirtied),
	BUF("Local Written Blocks", local_written),
	BUF("Temp Read Blocks", temp_read),
	BUF("Temp Written Blocks", temp_written),
	/* Up to PostgreSQL 16, shared and local reads were timed together. */
	{ "I/O Read Time", K_NUM, NODE(io.shared_read_ms), NODE(has_io_timing), NODE(io_lumped) },
	{ "I/O Write Time", K_NUM, NODE(io.shared_write_ms), NODE(has_io_timing), NODE(io_lumped) },
	IO("Shared I/O Read Time", shared_read_ms),
	IO("Shared I/O Write Time", shared_write_ms),
	IO("Local I/O Read Time", local_read_ms),
	IO("Local I/O Write Time", local_write_ms),
	IO("Temp I/O Read Time", temp_read_ms),
	IO("Temp I/O Write Time", temp_write_ms),
	/* A node's "JIT" (a worker's, with VERBOSE) is not kept: the plan's
	 * summary (read_jit()) adds the workers' up already. */
	{ "JIT", K_SKIP, 0, -1, -1 },
};

bool plan_json_reserved(const char *key)
{
	static const char *const structure[] = {
		"Plans", "Workers", "Plan", "Query Text", "Triggers", "Planning Time",
		"Execution Time",
	};
	for (size_t i = 0; i < ARRAY_SIZE(structure); i++)
		if (strcmp(key, structure[i]) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(key, fields[i].key) == 0)
			return true;
	return false;
}

struct reader {
	struct plan *p;
	char *err;
	size_t errlen;
	bool failed;
};

static bool fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct reader *r, const char *fmt, ...)
{
	if (!r->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	r->failed = true;
	return false;
}

static const struct field *find_field(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

static const char *copy_string(struct reader *r, const json_t *v)
{
	return plan_strndup(r->p, json_string_value(v), json_string_length(v));
}

static bool set_field(struct reader *r, struct plan_node *n, const struct field *f,
		const char *key, json_t *v)
{
	char *base = (char *)n;
	void *dst = base + f->off;
	switch (f->kind) {
	case K_STR:
		if (!json_is_string(v))
			return fail(r, "JSON plan: \"%s\" is not a string", key);
		*(const char **)dst = copy_string(r, v);
		break;
	case K_NUM:
	case K_I64:
	case K_INT:
		if (!json_is_number(v))
			return fail(r, "JSON plan: \"%s\" is not a number", key);
		if (f->kind == K_NUM)
			*(double *)dst = json_number_value(v);
		else if (f->kind == K_I64)
			*(int64_t *)dst = (int64_t)json_number_value(v);
		else
			*(int *)dst = (int)json_number_value(v);
		break;
	case K_BOOL:
	case K_TRI:
		if (!json_is_boolean(v))
			return fail(r, "JSON plan: \"%s\" is not a boolean", key);
		if (f->kind == K_BOOL)
			*(bool *)dst = json_is_true(v);
		else
			*(int *)dst = json_is_true(v);
		break;
	case K_LIST: {
		if (!json_is_array(v))
			return fail(r, "JSON plan: \"%s\" is not a list", key);
		size_t count = json_array_size(v);
		const char **items = plan_new_list(r->p, count);
		for (size_t i = 0; i < count; i++) {
			json_t *it = json_array_get(v, i);
			if (!json_is_string(it))
				return fail(r, "JSON plan: \"%s\" holds a non-string", key);
			items[i] = copy_string(r, it);
		}
		*(const char ***)dst = items;
		*(size_t *)(base + f->flag) = count;
		return true;
	}
	case K_SKIP:
		return true;
	}
	if (f->flag >= 0)
		*(bool *)(base + f->flag) = true;
	if (f->flag2 >= 0)
		*(bool *)(base + f->flag2) = true;
	return true;
}

static void add_extra(struct reader *r, struct plan_extra **list, const char *key, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		abort();
	plan_add_extra(r->p, list, key, s, strlen(s));
	free(s);
}

static struct plan_node *read_node(struct reader *r, json_t *obj, bool worker);

static bool read_list(struct reader *r, struct plan_node *n, json_t *v, bool workers)
{
	if (!json_is_array(v))
		return fail(r, "JSON plan: \"%s\" is not a list", workers ? "Workers" : "Plans");
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it) {
		struct plan_node *c = read_node(r, it, workers);
		if (!c)
			return false;
		if (workers)
			plan_add_worker(r->p, n, c);
		else
			plan_add_child(r->p, n, c);
	}
	return true;
}

static struct plan_node *read_node(struct reader *r, json_t *obj, bool worker)
{
	if (!json_is_object(obj)) {
		fail(r, "JSON plan: a %s is not an object", worker ? "worker" : "plan node");
		return NULL;
	}
	struct plan_node *n = plan_node_new(r->p);
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const struct field *f = find_field(key);
		bool ok;
		if (f)
			ok = set_field(r, n, f, key, v);
		else if (strcmp(key, "Plans") == 0 || strcmp(key, "Workers") == 0)
			ok = read_list(r, n, v, key[0] == 'W');
		else {
			add_extra(r, &n->extras, key, v);
			ok = true;
		}
		if (!ok)
			return NULL;
	}
	if (!worker && !n->node_type) {
		fail(r, "JSON plan: a plan node has no \"%s\"", "Node Type");
		return NULL;
	}
	if (!worker)
		n->worker_number = -1;
	/* EXPLAIN writes a node that never ran as zero loops. */
	if (!worker && n->has_actual && n->actual_loops == 0) {
		n->has_actual = false;
		n->never_executed = true;
	}
	return n;
}

static bool read_triggers(struct reader *r, json_t *v)
{
	if (!json_is_array(v))
		return fail(r, "JSON plan: \"%s\" is not a list", "Triggers");
	size_t i;
	json_t *t;
	json_array_foreach(v, i, t) {
		if (!json_is_object(t))
			return fail(r, "JSON plan: a %s is not an object", "trigger");
		struct plan_trigger *tr = plan_add_trigger(r->p);
		json_t *x;
		if ((x = json_object_get(t, "Trigger Name")) && json_is_string(x))
			tr->name = copy_string(r, x);
		if ((x = json_object_get(t, "Constraint Name")) && json_is_string(x))
			tr->constraint_name = copy_string(r, x);
		if ((x = json_object_get(t, "Relation")) && json_is_string(x))
			tr->relation = copy_string(r, x);
		if ((x = json_object_get(t, "Time")) && json_is_number(x)) {
			tr->has_time = true;
			tr->time_ms = json_number_value(x);
		}
		if ((x = json_object_get(t, "Calls")) && json_is_number(x))
			tr->calls = json_number_value(x);
	}
	return true;
}

static double number(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* {"Functions": 5, "Options": {"Inlining": false, ...}, "Timing":
 * {"Generation": 0.297, ..., "Total": 4.883}}; from PostgreSQL 17 on,
 * "Generation" is {"Deform": ..., "Total": ...}. */
static bool read_jit(struct reader *r, json_t *v)
{
	struct plan_jit *j = &r->p->jit;
	if (!json_is_object(v))
		return fail(r, "JSON plan: \"%s\" is not an object", "JIT");
	r->p->has_jit = true;
	j->functions = (int64_t)number(json_object_get(v, "Functions"));
	json_t *o = json_object_get(v, "Options");
	j->inlining = json_is_true(json_object_get(o, "Inlining"));
	j->optimization = json_is_true(json_object_get(o, "Optimization"));
	j->expressions = json_is_true(json_object_get(o, "Expressions"));
	j->deforming = json_is_true(json_object_get(o, "Deforming"));
	o = json_object_get(v, "Timing");
	if (!json_is_object(o))
		return true;
	j->has_timing = true;
	json_t *gen = json_object_get(o, "Generation");
	if (json_is_object(gen)) {
		j->has_deform = true;
		j->deform_ms = number(json_object_get(gen, "Deform"));
		j->generation_ms = number(json_object_get(gen, "Total"));
	} else {
		j->generation_ms = number(gen);
	}
	j->inlining_ms = number(json_object_get(o, "Inlining"));
	j->optimization_ms = number(json_object_get(o, "Optimization"));
	j->emission_ms = number(json_object_get(o, "Emission"));
	j->total_ms = number(json_object_get(o, "Total"));
	return true;
}

static bool read_top(struct reader *r, json_t *top)
{
	struct plan *p = r->p;
	json_t *plan = json_object_get(top, "Plan");
	if (!json_is_object(plan))
		return fail(r, "JSON plan: no \"%s\" object", "Plan");
	const char *key;
	json_t *v;
	json_object_foreach(top, key, v) {
		bool ok = true;
		if (strcmp(key, "Query Text") == 0) {
			if (!json_is_string(v))
				return fail(r, "JSON plan: \"%s\" is not a string", key);
			p->query_text = copy_string(r, v);
		} else if (strcmp(key, "Plan") == 0) {
			p->root = read_node(r, v, false);
			ok = p->root != NULL;
		} else if (strcmp(key, "Planning Time") == 0 && json_is_number(v)) {
			p->has_planning_time = true;
			p->planning_ms = json_number_value(v);
		} else if (strcmp(key, "Execution Time") == 0 && json_is_number(v)) {
			p->has_execution_time = true;
			p->execution_ms = json_number_value(v);
		} else if (strcmp(key, "Triggers") == 0) {
			ok = read_triggers(r, v);
		} else if (strcmp(key, "JIT") == 0) {
			ok = read_jit(r, v);
		} else {
			add_extra(r, &p->extras, key, v);
		}
		if (!ok)
			return false;
	}
	return true;
}

struct plan *plan_parse_json(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, 0, &jerr);
	if (!doc) {
		snprintf(err, errlen, "JSON plan: line %d column %d: %s", jerr.line,
			jerr.column, jerr.text);
		return NULL;
	}
	json_t *top = doc;
	/* EXPLAIN (FORMAT JSON) wraps the object auto_explain logs in an array. */
	if (json_is_array(top))
		top = json_array_size(top) ? json_array_get(top, 0) : NULL;
	struct reader r = { plan_new(), err, errlen, false };
	r.p->from_json = true;
	if (!json_is_object(top))
		fail(&r, "JSON plan: %s", "not an object");
	else
		read_top(&r, top);
	json_decref(doc);
	if (r.failed) {
		plan_free(r.p);
		return NULL;
	}
	plan_finish(r.p);
	return r.p;
}
