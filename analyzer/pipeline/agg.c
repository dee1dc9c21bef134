/* agg.c: per-fingerprint aggregates (see agg.h).
 *
 * Groups live in an open-addressing table keyed by fingerprint. A call
 * finds its group through the fp_entry it came with (entry->user caches
 * the group), so the table is only probed once per distinct text. */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "agg.h"
#include "arena.h"
#include "timeutil.h"

struct intern_slot {
	uint64_t hash;
	size_t len;
	const char *s;
};

struct agg {
	struct arena *arena;
	struct group **slots;   /* open addressing by fingerprint */
	size_t nslots, ngroups;
	struct intern_slot *names;
	size_t nnames_slots, nnames;
	struct group **sorted;
	bool dirty;             /* groups or totals changed since sorted was built */
	/* How this agg makes groups and examples: its own, whatever a merge
	 * moves in or out. */
	struct {
		bool share_texts;       /* see agg_share_entry_texts() */
		bool mask_examples;     /* see agg_mask_examples() */
	} how;
};

static const char *const source_names[] = {
#define X(id, name) name,
	SOURCE_LIST(X)
#undef X
};

const char *source_name(unsigned i)
{
	return i < ARRAY_SIZE(source_names) ? source_names[i] : NULL;
}

struct agg *agg_new(void)
{
	struct agg *a = xcalloc(1, sizeof(*a));
	a->arena = arena_new();
	a->nslots = 1024;
	a->slots = xcalloc(a->nslots, sizeof(*a->slots));
	a->nnames_slots = 64;
	a->names = xcalloc(a->nnames_slots, sizeof(*a->names));
	return a;
}

/* ---- per-group timeline ----
 *
 * Why sparse and capped: a group may run in a handful of minutes of a
 * month-long log, or in every minute of it, and a run may have hundreds
 * of thousands of groups. A dense array over the run's window (up to
 * EV_TIMELINE_MAX_BUCKETS) would cost every group the whole window; a
 * sorted list of the non-empty buckets costs what the group used, and
 * widening past AGG_TIMELINE_MAX bounds it at under 3 KiB a group whatever
 * the input. The width only grows (to the narrowest ladder width at which
 * the group's buckets fit), so it does not depend on the order calls came
 * in or workers were merged in.
 *
 * Why the run-wide ladder (1 s, 5 s, 15 s, 1 min, 5 min, 15 min, 1 h, 6 h,
 * 1 day, 1 week, then doubling) rather than plain doubling: each width divides the next,
 * so a group's buckets nest in the run's (or the run's in a group's) and a
 * reader can sum a group's buckets into the run's without splitting one.
 *
 * Why cheap: calls come mostly in time order per input, so the common case
 * is one division and an update of the last bucket, or an append. */

/* The start of the bucket w wide that holds ts (floor, also before 1970). */
static int64_t tl_floor(int64_t ts, int64_t w)
{
	int64_t q = ts / w;
	if (ts % w != 0 && ts < 0)
		q--;
	return q * w;
}

/* Folds neighbours into buckets of the next width, in place. */
static void tl_widen(struct agg_timeline *tl)
{
	int64_t w = ts_ladder_next(tl->width_ms);
	uint32_t k = 0;
	for (uint32_t i = 0; i < tl->n; i++) {
		int64_t s = tl_floor(tl->b[i].start_ms, w);
		if (k > 0 && tl->b[k - 1].start_ms == s) {
			tl->b[k - 1].calls += tl->b[i].calls;
			tl->b[k - 1].total_ms = ms_add(tl->b[k - 1].total_ms, tl->b[i].total_ms);
		} else {
			tl->b[k] = tl->b[i];
			tl->b[k++].start_ms = s;
		}
	}
	tl->n = k;
	tl->width_ms = w;
}

void agg_timeline_floor(struct agg_timeline *tl, int64_t w)
{
	while (tl->width_ms && tl->width_ms < w)
		tl_widen(tl);
}

