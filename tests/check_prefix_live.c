/* check_prefix_live.c: log_line_prefix detection on real server logs.
 *
 * tests/workload/pg-prefixes.sh has a real PostgreSQL write one log per
 * prefix below (the same small workload each time: users alice and bob,
 * databases shop and appdb, applications 'web' and 'report job', an ERROR
 * and a FATAL). Each log read without --prefix must give the same
 * statements, users, databases, applications, errors and connections as
 * with the right --prefix, and detection must have found a prefix. The
 * list holds the ones the issue names (a %Q before %q, a %e before the
 * user, pganalyze's recommended one), the distribution and cloud defaults,
 * and the shapes the pganalyze collector's parser is tested with (written
 * here as settings; the lines are the server's own). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "prefix.h"
#include "testutil.h"

static const struct {
	const char *spec;
	bool has_user;          /* %u: the users must be alice and bob */
} live[] = {
	{ "%m [%p] [queryid=%Q] %q%u@%d ", true },
	{ "%m [%p] %e: db=%d,user=%u,app=%a,client=%h ", true },
	{ "%m [%p] %q[user=%u,db=%d,app=%a] ", true },
	{ "%m [%p] %q%u@%d ", true },
	{ "%m [%p] %q%u@%d/%a ", true },
	{ "%t:%r:%u@%d:[%p]:", true },
	{ "%t-%c-", false },
	{ "%m [%p][%v] : [%l-1] %q[app=%a] ", false },
	{ "%t [%p-%l] %q%u@%d ", true },
	{ "%m [%p] %q[user=%u,db=%d,app=%a,host=%h] ", true },
	{ "%t [%p]: [%l-1] user=%u,db=%d - PG-%e ", true },
	{ "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", true },
	{ "%t [%p]: [%l-1] [trx_id=%x] user=%u,db=%d ", true },
	{ "[%p]: [%l-1] db=%d,user=%u ", true },
	{ "%m %r %u %a [%c] [%p] ", true },
	{ "%m [%p]: [%l-1] db=%d,user=%u ", true },
	{ "pid=%p,user=%u,db=%d,app=%a,client=%h ", true },
	{ "user=%u,db=%d,app=%a,client=%h ", true },
	{ "%p-%s-%c-%l-%h-%u-%d-%m ", true },
	{ "%m [%p][%b][%v][%x] %q[user=%u,db=%d,app=%a] ", true },
	{ "%t [%p] %q%u@%d %h ", true },
	{ "%m [%p] ", false },
	{ " sql_error_code = %e ", false },
	{ " sql_error_code = %e time_ms = \"%m\" pid=\"%p\" proc_start_time=\"%s\" "
	  "session_id=\"%c\" vtid=\"%v\" tid=\"%x\" log_line=\"%l\" %qdatabase=\"%d\" "
	  "connection_source=\"%r\" user=\"%u\" application_name=\"%a\" ", true },
	/* An unusual one no table holds: read from the lines' shapes. */
	{ "%m|%p|%e|%Q|user=%u|db=%d|app=%a| ", true },
};

static char dir[] = "/tmp/pgsift-prefix-live-XXXXXX";
static int ready;               /* 1 ran, -1 no server binaries, -2 failed */

static void live_setup(void)
{
	char path[512], cmd[2048];
	if (!mkdtemp(dir)) {
		ready = -2;
		return;
	}
	snprintf(path, sizeof(path), "%s/prefixes", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		ready = -2;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		fprintf(f, "%s\n", live[i].spec);
	if (fclose(f) != 0 || chmod(dir, 0755) != 0) {
		ready = -2;
		return;
	}
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pg-prefixes.sh' '%s' '%s' >&2",
		tu_root(), path, dir);
	int rc = system(cmd);
	ready = rc == 0 ? 1 : WIFEXITED(rc) && WEXITSTATUS(rc) == 2 ? -1 : -2;
}

static void live_teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_prefix_live: could not remove %s\n", dir);
}

