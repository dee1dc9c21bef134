/* snapshots.h: CSV snapshots of pg_stat_statements, pg_stat_user_indexes,
 * pg_stat_user_tables and pg_statio_user_tables, alone or before/after.
 *
 * Each worker collects the rows of the inputs it reads (snapshots_row, by
 * input index: one input is one snapshot); the workers' collections are
 * merged, then snapshots_pass() (an analysis pass) orders the snapshots of
 * each view, takes the difference between the first and the last, joins
 * pg_stat_statements to the fingerprint groups and adds findings. */
#ifndef PGSIFT_SNAPSHOTS_H
#define PGSIFT_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "fingerprint.h"
#include "record.h"

struct snapshots;

/* fp: the worker's cache (NULL for the merged result); borrowed. */
struct snapshots *snapshots_new(struct fp_cache *fp);
void snapshots_free(struct snapshots *sn);

/* A row of input number input (borrowed). */
void snapshots_row(struct snapshots *sn, size_t input, const struct stat_row *r);
void snapshots_end_input(struct snapshots *sn, size_t input);
/* Moves everything of src into dst. */
void snapshots_merge(struct snapshots *dst, struct snapshots *src);

/* What other passes (advice) may ask of the snapshots, from the last
 * snapshot of each view. Strings belong to the snapshots. */
struct snap_index {
	const char *schema, *table, *name;
	const char *indexdef;   /* pg_get_indexdef() text, NULL when not dumped */
	bool unique, primary;
	int64_t scans;          /* idx_scan in the window (or ever), -1 unknown */
	int64_t bytes;          /* -1 unknown */
};

/* The indexes known, in *out (valid as long as sn); returns how many. */
size_t snapshots_indexes(const struct snapshots *sn, const struct snap_index **out);
/* The live rows of table ("name" or "schema.name"), -1 when unknown. */
int64_t snapshots_table_rows(const struct snapshots *sn, const char *table);

/* The analysis pass: pgss groups, statistics and their findings. */
analysis_pass_fn snapshots_pass;

#endif
