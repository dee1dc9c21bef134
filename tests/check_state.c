/* check_state.c: saved states (--save, `pgsift merge`) on real server
 * output: real evidence split into separate runs, each saved, merged, and
 * compared with one run over all of it; the same input merged twice
 * counted once; states of another format, cut short or damaged refused
 * with the file named; filters refused on merge.
 *
 * The JSON of a merge equals the whole run's (compared as parsed JSON,
 * keys sorted) but for totals.distinct_texts and parsed_texts, which count
 * the texts each worker's cache saw (as they differ between -j 1 and -j 2
 * already). */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "events.h"
#include "snapshots.h"
#include "state.h"
#include "testutil.h"
#include "traces.h"

/* The golden evidence (check_golden.c): a log, snapshots and traces. */
#define PART_A "samples/postgresql.log.zst " \
	"tests/data/snapshots/pg_stat_statements_before.csv " \
	"tests/data/snapshots/pg_stat_statements_after.csv "
#define PART_B "tests/data/snapshots/pg_stat_user_indexes_before.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_after.csv " \
	"tests/data/snapshots/pg_stat_user_tables_before.csv " \
	"tests/data/snapshots/pg_stat_user_tables_after.csv " \
	"tests/data/traces/rails-span-envelope.txt " \
	"tests/data/traces/otlp.ndjson "

static char dir[256];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pgsift-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	int status;
	free(tu_run(cmd, &status));
}

/* Runs cmd (in the source tree, "%B" the binary, "%D" the test's
 * directory); returns its standard output, its status in *status. */
static char *run(int *status, const char *fmt)
{
	char cmd[8192], *o = cmd;
	o += snprintf(o, 64, "cd '%s' && ", tu_root());
	for (const char *p = fmt; *p && o < cmd + sizeof(cmd) - 512; p++) {
		if (p[0] == '%' && p[1] == 'B') {
			o += sprintf(o, "'%s'", tu_bin());
			p++;
		} else if (p[0] == '%' && p[1] == 'D') {
			o += sprintf(o, "%s", dir);
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return tu_run(cmd, status);
}

static void run_ok(const char *fmt)
{
	int status;
	free(run(&status, fmt));
	ck_assert_msg(status == 0, "exit %d: %s", status, fmt);
}

/* The JSON report text, without the run's own counters (and without
 * the inputs' notes when notes is false), as canonical text. */
static char *canonical(const char *text, bool notes)
{
	json_t *j = tu_report_json(text);
	size_t i;
	json_t *in;
	json_array_foreach(json_object_get(j, "inputs"), i, in)
		if (!notes)
			json_object_del(in, "notes");
	return tu_json_text(j);
}

static void same_json_notes(const char *whole_cmd, const char *merge_cmd, bool notes)
{
	int s1, s2;
	char *whole = run(&s1, whole_cmd);
	char *merged = run(&s2, merge_cmd);
	ck_assert_int_eq(s1, 0);
	ck_assert_int_eq(s2, 0);
	ck_assert_msg(strlen(whole) > 1000, "no report: %s", whole_cmd);
	char *a = canonical(whole, notes), *b = canonical(merged, notes);
	ck_assert_msg(strcmp(a, b) == 0, "merged JSON differs from the "
		"whole run's from line %d on", tu_first_diff_line(a, b));
	free(a);
	free(b);
	free(whole);
	free(merged);
}

static void same_json(const char *whole_cmd, const char *merge_cmd)
{
	same_json_notes(whole_cmd, merge_cmd, true);
}

/* Log, snapshots and traces in two runs, merged: the one run's report,
 * groups, percentiles, events, findings, statistics and traces. */
START_TEST(test_split_evidence)
{
	make_dir();
	run_ok("%B report -q -j 1 -f json -o /dev/null --save %D/a.state " PART_A);
	run_ok("%B report -q -j 1 -f json -o /dev/null --save %D/b.state " PART_B);
	same_json("%B report -q -j 1 -f json " PART_A PART_B,
		"%B merge -q -f json %D/a.state %D/b.state");
	/* The same, rolled up: a and b merged into a new state first. */
	run_ok("%B merge -q -f json -o /dev/null --save %D/ab.state %D/a.state %D/b.state");
	same_json("%B report -q -j 1 -f json " PART_A PART_B,
		"%B merge -q -f json %D/ab.state");
	/* Markdown and text come from the same model. */
	int s1, s2;
	char *whole = run(&s1, "%B report -q -j 1 -f text " PART_A PART_B);
	char *merged = run(&s2, "%B merge -q -f text %D/a.state %D/b.state");
	ck_assert_int_eq(s2, 0);
	ck_assert_msg(strcmp(whole, merged) == 0, "text differs from line %d on",
		tu_first_diff_line(whole, merged));
	free(whole);
	free(merged);
	remove_dir();
}
END_TEST

/* One server run's three log forms (stderr, csvlog, jsonlog), each saved
 * alone, merged with -j 2 reading: `report A B C` all the same. */
START_TEST(test_split_forms)
{
	make_dir();
	const char *forms[] = { "log", "csv", "json" };
	char cmd[512];
	for (size_t i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), "%%B report -q -f json -o /dev/null --save "
			"%%D/%s.state tests/data/forms/postgresql.%s.zst", forms[i], forms[i]);
		run_ok(cmd);
	}
	same_json("%B report -q -j 2 -f json tests/data/forms/postgresql.log.zst "
		"tests/data/forms/postgresql.csv.zst tests/data/forms/postgresql.json.zst",
		"%B merge -q -j 2 -f json %D/log.state %D/csv.state %D/json.state");
	remove_dir();
}
END_TEST

