/* check_prefix.c: log_line_prefix compiling, matching, detection and
 * suggestion, on lines taken verbatim from real servers. The memo's
 * tests (check_prefix_memo.c) join the same suite. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"
#include "timeutil.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct prefix *compile_ok(const char *spec)
{
	char err[128] = "";
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	ck_assert_msg(p != NULL, "'%s' does not compile: %s", spec, err);
	return p;
}

/* NULL expects an empty slice. */
static void assert_slice(struct slice s, const char *want, const char *what,
		const char *line)
{
	if (!want)
		want = "";
	ck_assert_msg(s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0,
		"%s: got '%.*s', want '%s' in: %s", what, (int)s.len, s.ptr, want, line);
}

/* ---- core ---- */

static const struct mcase {
	const char *spec, *line;
	int64_t ts;
	bool tz_known;
	const char *tz;
	int64_t pid, line_no;
	const char *user, *db, *app, *host, *remote;
	enum severity sev;
	const char *msg;
} match_cases[] = {
	{ "%m [%p] %q%u@%d/%a ",
	  "2026-11-22 13:45:43.008 UTC [2379] postgres@shop/psql LOG:  duration: 164.575 ms  plan:",
	  1795355143008, true, "UTC", 2379, -1, "postgres", "shop", "psql", NULL, NULL,
	  SEV_LOG, "duration: 164.575 ms  plan:" },
	{ "%m [%p] %q%u@%d/%a ",
	  "2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench DETAIL:  parameters: $1 = '4577'",
	  1795355148327, true, "UTC", 2432, -1, "postgres", "shop", "pgbench", NULL, NULL,
	  SEV_DETAIL, "parameters: $1 = '4577'" },
	/* The checkpointer stops at %q. */
	{ "%m [%p] %q%u@%d/%a ",
	  "2026-11-22 13:45:56.100 UTC [2370] LOG:  checkpoint starting: immediate force wait",
	  1795355156100, true, "UTC", 2370, -1, NULL, NULL, NULL, NULL, NULL,
	  SEV_LOG, "checkpoint starting: immediate force wait" },
	{ "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	  "2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;",
	  1504687301000, true, "UTC", 36, 121, "postgres", "postgres", "pgbench", "172.23.0.1", NULL,
	  SEV_LOG, "duration: 2.280 ms  statement: END;" },
	{ "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	  "2017-09-06 08:40:10 UTC [20]: [1-1] user=,db=,app=,client= LOG:  database system was shut down at 2017-09-06 08:40:08 UTC",
	  1504687210000, true, "UTC", 20, 1, NULL, NULL, NULL, NULL, NULL,
	  SEV_LOG, "database system was shut down at 2017-09-06 08:40:08 UTC" },
	{ "%t:%r:%u@%d:[%p]:",
	  "2020-03-11 20:40:50 CET:192.168.1.201(50906):gilles@pgbench:[12795]:FATAL:  no pg_hba.conf entry for host \"192.168.1.201\", user \"gilles\", database \"pgbench\", SSL on",
	  1583955650000, true, "CET", 12795, -1, "gilles", "pgbench", NULL, "192.168.1.201",
	  "192.168.1.201(50906)", SEV_FATAL,
	  "no pg_hba.conf entry for host \"192.168.1.201\", user \"gilles\", database \"pgbench\", SSL on" },
	{ "%t:%r:%u@%d:[%p]:",
	  "2020-03-11 20:40:43 CET::@:[12760]:LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
	  1583955643000, true, "CET", 12760, -1, NULL, NULL, NULL, NULL, NULL,
	  SEV_LOG, "listening on IPv4 address \"0.0.0.0\", port 5432" },
	{ "%t:%r:%u@%d:[%p]:",
	  "2020-03-11 20:40:44 CET:[local]:postgres@template1:[12774]:LOG:  duration: 0.027 ms  statement: ",
	  1583955644000, true, "CET", 12774, -1, "postgres", "template1", NULL, "[local]", "[local]",
	  SEV_LOG, "duration: 0.027 ms  statement: " },
	/* IPv6: the first ':' is not the end of %r. */
	{ "%t:%r:%u@%d:[%p]:",
	  "2020-03-11 20:40:44 CET:::1(50910):postgres@db:[12774]:LOG:  x",
	  1583955644000, true, "CET", 12774, -1, "postgres", "db", NULL, "::1", "::1(50910)",
	  SEV_LOG, "x" },
	/* A numeric zone right before ':' keeps its colon out. */
	{ "%t:%r:%u@%d:[%p]:",
	  "2024-01-15 10:00:00 +03:10.0.0.1(5432):u@d:[9]:LOG:  x",
	  1705302000000, true, "+03", 9, -1, "u", "d", NULL, "10.0.0.1", "10.0.0.1(5432)",
	  SEV_LOG, "x" },
	{ "%m [%p] user=%u,db=%d ",
	  "2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb LOG:  duration: 0.215 ms  execute njTypeOidQuery_Name: SELECT 1",
	  1638515688594, true, "UTC", 4913, -1, "user1", "mydb", NULL, NULL, NULL,
	  SEV_LOG, "duration: 0.215 ms  execute njTypeOidQuery_Name: SELECT 1" },
	{ "%m [%p] %q%u@%d ",
	  "2025-01-21 18:38:06.453 CET [78798] gilles@gilles ERROR:  conflicting values",
	  1737481086453, true, "CET", 78798, -1, "gilles", "gilles", NULL, NULL, NULL,
	  SEV_ERROR, "conflicting values" },
	{ "%m [%p] %q%u@%d ",
	  "2025-01-21 18:37:49.782 CET [78776] LOG:  starting PostgreSQL 17.2",
	  1737481069782, true, "CET", 78776, -1, NULL, NULL, NULL, NULL, NULL,
	  SEV_LOG, "starting PostgreSQL 17.2" },
	{ "%m [%p] %q%u@%d ",
	  "2024-01-15 10:00:00.123 UTC [5] [unknown]@[unknown] LOG:  connection received: host=[local]",
	  1705312800123, true, "UTC", 5, -1, "[unknown]", "[unknown]", NULL, NULL, NULL,
	  SEV_LOG, "connection received: host=[local]" },
	{ "%m [%p] ",
	  "2019-10-21 12:03:33.151 MSK [5134] LOG:  duration: 7.209 ms  statement: CREATE TABLE test (data text);",
	  1571648613151, true, "MSK", 5134, -1, NULL, NULL, NULL, NULL, NULL,
	  SEV_LOG, "duration: 7.209 ms  statement: CREATE TABLE test (data text);" },
	{ "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ",
	  "2024-06-27 00:00:07 CEST [58151]: [1-1] user=,db=,host=,app= LOG:  automatic analyze of table \"testdb.sales.tab_shop_stats\"",
	  1719439207000, true, "CEST", 58151, 1, NULL, NULL, NULL, NULL, NULL,
	  SEV_LOG, "automatic analyze of table \"testdb.sales.tab_shop_stats\"" },
	/* Application names may hold the delimiters. */
	{ "%m [%p] %q%u@%d/%a ",
	  "2026-11-22 13:45:42.614 UTC [2400] alice@shop/my app/v2 LOG:  x",
	  1795355142614, true, "UTC", 2400, -1, "alice", "shop", "my app/v2", NULL, NULL,
	  SEV_LOG, "x" },
	{ "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	  "2017-09-06 08:41:41 UTC [36]: [2-1] user=bob,db=shop,app=a,b,client=x,client=10.1.1.1 WARNING:  y",
	  1504687301000, true, "UTC", 36, 2, "bob", "shop", "a,b,client=x", "10.1.1.1", NULL,
	  SEV_WARNING, "y" },
	{ "%n [%p] ", "1705312800.123 [77] LOG:  x",
	  1705312800123, true, NULL, 77, -1, NULL, NULL, NULL, NULL, NULL, SEV_LOG, "x" },
	{ "%m [%p] ", "2024-01-15 10:00:00.123 +03 [1] LOG:  x",
	  1705302000123, true, "+03", 1, -1, NULL, NULL, NULL, NULL, NULL, SEV_LOG, "x" },
	{ "%m [%p] ", "2024-01-15 10:00:00.123 -0330 [1] LOG:  x",
	  1705325400123, true, "-0330", 1, -1, NULL, NULL, NULL, NULL, NULL, SEV_LOG, "x" },
	{ "%m [%p] ", "2024-01-15 10:00:00.123 -03:30 [1] LOG:  x",
	  1705325400123, true, "-03:30", 1, -1, NULL, NULL, NULL, NULL, NULL, SEV_LOG, "x" },
	/* An unknown zone is taken as UTC. */
	{ "%m [%p] ", "2024-01-15 10:00:00.123 XYZT [1] LOG:  x",
	  1705312800123, false, "XYZT", 1, -1, NULL, NULL, NULL, NULL, NULL, SEV_LOG, "x" },
	{ "< %m >", "< 2024-01-15 10:00:00.123 UTC >ERROR:  x",
	  1705312800123, true, "UTC", -1, -1, NULL, NULL, NULL, NULL, NULL, SEV_ERROR, "x" },
	{ "%m [%p] ", "2024-01-15 10:00:00.123 UTC [5] DEBUG2:  x",
	  1705312800123, true, "UTC", 5, -1, NULL, NULL, NULL, NULL, NULL, SEV_DEBUG, "x" },
	{ "%m [%p] ", "2024-01-15 10:00:00.123 UTC [5] STATEMENT:",
	  1705312800123, true, "UTC", 5, -1, NULL, NULL, NULL, NULL, NULL, SEV_STATEMENT, "" },
	{ "%m [%p] ", "2024-01-15 10:00:00.123 UTC [5] STATEMENT:     SELECT 1",
	  1705312800123, true, "UTC", 5, -1, NULL, NULL, NULL, NULL, NULL, SEV_STATEMENT, "   SELECT 1" },
	{ "%t ", "2024-01-15 10:00:00 UTC LOCATION:  exec_simple_query, postgres.c:1078",
	  1705312800000, true, "UTC", -1, -1, NULL, NULL, NULL, NULL, NULL, SEV_LOCATION,
	  "exec_simple_query, postgres.c:1078" },
	{ "", "PANIC:  could not write to file",
	  TS_NONE, false, NULL, -1, -1, NULL, NULL, NULL, NULL, NULL, SEV_PANIC,
	  "could not write to file" },
};

