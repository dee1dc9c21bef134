/* check_plan_errors.c: plans that are not whole or not plans: malformed
 * text, the real logs' bodies cut short, and other shapes of input, each
 * refused with a message or read as far as it goes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_testutil.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

/* ---- malformed input ---- */

static const struct error_case {
	const char *body;
	const char *message;
} errors[] = {
	{ "", "empty" },
	{ " \n\t\n", "empty" },
	{ "garbage", "not a plan" },
	{ "duration: 1.0 ms  statement: SELECT 1", "not a plan" },
	{ "Query Text: SELECT 1", "no plan node" },
	{ "Query Text: SELECT 1\nResult  (cost=0.00..0.01 rows=1 width=4) (actual time=0.0",
		"no plan node" },
	{ "{", "JSON plan: line 1" },
	{ "{\"Query Text\": \"SELECT 1\", \"Plan\": {\"Node Type\": \"Result\"", "JSON plan: line 1" },
	{ "{}", "no \"Plan\" object" },
	{ "[]", "not an object" },
	{ "[1]", "not an object" },
	{ "{\"Plan\": 5}", "no \"Plan\" object" },
	{ "{\"Plan\": {}}", "no \"Node Type\"" },
	{ "{\"Plan\": {\"Node Type\": 5}}", "\"Node Type\" is not a string" },
	{ "{\"Plan\": {\"Node Type\": \"Limit\", \"Actual Rows\": \"7\"}}", "is not a number" },
	{ "{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": {}}}", "\"Plans\" is not a list" },
	{ "{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": [7]}}", "not an object" },
	{ "{\"Plan\": {\"Node Type\": \"Sort\", \"Sort Key\": [1]}}", "non-string" },
	{ "{\"Plan\": {\"Node Type\": \"Sort\", \"Parallel Aware\": 1}}", "not a boolean" },
	{ "{\"Query Text\": 3, \"Plan\": {\"Node Type\": \"Result\"}}", "not a string" },
	{ "{\"Plan\": {\"Node Type\": \"Result\"}, \"Triggers\": {}}", "not a list" },
};

START_TEST(malformed)
{
	const struct error_case *c = &errors[_i];
	char err[256] = "";
	struct plan *p = plan_parse(c->body, strlen(c->body), err, sizeof(err));
	ck_assert_msg(p == NULL, "\"%s\" parsed", c->body);
	ck_assert_msg(strstr(err, c->message) != NULL, "\"%s\": message \"%s\"", c->body, err);
}
END_TEST

/* Real plans broken the ways logs break them. */
START_TEST(malformed_real)
{
	char err[256];
	/* A child line cut in its figures. */
	char *b = body("text.log", 29);
	char *cut = strstr(b, "->  Seq Scan on order_items");
	cut[40] = '\0';
	ck_assert_ptr_null(plan_parse(b, strlen(b), err, sizeof(err)));
	ck_assert_msg(strstr(err, "line 9: a plan node's figures are cut short"), "%s", err);
	free(b);
	/* A node line moved where no parent can own it. */
	b = body("text.log", 29);
	struct strbuf sb = STRBUF_INIT;
	cut = strstr(b, "  ->  Hash Join");
	sb_append(&sb, b, (size_t)(cut - b));
	sb_append(&sb, "   ", 3);
	sb_append(&sb, cut, strlen(cut));
	ck_assert_ptr_null(plan_parse(sb.buf, sb.len, err, sizeof(err)));
	ck_assert_msg(strstr(err, "line 5: a plan node where none can be"), "%s", err);
	sb_release(&sb);
	free(b);
}
END_TEST

/* Every cut of a real plan is refused with a message or read whole, never a
 * crash; a JSON body is refused until it is complete. */
START_TEST(truncated)
{
	const char *file = _i == 0 ? "text.log" : "json.log";
	char *b = body(file, _i == 0 ? 10 : 2), err[256];
	size_t len = strlen(b);
	for (size_t k = 0; k < len; k++) {
		err[0] = '\0';
		struct plan *p = plan_parse(b, k, err, sizeof(err));
		if (p) {
			ck_assert_msg(_i == 0, "JSON cut at %zu parsed", k);
			char *s = plan_to_json(p);
			free(s);
			plan_free(p);
		} else {
			ck_assert_msg(err[0] != '\0', "%s cut at %zu: no message", file, k);
		}
	}
	struct plan *p = plan_parse(b, len, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	plan_free(p);
	free(b);
}
END_TEST

START_TEST(other_shapes)
{
	char err[256];
	/* Plain EXPLAIN text, without the query text auto_explain adds. */
	char *b = body("text.log", 21);
	char *plan = strchr(b, '\n') + 1;
	struct plan *p = plan_parse(plan, strlen(plan), err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_str(p->query_text, "");
	ck_assert_uint_eq(p->nnodes, 4);
	plan_free(p);
	free(b);
	/* EXPLAIN (FORMAT JSON) output: the object inside an array. */
	b = body("json.log", 3);
	struct strbuf sb = STRBUF_INIT;
	sb_putc(&sb, '[');
	sb_append(&sb, b, strlen(b));
	sb_putc(&sb, ']');
	p = plan_parse(sb.buf, sb.len, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_uint_eq(p->nnodes, 3);
	ck_str(nth(p, 1)->alias, "*VALUES*");
	plan_free(p);
	sb_release(&sb);
	free(b);
	/* Windows line ends. */
	b = body("text.log", 13);
	sb_reset(&sb);
	for (const char *c = b; *c; c++) {
		if (*c == '\n')
			sb_putc(&sb, '\r');
		sb_putc(&sb, *c);
	}
	p = plan_parse(sb.buf, sb.len, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert(nth(p, 3)->never_executed);
	ck_str(nth(p, 3)->index_name, "orders_customer_idx");
	plan_free(p);
	sb_release(&sb);
	free(b);
}
END_TEST
Suite *suite_plan_errors(void);

Suite *suite_plan_errors(void)
{
	Suite *s = suite_create("plan_errors");
	TCase *tc = tcase_create("errors");
	tcase_add_loop_test(tc, malformed, 0, (int)ARRAY_SIZE(errors));
	tcase_add_test(tc, malformed_real);
	tcase_add_loop_test(tc, truncated, 0, 2);
	tcase_add_test(tc, other_shapes);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
