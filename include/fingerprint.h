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

/* What a collapsed list keeps after its first element: an SQL comment, so
 * the text still parses ("id IN ($1" FP_ELLIPSIS ")"). */
#define FP_ELLIPSIS " /*, ...*/"

/* Normalizes sql[0..len) into out (reset first); reads nothing past len
 * and allocates only by growing out. The output is idempotent.
 * - Literals (numbers incl. 1e10 and 0x1F, '...', E'...', U&'...' with its
 *   UESCAPE, B'...', X'...', N'...', $tag$...$tag$) and $n become $1, $2,
 *   ... in order of appearance ("$2, $1" gives "$1, $2"). A type name
 *   before a string stays: interval '1 day' gives interval $1. A - or +
 *   where a value is expected belongs to the literal: x = -5 is x = $1.
 * - IN (...) and ARRAY[...] lists whose elements are placeholders (with an
 *   optional ::cast, or rows of them) keep their first element followed by
 *   FP_ELLIPSIS, whatever their length, 1 included: "IN ($1" FP_ELLIPSIS ")".
 *   VALUES rows of one shape (identical but for placeholder numbers, with a
 *   placeholder) keep their first row: "VALUES ($1, $2)" FP_ELLIPSIS.
 *   Numbering goes on after what is kept.
 * - Comments go. Spacing is canonical whatever the input had: one space
 *   between tokens; none after ( [ . :: or a prefix sign; none before
 *   , ) ] ; . :: [; before ( only after operators, after keywords taking a
 *   parenthesised operand (IN, VALUES, AS, EXISTS, OVER, ...) and after a
 *   relation named by INTO / TABLE / COPY: "count(*)", "INSERT INTO t (a)".
 *   Trailing ';' go. Case is kept; "quoted" identifiers are verbatim.
 * - A literal running to the end of the text (truncated statement) is
 *   written as '... so that the text, like the input, does not parse. */
void fp_normalize(const char *sql, size_t len, struct strbuf *out);

/* 64-bit lexical fingerprint of an already normalized text: XXH3-64 of the
 * text with ASCII letters outside "quoted identifiers" in lower case. */
uint64_t fp_lexical(const char *norm, size_t len);

/* Formats a fingerprint as exactly 16 lower-case hex digits. */
void fp_format(uint64_t fp, char out[17]);
/* Parses fp_format's form back: s must be exactly 16 hex digits (either
 * case). Returns false, *out untouched, for NULL or anything else. */
bool fp_parse(const char *s, uint64_t *out);

/* One distinct normalized text. */
struct fp_entry {
	uint64_t fingerprint;
	bool lexical;           /* libpg_query could not parse it */
	const char *norm;       /* normalized text, NUL-terminated; owned by the cache */
	size_t norm_len;
	void *user;             /* free for the caller (the aggregator keeps its group here) */
	int verdict;            /* free for the caller (filter result cache), starts at 0 */
};

/* A cache serves one thread; threads each keep their own (libpg_query
 * keeps its state per thread, so several caches may parse at once). */
struct fp_cache;
struct arena;

/* Returns a new empty cache, or NULL when out of memory. */
struct fp_cache *fp_cache_new(void);
/* NULL is a no-op. */
void fp_cache_free(struct fp_cache *c);
/* Frees the cache but for its entries and their texts, which stay in the
 * returned arena (the caller frees it, or hands it to an agg that points at
 * them: see agg_share_entry_texts()). NULL gives NULL. */
struct arena *fp_cache_free_keep_entries(struct fp_cache *c);

/* Normalizes sql and returns its entry, creating it (and calling
 * libpg_query) on first sight. The entry belongs to the cache and lives as
 * long as it. scratch is the caller's reusable buffer. Never NULL.
 * libpg_query gets the normalized text, then the raw sql if that does not
 * parse (varchar($1) only parses as written); if neither parses the entry
 * is lexical. */
struct fp_entry *fp_cache_get(struct fp_cache *c, const char *sql, size_t len,
		struct strbuf *scratch);

/* Same, for text that is already normalized. */
struct fp_entry *fp_cache_get_normalized(struct fp_cache *c, const char *norm,
		size_t len);

/* Fingerprints shared by the caches of several threads (one per worker),
 * so that a statement several workers meet is parsed once: thread-safe.
 * A cache given one (fp_cache_share) asks it before calling libpg_query
 * and tells it what it parsed; it must outlive the caches. */
struct fp_shared;
struct fp_shared *fp_shared_new(void);
void fp_shared_free(struct fp_shared *sh);
void fp_cache_share(struct fp_cache *c, struct fp_shared *sh);

/* Counters: distinct texts, and how many of them libpg_query parsed. */
size_t fp_cache_size(const struct fp_cache *c);
size_t fp_cache_parsed(const struct fp_cache *c);
/* Calls fn for every entry of c, with the hash of its normalized text. */
void fp_cache_each(const struct fp_cache *c,
		void (*fn)(void *arg, uint64_t hash, const struct fp_entry *e),
		void *arg);

#endif
