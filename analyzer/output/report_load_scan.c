/* report_load_scan.c: the fast path of report_load(): a saved report's
 * groups read straight from the text, without a jansson tree.
 *
 * Why not jansson: a report of 100,000 distinct statements is 430 MB,
 * nine tenths of it query texts; json_loadb spent 80% of the load there
 * (about 540 instructions a byte under callgrind, 14 s and 1.5 GB for the
 * whole tree). This reads each group's members into the model as it meets
 * them, strings by plain runs (jstr.h), and keeps nothing of the text.
 * The other members (inputs, findings, events...) are small: each is
 * handed to json_loadb whole and read by report_load_json() as before.
 *
 * Like the other hand scanners, it accepts only what jansson 2.14 accepts
 * and reads it to the same values (rl_uint, rl_num... semantics: a missing
 * or mistyped member is "unknown"); on anything else (a duplicate key, a
 * number it is not sure of, \u0000, invalid JSON) it gives up and the
 * caller reads the text with jansson, which says what is wrong. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "findings.h"
#include "fingerprint.h"
#include "report_load.h"
#include "report_load_int.h"
#include "sketch_hist.h"
#include "strbuf.h"
#include "timeutil.h"

/* ---- a group ---- */

#define GKEY_LIST(X) \
	X(GK_FP, "fingerprint") X(GK_QUERY, "query") X(GK_CALLS, "calls") \
	X(GK_TIMED, "timed_calls") X(GK_TOTAL, "total_ms") X(GK_MIN, "min_ms") \
	X(GK_MAX, "max_ms") X(GK_MEAN, "mean_ms") X(GK_P50, "p50_ms") \
	X(GK_P95, "p95_ms") X(GK_P99, "p99_ms") X(GK_PREP_COUNT, "prep_count") \
	X(GK_PREP_MS, "prep_ms") X(GK_FIRST, "first_seen") X(GK_LAST, "last_seen") \
	X(GK_LEXICAL, "lexical_fingerprint") X(GK_PLAN_MS, "plan_ms") \
	X(GK_SOURCES, "sources") X(GK_DBS, "databases") X(GK_USERS, "users") \
	X(GK_APPS, "applications") X(GK_OTHER, "other_names_calls") \
	X(GK_EXAMPLES, "examples") X(GK_PLAN, "plan") X(GK_TIMELINE, "timeline") \
	X(GK_HISTOGRAM, "histogram")

enum gkey {
#define X(id, name) id,
	GKEY_LIST(X)
#undef X
	GK_COUNT
};

static const char *const gkey_names[] = {
#define X(id, name) name,
	GKEY_LIST(X)
#undef X
};

struct name_val {
	size_t off;
	uint64_t count;
};

struct raw_names {
	struct name_val *v;
	size_t n, cap;
};

enum { EX_TS, EX_DURATION, EX_QUERY, EX_PARAMS, EX_DB, EX_USER, EX_APP, EX_PLACE, EX_PID, EX_COUNT };
static const char *const ex_keys[] = { "ts", "duration_ms", "query", "params", "db", "user", "app",
	"place", "pid", NULL };
static const char *const bucket_keys[] = { "start", "calls", "total_ms", NULL };
static const char *const hist_keys[] = { "upto_ms", "count", NULL };
static const char *const other_keys[] = { "databases", "users", "applications", NULL };

/* What one group holds, read before it is built, so that members may
 * come in any order (timed_calls defaults to calls, plan_ms counts only
 * with a plan). Reused from group to group. */
struct raw_group {
	struct rl_val v[GK_COUNT];
	struct raw_names names[3];      /* databases, users, applications */
	struct rl_val other[3];
	struct rl_val ex[AGG_EXAMPLES][EX_COUNT];
	unsigned nex;
	unsigned sources;
	const char *plan;               /* span of the plan's text, or NULL */
	size_t plan_len;
	struct rl_val bucket_s;
	bool has_timeline, has_buckets;
	struct agg_bucket *buckets;
	size_t nbuckets, cap;
	uint64_t hist[SKETCH_HIST_BINS];
	size_t ex_off, ex_len;          /* examples left in the file: their array */
	bool ex_later;
};

