/* check_tui.c: the TUI's models (tui/model_*.c), without curses: safe
 * text, report detection and loading, sorting/search/filter of groups,
 * detail, plan, findings, events and timeline lines. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tui/model.h"
#include "analysis.h"
#include "report_load.h"
/* report.h for report_band; its writer report_text would clash with the
 * fixture of that name below. */
#define report_text report_text_writer
#include "report.h"
#undef report_text
#include "findings.h"
#include "sketch.h"
#include "strbuf.h"
#include "testutil.h"
#include "timeutil.h"

/* ---- text ---- */

static const struct { const char *in, *out; bool one_line; } sanitize_cases[] = {
	{ "plain", "plain", true },
	{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m", true },
	{ "title\x1b]0;pwned\x07!", "title\\x1b]0;pwned\\x07!", true },
	{ "csi\xc2\x9b" "2J", "csi\\u009b2J", true },
	{ "bidi\xe2\x80\xae" "evil", "bidi\\u202eevil", true },
	{ "bad\xff\xfe", "bad\\xff\\xfe", true },
	{ "a\tb", "a b", true },
	{ "a\nb", "a b", true },
	{ "a\nb", "a\nb", false },
	{ "cr\r", "cr ", true },
	{ "del\x7f", "del\\x7f", true },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", true },
	{ "\xed\xa0\x80surrogate", "\\xed\\xa0\\x80surrogate", true },
};

START_TEST(text_sanitize)
{
	char *s = tt_sanitize(sanitize_cases[_i].in, sanitize_cases[_i].one_line);
	ck_assert_str_eq(s, sanitize_cases[_i].out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		ck_assert(*p >= 0x20 || (*p == '\n' && !sanitize_cases[_i].one_line));
	free(s);
}
END_TEST

START_TEST(text_width)
{
	char out[64];
	ck_assert_int_eq(tt_width("abc"), 3);
	ck_assert_int_eq(tt_width("caf\xc3\xa9"), 4);
	ck_assert_int_eq(tt_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	ck_assert_uint_eq(tt_fit("\xe6\x97\xa5\xe6\x9c\xac", 3), 3);
	tt_ellipsize("abcdefgh", 5, out, sizeof(out));
	ck_assert_str_eq(out, "abcd\xe2\x80\xa6");
	tt_ellipsize("abc", 5, out, sizeof(out));
	ck_assert_str_eq(out, "abc");
	tt_ellipsize("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, out, sizeof(out));
	ck_assert_str_eq(out, "\xe6\x97\xa5\xe2\x80\xa6");
	ck_assert_int_le(tt_width(out), 4);
}
END_TEST

START_TEST(text_formats)
{
	char b[32];
	tt_fmt_ms(0.04, b, sizeof(b)); ck_assert_str_eq(b, "40 us");
	tt_fmt_ms(3.456, b, sizeof(b)); ck_assert_str_eq(b, "3.46 ms");
	tt_fmt_ms(67.02, b, sizeof(b)); ck_assert_str_eq(b, "67.0 ms");
	tt_fmt_ms(3382.168, b, sizeof(b)); ck_assert_str_eq(b, "3.38 s");
	tt_fmt_ms(120000, b, sizeof(b)); ck_assert_str_eq(b, "2.0 min");
	tt_fmt_count(1234567, b, sizeof(b)); ck_assert_str_eq(b, "1,234,567");
	tt_fmt_count(12, b, sizeof(b)); ck_assert_str_eq(b, "12");
	tt_fmt_bytes(24966672, b, sizeof(b)); ck_assert_str_eq(b, "23.8 MiB");
	tt_bar(1, 2, 4, b, sizeof(b)); ck_assert_str_eq(b, "\xe2\x96\x88\xe2\x96\x88");
	double v[] = { 0, 1, 8 };
	tt_sparkline(v, 3, b, sizeof(b));
	ck_assert_str_eq(b, " \xe2\x96\x81\xe2\x96\x88");
	char err[128];
	ck_assert_ptr_null(tt_regex_new("(", err, sizeof(err)));
	ck_assert(strstr(err, "offset") != NULL);
}
END_TEST

START_TEST(text_lines)
{
	struct tlines l = { 0 };
	tlines_add(&l, TS_NORMAL, TL_TEXT, 0, "one\ntwo\x1b[2J");
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[1].text, "two\\x1b[2J");
	tlines_wrap(&l, TS_NORMAL, "SELECT a, b, c FROM some_table WHERE x = 1 AND y = 2", 20, 2);
	ck_assert_uint_gt(l.n, 4);
	for (size_t i = 2; i < l.n; i++)
		ck_assert_int_le(tt_width(l.v[i].text), 20);
	char err[64];
	void *re = tt_regex_new("SOME_TABLE", err, sizeof(err));
	ck_assert_int_ge(tlines_find(&l, 0, re), 2);
	tt_regex_free(re);
	tlines_clear(&l);
}
END_TEST

/* ---- a small hand-made report ---- */

static const char report_text[] =
"{\"schema\": 1, \"tool\": {\"name\": \"pgsift\", \"version\": \"t\"},"
" \"window\": {\"start\": \"2026-01-01T10:00:05.000Z\", \"end\": \"2026-01-01T10:02:30.000Z\"},"
" \"totals\": {\"queries\": 106, \"total_ms\": 1300, \"fingerprints\": 3},"
" \"groups\": ["
"  {\"fingerprint\": \"00000000000000aa\", \"query\": \"SELECT * FROM orders WHERE id = $1\","
"   \"calls\": 100, \"total_ms\": 1000, \"mean_ms\": 10, \"min_ms\": 1, \"max_ms\": 90,"
"   \"p50_ms\": 5, \"p95_ms\": 40, \"p99_ms\": 80, \"databases\": {\"shop\": 100},"
"   \"users\": {\"app\": 100}, \"applications\": {\"web\": 100},"
"   \"first_seen\": \"2026-01-01T10:00:05.000Z\", \"last_seen\": \"2026-01-01T10:01:10.000Z\","
"   \"examples\": [{\"ts\": \"2026-01-01T10:00:06.000Z\", \"duration_ms\": 90, \"query\": \"SELECT * FROM orders WHERE id = 7\", \"db\": \"shop\", \"user\": \"app\", \"app\": \"web\"}],"
"   \"plan\": {\"Query Text\": \"SELECT * FROM orders WHERE id = $1\", \"Plan\": {\"Node Type\": \"Nested Loop\","
"     \"Actual Total Time\": 90, \"Actual Loops\": 1, \"Actual Rows\": 5, \"Plan Rows\": 5, \"Plans\": ["
"     {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"orders\", \"Alias\": \"orders\", \"Filter\": \"(id = $1)\","
"      \"Rows Removed by Filter\": 9999, \"Actual Total Time\": 80, \"Actual Loops\": 1, \"Actual Rows\": 5, \"Plan Rows\": 5000},"
"     {\"Node Type\": \"Index Scan\", \"Relation Name\": \"items\", \"Index Name\": \"items_pkey\","
"      \"Actual Total Time\": 1, \"Actual Loops\": 5, \"Actual Rows\": 1, \"Plan Rows\": 1}]}}},"
"  {\"fingerprint\": \"00000000000000bb\", \"query\": \"UPDATE \\\"\\u001b[31mevil\\\" SET x = $1\","
"   \"calls\": 5, \"total_ms\": 250, \"mean_ms\": 50, \"min_ms\": 10, \"max_ms\": 200,"
"   \"p50_ms\": 20, \"p95_ms\": 200, \"p99_ms\": 200, \"databases\": {\"other\": 5},"
"   \"users\": {\"admin\": 5}, \"applications\": {\"batch\": 5},"
"   \"first_seen\": \"2026-01-01T10:02:00.000Z\", \"last_seen\": \"2026-01-01T10:02:30.000Z\","
"   \"examples\": [], \"plan\": null,"
"   \"timeline\": {\"bucket_s\": 60, \"buckets\": [{\"start\": \"2026-01-01T10:02:00.000Z\", \"calls\": 5, \"total_ms\": 250}]}},"
"  {\"fingerprint\": \"00000000000000cc\", \"query\": \"SELECT 1\", \"calls\": 1, \"total_ms\": 50,"
"   \"mean_ms\": 50, \"min_ms\": 50, \"max_ms\": 50, \"p50_ms\": 50, \"p95_ms\": 50, \"p99_ms\": 2000,"
"   \"databases\": {\"shop\": 1}, \"users\": {\"admin\": 1}, \"applications\": {}, \"examples\": [], \"plan\": null,"
"   \"histogram\": [{\"upto_ms\": 50, \"count\": 1}]}"
" ],"
" \"findings\": ["
"  {\"kind\": \"unused_index\", \"severity\": \"info\", \"title\": \"idx unused\", \"fingerprint\": null,"
"   \"table\": \"public.items\", \"index\": \"items_x\", \"columns\": null, \"impact_ms\": 0,"
"   \"suggestion\": \"DROP INDEX items_x;\", \"evidence\": {}},"
"  {\"kind\": \"missing_index\", \"severity\": \"critical\", \"title\": \"orders needs an index\","
"   \"fingerprint\": \"00000000000000aa\", \"table\": \"orders\", \"index\": null, \"columns\": [\"id\"],"
"   \"impact_ms\": 900, \"suggestion\": \"CREATE INDEX ON orders (id);\", \"evidence\": {}}"
" ],"
" \"events\": {\"lock_waits\": [{\"ts\": \"2026-01-01T10:02:10.000Z\", \"pid\": 7, \"wait_ms\": 300,"
"   \"lock\": \"ShareLock\", \"statement\": \"UPDATE x\", \"fingerprint\": \"00000000000000bb\", \"blocker_pids\": [8]}],"
"  \"deadlocks\": [], \"temp_files\": {\"count\": 0, \"bytes\": 0, \"by_group\": []},"
"  \"errors\": [{\"severity\": \"ERROR\", \"sqlstate\": \"42P01\", \"message\": \"relation \\\"?\\\" does not exist\", \"count\": 2,"
"   \"example\": \"SELECT * FROM nope\", \"first_seen\": \"2026-01-01T10:00:30.000Z\", \"last_seen\": \"2026-01-01T10:00:40.000Z\"}],"
"  \"connections\": {\"total\": 3, \"failed\": 0, \"peak_sessions\": 2, \"by_database\": {\"shop\": 3},"
"   \"by_user\": {}, \"by_application\": {}, \"by_host\": {}},"
"  \"checkpoints\": {\"count\": 0, \"by_reason\": {}, \"write_s\": 0, \"sync_s\": 0},"
"  \"autovacuum\": {\"vacuum_count\": 0, \"analyze_count\": 0, \"by_table\": []},"
"  \"timeline\": {\"bucket_s\": 60, \"buckets\": ["
"   {\"start\": \"2026-01-01T10:00:00.000Z\", \"calls\": 60, \"total_ms\": 600, \"p95_ms\": 40, \"errors\": 2, \"lock_waits\": 0, \"temp_bytes\": 0},"
"   {\"start\": \"2026-01-01T10:01:00.000Z\", \"calls\": 40, \"total_ms\": 400, \"p95_ms\": 40, \"errors\": 0, \"lock_waits\": 0, \"temp_bytes\": 0},"
"   {\"start\": \"2026-01-01T10:02:00.000Z\", \"calls\": 6, \"total_ms\": 300, \"p95_ms\": 200, \"errors\": 0, \"lock_waits\": 1, \"temp_bytes\": 0}]}}"
"}";

/* A saved report read by the one loader, as `pgsift tui saved.json`
 * does (tui_report_probe_file). */
static struct tui_report *small_report(void)
{
	json_error_t jerr;
	json_t *root = json_loads(report_text, 0, &jerr);
	ck_assert_msg(root != NULL, "test report: %s at %d", jerr.text, jerr.position);
	char *err = NULL;
	struct analysis *a = report_load_json(root, "test", &err);
	json_decref(root);
	ck_assert_msg(a != NULL, "%s", err);
	struct tui_report *r = tui_report_new(a, "test");
	r->as_saved = true;
	return r;
}

static bool lines_have(const struct tlines *l, const char *needle)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i].text, needle))
			return true;
	return false;
}

