/* check_jsonlog.c: the jsonlog parser, fed in-memory buffers and real files
 * through the registry.
 *
 * The lines are verbatim from a real PostgreSQL 15 server (pg-workload.sh,
 * the run saved in tests/data/forms/; the same messages as check_csvlog.c's
 * rows), and pgBadger's pg_vacuums.json.gz from ../shared/corpus. The
 * malformed inputs are real lines cut or altered. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parsers/jsonlog_int.h"
#include "jsonlog_oracle.h"
#include "analysis.h"
#include "parser.h"
#include "testutil.h"
#include "timeutil.h"

#define J_START \
	"{\"timestamp\":\"2026-11-22 14:17:10.851 UTC\",\"pid\":3591,\"session_id\":\"6b02f966.e07\",\"line_num\":1,\"session_start\":\"2026-11-22 14:17:10 UTC\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit\",\"backend_type\":\"postmaster\",\"query_id\":0}\n"
#define J_LISTEN \
	"{\"timestamp\":\"2026-11-22 14:17:10.852 UTC\",\"pid\":3591,\"session_id\":\"6b02f966.e07\",\"line_num\":2,\"session_start\":\"2026-11-22 14:17:10 UTC\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"listening on IPv4 address \\\"127.0.0.1\\\", port 27461\",\"backend_type\":\"postmaster\",\"query_id\":0}\n"
#define J_PLAN \
	"{\"timestamp\":\"2026-11-22 14:17:11.220 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\",\"pid\":3658,\"remote_host\":\"[local]\",\"session_id\":\"6b02f967.e4a\",\"line_num\":10,\"ps\":\"INSERT\",\"session_start\":\"2026-11-22 14:17:11 UTC\",\"vxid\":\"3/10\",\"txid\":731,\"error_severity\":\"LOG\",\"message\":\"duration: 144.890 ms  plan:\\nQuery Text: INSERT INTO products (name, category, price, created_at) SELECT 'Product '||g, 'cat'||(g % 40), (g % 500) + 0.99, now() - g * interval '1 hour' FROM generate_series(1, 50000*1) g;\\nInsert on products  (cost=0.00..2500.00 rows=0 width=0) (actual time=144.886..144.887 rows=0 loops=1)\\n  Buffers: shared hit=200684 read=3 dirtied=607 written=605, temp read=86 written=86\\n  ->  Function Scan on generate_series g  (cost=0.00..2500.00 rows=50000 width=96) (actual time=4.011..43.670 rows=50000 loops=1)\\n        Buffers: shared hit=50011, temp read=86 written=86\",\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":6623607585835235509}\n"
#define J_EXEC \
	"{\"timestamp\":\"2026-11-22 14:17:15.069 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\",\"pid\":4336,\"remote_host\":\"[local]\",\"session_id\":\"6b02f96b.10f0\",\"line_num\":5,\"ps\":\"SELECT\",\"session_start\":\"2026-11-22 14:17:15 UTC\",\"vxid\":\"6/3\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"duration: 0.042 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\",\"detail\":\"parameters: $1 = '1354'\",\"application_name\":\"pgbench\",\"backend_type\":\"client backend\",\"query_id\":2307399687190428979}\n"
#define J_LOCK \
	"{\"timestamp\":\"2026-11-22 14:17:19.124 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\",\"pid\":4422,\"remote_host\":\"[local]\",\"session_id\":\"6b02f96f.1146\",\"line_num\":3,\"ps\":\"UPDATE waiting\",\"session_start\":\"2026-11-22 14:17:19 UTC\",\"vxid\":\"4/53\",\"txid\":784,\"error_severity\":\"LOG\",\"message\":\"process 4422 still waiting for ShareLock on transaction 783 after 100.160 ms\",\"detail\":\"Process holding the lock: 4418. Wait queue: 4422.\",\"context\":\"while updating tuple (0,1) in relation \\\"orders\\\"\",\"statement\":\"SET application_name='billing'; UPDATE orders SET status='shipped' WHERE id = 1;\",\"application_name\":\"billing\",\"backend_type\":\"client backend\",\"query_id\":8790161156722469139}\n"
#define J_SYNTAX \
	"{\"timestamp\":\"2026-11-22 14:17:19.443 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\",\"pid\":4426,\"remote_host\":\"[local]\",\"session_id\":\"6b02f96f.114a\",\"line_num\":3,\"ps\":\"idle\",\"session_start\":\"2026-11-22 14:17:19 UTC\",\"vxid\":\"3/169\",\"txid\":0,\"error_severity\":\"ERROR\",\"state_code\":\"42601\",\"message\":\"syntax error at or near \\\"SELEC\\\"\",\"statement\":\"SELEC id FROM orders;\",\"cursor_position\":1,\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":0}\n"
#define J_DUP \
	"{\"timestamp\":\"2026-11-22 14:17:19.448 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\",\"pid\":4426,\"remote_host\":\"[local]\",\"session_id\":\"6b02f96f.114a\",\"line_num\":5,\"ps\":\"INSERT\",\"session_start\":\"2026-11-22 14:17:19 UTC\",\"vxid\":\"3/171\",\"txid\":786,\"error_severity\":\"ERROR\",\"state_code\":\"23505\",\"message\":\"duplicate key value violates unique constraint \\\"customers_pkey\\\"\",\"detail\":\"Key (id)=(1) already exists.\",\"statement\":\"INSERT INTO customers (id, email) VALUES (1, 'dup@example.com');\",\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":-5750283046204643418}\n"
#define J_NOPE \
	"{\"timestamp\":\"2026-11-22 14:17:19.449 UTC\",\"user\":\"postgres\",\"dbname\":\"shop\",\"pid\":4426,\"remote_host\":\"[local]\",\"session_id\":\"6b02f96f.114a\",\"line_num\":6,\"ps\":\"SELECT\",\"session_start\":\"2026-11-22 14:17:19 UTC\",\"vxid\":\"3/172\",\"txid\":0,\"error_severity\":\"ERROR\",\"state_code\":\"42703\",\"message\":\"column \\\"nope\\\" does not exist\",\"hint\":\"Perhaps you meant to reference the column \\\"customers.name\\\".\",\"statement\":\"SELECT nope FROM customers WHERE id = 1;\",\"cursor_position\":8,\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":0}\n"

/* The same messages in csvlog form (check_csvlog.c has them all). */
#define ROW_START \
	"2026-11-22 14:17:10.851 UTC,,,3591,,6b02f966.e07,1,,2026-11-22 14:17:10 UTC,,0,LOG,00000,\"starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit\",,,,,,,,,\"\",\"postmaster\",,0\n"
