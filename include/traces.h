/* traces.h: application traces (Sentry, OpenTelemetry) and N+1 loops.
 *
 * Each worker feeds its struct traces with the spans its parsers read
 * (traces_span) and with every call the log ingest counts (traces_call: the
 * backend's sequence of statements, for N+1 loops found in logs). The
 * workers' traces are merged, then traces_pass() (an analysis pass) puts
 * database spans into the fingerprint groups and adds n_plus_one and
 * slow_query findings. */
#ifndef PGSIFT_TRACES_H
#define PGSIFT_TRACES_H

#include "agg.h"
#include "analysis.h"
#include "fingerprint.h"
#include "record.h"

struct traces;

/* fp: the worker's cache (NULL for the merged result); borrowed. */
struct traces *traces_new(struct fp_cache *fp);
void traces_free(struct traces *tr);

/* A span read from an input (borrowed). */
void traces_span(struct traces *tr, const struct span_record *s);
/* A call counted from a log (borrowed). */
void traces_call(struct traces *tr, const struct call *c);
/* End of an input: per-input state (open traces, backends) is settled. */
void traces_end_input(struct traces *tr);
/* Moves everything of src into dst. */
void traces_merge(struct traces *dst, struct traces *src);

/* The analysis pass: span groups and N+1 / slow span findings. */
analysis_pass_fn traces_pass;

#endif
