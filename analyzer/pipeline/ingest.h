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
 * One ingest per worker, the statements sink of its pipeline (sink.h):
 * it feeds that worker's agg and fp_cache, and hands every call it counts
 * to the worker's sinks that want calls (events' timeline, traces' log
 * loops). */
#ifndef PGSIFT_INGEST_H
#define PGSIFT_INGEST_H

#include <stdint.h>

#include "agg.h"
#include "filter.h"
#include "fingerprint.h"
#include "record.h"

struct ingest;
struct sinks;
struct input_report;
struct sink_ops;

struct ingest_stats {
	uint64_t entries;       /* log entries seen */
	uint64_t calls;         /* calls counted */
	uint64_t filtered;      /* calls dropped by the filters */
	uint64_t merged_plans;  /* plans merged into their statement's call */
	/* Bare "duration:" lines with no statement logged before them to time
	 * (log_duration without log_statement, or the text in an earlier
	 * file): not calls, but counted and shown. */
	uint64_t lone_durations;
	/* auto_explain JSON plans cut short (not JSON: the log ended inside
	 * one, or what carried it cut it), and of them those whose statement
	 * text is cut too, which are not calls. */
	uint64_t plans_cut, plans_cut_lost;
	int64_t first_ts, last_ts;      /* window of entries kept */
};

/* Calls go into agg (borrowed: the caller frees it after the ingest) and,
 * when calls is given, to every sink of it that wants calls (sink.h).
 * fp and f are borrowed; f may be NULL only when no entry is fed (a
 * merged result). */
struct ingest *ingest_new(struct agg *agg, struct fp_cache *fp,
		const struct filter *f, const struct sinks *calls);
void ingest_free(struct ingest *in);

/* Feeds one log entry (borrowed) with its verdict (sink.h): a call counts
 * when the entry it came from is in the window and its names pass. */
void ingest_log(struct ingest *in, const struct log_entry *e,
		const struct record_verdict *v);
/* Ends an input: what is still pending becomes calls; per-backend state
 * is dropped (backends of different inputs are unrelated). */
void ingest_end_input(struct ingest *in);

/* Over everything fed, and merged in. */
const struct ingest_stats *ingest_stats(const struct ingest *in);
/* Adds s (another ingest's, or a saved state's) into in's stats. */
void ingest_add_stats(struct ingest *in, const struct ingest_stats *s);
/* Tells each input (inputs[i] is input number i) where its auto_explain
 * JSON plans were cut short, as problems naming the line (the first of
 * them: the positions kept are capped). */
void ingest_report_cut_plans(struct ingest *in, struct input_report *inputs,
		size_t n);
/* The place (CALL_POS) of the oldest entry a backend holds for what
 * completes it (a plan or a statement text waiting for its duration),
 * UINT64_MAX when none: --state resumes there (state.h). */
uint64_t ingest_oldest_open(const struct ingest *in);

/* The statements sink (sink.h): state is a struct ingest; its merge joins
 * the aggs and the stats. */
extern const struct sink_ops ingest_sink_ops;

#endif