void agg_timeline_add(struct agg_timeline *tl, int64_t ts_ms, uint64_t calls,
		double total_ms)
{
	if (ts_ms == TS_NONE)
		return;
	if (tl->width_ms == 0)
		tl->width_ms = TS_LADDER_FIRST_MS;
	for (;;) {
		int64_t s = tl_floor(ts_ms, tl->width_ms);
		uint32_t n = tl->n, at = n;
		if (n && tl->b[n - 1].start_ms >= s) {
			if (tl->b[n - 1].start_ms == s) {
				at = n - 1;
			} else {
				/* Out of order: the first bucket starting at or after s. */
				uint32_t lo = 0, hi = n - 1;
				while (lo < hi) {
					uint32_t mid = (lo + hi) / 2;
					if (tl->b[mid].start_ms < s)
						lo = mid + 1;
					else
						hi = mid;
				}
				at = lo;
			}
			if (tl->b[at].start_ms == s) {
				tl->b[at].calls += calls;
				tl->b[at].total_ms = ms_add(tl->b[at].total_ms, total_ms);
				return;
			}
		}
		if (n < AGG_TIMELINE_MAX) {
			if (n == tl->cap) {
				tl->cap = tl->cap ? tl->cap * 2 : 1;     /* most groups: one bucket */
				if (tl->cap > AGG_TIMELINE_MAX)
					tl->cap = AGG_TIMELINE_MAX;
				tl->b = xrealloc(tl->b, tl->cap * sizeof(*tl->b));
			}
			memmove(&tl->b[at + 1], &tl->b[at], (n - at) * sizeof(*tl->b));
			tl->b[at] = (struct agg_bucket){ s, calls, total_ms };
			tl->n++;
			return;
		}
		tl_widen(tl);
	}
}

void agg_timeline_merge(struct agg_timeline *dst, struct agg_timeline *src)
{
	if (src->n == 0) {
		agg_timeline_release(src);
		return;
	}
	if (dst->n == 0) {
		free(dst->b);
		*dst = *src;
		*src = (struct agg_timeline){ 0 };
		return;
	}
	while (dst->width_ms < src->width_ms)
		tl_widen(dst);
	while (src->width_ms < dst->width_ms)
		tl_widen(src);
	struct agg_bucket *b = xmalloc((dst->n + src->n) * sizeof(*b));
	uint32_t i = 0, j = 0, k = 0;
	while (i < dst->n || j < src->n) {
		if (j == src->n || (i < dst->n && dst->b[i].start_ms < src->b[j].start_ms)) {
			b[k++] = dst->b[i++];
		} else if (i == dst->n || src->b[j].start_ms < dst->b[i].start_ms) {
			b[k++] = src->b[j++];
		} else {
			b[k] = dst->b[i++];
			b[k].calls += src->b[j].calls;
			b[k].total_ms = ms_add(b[k].total_ms, src->b[j].total_ms);
			k++;
			j++;
		}
	}
	free(dst->b);
	dst->b = b;
	dst->n = dst->cap = k;
	while (dst->n > AGG_TIMELINE_MAX)
		tl_widen(dst);
	if (dst->cap > AGG_TIMELINE_MAX) {
		dst->cap = AGG_TIMELINE_MAX;
		dst->b = xrealloc(dst->b, dst->cap * sizeof(*dst->b));
	}
	agg_timeline_release(src);
}

void agg_timeline_release(struct agg_timeline *tl)
{
	free(tl->b);
	*tl = (struct agg_timeline){ 0 };
}

static void group_release(struct group *g)
{
	sketch_release(&g->sketch);
	agg_timeline_release(&g->timeline);
	free(g->dbs.v);
	free(g->users.v);
	free(g->apps.v);
	for (unsigned i = 0; i < g->nexamples; i++) {
		free(g->examples[i].rest);
		free(g->examples[i].params);
	}
	free(g->examples);
	free(g->plan_json);
	free(g->stats.hist);
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nslots; i++)
		if (a->slots[i])
			group_release(a->slots[i]);
	free(a->slots);
	free(a->names);
	free(a->sorted);
	arena_free(a->arena);
	free(a);
}