static bool scan_names(struct rl_scan *s, struct raw_names *rn)
{
	bool first = true;
	size_t key;
	int r;

	rn->n = 0;
	if (!rl_at(s, '{'))
		return rl_skip_value(s);
	while ((r = rl_next_member(s, &first, &key)) == 1) {
		struct rl_val v;
		for (size_t k = 0; k < rn->n; k++)
			if (strcmp(s->tmp.buf + rn->v[k].off, s->tmp.buf + key) == 0)
				return false;
		if (!rl_scan_value(s, &v))
			return false;
		if (rn->n == rn->cap) {
			rn->cap = rn->cap ? 2 * rn->cap : 8;
			rn->v = xrealloc(rn->v, rn->cap * sizeof(*rn->v));
		}
		/* json_is_integer only: a real count reads as 0. */
		rn->v[rn->n++] = (struct name_val){ key, v.type == 'i' && v.i > 0 ? (uint64_t)v.i : 0 };
	}
	return r == 0;
}

static bool scan_sources(struct rl_scan *s, unsigned *bits)
{
	bool first = true;
	int r;
	const char *name;

	*bits = 0;
	if (!rl_at(s, '['))
		return rl_skip_value(s);
	while ((r = rl_next_element(s, &first)) == 1) {
		struct rl_val v;
		if (!rl_scan_value(s, &v))
			return false;
		for (unsigned k = 0; v.type == 's' && (name = source_name(k)) != NULL; k++)
			if (strcmp(rl_v_str(s, &v), name) == 0)
				*bits |= 1u << k;
	}
	return r == 0;
}

static bool scan_examples(struct rl_scan *s, struct raw_group *g)
{
	bool first = true;
	int r;

	if (!rl_at(s, '['))
		return rl_skip_value(s);
	while ((r = rl_next_element(s, &first)) == 1) {
		if (g->nex == AGG_EXAMPLES) {
			if (!rl_skip_value(s))
				return false;
			continue;
		}
		if (!rl_scan_flat(s, ex_keys, g->ex[g->nex++]))
			return false;
	}
	return r == 0;
}

/* The bin whose upper limit is upto (not a number: the open-ended last). */
static int hist_bin(const struct rl_val *upto)
{
	if (upto->type != 'i' && upto->type != 'r')
		return SKETCH_HIST_BINS - 1;
	double v = rl_v_num(upto);
	for (unsigned i = 0; i + 1 < SKETCH_HIST_BINS; i++)
		if (fabs(sketch_hist_limit(i) - v) <= 1e-9 * v)
			return (int)i;
	return -1;
}

static bool scan_histogram(struct rl_scan *s, struct raw_group *g)
{
	bool first = true;
	int r;
	struct rl_val hv[2];

	if (!rl_at(s, '['))
		return rl_skip_value(s);
	while ((r = rl_next_element(s, &first)) == 1) {
		if (!rl_scan_flat(s, hist_keys, hv))
			return false;
		int bin = hist_bin(&hv[0]);
		if (bin >= 0)
			g->hist[bin] += rl_v_uint(&hv[1]);
	}
	return r == 0;
}

static bool scan_buckets(struct rl_scan *s, struct raw_group *g)
{
	bool first = true;
	int r;
	struct rl_val bv[3];

	if (!rl_at(s, '['))
		return rl_skip_value(s);
	g->has_buckets = true;
	while ((r = rl_next_element(s, &first)) == 1) {
		if (!rl_scan_flat(s, bucket_keys, bv))
			return false;
		if (g->nbuckets == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 16;
			g->buckets = xrealloc(g->buckets, g->cap * sizeof(*g->buckets));
		}
		g->buckets[g->nbuckets++] = (struct agg_bucket){ .start_ms = rl_v_ts(s, &bv[0]),
			.calls = rl_v_uint(&bv[1]), .total_ms = rl_v_num0(&bv[2]) };
	}
	return r == 0;
}

