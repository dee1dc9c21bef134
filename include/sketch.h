/* sketch.h: latency quantiles in bounded memory.
 *
 * A log-bucketed histogram (the DDSketch idea): a value v lands in bucket
 * ceil(log(v) / log(gamma)) with gamma = (1 + a) / (1 - a), so any
 * quantile it returns is within relative error a of a true sample value at
 * that rank. pgsift uses a = 0.5 %, inside the 1 % it promises. Only the
 * span of buckets actually hit is stored, and that span is capped (the
 * lowest buckets fold together past SKETCH_MAX_BUCKETS), so memory per
 * group is bounded whatever the number of calls. The first SKETCH_EXACT
 * values are also kept verbatim, so small groups get exact percentiles. */
#ifndef PGSIFT_SKETCH_H
#define PGSIFT_SKETCH_H

#include <stdint.h>

#define SKETCH_ALPHA 0.005
#define SKETCH_MAX_BUCKETS 4096
#define SKETCH_EXACT 64
/* Below this a latency is indistinguishable from zero (1 ns): counted in
 * zeros, in no bucket. */
#define SKETCH_MIN_VALUE 1e-6

struct sketch {
	uint64_t count;
	double min, max;
	uint64_t zeros;         /* values <= SKETCH_MIN_VALUE */
	int32_t lo;             /* index of counts[0] */
	uint32_t nbuckets;      /* length of counts */
	uint32_t *counts;
	double *exact;          /* first SKETCH_EXACT values (room sized to count), or NULL */
};

void sketch_init(struct sketch *s);
/* Releases the buckets; the struct may be reused after sketch_init(). */
void sketch_release(struct sketch *s);
/* Adds a value in milliseconds (negative values count as 0). */
void sketch_add(struct sketch *s, double v);
/* The bucket of v > 0: ceil(log(v) / log(gamma)), exactly as
 * sketch_bucket_log() computes it, mostly from a table. Exposed for the
 * tests, which compare the two. */
int32_t sketch_bucket(double v);
int32_t sketch_bucket_log(double v);
/* Adds everything src holds into dst. */
void sketch_merge(struct sketch *dst, const struct sketch *src);
/* Nearest-rank quantile, q in [0, 1]: the value at rank ceil(q * count).
 * Exact while count <= SKETCH_EXACT, else within SKETCH_ALPHA relative
 * error. Returns 0 for an empty sketch. */
double sketch_quantile(const struct sketch *s, double q);

#endif
