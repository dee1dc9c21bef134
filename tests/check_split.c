/* check_split.c: one file on many workers gives the answer of one.
 *
 * -j N cuts a plain log file into N ranges, each read by its own worker
 * (driver_range.c), and a compressed one into pieces parsed on N threads,
 * each backend's records applied by one of N shards (driver_split.c). On
 * real server logs of every form (stderr, csvlog, jsonlog from one run, a
 * syslog excerpt, lock waits and sessions, auto_explain plans in text and
 * JSON with their duration lines, log_statement texts with bare
 * durations, N+1 loops), the JSON report of -j 2, 3, 5, 7 and 13 (pieces
 * of a few kilobytes: PGSIFT_SPLIT_PIECE) must be byte for byte that of
 * -j 1, but for the normalizer caches' counters (blank_cache_counters()).
 * Then cuts made exactly between records that belong together
 * (PGSIFT_SPLIT_AT): a plan and its duration line, the calls of an N+1
 * loop, a lock wait and its end, a session, a log_statement text and its
 * duration, statements of one explicit transaction (tests/data/events/
 * xacts.log: pgbench clients in BEGIN ... END, waiting on each other). */
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
static char *report_at(const char *inputs, unsigned jobs, unsigned piece,
		const char *at)
{
	char *cmd, *out;
	int st;
	if (asprintf(&cmd, "cd '%s' && PGSIFT_SPLIT_PIECE=%u PGSIFT_SPLIT_AT=%s '%s' "
			"report -q -f json -j %u %s 2>/dev/null", tu_root(), piece,
			at ? at : "", tu_bin(), jobs, inputs) < 0)
		abort();
	out = tu_run(cmd, &st);
	ck_assert_msg(st == 0 || st == 3, "%s: exit %d", cmd, st);
	ck_assert_msg(strstr(out, "\"groups\""), "%s: no report", cmd);
	free(cmd);
	return out;
}

