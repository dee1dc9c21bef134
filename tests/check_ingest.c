/* check_ingest.c: each execution is one call, on real server output.
 *
 * tests/data/workload-excerpt.log is cut verbatim from a pg-workload.sh
 * log (simple protocol with auto_explain text and JSON plans logged before
 * the duration line; extended protocol executes with DETAIL parameters).
 * tests/data/log_statement.log is made by make-log-statement.sh beside it
 * (log_statement = all: text first, bare duration after, and with the
 * extended protocol the plan after the duration). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "timeutil.h"
#include "util.h"

static char *read_data(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/%s", tu_root(), name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = xmalloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct analysis *analyse_data(const char *name, const struct pgsift_options *o)
{
	struct pgsift_options literals;
	if (!o) {
		/* Literals kept: the tests below follow DETAIL parameters to
		 * the examples, which a run that masks them does not keep. */
		options_init(&literals);
		literals.jobs = 1;
		literals.show_literals = true;
		o = &literals;
	}
	char *text = read_data(name);
	enum analysis_status st;
	struct analysis *a = tu_analyse_text(text, o, &st);
	free(text);
	ck_assert_int_eq(st, ANALYSIS_OK);
	return a;
}

START_TEST(test_workload_excerpt)
{
	struct analysis *a = analyse_data("workload-excerpt.log", NULL);
	struct group *g;

	/* 4 executes, 3 INSERTs, 2 SETs, and 3 SELECTs of the JSON-plan part. */
	ck_assert_uint_eq(a->queries, 12);
	g = tu_find_group(a, "FROM customers WHERE id = $1");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->calls, 4);
	ck_assert_uint_eq(g->timed_calls, 4);
	ck_assert_double_eq_tol(g->total_ms, 0.068 + 0.079 + 0.033 + 0.111, 1e-9);
	ck_assert_ptr_nonnull(g->examples[0].params);
	ck_assert_msg(strncmp(g->examples[0].params, "$1 = '", 6) == 0, "%s", g->examples[0].params);

	/* Plan before its duration line: one call, timed by the statement. */
	g = tu_find_group(a, "INSERT INTO products");
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_double_eq_tol(g->total_ms, 251.576, 1e-9);
	ck_assert_uint_eq(g->sources, SRC_BIT(SRC_LOG) | SRC_BIT(SRC_PLAN));

	/* The excerpt ends inside this statement's plan: the plan is all
	 * there is of the call, and it counts once. */
	g = tu_find_group(a, "INSERT INTO orders");
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_double_eq_tol(g->total_ms, 1139.986, 1e-9);
	ck_assert_uint_eq(g->sources, SRC_BIT(SRC_PLAN));

	/* A JSON plan, a temp file and STATEMENT line in between, then the
	 * duration line: one call, with the plan kept as EXPLAIN JSON. */
	g = tu_find_group(a, "OFFSET");
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_double_eq_tol(g->total_ms, 55.189, 1e-9);
	ck_assert_ptr_nonnull(g->plan_json);
	ck_assert(strstr(g->plan_json, "\"Node Type\": \"Limit\"") != NULL);

	g = tu_find_group(a, "order_items");
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_str_eq(g->examples[0].app, "orders-page");
	ck_assert_str_eq(g->examples[0].db, "shop");
	ck_assert_str_eq(g->examples[0].user, "postgres");
	analysis_free(a);
}
END_TEST