#define ROW_LISTEN \
	"2026-11-22 14:17:10.852 UTC,,,3591,,6b02f966.e07,2,,2026-11-22 14:17:10 UTC,,0,LOG,00000,\"listening on IPv4 address \"\"127.0.0.1\"\", port 27461\",,,,,,,,,\"\",\"postmaster\",,0\n"
#define ROW_PLAN \
	"2026-11-22 14:17:11.220 UTC,\"postgres\",\"shop\",3658,\"[local]\",6b02f967.e4a,10,\"INSERT\",2026-11-22 14:17:11 UTC,3/10,731,LOG,00000,\"duration: 144.890 ms  plan:\n" \
	"Query Text: INSERT INTO products (name, category, price, created_at) SELECT 'Product '||g, 'cat'||(g % 40), (g % 500) + 0.99, now() - g * interval '1 hour' FROM generate_series(1, 50000*1) g;\n" \
	"Insert on products  (cost=0.00..2500.00 rows=0 width=0) (actual time=144.886..144.887 rows=0 loops=1)\n" \
	"  Buffers: shared hit=200684 read=3 dirtied=607 written=605, temp read=86 written=86\n" \
	"  ->  Function Scan on generate_series g  (cost=0.00..2500.00 rows=50000 width=96) (actual time=4.011..43.670 rows=50000 loops=1)\n" \
	"        Buffers: shared hit=50011, temp read=86 written=86\",,,,,,,,,\"psql\",\"client backend\",,6623607585835235509\n"
#define ROW_EXEC \
	"2026-11-22 14:17:15.069 UTC,\"postgres\",\"shop\",4336,\"[local]\",6b02f96b.10f0,5,\"SELECT\",2026-11-22 14:17:15 UTC,6/3,0,LOG,00000,\"duration: 0.042 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\",\"parameters: $1 = '1354'\",,,,,,,,\"pgbench\",\"client backend\",,2307399687190428979\n"