const char *agg_intern(struct agg *a, const char *s, size_t len)
{
	uint64_t h = XXH3_64bits(s, len);
	size_t mask = a->nnames_slots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct intern_slot *slot = &a->names[i];
		if (!slot->s) {
			slot->hash = h;
			slot->len = len;
			slot->s = arena_strndup(a->arena, s, len);
			if (++a->nnames * 2 > a->nnames_slots) {
				/* Grow: rehash into a table twice the size. */
				struct intern_slot *old = a->names;
				size_t oldn = a->nnames_slots;
				const char *ret = slot->s;
				a->nnames_slots *= 2;
				a->names = xcalloc(a->nnames_slots, sizeof(*a->names));
				mask = a->nnames_slots - 1;
				for (size_t k = 0; k < oldn; k++) {
					if (!old[k].s)
						continue;
					size_t j = old[k].hash & mask;
					while (a->names[j].s)
						j = (j + 1) & mask;
					a->names[j] = old[k];
				}
				free(old);
				return ret;
			}
			return slot->s;
		}
		if (slot->hash == h && slot->len == len && memcmp(slot->s, s, len) == 0)
			return slot->s;
	}
}

/* The slot that holds fp, or the empty one where it goes: the one probe
 * of the table, for lookups, inserts and rehashing alike (a rehash that
 * placed groups by another hash left lookups missing them: a second group
 * for the same fingerprint). */
static size_t slot_of(const struct agg *a, uint64_t fp)
{
	size_t mask = a->nslots - 1;
	size_t i = (size_t)(fp * 0x9E3779B97F4A7C15ull >> 20) & mask;
	while (a->slots[i] && a->slots[i]->fingerprint != fp)
		i = (i + 1) & mask;
	return i;
}

static void grow_groups(struct agg *a)
{
	struct group **old = a->slots;
	size_t oldn = a->nslots;
	a->nslots *= 2;
	a->slots = xcalloc(a->nslots, sizeof(*a->slots));
	for (size_t k = 0; k < oldn; k++)
		if (old[k])
			a->slots[slot_of(a, old[k]->fingerprint)] = old[k];
	free(old);
}

/* Finds or creates the group for fp; query is its normalized text, copied
 * unless borrow (then it must outlive the group). */
static struct group *group_get(struct agg *a, uint64_t fp, const char *query,
		bool lexical, bool borrow)
{
	size_t i = slot_of(a, fp);
	if (a->slots[i])
		return a->slots[i];
	struct group *g = arena_alloc(a->arena, sizeof(*g));
	memset(g, 0, sizeof(*g));
	g->fingerprint = fp;
	g->lexical = lexical;
	/* Not interned: a group's text is one of a kind (the fingerprint is),
	 * and the intern table would grow a slot for every group. */
	g->query = borrow ? query : arena_strndup(a->arena, query, strlen(query));
	g->first_ts = g->last_ts = TS_NONE;
	sketch_init(&g->sketch);
	a->slots[i] = g;
	a->ngroups++;
	a->dirty = true;        /* agg_sorted() rebuilds; a caller's array stays valid till then */
	if (a->ngroups * 2 > a->nslots)
		grow_groups(a);
	return g;
}

/* The slot for name in nc, NULL when the group already tracks
 * AGG_MAX_NAMES names (those calls are counted under "other"). */
static void names_add(struct name_counts *nc, const char *name, uint64_t n)
{
	for (uint32_t i = 0; i < nc->n; i++) {
		if (nc->v[i].name == name) {
			nc->v[i].count += n;
			return;
		}
	}
	if (nc->n >= AGG_MAX_NAMES) {
		nc->other += n;
		return;
	}
	if (nc->n == nc->cap) {
		nc->cap = nc->cap ? nc->cap * 2 : 1;    /* most groups: one name */
		nc->v = xrealloc(nc->v, nc->cap * sizeof(*nc->v));
	}
	nc->v[nc->n++] = (struct name_count){ name, n };
}

