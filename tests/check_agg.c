/* check_agg.c: per-fingerprint aggregates, their per-group timeline. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "timeutil.h"

#define MIN_MS 60000
/* 2026-11-19T00:00:00Z, a Thursday: a multiple of every ladder width up
 * to a week, so the expected bucket counts below are exact. */
#define T0 INT64_C(1795046400000)

/* Deterministic xorshift so failures reproduce. */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct call mkcall(uint64_t fp, int64_t ts, bool timed, double ms)
{
	struct call c;
	memset(&c, 0, sizeof(c));
	c.fingerprint = fp;
	c.ts_ms = ts;
	c.timed = timed;
	c.duration_ms = ms;
	c.source = SRC_BIT(SRC_LOG);
	c.query = (struct slice){ "select 1", 8 };
	c.db = (struct slice){ "db", 2 };
	c.user = (struct slice){ "u", 1 };
	c.app = (struct slice){ "app", 3 };
	c.pid = -1;
	return c;
}

static struct group *find_group(struct agg *a, uint64_t fp)
{
	size_t n;
	struct group **v = agg_sorted(a, &n);
	for (size_t i = 0; i < n; i++)
		if (v[i]->fingerprint == fp)
			return v[i];
	return NULL;
}

/* Sorted, aligned, within the limit, and adding up to calls. */
static void check_shape(const struct agg_timeline *tl, uint64_t calls)
{
	uint64_t sum = 0;
	ck_assert_uint_le(tl->n, AGG_TIMELINE_MAX);
	ck_assert_uint_le(tl->cap, AGG_TIMELINE_MAX);
	for (uint32_t i = 0; i < tl->n; i++) {
		ck_assert_int_eq(tl->b[i].start_ms % tl->width_ms, 0);
		ck_assert_uint_gt(tl->b[i].calls, 0);
		if (i)
			ck_assert_int_lt(tl->b[i - 1].start_ms, tl->b[i].start_ms);
		sum += tl->b[i].calls;
	}
	ck_assert_uint_eq(sum, calls);
}

static void check_same(const struct agg_timeline *x, const struct agg_timeline *y)
{
	ck_assert_int_eq(x->width_ms, y->width_ms);
	ck_assert_uint_eq(x->n, y->n);
	for (uint32_t i = 0; i < x->n; i++) {
		ck_assert_int_eq(x->b[i].start_ms, y->b[i].start_ms);
		ck_assert_uint_eq(x->b[i].calls, y->b[i].calls);
		ck_assert_double_eq_tol(x->b[i].total_ms, y->b[i].total_ms, 1e-6);
	}
}

START_TEST(test_buckets)
{
	struct agg *a = agg_new();
	static const struct { int64_t off; double ms; } in[] = {
		{ 0, 1 }, { 30000, 2 }, { 59999, 4 },           /* minute 0 */
		{ 3 * MIN_MS + 1, 8 },                           /* minute 3 */
		{ MIN_MS, 16 },                                  /* minute 1, late */
		{ 3 * MIN_MS + 500, 32 },
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct call c = mkcall(1, T0 + in[i].off, true, in[i].ms);
		agg_add_call(a, &c);
	}
	struct group *g = find_group(a, 1);
	ck_assert_ptr_nonnull(g);
	const struct agg_timeline *tl = &g->timeline;
	ck_assert_int_eq(tl->width_ms, MIN_MS);
	ck_assert_uint_eq(tl->n, 3);
	ck_assert_int_eq(tl->b[0].start_ms, T0);
	ck_assert_uint_eq(tl->b[0].calls, 3);
	ck_assert_double_eq(tl->b[0].total_ms, 7);
	ck_assert_int_eq(tl->b[1].start_ms, T0 + MIN_MS);
	ck_assert_uint_eq(tl->b[1].calls, 1);
	ck_assert_double_eq(tl->b[1].total_ms, 16);
	ck_assert_int_eq(tl->b[2].start_ms, T0 + 3 * MIN_MS);
	ck_assert_uint_eq(tl->b[2].calls, 2);
	ck_assert_double_eq(tl->b[2].total_ms, 40);
	check_shape(tl, g->calls);
	agg_free(a);
}
END_TEST

