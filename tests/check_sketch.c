/* check_sketch.c: quantile accuracy against exact values. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"
#include "sketch_hist.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Deterministic xorshift so failures reproduce. */
static uint64_t rng_state;
static double rng_unit(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}

/* Latency-like skewed distributions: lognormal body, Pareto tail, and a
 * bimodal mix of fast cache hits and slow disk reads. */
static double draw(int kind)
{
	double u = rng_unit(), w = rng_unit();
	double normal = sqrt(-2 * log(u)) * cos(2 * M_PI * w);
	switch (kind) {
	case 0: return exp(0.5 + 1.5 * normal);                 /* lognormal */
	case 1: return 0.2 / pow(rng_unit(), 1.0 / 1.2);        /* Pareto */
	default: return u < 0.9 ? 0.05 + 0.02 * w : 200 + 3000 * w * w;
	}
}

static const double quantiles[] = { 0.5, 0.9, 0.95, 0.99, 0.999 };

START_TEST(test_accuracy_million)
{
	const size_t n = 1000000;
	double *v = malloc(n * sizeof(double));
	struct sketch s;
	sketch_init(&s);
	rng_state = 0x9E3779B97F4A7C15ull + (uint64_t)_i;
	for (size_t k = 0; k < n; k++) {
		v[k] = draw(_i);
		sketch_add(&s, v[k]);
	}
	qsort(v, n, sizeof(double), cmp_double);
	for (size_t q = 0; q < sizeof(quantiles) / sizeof(quantiles[0]); q++) {
		size_t rank = (size_t)ceil(quantiles[q] * n);
		double exact = v[rank - 1], got = sketch_quantile(&s, quantiles[q]);
		ck_assert_msg(fabs(got - exact) <= 0.01 * exact,
			"distribution %d q=%g: exact %g, sketch %g", _i, quantiles[q], exact, got);
	}
	ck_assert_uint_eq(s.count, n);
	ck_assert(s.min == v[0] && s.max == v[n - 1]);
	/* Bounded: the stored span never passes the cap. */
	ck_assert_uint_le(s.nbuckets, SKETCH_MAX_BUCKETS);
	sketch_release(&s);
	free(v);
}
END_TEST

START_TEST(test_exact_small)
{
	struct sketch s;
	sketch_init(&s);
	double vals[] = { 5, 1, 4, 2, 3 };
	for (int k = 0; k < 5; k++)
		sketch_add(&s, vals[k]);
	ck_assert(sketch_quantile(&s, 0.5) == 3);
	ck_assert(sketch_quantile(&s, 0.95) == 5);
	ck_assert(sketch_quantile(&s, 0) == 1);
	sketch_release(&s);
	sketch_init(&s);
	ck_assert(sketch_quantile(&s, 0.5) == 0);
}
END_TEST

START_TEST(test_merge_matches_single)
{
	struct sketch all, a, b;
	sketch_init(&all);
	sketch_init(&a);
	sketch_init(&b);
	rng_state = 42;
	for (int k = 0; k < 200000; k++) {
		double x = draw(0);
		sketch_add(&all, x);
		sketch_add(k % 3 ? &a : &b, x);
	}
	sketch_merge(&a, &b);
	ck_assert_uint_eq(a.count, all.count);
	for (size_t q = 0; q < sizeof(quantiles) / sizeof(quantiles[0]); q++)
		ck_assert(sketch_quantile(&a, quantiles[q]) == sketch_quantile(&all, quantiles[q]));
	/* Small sketches merged stay exact. */
	struct sketch x, y;
	sketch_init(&x);
	sketch_init(&y);
	sketch_add(&x, 10);
	sketch_add(&y, 30);
	sketch_add(&y, 20);
	sketch_merge(&x, &y);
	ck_assert(sketch_quantile(&x, 0.5) == 20);
	sketch_release(&x);
	sketch_release(&y);
	sketch_release(&all);
	sketch_release(&a);
	sketch_release(&b);
}
END_TEST

/* Buckets are made only past SKETCH_EXACT values, from the values kept:
 * whatever the sizes and order of the pieces merged (some still exact,
 * some bucketed), the buckets, quantiles and histogram are those of one
 * sketch fed every value, and its buckets count every value's own
 * bucket. Sizes straddle SKETCH_EXACT; values include zeros. */
