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

#define NBIN 26

static void add(const double upto[NBIN], double counts[NBIN + 1], double v, double c)
{
	int b = 0;
	while (b < NBIN && v > upto[b] * (1 + 1e-9))
		b++;
	counts[b] += c;
}

json_t *sketch_histogram(const struct sketch *s)
{
	double upto[NBIN], counts[NBIN + 1] = { 0 };
	double lim = 0.01;
	for (int i = 0; i < NBIN; i++) {
		upto[i] = lim;
		lim *= i % 3 == 1 ? 2.5 : 2;
	}
	if (!s || s->count == 0)
		return NULL;
	if (s->exact && s->count <= SKETCH_EXACT) {
		for (uint64_t i = 0; i < s->count; i++)
			add(upto, counts, s->exact[i], 1);
	} else {
		double gamma = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
		counts[0] += (double)s->zeros;
		for (uint32_t i = 0; i < s->nbuckets; i++)
			if (s->counts[i])
				add(upto, counts, pow(gamma, (double)(s->lo + (int32_t)i)) * 2 / (1 + gamma),
					s->counts[i]);
	}
	int first = 0, last = NBIN;
	while (first < NBIN && counts[first] == 0)
		first++;
	while (last > first && counts[last] == 0)
		last--;
	json_t *arr = json_array();
	for (int i = first; arr && i <= last; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "upto_ms", i < NBIN ? json_real(upto[i]) : json_null());
		json_object_set_new(o, "count", json_integer((json_int_t)counts[i]));
		json_array_append_new(arr, o);
	}
	return arr;
}
