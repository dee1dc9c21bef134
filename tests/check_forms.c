/* check_forms.c: one server run, three log forms, one result.
 *
 * tests/data/forms/ holds the stderr, csvlog and jsonlog files of a single
 * run of pg-workload.sh (PostgreSQL 15, SCALE 1, log_destination =
 * 'stderr,csvlog,jsonlog'; see its README). Whatever form the server wrote,
 * the analysis must find the same statements: the same groups with the
 * same calls, timed calls and total time. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "input_overlap.h"
#include "testutil.h"

static const char *const forms[] = { "stderr", "csvlog", "jsonlog" };
static const char *const files[] = { "postgresql.log.zst", "postgresql.csv.zst",
	"postgresql.json.zst" };

static struct analysis *analyse(size_t i)
{
	char *path;
	if (asprintf(&path, "%s/tests/data/forms/%s", tu_root(), files[i]) < 0)
		abort();
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a;
	analysis_run(&o, paths, 1, &a);
	ck_assert_msg(!a->inputs[0].unreadable, "%s unreadable", path);
	ck_assert_str_eq(a->inputs[0].format, forms[i]);
	free(path);
	return a;
}

static const struct group *find(const struct analysis *a, uint64_t fp)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i]->fingerprint == fp)
			return a->groups[i];
	return NULL;
}

/* Every group of a is in b, with the same numbers. */
static void assert_same_groups(const struct analysis *a, const char *an,
		const struct analysis *b, const char *bn)
{
	ck_assert_msg(a->ngroups == b->ngroups, "%zu groups from %s, %zu from %s",
		a->ngroups, an, b->ngroups, bn);
	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i], *h = find(b, g->fingerprint);
		ck_assert_msg(h != NULL, "%s has no group for %s's %.80s", bn, an, g->query);
		ck_assert_msg(g->calls == h->calls && g->timed_calls == h->timed_calls,
			"%.80s: %llu calls (%llu timed) from %s, %llu (%llu) from %s", g->query,
			(unsigned long long)g->calls, (unsigned long long)g->timed_calls, an,
			(unsigned long long)h->calls, (unsigned long long)h->timed_calls, bn);
		ck_assert_msg(fabs(g->total_ms - h->total_ms) <= 1e-6,
			"%.80s: %.6f ms from %s, %.6f from %s", g->query, g->total_ms, an,
			h->total_ms, bn);
	}
	ck_assert_uint_eq(a->queries, b->queries);
}

START_TEST(test_same_groups)
{
	struct analysis *a[3];
	for (size_t i = 0; i < 3; i++)
		a[i] = analyse(i);
	/* The run is whole: nothing to skip in any form. */
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(a[i]->inputs[0].nproblems == 0, "%s: %llu problems, first: %s",
			forms[i], (unsigned long long)a[i]->inputs[0].nproblems,
			a[i]->inputs[0].nkept ? a[i]->inputs[0].problems[0].message : "");
	/* csvlog and jsonlog carry one record per message. */
	ck_assert_uint_eq(a[1]->inputs[0].records, a[2]->inputs[0].records);
	ck_assert_uint_gt(a[0]->ngroups, 30);
	ck_assert_uint_gt(a[0]->queries, 24000);
	assert_same_groups(a[0], forms[0], a[1], forms[1]);
	assert_same_groups(a[0], forms[0], a[2], forms[2]);
	assert_same_groups(a[1], forms[1], a[2], forms[2]);
	ck_assert_int_eq(a[0]->window_start, a[1]->window_start);
	ck_assert_int_eq(a[1]->window_start, a[2]->window_start);
	ck_assert_int_eq(a[1]->window_end, a[2]->window_end);
	for (size_t i = 0; i < 3; i++)
		analysis_free(a[i]);
}
END_TEST

static char *form_path(size_t i)
{
	char *path;
	if (asprintf(&path, "%s/tests/data/forms/%s", tu_root(), files[i]) < 0)
		abort();
	return path;
}

static bool has_note(const struct input_report *r, const char *needle)
{
	for (size_t k = 0; k < r->nnotes; k++)
		if (strstr(r->notes[k], needle))
			return true;
	return false;
}

/* The three forms of one run given together (a user's glob over the log
 * directory): the later two are told to hold the first's entries, and
 * another server's log beside them is not. */
START_TEST(test_same_entries_told)
{
	char *p[4];
	for (size_t i = 0; i < 3; i++)
		p[i] = form_path(i);
	p[3] = tu_data_path(__func__, "samples/postgresql.log.zst");
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 2;
	struct analysis *a;
	analysis_run(&o, (const char *const *)p, 4, &a);
	ck_assert_uint_eq(a->ninputs, 4);
	char *told;
	if (asprintf(&told, "holds the same log entries as %s", p[0]) < 0)
		abort();
	ck_assert(!has_note(&a->inputs[0], "holds the same log entries"));
	ck_assert(has_note(&a->inputs[1], told));
	ck_assert(has_note(&a->inputs[2], told));
	ck_assert(!has_note(&a->inputs[3], "holds the same log entries"));
	ck_assert(a->inputs[0].sample && a->inputs[3].sample);
	ck_assert_double_lt(input_sample_overlap(a->inputs[0].sample,
		a->inputs[3].sample), 0.1);
	ck_assert_double_ge(input_sample_overlap(a->inputs[0].sample,
		a->inputs[1].sample), INPUT_OVERLAP_MIN);
	free(told);
	analysis_free(a);
	for (size_t i = 0; i < 4; i++)
		free(p[i]);
}
END_TEST

/* A sample is a set: one plain log read by one worker, or cut in ranges
 * across several, gives the same sample, so a file is told apart from
 * its copy whatever -j read it with. */
START_TEST(test_sample_whatever_jobs)
{
	char *zst = form_path(0), *plain = tu_write_temp("", 0), *cmd;
	if (asprintf(&cmd, "zstd -dcq '%s' > '%s'", zst, plain) < 0)
		abort();
	int status;
	free(tu_run(cmd, &status));
	ck_assert_int_eq(status, 0);
	struct input_sample one = { .n = 0 };
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		struct pgsift_options o;
		options_init(&o);
		o.jobs = jobs;
		const char *paths[] = { plain, plain };
		struct analysis *a;
		analysis_run(&o, paths, 2, &a);
		ck_assert(a->inputs[0].sample != NULL);
		/* 11 seconds of log, a quarter of them sampled. */
		ck_assert_uint_gt(a->inputs[0].sample->n, 0);
		if (jobs == 1)
			one = *a->inputs[0].sample;
		ck_assert_uint_eq(one.n, a->inputs[0].sample->n);
		ck_assert_uint_eq(one.n, a->inputs[1].sample->n);
		ck_assert_mem_eq(one.h, a->inputs[0].sample->h, one.n * sizeof(one.h[0]));
		ck_assert_mem_eq(one.h, a->inputs[1].sample->h, one.n * sizeof(one.h[0]));
		/* The same file twice is said too. */
		ck_assert(has_note(&a->inputs[1], "holds the same log entries as"));
		ck_assert(has_note(&a->inputs[1], "(100% of a sample of"));
		analysis_free(a);
	}
	tu_remove(plain);
	free(zst);
	free(cmd);
}
END_TEST

Suite *suite_forms(void);
Suite *suite_forms(void)
{
	Suite *s = suite_create("forms");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_groups);
	tcase_add_test(tc, test_same_entries_told);
	tcase_add_test(tc, test_sample_whatever_jobs);
	suite_add_tcase(s, tc);
	return s;
}
