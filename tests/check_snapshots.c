/* check_snapshots.c: the statistics snapshot parsers (pgss-csv,
 * indexes-csv, tables-csv, statio-csv) and the snapshots pass.
 *
 * The real rows are the exports of one pg-workload.sh run (PostgreSQL 15)
 * in tests/data/snapshots/, and their PostgreSQL 12 column set made by
 * make-pg12.sh there. Resets, orderings, empty and wrong files are small
 * files written here, with real headers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "findings.h"
#include "parser.h"
#include "snapshots.h"
#include "testutil.h"

#define DATA "tests/data/snapshots/"
#define PGSS_HDR "captured_at,userid,dbid,toplevel,queryid,query,plans,total_plan_time,calls,total_exec_time,rows,shared_blks_hit,shared_blks_read,temp_blks_read,temp_blks_written,datname\n"
#define IDX_HDR "captured_at,relid,indexrelid,schemaname,relname,indexrelname,idx_scan,idx_tup_read,idx_tup_fetch,index_bytes,indexdef\n"

static char *data_path(const char *name)
{
	char *p = malloc(4096);
	snprintf(p, 4096, "%s/" DATA "%s", tu_root(), name);
	return p;
}

/* Runs the analysis on files; names with a '/' are used as they are,
 * others are under tests/data/snapshots. */
static struct analysis *run(const char *format, enum analysis_status *st,
		const char *const *names, size_t n)
{
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 2;
	o.input_format = format;
	char **paths = calloc(n, sizeof(*paths));
	for (size_t i = 0; i < n; i++)
		paths[i] = strchr(names[i], '/') ? strdup(names[i]) : data_path(names[i]);
	struct analysis *a;
	enum analysis_status s = analysis_run(&o, (const char *const *)paths, n, &a);
	if (st)
		*st = s;
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return a;
}

static const struct snap_stmt *stmt_with(const struct analysis *a, const char *needle)
{
	const struct snap_stmt *s;
	size_t n = snapshots_statements(a->snapshots, &s);
	for (size_t i = 0; i < n; i++)
		if (strstr(s[i].query, needle))
			return &s[i];
	return NULL;
}

static const struct finding *finding_of(const struct analysis *a, enum finding_kind k,
		const char *index_or_table)
{
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (f->kind != k)
			continue;
		if (!index_or_table || (f->index && strcmp(f->index, index_or_table) == 0) ||
				(!f->index && f->table && strcmp(f->table, index_or_table) == 0))
			return f;
	}
	return NULL;
}

static bool has_note(const struct analysis *a, const char *needle)
{
	const char *const *notes;
	size_t n = snapshots_notes(a->snapshots, &notes);
	for (size_t i = 0; i < n; i++)
		if (strstr(notes[i], needle))
			return true;
	return false;
}

/* ---- detection ---- */

static const struct { const char *header; const char *id; } detect_cases[] = {
	/* PostgreSQL 15, as pg-workload.sh dumps it. */
	{ "captured_at,userid,dbid,toplevel,queryid,query,plans,total_plan_time,calls,total_exec_time\n", "pgss-csv" },
	/* 9.6 to 12: total_time, no toplevel. */
	{ "userid,dbid,queryid,query,calls,total_time,min_time,max_time,mean_time,stddev_time,rows\n", "pgss-csv" },
	{ IDX_HDR, "indexes-csv" },
	{ "relid,schemaname,relname,seq_scan,seq_tup_read,idx_scan,idx_tup_fetch,n_tup_ins,n_live_tup,n_dead_tup\n", "tables-csv" },
	{ "relid,schemaname,relname,heap_blks_read,heap_blks_hit,idx_blks_read,idx_blks_hit,toast_blks_read,toast_blks_hit,tidx_blks_read,tidx_blks_hit\n", "statio-csv" },
	/* Quoted and upper-case header names, a byte order mark. */
	{ "\xef\xbb\xbf\"QUERYID\",\"Calls\",\"query\",\"total_time\"\n", "pgss-csv" },
};

START_TEST(test_detect)
{
	const char *h = detect_cases[_i].header;
	const struct parser *p = parser_detect(h, strlen(h));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->id, detect_cases[_i].id);
}
END_TEST

