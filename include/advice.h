/* advice.h: index, pagination and plan advice from statements and plans.
 *
 * advice_pass() (an analysis pass, after snapshots) parses each group's
 * normalized statement with libpg_query (advice_sql.c: tables, aliases,
 * equality, range and join columns, ORDER BY, LIMIT/OFFSET) and its worst
 * plan (plan.h), then each module adds findings from that evidence:
 * advice_page.c (offset_pagination, unbounded_result, run first so that
 * its keyset indexes are known), advice_index.c (missing_index),
 * advice_plan.c (sort_spill, row_misestimate, heap fetches, parallel
 * workers, JIT's share of a plan) and advice.c itself (slow_query). No finding is made without
 * the numbers that justify it in its evidence, and no index is proposed
 * twice. The modules share analyzer/advice/advice_int.h. */
#ifndef PGSIFT_ADVICE_H
#define PGSIFT_ADVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "analysis.h"
#include "findings.h"
#include "plan.h"
#include "report.h"

/* Thresholds; advice_limits_init() sets the documented defaults. */
struct advice_limits {
	double min_table_rows;  /* no index for smaller tables (10,000) */
	double removed_share;   /* a scan must discard this share of what it reads (0.5) */
	double min_removed;     /* ... and this many rows per loop when an index was used (1,000) */
	int64_t min_offset;     /* OFFSET worth flagging (1,000) */
	double unbounded_rows;  /* rows per call of a SELECT without LIMIT (1,000) */
	double misestimate;     /* actual/planned rows ratio (10) */
	double min_misestimate_rows; /* ... at nodes of at least this many rows (100) */
	double min_heap_fetches;/* heap fetches per call in index-only scans (1,000) */
};

void advice_limits_init(struct advice_limits *l);

/* The pass with the default limits. */
analysis_pass_fn advice_pass;
/* The pass with the limits given (tests). */
void advice_run(struct analysis *a, const struct pgsift_options *o,
		const struct advice_limits *l);

#endif