#define ROW_LOCK \
	"2026-11-22 14:17:19.124 UTC,\"postgres\",\"shop\",4422,\"[local]\",6b02f96f.1146,3,\"UPDATE waiting\",2026-11-22 14:17:19 UTC,4/53,784,LOG,00000,\"process 4422 still waiting for ShareLock on transaction 783 after 100.160 ms\",\"Process holding the lock: 4418. Wait queue: 4422.\",,,,\"while updating tuple (0,1) in relation \"\"orders\"\"\",\"SET application_name='billing'; UPDATE orders SET status='shipped' WHERE id = 1;\",,,\"billing\",\"client backend\",,8790161156722469139\n"
#define ROW_SYNTAX \
	"2026-11-22 14:17:19.443 UTC,\"postgres\",\"shop\",4426,\"[local]\",6b02f96f.114a,3,\"idle\",2026-11-22 14:17:19 UTC,3/169,0,ERROR,42601,\"syntax error at or near \"\"SELEC\"\"\",,,,,,\"SELEC id FROM orders;\",1,,\"psql\",\"client backend\",,0\n"
#define ROW_DUP \
	"2026-11-22 14:17:19.448 UTC,\"postgres\",\"shop\",4426,\"[local]\",6b02f96f.114a,5,\"INSERT\",2026-11-22 14:17:19 UTC,3/171,786,ERROR,23505,\"duplicate key value violates unique constraint \"\"customers_pkey\"\"\",\"Key (id)=(1) already exists.\",,,,,\"INSERT INTO customers (id, email) VALUES (1, 'dup@example.com');\",,,\"psql\",\"client backend\",,-5750283046204643418\n"
#define ROW_NOPE \
	"2026-11-22 14:17:19.449 UTC,\"postgres\",\"shop\",4426,\"[local]\",6b02f96f.114a,6,\"SELECT\",2026-11-22 14:17:19 UTC,3/172,0,ERROR,42703,\"column \"\"nope\"\" does not exist\",,\"Perhaps you meant to reference the column \"\"customers.name\"\".\",,,,\"SELECT nope FROM customers WHERE id = 1;\",8,,\"psql\",\"client backend\",,0\n"

#include "parse_testutil.h"

static bool starts_with(const char *s, const char *lit)
{
	return strncmp(s, lit, strlen(lit)) == 0;
}

static void assert_iso(int64_t ms, const char *want)
{
	char iso[32];
	ts_format_iso(ms, iso);
	ck_assert_str_eq(iso, want);
}

/* A pgBadger fixture, or NULL when ../shared is absent: the test was
 * skipped (tu_data_path) and returns. */
static char *corpus_path(const char *who, const char *name)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "../shared/corpus/pgbadger/%s", name);
	return tu_data_path(who, rel);
}

static const char excerpt[] = J_START J_LISTEN J_PLAN J_EXEC J_LOCK J_SYNTAX
	J_DUP J_NOPE;
static const char csv_excerpt[] = ROW_START ROW_LISTEN ROW_PLAN ROW_EXEC ROW_LOCK
	ROW_SYNTAX ROW_DUP ROW_NOPE;

/* ---- core ---- */

