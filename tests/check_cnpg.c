/* check_cnpg.c: the cnpg parser (CloudNativePG's JSON log), on real
 * server records.
 *
 * tests/data/cnpg/postgresql.cnpg.zst is the csvlog of the run in
 * tests/data/forms wrapped in CloudNativePG's documented schema, with the
 * instance manager's lines around it (tests/data/cnpg/make.py): its report
 * must be the jsonlog and csvlog files' report. The buffers are rows of
 * the same run in the forms CNPG wrote over its versions; malformed
 * inputs are those lines cut or altered. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "parse_testutil.h"
#include "parser.h"
#include "testutil.h"
#include "util.h"

/* ---- the whole run ---- */

/* The JSON report of path (under the source tree) by the binary, without
 * its inputs (which name the file and its format). */
/* The postmaster writes "redirecting log output to logging collector
 * process" on its standard error, which CNPG reads, before the collector
 * that writes the csvlog and jsonlog files starts: a message only the CNPG
 * stream has, taken out of it (and counted there once). */
static void drop_redirect(json_t *j)
{
	json_t *ev = json_object_get(j, "events");
	json_t *others = json_object_get(ev, "other_messages"), *o;
	size_t i;
	json_array_foreach(others, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "message")),
				"redirecting log output to logging collector process") != 0)
			continue;
		ck_assert_int_eq(json_integer_value(json_object_get(o, "count")), 1);
		json_array_remove(others, i);
		json_t *tot = json_object_get(ev, "totals");
		json_int_t n = json_integer_value(json_object_get(tot, "other_messages"));
		json_object_set_new(tot, "other_messages", json_integer(n - 1));
		return;
	}
}

static char *report_of(const char *rel, const char *extra)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "'%s' report -q -j 1 %s -f json '%s/%s' 2>/dev/null", tu_bin(), extra,
		tu_root(), rel);
	int status;
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s: exit %d", cmd, status);
	json_t *j = tu_report_json(out);
	free(out);
	json_object_del(j, "inputs");
	tu_json_drop_places(j);
	drop_redirect(j);
	return tu_json_text(j);
}

START_TEST(test_same_report)
{
	char *cnpg = report_of("tests/data/cnpg/postgresql.cnpg.zst", "");
	static const char *const refs[] = { "tests/data/forms/postgresql.json.zst",
		"tests/data/forms/postgresql.csv.zst" };
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		char *ref = report_of(refs[i], "");
		ck_assert_msg(strcmp(cnpg, ref) == 0, "the report differs from %s's at line %d",
			refs[i], tu_first_diff_line(cnpg, ref));
		free(ref);
	}
	/* The figures the README of the run names, so that an empty report
	 * on both sides cannot pass. */
	json_t *j = json_loads(cnpg, 0, NULL);
	json_t *tot = json_object_get(j, "totals");
	ck_assert_int_eq(json_integer_value(json_object_get(tot, "queries")), 24278);
	ck_assert_int_eq(json_integer_value(json_object_get(tot, "fingerprints")), 42);
	json_t *ev = json_object_get(j, "events");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ev, "temp_files"), "count")), 11);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ev, "connections"), "total")), 25);
	ck_assert_int_eq(json_array_size(json_object_get(ev, "errors")), 3);
	json_decref(j);
	free(cnpg);
}
END_TEST

/* What became of the input: every postgres line a record, the instance
 * manager's lines skipped, counted and named, no problem. */
