/* check_report_load.c: a saved JSON report read back into the model.
 *
 * The proof that the model holds what the writers read: the full golden
 * report (tests/golden/full.json, a `pgsift check` over every kind of
 * evidence) is loaded and written again; the JSON and the text come out
 * byte for byte. The Markdown is compared the same way up to the parts a saved
 * report cannot give back (listed in test_md_round_trip). Then the error
 * cases: not JSON, another schema or tool, a truncated file. Last, the
 * fast path (report_load_scan.c) against jansson's on the goldens and on
 * documents made to hit its corners: the same model, or it gives up. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/output/report_load_int.h"
#include "report.h"
#include "report_load.h"
#include "strbuf.h"
#include "testutil.h"

static char *render(const char *id, const struct analysis *a)
{
	struct pgsift_options o;
	char *buf = NULL;
	size_t len = 0;

	options_init(&o);
	FILE *f = open_memstream(&buf, &len);
	ck_assert(f != NULL);
	ck_assert_int_eq(report_find(id)->write(f, a, &o), 0);
	ck_assert_int_eq(fclose(f), 0);
	tu_spool_report("check_report_load.c render", buf);
	return buf;
}

/* The path of tests/golden/name, in buf. */
static const char *golden_path(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tests/golden/%s", tu_root(), name);
	return buf;
}

static struct analysis *load_golden(const char *name)
{
	char path[4096], *err = NULL;
	struct analysis *a = report_load(golden_path(name, path, sizeof(path)), &err);
	ck_assert_msg(a != NULL, "%s", err ? err : "?");
	return a;
}

/* Written again by the JSON writer, the loaded golden is the golden,
 * byte for byte (the text writer: test_text_round_trip). */
static const struct { const char *format, *golden; } round_trips[] = {
	{ "json", "full.json" },
};

START_TEST(test_round_trip)
{
	char path[4096];
	struct analysis *a = load_golden("full.json");
	char *want = tu_slurp(golden_path(round_trips[_i].golden, path, sizeof(path)));
	ck_assert(want != NULL);
	char *got = render(round_trips[_i].format, a);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from the loaded model's "
			"%s from line %d on", round_trips[_i].golden, round_trips[_i].format,
			tu_first_diff_line(got, want));
	free(got);
	free(want);
	analysis_free(a);
}
END_TEST

/* Cuts text[from, to) out of s, where from is the first occurrence of
 * start and to that of end after it (or the end of s). */
static void cut(char *s, const char *start, const char *end)
{
	char *from = strstr(s, start);
	ck_assert_msg(from != NULL, "no \"%s\" in the golden", start);
	char *to = end ? strstr(from + 1, end) : NULL;
	if (!to)
		to = from + strlen(from);
	memmove(from, to, strlen(to) + 1);
}

/* The Markdown of the loaded model is the golden one but for the two
 * parts written from the gates' in-memory verdict (struct check_result,
 * gates.h), which a saved report keeps as its JSON "check" object only
 * (analysis.saved_check, written back as saved by the JSON writer): the
 * verdict at the top (with its gate table) and "Compared with the
 * baseline". Every other section, groups, findings, events, traces and
 * statistics included, comes out byte for byte. */
/* The golden file of format fmt against the loaded model's rendering,
 * with the check parts (from..to, twice) cut from the golden one. */
static void round_trip(const char *fmt, const char *golden, const char *verdict_from,
		const char *verdict_to, const char *base_from, const char *base_to)
{
	char path[4096];
	struct analysis *a = load_golden("full.json");
	char *want = tu_slurp(golden_path(golden, path, sizeof(path)));
	ck_assert(want != NULL);
	cut(want, verdict_from, verdict_to);
	cut(want, base_from, base_to);
	char *got = render(fmt, a);
	ck_assert_msg(strcmp(got, want) == 0, "%s (without the check parts) "
			"differs from the loaded model's from line %d on", golden,
			tu_first_diff_line(got, want));
	free(got);
	free(want);
	analysis_free(a);
}

START_TEST(test_md_round_trip)
{
	round_trip("md", "full.md", "**\xe2\x9d\x8c Check failed**", "## Inputs",
		"\n## Compared with the baseline\n", "\n## Timeline");
}
END_TEST

/* The text of the loaded model is the golden one but for the same two
 * parts as the Markdown's: the verdict and "Compared with the baseline". */
START_TEST(test_text_round_trip)
{
	round_trip("text", "full.txt", "\nCHECK FAILED", "\nWhat to fix first\n",
		"\nCompared with the baseline\n", "\nWorst offenders by total time\n");
}
END_TEST

