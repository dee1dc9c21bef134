/* traces_repeats.c: cache_candidate findings, the same read with the same
 * literals or parameters over and over (a settings row, the user of every
 * request), which a cache in front of the database would answer.
 *
 * Every SELECT a log shows is hashed (xxh3) with its literals as logged and
 * its DETAIL parameters, and the hash counted under its fingerprint: the
 * literals themselves are never kept (privacy: nothing a report shows
 * comes from them). A statement with $n placeholders and no parameters
 * logged has literals that cannot be told apart: it is not counted. Each
 * fingerprint keeps REP_SLOTS hashes with the Misra-Gries rule (a hash not
 * held when all slots are taken lowers every count by one): memory stays
 * REP_SLOTS slots per fingerprint whatever the number of distinct
 * literals, every hash making more than 1/(REP_SLOTS + 1) of its
 * statement's calls is held, and a count is never more than the calls
 * seen (the figures are lower bounds). Workers' tables merge by the same
 * rule.
 *
 * Most reads are no candidate (a lookup by id, a search), and hashing
 * every call of them cost 5 % of a run's instructions on a log of such
 * lookups: a statement is classified at its first call (a read, else
 * never looked at again), and its first REP_SAMPLE calls
 * decide whether it is hashed on: when none of the texts held makes a
 * REP_SAMPLE_SHARE-th of those hashed, its literals vary and its later
 * calls cost one look in a direct-mapped memo of fingerprints.
 *
 * A held hash is a candidate when it ran REP_MIN_CALLS times or more, at
 * one a second or faster over the time between its first and last call.
 * A cache with a REP_TTL_MS time to live would have missed once per TTL
 * and answered the rest: the share and the database time saved (the
 * calls' mean duration) are said with it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "agg.h"
#include "findings.h"
#include "state.h"
#include "strbuf.h"
#include "timeutil.h"
#include "traces_int.h"
#include "util.h"

#define REP_SLOTS 4
#define REP_MIN_CALLS 100       /* calls with the same literals */
#define REP_MIN_RATE 1.0        /* per second, over their span */
#define REP_TTL_MS 60000.0      /* the cache's time to live, assumed */
#define REP_SAMPLE 1000         /* a statement's calls that decide ... */
#define REP_SAMPLE_SHARE 20     /* ... whether a text held makes 1/20 of them */
#define REP_MEMO 1024           /* fingerprints remembered, direct-mapped */

/* 40 bytes: a table of many fingerprints stays small. Durations are
 * summed in whole microseconds (what logs give), so that any split of the
 * inputs sums to the same. */
struct rep_slot {
	uint64_t key;
	int64_t first_ts, last_ts;      /* TS_NONE when unknown */
	uint64_t us;                    /* duration of the calls counted */
	uint32_t count;
};

struct rep_group {
	uint64_t fp;
	uint32_t seen;                  /* calls hashed */
	uint32_t sampled;               /* calls looked at, up to REP_SAMPLE */
	uint8_t n;                      /* slots used */
	uint8_t params;                 /* bit i: slot i told apart by DETAIL parameters */
	uint8_t state;                  /* enum rep_state; not saved: a run decides anew */
	/* Slot 0 in place, the others allocated when a second text comes:
	 * most statements of a log of many distinct ones are seen with one
	 * text, and four slots in place were 184 bytes a fingerprint (6 MB
	 * of a 50 MB run on 20,000 of them; 72 bytes now). */
	struct rep_slot one;
	struct rep_slot *more;          /* REP_SLOTS - 1 of them, or NULL */
};

/* Slot i of g (const or not). */
#define SLOT(g, i) (*((i) ? &(g)->more[(i) - 1] : &(g)->one))

/* Slot i of g, its room made. */
static struct rep_slot *slot_room(struct rep_group *g, unsigned i)
{
	if (i && !g->more)
		g->more = xcalloc(REP_SLOTS - 1, sizeof(*g->more));
	return &SLOT(g, i);
}

enum rep_state {
	REP_NEW,                        /* no call of this run yet */
	REP_ON,                         /* hashed */
	REP_OFF,                        /* not a read, or its literals vary */
};

/* The last groups looked up, by fp: most calls end here. */
struct rep_memo {
	uint64_t fp;
	uint32_t gi;                    /* the group's index + 1; 0: free */
	uint32_t off;                   /* its state is REP_OFF */
};

/* Groups in order of arrival; an open-addressing table of their indexes
 * (+1, 0 free) on fp. */
struct tr_repeats {
	struct rep_group *v;
	size_t n, cap;
	uint32_t *ix;
	size_t ixcap;
	struct rep_memo memo[REP_MEMO];
};

