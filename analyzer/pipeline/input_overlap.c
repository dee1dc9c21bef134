/* input_overlap.c: bottom-k samples of inputs' log entries, and the notes
 * for inputs that hold the same entries (input_overlap.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_overlap.h"
#include "timeutil.h"
#include "util.h"

/* An entry's key is its time (ms), pid, severity and the first 16 bytes
 * of its message's first line ("duration: 12.345 ms  st..."), mixed: two
 * servers of a fleet running the same application log the same messages
 * in the same seconds, their pids and milliseconds tell them apart. A
 * form that logs no pid or whole seconds (stderr without %p, or with %t)
 * is not told from another form of the same log: a note missed, never
 * one too many. Only the entries of one second in INPUT_SAMPLE_SECONDS
 * are keyed. Measured on a 40 MB stderr log and a
 * 20 MB csvlog read together (callgrind): hashing every first line whole
 * (XXH3) cost 4.8% of the instructions, 16 bytes of every entry 2.4%,
 * this 0.76% (1,033.8M instructions without a sample, 1,041.7M with);
 * and it runs only when several inputs are read
 * (driver_cfg.sample_entries). */
#define SAMPLE_MSG_BYTES 16

static uint64_t load8(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* v with its bytes from the first newline on cleared (little-endian
 * order of the message's bytes; a newline is where the stderr and csvlog
 * forms of a message start to differ: "\n\t" against "\n"); *cut set
 * when there was one. */
static uint64_t upto_newline(uint64_t v, bool *cut)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t t = v ^ (ones * '\n');
	uint64_t m = (t - ones) & ~t & highs;
	if (!m)
		return v;
	*cut = true;
	unsigned byte = (unsigned)__builtin_ctzll(m) / 8;
	return byte ? v & ((1ull << (byte * 8)) - 1) : 0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static void sample_add(struct input_sample *s, uint64_t h)
{
	if (s->n == INPUT_SAMPLE_K && h >= s->h[s->n - 1])
		return;
	unsigned lo = 0, hi = s->n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (s->h[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->h[lo] == h)
		return;
	unsigned keep = s->n < INPUT_SAMPLE_K ? s->n : INPUT_SAMPLE_K - 1;
	memmove(&s->h[lo + 1], &s->h[lo], (keep - lo) * sizeof(s->h[0]));
	s->h[lo] = h;
	if (s->n < INPUT_SAMPLE_K)
		s->n++;
}

void input_sample_second(struct input_report *r, int64_t second)
{
	if (!r->sample)
		r->sample = xcalloc(1, sizeof(*r->sample));
	r->sample->second = second;
	r->sample->on = mix((uint64_t)second) % INPUT_SAMPLE_SECONDS == 0;
}

void input_sample_add_entry(struct input_report *r, const struct log_entry *e,
		int64_t second)
{
	const char *m = e->message.ptr;
	uint64_t a = 0, b = 0;
	if (e->message.len >= SAMPLE_MSG_BYTES) {
		a = load8(m);
		b = load8(m + 8);
	} else {
		char buf[SAMPLE_MSG_BYTES] = { 0 };
		if (e->message.len)
			memcpy(buf, m, e->message.len);
		a = load8(buf);
		b = load8(buf + 8);
	}
	bool cut = false;
	a = upto_newline(a, &cut);
	b = cut ? 0 : upto_newline(b, &cut);
	(void)second;
	uint64_t h = mix(((uint64_t)e->ts_ms * 0x9E3779B97F4A7C15ull ^ (uint64_t)e->pid << 8
		^ (uint64_t)e->severity) + a + (b << 29 | b >> 35) * 0xc2b2ae3d27d4eb4full);
	struct input_sample *s = r->sample;
	if (s->n < INPUT_SAMPLE_K || h < s->h[INPUT_SAMPLE_K - 1])
		sample_add(s, h);
}

void input_sample_join(struct input_report *dst, const struct input_report *src)
{
	if (!src->sample)
		return;
	if (!dst->sample)
		dst->sample = xcalloc(1, sizeof(*dst->sample));
	for (unsigned i = 0; i < src->sample->n; i++)
		sample_add(dst->sample, src->sample->h[i]);
}

double input_sample_overlap(const struct input_sample *a,
		const struct input_sample *b)
{
	/* The k smallest of the union are a sample of it; the share of them
	 * in both sets estimates |A n B| / |A u B|. */
	unsigned i = 0, j = 0, seen = 0, both = 0;
	unsigned k = a->n < b->n ? a->n : b->n;
	while (seen < k && i < a->n && j < b->n) {
		if (a->h[i] == b->h[j]) {
			both++;
			i++;
			j++;
		} else if (a->h[i] < b->h[j]) {
			i++;
		} else {
			j++;
		}
		seen++;
	}
	return k ? (double)both / k : 0;
}

static int cmp_first_hash(const void *x, const void *y, void *arg)
{
	const struct input_report *v = arg;
	uint64_t a = v[*(const size_t *)x].sample->h[0];
	uint64_t b = v[*(const size_t *)y].sample->h[0];
	if (a != b)
		return a < b ? -1 : 1;
	return *(const size_t *)x < *(const size_t *)y ? -1 :
		*(const size_t *)x > *(const size_t *)y;
}

void input_overlap_notes(struct input_report *v, size_t n)
{
	/* Inputs sharing most of their entries share their smallest hash
	 * as often as they share entries (a bottom-1 sample): candidates
	 * are the runs of equal smallest hashes, so that a month of hourly
	 * files is not compared pair by pair. */
	size_t *by = xcalloc(n ? n : 1, sizeof(*by)), m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].sample && v[i].sample->n > 0)
			by[m++] = i;
	qsort_r(by, m, sizeof(*by), cmp_first_hash, v);
	for (size_t lo = 0, hi; lo < m; lo = hi) {
		for (hi = lo + 1; hi < m && v[by[hi]].sample->h[0] == v[by[lo]].sample->h[0]; hi++)
			;
		for (size_t b = lo + 1; b < hi; b++) {
			struct input_report *later = &v[by[b]];
			for (size_t a = lo; a < b; a++) {
				const struct input_report *first = &v[by[a]];
				double share = input_sample_overlap(first->sample, later->sample);
				if (share < INPUT_OVERLAP_MIN)
					continue;
				char *note;
				if (asprintf(&note, "holds the same log entries as %s (%.0f%% of "
						"a sample of %u): the same server's log in another "
						"form, or the same file twice; its statements are "
						"counted twice (give one form of each log)",
						first->path, 100 * share,
						later->sample->n < first->sample->n
						? later->sample->n : first->sample->n) < 0)
					abort();
				/* A state saved by a run that read both says it already. */
				bool said = false;
				for (size_t k = 0; k < later->nnotes && !said; k++)
					said = strcmp(later->notes[k], note) == 0;
				if (said)
					free(note);
				else
					parse_report_add_note(later, note);
				break;
			}
		}
	}
	free(by);
}
