/* check_pgmsg.c: statement messages as PostgreSQL writes them. */
#include <check.h>
#include <string.h>

#include "pgmsg.h"

struct msg_case {
	enum severity sev;
	const char *message;
	enum pgmsg_kind kind;
	bool has_duration;
	double ms;
	const char *text;       /* expected text (prefix of it for plans) */
};

/* Messages copied from real server logs (pg-workload.sh, pgBadger's fixtures). */
static const struct msg_case cases[] = {
	{ SEV_LOG, "duration: 0.068 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;",
	  MSG_EXECUTE, true, 0.068, "SELECT id, email, name FROM customers WHERE id = $1;" },
	{ SEV_LOG, "duration: 2.280 ms  statement: END;", MSG_STATEMENT, true, 2.28, "END;" },
	{ SEV_LOG, "duration: 0.603 ms  parse P_0: SELECT 1", MSG_PREPARE, true, 0.603, "SELECT 1" },
	{ SEV_LOG, "duration: 0.700 ms  bind njTypeOidQuery_Name: SELECT t.oid FROM pg_catalog.pg_type t",
	  MSG_PREPARE, true, 0.7, "SELECT t.oid FROM pg_catalog.pg_type t" },
	{ SEV_LOG, "duration: 1.000 ms  execute <unnamed>: SELECT 2", MSG_EXECUTE, true, 1.0, "SELECT 2" },
	{ SEV_LOG, "duration: 3.5 ms  execute S_1/C_2: SELECT 3", MSG_EXECUTE, true, 3.5, "SELECT 3" },
	{ SEV_LOG, "duration: 4.25 ms  execute fetch from S_1/C_2: SELECT 4", MSG_EXECUTE, true, 4.25, "SELECT 4" },
	{ SEV_LOG, "statement: SELECT 5", MSG_STATEMENT, false, 0, "SELECT 5" },
	{ SEV_LOG, "execute S_3: SELECT 6", MSG_EXECUTE, false, 0, "SELECT 6" },
	{ SEV_LOG, "duration: 688786.283 ms", MSG_DURATION, true, 688786.283, "" },
	{ SEV_LOG, "duration: 164.575 ms  plan:\n\tQuery Text: INSERT INTO t VALUES (1)\n\tInsert on t  (cost=0.00..0.01 rows=0 width=0)",
	  MSG_PLAN, true, 164.575, "Query Text: INSERT INTO t VALUES (1)" },
	{ SEV_DETAIL, "parameters: $1 = '4577'", MSG_PARAMS, false, 0, "$1 = '4577'" },
	{ SEV_LOG, "checkpoint starting: immediate force wait", MSG_OTHER, false, 0, "" },
	{ SEV_ERROR, "duration: 1 ms  statement: SELECT 1", MSG_OTHER, false, 0, "" },
	{ SEV_STATEMENT, "SELEC id FROM orders;", MSG_OTHER, false, 0, "" },
	{ SEV_LOG, "duration: abc ms  statement: x", MSG_OTHER, false, 0, "" },
	{ SEV_LOG, "duration: 1.5", MSG_OTHER, false, 0, "" },
};

START_TEST(test_kinds)
{
	const struct msg_case *c = &cases[_i];
	struct log_entry e = { .severity = c->sev,
		.message = slice_make(c->message, strlen(c->message)), .tab_continued = true };
	struct pgmsg m;
	pgmsg_parse(&e, &m);
	ck_assert_int_eq(m.kind, c->kind);
	ck_assert_int_eq(m.has_duration, c->has_duration);
	if (c->has_duration)
		ck_assert_double_eq_tol(m.duration_ms, c->ms, 1e-9);
	ck_assert_uint_ge(m.text.len, strlen(c->text));
	ck_assert_msg(memcmp(m.text.ptr, c->text, strlen(c->text)) == 0, "case %d: text '%.*s'",
		_i, (int)m.text.len, m.text.ptr);
}
END_TEST

START_TEST(test_clean_and_plan_query)
{
	struct strbuf sb = STRBUF_INIT, q = STRBUF_INIT;
	const char *raw = "Query Text: SELECT a\n\t  FROM t\n\tSeq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n\t  Filter: (a > 1)";
	struct slice s = pgmsg_clean(slice_make(raw, strlen(raw)), true, &sb);
	ck_assert_str_eq(sb.buf, "Query Text: SELECT a\n  FROM t\nSeq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n  Filter: (a > 1)");
	struct slice pq = pgmsg_plan_query(s, false, &q);
	ck_assert_int_eq((int)pq.len, (int)strlen("SELECT a\n  FROM t"));
	ck_assert(memcmp(pq.ptr, "SELECT a\n  FROM t", pq.len) == 0);

	const char *json = "{\n  \"Query Text\": \"SELECT \\\"x\\\" FROM t\\nWHERE a = 1;\",\n  \"Plan\": {\"Node Type\": \"Seq Scan\"}\n}";
	pq = pgmsg_plan_query(slice_make(json, strlen(json)), true, &q);
	ck_assert_str_eq(q.buf, "SELECT \"x\" FROM t\nWHERE a = 1;");
	/* Not a plan we understand: no query text. */
	pq = pgmsg_plan_query(slice_make("{ broken", 8), true, &q);
	ck_assert_uint_eq(pq.len, 0);
	/* Nothing to clean: the slice comes back as is. */
	s = pgmsg_clean(slice_make("SELECT 1", 8), true, &sb);
	ck_assert_ptr_ne(s.ptr, sb.buf);
	sb_release(&sb);
	sb_release(&q);
}
END_TEST

START_TEST(test_parse_ms)
{
	double ms;
	ck_assert_uint_eq(pgmsg_parse_ms("12.345 ms", 9, &ms), 6);
	ck_assert_double_eq_tol(ms, 12.345, 1e-12);
	ck_assert_uint_eq(pgmsg_parse_ms("7", 1, &ms), 1);
	ck_assert_double_eq(ms, 7);
	ck_assert_uint_eq(pgmsg_parse_ms("x", 1, &ms), 0);
}
END_TEST

Suite *suite_pgmsg(void);
Suite *suite_pgmsg(void)
{
	Suite *s = suite_create("pgmsg");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_kinds, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_clean_and_plan_query);
	tcase_add_test(tc, test_parse_ms);
	suite_add_tcase(s, tc);
	return s;
}
