/* check_advice_live.c: the advice on a real server.
 *
 * Every statement pgsift suggests for samples/postgresql.log.zst runs on a
 * fresh tests/workload/pg-workload.sh server loaded with the workload's schema
 * (its -x EXTRA.sql, psql with ON_ERROR_STOP: one rejected statement
 * fails the run); a suggested query with $n placeholders is checked with
 * PREPARE. Then the same workload runs with the proposed indexes, and the
 * P95 of the statements they were proposed for must drop: the test prints
 * before and after. That run's report shows plan_times.sql's planted
 * facts (foreign-key triggers, maintenance_work_mem, parallel scans
 * counted once a statement). Skipped, saying so, only without server binaries. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static json_t *report_of(const char *path)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -f json '%s'", tu_root(), tu_bin(), path);
	int status;
	char *out = tu_run(cmd, &status);
	json_t *j = json_loads(out, 0, NULL);
	ck_assert_msg(j != NULL, "%s: not JSON: %.200s", cmd, out);
	free(out);
	return j;
}

/* Appends the statements of one suggestion to f: comments dropped, $n
 * queries wrapped in PREPARE. Returns how many. */
static int write_statements(FILE *f, const char *sugg, int *seq)
{
	char *buf = strdup(sugg), *save = NULL, *clean = calloc(1, strlen(sugg) + 2);
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "--", 2) == 0)
			continue;
		strcat(clean, line);
		strcat(clean, "\n");
	}
	int n = 0;
	for (char *st = strtok_r(clean, ";", &save); st; st = strtok_r(NULL, ";", &save)) {
		while (*st == '\n' || *st == ' ')
			st++;
		if (!*st)
			continue;
		bool params = false;
		for (const char *p = st; *p; p++)
			if (p[0] == '$' && p[1] >= '1' && p[1] <= '9')
				params = true;
		if (params)
			fprintf(f, "PREPARE pgsift_advice_%d AS %s;\n", ++*seq, st);
		else
			fprintf(f, "%s;\n", st);
		n++;
	}
	free(buf);
	free(clean);
	return n;
}

static double p95_of(json_t *r, const char *needle)
{
	json_t *g;
	size_t i;
	json_array_foreach(json_object_get(r, "groups"), i, g)
		if (strstr(json_string_value(json_object_get(g, "query")), needle))
			return json_real_value(json_object_get(g, "p95_ms"));
	ck_abort_msg("no group with '%s'", needle);
	return 0;
}

/* The finding of kind whose title contains needle (and of table, when
 * given), or NULL. */
static json_t *finding(json_t *r, const char *kind, const char *table, const char *needle)
{
	size_t i;
	json_t *fi;
	json_array_foreach(json_object_get(r, "findings"), i, fi) {
		const char *k = json_string_value(json_object_get(fi, "kind"));
		const char *t = json_string_value(json_object_get(fi, "table"));
		const char *title = json_string_value(json_object_get(fi, "title"));
		if (strcmp(k, kind) == 0 && (!table || (t && strcmp(t, table) == 0)) &&
				(!needle || strstr(title, needle)))
			return fi;
	}
	return NULL;
}

/* plan_times.sql's planted facts, in the log and snapshots of DIR/out:
 * the seed INSERT of stock_moves spends most of its time in its
 * foreign-key checks, outside the plan tree, and gets no work_mem advice;
 * the CREATE INDEX spilling is told maintenance_work_mem; the parallel
 * scans are counted once a statement by seq_scan_heavy. */