START_TEST(test_probe)
{
	char path[4096];
	char *text = tu_slurp(golden_path("full.json", path, sizeof(path)));
	ck_assert_int_eq(report_load_probe(text, 200), 100);
	ck_assert_int_eq(report_load_probe("{\"schema\": 1, \"tool\": {\"name\": \"other\"", 40), 0);
	ck_assert_int_eq(report_load_probe("{\"schema\": 2,", 13), 0);
	ck_assert_int_eq(report_load_probe("2024-05-01 10:00:00 UTC [1] LOG:  x", 35), 0);
	json_t *root = json_loads(text, 0, NULL);
	ck_assert(report_is_json_report(root));
	json_decref(root);
	free(text);
}
END_TEST

/* A bad document, and the start of the message it must give. */
static const struct {
	const char *text, *message;
} bad[] = {
	{ "2024-05-01 10:00:00 UTC [1] LOG:  hello\n", "not JSON" },
	{ "{\"schema\": 2, \"tool\": {\"name\": \"pgsift\"}, \"groups\": []}\n",
	  "a JSON report of another schema than 1" },
	{ "{\"schema\": 1, \"tool\": {\"name\": \"other\"}, \"groups\": []}\n",
	  "a JSON report of another tool than pgsift" },
	{ "{\"hello\": 1}\n", "not a pgsift JSON report" },
	{ "{\n  \"schema\": 1,\n  \"tool\": {\"name\": \"pgsift\"},\n  \"groups\": [\n",
	  "truncated JSON report" },
	{ "{\"schema\": 1, \"tool\": {\"name\": \"pgsift\"}, \"groups\": "
	  "[{\"fingerprint\": \"xyz\"}]}\n", "a group without a 16-hex-digit" },
};

START_TEST(test_errors)
{
	char *path = tu_write_temp(bad[_i].text, strlen(bad[_i].text));
	char *err = NULL;
	struct analysis *a = report_load(path, &err);
	ck_assert(a == NULL);
	ck_assert_msg(err && strncmp(err, path, strlen(path)) == 0, "%s", err);
	ck_assert_msg(strstr(err, bad[_i].message) != NULL, "%s", err);
	free(err);
	tu_remove(path);
}
END_TEST

START_TEST(test_missing_file)
{
	char *err = NULL;
	ck_assert(report_load("/nonexistent/report.json", &err) == NULL);
	ck_assert(err && strncmp(err, "/nonexistent/report.json: ", 26) == 0);
	free(err);
}
END_TEST

/* ---- the scanner against jansson ---- */

/* The model of text read by the scanner and by jansson, written as JSON
 * and text: the same, or the same error. Returns whether the scanner gave
 * up (then it produced nothing). */
static bool scan_vs_jansson(const char *text)
{
	char *err1 = NULL, *err2 = NULL;
	bool unsure;
	struct analysis *a1 = rl_scan_report(text, strlen(text), "t", &err1, &unsure, false, NULL);
	if (unsure) {
		ck_assert(a1 == NULL);
		ck_assert(err1 == NULL);
		return true;
	}
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	ck_assert_msg(root != NULL, "the scanner took what jansson refuses: %s", jerr.text);
	struct analysis *a2 = report_load_json(root, "t", &err2);
	json_decref(root);
	ck_assert_int_eq(a1 == NULL, a2 == NULL);
	if (!a1) {
		ck_assert_str_eq(err1, err2);
	} else {
		static const char *const formats[] = { "json", "text", "md" };
		for (size_t i = 0; i < 3; i++) {
			char *got = render(formats[i], a1), *want = render(formats[i], a2);
			ck_assert_msg(strcmp(got, want) == 0, "%s differs from line %d on",
				formats[i], tu_first_diff_line(got, want));
			free(got);
			free(want);
		}
	}
	analysis_free(a1);
	analysis_free(a2);
	free(err1);
	free(err2);
	return false;
}

static const char *const scan_goldens[] = { "full.json", "report.json", "full-baseline.json" };

START_TEST(test_scan_goldens)
{
	char path[4096];
	char *text = tu_slurp(golden_path(scan_goldens[_i], path, sizeof(path)));
	ck_assert(text != NULL);
	ck_assert_msg(!scan_vs_jansson(text), "%s left to jansson", scan_goldens[_i]);
	free(text);
}
END_TEST

#define HEAD "{\"schema\": 1, \"tool\": {\"name\": \"pgsift\"}, "
#define GROUP_A "{\"fingerprint\": \"00000000000000aa\", \"query\": \"SELECT 1\", \"calls\": 2}"

