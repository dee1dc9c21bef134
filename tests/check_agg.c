/* check_agg.c: per-fingerprint aggregates, their per-group timeline. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "analysis.h"
#include "testutil.h"
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
	/* Kept by the second (three calls in minute 0 apart), floored to
	 * the minute as a run charted by the minute does. */
	ck_assert_int_eq(g->timeline.width_ms, 1000);
	ck_assert_uint_eq(g->timeline.n, 5);
	agg_timeline_floor(&g->timeline, MIN_MS);
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
	agg_timeline_floor(&tl, MIN_MS);
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
	agg_timeline_floor(&g->timeline, MIN_MS);       /* a run by the minute */
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

/* One group per fingerprint however far the table grew: every group is
 * found again by its fingerprint, directly and through a merge into an
 * agg that has grown too. (The rehash once placed groups where lookups
 * did not look: 5,000 fingerprints asked for twice made 9,424 groups.) */
START_TEST(test_lookup_after_growth)
{
	struct agg *a = agg_new(), *b = agg_new();
	const size_t n = 5000;
	for (size_t i = 1; i <= n; i++) {
		agg_group_get(a, i * 0x100000001ull, "q", false);
		agg_group_get(b, i * 0x100000001ull + (i % 2), "q", false);
	}
	for (size_t i = 1; i <= n; i++) {
		struct group *g = agg_group_get(a, i * 0x100000001ull, "q", false);
		ck_assert(g == find_group(a, i * 0x100000001ull));
	}
	size_t count;
	agg_sorted(a, &count);
	ck_assert_uint_eq(count, n);
	agg_merge(a, b);        /* half of b's fingerprints are a's */
	agg_sorted(a, &count);
	ck_assert_uint_eq(count, n + n / 2);
	agg_free(a);
	agg_free(b);
}
END_TEST

/* A merge into an empty agg takes its groups, not its ways: the merged
 * agg still keeps literals after taking a masking worker's groups. */
START_TEST(test_merge_keeps_ways)
{
	struct agg *dst = agg_new(), *src = agg_new();
	struct fp_entry e = { .fingerprint = 1, .norm = "SELECT $1", .norm_len = 9 };
	struct call c = mkcall(0, T0, true, 5);
	c.entry = &e;
	c.query_made_entry = true;
	c.query = (struct slice){ "SELECT 7", 8 };
	agg_mask_examples(src);
	agg_add_call(src, &c);
	ck_assert(find_group(src, 1)->examples[0].masked);
	agg_merge(dst, src);                    /* dst was empty: takes all */
	c.duration_ms = 9;                      /* slower: the first example */
	c.query = (struct slice){ "SELECT 8", 8 };
	agg_add_call(dst, &c);
	struct group *g = find_group(dst, 1);
	ck_assert(!g->examples[0].masked);
	struct strbuf sb = STRBUF_INIT;
	agg_example_query(g, &g->examples[0], &sb);
	ck_assert_str_eq(sb.buf, "SELECT 8");
	sb_release(&sb);
	agg_free(src);
	agg_free(dst);
}
END_TEST

/* ---- examples, stored against their group's text ---- */

/* Every example of a real run reads back as it was stored, against its
 * own group's text and against any other's; and where the reports skip
 * normalizing it (norm_is_query), normalizing gives the group's text.
 * Without --show-literals (_i 0) the examples that mask to their group's
 * text keep no literals but for statements with OFFSET; with it (_i 1)
 * every one keeps them. */
START_TEST(test_examples_real)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/samples/postgresql.log.zst", tu_root());
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	o.show_literals = _i == 1;
	const char *paths[] = { path };
	struct analysis *a;
	analysis_run(&o, paths, 1, &a);
	ck_assert_uint_gt(a->ngroups, 20);

	struct strbuf text = STRBUF_INIT, again = STRBUF_INIT, norm = STRBUF_INIT;
	unsigned shortcut = 0, checked = 0, masked = 0, offset_raw = 0;
	for (size_t i = 0; i < a->ngroups; i++) {
		struct group *g = a->groups[i];
		for (unsigned k = 0; k < g->nexamples; k++) {
			const struct example *e = &g->examples[k];
			agg_example_query(g, e, &text);
			ck_assert_uint_eq(text.len, strlen(text.buf));
			ck_assert_uint_eq(e->head + e->tail + (e->rest ? strlen(e->rest) : 0),
				text.len);
			if (e->masked) {
				ck_assert(!o.show_literals);
				ck_assert(e->norm_is_query);
				ck_assert_str_eq(text.buf, g->query);
				ck_assert_ptr_null(e->params);
				ck_assert_ptr_null(strcasestr(g->query, "offset"));
				masked++;
			} else if (e->norm_is_query) {
				fp_normalize(text.buf, text.len, &norm);
				ck_assert_str_eq(norm.buf, g->query);
				offset_raw += strcasestr(g->query, "offset") != NULL;
			}
			shortcut += e->norm_is_query;
			/* Against another group's text. */
			struct group other = { .query = a->groups[(i + 1) % a->ngroups]->query };
			struct example x = { 0 };
			agg_example_set_query(&other, &x, text.buf, text.len);
			agg_example_query(&other, &x, &again);
			ck_assert_str_eq(again.buf, text.buf);
			free(x.rest);
			checked++;
		}
	}
	ck_assert_uint_gt(checked, 40);
	ck_assert_uint_gt(shortcut, checked / 2);
	if (o.show_literals) {
		ck_assert_uint_eq(masked, 0);
	} else {
		ck_assert_uint_gt(masked, checked / 2);
		ck_assert_uint_gt(offset_raw, 0);       /* the sample pages with OFFSET */
	}
	sb_release(&text);
	sb_release(&again);
	sb_release(&norm);
	analysis_free(a);
}
END_TEST

