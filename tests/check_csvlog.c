/* check_csvlog.c: the csvlog parser, fed in-memory buffers and real files
 * through the registry.
 *
 * The rows are verbatim from a real PostgreSQL 15 server (pg-workload.sh,
 * the run saved in tests/data/forms/); pgBadger's csv fixture is read from
 * ../shared/corpus. No server of another version was at hand: the 23 and
 * 24 column rows are real 26 column rows with their trailing columns
 * deleted, which is how PostgreSQL 12 and 13 differ from 14+. The
 * malformed inputs are real rows cut, glued or altered. A record starts
 * with its log_time: what comes before the first one, or after a broken
 * one, is skipped and reported once. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvlog_oracle.h"
#include "analysis.h"
#include "input.h"
#include "parser.h"
#include "testutil.h"
#include "timeutil.h"

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
#define ROW_TEMP \
	"2026-11-22 14:17:11.220 UTC,\"postgres\",\"shop\",3658,\"[local]\",6b02f967.e4a,11,\"INSERT\",2026-11-22 14:17:11 UTC,3/10,731,LOG,00000,\"temporary file: path \"\"base/pgsql_tmp/pgsql_tmp3658.1\"\", size 700000\",,,,,,\"INSERT INTO products (name, category, price, created_at) SELECT 'Product '||g, 'cat'||(g % 40), (g % 500) + 0.99, now() - g * interval '1 hour' FROM generate_series(1, 50000*1) g;\",,,\"psql\",\"client backend\",,6623607585835235509\n"
#define ROW_STMT \
	"2026-11-22 14:17:11.274 UTC,\"postgres\",\"shop\",3658,\"[local]\",6b02f967.e4a,12,\"INSERT\",2026-11-22 14:17:11 UTC,3/0,0,LOG,00000,\"duration: 199.976 ms  statement: INSERT INTO products (name, category, price, created_at) SELECT 'Product '||g, 'cat'||(g % 40), (g % 500) + 0.99, now() - g * interval '1 hour' FROM generate_series(1, 50000*1) g;\",,,,,,,,,\"psql\",\"client backend\",,6623607585835235509\n"
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

static const char excerpt[] = ROW_START ROW_LISTEN ROW_PLAN ROW_TEMP ROW_STMT
	ROW_EXEC ROW_LOCK ROW_SYNTAX ROW_DUP ROW_NOPE;

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

/* ---- core ---- */