START_TEST(test_match)
{
	const struct mcase *c = &match_cases[_i];
	struct prefix *p = compile_ok(c->spec);
	struct prefix_fields f;
	ck_assert_msg(prefix_match(p, c->line, strlen(c->line), &f), "no match: %s", c->line);
	ck_assert_int_eq(f.ts_ms, c->ts);
	ck_assert(f.tz_known == c->tz_known);
	assert_slice(f.tz, c->tz, "tz", c->line);
	ck_assert_int_eq(f.pid, c->pid);
	ck_assert_int_eq(f.line_no, c->line_no);
	assert_slice(f.user, c->user, "user", c->line);
	assert_slice(f.db, c->db, "db", c->line);
	assert_slice(f.app, c->app, "app", c->line);
	assert_slice(f.host, c->host, "host", c->line);
	assert_slice(f.remote, c->remote, "remote", c->line);
	ck_assert_int_eq(f.severity, c->sev);
	ck_assert_str_eq(c->line + f.msg_off, c->msg);
	size_t sl = strlen(severity_name(c->sev));
	ck_assert_msg(memcmp(c->line + f.sev_off, severity_name(c->sev), sl) == 0,
		"sev_off %zu in %s", f.sev_off, c->line);
	prefix_free(p);
}
END_TEST

