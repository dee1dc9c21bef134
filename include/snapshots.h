/* snapshots.h: CSV snapshots of pg_stat_statements, pg_stat_user_indexes,
 * pg_stat_user_tables and pg_statio_user_tables, alone or before/after.
 *
 * Each worker collects the rows of the inputs it reads (snapshots_row, by
 * input index: one input is one snapshot); the workers' collections are
 * merged, then the snapshots sink's finish (sink.h) orders the snapshots
 * of each view (by their captured_at column when every one has it, else
 * in the order given), takes the difference between the first and the
 * last (a counter that went down is a reset: that row's later values are
 * used alone) and joins pg_stat_statements to the fingerprint groups;
 * snapshots_pass() (an analysis pass) adds the findings (unused_index,
 * duplicate_index, table_bloat, seq_scan_heavy, low_cache_hit). The
 * results below are valid after the finish.
 *
 * How pg_stat_statements figures combine with log figures: a group the
 * logs (or traces) saw keeps the logs' calls and times, which are exact
 * per call and cover the log's window; it only gains the source "pgss",
 * and the pgss figures of the snapshot window stay in the snapshots
 * section, side by side with the log's calls. A group no log saw gets the
 * pgss calls and total time (no per-call latencies: mean, percentiles stay
 * unknown), so that it is ranked with the others. Adding both would count
 * every logged call twice. */
#ifndef PGSIFT_SNAPSHOTS_H
#define PGSIFT_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fingerprint.h"
#include "record.h"

/* Thresholds of the findings (documented in the README). */
#define SNAP_BLOAT_MIN_DEAD 10000       /* dead tuples, and ... */
#define SNAP_BLOAT_MIN_RATIO 0.20       /* ... their share of live + dead */
#define SNAP_SEQ_MIN_ROWS 10000         /* a table this large (rows) ... */
#define SNAP_SEQ_MIN_SCANS 5            /* ... scanned sequentially this often ... */
#define SNAP_SEQ_MIN_SHARE 0.50         /* ... for this share of the rows it gave */
#define SNAP_CACHE_MIN_RATIO 0.99       /* hit ratio under this, with ... */
#define SNAP_CACHE_MIN_READS 1000       /* ... at least this many blocks read */
#define SNAP_UNUSED_WARN_BYTES (10 * 1024 * 1024)  /* unused_index: warning from here */

struct snapshots;

/* fp: the worker's cache (NULL for the merged result); borrowed. */
struct snapshots *snapshots_new(struct fp_cache *fp);
/* NULL is a no-op. */
void snapshots_free(struct snapshots *sn);

/* A row of input number input (borrowed; what is kept is copied). A row
 * of pg_stat_statements is fingerprinted with the worker's cache. */
void snapshots_row(struct snapshots *sn, size_t input, const struct stat_row *r);
void snapshots_end_input(struct snapshots *sn, size_t input);
/* Moves everything of src into dst. */
void snapshots_merge(struct snapshots *dst, struct snapshots *src);

struct sink_ops;
/* The snapshots sink (sink.h): state is a struct snapshots; it takes
 * statistics rows. */
extern const struct sink_ops snapshots_sink_ops;

/* ---- recognising a view (used by the CSV parsers) ---- */

/* The view whose columns the header names[0..n) holds, 0 when none:
 * queryid + calls + query (pg_stat_statements), indexrelname + idx_scan
 * (indexes), relname + seq_scan + n_live_tup (tables), relname +
 * heap_blks_read (statio). Names compare case-insensitively. */
enum stat_view snapshots_detect_view(const struct slice *names, size_t n);
/* "pg_stat_statements", ..., and the columns that identify it. */
const char *snapshots_view_name(enum stat_view v);
const char *snapshots_view_columns(enum stat_view v);

/* ---- what other passes (advice) may ask ---- */

/* From the last snapshot of each view. Strings belong to the snapshots. */
struct snap_index {
	const char *schema, *table, *name;
	const char *indexdef;   /* pg_get_indexdef() text, NULL when not dumped */
	bool unique, primary;
	int64_t scans;          /* idx_scan in the window (or ever), -1 unknown */
	int64_t bytes;          /* -1 unknown */
	int64_t scans_ever;     /* idx_scan of the last snapshot, -1 unknown */
	int64_t tup_read;       /* idx_tup_read in the window, -1 unknown */
};

