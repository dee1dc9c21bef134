/* check_sentry.c: the sentry and sentry-csv parsers, fed in-memory
 * buffers and real files through the registry.
 *
 * Buffers are cut from the real Sentry events of ../shared/corpus/sentry
 * and their re-shapes in tests/data/traces (make.py); malformed inputs are
 * those lines cut or altered. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "findings.h"
#include "parse_testutil.h"
#include "parser.h"
#include "testutil.h"

/* Parses buf through the core's driver with the parser it detects; each
 * record must be a span. */
static void run_buf(const char *buf, struct run *r)
{
	struct driver_cfg cfg = { 0 };
	run_text(&cfg, buf, strlen(buf), 0, REC_SPAN, r);
	ck_assert(r->opened);
}

/* The first database span's SQL, "" when there is none. */
static const char *first_db(const struct run *r)
{
	for (size_t i = 0; i < r->nsp; i++)
		if (r->sp[i].is_db)
			return r->sp[i].s[SP_DESC];
	return "";
}

/* Two real spans of the Rails event (the source query and the first
 * repeat), as a transaction event, a span-first array, NDJSON. */
#define SPAN_SRC "{\"timestamp\":1661981058.64724,\"start_timestamp\":1661981058.472155," \
	"\"exclusive_time\":175.085068,\"description\":\"SELECT `books_book`.* FROM `books_book` ORDER BY `books_book`.`id` ASC LIMIT 10\"," \
	"\"op\":\"db.sql.active_record\",\"span_id\":\"9ca80fdadb3f54d4\",\"parent_span_id\":\"bcaeb5a1b27b5d9e\"," \
	"\"trace_id\":\"6913189a56f64df1bf1771626f28277d\",\"data\":{\"connection_id\":null},\"hash\":\"29f8d7f99c8e2947\",\"same_process_as_parent\":true}"
#define SPAN_REP "{\"timestamp\":1661981058.874272,\"start_timestamp\":1661981058.647254," \
	"\"exclusive_time\":227.018118,\"description\":\"SELECT `books_author`.* FROM `books_author` WHERE `books_author`.`id` = 396 LIMIT 1\"," \
	"\"op\":\"db.sql.active_record\",\"span_id\":\"d160421483be35c9\",\"parent_span_id\":\"bcaeb5a1b27b5d9e\"," \
	"\"trace_id\":\"6913189a56f64df1bf1771626f28277d\",\"data\":{\"connection_id\":null},\"hash\":\"16e47198202001c5\",\"same_process_as_parent\":true}"
#define SPAN_TPL "{\"timestamp\":1661981061.785,\"start_timestamp\":1661981061.782809," \
	"\"exclusive_time\":2.191067,\"description\":\"text template\",\"op\":\"template.render_template.action_view\"," \
	"\"span_id\":\"f85c58dc70bdb570\",\"parent_span_id\":\"bcaeb5a1b27b5d9e\",\"trace_id\":\"6913189a56f64df1bf1771626f28277d\"}"
#define EVENT "{\"event_id\":\"f8ebf96e6a6a4da1830e1e6b18ac0a7a\",\"transaction\":\"BooksController#index\"," \
	"\"start_timestamp\":1661981058.2462,\"timestamp\":1661981061.786225,\"type\":\"transaction\"," \
	"\"spans\":[" SPAN_SRC "," SPAN_REP "," SPAN_TPL "]}"