/* A state merged with itself: counted once, and said so. */
START_TEST(test_same_input_twice)
{
	make_dir();
	run_ok("%B report -q -f json -o /dev/null --save %D/a.state " PART_A);
	/* The report lists the note with the input's others. */
	same_json_notes("%B merge -q -f json %D/a.state",
		"%B merge -q -f json %D/a.state %D/a.state", false);
	int status;
	char *err = run(&status, "%B merge -f json -o /dev/null %D/a.state %D/a.state 2>&1");
	ck_assert_int_eq(status, 0);
	ck_assert_msg(strstr(err, "samples/postgresql.log.zst: already merged from ")
		&& strstr(err, "a.state skipped"), "no note: %s", err);
	free(err);
	/* A state that holds a merged input with another cannot be split. */
	run_ok("%B report -q -f json -o /dev/null --save %D/ab.state " PART_A PART_B);
	err = run(&status, "%B merge -q -f json -o /dev/null %D/a.state %D/ab.state 2>&1");
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "ab.state: it holds") && strstr(err, "counting that input twice"),
		"%s", err);
	free(err);
	remove_dir();
}
END_TEST

/* Refused with the file named, never a crash: another format version, a
 * cut file, damaged bytes, a file that is not a state among states, and
 * filters on merge. */
START_TEST(test_refused)
{
	make_dir();
	int status;
	run_ok("%B report -q -f json -o /dev/null --save %D/a.state " PART_A);
	/* Format version 99 (bytes 8-11, little-endian). */
	run_ok("cp %D/a.state %D/v99.state && printf 'c' | "
		"dd of=%D/v99.state bs=1 seek=8 conv=notrunc 2>/dev/null");
	char *err = run(&status, "%B merge -q %D/v99.state 2>&1");
	ck_assert_int_eq(status, 2);
	char want[64];
	snprintf(want, sizeof(want), "reads format %d only", STATE_FORMAT);
	ck_assert_msg(strstr(err, "v99.state: a state of format 99") &&
		strstr(err, want), "%s", err);
	free(err);
	/* Cut short, at several lengths. */
	const char *cuts[] = { "9", "20", "200", "2000" };
	for (size_t i = 0; i < 4; i++) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "head -c %s %%D/a.state > %%D/cut.state && "
			"%%B merge -q %%D/cut.state 2>&1", cuts[i]);
		err = run(&status, cmd);
		ck_assert_int_eq(status, 2);
		ck_assert_msg(strstr(err, "cut.state: not a readable pgsift state") ||
			(strstr(err, "is not one") && i == 0), "cut at %s: %s", cuts[i], err);
		free(err);
	}
	/* Damaged compressed bytes. */
	run_ok("cp %D/a.state %D/bad.state && printf 'XXXXXXXX' | "
		"dd of=%D/bad.state bs=1 seek=600 conv=notrunc 2>/dev/null");
	err = run(&status, "%B merge -q %D/bad.state 2>&1");
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "bad.state: not a readable pgsift state"), "%s", err);
	free(err);
	err = run(&status, "%B merge -q %D/a.state samples/postgresql.log.zst 2>&1");
	ck_assert_int_eq(status, 2);
	free(err);
	err = run(&status, "%B report -q %D/a.state samples/postgresql.log.zst 2>&1");
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "merged on their own"), "%s", err);
	free(err);
	err = run(&status, "%B merge -q --db shop %D/a.state 2>&1");
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "filtered when it was made"), "%s", err);
	free(err);
	/* A --save that cannot be written: no report, exit 2, nothing left. */
	err = run(&status, "%B report -q -o %D/r.md --save %D/no/such/dir/x.state "
		"samples/postgresql.log.zst 2>&1");
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "--save: ") && strstr(err, "x.state.tmp"), "%s", err);
	free(err);
	remove_dir();
}
END_TEST


