/* report_load_groups.c: the groups of a saved JSON report, read into the
 * agg of the model (see report_load.h). A saved group has its figures
 * (mean, P50/P95/P99, histogram) but no sketch: they go to g->stats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_load.h"
#include "report_load_int.h"
#include "sketch_hist.h"
#include "timeutil.h"

static double num0(const json_t *o, const char *key)
{
	double v = rl_num(o, key);
	return isnan(v) ? 0 : v;
}

/* Interned in the agg; NULL (and "" alike, as the writer shows them) when
 * absent. */
static const char *intern(struct agg *agg, const char *s)
{
	return s && s[0] ? agg_intern(agg, s, strlen(s)) : NULL;
}

static void load_names(struct agg *agg, struct name_counts *nc,
		const json_t *o, uint64_t other)
{
	const char *key;
	const json_t *v;
	size_t n = json_object_size(o);

	/* A group saved twice: the later copy's names, as its figures. */
	free(nc->v);
	nc->n = 0;
	nc->v = n ? xcalloc(n, sizeof(*nc->v)) : NULL;
	nc->cap = (uint32_t)n;
	json_object_foreach((json_t *)o, key, v) {
		nc->v[nc->n].name = agg_intern(agg, key, strlen(key));
		nc->v[nc->n].count = json_is_integer(v) && json_integer_value(v) > 0 ?
			(uint64_t)json_integer_value(v) : 0;
		nc->n++;
	}
	nc->other = other;
}

static unsigned load_sources(const json_t *arr)
{
	unsigned bits = 0;
	size_t i;
	const json_t *v;
	const char *name;

	json_array_foreach(arr, i, v)
		for (unsigned k = 0; (name = source_name(k)) != NULL; k++)
			if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
				bits |= 1u << k;
	return bits;
}

static void load_examples(struct analysis *a, struct group *g, const json_t *arr)
{
	size_t i;
	const json_t *o;

	json_array_foreach(arr, i, o) {
		if (g->nexamples == AGG_EXAMPLES)
			break;
		struct example *e = agg_example_add(g);
		e->ts_ms = rl_ts(o, "ts");
		e->duration_ms = num0(o, "duration_ms");
		const char *q = rl_str(o, "query") ? rl_str(o, "query") : "";
		agg_example_set_query(g, e, q, strlen(q));
		e->params = rl_strdup(o, "params");
		e->db = intern(a->agg, rl_str(o, "db"));
		e->user = intern(a->agg, rl_str(o, "user"));
		e->app = intern(a->agg, rl_str(o, "app"));
		e->pos = analysis_place_pos(a, rl_str(o, "place"));
		const json_t *pid = json_object_get(o, "pid");
		e->pid = json_is_integer(pid) && json_integer_value(pid) >= 0 ?
			json_integer_value(pid) : -1;
	}
}

/* The bin whose upper limit is upto (null: the open-ended last one). */
static int hist_bin(const json_t *upto)
{
	if (!json_is_number(upto))
		return SKETCH_HIST_BINS - 1;
	double v = json_number_value(upto);
	for (unsigned i = 0; i + 1 < SKETCH_HIST_BINS; i++)
		if (fabs(sketch_hist_limit(i) - v) <= 1e-9 * v)
			return (int)i;
	return -1;
}

static void load_stats(struct group *g, const json_t *o)
{
	struct group_stats *st = &g->stats;
	const json_t *hist = json_object_get(o, "histogram");
	size_t i;
	const json_t *b;

	st->mean_ms = num0(o, "mean_ms");
	st->p50_ms = num0(o, "p50_ms");
	st->p95_ms = num0(o, "p95_ms");
	st->p99_ms = num0(o, "p99_ms");
	if (!st->hist)
		st->hist = xcalloc(SKETCH_HIST_BINS, sizeof(*st->hist));
	json_array_foreach(hist, i, b) {
		int bin = hist_bin(json_object_get(b, "upto_ms"));
		if (bin >= 0)
			st->hist[bin] += rl_uint(b, "count");
	}
	st->ready = true;
}