/* The indexes known, in *out (valid as long as sn); returns how many. */
size_t snapshots_indexes(const struct snapshots *sn, const struct snap_index **out);
/* The live rows of table ("name" or "schema.name"), -1 when unknown.
 * n_live_tup, or when it is 0 (statistics reset since the last ANALYZE)
 * the rows a sequential scan read on average. */
int64_t snapshots_table_rows(const struct snapshots *sn, const char *table);

/* ---- results, for the writers (valid after the sink's finish) ---- */

/* One view's snapshots: how many, when, and whether differenced. */
struct snap_view_info {
	size_t snapshots;       /* inputs of this view */
	int64_t first_ts, last_ts;      /* captured_at of first and last, TS_NONE */
	bool ordered_by_time;   /* else by the order given */
	bool diffed;            /* two or more: last minus first */
	size_t rows;            /* rows of the last snapshot */
	size_t resets;          /* rows whose counters went down */
	size_t gone;            /* rows of the first missing from the last */
};

/* pg_stat_statements entries of one fingerprint, over the window. */
struct snap_stmt {
	uint64_t fingerprint;
	const char *query;      /* normalized text */
	bool lexical;
	double calls, total_ms, plan_ms, rows;
	double blks_hit, blks_read;     /* shared blocks; -1 when not dumped */
	double temp_read, temp_written; /* -1 when not dumped */
	double wal_bytes;               /* -1 when not dumped */
	double min_ms, max_ms;          /* of the entries' lifetime, -1 unknown */
	double nested_calls;            /* of them, toplevel = false */
	double nested_ms;               /* their time, already in their callers' */
	size_t entries;                 /* pg_stat_statements rows joined */
	bool reset;                     /* an entry's counters went down */
	bool in_logs;                   /* the logs (or traces) saw the group */
	uint64_t log_calls;             /* the group's calls from the logs */
	/* The log saw it only inside this group's multi-statement text
	 * ("SET ...; UPDATE ...; COMMIT", one duration for all): its time
	 * is that group's, not added again. */
	bool has_within;
	uint64_t within;
	const char *datname;            /* first database, or NULL */
};

struct snap_table {
	const char *schema, *name;
	/* In the window (counters) or as last seen (gauges); -1 unknown. */
	int64_t seq_scan, seq_tup_read, idx_scan, idx_tup_fetch;
	int64_t n_tup_ins, n_tup_upd, n_tup_del;
	int64_t n_live_tup, n_dead_tup, rows_estimate, bytes;
	int64_t heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit;
	int64_t vacuums;                /* vacuum + autovacuum runs in the window */
	int64_t n_tup_hot_upd;          /* of n_tup_upd, HOT updates (no index touched) */
	int64_t n_mod_since_analyze;    /* as last seen */
	const char *last_vacuum, *last_autovacuum, *last_analyze,
		*last_autoanalyze;      /* NULL when never or not dumped */
};

/* The table ("name" or "schema.name"), or NULL when no snapshot has it. */
const struct snap_table *snapshots_table(const struct snapshots *sn, const char *table);
/* Whether any snapshot (even an empty one) was given. */
/* A database's or a relation's transaction ID age, from the last snapshot
 * of pg_database or pg_class ages: how far it is from wraparound. */
struct snap_age {
	const char *name;       /* datname, or schema.relation (owned by sn) */
	bool database;
	double xid_age, mxid_age;       /* -1 when not given */
	/* autovacuum_freeze_max_age and its multixact twin when the snapshot
	 * has them as columns, else -1. */
	double freeze_max_age, mxid_freeze_max_age;
};
/* The databases, then the relations, each oldest (largest xid_age) first. */
size_t snapshots_ages(const struct snapshots *sn, const struct snap_age **out);

bool snapshots_given(const struct snapshots *sn);
const struct snap_view_info *snapshots_view(const struct snapshots *sn,
		enum stat_view v);
/* Sorted by total_ms descending. */
size_t snapshots_statements(const struct snapshots *sn, const struct snap_stmt **out);
/* Sorted by schema, name. */
size_t snapshots_tables(const struct snapshots *sn, const struct snap_table **out);
/* Remarks (resets, ordering, missing columns), for the reports. */
size_t snapshots_notes(const struct snapshots *sn, const char *const **out);

/* The contract's "snapshots" object (new reference, the caller's), or
 * NULL when out of memory. */
json_t *snapshots_json(const struct snapshots *sn);

/* The analysis pass: pgss groups, statistics and their findings. */
struct analysis;
struct pgsift_options;
void snapshots_pass(struct analysis *a, const struct pgsift_options *o);

#endif