/* --state DIR on a real log that grows in three steps, the first cut in
 * the middle of a line: each run reads what was appended, up to the last
 * complete line; the partials merged give the whole log's calls, totals
 * and min/max per group. A replaced file is read from its start, and
 * --until chooses partials. */
START_TEST(test_state_dir)
{
	make_dir();
	run_ok("zstd -dcq tests/data/forms/postgresql.log.zst > %D/full.log && "
		"head -c 100000 %D/full.log > %D/pg.log");
	run_ok("%B report -q --state %D/s -f json -o %D/r1.json %D/pg.log");
	run_ok("tail -c +100001 %D/full.log | head -c 150000 >> %D/pg.log && "
		"%B report -q --state %D/s -f json -o %D/r2.json %D/pg.log");
	run_ok("tail -c +250001 %D/full.log >> %D/pg.log && "
		"%B report -q --state %D/s -f json -o /dev/null %D/pg.log");
	int s1, s2;
	char *whole = run(&s1, "%B report -q -f json %D/full.log");
	char *merged = run(&s2, "%B report -q -f json --state %D/s");
	ck_assert_int_eq(s2, 0);
	char *a = tu_report_figures(whole), *b = tu_report_figures(merged);
	ck_assert_msg(strcmp(a, b) == 0, "--state partials differ from the whole "
		"log from line %d on", tu_first_diff_line(a, b));
	free(a);
	free(b);
	free(merged);
	/* Nothing new: a fourth run adds no partial with calls. */
	merged = run(&s2, "%B report -q -f json --state %D/s %D/pg.log");
	a = tu_report_figures(whole);
	b = tu_report_figures(merged);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(merged);
	free(whole);
	/* The file replaced (another inode's bytes at the same path is the
	 * common case; here the same inode rewritten shorter): from its start. */
	char *err = run(&s1, "head -c 50000 %D/full.log > %D/pg.log && "
		"%B report -f json -o /dev/null --state %D/s2 %D/pg.log 2>&1 && "
		"cp %D/full.log %D/other.log && head -c 40000 %D/other.log > %D/pg.log && "
		"%B report -f json -o /dev/null --state %D/s2 %D/pg.log 2>&1");
	ck_assert_int_eq(s1, 0);
	ck_assert_msg(strstr(err, "rotated, truncated or replaced"), "%s", err);
	free(err);
	/* --until before the log's time: no partial. */
	err = run(&s1, "%B report -q --state %D/s --until 2000-01-01 2>&1");
	ck_assert_int_eq(s1, 2);
	ck_assert_msg(strstr(err, "no partial for that period"), "%s", err);
	free(err);
	/* An unwritable DIR: exit 2, and DIR as it was. */
	err = run(&s1, "ls %D/s > %D/before && chmod a-w %D/s && echo x >> %D/pg.log && "
		"%B report -q --state %D/s %D/pg.log 2>&1; echo rc=$?; chmod u+w %D/s; "
		"ls %D/s | diff - %D/before && echo same");
	ck_assert_msg(getuid() == 0 || (strstr(err, "rc=2") && strstr(err, "same")), "%s", err);
	free(err);
	remove_dir();
}
END_TEST