START_TEST(test_log_statement)
{
	struct analysis *a = analyse_data("log_statement.log", NULL);
	struct group *g;

	ck_assert_uint_eq(a->queries, 5);
	g = tu_find_group(a, "CREATE TABLE t");
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_double_eq_tol(g->total_ms, 8.180, 1e-9);
	ck_assert_uint_eq(g->sources, SRC_BIT(SRC_LOG) | SRC_BIT(SRC_PLAN));

	/* psql's literal 7 and pgbench's extended-protocol $1 are one
	 * statement; the plans logged after the bare durations are not calls. */
	g = tu_find_group(a, "FROM t WHERE id = $1");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->calls, 3);
	ck_assert_uint_eq(g->timed_calls, 3);
	ck_assert_double_eq_tol(g->total_ms, 1.067 + 0.029 + 0.011, 1e-9);
	ck_assert_uint_eq(g->prep_count, 4);
	ck_assert_double_eq_tol(g->prep_ms, 0.425 + 0.341 + 0.026 + 0.029, 1e-9);
	ck_assert_uint_eq(g->sources, SRC_BIT(SRC_LOG) | SRC_BIT(SRC_PLAN));
	/* The parameters logged between execute and duration reach the example. */
	int with_params = 0;
	for (unsigned i = 0; i < g->nexamples; i++)
		with_params += g->examples[i].params != NULL;
	ck_assert_int_eq(with_params, 2);

	g = tu_find_group(a, "IN (");
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_double_eq_tol(g->total_ms, 0.833, 1e-9);
	analysis_free(a);

	/* Masked (no --show-literals): the same calls, their examples as the
	 * group's text, no parameters kept. */
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	a = analyse_data("log_statement.log", &o);
	g = tu_find_group(a, "FROM t WHERE id = $1");
	ck_assert_uint_eq(g->calls, 3);
	for (unsigned i = 0; i < g->nexamples; i++) {
		ck_assert_ptr_null(g->examples[i].params);
		ck_assert(g->examples[i].masked);
	}
	analysis_free(a);
}
END_TEST

/* A backend's disconnection settles what it held: a statement logged
 * without its duration is counted untimed then, and a bare duration the
 * pid logs later (reused by a new backend) is not tied to it. The lines
 * are log_statement.log's, with the disconnection line the same server
 * writes (samples/postgresql.log). */
START_TEST(test_disconnection_ends_backend)
{
	static const char text[] =
		"2026-11-22 13:54:10.587 UTC [5759] postgres@postgres/psql LOG:  statement: SELECT v FROM t WHERE id = 7\n"
		"2026-11-22 13:54:10.590 UTC [5759] postgres@postgres/psql LOG:  disconnection: session time: 0:00:00.004 user=postgres database=postgres host=[local]\n"
		"2026-11-22 13:54:10.600 UTC [5759] postgres@postgres/psql LOG:  duration: 1.067 ms\n";
	enum analysis_status st;
	struct analysis *a = tu_analyse_text(text, NULL, &st);
	ck_assert_int_eq(st, ANALYSIS_OK);
	struct group *g = tu_find_group(a, "FROM t WHERE id = $1");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->calls, 1);
	ck_assert_uint_eq(g->timed_calls, 0);
	analysis_free(a);
}
END_TEST

START_TEST(test_filters)
{
	struct pgsift_options o;
	const char *apps[] = { "pgbench", NULL };
	const char *exclude[] = { "customers", NULL };
	const char *include[] = { "^(select|insert)", NULL };

	options_init(&o);
	o.jobs = 1;
	o.apps = apps;
	struct analysis *a = analyse_data("workload-excerpt.log", &o);
	ck_assert_uint_eq(a->queries, 4);
	ck_assert_uint_eq(a->filtered_out, 8);
	analysis_free(a);

	options_init(&o);
	o.jobs = 1;
	o.exclude = exclude;
	o.include = include;
	a = analyse_data("workload-excerpt.log", &o);
	/* INSERT products/orders, OFFSET, orders by customer, order_items. */
	ck_assert_uint_eq(a->queries, 5);
	analysis_free(a);

	/* A time of day is read in the log's zone, on its first day. */
	options_init(&o);
	o.jobs = 1;
	o.since_tod = (13 * 3600 + 45 * 60 + 55) * 1000LL;
	a = analyse_data("workload-excerpt.log", &o);
	/* The two SETs, orders by customer, order_items, OFFSET. */
	ck_assert_uint_eq(a->queries, 5);
	char iso[32];
	ts_format_iso(a->window_start, iso);
	ck_assert_str_eq(iso, "2026-11-22T13:45:55.280Z");
	analysis_free(a);

	options_init(&o);
	o.jobs = 1;
	ck_assert(ts_parse_cli("2026-11-22T13:45:48.331Z", &o.until_ms, &o.since_tod));
	o.since_tod = -1;
	a = analyse_data("workload-excerpt.log", &o);
	ck_assert_uint_eq(a->queries, 3 + 2);
	analysis_free(a);
}
END_TEST

START_TEST(test_bad_pattern)
{
	struct pgsift_options o;
	const char *include[] = { "(unclosed", NULL };
	options_init(&o);
	o.include = include;
	enum analysis_status st;
	struct analysis *a = tu_analyse_text("x\n", &o, &st);
	ck_assert_int_eq(st, ANALYSIS_BAD_OPTION);
	ck_assert(strstr(a->error, "(unclosed") != NULL);
	analysis_free(a);
}
END_TEST