static const struct shape {
	const char *name, *buf, *format;
	size_t spans, db, segments;
	const char *first_db;
} shapes[] = {
	{ "event", EVENT "\n", "sentry", 4, 2, 1, "SELECT `books_book`.*" },
	{ "event pretty-printed", "{\n  \"type\": \"transaction\",\n  \"transaction\": \"x\",\n"
		"  \"start_timestamp\": 1661981058.2462,\n  \"spans\": [\n" SPAN_REP "\n  ]\n}\n",
		"sentry", 2, 1, 1, "SELECT `books_author`.*" },
	{ "array of events", "[" EVENT ",\n" EVENT "]\n", "sentry", 8, 4, 2, "SELECT `books_book`.*" },
	{ "ndjson of events", EVENT "\n\n" EVENT "\n", "sentry", 8, 4, 2, "SELECT `books_book`.*" },
	{ "bare spans", "[" SPAN_SRC "," SPAN_TPL "]", "sentry", 2, 1, 0, "SELECT `books_book`.*" },
	{ "envelope, other items skipped", "{\"event_id\":\"f8ebf96e6a6a4da1830e1e6b18ac0a7a\",\"sent_at\":\"2022-08-31T21:24:21Z\"}\n"
		"{\"type\":\"session\",\"length\":10}\n{\"sid\":\"x\"}\n"
		"{\"type\":\"transaction\"}\n" EVENT "\n", "sentry", 4, 2, 1, "SELECT `books_book`.*" },
	/* @sentry/node's client report: a header of {} and an item header
	 * without length, before a transaction envelope. */
	{ "envelope with a header of {}", "{}\n{\"type\":\"client_report\"}\n"
		"{\"timestamp\":1661981061.9,\"discarded_events\":[{\"reason\":\"sample_rate\","
		"\"category\":\"transaction\",\"quantity\":3}]}\n"
		"{\"event_id\":\"f8ebf96e6a6a4da1830e1e6b18ac0a7a\",\"sent_at\":\"2022-08-31T21:24:21Z\"}\n"
		"{\"type\":\"transaction\"}\n" EVENT "\n", "sentry", 4, 2, 1, "SELECT `books_book`.*" },
	/* serializeEnvelope writes no final newline: envelopes saved one
	 * after another as sent glue a payload and the next header. */
	{ "envelopes without a newline between them", "{}\n{\"type\":\"client_report\"}\n"
		"{\"timestamp\":1661981061.9,\"discarded_events\":[]}"
		"{\"event_id\":\"f8ebf96e6a6a4da1830e1e6b18ac0a7a\",\"sent_at\":\"2022-08-31T21:24:21Z\"}\n"
		"{\"type\":\"transaction\"}\n" EVENT "{}\n{\"type\":\"client_report\"}\n"
		"{\"timestamp\":1661981062.9,\"discarded_events\":[]}{\"sent_at\":\"2022-08-31T21:24:22Z\"}\n"
		"{\"type\":\"transaction\"}\n" EVENT,
		"sentry", 8, 4, 2, "SELECT `books_book`.*" },
	/* A capture that starts at an item header, not at the header. */
	{ "envelope cut before its header", "{\"type\":\"session\"}\n{\"sid\":\"x\",\"status\":\"ok\"}\n"
		"{\"type\":\"transaction\"}\n" EVENT "\n", "sentry", 4, 2, 1, "SELECT `books_book`.*" },
	{ "span-first item container", "{\"version\":2,\"items\":[{\"span_id\":\"a05754d3fde2db29\","
		"\"parent_span_id\":\"9f31e1ee4ef94970\",\"trace_id\":\"679ca2e3ce344d689f7b42b0e8fb32a4\","
		"\"start_timestamp\":\"2022-08-31T14:59:31.911963Z\",\"end_timestamp\":\"2022-08-31T14:59:32.078148Z\","
		"\"name\":\"SELECT VERSION()\",\"is_segment\":false,\"attributes\":{\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"},"
		"\"db.query.text\":{\"type\":\"string\",\"value\":\"SELECT VERSION()\"}}},"
		"{\"span_id\":\"9f31e1ee4ef94970\",\"parent_span_id\":\"975f73422c8b1592\",\"trace_id\":\"679ca2e3ce344d689f7b42b0e8fb32a4\","
		"\"start_timestamp\":1661957970.393029,\"end_timestamp\":1661957972.244459,\"name\":\"connect\","
		"\"attributes\":{\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"}}}]}\n",
		"sentry", 2, 1, 0, "SELECT VERSION()" },
	{ "explore csv", "id,parent_span,trace,transaction,span.op,span.description,span.duration,precise.start_ts,precise.finish_ts\n"
		"d160421483be35c9,bcaeb5a1b27b5d9e,6913189a56f64df1bf1771626f28277d,BooksController#index,db.sql.active_record,"
		"\"SELECT `books_author`.* FROM `books_author`\nWHERE `books_author`.`id` = 396 LIMIT 1\",227.018,1661981058.647254,1661981058.874272\n"
		"f85c58dc70bdb570,bcaeb5a1b27b5d9e,6913189a56f64df1bf1771626f28277d,BooksController#index,"
		"template.render_template.action_view,text template,2.191,1661981061.782809,1661981061.785\n",
		"sentry-csv", 2, 1, 0, "SELECT `books_author`.* FROM `books_author`\nWHERE" },
};