static void check_plan_times(const char *dir)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s/out' && '%s' report -q -f json postgresql.log "
		"pg_stat_user_tables_before.csv pg_stat_user_tables_after.csv", dir, tu_bin());
	int status;
	char *out = tu_run(cmd, &status);
	json_t *r = json_loads(out, 0, NULL);
	ck_assert_msg(r != NULL, "%s: not JSON: %.200s", cmd, out);
	free(out);
	json_t *f = finding(r, "slow_query", NULL, "INSERT INTO stock_moves");
	ck_assert_ptr_nonnull(f);
	const char *sugg = json_string_value(json_object_get(f, "suggestion"));
	ck_assert_msg(strstr(sugg, "is outside the plan tree") && strstr(sugg, "in triggers:") &&
		strstr(sugg, "for constraint stock_moves_warehouse_id_fkey"), "%s", sugg);
	ck_assert_ptr_null(finding(r, "sort_spill", NULL, "INSERT INTO stock_moves"));
	f = finding(r, "sort_spill", NULL, "CREATE INDEX stock_moves_moved_idx");
	ck_assert_ptr_nonnull(f);
	ck_assert(strncmp(json_string_value(json_object_get(f, "title")), "maintenance_work_mem", 20) == 0);
	f = finding(r, "seq_scan_heavy", "public.stock_moves", NULL);
	ck_assert_ptr_nonnull(f);
	json_t *e = json_object_get(f, "evidence");
	json_int_t server = json_integer_value(json_object_get(e, "seq_scan"));
	json_int_t workers = json_integer_value(json_object_get(e, "parallel_worker_scans"));
	fprintf(stderr, "check_advice_live: stock_moves: %lld sequential scans as the server counts "
		"them, %lld of them parallel workers'\n", (long long)server, (long long)workers);
	ck_assert_int_ge(workers, 3);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "statement_scans")), server - workers);
	json_decref(r);
}

START_TEST(test_suggestions_on_server)
{
	if (!tu_have_server("advice_live: suggestions_on_server"))
		return;
	char dir[] = "/tmp/pgsift-advice-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[4096], cmd[8192];
	snprintf(path, sizeof(path), "%s/samples/postgresql.log.zst", tu_root());
	json_t *before = report_of(path);
	snprintf(path, sizeof(path), "%s/advice.sql", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	int seq = 0, nstmt = 0, nindex = 0;
	json_t *fi;
	size_t i;
	json_array_foreach(json_object_get(before, "findings"), i, fi) {
		const char *s = json_string_value(json_object_get(fi, "suggestion"));
		if (s)
			nstmt += write_statements(f, s, &seq);
		if (s && strstr(s, "CREATE INDEX"))
			nindex++;
	}
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_ge(nindex, 3);
	fprintf(stderr, "check_advice_live: %d suggested statements (%d with an index) in %s\n",
		nstmt, nindex, path);
	snprintf(cmd, sizeof(cmd), "%s/out", dir);
	int rc = tu_run_workload(cmd, path);
	ck_assert_msg(rc == 1, "a suggested statement was rejected (see psql's message above)");
	snprintf(path, sizeof(path), "%s/out/postgresql.log", dir);
	json_t *after = report_of(path);
	static const char *const helped[] = {
		"FROM order_items oi WHERE oi.order_id",
		"total, created_at FROM orders WHERE customer_id",
	};
	for (size_t k = 0; k < sizeof(helped) / sizeof(helped[0]); k++) {
		double b = p95_of(before, helped[k]), a = p95_of(after, helped[k]);
		fprintf(stderr, "check_advice_live: P95 of '%s': before %.3f ms, after %.3f ms\n",
			helped[k], b, a);
		ck_assert_msg(a < b / 2, "P95 of '%s' did not drop: %.3f -> %.3f ms", helped[k], b, a);
	}
	/* With the indexes in place, they are not proposed again. */
	json_array_foreach(json_object_get(after, "findings"), i, fi) {
		const char *kind = json_string_value(json_object_get(fi, "kind"));
		const char *table = json_string_value(json_object_get(fi, "table"));
		if (strcmp(kind, "missing_index") == 0 && table)
			ck_assert(strcmp(table, "orders") != 0 && strcmp(table, "order_items") != 0);
	}
	check_plan_times(dir);
	json_decref(before);
	json_decref(after);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_advice_live(void);
Suite *suite_advice_live(void)
{
	Suite *s = suite_create("advice_live");
	TCase *tc = tcase_create("server");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_suggestions_on_server);
	suite_add_tcase(s, tc);
	return s;
}