START_TEST(test_input_report)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/cnpg/postgresql.cnpg.zst", tu_root());
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a;
	ck_assert_int_eq(analysis_run(&o, paths, 1, &a), ANALYSIS_OK);
	const struct input_report *in = &a->inputs[0];
	ck_assert_str_eq(in->format, "cnpg");
	/* The csvlog's 48,453 records and the two lines of the server's
	 * stderr before its logging collector started. */
	ck_assert_uint_eq(in->records, 48455);
	ck_assert_uint_eq(in->skipped, 6);
	ck_assert_uint_eq(in->nproblems, 0);
	ck_assert_uint_eq(in->nnotes, 4);
	ck_assert_str_eq(in->notes[0], "lines of CloudNativePG logger 'instance-manager' skipped "
		"(not PostgreSQL's records)");
	ck_assert_str_eq(in->notes[1], "lines of CloudNativePG logger 'pg_controldata' skipped "
		"(not PostgreSQL's records)");
	ck_assert_str_eq(in->notes[2], "CloudNativePG lines without a logger skipped "
		"(the operator's own messages)");
	ck_assert_str_eq(in->notes[3], "lines of CloudNativePG logger 'wal-archive' skipped "
		"(not PostgreSQL's records)");
	analysis_free(a);
}
END_TEST

/* A plain file cut across workers (pieces of 64 kB) gives the report of
 * one worker, inputs included: its records, skipped lines and notes. */
