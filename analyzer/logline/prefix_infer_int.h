/* prefix_infer_int.h: what prefix_detect.c takes from prefix_infer.c;
 * nothing else includes it. */
#ifndef PGSIFT_PREFIX_INFER_INT_H
#define PGSIFT_PREFIX_INFER_INT_H

#include <stdbool.h>
#include <stddef.h>

/* The prefix line's (len bytes, no newline) fields spell out, by their
 * shapes, written NUL-terminated to out. Returns false when the line has
 * no severity within its first 600 bytes, is a JSON document, the prefix
 * does not fit in outlen or does not match the line; *fields is the
 * number of escapes written. */
bool prefix_infer_line(const char *line, size_t len, char *out, size_t outlen,
		unsigned *fields);

/* Whether an inferred spec may be detected, not only suggested (see
 * prefix_infer.c). */
bool prefix_inferred_ok(const char *spec);

#endif
