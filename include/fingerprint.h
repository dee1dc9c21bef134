/* fingerprint.h: literal-insensitive query identity.
 *
 * Two stages. fp_normalize() is a fast hand-written lexer (one pass, no
 * allocation beyond the output buffer) that replaces literals and $n
 * parameters by numbered placeholders, collapses IN / VALUES / ARRAY lists
 * of literals, drops comments and folds whitespace. Its output is still
 * valid SQL, so it can be handed to libpg_query.
 *
 * fp_cache maps each distinct normalized text to its fingerprint: on the
 * first sight of a text it asks libpg_query (the real PostgreSQL parser)
 * for its fingerprint; text that does not parse (truncated, not
 * PostgreSQL) gets a lexical fingerprint (xxh64 of the case-folded text).
 * So libpg_query runs once per distinct normalized text, never per line. */
#ifndef PGSIFT_FINGERPRINT_H
#define PGSIFT_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Normalizes sql[0..len) into out (reset first). Literals (numbers,
 * '...', E'...', U&'...', B'...', X'...', $tag$...$tag$, and typed
 * literals such as interval '1 day') and $n become $1, $2, ... in order of
 * appearance; a parenthesised list of two or more placeholders after IN,
 * VALUES or ARRAY[ becomes one placeholder followed by the comment
 * "/" "*, ...*" "/" (so the text still parses), and repeated VALUES rows collapse the same way; comments go,
 * runs of whitespace become one space, a trailing ';' goes. Keyword and
 * identifier case is kept as written (the fingerprint ignores it). */
void fp_normalize(const char *sql, size_t len, struct strbuf *out);

/* 64-bit lexical fingerprint of an already normalized text: xxh64 of the
 * text with unquoted characters folded to lower case. */
uint64_t fp_lexical(const char *norm, size_t len);

/* Formats a fingerprint as exactly 16 lower-case hex digits. */
void fp_format(uint64_t fp, char out[17]);

/* One distinct normalized text. */
struct fp_entry {
	uint64_t fingerprint;
	bool lexical;           /* libpg_query could not parse it */
	const char *norm;       /* normalized text, NUL-terminated; owned by the cache */
	size_t norm_len;
	void *user;             /* free for the caller (the aggregator keeps its group here) */
	int verdict;            /* free for the caller (filter result cache), starts at 0 */
};

struct fp_cache;

struct fp_cache *fp_cache_new(void);
/* NULL is a no-op. */
void fp_cache_free(struct fp_cache *c);

/* Normalizes sql and returns its entry, creating it (and calling
 * libpg_query) on first sight. The entry belongs to the cache and lives as
 * long as it. scratch is the caller's reusable buffer. Never NULL. */
struct fp_entry *fp_cache_get(struct fp_cache *c, const char *sql, size_t len,
		struct strbuf *scratch);

/* Same, for text that is already normalized. */
struct fp_entry *fp_cache_get_normalized(struct fp_cache *c, const char *norm,
		size_t len);

/* Counters: distinct texts, and how many of them libpg_query parsed. */
size_t fp_cache_size(const struct fp_cache *c);
size_t fp_cache_parsed(const struct fp_cache *c);

#endif