/* By hand: strncasecmp() per call was an eighth of this file's cost. */
static bool is_read(const char *p, size_t len)
{
	while (len && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) {
		p++;
		len--;
	}
	return len > 6 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'e' && (p[2] | 0x20) == 'l' &&
		(p[3] | 0x20) == 'e' && (p[4] | 0x20) == 'c' && (p[5] | 0x20) == 't';
}

/* Reads that no cache should answer, or that a cache cannot: locking
 * reads, sequences, the clock, the server's catalogs and statistics
 * (monitoring), and SELECTs of no table (SELECT 1, pg_sleep). */
static bool cacheable(const char *norm)
{
	static const char *const no[] = { " for update", " for share", " for no key",
		"nextval(", "now()", "current_timestamp", "clock_timestamp", "random()",
		"pg_", "information_schema" };
	if (!strcasestr(norm, " from "))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (strcasestr(norm, no[i]))
			return false;
	return true;
}

static bool has_placeholder(const char *p, size_t len)
{
	for (const char *e = p + len; (p = memchr(p, '$', (size_t)(e - p))) && p + 1 < e; p++)
		if (isdigit((unsigned char)p[1]))
			return true;
	return false;
}

static struct rep_group *group_of(struct tr_repeats *r, uint64_t fp)
{
	if (2 * (r->n + 1) > r->ixcap) {
		size_t cap = r->ixcap ? 2 * r->ixcap : 256;
		uint32_t *ix = xcalloc(cap, sizeof(*ix));
		for (size_t i = 0; i < r->n; i++) {
			size_t k = (size_t)r->v[i].fp & (cap - 1);
			while (ix[k])
				k = (k + 1) & (cap - 1);
			ix[k] = (uint32_t)i + 1;
		}
		free(r->ix);
		r->ix = ix;
		r->ixcap = cap;
	}
	size_t k = (size_t)fp & (r->ixcap - 1);
	while (r->ix[k] && r->v[r->ix[k] - 1].fp != fp)
		k = (k + 1) & (r->ixcap - 1);
	if (r->ix[k])
		return &r->v[r->ix[k] - 1];
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	struct rep_group *g = &r->v[r->n];
	memset(g, 0, sizeof(*g));
	g->fp = fp;
	r->ix[k] = (uint32_t)++r->n;
	return g;
}

/* Misra-Gries: count in, or make room by lowering every count by in's. */
static void slot_add(struct rep_group *g, const struct rep_slot *in, bool params)
{
	for (unsigned i = 0; i < g->n; i++) {
		struct rep_slot *s = &SLOT(g, i);
		if (s->key != in->key)
			continue;
		s->count += in->count;
		s->us += in->us;
		if (in->first_ts != TS_NONE && (s->first_ts == TS_NONE || in->first_ts < s->first_ts))
			s->first_ts = in->first_ts;
		if (in->last_ts != TS_NONE && (s->last_ts == TS_NONE || in->last_ts > s->last_ts))
			s->last_ts = in->last_ts;
		return;
	}
	uint32_t low = 0;
	if (g->n == REP_SLOTS) {
		low = in->count;
		for (unsigned i = 0; i < g->n; i++)
			if (SLOT(g, i).count < low)
				low = SLOT(g, i).count;
		unsigned kept = 0;
		uint8_t bits = 0;
		for (unsigned i = 0; i < g->n; i++) {
			struct rep_slot s = SLOT(g, i);
			s.us -= s.us * low / s.count;
			s.count -= low;
			if (!s.count)
				continue;
			bits |= (uint8_t)(((g->params >> i) & 1u) << kept);
			SLOT(g, kept) = s;
			kept++;
		}
		g->n = (uint8_t)kept;
		g->params = bits;
	}
	if (in->count > low && g->n < REP_SLOTS) {
		struct rep_slot s = *in;
		s.us -= s.us * low / s.count;
		s.count -= low;
		g->params = (uint8_t)((g->params & ~(1u << g->n)) | ((unsigned)params << g->n));
		*slot_room(g, g->n) = s;
		g->n++;
	}
}

/* At the group's first call of the run: a read, worth hashing, or never
 * looked at again. Whether it reads a table a cache may answer
 * (cacheable()) is left to the candidates: its strcasestr()s over every
 * statement's text cost a fifth more instructions on a log of 20,000
 * distinct statements. */
static uint8_t classify(const struct call *c)
{
	return is_read(c->query.ptr, c->query.len) ? REP_ON : REP_OFF;
}

/* After REP_SAMPLE calls: on when a text held makes a
 * REP_SAMPLE_SHARE-th of those hashed (the slots stay, for a merge). */