START_TEST(test_fields)
{
	struct run r;
	run_mem("csvlog", excerpt, sizeof(excerpt) - 1, 0, &r);
	ck_assert_uint_eq(r.n, 10);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_uint_eq(r.report.skipped, 0);
	static const uint64_t lines[] = { 1, 2, 3, 9, 10, 11, 12, 13, 14, 15 };
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(r.g[i].line, lines[i]);

	/* The postmaster: empty user, db, host; application_name "". */
	struct got *g = &r.g[0];
	assert_iso(g->ts_ms, "2026-11-22T14:17:10.851Z");
	ck_assert(g->tz_known);
	ck_assert_str_eq(g->s[S_TZ], "UTC");
	ck_assert_int_eq(g->pid, 3591);
	ck_assert_int_eq(g->leader_pid, -1);
	ck_assert_str_eq(g->s[S_USER], "");
	ck_assert_str_eq(g->s[S_DB], "");
	ck_assert_str_eq(g->s[S_HOST], "");
	ck_assert_str_eq(g->s[S_APP], "");
	ck_assert_str_eq(g->s[S_SESSION], "6b02f966.e07");
	ck_assert_str_eq(g->s[S_BACKEND], "postmaster");
	ck_assert_str_eq(g->s[S_QUERY_ID], "0");
	ck_assert_str_eq(g->s[S_SQLSTATE], "00000");
	ck_assert_int_eq(g->sev, SEV_LOG);
	ck_assert(!g->tab_continued);
	/* Doubled quotes. */
	ck_assert_str_eq(r.g[1].s[S_MESSAGE], "listening on IPv4 address \"127.0.0.1\", port 27461");

	/* auto_explain's plan: a quoted field over six lines, plain newlines. */
	g = &r.g[2];
	ck_assert_int_eq(g->pid, 3658);
	ck_assert_str_eq(g->s[S_USER], "postgres");
	ck_assert_str_eq(g->s[S_DB], "shop");
	ck_assert_str_eq(g->s[S_HOST], "[local]");
	ck_assert_str_eq(g->s[S_APP], "psql");
	ck_assert_str_eq(g->s[S_QUERY_ID], "6623607585835235509");
	ck_assert(starts_with(g->s[S_MESSAGE], "duration: 144.890 ms  plan:\nQuery Text: INSERT INTO products"));
	ck_assert(strstr(g->s[S_MESSAGE], "loops=1)\n        Buffers: shared hit=50011, temp read=86 written=86") != NULL);
	ck_assert_ptr_null(strchr(g->s[S_MESSAGE], '\t'));
	/* The query column is the STATEMENT part. */
	ck_assert(starts_with(r.g[3].s[S_STATEMENT], "INSERT INTO products (name,"));
	ck_assert_str_eq(r.g[3].s[S_MESSAGE], "temporary file: path \"base/pgsql_tmp/pgsql_tmp3658.1\", size 700000");

	/* Extended protocol: the parameters are the DETAIL part. */
	g = &r.g[5];
	ck_assert_str_eq(g->s[S_MESSAGE], "duration: 0.042 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;");
	ck_assert_str_eq(g->s[S_DETAIL], "parameters: $1 = '1354'");
	ck_assert_str_eq(g->s[S_APP], "pgbench");

	/* A lock wait: detail, context and statement. */
	g = &r.g[6];
	ck_assert_str_eq(g->s[S_DETAIL], "Process holding the lock: 4418. Wait queue: 4422.");
	ck_assert_str_eq(g->s[S_CONTEXT], "while updating tuple (0,1) in relation \"orders\"");
	ck_assert_str_eq(g->s[S_STATEMENT], "SET application_name='billing'; UPDATE orders SET status='shipped' WHERE id = 1;");
	ck_assert_str_eq(g->s[S_APP], "billing");

	/* Errors: sqlstate, hint, a negative query id. */
	g = &r.g[7];
	ck_assert_int_eq(g->sev, SEV_ERROR);
	ck_assert_str_eq(g->s[S_SQLSTATE], "42601");
	ck_assert_str_eq(g->s[S_STATEMENT], "SELEC id FROM orders;");
	g = &r.g[8];
	ck_assert_str_eq(g->s[S_SQLSTATE], "23505");
	ck_assert_str_eq(g->s[S_DETAIL], "Key (id)=(1) already exists.");
	ck_assert_str_eq(g->s[S_QUERY_ID], "-5750283046204643418");
	g = &r.g[9];
	ck_assert_str_eq(g->s[S_HINT], "Perhaps you meant to reference the column \"customers.name\".");
	ck_assert_str_eq(g->s[S_MESSAGE], "column \"nope\" does not exist");
	ck_assert_str_eq(g->s[S_INTERNAL], "");
	ck_assert_str_eq(g->s[S_CONTEXT], "");
	run_free(&r);
}
END_TEST

/* Removes the last k fields of a one-line row (its trailing fields hold
 * no commas). The result belongs to the caller. */
static char *drop_fields(const char *row, int k)
{
	char *s = strdup(row);
	size_t n = strlen(s);
	if (n && s[n - 1] == '\n')
		s[--n] = '\0';
	for (; k > 0; k--)
		*strrchr(s, ',') = '\0';
	size_t m = strlen(s);
	s[m] = '\n';
	s[m + 1] = '\0';
	return s;
}

/* PostgreSQL 12 (23 columns), 13 (24), 14+ (26). */
static const struct {
	int drop;
	unsigned fields;
	const char *backend, *query_id;
} counts[] = {
	{ 3, 23, "", "" },
	{ 2, 24, "client backend", "" },
	{ 0, 26, "client backend", "2307399687190428979" },
};