static bool scan_timeline(struct rl_scan *s, struct raw_group *g)
{
	bool first = true, seen_b = false, seen_s = false;
	size_t key;
	int r;

	if (!rl_at(s, '{'))
		return rl_skip_value(s);
	g->has_timeline = true;
	while ((r = rl_next_member(s, &first, &key)) == 1) {
		bool ok;
		if (rl_key_is(s, key, "buckets")) {
			if (seen_b)
				return false;
			seen_b = true;
			ok = scan_buckets(s, g);
		} else if (rl_key_is(s, key, "bucket_s")) {
			if (seen_s)
				return false;
			seen_s = true;
			ok = rl_scan_value(s, &g->bucket_s);
		} else {
			ok = rl_skip_value(s);
		}
		if (!ok)
			return false;
	}
	return r == 0;
}

static bool scan_member(struct rl_scan *s, struct raw_group *g, enum gkey k)
{
	switch (k) {
	case GK_SOURCES: return scan_sources(s, &g->sources);
	case GK_DBS: return scan_names(s, &g->names[0]);
	case GK_USERS: return scan_names(s, &g->names[1]);
	case GK_APPS: return scan_names(s, &g->names[2]);
	case GK_OTHER: return rl_scan_flat(s, other_keys, g->other);
	case GK_EXAMPLES:
		if (s->later && rl_at(s, '[')) {
			const char *start = s->p;
			g->ex_later = true;
			g->ex_off = (size_t)(start - s->base);
			if (!rl_skip_value(s))
				return false;
			g->ex_len = (size_t)(s->p - start);
			return true;
		}
		return scan_examples(s, g);
	case GK_HISTOGRAM: return scan_histogram(s, g);
	case GK_TIMELINE: return scan_timeline(s, g);
	case GK_PLAN: {
		const char *start = s->p;
		if (!rl_skip_value(s))
			return false;
		if (*start == '{' || *start == '[') {
			g->plan = start;
			g->plan_len = (size_t)(s->p - start);
		}
		return true;
	}
	default:
		return rl_scan_value(s, &g->v[k]);
	}
}

static const char *intern(struct agg *agg, const char *s)
{
	return s && s[0] ? agg_intern(agg, s, strlen(s)) : NULL;
}

static void build_names(const struct rl_scan *s, struct agg *agg, struct name_counts *nc,
		const struct raw_names *rn, uint64_t other)
{
	/* A group saved twice: the later copy's names, as its figures. */
	free(nc->v);
	nc->n = 0;
	nc->v = rn->n ? xcalloc(rn->n, sizeof(*nc->v)) : NULL;
	nc->cap = (uint32_t)rn->n;
	for (size_t i = 0; i < rn->n; i++) {
		const char *name = s->tmp.buf + rn->v[i].off;
		nc->v[nc->n].name = agg_intern(agg, name, strlen(name));
		nc->v[nc->n++].count = rn->v[i].count;
	}
	nc->other = other;
}

static void build_examples(const struct rl_scan *s, struct analysis *a, struct group *g,
		const struct raw_group *r)
{
	for (unsigned i = 0; i < r->nex && g->nexamples < AGG_EXAMPLES; i++) {
		const struct rl_val *ev = r->ex[i];
		struct example *e = agg_example_add(g);
		const char *q = rl_v_str(s, &ev[EX_QUERY]), *params = rl_v_str(s, &ev[EX_PARAMS]);
		e->ts_ms = rl_v_ts(s, &ev[EX_TS]);
		e->duration_ms = rl_v_num0(&ev[EX_DURATION]);
		agg_example_set_query(g, e, q ? q : "", q ? strlen(q) : 0);
		e->params = params ? xstrdup(params) : NULL;
		e->db = intern(a->agg, rl_v_str(s, &ev[EX_DB]));
		e->user = intern(a->agg, rl_v_str(s, &ev[EX_USER]));
		e->app = intern(a->agg, rl_v_str(s, &ev[EX_APP]));
		e->pos = analysis_place_pos(a, rl_v_str(s, &ev[EX_PLACE]));
		e->pid = ev[EX_PID].type == 'i' && ev[EX_PID].i >= 0 ? ev[EX_PID].i : -1;
	}
}

/* The group as load_group() (report_load_groups.c) builds it from the
 * same members; NULL when its fingerprint is not 16 hex digits. */
