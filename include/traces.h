/* traces.h: application traces (Sentry, OpenTelemetry) and N+1 loops.
 *
 * Each worker feeds its struct traces with the spans its parsers read
 * (traces_span) and with every call the log ingest counts (traces_call: the
 * backend's sequence of statements, for N+1 loops found in logs). A
 * database span's SQL is fingerprinted in the worker, with the worker's
 * fp_cache, after SDK placeholders (%s, ?, %(name)s) became $n; the span
 * keeps the 64-bit fingerprint and the normalized text (the cache's
 * entries die with the worker). Loops in a backend's statements are
 * settled at the end of each input (traces_end_input). The workers'
 * traces are merged; the traces sink's finish (sink.h) filters the
 * database spans and hands each as a call (source "span") to the
 * statements sink; then traces_pass() (an analysis pass) finds N+1 loops
 * among sibling spans and adds n_plus_one and slow_query findings. */
#ifndef PGSIFT_TRACES_H
#define PGSIFT_TRACES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "fingerprint.h"
#include "record.h"
#include "strbuf.h"

struct traces;

/* Thresholds of N+1 and slow span detection (Sentry's defaults). */
struct traces_limits {
	unsigned min_repeats;   /* repeated queries in a loop (5) */
	double min_loop_ms;     /* union of a span loop's durations (50) */
	double max_gap_ms;      /* log loops: between two executions (1000) */
	double slow_span_ms;    /* a SELECT span this slow or slower (500) */
};

void traces_limits_default(struct traces_limits *l);

/* fp: the worker's cache (NULL for the merged result); borrowed. */
struct traces *traces_new(struct fp_cache *fp);
/* NULL is a no-op. */
void traces_free(struct traces *tr);
/* Replaces the limits (the defaults until then); used by traces_pass and,
 * for max_gap_ms, by the log loops of later inputs. */
void traces_set_limits(struct traces *tr, const struct traces_limits *l);

/* A span read from an input (borrowed: what is kept is copied). */
void traces_span(struct traces *tr, const struct span_record *s);
/* A call counted from a log (borrowed). */
void traces_call(struct traces *tr, const struct call *c);
/* End of an input: per-input state (open traces, backends) is settled. */
void traces_end_input(struct traces *tr);
/* Moves everything of src into dst; src stays valid and empty. */
void traces_merge(struct traces *dst, struct traces *src);

struct sink_ops;
/* The traces sink (sink.h): state is a struct traces; it takes spans and
 * every call (log loops). */
extern const struct sink_ops traces_sink_ops;

/* The runs of the log's N+1 loops that a --state run's next one may go on
 * with (a backend's last call within the loop gap of the latest): taken
 * out into o, and put back from in before the next run reads (state.h's
 * carry). */
struct st_in;
struct st_out;
void traces_save_open(struct traces *tr, struct st_out *o);
bool traces_load_open(struct traces *tr, struct st_in *in);

/* The analysis pass: span groups and N+1 / slow span findings. */
struct analysis;
struct pgsift_options;
void traces_pass(struct analysis *a, const struct pgsift_options *o);

/* Database time per transaction name (after traces_pass), busiest first. */
struct traces_txn {
	const char *name;       /* owned by the traces */
	uint64_t count;         /* transactions (traces) seen */
	uint64_t db_spans;
	double db_ms;           /* sum of database span durations */
	double txn_ms;          /* sum of transaction durations, 0 when unknown */
	uint64_t loops;         /* N+1 loop occurrences in it */
};
/* Owned by tr; *n set. */
const struct traces_txn *traces_transactions(const struct traces *tr, size_t *n);

/* Spans read and database query spans among them. */
void traces_counts(const struct traces *tr, uint64_t *spans, uint64_t *db_spans);

/* The JSON report's "traces" member: {"spans", "db_spans",
 * "transactions": [{"name", "count", "db_spans", "db_ms", "txn_ms",
 * "db_share", "n_plus_one"}]}. New reference, NULL when out of memory. */
json_t *traces_json(const struct traces *tr);

/* SDK-scrubbed SQL as the server would log it: %s, %(name)s and ? in a
 * value position (outside quotes and comments) become $1, $2, ..., and
 * MySQL `identifiers` become "identifiers", so that the statement
 * fingerprints like its literal twin. Writes into out (reset first). */
void traces_sql_unscrub(const char *sql, size_t len, struct strbuf *out);

#endif
