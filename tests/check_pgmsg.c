/* check_pgmsg.c: statement messages as PostgreSQL writes them. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/logline/pgmsg_int.h"
#include "pgmsg.h"
#include "testutil.h"

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

/* ---- JSON plans: the scan of pgmsg_json.c against jansson ---- */

/* What pgmsg_plan_query() answered before the scan: jansson's reading. */
static char *jansson_query(const char *plan, size_t len)
{
	json_error_t err;
	json_t *root = json_loadb(plan, len, 0, &err);
	/* Integers past 2^63 (huge estimates) are read as doubles since. */
	if (!root && json_error_code(&err) == json_error_numeric_overflow)
		root = json_loadb(plan, len, JSON_DECODE_INT_AS_REAL, &err);
	json_t *qt = root ? json_object_get(root, "Query Text") : NULL;
	char *out = NULL;
	if (qt && json_is_string(qt)) {
		out = malloc(json_string_length(qt) + 1);
		memcpy(out, json_string_value(qt), json_string_length(qt));
		out[json_string_length(qt)] = '\0';
	}
	json_decref(root);
	return out;
}

/* pgmsg_plan_query() on plan equals jansson's reading; returns whether
 * the scan alone was sure of it. */
static bool same_as_jansson(const char *plan, size_t len, const char *where)
{
	struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;
	struct slice got;
	bool sure = pgmsg_json_query(slice_make(plan, len), &sb, &got);
	char *want = jansson_query(plan, len);
	if (sure) {
		ck_assert_msg(want ? got.len == strlen(want) && memcmp(got.ptr, want, got.len) == 0
			: got.len == 0, "%s: the scan read '%.*s', jansson '%s'", where,
			(int)got.len, got.ptr, want ? want : "(none)");
	}
	got = pgmsg_plan_query(slice_make(plan, len), true, &sb2);
	ck_assert_msg(want ? got.len == strlen(want) && memcmp(got.ptr, want, got.len) == 0
		: got.len == 0, "%s: read '%.*s', jansson '%s'", where, (int)got.len, got.ptr,
		want ? want : "(none)");
	free(want);
	sb_release(&sb);
	sb_release(&sb2);
	return sure;
}

/* Each JSON plan body of a stderr log (the entry's continuation lines
 * after "plan:", cleaned as the ingest cleans them), or of a jsonlog
 * file (the message after "plan:\n"); calls check on each, returns the
 * count. */
static int each_json_plan(const char *rel, void (*check)(const char *plan, size_t len,
		const char *where))
{
	char path[512], where[600];
	snprintf(path, sizeof(path), "%s/%s", tu_root(), rel);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	struct strbuf body = STRBUF_INIT, clean = STRBUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int count = 0, lineno = 0, start = 0;
	bool in_plan = false;
	for (;;) {
		n = getline(&line, &cap, f);
		lineno++;
		if (in_plan && (n <= 0 || line[0] != '\t')) {
			in_plan = false;
			struct slice b = pgmsg_clean(slice_make(body.buf, body.len), true, &clean);
			while (b.len && (*b.ptr == '\t' || *b.ptr == '\n')) {
				b.ptr++;
				b.len--;
			}
			if (b.len && b.ptr[0] == '{') {
				snprintf(where, sizeof(where), "%s:%d", rel, start);
				check(b.ptr, b.len, where);
				count++;
			}
		}
		if (n <= 0)
			break;
		if (in_plan) {
			sb_append(&body, line, (size_t)n);
		} else if (line[0] == '{') {
			json_t *o = json_loads(line, 0, NULL);
			const char *msg = json_string_value(json_object_get(o, "message"));
			const char *p = msg ? strstr(msg, "plan:\n") : NULL;
			if (p && p[6] == '{') {
				snprintf(where, sizeof(where), "%s:%d", rel, lineno);
				check(p + 6, strlen(p + 6), where);
				count++;
			}
			json_decref(o);
		} else if (n > 6 && memcmp(line + n - 6, "plan:\n", 6) == 0) {
			in_plan = true;
			start = lineno;
			sb_reset(&body);
		}
	}
	free(line);
	fclose(f);
	sb_release(&body);
	sb_release(&clean);
	return count;
}

static void check_real(const char *plan, size_t len, const char *where)
{
	ck_assert_msg(same_as_jansson(plan, len, where), "%s: the scan was not sure", where);
	/* Cut anywhere, a plan is not JSON: the scan hands it to jansson,
	 * which finds no query text, as before. */
	while (len && (plan[len - 1] == '\n' || plan[len - 1] == ' '))
		len--;
	for (size_t cut = 0; cut < len; cut += 1 + cut / 3) {
		ck_assert_msg(!same_as_jansson(plan, cut, where), "%s cut at %zu: the scan was sure",
			where, cut);
	}
}

static const char *const plan_files[] = {
	"tests/data/plans/json.log", "tests/data/plans/pairs.log", "tests/data/plans/jit.log",
	"tests/data/plans/workload.log", "tests/data/plans/workload.json",
	"tests/data/advice/plans.log",
};

/* Every JSON plan of the real server output: the scan is sure of it and
 * reads what jansson reads. */
START_TEST(test_json_plans_real)
{
	int n = each_json_plan(plan_files[_i], check_real);
	ck_assert_msg(n > 0, "%s: no JSON plan", plan_files[_i]);
}
END_TEST

/* A real plan's opening (json.log's first), with Query Text values and
 * extra top-level members put in its place. */