START_TEST(test_shapes)
{
	const struct shape *t = &shapes[_i];
	struct run r;
	run_buf(t->buf, &r);
	ck_assert_msg(strcmp(r.report.format, t->format) == 0, "%s: %s", t->name, r.report.format);
	ck_assert_msg(r.nsp == t->spans, "%s: %zu spans", t->name, r.nsp);
	ck_assert_msg(spans_db(&r) == t->db, "%s: %zu db", t->name, spans_db(&r));
	ck_assert_msg(spans_segments(&r) == t->segments, "%s: %zu segments", t->name, spans_segments(&r));
	ck_assert_msg(strncmp(first_db(&r), t->first_db, strlen(t->first_db)) == 0, "%s: %s", t->name, first_db(&r));
	ck_assert_msg(r.report.nproblems == 0, "%s: %s", t->name, r.report.nkept ? r.report.problems[0].message : "");
	run_free(&r);
}
END_TEST

START_TEST(test_envelope_note)
{
	struct run r;
	run_buf(shapes[5].buf, &r);
	ck_assert_uint_eq(r.report.nnotes, 1);
	ck_assert_str_eq(r.report.notes[0], "1 item that is not traces skipped: session 1");
	ck_assert_uint_eq(r.report.skipped, 2);
	run_free(&r);
}
END_TEST

/* What @sentry/node 9 sends (make.py builds it around the real MongoDB
 * and Prisma events): client reports with a header of {}, sessions
 * aggregates, an error event and two transactions. The transactions are
 * read whole; the rest is skipped, counted and named, never a problem. */
START_TEST(test_node_stream)
{
	char *path = tu_data_path("sentry: node stream", "tests/data/traces/node-envelopes.txt");
	if (!path)
		return;
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a;
	ck_assert_int_eq(analysis_run(&o, paths, 1, &a), ANALYSIS_OK);
	free(path);
	const struct input_report *in = &a->inputs[0];
	ck_assert_str_eq(in->format, "sentry");
	ck_assert_uint_eq(in->nproblems, 0);
	/* 25 + 123 spans and the two roots. */
	ck_assert_uint_eq(in->records, 150);
	/* Six items of header and payload lines. */
	ck_assert_uint_eq(in->skipped, 12);
	ck_assert_uint_eq(in->nnotes, 1);
	ck_assert_str_eq(in->notes[0],
		"6 items that are not traces skipped: client_report 3, sessions 2, event 1");
	/* The MongoDB loop is found as in the event alone. */
	ck_assert_ptr_nonnull(tu_find_group(a, "\"productid\""));
	size_t loops = 0;
	for (size_t i = 0; i < findings_count(a->findings); i++)
		loops += findings_at(a->findings, i)->kind == FK_n_plus_one;
	ck_assert_uint_eq(loops, 1);
	analysis_free(a);
}
END_TEST

/* The same stream as the SDK serializes it, each envelope without a final
 * newline, saved one after another: the same spans and items. */
START_TEST(test_node_stream_glued)
{
	char *path = tu_data_path("sentry: node stream", "tests/data/traces/node-envelopes.txt");
	if (!path)
		return;
	char *text = tu_slurp(path);
	free(path);
	ck_assert_ptr_nonnull(text);
	/* Each envelope of the file is three lines (header, item header,
	 * payload): drop the newline that ends each one but the last. */
	size_t n = 0, glued = 0, newlines = 0;
	for (char *p = text; *p; p++) {
		if (*p == '\n' && ++newlines % 3 == 0 && p[1]) {
			glued++;
			continue;
		}
		text[n++] = *p;
	}
	text[n] = 0;
	ck_assert_uint_eq(glued, 7);
	enum analysis_status st;
	struct analysis *a = tu_analyse_text(text, NULL, &st);
	free(text);
	ck_assert_int_eq(st, ANALYSIS_OK);
	ck_assert_str_eq(a->inputs[0].format, "sentry");
	ck_assert_uint_eq(a->inputs[0].records, 150);
	ck_assert_uint_eq(a->inputs[0].nnotes, 1);
	ck_assert_str_eq(a->inputs[0].notes[0],
		"6 items that are not traces skipped: client_report 3, sessions 2, event 1");
	analysis_free(a);
}
END_TEST