/* Texts that overlap their group's at both ends, or not at all. */
START_TEST(test_examples_edges)
{
	static const struct { const char *query, *text; } cases[] = {
		{ "aa", "aaa" }, { "aaa", "aa" }, { "abc", "abc" }, { "", "x" },
		{ "x", "" }, { "SELECT $1", "SELECT 1" }, { "abab", "ab" },
		{ "SELECT a FROM t WHERE id = $1 LIMIT $2",
		  "SELECT a FROM t WHERE id = 42 LIMIT 10" },
		{ "zzz", "SELECT 1" },
	};
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct group g = { .query = cases[i].query };
		struct example e = { 0 };
		agg_example_set_query(&g, &e, cases[i].text, strlen(cases[i].text));
		agg_example_query(&g, &e, &sb);
		ck_assert_str_eq(sb.buf, cases[i].text);
		ck_assert_uint_le(e.head + e.tail, strlen(cases[i].text));
		free(e.rest);
	}
	/* A NUL is kept as "\x00", not the end of the text (issue 16). */
	struct group g = { .query = "SELECT 1" };
	struct example e = { 0 };
	agg_example_set_query(&g, &e, "SELECT 2\0junk", 13);
	agg_example_query(&g, &e, &sb);
	ck_assert_str_eq(sb.buf, "SELECT 2\\x00junk");
	free(e.rest);
	sb_release(&sb);
}
END_TEST

/* Merging into an agg that has groups: new groups move over with their
 * examples, text and names (interned in the destination), shared groups
 * add up, and examples stored against another text are stored again. */
START_TEST(test_merge_moves)
{
	struct agg *dst = agg_new(), *src = agg_new();
	struct fp_entry e1 = { .fingerprint = 1, .norm = "SELECT $1", .norm_len = 9 };
	struct fp_entry e1b = { .fingerprint = 1, .norm = "select  $1", .norm_len = 10 };
	struct fp_entry e2 = { .fingerprint = 2, .norm = "SELECT $1, $2", .norm_len = 13 };
	struct call c = mkcall(0, T0, true, 5);
	c.entry = &e1;
	c.query = (struct slice){ "SELECT 7", 8 };
	agg_add_call(dst, &c);
	c.entry = &e1b;
	c.duration_ms = 9;
	c.query = (struct slice){ "select  8", 9 };
	c.app = (struct slice){ "other", 5 };
	agg_add_call(src, &c);
	c.entry = &e2;
	c.query = (struct slice){ "SELECT 1, 2", 11 };
	agg_add_call(src, &c);

	agg_merge(dst, src);
	struct group *g1 = find_group(dst, 1), *g2 = find_group(dst, 2);
	ck_assert_uint_eq(g1->calls, 2);
	ck_assert_str_eq(g1->query, "SELECT $1");
	ck_assert_uint_eq(g1->nexamples, 2);
	struct strbuf sb = STRBUF_INIT;
	agg_example_query(g1, &g1->examples[0], &sb);
	ck_assert_str_eq(sb.buf, "select  8");
	agg_example_query(g1, &g1->examples[1], &sb);
	ck_assert_str_eq(sb.buf, "SELECT 7");
	ck_assert_uint_eq(g2->calls, 1);
	agg_example_query(g2, &g2->examples[0], &sb);
	ck_assert_str_eq(sb.buf, "SELECT 1, 2");
	ck_assert_ptr_eq(g2->apps.v[0].name, agg_intern(dst, "other", 5));
	ck_assert_ptr_eq(g2->examples[0].app, agg_intern(dst, "other", 5));
	ck_assert_ptr_null(find_group(src, 2));
	sb_release(&sb);
	agg_free(src);
	agg_free(dst);
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
	tcase_add_test(tc, test_merge_moves);
	tcase_add_test(tc, test_lookup_after_growth);
	tcase_add_test(tc, test_merge_keeps_ways);
	suite_add_tcase(s, tc);

	tc = tcase_create("examples");
	tcase_add_loop_test(tc, test_examples_real, 0, 2);
	tcase_add_test(tc, test_examples_edges);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