START_TEST(test_detect_not_a_view)
{
	static const char log[] = "2026-11-22 14:17:10.851 UTC [3591] LOG:  starting PostgreSQL 15\n";
	static const char other[] = "id,name,calls\n1,a,2\n";
	const struct parser *p = parser_detect(log, strlen(log));
	ck_assert(!p || strstr(p->id, "-csv") == NULL || strcmp(p->id, "sentry-csv") == 0);
	p = parser_detect(other, strlen(other));
	ck_assert(!p || (strcmp(p->id, "pgss-csv") && strcmp(p->id, "tables-csv") &&
		strcmp(p->id, "indexes-csv") && strcmp(p->id, "statio-csv")));
}
END_TEST

/* ---- the real export, before and after ---- */

static const char *const real[] = {
	"pg_stat_statements_before.csv", "pg_stat_user_indexes_before.csv",
	"pg_stat_user_tables_before.csv", "pg_stat_statements_after.csv",
	"pg_stat_user_indexes_after.csv", "pg_stat_user_tables_after.csv",
};

START_TEST(test_real_window)
{
	enum analysis_status st;
	struct analysis *a = run(NULL, &st, real, 6);
	ck_assert_int_eq(st, ANALYSIS_OK);
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(a->inputs[i].nproblems, 0);
	ck_assert_str_eq(a->inputs[0].format, "pgss-csv");
	ck_assert_str_eq(a->inputs[1].format, "indexes-csv");
	ck_assert_str_eq(a->inputs[2].format, "tables-csv");
	const struct snap_view_info *vi = snapshots_view(a->snapshots, STAT_PGSS);
	ck_assert_uint_eq(vi->snapshots, 2);
	ck_assert(vi->diffed && vi->ordered_by_time);
	ck_assert_uint_eq(vi->resets, 0);

	/* The planted statements, as the workload ran them. */
	const struct snap_stmt *s = stmt_with(a, "email, name FROM customers WHERE id =");
	ck_assert_ptr_nonnull(s);
	ck_assert(s->calls == 8000);
	ck_assert(s->rows == 8000);
	s = stmt_with(a, "FROM order_items oi WHERE oi.order_id");
	ck_assert(s->calls == 121);
	ck_assert(s->total_ms > 3031.25 && s->total_ms < 3031.26);
	/* IN lists of 3 and 7 items: two entries, one fingerprint. */
	s = stmt_with(a, "FROM products WHERE id IN");
	ck_assert(s->calls == 2);
	ck_assert_uint_eq(s->entries, 2);
	/* The sort that spills: temp blocks. */
	s = stmt_with(a, "SELECT * FROM orders ORDER BY created_at");
	ck_assert(s->temp_written == 2115);
	/* In the window only: the before snapshot's two resets are gone. */
	ck_assert_ptr_null(stmt_with(a, "pg_stat_statements_reset"));
	/* The groups: pgss only, calls added (no log was given). */
	struct group *g = tu_find_group(a, "email, name FROM customers WHERE id =");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->calls, 8000);
	ck_assert_uint_eq(g->timed_calls, 0);
	ck_assert(g->sources == SRC_BIT(SRC_PGSS));

	/* Findings. */
	const struct finding *f = finding_of(a, FK_unused_index, "public.products_name_idx");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "bytes")), 3170304);
	ck_assert(strstr(f->suggestion, "DROP INDEX CONCURRENTLY public.products_name_idx;"));
	ck_assert_ptr_null(finding_of(a, FK_unused_index, "public.order_items_pkey"));
	ck_assert_ptr_null(finding_of(a, FK_unused_index, "public.customers_id_uniq"));
	ck_assert_ptr_null(finding_of(a, FK_unused_index, "public.customers_pkey"));
	f = finding_of(a, FK_duplicate_index, "public.customers_email_idx2");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_string_value(json_object_get(f->evidence, "kept")),
		"public.customers_email_idx");
	ck_assert_str_eq(f->columns[0], "email");
	ck_assert_ptr_null(finding_of(a, FK_duplicate_index, "public.customers_email_idx"));
	/* The unique index on customers (id) duplicates the primary key. */
	ck_assert_ptr_nonnull(finding_of(a, FK_duplicate_index, "public.customers_id_uniq"));
	f = finding_of(a, FK_table_bloat, "public.products");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "n_dead_tup")), 16666);
	ck_assert(strstr(f->suggestion, "VACUUM (ANALYZE, VERBOSE) public.products;"));
	ck_assert_ptr_null(finding_of(a, FK_table_bloat, "public.orders"));
	f = finding_of(a, FK_seq_scan_heavy, "public.order_items");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "seq_scan")), 122);
	ck_assert_ptr_nonnull(finding_of(a, FK_seq_scan_heavy, "public.orders"));
	ck_assert_ptr_null(finding_of(a, FK_seq_scan_heavy, "public.customers"));
	ck_assert_ptr_null(finding_of(a, FK_low_cache_hit, NULL));

	/* What the advice pass reads. */
	const struct snap_index *x;
	size_t n = snapshots_indexes(a->snapshots, &x);
	ck_assert_uint_eq(n, 9);
	bool seen = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(x[i].name, "customers_pkey") == 0) {
			ck_assert(x[i].primary && x[i].unique);
			ck_assert_int_eq(x[i].scans, 8000);
			ck_assert_str_eq(x[i].indexdef, "CREATE UNIQUE INDEX customers_pkey ON public.customers USING btree (id)");
			seen = true;
		}
	ck_assert(seen);
	/* n_live_tup is 0 after pg_stat_reset(): rows per sequential scan. */
	ck_assert_int_eq(snapshots_table_rows(a->snapshots, "orders"), 100000);
	ck_assert_int_eq(snapshots_table_rows(a->snapshots, "public.order_items"), 200000);
	ck_assert_int_eq(snapshots_table_rows(a->snapshots, "other.orders"), -1);
	analysis_free(a);
}
END_TEST