/* The JSON object at key of a report, as canonical text. */
static char *member(const char *text, const char *key)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	ck_assert_msg(j != NULL, "not JSON: %s", e.text);
	tu_json_drop_places(j);         /* the whole was read as "-" */
	char *s = json_dumps(json_object_get(j, key), JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(j);
	return s;
}

/* Member key of the two reports is the same (canonical, places aside),
 * and holds needle; what names the case in the failure. */
static void assert_same_member(const char *whole, const char *merged,
		const char *key, const char *needle, const char *what)
{
	char *a = member(whole, key), *b = member(merged, key);
	ck_assert_msg(strstr(b, needle) != NULL, "%s: no %s in %s", what, needle, key);
	ck_assert_msg(strcmp(a, b) == 0, "%s: %s differ from line %d on", what, key,
		tu_first_diff_line(a, b));
	free(a);
	free(b);
}

/* The inputs of a report without their paths, as canonical text. */
static char *inputs_unnamed(const char *text)
{
	json_t *j = json_loads(text, 0, NULL), *in;
	ck_assert(j != NULL);
	size_t i;
	json_array_foreach(json_object_get(j, "inputs"), i, in)
		json_object_del(in, "path");
	char *s = json_dumps(json_object_get(j, "inputs"), JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(j);
	return s;
}

/* The log src (a shell command writing it) grown in three --state runs,
 * cut after line c1 and c2 (whole lines); returns the report over DIR's
 * partials. */
static char *grown_from(const char *src, int c1, int c2)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "rm -rf %%D/s && %s > %%D/full.log && "
		"head -n %d %%D/full.log > %%D/pg.log && "
		"%%B report -q --state %%D/s -f json -o /dev/null %%D/pg.log && "
		"sed -n '%d,%dp' %%D/full.log >> %%D/pg.log && "
		"%%B report -q --state %%D/s -f json -o /dev/null %%D/pg.log && "
		"tail -n +%d %%D/full.log >> %%D/pg.log && "
		"%%B report -q --state %%D/s -f json -o /dev/null %%D/pg.log", src, c1,
		c1 + 1, c2, c2 + 1);
	run_ok(cmd);
	int status;
	char *out = run(&status, "%B report -q -f json --state %D/s");
	ck_assert_int_eq(status, 0);
	return out;
}

/* The forms log (tests/data/forms) grown in three --state runs. */
static char *grown_in_three(int c1, int c2)
{
	return grown_from("zstd -dcq tests/data/forms/postgresql.log.zst", c1, c2);
}

/* Per-backend state open where a run stops. Line 25 ends an auto_explain
 * plan whose statement's duration line is line 28, line 26 is a temporary
 * file message whose STATEMENT part is line 27: the runs stop before them
 * and the next reads them again, so the report is the whole log's. At
 * line 5000 six sessions are open, the seventh opens at line 13799: they
 * are carried to the next run, whose peak is the whole log's, 7. */