START_TEST(test_split)
{
	char tmpl[] = "/tmp/pgsift-cnpg-XXXXXX";
	ck_assert(mkdtemp(tmpl) != NULL);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "zstd -dqf '%s/tests/data/cnpg/postgresql.cnpg.zst' -o '%s/cnpg.log'",
		tu_root(), tmpl);
	ck_assert_int_eq(system(cmd), 0);
	char *out[2];
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "cd '%s' && PGSIFT_SPLIT_PIECE=65536 '%s' report -q -j %d -f json "
			"cnpg.log 2>/dev/null", tmpl, tu_bin(), i ? 3 : 1);
		int status;
		char *text = tu_run(cmd, &status);
		ck_assert_int_eq(status, 0);
		out[i] = tu_json_text(tu_report_json(text));
		free(text);
	}
	ck_assert_msg(strcmp(out[0], out[1]) == 0, "-j 3 differs from -j 1 at line %d",
		tu_first_diff_line(out[0], out[1]));
	ck_assert_ptr_nonnull(strstr(out[1], "\"records\": 48455"));
	free(out[0]);
	free(out[1]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- forms of a line ---- */

/* The run's first duration line, as CloudNativePG 1.24 writes it (empty
 * values left out) and as the documentation's example of the first
 * versions does (every key, empty ones ""). */
#define REC_NEW "{\"log_time\":\"2026-11-22 14:17:11.004 UTC\",\"user_name\":\"postgres\"," \
	"\"database_name\":\"postgres\",\"process_id\":\"3634\",\"connection_from\":\"[local]\"," \
	"\"session_id\":\"6b02f966.e32\",\"session_line_num\":\"3\",\"command_tag\":\"CREATE DATABASE\"," \
	"\"session_start_time\":\"2026-11-22 14:17:10 UTC\",\"virtual_transaction_id\":\"3/0\"," \
	"\"transaction_id\":\"0\",\"error_severity\":\"LOG\",\"sql_state_code\":\"00000\"," \
	"\"message\":\"duration: 61.087 ms  statement: CREATE DATABASE shop\"," \
	"\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":\"-5218535329752333204\"}"
#define REC_OLD "{\"log_time\":\"2026-11-22 14:17:11.004 UTC\",\"user_name\":\"postgres\"," \
	"\"database_name\":\"postgres\",\"process_id\":\"3634\",\"connection_from\":\"[local]\"," \
	"\"session_id\":\"6b02f966.e32\",\"session_line_num\":\"3\",\"command_tag\":\"CREATE DATABASE\"," \
	"\"session_start_time\":\"2026-11-22 14:17:10 UTC\",\"virtual_transaction_id\":\"3/0\"," \
	"\"transaction_id\":\"0\",\"error_severity\":\"LOG\",\"sql_state_code\":\"00000\"," \
	"\"message\":\"duration: 61.087 ms  statement: CREATE DATABASE shop\",\"detail\":\"\"," \
	"\"hint\":\"\",\"internal_query\":\"\",\"internal_query_pos\":\"\",\"context\":\"\",\"query\":\"\"," \
	"\"query_pos\":\"\",\"location\":\"\",\"application_name\":\"psql\",\"backend_type\":\"client backend\"}"
#define MANAGER "{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:10.851000Z\",\"logger\":\"instance-manager\"," \
	"\"msg\":\"starting up the PostgreSQL server\",\"logging_pod\":\"cluster-example-1\"}"

static const struct form {
	const char *name, *buf;
	size_t records, skipped;
} forms[] = {
	{ "1.24", "{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:11.004000Z\",\"logger\":\"postgres\","
		"\"msg\":\"record\",\"logging_pod\":\"cluster-example-1\",\"record\":" REC_NEW "}\n", 1, 0 },
	{ "1.17, every key", "{\"level\":\"info\",\"ts\":1795357031.004,\"logger\":\"postgres\","
		"\"msg\":\"record\",\"logging_podName\":\"cluster-example-1\",\"record\":" REC_OLD "}\n", 1, 0 },
	{ "first versions, no logger", "{\"level\":\"info\",\"ts\":1795357031.004,\"msg\":\"postgres\","
		"\"record\":" REC_OLD "}\n", 1, 0 },
	{ "instance manager first", MANAGER "\n" MANAGER "\n{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:11.004000Z\","
		"\"logger\":\"postgres\",\"msg\":\"record\",\"record\":" REC_NEW "}\n", 1, 2 },
};

START_TEST(test_forms)
{
	const struct form *t = &forms[_i];
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, t->buf, strlen(t->buf), 0, REC_LOG_ENTRY, &r);
	ck_assert_msg(strcmp(r.report.format, "cnpg") == 0, "%s: %s", t->name, r.report.format);
	ck_assert_uint_eq(r.n, t->records);
	ck_assert_uint_eq(r.report.skipped, t->skipped);
	ck_assert_uint_eq(r.report.nproblems, 0);
	const struct got *g = &r.g[0];
	ck_assert_int_eq(g->ts_ms, 1795357031004LL);
	ck_assert(g->tz_known);
	ck_assert_int_eq(g->pid, 3634);
	ck_assert_int_eq(g->leader_pid, -1);
	ck_assert_int_eq(g->sev, SEV_LOG);
	ck_assert_str_eq(g->s[S_USER], "postgres");
	ck_assert_str_eq(g->s[S_DB], "postgres");
	ck_assert_str_eq(g->s[S_APP], "psql");
	ck_assert_str_eq(g->s[S_HOST], "[local]");
	ck_assert_str_eq(g->s[S_SESSION], "6b02f966.e32");
	ck_assert_str_eq(g->s[S_SQLSTATE], "00000");
	ck_assert_str_eq(g->s[S_BACKEND], "client backend");
	ck_assert_str_eq(g->s[S_MESSAGE], "duration: 61.087 ms  statement: CREATE DATABASE shop");
	ck_assert_str_eq(g->s[S_STATEMENT], "");
	run_free(&r);
}
END_TEST

/* The server's stderr before its logging collector starts, passed on as
 * the postgres logger's msg (the run's postmaster pid and start, as
 * tests/data/cnpg/make.py writes them): read as its messages; other text
 * there is counted and named. */
