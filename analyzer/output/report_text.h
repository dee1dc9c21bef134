/* report_text.h: what the text report's files (report_text.c,
 * report_text_events.c) share; nothing else includes it. */
#ifndef PGSIFT_REPORT_TEXT_H
#define PGSIFT_REPORT_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "analysis.h"

/* Writes s on one line, line breaks and tabs as spaces, other controls
 * shown escaped (text_escape.h), at most width columns (one per code
 * point of what is shown; 0: no limit), ending in "..." when cut. */
void text_put_cut(FILE *out, const char *s, size_t width);
/* A section's title, underlined, after a blank line. */
void text_heading(FILE *out, const char *title);
/* report_text_events.c: "Events", each kind of event in a few lines of
 * at most width columns. Nothing when the run kept no events. */
void text_write_events(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, size_t width);

#endif