/* Every escape in one prefix, as the server would write it. */
START_TEST(test_all_escapes)
{
	const char *spec = "%a|%u|%d|%r|%h|%b|%p|%P|%t|%m|%n|%i|%e|%c|%l|%s|%v|%x|%Q|%%|";
	const char *line = "psql|bob|shop|10.0.0.5(40000)|10.0.0.6|client backend|4242|4200|"
		"2024-01-15 10:00:00 UTC|2024-01-15 10:00:00.250 UTC|1705312800.500|"
		"SELECT|42P01|65a502d0.1092|7|2024-01-15 09:00:00 UTC|3/45|0|-123456789|%|"
		"ERROR:  relation \"x\" does not exist";
	struct prefix *p = compile_ok(spec);
	struct prefix_fields f;
	ck_assert_str_eq(prefix_spec(p), spec);
	ck_assert(prefix_match(p, line, strlen(line), &f));
	assert_slice(f.app, "psql", "app", line);
	assert_slice(f.user, "bob", "user", line);
	assert_slice(f.db, "shop", "db", line);
	assert_slice(f.remote, "10.0.0.5(40000)", "remote", line);
	assert_slice(f.host, "10.0.0.6", "host", line);     /* %h beats %r */
	assert_slice(f.backend_type, "client backend", "backend", line);
	ck_assert_int_eq(f.pid, 4242);
	ck_assert_int_eq(f.leader_pid, 4200);
	ck_assert_int_eq(f.ts_ms, 1705312800000);           /* %t came first */
	assert_slice(f.tz, "UTC", "tz", line);
	assert_slice(f.command, "SELECT", "command", line);
	assert_slice(f.sqlstate, "42P01", "sqlstate", line);
	assert_slice(f.session, "65a502d0.1092", "session", line);
	ck_assert_int_eq(f.line_no, 7);
	ck_assert_int_eq(f.session_start_ms, 1705309200000);
	assert_slice(f.vxid, "3/45", "vxid", line);
	assert_slice(f.xid, "0", "xid", line);
	assert_slice(f.query_id, "-123456789", "query_id", line);
	ck_assert_int_eq(f.severity, SEV_ERROR);
	ck_assert_str_eq(line + f.msg_off, "relation \"x\" does not exist");
	prefix_free(p);
}
END_TEST

static const char escapes[] = "audrhbpPtmnieclsvxqQ%";

/* Each escape bare, padded left and right, and twice. */
START_TEST(test_compile_escape)
{
	char esc = escapes[_i / 4], spec[32];
	switch (_i % 4) {
	case 0: snprintf(spec, sizeof(spec), "%%%c", esc); break;
	case 1: snprintf(spec, sizeof(spec), "%%-12%c", esc); break;
	case 2: snprintf(spec, sizeof(spec), "%%5%c ", esc); break;
	default: snprintf(spec, sizeof(spec), "x%%%c%%%c", esc, esc); break;
	}
	struct prefix *p = compile_ok(spec);
	ck_assert_str_eq(prefix_spec(p), spec);
	prefix_free(p);
}
END_TEST

/* Padded values, written with printf as the server does. */
static const struct {
	const char *user, *db, *app;
	int pid, lno;
} pad_cases[] = {
	{ "bob", "shop", "psql", 4242, 7 },
	{ "", "", "", 1, 1 },
	{ "a_very_long_user_name", "a_long_database", "application name", 1234567, 123456 },
	{ "x y", "d b", "a  b", 99, 0 },
};

START_TEST(test_padding)
{
	char line[256];
	snprintf(line, sizeof(line), "%-10s %8d %-6s|%5d|%-9s|%3s|LOG:  x",
		pad_cases[_i].user, pad_cases[_i].pid, pad_cases[_i].db,
		pad_cases[_i].lno, pad_cases[_i].app, "");
	struct prefix *p = compile_ok("%-10u %8p %-6d|%5l|%-9a|%3P|");
	struct prefix_fields f;
	ck_assert_msg(prefix_match(p, line, strlen(line), &f), "no match: %s", line);
	assert_slice(f.user, pad_cases[_i].user, "user", line);
	assert_slice(f.db, pad_cases[_i].db, "db", line);
	assert_slice(f.app, pad_cases[_i].app, "app", line);
	ck_assert_int_eq(f.pid, pad_cases[_i].pid);
	ck_assert_int_eq(f.line_no, pad_cases[_i].lno);
	ck_assert_int_eq(f.leader_pid, -1);
	ck_assert_str_eq(line + f.msg_off, "x");
	prefix_free(p);
}
END_TEST

/* %q: session lines carry the rest, others stop there. */
static const struct {
	const char *spec, *line, *user;
	int64_t line_no;
} q_cases[] = {
	{ "%m [%p] %q[%l] %u ", "2024-01-15 10:00:00.123 UTC [5] [3] bob LOG:  x", "bob", 3 },
	{ "%m [%p] %q[%l] %u ", "2024-01-15 10:00:00.123 UTC [5] LOG:  x", NULL, -1 },
	{ "%q%u@%d ", "bob@shop LOG:  x", "bob", -1 },
	{ "%q%u@%d ", "LOG:  x", NULL, -1 },
	{ "%m %q%u %q[%l] ", "2024-01-15 10:00:00.123 UTC bob [4] LOG:  x", "bob", 4 },
	{ "%m %q%u %q[%l] ", "2024-01-15 10:00:00.123 UTC bob LOG:  x", "bob", -1 },
};

START_TEST(test_stop)
{
	struct prefix *p = compile_ok(q_cases[_i].spec);
	struct prefix_fields f;
	const char *line = q_cases[_i].line;
	ck_assert_msg(prefix_match(p, line, strlen(line), &f), "no match: %s", line);
	assert_slice(f.user, q_cases[_i].user, "user", line);
	ck_assert_int_eq(f.line_no, q_cases[_i].line_no);
	ck_assert_str_eq(line + f.msg_off, "x");
	prefix_free(p);
}
END_TEST

static const struct {
	const char *spec, *line, *user, *db;
	int64_t ts;
} misc_cases[] = {
	/* The first of two values wins. */
	{ "%u %d %u ", "alice shop bob LOG:  x", "alice", "shop", TS_NONE },
	{ "%m %t ", "2024-01-15 10:00:00.123 UTC 2024-01-15 09:00:00 UTC LOG:  x",
	  NULL, NULL, 1705312800123 },
	{ "%% %m %%[%p] ", "% 2024-01-15 10:00:00.123 UTC %[5] LOG:  x",
	  NULL, NULL, 1705312800123 },
	{ "%m %u %d [%p] ", "2024-01-15 10:00:00.123 UTC bob shop [77] LOG:  x",
	  "bob", "shop", 1705312800123 },
	{ "%t-%c-", "2024-01-15 10:00:00 UTC-65a502d0.1f4-LOG:  x",
	  NULL, NULL, 1705312800000 },
	/* A free-text field at the very end runs to the severity. */
	{ "%m [%p] %u@%d", "2024-01-15 10:00:00.123 UTC [5] bob@shop LOG:  x",
	  "bob", "shop ", 1705312800123 },
};

