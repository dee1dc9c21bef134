/* sketch.c: bounded-memory latency quantiles (see sketch.h).
 *
 * Written by hand rather than taken from a library: Debian ships no C
 * DDSketch, and the whole structure is a few dozen lines. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"
#include "util.h"


static double log_gamma(void)
{
	static double lg;
	if (lg == 0)
		lg = log((1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA));
	return lg;
}

/* The bucket by definition. */
static int32_t bucket_log(double v)
{
	return (int32_t)ceil(log(v) / log_gamma());
}

/* bucket_log() without log(), which was a third of sketch_add() (about
 * 50 instructions a call from libm). Values from 2^OCT_LO to 2^OCT_HI are
 * split by their exponent and top SUB_BITS mantissa bits into slots
 * narrower than a bucket (a slot spans log2(1 + 2^-7) = 0.011 octave, a
 * bucket 0.014), so a slot holds at most one bucket boundary. The table
 * keeps each slot's bucket at its low end and the first value of the
 * next bucket inside it, both found with bucket_log() itself: as
 * bucket_log() never decreases, the answer is exactly its own. A slot
 * whose ends are more than one bucket apart (none, with these constants)
 * is answered by bucket_log(). check_sketch.c compares both around every
 * boundary. */
#define OCT_LO (-24)
#define OCT_HI 44
#define SUB_BITS 7
#define NSLOTS ((OCT_HI - OCT_LO) << SUB_BITS)

static struct bucket_slot {
	double next;            /* the first value of bucket b + 1 in the slot */
	int32_t b;              /* the slot's first value's bucket; INT32_MIN: use log */
} slots[NSLOTS];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
/* Set once the table is built: a load instead of pthread_once()'s call. */
static atomic_bool slots_ready;

static uint64_t bits_of(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof(u));
	return u;
}

static double of_bits(uint64_t u)
{
	double v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

/* The smallest positive double in (lo, hi] (as bit patterns, which order
 * positive doubles) whose bucket is at least k; bucket_log(hi) >= k >
 * bucket_log(lo). Starts next to guess and widens, then bisects. */
static uint64_t first_in_bucket(uint64_t lo, uint64_t hi, int32_t k, uint64_t guess)
{
	if (guess > lo && guess < hi) {
		uint64_t step = 1;
		if (bucket_log(of_bits(guess)) >= k) {
			hi = guess;
			while (hi - lo > step && bucket_log(of_bits(hi - step)) >= k) {
				hi -= step;
				step *= 2;
			}
			if (hi - lo > step)
				lo = hi - step;
		} else {
			lo = guess;
			while (hi - lo > step && bucket_log(of_bits(lo + step)) < k) {
				lo += step;
				step *= 2;
			}
			if (hi - lo > step)
				hi = lo + step;
		}
	}
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (bucket_log(of_bits(mid)) >= k)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void slots_build(void)
{
	uint64_t first = bits_of(ldexp(1, OCT_LO));
	int32_t b = bucket_log(of_bits(first));
	for (size_t i = 0; i < NSLOTS; i++) {
		uint64_t lo = first + ((uint64_t)i << (52 - SUB_BITS));
		uint64_t hi = lo + ((uint64_t)1 << (52 - SUB_BITS));  /* next slot's first */
		int32_t b_hi = bucket_log(of_bits(hi));
		slots[i].b = b;
		if (b_hi == b) {
			slots[i].next = INFINITY;
		} else if (b_hi == b + 1) {
			double guess = exp((double)b * log_gamma());
			uint64_t at = first_in_bucket(lo, hi, b + 1, bits_of(guess));
			slots[i].next = of_bits(at);
		} else {
			slots[i].b = INT32_MIN;
		}
		b = b_hi;
	}
	atomic_store_explicit(&slots_ready, true, memory_order_release);
}

int32_t sketch_bucket(double v)
{
	uint64_t u = bits_of(v);
	uint64_t i = (u >> (52 - SUB_BITS)) - (bits_of(ldexp(1, OCT_LO)) >> (52 - SUB_BITS));
	if (!(v > 0) || i >= NSLOTS)
		return bucket_log(v);
	if (!atomic_load_explicit(&slots_ready, memory_order_acquire))
		pthread_once(&slots_once, slots_build);
	const struct bucket_slot *s = &slots[i];
	if (s->b == INT32_MIN)
		return bucket_log(v);
	return s->b + (v >= s->next);
}

int32_t sketch_bucket_log(double v)
{
	return bucket_log(v);
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

/* Why the buckets wait: while a sketch holds its values verbatim (up to
 * SKETCH_EXACT) its quantiles and histogram come from them, and buckets
 * between a group's two calls of 0.5 and 2.5 ms took 160 counters (most
 * groups of a log with many distinct statements run once or twice). The
 * buckets are made from the values when the sketch outgrows them; the
 * counts are the same in any order (ensure_range() folds by the final
 * span), so they are the ones adding each value would have made. */
static void add_value_bucket(struct sketch *s, double v)
{
	if (v > SKETCH_MIN_VALUE)
		add_bucket(s, sketch_bucket(v), 1);
}

/* The values become buckets; the sketch keeps only those. */
static void exact_to_buckets(struct sketch *s)
{
	if (!s->exact)
		return;
	for (uint64_t i = 0; i < s->count; i++)
		add_value_bucket(s, s->exact[i]);
	free(s->exact);
	s->exact = NULL;
}

void sketch_add(struct sketch *s, double v)
{
	if (!(v > 0))
		v = 0;
	if (s->count == 0 || v < s->min)
		s->min = v;
	if (s->count == 0 || v > s->max)
		s->max = v;
	if (v <= SKETCH_MIN_VALUE)
		s->zeros++;
	if (s->count < SKETCH_EXACT) {
		exact_reserve(s, s->count + 1);
		s->exact[s->count++] = v;
		return;
	}
	exact_to_buckets(s);
	s->count++;
	add_value_bucket(s, v);
}

void sketch_merge(struct sketch *dst, const struct sketch *src)
{
	if (src->count == 0)
		return;
	bool exact = dst->count + src->count <= SKETCH_EXACT && src->exact
		&& (dst->exact || dst->count == 0);
	if (exact) {
		exact_reserve(dst, dst->count + src->count);
		memcpy(dst->exact + dst->count, src->exact, src->count * sizeof(double));
	} else {
		exact_to_buckets(dst);
		if (src->exact) {
			for (uint64_t i = 0; i < src->count; i++)
				add_value_bucket(dst, src->exact[i]);
		} else if (src->nbuckets) {
			ensure_range(dst, src->lo, src->lo + (int32_t)src->nbuckets - 1);
			for (uint32_t i = 0; i < src->nbuckets; i++)
				if (src->counts[i])
					add_bucket(dst, src->lo + (int32_t)i, src->counts[i]);
		}
	}
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->zeros += src->zeros;
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
