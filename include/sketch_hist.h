/* sketch_hist.h: a sketch as a latency histogram for the reports. */
#ifndef PGSIFT_SKETCH_HIST_H
#define PGSIFT_SKETCH_HIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct sketch;

/* 1-2-5 bins from 0.01 ms (26 of them), then one open-ended bin. */
#define SKETCH_HIST_BINS 27

/* The upper limit of bin i in ms; INFINITY for the last. */
double sketch_hist_limit(unsigned i);
/* Counts of s per bin into counts; false (all zero) for an empty sketch. */
bool sketch_hist_counts(const struct sketch *s, uint64_t counts[SKETCH_HIST_BINS]);
/* [{"upto_ms": 0.05, "count": N}, ...]: empty bins trimmed at both ends,
 * the last bin with "upto_ms": null for anything larger. NULL when every
 * count is zero. The array belongs to the caller. */
json_t *sketch_hist_json(const uint64_t counts[SKETCH_HIST_BINS]);
/* sketch_hist_json() of the counts of s; NULL for an empty sketch. */
json_t *sketch_histogram(const struct sketch *s);

#endif