START_TEST(test_column_counts)
{
	char *row = drop_fields(ROW_EXEC, counts[_i].drop);
	size_t len = strlen(row);
	char *two = malloc(len + strlen(ROW_PLAN) + 1);
	memcpy(two, row, len);
	memcpy(two + len, ROW_PLAN, strlen(ROW_PLAN));    /* then a 26 column row */
	two[len + strlen(ROW_PLAN)] = '\0';
	struct run r;
	run_mem("csvlog", two, strlen(two), 0, &r);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_uint_eq(r.n, 2);
	struct got *g = &r.g[0];
	ck_assert_str_eq(g->s[S_APP], "pgbench");
	ck_assert_str_eq(g->s[S_BACKEND], counts[_i].backend);
	ck_assert_str_eq(g->s[S_QUERY_ID], counts[_i].query_id);
	ck_assert_int_eq(g->leader_pid, -1);
	ck_assert_str_eq(g->s[S_DETAIL], "parameters: $1 = '1354'");
	ck_assert_int_eq(g->pid, 4336);
	ck_assert_uint_eq(r.g[1].line, 2);
	ck_assert_str_eq(r.g[1].s[S_QUERY_ID], "6623607585835235509");
	run_free(&r);
	free(two);
	free(row);
}
END_TEST

/* A pgBadger fixture, or NULL when ../shared is absent: the test was
 * skipped (tu_data_path) and returns. */
static char *corpus_path(const char *who, const char *name)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "../shared/corpus/pgbadger/%s", name);
	return tu_data_path(who, rel);
}

/* pgBadger's fixture (synthetic, from its pull request #879): quoted
 * log_time, 25 fields. One execute with a duration, one statement without. */
START_TEST(test_pgbadger_fixture)
{
	char *path = corpus_path("csvlog: pgbadger_fixture", "csv_statement_without_duration.log");
	if (!path)
		return;
	char err[256];
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s: %s", path, err);
	struct run r;
	run_lr("csvlog", lr, &r);
	lr_close(lr);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_uint_eq(r.report.nnotes, 1);     /* 25 fields: said once */
	ck_assert(strstr(r.report.notes[0], "25 fields") != NULL);
	struct got *g = &r.g[0];
	assert_iso(g->ts_ms, "2026-05-16T05:11:50.269Z");
	ck_assert_str_eq(g->s[S_HOST], "192.0.2.10");
	ck_assert_str_eq(g->s[S_USER], "example_user");
	ck_assert_str_eq(g->s[S_DB], "example_db");
	ck_assert_str_eq(g->s[S_APP], "example app");
	ck_assert_str_eq(g->s[S_BACKEND], "client backend");
	ck_assert_int_eq(g->pid, 1001);
	ck_assert(starts_with(g->s[S_MESSAGE], "duration: 688786.283 ms  execute stmt_slow/stmt_slow: SELECT"));
	ck_assert_str_eq(r.g[1].s[S_MESSAGE], "statement: SELECT example_schema.health_check()");
	ck_assert_uint_eq(r.g[1].line, 2);
	run_free(&r);

	/* Through the whole analysis: one timed call, one without a duration. */
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a;
	enum analysis_status st = analysis_run(&o, paths, 1, &a);
	ck_assert_int_eq(st, ANALYSIS_OK);
	ck_assert_str_eq(a->inputs[0].format, "csvlog");
	struct group *slow = tu_find_group(a, "slow_table");
	ck_assert_ptr_nonnull(slow);
	ck_assert_uint_eq(slow->calls, 1);
	ck_assert_uint_eq(slow->timed_calls, 1);
	ck_assert_double_eq_tol(slow->total_ms, 688786.283, 1e-6);
	struct group *health = tu_find_group(a, "health_check");
	ck_assert_ptr_nonnull(health);
	ck_assert_uint_eq(health->calls, 1);
	ck_assert_uint_eq(health->timed_calls, 0);
	ck_assert_double_eq_tol(health->total_ms, 0, 1e-9);
	analysis_free(a);
	free(path);
}
END_TEST

