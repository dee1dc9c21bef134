/* check_relations.c: statements on different relations stay apart, on a
 * real server.
 *
 * libpg_query's fingerprint drops runs of digits from relation names
 * (t_11, t_12 and t_123 are all "t_") and the names of temporary tables;
 * pg_stat_statements keeps them apart. The test starts a throwaway
 * PostgreSQL (as tests/workload/pg-workload.sh does: own data and socket
 * directory, random port, run as 'postgres' when root) with every
 * statement logged and pg_stat_statements on, runs statements on t_11,
 * t_12, t_123, the partitions orders_2024 and orders_2025 of a partitioned
 * orders and on orders itself, each a different number of times with
 * different constants, and takes pg_stat_statements as CSV. The report of
 * the log and the snapshot must have one group per relation, with the
 * calls the server ran, each joined to its own pg_stat_statements row.
 * Skipped, saying so, only without server binaries.
 *
 * The "forms" cases go through the places a relation's name stands in
 * (lists, joins, quotes, schemas, DDL) and those where a name with digits
 * is not a relation (aliases, cursors), in pairs that must group or not. */
#include <check.h>
#include <pg_query.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fingerprint.h"
#include "testutil.h"

/* The server's run; $1 is the output directory. */
static const char SCRIPT[] =
	"set -euo pipefail\n"
	"out=$1\n"
	"pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)\n"
	"work=$(mktemp -d /tmp/pgsift-rel.XXXXXX)\n"
	"port=$((20000 + RANDOM % 20000))\n"
	"run_pg() { if [ \"$(id -u)\" = 0 ]; then runuser -u postgres -- \"$@\"; else \"$@\"; fi; }\n"
	"finish() { run_pg \"$pgbin/pg_ctl\" -D \"$work/data\" -m immediate stop >/dev/null 2>&1 || true; rm -rf \"$work\"; }\n"
	"trap finish EXIT\n"
	"[ \"$(id -u)\" != 0 ] || chown postgres \"$work\"\n"
	"run_pg \"$pgbin/initdb\" -D \"$work/data\" -U postgres -A trust >/dev/null\n"
	"cat >>\"$work/data/postgresql.conf\" <<CONF\n"
	"listen_addresses = ''\n"
	"port = $port\n"
	"unix_socket_directories = '$work'\n"
	"logging_collector = on\n"
	"log_directory = 'log'\n"
	"log_filename = 'postgresql'\n"
	"log_line_prefix = '%m [%p] %q%u@%d/%a '\n"
	"log_min_duration_statement = 0\n"
	"shared_preload_libraries = 'pg_stat_statements'\n"
	"CONF\n"
	"run_pg \"$pgbin/pg_ctl\" -D \"$work/data\" -w -l \"$work/server.log\" start >/dev/null\n"
	"sql() { run_pg \"$pgbin/psql\" -h \"$work\" -p \"$port\" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 \"$@\"; }\n"
	"sql >/dev/null <<'SQL'\n"
	"CREATE EXTENSION pg_stat_statements;\n"
	"CREATE TABLE t_11 (id int PRIMARY KEY, v int);\n"
	"CREATE TABLE t_12 (id int PRIMARY KEY, v int);\n"
	"CREATE TABLE t_123 (id int PRIMARY KEY, v int);\n"
	"INSERT INTO t_11 SELECT g, g FROM generate_series(1, 100) g;\n"
	"INSERT INTO t_12 SELECT g, g FROM generate_series(1, 100) g;\n"
	"INSERT INTO t_123 SELECT g, g FROM generate_series(1, 100) g;\n"
	"CREATE TABLE orders (id int, created date, total int) PARTITION BY RANGE (created);\n"
	"CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
	"CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
	"INSERT INTO orders SELECT g, date '2024-01-01' + g % 700, g FROM generate_series(1, 1000) g;\n"
	"SELECT pg_stat_statements_reset();\n"
	"SQL\n"
	"{\n"
	"  for i in 1 2 3; do echo \"SELECT v FROM t_11 WHERE id = $i;\"; done\n"
	"  for i in 1 2 3 4; do echo \"SELECT v FROM t_12 WHERE id = $i;\"; done\n"
	"  for i in 1 2 3 4 5; do echo \"SELECT v FROM t_123 WHERE id = $i;\"; done\n"
	"  for i in 1 2 3 4 5 6; do echo \"SELECT count(*) FROM orders_2024 WHERE total > $i;\"; done\n"
	"  for i in 1 2 3 4 5 6 7; do echo \"SELECT count(*) FROM orders_2025 WHERE total > $i;\"; done\n"
	"  for i in 1 2; do echo \"SELECT count(*) FROM orders WHERE total > $i;\"; done\n"
	"  echo 'CREATE TEMP TABLE scratch_a (x int);'\n"
	"  echo 'CREATE TEMP TABLE scratch_b (x int);'\n"
	"} | sql >/dev/null\n"
	"sql -c \"COPY (SELECT now() AS captured_at, s.*, d.datname FROM pg_stat_statements s"
	" JOIN pg_database d ON d.oid = s.dbid) TO STDOUT WITH CSV HEADER\" >\"$out/pg_stat_statements.csv\"\n"
	"run_pg \"$pgbin/pg_ctl\" -D \"$work/data\" -m fast -w stop >/dev/null\n"
	"cp \"$work/data/log/postgresql\" \"$out/postgresql.log\"\n";