START_TEST(test_state_resume)
{
	make_dir();
	int status;
	char *whole = run(&status, "zstd -dcq tests/data/forms/postgresql.log.zst | "
		"%B report -q -j 1 -f json -");
	char *merged = grown_in_three(25, 26);
	const char *keys[] = { "groups", "events", "findings", "totals", "window" };
	for (size_t k = 0; k < 5; k++) {
		char *a = member(whole, keys[k]), *b = member(merged, keys[k]);
		if (strcmp(keys[k], "totals") == 0) {
			json_t *x = json_loads(a, 0, NULL), *y = json_loads(b, 0, NULL);
			ck_assert_int_eq(json_integer_value(json_object_get(x, "queries")),
				json_integer_value(json_object_get(y, "queries")));
			ck_assert(json_equal(json_object_get(x, "total_ms"), json_object_get(y, "total_ms")));
			json_decref(x);
			json_decref(y);
		} else {
			ck_assert_msg(strcmp(a, b) == 0, "cut at a plan: %s differ from line %d on",
				keys[k], tu_first_diff_line(a, b));
		}
		free(a);
		free(b);
	}
	free(merged);
	/* Nothing short-lived open at the end: DIR/files's offset (its
	 * fifth field) is the log's size. What a later call may go on (an
	 * N+1 run) is carried still, after " c:". */
	char *out = run(&status, "awk '{ print $5 }' %D/s/files; stat -c %s %D/pg.log");
	char *nl = strchr(out, '\n');
	ck_assert_msg(nl && strncmp(out, nl + 1, (size_t)(nl - out)) == 0 &&
		nl[1 + (nl - out)] == '\n', "nothing open at the end: %s", out);
	free(out);

	merged = grown_in_three(5000, 20000);
	assert_same_member(whole, merged, "events", "\"peak_sessions\": 7",
		"sessions across runs");
	char *a = tu_report_figures(whole), *b = tu_report_figures(merged);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* One log, one input: its three pieces' bytes, lines and records
	 * added up. */
	a = inputs_unnamed(whole);
	b = inputs_unnamed(merged);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(merged);
	free(whole);
	remove_dir();
}
END_TEST

/* The line numbers of every "first_at" place of a report, in order, as
 * text: places name the input by its path, which differs between a log
 * read whole and the same log grown in --state runs. */
static char *place_lines(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	static const char key[] = "\"first_at\": \"";
	for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
		const char *end = strchr(p + sizeof(key) - 1, '"');
		const char *colon = end ? memrchr(p, ':', (size_t)(end - p)) : NULL;
		ck_assert_ptr_nonnull(colon);
		sb_append(&sb, colon + 1, (size_t)(end - colon - 1));
		sb_putc(&sb, '\n');
	}
	return sb.buf ? sb.buf : xstrdup("");
}

/* An N+1 loop in the log (pid 4389's order items, 10 occurrences) cut by
 * a stop in the middle of one of its runs (line 22216 is its third
 * repeat): the run goes on in the next --state run, and the findings are
 * the whole log's (9 occurrences when the run was not carried). The
 * places of messages (first_at) are the whole log's lines. */
START_TEST(test_state_loop_run)
{
	make_dir();
	int status;
	char *whole = run(&status, "zstd -dcq tests/data/forms/postgresql.log.zst | "
		"%B report -q -j 1 -f json -");
	char *merged = grown_in_three(22216, 40000);
	assert_same_member(whole, merged, "findings", "\"n_plus_one\"",
		"a loop cut by a stop");
	/* Places of messages first seen in a later run name their line in
	 * the whole log: the pieces' lines are numbered on. */
	char *a = place_lines(whole), *b = place_lines(merged);
	ck_assert_msg(strstr(a, "80797\n") != NULL, "%s", a);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(merged);
	free(whole);
	remove_dir();
}
END_TEST

/* Explicit transactions open where a run stops (tests/data/events/
 * xacts.log: pgbench clients in BEGIN ... END) are carried to the next
 * run, which goes on with them: idle time, the longest gap and the root
 * blockers are the whole log's. Lines 901 and 1800 fall inside several
 * clients' transactions. */