START_TEST(test_misc)
{
	struct prefix *p = compile_ok(misc_cases[_i].spec);
	struct prefix_fields f;
	const char *line = misc_cases[_i].line;
	ck_assert_msg(prefix_match(p, line, strlen(line), &f), "no match: %s", line);
	assert_slice(f.user, misc_cases[_i].user, "user", line);
	assert_slice(f.db, misc_cases[_i].db, "db", line);
	ck_assert_int_eq(f.ts_ms, misc_cases[_i].ts);
	ck_assert_str_eq(line + f.msg_off, "x");
	ck_assert(prefix_match(p, line, strlen(line), NULL));
	prefix_free(p);
}
END_TEST

static const struct {
	const char *s;
	size_t n;
	enum severity sev;
} sev_cases[] = {
	{ "LOG:  x", 6, SEV_LOG }, { "ERROR:  x", 8, SEV_ERROR },
	{ "DEBUG2:  x", 9, SEV_DEBUG }, { "DEBUG:  x", 8, SEV_DEBUG },
	{ "STATEMENT:  x", 12, SEV_STATEMENT }, { "LOCATION:  x", 11, SEV_LOCATION },
	{ "HINT:  x", 7, SEV_HINT }, { "QUERY:  x", 8, SEV_QUERY },
	{ "CONTEXT:  x", 10, SEV_CONTEXT }, { "NOTICE:  x", 9, SEV_NOTICE },
	{ "WARNING:  x", 10, SEV_WARNING }, { "INFO:  x", 7, SEV_INFO },
	{ "FATAL:  x", 8, SEV_FATAL }, { "PANIC:  x", 8, SEV_PANIC },
	{ "DETAIL:  x", 9, SEV_DETAIL }, { "LOG:", 4, SEV_LOG }, { "LOG: x", 5, SEV_LOG },
	{ "LOG:   x", 6, SEV_LOG },
	{ "LOG", 0, SEV_NONE }, { "LOG:x", 0, SEV_NONE }, { "log:  x", 0, SEV_NONE },
	{ "LOGGING:  x", 0, SEV_NONE }, { "DEBUG9:  x", 0, SEV_NONE },
	{ "ERREUR:  x", 0, SEV_NONE }, { "", 0, SEV_NONE }, { "LOG :  x", 0, SEV_NONE },
};

START_TEST(test_severity)
{
	enum severity sev = SEV_NONE;
	const char *s = sev_cases[_i].s;
	ck_assert_uint_eq(severity_parse(s, strlen(s), &sev), sev_cases[_i].n);
	if (sev_cases[_i].n)
		ck_assert_int_eq(sev, sev_cases[_i].sev);
}
END_TEST

START_TEST(test_severity_names)
{
	ck_assert_str_eq(severity_name(SEV_NONE), "");
	for (int s = SEV_NONE + 1; s < SEV_COUNT; s++) {
		char buf[32];
		enum severity back = SEV_NONE;
		snprintf(buf, sizeof(buf), "%s:  m", severity_name((enum severity)s));
		ck_assert_uint_eq(severity_parse(buf, strlen(buf), &back), strlen(buf) - 1);
		ck_assert_int_eq(back, s);
	}
}
END_TEST

/* ---- detect ---- */

