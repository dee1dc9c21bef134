/* check_baseline.c: comparing with a saved JSON report: loading (and its
 * errors), regressions by fingerprint, new and gone groups, known
 * findings; and end to end on a real server, a workload run twice with
 * one statement made slower the second time. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "baseline.h"
#include "fingerprint.h"
#include "gates.h"
#include "report.h"
#include "strbuf.h"
#include "testutil.h"

#define LINE "2024-05-01 10:00:%02d.000 UTC [11] app@shop/web LOG:  duration: %.3f ms  statement: %s\n"

/* A log of n calls of each (text, ms) pair. */
static char *make_log(const char *const *texts, const double *ms, size_t ntexts, int n)
{
	struct strbuf sb = STRBUF_INIT;
	char line[1024];
	for (size_t t = 0; t < ntexts; t++)
		for (int i = 0; i < n; i++) {
			int len = snprintf(line, sizeof(line), LINE, i % 60, ms[t], texts[t]);
			sb_append(&sb, line, (size_t)len);
		}
	return sb.buf;
}

/* Writes a's JSON report to a new temporary file (caller tu_remove()s). */
static char *save_json(const struct analysis *a)
{
	char *path = tu_write_temp("", 0);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_find("json")->write(f, a, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
	char *text = tu_slurp(path);
	tu_spool_report("check_baseline.c save_json", text);
	free(text);
	return path;
}

static const struct finding *regression_on(const struct analysis *a, const char *needle)
{
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (f->kind == FK_regression && strstr(f->title, needle))
			return f;
	}
	return NULL;
}