START_TEST(test_state_transactions)
{
	make_dir();
	int status;
	char *whole = run(&status, "%B report -q -j 1 -f json - < tests/data/events/xacts.log");
	char *merged = grown_from("cat tests/data/events/xacts.log", 901, 1800);
	assert_same_member(whole, merged, "events", "\"idle_in_transaction\": [",
		"transactions across runs");
	free(merged);
	free(whole);
	remove_dir();
}
END_TEST

/* A --state run interrupted (SIGTERM, SIGINT: by timeout(1), during the
 * commit's pause, its files written but not renamed; SIGINT set back to
 * its default, as a background job of a shell has it ignored) or failing on a full
 * disk (RLIMIT_FSIZE, SIGXFSZ ignored: its writes fail with EFBIG) leaves
 * DIR byte for byte as before; the next run then reads what it had read. */
START_TEST(test_interrupted)
{
	make_dir();
	run_ok("zstd -dcq tests/data/forms/postgresql.log.zst > %D/full.log && "
		"head -n 5000 %D/full.log > %D/pg.log && "
		"%B report -q --state %D/s -o /dev/null %D/pg.log && "
		"tail -n +5001 %D/full.log >> %D/pg.log && "
		"(cd %D/s && ls -A && md5sum *) > %D/before");
	const char *how[] = {
		"PGSIFT_STATE_TEST_PAUSE_MS=30000 timeout -s TERM 5 %B report -q --state %D/s -o /dev/null %D/pg.log; echo rc=$?",
		"PGSIFT_STATE_TEST_PAUSE_MS=30000 timeout -s INT 5 env --default-signal=INT %B report -q --state %D/s -o /dev/null %D/pg.log; echo rc=$?",
		"trap '' XFSZ; ulimit -f 8; %B report -q --state %D/s -o /dev/null %D/pg.log 2>&1; echo rc=$?",
	};
	const char *want[] = { "rc=124", "rc=124", "File too large" };
	for (size_t i = 0; i < 3; i++) {
		int status;
		char *out = run(&status, how[i]);
		ck_assert_msg(strstr(out, want[i]), "%s: %s", how[i], out);
		free(out);
		out = run(&status, "(cd %D/s && ls -A && md5sum *) | diff - %D/before && echo same");
		ck_assert_msg(strstr(out, "same"), "%s: DIR changed: %s", how[i], out);
		free(out);
	}
	/* Then a run that completes has the whole log's figures. */
	run_ok("%B report -q --state %D/s -o /dev/null %D/pg.log");
	int s1, s2;
	char *whole = run(&s1, "%B report -q -f json %D/full.log");
	char *merged = run(&s2, "%B report -q -f json --state %D/s");
	char *a = tu_report_figures(whole), *b = tu_report_figures(merged);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(whole);
	free(merged);
	remove_dir();
}
END_TEST

/* What the state reader's fuzzing found (tests/fuzz/fuzz_state.c): an
 * empty file (a partial of a run killed by SIGKILL as it created it) is
 * refused by name, not read from a null buffer; a state without a single
 * session (traces alone) merges (no sort of an empty, unallocated list). */
START_TEST(test_fuzz_regressions)
{
	make_dir();
	char path[512];
	snprintf(path, sizeof(path), "%s/empty.state", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	struct state_parts p = { .agg = agg_new(), .events = events_new(NULL),
		.traces = traces_new(NULL), .snapshots = snapshots_new(NULL) };
	char *err = NULL;
	ck_assert_int_eq(state_read(path, &p, 0, &err), -1);
	ck_assert_msg(err && strstr(err, "empty.state: not a pgsift state"), "%s", err);
	free(err);
	agg_free(p.agg);
	events_free(p.events);
	traces_free(p.traces);
	snapshots_free(p.snapshots);
	state_parts_release(&p);
	run_ok("mkdir %D/s && : > %D/s/partial-1-2-3.state");
	int status;
	char *out = run(&status, "%B report -q --state %D/s 2>&1");
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(out, "partial-1-2-3.state: not a pgsift state"), "%s", out);
	free(out);
	run_ok("%B report -q -o /dev/null --save %D/t.state tests/data/traces/otlp.ndjson && "
		"%B merge -q -f json -o /dev/null %D/t.state");
	remove_dir();
}
END_TEST

