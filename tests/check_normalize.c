/* check_normalize.c: fp_normalize() output, and fingerprints through the
 * cache (libpg_query, lexical fallback, growth, one cache per thread). */
#include <check.h>
#include <pg_query.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "util.h"

Suite *suite_normalize(void);
Suite *suite_fingerprint(void);

struct norm_case {
	const char *sql;
	const char *want;
};

/* Normalizes from an exactly sized heap copy (no NUL after it), so the
 * sanitizers catch any read past len. */
static void check_norm(const struct norm_case *c)
{
	size_t len = strlen(c->sql);
	char *copy = xmalloc(len ? len : 1);
	memcpy(copy, c->sql, len);
	struct strbuf sb = STRBUF_INIT;
	fp_normalize(copy, len, &sb);
	ck_assert_msg(strcmp(sb.buf, c->want) == 0,
			"normalize(%s)\n  got  %s\n  want %s", c->sql, sb.buf, c->want);
	ck_assert_uint_eq(sb.len, strlen(sb.buf));
	free(copy);
	sb_release(&sb);
}

/* Statements from real server logs and the canonical spacing. */
static const struct norm_case core_cases[] = {
	{ "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = 4242;",
	  "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = $1" },
	{ "SELECT id, name FROM products WHERE id IN (1, 2, 3);",
	  "SELECT id, name FROM products WHERE id IN ($1 /*, ...*/)" },
	{ "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (2, 1, 72639, -4897, CURRENT_TIMESTAMP);",
	  "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP) /*, ...*/" },
	{ "UPDATE pgbench_accounts SET abalance = abalance + -4001 WHERE aid = 87286;",
	  "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2" },
	{ "SELECT id, email, name FROM customers WHERE id = $1;",
	  "SELECT id, email, name FROM customers WHERE id = $1" },
	{ "SELECT f( a , b )", "SELECT f(a, b)" },
	{ "SELECT f(a, b)", "SELECT f(a, b)" },
	{ "  select\n\tcount ( * )\nfrom   t\r\nwhere a=1  ;  ; ",
	  "select count(*) from t where a = $1" },
	{ "SELECT /* a /* nested */ comment */ a -- to the end\nFROM t",
	  "SELECT a FROM t" },
	{ "SELECT x FROM t WHERE a=-5 AND b - 5 > 0 AND c = - 5 AND d=+5",
	  "SELECT x FROM t WHERE a = $1 AND b - $2 > $3 AND c = $4 AND d = $5" },
	{ "SELECT CURRENT_DATE - 7, a[1:2], x::text, -y, t.*",
	  "SELECT CURRENT_DATE - $1, a[$2:$3], x::text, -y, t.*" },
	{ "SELECT \"Foo\", \"x\"\"y\" FROM \"Bar\" WHERE \"Col\" = 1",
	  "SELECT \"Foo\", \"x\"\"y\" FROM \"Bar\" WHERE \"Col\" = $1" },
	{ "SELECT count(*) FROM t WHERE EXISTS(SELECT 1) ORDER BY 1 DESC LIMIT 10 OFFSET 5",
	  "SELECT count(*) FROM t WHERE EXISTS (SELECT $1) ORDER BY $2 DESC LIMIT $3 OFFSET $4" },
	{ "insert into public.t(a,b) values(1,2) on conflict(a) do update set b=excluded.b",
	  "insert into public.t (a, b) values ($1, $2) /*, ...*/ on conflict (a) do update set b = excluded.b" },
	{ "SELECT $2, $1, $1", "SELECT $1, $2, $3" },
	{ "SELECT 1; SELECT 2;", "SELECT $1; SELECT $2" },
	{ "SELECT a- -b, a - - 1, x<-1, x>=+2, x!=3", "SELECT a - -b, a - $1, x < $2, x >= $3, x != $4" },
	{ "SELECT - - 5, -'x', + /* c */ $$y$$, ~1", "SELECT $1, $2, $3, ~$4" },
	{ "EXPLAIN(ANALYZE) SELECT 1 - -1, CASE WHEN x THEN -1 ELSE +2 END",
	  "EXPLAIN (ANALYZE) SELECT $1 - $2, CASE WHEN x THEN $3 ELSE $4 END" },
	{ "", "" },
	{ "  -- only a comment", "" },
};