START_TEST(test_stderr_text)
{
	static const char buf[] =
		"{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:10.851000Z\",\"logger\":\"postgres\","
		"\"msg\":\"2026-11-22 14:17:10.851 UTC [3591] LOG:  redirecting log output to logging collector process\","
		"\"pipe\":\"stderr\",\"logging_pod\":\"cluster-example-1\"}\n"
		"{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:10.851000Z\",\"logger\":\"postgres\","
		"\"msg\":\"2026-11-22 14:17:10.851 UTC [3591] HINT:  Future log output will appear in directory "
		"\\\"/controller/log\\\".\",\"pipe\":\"stderr\",\"logging_pod\":\"cluster-example-1\"}\n"
		"{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:10.851000Z\",\"logger\":\"postgres\","
		"\"msg\":\"/usr/lib/postgresql/16/bin/postgres: error while loading shared libraries\","
		"\"pipe\":\"stderr\",\"logging_pod\":\"cluster-example-1\"}\n";
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, buf, strlen(buf), 0, REC_LOG_ENTRY, &r);
	ck_assert_str_eq(r.report.format, "cnpg");
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_uint_eq(r.report.skipped, 1);
	ck_assert_int_eq(r.g[0].ts_ms, 1795357030851LL);
	ck_assert_int_eq(r.g[0].pid, 3591);
	ck_assert_int_eq(r.g[0].sev, SEV_LOG);
	ck_assert_str_eq(r.g[0].s[S_MESSAGE], "redirecting log output to logging collector process");
	ck_assert_int_eq(r.g[1].sev, SEV_HINT);
	ck_assert_str_eq(r.g[1].s[S_MESSAGE], "Future log output will appear in directory \"/controller/log\".");
	ck_assert_uint_eq(r.report.nnotes, 1);
	ck_assert_str_eq(r.report.notes[0], "lines of CloudNativePG logger 'postgres (stderr text)' "
		"skipped (not PostgreSQL's records)");
	run_free(&r);
}
END_TEST

/* A postgres line with neither msg nor record (found by fuzzing: its
 * empty msg was read from a NULL pointer): counted as the postgres
 * logger's other text, as a line with an unknown msg is. */
START_TEST(test_no_msg)
{
	static const char buf[] =
		"{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:16.141000Z\",\"logger\":\"postgres\"}\n"
		"{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:16.141000Z\",\"logger\":\"postgres\","
		"\"logging_pod\":\"cluster-example-1\",\"msg\":[1]}\n";
	struct driver_cfg cfg = { .input_format = "cnpg" };
	struct run r;
	run_text(&cfg, buf, strlen(buf), 0, REC_LOG_ENTRY, &r);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_uint_eq(r.report.skipped, 2);
	ck_assert_uint_eq(r.report.nnotes, 1);
	ck_assert_str_eq(r.report.notes[0], "lines of CloudNativePG logger 'postgres (stderr text)' "
		"skipped (not PostgreSQL's records)");
	run_free(&r);
}
END_TEST

/* An error of the run, with its detail; its statement comes in "query". */
START_TEST(test_error_fields)
{
	static const char buf[] = "{\"level\":\"info\",\"ts\":\"2026-11-22T14:17:19.448000Z\",\"logger\":\"postgres\","
		"\"msg\":\"record\",\"record\":{\"log_time\":\"2026-11-22 14:17:19.448 UTC\",\"user_name\":\"postgres\","
		"\"database_name\":\"shop\",\"process_id\":\"4426\",\"connection_from\":\"[local]\","
		"\"session_id\":\"6b02f96f.114a\",\"session_line_num\":\"5\",\"command_tag\":\"INSERT\","
		"\"session_start_time\":\"2026-11-22 14:17:19 UTC\",\"virtual_transaction_id\":\"3/171\","
		"\"transaction_id\":\"786\",\"error_severity\":\"ERROR\",\"sql_state_code\":\"23505\","
		"\"message\":\"duplicate key value violates unique constraint \\\"customers_pkey\\\"\","
		"\"detail\":\"Key (id)=(1) already exists.\","
		"\"query\":\"INSERT INTO customers (id, email) VALUES (1, 'dup@example.com');\","
		"\"application_name\":\"psql\",\"backend_type\":\"client backend\","
		"\"query_id\":\"-5750283046204643418\"}}\n";
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, buf, strlen(buf), 0, REC_LOG_ENTRY, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.g[0].sev, SEV_ERROR);
	ck_assert_str_eq(r.g[0].s[S_SQLSTATE], "23505");
	ck_assert_str_eq(r.g[0].s[S_MESSAGE], "duplicate key value violates unique constraint \"customers_pkey\"");
	ck_assert_str_eq(r.g[0].s[S_DETAIL], "Key (id)=(1) already exists.");
	ck_assert_str_eq(r.g[0].s[S_STATEMENT], "INSERT INTO customers (id, email) VALUES (1, 'dup@example.com');");
	ck_assert_str_eq(r.g[0].s[S_QUERY_ID], "-5750283046204643418");
	run_free(&r);
}
END_TEST