START_TEST(test_deferred_buckets)
{
	static const unsigned sizes[] = { 1, 2, SKETCH_EXACT - 1, SKETCH_EXACT,
		SKETCH_EXACT + 1, 3 * SKETCH_EXACT + 5 };
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		unsigned n = sizes[si];
		for (unsigned seed = 1; seed <= 20; seed++) {
			struct sketch all, parts[4], sum;
			double v[3 * SKETCH_EXACT + 5];
			sketch_init(&all);
			sketch_init(&sum);
			for (int k = 0; k < 4; k++)
				sketch_init(&parts[k]);
			rng_state = seed * 7919;
			for (unsigned i = 0; i < n; i++) {
				v[i] = i % 17 == 3 ? 0 : draw((int)(seed % 3));
				sketch_add(&all, v[i]);
				sketch_add(&parts[(unsigned)(rng_unit() * 4) % 4], v[i]);
			}
			for (int k = 3; k >= 0; k--)
				sketch_merge(&sum, &parts[k]);
			ck_assert_uint_eq(sum.count, n);
			ck_assert(sum.min == all.min && sum.max == all.max);
			ck_assert_uint_eq(sum.zeros, all.zeros);
			ck_assert_int_eq(sum.exact != NULL, n <= SKETCH_EXACT);
			ck_assert_int_eq(all.exact != NULL, n <= SKETCH_EXACT);
			for (double q = 0; q <= 1.0; q += 0.01)
				ck_assert(sketch_quantile(&sum, q) == sketch_quantile(&all, q));
			uint64_t ha[SKETCH_HIST_BINS], hs[SKETCH_HIST_BINS];
			sketch_hist_counts(&all, ha);
			sketch_hist_counts(&sum, hs);
			ck_assert(memcmp(ha, hs, sizeof(ha)) == 0);
			if (n > SKETCH_EXACT) {
				ck_assert_int_eq(sum.lo, all.lo);
				ck_assert_uint_eq(sum.nbuckets, all.nbuckets);
				ck_assert(memcmp(sum.counts, all.counts,
					all.nbuckets * sizeof(*all.counts)) == 0);
				uint64_t in_buckets = 0;
				for (uint32_t b = 0; b < all.nbuckets; b++)
					in_buckets += all.counts[b];
				ck_assert_uint_eq(in_buckets + all.zeros, n);
				for (unsigned i = 0; i < n; i++)
					if (v[i] > SKETCH_MIN_VALUE)
						ck_assert_uint_gt(all.counts[sketch_bucket(v[i]) - all.lo], 0);
			} else {
				ck_assert_uint_eq(all.nbuckets, 0);  /* none made */
			}
			sketch_release(&all);
			sketch_release(&sum);
			for (int k = 0; k < 4; k++)
				sketch_release(&parts[k]);
		}
	}
}
END_TEST

START_TEST(test_limits)
{
	struct sketch s;
	sketch_init(&s);
	/* Zeros, negatives, and values across 15 orders of magnitude. */
	sketch_add(&s, 0);
	sketch_add(&s, -3);
	for (int e = -6; e <= 9; e++)
		for (int k = 0; k < 10; k++)
			sketch_add(&s, pow(10, e));
	ck_assert_uint_le(s.nbuckets, SKETCH_MAX_BUCKETS);
	ck_assert(sketch_quantile(&s, 0.01) == 0);
	ck_assert(sketch_quantile(&s, 1) == 1e9);
	double p99 = sketch_quantile(&s, 0.99);
	ck_assert_msg(fabs(p99 - 1e9) <= 0.01 * 1e9, "p99 %g", p99);
	sketch_release(&s);
}
END_TEST

/* The table behind sketch_bucket() must give log()'s bucket exactly: at
 * and around every bucket boundary in its range (the first value of each
 * bucket, found here by bisection with log(), and 300 doubles either
 * side), at the range's ends, and on a million values across 20 orders
 * of magnitude. */
START_TEST(test_bucket_exact)
{
	unsigned long bad = 0;
	double first_bad = 0;
	int32_t lo_b = sketch_bucket_log(ldexp(1, -24)), hi_b = sketch_bucket_log(ldexp(1, 44));
	for (int32_t k = lo_b + 1; k <= hi_b; k++) {
		double a = ldexp(1, -25), b = ldexp(1, 45);
		uint64_t ua, ub;
		memcpy(&ua, &a, 8);
		memcpy(&ub, &b, 8);
		while (ub - ua > 1) {   /* the first double in bucket k */
			uint64_t um = ua + (ub - ua) / 2;
			double m;
			memcpy(&m, &um, 8);
			if (sketch_bucket_log(m) >= k)
				ub = um;
			else
				ua = um;
		}
		for (uint64_t u = ub - 300; u <= ub + 300; u++) {
			double v;
			memcpy(&v, &u, 8);
			if (sketch_bucket(v) != sketch_bucket_log(v) && !bad++)
				first_bad = v;
		}
	}
	rng_state = 0x2545F4914F6CDD1Dull;
	for (int k = 0; k < 1000000; k++) {
		double v = pow(10, -8 + 20 * rng_unit());
		if (sketch_bucket(v) != sketch_bucket_log(v) && !bad++)
			first_bad = v;
	}
	/* Counted, not asserted per value: each Check assertion costs a
	 * write to its runner. */
	ck_assert_msg(bad == 0, "%lu values in the wrong bucket, the first %.17g",
		bad, first_bad);
	const double edge[] = { 1e-300, 4.9e-324, 1e-7, ldexp(1, -24), ldexp(1, 44),
		nextafter(ldexp(1, 44), 0), 1e300, 1.7976931348623157e308 };
	for (size_t k = 0; k < sizeof(edge) / sizeof(edge[0]); k++)
		ck_assert(sketch_bucket(edge[k]) == sketch_bucket_log(edge[k]));
}
END_TEST

Suite *suite_sketch(void);
Suite *suite_sketch(void)
{
	Suite *s = suite_create("sketch");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_accuracy_million, 0, 3);
	tcase_add_test(tc, test_exact_small);
	tcase_add_test(tc, test_merge_matches_single);
	tcase_add_test(tc, test_deferred_buckets);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_bucket_exact);
	suite_add_tcase(s, tc);
	return s;
}