static const struct norm_case literal_cases[] = {
	{ "SELECT 1, 1.5, .5, 1e10, 1.5E-3, 0x1F, 0o17, 0b101, 1_000",
	  "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9" },
	{ "SELECT 'it''s', E'it\\'s \\\\', e'x', U&'d\\0061t', u&'d!0061t' UESCAPE '!'",
	  "SELECT $1, $2, $3, $4, $5" },
	{ "SELECT B'101', X'1F', N'abc', b'1', x'ff', n'z'",
	  "SELECT $1, $2, $3, $4, $5, $6" },
	{ "SELECT $$a 'b' $1$$, $tag$ a $$ b $tag$, $x_1$ ; $x_1$, $3",
	  "SELECT $1, $2, $3, $4" },
	{ "SELECT now() - interval '1 day', DATE '2020-01-01', '{1,2}'::int[]",
	  "SELECT now() - interval $1, DATE $2, $3::int[]" },
	{ "SELECT 'a'\n  'b', 'c'", "SELECT $1, $2" },
	{ "SELECT U&\"d\\0061t\", \"Ünïcode\"", "SELECT U&\"d\\0061t\", \"Ünïcode\"" },
	{ "SELECT t1.c2, a$b, x$1 FROM t1", "SELECT t1.c2, a$b, x$1 FROM t1" },
	{ "UPDATE test SET col1='forêt & océan' WHERE col2 = 1",
	  "UPDATE test SET col1 = $1 WHERE col2 = $2" },
	{ "SELECT to_tsquery('камень & почка & !\" & ![ & !]')",
	  "SELECT to_tsquery($1)" },
	{ "SELECT имя, prénom FROM клиенты WHERE возраст > 30",
	  "SELECT имя, prénom FROM клиенты WHERE возраст > $1" },
	{ "SELECT x FROM t WHERE x = ANY('{1,2,3}'::bigint[])",
	  "SELECT x FROM t WHERE x = ANY($1::bigint[])" },
};

static const struct norm_case list_cases[] = {
	{ "SELECT * FROM t WHERE id IN (1)", "SELECT * FROM t WHERE id IN ($1 /*, ...*/)" },
	{ "SELECT * FROM t WHERE id IN (1,2,3,4,5,6,7)", "SELECT * FROM t WHERE id IN ($1 /*, ...*/)" },
	{ "SELECT * FROM t WHERE id NOT IN ($5, $6) AND z = 4",
	  "SELECT * FROM t WHERE id NOT IN ($1 /*, ...*/) AND z = $2" },
	{ "SELECT * FROM t WHERE id IN ('a'::text, 'b'::text)",
	  "SELECT * FROM t WHERE id IN ($1::text /*, ...*/)" },
	{ "SELECT * FROM t WHERE (a,b) IN ((1,2),(3,4))",
	  "SELECT * FROM t WHERE (a, b) IN (($1, $2) /*, ...*/)" },
	{ "SELECT * FROM t WHERE id IN (1, x, 3)", "SELECT * FROM t WHERE id IN ($1, x, $2)" },
	{ "SELECT * FROM t WHERE id IN (1, 'a'::text)", "SELECT * FROM t WHERE id IN ($1, $2::text)" },
	{ "SELECT * FROM t WHERE id IN (SELECT y FROM u WHERE z = 3) AND w = 9",
	  "SELECT * FROM t WHERE id IN (SELECT y FROM u WHERE z = $1) AND w = $2" },
	{ "SELECT * FROM t WHERE x = ANY(ARRAY[1,2,3])",
	  "SELECT * FROM t WHERE x = ANY(ARRAY[$1 /*, ...*/])" },
	{ "SELECT ARRAY[[1,2],[3,4]], ARRAY[x, 1]",
	  "SELECT ARRAY[[$1 /*, ...*/] /*, ...*/], ARRAY[x, $2]" },
	{ "INSERT INTO t (a, b) VALUES (1, 'x')",
	  "INSERT INTO t (a, b) VALUES ($1, $2) /*, ...*/" },
	{ "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, E'z') RETURNING id, 7",
	  "INSERT INTO t (a, b) VALUES ($1, $2) /*, ...*/ RETURNING id, $3" },
	{ "INSERT INTO t VALUES (1, now()), (2, now())",
	  "INSERT INTO t VALUES ($1, now()) /*, ...*/" },
	{ "INSERT INTO t VALUES (1, NULL), (2, 3)",
	  "INSERT INTO t VALUES ($1, NULL), ($2, $3)" },
	{ "INSERT INTO t DEFAULT VALUES", "INSERT INTO t DEFAULT VALUES" },
	{ "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name) WHERE id IN (1, 2)",
	  "SELECT * FROM (VALUES ($1, $2) /*, ...*/) AS v(id, name) WHERE id IN ($3 /*, ...*/)" },
	/* Already normalized text comes out the same. */
	{ "SELECT * FROM t WHERE id IN ($1 /*, ...*/) AND v IN (SELECT 1)",
	  "SELECT * FROM t WHERE id IN ($1 /*, ...*/) AND v IN (SELECT $2)" },
	{ "INSERT INTO t (a) VALUES ($1) /*, ...*/", "INSERT INTO t (a) VALUES ($1) /*, ...*/" },
};

