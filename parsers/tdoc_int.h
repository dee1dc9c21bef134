/* tdoc_int.h: reading the JSON documents trace exports come in, for the
 * trace parsers (sentry, otlp); defined in sentry_doc.c.
 *
 * A JSON input in any of the shapes exports come in: one document
 * (pretty-printed or not), a JSON array, or one document per line (NDJSON,
 * Sentry envelopes). tdoc_next() returns the next value (a whole document,
 * or one line's), owned by the reader until the next call; bad lines are
 * reported (path:line) and skipped. */
#ifndef PGSIFT_TDOC_INT_H
#define PGSIFT_TDOC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "parser.h"
#include "strbuf.h"
#include "util.h"

struct tdoc;

struct tdoc *tdoc_open(struct parse_ctx *ctx, const char *what);
/* NULL at the end. *line: where the value starts. */
json_t *tdoc_next(struct tdoc *d, uint64_t *line);
/* Line mode only: skips the next n bytes of raw payload (an envelope item
 * pgsift does not read), whole lines at a time; returns the lines skipped. */
uint64_t tdoc_skip_bytes(struct tdoc *d, uint64_t n);
/* Line mode only: skips a payload without a length: the next line, or
 * only the JSON value that starts it when another follows it on the line
 * (envelopes written one after another without a newline between them);
 * returns the lines skipped. */
uint64_t tdoc_skip_payload(struct tdoc *d);
/* True when values come one per line. */
bool tdoc_line_mode(const struct tdoc *d);
void tdoc_close(struct tdoc *d);

/* A JSON string member as a slice (empty when absent or not a string). */
struct slice tdoc_str(json_t *obj, const char *key);
/* Seconds as float, or an RFC 3339 string, to epoch ms; false if neither. */
bool tdoc_time_ms(json_t *v, double *ms);
/* First non-blank byte of buf, 0 when none. */
char tdoc_first_byte(const char *buf, size_t len);

#endif