/* The scanner's values are jansson's: escapes (a statement of the run
 * with its quotes and newline, \u escapes of two and four bytes), and a
 * line it leaves to jansson (process_id as a number, as a shipper that
 * retypes fields writes it) reads the same. */
static const struct esc {
	const char *name, *line, *message;
	int64_t pid;
} escs[] = {
	{ "escapes", "{\"logger\":\"postgres\",\"msg\":\"record\",\"record\":{\"process_id\":\"4426\","
		"\"error_severity\":\"ERROR\",\"message\":\"syntax error at or near \\\"SELEC\\\"\\n\\t\\u00e9\\ud83d\\ude00\\/\"}}\n",
		"syntax error at or near \"SELEC\"\n\t\xc3\xa9\xf0\x9f\x98\x80/", 4426 },
	{ "a number where CNPG writes a string", "{\"logger\":\"postgres\",\"msg\":\"record\",\"record\":{\"process_id\":4426,"
		"\"error_severity\":\"ERROR\",\"message\":\"syntax error at or near \\\"SELEC\\\"\"}}\n",
		"syntax error at or near \"SELEC\"", 4426 },
	{ "spaces as json.dumps writes them", "{\"logger\": \"postgres\", \"ts\": 1.795357031004E9, \"x\": [1, {\"a\": \"}\"}],"
		" \"record\": {\"process_id\": \"4426\", \"message\": \"a\" } }\n", "a", 4426 },
};

START_TEST(test_escapes)
{
	const struct esc *t = &escs[_i];
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, t->line, strlen(t->line), 0, REC_LOG_ENTRY, &r);
	ck_assert_msg(strcmp(r.report.format, "cnpg") == 0, "%s: %s", t->name, r.report.format);
	ck_assert_msg(r.n == 1, "%s: %zu records", t->name, r.n);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_str_eq(r.g[0].s[S_MESSAGE], t->message);
	ck_assert_int_eq(r.g[0].pid, t->pid);
	run_free(&r);
}
END_TEST

/* The scanner never disagrees with jansson: lines of the fixture (every
 * 50th, and those with escapes), each cut or with one byte changed to one
 * that matters to JSON, read as jansson reads them: the same record
 * (message, statement, user, pid), or the same line skipped, or the same
 * problem. The mutations are fixed (a seeded generator), so a failure
 * names a line that fails again. */
static const char mutants[] = { '"', '\\', '{', '}', '[', ']', ',', ':', 'u', '0', 'e', '-',
	' ', '\x01', '\0', '\xc3', '\xa9', '\xff', 'n', 'd' };

static struct slice jstring(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? slice_make(json_string_value(v), json_string_length(v))
		: SLICE_EMPTY;
}

