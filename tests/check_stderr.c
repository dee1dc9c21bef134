/* check_stderr.c: the stderr parser, fed in-memory buffers through the
 * registry. Lines are verbatim from real servers (pg-workload.sh and
 * pgBadger's fixtures). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "parse_testutil.h"
#include "parser.h"
#include "timeutil.h"

/* Runs the stderr parser on text through the core's driver, with
 * --prefix prefix (NULL: detected). */
static void collect(const char *text, const char *prefix, struct run *r)
{
	struct driver_cfg cfg = { .input_format = "stderr", .popts = { .prefix = prefix } };
	run_text(&cfg, text, strlen(text), 0, REC_LOG_ENTRY, r);
}

static const char workload[] =
"2026-11-22 13:45:43.008 UTC [2379] postgres@shop/psql LOG:  duration: 164.575 ms  plan:\n"
"\tQuery Text: INSERT INTO products (name, category, price, created_at) SELECT 'Product '||g, 'cat'||(g % 40), (g % 500) + 0.99, now() - g * interval '1 hour' FROM generate_series(1, 50000*1) g;\n"
"\tInsert on products  (cost=0.00..2500.00 rows=0 width=0) (actual time=164.571..164.572 rows=0 loops=1)\n"
"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench LOG:  duration: 0.068 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n"
"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench DETAIL:  parameters: $1 = '4577'\n"
"2026-11-22 13:45:56.100 UTC [2370] LOG:  checkpoint starting: immediate force wait\n";

START_TEST(test_records)
{
	struct run c;
	collect(workload, NULL, &c);
	ck_assert_uint_eq(c.n, 3);      /* the DETAIL line belongs to the execute */
	ck_assert_uint_eq(c.report.skipped, 0);
	ck_assert_uint_eq(c.report.nnotes, 1);     /* which prefix was detected */
	ck_assert(strstr(c.report.notes[0], "%m [%p] %q%u@%d/%a ") != NULL);

	struct got *e = &c.g[0];
	ck_assert_uint_eq(e->line, 1);
	ck_assert_int_eq(e->pid, 2379);
	ck_assert_int_eq(e->sev, SEV_LOG);
	char iso[32];
	ts_format_iso(e->ts_ms, iso);
	ck_assert_str_eq(iso, "2026-11-22T13:45:43.008Z");
	/* The plan's continuation lines belong to its record. */
	ck_assert(strncmp(c.g[0].s[S_MESSAGE], "duration: 164.575 ms  plan:\n\tQuery Text: INSERT", 47) == 0);
	ck_assert(strstr(c.g[0].s[S_MESSAGE], "\n\tInsert on products") != NULL);

	e = &c.g[1];
	ck_assert_uint_eq(e->line, 4);
	ck_assert_str_eq(c.g[1].s[S_MESSAGE], "duration: 0.068 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;");
	ck_assert_str_eq(c.g[1].s[S_DETAIL], "parameters: $1 = '4577'");
	ck_assert_uint_eq(c.g[2].line, 6);
	ck_assert_int_eq(c.g[2].pid, 2370);
	ck_assert_str_eq(c.g[2].s[S_DETAIL], "");
	run_free(&c);
}
END_TEST

/* pgBadger's pg_rawcsv.log: pg_ctl's own lines sit between server lines. */
static const char rawcsv[] =
"2025-01-21 18:32:48.288 CET [77898] LOG:  invalid value for parameter \"lc_messages\": \"en_US.UTF-8\"\n"
"2025-01-21 18:32:48.288 CET [77898] FATAL:  configuration file \"/etc/postgresql/17/main/postgresql.conf\" contains errors\n"
"pg_ctl: could not start server\n"
"Examine the log output.\n"
"2025-01-21 18:37:49.782 CET [78776] LOG:  starting PostgreSQL 17.2 (Ubuntu 17.2-1.pgdg24.04+1) on x86_64-pc-linux-gnu, compiled by gcc (Ubuntu 13.3.0-6ubuntu2~24.04) 13.3.0, 64-bit\n"
"2025-01-21 18:38:06.453 CET [78798] gilles@gilles ERROR:  conflicting values for \"Y\" field in formatting string\n"
"2025-01-21 18:38:06.453 CET [78798] gilles@gilles STATEMENT:  SELECT TO_DATE('311299999','DDMMYYYYY');\n";

