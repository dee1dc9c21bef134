/* plan_json.c: reads plans in auto_explain's JSON form (EXPLAIN (FORMAT
 * JSON)) into the plan model. Keys the model has a field for are read by
 * plan_fields.c's table; the others are kept as extras so they are written
 * back. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "util.h"

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

static const char *copy_string(struct reader *r, const json_t *v)
{
	return plan_strndup(r->p, json_string_value(v), json_string_length(v));
}

static bool set_field(struct reader *r, struct plan_node *n, const struct plan_field *f,
		const char *key, json_t *v)
{
	char *base = (char *)n;
	void *dst = base + f->off;
	switch (f->kind) {
	case PF_STR:
		if (!json_is_string(v))
			return fail(r, "JSON plan: \"%s\" is not a string", key);
		*(const char **)dst = copy_string(r, v);
		break;
	case PF_NUM:
	case PF_I64:
	case PF_INT:
		if (!json_is_number(v))
			return fail(r, "JSON plan: \"%s\" is not a number", key);
		if (f->kind == PF_NUM)
			*(double *)dst = json_number_value(v);
		else if (f->kind == PF_I64)
			*(int64_t *)dst = clamp_i64(json_number_value(v));
		else
			*(int *)dst = clamp_int(json_number_value(v));
		break;
	case PF_BOOL:
	case PF_TRI:
		if (!json_is_boolean(v))
			return fail(r, "JSON plan: \"%s\" is not a boolean", key);
		if (f->kind == PF_BOOL)
			*(bool *)dst = json_is_true(v);
		else
			*(int *)dst = json_is_true(v);
		break;
	case PF_LIST: {
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
	case PF_SKIP:
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
		const struct plan_field *f = plan_field_find(key);
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
	j->functions = clamp_i64(number(json_object_get(v, "Functions")));
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
	/* PostgreSQL writes estimates past 2^63 as integers ("Plan Rows":
	 * 10000000000000000000000), which jansson refuses unless it reads
	 * every integer as a double; only such plans are read that way, so
	 * the integers of the others stay integers in what is written back. */
	if (!doc && json_error_code(&jerr) == json_error_numeric_overflow)
		doc = json_loadb(body, len, JSON_DECODE_INT_AS_REAL, &jerr);
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