static void check_like_jansson(const char *line, size_t len)
{
	struct driver_cfg cfg = { .input_format = "cnpg" };
	struct run r;
	char *buf = xmalloc(len + 1);
	memcpy(buf, line, len);
	buf[len] = '\n';
	run_text(&cfg, buf, len + 1, 0, REC_LOG_ENTRY, &r);
	json_t *root = json_loadb(line, len, 0, NULL);
	size_t records = 0, problems = 0, skipped = 0;
	json_t *rec = NULL;
	if (len == 0) {
		/* A blank line carries nothing: not counted, as in jsonlog. */
	} else if (!json_is_object(root)) {
		problems = skipped = 1;
	} else {
		rec = json_object_get(root, "record");
		struct slice logger = json_object_get(root, "logger") ? jstring(root, "logger")
			: json_is_object(rec) ? jstring(root, "msg") : SLICE_EMPTY;
		if (!slice_eq(logger, "postgres"))
			skipped = 1;
		else if (json_is_object(rec))
			records = 1;
		else if (slice_eq(jstring(root, "msg"), "record"))
			problems = skipped = 1;
		else
			skipped = 1;    /* stderr text no mutation makes a message */
	}
	ck_assert_msg(r.n == records && r.report.nproblems == problems && r.report.skipped == skipped,
		"%zu records, %llu problems, %llu skipped where jansson says %zu, %zu, %zu: %.*s",
		r.n, (unsigned long long)r.report.nproblems, (unsigned long long)r.report.skipped,
		records, problems, skipped, (int)(len < 300 ? len : 300), line);
	if (records) {
		static const struct { int s; const char *key; } keys[] = {
			{ S_MESSAGE, "message" }, { S_STATEMENT, "query" }, { S_USER, "user_name" },
			{ S_DETAIL, "detail" }, { S_APP, "application_name" },
		};
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			struct slice want = jstring(rec, keys[k].key);
			const char *got = r.g[0].s[keys[k].s];
			ck_assert_msg(strlen(got) == want.len && memcmp(got, want.ptr, want.len) == 0,
				"%s: '%s' where jansson reads '%.*s'", keys[k].key, got, (int)want.len,
				want.ptr);
		}
	}
	json_decref(root);
	run_free(&r);
	free(buf);
}

START_TEST(test_like_jansson)
{
	char path[4096];
	snprintf(path, sizeof(path), "zstd -dc '%s/tests/data/cnpg/postgresql.cnpg.zst'", tu_root());
	FILE *f = popen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *line = NULL;
	size_t cap = 0, no = 0, tried = 0, sampled = 0;
	uint64_t seed = 14;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		no++;
		size_t len = (size_t)n - 1;
		if (no % 50 != 1 && !memmem(line, len, "\\", 1))
			continue;
		if (no % 50 != 1 && no % 7 != 0)
			continue;
		/* Every other line with "ts" as the first versions wrote it (epoch
		 * seconds), so that mutations meet numbers too. */
		static const char head[] = "{\"level\":\"info\",\"ts\":\"";
		char *q;
		if (++sampled % 2 == 0 && strncmp(line, head, sizeof(head) - 1) == 0
				&& (q = strchr(line + sizeof(head) - 1, '"')) != NULL) {
			static const char epoch[] = "1795357031.004E0";
			size_t at = sizeof(head) - 2, tail = (size_t)(q + 1 - line);
			memmove(line + at + sizeof(epoch) - 1, line + tail, len + 1 - tail);
			memcpy(line + at, epoch, sizeof(epoch) - 1);
			len = len - (tail - at) + sizeof(epoch) - 1;
		}
		check_like_jansson(line, len);
		for (int m = 0; m < 4; m++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t at = (size_t)(seed >> 33) % len;
			char keep = line[at];
			if (m == 0) {
				check_like_jansson(line, at);   /* cut there */
				continue;
			}
			line[at] = mutants[(seed >> 20) % sizeof(mutants)];
			check_like_jansson(line, len);
			line[at] = keep;
			tried++;
		}
	}
	free(line);
	pclose(f);
	ck_assert_uint_gt(tried, 1000);
}
END_TEST