/* Broken input: truncated statements, stray brackets. */
static const struct norm_case error_cases[] = {
	{ "SELECT * FROM t WHERE name = 'unterminated", "SELECT * FROM t WHERE name = '..." },
	{ "SELECT E'abc\\", "SELECT '..." },
	{ "SELECT E'abc\\'", "SELECT '..." },
	{ "SELECT $tag$ body", "SELECT '..." },
	{ "SELECT 'a''", "SELECT '..." },
	{ "SELECT a /* open comment", "SELECT a" },
	{ "SELECT \"open ident", "SELECT \"open ident" },
	{ "SELECT a) FROM t]", "SELECT a) FROM t]" },
	{ "SELECT * FROM t WHERE id IN (1, 2", "SELECT * FROM t WHERE id IN ($1, $2" },
	{ "INSERT INTO t VALUES (1), (2", "INSERT INTO t VALUES ($1), ($2" },
	{ "SELECT $ , $a, \\x, {y}", "SELECT $, $ a, \\ x, { y }" },
	{ "SELECT 'forêt", "SELECT '..." },
	{ "SELECT a : = b, c: :d", "SELECT a: = b, c: :d" },
};

START_TEST(test_norm_core) { check_norm(&core_cases[_i]); }
END_TEST

START_TEST(test_norm_literals) { check_norm(&literal_cases[_i]); }
END_TEST

START_TEST(test_norm_lists) { check_norm(&list_cases[_i]); }
END_TEST

START_TEST(test_norm_errors) { check_norm(&error_cases[_i]); }
END_TEST

/* Normalizing a normalized text changes nothing. */
static void check_idempotent(const struct norm_case *c)
{
	struct norm_case again = { c->want, c->want };
	check_norm(&again);
}

START_TEST(test_norm_idem_core) { check_idempotent(&core_cases[_i]); }
END_TEST

START_TEST(test_norm_idem_literals) { check_idempotent(&literal_cases[_i]); }
END_TEST

START_TEST(test_norm_idem_lists) { check_idempotent(&list_cases[_i]); }
END_TEST

START_TEST(test_norm_idem_errors) { check_idempotent(&error_cases[_i]); }
END_TEST

/* Every prefix of these statements (a truncated log line) normalizes
 * without reading past its end. */
START_TEST(test_norm_prefixes)
{
	static const char *const stmts[] = {
		"SELECT E'a\\'b', $q$x$q$, U&'d' UESCAPE '!', \"Q\"\"x\", 'c''d' /* x /* y */ */ -- z\n"
			"FROM t WHERE id IN (1, -2, $3) AND v = ANY(ARRAY[1.5e3, 0x1F]) "
			"AND w = 'forêt' AND x=-.5; INSERT INTO u VALUES (1, 'a'), (2, 'b');",
	};
	struct strbuf sb = STRBUF_INIT;
	const char *s = stmts[_i];
	size_t len = strlen(s);
	for (size_t n = 0; n <= len; n++) {
		char *copy = xmalloc(n ? n : 1);
		memcpy(copy, s, n);
		fp_normalize(copy, n, &sb);
		ck_assert_uint_eq(sb.len, strlen(sb.buf));
		free(copy);
	}
	sb_release(&sb);
}
END_TEST