static char *report(const char *inputs, unsigned jobs, unsigned piece)
{
	return report_at(inputs, jobs, piece, NULL);
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
	static const unsigned jobs[] = { 2, 3, 5, 7, 13 };
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
	/* syslog with pieces of messages apart, cut where none is split. */
	if (asprintf(&cmd, "zstd -qc tests/data/syslog-live.bsd > '%s/syslog.bsd.zst'",
			dir) < 0)
		abort();
	free(tu_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	free(cmd);
	char *zs = in_dir("syslog.bsd.zst");
	assert_same("syslog.bsd.zst", zs, 2048);
	free(zs);
}
END_TEST

START_TEST(test_small_logs)
{
	static const char *const logs[] = {
		"tests/data/syslog-excerpt.log",
		"tests/data/syslog-live.bsd",
		"tests/data/syslog-live.rfc5424",
		"tests/data/events/events.log",
		"tests/data/events/workload-events.log",
		"tests/data/plans/text.log",
		"tests/data/plans/json.log",
		"tests/data/plans/pairs.log",
		"tests/data/log_statement.log",
		"tests/data/events/xacts.log",
	};
	for (size_t i = 0; i < ARRAY_SIZE(logs); i++)
		assert_same(logs[i], logs[i], 2048);
}
END_TEST

/* A syslog log over New Year (its real lines dated December 31, then
 * January 1), with the year given: a range read from a cut in January
 * counts the New Year one reader counts going from December to January. */
START_TEST(test_syslog_new_year)
{
	char *cmd, *out;
	int st;
	if (asprintf(&cmd, "n=$(wc -l < tests/data/syslog-live.bsd) && awk -v h=$((n / 2)) "
			"'{ $0 = (NR <= h ? \"Dec 31\" : \"Jan  1\") substr($0, 7); print }' "
			"tests/data/syslog-live.bsd > '%s/new-year.bsd'", dir) < 0)
		abort();
	free(tu_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	free(cmd);
	char *p = in_dir("new-year.bsd"), *inputs;
	if (asprintf(&inputs, "--year 2025 %s", p) < 0)
		abort();
	out = report(inputs, 1, 0);
	ck_assert_msg(strstr(out, "\"start\": \"2025-12-31T") &&
		strstr(out, "\"end\": \"2026-01-01T"), "the window does not span New Year");
	free(out);
	assert_same("syslog over New Year", inputs, 2048);
	free(inputs);
	free(p);
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

/* ---- cuts between records that belong together ---- */

/* The offset of the line after the nth (from 1) line of text holding
 * both needles (b may be NULL): a cut there falls after that record. */
static size_t after_line(const char *text, const char *a, const char *b,
		unsigned nth)
{
	for (const char *line = text; *line; ) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = xstrndup(line, len);
		bool hit = strstr(l, a) && (!b || strstr(l, b));
		free(l);
		if (hit && --nth == 0)
			return (size_t)(line - text) + len + 1;
		if (!end)
			break;
		line = end + 1;
	}
	ck_abort_msg("no line with \"%s\"%s%s", a, b ? " and " : "", b ? b : "");
	return 0;
}

/* The pid in "[1234]" of the line that ends just before off. */
static long pid_before(const char *text, size_t off)
{
	size_t s = off - 1;
	while (s > 0 && text[s - 1] != '\n')
		s--;
	const char *p = strchr(text + s, '[');
	ck_assert_msg(p && p < text + off, "no pid before byte %zu", off);
	return strtol(p + 1, NULL, 10);
}

/* -j jobs cut at "at" ("BYTE,...") gives what -j 1 gives. */
static void assert_cut_same(const char *what, const char *inputs, unsigned jobs,
		const char *at)
{
	char *one = report(inputs, 1, 0), *cut = report_at(inputs, jobs, 0, at);
	blank_cache_counters(one);
	blank_cache_counters(cut);
	ck_assert_msg(strcmp(one, cut) == 0, "%s: cut at %s, -j %u differs from "
		"-j 1 from line %d on", what, at, jobs, tu_first_diff_line(one, cut));
	free(one);
	free(cut);
}

/* The cut at off separates a backend's record from the later one of the
 * same backend that continues it (the first line after off holding next
 * is that backend's), and -j 2 cut there gives the answer of -j 1. */
static void check_pair(const char *what, const char *path, const char *text,
		size_t off, const char *next)
{
	long pid = pid_before(text, off);
	const char *p = strstr(text + off, next);
	ck_assert_msg(p, "%s: no \"%s\" after the cut", what, next);
	const char *line = p;
	while (line > text && line[-1] != '\n')
		line--;
	char pat[32];
	snprintf(pat, sizeof(pat), "[%ld]", pid);
	const char *q = strstr(line, pat);
	ck_assert_msg(q && q < p, "%s: the next \"%s\" is not pid %ld's", what,
		next, pid);
	char at[32];
	snprintf(at, sizeof(at), "%zu", off);
	assert_cut_same(what, path, 2, at);
}

START_TEST(test_cuts_between)
{
	char *forms = in_dir("postgresql.log"), *fpath;
	if (asprintf(&fpath, "%s/postgresql.log", dir) < 0)
		abort();
	char *text = tu_slurp(fpath);
	/* An auto_explain plan | its statement's duration line. */
	size_t plan = after_line(text, "orders-page LOG:  duration: ", "ms  plan:", 1);
	check_pair("plan | duration", forms, text, plan, "statement: ");
	/* Calls 3 and 4 of an N+1 loop (pid 4389's order items). */
	size_t loop = after_line(text, "[4389]", "statement: SELECT oi.product_id", 3);
	check_pair("N+1 loop", forms, text, loop, "plan:");
	/* Both, and more, in one run: ranges handed over twice. */
	char at[64];
	snprintf(at, sizeof(at), "%zu,%zu,%zu", plan, loop,
		after_line(text, "[4389]", "statement: SELECT oi.product_id", 7));
	assert_cut_same("plan, loop, loop", forms, 4, at);
	free(text);
	free(fpath);
	free(forms);

	/* A lock wait | its end; a session | its end. */
	text = tu_slurp("tests/data/events/events.log");
	size_t wait = after_line(text, "still waiting for ShareLock", NULL, 1);
	check_pair("lock wait", "tests/data/events/events.log", text, wait,
		"acquired ShareLock");
	free(text);
	text = tu_slurp("tests/data/events/workload-events.log");
	size_t conn = after_line(text, "connection authorized", NULL, 3);
	snprintf(at, sizeof(at), "%zu", conn);
	assert_cut_same("session", "tests/data/events/workload-events.log", 2, at);
	free(text);

	/* Inside explicit transactions: a teller's SELECT | the pause and the
	 * UPDATE after it (idle time, the holds the root blockers are read
	 * from); a BEGIN | the transaction's next statement; three cuts
	 * inside transactions of several backends (-j 4). The fixture's
	 * pids: 13792 and 13795 are tellers. */
	text = tu_slurp("tests/data/events/xacts.log");
	size_t idle = after_line(text, "[13792]", "statement: SELECT abalance", 1);
	check_pair("in a transaction", "tests/data/events/xacts.log", text, idle,
		"duration: 0.503 ms  statement: UPDATE pgbench_branches");
	size_t begun = after_line(text, "[13795]", "statement: BEGIN", 1);
	check_pair("BEGIN | statement", "tests/data/events/xacts.log", text, begun,
		"duration: 0.584 ms  statement: UPDATE pgbench_accounts");
	snprintf(at, sizeof(at), "%zu,%zu,%zu", begun, idle,
		after_line(text, "reporter", "FOR UPDATE", 9));
	assert_cut_same("in transactions", "tests/data/events/xacts.log", 4, at);
	free(text);

	/* A log_statement text | its bare duration. */
	text = tu_slurp("tests/data/log_statement.log");
	size_t stmt = after_line(text, "LOG:  statement: ", NULL, 2);
	snprintf(at, sizeof(at), "%zu", stmt);
	assert_cut_same("statement | duration", "tests/data/log_statement.log", 2, at);
	free(text);
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
	tcase_add_test(tc, test_syslog_new_year);
	tcase_add_test(tc, test_many_inputs);
	tcase_add_test(tc, test_cuts_between);
	suite_add_tcase(s, tc);
	return s;
}