static const struct {
	const char *buf, *spec;
	unsigned matched, tried;
} detect_cases[] = {
	{ "2026-11-22 13:45:42.614 UTC [2364] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu\n"
	  "2026-11-22 13:45:43.008 UTC [2379] postgres@shop/psql LOG:  duration: 164.575 ms  plan:\n"
	  "\tQuery Text: SELECT 1\n"
	  "2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench DETAIL:  parameters: $1 = '4577'\n"
	  "2026-11-22 13:45:56.100 UTC [2370] LOG:  checkpoint starting: immediate force wait\n",
	  "%m [%p] %q%u@%d/%a ", 4, 4 },
	{ "2017-09-06 08:40:10 UTC [20]: [1-1] user=,db=,app=,client= LOG:  database system was shut down at 2017-09-06 08:40:08 UTC\n"
	  "2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;\n"
	  "2017-09-06 08:41:42 UTC [36]: [253-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 0.168 ms  statement: INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (2, 1, 72639, -4897, CURRENT_TIMESTAMP);\n",
	  "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", 3, 3 },
	{ "2020-03-11 20:40:43 CET::@:[12760]:LOG:  listening on IPv4 address \"0.0.0.0\", port 5432\n"
	  "2020-03-11 20:40:44 CET:[local]:postgres@template1:[12774]:LOG:  duration: 0.027 ms  statement: \n"
	  "2020-03-11 20:40:50 CET:192.168.1.201(50906):gilles@pgbench:[12795]:FATAL:  no pg_hba.conf entry for host \"192.168.1.201\", user \"gilles\", database \"pgbench\", SSL on\n",
	  "%t:%r:%u@%d:[%p]:", 3, 3 },
	{ "2024-06-27 00:00:07 CEST [58151]: [1-1] user=,db=,host=,app= LOG:  automatic analyze of table \"testdb.sales.tab_shop_stats\"\n"
	  "2024-06-27 00:00:07 CEST [58151]: [2-1] user=,db=,host=,app= LOG:  automatic vacuum of table \"testdb.replication.tab_queue_tmp\": index scans: 1\n"
	  "\tpages: 0 removed, 1 remain, 1 scanned (100.00% of total)\n"
	  "\ttuples: 0 removed, 3 remain, 0 are dead but not yet removable\n",
	  "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ", 2, 2 },
	{ "2025-01-21 18:32:48.288 CET [77898] FATAL:  configuration file \"/etc/postgresql/17/main/postgresql.conf\" contains errors\n"
	  "pg_ctl: could not start server\n"
	  "Examine the log output.\n"
	  "2025-01-21 18:37:49.782 CET [78776] LOG:  starting PostgreSQL 17.2 (Ubuntu 17.2-1.pgdg24.04+1) on x86_64-pc-linux-gnu\n"
	  "2025-01-21 18:38:06.453 CET [78798] gilles@gilles ERROR:  conflicting values for \"Y\" field in formatting string\n"
	  "2025-01-21 18:38:06.453 CET [78798] gilles@gilles STATEMENT:  SELECT TO_DATE('311299999','DDMMYYYYY');\n",
	  "%m [%p] %q%u@%d ", 4, 6 },
	{ "2021-12-03 07:14:48.591 UTC [4913] user=user1,db=mydb LOG:  duration: 0.211 ms  statement: SELECT current_setting('nj.maint')\n"
	  "2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb LOG:  duration: 0.215 ms  execute njTypeOidQuery_Name: SELECT 1\n",
	  "%m [%p] user=%u,db=%d ", 2, 2 },
	/* Only postmaster lines: every %q prefix fits; the Debian default
	 * comes first. */
	{ "2019-10-21 12:03:31.311 MSK [5133] LOG:  duration: 0.007 ms  statement: BEGIN;\n"
	  "2019-10-21 12:03:33.151 MSK [5134] LOG:  duration: 7.209 ms  statement: CREATE TABLE test (data text);\n",
	  "%m [%p] %q%u@%d ", 2, 2 },
	{ "2024-01-15 10:00:00.123 UTC [77]: [3-1] db=shop,user=bob LOG:  x\n"
	  "2024-01-15 10:00:01.123 UTC [78]: [1-1] db=,user= LOG:  checkpoint starting: time\n",
	  "%m [%p]: [%l-1] db=%d,user=%u ", 2, 2 },
	{ "2024-01-15 10:00:00 UTC-65a502d0.1f4-LOG:  connection received: host=10.0.0.1 port=5432\n",
	  "%t-%c-", 1, 1 },
	{ "2015-03-01 10:00:00 CET [1234-1] postgres@shop LOG:  x\n"
	  "2015-03-01 10:00:01 CET [1200-3] LOG:  checkpoint starting: time\n",
	  "%t [%p-%l] %q%u@%d ", 2, 2 },
	{ "< 2024-01-15 10:00:00.123 UTC >LOG:  x\n", "< %m >", 1, 1 },
	{ "2024-01-15 10:00:00 UTC LOG:  x\r\n2024-01-15 10:00:00 UTC ERROR:  y\r\n", "%t ", 2, 2 },
	{ "2024-01-15 10:00:00.123 UTC bob shop [77] LOG:  x\n", "%m %u %d [%p] ", 1, 1 },
	/* Process ids of five digits in a SQLSTATE's class ("23456"): on a LOG
	 * line they are no %e, whose value there is "00000"; and of two specs
	 * that explain the same lines, the one with no escape twice. */
	{ "2026-12-06 00:31:50.128 UTC|23456|00000|0|user=[unknown]|db=[unknown]|app=[unknown]| LOG:  connection received: host=[local]\n"
	  "2026-12-06 00:31:50.140 UTC|23456|00000|-3189123465712237409|user=alice|db=shop|app=psql| LOG:  duration: 1.234 ms  statement: select 1\n"
	  "2026-12-06 00:31:50.150 UTC|23456|22012|-3189123465712237409|user=alice|db=shop|app=psql| ERROR:  division by zero\n"
	  "2026-12-06 00:31:51.000 UTC|23400|00000|0|user=|db=|app=| LOG:  checkpoint starting: time\n",
	  "%m|%p|%e|%Q|user=%u|db=%d|app=%a| ", 4, 4 },
	/* Postmaster and session lines: no table entry explains both, the
	 * %q form inferred from them does. */
	{ "2024-01-15 10:00:00.123 UTC [77] LOG:  x\n"
	  "2024-01-15 10:00:00.123 UTC [77] user=u,db=d LOG:  x\n",
	  "%m [%p] %quser=%u,db=%d ", 2, 2 },
	/* Lines a real PostgreSQL 15 wrote (tests/workload/pg-prefixes.sh).
	 * compute_query_id = on, '%m [%p] [queryid=%Q] %q%u@%d ': Debian's
	 * prefix fits the session lines with the user "[queryid=...]
	 * [unknown]", which is not a name; the prefix the lines spell out
	 * explains them all. */
	{ "2026-12-06 00:31:49.151 UTC [13295] [queryid=0] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=47808\n"
	  "2026-12-06 00:31:49.182 UTC [13295] [queryid=2424940597520090544] bob@appdb LOG:  connection authorized: user=bob database=appdb application_name=report job\n"
	  "2026-12-06 00:31:49.195 UTC [13298] [queryid=0] [unknown]@[unknown] LOG:  connection received: host=[local]\n"
	  "2026-12-06 00:31:49.547 UTC [13203] [queryid=0] LOG:  received SIGHUP, reloading configuration files\n",
	  "%m [%p] [queryid=%Q] %q%u@%d ", 4, 4 },
	/* '%m [%p] %e: db=%d,user=%u,app=%a,client=%h ' */
	{ "2026-12-06 00:31:50.123 UTC [13387] 00000: db=[unknown],user=[unknown],app=[unknown],client=[local] LOG:  connection received: host=[local]\n"
	  "2026-12-06 00:31:50.128 UTC [13387] 00000: db=nodb,user=alice,app=[unknown],client=[local] LOG:  connection authorized: user=alice database=nodb application_name=web\n"
	  "2026-12-06 00:31:50.128 UTC [13387] 3D000: db=nodb,user=alice,app=[unknown],client=[local] FATAL:  database \"nodb\" does not exist\n"
	  "2026-12-06 00:31:50.228 UTC [13390] 22012: db=shop,user=alice,app=web,client=[local] ERROR:  division by zero\n",
	  "%m [%p] %e: db=%d,user=%u,app=%a,client=%h ", 4, 4 },
	/* pganalyze's recommended '%m [%p] %q[user=%u,db=%d,app=%a] ' */
	{ "2026-12-06 00:31:50.879 UTC [13435] [user=[unknown],db=[unknown],app=[unknown]] LOG:  connection received: host=[local]\n"
	  "2026-12-06 00:31:50.885 UTC [13435] [user=alice,db=nodb,app=[unknown]] LOG:  connection authorized: user=alice database=nodb application_name=web\n"
	  "2026-12-06 00:31:50.890 UTC [13203] LOG:  received SIGHUP, reloading configuration files\n",
	  "%m [%p] %q[user=%u,db=%d,app=%a] ", 3, 3 },
	/* Heroku's, no time stamp before the SQLSTATE. */
	{ " sql_error_code = 00000 time_ms = \"2026-12-06 00:32:04.853 UTC\" pid=\"14389\" proc_start_time=\"2026-12-06 00:32:04 UTC\" session_id=\"6b14ad04.3835\" vtid=\"\" tid=\"0\" log_line=\"1\" database=\"[unknown]\" connection_source=\"[local]\" user=\"[unknown]\" application_name=\"[unknown]\" LOG:  connection received: host=[local]\n"
	  " sql_error_code = 22012 time_ms = \"2026-12-06 00:32:04.883 UTC\" pid=\"14389\" proc_start_time=\"2026-12-06 00:32:04 UTC\" session_id=\"6b14ad04.3835\" vtid=\"3/272\" tid=\"0\" log_line=\"4\" database=\"shop\" connection_source=\"[local]\" user=\"alice\" application_name=\"web\" ERROR:  division by zero\n",
	  " sql_error_code = %e time_ms = \"%m\" pid=\"%p\" proc_start_time=\"%s\" session_id=\"%c\" vtid=\"%v\" tid=\"%x\" log_line=\"%l\" %qdatabase=\"%d\" connection_source=\"%r\" user=\"%u\" application_name=\"%a\" ", 2, 2 },
	{ " sql_error_code = 28000 FATAL:  no pg_hba.conf entry\n", " sql_error_code = %e ", 1, 1 },
	/* Cloud SQL's IAM roles are e-mail addresses: still names. */
	{ "2024-01-15 10:00:00.123 UTC [77]: [3-1] db=shop,user=alice@example.com LOG:  x\n"
	  "2024-01-15 10:00:01.123 UTC [78]: [1-1] db=,user= LOG:  checkpoint starting: time\n",
	  "%m [%p]: [%l-1] db=%d,user=%u ", 2, 2 },
	/* A host name copied from one line is no prefix to detect. */
	{ "myhost|2026-11-22 13:45:43 UTC|42|LOG:  x\n", NULL, 0, 1 },
	{ "hello\nworld\n", NULL, 0, 2 },
	{ "2024-01-15 10:00:00 UTC LOG:  x\nno\nno\nno\n", NULL, 1, 4 },
	{ "", NULL, 0, 0 },
	{ "\n\n\tcontinued\n", NULL, 0, 0 },
};

