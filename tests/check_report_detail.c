/* check_report_detail.c: the JSON report's groups past the detail limit.
 *
 * On real server output (samples/postgresql.log.zst, pg-workload.sh, 41
 * groups) with the limit lowered by --detail-groups: the first groups
 * are as in the full report, the others lack exactly "histogram" and
 * "timeline" and have no examples, "totals" says so, and the report
 * loaded again is written back byte for byte, never with more detail
 * than it saved. Under the default limit the report is the full one. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_load.h"
#include "testutil.h"

#define SAMPLE "samples/postgresql.log.zst"
#define LIMIT 3

/* pgsift's standard output for args (run from the source tree); exit 0. */
static char *run(const char *args)
{
	char cmd[8192];
	int status;

	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s 2>/dev/null",
			tu_root(), tu_bin(), args);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "pgsift %s: exit %d", args, status);
	return out;
}

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	ck_assert_msg(doc != NULL, "not JSON: %s (line %d)", err.text, err.line);
	return doc;
}

START_TEST(test_default_is_full)
{
	char *full = run("report -q -f json --detail-groups all " SAMPLE);
	char *dflt = run("report -q -f json " SAMPLE);
	ck_assert_msg(strcmp(full, dflt) == 0, "the default differs from all "
			"from line %d on", tu_first_diff_line(full, dflt));
	json_t *doc = parse(full);
	json_t *tot = json_object_get(doc, "totals");
	ck_assert(json_object_get(tot, "detail_groups") == NULL);
	ck_assert(json_object_get(tot, "beyond_detail") == NULL);
	ck_assert_int_gt(json_array_size(json_object_get(doc, "groups")), LIMIT);
	json_decref(doc);
	free(full);
	free(dflt);
}
END_TEST

START_TEST(test_thinned)
{
	char *full_text = run("report -q -f json " SAMPLE);
	char *thin_text = run("report -q -f json --detail-groups 3 " SAMPLE);
	json_t *full = parse(full_text), *thin = parse(thin_text);
	json_t *fg = json_object_get(full, "groups");
	json_t *tg = json_object_get(thin, "groups");
	size_t n = json_array_size(fg), thinned = 0;

	/* The marker, and nothing else changed in totals. */
	json_t *tot = json_object_get(thin, "totals");
	ck_assert_int_eq(json_integer_value(json_object_get(tot, "detail_groups")), LIMIT);
	json_t *want = parse("{\"omitted\": [\"histogram\", \"timeline\"], "
			"\"max_examples\": 0}");
	ck_assert(json_equal(json_object_get(tot, "beyond_detail"), want));
	json_decref(want);
	json_t *rest = json_deep_copy(tot);
	json_object_del(rest, "detail_groups");
	json_object_del(rest, "beyond_detail");
	ck_assert(json_equal(rest, json_object_get(full, "totals")));
	json_decref(rest);

	ck_assert_int_eq(json_array_size(tg), n);
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(fg, i), *t = json_array_get(tg, i);
		if (i < LIMIT) {
			ck_assert_msg(json_equal(f, t), "group %zu changed", i);
			continue;
		}
		ck_assert(json_object_get(t, "histogram") == NULL);
		ck_assert(json_object_get(t, "timeline") == NULL);
		ck_assert_int_eq(json_array_size(json_object_get(t, "examples")), 0);
		/* Exactly those: the full group without them is the group. */
		json_t *cut = json_deep_copy(f);
		thinned += json_object_get(cut, "histogram") != NULL ||
			json_array_size(json_object_get(cut, "examples")) > 0;
		json_object_del(cut, "histogram");
		json_object_del(cut, "timeline");
		json_object_set_new(cut, "examples", json_array());
		ck_assert_msg(json_equal(cut, t), "group %zu differs beyond the "
				"members left out", i);
		json_decref(cut);
	}
	ck_assert_int_gt(thinned, 0);   /* the sample's groups had them */

	/* The rest of the document is the full report's. */
	json_object_del(full, "totals");
	json_object_del(thin, "totals");
	json_object_del(full, "groups");
	json_object_del(thin, "groups");
	ck_assert(json_equal(full, thin));
	json_decref(full);
	json_decref(thin);
	free(full_text);
	free(thin_text);
}
END_TEST

