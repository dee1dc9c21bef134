/* baseline.h: comparing a run with a saved JSON report (--baseline).
 *
 * baseline_load() reads the groups and findings of a pgsift JSON report
 * (schema 1, plain, gzip or zstd) through the one loader (report_load.h). baseline_compare() matches the run's
 * groups to the saved ones by fingerprint, so literals and IN-list lengths
 * never make false news: it adds a `regression` finding (critical, with
 * both figures in its evidence) for each group whose P95 or total time grew
 * past the threshold, and lists the groups new in the top N and those of
 * the baseline's top N that went away. Gates (gates.h) read the result. */
#ifndef PGSIFT_BASELINE_H
#define PGSIFT_BASELINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "findings.h"

struct analysis;
struct group;
struct pgsift_options;

#define BASELINE_THRESHOLD_PCT 25.0     /* default regression threshold */
#define BASELINE_MIN_MS 1.0             /* P95 growth below this is noise */
#define BASELINE_MIN_TOTAL_MS 1000.0    /* total time growth below this is noise */
#define BASELINE_MIN_CALLS 10           /* fewer timed calls: no P95 to compare */

/* A group of the saved report. */
struct baseline_group {
	uint64_t fingerprint;
	char *query;            /* owned by the baseline */
	uint64_t calls;
	uint64_t timed_calls;   /* calls with a duration */
	double total_ms;
	double p95_ms;          /* NAN when the group had no duration */
	size_t rank;            /* 1-based place by total time in the saved report */
};

struct baseline;

/* Reads the report at path. Returns NULL with a message in *err (the
 * caller frees it) when it cannot be read or is not a pgsift JSON report. */
struct baseline *baseline_load(const char *path, char **err);
/* NULL is a no-op. */
void baseline_free(struct baseline *b);
const char *baseline_path(const struct baseline *b);
size_t baseline_ngroups(const struct baseline *b);
/* The saved group of fingerprint fp, or NULL. */
const struct baseline_group *baseline_find(const struct baseline *b, uint64_t fp);
/* True when the saved report has a finding of f's kind about the same
 * fingerprint, table and index (a known problem, not news). */
bool baseline_has_finding(const struct baseline *b, const struct finding *f);

struct baseline_params {
	double threshold_pct;   /* growth that counts, in percent */
	double min_ms;          /* P95 growth smaller than this is noise */
	double min_total_ms;    /* total time growth smaller than this is noise */
	uint64_t min_calls;     /* P95s of fewer timed calls (either run) are not compared */
	size_t top;             /* N of "new in the top N" */
};

void baseline_params_init(struct baseline_params *p);

struct baseline_regression {
	const struct group *group;      /* borrowed from the analysis */
	const struct baseline_group *old;
	double p95_pct, total_pct;      /* growth in percent; NAN: not comparable */
	bool p95_grew, total_grew;      /* past threshold and noise */
};

/* What changed. Borrows from the analysis and the baseline. */
struct baseline_diff {
	double threshold_pct;
	size_t top;
	size_t matched;                         /* groups in both */
	struct baseline_regression *regressions; /* largest growth first */
	size_t nregressions;
	const struct group **added;             /* in this run's top N, not saved */
	size_t nadded;
	const struct baseline_group **gone;     /* in the saved top N, not in this run */
	size_t ngone;
};

/* Compares a finished analysis with b, adds the regression findings to
 * a->findings (re-sorted) and returns the diff (the caller frees it with
 * baseline_diff_free(), before b and a). opts gives --include/--exclude,
 * applied to the saved groups too so that a filtered run does not see
 * them as gone; NULL: none. */
struct baseline_diff *baseline_compare(const struct baseline *b,
		struct analysis *a, const struct pgsift_options *opts,
		const struct baseline_params *p);
/* NULL is a no-op. */
void baseline_diff_free(struct baseline_diff *d);

/* The diff as JSON: {"path", "threshold_pct", "matched", "regressions":
 * [...], "new": [...], "gone": [...]}; a new reference. */
json_t *baseline_diff_json(const struct baseline *b, const struct baseline_diff *d);

#endif
