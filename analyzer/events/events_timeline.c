/* events_timeline.c: calls, time, latency and events over the window.
 *
 * Buckets are consecutive (empty ones included) and aligned on multiples
 * of their width since the epoch (UTC). The width follows the window:
 * 1 s, 5 s, 15 s while that gives at most EV_TIMELINE_FINE_BUCKETS (a
 * window of up to 2, 10, 30 minutes), then 1 min, 5 min, 15 min, 1 h,
 * 6 h, 1 day, 1 week, then twice as wide each time, at most
 * EV_TIMELINE_MAX_BUCKETS; every bucket is folded into wider ones when the
 * window grows past that. Each width divides the next, so a fold never splits a bucket, and
 * the width a run ends with is the narrowest that covers its window
 * whatever the order entries came in or workers were merged in. */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "timeutil.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static int64_t last_start(const struct ev_timeline *tl)
{
	return tl->b[0].start_ms + (int64_t)(tl->n - 1) * tl->width_ms;
}

/* The narrowest width from w up whose buckets cover [lo, hi] within the
 * limit: seconds only while they make a chart of a few minutes, not the
 * 1,440 buckets of a whole day's minutes. */
static int64_t width_for(int64_t w, int64_t lo, int64_t hi)
{
	for (;;) {
		int64_t n = floor_div(hi, w) - floor_div(lo, w) + 1;
		if (n <= (w < MS_PER_MIN ? EV_TIMELINE_FINE_BUCKETS :
				EV_TIMELINE_MAX_BUCKETS))
			return w;
		w = ts_ladder_next(w);
	}
}

static void add_bucket(struct ev_bucket *dst, struct ev_bucket *src)
{
	dst->calls += src->calls;
	dst->timed_calls += src->timed_calls;
	dst->total_ms = ms_add(dst->total_ms, src->total_ms);
	sketch_merge(&dst->latency, &src->latency);
	dst->errors += src->errors;
	dst->lock_waits += src->lock_waits;
	dst->temp_bytes += src->temp_bytes;
}

static void init_buckets(struct ev_bucket *b, size_t n, int64_t start,
		int64_t width)
{
	for (size_t i = 0; i < n; i++) {
		memset(&b[i], 0, sizeof(b[i]));
		sketch_init(&b[i].latency);
		b[i].start_ms = start + (int64_t)i * width;
	}
}

/* Folds every bucket into buckets w wide. */
static void coarsen(struct ev_timeline *tl, int64_t w)
{
	if (w == tl->width_ms)
		return;
	if (tl->n == 0) {
		tl->width_ms = w;
		return;
	}
	int64_t first = floor_div(tl->b[0].start_ms, w);
	size_t n = (size_t)(floor_div(last_start(tl), w) - first + 1);
	struct ev_bucket *b = xmalloc(n * sizeof(*b));
	init_buckets(b, n, first * w, w);
	for (size_t i = 0; i < tl->n; i++) {
		size_t at = (size_t)(floor_div(tl->b[i].start_ms, w) - first);
		add_bucket(&b[at], &tl->b[i]);
		sketch_release(&tl->b[i].latency);
	}
	free(tl->b);
	tl->b = b;
	tl->n = tl->cap = n;
	tl->width_ms = w;
}

static void reserve(struct ev_timeline *tl, size_t n)
{
	if (n <= tl->cap)
		return;
	size_t cap = tl->cap ? tl->cap : 16;
	while (cap < n)
		cap *= 2;
	tl->b = xrealloc(tl->b, cap * sizeof(*tl->b));
	tl->cap = cap;
}

/* The bucket of ts, made (and the timeline widened) when needed. */
static struct ev_bucket *bucket_at(struct ev_timeline *tl, int64_t ts)
{
	int64_t w = tl->width_ms;
	if (tl->n) {
		int64_t lo = tl->b[0].start_ms, hi = last_start(tl);
		if (ts >= lo && ts < hi + w)
			return &tl->b[(ts - lo) / w];
		coarsen(tl, width_for(w, ts < lo ? ts : lo, ts > hi ? ts : hi));
		w = tl->width_ms;
	}
	int64_t k = floor_div(ts, w);
	if (tl->n == 0) {
		reserve(tl, 1);
		init_buckets(tl->b, 1, k * w, w);
		tl->n = 1;
		return &tl->b[0];
	}
	int64_t first = floor_div(tl->b[0].start_ms, w);
	int64_t last = first + (int64_t)tl->n - 1;
	if (k < first) {
		size_t add = (size_t)(first - k);
		reserve(tl, tl->n + add);
		memmove(tl->b + add, tl->b, tl->n * sizeof(*tl->b));
		init_buckets(tl->b, add, k * w, w);
		tl->n += add;
		return &tl->b[0];
	}
	if (k > last) {
		size_t add = (size_t)(k - last);
		reserve(tl, tl->n + add);
		init_buckets(tl->b + tl->n, add, (last + 1) * w, w);
		tl->n += add;
	}
	return &tl->b[k - first];
}

void ev_timeline_call(struct ev_timeline *tl, int64_t ts, bool timed,
		double ms)
{
	if (ts == TS_NONE)
		return;
	struct ev_bucket *b = bucket_at(tl, ts);
	b->calls++;
	if (timed) {
		b->timed_calls++;
		b->total_ms = ms_add(b->total_ms, ms);
		sketch_add(&b->latency, ms);
	}
}

void ev_timeline_count(struct ev_timeline *tl, int64_t ts, enum ev_tl_field f,
		uint64_t n)
{
	if (ts == TS_NONE)
		return;
	struct ev_bucket *b = bucket_at(tl, ts);
	switch (f) {
	case EV_TL_ERRORS: b->errors += n; break;
	case EV_TL_LOCK_WAITS: b->lock_waits += n; break;
	case EV_TL_TEMP_BYTES: b->temp_bytes += n; break;
	}
}

void ev_timeline_merge(struct ev_timeline *dst, struct ev_timeline *src)
{
	if (src->n == 0)
		return;
	int64_t w = dst->width_ms > src->width_ms ? dst->width_ms : src->width_ms;
	int64_t lo = src->b[0].start_ms, hi = last_start(src);
	if (dst->n) {
		if (dst->b[0].start_ms < lo)
			lo = dst->b[0].start_ms;
		if (last_start(dst) > hi)
			hi = last_start(dst);
	}
	w = width_for(w, lo, hi);
	coarsen(dst, w);
	coarsen(src, w);
	for (size_t i = 0; i < src->n; i++)
		add_bucket(bucket_at(dst, src->b[i].start_ms), &src->b[i]);
	ev_timeline_free(src);
}

void ev_timeline_free(struct ev_timeline *tl)
{
	for (size_t i = 0; i < tl->n; i++)
		sketch_release(&tl->b[i].latency);
	free(tl->b);
	tl->b = NULL;
	tl->n = tl->cap = 0;
	tl->width_ms = TS_LADDER_FIRST_MS;
}
