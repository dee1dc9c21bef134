/* agg_state.c: an agg's groups in a saved state (see state.h): every
 * field a merge reads, so that loading and merging gives the groups a run
 * over all the inputs gives (sketches are written as they are, so
 * percentiles come out the same, not merely within the sketch's error). */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "state.h"
#include "timeutil.h"

static void names_save(struct st_out *o, const struct name_counts *nc)
{
	st_u64(o, nc->n);
	for (uint32_t i = 0; i < nc->n; i++) {
		st_str(o, nc->v[i].name);
		st_u64(o, nc->v[i].count);
	}
	st_u64(o, nc->other);
}

static void group_save(struct st_out *o, const struct group *g)
{
	st_u64(o, g->fingerprint);
	st_u8(o, g->lexical);
	st_str(o, g->query);
	st_u64(o, g->calls);
	st_u64(o, g->timed_calls);
	st_f64(o, g->total_ms);
	st_f64(o, g->min_ms);
	st_f64(o, g->max_ms);
	st_u64(o, g->prep_count);
	st_f64(o, g->prep_ms);
	st_sketch(o, &g->sketch);
	st_i64(o, g->first_ts);
	st_i64(o, g->last_ts);
	st_u32(o, g->sources);
	names_save(o, &g->dbs);
	names_save(o, &g->users);
	names_save(o, &g->apps);
	st_u64(o, g->nexamples);
	for (unsigned i = 0; i < g->nexamples; i++) {
		const struct example *e = &g->examples[i];
		st_i64(o, e->ts_ms);
		st_f64(o, e->duration_ms);
		st_u64(o, e->pos);
		st_i64(o, e->pid);
		st_u32(o, e->head);
		st_u32(o, e->tail);
		st_str(o, e->rest);
		st_u8(o, e->norm_is_query);
		st_u8(o, e->masked);
		st_str(o, e->params);
		st_str(o, e->db);
		st_str(o, e->user);
		st_str(o, e->app);
	}
	st_str(o, g->plan_json);
	st_f64(o, g->plan_ms);
	st_u64(o, g->plan_pos);
	st_u64(o, g->first_pos);
	st_i64(o, g->timeline.width_ms);
	st_u64(o, g->timeline.n);
	for (uint32_t i = 0; i < g->timeline.n; i++) {
		st_i64(o, g->timeline.b[i].start_ms);
		st_u64(o, g->timeline.b[i].calls);
		st_f64(o, g->timeline.b[i].total_ms);
	}
}

void agg_state_save(struct agg *a, struct st_out *o)
{
	size_t n;
	struct group **v = agg_sorted(a, &n);
	st_u64(o, n);
	for (size_t i = 0; i < n; i++)
		group_save(o, v[i]);
}

/* An interned copy of a string of the state; "" for a NULL one. */
static const char *get_name(struct agg *a, struct st_in *in)
{
	size_t len;
	const char *s = st_get_ref(in, &len);
	return agg_intern(a, s ? s : "", s ? strnlen(s, len) : 0);
}

static bool names_load(struct agg *a, struct st_in *in, struct name_counts *nc)
{
	size_t n = st_get_count(in, 12, AGG_MAX_NAMES);
	if (n) {
		nc->v = xcalloc(n, sizeof(*nc->v));
		nc->cap = (uint32_t)n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		nc->v[i].name = get_name(a, in);
		nc->v[i].count = st_get_u64(in);
		nc->n++;
	}
	nc->other = st_get_u64(in);
	return !in->bad;
}

/* A width of the timeline ladder (timeutil.h). */
static bool ladder_width(int64_t w)
{
	if (w > (int64_t)1 << 50)       /* 35,000 years: past any ladder a log reaches */
		return false;
	for (int64_t x = TS_LADDER_FIRST_MS; x > 0 && x <= w; x = ts_ladder_next(x))
		if (x == w)
			return true;
	return false;
}

