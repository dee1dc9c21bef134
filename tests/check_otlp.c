/* check_otlp.c: the otlp parser (OpenTelemetry OTLP JSON), fed in-memory
 * buffers through the registry.
 *
 * The spans are the Django N+1 event's (../shared/corpus/sentry), in the
 * OTLP shape tests/data/traces/make.py gives them; malformed inputs are
 * those lines cut or altered. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "parse_testutil.h"
#include "parser.h"
#include "testutil.h"

#define RES "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"books\"}}]},"
#define SPAN_VIEW "{\"traceId\":\"3c080d683c904cb68a18361a093aa6ce\",\"spanId\":\"8dd7a5869a4f4583\"," \
	"\"parentSpanId\":\"\",\"name\":\"index\",\"kind\":1,\"startTimeUnixNano\":\"1661957869629363000\"," \
	"\"endTimeUnixNano\":\"1661957873995224000\",\"attributes\":[]}"
#define SPAN_DB(start, end) "{\"traceId\":\"3c080d683c904cb68a18361a093aa6ce\",\"spanId\":\"b8be6138369491dd\"," \
	"\"parentSpanId\":\"8dd7a5869a4f4583\",\"name\":\"SELECT\",\"kind\":3,\"startTimeUnixNano\":" start "," \
	"\"endTimeUnixNano\":" end ",\"attributes\":[{\"key\":\"db.query.text\",\"value\":{\"stringValue\":" \
	"\"SELECT `books_author`.`id`, `books_author`.`name` FROM `books_author` WHERE `books_author`.`id` = %s LIMIT 21\"}}," \
	"{\"key\":\"db.system.name\",\"value\":{\"stringValue\":\"mysql\"}}]}"
#define DOC(spans) "{\"resourceSpans\":[" RES "\"scopeSpans\":[{\"scope\":{\"name\":\"x\"},\"spans\":[" spans "]}]}]}"

/* Parses buf through the core's driver, with the parser it detects or
 * force; it must be otlp, and each record a span. */
static void run_buf(const char *buf, struct run *r, const char *force)
{
	struct driver_cfg cfg = { .input_format = force };
	run_text(&cfg, buf, strlen(buf), 0, REC_SPAN, r);
	ck_assert(r->opened);
	ck_assert_str_eq(r->report.format, "otlp");
}

/* The database spans' time, in ms. */
static double db_ms(const struct run *r)
{
	double ms = 0;
	for (size_t i = 0; i < r->nsp; i++)
		if (r->sp[i].is_db)
			ms += r->sp[i].duration_ms;
	return ms;
}

/* The field k of the last span that is_db (or is a segment), "" if none. */
static const char *last_of(const struct run *r, bool segment, int k)
{
	const char *s = "";
	for (size_t i = 0; i < r->nsp; i++)
		if (segment ? r->sp[i].is_segment : r->sp[i].is_db)
			s = r->sp[i].s[k];
	return s;
}

static const struct shape {
	const char *name, *buf;
	size_t spans, db;
} shapes[] = {
	{ "document, times as strings", DOC(SPAN_VIEW "," SPAN_DB("\"1661957870022113000\"", "\"1661957870196523000\"")) "\n", 2, 1 },
	{ "pretty-printed", "{\n \"resourceSpans\": [\n" RES "\"scopeSpans\":[{\"spans\":[" SPAN_VIEW "," SPAN_DB("1661957870022113000", "1661957870196523000") "]}]}\n ]\n}\n", 2, 1 },
	{ "array of documents", "[" DOC(SPAN_VIEW) "," DOC(SPAN_DB("\"1661957870022113000\"", "\"1661957870196523000\"")) "]", 2, 1 },
	{ "one per line", DOC(SPAN_VIEW) "\n" DOC(SPAN_DB("1661957870022113000", "1661957870196523000")) "\n", 2, 1 },
};

START_TEST(test_shapes)
{
	const struct shape *t = &shapes[_i];
	struct run r;
	run_buf(t->buf, &r, NULL);
	ck_assert_msg(r.nsp == t->spans && spans_db(&r) == t->db, "%s: %zu/%zu", t->name,
		r.nsp, spans_db(&r));
	ck_assert_uint_eq(spans_segments(&r), 1);
	ck_assert_str_eq(last_of(&r, true, SP_TXN), "index");
	ck_assert_str_eq(last_of(&r, false, SP_APP), "books");
	/* 174.41 ms, as the Sentry event has it. */
	ck_assert_msg(fabs(db_ms(&r) - 174.41) < 0.01, "%s: %f ms", t->name, db_ms(&r));
	ck_assert_uint_eq(r.report.nproblems, 0);
	run_free(&r);
}
END_TEST

START_TEST(test_malformed)
{
	static const char torn[] = DOC(SPAN_VIEW) "\n{\"resourceSpans\":[" RES "\n"
		"{\"resourceLogs\":[]}\n";
	struct run r;
	run_buf(torn, &r, NULL);
	ck_assert_uint_eq(r.nsp, 1);
	ck_assert_uint_eq(r.report.nproblems, 2);
	ck_assert_uint_eq(r.report.problems[0].line, 2);
	ck_assert_ptr_nonnull(strstr(r.report.problems[0].message, "OTLP line is not JSON"));
	ck_assert_uint_eq(r.report.problems[1].line, 3);
	ck_assert_ptr_nonnull(strstr(r.report.problems[1].message, "no resourceSpans"));
	run_free(&r);
}
END_TEST

/* A whole run on the re-shaped export: the Django loop, from OTLP. */
START_TEST(test_file)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/traces/django-otlp.json", tu_root());
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	o.input_format = "otlp";
	const char *paths[] = { path };
	struct analysis *a;
	ck_assert_int_eq(analysis_run(&o, paths, 1, &a), ANALYSIS_OK);
	struct group *g = tu_find_group(a, "\"books_author\"");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->calls, 10);
	ck_assert_str_eq(g->apps.v[0].name, "books");
	analysis_free(a);
}
END_TEST

Suite *suite_otlp(void);
Suite *suite_otlp(void)
{
	Suite *s = suite_create("otlp");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_shapes, 0, (int)ARRAY_SIZE(shapes));
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}