/* Given after-then-before, captured_at puts them back in order. */
START_TEST(test_order_by_captured_at)
{
	static const char *const rev[] = { "pg_stat_statements_after.csv",
		"pg_stat_statements_before.csv" };
	struct analysis *a = run(NULL, NULL, rev, 2);
	const struct snap_stmt *s = stmt_with(a, "count(*) FROM orders WHERE status");
	ck_assert(s && s->calls == 8000);
	ck_assert_uint_eq(snapshots_view(a->snapshots, STAT_PGSS)->resets, 0);
	analysis_free(a);
}
END_TEST

/* PostgreSQL 12's column names give the same figures. */
START_TEST(test_pg12_columns)
{
	static const char *const v15[] = { "pg_stat_statements_before.csv",
		"pg_stat_statements_after.csv" };
	static const char *const v12[] = { "pg12_statements_before.csv",
		"pg12_statements_after.csv" };
	struct analysis *a = run(NULL, NULL, v15, 2), *b = run(NULL, NULL, v12, 2);
	ck_assert_str_eq(b->inputs[0].format, "pgss-csv");
	const struct snap_stmt *s, *t;
	size_t n = snapshots_statements(a->snapshots, &s);
	size_t m = snapshots_statements(b->snapshots, &t);
	ck_assert_uint_eq(n, m);
	ck_assert_uint_gt(n, 20);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(s[i].fingerprint, t[i].fingerprint);
		ck_assert(s[i].calls == t[i].calls);
		ck_assert(s[i].total_ms == t[i].total_ms);
		ck_assert(s[i].blks_hit == t[i].blks_hit);
		ck_assert(t[i].wal_bytes < 0);  /* no WAL columns in 12 */
	}
	analysis_free(a);
	analysis_free(b);
}
END_TEST

/* ---- resets, empty and wrong files ---- */

static char *temp(const char *text)
{
	return tu_write_temp(text, strlen(text));
}

START_TEST(test_reset)
{
	char *before = temp(PGSS_HDR
		"2026-01-01 10:00:00+00,10,5,t,11,SELECT a FROM t1 WHERE id = $1,0,0,100,50.5,100,900,0,0,0,shop\n"
		"2026-01-01 10:00:00+00,10,5,t,12,SELECT b FROM t2 WHERE id = $1,0,0,10,5,10,90,0,0,0,shop\n");
	char *after = temp(PGSS_HDR
		"2026-01-01 11:00:00+00,10,5,t,11,SELECT a FROM t1 WHERE id = $1,0,0,7,3.5,7,70,0,0,0,shop\n"
		"2026-01-01 11:00:00+00,10,5,t,12,SELECT b FROM t2 WHERE id = $1,0,0,30,15,30,270,0,0,0,shop\n");
	const char *names[] = { after, before };
	struct analysis *a = run(NULL, NULL, names, 2);
	const struct snap_stmt *s = stmt_with(a, "FROM t1");
	ck_assert(s->reset);
	ck_assert(s->calls == 7);               /* the later snapshot alone */
	ck_assert(s->total_ms == 3.5);
	s = stmt_with(a, "FROM t2");
	ck_assert(!s->reset);
	ck_assert(s->calls == 20);
	ck_assert(s->total_ms == 10);
	ck_assert_uint_eq(snapshots_view(a->snapshots, STAT_PGSS)->resets, 1);
	ck_assert(has_note(a, "statistics reset"));
	analysis_free(a);
	tu_remove(before);
	tu_remove(after);
}
END_TEST