/* PostgreSQL's own jsonlog and CloudNativePG's are told apart. */
START_TEST(test_probes)
{
	static const char jsonlog[] = "{\"timestamp\":\"2026-11-22 14:17:10.851 UTC\",\"pid\":3591,"
		"\"error_severity\":\"LOG\",\"message\":\"starting\"}\n";
	const char *cnpg = forms[0].buf;
	ck_assert_str_eq(parser_detect(jsonlog, strlen(jsonlog))->id, "jsonlog");
	ck_assert_str_eq(parser_detect(cnpg, strlen(cnpg))->id, "cnpg");
	ck_assert_str_eq(parser_detect(MANAGER "\n", strlen(MANAGER) + 1)->id, "cnpg");
	ck_assert_ptr_nonnull(parser_find("cnpg"));
}
END_TEST

/* ---- errors ---- */

static const struct bad {
	const char *name, *buf;
	uint64_t line;
	const char *message;
	size_t records;
} bads[] = {
	{ "a line cut short", MANAGER "\n{\"level\":\"info\",\"logger\":\"postgres\",\"msg\":\"record\","
		"\"record\":{\"log_time\":\"2026-11-22 14:17:13.119 UTC\",\"mess\n"
		"{\"level\":\"info\",\"logger\":\"postgres\",\"msg\":\"record\",\"record\":" REC_NEW "}\n",
		2, "CloudNativePG line is not JSON", 1 },
	{ "a postgres line without its record", "{\"level\":\"info\",\"logger\":\"postgres\",\"msg\":\"record\","
		"\"record\":" REC_NEW "}\n{\"level\":\"info\",\"logger\":\"postgres\",\"msg\":\"record\"}\n",
		2, "CloudNativePG postgres line without a record object", 1 },
	{ "an array", MANAGER "\n[1,2]\n", 2, "CloudNativePG line is not a JSON object", 0 },
};

START_TEST(test_malformed)
{
	const struct bad *t = &bads[_i];
	struct driver_cfg cfg = { 0 };
	struct run r;
	run_text(&cfg, t->buf, strlen(t->buf), 0, REC_LOG_ENTRY, &r);
	ck_assert_str_eq(r.report.format, "cnpg");
	ck_assert_msg(r.report.nproblems == 1, "%s: %llu problems", t->name,
		(unsigned long long)r.report.nproblems);
	ck_assert_msg(r.report.problems[0].line == t->line, "%s: line %llu", t->name,
		(unsigned long long)r.report.problems[0].line);
	ck_assert_msg(strstr(r.report.problems[0].message, t->message), "%s: %s", t->name,
		r.report.problems[0].message);
	ck_assert_uint_eq(r.n, t->records);
	run_free(&r);
}
END_TEST

/* Whole runs: the exit status says some input was malformed. */
START_TEST(test_partial_status)
{
	enum analysis_status st;
	struct analysis *a = tu_analyse_text(bads[0].buf, NULL, &st);
	ck_assert_int_eq(st, ANALYSIS_PARTIAL);
	ck_assert_str_eq(a->inputs[0].format, "cnpg");
	ck_assert_uint_eq(a->inputs[0].records, 1);
	ck_assert_uint_eq(a->inputs[0].skipped, 2);
	analysis_free(a);
}
END_TEST

Suite *suite_cnpg(void);
Suite *suite_cnpg(void)
{
	Suite *s = suite_create("cnpg");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_same_report);
	tcase_add_test(tc, test_input_report);
	tcase_add_test(tc, test_split);
	tcase_add_loop_test(tc, test_forms, 0, (int)ARRAY_SIZE(forms));
	tcase_add_test(tc, test_error_fields);
	tcase_add_test(tc, test_stderr_text);
	tcase_add_test(tc, test_no_msg);
	tcase_add_loop_test(tc, test_escapes, 0, (int)ARRAY_SIZE(escs));
	tcase_add_test(tc, test_like_jansson);
	tcase_add_test(tc, test_probes);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_malformed, 0, (int)ARRAY_SIZE(bads));
	tcase_add_test(tc, test_partial_status);
	suite_add_tcase(s, tc);
	return s;
}