/* Before 1970 buckets still start at or before their calls. */
START_TEST(test_negative_ts)
{
	struct agg_timeline tl = { 0 };
	agg_timeline_add(&tl, -1, 1, 1);
	agg_timeline_add(&tl, -MIN_MS, 1, 1);
	agg_timeline_add(&tl, 0, 1, 1);
	ck_assert_uint_eq(tl.n, 2);
	ck_assert_int_eq(tl.b[0].start_ms, -MIN_MS);
	ck_assert_uint_eq(tl.b[0].calls, 2);
	ck_assert_int_eq(tl.b[1].start_ms, 0);
	agg_timeline_release(&tl);
	ck_assert_uint_eq(tl.n, 0);
	ck_assert_ptr_null(tl.b);
}
END_TEST

/* Without a duration a call counts but adds no time; without a time stamp
 * it is not in the timeline at all (yet still in the group). */
START_TEST(test_untimed)
{
	struct agg *a = agg_new();
	struct call c = mkcall(1, T0 + 5, false, 0);
	agg_add_call(a, &c);
	c = mkcall(1, T0 + 6, true, 2.5);
	agg_add_call(a, &c);
	c = mkcall(1, TS_NONE, true, 100);
	agg_add_call(a, &c);
	c = mkcall(2, TS_NONE, true, 7);
	agg_add_call(a, &c);

	struct group *g = find_group(a, 1);
	ck_assert_uint_eq(g->calls, 3);
	ck_assert_uint_eq(g->timeline.n, 1);
	ck_assert_uint_eq(g->timeline.b[0].calls, 2);
	ck_assert_double_eq(g->timeline.b[0].total_ms, 2.5);

	g = find_group(a, 2);
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_uint_eq(g->timeline.n, 0);
	ck_assert_int_eq(g->timeline.width_ms, 0);
	ck_assert_ptr_null(g->timeline.b);
	agg_free(a);
}
END_TEST

/* Distinct minutes fed, and the width they must end at: the narrowest on
 * the ladder (1, 5, 15 min, 1 h, 6 h, 1 day, 1 week, then doubling) at
 * which they fit in AGG_TIMELINE_MAX buckets. */
static const struct { int64_t minutes; int64_t width; int shuffled; } widen_cases[] = {
	{ AGG_TIMELINE_MAX, MIN_MS, 0 },
	{ AGG_TIMELINE_MAX + 1, 5 * MIN_MS, 0 },
	{ 1000, 15 * MIN_MS, 1 },
	{ 30 * 24 * 60, 6 * 60 * MIN_MS, 1 },                 /* a month */
	{ 3 * 365 * 24 * 60, 14 * 24 * 60 * MIN_MS, 0 },      /* 3 years: 2 weeks */
};

START_TEST(test_widen)
{
	int64_t m = widen_cases[_i].minutes;
	struct agg *a = agg_new();
	rng_state = 0x9E3779B97F4A7C15ull + (uint64_t)_i;
	for (int64_t k = 0; k < m; k++) {
		int64_t at = widen_cases[_i].shuffled ? (int64_t)(rng_next() % (uint64_t)m) : k;
		struct call c = mkcall(7, T0 + at * MIN_MS + 1234, true, 1);
		agg_add_call(a, &c);
	}
	struct group *g = find_group(a, 7);
	ck_assert_int_eq(g->timeline.width_ms, widen_cases[_i].width);
	check_shape(&g->timeline, g->calls);
	ck_assert_int_le(g->timeline.b[0].start_ms, T0);
	agg_free(a);
}
END_TEST

/* Two workers fed different parts, at different widths, merge into what
 * one agg fed everything holds; also in the other merge order. */
