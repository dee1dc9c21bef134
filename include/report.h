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