static struct group *build_group(const struct rl_scan *s, struct analysis *a, struct raw_group *r)
{
	uint64_t fp;
	const char *fps = rl_v_str(s, &r->v[GK_FP]);
	if (!fps || strlen(fps) != 16 || !fp_parse(fps, &fp))
		return NULL;
	const char *query = rl_v_str(s, &r->v[GK_QUERY]);
	struct group *g = agg_group_get(a->agg, fp, query ? query : "", r->v[GK_LEXICAL].type == 't');
	g->calls = rl_v_uint(&r->v[GK_CALLS]);
	g->timed_calls = r->v[GK_TIMED].type ? rl_v_uint(&r->v[GK_TIMED]) : g->calls;
	g->total_ms = rl_v_num0(&r->v[GK_TOTAL]);
	g->min_ms = rl_v_num0(&r->v[GK_MIN]);
	g->max_ms = rl_v_num0(&r->v[GK_MAX]);
	g->prep_count = rl_v_uint(&r->v[GK_PREP_COUNT]);
	g->prep_ms = rl_v_num0(&r->v[GK_PREP_MS]);
	g->first_ts = rl_v_ts(s, &r->v[GK_FIRST]);
	g->last_ts = rl_v_ts(s, &r->v[GK_LAST]);
	g->sources = r->sources;
	build_names(s, a->agg, &g->dbs, &r->names[0], rl_v_uint(&r->other[0]));
	build_names(s, a->agg, &g->users, &r->names[1], rl_v_uint(&r->other[1]));
	build_names(s, a->agg, &g->apps, &r->names[2], rl_v_uint(&r->other[2]));
	build_examples(s, a, g, r);
	if (r->plan) {
		/* The plan is written back as jansson dumps it: read it with
		 * jansson (it is checked JSON already) and dump it the same way. */
		json_t *plan = json_loadb(r->plan, r->plan_len, 0, NULL);
		if (!plan)
			return NULL;
		free(g->plan_json);     /* a group saved twice: the later plan */
		g->plan_json = json_dumps(plan, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(plan);
		if (!g->plan_json)
			abort();
		g->plan_ms = rl_v_num0(&r->v[GK_PLAN_MS]);
	}
	if (r->has_timeline) {
		struct agg_timeline *tl = &g->timeline;
		agg_timeline_release(tl);       /* a group saved twice: the later one */
		tl->width_ms = (int64_t)rl_v_uint(&r->bucket_s) * 1000;
		tl->cap = (uint32_t)r->nbuckets;
		tl->b = r->nbuckets ? xcalloc(r->nbuckets, sizeof(*tl->b)) : NULL;
		for (size_t i = 0; i < r->nbuckets; i++)
			tl->b[tl->n++] = r->buckets[i];
	}
	struct group_stats *st = &g->stats;
	st->mean_ms = rl_v_num0(&r->v[GK_MEAN]);
	st->p50_ms = rl_v_num0(&r->v[GK_P50]);
	st->p95_ms = rl_v_num0(&r->v[GK_P95]);
	st->p99_ms = rl_v_num0(&r->v[GK_P99]);
	if (!st->hist)
		st->hist = xcalloc(SKETCH_HIST_BINS, sizeof(*st->hist));
	for (unsigned i = 0; i < SKETCH_HIST_BINS; i++)
		st->hist[i] += r->hist[i];
	st->ready = true;
	return g;
}

static void raw_reset(struct raw_group *r)
{
	struct raw_names names[3];
	struct agg_bucket *b = r->buckets;
	size_t cap = r->cap;
	memcpy(names, r->names, sizeof(names));
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 3; i++)
		r->names[i] = (struct raw_names){ names[i].v, 0, names[i].cap };
	r->buckets = b;
	r->cap = cap;
}

/* One group object at s->p into the model; false to give up. */
static bool scan_group(struct rl_scan *s, struct analysis *a, struct raw_group *r,
		struct group **out)
{
	bool first = true;
	size_t key, hint = 0;
	int r2;
	uint32_t seen = 0;

