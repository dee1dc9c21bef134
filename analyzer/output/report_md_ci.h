/* report_md_ci.h: the Markdown report's CI parts (report_md_ci.c): the
 * verdict of `check`, the comparison with a baseline, folding in
 * <details>, and the size limit; only report_md*.c include it. */
#ifndef PGSIFT_REPORT_MD_CI_H
#define PGSIFT_REPORT_MD_CI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"
#include "strbuf.h"

/* GitHub shows at most 1 MiB of a step's summary. */
#define MD_MAX_BYTES ((size_t)1 << 20)

/* The verdict, first thing in the report: which gates failed and why,
 * then every gate in one line. Nothing when the run is not a `check`. */
void md_write_verdict(FILE *out, const struct analysis *a, struct strbuf *sb);

/* "Compared with the baseline": regressions with both figures, groups new
 * in the top N, groups gone. Nothing without a baseline. */
void md_write_baseline(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb);

/* A folded part: `<details><summary>` + summary (HTML-escaped, cut past
 * max_chars code points, 0: no limit) + `</summary>` and the blank line
 * GitHub needs before Markdown; md_fold_end() closes it. */
void md_fold_begin(FILE *out, const char *summary, size_t max_chars);
void md_fold_end(FILE *out);
/* md_fold_begin() for the details of the group ranked rank:
 * "3. 1,234.6 ms in 8,000 calls, P95 12.3 ms: SELECT ...". */
void md_fold_group(FILE *out, size_t rank, const struct group *g,
		struct strbuf *sb);
/* Text for a <summary> or other HTML: & < > " escaped, line breaks as
 * spaces, other controls shown escaped (text_escape.h), cut with an
 * ellipsis past max_chars code points (0: none). */
void md_html_text(FILE *out, const char *s, size_t max_chars);

/* Runs body (the whole Markdown writer) on a stream that passes whole
 * lines to out until the next one would take the report past the limit
 * (opts->md_max_bytes, 0: MD_MAX_BYTES); then it drops the rest, closes
 * an open code fence and <details>, and says what was cut. Returns body's
 * result, or -1 on a write error (errno set). */
int md_write_capped(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts,
		int (*body)(FILE *, const struct analysis *,
			const struct pgsift_options *));

#endif
