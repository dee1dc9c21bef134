/* snapshots_int.h: what the snapshots files share (snapshots.c collects
 * rows, snapshots_pass.c differences them and joins pgss to the groups,
 * snapshots_findings.c judges them, snapshots_json.c writes them); nothing
 * else includes it.
 *
 * A row keeps the view's columns by their index in the view's column list
 * (found by name in each input's header, first alias that exists): text
 * columns as strings, the others as doubles with a bit saying they were
 * there and not NULL. */
#ifndef PGSIFT_SNAPSHOTS_INT_H
#define PGSIFT_SNAPSHOTS_INT_H

#include <stdint.h>

#include "snapshots.h"

enum col_kind { CK_TEXT, CK_COUNTER, CK_GAUGE };

/* pg_stat_statements, 9.6 to 17 (the first alias is the newest name). */
#define PGSS_COLS(X) \
	X(P_QUERY, CK_TEXT, "query") \
	X(P_QUERYID, CK_TEXT, "queryid") \
	X(P_USERID, CK_TEXT, "userid|usename|rolname") \
	X(P_DBID, CK_TEXT, "dbid") \
	X(P_DATNAME, CK_TEXT, "datname|dbname|database") \
	X(P_TOPLEVEL, CK_TEXT, "toplevel") \
	X(P_CALLS, CK_COUNTER, "calls") \
	X(P_EXEC, CK_COUNTER, "total_exec_time|total_time") \
	X(P_PLAN, CK_COUNTER, "total_plan_time") \
	X(P_ROWS, CK_COUNTER, "rows") \
	X(P_HIT, CK_COUNTER, "shared_blks_hit") \
	X(P_READ, CK_COUNTER, "shared_blks_read") \
	X(P_TEMP_READ, CK_COUNTER, "temp_blks_read") \
	X(P_TEMP_WRITTEN, CK_COUNTER, "temp_blks_written") \
	X(P_WAL_BYTES, CK_COUNTER, "wal_bytes") \
	X(P_MIN, CK_GAUGE, "min_exec_time|min_time") \
	X(P_MAX, CK_GAUGE, "max_exec_time|max_time")

/* pg_stat_user_indexes, plus pg_get_indexdef(), pg_relation_size(),
 * pg_index.indisunique/indisprimary when dumped. */
#define INDEX_COLS(X) \
	X(I_SCHEMA, CK_TEXT, "schemaname|schema") \
	X(I_TABLE, CK_TEXT, "relname|tablename") \
	X(I_NAME, CK_TEXT, "indexrelname|indexname") \
	X(I_DEF, CK_TEXT, "indexdef|pg_get_indexdef") \
	X(I_UNIQUE, CK_TEXT, "indisunique|is_unique|unique") \
	X(I_PRIMARY, CK_TEXT, "indisprimary|is_primary|primary") \
	X(I_SCAN, CK_COUNTER, "idx_scan") \
	X(I_TUP_READ, CK_COUNTER, "idx_tup_read") \
	X(I_TUP_FETCH, CK_COUNTER, "idx_tup_fetch") \
	X(I_BYTES, CK_GAUGE, "index_bytes|index_size_bytes|pg_relation_size|size_bytes|bytes")

/* pg_stat_user_tables and pg_statio_user_tables (one list: a dump may
 * join them), plus pg_relation_size() when dumped. */
#define TABLE_COLS(X) \
	X(T_SCHEMA, CK_TEXT, "schemaname|schema") \
	X(T_TABLE, CK_TEXT, "relname|tablename") \
	X(T_LAST_VACUUM, CK_TEXT, "last_vacuum") \
	X(T_LAST_AUTOVACUUM, CK_TEXT, "last_autovacuum") \
	X(T_LAST_ANALYZE, CK_TEXT, "last_analyze") \
	X(T_LAST_AUTOANALYZE, CK_TEXT, "last_autoanalyze") \
	X(T_SEQ_SCAN, CK_COUNTER, "seq_scan") \
	X(T_SEQ_TUP, CK_COUNTER, "seq_tup_read") \
	X(T_IDX_SCAN, CK_COUNTER, "idx_scan") \
	X(T_IDX_FETCH, CK_COUNTER, "idx_tup_fetch") \
	X(T_INS, CK_COUNTER, "n_tup_ins") \
	X(T_UPD, CK_COUNTER, "n_tup_upd") \
	X(T_DEL, CK_COUNTER, "n_tup_del") \
	X(T_VACUUMS, CK_COUNTER, "vacuum_count") \
	X(T_AUTOVACUUMS, CK_COUNTER, "autovacuum_count") \
	X(T_HEAP_READ, CK_COUNTER, "heap_blks_read") \
	X(T_HEAP_HIT, CK_COUNTER, "heap_blks_hit") \
	X(T_IDXB_READ, CK_COUNTER, "idx_blks_read") \
	X(T_IDXB_HIT, CK_COUNTER, "idx_blks_hit") \
	X(T_LIVE, CK_GAUGE, "n_live_tup") \
	X(T_DEAD, CK_GAUGE, "n_dead_tup") \
	X(T_BYTES, CK_GAUGE, "table_bytes|table_size_bytes|pg_relation_size|size_bytes|bytes") \
	X(T_HOT_UPD, CK_COUNTER, "n_tup_hot_upd") \
	X(T_MOD_ANALYZE, CK_GAUGE, "n_mod_since_analyze")