START_TEST(test_detect)
{
	unsigned matched = 99, tried = 99;
	const char *buf = detect_cases[_i].buf;
	const char *spec = prefix_detect(buf, strlen(buf), &matched, &tried);
	if (detect_cases[_i].spec)
		ck_assert_msg(spec && strcmp(spec, detect_cases[_i].spec) == 0,
			"detected '%s', want '%s'", spec ? spec : "(none)", detect_cases[_i].spec);
	else
		ck_assert_msg(spec == NULL, "detected '%s'", spec);
	ck_assert_uint_eq(matched, detect_cases[_i].matched);
	ck_assert_uint_eq(tried, detect_cases[_i].tried);
}
END_TEST

/* Only the first 200 lines count. */
START_TEST(test_detect_window)
{
	size_t n = 0, cap = 300 * 64;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for (int i = 0; i < 300; i++) {
		if (i < 200)
			n += (size_t)snprintf(buf + n, cap - n, "2024-01-15 10:00:00 UTC [5] LOG:  x\n");
		else
			n += (size_t)snprintf(buf + n, cap - n, "junk %d\n", i);
	}
	unsigned matched, tried;
	const char *spec = prefix_detect(buf, n, &matched, &tried);
	ck_assert_ptr_nonnull(spec);
	ck_assert_str_eq(spec, "%t [%p] ");
	ck_assert_uint_eq(matched, 200);
	ck_assert_uint_eq(tried, 200);
	free(buf);
}
END_TEST