#define PLAN_HEAD "{\n  \"Query Text\": "
#define PLAN_TAIL ",\n  \"Plan\": {\n    \"Node Type\": \"Aggregate\",\n    \"Startup Cost\": 602.19,\n" \
	"    \"Parallel Aware\": false,\n    \"Group Key\": [\"c.region\"],\n    \"Plans\": [\n" \
	"      {\n        \"Node Type\": \"Seq Scan\",\n        \"Query Text\": \"nested\",\n" \
	"        \"Actual Rows\": 21,\n        \"Plans\": []\n      }\n    ]\n  },\n" \
	"  \"Triggers\": [\n  ],\n  \"Execution Time\": 19.661\n}"

struct json_case {
	const char *plan;
	bool sure;              /* the scan decides without jansson */
};

static const struct json_case json_cases[] = {
	{ PLAN_HEAD "\"SELECT 1;\"" PLAN_TAIL, true },
	/* escape_json()'s escapes, as the server writes them */
	{ PLAN_HEAD "\"SELECT \\\"a b\\\", '\\\\' FROM t\\nWHERE x = '\\t'\\r\\b\\f\\/;\"" PLAN_TAIL, true },
	/* \\u escapes, a surrogate pair, raw UTF-8 */
	{ PLAN_HEAD "\"SELECT '\\u00e9\\u20ac\\ud83d\\ude00', 'é€😀', '\\u001f'\"" PLAN_TAIL, true },
	{ PLAN_HEAD "\"\"" PLAN_TAIL, true },
	/* nested "Query Text" keys are not the plan's */
	{ "{\"Plan\": {\"Query Text\": \"inner\", \"Plans\": [{\"Query Text\": \"deeper\"}]}}", true },
	{ "{\"Plan\": [[[{\"Query Text\": \"x\"}]], {}, [], true, null, -0, 0.5, 12]}", true },
	/* a repeated key: the last one, as json_loadb keeps */
	{ PLAN_HEAD "\"first\", \"Query Text\": \"second\"" PLAN_TAIL, true },
	{ PLAN_HEAD "\"first\", \"Query Text\": null" PLAN_TAIL, true },
	{ PLAN_HEAD "42" PLAN_TAIL, true },
	{ PLAN_HEAD "{\"Query Text\": \"in an object\"}" PLAN_TAIL, true },
	{ "{}", true },
	{ " \t\r\n{\"Query Text\": \"x\"} \n", true },
	/* left to jansson */
	{ "{\"Query\\u0020Text\": \"spelt with an escape\"}", false },
	{ PLAN_HEAD "\"nul \\u0000 inside\"" PLAN_TAIL, false },
	{ PLAN_HEAD "\"lone \\ud83d surrogate\"" PLAN_TAIL, false },
	{ PLAN_HEAD "\"bad \\x escape\"" PLAN_TAIL, false },
	{ PLAN_HEAD "\"raw\ttab\"" PLAN_TAIL, false },
	{ PLAN_HEAD "\"bad \xC3\x28 utf-8\"" PLAN_TAIL, false },
	{ PLAN_HEAD "\"overlong \xC0\xAF\"" PLAN_TAIL, false },
	{ "{\"Query Text\": \"x\", \"Cost\": 1e400}", false },
	{ "{\"Query Text\": \"x\", \"Cost\": 1.5E3}", false },
	{ "{\"Query Text\": \"x\", \"Rows\": 99999999999999999999}", false },
	{ "{\"Query Text\": \"x\", \"Rows\": 0123}", false },
	{ "{\"Query Text\": \"x\", \"Rows\": 1.}", false },
	{ "{\"Query Text\": \"x\", \"Rows\": -}", false },
	{ "{\"Query Text\": \"x\", \"Rows\": tru}", false },
	{ "{\"Query Text\": \"x\", \"Rows\": nullx}", false },
	{ "{\"Query Text\": \"x\",}", false },
	{ "{\"Query Text\": \"x\"} trailing", false },
	{ "{\"Query Text\": \"x\"}}", false },
	{ "{\"Query Text\": \"x\", \"Plan\": [1, 2}", false },
	{ "[{\"Query Text\": \"in an array\"}]", false },
	{ "{\"Query Text\" \"x\"}", false },
	{ "", false },
	{ PLAN_HEAD "\"SELECT 1;\"", false },
};

START_TEST(test_json_plan_cases)
{
	const struct json_case *c = &json_cases[_i];
	char where[32];
	snprintf(where, sizeof(where), "case %d", _i);
	ck_assert_msg(same_as_jansson(c->plan, strlen(c->plan), where) == c->sure,
		"case %d: the scan was %ssure", _i, c->sure ? "not " : "");
}
END_TEST

/* Deeper than the scan goes (its MAX_DEPTH, 512): jansson decides. */
START_TEST(test_json_plan_depth)
{
	size_t depth = 600;
	char *s = malloc(2 * depth + 64);
	char *o = s + sprintf(s, "{\"Query Text\": \"deep\", \"Plan\": ");
	memset(o, '[', depth);
	memset(o + depth, ']', depth);
	strcpy(o + 2 * depth, "}");
	ck_assert(!same_as_jansson(s, strlen(s), "600 deep"));
	memset(o + 200, ']', 200);  /* 200 deep is the scan's */
	strcpy(o + 400, "}");
	ck_assert(same_as_jansson(s, strlen(s), "200 deep"));
	free(s);
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
	tc = tcase_create("json_plans");
	tcase_add_loop_test(tc, test_json_plans_real, 0, (int)(sizeof(plan_files) / sizeof(plan_files[0])));
	tcase_add_loop_test(tc, test_json_plan_cases, 0, (int)(sizeof(json_cases) / sizeof(json_cases[0])));
	tcase_add_test(tc, test_json_plan_depth);
	suite_add_tcase(s, tc);
	return s;
}
