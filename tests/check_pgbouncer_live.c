/* check_pgbouncer_live.c: a real pgBouncer in front of a real server.
 *
 * tests/workload/pgbouncer-workload.sh starts both (pgBouncer with
 * stats_period 1 s), runs pgbench through the pooler and provokes a login
 * to a database the pooler does not know, max_client_conn exceeded, a
 * query_wait_timeout and a server login that fails; it keeps the pooler's
 * SHOW STATS at the end. The test checks the report's "pooler" against
 * counts taken from the pooler's log, its stats totals against SHOW STATS,
 * that the server's log of the same run is read in the same report, and
 * that -j 2, a saved state merged and the saved JSON report read back give
 * the same "pooler". Skipped, saying so, without server binaries or
 * pgbouncer. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgbouncer_testutil.h"
#include "testutil.h"

static bool have_pgbouncer(void)
{
	return access("/usr/sbin/pgbouncer", X_OK) == 0 ||
		system("command -v pgbouncer >/dev/null 2>&1") == 0;
}

/* SHOW STATS's column col summed over its rows (unaligned, '|'). */
static double show_stats_sum(const char *path, const char *col)
{
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	ck_assert_ptr_nonnull(line);
	int at = -1, i = 0;
	for (char *f = line, *next; f; f = next, i++) {
		next = strchr(f, '|');
		if (next)
			*next++ = '\0';
		if (strcmp(f, col) == 0)
			at = i;
	}
	ck_assert_msg(at >= 0, "SHOW STATS has no %s", col);
	double sum = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (line[0] == '(')
			break;  /* "(4 rows)" */
		char *f = line;
		for (i = 0; i < at && f; i++) {
			f = strchr(f, '|');
			f = f ? f + 1 : NULL;
		}
		ck_assert_ptr_nonnull(f);
		sum += strtod(f, NULL);
	}
	free(text);
	return sum;
}

/* Each stats line's rate is whole units a second: what the log gives
 * may miss up to one unit per second of each line, a few more in the
 * second the last line does not cover. */
static void near(const char *what, double got, double want, double slack)
{
	fprintf(stderr, "check_pgbouncer_live: %s: log %.0f, SHOW STATS %.0f\n",
			what, got, want);
	ck_assert_msg(fabs(got - want) <= slack + want * 0.01,
			"%s: %.3f from the log, %.3f from SHOW STATS", what, got, want);
}

static char *path_in(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static json_t *pooler_of(json_t *j)
{
	json_t *p = json_incref(json_object_get(j, "pooler"));
	json_decref(j);
	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(test_live)
{
	if (!tu_have_server("pgbouncer_live: server"))
		return;
	if (!have_pgbouncer()) {
		tu_skip("pgbouncer_live", "no pgbouncer (install pgbouncer)");
		return;
	}
	char dir[] = "/tmp/pgsift-bouncer-live-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pgbouncer-workload.sh' '%s' >&2",
			tu_root(), dir);
	ck_assert_msg(system(cmd) == 0, "pgbouncer-workload.sh failed (see above)");
	char *blog = path_in(dir, "pgbouncer.log"), *slog = path_in(dir, "server.log");
	char *stats = path_in(dir, "show_stats.txt");
	struct log_counts k = counts_of(blog);

	/* Both logs in one report. */
	char args[8192];
	snprintf(args, sizeof(args), "report -q -j 1 -f json '%s' '%s'", blog, slog);
	json_t *j = report(args, 0);
	const json_t *in = json_object_get(j, "inputs");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(in, 0), "format")),
			"pgbouncer");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(in, 1), "format")),
			"stderr");
	/* The server's side of the same run: pgbench's statements, and the
	 * failed server login as the server's own FATAL. */
	ck_assert_uint_gt(juint(j, "totals.queries"), 1000);
	bool fatal = false;
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(json_object_get(j, "events"), "errors"), i, e)
		fatal |= strstr(json_string_value(json_object_get(e, "message")),
				"does not exist") != NULL;
	ck_assert(fatal);
	json_t *p1 = pooler_of(j);
	check_pooler(p1, &k);
	ck_assert_uint_gt(error_count(p1, "server_login_failed"), 0);

	/* The stats lines against the pooler's own totals. */
	double slack = (double)k.stats_lines * 1.1 + 2;
	near("transactions", jnum(p1, "stats.transactions"),
			show_stats_sum(stats, "total_xact_count"), slack);
	near("queries", jnum(p1, "stats.queries"),
			show_stats_sum(stats, "total_query_count"), slack);
	near("bytes in", jnum(p1, "stats.bytes_in"),
			show_stats_sum(stats, "total_received"), slack * 100);
	near("bytes out", jnum(p1, "stats.bytes_out"),
			show_stats_sum(stats, "total_sent"), slack * 600);
	near("wait us", jnum(p1, "stats.wait_s") * 1e6,
			show_stats_sum(stats, "total_wait_time"), slack * 1e3);
	/* Every client's session was seen to its end. */
	ck_assert_uint_eq(juint(p1, "sessions.closed"), k.logins);

	/* -j 2: each log on its own worker, merged. */
	snprintf(args, sizeof(args), "report -q -j 2 -f json '%s' '%s'", blog, slog);
	json_t *p2 = pooler_of(report(args, 0));
	ck_assert_msg(json_equal(p1, p2), "-j 2 gives another pooler");
	json_decref(p2);

	/* Saved states, merged. */
	char *sa = path_in(dir, "a.state"), *sb = path_in(dir, "b.state");
	snprintf(args, sizeof(args), "report -q -f json --save '%s' '%s'", sa, blog);
	json_decref(report(args, 0));
	snprintf(args, sizeof(args), "report -q -f json --save '%s' '%s'", sb, slog);
	json_decref(report(args, 0));
	snprintf(args, sizeof(args), "merge -q -f json '%s' '%s'", sa, sb);
	json_t *p3 = pooler_of(report(args, 0));
	ck_assert_msg(json_equal(p1, p3), "merged states give another pooler");
	json_decref(p3);

	/* The saved JSON report read back. */
	char *saved = path_in(dir, "r.json");
	snprintf(args, sizeof(args), "report -q -f json -o '%s' '%s' '%s'", saved, blog, slog);
	char *run;
	if (asprintf(&run, "'%s' %s", tu_bin(), args) < 0)
		abort();
	ck_assert_int_eq(system(run), 0);
	free(run);
	snprintf(args, sizeof(args), "report -q -f json '%s'", saved);
	json_t *p4 = pooler_of(report(args, 0));
	ck_assert_msg(json_equal(p1, p4), "the saved report reads back another pooler");
	json_decref(p4);

	json_decref(p1);
	free(saved);
	free(sa);
	free(sb);
	free(blog);
	free(slog);
	free(stats);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_pgbouncer_live(void);
Suite *suite_pgbouncer_live(void)
{
	Suite *s = suite_create("pgbouncer_live");
	TCase *tc = tcase_create("server");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_live);
	suite_add_tcase(s, tc);
	return s;
}