START_TEST(test_norm_deep)
{
	/* Nesting deeper than the lexer tracks lists, around a list. */
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	sb_append(&in, "SELECT ", 7);
	sb_append(&want, "SELECT ", 7);
	for (int k = 0; k < 300; k++) {
		sb_putc(&in, '(');
		sb_putc(&want, '(');
	}
	sb_append(&in, "x IN (1, 2)", 11);
	sb_append(&want, "x IN ($1, $2)", 13);
	for (int k = 0; k < 300; k++) {
		sb_putc(&in, ')');
		sb_putc(&want, ')');
	}
	sb_append(&in, " AND y IN (1, 2)", 16);
	sb_append(&want, " AND y IN ($3 /*, ...*/)", 24);
	fp_normalize(in.buf, in.len, &out);
	ck_assert_str_eq(out.buf, want.buf);
	sb_release(&in);
	sb_release(&out);
	sb_release(&want);
}
END_TEST

START_TEST(test_norm_long_list)
{
	/* A bulk insert of 100000 rows and an IN list of 100000 values. */
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char buf[64];
	sb_append(&in, "INSERT INTO t (a, b) VALUES ", 28);
	for (int k = 0; k < 100000; k++) {
		int n = snprintf(buf, sizeof(buf), "%s(%d, 'v%d')", k ? ", " : "", k, k);
		sb_append(&in, buf, (size_t)n);
	}
	sb_append(&in, "; SELECT 1 FROM t WHERE a IN (", 30);
	for (int k = 0; k < 100000; k++) {
		int n = snprintf(buf, sizeof(buf), "%s%d", k ? ", " : "", k);
		sb_append(&in, buf, (size_t)n);
	}
	sb_putc(&in, ')');
	fp_normalize(in.buf, in.len, &out);
	ck_assert_str_eq(out.buf, "INSERT INTO t (a, b) VALUES ($1, $2) /*, ...*/; "
			"SELECT $3 FROM t WHERE a IN ($4 /*, ...*/)");
	sb_release(&in);
	sb_release(&out);
}
END_TEST

START_TEST(test_norm_reuse)
{
	/* The output buffer is reset, not appended to. */
	struct strbuf sb = STRBUF_INIT;
	fp_normalize("SELECT a, b, c, d, e FROM long_table_name", 41, &sb);
	fp_normalize("SELECT 1", 8, &sb);
	ck_assert_str_eq(sb.buf, "SELECT $1");
	fp_normalize("x", 0, &sb);
	ck_assert_str_eq(sb.buf, "");
	sb_release(&sb);
}
END_TEST