/* With --show-literals a thinned group keeps its slowest example (the
 * values are what was asked for), and the marker says one. */
START_TEST(test_thinned_literals)
{
	char *full_text = run("report -q -f json --show-literals " SAMPLE);
	char *thin_text = run("report -q -f json --show-literals --detail-groups 3 " SAMPLE);
	json_t *full = parse(full_text), *thin = parse(thin_text);
	json_t *fg = json_object_get(full, "groups");
	json_t *tg = json_object_get(thin, "groups");
	json_t *beyond = json_object_get(json_object_get(thin, "totals"), "beyond_detail");
	size_t kept = 0;

	ck_assert_int_eq(json_integer_value(json_object_get(beyond, "max_examples")), 1);
	for (size_t i = LIMIT; i < json_array_size(fg); i++) {
		json_t *fe = json_object_get(json_array_get(fg, i), "examples");
		json_t *te = json_object_get(json_array_get(tg, i), "examples");
		ck_assert_int_eq(json_array_size(te), json_array_size(fe) ? 1 : 0);
		if (json_array_size(te)) {
			ck_assert(json_equal(json_array_get(te, 0), json_array_get(fe, 0)));
			kept++;
		}
	}
	ck_assert_int_gt(kept, 0);
	json_decref(full);
	json_decref(thin);
	free(full_text);
	free(thin_text);
}
END_TEST

/* Loaded again, by the library and by the CLI with any limit, the
 * thinned report is written back as it was. */
START_TEST(test_round_trip)
{
	char *thin = run("report -q -f json --detail-groups 3 " SAMPLE);
	char *path = tu_write_temp(thin, strlen(thin));
	char *err = NULL, *got = NULL, args[4200];
	size_t len = 0;
	struct pgsift_options o;

	struct analysis *a = report_load(path, &err);
	ck_assert_msg(a != NULL, "%s", err ? err : "?");
	ck_assert_int_eq(a->saved_detail_groups, LIMIT);
	options_init(&o);
	FILE *f = open_memstream(&got, &len);
	ck_assert(f != NULL);
	ck_assert_int_eq(report_json.write(f, a, &o), 0);
	ck_assert_int_eq(fclose(f), 0);
	tu_spool_report("check_report_detail.c", got);
	ck_assert_msg(strcmp(got, thin) == 0, "the loaded report differs from "
			"line %d on", tu_first_diff_line(got, thin));
	free(got);
	analysis_free(a);

	static const char *const limits[] = { "", "--detail-groups all", "--detail-groups 3" };
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		snprintf(args, sizeof(args), "report -q -f json %s '%s'", limits[i], path);
		got = run(args);
		ck_assert_msg(strcmp(got, thin) == 0, "%s differs from line %d on",
				args, tu_first_diff_line(got, thin));
		free(got);
	}
	/* Fewer than it saved is fewer. */
	snprintf(args, sizeof(args), "report -q -f json --detail-groups 1 '%s'", path);
	got = run(args);
	json_t *doc = parse(got);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc,
			"totals"), "detail_groups")), 1);
	json_t *g1 = json_array_get(json_object_get(doc, "groups"), 1);
	ck_assert(json_object_get(g1, "histogram") == NULL);
	json_decref(doc);
	free(got);
	/* The other writers read it too. */
	snprintf(args, sizeof(args), "report -q -f md '%s'", path);
	free(run(args));
	free(thin);
	tu_remove(path);
}
END_TEST

static const char *const bad_limits[] = { "0", "-1", "abc", "" };

START_TEST(test_bad_limit)
{
	char cmd[4200];
	int status;

	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report --detail-groups '%s' "
			SAMPLE " 2>&1 >/dev/null", tu_root(), tu_bin(), bad_limits[_i]);
	char *err = tu_run(cmd, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(err, "--detail-groups takes a positive number or 'all'"),
			"%s", err);
	free(err);
}
END_TEST

Suite *suite_report_detail(void);
Suite *suite_report_detail(void)
{
	Suite *s = suite_create("report_detail");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_default_is_full);
	tcase_add_test(tc, test_thinned);
	tcase_add_test(tc, test_thinned_literals);
	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_limit, 0,
			(int)(sizeof(bad_limits) / sizeof(bad_limits[0])));
	suite_add_tcase(s, tc);
	return s;
}
