/* check_gates.c: the rule language (valid and invalid rules, table
 * driven), gate evaluation, the config file, the Markdown verdict and
 * size limit, and `pgsift check` on the command line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "findings.h"
#include "gates.h"
#include "report.h"
#include "strbuf.h"
#include "testutil.h"

/* ---- parsing ---- */

static const struct {
	const char *text;
	enum gate_metric metric;
	enum gate_op op;
	double value;
	const char *norm;
} valid[] = {
	{ "p95>500ms", GM_P95, GOP_GT, 500, "p95>500ms" },
	{ "p99>1s", GM_P99, GOP_GT, 1000, "p99>1s" },
	{ "P99 >= 1.5 s", GM_P99, GOP_GE, 1500, "p99>=1.5s" },
	{ "p50>20", GM_P50, GOP_GT, 20, "p50>20" },
	{ "mean>2min", GM_MEAN, GOP_GT, 120000, "mean>2min" },
	{ "max>0.5ms", GM_MAX, GOP_GT, 0.5, "max>0.5ms" },
	{ "total>1h", GM_TOTAL, GOP_GT, 3600000, "total>1h" },
	{ "calls>10000", GM_CALLS, GOP_GT, 10000, "calls>10000" },
	{ "calls>=1", GM_CALLS, GOP_GE, 1, "calls>=1" },
	{ "severity>=critical", GM_SEVERITY, GOP_GE, 0, "severity>=critical" },
	{ "severity=warning", GM_SEVERITY, GOP_EQ, 0, "severity=warning" },
	{ "finding=n_plus_one", GM_FINDING, GOP_EQ, 0, "finding=n_plus_one" },
	{ "finding = missing_index", GM_FINDING, GOP_EQ, 0, "finding=missing_index" },
	{ "new-fingerprint", GM_NEW_FINGERPRINT, GOP_GT, 0, "new-fingerprint" },
	{ "regression>25%", GM_REGRESSION, GOP_GT, 25, "regression>25%" },
	{ "regression >= 12.5 %", GM_REGRESSION, GOP_GE, 12.5, "regression>=12.5%" },
	{ "p95 > 500ms & calls >= 10", GM_P95, GOP_GT, 500, "p95>500ms&calls>=10" },
	{ "total>1s&calls>1", GM_TOTAL, GOP_GT, 1000, "total>1s&calls>1" },
};

START_TEST(test_parse_valid)
{
	struct gate_rule r;
	char err[512] = "";
	ck_assert_msg(gate_rule_parse(valid[_i].text, &r, err, sizeof(err)),
		"'%s': %s", valid[_i].text, err);
	ck_assert_int_eq(r.metric, valid[_i].metric);
	if (r.metric != GM_NEW_FINGERPRINT)
		ck_assert_int_eq(r.op, valid[_i].op);
	ck_assert_double_eq_tol(r.value, valid[_i].value, 1e-9);
	ck_assert_str_eq(r.text, valid[_i].norm);
}
END_TEST

START_TEST(test_parse_fields)
{
	struct gate_rule r;
	char err[512];
	ck_assert(gate_rule_parse("severity>=warning", &r, err, sizeof(err)));
	ck_assert_int_eq(r.severity, FS_WARNING);
	ck_assert(gate_rule_parse("finding=n_plus_one", &r, err, sizeof(err)));
	ck_assert_int_eq(r.kind, FK_n_plus_one);
	ck_assert(!gate_rule_needs_baseline(&r));
	ck_assert(gate_rule_parse("new-fingerprint", &r, err, sizeof(err)));
	ck_assert(gate_rule_needs_baseline(&r));
	ck_assert(gate_rule_parse("regression>25%", &r, err, sizeof(err)));
	ck_assert(gate_rule_needs_baseline(&r));
	ck_assert_uint_eq(r.min_calls, 0);
	ck_assert(gate_rule_parse("p95>500ms&calls>=10", &r, err, sizeof(err)));
	ck_assert_uint_eq(r.min_calls, 10);
	ck_assert(gate_rule_parse("p95>500ms&calls>10", &r, err, sizeof(err)));
	ck_assert_uint_eq(r.min_calls, 11);
}
END_TEST