START_TEST(test_fields)
{
	struct run r;
	run_mem("jsonlog", excerpt, sizeof(excerpt) - 1, 0, &r);
	ck_assert_uint_eq(r.n, 8);
	ck_assert_uint_eq(r.report.nproblems, 0);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_uint_eq(r.g[i].line, i + 1);

	/* The postmaster: keys left out are empty. */
	struct got *g = &r.g[0];
	assert_iso(g->ts_ms, "2026-11-22T14:17:10.851Z");
	ck_assert(g->tz_known);
	ck_assert_str_eq(g->s[S_TZ], "UTC");
	ck_assert_int_eq(g->pid, 3591);
	ck_assert_int_eq(g->leader_pid, -1);
	ck_assert_str_eq(g->s[S_USER], "");
	ck_assert_str_eq(g->s[S_APP], "");
	ck_assert_str_eq(g->s[S_BACKEND], "postmaster");
	ck_assert_str_eq(g->s[S_QUERY_ID], "0");
	ck_assert_int_eq(g->sev, SEV_LOG);
	ck_assert(!g->tab_continued);
	ck_assert_str_eq(r.g[1].s[S_MESSAGE], "listening on IPv4 address \"127.0.0.1\", port 27461");

	g = &r.g[2];
	ck_assert(starts_with(g->s[S_MESSAGE], "duration: 144.890 ms  plan:\nQuery Text: INSERT INTO products"));
	ck_assert_str_eq(g->s[S_HOST], "[local]");
	ck_assert_str_eq(g->s[S_SESSION], "6b02f967.e4a");

	g = &r.g[3];
	ck_assert_str_eq(g->s[S_DETAIL], "parameters: $1 = '1354'");
	ck_assert_str_eq(g->s[S_QUERY_ID], "2307399687190428979");

	g = &r.g[4];
	ck_assert_str_eq(g->s[S_CONTEXT], "while updating tuple (0,1) in relation \"orders\"");
	ck_assert_str_eq(g->s[S_STATEMENT], "SET application_name='billing'; UPDATE orders SET status='shipped' WHERE id = 1;");

	ck_assert_int_eq(r.g[5].sev, SEV_ERROR);
	ck_assert_str_eq(r.g[5].s[S_SQLSTATE], "42601");
	ck_assert_str_eq(r.g[6].s[S_QUERY_ID], "-5750283046204643418");
	ck_assert_str_eq(r.g[7].s[S_HINT], "Perhaps you meant to reference the column \"customers.name\".");
	run_free(&r);
}
END_TEST

/* The same server messages read from csvlog and from jsonlog are equal
 * field for field. */
START_TEST(test_same_as_csvlog)
{
	struct run j, c;
	run_mem("jsonlog", excerpt, sizeof(excerpt) - 1, 0, &j);
	run_mem("csvlog", csv_excerpt, sizeof(csv_excerpt) - 1, 0, &c);
	ck_assert_uint_eq(j.n, 8);
	ck_assert_uint_eq(c.n, 8);
	for (size_t i = 0; i < j.n; i++) {
		ck_assert_int_eq(j.g[i].ts_ms, c.g[i].ts_ms);
		ck_assert_int_eq(j.g[i].pid, c.g[i].pid);
		ck_assert_int_eq(j.g[i].leader_pid, c.g[i].leader_pid);
		ck_assert_int_eq(j.g[i].sev, c.g[i].sev);
		ck_assert_int_eq(j.g[i].tz_known, c.g[i].tz_known);
		for (int k = 0; k < NSTR; k++)
			ck_assert_msg(strcmp(j.g[i].s[k], c.g[i].s[k]) == 0,
				"record %zu field %d: '%s' (json) vs '%s' (csv)", i, k,
				j.g[i].s[k], c.g[i].s[k]);
	}
	run_free(&j);
	run_free(&c);
}
END_TEST

/* pgBadger's fixture: 1,450 automatic analyze and 2,094 automatic vacuum
 * entries, in CEST. */
START_TEST(test_pgbadger_vacuums)
{
	char *path = corpus_path("jsonlog: pgbadger_vacuums", "pg_vacuums.json.gz");
	if (!path)
		return;
	char err[256];
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s: %s", path, err);
	struct run r;
	run_lr("jsonlog", lr, &r);
	lr_close(lr);
	ck_assert_uint_eq(r.report.nproblems, 0);
	size_t analyze = 0, vacuum = 0;
	for (size_t i = 0; i < r.n; i++) {
		analyze += starts_with(r.g[i].s[S_MESSAGE], "automatic analyze");
		vacuum += starts_with(r.g[i].s[S_MESSAGE], "automatic vacuum");
	}
	ck_assert_uint_eq(analyze, 1450);
	ck_assert_uint_eq(vacuum, 2094);
	ck_assert_uint_eq(r.n, 3544);
	struct got *g = &r.g[0];
	assert_iso(g->ts_ms, "2024-06-26T22:00:07.369Z");        /* CEST is UTC+2 */
	ck_assert_str_eq(g->s[S_TZ], "CEST");
	ck_assert(g->tz_known);
	ck_assert_str_eq(g->s[S_BACKEND], "autovacuum worker");
	ck_assert_int_eq(g->pid, 58151);
	/* The message's lines come with plain newlines. */
	ck_assert(strstr(g->s[S_MESSAGE], "\"testdb.sales.tab_shop_stats\"\nI/O timings: read:") != NULL);
	run_free(&r);
	free(path);
}
END_TEST