static void assert_safe(const struct tlines *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (const unsigned char *p = (const unsigned char *)l->v[i].text; *p; p++)
			ck_assert_msg(*p >= 0x20, "control byte in line %zu: %s", i, l->v[i].text);
}

START_TEST(report_detect)
{
	static const char *const not_reports[] = {
		"{\"schema\": 2, \"tool\": {\"name\": \"pgsift\"}}",
		"{\"schema\": 1, \"tool\": {\"name\": \"other\"}}",
		"{\"schema\": 1}",
		"[1, 2]",
		"{\"timestamp\": \"2026-01-01\", \"message\": \"jsonlog\"}",
	};
	for (size_t i = 0; i < sizeof(not_reports) / sizeof(not_reports[0]); i++)
		ck_assert_int_eq(report_load_probe(not_reports[i], strlen(not_reports[i])), 0);
	ck_assert_int_eq(report_load_probe(report_text, strlen(report_text)), 100);
	struct tui_report *r = small_report();
	ck_assert_uint_eq(r->ngroups, 3);
	ck_assert_uint_eq(r->nfindings, 2);
	/* Critical first, whatever the file's order. */
	ck_assert_str_eq(r->findings[0].kind, "missing_index");
	ck_assert_int_eq(r->findings[0].group, 0);
	ck_assert_int_eq(r->findings[1].group, -1);
	ck_assert_int_eq(tui_report_group_by_fp(r, "00000000000000bb"), 1);
	ck_assert_int_eq(tui_report_group_by_fp(r, "ffffffffffffffff"), -1);
	/* The query's escape is kept raw in the model, shown made harmless. */
	ck_assert_str_eq(tui_group_line(r, 1), "UPDATE \"\\x1b[31mevil\" SET x = $1");
	tui_report_free(r);
	tui_report_free(NULL);
}
END_TEST