Suite *suite_normalize(void)
{
	Suite *s = suite_create("normalize");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_norm_core, 0, ARRAY_SIZE(core_cases));
	tcase_add_loop_test(tc, test_norm_idem_core, 0, ARRAY_SIZE(core_cases));
	tcase_add_test(tc, test_norm_reuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("literals");
	tcase_add_loop_test(tc, test_norm_literals, 0, ARRAY_SIZE(literal_cases));
	tcase_add_loop_test(tc, test_norm_idem_literals, 0, ARRAY_SIZE(literal_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("lists");
	tcase_add_loop_test(tc, test_norm_lists, 0, ARRAY_SIZE(list_cases));
	tcase_add_loop_test(tc, test_norm_idem_lists, 0, ARRAY_SIZE(list_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_norm_prefixes, 0, 1);
	tcase_add_test(tc, test_norm_deep);
	tcase_add_test(tc, test_norm_long_list);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_norm_errors, 0, ARRAY_SIZE(error_cases));
	tcase_add_loop_test(tc, test_norm_idem_errors, 0, ARRAY_SIZE(error_cases));
	suite_add_tcase(s, tc);
	return s;
}

/* ---- fingerprints through the cache ---- */

struct pair {
	const char *a, *b;
};

/* Same statement up to literals, lists, comments, spacing and case. */
static const struct pair equal_core[] = {
	{ "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = 4242;",
	  "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = 17" },
	{ "SELECT id, email, name FROM customers WHERE id = $1;",
	  "SELECT id, email, name FROM customers WHERE id = 99" },
	{ "UPDATE pgbench_accounts SET abalance = abalance + -4001 WHERE aid = 87286;",
	  "UPDATE pgbench_accounts SET abalance = abalance + 12 WHERE aid = 1" },
	{ "SELECT * FROM t WHERE x = -5", "SELECT * FROM t WHERE x = 5" },
	{ "SELECT a FROM t /* why */ WHERE b = 1 -- note", "SELECT a FROM t WHERE b = 2" },
	{ "SELECT a,\n\tb\nFROM   t\r\nWHERE c=1", "SELECT a, b FROM t WHERE c = 1" },
	{ "SELECT a FROM t WHERE b = 1", "select A from T where B = 1" },
	{ "SELECT f( a , b ) FROM t", "SELECT f(a, b) FROM t" },
};

static const struct pair equal_literals[] = {
	{ "SELECT * FROM t WHERE s = 'abc'", "SELECT * FROM t WHERE s = E'it\\'s'" },
	{ "SELECT * FROM t WHERE s = 'abc'", "SELECT * FROM t WHERE s = $tag$a 'quoted' b$tag$" },
	{ "SELECT * FROM t WHERE s = 'abc'", "SELECT * FROM t WHERE s = $$x$$" },
	{ "SELECT * FROM t WHERE s = 'abc'", "SELECT * FROM t WHERE s = $7" },
	{ "SELECT * FROM t WHERE n = 1.5", "SELECT * FROM t WHERE n = 1e10" },
	{ "SELECT * FROM t WHERE n = 42", "SELECT * FROM t WHERE n = 0x1F" },
	{ "SELECT * FROM t WHERE ts > now() - interval '1 day'",
	  "SELECT * FROM t WHERE ts > now() - interval '5 minutes'" },
	{ "UPDATE test SET col1='forêt & océan' WHERE col2 = 1",
	  "UPDATE test SET col1 = 'x' WHERE col2 = 2" },
	{ "SELECT to_tsquery('камень & почка & !\" & ![ & !]')",
	  "SELECT to_tsquery('cat & dog')" },
};

static const struct pair equal_lists[] = {
	{ "SELECT id, name FROM products WHERE id IN (1, 2, 3);",
	  "SELECT id, name FROM products WHERE id IN (4, 5, 6, 7, 8, 9, 10);" },
	{ "SELECT id, name FROM products WHERE id IN (1)",
	  "SELECT id, name FROM products WHERE id IN (4, 5, 6, 7, 8, 9, 10)" },
	{ "SELECT id FROM t WHERE id IN ($1, $2, $3)", "SELECT id FROM t WHERE id IN (8)" },
	{ "SELECT id FROM t WHERE id = ANY(ARRAY[1, 2, 3])",
	  "SELECT id FROM t WHERE id = ANY(ARRAY[4])" },
	{ "SELECT id FROM t WHERE id = ANY('{1,2,3}'::bigint[])",
	  "SELECT id FROM t WHERE id = ANY('{4}'::bigint[])" },
	{ "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (2, 1, 72639, -4897, CURRENT_TIMESTAMP);",
	  "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (5, 3, 1, 20, CURRENT_TIMESTAMP), "
	  "(6, 4, 2, -7, CURRENT_TIMESTAMP), (7, 5, 3, 8, CURRENT_TIMESTAMP);" },
	{ "INSERT INTO t (a, b) VALUES (1, 'x')", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')" },
};

/* Different tables, columns, operators or order must not merge. */
static const struct pair unequal[] = {
	{ "SELECT * FROM t1 WHERE x = 1", "SELECT * FROM t2 WHERE x = 1" },
	{ "SELECT * FROM t WHERE x = 1", "SELECT * FROM t WHERE y = 1" },
	{ "SELECT * FROM t WHERE x > 1", "SELECT * FROM t WHERE x < 1" },
	{ "SELECT x FROM t ORDER BY x ASC", "SELECT x FROM t ORDER BY x DESC" },
	{ "SELECT a, b FROM t", "SELECT a FROM t" },
	{ "SELECT * FROM t WHERE x - 1 > 0", "SELECT * FROM t WHERE x + 1 > 0" },
	{ "SELECT * FROM t WHERE x IN (1, 2)", "SELECT * FROM t WHERE x NOT IN (1, 2)" },
	{ "SELECT \"Foo\" FROM t", "SELECT foo FROM t" },
	/* libpg_query alone would merge these (see set_ops_signature). */
	{ "SELECT v FROM t WHERE id = 7", "SELECT v FROM t WHERE id IN (1, 2, 3)" },
	{ "SELECT v FROM t WHERE id = 7", "SELECT v FROM t WHERE id IN (7)" },
	{ "SELECT v FROM t WHERE id IN (1, 2)", "SELECT v FROM t WHERE id = ANY('{1,2}'::int[])" },
	{ "SELECT v FROM t WHERE id <> 1", "SELECT v FROM t WHERE id NOT IN (1, 2)" },
	{ "SELECT v FROM t WHERE a IN (1) AND b = 2", "SELECT v FROM t WHERE a = 1 AND b IN (2)" },
};

static void check_pair(const struct pair *p, bool want_equal)
{
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	struct fp_entry *a = fp_cache_get(c, p->a, strlen(p->a), &scratch);
	struct fp_entry *b = fp_cache_get(c, p->b, strlen(p->b), &scratch);
	ck_assert_msg(!a->lexical, "did not parse: %s", a->norm);
	ck_assert_msg(!b->lexical, "did not parse: %s", b->norm);
	if (want_equal)
		ck_assert_msg(a->fingerprint == b->fingerprint,
				"should be one group:\n  %s\n  %s", a->norm, b->norm);
	else
		ck_assert_msg(a->fingerprint != b->fingerprint,
				"should be two groups:\n  %s\n  %s", a->norm, b->norm);
	sb_release(&scratch);
	fp_cache_free(c);
}

START_TEST(test_fp_equal_core) { check_pair(&equal_core[_i], true); }
END_TEST

START_TEST(test_fp_equal_literals) { check_pair(&equal_literals[_i], true); }
END_TEST

START_TEST(test_fp_equal_lists) { check_pair(&equal_lists[_i], true); }
END_TEST

START_TEST(test_fp_unequal) { check_pair(&unequal[_i], false); }
END_TEST

/* Every normalized text of the normalize tables still parses. */
START_TEST(test_fp_norm_parses)
{
	const struct norm_case *tables[] = { core_cases, literal_cases, list_cases };
	size_t sizes[] = { ARRAY_SIZE(core_cases), ARRAY_SIZE(literal_cases),
		ARRAY_SIZE(list_cases) };
	struct fp_cache *c = fp_cache_new();
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		for (size_t k = 0; k < sizes[t]; k++) {
			const char *w = tables[t][k].want;
			/* interval $1 / DATE $2 are placeholders for typed literals
			 * that only the raw statement can give to the parser. */
			if (strstr(w, "interval $") || strstr(w, "DATE $"))
				continue;
			struct fp_entry *e = fp_cache_get_normalized(c, w, strlen(w));
			ck_assert_msg(!e->lexical, "does not parse: %s", w);
		}
	}
	fp_cache_free(c);
}
END_TEST

/* Without IN lists or ANY(), the fingerprint is libpg_query's own. */
START_TEST(test_fp_is_pg_query)
{
	struct fp_cache *c = fp_cache_new();
	const char *norm = "SELECT a FROM t WHERE b = $1 AND c IN (SELECT d FROM u)";
	struct fp_entry *e = fp_cache_get_normalized(c, norm, strlen(norm));
	PgQueryFingerprintResult r = pg_query_fingerprint(norm);
	ck_assert_ptr_null(r.error);
	ck_assert_uint_eq(e->fingerprint, r.fingerprint);
	pg_query_free_fingerprint_result(r);
	fp_cache_free(c);
}
END_TEST

START_TEST(test_fp_format)
{
	char out[17];
	fp_format(0, out);
	ck_assert_str_eq(out, "0000000000000000");
	fp_format(0x0123456789abcdefULL, out);
	ck_assert_str_eq(out, "0123456789abcdef");
	fp_format(UINT64_MAX, out);
	ck_assert_str_eq(out, "ffffffffffffffff");
	ck_assert_uint_eq(strlen(out), 16);

	/* fp_parse reads the form back, and only that form. */
	uint64_t v = 7;
	ck_assert(fp_parse("0123456789abcdef", &v));
	ck_assert_uint_eq(v, 0x0123456789abcdefULL);
	ck_assert(fp_parse("FFFFFFFFFFFFFFFF", &v));
	ck_assert_uint_eq(v, UINT64_MAX);
	static const char *const bad[] = {
		NULL, "", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg",
		" 123456789abcdef", "0x23456789abcdef", "-123456789abcdef",
	};
	v = 7;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!fp_parse(bad[i], &v), "'%s' accepted", bad[i] ? bad[i] : "(null)");
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_fp_lexical_case)
{
	/* Unquoted text folds, quoted identifiers do not. */
	const char *a = "SELECT \"Foo\" FROM T WHERE", *b = "select \"Foo\" from t where";
	const char *c = "select \"foo\" from t where";
	ck_assert_uint_eq(fp_lexical(a, strlen(a)), fp_lexical(b, strlen(b)));
	ck_assert_uint_ne(fp_lexical(b, strlen(b)), fp_lexical(c, strlen(c)));
	/* Longer than the fold buffer: the streaming hash sees every byte. */
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	for (int k = 0; k < 400; k++) {
		sb_append(&x, "ABC ", 4);
		sb_append(&y, "abc ", 4);
	}
	ck_assert_uint_eq(fp_lexical(x.buf, x.len), fp_lexical(y.buf, y.len));
	y.buf[y.len - 3] = 'x';
	ck_assert_uint_ne(fp_lexical(x.buf, x.len), fp_lexical(y.buf, y.len));
	sb_release(&x);
	sb_release(&y);
}
END_TEST

START_TEST(test_fp_once_per_text)
{
	/* 1000 statements differing only in literals: one text, one parse. */
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	char sql[160];
	struct fp_entry *first = NULL;
	for (int k = 0; k < 1000; k++) {
		int n = snprintf(sql, sizeof(sql),
				"SELECT id, name FROM products WHERE id IN (%d, %d) AND note = 'n%d' AND qty > %d.5",
				k, k + 1, k, -k);
		struct fp_entry *e = fp_cache_get(c, sql, (size_t)n, &scratch);
		if (!first)
			first = e;
		ck_assert_ptr_eq(e, first);
	}
	ck_assert_uint_eq(fp_cache_size(c), 1);
	ck_assert_uint_eq(fp_cache_parsed(c), 1);
	ck_assert_str_eq(first->norm,
			"SELECT id, name FROM products WHERE id IN ($1 /*, ...*/) AND note = $2 AND qty > $3");
	ck_assert_ptr_null(first->user);
	ck_assert_int_eq(first->verdict, 0);
	sb_release(&scratch);
	fp_cache_free(c);
}
END_TEST

START_TEST(test_fp_growth)
{
	/* Many distinct texts: the table rehashes and keeps every entry. */
	enum { N = 5000 };
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	struct fp_entry **seen = xcalloc(N, sizeof(*seen));
	char sql[64];
	for (int k = 0; k < N; k++) {
		int n = snprintf(sql, sizeof(sql), "SELECT c FROM t%d WHERE x = %d", k, k);
		seen[k] = fp_cache_get(c, sql, (size_t)n, &scratch);
	}
	ck_assert_uint_eq(fp_cache_size(c), N);
	ck_assert_uint_eq(fp_cache_parsed(c), N);
	for (int k = 0; k < N; k++) {
		int n = snprintf(sql, sizeof(sql), "SELECT c FROM t%d WHERE x = $1", k);
		ck_assert_ptr_eq(fp_cache_get_normalized(c, sql, (size_t)n), seen[k]);
	}
	ck_assert_uint_eq(fp_cache_size(c), N);
	free(seen);
	sb_release(&scratch);
	fp_cache_free(c);
}
END_TEST

struct thread_job {
	const char *const *stmts;
	size_t n;
	uint64_t *fps;
};

static void *thread_main(void *arg)
{
	struct thread_job *j = arg;
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	for (int round = 0; round < 200; round++) {
		for (size_t k = 0; k < j->n; k++) {
			struct fp_entry *e = fp_cache_get(c, j->stmts[k], strlen(j->stmts[k]), &scratch);
			j->fps[k] = e->fingerprint;
		}
		/* A fresh cache each round, so libpg_query keeps being called. */
		fp_cache_free(c);
		c = fp_cache_new();
	}
	sb_release(&scratch);
	fp_cache_free(c);
	return NULL;
}

START_TEST(test_fp_threads)
{
	static const char *const stmts[] = {
		"SELECT a FROM t WHERE b = 1",
		"INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')",
		"UPDATE t SET a = a + 1 WHERE id IN (1, 2, 3)",
		"DELETE FROM t WHERE created < now() - interval '1 day'",
		"SELECT 'truncated",
	};
	enum { T = 4, N = ARRAY_SIZE(stmts) };
	uint64_t want[N], got[T][N];
	struct thread_job one = { stmts, N, want };
	thread_main(&one);
	pthread_t th[T];
	struct thread_job jobs[T];
	for (int t = 0; t < T; t++) {
		jobs[t] = (struct thread_job){ stmts, N, got[t] };
		ck_assert_int_eq(pthread_create(&th[t], NULL, thread_main, &jobs[t]), 0);
	}
	for (int t = 0; t < T; t++) {
		pthread_join(th[t], NULL);
		for (size_t k = 0; k < N; k++)
			ck_assert_uint_eq(got[t][k], want[k]);
	}
}
END_TEST

START_TEST(test_fp_truncated)
{
	/* An unterminated quote: neither the normalized nor the raw text
	 * parses, so the entry is lexical; two cuts inside the string agree. */
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	const char *a = "SELECT * FROM t WHERE name = 'abc";
	const char *b = "select * from t where name = 'abcdef ghi";
	struct fp_entry *ea = fp_cache_get(c, a, strlen(a), &scratch);
	struct fp_entry *eb = fp_cache_get(c, b, strlen(b), &scratch);
	ck_assert(ea->lexical);
	ck_assert(eb->lexical);
	ck_assert_uint_eq(ea->fingerprint, fp_lexical(ea->norm, ea->norm_len));
	ck_assert_uint_eq(ea->fingerprint, eb->fingerprint);
	ck_assert_uint_eq(fp_cache_size(c), 2);
	ck_assert_uint_eq(fp_cache_parsed(c), 0);
	sb_release(&scratch);
	fp_cache_free(c);
}
END_TEST

START_TEST(test_fp_fallbacks)
{
	struct fp_cache *c = fp_cache_new();
	struct strbuf scratch = STRBUF_INIT;
	/* varchar($1) does not parse, the raw statement does. */
	const char *raw = "SELECT CAST(x AS varchar(255)) FROM t";
	struct fp_entry *e = fp_cache_get(c, raw, strlen(raw), &scratch);
	ck_assert_str_eq(e->norm, "SELECT CAST(x AS varchar($1)) FROM t");
	ck_assert(!e->lexical);
	ck_assert_uint_eq(fp_cache_parsed(c), 1);
	/* Not SQL at all: lexical, and case does not split it. */
	const char *x = "FOO BAR baz 1", *y = "foo bar BAZ 2";
	struct fp_entry *ex = fp_cache_get(c, x, strlen(x), &scratch);
	struct fp_entry *ey = fp_cache_get(c, y, strlen(y), &scratch);
	ck_assert(ex->lexical && ey->lexical);
	ck_assert_ptr_ne(ex, ey);
	ck_assert_uint_eq(ex->fingerprint, ey->fingerprint);
	ck_assert_uint_eq(fp_cache_size(c), 3);
	ck_assert_uint_eq(fp_cache_parsed(c), 1);
	/* Text handed over without a NUL after it. */
	char buf[] = { 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1' };
	e = fp_cache_get(c, buf, sizeof(buf), &scratch);
	ck_assert_str_eq(e->norm, "SELECT $1");
	ck_assert(!e->lexical);
	sb_release(&scratch);
	fp_cache_free(c);
	fp_cache_free(NULL);
}
END_TEST

Suite *suite_fingerprint(void)
{
	Suite *s = suite_create("fingerprint");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_fp_equal_core, 0, ARRAY_SIZE(equal_core));
	tcase_add_loop_test(tc, test_fp_unequal, 0, ARRAY_SIZE(unequal));
	tcase_add_test(tc, test_fp_norm_parses);
	tcase_add_test(tc, test_fp_is_pg_query);
	tcase_add_test(tc, test_fp_format);
	tcase_add_test(tc, test_fp_lexical_case);
	suite_add_tcase(s, tc);

	tc = tcase_create("literals");
	tcase_add_loop_test(tc, test_fp_equal_literals, 0, ARRAY_SIZE(equal_literals));
	suite_add_tcase(s, tc);

	tc = tcase_create("lists");
	tcase_add_loop_test(tc, test_fp_equal_lists, 0, ARRAY_SIZE(equal_lists));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_fp_once_per_text);
	tcase_add_test(tc, test_fp_growth);
	tcase_add_test(tc, test_fp_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_fp_truncated);
	tcase_add_test(tc, test_fp_fallbacks);
	suite_add_tcase(s, tc);
	return s;
}
