/* sketch_hist.h: a sketch as a latency histogram for the reports. */
#ifndef PGSIFT_SKETCH_HIST_H
#define PGSIFT_SKETCH_HIST_H

#include <jansson.h>

struct sketch;

/* [{"upto_ms": 0.05, "count": N}, ...]: 1-2-5 bins from 0.01 ms, empty
 * bins trimmed at both ends, a last bin with "upto_ms": null for anything
 * larger. NULL for an empty sketch. The array belongs to the caller. */
json_t *sketch_histogram(const struct sketch *s);

#endif