START_TEST(test_compare)
{
	const char *then_texts[] = {
		"SELECT * FROM orders WHERE id = 1",
		"SELECT * FROM items WHERE id IN (1, 2, 3)",
		"SELECT * FROM gone_table WHERE x = 'a'",
		"SELECT * FROM busy WHERE k = 1",
	};
	const double then_ms[] = { 10, 5, 3, 1 };
	/* Other literals and IN-list lengths: the same groups. */
	const char *now_texts[] = {
		"SELECT * FROM orders WHERE id = 987",
		"SELECT * FROM items WHERE id IN (4, 5, 6, 7, 8, 9, 10)",
		"SELECT * FROM brand_new WHERE y > 2",
		"SELECT * FROM busy WHERE k = 2",
	};
	const double now_ms[] = { 50, 5, 2, 1.2 };

	char *then_log = make_log(then_texts, then_ms, 4, 10);
	char *now_log = make_log(now_texts, now_ms, 4, 10);
	struct analysis *then = tu_analyse_text(then_log, NULL, NULL);
	struct analysis *now = tu_analyse_text(now_log, NULL, NULL);
	ck_assert_uint_eq(then->ngroups, 4);
	/* A known finding in the baseline, and the same one now. */
	struct finding *f = findings_add(then->findings, FK_missing_index, FS_CRITICAL, 100, "orders by id");
	finding_set_table(f, "orders");
	f = findings_add(now->findings, FK_missing_index, FS_CRITICAL, 100, "orders by id");
	finding_set_table(f, "orders");
	char *path = save_json(then);

	char *err = NULL;
	struct baseline *b = baseline_load(path, &err);
	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_uint_eq(baseline_ngroups(b), 4);
	ck_assert_ptr_nonnull(baseline_find(b, then->groups[0]->fingerprint));
	ck_assert(baseline_has_finding(b, f));

	struct baseline_params p;
	baseline_params_init(&p);
	struct baseline_diff *d = baseline_compare(b, now, NULL, &p);
	ck_assert_uint_eq(d->matched, 3);
	/* orders: P95 10 -> 50 ms (+400%); busy: +20%, under the threshold. */
	ck_assert_uint_eq(d->nregressions, 1);
	ck_assert(d->regressions[0].p95_grew);
	ck_assert(!d->regressions[0].total_grew);       /* +400 ms: under 1 s of noise */
	ck_assert_double_eq_tol(d->regressions[0].p95_pct, 400, 1);
	const struct finding *r = regression_on(now, "FROM orders WHERE id");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->severity, FS_CRITICAL);
	ck_assert(r->has_fingerprint);
	ck_assert(strstr(r->title, "P95 up 400% (10.000 -> 50.000 ms)") != NULL);
	json_t *ev = r->evidence;
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(ev, "baseline"), "p95_ms")), 10, 1e-6);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(ev, "current"), "p95_ms")), 50, 1e-6);
	/* New and gone, by fingerprint. */
	ck_assert_uint_eq(d->nadded, 1);
	ck_assert(strstr(d->added[0]->query, "brand_new") != NULL);
	ck_assert_uint_eq(d->ngone, 1);
	ck_assert(strstr(d->gone[0]->query, "gone_table") != NULL);

	/* Gates on the comparison. */
	struct gate_rule rules[4];
	char msg[256];
	ck_assert(gate_rule_parse("regression>25%", &rules[0], msg, sizeof(msg)));
	ck_assert(gate_rule_parse("regression>500%", &rules[1], msg, sizeof(msg)));
	ck_assert(gate_rule_parse("new-fingerprint", &rules[2], msg, sizeof(msg)));
	ck_assert(gate_rule_parse("finding=missing_index", &rules[3], msg, sizeof(msg)));
	struct check_result *c = check_result_new(b, d);
	gates_eval(c, rules, 4, now);
	ck_assert(c->results[0].failed);
	ck_assert_uint_eq(c->results[0].matches, 1);
	ck_assert(!c->results[1].failed);
	ck_assert(c->results[2].failed);
	/* The missing index was in the baseline already: not news. */
	ck_assert(!c->results[3].failed);
	ck_assert_uint_eq(c->results[3].known, 1);
	json_t *j = check_result_json(c);
	json_t *jb = json_object_get(j, "baseline");
	ck_assert_uint_eq(json_array_size(json_object_get(jb, "regressions")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(jb, "new")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(jb, "gone")), 1);
	json_decref(j);

	/* The Markdown report shows the comparison. */
	now->check = c;
	char *md = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&md, &len);
	ck_assert_int_eq(report_find("md")->write(out, now, NULL), 0);
	fclose(out);
	ck_assert(strstr(md, "## Compared with the baseline") != NULL);
	ck_assert(strstr(md, "<details><summary>New in the top 20: 1 group</summary>") != NULL);
	ck_assert(strstr(md, "Gone from the baseline's top 20: 1 group") != NULL);
	ck_assert(strstr(md, "**+400%**") != NULL);
	free(md);
	check_result_free(c);
	now->check = NULL;

	/* Compared with itself: nothing changed. */
	b = baseline_load(path, &err);
	d = baseline_compare(b, then, NULL, &p);
	ck_assert_uint_eq(d->nregressions, 0);
	ck_assert_uint_eq(d->nadded, 0);
	ck_assert_uint_eq(d->ngone, 0);
	ck_assert_uint_eq(d->matched, 4);
	baseline_diff_free(d);
	baseline_free(b);

	tu_remove(path);
	analysis_free(then);
	analysis_free(now);
	free(then_log);
	free(now_log);
}
END_TEST

START_TEST(test_total_growth)
{
	/* The same latency, 5 times the calls: total time grew by 4 s. */
	const char *texts[] = { "SELECT * FROM t WHERE id = 1" };
	const double ms[] = { 100 };
	char *then_log = make_log(texts, ms, 1, 10);
	char *now_log = make_log(texts, ms, 1, 50);
	struct analysis *then = tu_analyse_text(then_log, NULL, NULL);
	struct analysis *now = tu_analyse_text(now_log, NULL, NULL);
	char *path = save_json(then);
	char *err = NULL;
	struct baseline *b = baseline_load(path, &err);
	struct baseline_params p;
	baseline_params_init(&p);
	struct baseline_diff *d = baseline_compare(b, now, NULL, &p);
	ck_assert_uint_eq(d->nregressions, 1);
	ck_assert(!d->regressions[0].p95_grew);
	ck_assert(d->regressions[0].total_grew);
	ck_assert(regression_on(now, "Total time up 400% (1000.0 -> 5000.0 ms)") != NULL);
	baseline_diff_free(d);
	/* A higher noise floor hides it. */
	p.min_total_ms = 10000;
	d = baseline_compare(b, then, NULL, &p);
	ck_assert_uint_eq(d->nregressions, 0);
	baseline_diff_free(d);
	baseline_free(b);
	tu_remove(path);
	analysis_free(then);
	analysis_free(now);
	free(then_log);
	free(now_log);
}
END_TEST