static uint8_t decide(const struct rep_group *g)
{
	uint32_t top = 0;
	for (unsigned i = 0; i < g->n; i++)
		if (SLOT(g, i).count > top)
			top = SLOT(g, i).count;
	return g->seen && (uint64_t)top * REP_SAMPLE_SHARE >= g->seen ? REP_ON : REP_OFF;
}

static struct rep_memo *memo_of(struct tr_repeats *r, uint64_t fp)
{
	return &r->memo[(fp ^ fp >> 32) & (REP_MEMO - 1)];
}

/* A call whose group is not known off: out of line, so that the calls
 * tr_repeat_call() turns away cost no register saves. */
__attribute__((noinline))
static void repeat_call(struct traces *tr, const struct call *c, uint64_t fp)
{
	const char *q = c->query.ptr;
	size_t len = c->query.len;
	struct tr_repeats *r = tr->repeats;
	if (!r)
		r = tr->repeats = xcalloc(1, sizeof(*tr->repeats));
	struct rep_memo *m = memo_of(r, fp);
	struct rep_group *g;
	if (m->gi && m->fp == fp) {
		g = &r->v[m->gi - 1];
	} else {
		g = group_of(r, fp);
		if (g->state == REP_NEW)
			g->state = classify(c);
		*m = (struct rep_memo){ .fp = fp, .gi = (uint32_t)(g - r->v) + 1,
			.off = g->state == REP_OFF };
		if (m->off)
			return;
	}
	if (c->params.len || !has_placeholder(q, len)) {
		uint64_t key = XXH3_64bits_withSeed(q, len, c->params.len ?
			XXH3_64bits(c->params.ptr, c->params.len) : 0);
		g->seen++;
		struct rep_slot in = { .key = key, .count = 1, .first_ts = c->ts_ms,
			.last_ts = c->ts_ms, .us = c->timed && c->duration_ms > 0 ?
			(uint64_t)(c->duration_ms * 1000 + 0.5) : 0 };
		slot_add(g, &in, c->params.len > 0);
	}
	if (g->sampled < REP_SAMPLE && ++g->sampled == REP_SAMPLE) {
		g->state = decide(g);
		m->off = g->state == REP_OFF;
	}
}

void tr_repeat_call(struct traces *tr, const struct call *c)
{
	if (!c->query.ptr)
		return;
	uint64_t fp = c->entry ? c->entry->fingerprint : c->fingerprint;
	if (tr->repeats) {
		const struct rep_memo *m = memo_of(tr->repeats, fp);
		if (m->off && m->fp == fp)
			return;
	}
	repeat_call(tr, c, fp);
}

void tr_repeats_merge(struct traces *dst, struct traces *src)
{
	struct tr_repeats *r = src->repeats;
	if (!r)
		return;
	if (!dst->repeats) {
		dst->repeats = r;
		src->repeats = NULL;
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct rep_group *g = group_of(dst->repeats, r->v[i].fp);
		g->seen += r->v[i].seen;
		for (unsigned k = 0; k < r->v[i].n; k++)
			slot_add(g, &SLOT(&r->v[i], k), (r->v[i].params >> k) & 1u);
	}
	tr_repeats_free(src);
}

void tr_repeats_free(struct traces *tr)
{
	if (tr->repeats) {
		for (size_t i = 0; i < tr->repeats->n; i++)
			free(tr->repeats->v[i].more);
		free(tr->repeats->v);
		free(tr->repeats->ix);
	}
	free(tr->repeats);
	tr->repeats = NULL;
}

void tr_repeats_save(const struct traces *tr, struct st_out *o)
{
	const struct tr_repeats *r = tr->repeats;
	st_u64(o, r ? r->n : 0);
	for (size_t i = 0; r && i < r->n; i++) {
		const struct rep_group *g = &r->v[i];
		st_u64(o, g->fp);
		st_u32(o, g->seen);
		st_u8(o, g->n);
		st_u8(o, g->params);
		for (unsigned k = 0; k < g->n; k++) {
			const struct rep_slot *sl = &SLOT(g, k);
			st_u64(o, sl->key);
			st_i64(o, sl->first_ts);
			st_i64(o, sl->last_ts);
			st_u64(o, sl->us);
			st_u32(o, sl->count);
		}
	}
}

bool tr_repeats_load(struct traces *tr, struct st_in *in)
{
	size_t n = st_get_count(in, 8 + 4 + 2, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		if (!tr->repeats)
			tr->repeats = xcalloc(1, sizeof(*tr->repeats));
		struct rep_group *g = group_of(tr->repeats, st_get_u64(in));
		g->seen = st_get_u32(in);
		unsigned ns = st_get_u8(in);
		g->params = st_get_u8(in);
		if (ns > REP_SLOTS)
			return st_fail(in, "a repeated read with too many slots");
		for (unsigned k = 0; k < ns; k++) {
			struct rep_slot *sl = slot_room(g, k);
			sl->key = st_get_u64(in);
			sl->first_ts = st_get_i64(in);
			sl->last_ts = st_get_i64(in);
			sl->us = st_get_u64(in);
			sl->count = st_get_u32(in);
		}
		g->n = (uint8_t)ns;
	}
	return !in->bad;
}