/* The probes on the heads of real logs: parser_detect picks the right one. */
static const struct {
	const char *path;       /* under the source tree, or corpus: */
	const char *want;
} heads[] = {
	{ "tests/data/forms/postgresql.csv.zst", "csvlog" },
	{ "tests/data/forms/postgresql.json.zst", "jsonlog" },
	{ "tests/data/forms/postgresql.log.zst", "stderr" },
	{ "samples/postgresql.log.zst", "stderr" },
	{ "corpus:csv_statement_without_duration.log", "csvlog" },
	{ "corpus:pg_vacuums.json.gz", "jsonlog" },
	{ "corpus:pg_vacuums.log.gz", "stderr" },
	{ "corpus:pg_rawcsv.log", "stderr" },
	{ "corpus:stmt_type.log", "stderr" },
};

START_TEST(test_probe_heads)
{
	char *path;
	if (strncmp(heads[_i].path, "corpus:", 7) == 0)
		path = corpus_path("csvlog: probe_heads", heads[_i].path + 7);
	else if (asprintf(&path, "%s/%s", tu_root(), heads[_i].path) < 0)
		abort();
	if (!path)
		return;
	char err[256];
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s: %s", path, err);
	size_t len;
	const char *buf = lr_peek(lr, 256 * 1024, &len);
	ck_assert_uint_gt(len, 0);
	const struct parser *p = parser_detect(buf, len);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(strcmp(p->id, heads[_i].want) == 0, "%s: detected %s, not %s",
		path, p->id, heads[_i].want);
	/* The losers are sure it is not theirs. */
	const struct parser *csv = parser_find("csvlog"), *json = parser_find("jsonlog");
	if (strcmp(heads[_i].want, "csvlog") != 0)
		ck_assert_int_eq(csv->probe(buf, len), 0);
	else
		ck_assert_int_ge(csv->probe(buf, len), 90);
	if (strcmp(heads[_i].want, "jsonlog") != 0)
		ck_assert_int_eq(json->probe(buf, len), 0);
	else
		ck_assert_int_ge(json->probe(buf, len), 90);
	lr_close(lr);
	free(path);
}
END_TEST

/* ---- errors ---- */

/* Malformed inputs made from real rows; what the parser must say. */
enum build {
	B_FEW_FIELDS,           /* a row with 22 fields, then a good row */
	B_GLUED,                /* two rows on one line: 52 fields */
	B_BAD_TIME,             /* a row whose log_time is not a time */
	B_CUT_QUOTED,           /* a row cut inside its message, then good rows */
	B_CUT_PLAN,             /* a multi-line record cut on its third line */
	B_STRAY_QUOTE,          /* a quote inside an unquoted field */
	B_TRUNCATED_LAST,       /* the input ends inside a quoted field */
	B_STARTS_INSIDE,        /* an excerpt that starts inside a record */
	B_EMPTY,
	B_BLANK_LINES,
};

static const struct {
	enum build build;
	size_t records;
	uint64_t first_line;    /* of the first record returned */
	uint64_t problem_lines[2];
	size_t nproblems;
	uint64_t skipped;
	const char *says;       /* in the first problem */
} bad[] = {
	{ B_FEW_FIELDS, 1, 2, { 1 }, 1, 1, "22 fields" },
	{ B_GLUED, 1, 2, { 1 }, 1, 1, "52 fields" },
	{ B_BAD_TIME, 1, 2, { 1 }, 1, 1, "not a time" },
	{ B_CUT_QUOTED, 2, 2, { 1 }, 1, 1, "cut short" },
	{ B_CUT_PLAN, 1, 4, { 1 }, 1, 3, "cut short" },
	{ B_STRAY_QUOTE, 2, 2, { 1 }, 1, 1, "stray quote" },
	{ B_TRUNCATED_LAST, 1, 1, { 2 }, 1, 3, "end of the input" },
	{ B_STARTS_INSIDE, 2, 4, { 1 }, 1, 3, "not the start" },
	{ B_EMPTY, 0, 0, { 0 }, 0, 0, NULL },
	{ B_BLANK_LINES, 2, 3, { 0 }, 0, 0, NULL },
};

