/* sketch_hist.c: a latency histogram of a sketch, for reports.
 *
 * Bins of 1-2-5 steps from 10 us up; a value goes to the first bin whose
 * upper limit holds it. Exact values are binned as they are; sketch
 * buckets by the value they stand for, which is within SKETCH_ALPHA of
 * every value in them, so a count can only move to a neighbouring bin
 * when a value lies that close to a limit. */
#include <math.h>

#include "sketch.h"
#include "sketch_hist.h"

#define NBIN (SKETCH_HIST_BINS - 1)     /* bins with an upper limit */

double sketch_hist_limit(unsigned i)
{
	double lim = 0.01;
	if (i >= NBIN)
		return INFINITY;
	for (unsigned k = 0; k < i; k++)
		lim *= k % 3 == 1 ? 2.5 : 2;
	return lim;
}

static void add(const double upto[NBIN], uint64_t counts[SKETCH_HIST_BINS],
		double v, uint64_t c)
{
	int b = 0;
	while (b < NBIN && v > upto[b] * (1 + 1e-9))
		b++;
	counts[b] += c;
}

bool sketch_hist_counts(const struct sketch *s, uint64_t counts[SKETCH_HIST_BINS])
{
	double upto[NBIN];
	for (int i = 0; i < SKETCH_HIST_BINS; i++)
		counts[i] = 0;
	for (int i = 0; i < NBIN; i++)
		upto[i] = sketch_hist_limit((unsigned)i);
	if (!s || s->count == 0)
		return false;
	if (s->exact && s->count <= SKETCH_EXACT) {
		for (uint64_t i = 0; i < s->count; i++)
			add(upto, counts, s->exact[i], 1);
	} else {
		double gamma = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
		counts[0] += s->zeros;
		for (uint32_t i = 0; i < s->nbuckets; i++)
			if (s->counts[i])
				add(upto, counts, pow(gamma, (double)(s->lo + (int32_t)i)) * 2 / (1 + gamma),
					s->counts[i]);
	}
	return true;
}

json_t *sketch_hist_json(const uint64_t counts[SKETCH_HIST_BINS])
{
	int first = 0, last = NBIN;
	while (first < NBIN && counts[first] == 0)
		first++;
	while (last > first && counts[last] == 0)
		last--;
	if (counts[first] == 0)
		return NULL;
	json_t *arr = json_array();
	for (int i = first; arr && i <= last; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "upto_ms", i < NBIN ?
				json_real(sketch_hist_limit((unsigned)i)) : json_null());
		json_object_set_new(o, "count", json_integer((json_int_t)counts[i]));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *sketch_histogram(const struct sketch *s)
{
	uint64_t counts[SKETCH_HIST_BINS];
	if (!sketch_hist_counts(s, counts))
		return NULL;
	return sketch_hist_json(counts);
}