/* ---- auto_explain JSON plans cut short ---- */

/* The JSON report of text (written to a file) read by the binary, which
 * must exit with want (3: an input was malformed), and the Markdown when
 * md is not NULL. */
static json_t *report_of(const char *text, size_t len, int want, char **md)
{
	char *path = tu_write_temp(text, len), *cmd;
	int st;
	if (asprintf(&cmd, "'%s' report -q -j 1 -f json '%s'", tu_bin(), path) < 0)
		abort();
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == want, "%s: exit %d, not %d", cmd, st, want);
	json_t *j = json_loads(out, 0, NULL);
	ck_assert_msg(j != NULL, "%s: not JSON", cmd);
	free(out);
	free(cmd);
	if (md) {
		if (asprintf(&cmd, "'%s' report -q -j 1 '%s'", tu_bin(), path) < 0)
			abort();
		*md = tu_run(cmd, &st);
		free(cmd);
	}
	unlink(path);
	free(path);
	return j;
}

static json_int_t total(json_t *j, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(j, "totals"), key));
}

/* The offset of line n (from 1) of text. */
static size_t line_at(const char *text, size_t n)
{
	const char *p = text;
	while (--n && (p = strchr(p, '\n')))
		p++;
	ck_assert(p != NULL);
	return (size_t)(p - text);
}

/* A real server's log of JSON plans (plans/json.log), cut as a log copied
 * while written is: inside the third plan. Its statement is counted (from
 * its Query Text, which auto_explain writes first), the input tells the
 * line of the plan, the Markdown says it; cut inside the Query Text, the
 * statement cannot be counted, and that is said too. */
START_TEST(test_cut_json_plan)
{
	char *text = read_data("plans/json.log");
	size_t header[3], k = 0;
	for (const char *p = text; k < 3 && (p = strstr(p, "  plan:\n")); p++) {
		size_t n = 1;
		for (const char *q = text; q < p; q++)
			n += *q == '\n';
		header[k++] = n;
	}
	ck_assert_uint_eq(k, 3);
	json_t *whole = report_of(text, line_at(text, header[2]), 0, NULL);
	json_int_t before = total(whole, "queries");
	ck_assert_int_eq(total(whole, "plans_cut_short"), 0);
	json_decref(whole);

	/* Cut inside the plan tree, after its Query Text. */
	char *md;
	size_t cut = line_at(text, header[2] + 6);
	ck_assert_msg(strstr(text + line_at(text, header[2] + 1), "\"Query Text\"") <
		text + cut, "the third plan's Query Text is not in its first lines");
	json_t *j = report_of(text, cut, 3, &md);
	ck_assert_int_eq(total(j, "queries"), before + 1);
	ck_assert_int_eq(total(j, "plans_cut_short"), 1);
	ck_assert_int_eq(total(j, "plans_cut_short_without_text"), 0);
	json_t *in = json_array_get(json_object_get(j, "inputs"), 0);
	json_t *pb = json_array_get(json_object_get(in, "problems"), 0);
	ck_assert_msg(pb && json_integer_value(json_object_get(pb, "line")) ==
		(json_int_t)header[2], "the problem does not name line %zu", header[2]);
	ck_assert_msg(strstr(md, "auto_explain JSON plans cut short: 1"), "%s", md);
	free(md);
	json_decref(j);

	/* Cut inside the Query Text itself. */
	const char *qt = strstr(text + line_at(text, header[2]), "\"Query Text\": \"");
	cut = (size_t)(qt - text) + 30;
	j = report_of(text, cut, 3, NULL);
	ck_assert_int_eq(total(j, "queries"), before);
	ck_assert_int_eq(total(j, "plans_cut_short"), 1);
	ck_assert_int_eq(total(j, "plans_cut_short_without_text"), 1);
	json_decref(j);
	free(text);
}
END_TEST

Suite *suite_ingest(void);
Suite *suite_ingest(void)
{
	Suite *s = suite_create("ingest");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_workload_excerpt);
	tcase_add_test(tc, test_log_statement);
	suite_add_tcase(s, tc);
	tc = tcase_create("filters");
	tcase_add_test(tc, test_disconnection_ends_backend);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_bad_pattern);
	tcase_add_test(tc, test_cut_json_plan);
	suite_add_tcase(s, tc);
	return s;
}