START_TEST(test_empty)
{
	/* A header alone (right after pg_stat_statements_reset()): a snapshot
	 * with no rows, so the later one's figures are the window's. */
	char *hdr = temp(PGSS_HDR);
	char *after = temp(PGSS_HDR
		"2026-01-01 11:00:00+00,10,5,t,11,SELECT a FROM t1 WHERE id = $1,0,0,7,3.5,7,70,0,0,0,shop\n");
	char *zero = temp("");
	const char *names[] = { hdr, after };
	enum analysis_status st;
	struct analysis *a = run(NULL, &st, names, 2);
	ck_assert_int_eq(st, ANALYSIS_OK);
	ck_assert_str_eq(a->inputs[0].format, "pgss-csv");
	ck_assert_uint_eq(snapshots_view(a->snapshots, STAT_PGSS)->snapshots, 2);
	ck_assert(stmt_with(a, "FROM t1")->calls == 7);
	analysis_free(a);

	/* An empty file, detected: nothing to read, no snapshot. */
	const char *z[] = { zero };
	a = run(NULL, &st, z, 1);
	ck_assert(!snapshots_given(a->snapshots));
	analysis_free(a);
	/* Forced: said so. */
	a = run("pgss-csv", &st, z, 1);
	ck_assert_int_eq(st, ANALYSIS_NO_INPUT);
	ck_assert_uint_eq(a->inputs[0].nkept, 1);
	ck_assert(strstr(a->inputs[0].problems[0].message, "empty: no CSV header row") != NULL);
	analysis_free(a);
	tu_remove(hdr);
	tu_remove(after);
	tu_remove(zero);
}
END_TEST

START_TEST(test_wrong_file)
{
	/* A server log given as a pg_stat_statements snapshot. */
	char *log = malloc(4096);
	snprintf(log, 4096, "%s/tests/data/workload-excerpt.log", tu_root());
	const char *names[] = { log };
	enum analysis_status st;
	struct analysis *a = run("pgss-csv", &st, names, 1);
	ck_assert_int_eq(st, ANALYSIS_NO_INPUT);
	ck_assert(a->inputs[0].unreadable);
	ck_assert_uint_eq(a->inputs[0].problems[0].line, 1);
	ck_assert_msg(strstr(a->inputs[0].problems[0].message,
		"not a pg_stat_statements snapshot") != NULL, "%s", a->inputs[0].problems[0].message);
	ck_assert(strstr(a->inputs[0].problems[0].message, "queryid, calls, query") != NULL);
	analysis_free(a);

	/* Another view's CSV forced as pgss: read as what it is, with a note. */
	const char *idx[] = { "pg_stat_user_indexes_after.csv" };
	a = run("pgss-csv", &st, idx, 1);
	ck_assert_int_eq(st, ANALYSIS_OK);
	ck_assert_uint_eq(a->inputs[0].nnotes, 1);
	ck_assert(strstr(a->inputs[0].notes[0], "pg_stat_user_indexes") != NULL);
	const struct snap_index *x;
	ck_assert_uint_eq(snapshots_indexes(a->snapshots, &x), 9);
	analysis_free(a);
	free(log);
}
END_TEST

