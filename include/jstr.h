/* jstr.h: JSON string pieces read exactly as jansson reads them, for the
 * hand scanners that read the server's JSON without building a tree
 * (jsonlog lines, auto_explain's JSON plans).
 *
 * Each piece accepts only what jansson 2.14 accepts with flags 0 and
 * answers "not sure" (NULL or 0) for the rest, so that a scanner can hand
 * anything unusual back to jansson and the two never disagree. */
#ifndef PGSIFT_JSTR_H
#define PGSIFT_JSTR_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The first byte at or after p that ends a plain run inside a string:
 * '"', '\\', a control byte or a byte >= 0x80 (end when none). */
const char *jstr_plain_run(const char *p, const char *end);

/* Length of the well-formed UTF-8 sequence at p (no overlong forms, no
 * surrogates, at most U+10FFFF), 0 when it is not one. */
size_t jstr_utf8_len(const unsigned char *p, const unsigned char *end);

/* One escape at *pp (just after its '\\'): writes the bytes it stands
 * for at o (at most 4), advances *pp past it and returns o past them.
 * NULL, with *pp anywhere, for what is left to jansson: \u0000 (refused
 * without JSON_ALLOW_NUL), lone surrogates, or not an escape at all. */
char *jstr_unescape(const char **pp, const char *end, char *o);

/* Passes the string whose body starts at p (just after its opening
 * quote), checked as jansson checks one: returns the byte after its
 * closing quote, NULL for what jansson refuses or is left to it (see
 * jstr_unescape). *escaped, when not NULL, is set if it held an escape. */
const char *jstr_skip(const char *p, const char *end, bool *escaped);

/* Copies the body of a string, p to end (its closing quote), to o with
 * its escapes read (jstr_unescape()): returns o past what it wrote, NULL
 * at an escape jstr_unescape() refuses. */
char *jstr_copy_unescaped(const char *p, const char *end, char *o);

/* Reads the string whose body starts at p as jstr_skip() checks it and
 * returns what it does. Its text, when text is not NULL: a slice of the
 * input when it holds no escape, else unescaped at *buf (never longer
 * than the escaped text), *buf moved past it. For the hand scanners that
 * take values out of a line without building a tree. */
const char *jstr_read(const char *p, const char *end, char **buf,
		struct slice *text);

/* Length of the literal true, false or null at p, 0 when none is there
 * (what follows it is the caller's to check). */
size_t jstr_literal_len(const char *p, const char *end);

#endif