static char *build_input(enum build b)
{
	char *s = NULL, *row;
	const char *plan = ROW_PLAN;
	int n = 0;
	switch (b) {
	case B_FEW_FIELDS:
		row = drop_fields(ROW_EXEC, 4);
		n = asprintf(&s, "%s%s", row, ROW_LOCK);
		free(row);
		break;
	case B_GLUED:
		row = strdup(ROW_SYNTAX);
		row[strlen(row) - 1] = ',';
		n = asprintf(&s, "%s%s%s", row, ROW_DUP, ROW_NOPE);
		free(row);
		break;
	case B_BAD_TIME:
		row = strdup(ROW_EXEC);
		memcpy(row, "2026-11-22 25:17:15.069", 23);   /* hour 25 */
		n = asprintf(&s, "%s%s", row, ROW_LOCK);
		free(row);
		break;
	case B_CUT_QUOTED:
		/* Cut after "duration: 0.042 ms  exec" of the execute row. */
		n = asprintf(&s, "%.*s\n%s%s", (int)(strstr(ROW_EXEC, "ute P_0") - ROW_EXEC),
			ROW_EXEC, ROW_LOCK, ROW_SYNTAX);
		break;
	case B_CUT_PLAN: {
		const char *third = strchr(strchr(plan, '\n') + 1, '\n') + 1;
		n = asprintf(&s, "%.*s\n%s", (int)(third + 20 - plan), plan, ROW_DUP);
		break;
	}
	case B_STRAY_QUOTE:
		row = strdup(ROW_EXEC);
		*strstr(row, ",4336,") = '"';
		n = asprintf(&s, "%s%s%s", row, ROW_LOCK, ROW_SYNTAX);
		free(row);
		break;
	case B_TRUNCATED_LAST: {
		const char *third = strchr(strchr(plan, '\n') + 1, '\n') + 1;
		n = asprintf(&s, "%s%.*s", ROW_LOCK, (int)(third + 20 - plan), plan);
		break;
	}
	case B_STARTS_INSIDE:
		/* The plan's last three lines: the tail of a quoted field. */
		n = asprintf(&s, "%s%s%s", strstr(plan, "  Buffers: shared hit=200684"),
			ROW_SYNTAX, ROW_DUP);
		break;
	case B_EMPTY:
		s = strdup("");
		break;
	case B_BLANK_LINES:
		n = asprintf(&s, "\n\n%s\n%s\n", ROW_SYNTAX, ROW_DUP);
		break;
	}
	ck_assert_int_ge(n, 0);
	return s;
}

START_TEST(test_malformed)
{
	char *text = build_input(bad[_i].build);
	struct run r;
	run_mem("csvlog", text, strlen(text), 0, &r);
	ck_assert_msg(r.n == bad[_i].records, "case %d: %zu records", _i, r.n);
	if (r.n)
		ck_assert_uint_eq(r.g[0].line, bad[_i].first_line);
	ck_assert_uint_eq(r.report.nproblems, bad[_i].nproblems);
	ck_assert_uint_eq(r.report.skipped, bad[_i].skipped);
	for (size_t k = 0; k < bad[_i].nproblems; k++)
		ck_assert_uint_eq(r.report.problems[k].line, bad[_i].problem_lines[k]);
	if (bad[_i].says)
		ck_assert_msg(strstr(r.report.problems[0].message, bad[_i].says) != NULL,
			"case %d: %s", _i, r.report.problems[0].message);
	/* The records after the bad one are intact. */
	for (size_t k = 0; k < r.n; k++) {
		ck_assert_int_ne(r.g[k].ts_ms, TS_NONE);
		ck_assert_int_gt(r.g[k].pid, 0);
		ck_assert_str_eq(r.g[k].s[S_BACKEND], "client backend");
	}
	run_free(&r);
	free(text);
}
END_TEST

