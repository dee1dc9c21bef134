/* report_html_int.h: what the report_html*.c files share; nothing else
 * includes it.
 *
 * report_html.c writes the page (head, style, script, summary, findings,
 * rankings) and calls the section writers below; every piece of text from
 * a log goes through html_escape(), which also shows control and bidi
 * characters visibly, so that a statement can neither become markup nor
 * reorder or hide what is around it. */
#ifndef PGSIFT_REPORT_HTML_INT_H
#define PGSIFT_REPORT_HTML_INT_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* s (len bytes) with & < > " ' as entities, bytes below 0x20 (not \n, \t)
 * and 0x7f as "\xNN", C1 controls and bidi controls as "\u202e", each of
 * those in a <span class="ctl">. NULL writes nothing. */
void html_escape(FILE *out, const char *s, size_t len);
/* html_escape() of a NUL-terminated string (NULL: nothing). */
void html_text(FILE *out, const char *s);

/* ---- report_html_charts.c ---- */

/* n values as bars over width x height, with a label above (its max)
 * and, when xlabels is not NULL, one (at most 15 bytes) under each bar. */
void html_svg_bars(FILE *out, const double *v, size_t n, int width,
		int height, const char *cls, const char *label,
		char (*xlabels)[16]);
/* The run's timeline (calls, P95, errors, lock waits) as SVG charts. */
void html_write_timeline(FILE *out, const struct analysis *a);
/* One group's detail: its figures, latency histogram, per-bucket
 * sparkline, worst plan as a tree, examples. */
void html_write_group(FILE *out, size_t rank, const struct group *g,
		const struct analysis *a, const struct pgsift_options *opts);

/* ---- report_html_events.c ---- */

/* Lock waits, deadlocks, temporary files, errors, connections: each only
 * when the log had some; statements masked unless opts->show_literals. */
void html_write_events(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts);

#endif