static const struct bad {
	const char *name, *buf;
	uint64_t line;
	const char *message;
	size_t spans;
} bads[] = {
	{ "ndjson with a torn line", EVENT "\n{\"type\":\"transaction\",\"spans\":[" SPAN_REP "\n" EVENT "\n",
		2, "Sentry line is not JSON", 8 },
	{ "document cut short", "{\n \"type\": \"transaction\",\n \"spans\": [\n" SPAN_REP ",\n", 5,
		"Sentry document is not valid JSON", 0 },
	{ "a line of something else", EVENT "\n{\"message\":\"hello\"}\n", 2,
		"not a Sentry transaction, span or envelope item", 4 },
	{ "csv row of another width", "id,trace,span.op,span.description,span.duration\n"
		"d160421483be35c9,6913189a56f64df1bf1771626f28277d,db,SELECT 1,2.0\n"
		"f85c58dc70bdb570,6913189a56f64df1bf1771626f28277d,db\n", 3, "3 fields where the header has 5", 1 },
};

START_TEST(test_malformed)
{
	const struct bad *t = &bads[_i];
	struct run r;
	run_buf(t->buf, &r);
	ck_assert_msg(r.report.nproblems >= 1, "%s: no problem", t->name);
	ck_assert_msg(r.report.problems[0].line == t->line, "%s: line %llu", t->name,
		(unsigned long long)r.report.problems[0].line);
	ck_assert_msg(strstr(r.report.problems[0].message, t->message), "%s: %s", t->name,
		r.report.problems[0].message);
	ck_assert_msg(r.nsp == t->spans, "%s: %zu spans", t->name, r.nsp);
	run_free(&r);
}
END_TEST

/* Whole runs: the exit status says some input was malformed. */
START_TEST(test_partial_status)
{
	enum analysis_status st;
	const char *buf = bads[0].buf;
	struct analysis *a = tu_analyse_text(buf, NULL, &st);
	ck_assert_int_eq(st, ANALYSIS_PARTIAL);
	ck_assert_str_eq(a->inputs[0].format, "sentry");
	ck_assert_uint_eq(a->inputs[0].skipped, 1);
	analysis_free(a);
}
END_TEST

/* Logs are not taken for traces, and traces not for logs. */
START_TEST(test_probes)
{
	static const char jsonlog[] = "{\"timestamp\":\"2026-11-22 14:17:10.851 UTC\",\"pid\":3591,"
		"\"error_severity\":\"LOG\",\"message\":\"starting\"}\n";
	static const char otlp[] = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"a\","
		"\"parentSpanId\":\"b\"}]}]}]}\n";
	ck_assert_str_eq(parser_detect(jsonlog, strlen(jsonlog))->id, "jsonlog");
	ck_assert_str_eq(parser_detect(otlp, strlen(otlp))->id, "otlp");
	ck_assert_str_eq(parser_detect(EVENT, strlen(EVENT))->id, "sentry");
	ck_assert_ptr_nonnull(parser_find("sentry"));
	ck_assert_ptr_nonnull(parser_find("sentry-csv"));
}
END_TEST

/* --input-format sentry takes an Explore CSV too. */
START_TEST(test_forced_csv)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/traces/rails-explore.csv", tu_root());
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	o.input_format = "sentry";
	const char *paths[] = { path };
	struct analysis *a;
	ck_assert_int_eq(analysis_run(&o, paths, 1, &a), ANALYSIS_OK);
	ck_assert_str_eq(a->inputs[0].format, "sentry");
	ck_assert_uint_eq(a->inputs[0].records, 14);
	ck_assert_ptr_nonnull(tu_find_group(a, "\"books_author\""));
	analysis_free(a);
}
END_TEST

Suite *suite_sentry(void);
Suite *suite_sentry(void)
{
	Suite *s = suite_create("sentry");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_shapes, 0, (int)ARRAY_SIZE(shapes));
	tcase_add_test(tc, test_envelope_note);
	tcase_add_test(tc, test_node_stream);
	tcase_add_test(tc, test_node_stream_glued);
	tcase_add_test(tc, test_probes);
	tcase_add_test(tc, test_forced_csv);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_malformed, 0, (int)ARRAY_SIZE(bads));
	tcase_add_test(tc, test_partial_status);
	suite_add_tcase(s, tc);
	return s;
}