/* Documents, and whether the scanner must give them to jansson. */
static const struct {
	const char *text;
	bool unsure;
} scan_docs[] = {
	/* Mistyped and odd members read as jansson's readers read them. */
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"query\": "
	  "\"SELECT \\\"a\\u00e9\\ud83d\\ude00\\\" \\n\\t\\/ x\", \"calls\": 2.5, "
	  "\"timed_calls\": null, \"total_ms\": \"x\", \"min_ms\": -0, \"max_ms\": 3E+0, "
	  "\"p95_ms\": 0.5e-3, \"p99_ms\": 1e-400, \"sources\": [\"log\", 3, \"nope\"], "
	  "\"databases\": [1], \"users\": {\"a\": 1.5, \"b\": 2}, \"applications\": {\"x\": -3}, "
	  "\"examples\": [1, {\"ts\": \"2024-05-01T10:00:00.000Z\", \"duration_ms\": 5, "
	  "\"query\": \"SELECT 1\", \"params\": null, \"db\": \"\", \"user\": \"u\"}, {}, "
	  "{\"query\": \"a fourth\"}], "
	  "\"plan\": {\"Plan\": {\"Node Type\": \"Seq Scan\", \"Total Cost\": 1.50, \"x\": [1, 2.0]}}, "
	  "\"plan_ms\": 2, \"histogram\": [{\"upto_ms\": null, \"count\": 2}, 3, "
	  "{\"upto_ms\": 1.0, \"count\": 1}, {\"upto_ms\": 7.77, \"count\": 9}], "
	  "\"timeline\": {\"bucket_s\": 60, \"buckets\": [{\"start\": \"2024-05-01T10:00:00.000Z\", "
	  "\"calls\": 2, \"total_ms\": 4.5}, 7]}, \"lexical_fingerprint\": true, "
	  "\"other_names_calls\": {\"users\": 3}, \"unknown\": {\"deep\": [1, [2, {\"x\": null}]]}, "
	  "\"first_seen\": \"2024-05-01T10:00:00.000Z\", \"last_seen\": 12, "
	  "\"prep_ms\": 0.30000000000000004, \"prep_count\": 123456789012345678}, "
	  "{\"fingerprint\": \"00000000000000cc\", \"total_ms\": 9007199254740993.5, "
	  "\"min_ms\": 123456789012345.6, \"max_ms\": 1.7976931348623157e308, "
	  "\"mean_ms\": 4.9e-324, \"p50_ms\": 0.000001234, \"calls\": -12}]}", false },
	/* A plan as an array, a timeline that is not an object, two groups
	 * of one fingerprint (merged), members out of the writer's order. */
	{ HEAD "\"groups\": [{\"plan\": [{\"Plan\": {}}], \"timeline\": [], \"query\": \"q\", "
	  "\"fingerprint\": \"00000000000000bb\", \"plan_ms\": 1}, " GROUP_A ", " GROUP_A "], "
	  "\"window\": 1, \"window\": {\"start\": \"2024-05-01T10:00:00.000Z\"}}", false },
	{ HEAD "\"groups\": []}\n\n", false },
	{ HEAD "\"groupz\": []}", false },      /* the error is report_load_json's */
	{ "  {\"groups\": [" GROUP_A "], \"schema\": 2}", false },
	/* Left to jansson. */
	{ HEAD "\"groups\": [{\"fingerprint\": \"xyz\"}]}", true },
	{ HEAD "\"groups\": [{\"calls\": 1, \"calls\": 2, \"fingerprint\": \"00000000000000aa\"}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"users\": {\"a\": 1, \"a\": 2}}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"query\": \"a\\u0000b\"}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"total_ms\": 1e400}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"calls\": 9223372036854775808}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"calls\": 01}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"x\": [1,]}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"query\": \"\x01\"}]}", true },
	{ HEAD "\"groups\": [{\"fingerprint\": \"00000000000000aa\", \"query\": \"\xff\"}]}", true },
	{ HEAD "\"groups\": [" GROUP_A "], \"groups\": []}", true },
	{ HEAD "\"groups\": [1]}", true },
	{ HEAD "\"groups\": {}}", true },
	{ HEAD "\"groups\": []} x", true },
	{ HEAD "\"groups\": [" GROUP_A, true },
	{ "[" GROUP_A "]", true },
	{ "", true },
};

START_TEST(test_scan_docs)
{
	ck_assert_msg(scan_vs_jansson(scan_docs[_i].text) == scan_docs[_i].unsure,
		"document %d: the scanner %s", _i,
		scan_docs[_i].unsure ? "took it" : "left it to jansson");
}
END_TEST

/* A group saved twice (found by fuzz_report_load: the copies' names
 * were written past the array made for the later one, and the earlier
 * timeline and plan leaked): both paths keep the later copy's names,
 * timeline and plan, as they keep its figures. */