/* A broken row in the middle of a real log costs that row only. */
START_TEST(test_cut_in_real_log)
{
	char *path;
	if (asprintf(&path, "%s/tests/data/forms/postgresql.csv.zst", tu_root()) < 0)
		abort();
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a;
	analysis_run(&o, paths, 1, &a);
	uint64_t records = a->inputs[0].records;
	ck_assert_uint_eq(a->inputs[0].nproblems, 0);
	analysis_free(a);

	/* The excerpt with the execute row cut in its message, then the log. */
	char *cmd;
	char *tmp = tu_write_temp("", 0);
	if (asprintf(&cmd, "{ printf '%%s\\n' '2026-11-22 14:17:15.069 UTC,\"postgres\",\"shop\",4336,"
			"\"[local]\",6b02f96b.10f0,5,\"SELECT\",2026-11-22 14:17:15 UTC,6/3,0,LOG,00000,"
			"\"duration: 0.042 ms  exec'; zstd -dc '%s'; } > '%s'", path, tmp) < 0)
		abort();
	ck_assert_int_eq(system(cmd), 0);
	paths[0] = tmp;
	analysis_run(&o, paths, 1, &a);
	ck_assert_uint_eq(a->inputs[0].records, records);
	ck_assert_uint_eq(a->inputs[0].nproblems, 1);
	ck_assert_uint_eq(a->inputs[0].problems[0].line, 1);
	ck_assert_uint_eq(a->inputs[0].skipped, 1);
	analysis_free(a);
	tu_remove(tmp);
	free(cmd);
	free(path);
}
END_TEST

/* An empty input is no error; through the analysis it is "empty". */
START_TEST(test_empty_input)
{
	enum analysis_status st;
	struct analysis *a = tu_analyse_text("", NULL, &st);
	ck_assert_int_eq(st, ANALYSIS_OK);
	ck_assert_str_eq(a->inputs[0].format, "empty");
	analysis_free(a);
	ck_assert_ptr_null(parser_detect("", 0));
	ck_assert_int_eq(parser_find("csvlog")->probe("\n\n", 2), 0);
}
END_TEST

/* ---- limits ---- */

/* Lines straddling the reader's refills, down to one byte per read. */
START_TEST(test_chunk_sizes)
{
	static const size_t chunks[] = { 1, 3, 64, 1000 };
	struct run want, got;
	run_mem("csvlog", excerpt, sizeof(excerpt) - 1, 0, &want);
	run_mem("csvlog", excerpt, sizeof(excerpt) - 1, chunks[_i], &got);
	ck_assert_uint_eq(got.n, want.n);
	for (size_t i = 0; i < want.n; i++) {
		ck_assert_uint_eq(got.g[i].line, want.g[i].line);
		ck_assert_int_eq(got.g[i].ts_ms, want.g[i].ts_ms);
		for (int k = 0; k < NSTR; k++)
			ck_assert_str_eq(got.g[i].s[k], want.g[i].s[k]);
	}
	run_free(&want);
	run_free(&got);
}
END_TEST

/* No newline after the last record: it still ends there. */
START_TEST(test_no_final_newline)
{
	struct run r;
	run_mem("csvlog", excerpt, sizeof(excerpt) - 2, 0, &r);
	ck_assert_uint_eq(r.n, 10);
	ck_assert_uint_eq(r.report.nproblems, 0);
	ck_assert_str_eq(r.g[9].s[S_QUERY_ID], "0");
	run_free(&r);
}
END_TEST

