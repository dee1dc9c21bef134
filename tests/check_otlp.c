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

struct run {
	size_t spans, db, segments;
	double db_ms;
	char app[32], txn[32];
	struct input_report rep;
};

static void run_buf(const char *buf, struct run *r, const char *force)
{
	memset(r, 0, sizeof(*r));
	const struct parser *p = force ? parser_find(force) : parser_detect(buf, strlen(buf));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->id, "otlp");
	struct parse_ctx ctx = { .lr = lr_open_mem(buf, strlen(buf)), .path = "mem",
		.report = &r->rep };
	void *st = p->open(&ctx);
	struct record rec;
	for (;;) {
		memset(&rec, 0, sizeof(rec));
		if (p->next(st, &rec) <= 0)
			break;
		r->spans++;
		struct span_record *s = &rec.u.span;
		if (s->is_segment) {
			r->segments++;
			snprintf(r->txn, sizeof(r->txn), "%.*s", (int)s->transaction.len, s->transaction.ptr);
		}
		if (s->is_db) {
			r->db++;
			r->db_ms += s->duration_ms;
			snprintf(r->app, sizeof(r->app), "%.*s", (int)s->app.len, s->app.ptr);
		}
	}
	p->close(st);
	lr_close(ctx.lr);
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->rep.nkept; i++)
		free(r->rep.problems[i].message);
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
	ck_assert_msg(r.spans == t->spans && r.db == t->db, "%s: %zu/%zu", t->name, r.spans, r.db);
	ck_assert_uint_eq(r.segments, 1);
	ck_assert_str_eq(r.txn, "index");
	ck_assert_str_eq(r.app, "books");
	/* 174.41 ms, as the Sentry event has it. */
	ck_assert_msg(fabs(r.db_ms - 174.41) < 0.01, "%s: %f ms", t->name, r.db_ms);
	ck_assert_uint_eq(r.rep.nproblems, 0);
	run_free(&r);
}
END_TEST

START_TEST(test_malformed)
{
	static const char torn[] = DOC(SPAN_VIEW) "\n{\"resourceSpans\":[" RES "\n"
		"{\"resourceLogs\":[]}\n";
	struct run r;
	run_buf(torn, &r, NULL);
	ck_assert_uint_eq(r.spans, 1);
	ck_assert_uint_eq(r.rep.nproblems, 2);
	ck_assert_uint_eq(r.rep.problems[0].line, 2);
	ck_assert_ptr_nonnull(strstr(r.rep.problems[0].message, "OTLP line is not JSON"));
	ck_assert_uint_eq(r.rep.problems[1].line, 3);
	ck_assert_ptr_nonnull(strstr(r.rep.problems[1].message, "no resourceSpans"));
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
