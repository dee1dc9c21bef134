/* check_hostile.c: hostile inputs (issue 16) must not crash, hang, grow
 * without bound or lose what they hold silently. Each test builds its
 * reproducer from a real server's output (the prefix of
 * tests/data/workload-excerpt.log, plans of tests/data/plans/, a csvlog
 * line of tests/data/forms/) grown or altered the way the issue found it,
 * runs the pgsift binary on it and reads the JSON report. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../analyzer/advice/advice_int.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

/* Peak RSS allowed to the runs of a test that streams a huge line or
 * record (kept whole, they took several times their size). ASan's
 * quarantine keeps up to 256 MiB of freed blocks on top. */
#ifdef __SANITIZE_ADDRESS__
#define RSS_MAX_KB (1024 * 1024)
#else
#define RSS_MAX_KB (350 * 1024)
#endif

/* The prefix and message start of a real log line (workload-excerpt.log). */
#define PREFIX "2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench LOG:  "

/* Runs pgsift report (JSON) on path with extra options; returns the
 * report parsed and the exit status in *status. */
static json_t *report(const char *path, const char *opts, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "%s report -q -f json %s '%s' 2>/dev/null",
		tu_bin(), opts ? opts : "", path);
	char *out = tu_run(cmd, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "report of %s is not JSON: %s", path, err.text);
	free(out);
	return j;
}

static json_t *input0(json_t *rep)
{
	return json_array_get(json_object_get(rep, "inputs"), 0);
}

/* Whether the first input holds a problem at line whose message has needle. */
static bool has_problem(json_t *rep, json_int_t line, const char *needle)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(input0(rep), "problems"), i, p) {
		const char *m = json_string_value(json_object_get(p, "message"));
		if (json_integer_value(json_object_get(p, "line")) == line && m && strstr(m, needle))
			return true;
	}
	return false;
}

static json_int_t queries(json_t *rep)
{
	return json_integer_value(json_object_get(json_object_get(rep, "totals"), "queries"));
}

static char *write_file(const struct strbuf *sb)
{
	return tu_write_temp(sb->buf, sb->len);
}

/* ---- the advice step ---- */

/* "SELECT a+a+...+a FROM t OFFSET 10" (the OFFSET makes the advice parse
 * it), n terms, timed 4 s. */
static char *chain_log(size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_append(&sb, PREFIX "duration: 4000.068 ms  statement: SELECT a",
		strlen(PREFIX "duration: 4000.068 ms  statement: SELECT a"));
	for (size_t i = 1; i < n; i++)
		sb_append(&sb, "+a", 2);
	sb_append(&sb, " FROM t OFFSET 10\n", 18);
	char *path = write_file(&sb);
	sb_release(&sb);
	return path;
}

/* 70,000 chained operators killed the run with SIGSEGV inside libpg_query's
 * JSON output; 50,000 (under the advice's size limit once normalized) are
 * parsed on a thread of their own, with a main stack of 2 MiB that could
 * not have held them. Either way the statement counts and the skipped
 * advice is a problem at its line. */