static const struct {
	const char *text;
	const char *expect;
} bad_baselines[] = {
	{ "not json", "not JSON" },
	{ "{\"groups\": []}", "not a pgsift JSON report" },
	{ "{\"schema\": 2, \"groups\": []}", "another schema" },
	{ "{\"schema\": 1}", "without a \"groups\" array" },
	{ "{\"schema\": 1, \"groups\": [{\"fingerprint\": \"xyz\"}]}", "16-hex-digit" },
};

START_TEST(test_load_errors)
{
	char *path = tu_write_temp(bad_baselines[_i].text, strlen(bad_baselines[_i].text));
	char *err = NULL;
	ck_assert_ptr_null(baseline_load(path, &err));
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
	ck_assert_msg(strstr(err, bad_baselines[_i].expect) != NULL, "%s", err);
	free(err);
	tu_remove(path);
	ck_assert_ptr_null(baseline_load("/nonexistent/base.json", &err));
	ck_assert(strstr(err, "/nonexistent/base.json: ") == err);
	free(err);
}
END_TEST

/* ---- end to end on a real server ---- */

static char live_dir[] = "/tmp/pgsift-baseline-XXXXXX";
static int live_ready;  /* 1 ran, -1 no server binaries, -2 failed */

/* Run 1 as is; run 2 with the primary key of products dropped, so that
 * the pgbench lookup "SELECT id, name, price FROM products WHERE id = $1"
 * (8,000 calls) scans the table each time. */
static void live_setup(void)
{
	int first;
	const char *shared = tu_shared_workload(&first);
	if (first != 1) {
		live_ready = first;
		return;
	}
	if (!mkdtemp(live_dir))
		abort();
	/* Run 1 is the plain workload the other suites share: linked, not
	 * run again. */
	char path[4096], sql[4096];
	snprintf(path, sizeof(path), "%s/first", live_dir);
	if (symlink(shared, path) != 0)
		abort();
	snprintf(sql, sizeof(sql), "%s/slower.sql", live_dir);
	FILE *f = fopen(sql, "w");
	if (!f || fputs("ALTER TABLE products DROP CONSTRAINT products_pkey CASCADE;\n", f) < 0
			|| fclose(f) != 0 || chmod(live_dir, 0755) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/second", live_dir);
	live_ready = tu_run_workload(path, sql);
}

static void live_teardown(void)
{
	if (live_ready == 1 || live_ready == -2) {
		char cmd[4096];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", live_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "check_baseline: could not remove %s\n", live_dir);
	}
}

static json_t *load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	ck_assert_msg(j != NULL, "%s: %s", path, e.text);
	return j;
}

static const char *fingerprint_of(json_t *report, const char *needle)
{
	json_t *g;
	size_t i;
	json_array_foreach(json_object_get(report, "groups"), i, g)
		if (strstr(json_string_value(json_object_get(g, "query")), needle))
			return json_string_value(json_object_get(g, "fingerprint"));
	return NULL;
}

