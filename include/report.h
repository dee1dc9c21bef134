/* report.h: report writers, one file each, looked up by --format.
 *
 * A writer turns a finished analysis into text on a stream. Writers only
 * read the analysis; the CLI checks the stream for errors afterwards. */
#ifndef PGSIFT_REPORT_H
#define PGSIFT_REPORT_H

#include <stdio.h>

#include "analysis.h"
#include "stmt_kind.h"

struct report_writer {
	const char *id;         /* --format name */
	const char *name;
	/* Returns 0, or -1 on a write error (errno set). */
	int (*write)(FILE *out, const struct analysis *a,
			const struct pgsift_options *opts);
};

extern const struct report_writer report_markdown, report_json, report_text;
/* report_html.c: one self-contained page (-f html). */
extern const struct report_writer report_html;

/* The JSON report keeps it proportionate on logs of many distinct
 * statements: only the first groups (by total time) have every member;
 * the others leave out "histogram" and "timeline" and keep no example,
 * and "totals" says so ("detail_groups", "beyond_detail"). This many by
 * default (--detail-groups); a loaded report never gets more than it
 * saved. */
#define REPORT_DETAIL_GROUPS 5000

/* NULL when id names no writer. */
const struct report_writer *report_find(const char *id);

/* Runs body (a writer) on a stream that shows whatever it writes from a
 * log safely under flags (text_escape.h: TESC_KEEP_NL | TESC_KEEP_TAB for
 * people, no byte a terminal acts on, no bidi control, no invalid UTF-8;
 * TESC_JSON for JSON), passing the rest to out unchanged. Returns body's
 * result, or -1 on a write error. */
int report_write_escaped(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, unsigned flags,
		int (*body)(FILE *, const struct analysis *,
			const struct pgsift_options *));

/* Messages (notes or problems) said the same way, but for their figures
 * (runs of digits), of more than REPORT_REPEATS_LISTED inputs are told
 * once, where the first of them comes: its text, the first few inputs
 * and how many more. */
#define REPORT_REPEATS_LISTED 3
struct report_repeat {
	size_t first;   /* index of the first of the same message */
	size_t count;   /* how many inputs say it; 1: told as it is */
	size_t rank;    /* 0 for the first, 1 for the next, ... */
};
struct report_msgs {
	size_t n;
	const char **texts;             /* borrowed from the analysis */
	size_t *input_of;
	uint64_t *line_of;              /* 0: the input as a whole */
	size_t *listed;                 /* at first * REPORT_REPEATS_LISTED:
					 * the first members of its message */
	bool *differs;                  /* at first: a member's figures differ */
	struct report_repeat *rep;
};
/* The notes (problems false) or the problems kept with their text, of
 * all a's inputs in order, each placed among its repeats. */
void report_msgs_build(struct report_msgs *t, const struct analysis *a,
		bool problems);
void report_msgs_free(struct report_msgs *t);
/* Where message m was said, into sb (reset first): "a.log:28", or for a
 * message told once for many inputs, "a.log:28, b.log:28, c.log:28 and
 * 9 more inputs". */
void report_msgs_where(const struct report_msgs *t, const struct analysis *a,
		size_t m, struct strbuf *sb);

/* Shared by writers. */
enum band { BAND_GOOD, BAND_WARNING, BAND_ALERT, BAND_CRITICAL };
/* The band of a P95 under o->bands (o NULL: the defaults). The one rule:
 * the writers, the findings and the TUI all ask it. */
enum band report_band(const struct pgsift_options *o, double p95_ms);
/* The limits in force: o->bands, or the defaults as a whole when o is NULL
 * or its limits are unset or not increasing. */
void report_band_limits(const struct pgsift_options *o, double lim[3]);
const char *report_band_name(enum band b);
/* Mean over timed calls, and the group's P50/P95/P99: from the model
 * (g->stats) once finished or loaded, else from the sketch. */
double group_mean(const struct group *g);
double group_pct(const struct group *g, double q);
/* The statement kind of g's query (stmt_kind.h); *one_off (may be NULL)
 * says whether the rankings leave it out unless --all-kinds. */
enum stmt_kind group_kind(const struct group *g, bool *one_off);
/* The groups the rankings show, in total-time order, into v (room for
 * a->ngroups): all with o->all_kinds, else those group_kind() does not
 * call one-off. Returns how many. */
size_t report_ranked_groups(const struct analysis *a,
		const struct pgsift_options *o, const struct group **v);
/* The latency histogram's counts (sketch_hist.h); false when empty. */
bool group_histogram(const struct group *g, uint64_t counts[SKETCH_HIST_BINS]);
/* The model's finish step, once every pass has run: each group's stats
 * from its sketch, the findings' typed fields from their evidence. */
void report_group_finish(struct group *g);
void report_finish(struct analysis *a);
/* The query text of an example as shown: literals masked (normalized)
 * unless show_literals. Writes into sb. */
struct strbuf;
void report_example_text(const struct group *g, const struct example *e,
		bool show_literals,
		struct strbuf *sb);

/* Masks the literals in an EXPLAIN JSON tree (query text, conditions,
 * filters) as the JSON report does without --show-literals. */
struct json_t;
void report_plan_mask(struct json_t *plan);
/* digits (an optional '-', digits, an optional ".fraction") with a ','
 * between thousands of the integer part: "1234567.5" -> "1,234,567.5". */
void report_group_thousands(const char *digits, char *out, size_t outlen);

#define PGSIFT_VERSION "0.1.0"

#endif