/* pg_database's and pg_class's transaction ID ages, as a DBA selects them:
 * "SELECT datname, age(datfrozenxid), mxid_age(datminmxid) FROM
 * pg_database" (the column is "age" unless named), or per relation with
 * its schema; the settings may come as columns. */
#define AGE_COLS(X) \
	X(A_SCHEMA, CK_TEXT, "schemaname|nspname|schema") \
	X(A_NAME, CK_TEXT, "datname|relname|relation|regclass|oid|tablename|name") \
	X(A_XID_AGE, CK_GAUGE, "xid_age|age|frozenxid_age|age_datfrozenxid|age_relfrozenxid") \
	X(A_MXID_AGE, CK_GAUGE, "mxid_age|minmxid_age|mxid_age_datminmxid|mxid_age_relminmxid") \
	X(A_FREEZE_MAX, CK_GAUGE, "autovacuum_freeze_max_age|freeze_max_age") \
	X(A_MXID_FREEZE_MAX, CK_GAUGE, "autovacuum_multixact_freeze_max_age|multixact_freeze_max_age")

#define X(id, kind, names) id,
enum pgss_col { PGSS_COLS(X) P_NCOLS };
enum age_col { AGE_COLS(X) A_NCOLS };
enum index_col { INDEX_COLS(X) I_NCOLS };
enum table_col { TABLE_COLS(X) T_NCOLS };
#undef X

#define SNAP_MAXCOLS 24
#define SNAP_NVIEWS (STAT_VIEW_LAST + 1)        /* indexed by enum stat_view */

struct col_spec {
	int kind;               /* enum col_kind */
	const char *names;      /* aliases, '|'-separated */
};

/* The column list of view v, and its length. */
const struct col_spec *snap_cols(enum stat_view v, size_t *n);

struct snap_row {
	char *key;              /* identity across snapshots of the view */
	char *text[SNAP_MAXCOLS];       /* NULL when absent or NULL */
	double num[SNAP_MAXCOLS];
	uint32_t has;           /* bit i: num[i] was there */
	/* pg_stat_statements: the query's fingerprint, from the worker's cache. */
	uint64_t fp;
	bool lexical;
	char *norm;
};

/* One input: one snapshot of one view. */
struct snap_input {
	size_t input;
	enum stat_view view;
	int64_t captured_at;    /* TS_NONE when no such column */
	struct snap_row *rows;
	size_t n, cap;
	int colmap[SNAP_MAXCOLS];       /* header index of each column, -1 */
	int captured_col;
	size_t ncols_header;
};

/* A result row: the window's values of one key. */
struct snap_delta {
	const struct snap_row *last;    /* texts, gauges */
	double num[SNAP_MAXCOLS];       /* counters: in the window; gauges: last */
	uint32_t has;
	bool reset, fresh;      /* counters went down / not in the first */
	double ever_scans;      /* indexes: idx_scan of the last, -1 */
};

struct snapshots {
	struct fp_cache *fp;
	struct strbuf scratch;
	struct snap_input **in;
	size_t nin, capin;
	struct snap_input *cur;
	/* After the pass. */
	bool given;
	struct snap_view_info info[SNAP_NVIEWS];
	struct snap_delta *delta[SNAP_NVIEWS];
	size_t ndelta[SNAP_NVIEWS];
	struct snap_stmt *stmts;
	size_t nstmts;
	struct snap_table *tables;
	size_t ntables;
	struct snap_index *indexes;
	size_t nindexes;
	struct snap_age *ages;          /* databases, then relations, oldest first */
	size_t nages;
	char **notes;
	size_t nnotes;
	char **strs;            /* strings the results own */
	size_t nstrs, capstrs;
};

/* Helpers of the pass. */
void snap_note(struct snapshots *sn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A string kept as long as sn (a copy of s). */
const char *snap_keep(struct snapshots *sn, const char *s);
bool snap_has(const struct snap_delta *d, int col);
/* The value, or -1 when absent. */
double snap_num(const struct snap_delta *d, int col);
bool snap_truthy(const char *s);

/* snapshots_ages.c: sn->ages from the last snapshots of the age views. */
void snap_build_ages(struct snapshots *sn);

/* snapshots_findings.c: the findings on indexes, tables and statements. */
void snap_findings(struct snapshots *sn, struct analysis *a);

#endif