static int cmp_group_fp(const void *pa, const void *pb)
{
	const struct group *a = *(struct group *const *)pa, *b = *(struct group *const *)pb;
	return a->fingerprint < b->fingerprint ? -1 : a->fingerprint > b->fingerprint;
}

static struct group *find_group(struct group **byfp, size_t n, uint64_t fp)
{
	struct group key = { .fingerprint = fp };
	const struct group *kp = &key;
	struct group **hit = bsearch(&kp, byfp, n, sizeof(*byfp), cmp_group_fp);
	return hit ? *hit : NULL;
}

static void finding(struct analysis *a, const struct group *g, const struct rep_slot *s,
		bool params, double span_s)
{
	double misses = 1 + (s->first_ts != TS_NONE && s->last_ts != TS_NONE ?
		(double)(int64_t)((double)(s->last_ts - s->first_ts) / REP_TTL_MS) : 0);
	double hits = (double)s->count - misses;
	double mean = (double)(int64_t)((double)s->us / (double)s->count * 1e3 + 0.5) / 1e6;
	double saved = (double)(int64_t)(hits * mean * 1e3 + 0.5) / 1e3;
	struct finding *f = findings_add(a->findings, FK_cache_candidate,
		saved >= 1000 ? FS_WARNING : FS_INFO, saved,
		"Cache candidate: the same read ran %llu times with the same %s in %.1f s "
		"(%.0f a second): %.100s", (unsigned long long)s->count,
		params ? "parameters" : "literals", span_s, span_s > 0 ? (double)s->count / span_s : 0,
		g->query);
	finding_set_fingerprint(f, g->fingerprint);
	finding_set_suggestion(f, "-- A cache in front of the database (Valkey, or the "
		"application's own) keeping this result %.0f s would have answered %.0f of these "
		"%llu calls (%.1f%%; %.1f%% of the statement's %llu calls), saving %.0f ms of "
		"database time and %.0f round trips. Invalidate it when the rows change.",
		REP_TTL_MS / 1000, hits, (unsigned long long)s->count, 100 * hits / (double)s->count,
		100 * hits / (double)g->calls, (unsigned long long)g->calls, saved, hits);
	json_t *ev = f->evidence;
	json_object_set_new(ev, "query", json_string(g->query));
	json_object_set_new(ev, "same_calls", json_integer((json_int_t)s->count));
	json_object_set_new(ev, "statement_calls", json_integer((json_int_t)g->calls));
	json_object_set_new(ev, "span_s", json_real(span_s));
	json_object_set_new(ev, "mean_ms", json_real(mean));
	json_object_set_new(ev, "ttl_s", json_real(REP_TTL_MS / 1000));
	json_object_set_new(ev, "cache_hits", json_real(hits));
	json_object_set_new(ev, "hit_share", json_real(hits / (double)s->count));
	json_object_set_new(ev, "saved_ms", json_real(saved));
	json_object_set_new(ev, "by", json_string(params ? "parameters" : "literals"));
}

void tr_repeat_findings(struct traces *tr, struct analysis *a)
{
	struct tr_repeats *r = tr->repeats;
	if (!r || !a->ngroups)
		return;
	struct group **byfp = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct rep_group *rg = &r->v[i];
		for (unsigned k = 0; k < rg->n; k++) {
			const struct rep_slot *s = &SLOT(rg, k);
			if (s->count < REP_MIN_CALLS)
				continue;
			double span_s = s->first_ts != TS_NONE && s->last_ts != TS_NONE ?
				(double)(s->last_ts - s->first_ts) / 1000 : 0;
			if (span_s > 0 && (double)s->count / span_s < REP_MIN_RATE)
				continue;
			if (!byfp) {
				byfp = xmalloc(a->ngroups * sizeof(*byfp));
				memcpy(byfp, a->groups, a->ngroups * sizeof(*byfp));
				qsort(byfp, a->ngroups, sizeof(*byfp), cmp_group_fp);
			}
			/* Filtered out (--db, --since...): no group, no finding. */
			const struct group *g = find_group(byfp, a->ngroups, rg->fp);
			if (g && g->query && cacheable(g->query))
				finding(a, g, s, (rg->params >> k) & 1u, span_s);
		}
	}
	free(byfp);
}
