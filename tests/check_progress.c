/* check_progress.c: analysis.h's progress hook on real logs: it starts at
 * 0 of the inputs' size as stored, never goes back, and ends at all of
 * it, whether one worker reads a file, several read ranges of it, or a
 * compressed file is read through its decompressor. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "analysis.h"
#include "testutil.h"

struct seen {
	unsigned calls;
	uint64_t first_done, first_total;
	uint64_t last_done, last_total;
	bool went_back, total_changed;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct seen *s = ctx;
	if (s->calls == 0) {
		s->first_done = done;
		s->first_total = total;
	} else {
		if (done < s->last_done)
			s->went_back = true;
		if (total != s->last_total)
			s->total_changed = true;
	}
	s->last_done = done;
	s->last_total = total;
	s->calls++;
}

static uint64_t size_of(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* Analyses paths with jobs workers and checks what the hook was told. */
static void check_run(const char *const *paths, size_t n, unsigned jobs,
		uint64_t want_total)
{
	struct pgsift_options o;
	struct seen s = { 0 };
	options_init(&o);
	o.jobs = jobs;
	o.progress = on_progress;
	o.progress_ctx = &s;
	struct analysis *a;
	analysis_run(&o, paths, n, &a);
	ck_assert_uint_gt(a->queries, 0);
	ck_assert_uint_ge(s.calls, 2);
	ck_assert_uint_eq(s.first_done, 0);
	ck_assert_uint_eq(s.first_total, want_total);
	ck_assert(!s.went_back);
	ck_assert(!s.total_changed);
	ck_assert_uint_eq(s.last_done, want_total);
	analysis_free(a);
}

START_TEST(test_progress_plain)
{
	char *path = tu_data_path(__func__, "tests/data/events/xacts.log");
	const char *paths[] = { path };
	check_run(paths, 1, 1, size_of(path));
	/* Several workers read ranges (pread) of the one file. */
	check_run(paths, 1, 2, size_of(path));
	check_run(paths, 1, 5, size_of(path));
	free(path);
}
END_TEST

START_TEST(test_progress_compressed_and_many)
{
	char *zst = tu_data_path(__func__, "samples/postgresql.log.zst");
	char *plain = tu_data_path(__func__, "tests/data/plans/text.log");
	const char *one[] = { zst };
	/* The compressed bytes as stored: what the reader takes from disk. */
	check_run(one, 1, 1, size_of(zst));
	const char *both[] = { zst, plain };
	check_run(both, 2, 2, size_of(zst) + size_of(plain));
	free(zst);
	free(plain);
}
END_TEST

/* An input that is not a regular file (standard input, a pipe; /dev/null
 * here, since the test's own standard input is not to be read) has no
 * size beforehand: total 0 throughout. */
START_TEST(test_progress_unknown_total)
{
	struct pgsift_options o;
	struct seen s = { 0 };
	options_init(&o);
	o.progress = on_progress;
	o.progress_ctx = &s;
	const char *paths[] = { "/dev/null" };
	struct analysis *a;
	analysis_run(&o, paths, 1, &a);
	ck_assert_uint_ge(s.calls, 2);
	ck_assert_uint_eq(s.first_total, 0);
	ck_assert_uint_eq(s.last_total, 0);
	analysis_free(a);
}
END_TEST

/* Without a hook nothing is started (and nothing called). */
START_TEST(test_progress_none)
{
	char *path = tu_data_path(__func__, "tests/data/plans/text.log");
	struct pgsift_options o;
	options_init(&o);
	const char *paths[] = { path };
	struct analysis *a;
	analysis_run(&o, paths, 1, &a);
	ck_assert_uint_gt(a->queries, 0);
	analysis_free(a);
	free(path);
}
END_TEST

Suite *suite_progress(void);
Suite *suite_progress(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("hook");
	tcase_add_test(tc, test_progress_plain);
	tcase_add_test(tc, test_progress_compressed_and_many);
	tcase_add_test(tc, test_progress_unknown_total);
	tcase_add_test(tc, test_progress_none);
	suite_add_tcase(s, tc);
	return s;
}