START_TEST(report_probe_file)
{
	char *path = tu_write_temp(report_text, strlen(report_text));
	struct tui_report *r;
	char err[256];
	ck_assert_int_eq(tui_report_probe_file(path, false, &r, err, sizeof(err)), 1);
	ck_assert_uint_eq(r->ngroups, 3);
	tui_report_free(r);
	tu_remove(path);

	static const char log[] = "2026-01-01 10:00:00.000 UTC [1] LOG:  duration: 1.0 ms  statement: SELECT 1\n";
	path = tu_write_temp(log, strlen(log));
	ck_assert_int_eq(tui_report_probe_file(path, false, &r, err, sizeof(err)), 0);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(tui_report_probe_file(path, true, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not JSON") != NULL, "%s", err);
	tu_remove(path);
}
END_TEST

START_TEST(groups_sort_search_filter)
{
	struct tui_report *r = small_report();
	struct tui_glist gl;
	char err[256], buf[1024];
	glist_init(&gl, r);
	ck_assert_uint_eq(gl.nrows, 3);
	ck_assert_uint_eq(gl.rows[0], 0);               /* total, descending */
	glist_sort(&gl, GC_P99);
	ck_assert_uint_eq(gl.rows[0], 2);
	ck_assert_uint_eq(gl.rows[2], 0);
	glist_sort(&gl, GC_P99);                        /* again: reversed */
	ck_assert(gl.ascending);
	ck_assert_uint_eq(gl.rows[0], 0);
	glist_sort(&gl, GC_CALLS);
	ck_assert_uint_eq(gl.rows[0], 0);
	ck_assert_int_eq(gcol_from_key('P'), GC_P99);
	ck_assert_int_eq(gcol_from_key('#'), GC_COUNT);

	ck_assert(glist_search(&gl, "from ORDERS", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 1);
	glist_status(&gl, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 of 3 groups \xc2\xb7 sort calls \xe2\x86\x93 \xc2\xb7 /from ORDERS/");
	ck_assert(!glist_search(&gl, "(", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 1);                 /* unchanged */
	ck_assert(glist_search(&gl, "", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 3);

	ck_assert(glist_filter(&gl, "db=shop", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 2);
	ck_assert(glist_filter(&gl, "app=batch", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 1);
	ck_assert_uint_eq(gl.rows[0], 1);
	ck_assert(glist_filter(&gl, "admin", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 2);
	ck_assert(!glist_filter(&gl, "user=", err, sizeof(err)));
	ck_assert(glist_filter(&gl, NULL, err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 3);
	ck_assert_int_eq(glist_find_row(&gl, 2), 2);

	glist_row(&gl, 1, 80, buf, sizeof(buf));
	ck_assert(strstr(buf, "\\x1b[31mevil") != NULL);
	ck_assert_int_le(tt_width(buf), 80);
	glist_row(&gl, -1, 80, buf, sizeof(buf));
	ck_assert(strstr(buf, "\xe2\x96\xbc" "calls") != NULL);
	glist_release(&gl);
	tui_report_free(r);
}
END_TEST

START_TEST(detail_and_plan)
{
	struct tui_report *r = small_report();
	struct tlines l = { 0 };
	size_t plan;
	detail_build(r, 0, 80, &l, &plan);
	assert_safe(&l);
	ck_assert(lines_have(&l, "SELECT * FROM orders WHERE id = $1"));
	ck_assert(lines_have(&l, "P99 80.0 ms"));
	ck_assert(lines_have(&l, "percentile bands"));
	ck_assert(lines_have(&l, "orders needs an index"));
	ck_assert(lines_have(&l, "SELECT * FROM orders WHERE id = 7"));
	ck_assert(strstr(l.v[plan].text, "Plan") != NULL);
	ck_assert_int_eq(l.v[plan].kind, TL_PLAN);
	/* The seq scan takes most of the time and misestimates: marked. */
	bool hot = false;
	for (size_t i = plan; i < l.n; i++)
		if (strstr(l.v[i].text, "Seq Scan on orders") && l.v[i].style == TS_HOT &&
		    strstr(l.v[i].text, "\xe2\x96\xb6"))
			hot = true;
	ck_assert(hot);
	ck_assert(lines_have(&l, "Index Scan using items_pkey on items"));
	ck_assert(lines_have(&l, "Rows Removed by Filter: 9999"));
	for (size_t i = 0; i < l.n; i++)
		if (strstr(l.v[i].text, "Index Scan"))
			ck_assert_int_ne(l.v[i].style, TS_HOT);
	tlines_clear(&l);

	/* Group with its own timeline and escape sequences; group with a
	 * histogram in the report. */
	detail_build(r, 1, 60, &l, &plan);
	assert_safe(&l);
	ck_assert(lines_have(&l, "calls per 60 s"));
	ck_assert(lines_have(&l, "no plan logged"));
	tlines_clear(&l);
	detail_build(r, 2, 60, &l, &plan);
	ck_assert(lines_have(&l, "\xe2\x89\xa4   50.0 ms"));        /* the report's own */
	tlines_clear(&l);
	tui_report_free(r);
}
END_TEST

/* parallel.log (tests/data/plans/make-parallel-triggers.sh): a real
 * Gather of two workers. The nodes below it ran in three processes at
 * once: none takes more than all of the time, and the Gather's own time
 * (the leader gathering) is not zero. */
START_TEST(parallel_plan)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/plans/parallel.log", tu_root());
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	const char *paths[] = { path };
	struct analysis *a = NULL;
	analysis_run(&o, paths, 1, &a);
	ck_assert_uint_eq(a->ngroups, 2);
	for (size_t i = 0; i < a->ngroups; i++) {
		json_t *plan = json_loads(a->groups[i]->plan_json, 0, NULL);
		ck_assert_ptr_nonnull(plan);
		struct tlines l = { 0 };
		detail_plan(plan, 120, &l);
		bool gather = false;
		for (size_t k = 0; k < l.n; k++) {
			const char *t = l.v[k].text, *pct = strstr(t, "% of time");
			if (pct) {
				while (pct > t && (pct[-1] == '.' || (pct[-1] >= '0' && pct[-1] <= '9')))
					pct--;
				ck_assert_msg(atof(pct) <= 100, "%s", t);
			}
			if (strstr(t, "Gather ")) {
				gather = true;
				ck_assert_msg(strstr(t, "self 0 ") == NULL && strstr(t, "self 0.0") == NULL,
					"%s", t);
			}
		}
		ck_assert(gather);
		tlines_clear(&l);
		json_decref(plan);
	}
	analysis_free(a);
}
END_TEST

/* The TUI bands a P95 by the report's rule (report_band) and the run's
 * --bands: a P95 of exactly 1000 ms is "alert" in both, not critical. */
static enum tstyle p95_line_style(const struct tui_report *r, size_t gi)
{
	struct tlines l = { 0 };
	size_t plan;
	enum tstyle st = TS_NORMAL;
	detail_build(r, gi, 80, &l, &plan);
	for (size_t i = 0; i < l.n; i++)
		if (strstr(l.v[i].text, "P95 "))
			st = l.v[i].style;
	tlines_clear(&l);
	return st;
}

START_TEST(bands_as_report)
{
	static const enum tstyle of_band[] = {
		[BAND_GOOD] = TS_GOOD, [BAND_WARNING] = TS_WARN,
		[BAND_ALERT] = TS_ALERT, [BAND_CRITICAL] = TS_CRIT,
	};
	static const double p95s[] = { 0, 99.9, 100, 499.9, 500, 999.9, 1000, 1000.1, 5000 };
	struct pgsift_options o;
	options_init(&o);
	struct tui_report *r = small_report();

	/* Saved report, no options (tests) or the defaults: the same. */
	r->groups[2].p95 = 1000;
	ck_assert_str_eq(report_band_name(report_band(&o, 1000)), "alert");
	ck_assert_int_eq(p95_line_style(r, 2), TS_ALERT);
	ck_assert_int_eq(tui_band_style(r, 1000), TS_ALERT);
	r->opts = &o;
	ck_assert_int_eq(p95_line_style(r, 2), TS_ALERT);
	for (size_t i = 0; i < sizeof(p95s) / sizeof(p95s[0]); i++)
		ck_assert_int_eq(tui_band_style(r, p95s[i]), of_band[report_band(&o, p95s[i])]);

	/* --bands 50,200,900 makes it critical, --bands 10,1000,2000 alert
	 * from its lower limit, --bands 2000,3000,4000 good. */
	o.bands[0] = 50, o.bands[1] = 200, o.bands[2] = 900;
	ck_assert_int_eq(p95_line_style(r, 2), TS_CRIT);
	ck_assert_int_eq(tui_band_style(r, 1000), of_band[report_band(&o, 1000)]);
	o.bands[0] = 10, o.bands[1] = 1000, o.bands[2] = 2000;
	ck_assert_int_eq(p95_line_style(r, 2), TS_ALERT);
	o.bands[0] = 2000, o.bands[1] = 3000, o.bands[2] = 4000;
	ck_assert_int_eq(p95_line_style(r, 2), TS_GOOD);
	for (size_t i = 0; i < sizeof(p95s) / sizeof(p95s[0]); i++)
		ck_assert_int_eq(tui_band_style(r, p95s[i]), of_band[report_band(&o, p95s[i])]);
	tui_report_free(r);
}
END_TEST

START_TEST(findings_events_timeline)
{
	struct tui_report *r = small_report();
	struct tlines l = { 0 };
	findings_build(r, 100, &l);
	assert_safe(&l);
	ck_assert_int_eq(l.v[0].kind, TL_FINDING);
	ck_assert(strstr(l.v[0].text, "critical") != NULL);
	ck_assert(lines_have(&l, "CREATE INDEX ON orders (id);"));
	tlines_clear(&l);

	char path[] = "/tmp/pgsift-tui-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(findings_write_suggestion(r, 0, path), 0);
	ck_assert_int_eq(findings_write_suggestion(r, 1, path), 0);
	ck_assert_int_eq(findings_write_suggestion(r, 9, path), -1);
	FILE *fp = fopen(path, "r");
	char buf[512];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	ck_assert_str_eq(buf, "-- missing_index: orders needs an index\nCREATE INDEX ON orders (id);\n"
		"-- unused_index: idx unused\nDROP INDEX items_x;\n");

	events_build(r, 100, &l);
	assert_safe(&l);
	ck_assert(lines_have(&l, "Lock waits (1)"));
	ck_assert(lines_have(&l, "relation \"?\" does not exist"));
	ck_assert(lines_have(&l, "by database     shop 3"));
	bool linked = false;
	for (size_t i = 0; i < l.n; i++)
		if (strstr(l.v[i].text, "ShareLock") && l.v[i].kind == TL_GROUP && l.v[i].ref == 1)
			linked = true;
	ck_assert(linked);
	tlines_clear(&l);

	struct tui_timeline t;
	ck_assert(tui_timeline_load(r, &t));
	ck_assert_uint_eq(t.n, 3);
	ck_assert_int_eq(t.bucket_s, 60);
	timeline_chart(&t, 1, 80, 4, &l);
	ck_assert_uint_eq(l.n, 6);
	ck_assert(strstr(l.v[4].text, "\xe2\x96\xb2") != NULL);
	tlines_clear(&l);
	/* Minute 0: group 0 by its span; the error. Minute 2: group 1 by its
	 * own timeline, and the lock wait. */
	timeline_bucket_lines(r, &t, 0, 80, &l);
	ck_assert(lines_have(&l, "60 calls"));
	ck_assert(lines_have(&l, "does not exist"));
	ck_assert(lines_have(&l, "SELECT * FROM orders"));
	tlines_clear(&l);
	timeline_bucket_lines(r, &t, 2, 80, &l);
	ck_assert(lines_have(&l, "Ran in this bucket"));
	ck_assert(lines_have(&l, "lock wait"));
	ck_assert(!lines_have(&l, "SELECT * FROM orders"));
	tlines_clear(&l);
	timeline_release(&t);
	tui_report_free(r);
}
END_TEST

/* A fresh analysis' histogram comes from the group's sketch, through
 * the model (group_histogram), with no JSON in between. */
START_TEST(histogram_from_sketch)
{
	char *path = NULL;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 1000; i++) {
		char line[128];
		int n = snprintf(line, sizeof(line), "2026-01-01 10:00:%02d.000 UTC [1] LOG:  "
			"duration: %s ms  statement: SELECT 1\n", i % 60, i < 900 ? "0.500" : "300.000");
		sb_append(&sb, line, (size_t)n);
	}
	path = tu_write_temp(sb.buf, sb.len);
	sb_release(&sb);
	const char *paths[] = { path };
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	o.prefix = "%m [%p] ";
	char err[256];
	struct tui_report *r = tui_report_analyse(&o, paths, 1, err, sizeof(err), NULL);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(r->ngroups, 1);
	struct tlines l = { 0 };
	size_t plan;
	detail_build(r, 0, 80, &l, &plan);
	bool half = false, five = false;
	for (size_t i = 0; i < l.n; i++) {
		if (strstr(l.v[i].text, "500 us") && strstr(l.v[i].text, " 900"))
			half = true;
		if (strstr(l.v[i].text, "500 ms") && strstr(l.v[i].text, " 100"))
			five = true;
	}
	ck_assert(half && five);
	ck_assert(!lines_have(&l, "percentile bands"));
	tlines_clear(&l);
	tui_report_free(r);
	tu_remove(path);
}
END_TEST

/* The workload's log through the same path as `pgsift tui LOG`. */
START_TEST(workload_model)
{
	char path[4096], err[256];
	snprintf(path, sizeof(path), "%s/samples/postgresql.log.zst", tu_root());
	const char *paths[] = { path };
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	struct tlines diag = { 0 };
	struct tui_report *r = tui_report_analyse(&o, paths, 1, err, sizeof(err), &diag);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert(diag.n >= 1);         /* the detected prefix */
	struct tui_glist gl;
	glist_init(&gl, r);
	glist_sort(&gl, GC_P99);
	for (size_t i = 1; i < gl.nrows; i++)
		ck_assert(r->groups[gl.rows[i - 1]].p99 >= r->groups[gl.rows[i]].p99);
	ck_assert(glist_search(&gl, "order_items oi", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 1);
	const struct tui_group *g = &r->groups[gl.rows[0]];
	ck_assert_double_eq(g->calls, 121);
	uint64_t counts[SKETCH_HIST_BINS];
	ck_assert(group_histogram(g->g, counts));
	struct tlines l = { 0 };
	size_t plan;
	detail_build(r, gl.rows[0], 80, &l, &plan);
	ck_assert(lines_have(&l, "Seq Scan on order_items oi"));
	ck_assert(lines_have(&l, "Latency histogram"));
	ck_assert(lines_have(&l, "\xe2\x89\xa4"));
	tlines_clear(&l);
	glist_release(&gl);
	tlines_clear(&diag);
	tui_report_free(r);
}
END_TEST

/* The groups list makes a query's display line when a row or a sort
 * needs it: on the golden report (real server output), the lines made
 * lazily, in the order the first screen and a sort by query ask for
 * them, are the eager ones, and the rows come out the same. */
START_TEST(lazy_lines)
{
	char path[4096], err[256];
	snprintf(path, sizeof(path), "%s/tests/golden/full.json", tu_root());
	struct tui_report *lazy, *eager;
	ck_assert_int_eq(tui_report_probe_file(path, true, &lazy, err, sizeof(err)), 1);
	ck_assert_int_eq(tui_report_probe_file(path, true, &eager, err, sizeof(err)), 1);
	ck_assert_uint_gt(lazy->ngroups, 10);
	for (size_t i = 0; i < eager->ngroups; i++) {
		char *want = tt_sanitize(eager->groups[i].query, true);
		ck_assert_str_eq(tui_group_line(eager, i), want);
		free(want);
	}
	struct tui_glist gl, ge;
	glist_init(&gl, lazy);
	glist_init(&ge, eager);
	char a[4096], b[4096];
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_uint_eq(gl.nrows, ge.nrows);
		for (size_t i = 0; i < gl.nrows; i++) {
			ck_assert_uint_eq(gl.rows[i], ge.rows[i]);
			glist_row(&gl, (long)gl.rows[i], 120, a, sizeof(a));
			glist_row(&ge, (long)ge.rows[i], 120, b, sizeof(b));
			ck_assert_str_eq(a, b);
		}
		glist_sort(&gl, GC_QUERY);
		glist_sort(&ge, GC_QUERY);
	}
	for (size_t i = 0; i < lazy->ngroups; i++)
		ck_assert_str_eq(tui_group_line(lazy, i), tui_group_line(eager, i));
	/* A saved report's examples, left in the file, are read when a
	 * detail shows them: the same detail as a model read whole. */
	char *lerr = NULL;
	struct analysis *whole = report_load(path, &lerr);
	ck_assert_ptr_nonnull(whole);
	struct tui_report *w = tui_report_new(whole, path);
	w->as_saved = true;
	for (size_t i = 0; i < lazy->ngroups; i++) {
		struct tlines l1 = { 0 }, l2 = { 0 };
		size_t p1, p2;
		detail_build(lazy, i, 100, &l1, &p1);
		detail_build(w, i, 100, &l2, &p2);
		ck_assert_uint_eq(l1.n, l2.n);
		ck_assert_uint_eq(p1, p2);
		for (size_t k = 0; k < l1.n; k++)
			ck_assert_str_eq(l1.v[k].text, l2.v[k].text);
		tlines_clear(&l1);
		tlines_clear(&l2);
	}
	tui_report_free(w);
	glist_release(&gl);
	glist_release(&ge);
	tui_report_free(lazy);
	tui_report_free(eager);
}
END_TEST

/* 100,000 groups: load, sort, search and filter give the right rows. How
 * fast is for `make bench` to print, never for a test to time: a timed
 * test fails on a loaded machine (it did, under the sanitizers in CI). */
START_TEST(many_groups)
{
	struct analysis *a = xcalloc(1, sizeof(*a));
	a->agg = agg_new();
	a->findings = findings_new();
	a->window_start = a->window_end = TS_NONE;
	for (int i = 0; i < 100000; i++) {
		char q[96];
		snprintf(q, sizeof(q), "SELECT c%d FROM t%d WHERE id = $1", i % 977, i);
		struct group *g = agg_group_get(a->agg, (uint64_t)i, agg_intern(a->agg, q, strlen(q)), false);
		const char *db = i % 2 ? "odd" : "even";
		struct call c = { .ts_ms = TS_NONE, .timed = true, .duration_ms = (double)(i % 5003),
			.source = SRC_BIT(SRC_LOG), .query = { q, strlen(q) }, .params = { "", 0 },
			.db = { db, strlen(db) }, .user = { "", 0 }, .app = { "", 0 },
			.session = { "", 0 }, .pid = -1 };
		agg_add_call_to(a->agg, g, &c);
	}
	a->groups = agg_sorted(a->agg, &a->ngroups);
	report_finish(a);
	char err[256];
	struct tui_report *r = tui_report_new(a, "big");
	ck_assert_ptr_nonnull(r);
	struct tui_glist gl;
	glist_init(&gl, r);
	glist_sort(&gl, GC_P99);
	glist_sort(&gl, GC_QUERY);
	ck_assert(glist_search(&gl, "FROM t99\\d{3}\\b", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 1000);
	ck_assert(glist_filter(&gl, "db=odd", err, sizeof(err)));
	ck_assert_uint_eq(gl.nrows, 500);
	ck_assert_int_eq(tui_report_group_by_fp(r, "00000000000186a0") , -1);
	long gi = tui_report_group_by_fp(r, "000000000001869f");
	ck_assert_int_ge(gi, 0);
	ck_assert_str_eq(r->groups[gi].fingerprint, "000000000001869f");
	glist_release(&gl);
	tui_report_free(r);
}
END_TEST

Suite *suite_tui(void);
Suite *suite_tui(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("text");
	tcase_add_loop_test(tc, text_sanitize, 0, (int)(sizeof(sanitize_cases) / sizeof(sanitize_cases[0])));
	tcase_add_test(tc, text_width);
	tcase_add_test(tc, text_formats);
	tcase_add_test(tc, text_lines);
	suite_add_tcase(s, tc);
	tc = tcase_create("core");
	tcase_add_test(tc, report_detect);
	tcase_add_test(tc, report_probe_file);
	tcase_add_test(tc, groups_sort_search_filter);
	tcase_add_test(tc, detail_and_plan);
	tcase_add_test(tc, parallel_plan);
	tcase_add_test(tc, bands_as_report);
	tcase_add_test(tc, findings_events_timeline);
	tcase_add_test(tc, histogram_from_sketch);
	tcase_add_test(tc, lazy_lines);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, workload_model);
	tcase_add_test(tc, many_groups);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