/* 30 daily partials of a real log merged: memory holds one at a time
 * (peak RSS printed for the lead; not asserted). */
START_TEST(test_30_partials)
{
	make_dir();
	run_ok("zstd -dcq tests/data/forms/postgresql.log.zst > %D/full.log && "
		": > %D/pg.log && n=$(wc -l < %D/full.log) && i=1 && "
		"while [ $i -le 30 ]; do "
		"  sed -n \"$(( (i - 1) * n / 30 + 1 )),$(( i * n / 30 ))p\" %D/full.log >> %D/pg.log && "
		"  %B report -q --state %D/s -f json -o /dev/null %D/pg.log || exit 1; "
		"  i=$((i + 1)); done");
	int status;
	char *out = run(&status, "ls %D/s | grep -c '^partial-'");
	ck_assert_int_eq(atoi(out), 30);
	free(out);
	out = run(&status, "/usr/bin/time -f 'rss_kb=%M' %B report -q -f json -o %D/m.json "
		"--state %D/s 2>&1 >/dev/null");
	ck_assert_int_eq(status, 0);
	fprintf(stderr, "state: 30 partials merged, peak %s", out);
	free(out);
	out = run(&status, "/usr/bin/time -f 'rss_kb=%M' %B merge -q -f json -o /dev/null "
		"$(ls %D/s/partial-* | head -1) 2>&1 >/dev/null");
	fprintf(stderr, "state: 1 partial merged, peak %s", out);
	free(out);
	remove_dir();
}
END_TEST

/* A file on the inode of another (freed and reused: one job per file under
 * GNU parallel's --cleanup did it) is not taken for it, whatever the two
 * lengths; a file that grew is. Real logs: two of the test data. */
START_TEST(test_ident_reused_inode)
{
	make_dir();
	run_ok("head -c 5000 tests/data/syslog-excerpt.log > %D/small.log && "
		"head -c 100000 tests/data/plans/pairs.log > %D/other.log && "
		"head -c 70000 tests/data/plans/pairs.log > %D/grown.log");
	char a[512], b[512], c[512];
	snprintf(a, sizeof(a), "%s/small.log", dir);
	snprintf(b, sizeof(b), "%s/other.log", dir);
	snprintf(c, sizeof(c), "%s/grown.log", dir);
	struct state_ident small, other, before;
	ck_assert(state_ident_of(a, 0, 5000, &small));
	ck_assert(state_ident_of(b, 0, 100000, &other));
	ck_assert(state_ident_of(c, 0, 70000, &before));
	/* As if each had the same device and inode. */
	other.dev = small.dev = before.dev;
	other.ino = small.ino = before.ino;
	ck_assert_msg(!state_ident_overlaps(&small, &other),
		"a 5 KB log taken for another file on its inode");
	ck_assert_msg(!state_ident_overlaps(&other, &small), "the same, the other way");
	/* pairs.log cut at 70 KB, then at 100 KB: one file that grew. */
	ck_assert_msg(state_ident_overlaps(&before, &other), "a log that grew taken for another");
	remove_dir();
}
END_TEST

Suite *suite_state(void);
Suite *suite_state(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("merge");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ident_reused_inode);
	tcase_add_test(tc, test_split_evidence);
	tcase_add_test(tc, test_split_forms);
	tcase_add_test(tc, test_same_input_twice);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_state_dir);
	tcase_add_test(tc, test_state_resume);
	tcase_add_test(tc, test_state_transactions);
	tcase_add_test(tc, test_state_loop_run);
	tcase_add_test(tc, test_interrupted);
	tcase_add_test(tc, test_fuzz_regressions);
	tcase_add_test(tc, test_30_partials);
	suite_add_tcase(s, tc);
	return s;
}