START_TEST(test_deep_statement)
{
	static const struct { size_t terms; const char *why; } cases[] = {
		{ 50000, "nested deeper than the advice reads" },
		{ 70000, "longer than the 256 KiB" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		char *path = chain_log(cases[k].terms);
		int st;
		char cmd[4096];
		snprintf(cmd, sizeof(cmd), "ulimit -s 2048; %s report -q -f json -j 1 '%s' 2>/dev/null",
			tu_bin(), path);
		char *out = tu_run(cmd, &st);
		json_t *rep = json_loads(out, 0, NULL);
		ck_assert_msg(rep != NULL, "%zu terms: no report (exit %d)", cases[k].terms, st);
		ck_assert_int_eq(st, 3);        /* partial: a problem was found */
		ck_assert_int_eq(queries(rep), 1);
		ck_assert_msg(has_problem(rep, 1, cases[k].why), "%zu terms: no problem saying %s",
			cases[k].terms, cases[k].why);
		json_decref(rep);
		free(out);
		tu_remove(path);
	}
}
END_TEST

/* add_pred compared each new column with all the others (40,000 columns:
 * 6.5 s). Duplicates are still found, and at most 1,000 are kept. */
START_TEST(test_many_predicates)
{
	struct strbuf sb = STRBUF_INIT;
	const char *head = "SELECT 1 FROM t WHERE c0 = 1";
	sb_append(&sb, head, strlen(head));
	for (int i = 1; i < 3000; i++) {
		char term[64];
		int n = snprintf(term, sizeof(term), " AND c%d = %d AND c%d > 2", i % 1500, i, i % 1500);
		sb_append(&sb, term, (size_t)n);
	}
	struct adv_query *q = adv_query_parse(sb.buf);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_null(q->skipped);
	ck_assert_uint_eq(q->npreds, 1000);
	/* The first 1,000 are c0 =, then c1 = and c1 >, ... each once. */
	ck_assert_str_eq(q->preds[0].column, "c0");
	ck_assert_str_eq(q->preds[1].column, "c1");
	ck_assert_int_eq(q->preds[1].use, ADV_EQ);
	ck_assert_str_eq(q->preds[2].column, "c1");
	ck_assert_int_eq(q->preds[2].use, ADV_RANGE);
	for (size_t i = 1; i < q->npreds; i++)
		ck_assert(!(strcmp(q->preds[i].column, q->preds[i - 1].column) == 0 &&
			q->preds[i].use == q->preds[i - 1].use));
	adv_query_free(q);
	/* Small statements read as before. */
	q = adv_query_parse("SELECT 1 FROM t WHERE a = 1 AND a = 2 AND b > 3");
	ck_assert_uint_eq(q->npreds, 2);
	adv_query_free(q);
	sb_release(&sb);
}
END_TEST

/* ---- records past the limit ---- */

/* A line of 65 MiB between two statements: skipped with its line, the
 * others counted, in bounded memory (it took 7 times its size). */
START_TEST(test_long_line)
{
	struct strbuf sb = STRBUF_INIT;
	const char *stmt = PREFIX "duration: 4.068 ms  statement: SELECT ";
	sb_append(&sb, stmt, strlen(stmt));
	sb_append(&sb, "1\n", 2);
	sb_append(&sb, stmt, strlen(stmt));
	size_t big = ((size_t)65 << 20);
	size_t at = sb.len;
	for (size_t i = 0; i < big; i += 4096) {
		char x[4096];
		memset(x, 'x', sizeof(x));
		sb_append(&sb, x, sizeof(x));
	}
	ck_assert_uint_gt(sb.len - at, big - 1);
	sb_putc(&sb, '\n');
	sb_append(&sb, stmt, strlen(stmt));
	sb_append(&sb, "2\n", 2);
	char *path = write_file(&sb);
	sb_release(&sb);
	for (int jobs = 1; jobs <= 2; jobs++) {
		int st;
		json_t *rep = report(path, jobs == 1 ? "-j 1" : "-j 2", &st);
		ck_assert_int_eq(st, 3);
		ck_assert_int_eq(queries(rep), 2);
		ck_assert(has_problem(rep, 2, "a line longer than 64 MiB, skipped"));
		ck_assert_int_eq(json_integer_value(json_object_get(input0(rep), "lines")), 3);
		json_decref(rep);
	}
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	ck_assert_msg(ru.ru_maxrss < RSS_MAX_KB, "peak %ld KB for a 65 MiB line", ru.ru_maxrss);
	tu_remove(path);
}
END_TEST

/* /dev/zero with a forced format grew until allocation failed (400 MB of
 * it: a window of 512 MiB and more). */
START_TEST(test_endless_line)
{
	static const char *const formats[] = { "jsonlog", "csvlog", "stderr --prefix '%m [%p] '" };
	for (size_t k = 0; k < ARRAY_SIZE(formats); k++) {
		char cmd[1024];
		int st;
		snprintf(cmd, sizeof(cmd), "head -c 400000000 /dev/zero | %s report -q -f json "
			"--input-format %s - 2>/dev/null", tu_bin(), formats[k]);
		char *out = tu_run(cmd, &st);
		json_t *rep = json_loads(out, 0, NULL);
		ck_assert_msg(rep != NULL, "%s: no report (exit %d)", formats[k], st);
		ck_assert(has_problem(rep, 1, "a line longer than 64 MiB, skipped"));
		json_decref(rep);
		free(out);
	}
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	ck_assert_msg(ru.ru_maxrss < RSS_MAX_KB, "peak %ld KB for 400 MB of zeros", ru.ru_maxrss);
}
END_TEST

/* A stderr record of 100 tab-led lines of 1 MiB, and a csvlog record
 * whose quoted message runs over 70 lines of 1 MiB: each skipped whole
 * from its first line, the records around them counted. */
START_TEST(test_long_record)
{
	struct strbuf sb = STRBUF_INIT, mib = STRBUF_INIT;
	for (int i = 0; i < (1 << 20); i += 64)
		sb_append(&mib, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", 64);
	const char *stmt = PREFIX "duration: 4.068 ms  statement: SELECT ";
	sb_append(&sb, stmt, strlen(stmt));
	sb_append(&sb, "1\n", 2);
	sb_append(&sb, stmt, strlen(stmt));
	sb_append(&sb, "3\n", 2);
	for (int i = 0; i < 100; i++) {
		sb_putc(&sb, '\t');
		sb_append(&sb, mib.buf, mib.len);
		sb_putc(&sb, '\n');
	}
	sb_append(&sb, stmt, strlen(stmt));
	sb_append(&sb, "2\n", 2);
	char *path = write_file(&sb);
	int st;
	json_t *rep = report(path, "-j 1", &st);
	ck_assert_int_eq(queries(rep), 2);
	ck_assert(has_problem(rep, 2, "a record longer than 64 MiB (lines 2 to 102), skipped"));
	json_decref(rep);
	tu_remove(path);

	/* csvlog: a line of tests/data/forms/postgresql.csv.zst. */
	const char *a = "2026-11-22 14:17:11.004 UTC,\"postgres\",\"postgres\",3634,\"[local]\","
		"6b02f966.e32,3,\"CREATE DATABASE\",2026-11-22 14:17:10 UTC,3/0,0,LOG,00000,"
		"\"duration: 61.087 ms  statement: SELECT ";
	const char *b = "\",,,,,,,,,\"psql\",\"client backend\",,-5218535329752333204\n";
	sb_reset(&sb);
	sb_append(&sb, a, strlen(a));
	sb_append(&sb, "1", 1);
	sb_append(&sb, b, strlen(b));
	sb_append(&sb, a, strlen(a));
	sb_append(&sb, "3\n", 2);
	for (int i = 0; i < 70; i++) {
		sb_append(&sb, mib.buf, mib.len);
		sb_putc(&sb, '\n');
	}
	sb_append(&sb, b, strlen(b));
	sb_append(&sb, a, strlen(a));
	sb_append(&sb, "2", 1);
	sb_append(&sb, b, strlen(b));
	path = tu_write_temp(sb.buf, sb.len);
	rep = report(path, "-j 1 --input-format csvlog", &st);
	ck_assert_int_eq(queries(rep), 2);
	ck_assert(has_problem(rep, 2, "csvlog record longer than 64 MiB"));
	json_decref(rep);
	tu_remove(path);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	ck_assert_msg(ru.ru_maxrss < RSS_MAX_KB, "peak %ld KB", ru.ru_maxrss);
	sb_release(&sb);
	sb_release(&mib);
}
END_TEST

/* ---- plans ---- */

/* The first plan of tests/data/plans/<name> (a real server's stderr log:
 * the "plan:" line and its tab-led lines), with edit applied to it. */
static char *first_plan(const char *name)
{
	char *rel = NULL;
	if (asprintf(&rel, "tests/data/plans/%s", name) < 0)
		abort();
	char *path = tu_data_path("check_hostile", rel);
	free(rel);
	char *text = tu_slurp(path);
	free(path);
	ck_assert_ptr_nonnull(text);
	/* Up to the next line that does not start with a tab, after the first. */
	char *end = strchr(text, '\n');
	while (end && end[1] == '\t')
		end = strchr(end + 1, '\n');
	if (end)
		end[1] = '\0';
	return text;
}

/* s with the first from replaced by to (caller frees). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	ck_assert_ptr_nonnull(at);
	struct strbuf sb = STRBUF_INIT;
	sb_append(&sb, s, (size_t)(at - s));
	sb_append(&sb, to, strlen(to));
	sb_append(&sb, at + strlen(from), strlen(at + strlen(from)));
	return sb.buf;
}

static json_t *the_plan(json_t *rep)
{
	return json_object_get(json_array_get(json_object_get(rep, "groups"), 0), "plan");
}

/* PostgreSQL writes estimates past 2^63 as integers: the JSON form's call
 * vanished ("cut short"), the text form's plan was counted but null in the
 * JSON report. Both now keep the plan, the estimate as a double. */
START_TEST(test_huge_estimates)
{
	char *json = first_plan("json.log");
	char *big_json = replace(json, "\"Plan Rows\": 7,", "\"Plan Rows\": 10000000000000000000000,");
	char *text = first_plan("text.log");
	char *big_text = replace(text, "(cost=602.19..602.51 rows=7 width=11)",
		"(cost=602.19..1000000000000000000000000000000000000000000000000000000000000.00 "
		"rows=10000000000000000000000 width=99999999999)");
	const char *bodies[] = { big_json, big_text };
	for (size_t k = 0; k < 2; k++) {
		char *path = tu_write_temp(bodies[k], strlen(bodies[k]));
		int st;
		json_t *rep = report(path, "-j 1", &st);
		ck_assert_int_eq(st, 0);
		ck_assert_int_eq(queries(rep), 1);
		json_t *root = json_object_get(the_plan(rep), "Plan");
		ck_assert_msg(json_is_object(root), "case %zu: the plan is not in the report", k);
		ck_assert(json_number_value(json_object_get(root, "Plan Rows")) == 1e22);
		if (k == 1) {
			ck_assert(json_number_value(json_object_get(root, "Total Cost")) == 1e60);
			/* width=99999999999 is clamped, not wrapped to -2147483648. */
			ck_assert_int_eq(json_integer_value(json_object_get(root, "Plan Width")), 2147483647);
		}
		json_decref(rep);
		tu_remove(path);
	}
	free(json);
	free(big_json);
	free(text);
	free(big_text);
}
END_TEST

/* Plans too deep for JSON readers: the call counts, the plan is dropped
 * with a problem at its line (it was null in the JSON report, or the call
 * said to be "cut short"). */
START_TEST(test_deep_plans)
{
	/* Text: the real plan's Sort node line, nested 2,000 deep. */
	struct strbuf sb = STRBUF_INIT;
	const char *head = PREFIX "duration: 5.0 ms  plan:\n\tQuery Text: SELECT 2 FROM t\n";
	const char *node = "Sort  (cost=592.17..592.19 rows=7 width=11) (actual time=12.173..12.177 rows=7 loops=3)\n";
	sb_append(&sb, head, strlen(head));
	for (int d = 0; d < 2000; d++) {
		sb_putc(&sb, '\t');
		for (int i = 0; d && i < 2 + 6 * (d - 1); i++)
			sb_putc(&sb, ' ');
		if (d)
			sb_append(&sb, "->  ", 4);
		sb_append(&sb, node, strlen(node));
	}
	char *path = tu_write_temp(sb.buf, sb.len);
	int st;
	json_t *rep = report(path, "-j 1", &st);
	ck_assert_int_eq(queries(rep), 1);
	ck_assert(json_is_null(the_plan(rep)));
	ck_assert(has_problem(rep, 1, "an auto_explain plan that cannot be read (nested 400 nodes deep"));
	json_decref(rep);
	tu_remove(path);

	/* JSON: 1,100 nodes deep. */
	sb_reset(&sb);
	const char *jhead = PREFIX "duration: 5.0 ms  plan:\n\t{\"Query Text\": \"SELECT 3 FROM t\", \"Plan\": ";
	const char *jnode = "{\"Node Type\": \"Sort\", \"Startup Cost\": 592.17, \"Total Cost\": 592.19, "
		"\"Plan Rows\": 7, \"Plan Width\": 11";
	sb_append(&sb, jhead, strlen(jhead));
	for (int d = 0; d < 1100; d++) {
		if (d)
			sb_append(&sb, ", \"Plans\": [", 12);
		sb_append(&sb, jnode, strlen(jnode));
	}
	for (int d = 1100; d > 0; d--)
		sb_append(&sb, d > 1 ? "}]" : "}", d > 1 ? 2 : 1);
	sb_append(&sb, "}\n", 2);
	path = tu_write_temp(sb.buf, sb.len);
	rep = report(path, "-j 1", &st);
	ck_assert_int_eq(queries(rep), 1);
	ck_assert(json_is_null(the_plan(rep)));
	ck_assert(has_problem(rep, 1, "not JSON jansson reads (nested deeper than 2,048 levels"));
	json_decref(rep);
	tu_remove(path);
	sb_release(&sb);
}
END_TEST

/* Buffers past 2^63 were cast to -9223372036854775808 (undefined
 * behaviour, caught by -fsanitize=float-cast-overflow). */
START_TEST(test_huge_buffers)
{
	char *text = first_plan("text.log");
	char *big = replace(text, "Buffers: shared hit=363", "Buffers: shared hit=100000000000000000000");
	char *path = tu_write_temp(big, strlen(big));
	int st;
	json_t *rep = report(path, "-j 1", &st);
	json_t *root = json_object_get(the_plan(rep), "Plan");
	ck_assert(json_is_object(root));
	ck_assert(json_integer_value(json_object_get(root, "Shared Hit Blocks")) == INT64_MAX);
	json_decref(rep);
	tu_remove(path);
	free(text);
	free(big);
}
END_TEST

/* A statistics value of 1e30 in a real pg_stat_user_tables snapshot
 * (n_dead_tup of orders): cast to int64 it was undefined behaviour, and
 * the release build showed it as unknown. */
START_TEST(test_huge_statistic)
{
	char *before = tu_data_path("check_hostile", "tests/data/snapshots/pg_stat_user_tables_before.csv");
	char *after = tu_data_path("check_hostile", "tests/data/snapshots/pg_stat_user_tables_after.csv");
	char *log = tu_data_path("check_hostile", "tests/data/workload-excerpt.log");
	char *text = tu_slurp(after);
	ck_assert_ptr_nonnull(text);
	/* orders: ...,n_live_tup 0,n_dead_tup 2,n_mod_since_analyze 2,... */
	char *big = replace(text, ",public,orders,114,11400000,8006,792006,0,2,0,0,0,2,",
		",public,orders,114,11400000,8006,792006,0,2,0,0,0,1e30,");
	char *big_path = tu_write_temp(big, strlen(big));
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof(cmd), "%s report -q -f json -j 1 '%s' '%s' '%s' 2>/dev/null",
		tu_bin(), log, before, big_path);
	char *out = tu_run(cmd, &st);
	json_t *rep = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(rep);
	size_t i;
	json_t *t;
	bool seen = false;
	json_array_foreach(json_object_get(json_object_get(rep, "snapshots"), "tables"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "table")), "orders") != 0)
			continue;
		seen = true;
		ck_assert(json_integer_value(json_object_get(t, "n_dead_tup")) == INT64_MAX);
	}
	ck_assert(seen);
	json_decref(rep);
	free(out);
	tu_remove(big_path);
	free(big);
	free(text);
	free(before);
	free(after);
	free(log);
}
END_TEST