static const struct {
	const char *text;
	const char *expect;     /* in the message */
} invalid[] = {
	{ "", "empty rule" },
	{ "   ", "empty rule" },
	{ "latency>5ms", "unknown measure 'latency'" },
	{ "p95", "expected '>' or '>=' after p95" },
	{ "p95<500ms", "expected '>' or '>=' after p95" },
	{ "p95=500ms", "expected '>' or '>=' after p95" },
	{ "p95>fast", "expected a duration after '>'" },
	{ "p95>500mss", "expected a duration" },
	{ "p95>-5ms", "expected a duration" },
	{ "p99>", "expected a duration" },
	{ "calls>1e4", "whole number of calls" },
	{ "calls>lots", "whole number of calls" },
	{ "severity>=fatal", "expected info, warning or critical" },
	{ "severity<critical", "expected '>=', '>' or '=' after severity" },
	{ "finding=n_plus_two", "expected a finding kind" },
	{ "finding>n_plus_one", "expected '=' after finding" },
	{ "finding", "expected '=' after finding" },
	{ "regression>25", "expected a percentage" },
	{ "regression>%", "expected a percentage" },
	{ "regression=25%", "expected '>' or '>=' after regression" },
	{ "new-fingerprint>1", "expected nothing after new-fingerprint" },
	{ "p95>500ms_and_a_very_long_tail_that_goes_on_and_on_and_on_forever_more", "at most" },
	{ "severity>=critical&calls>=2", "is for the rules on groups" },
	{ "p95>1s&calls>=x", "whole number of calls after '&calls>='" },
	{ "p95>1s&calls>=", "whole number of calls" },
	{ "p95>1s&rows>5", "expected calls>=N after '&'" },
	{ "p95>1s&", "expected calls>=N after '&'" },
};

START_TEST(test_parse_invalid)
{
	struct gate_rule r;
	char err[512] = "";
	ck_assert_msg(!gate_rule_parse(invalid[_i].text, &r, err, sizeof(err)),
		"'%s' parsed", invalid[_i].text);
	ck_assert_msg(strstr(err, invalid[_i].expect) != NULL,
		"'%s': message '%s' lacks '%s'", invalid[_i].text, err, invalid[_i].expect);
}
END_TEST

/* ---- evaluation ---- */

/* Two statements: a slow one (10 calls of 100..1000 ms) and a fast one
 * (3 calls of 1 ms). */
static const char log_text[] =
	"2024-05-01 10:00:00.000 UTC [11] app@shop/web LOG:  duration: 100.000 ms  statement: SELECT * FROM slow WHERE id = 1\n"
	"2024-05-01 10:00:01.000 UTC [11] app@shop/web LOG:  duration: 200.000 ms  statement: SELECT * FROM slow WHERE id = 2\n"
	"2024-05-01 10:00:02.000 UTC [11] app@shop/web LOG:  duration: 300.000 ms  statement: SELECT * FROM slow WHERE id = 3\n"
	"2024-05-01 10:00:03.000 UTC [11] app@shop/web LOG:  duration: 400.000 ms  statement: SELECT * FROM slow WHERE id = 4\n"
	"2024-05-01 10:00:04.000 UTC [11] app@shop/web LOG:  duration: 500.000 ms  statement: SELECT * FROM slow WHERE id = 5\n"
	"2024-05-01 10:00:05.000 UTC [11] app@shop/web LOG:  duration: 600.000 ms  statement: SELECT * FROM slow WHERE id = 6\n"
	"2024-05-01 10:00:06.000 UTC [11] app@shop/web LOG:  duration: 700.000 ms  statement: SELECT * FROM slow WHERE id = 7\n"
	"2024-05-01 10:00:07.000 UTC [11] app@shop/web LOG:  duration: 800.000 ms  statement: SELECT * FROM slow WHERE id = 8\n"
	"2024-05-01 10:00:08.000 UTC [11] app@shop/web LOG:  duration: 900.000 ms  statement: SELECT * FROM slow WHERE id = 9\n"
	"2024-05-01 10:00:09.000 UTC [11] app@shop/web LOG:  duration: 1000.000 ms  statement: SELECT * FROM slow WHERE id = 10\n"
	"2024-05-01 10:00:10.000 UTC [12] app@shop/web LOG:  duration: 1.000 ms  statement: SELECT 1 FROM fast\n"
	"2024-05-01 10:00:11.000 UTC [12] app@shop/web LOG:  duration: 1.000 ms  statement: SELECT 1 FROM fast\n"
	"2024-05-01 10:00:12.000 UTC [12] app@shop/web LOG:  duration: 1.000 ms  statement: SELECT 1 FROM fast\n";