START_TEST(test_skipped_lines)
{
	struct run c;
	collect(rawcsv, NULL, &c);
	ck_assert_uint_eq(c.n, 4);      /* the STATEMENT line belongs to the ERROR */
	ck_assert_uint_eq(c.report.skipped, 2);
	ck_assert_uint_eq(c.report.nkept, 2);
	ck_assert_uint_eq(c.report.problems[0].line, 3);
	ck_assert_uint_eq(c.report.problems[1].line, 4);
	ck_assert(strstr(c.report.problems[0].message, "not a log line") != NULL);
	/* CET is UTC+1. */
	char iso[32];
	ts_format_iso(c.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2025-01-21T17:32:48.288Z");
	ck_assert_str_eq(c.g[3].s[S_USER], "gilles");
	ck_assert_int_eq(c.g[3].sev, SEV_ERROR);
	ck_assert_str_eq(c.g[3].s[S_STATEMENT], "SELECT TO_DATE('311299999','DDMMYYYYY');");
	ck_assert_str_eq(c.g[2].s[S_USER], "");  /* %q: no session fields */
	run_free(&c);
}
END_TEST

START_TEST(test_given_prefix)
{
	struct run c;
	/* A prefix that does not fit: every line is reported, none is lost silently. */
	collect(workload, "%t [%p]: [%l-1] user=%u,db=%d ", &c);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(c.report.skipped, 6);   /* the tab lines too: they belong to nothing */
	ck_assert_uint_eq(c.report.nproblems, 6);
	run_free(&c);

	collect(workload, "%q%Z", &c);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(c.report.nkept, 1);
	ck_assert(strstr(c.report.problems[0].message, "bad --prefix") != NULL);
	run_free(&c);
}
END_TEST

START_TEST(test_unknown_prefix)
{
	struct run c;
	static const char odd[] =
		"myhost|2026-11-22 13:45:43 UTC|42|LOG:  duration: 1.000 ms  statement: SELECT 1\n";
	collect(odd, NULL, &c);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(c.report.nkept, 1);
	ck_assert_uint_eq(c.report.problems[0].line, 0);
	ck_assert(strstr(c.report.problems[0].message, "--prefix") != NULL);
	run_free(&c);
}
END_TEST

/* pgBadger's multiline_param.log: DETAIL values with newlines (tab-led). */
static const char multiline[] =
"2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb LOG:  duration: 0.215 ms  execute njTypeOidQuery_Name: SELECT t.oid FROM pg_catalog.pg_type t, pg_catalog.pg_namespace n WHERE (n.nspname = 'njcat') AND (t.typnamespace = $1) AND (t.typname = $2) AND t.test = $3\n"
"2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb DETAIL:  parameters: $1 = '1234', $2 = 'njchar\n"
"\thello', $3 = 'aaaa'\n"
"2021-12-03 07:14:48.595 UTC [4913] user=user1,db=mydb LOG:  duration: 0.145 ms  bind njTypeOidQuery_Name: SELECT t.oid FROM pg_catalog.pg_type t, pg_catalog.pg_namespace n WHERE (n.nspname = 'njcat') AND (t.typnamespace = $1) AND (t.typname = $2) AND t.test = $3\n";

START_TEST(test_parts)
{
	struct run c;
	collect(multiline, NULL, &c);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.g[0].s[S_DETAIL], "parameters: $1 = '1234', $2 = 'njchar\n\thello', $3 = 'aaaa'");
	ck_assert_uint_eq(c.g[1].line, 4);
	run_free(&c);

	/* The same DETAIL after another backend's message is not its part. */
	static char other[sizeof(multiline)];
	memcpy(other, multiline, sizeof(multiline));
	char *pid = strstr(strchr(other, '\n'), "[4913]");
	memcpy(pid, "[4914]", 6);
	collect(other, NULL, &c);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_str_eq(c.g[0].s[S_DETAIL], "");
	ck_assert_int_eq(c.g[1].sev, SEV_DETAIL);
	ck_assert_int_eq(c.g[1].pid, 4914);
	run_free(&c);
}
END_TEST

Suite *suite_stderr(void);
Suite *suite_stderr(void)
{
	Suite *s = suite_create("stderr");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_parts);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_skipped_lines);
	tcase_add_test(tc, test_given_prefix);
	tcase_add_test(tc, test_unknown_prefix);
	suite_add_tcase(s, tc);
	return s;
}