/* What the script runs: one group each, with these calls. */
static const struct { const char *needle; json_int_t calls; } planted[] = {
	{ "SELECT v FROM t_11 WHERE", 3 },
	{ "SELECT v FROM t_12 WHERE", 4 },
	{ "SELECT v FROM t_123 WHERE", 5 },
	{ "FROM orders_2024 WHERE", 6 },
	{ "FROM orders_2025 WHERE", 7 },
	{ "FROM orders WHERE", 2 },
	{ "TABLE scratch_a", 1 },
	{ "TABLE scratch_b", 1 },
};

/* The only member of array (of objects with "query") whose query holds
 * needle; fails when none or more than one does. */
static json_t *only_with(json_t *array, const char *what, const char *needle)
{
	json_t *found = NULL, *o;
	size_t i;
	json_array_foreach(array, i, o) {
		if (!strstr(json_string_value(json_object_get(o, "query")), needle))
			continue;
		ck_assert_msg(found == NULL, "two %s with '%s': '%s' and '%s'", what, needle,
			json_string_value(json_object_get(found, "query")),
			json_string_value(json_object_get(o, "query")));
		found = o;
	}
	ck_assert_msg(found != NULL, "no %s with '%s'", what, needle);
	return found;
}

static bool has_source(json_t *g, const char *src)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(g, "sources"), i, s)
		if (strcmp(json_string_value(s), src) == 0)
			return true;
	return false;
}