START_TEST(test_malformed_rows)
{
	char *f = temp(PGSS_HDR
		"2026-01-01 11:00:00+00,10,5,t,11,\"SELECT a\nFROM t WHERE \"\"x\"\" = $1\",0,0,7,3.5,7,70,0,0,0,shop\n"
		"2026-01-01 11:00:00+00,10,5,t,12,SELECT 2,0,0,7\n"
		"2026-01-01 11:00:00+00,10,5,t,13,SELECT \"bad,0,0,7,3.5,7,70,0,0,0,shop\n"
		"2026-01-01 11:00:00+00,10,5,t,14,SELECT 4 FROM u,0,0,4,1,4,40,0,0,0,shop\n");
	const char *names[] = { f };
	enum analysis_status st;
	struct analysis *a = run(NULL, &st, names, 1);
	ck_assert_int_eq(st, ANALYSIS_PARTIAL);
	const struct input_report *in = &a->inputs[0];
	ck_assert_uint_eq(in->records, 2);
	ck_assert_uint_eq(in->nproblems, 2);
	ck_assert_uint_eq(in->problems[0].line, 4);
	ck_assert(strstr(in->problems[0].message, "row with 9 fields, the header has 16") != NULL);
	ck_assert_uint_eq(in->problems[1].line, 5);
	ck_assert(strstr(in->problems[1].message, "stray quote") != NULL);
	/* The quoted query spans two lines. */
	const struct snap_stmt *s = stmt_with(a, "FROM t WHERE \"x\" = $1");
	ck_assert_ptr_nonnull(s);
	ck_assert(stmt_with(a, "FROM u")->calls == 4);
	analysis_free(a);
	tu_remove(f);
}
END_TEST

/* The real index and table exports, damaged at one row: cut to its first
 * 40 bytes (a torn write: 3 fields), or given a stray quote before its
 * schema name (then, as CSV has it, the quoted field runs to the end of
 * the input and takes the rows after it). */
static const struct {
	const char *file;
	unsigned line;
	bool quote;
	size_t rows;            /* kept */
	const char *says;
} damaged_views[] = {
	{ "pg_stat_user_indexes_after.csv", 3, false, 8, "row with 3 fields, the header has 11: skipped" },
	{ "pg_stat_user_indexes_after.csv", 4, true, 2,
	  "row cut short by the end of the input (a quoted field is not closed): skipped" },
	{ "pg_stat_user_tables_after.csv", 3, false, 3, "row with 3 fields, the header has 25: skipped" },
	{ "pg_stat_user_tables_after.csv", 4, true, 2,
	  "row cut short by the end of the input (a quoted field is not closed): skipped" },
};

START_TEST(test_damaged_views)
{
	char *path = data_path(damaged_views[_i].file);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char text[16384], *out = text, line[4096];
	for (unsigned n = 1; fgets(line, sizeof(line), f); n++) {
		if (n == damaged_views[_i].line && damaged_views[_i].quote) {
			char *schema = strstr(line, ",public,");
			ck_assert_ptr_nonnull(schema);
			memmove(schema + 2, schema + 1, strlen(schema + 1) + 1);
			schema[1] = '"';
		} else if (n == damaged_views[_i].line) {
			strcpy(line + 40, "\n");
		}
		out = stpcpy(out, line);
		ck_assert_uint_lt((size_t)(out - text), sizeof(text) - sizeof(line));
	}
	fclose(f);
	free(path);
	enum analysis_status st;
	struct analysis *a = tu_analyse_text(text, NULL, &st);
	ck_assert_int_eq(st, ANALYSIS_PARTIAL);
	const struct input_report *in = &a->inputs[0];
	ck_assert_uint_eq(in->records, damaged_views[_i].rows);
	ck_assert_uint_eq(in->skipped, 1);
	ck_assert_uint_eq(in->nproblems, 1);
	ck_assert_uint_eq(in->problems[0].line, damaged_views[_i].line);
	ck_assert_str_eq(in->problems[0].message, damaged_views[_i].says);
	/* The rows kept reach the snapshots. */
	const struct snap_index *x;
	const struct snap_table *t;
	size_t kept = strstr(damaged_views[_i].file, "indexes") ?
		snapshots_indexes(a->snapshots, &x) : snapshots_tables(a->snapshots, &t);
	ck_assert_uint_eq(kept, damaged_views[_i].rows);
	analysis_free(a);
}
END_TEST

/* ---- the other findings ---- */