static const struct {
	const char *buf, *want;
} suggest_cases[] = {
	{ "2020-03-11 20:40:50 CET:192.168.1.201(50906):gilles@pgbench:[12795]:FATAL:  no pg_hba.conf entry for host \"192.168.1.201\", user \"gilles\", database \"pgbench\", SSL on\n",
	  "%t:%r:%u@%d:[%p]:" },
	{ "2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;\n",
	  "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h " },
	{ "2026-11-22 13:45:56.100 UTC [2370] LOG:  checkpoint starting: immediate force wait\n"
	  "2026-11-22 13:45:43.008 UTC [2379] postgres@shop/psql LOG:  duration: 164.575 ms  plan:\n",
	  "%m [%p] %q%u@%d/%a " },
	{ "2025-01-21 18:38:06.453 CET [78798] gilles@gilles ERROR:  conflicting values\n",
	  "%m [%p] %q%u@%d " },
	{ "[2024-01-15 10:00:00.123 UTC] pid=77 LOG:  x\n", "[%m] pid=%p " },
	{ "2024-01-15 10:00:00 UTC [77] [bob@shop] 50% LOG:  x\n", "%t [%p] [%u@%d] 50%% " },
	{ "2015-03-01 10:00:00 CET [1234-1] postgres@shop LOG:  x\n", "%t [%p-%l] %q%u@%d " },
	/* From the shapes of the fields, not their values (lines a real
	 * server wrote). */
	{ "2026-12-06 00:31:50.128 UTC [13387] 3D000: db=nodb,user=alice,app=[unknown],client=[local] FATAL:  database \"nodb\" does not exist\n",
	  "%m [%p] %e: db=%d,user=%u,app=%a,client=%h " },
	{ "2026-12-06 00:31:49.182 UTC [13295] [queryid=2424940597520090544] bob@appdb LOG:  connection authorized: user=bob\n",
	  "%m [%p] [queryid=%Q] %q%u@%d " },
	{ " sql_error_code = 22012 time_ms = \"2026-12-06 00:32:04.883 UTC\" pid=\"14389\" proc_start_time=\"2026-12-06 00:32:04 UTC\" session_id=\"6b14ad04.3835\" vtid=\"3/272\" tid=\"0\" log_line=\"4\" database=\"shop\" connection_source=\"[local]\" user=\"alice\" application_name=\"web\" ERROR:  division by zero\n",
	  " sql_error_code = %e time_ms = \"%m\" pid=\"%p\" proc_start_time=\"%s\" session_id=\"%c\" vtid=\"%v\" tid=\"%x\" log_line=\"%l\" database=\"%d\" connection_source=\"%r\" user=\"%u\" application_name=\"%a\" " },
	/* A postmaster line and a session line: the %q form of both. */
	{ "2026-12-06 00:31:50.890 UTC [13203] LOG:  received SIGHUP, reloading configuration files\n"
	  "2026-12-06 00:31:50.885 UTC [13435] [user=alice,db=nodb,app=[unknown]] LOG:  connection authorized: user=alice\n",
	  "%m [%p] %q[user=%u,db=%d,app=%a] " },
	{ "2026-12-06 00:31:50 UTC-6b14ad04.3835-LOG:  x\n", "%t-%c-" },
	{ "2026-12-06 00:31:50.885 UTC [34][autovacuum worker][3/5] LOG:  x\n", "%m [%p][%b][%v] " },
	{ "2026-12-06 00:31:50 UTC 10.1.2.3 [34] LOG:  x\n", "%t %h [%p] " },
	{ "2026-12-06 00:31:50 UTC [34] bob@shop fe80::1 LOG:  x\n", "%t [%p] %u@%d %h " },
	{ "2024-01-15 10:00:00.123 UTC 4242 appli=76ae1c2b user=bob LOG:  x\n",
	  "%m %p appli=%a user=%u " },
	{ "2024-01-15 10:00:00 UTC [4242] 65a502d0.1f4 LOG:  x\n", "%t [%p] %c " },
	{ "1705312800.123 [4242] bob@shop LOG:  x\n", "%n [%p] %q%u@%d " },
	{ "LOG:  x\n", "" },
	/* JSON quoting a severity is no prefixed line. */
	{ "{\"timestamp\":\"2026-12-06 00:31:50.885 UTC\",\"message\":\"x ERROR:  y\"}\n", NULL },
	{ "pg_ctl: could not start server\nExamine the log output.\n", NULL },
	{ "", NULL },
};

START_TEST(test_suggest)
{
	char out[256];
	const char *buf = suggest_cases[_i].buf, *want = suggest_cases[_i].want;
	bool ok = prefix_suggest(buf, strlen(buf), out, sizeof(out));
	if (!want) {
		ck_assert_msg(!ok, "suggested '%s'", out);
		return;
	}
	ck_assert_msg(ok, "no suggestion for %s", buf);
	ck_assert_str_eq(out, want);
	/* What it suggests must work on the line it came from. */
	struct prefix *p = compile_ok(out);
	const char *nl = strchr(buf, '\n');
	ck_assert(prefix_match(p, buf, (size_t)(nl - buf), NULL));
	prefix_free(p);
	/* Too small a buffer: no suggestion rather than a cut one. */
	if (want[0])
		ck_assert(!prefix_suggest(buf, strlen(buf), out, 1));
}
END_TEST

/* A --prefix fits an input when it explains half its first lines. */
START_TEST(test_fits)
{
	static const char heroku[] =
		" sql_error_code = 28000 FATAL:  no pg_hba.conf entry for host \"127.0.0.1\"\n"
		" sql_error_code = 3D000 FATAL:  database \"nodb\" does not exist\n"
		"\tcontinued\n";
	ck_assert(prefix_fits(" sql_error_code = %e ", heroku, strlen(heroku)));
	ck_assert(!prefix_fits("%m [%p] ", heroku, strlen(heroku)));
	ck_assert(!prefix_fits("%y", heroku, strlen(heroku)));
	ck_assert(!prefix_fits(" sql_error_code = %e ", "", 0));
	static const char syslog[] =
		"Nov 30 21:10:20 db postgres[77]: [3-1] LOG:  x\n";
	ck_assert(!prefix_fits("[%l-1] ", syslog, strlen(syslog)));
}
END_TEST

/* ---- limits ---- */

static const struct {
	const char *spec, *line;
} nomatch_cases[] = {
	{ "%m [%p] %q%u@%d ", "pg_ctl: could not start server" },
	{ "%m [%p] %q%u@%d ", "Examine the log output." },
	{ "%m [%p] %q%u@%d ", "" },
	{ "%m [%p] %q%u@%d ", "\tSELECT 1" },
	{ "%m [%p] %q%u@%d ", "2025-01-21 18:38:06.453 CET [78798]" },
	{ "%m [%p] %q%u@%d ", "2025-01-21 18:38:06.453 CET [78798] gilles@gilles error:  x" },
	{ "%m [%p] %q%u@%d ", "2025-01-21 18:38:06.453 CET [abc] LOG:  x" },
	{ "%m [%p] %q%u@%d ", "2025-01-21 18:38:06.453 CET [] LOG:  x" },
	{ "%t [%p] ", "2025-01-21 18:38:06.453 CET [1] LOG:  x" },
	{ "%m [%p] ", "2025-01-21 18:38:06 CET [1] LOG:  x" },
	{ "%m [%p] ", "2025-02-30 18:38:06.453 CET [1] LOG:  x" },
	{ "%m [%p] ", "2025-01-21 18:38:06.453 CET [1] LOGGING:  x" },
	{ "%m [%p] ", "2025-01-21 18:38:06.453 CET [1] LOG:x" },
	{ "%m [%p] ", "2025-01-21 18:38:06.453 [1] LOG:  x" },
	{ "%m [%p] ", "2025-01-21 18:38:06.453 CET  [1] LOG:  x" },
	{ "%m [%p] ", "2026-11-22 13:45:43.008 UTC [2379] postgres@shop/psql LOG:  x" },
	{ "%t:%r:%u@%d:[%p]:", "2020-03-11 20:40:50 CET:192.168.1.201(50906):gilles@pgbench:[12795] FATAL:  x" },
	{ "%m [%p] user=%u,db=%d,app=%a,client=%h ",
	  "2021-12-03 07:14:48.594 UTC [4913] user=user1,db=mydb LOG:  duration: 0.215 ms  execute njTypeOidQuery_Name: SELECT 1" },
	{ "%e ", "4200 LOG:  x" },
	{ "%e ", "42p01 LOG:  x" },
	{ "%c ", "65a502d0 LOG:  x" },
	{ "%n ", "x LOG:  x" },
	{ "%x ", " LOG:  x" },
	{ "%p ", "1234567890123456789 LOG:  x" },
	/* A name longer than any server writes. */
	{ "%m [%p] %q%u@%d ",
	  "2025-01-21 18:38:06.453 CET [1] aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@db LOG:  x" },
};

