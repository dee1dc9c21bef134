/* sketch.c: bounded-memory latency quantiles (see sketch.h).
 *
 * Written by hand rather than taken from a library: Debian ships no C
 * DDSketch, and the whole structure is a few dozen lines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"
#include "util.h"

/* Below this a latency is indistinguishable from zero (1 ns). */
#define SKETCH_MIN_VALUE 1e-6

static double log_gamma(void)
{
	static double lg;
	if (lg == 0)
		lg = log((1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA));
	return lg;
}

static int32_t bucket_of(double v)
{
	return (int32_t)ceil(log(v) / log_gamma());
}

/* The value a bucket stands for: the point whose relative distance to
 * both bucket bounds is SKETCH_ALPHA. */
static double bucket_value(int32_t i)
{
	double g = exp(log_gamma());
	return 2.0 * pow(g, i) / (g + 1.0);
}

/* Room the exact array has for n values: powers of two from 2 up to
 * SKETCH_EXACT. Most groups of a high-cardinality log run once or twice;
 * sizing the array by what it holds keeps them at 16 bytes, not 512. */
static uint64_t exact_cap(uint64_t n)
{
	uint64_t cap = 2;
	while (cap < n && cap < SKETCH_EXACT)
		cap *= 2;
	return cap;
}

/* Makes s->exact hold n values (n <= SKETCH_EXACT), keeping what it has. */
static void exact_reserve(struct sketch *s, uint64_t n)
{
	if (!s->exact || exact_cap(s->count) < n)
		s->exact = xrealloc(s->exact, exact_cap(n) * sizeof(double));
}

void sketch_init(struct sketch *s)
{
	memset(s, 0, sizeof(*s));
}

void sketch_release(struct sketch *s)
{
	free(s->counts);
	free(s->exact);
	sketch_init(s);
}

/* Makes [lo, hi] fit in counts, folding the lowest buckets into the lowest
 * kept one when the span would pass SKETCH_MAX_BUCKETS: the high
 * quantiles, which matter for latency, stay exact to alpha. */
static void ensure_range(struct sketch *s, int32_t lo, int32_t hi)
{
	if (s->nbuckets == 0) {
		s->lo = lo;
	} else {
		if (s->lo < lo)
			lo = s->lo;
		if (s->lo + (int32_t)s->nbuckets - 1 > hi)
			hi = s->lo + (int32_t)s->nbuckets - 1;
	}
	if (hi - lo + 1 > SKETCH_MAX_BUCKETS)
		lo = hi - SKETCH_MAX_BUCKETS + 1;
	uint32_t n = (uint32_t)(hi - lo + 1);
	if (s->nbuckets && lo == s->lo && n == s->nbuckets)
		return;
	uint32_t *c = xcalloc(n, sizeof(*c));
	for (uint32_t i = 0; i < s->nbuckets; i++) {
		int32_t idx = s->lo + (int32_t)i;
		int32_t at = idx < lo ? 0 : idx - lo;
		c[at] += s->counts[i];
	}
	free(s->counts);
	s->counts = c;
	s->lo = lo;
	s->nbuckets = n;
}

static void add_bucket(struct sketch *s, int32_t idx, uint32_t n)
{
	if (s->nbuckets == 0 || idx < s->lo || idx >= s->lo + (int32_t)s->nbuckets)
		ensure_range(s, idx, idx);
	if (idx < s->lo)        /* folded away */
		idx = s->lo;
	s->counts[idx - s->lo] += n;
}

void sketch_add(struct sketch *s, double v)
{
	if (!(v > 0))
		v = 0;
	if (s->count == 0 || v < s->min)
		s->min = v;
	if (s->count == 0 || v > s->max)
		s->max = v;
	if (s->count < SKETCH_EXACT) {
		exact_reserve(s, s->count + 1);
		s->exact[s->count] = v;
	} else if (s->exact) {
		free(s->exact);
		s->exact = NULL;
	}
	s->count++;
	if (v <= SKETCH_MIN_VALUE)
		s->zeros++;
	else
		add_bucket(s, bucket_of(v), 1);
}

void sketch_merge(struct sketch *dst, const struct sketch *src)
{
	if (src->count == 0)
		return;
	if (dst->count + src->count <= SKETCH_EXACT && src->exact) {
		exact_reserve(dst, dst->count + src->count);
		memcpy(dst->exact + dst->count, src->exact, src->count * sizeof(double));
	} else {
		free(dst->exact);
		dst->exact = NULL;
	}
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->zeros += src->zeros;
	if (src->nbuckets) {
		ensure_range(dst, src->lo, src->lo + (int32_t)src->nbuckets - 1);
		for (uint32_t i = 0; i < src->nbuckets; i++)
			if (src->counts[i])
				add_bucket(dst, src->lo + (int32_t)i, src->counts[i]);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double sketch_quantile(const struct sketch *s, double q)
{
	if (s->count == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	uint64_t rank = (uint64_t)ceil(q * (double)s->count);
	if (rank < 1)
		rank = 1;
	if (rank == 1)
		return s->min;
	if (rank >= s->count)
		return s->max;
	if (s->exact) {
		double v[SKETCH_EXACT];
		memcpy(v, s->exact, s->count * sizeof(double));
		qsort(v, s->count, sizeof(double), cmp_double);
		return v[rank - 1];
	}
	uint64_t seen = s->zeros;
	if (seen >= rank)
		return 0;
	for (uint32_t i = 0; i < s->nbuckets; i++) {
		seen += s->counts[i];
		if (seen >= rank) {
			double v = bucket_value(s->lo + (int32_t)i);
			return v < s->min ? s->min : v > s->max ? s->max : v;
		}
	}
	return s->max;
}
