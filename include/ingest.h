/* ingest.h: from log entries to calls.
 *
 * PostgreSQL may write one execution several times: auto_explain's plan
 * (before the statement's own duration line), log_statement's text (before
 * a bare "duration: X ms"), parse/bind steps, a DETAIL with parameters
 * after it. ingest keeps a little state per backend (pid) so that each
 * execution becomes exactly one call:
 *   - a plan followed, on the same backend, by the duration line of the
 *     same statement (same normalized text) is one call, with the plan;
 *   - a plan with no such line is a call of its own (source "plan");
 *   - "statement: X" followed by a bare duration is one timed call; without
 *     one it is a call without a latency;
 *   - parse/bind durations are preparation time, not calls;
 *   - DETAIL parameters attach to the call just made, for its example.
 * One ingest per worker; it feeds that worker's agg and fp_cache. */
#ifndef PGSIFT_INGEST_H
#define PGSIFT_INGEST_H

#include <stdint.h>

#include "agg.h"
#include "filter.h"
#include "fingerprint.h"
#include "record.h"

struct ingest;

struct ingest_stats {
	uint64_t entries;       /* log entries seen */
	uint64_t calls;         /* calls counted */
	uint64_t filtered;      /* calls dropped by the filters */
	uint64_t merged_plans;  /* plans merged into their statement's call */
	int64_t first_ts, last_ts;      /* window of entries kept */
};

struct ingest *ingest_new(struct agg *agg, struct fp_cache *fp,
		const struct filter *f);
void ingest_free(struct ingest *in);

/* Feeds one log entry (borrowed). */
void ingest_log(struct ingest *in, const struct log_entry *e);
/* Ends an input: what is still pending becomes calls; per-backend state
 * is dropped (backends of different inputs are unrelated). */
void ingest_end_input(struct ingest *in);

const struct ingest_stats *ingest_stats(const struct ingest *in);

/* True when e lies in the --since/--until window and its names (those it
 * has) pass --db/--user/--app: what the events may count. Call after
 * ingest_log(e), which resolves the window on an input's first entry. */
bool ingest_keeps(const struct ingest *in, const struct log_entry *e);

struct events;
/* Every call counted is also handed to ev (for the timeline); borrowed. */
void ingest_set_events(struct ingest *in, struct events *ev);
struct traces;
/* Every call counted is also handed to tr (N+1 detection in logs). */
void ingest_set_traces(struct ingest *in, struct traces *tr);

#endif