START_TEST(test_probe)
{
	const struct parser *json = parser_find("jsonlog");
	ck_assert_int_ge(json->probe(excerpt, sizeof(excerpt) - 1), 90);
	ck_assert_ptr_eq(parser_detect(excerpt, sizeof(excerpt) - 1), json);
	/* Cut anywhere in the first line, it is still recognised. */
	ck_assert_int_ge(json->probe(excerpt, 20), 90);
	ck_assert_int_eq(json->probe(csv_excerpt, sizeof(csv_excerpt) - 1), 0);
	ck_assert_int_eq(json->probe("", 0), 0);
	ck_assert_int_eq(parser_find("csvlog")->probe(excerpt, sizeof(excerpt) - 1), 0);
	ck_assert_int_eq(parser_find("stderr")->probe(excerpt, sizeof(excerpt) - 1), 0);
}
END_TEST

/* ---- errors ---- */

enum build {
	B_NOT_JSON,             /* pg_ctl's own output between two lines */
	B_NOT_OBJECT,           /* JSON, but not an object */
	B_CUT_MIDDLE,           /* a line cut short, then good lines */
	B_CUT_LAST,             /* the input ends inside the last line */
	B_EMPTY,
	B_BLANK_LINES,
};

static const struct {
	enum build build;
	size_t records;
	uint64_t problem_line;
	size_t nproblems;
	const char *says;
} bad[] = {
	{ B_NOT_JSON, 2, 2, 1, "not JSON" },
	{ B_NOT_OBJECT, 2, 1, 1, "not a JSON object" },
	{ B_CUT_MIDDLE, 2, 2, 1, "not JSON" },
	{ B_CUT_LAST, 1, 2, 1, "not JSON" },
	{ B_EMPTY, 0, 0, 0, NULL },
	{ B_BLANK_LINES, 2, 0, 0, NULL },
};

static char *build_input(enum build b)
{
	char *s = NULL;
	int n = 0;
	switch (b) {
	case B_NOT_JSON:
		/* Verbatim from pgBadger's pg_rawcsv.log. */
		n = asprintf(&s, "%spg_ctl: could not start server\n%s", J_EXEC, J_LOCK);
		break;
	case B_NOT_OBJECT:
		n = asprintf(&s, "[\"LOG\"]\n%s%s", J_EXEC, J_LOCK);
		break;
	case B_CUT_MIDDLE:
		n = asprintf(&s, "%s%.*s\n%s", J_EXEC, 200, J_LOCK, J_DUP);
		break;
	case B_CUT_LAST:
		n = asprintf(&s, "%s%.*s", J_EXEC, 200, J_LOCK);
		break;
	case B_EMPTY:
		s = strdup("");
		break;
	case B_BLANK_LINES:
		n = asprintf(&s, "\n%s\n\n%s", J_EXEC, J_LOCK);
		break;
	}
	ck_assert_int_ge(n, 0);
	return s;
}

START_TEST(test_malformed)
{
	char *text = build_input(bad[_i].build);
	struct run r;
	run_mem("jsonlog", text, strlen(text), 0, &r);
	ck_assert_msg(r.n == bad[_i].records, "case %d: %zu records", _i, r.n);
	ck_assert_uint_eq(r.report.nproblems, bad[_i].nproblems);
	ck_assert_uint_eq(r.report.skipped, bad[_i].nproblems);
	if (bad[_i].nproblems) {
		ck_assert_uint_eq(r.report.problems[0].line, bad[_i].problem_line);
		ck_assert_msg(strstr(r.report.problems[0].message, bad[_i].says) != NULL,
			"case %d: %s", _i, r.report.problems[0].message);
	}
	for (size_t k = 0; k < r.n; k++) {
		ck_assert_str_eq(r.g[k].s[S_USER], "postgres");
		ck_assert_int_gt(r.g[k].pid, 0);
	}
	run_free(&r);
	free(text);
}
END_TEST