/* The probe seeing only part of a first record (a long plan): unsure, not wrong. */
START_TEST(test_probe_partial)
{
	const struct parser *csv = parser_find("csvlog");
	const char *plan = ROW_PLAN;
	int partial = csv->probe(plan, strlen(plan) / 2);
	ck_assert_int_gt(partial, 0);
	ck_assert_int_lt(partial, 90);
	ck_assert_int_ge(csv->probe(plan, strlen(plan)), 90);
	/* An excerpt that starts inside a record: found, less sure. */
	const char *tail = strstr(excerpt, "  Buffers: shared hit=200684");
	int inside = csv->probe(tail, strlen(tail));
	ck_assert_int_ge(inside, 60);
	ck_assert_int_lt(inside, 90);
	ck_assert_ptr_eq(parser_detect(tail, strlen(tail)), csv);
	/* A stderr line with the same timestamp is not csvlog. */
	static const char stderr_line[] =
		"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench LOG:  duration: 0.068 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n";
	ck_assert_int_eq(csv->probe(stderr_line, sizeof(stderr_line) - 1), 0);
}
END_TEST

/* ---- csvlog_split_line() against libcsv ---- */

static uint64_t split_rng;

static unsigned split_rand(unsigned n)
{
	split_rng ^= split_rng << 13;
	split_rng ^= split_rng >> 7;
	split_rng ^= split_rng << 17;
	return (unsigned)(split_rng % n);
}

/* A few bytes of those libcsv treats apart changed, inserted or deleted. */
static size_t split_mutate(char *buf, size_t len, size_t cap)
{
	static const char bytes[] = " \t\r\",a";
	for (unsigned k = 1 + split_rand(3); k > 0; k--) {
		size_t at = len ? split_rand((unsigned)len) : 0;
		char c = bytes[split_rand(sizeof(bytes) - 1)];
		switch (split_rand(3)) {
		case 0:
			if (len)
				buf[at] = c;
			break;
		case 1:
			if (len + 1 < cap) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = c;
				len++;
			}
			break;
		default:
			if (len) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
		}
	}
	return len;
}

/* Every line of a real server's csvlog (the lines inside multi-line
 * records too), as written and mutated: a line the split accepts has
 * libcsv's fields, byte for byte, and most lines are accepted. */
START_TEST(test_split_vs_libcsv)
{
	char err[256], *path, buf[16384];
	if (asprintf(&path, "%s/tests/data/forms/postgresql.csv.zst", tu_root()) < 0)
		abort();
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s", err);
	const char *line;
	size_t len;
	unsigned long lines = 0, accepted = 0;
	struct csvlog_oracle want = { .row = false };
	split_rng = 0x9E3779B97F4A7C15ull;
	while (lr_next(lr, &line, &len)) {
		if (len > sizeof(buf))
			continue;
		for (int v = 0; v < 4; v++) {
			size_t n = len;
			memcpy(buf, line, len);
			if (v)
				n = split_mutate(buf, n, sizeof(buf));
			struct csv_fields got = { 0 };
			bool g = csvlog_split_line(&got, buf, n);
			const char *why = csvlog_split_differs(&got, g, &want, buf, n);
			if (why)
				ck_abort_msg("split and libcsv differ (%s) on: %.*s", why, (int)n, buf);
			lines++;
			accepted += g;
			free(got.buf);
		}
	}
	free(want.f.buf);
	lr_close(lr);
	free(path);
	ck_assert_uint_gt(accepted * 2, lines);
}
END_TEST

Suite *suite_csvlog(void);
Suite *suite_csvlog(void)
{
	Suite *s = suite_create("csvlog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_fields);
	tcase_add_loop_test(tc, test_column_counts, 0, (int)(sizeof(counts) / sizeof(counts[0])));
	tcase_add_test(tc, test_pgbadger_fixture);
	tcase_add_loop_test(tc, test_probe_heads, 0, (int)(sizeof(heads) / sizeof(heads[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("split");
	tcase_set_timeout(tc, 120);     /* about 5 s under the sanitizers, past the default 4 */
	tcase_add_test(tc, test_split_vs_libcsv);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_cut_in_real_log);
	tcase_add_test(tc, test_empty_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_chunk_sizes, 0, 4);
	tcase_add_test(tc, test_no_final_newline);
	tcase_add_test(tc, test_probe_partial);
	suite_add_tcase(s, tc);
	return s;
}