START_TEST(test_relations_apart)
{
	if (!tu_have_server("relations: relations_apart"))
		return;
	char dir[] = "/tmp/pgsift-relations-XXXXXX", script[4096], cmd[8192];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/run.sh", dir);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fputs(SCRIPT, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "chmod 777 '%1$s' && bash '%1$s/run.sh' '%1$s' >&2", dir);
	ck_assert_msg(system(cmd) == 0, "the server run failed (see above)");

	snprintf(cmd, sizeof(cmd), "'%1$s' report -q -f json '%2$s/postgresql.log' "
		"'%2$s/pg_stat_statements.csv'", tu_bin(), dir);
	int status;
	char *out = tu_run(cmd, &status);
	json_t *r = json_loads(out, 0, NULL);
	ck_assert_msg(r != NULL, "%s: not JSON: %.200s", cmd, out);
	free(out);
	ck_assert_int_eq(status, 0);

	json_t *groups = json_object_get(r, "groups");
	json_t *stmts = json_object_get(json_object_get(r, "snapshots"), "statements");
	const char *seen[sizeof(planted) / sizeof(planted[0])];
	for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
		json_t *g = only_with(groups, "groups", planted[i].needle);
		const char *fp = json_string_value(json_object_get(g, "fingerprint"));
		ck_assert_msg(json_integer_value(json_object_get(g, "calls")) == planted[i].calls,
			"'%s': %lld calls, the server ran %lld", planted[i].needle,
			(long long)json_integer_value(json_object_get(g, "calls")),
			(long long)planted[i].calls);
		ck_assert_msg(has_source(g, "log") && has_source(g, "pgss"),
			"'%s' not joined with pg_stat_statements", planted[i].needle);
		for (size_t k = 0; k < i; k++)
			ck_assert_msg(strcmp(seen[k], fp) != 0, "'%s' and '%s' share %s",
				planted[k].needle, planted[i].needle, fp);
		seen[i] = fp;

		/* Its own pg_stat_statements row, with the same calls. */
		json_t *s = only_with(stmts, "pg_stat_statements rows", planted[i].needle);
		ck_assert_str_eq(json_string_value(json_object_get(s, "fingerprint")), fp);
		ck_assert_int_eq(json_integer_value(json_object_get(s, "calls")), planted[i].calls);
		ck_assert(json_is_true(json_object_get(s, "in_logs")));
		ck_assert_int_eq(json_integer_value(json_object_get(s, "log_calls")), planted[i].calls);
	}
	json_decref(r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Pairs of statements: together (one group) or apart. */
static const struct { const char *a, *b; bool same; } pairs[] = {
	/* constants only */
	{ "SELECT v FROM t_11 WHERE id = 1", "select v from t_11 where id = 42", true },
	/* the name as the server reads it: unquoted folds, quotes go */
	{ "SELECT v FROM T_11 WHERE id = 1", "SELECT v FROM \"t_11\" WHERE id = 2", true },
	{ "SELECT v FROM \"T_11\" WHERE id = 1", "SELECT v FROM t_11 WHERE id = 2", false },
	/* aliases (libpg_query and pg_stat_statements ignore them) */
	{ "SELECT count(*) FROM t_11 x_11", "SELECT count(*) FROM t_11 AS x_12", true },
	{ "SELECT * FROM (SELECT 1 FROM t_11) s_11", "SELECT * FROM (SELECT 2 FROM t_11) s_12", true },
	{ "SELECT v FROM t_11", "SELECT v FROM t_12", false },
	{ "SELECT v FROM t_11", "SELECT v FROM t_123", false },
	{ "SELECT v FROM s.t_11", "SELECT v FROM s.t_12", false },
	{ "SELECT 1 FROM a, t_11 WHERE a.x = 1", "SELECT 1 FROM a, t_12 WHERE a.x = 2", false },
	{ "SELECT 1 FROM a JOIN t_11 b ON a.id = b.id", "SELECT 1 FROM a JOIN t_12 b ON a.id = b.id", false },
	{ "SELECT 1 FROM (a JOIN t_11 b USING (id))", "SELECT 1 FROM (a JOIN t_12 b USING (id))", false },
	{ "SELECT 1 FROM a WHERE EXISTS (SELECT 1 FROM t_11 b WHERE b.id = a.id)",
	  "SELECT 1 FROM a WHERE EXISTS (SELECT 1 FROM t_12 b WHERE b.id = a.id)", false },
	{ "INSERT INTO t_11 (a) VALUES (1)", "INSERT INTO t_12 (a) VALUES (2)", false },
	{ "UPDATE orders_2024 SET a = 1 WHERE id = 2", "UPDATE orders_2025 SET a = 3 WHERE id = 4", false },
	{ "DELETE FROM ONLY orders_2024 WHERE id = 1", "DELETE FROM ONLY orders_2025 WHERE id = 1", false },
	{ "TRUNCATE a, t_11", "TRUNCATE a, t_12", false },
	{ "CREATE TABLE IF NOT EXISTS orders_2024 PARTITION OF orders FOR VALUES IN (1)",
	  "CREATE TABLE IF NOT EXISTS orders_2025 PARTITION OF orders FOR VALUES IN (1)", false },
	{ "CREATE TEMP TABLE scratch_a (x int)", "CREATE TEMP TABLE scratch_b (x int)", false },
	{ "SELECT * INTO TEMPORARY scratch_a FROM t", "SELECT * INTO TEMPORARY scratch_b FROM t", false },
	{ "CREATE LOCAL TEMPORARY TABLE IF NOT EXISTS scratch_a (x int)",
	  "CREATE LOCAL TEMPORARY TABLE IF NOT EXISTS scratch_b (x int)", false },
	/* the order of two relations */
	{ "SELECT 1 FROM t_11, t_12", "SELECT 1 FROM t_12, t_11", false },
	/* a cursor's name is not a relation */
	{ "FETCH 10 FROM c_11", "FETCH 10 FROM c_12", true },
};

START_TEST(test_pairs)
{
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	const char *a = pairs[_i].a, *b = pairs[_i].b;
	uint64_t fa = fp_cache_get(c, a, strlen(a), &scratch)->fingerprint;
	struct fp_entry *eb = fp_cache_get(c, b, strlen(b), &scratch);
	ck_assert_msg(!eb->lexical, "'%s' does not parse", b);
	ck_assert_msg((fa == eb->fingerprint) == pairs[_i].same, "'%s' and '%s' %s",
		a, b, pairs[_i].same ? "apart" : "together");
	sb_release(&scratch);
	fp_cache_free(c);
}
END_TEST

static void appendf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void appendf(struct strbuf *sb, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(buf));
	sb_append(sb, buf, (size_t)n);
}