/* How many problems of the first input have needle in their message. */
static int count_problems(json_t *rep, const char *needle)
{
	int n = 0;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(input0(rep), "problems"), i, p) {
		const char *m = json_string_value(json_object_get(p, "message"));
		n += m && strstr(m, needle);
	}
	return n;
}

static json_t *group_of(json_t *rep, const char *prefix)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(rep, "groups"), i, g) {
		const char *q = json_string_value(json_object_get(g, "query"));
		if (q && strncmp(q, prefix, strlen(prefix)) == 0)
			return g;
	}
	return NULL;
}

/* The same situations written by a real server (tests/workload/
 * pg-hostile.sh): a 1e24-row estimate and a 451-node plan in both forms,
 * 50,000 chained operators, a 65 MiB statement. */
START_TEST(test_live_server)
{
	if (!tu_have_server("check_hostile live"))
		return;
	char dir[] = "/tmp/pgsift-hostile-out.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pg-hostile.sh' '%s' >&2",
		tu_root(), dir);
	ck_assert_int_eq(system(cmd), 0);
	char log[4200];
	snprintf(log, sizeof(log), "%s/postgresql.log", dir);
	int st;
	json_t *rep = report(log, "-j 2", &st);
	ck_assert_int_eq(st, 3);
	/* The SELECT 1 after each hostile statement counts. */
	json_t *g = group_of(rep, "SELECT $1");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "calls")), 6);
	/* The estimate past 2^63, in the plan kept. */
	g = group_of(rep, "SELECT count(*) FROM hostile_rows() a, hostile_rows() b");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "calls")), 2);
	json_t *join = json_array_get(json_object_get(json_object_get(json_object_get(g,
		"plan"), "Plan"), "Plans"), 0);
	ck_assert(json_number_value(json_object_get(join, "Plan Rows")) > 9.3e18);
	/* The deep plans: counted, dropped, said. */
	g = group_of(rep, "SELECT * FROM (SELECT * FROM");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "calls")), 2);
	ck_assert(json_is_null(json_object_get(g, "plan")));
	ck_assert_int_eq(count_problems(rep, "nested 400 nodes deep or more"), 2);
	/* The chain: counted, its advice skipped and said. */
	g = group_of(rep, "SELECT a + a + a");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "calls")), 1);
	ck_assert_int_eq(count_problems(rep, "a statement counted without advice"), 1);
	/* The 65 MiB statement: its log_statement line and its plan's Query
	 * Text line. */
	ck_assert_int_eq(count_problems(rep, "a line longer than 64 MiB, skipped"), 2);
	json_decref(rep);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_hostile(void);
Suite *suite_hostile(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_deep_statement);
	tcase_add_test(tc, test_many_predicates);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_endless_line);
	tcase_add_test(tc, test_long_record);
	tcase_add_test(tc, test_huge_estimates);
	tcase_add_test(tc, test_deep_plans);
	tcase_add_test(tc, test_huge_buffers);
	tcase_add_test(tc, test_huge_statistic);
	tcase_add_test(tc, test_live_server);
	suite_add_tcase(s, tc);
	return s;
}