static struct check_result *eval_one(struct analysis *a, const char *rule)
{
	struct gate_rule r;
	char err[512];
	ck_assert_msg(gate_rule_parse(rule, &r, err, sizeof(err)), "%s: %s", rule, err);
	struct check_result *c = check_result_new(NULL, NULL);
	gates_eval(c, &r, 1, a);
	return c;
}

static const struct {
	const char *rule;
	bool failed;
	size_t matches;
	const char *worst;      /* the query of the worst group, or NULL */
} eval_cases[] = {
	{ "p95>500ms", true, 1, "slow" },
	{ "p95>1s", false, 0, "slow" },
	{ "p99>=1s", true, 1, "slow" },
	{ "p50>0.5ms", true, 2, "slow" },
	{ "mean>550ms", false, 0, "slow" },
	{ "max>999ms", true, 1, "slow" },
	{ "total>5s", true, 1, "slow" },
	{ "calls>3", true, 1, "slow" },
	{ "calls>=3", true, 2, "slow" },
	{ "calls>10000", false, 0, "slow" },
};

START_TEST(test_eval_groups)
{
	struct analysis *a = tu_analyse_text(log_text, NULL, NULL);
	ck_assert_uint_eq(a->ngroups, 2);
	struct check_result *c = eval_one(a, eval_cases[_i].rule);
	ck_assert_uint_eq(c->n, 1);
	ck_assert_msg(c->failed == eval_cases[_i].failed, "%s", eval_cases[_i].rule);
	ck_assert_uint_eq(c->results[0].matches, eval_cases[_i].matches);
	if (eval_cases[_i].worst) {
		ck_assert_ptr_nonnull(c->results[0].group);
		ck_assert(strstr(c->results[0].group->query, eval_cases[_i].worst) != NULL);
	}
	char line[512];
	gate_result_describe(&c->results[0], line, sizeof(line));
	ck_assert(strstr(line, "group") != NULL);
	check_result_free(c);
	analysis_free(a);
}
END_TEST

START_TEST(test_eval_findings)
{
	struct analysis *a = tu_analyse_text(log_text, NULL, NULL);
	struct check_result *c;
	/* Only the findings made here (not those of the advice passes). */
	findings_free(a->findings);
	a->findings = findings_new();

	/* No findings: the default rule passes. */
	c = check_result_new(NULL, NULL);
	gates_eval(c, NULL, 0, a);
	ck_assert(c->default_rules);
	ck_assert(!c->failed);
	ck_assert_str_eq(c->results[0].rule.text, GATE_DEFAULT_RULE);
	check_result_free(c);

	findings_add(a->findings, FK_n_plus_one, FS_WARNING, 50, "loop on order_items");
	findings_sort(a->findings);
	struct finding *f = findings_add(a->findings, FK_missing_index, FS_CRITICAL,
		5000, "orders by customer_id");
	finding_set_table(f, "orders");
	findings_sort(a->findings);

	c = check_result_new(NULL, NULL);
	gates_eval(c, NULL, 0, a);
	ck_assert(c->failed);
	ck_assert_uint_eq(c->results[0].matches, 1);
	ck_assert_str_eq(c->results[0].finding->title, "orders by customer_id");
	check_result_free(c);

	c = eval_one(a, "severity>=warning");
	ck_assert_uint_eq(c->results[0].matches, 2);
	check_result_free(c);
	c = eval_one(a, "severity=warning");
	ck_assert_uint_eq(c->results[0].matches, 1);
	check_result_free(c);
	c = eval_one(a, "finding=n_plus_one");
	ck_assert(c->failed);
	check_result_free(c);
	c = eval_one(a, "finding=deadlock");
	ck_assert(!c->failed);
	check_result_free(c);

	/* The JSON verdict. */
	struct gate_rule rules[2];
	char err[256];
	ck_assert(gate_rule_parse("finding=missing_index", &rules[0], err, sizeof(err)));
	ck_assert(gate_rule_parse("calls>100", &rules[1], err, sizeof(err)));
	c = check_result_new(NULL, NULL);
	gates_eval(c, rules, 2, a);
	json_t *j = check_result_json(c);
	ck_assert(json_is_true(json_object_get(j, "failed")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "rules")), 2);
	ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(j, "rules"), 1), "failed")));
	ck_assert(json_is_null(json_object_get(j, "baseline")));
	json_decref(j);
	check_result_free(c);
	analysis_free(a);
}
END_TEST