#define TWICE_1 "{\"fingerprint\": \"fedcba9876543210\", \"databases\": {\"b\": 5}, " \
	"\"users\": {\"u\": 1}, \"plan\": {\"Plan\": {}}, \"timeline\": {\"bucket_s\": 60, " \
	"\"buckets\": [{\"start\": \"2024-05-01T10:00:00.000Z\", \"calls\": 1, \"total_ms\": 1}]}}"
#define TWICE_2 "{\"fingerprint\": \"fedcba9876543210\", \"databases\": {\"c\": 1, \"d\": 2}, " \
	"\"plan\": [{\"Plan\": {\"x\": 1}}], \"timeline\": {\"bucket_s\": 60, \"buckets\": [" \
	"{\"start\": \"2024-05-01T10:00:00.000Z\", \"calls\": 2, \"total_ms\": 3}, " \
	"{\"start\": \"2024-05-01T10:01:00.000Z\", \"calls\": 4, \"total_ms\": 5}]}}"

START_TEST(test_group_saved_twice)
{
	static const char text[] = HEAD "\"groups\": [" TWICE_1 ", " TWICE_2 "]}";
	ck_assert(!scan_vs_jansson(text));
	char *err = NULL;
	bool unsure;
	struct analysis *a = rl_scan_report(text, strlen(text), "t", &err, &unsure, false, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->ngroups, 1);
	const struct group *g = a->groups[0];
	ck_assert_uint_eq(g->dbs.n, 2);
	ck_assert_str_eq(g->dbs.v[0].name, "c");
	ck_assert_str_eq(g->dbs.v[1].name, "d");
	ck_assert_uint_eq(g->users.n, 0);
	ck_assert_uint_eq(g->timeline.n, 2);
	ck_assert_uint_eq(g->timeline.b[1].calls, 4);
	ck_assert_str_eq(g->plan_json, "[{\"Plan\":{\"x\":1}}]");
	analysis_free(a);
}
END_TEST

/* Examples left in the file and read group by group give the model read
 * whole; a file changed since gives false, not a crash. */
START_TEST(test_examples_later)
{
	char path[4096], *err = NULL;
	struct report_examples *later;
	golden_path(scan_goldens[_i], path, sizeof(path));
	struct analysis *whole = report_load(path, &err);
	ck_assert_msg(whole != NULL, "%s", err ? err : "?");
	struct analysis *a = report_load_later(path, &err, &later);
	ck_assert_msg(a != NULL, "%s", err ? err : "?");
	ck_assert_ptr_nonnull(later);
	ck_assert_uint_eq(a->ngroups, whole->ngroups);
	for (size_t i = a->ngroups; i-- > 0;) {
		ck_assert(report_examples_load(later, a, a->groups[i]));
		ck_assert(report_examples_load(later, a, a->groups[i]));       /* once */
	}
	static const char *const formats[] = { "json", "text", "md" };
	for (size_t i = 0; i < 3; i++) {
		char *got = render(formats[i], a), *want = render(formats[i], whole);
		ck_assert_msg(strcmp(got, want) == 0, "%s differs from line %d on",
			formats[i], tu_first_diff_line(got, want));
		free(got);
		free(want);
	}
	report_examples_free(later);
	analysis_free(a);
	analysis_free(whole);

	/* The file cut short after the load. */
	char *text = tu_slurp(path);
	char *tmp = tu_write_temp(text, strlen(text));
	a = report_load_later(tmp, &err, &later);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(later);
	FILE *f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fclose(f), 0);
	bool all = true;
	for (size_t i = 0; i < a->ngroups; i++)
		all = report_examples_load(later, a, a->groups[i]) && all;
	ck_assert(!all);
	report_examples_free(later);
	report_examples_free(NULL);
	analysis_free(a);
	tu_remove(tmp);
	free(text);
}
END_TEST

Suite *suite_report_load(void);
Suite *suite_report_load(void)
{
	Suite *s = suite_create("report_load");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_round_trip, 0,
			(int)(sizeof(round_trips) / sizeof(round_trips[0])));
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_md_round_trip);
	tcase_add_test(tc, test_text_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("scan");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_scan_goldens, 0,
			(int)(sizeof(scan_goldens) / sizeof(scan_goldens[0])));
	tcase_add_loop_test(tc, test_scan_docs, 0, (int)(sizeof(scan_docs) / sizeof(scan_docs[0])));
	tcase_add_test(tc, test_group_saved_twice);
	tcase_add_loop_test(tc, test_examples_later, 0,
			(int)(sizeof(scan_goldens) / sizeof(scan_goldens[0])));
	suite_add_tcase(s, tc);
	return s;
}
