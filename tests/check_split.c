/* check_split.c: one file on many workers gives the answer of one.
 *
 * -j N cuts a plain log file into pieces parsed on N threads, each
 * backend's records applied by one of N shards (driver_split.c). On real
 * server logs of every form (stderr, csvlog, jsonlog from one run, a
 * syslog excerpt, lock waits and sessions, auto_explain plans in text and
 * JSON with their duration lines, log_statement texts with bare
 * durations), cut every few kilobytes (PGSIFT_SPLIT_PIECE), the JSON
 * report of -j 2 and -j 7 must be byte for byte that of -j 1, but for the
 * normalizer caches' counters (blank_cache_counters()). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "util.h"

static char *dir;

/* The forms logs, decompressed: only plain files are cut. */
static void setup(void)
{
	char tmpl[] = "/tmp/pgsift-split-XXXXXX";
	ck_assert(mkdtemp(tmpl) != NULL);
	dir = xstrdup(tmpl);
	static const char *const forms[] = { "postgresql.log", "postgresql.csv",
		"postgresql.json" };
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		char *cmd;
		int st;
		if (asprintf(&cmd, "zstd -dqf '%s/tests/data/forms/%s.zst' -o '%s/%s' 2>&1",
				tu_root(), forms[i], dir, forms[i]) < 0)
			abort();
		free(tu_run(cmd, &st));
		ck_assert_msg(st == 0, "%s failed", cmd);
		free(cmd);
	}
}

static void teardown(void)
{
	char *cmd;
	int st;
	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		abort();
	free(tu_run(cmd, &st));
	free(cmd);
	free(dir);
}

/* The JSON report of inputs (paths, space-separated) with -j jobs, the
 * file cut every piece bytes. */
static char *report(const char *inputs, unsigned jobs, unsigned piece)
{
	char *cmd, *out;
	int st;
	if (asprintf(&cmd, "cd '%s' && PGSIFT_SPLIT_PIECE=%u '%s' report -q -f json "
			"-j %u %s 2>/dev/null", tu_root(), piece, tu_bin(), jobs, inputs) < 0)
		abort();
	out = tu_run(cmd, &st);
	ck_assert_msg(st == 0 || st == 3, "%s: exit %d", cmd, st);
	ck_assert_msg(strstr(out, "\"groups\""), "%s: no report", cmd);
	free(cmd);
	return out;
}

/* Blanks "distinct_texts" and "parsed_texts": they count the texts the
 * run's normalizer caches held, a figure of the run itself like a timing.
 * Several workers each fingerprint some texts one reader fingerprints
 * once or not at all (an error's statement is fingerprinted by the first
 * of its kind each worker sees: "SELEC $1" on the inputs below), while
 * every group, call and event is the same. */
static void blank_cache_counters(char *json)
{
	static const char *const keys[] = { "\"distinct_texts\": ", "\"parsed_texts\": " };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char *p = strstr(json, keys[i]);
		if (!p)
			continue;
		for (p += strlen(keys[i]); *p >= '0' && *p <= '9'; p++)
			*p = '0';
	}
}

static void assert_same(const char *what, const char *inputs, unsigned piece)
{
	char *one = report(inputs, 1, piece);
	blank_cache_counters(one);
	static const unsigned jobs[] = { 2, 7 };
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++) {
		char *many = report(inputs, jobs[i], piece);
		blank_cache_counters(many);
		ck_assert_msg(strcmp(one, many) == 0,
			"%s: -j %u differs from -j 1 from line %d on", what, jobs[i],
			tu_first_diff_line(one, many));
		free(many);
	}
	free(one);
}

static char *in_dir(const char *name)
{
	char *p;
	if (asprintf(&p, "'%s/%s'", dir, name) < 0)
		abort();
	return p;
}

START_TEST(test_forms)
{
	static const char *const forms[] = { "postgresql.log", "postgresql.csv",
		"postgresql.json" };
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		char *p = in_dir(forms[i]);
		/* Cut every 16 KB: hundreds of cuts through sessions, lock
		 * waits, N+1 loops and multi-line statements. */
		assert_same(forms[i], p, 16384);
		free(p);
	}
}
END_TEST

/* Compressed: decompressed on one thread, cut as it comes, parsed on the
 * others. */
START_TEST(test_compressed)
{
	static const char *const forms[] = { "postgresql.log.zst",
		"postgresql.csv.zst", "postgresql.json.zst" };
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		char *p;
		if (asprintf(&p, "tests/data/forms/%s", forms[i]) < 0)
			abort();
		assert_same(forms[i], p, 16384);
		free(p);
	}
	/* gzip of the stderr form, made here. */
	char *cmd;
	int st;
	if (asprintf(&cmd, "gzip -c '%s/postgresql.log' > '%s/postgresql.log.gz'",
			dir, dir) < 0)
		abort();
	free(tu_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	free(cmd);
	char *gz = in_dir("postgresql.log.gz");
	assert_same("postgresql.log.gz", gz, 16384);
	free(gz);
}
END_TEST

START_TEST(test_small_logs)
{
	static const char *const logs[] = {
		"tests/data/syslog-excerpt.log",
		"tests/data/events/events.log",
		"tests/data/events/workload-events.log",
		"tests/data/plans/text.log",
		"tests/data/plans/json.log",
		"tests/data/plans/pairs.log",
		"tests/data/log_statement.log",
	};
	for (size_t i = 0; i < ARRAY_SIZE(logs); i++)
		assert_same(logs[i], logs[i], 2048);
}
END_TEST

/* Several inputs at once, plain and compressed, cut and not (syslog is
 * read whole): the same as one reader taking them in turn. */
START_TEST(test_many_inputs)
{
	char *stderr_log = in_dir("postgresql.log");
	char *inputs;
	if (asprintf(&inputs, "%s tests/data/events/events.log tests/data/plans/text.log "
			"samples/postgresql.log.zst tests/data/syslog-excerpt.log",
			stderr_log) < 0)
		abort();
	assert_same("several inputs", inputs, 8192);
	free(inputs);
	free(stderr_log);
}
END_TEST

Suite *suite_split(void);
Suite *suite_split(void)
{
	Suite *s = suite_create("split");
	TCase *tc = tcase_create("split");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_compressed);
	tcase_add_test(tc, test_small_logs);
	tcase_add_test(tc, test_many_inputs);
	suite_add_tcase(s, tc);
	return s;
}