/* Names past the server's 63 bytes, deep nesting, a name quoted with ""
 * inside. */
START_TEST(test_limits)
{
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	char name[200];
	memset(name, 'x', sizeof(name));
	/* the same 63 bytes, then 10 against 20: one relation to the server */
	appendf(&a, "SELECT 1 FROM %.70s10", name);
	appendf(&b, "SELECT 1 FROM %.70s20", name);
	uint64_t fa = fp_cache_get(c, a.buf, a.len, &scratch)->fingerprint;
	ck_assert_uint_eq(fa, fp_cache_get(c, b.buf, b.len, &scratch)->fingerprint);
	sb_reset(&a);
	sb_reset(&b);
	appendf(&a, "SELECT 1 FROM %.40s10", name);
	appendf(&b, "SELECT 1 FROM %.40s20", name);
	fa = fp_cache_get(c, a.buf, a.len, &scratch)->fingerprint;
	ck_assert_uint_ne(fa, fp_cache_get(c, b.buf, b.len, &scratch)->fingerprint);
	/* 100 parentheses deep, past the pass's 64 levels */
	sb_reset(&a);
	sb_reset(&b);
	for (int k = 0; k < 100; k++) {
		sb_append(&a, "(", 1);
		sb_append(&b, "(", 1);
	}
	appendf(&a, "SELECT 1 FROM t_11");
	appendf(&b, "SELECT 1 FROM t_12");
	for (int k = 0; k < 100; k++) {
		sb_append(&a, ")", 1);
		sb_append(&b, ")", 1);
	}
	struct fp_entry *ea = fp_cache_get(c, a.buf, a.len, &scratch);
	struct fp_entry *eb = fp_cache_get(c, b.buf, b.len, &scratch);
	ck_assert(!ea->lexical && !eb->lexical);
	ck_assert_uint_ne(ea->fingerprint, eb->fingerprint);
	const char *q1 = "SELECT 1 FROM \"a\"\"b_11\" WHERE x = 1";
	const char *q2 = "SELECT 1 FROM \"a\"\"b_12\" WHERE x = 1";
	ck_assert_uint_ne(fp_cache_get(c, q1, strlen(q1), &scratch)->fingerprint,
		fp_cache_get(c, q2, strlen(q2), &scratch)->fingerprint);
	sb_release(&a);
	sb_release(&b);
	sb_release(&scratch);
	fp_cache_free(c);
}
END_TEST

/* A statement naming no relation libpg_query cuts short keeps libpg_query's
 * fingerprint (earlier reports, baselines and state stay comparable). */
START_TEST(test_unchanged)
{
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	const char *q = "SELECT a_1, temp FROM t_1 JOIN public.items i ON i.id = t_1.id WHERE b = $1";
	struct fp_entry *e = fp_cache_get(c, q, strlen(q), &scratch);
	PgQueryFingerprintResult r = pg_query_fingerprint(e->norm);
	ck_assert_ptr_null(r.error);
	ck_assert_uint_eq(e->fingerprint, r.fingerprint);
	pg_query_free_fingerprint_result(r);
	sb_release(&scratch);
	fp_cache_free(c);
}
END_TEST

Suite *suite_relations(void);
Suite *suite_relations(void)
{
	Suite *s = suite_create("relations");
	TCase *tc = tcase_create("forms");
	tcase_add_loop_test(tc, test_pairs, 0, sizeof(pairs) / sizeof(pairs[0]));
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_relations_apart);
	suite_add_tcase(s, tc);
	return s;
}