	raw_reset(r);
	s->tmp.len = 0;
	if (!rl_at(s, '{'))
		return false;   /* not an object: jansson's path says which group */
	while ((r2 = rl_next_member(s, &first, &key)) == 1) {
		size_t k = rl_find_key(s, key, gkey_names, GK_COUNT, &hint);
		if (k == GK_COUNT) {
			if (!rl_skip_value(s))
				return false;
			continue;
		}
		if (seen & (1u << k))
			return false;
		seen |= 1u << k;
		if (!scan_member(s, r, (enum gkey)k))
			return false;
	}
	if (r2 != 0)
		return false;
	*out = build_group(s, a, r);
	if (*out && r->ex_later) {
		struct rl_spans *l = s->later;
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 1024;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = (struct rl_example_span){ *out, r->ex_off, r->ex_len, false };
	}
	return *out != NULL;
}

/* A mapping's pages wholly before s->p, read and copied into the model
 * already, are given back every 16 MB: a 430 MB report then costs its
 * model and a window of its text, not both whole. */
static void release_read(struct rl_scan *s)
{
	const size_t step = (size_t)16 << 20;
	if (!s->released || (size_t)(s->p - s->released) < 2 * step)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const char *to = s->released + ((size_t)(s->p - s->released - step) & ~(page - 1));
	madvise((void *)s->released, (size_t)(to - s->released), MADV_DONTNEED);
	s->released = to;
}

static bool scan_groups(struct rl_scan *s, struct analysis *a)
{
	bool first = true, ok = true;
	int r;
	struct raw_group *raw = xcalloc(1, sizeof(*raw));
	struct group **order = NULL;
	size_t n = 0, cap = 0;

	while (ok && (r = rl_next_element(s, &first)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			order = xrealloc(order, (cap + 1) * sizeof(*order));
		}
		ok = scan_group(s, a, raw, &order[n++]);
		release_read(s);
	}
	ok = ok && r == 0;
	if (ok)
		rl_groups_order(a, order, n);
	for (int i = 0; i < 3; i++)
		free(raw->names[i].v);
	free(raw->buckets);
	free(raw);
	free(order);
	return ok;
}

bool rl_scan_document(const char *text, size_t len, bool mapped,
		struct rl_spans *later, struct analysis **groups_out, json_t **rest)
{
	struct rl_scan s = { .p = text, .end = text + len, .base = text,
		.released = mapped ? text : NULL, .later = later };
	struct analysis *a = xcalloc(1, sizeof(*a));
	json_t *root = json_object();
	bool first = true, groups = false;
	size_t key;
	int r;
	char *name = NULL;

	*groups_out = a;
	*rest = root;
	a->agg = agg_new();
	a->findings = findings_new();
	/* strtod reads the locale's decimal point; jansson does not. */
	if (!root || strcmp(localeconv()->decimal_point, ".") != 0)
		goto fail;
	while ((r = rl_next_member(&s, &first, &key)) == 1) {
		name = xstrdup(s.tmp.buf + key);
		s.tmp.len = 0;
		if (strcmp(name, "groups") == 0) {
			if (groups || !rl_at(&s, '[') || !scan_groups(&s, a))
				goto fail;
			groups = true;
			if (json_object_set_new(root, name, json_array()) != 0)
				goto fail;
		} else {
			const char *start = s.p;
			if (!rl_skip_value(&s))
				goto fail;
			json_t *v = json_loadb(start, (size_t)(s.p - start), JSON_DECODE_ANY, NULL);
			if (!v || json_object_set_new(root, name, v) != 0)
				goto fail;
			/* Before the groups (as pgsift writes them): their
			 * examples' places are read against them. */
			if (strcmp(name, "inputs") == 0 && !groups)
				rl_load_inputs(a, v);
		}
		free(name);
		name = NULL;
		s.tmp.len = 0;
	}
	rl_skip_ws(&s);
	if (r != 0 || s.p != s.end)
		goto fail;
	sb_release(&s.tmp);
	return true;
fail:
	free(name);
	sb_release(&s.tmp);
	return false;
}

bool rl_scan_examples(const char *text, size_t len, struct analysis *a, struct group *g)
{
	struct rl_scan s = { .p = text, .end = text + len, .base = text };
	struct raw_group *r = xcalloc(1, sizeof(*r));
	bool ok = scan_examples(&s, r);
	rl_skip_ws(&s);
	ok = ok && s.p == s.end;
	if (ok)
		build_examples(&s, a, g, r);
	sb_release(&s.tmp);
	free(r);
	return ok;
}