/* Values of another type than the server writes are left empty. */
START_TEST(test_odd_types)
{
	char *s = strdup(J_EXEC);
	char *u = strstr(s, "\"user\":\"postgres\"");
	memcpy(u, "\"user\":1234567890", 17);
	char *p = strstr(s, "\"pid\":4336");
	memcpy(p, "\"pid\":\"43\"", 10);
	struct run r;
	run_mem("jsonlog", s, strlen(s), 0, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.g[0].s[S_USER], "");
	ck_assert_int_eq(r.g[0].pid, -1);
	ck_assert_str_eq(r.g[0].s[S_DB], "shop");
	run_free(&r);
	free(s);
}
END_TEST

/* ---- scanner ---- */

/* s with its first find replaced by rep (caller frees). */
static char *replace_once(const char *s, const char *find, const char *rep)
{
	const char *at = strstr(s, find);
	ck_assert_msg(at != NULL, "'%s' not in the line", find);
	char *out;
	ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - s), s, rep, at + strlen(find)), 0);
	return out;
}

static void assert_same_as_jansson(const char *line, size_t len, const struct jsonlog_values *v,
		uint64_t lineno)
{
	char buf[160];
	const char *why = jsonlog_differs_from_jansson(line, len, v, buf, sizeof(buf));
	ck_assert_msg(why == NULL, "line %llu: %s", (unsigned long long)lineno, why);
}

/* Every line of a real server's jsonlog (tests/data/forms, 48,453 lines:
 * plans, errors, statements with quotes and newlines) is read by the
 * scanner, never by jansson, and reads as jansson reads it. */
START_TEST(test_scan_real_log)
{
	char *path;
	ck_assert_int_ge(asprintf(&path, "%s/tests/data/forms/postgresql.json.zst", tu_root()), 0);
	char err[256];
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s: %s", path, err);
	struct jscan_buf buf = { NULL, 0 };
	const char *line;
	size_t len, n = 0, escaped = 0;
	while (lr_next(lr, &line, &len)) {
		struct jsonlog_values v;
		if (jsonlog_scan(line, len, &buf, &v) != JSCAN_OK)
			ck_abort_msg("line %llu left to jansson", (unsigned long long)lr_lineno(lr));
		char whybuf[160];
		const char *why = jsonlog_differs_from_jansson(line, len, &v, whybuf, sizeof(whybuf));
		if (why)
			ck_abort_msg("line %llu: %s", (unsigned long long)lr_lineno(lr), why);
		escaped += memchr(line, '\\', len) != NULL;
		n++;
	}
	ck_assert_uint_eq(n, 48453);
	ck_assert_uint_ge(escaped, 78);         /* the unescaping path was taken */
	lr_close(lr);
	free(buf.ptr);
	free(path);
}
END_TEST