static bool timeline_load(struct st_in *in, struct agg_timeline *tl)
{
	int64_t w = st_get_i64(in);
	size_t n = st_get_count(in, 24, AGG_TIMELINE_MAX);
	if (in->bad)
		return false;
	if (n && !ladder_width(w))
		return st_fail(in, "a group's timeline of an unknown width");
	tl->width_ms = n ? w : 0;
	if (!n)
		return true;
	tl->b = xcalloc(n, sizeof(*tl->b));
	tl->cap = (uint32_t)n;
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct agg_bucket *b = &tl->b[i];
		b->start_ms = st_get_i64(in);
		b->calls = st_get_u64(in);
		b->total_ms = st_get_f64(in);
		tl->n++;
		/* The merge walks them in order and expects aligned starts. */
		if (b->start_ms % w != 0 || (i && b->start_ms <= tl->b[i - 1].start_ms))
			return st_fail(in, "a group's timeline out of order");
	}
	return !in->bad;
}

static bool examples_load(struct agg *a, struct st_in *in, struct group *g)
{
	size_t n = st_get_count(in, 48, AGG_EXAMPLES);
	size_t qlen = strlen(g->query);
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct example *e = agg_example_add(g);
		e->ts_ms = st_get_i64(in);
		e->duration_ms = st_get_f64(in);
		e->pos = st_get_u64(in);
		e->pos += e->pos ? in->pos_shift : 0;
		e->pid = st_get_i64(in);
		e->head = st_get_u32(in);
		e->tail = st_get_u32(in);
		e->rest = st_get_str(in, NULL);
		e->norm_is_query = st_get_bool(in);
		e->masked = st_get_bool(in);
		e->params = st_get_str(in, NULL);
		e->db = get_name(a, in);
		e->user = get_name(a, in);
		e->app = get_name(a, in);
		if ((uint64_t)e->head + e->tail > qlen)
			return st_fail(in, "an example longer than its group's text");
		if (i && e->duration_ms > g->examples[i - 1].duration_ms)
			return st_fail(in, "examples not slowest first");
	}
	return !in->bad;
}

static bool group_load(struct agg *a, struct st_in *in)
{
	uint64_t fp = st_get_u64(in);
	bool lexical = st_get_bool(in);
	size_t qlen;
	const char *q = st_get_ref(in, &qlen);
	if (in->bad)
		return false;
	char *query = xstrndup(q ? q : "", q ? qlen : 0);
	struct group *g = agg_group_get(a, fp, query, lexical);
	free(query);
	/* A fingerprint twice would merge two groups' allocations into one. */
	if (g->sketch.count || g->nexamples || g->plan_json || g->timeline.n ||
			g->dbs.n || g->users.n || g->apps.n || g->calls || g->prep_count)
		return st_fail(in, "a group twice");
	g->calls = st_get_u64(in);
	g->timed_calls = st_get_u64(in);
	g->total_ms = st_get_f64(in);
	g->min_ms = st_get_f64(in);
	g->max_ms = st_get_f64(in);
	g->prep_count = st_get_u64(in);
	g->prep_ms = st_get_f64(in);
	if (!st_get_sketch(in, &g->sketch))
		return false;
	g->first_ts = st_get_i64(in);
	g->last_ts = st_get_i64(in);
	g->sources = st_get_u32(in);
	if (!names_load(a, in, &g->dbs) || !names_load(a, in, &g->users) ||
			!names_load(a, in, &g->apps) || !examples_load(a, in, g))
		return false;
	g->plan_json = st_get_str(in, NULL);
	g->plan_ms = st_get_f64(in);
	g->plan_pos = st_get_u64(in);
	g->plan_pos += g->plan_pos ? in->pos_shift : 0;
	g->first_pos = st_get_u64(in);
	g->first_pos += g->first_pos ? in->pos_shift : 0;
	return timeline_load(in, &g->timeline);
}

bool agg_state_load(struct agg *a, struct st_in *in)
{
	size_t n = st_get_count(in, 64, 0);
	for (size_t i = 0; i < n && !in->bad; i++)
		group_load(a, in);
	return !in->bad;
}