/* s single-quoted for the shell, into out. */
static void shell_quote(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	out[n++] = '\'';
	for (; *s && n + 5 < cap; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *s;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
}

/* A JSON report of path (with extra options), parsed; the test fails when
 * the run does (exit 0, or 3 for the lines of the next prefix the server
 * wrote before it switched files). */
static json_t *report(const char *path, const char *extra)
{
	char cmd[2048];
	int status;
	snprintf(cmd, sizeof(cmd), "'%s' report -q -j 1 -f json %s '%s' 2>/dev/null",
		tu_bin(), extra, path);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0 || status == 3, "%s: exit %d", cmd, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s", cmd, err.text);
	free(out);
	return j;
}

static int by_query(const void *a, const void *b)
{
	const char *qa = json_string_value(json_object_get(*(json_t *const *)a, "query"));
	const char *qb = json_string_value(json_object_get(*(json_t *const *)b, "query"));
	return strcmp(qa ? qa : "", qb ? qb : "");
}

/* What the two runs must share, as canonical text (caller frees): each
 * statement's calls, users, databases and applications, the errors and
 * the connections. */
static char *figures(json_t *j)
{
	json_t *groups = json_object_get(j, "groups");
	size_t n = json_array_size(groups);
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(groups, i);
	qsort(v, n, sizeof(*v), by_query);
	json_t *out = json_object();
	json_t *gs = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *g = json_object();
		static const char *const keys[] = { "query", "calls", "users",
			"databases", "applications" };
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			json_object_set(g, keys[k], json_object_get(v[i], keys[k]));
		json_array_append_new(gs, g);
	}
	free(v);
	json_object_set_new(out, "groups", gs);
	json_t *ev = json_object_get(j, "events");
	json_object_set(out, "errors", json_object_get(ev, "errors"));
	json_object_set(out, "connections", json_object_get(ev, "connections"));
	char *s = json_dumps(out, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(out);
	return s;
}

static json_int_t totals_queries(json_t *j)
{
	return json_integer_value(json_object_get(json_object_get(j, "totals"), "queries"));
}

START_TEST(test_detected_reads_as_given)
{
	if (ready == -1) {
		tu_skip("prefix_live: detected_reads_as_given", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(ready == 1, "pg-prefixes.sh failed");
	char path[512], opt[1024], q[900];
	snprintf(path, sizeof(path), "%s/p%d.log", dir, _i + 1);
	shell_quote(live[_i].spec, q, sizeof(q));
	snprintf(opt, sizeof(opt), "--prefix %s", q);

	json_t *given = report(path, opt), *found = report(path, "");
	const char *note = json_string_value(json_array_get(json_object_get(
		json_array_get(json_object_get(found, "inputs"), 0), "notes"), 0));
	ck_assert_msg(note && strstr(note, "detected"), "'%s': no prefix detected (%s)",
		live[_i].spec, note ? note : "no note");
	char *a = figures(given), *b = figures(found);
	if (strcmp(a, b) != 0)  /* in full here: Check cuts long messages */
		fprintf(stderr, "prefix_live '%s' (%s):\ngiven:\n%s\ndetected:\n%s\n",
			live[_i].spec, note, a, b);
	ck_assert_msg(strcmp(a, b) == 0, "'%s' (%s): detected run differs from line %d "
		"(both on standard error)", live[_i].spec, note, tu_first_diff_line(a, b));

	/* The workload's five statements (the division by zero logs none),
	 * its ERROR and its FATAL. */
	ck_assert_int_ge(totals_queries(given), 5);
	ck_assert_msg(strstr(a, "division by zero") != NULL, "%s", a);
	json_t *conn = json_object_get(json_object_get(given, "events"), "connections");
	ck_assert_int_ge(json_integer_value(json_object_get(conn, "failed")), 1);
	if (live[_i].has_user) {
		json_t *users = json_object_get(conn, "by_user");
		ck_assert_msg(json_object_get(users, "alice") && json_object_get(users, "bob"),
			"'%s': %s", live[_i].spec, a);
		/* --user keeps the user's statements: the user read is the name
		 * alone, not "[queryid=...] alice". */
		json_t *only = report(path, "--user alice");
		ck_assert_int_ge(totals_queries(only), 3);
		json_decref(only);
	}
	free(a);
	free(b);
	json_decref(given);
	json_decref(found);
}
END_TEST

/* Lines that carry no "LOG:  " a probe knows, and no time stamp: the
 * server's FATAL lines under Heroku's prefix. A --prefix that fits them
 * makes them a stderr log without --input-format. */
START_TEST(test_given_prefix_means_stderr)
{
	if (ready == -1) {
		tu_skip("prefix_live: given_prefix_means_stderr", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(ready == 1, "pg-prefixes.sh failed");
	size_t k = 0;
	while (strcmp(live[k].spec, " sql_error_code = %e ") != 0)
		k++;
	char cmd[1024], fatal[512];
	int status;
	snprintf(fatal, sizeof(fatal), "%s/fatal.log", dir);
	snprintf(cmd, sizeof(cmd), "grep -a ' FATAL:  ' '%s/p%zu.log' > '%s'", dir, k + 1, fatal);
	free(tu_run(cmd, &status));
	ck_assert_int_eq(status, 0);
	json_t *j = report(fatal, "--prefix ' sql_error_code = %e '");
	json_t *in = json_array_get(json_object_get(j, "inputs"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(in, "format")), "stderr");
	ck_assert_int_eq(json_integer_value(json_object_get(in, "skipped")), 0);
	json_t *errs = json_object_get(json_object_get(j, "events"), "errors");
	ck_assert_uint_ge(json_array_size(errs), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errs, 0), "sqlstate")),
		"3D000");
	json_decref(j);
}
END_TEST

/* The suggestion printed when nothing fits is built from the fields'
 * shapes: on every real log above whose prefix the shapes can tell, it
 * is the prefix itself or one that reads its lines the same. */
START_TEST(test_suggestion_reads_the_log)
{
	if (ready == -1) {
		tu_skip("prefix_live: suggestion_reads_the_log", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(ready == 1, "pg-prefixes.sh failed");
	static const int shaped[] = { 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14,
		16, 17, 18, 21, 24, 25 };
	for (size_t i = 0; i < ARRAY_SIZE(shaped); i++) {
		char path[512], out[512];
		snprintf(path, sizeof(path), "%s/p%d.log", dir, shaped[i]);
		char *text = tu_slurp(path);
		ck_assert_ptr_nonnull(text);
		ck_assert_msg(prefix_suggest(text, strlen(text), out, sizeof(out)),
			"no suggestion for '%s'", live[shaped[i] - 1].spec);
		unsigned m1, t1;
		char err[128];
		struct prefix *p = prefix_compile(out, err, sizeof(err));
		ck_assert_msg(p != NULL, "suggested '%s'", out);
		prefix_free(p);
		/* It explains as many lines as the right prefix does. */
		const char *d = prefix_detect(text, strlen(text), &m1, &t1);
		ck_assert_ptr_nonnull(d);
		ck_assert_msg(prefix_fits(out, text, strlen(text)),
			"'%s': suggested '%s'", live[shaped[i] - 1].spec, out);
		ck_assert_msg(strstr(out, "alice") == NULL && strstr(out, "shop") == NULL,
			"'%s': suggested '%s' copies values", live[shaped[i] - 1].spec, out);
		free(text);
	}
}
END_TEST

/* The events fixtures, written by a real server with a %e before %q
 * (tests/data/events/make-events.sh): detected as written, where only
 * Debian's prefix was found before and every line but the postmaster's
 * skipped. */
START_TEST(test_events_fixtures)
{
	static const char *const files[] = { "tests/data/events/events.log",
		"tests/data/events/events-more.log" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = tu_data_path("prefix_live: events_fixtures", files[i]);
		ck_assert_ptr_nonnull(path);
		char *text = tu_slurp(path);
		ck_assert_ptr_nonnull(text);
		unsigned matched, tried;
		const char *spec = prefix_detect(text, strlen(text), &matched, &tried);
		ck_assert_msg(spec && strcmp(spec, "%m [%p] %e %q%u@%d/%a ") == 0,
			"%s: detected '%s'", files[i], spec ? spec : "(none)");
		ck_assert_uint_eq(matched, tried);
		free(text);
		free(path);
	}
}
END_TEST

Suite *suite_prefix_live(void);
Suite *suite_prefix_live(void)
{
	Suite *s = suite_create("prefix_live");
	TCase *tc = tcase_create("live");
	tcase_set_timeout(tc, 240);
	tcase_add_unchecked_fixture(tc, live_setup, live_teardown);
	tcase_add_loop_test(tc, test_detected_reads_as_given, 0, (int)ARRAY_SIZE(live));
	tcase_add_test(tc, test_given_prefix_means_stderr);
	tcase_add_test(tc, test_suggestion_reads_the_log);
	suite_add_tcase(s, tc);
	tc = tcase_create("fixtures");
	tcase_add_test(tc, test_events_fixtures);
	suite_add_tcase(s, tc);
	return s;
}