START_TEST(test_merge_widths)
{
	struct agg *one = agg_new(), *w1 = agg_new(), *w2 = agg_new();
	struct agg *r1 = agg_new(), *r2 = agg_new();
	rng_state = 42 + (uint64_t)_i;
	uint64_t calls = 0;
	for (int k = 0; k < 20000; k++) {
		/* w1: a year, sparse; w2: two hours, dense (narrow buckets). */
		bool first = rng_next() % 4 == 0;
		int64_t span = first ? INT64_C(365) * 24 * 60 * MIN_MS : 2 * 60 * MIN_MS;
		int64_t ts = T0 + (int64_t)(rng_next() % (uint64_t)span);
		if (_i == 1)
			ts = T0 + (int64_t)(rng_next() % (uint64_t)(first ? 500 : 90)) * MIN_MS;
		bool timed = rng_next() % 5 != 0;
		double ms = (double)(rng_next() % 100000) / 1000;
		uint64_t fp = 1 + rng_next() % 3;
		struct call c = mkcall(fp, rng_next() % 50 == 0 ? TS_NONE : ts, timed, ms);
		agg_add_call(one, &c);
		agg_add_call(first ? w1 : w2, &c);
		agg_add_call(first ? r2 : r1, &c);
		calls++;
	}
	for (uint64_t fp = 1; fp <= 3; fp++) {
		const struct group *x = find_group(w1, fp), *y = find_group(w2, fp);
		ck_assert_int_gt(x->timeline.width_ms, y->timeline.width_ms);
	}
	agg_merge(w1, w2);
	agg_merge(r1, r2);      /* narrow into wide, then wide into narrow */
	uint64_t sum = 0;
	for (uint64_t fp = 1; fp <= 3; fp++) {
		const struct group *g = find_group(one, fp);
		uint64_t timestamped = 0;
		for (uint32_t i = 0; i < g->timeline.n; i++)
			timestamped += g->timeline.b[i].calls;
		check_shape(&g->timeline, timestamped);
		check_shape(&find_group(w1, fp)->timeline, timestamped);
		check_same(&g->timeline, &find_group(w1, fp)->timeline);
		check_same(&g->timeline, &find_group(r1, fp)->timeline);
		ck_assert_uint_lt(timestamped, g->calls);
		sum += g->calls;
	}
	ck_assert_uint_eq(sum, calls);
	agg_free(one);
	agg_free(w1);
	agg_free(w2);
	agg_free(r1);
	agg_free(r2);
}
END_TEST

/* Merging into or from an empty timeline, and timestamp-less groups. */
START_TEST(test_merge_empty)
{
	struct agg *a = agg_new(), *b = agg_new(), *c2 = agg_new();
	struct call c = mkcall(1, T0, true, 3);
	agg_add_call(b, &c);
	c = mkcall(2, TS_NONE, true, 3);
	agg_add_call(b, &c);
	agg_add_call(c2, &c);
	agg_merge(a, b);        /* into nothing */
	agg_merge(a, c2);       /* nothing into something */
	ck_assert_uint_eq(find_group(a, 1)->timeline.n, 1);
	ck_assert_uint_eq(find_group(a, 1)->timeline.b[0].calls, 1);
	ck_assert_uint_eq(find_group(a, 2)->timeline.n, 0);
	ck_assert_uint_eq(find_group(a, 2)->calls, 2);

	struct agg_timeline x = { 0 }, y = { 0 };
	agg_timeline_add(&y, T0, 2, 1);
	agg_timeline_merge(&x, &y);
	ck_assert_uint_eq(x.n, 1);
	ck_assert_uint_eq(y.n, 0);
	agg_timeline_merge(&x, &y);
	ck_assert_uint_eq(x.b[0].calls, 2);
	agg_timeline_release(&x);
	agg_free(a);
	agg_free(b);
	agg_free(c2);
}
END_TEST

Suite *suite_agg(void);
Suite *suite_agg(void)
{
	Suite *s = suite_create("agg");
	TCase *tc = tcase_create("timeline");
	tcase_add_test(tc, test_buckets);
	tcase_add_test(tc, test_negative_ts);
	tcase_add_test(tc, test_untimed);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_widen, 0, (int)(sizeof(widen_cases) / sizeof(widen_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("merge");
	tcase_add_loop_test(tc, test_merge_widths, 0, 2);
	tcase_add_test(tc, test_merge_empty);
	suite_add_tcase(s, tc);
	return s;
}