static void load_timeline(struct agg_timeline *tl, const json_t *o)
{
	const json_t *arr = json_object_get(o, "buckets");
	size_t i;
	const json_t *b;

	if (!json_is_object(o))
		return;
	agg_timeline_release(tl);       /* a group saved twice: the later one */
	tl->width_ms = (int64_t)rl_uint(o, "bucket_s") * 1000;
	tl->cap = (uint32_t)json_array_size(arr);
	tl->b = tl->cap ? xcalloc(tl->cap, sizeof(*tl->b)) : NULL;
	json_array_foreach(arr, i, b) {
		struct agg_bucket *k = &tl->b[tl->n++];
		k->start_ms = rl_ts(b, "start");
		k->calls = rl_uint(b, "calls");
		k->total_ms = num0(b, "total_ms");
	}
}

static bool load_group(struct analysis *a, const json_t *o, struct group **out)
{
	uint64_t fp;
	const json_t *other = json_object_get(o, "other_names_calls");

	if (!rl_fp(o, "fingerprint", &fp))
		return false;
	const char *query = rl_str(o, "query");
	struct group *g = agg_group_get(a->agg, fp, query ? query : "",
		rl_bool(o, "lexical_fingerprint"));
	g->calls = rl_uint(o, "calls");
	/* timed_calls is pgsift's own addition; without it, all calls. */
	g->timed_calls = json_object_get(o, "timed_calls") ?
		rl_uint(o, "timed_calls") : g->calls;
	g->total_ms = num0(o, "total_ms");
	g->min_ms = num0(o, "min_ms");
	g->max_ms = num0(o, "max_ms");
	g->prep_count = rl_uint(o, "prep_count");
	g->prep_ms = num0(o, "prep_ms");
	g->first_ts = rl_ts(o, "first_seen");
	g->last_ts = rl_ts(o, "last_seen");
	g->sources = load_sources(json_object_get(o, "sources"));
	load_names(a->agg, &g->dbs, json_object_get(o, "databases"),
		rl_uint(other, "databases"));
	load_names(a->agg, &g->users, json_object_get(o, "users"),
		rl_uint(other, "users"));
	load_names(a->agg, &g->apps, json_object_get(o, "applications"),
		rl_uint(other, "applications"));
	load_examples(a, g, json_object_get(o, "examples"));
	const json_t *plan = json_object_get(o, "plan");
	if (json_is_object(plan) || json_is_array(plan)) {
		free(g->plan_json);     /* a group saved twice: the later plan */
		g->plan_json = json_dumps(plan, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!g->plan_json)
			abort();
		g->plan_ms = num0(o, "plan_ms");
	}
	load_timeline(&g->timeline, json_object_get(o, "timeline"));
	load_stats(g, o);
	*out = g;
	return true;
}

/* The agg's sorted array would sort again by the saved, rounded totals;
 * the model keeps the saved order instead, in an array the agg owns (its
 * sorted array, rebuilt and then overwritten in place). */
bool rl_load_groups(struct analysis *a, const json_t *groups)
{
	size_t i, n = json_array_size(groups);
	const json_t *o;
	struct group **order = xcalloc(n + 1, sizeof(*order));
	bool ok = true;

	json_array_foreach(groups, i, o) {
		if (!load_group(a, o, &order[i])) {
			ok = false;
			goto out;
		}
	}
	rl_groups_order(a, order, n);
out:
	free(order);
	return ok;
}

void rl_groups_order(struct analysis *a, struct group **order, size_t n)
{
	a->groups = agg_sorted(a->agg, &a->ngroups);
	/* Two saved groups of one fingerprint were merged into one. */
	if (n && a->ngroups == n)
		memcpy(a->groups, order, n * sizeof(*order));
}