START_TEST(test_live_regression)
{
	if (live_ready == -1) {
		tu_skip("baseline: live_regression", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(live_ready == 1, "pg-workload.sh failed");
	const char *d = live_dir, *bin = tu_bin();
	const char *stmt = "SELECT id, name, price FROM products WHERE id = $1";
	char cmd[8192], path[4200];
	int status;
	char *out;

	/* The slowdown is real: P95 of the lookup, run 1 and run 2. */
	snprintf(cmd, sizeof(cmd), "'%s' report -q -f json -o '%s/first.json' '%s/first/postgresql.log' 2>&1", bin, d, d);
	out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' report -q -f json -o '%s/second-report.json' '%s/second/postgresql.log' 2>&1", bin, d, d);
	out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/first.json", d);
	json_t *first = load_json(path);
	snprintf(path, sizeof(path), "%s/second-report.json", d);
	json_t *second = load_json(path);
	const char *fp = fingerprint_of(first, stmt);
	ck_assert_ptr_nonnull(fp);
	ck_assert_str_eq(fingerprint_of(second, stmt), fp);
	json_t *g1 = NULL, *g2 = NULL, *g;
	size_t i;
	json_array_foreach(json_object_get(first, "groups"), i, g)
		if (strcmp(json_string_value(json_object_get(g, "fingerprint")), fp) == 0)
			g1 = g;
	json_array_foreach(json_object_get(second, "groups"), i, g)
		if (strcmp(json_string_value(json_object_get(g, "fingerprint")), fp) == 0)
			g2 = g;
	double p95_1 = json_number_value(json_object_get(g1, "p95_ms"));
	double p95_2 = json_number_value(json_object_get(g2, "p95_ms"));
	fprintf(stderr, "check_baseline: P95 of the products lookup: %.3f ms, then %.3f ms\n", p95_1, p95_2);
	ck_assert_msg(p95_2 > 2 * p95_1 && p95_2 - p95_1 > 1, "%.3f -> %.3f ms", p95_1, p95_2);

	/* The second run against the first: exit 1, a regression naming it. */
	snprintf(cmd, sizeof(cmd), "'%s' check -q -f json -o '%s/second.json' --baseline '%s/first.json' '%s/second/postgresql.log' 2>&1",
		bin, d, d, d);
	out = tu_run(cmd, &status);
	ck_assert_msg(status == 1, "exit %d: %s", status, out);
	ck_assert(strstr(out, "pgsift: gate failed: severity>=critical") != NULL);
	free(out);
	snprintf(path, sizeof(path), "%s/second.json", d);
	json_t *checked = load_json(path);
	json_t *f, *found = NULL;
	json_array_foreach(json_object_get(checked, "findings"), i, f) {
		const char *ffp = json_string_value(json_object_get(f, "fingerprint"));
		if (strcmp(json_string_value(json_object_get(f, "kind")), "regression") == 0 &&
				ffp && strcmp(ffp, fp) == 0)
			found = f;
	}
	ck_assert_msg(found != NULL, "no regression finding on %s", fp);
	ck_assert_str_eq(json_string_value(json_object_get(found, "severity")), "critical");
	ck_assert(strstr(json_string_value(json_object_get(found, "title")),
		"FROM products WHERE id = $1") != NULL);
	json_t *ev = json_object_get(found, "evidence");
	ck_assert(json_is_object(json_object_get(ev, "baseline")));
	ck_assert(json_is_object(json_object_get(ev, "current")));
	json_decref(checked);

	/* The Markdown: the verdict first, with the rule and the statement. */
	snprintf(cmd, sizeof(cmd), "'%s' check -q --fail-on 'regression>25%%' --baseline '%s/first.json' '%s/second/postgresql.log'",
		bin, d, d);
	out = tu_run(cmd, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strncmp(out, "# pgsift report\n\n**\xe2\x9d\x8c Check failed**: 1 of 1 gate: `regression>25%` (", 70) == 0, "%.300s", out);
	ck_assert(strstr(out, "## Compared with the baseline") != NULL);
	ck_assert(strlen(out) < ((size_t)1 << 20));
	free(out);

	/* The first run against itself passes, with the default rule too. */
	snprintf(cmd, sizeof(cmd), "'%s' check -q -o /dev/null --baseline '%s/first.json' '%s/first/postgresql.log' 2>&1", bin, d, d);
	out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "exit %d: %s", status, out);
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' check -q -o /dev/null --fail-on 'regression>25%%,new-fingerprint' "
		"--baseline '%s/first.json' '%s/first/postgresql.log' 2>&1", bin, d, d);
	out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "exit %d: %s", status, out);
	free(out);
	json_decref(first);
	json_decref(second);
}
END_TEST

Suite *suite_baseline(void);
Suite *suite_baseline(void)
{
	Suite *s = suite_create("baseline");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_total_growth);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_load_errors, 0, (int)ARRAY_SIZE(bad_baselines));
	suite_add_tcase(s, tc);

	tc = tcase_create("live");
	tcase_set_timeout(tc, 900);
	tcase_add_unchecked_fixture(tc, live_setup, live_teardown);
	tcase_add_test(tc, test_live_regression);
	suite_add_tcase(s, tc);
	return s;
}