START_TEST(test_cache_and_prefix)
{
	char *statio = temp("relid,schemaname,relname,heap_blks_read,heap_blks_hit,idx_blks_read,idx_blks_hit\n"
		"1,public,cold,5000,10000,0,0\n"
		"2,public,warm,5,100000,0,0\n");
	char *pgss = temp(PGSS_HDR
		"2026-01-01 11:00:00+00,10,5,t,11,SELECT * FROM cold WHERE k = $1,0,0,10,900,10,1000,2000,0,0,shop\n"
		"2026-01-01 11:00:00+00,10,5,t,12,SELECT * FROM warm WHERE k = $1,0,0,10,9,10,100000,20,0,0,shop\n");
	char *idx = temp(IDX_HDR
		"2026-01-01 11:00:00+00,1,10,public,t,t_a,5,5,5,8192,\"CREATE INDEX t_a ON public.t USING btree (a)\"\n"
		"2026-01-01 11:00:00+00,1,11,public,t,t_a_b,5,5,5,8192,\"CREATE INDEX t_a_b ON public.t USING btree (a, b)\"\n"
		"2026-01-01 11:00:00+00,1,12,public,t,t_b_uniq,5,5,5,8192,\"CREATE UNIQUE INDEX t_b_uniq ON public.t USING btree (b)\"\n"
		"2026-01-01 11:00:00+00,1,15,public,t,t_b_c,5,5,5,8192,\"CREATE INDEX t_b_c ON public.t USING btree (b, c)\"\n"
		"2026-01-01 11:00:00+00,1,13,public,t,t_a_part,5,5,5,8192,\"CREATE INDEX t_a_part ON public.t USING btree (a) WHERE (a > 0)\"\n"
		"2026-01-01 11:00:00+00,1,14,public,t,t_a_gin,5,5,5,8192,\"CREATE INDEX t_a_gin ON public.t USING gin (a)\"\n");
	const char *names[] = { statio, pgss, idx };
	struct analysis *a = run(NULL, NULL, names, 3);
	ck_assert_str_eq(a->inputs[0].format, "statio-csv");
	const struct finding *f = finding_of(a, FK_low_cache_hit, "public.cold");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_integer_value(json_object_get(f->evidence, "heap_blks_read")), 5000);
	ck_assert_ptr_null(finding_of(a, FK_low_cache_hit, "public.warm"));
	/* The statement that reads: by fingerprint. */
	size_t stmt_findings = 0;
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *g = findings_at(a->findings, i);
		if (g->kind == FK_low_cache_hit && g->has_fingerprint) {
			ck_assert_uint_eq(g->fingerprint, stmt_with(a, "FROM cold")->fingerprint);
			ck_assert(g->impact_ms == 900);
			stmt_findings++;
		}
	}
	ck_assert_uint_eq(stmt_findings, 1);
	/* (a) is a prefix of (a, b); the unique, partial and gin ones are not
	 * redundant; one index used five times is not unused. */
	f = finding_of(a, FK_duplicate_index, "public.t_a");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_string_value(json_object_get(f->evidence, "kind")), "prefix");
	ck_assert_str_eq(json_string_value(json_object_get(f->evidence, "kept")), "public.t_a_b");
	size_t dups = 0;
	for (size_t i = 0; i < findings_count(a->findings); i++)
		dups += findings_at(a->findings, i)->kind == FK_duplicate_index;
	ck_assert_uint_eq(dups, 1);
	ck_assert_ptr_null(finding_of(a, FK_unused_index, NULL));
	/* One snapshot: cumulative figures. */
	ck_assert(!snapshots_view(a->snapshots, STAT_STATIO_TABLES)->diffed);
	analysis_free(a);
	tu_remove(statio);
	tu_remove(pgss);
	tu_remove(idx);
}
END_TEST

Suite *suite_snapshots(void);
Suite *suite_snapshots(void)
{
	Suite *s = suite_create("snapshots");
	TCase *tc = tcase_create("detect");
	tcase_add_loop_test(tc, test_detect, 0, (int)(sizeof(detect_cases) / sizeof(detect_cases[0])));
	tcase_add_test(tc, test_detect_not_a_view);
	suite_add_tcase(s, tc);
	tc = tcase_create("core");
	tcase_add_test(tc, test_real_window);
	tcase_add_test(tc, test_order_by_captured_at);
	tcase_add_test(tc, test_pg12_columns);
	tcase_add_test(tc, test_cache_and_prefix);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_wrong_file);
	tcase_add_test(tc, test_malformed_rows);
	tcase_add_loop_test(tc, test_damaged_views, 0,
		(int)(sizeof(damaged_views) / sizeof(damaged_views[0])));
	suite_add_tcase(s, tc);
	return s;
}
