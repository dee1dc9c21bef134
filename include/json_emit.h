/* json_emit.h: JSON written straight into a buffer, byte for byte as
 * jansson's json_dumps() lays it out with JSON_EMIT_JANSSON_FLAGS.
 *
 * The JSON report's groups are most of its bytes; building each as a
 * jansson tree and dumping it cost more than the whole analysis on logs of
 * many distinct statements (see json_emit.c). The rest of the report is
 * still built with jansson, so both must print alike: two-space indent,
 * keys in the order written, strings escaped as jansson does (", \, and
 * control bytes; UTF-8 kept), reals as "%.15g" with jansson's ".0" rule.
 * Text from logs may be any bytes: strings are written as valid UTF-8,
 * an invalid sequence's first byte becoming U+FFFD (jemit_utf8_clean()). */
#ifndef PGSIFT_JSON_EMIT_H
#define PGSIFT_JSON_EMIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* What the report dumps with: JSON_INDENT(2) | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(15). 15 significant digits print every value
 * rounded to 3 decimals as written (1.1, not 1.1000000000000001) up to
 * 10^12 ms. */
#define JSON_EMIT_JANSSON_FLAGS \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

struct jemit {
	struct strbuf *out;     /* appended to; borrowed */
	unsigned base;          /* depth of the value written first */
	unsigned depth;         /* containers open, base included */
	uint32_t items;         /* bit d: the container at depth d has members */
	uint32_t arrays;        /* bit d: it is an array (else an object) */
	bool keyed;             /* a key was written; its value comes next */
};

/* At most this many containers open at once. */
#define JEMIT_MAX_DEPTH 31

/* Starts writing one value at depth (the number of containers it sits in,
 * as jansson counts them; 0 for a whole document) into out. The caller
 * writes what goes before that first value (a separator, the indent). */
void jemit_init(struct jemit *e, struct strbuf *out, unsigned depth);

/* Containers: '{' or '['. Closing an empty one gives "{}" or "[]". */
void jemit_open(struct jemit *e, char bracket);
void jemit_close(struct jemit *e);
/* A member's key (cleaned and escaped like any string). */
void jemit_key(struct jemit *e, const char *key);

/* Values. jemit_str(NULL) writes null. */
void jemit_null(struct jemit *e);
void jemit_bool(struct jemit *e, bool v);
/* Clamped to INT64_MAX, the largest jansson integer. */
void jemit_uint(struct jemit *e, uint64_t v);
/* v must be finite (jansson has no NaN or infinity). */
void jemit_real(struct jemit *e, double v);
void jemit_str(struct jemit *e, const char *s);
void jemit_strn(struct jemit *e, const char *s, size_t len);
/* A value already dumped by jansson (with JSON_EMIT_JANSSON_FLAGS, at
 * depth 0), nested in place: each line after the first is indented to
 * the current depth, up to JEMIT_INDENT_MAX levels in all (deeper lines
 * get no more, so that the size stays linear in the value's). */
#define JEMIT_INDENT_MAX 64
void jemit_dumped(struct jemit *e, const char *text);

/* Length of the valid UTF-8 sequence at s[0..n) (as jansson accepts it:
 * no overlong forms, surrogates or code points past U+10FFFF), 0 when
 * invalid. n must be at least 1. */
size_t jemit_utf8_seq(const unsigned char *s, size_t n);
/* s as valid UTF-8: s itself when it already is, else a copy in tmp
 * (reset first) with U+FFFD for the first byte of each invalid sequence.
 * The result lives until tmp changes. */
const char *jemit_utf8_clean(const char *s, struct strbuf *tmp);
/* True when s would be written as it is (valid UTF-8): no cleaning. */
bool jemit_utf8_valid(const char *s);

#endif