/* escape_json's escapes, and bytes the server writes as they are. */
static const struct {
	const char *json, *want;
} escapes[] = {
	{ "syntax error at or near \\\"SELEC\\\"", "syntax error at or near \"SELEC\"" },
	{ "\\\"x\\\"", "\"x\"" },
	{ "SELECT E'\\\\\\\\x41'", "SELECT E'\\\\x41'" },
	{ "a\\bb\\fc\\nd\\re\\tf", "a\bb\fc\nd\re\tf" },
	{ "\\u0001\\u001f\\u007f", "\x01\x1f\x7f" },
	{ "caf\\u00e9 \\u65e5\\u672c", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80" },
	{ "\\ud83d\\ude00 \\/", "\xf0\x9f\x98\x80 /" },
	{ "0123456789abcdef0123456789abcdef\\n0123456789abcdef0123456789\xc3\xa9", "0123456789abcdef0123456789abcdef\n0123456789abcdef0123456789\xc3\xa9" },
	{ "", "" },
};

START_TEST(test_scan_escapes)
{
	char *msg;
	ck_assert_int_ge(asprintf(&msg, "\"message\":\"%s\"", escapes[_i].json), 0);
	char *line = replace_once(J_NOPE, "\"message\":\"column \\\"nope\\\" does not exist\"", msg);
	struct jscan_buf buf = { NULL, 0 };
	struct jsonlog_values v;
	size_t len = strlen(line) - 1;
	ck_assert(jsonlog_scan(line, len, &buf, &v) == JSCAN_OK);
	assert_same_as_jansson(line, len, &v, 1);

	struct run r;
	run_mem("jsonlog", line, strlen(line), 0, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_str_eq(r.g[0].s[S_MESSAGE], escapes[_i].want);
	/* The values around the rebuilt one are intact. */
	ck_assert_str_eq(r.g[0].s[S_HINT], "Perhaps you meant to reference the column \"customers.name\".");
	ck_assert_str_eq(r.g[0].s[S_STATEMENT], "SELECT nope FROM customers WHERE id = 1;");
	run_free(&r);
	free(buf.ptr);
	free(line);
	free(msg);
}
END_TEST

/* Lines the scanner leaves to jansson: those jansson reads come out as
 * before, the others are reported at their line. Each is J_NOPE altered,
 * after a good line. */
static const struct {
	const char *find, *rep;
	bool scanned;           /* the scanner reads it itself */
	bool bad;               /* a problem at line 2, one record */
	const char *hint;       /* S_HINT read, when not bad */
	int64_t pid;
} odd[] = {
	/* A nested value (future or other writers' "detail"-like fields). */
	{ "\"hint\":\"Perhaps", "\"detail\":{\"a\":[1,{\"b\":null}]},\"hint\":\"Perhaps", false, false, "Perhaps", 4426 },
	{ "\"pid\":4426", "\"pid\":4426.0", false, false, "Perhaps", -1 },
	{ "\"pid\":4426", "\"pid\":4.4e3", false, false, "Perhaps", -1 },
	{ "\"pid\":4426", "\"pid\":99999999999999999999", false, true, NULL, 0 },
	{ "\"pid\":4426", "\"pid\":04426", false, true, NULL, 0 },
	{ "\"pid\":4426", "\"pid\":4426x", false, true, NULL, 0 },
	{ "\"pid\":4426", "\"pid\":true", true, false, "Perhaps", -1 },
	{ "\"pid\":4426", "\"pid\":null", true, false, "Perhaps", -1 },
	{ "\"pid\":4426", "\"pid\":nul", false, true, NULL, 0 },
	{ "\"pid\":4426,", "\"pid\":4426,,", false, true, NULL, 0 },
	{ "\"pid\":4426", "\"pid\" : 4426 ", true, false, "Perhaps", 4426 },
	{ "{\"timestamp\"", " { \"timestamp\"", true, false, "Perhaps", 4426 },
	{ "\"query_id\":0}", "\"query_id\":0} ", true, false, "Perhaps", 4426 },
	{ "\"query_id\":0}", "\"query_id\":0}x", false, true, NULL, 0 },
	{ "\"query_id\":0}", "\"query_id\":0", false, true, NULL, 0 },
	/* A later duplicate wins, as in jansson's objects. */
	{ "\"pid\":4426", "\"pid\":1,\"pid\":4426", true, false, "Perhaps", 4426 },
	{ "\"hint\":\"Perhaps", "\"hint\":\"x\",\"hint\":\"Perhaps", true, false, "Perhaps", 4426 },
	/* Not JSON: jansson refuses them, so must the parser. */
	{ "does not exist", "does not\\u0000 exist", false, true, NULL, 0 },
	{ "does not exist", "does not\\ud800 exist", false, true, NULL, 0 },
	{ "does not exist", "does not\\udc00 exist", false, true, NULL, 0 },
	{ "does not exist", "does not\\u12 exist", false, true, NULL, 0 },
	{ "does not exist", "does not\\x exist", false, true, NULL, 0 },
	{ "does not exist", "does not\texist", false, true, NULL, 0 },
	{ "does not exist", "does not\xff exist", false, true, NULL, 0 },
	{ "does not exist", "does not\xc0\xaf exist", false, true, NULL, 0 },
	{ "does not exist", "does not\xed\xa0\x80 exist", false, true, NULL, 0 },
	{ "does not exist", "does not\xe9", false, true, NULL, 0 },
	{ "\"user\"", "user", false, true, NULL, 0 },
	{ "\"user\":", "\"user\"", false, true, NULL, 0 },
};

START_TEST(test_scan_odd)
{
	char *one = replace_once(J_NOPE, odd[_i].find, odd[_i].rep);
	struct jscan_buf buf = { NULL, 0 };
	struct jsonlog_values v;
	size_t len = strlen(one) - 1;
	enum jscan_result got = jsonlog_scan(one, len, &buf, &v);
	ck_assert_msg((got == JSCAN_OK) == odd[_i].scanned, "case %d: scanned %d", _i, got == JSCAN_OK);
	if (got == JSCAN_OK)
		assert_same_as_jansson(one, len, &v, 1);

	char *text;
	ck_assert_int_ge(asprintf(&text, "%s%s", J_EXEC, one), 0);
	struct run r;
	run_mem("jsonlog", text, strlen(text), 0, &r);
	if (odd[_i].bad) {
		ck_assert_msg(r.n == 1, "case %d: %zu records", _i, r.n);
		ck_assert_uint_eq(r.report.nproblems, 1);
		ck_assert_uint_eq(r.report.problems[0].line, 2);
		ck_assert_msg(strstr(r.report.problems[0].message, "not JSON") != NULL,
			"case %d: %s", _i, r.report.problems[0].message);
	} else {
		ck_assert_msg(r.n == 2, "case %d: %zu records", _i, r.n);
		ck_assert_uint_eq(r.report.nproblems, 0);
		ck_assert(starts_with(r.g[1].s[S_HINT], odd[_i].hint));
		ck_assert_int_eq(r.g[1].pid, odd[_i].pid);
		ck_assert_str_eq(r.g[1].s[S_STATEMENT], "SELECT nope FROM customers WHERE id = 1;");
		ck_assert_str_eq(r.g[1].s[S_SQLSTATE], "42703");
		assert_iso(r.g[1].ts_ms, "2026-11-22T14:17:19.449Z");
	}
	/* The good line before is intact whatever came after. */
	ck_assert_str_eq(r.g[0].s[S_DETAIL], "parameters: $1 = '1354'");
	run_free(&r);
	free(text);
	free(buf.ptr);
	free(one);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_chunk_sizes)
{
	static const size_t chunks[] = { 1, 3, 64, 1000 };
	struct run want, got;
	run_mem("jsonlog", excerpt, sizeof(excerpt) - 1, 0, &want);
	run_mem("jsonlog", excerpt, sizeof(excerpt) - 1, chunks[_i], &got);
	ck_assert_uint_eq(got.n, want.n);
	for (size_t i = 0; i < want.n; i++) {
		ck_assert_uint_eq(got.g[i].line, want.g[i].line);
		for (int k = 0; k < NSTR; k++)
			ck_assert_str_eq(got.g[i].s[k], want.g[i].s[k]);
	}
	run_free(&want);
	run_free(&got);
}
END_TEST

/* query_id takes the whole int64 range (pg_stat_statements' hash). */
START_TEST(test_query_id_range)
{
	static const char *const ids[] = { "-9223372036854775808", "9223372036854775807", "0", "-1" };
	char *line;
	const char *at = strstr(J_DUP, "\"query_id\":");
	ck_assert_int_ge(asprintf(&line, "%.*s\"query_id\":%s}\n", (int)(at - J_DUP), J_DUP, ids[_i]), 0);
	struct run r;
	run_mem("jsonlog", line, strlen(line), 0, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.g[0].s[S_QUERY_ID], ids[_i]);
	run_free(&r);
	free(line);
}
END_TEST

Suite *suite_jsonlog(void);
Suite *suite_jsonlog(void)
{
	Suite *s = suite_create("jsonlog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_same_as_csvlog);
	tcase_add_test(tc, test_pgbadger_vacuums);
	tcase_add_test(tc, test_probe);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_odd_types);
	suite_add_tcase(s, tc);
	tc = tcase_create("scanner");
	tcase_add_test(tc, test_scan_real_log);
	tcase_add_loop_test(tc, test_scan_escapes, 0, (int)(sizeof(escapes) / sizeof(escapes[0])));
	tcase_add_loop_test(tc, test_scan_odd, 0, (int)(sizeof(odd) / sizeof(odd[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_chunk_sizes, 0, 4);
	tcase_add_loop_test(tc, test_query_id_range, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