START_TEST(test_nomatch)
{
	struct prefix *p = compile_ok(nomatch_cases[_i].spec);
	const char *line = nomatch_cases[_i].line;
	struct prefix_fields f;
	ck_assert_msg(!prefix_match(p, line, strlen(line), &f), "matched: %s", line);
	prefix_free(p);
}
END_TEST

/* A line cut anywhere before its severity does not match, and the matcher
 * reads nothing past len (the copy has no terminator for ASan to hide
 * behind). */
START_TEST(test_truncated)
{
	const struct mcase *c = &match_cases[_i];
	struct prefix *p = compile_ok(c->spec);
	struct prefix_fields f;
	size_t len = strlen(c->line);
	ck_assert(prefix_match(p, c->line, len, &f));
	size_t sev_off = f.sev_off;
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, c->line, cut);
		bool m = prefix_match(p, copy, cut, &f);
		if (cut < sev_off + strlen(severity_name(c->sev)) + 1)
			ck_assert_msg(!m, "cut at %zu matched: %s", cut, c->line);
		free(copy);
	}
	prefix_free(p);
}
END_TEST

/* Lines full of a spec's delimiters stay cheap (the budget of tries
 * bounds the search; Check's timeout would catch a blow-up) and never
 * match without a severity. */
static const char *const hostile_specs[] = {
	"%m [%p] %q%u@%d/%a ",
	"%u@%d/%a %u@%d/%a %u@%d/%a %u@%d/%a ",
	"%u%d%a%b%i ",
	"%t:%r:%u@%d:[%p]:",
};

START_TEST(test_backtracking)
{
	char line[800];
	size_t n = (size_t)snprintf(line, sizeof(line), "2024-01-15 10:00:00.123 UTC [1] ");
	for (int i = 0; i < 120; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "@/ :");
	snprintf(line + n, sizeof(line) - n, "LOGX:  x");
	struct prefix *p = compile_ok(hostile_specs[_i]);
	for (int rep = 0; rep < 100; rep++) {
		ck_assert(!prefix_match(p, line, strlen(line), NULL));
		ck_assert(!prefix_match(p, line + 32, strlen(line + 32), NULL));
	}
	prefix_free(p);
}
END_TEST

/* ---- errors ---- */

static const struct {
	const char *spec, *msg;
} error_cases[] = {
	{ "%y", "%y" },
	{ "%m [%p] %k ", "unknown escape %k" },
	{ "%-5z", "%z" },
	{ "%Z", "%Z" },
	{ "%T", "%T" },
	{ "abc%", "lone %" },
	{ "%-", "lone %" },
	{ "%12", "lone %" },
	{ "%99999u", "padding" },
};

START_TEST(test_compile_error)
{
	char err[128] = "";
	struct prefix *p = prefix_compile(error_cases[_i].spec, err, sizeof(err));
	ck_assert_msg(p == NULL, "'%s' compiled", error_cases[_i].spec);
	ck_assert_msg(strstr(err, error_cases[_i].msg) != NULL, "error '%s' lacks '%s'",
		err, error_cases[_i].msg);
}
END_TEST

START_TEST(test_compile_too_big)
{
	char spec[2048], err[128] = "";
	size_t n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%%p,");
	ck_assert(prefix_compile(spec, err, sizeof(err)) == NULL);
	ck_assert_ptr_nonnull(strstr(err, "too many"));
	memset(spec, 'x', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	ck_assert(prefix_compile(spec, err, sizeof(err)) == NULL);
	ck_assert_ptr_nonnull(strstr(err, "longer"));
	prefix_free(NULL);
}
END_TEST

TCase *prefix_memo_tcase(void);       /* check_prefix_memo.c */

Suite *suite_prefix(void);
Suite *suite_prefix(void)
{
	Suite *s = suite_create("prefix");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_match, 0, N(match_cases));
	tcase_add_test(tc, test_all_escapes);
	tcase_add_loop_test(tc, test_compile_escape, 0, (int)(sizeof(escapes) - 1) * 4);
	tcase_add_loop_test(tc, test_padding, 0, N(pad_cases));
	tcase_add_loop_test(tc, test_stop, 0, N(q_cases));
	tcase_add_loop_test(tc, test_misc, 0, N(misc_cases));
	tcase_add_loop_test(tc, test_severity, 0, N(sev_cases));
	tcase_add_test(tc, test_severity_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("detect");
	tcase_add_loop_test(tc, test_detect, 0, N(detect_cases));
	tcase_add_test(tc, test_detect_window);
	tcase_add_loop_test(tc, test_suggest, 0, N(suggest_cases));
	tcase_add_test(tc, test_fits);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_nomatch, 0, N(nomatch_cases));
	tcase_add_loop_test(tc, test_truncated, 0, N(match_cases));
	tcase_add_loop_test(tc, test_backtracking, 0, N(hostile_specs));
	suite_add_tcase(s, tc);

	suite_add_tcase(s, prefix_memo_tcase());

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_compile_error, 0, N(error_cases));
	tcase_add_test(tc, test_compile_too_big);
	suite_add_tcase(s, tc);
	return s;
}
