/* csvlog_int.h: a csvlog record's fields, and the split of a one-line record without libcsv; shared by parsers/csvlog.c and its tests.
 *
 * csvlog_split_line() splits a line the way libcsv's csv_parse() in strict
 * mode splits it followed by "\n", when the line is of the plain form the
 * server writes; for anything it is not sure of it says false and the
 * caller feeds the line to libcsv, so a line it accepts reads exactly as
 * libcsv would read it (tests/check_csvlog.c compares both). */
#ifndef PGSIFT_CSVLOG_INT_H
#define PGSIFT_CSVLOG_INT_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 32       /* kept; more are only counted */

/* Fields back to back in buf: field i is buf[off[i]..off[i] + len[i]). */
struct csv_fields {
	char *buf;
	size_t used, cap;
	size_t off[CSV_MAX_FIELDS], len[CSV_MAX_FIELDS];
	unsigned n;                     /* all fields seen, kept or not */
};

/* Empties f (its buffer stays; free f->buf when done). */
void csv_fields_reset(struct csv_fields *f);
/* Adds a field of len bytes at s (s may be NULL when len is 0). */
void csv_fields_add(struct csv_fields *f, const char *s, size_t len);

/* Splits line (len bytes, no newline) into f, which must be empty, as
 * libcsv splits line and "\n" in strict mode, and returns true when line
 * is one whole record of the plain form: fields unquoted (no quote, CR,
 * or space or tab at either end) or quoted (closed on the line, "" for a
 * quote, followed by a comma or the end). Else returns false with f
 * empty. */
bool csvlog_split_line(struct csv_fields *f, const char *line, size_t len);

#endif
