/* input_overlap.h: telling when two inputs hold the same log entries (one
 * server's stderr and csvlog given together, or one file twice), whose
 * statements would otherwise be counted twice without a word.
 *
 * Each input keeps a bottom-k sample of its entries: the INPUT_SAMPLE_K
 * smallest hashes of (time, pid, severity, start of the message), which
 * every form of a log writes alike (input_overlap.c says when not). A
 * sample is a set: ranges and pieces of one input join theirs in any
 * order and get the sample a single reader gets, and two samples estimate how much of their entries two inputs
 * share (the Jaccard index of the sets). */
#ifndef PGSIFT_INPUT_OVERLAP_H
#define PGSIFT_INPUT_OVERLAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser.h"
#include "record.h"

#define INPUT_SAMPLE_K 64
/* Inputs sharing this much of their entries are told about. */
#define INPUT_OVERLAP_MIN 0.8

struct input_sample {
	uint64_t h[INPUT_SAMPLE_K];     /* ascending, distinct */
	unsigned n;
	/* The reader's last second and whether its entries are sampled
	 * (one second in INPUT_SAMPLE_SECONDS, chosen by a hash of it, so
	 * that every form and every reader choose the same). */
	int64_t second;
	bool on;
};

#define INPUT_SAMPLE_SECONDS 4

/* Out of line: a new second (or the first entry), and a sampled entry. */
void input_sample_second(struct input_report *r, int64_t second);
void input_sample_add_entry(struct input_report *r, const struct log_entry *e,
		int64_t second);

/* Adds a log entry of r's input to its sample. Entries without a time
 * (or before 1970) are not sampled: nothing tells them apart between
 * forms. Inline: most entries cost a division and a comparison. */
static inline void input_sample_entry(struct input_report *r, const struct log_entry *e)
{
	if (e->ts_ms < 0)       /* TS_NONE too */
		return;
	int64_t second = e->ts_ms / 1000;
	if (!r->sample || r->sample->second != second)
		input_sample_second(r, second);
	if (r->sample->on)
		input_sample_add_entry(r, e, second);
}
/* Adds src's sample into dst's (pieces of one input). */
void input_sample_join(struct input_report *dst, const struct input_report *src);
/* Estimated share of the entries of a and b that both hold, in [0, 1]. */
double input_sample_overlap(const struct input_sample *a,
		const struct input_sample *b);
/* Adds a note to each of v[0..n) whose entries another, earlier input
 * mostly holds too, naming it: "its statements are counted twice". */
void input_overlap_notes(struct input_report *v, size_t n);

#endif