/* ---- config file ---- */

static char *write_config(const char *text)
{
	return tu_write_temp(text, strlen(text));
}

START_TEST(test_config)
{
	char *path = write_config(
		"# policy\n"
		"\n"
		"fail-on = p95>500ms, regression>25%\n"
		"  fail-on=finding=n_plus_one   # N+1 loops fail the build\n"
		"baseline = ci/base.json\n"
		"include = \"^SELECT #1\"\n"
		"exclude = pg_catalog\n"
		"top = 7\n"
		"regression-min-ms = 2\n"
		"regression-min-total-ms = 1.5s\n"
		"regression-min-calls = 3\n");
	struct gates_config c;
	char *err = NULL;
	ck_assert_int_eq(gates_config_load(path, &c, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(c.nrules, 3);
	ck_assert_int_eq(c.rules[0].metric, GM_P95);
	ck_assert_int_eq(c.rules[1].metric, GM_REGRESSION);
	ck_assert_int_eq(c.rules[2].kind, FK_n_plus_one);
	ck_assert_str_eq(c.baseline, "/tmp/ci/base.json");     /* beside the file */
	ck_assert_uint_eq(c.ninclude, 1);
	ck_assert_str_eq(c.include[0], "^SELECT #1");
	ck_assert_str_eq(c.exclude[0], "pg_catalog");
	ck_assert_uint_eq(c.top, 7);
	ck_assert_double_eq(c.regression_min_ms, 2);
	ck_assert_double_eq(c.regression_min_total_ms, 1500);
	ck_assert_int_eq(c.regression_min_calls, 3);
	gates_config_release(&c);
	tu_remove(path);
}
END_TEST

static const struct {
	const char *text;
	const char *expect;
} bad_configs[] = {
	{ "fail-on = p95>500ms\nfail-on = p95>fast\n", ":2: bad rule 'p95>fast': expected a duration" },
	{ "top = lots\n", ":1: top takes a positive number" },
	{ "# ok\nwhat = 1\n", ":2: unknown key 'what'" },
	{ "fail-on p95>1s\n", ":1: expected 'key = value'" },
	{ "baseline =\n", ":1: 'baseline' has no value" },
	{ "regression-min-ms = soon\n", ":1: regression-min-ms takes a duration" },
};

START_TEST(test_config_errors)
{
	char *path = write_config(bad_configs[_i].text);
	struct gates_config c;
	char *err = NULL;
	ck_assert_int_eq(gates_config_load(path, &c, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
	ck_assert_msg(strstr(err, bad_configs[_i].expect) != NULL, "%s lacks %s", err,
		bad_configs[_i].expect);
	free(err);
	gates_config_release(&c);
	tu_remove(path);

	ck_assert_int_eq(gates_config_load("/nonexistent/pgsift.conf", &c, &err), -1);
	ck_assert(strstr(err, "/nonexistent/pgsift.conf: ") == err);
	free(err);
	gates_config_release(&c);
}
END_TEST

/* ---- Markdown: verdict, folds, size limit ---- */

static char *render_md(const struct analysis *a, const struct pgsift_options *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(report_find("md")->write(f, a, o), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_md_verdict)
{
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	struct analysis *a = tu_analyse_text(log_text, &o, NULL);
	struct gate_rule rules[2];
	char err[256];
	ck_assert(gate_rule_parse("p95>500ms", &rules[0], err, sizeof(err)));
	ck_assert(gate_rule_parse("calls>10000", &rules[1], err, sizeof(err)));
	a->check = check_result_new(NULL, NULL);
	gates_eval(a->check, rules, 2, a);
	char *md = render_md(a, &o);
	/* The verdict comes right after the title. */
	ck_assert_msg(strncmp(md, "# pgsift report\n\n**\xe2\x9d\x8c Check failed**: 1 of 2 gates: `p95>500ms` (1 group; highest P95 ", 80) == 0, "%.300s", md);
	ck_assert(strstr(md, "| `calls>10000` | \xe2\x9c\x85 passed |") != NULL);
	/* Details are folded. */
	ck_assert(strstr(md, "<details><summary>1. ") != NULL);
	ck_assert(strstr(md, "SELECT * FROM slow WHERE id = $1</summary>") != NULL);
	free(md);
	check_result_free(a->check);
	a->check = NULL;

	/* A report (no check): no verdict. */
	md = render_md(a, &o);
	ck_assert(strstr(md, "Check ") == NULL);
	free(md);
	analysis_free(a);
}
END_TEST

/* Counts lines that start with a fence of 3+ backticks, and <details>
 * opened and closed. */
static void md_balance(const char *md, int *fences, int *open, int *closed)
{
	*fences = *open = *closed = 0;
	for (const char *l = md; l && *l; ) {
		if (strncmp(l, "```", 3) == 0)
			(*fences)++;
		if (strncmp(l, "<details>", 9) == 0)
			(*open)++;
		if (strncmp(l, "</details>", 10) == 0)
			(*closed)++;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
}

START_TEST(test_md_size_limit)
{
	/* 3,000 groups with long texts: far more than 1 MiB of details. */
	struct strbuf log = STRBUF_INIT;
	char line[1200];
	for (int i = 0; i < 3000; i++) {
		int n = snprintf(line, sizeof(line), "2024-05-01 10:00:00.000 UTC [11] "
			"app@shop/web LOG:  duration: %d.000 ms  statement: SELECT c%d, '%0900d' "
			"FROM t%d\n", 3000 - i, i, i, i);
		sb_append(&log, line, (size_t)n);
	}
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	o.top = 3000;
	struct analysis *a = tu_analyse_text(log.buf, &o, NULL);
	sb_release(&log);
	ck_assert_uint_eq(a->ngroups, 3000);

	const size_t limits[] = { 0, 200 * 1024 };
	for (size_t k = 0; k < 2; k++) {
		o.md_max_bytes = limits[k];
		char *md = render_md(a, &o);
		size_t max = limits[k] ? limits[k] : (size_t)1 << 20;
		ck_assert_msg(strlen(md) <= max, "%zu bytes", strlen(md));
		ck_assert_msg(strlen(md) > max - 8192, "%zu bytes", strlen(md));
		ck_assert(strstr(md, "> **Cut here**") != NULL);
		int fences, open, closed;
		md_balance(md, &fences, &open, &closed);
		ck_assert_msg(fences % 2 == 0, "%d fence lines", fences);
		ck_assert_int_eq(open, closed);
		free(md);
	}
	analysis_free(a);
}
END_TEST

/* ---- the command line ---- */

static char *run(const char *args, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && %s 2>&1", tu_root(), args);
	return tu_run(cmd, status);
}

START_TEST(test_cli)
{
	char args[4096];
	int status;
	char *out;
	const char *bin = tu_bin();

	/* A gate that holds: exit 1, and standard error says which. */
	snprintf(args, sizeof(args), "'%s' check -q -o /dev/null --fail-on 'p95>1ms' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "pgsift: gate failed: p95>1ms: ") != NULL, "%s", out);
	free(out);
	/* One that does not: exit 0. */
	snprintf(args, sizeof(args), "'%s' check -q -o /dev/null --fail-on 'calls>100000000,p99>1h' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 0);
	free(out);
	/* A bad rule: a usage error naming the rule and what was expected. */
	snprintf(args, sizeof(args), "'%s' check --fail-on 'p95>soon' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(out, "pgsift: --fail-on: bad rule 'p95>soon': expected a duration") != NULL, "%s", out);
	free(out);
	/* Rules that compare need a baseline. */
	snprintf(args, sizeof(args), "'%s' check --fail-on new-fingerprint samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 2);
	ck_assert(strstr(out, "rule 'new-fingerprint' needs --baseline") != NULL);
	free(out);
	/* --fail-on belongs to check. */
	snprintf(args, sizeof(args), "'%s' report --fail-on 'p95>1s' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 2);
	free(out);
	/* A baseline that is not a report. */
	snprintf(args, sizeof(args), "'%s' check --baseline Makefile samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(out, "pgsift: --baseline Makefile:") != NULL, "%s", out);
	free(out);
}
END_TEST

/* The sample's slowest statements by P95 are run once (the seed INSERT
 * ... SELECT of the workload, a pg_sleep): with &calls>=2 the gate looks
 * only at statements run more than once, and holds on none. */
START_TEST(test_cli_min_calls)
{
	char args[4096];
	int status;
	const char *bin = tu_bin();

	snprintf(args, sizeof(args), "'%s' check -q -j 1 -o /dev/null --fail-on 'p95>100ms' "
		"samples/postgresql.log.zst", bin);
	char *out = run(args, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "gate failed: p95>100ms: 12 groups; highest P95 3382.168 ms: "
		"INSERT INTO order_items") != NULL, "%s", out);
	free(out);
	snprintf(args, sizeof(args), "'%s' check -q -j 1 -o /dev/null --fail-on "
		"'p95>100ms&calls>=2' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_msg(status == 0, "%s", out);
	free(out);
	/* The statements run 121 times still fail a gate on their P95. */
	snprintf(args, sizeof(args), "'%s' check -q -j 1 -o /dev/null --fail-on "
		"'p95>10ms&calls>=100' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "gate failed: p95>10ms&calls>=100: ") != NULL, "%s", out);
	free(out);
}
END_TEST

/* GitHub Actions annotations: on standard error, the failed gate and the
 * findings, with GitHub's escapes; none outside GitHub Actions. */
START_TEST(test_cli_annotations)
{
	char args[4096];
	int status;
	const char *bin = tu_bin();

	snprintf(args, sizeof(args), "GITHUB_ACTIONS=true '%s' check -q -j 1 -o /dev/null "
		"--fail-on 'p95>100ms' samples/postgresql.log.zst", bin);
	char *out = run(args, &status);
	ck_assert_int_eq(status, 1);
	/* '%' of the statement and ':' of the title escaped. */
	ck_assert_msg(strstr(out, "\n::error title=pgsift%3A gate p95>100ms failed::12 groups; "
		"highest P95 3382.168 ms: INSERT INTO order_items (order_id, product_id, qty) "
		"SELECT $1 + (g %25 ($2 * $3))") != NULL, "%s", out);
	/* A critical finding with its SQL on the lines of one command. */
	ck_assert_msg(strstr(out, "\n::error title=pgsift%3A critical finding missing_index::"
		"Index order_items (order_id) would serve 1 statement (121 calls) that scan "
		"order_items without one%0ASuggestion:%0ACREATE INDEX CONCURRENTLY "
		"order_items_order_id_idx ON order_items (order_id);%0A") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\n::warning title=pgsift%3A warning finding n_plus_one::")
		!= NULL, "%s", out);
	/* Every command is one line. */
	for (const char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		ck_assert_msg(strncmp(l, "::", 2) == 0 || strncmp(l, "pgsift: ", 8) == 0,
			"a line that is neither a command nor a message: %.80s", l);
	free(out);

	snprintf(args, sizeof(args), "env -u GITHUB_ACTIONS '%s' check -q -j 1 -o /dev/null "
		"--fail-on 'p95>100ms' samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "::") == NULL, "%s", out);
	free(out);
	snprintf(args, sizeof(args), "env -u GITHUB_ACTIONS '%s' check -q -j 1 -o /dev/null "
		"--annotations samples/postgresql.log.zst", bin);
	out = run(args, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "::error title=pgsift%3A critical finding missing_index::")
		!= NULL, "%s", out);
	free(out);
}
END_TEST

START_TEST(test_cli_config)
{
	char dir[] = "/tmp/pgsift-gates-XXXXXX";
	char args[16384], path[512];
	int status;
	char *out;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *root = realpath(tu_root(), NULL);
	ck_assert_ptr_nonnull(root);

	/* ./.pgsift.conf is found in the working directory. */
	snprintf(path, sizeof(path), "%s/.pgsift.conf", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("fail-on = calls>1000   # the pgbench statements\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args), "cd '%s' && '%s' check -o /dev/null '%s/samples/postgresql.log.zst' 2>&1",
		dir, tu_bin(), root);
	out = tu_run(args, &status);
	ck_assert_int_eq(status, 1);
	ck_assert_msg(strstr(out, "pgsift: using .pgsift.conf") != NULL, "%s", out);
	ck_assert(strstr(out, "gate failed: calls>1000") != NULL);
	free(out);
	/* --fail-on replaces the file's rules. */
	snprintf(args, sizeof(args), "cd '%s' && '%s' check -q -o /dev/null --fail-on 'calls>1000000' '%s/samples/postgresql.log.zst' 2>&1",
		dir, tu_bin(), root);
	out = tu_run(args, &status);
	ck_assert_int_eq(status, 0);
	free(out);
	/* --config names another file; a bad one is a usage error. */
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	f = fopen(path, "w");
	fputs("fail-on = p95>500ms\nfail-on = finding=slowness\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args), "'%s' check --config '%s' '%s/samples/postgresql.log.zst' 2>&1",
		tu_bin(), path, root);
	out = tu_run(args, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_msg(strstr(out, "bad.conf:2: bad rule 'finding=slowness': expected a finding kind") != NULL, "%s", out);
	free(out);

	/* The GitHub step summary is appended to, within what is left of 1 MiB. */
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	f = fopen(path, "w");
	fputs("## Tests\n\nall passed\n\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(args, sizeof(args), "cd '%s' && GITHUB_STEP_SUMMARY='%s' '%s' check -q -f md -o '%s' "
		"--fail-on 'calls>1000000' '%s/samples/postgresql.log.zst' 2>&1",
		dir, path, tu_bin(), path, root);
	out = tu_run(args, &status);
	ck_assert_int_eq(status, 0);
	free(out);
	snprintf(args, sizeof(args), "cat '%s'", path);
	out = tu_run(args, &status);
	ck_assert_msg(strncmp(out, "## Tests\n\nall passed\n\n# pgsift report\n\n**\xe2\x9c\x85 Check passed**", 59) == 0, "%.200s", out);
	free(out);
	/* Any other -o file is overwritten. */
	snprintf(args, sizeof(args), "cd '%s' && '%s' check -q -f md -o '%s' --fail-on 'calls>1000000' "
		"'%s/samples/postgresql.log.zst' && head -c 15 '%s'", dir, tu_bin(), path, root, path);
	out = tu_run(args, &status);
	ck_assert_str_eq(out, "# pgsift report");
	free(out);

	free(root);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(args), 0);
}
END_TEST

Suite *suite_gates(void);
Suite *suite_gates(void)
{
	Suite *s = suite_create("gates");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_valid, 0, (int)ARRAY_SIZE(valid));
	tcase_add_test(tc, test_parse_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_parse_invalid, 0, (int)ARRAY_SIZE(invalid));
	tcase_add_loop_test(tc, test_config_errors, 0, (int)ARRAY_SIZE(bad_configs));
	suite_add_tcase(s, tc);

	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_eval_groups, 0, (int)ARRAY_SIZE(eval_cases));
	tcase_add_test(tc, test_eval_findings);
	tcase_add_test(tc, test_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("markdown");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_md_verdict);
	tcase_add_test(tc, test_md_size_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_cli_config);
	tcase_add_test(tc, test_cli_min_calls);
	tcase_add_test(tc, test_cli_annotations);
	suite_add_tcase(s, tc);
	return s;
}