static const char *intern_slice(struct agg *a, struct slice s)
{
	return agg_intern(a, s.ptr, s.len);
}

/* ---- examples, stored against their group's query text ---- */

/* Eight bytes at a time: a kilobyte of shared text per example was 3% of
 * a run of 20,000 distinct statements byte by byte. */
static size_t common_head(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	for (uint64_t x, y; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static void example_pack(const struct group *g, struct example *e,
		const char *q, size_t len)
{
	const char *t = g->query;
	size_t tlen = strlen(t), tail = 0;
	size_t head = common_head(q, t, len < tlen ? len : tlen);
	while (tail < len - head && tail < tlen - head
			&& q[len - 1 - tail] == t[tlen - 1 - tail])
		tail++;
	e->head = (uint32_t)head;
	e->tail = (uint32_t)tail;
	e->rest = len - head - tail ? xstrndup(q + head, len - head - tail) : NULL;
}

void agg_example_set_query(const struct group *g, struct example *e,
		const char *q, size_t len)
{
	struct strbuf nul = STRBUF_INIT;

	free(e->rest);
	e->norm_is_query = e->masked = false;
	/* Every reader takes the text as a C string, and a NUL (a log that a
	 * crash left holes in) would end it there: each is kept as the four
	 * characters "\x00", as the human outputs show a control character
	 * (text_escape.h). */
	if (memchr(q, '\0', len)) {
		for (size_t i = 0; i < len; i++)
			if (q[i])
				sb_putc(&nul, q[i]);
			else
				sb_append(&nul, "\\x00", 4);
		q = nul.buf;
		len = nul.len;
	}
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	example_pack(g, e, q, len);
	sb_release(&nul);
}

void agg_example_query(const struct group *g, const struct example *e,
		struct strbuf *sb)
{
	/* Clamped: a query text changed under its examples (against the
	 * rule above) gives wrong text, never a read out of bounds. */
	size_t tlen = strlen(g->query);
	size_t head = e->head < tlen ? e->head : tlen;
	size_t tail = e->tail < tlen - head ? e->tail : tlen - head;
	sb_reset(sb);
	sb_append(sb, g->query, head);
	if (e->rest)
		sb_append(sb, e->rest, strlen(e->rest));
	sb_append(sb, g->query + tlen - tail, tail);
}

/* Room for one more example (g has fewer than AGG_EXAMPLES). */
static void examples_grow(struct group *g)
{
	g->examples = xrealloc(g->examples, (g->nexamples + 1) * sizeof(*g->examples));
}

struct example *agg_example_add(struct group *g)
{
	examples_grow(g);
	struct example *e = &g->examples[g->nexamples++];
	memset(e, 0, sizeof(*e));
	e->pid = -1;
	return e;
}

/* The place among g's examples (the AGG_EXAMPLES slowest, slowest first)
 * of one that took duration_ms, made free (its strings not owned); NULL
 * when it is not among the slowest. */
static struct example *example_slot(struct group *g, double duration_ms,
		uint64_t pos)
{
	unsigned at = g->nexamples;
	while (at > 0 && (g->examples[at - 1].duration_ms < duration_ms ||
			(g->examples[at - 1].duration_ms == duration_ms &&
			 g->examples[at - 1].pos > pos)))
		at--;
	if (at >= AGG_EXAMPLES)
		return NULL;
	if (g->nexamples == AGG_EXAMPLES) {
		struct example *last = &g->examples[AGG_EXAMPLES - 1];
		free(last->rest);
		free(last->params);
	} else {
		examples_grow(g);
		g->nexamples++;
	}
	memmove(&g->examples[at + 1], &g->examples[at],
		(g->nexamples - 1 - at) * sizeof(struct example));
	return &g->examples[at];
}

static void example_offer(struct agg *a, struct group *g, const struct call *c)
{
	if (!c->timed || c->query.len == 0)
		return;
	struct example *e = example_slot(g, c->duration_ms, c->pos);
	if (!e)
		return;
	e->ts_ms = c->ts_ms;
	e->pos = c->pos;
	e->pid = c->pid;
	e->duration_ms = c->duration_ms;
	e->rest = NULL;
	/* Its masked text is the group's, with no second normalizing (a NUL
	 * inside would have cut the stored text short of it). */
	bool norm_is_query = c->query_made_entry && c->entry
		&& !memchr(c->query.ptr, '\0', c->query.len)
		&& (c->entry->norm == g->query || strcmp(c->entry->norm, g->query) == 0);
	if (norm_is_query && a->how.mask_examples && !strcasestr(g->query, "offset")) {
		/* Stored as the group's text itself: all shared, nothing kept. */
		e->head = (uint32_t)strlen(g->query);
		e->tail = 0;
		e->masked = true;
		e->params = NULL;
	} else {
		agg_example_set_query(g, e, c->query.ptr, c->query.len);
		e->params = c->params.len ? xstrndup(c->params.ptr, c->params.len) : NULL;
	}
	e->norm_is_query = norm_is_query;
	e->db = intern_slice(a, c->db);
	e->user = intern_slice(a, c->user);
	e->app = intern_slice(a, c->app);
}

static struct group *group_for_entry(struct agg *a, struct fp_entry *e)
{
	struct group *g = e->user;
	if (!g) {
		g = group_get(a, e->fingerprint, e->norm, e->lexical, a->how.share_texts);
		e->user = g;
	}
	return g;
}

struct group *agg_group_get(struct agg *a, uint64_t fingerprint,
		const char *query, bool lexical)
{
	return group_get(a, fingerprint, query, lexical, false);
}

struct group *agg_add_call(struct agg *a, const struct call *c)
{
	struct group *g = c->entry ? group_for_entry(a, c->entry)
		: group_get(a, c->fingerprint, "", true, false);
	return agg_add_call_to(a, g, c);
}

bool agg_plan_better(const struct group *g, double plan_ms, uint64_t pos)
{
	return !g->plan_json || plan_ms > g->plan_ms ||
		(plan_ms == g->plan_ms && pos && g->plan_pos && pos < g->plan_pos);
}

struct group *agg_add_call_to(struct agg *a, struct group *g, const struct call *c)
{
	a->dirty = true;
	if (g->calls == 0)
		g->first_pos = c->pos;
	g->calls++;
	g->sources |= c->source;
	if (c->timed) {
		double d = c->duration_ms;
		if (g->timed_calls == 0 || d < g->min_ms)
			g->min_ms = d;
		if (g->timed_calls == 0 || d > g->max_ms)
			g->max_ms = d;
		g->timed_calls++;
		g->total_ms = ms_add(g->total_ms, d);
		sketch_add(&g->sketch, d);
	}
	if (c->ts_ms != TS_NONE) {
		if (g->first_ts == TS_NONE || c->ts_ms < g->first_ts)
			g->first_ts = c->ts_ms;
		if (g->last_ts == TS_NONE || c->ts_ms > g->last_ts)
			g->last_ts = c->ts_ms;
		agg_timeline_add(&g->timeline, c->ts_ms, 1,
			c->timed ? c->duration_ms : 0);
	}
	names_add(&g->dbs, intern_slice(a, c->db), 1);
	names_add(&g->users, intern_slice(a, c->user), 1);
	names_add(&g->apps, intern_slice(a, c->app), 1);
	example_offer(a, g, c);
	return g;
}

void agg_add_prep(struct agg *a, struct fp_entry *entry, double ms)
{
	struct group *g = group_for_entry(a, entry);
	g->prep_count++;
	g->prep_ms = ms_add(g->prep_ms, ms);
}

void agg_attach_params(struct agg *a, struct group *g, int64_t ts_ms,
		double duration_ms, struct slice params)
{
	(void)a;
	for (unsigned i = 0; i < g->nexamples; i++) {
		struct example *e = &g->examples[i];
		if (e->ts_ms == ts_ms && e->duration_ms == duration_ms && !e->params) {
			e->params = xstrndup(params.ptr, params.len);
			return;
		}
	}
}

static void names_merge(struct agg *dst, struct name_counts *to,
		const struct name_counts *from)
{
	for (uint32_t i = 0; i < from->n; i++)
		names_add(to, agg_intern(dst, from->v[i].name, strlen(from->v[i].name)),
			from->v[i].count);
	to->other += from->other;
}

/* g takes query as its text (s's, logged earlier): its examples, stored
 * against the old text, are stored again against the new one. */
static void group_retext(struct group *g, const char *query, bool lexical)
{
	struct strbuf old[AGG_EXAMPLES];
	for (unsigned k = 0; k < g->nexamples; k++) {
		old[k] = (struct strbuf)STRBUF_INIT;
		agg_example_query(g, &g->examples[k], &old[k]);
	}
	g->query = query;
	g->lexical = lexical;
	for (unsigned k = 0; k < g->nexamples; k++) {
		struct example *e = &g->examples[k];
		free(e->rest);
		e->rest = NULL;
		agg_example_set_query(g, e, old[k].buf, old[k].len);
		e->norm_is_query = false;
		sb_release(&old[k]);
	}
}

static void group_merge(struct agg *dst, struct group *g, struct group *s)
{
	struct strbuf text = STRBUF_INIT;

	/* The text of the group is that of its first call in the inputs'
	 * order, as one reader would have it. */
	if (s->first_pos && g->first_pos && s->first_pos < g->first_pos) {
		if (strcmp(g->query, s->query) != 0)
			group_retext(g, s->query, s->lexical);
		g->first_pos = s->first_pos;
	}

	if (s->timed_calls) {
		if (g->timed_calls == 0 || s->min_ms < g->min_ms)
			g->min_ms = s->min_ms;
		if (g->timed_calls == 0 || s->max_ms > g->max_ms)
			g->max_ms = s->max_ms;
	}
	g->calls += s->calls;
	g->timed_calls += s->timed_calls;
	g->total_ms = ms_add(g->total_ms, s->total_ms);
	g->prep_count += s->prep_count;
	g->prep_ms = ms_add(g->prep_ms, s->prep_ms);
	sketch_merge(&g->sketch, &s->sketch);
	agg_timeline_merge(&g->timeline, &s->timeline);
	if (s->first_ts != TS_NONE && (g->first_ts == TS_NONE || s->first_ts < g->first_ts))
		g->first_ts = s->first_ts;
	if (s->last_ts != TS_NONE && (g->last_ts == TS_NONE || s->last_ts > g->last_ts))
		g->last_ts = s->last_ts;
	g->sources |= s->sources;
	names_merge(dst, &g->dbs, &s->dbs);
	names_merge(dst, &g->users, &s->users);
	names_merge(dst, &g->apps, &s->apps);
	/* Examples: take the source's over slower-ranked ones, moving the
	 * strings instead of copying them. */
	for (unsigned k = 0; k < s->nexamples; k++) {
		struct example *e = &s->examples[k];
		struct example *to = example_slot(g, e->duration_ms, e->pos);
		if (!to)
			continue;
		*to = *e;
		if (strcmp(g->query, s->query) != 0) {
			/* Stored against s's text: store it against g's. */
			agg_example_query(s, e, &text);
			to->rest = NULL;
			agg_example_set_query(g, to, text.buf, text.len);
			to->masked = e->masked;         /* as shown */
			free(e->rest);
		}
		to->db = agg_intern(dst, e->db, strlen(e->db));
		to->user = agg_intern(dst, e->user, strlen(e->user));
		to->app = agg_intern(dst, e->app, strlen(e->app));
		e->rest = e->params = NULL;
	}
	if (s->plan_json && agg_plan_better(g, s->plan_ms, s->plan_pos)) {
		free(g->plan_json);
		g->plan_json = s->plan_json;
		g->plan_ms = s->plan_ms;
		g->plan_pos = s->plan_pos;
		s->plan_json = NULL;
	}
	sb_release(&text);
}

/* A group moved from another agg: its names were interned there. */
static void group_reintern(struct agg *dst, struct group *g)
{
	struct name_counts *lists[] = { &g->dbs, &g->users, &g->apps };
	for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
		for (uint32_t i = 0; i < lists[k]->n; i++)
			lists[k]->v[i].name = agg_intern(dst, lists[k]->v[i].name,
				strlen(lists[k]->v[i].name));
	for (unsigned i = 0; i < g->nexamples; i++) {
		struct example *e = &g->examples[i];
		e->db = agg_intern(dst, e->db, strlen(e->db));
		e->user = agg_intern(dst, e->user, strlen(e->user));
		e->app = agg_intern(dst, e->app, strlen(e->app));
	}
}

/* Why groups move rather than being copied: with hundreds of thousands of
 * distinct statements a copy doubled the peak memory of a run (each
 * worker's groups and their merged copies alive at once). */
void agg_merge(struct agg *dst, struct agg *src)
{
	if (dst->ngroups == 0 && dst->nnames == 0) {
		/* Into an empty agg (the first worker's, or -j 1): take it all.
		 * Each keeps its own way of making groups and examples. */
		struct agg empty = *dst;
		*dst = *src;
		*src = empty;
		src->how = dst->how;
		dst->how = empty.how;
		dst->dirty = true;
		free(dst->sorted);
		dst->sorted = NULL;
		return;
	}
	for (size_t i = 0; i < src->nslots; i++) {
		struct group *s = src->slots[i];
		if (!s)
			continue;
		src->slots[i] = NULL;
		size_t j = slot_of(dst, s->fingerprint);
		if (dst->slots[j]) {
			group_merge(dst, dst->slots[j], s);
			group_release(s);
			continue;
		}
		/* New to dst: the group itself moves, with src's arena below. */
		group_reintern(dst, s);
		dst->slots[j] = s;
		dst->ngroups++;
		if (dst->ngroups * 2 > dst->nslots)
			grow_groups(dst);
	}
	arena_absorb(dst->arena, src->arena);
	dst->dirty = true;
	src->ngroups = 0;
	free(src->sorted);
	src->sorted = NULL;
}

void agg_mask_examples(struct agg *a)
{
	a->how.mask_examples = true;
}

void agg_share_entry_texts(struct agg *a)
{
	a->how.share_texts = true;
}

void agg_keep_arena(struct agg *a, struct arena *ar)
{
	if (!ar)
		return;
	arena_absorb(a->arena, ar);
	arena_free(ar);
}

static int cmp_total_desc(const void *pa, const void *pb)
{
	const struct group *a = *(const struct group *const *)pa;
	const struct group *b = *(const struct group *const *)pb;
	if (a->total_ms != b->total_ms)
		return a->total_ms < b->total_ms ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	return (a->fingerprint > b->fingerprint) - (a->fingerprint < b->fingerprint);
}

struct group **agg_sorted(struct agg *a, size_t *n)
{
	if (!a->sorted || a->dirty) {
		free(a->sorted);
		a->dirty = false;
		a->sorted = xmalloc((a->ngroups + 1) * sizeof(*a->sorted));
		size_t k = 0;
		for (size_t i = 0; i < a->nslots; i++)
			if (a->slots[i])
				a->sorted[k++] = a->slots[i];
		qsort(a->sorted, k, sizeof(*a->sorted), cmp_total_desc);
	}
	*n = a->ngroups;
	return a->sorted;
}

void agg_totals(const struct agg *a, uint64_t *calls, double *total_ms)
{
	*calls = 0;
	*total_ms = 0;
	for (size_t i = 0; i < a->nslots; i++) {
		if (a->slots[i]) {
			*calls += a->slots[i]->calls;
			*total_ms = ms_add(*total_ms, a->slots[i]->total_ms);
		}
	}
}
