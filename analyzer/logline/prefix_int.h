/* prefix_int.h: what prefix.c, prefix_match.c and prefix_memo.c share
 * (and prefix_infer.c, the character classes of a line's fields);
 * nothing else includes it.
 *
 * prefix.c compiles a spec into struct prefix (literal and field tokens).
 * prefix_match.c matches a line by a depth-first search over the tokens,
 * recording what each matched in struct mstate. prefix_memo.c plans at
 * compile time which fields change on every line (holes) and where each
 * slice of the fields lies between them (slots), and answers lines from
 * the matches it remembers. Calls run one way: prefix.c -> prefix_memo.c
 * -> prefix_match.c. */
#ifndef PGSIFT_PREFIX_INT_H
#define PGSIFT_PREFIX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prefix.h"

#define MAX_TOKENS 48
#define NOMATCH ((size_t)-1)
/* Memo holes per prefix (the timestamp and %l are the usual ones), and
 * slices rebased from a remembered line onto the current one. */
#define MAX_HOLES 4
#define MAX_SLOTS 16

/* ---- character classes and runs, for matching and reading lines ---- */

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline size_t count_digits(const char *s, size_t avail)
{
	size_t n = 0;
	while (n < avail && is_digit(s[n]))
		n++;
	return n;
}

static inline size_t count_hex(const char *s, size_t avail)
{
	size_t n = 0;
	while (n < avail && is_hex(s[n]))
		n++;
	return n;
}

enum tok_kind { TK_LIT, TK_FREE, TK_FIXED, TK_STOP };

struct token {
	unsigned char kind;
	char esc;               /* the escape letter; 0 for literals */
	char next;              /* first byte of the literal after; 0 if none */
	bool left;              /* "%-10u": padded on the right */
	unsigned short width;   /* padding width, 0 when none */
	unsigned short cap;     /* free text: longest value */
	unsigned lit_off, lit_len;
};

/* A slice of struct prefix_fields that lies in memo segment seg. */
struct slot {
	unsigned short field;   /* offsetof(struct prefix_fields, ...) */
	unsigned char seg;
};

struct prefix {
	char *spec;
	char *lits;
	struct token toks[MAX_TOKENS];
	size_t ntok;
	bool has_h;
	/* The tokens whose values fill the fields (the first of each
	 * escape), in order; fields matched before each token. */
	unsigned char owner[MAX_TOKENS], nowner;
	unsigned char nfields_at[MAX_TOKENS + 1];
	/* Memo plan (prefix_memo_plan()): the holes, in order; the segment
	 * of each token (holes before it); the slices to rebase; the holes
	 * whose values are ts_ms and line_no (-1: none). */
	bool memo_ok;
	unsigned char nhole, hole[MAX_HOLES];
	unsigned char seg_of[MAX_TOKENS];
	unsigned char nslot;
	struct slot slots[MAX_SLOTS];
	signed char time_hole, line_hole;
};

/* What one token matched. */
struct tval {
	size_t off, len;
	int64_t num;            /* numbers; times as UTC epoch ms */
	size_t zoff, zlen;      /* times: the zone text */
	bool tz_known;
	int zmin;               /* times: the zone's offset in minutes */
	size_t reach;           /* %h %r: the last byte their scan read */
};

/* A match in progress, then its result. */
struct mstate {
	const struct prefix *p;
	const char *line;
	size_t len;
	size_t end_tok;         /* tokens before this one matched */
	size_t sev_off, msg_off;
	enum severity sev;
	int budget;             /* free-text ends left to try */
	bool dirty;             /* some end tried failed (see prefix_memo.c) */
	struct tval v[MAX_TOKENS];
};

#define FIELD(x) offsetof(struct prefix_fields, x)

/* Where each escape's text goes in struct prefix_fields; 0: nowhere. */
extern const unsigned short prefix_slice_of[128];

static inline struct slice *field_slice(struct prefix_fields *f, unsigned off)
{
	return (struct slice *)(void *)((char *)f + off);
}

/* *dst = *src: a struct copy compiles to "rep movs", slow at this size. */
static inline void copy_fields(struct prefix_fields *dst,
		const struct prefix_fields *src)
{
	typedef uint64_t w2 __attribute__((vector_size(16), aligned(8), may_alias));
	_Static_assert(sizeof(*dst) % 16 == 0, "prefix_fields in 16-byte words");
	w2 *d = (w2 *)(void *)dst;
	const w2 *s = (const w2 *)(const void *)src;
#pragma GCC unroll 32
	for (size_t i = 0; i < sizeof(*dst) / 16; i++)
		d[i] = s[i];
}

/* severity_parse(), inline for the matchers. */
static inline size_t sev_parse(const char *s, size_t len, enum severity *sev)
{
	enum severity v;
	size_t n;
	if (len < 4)
		return 0;
	/* One keyword per first letter, but D and L, where the third
	 * letter tells them apart. A keyword needs a byte after it. */
#define KW(word, id) \
	do { \
		n = sizeof(word) - 1; \
		if (len <= n || memcmp(s, word, n) != 0) \
			return 0; \
		v = id; \
	} while (0)
	switch (s[0]) {
	case 'D':
		if (s[2] == 'B')
			KW("DEBUG", SEV_DEBUG);
		else
			KW("DETAIL", SEV_DETAIL);
		break;
	case 'L':
		if (s[2] == 'G')
			KW("LOG", SEV_LOG);
		else
			KW("LOCATION", SEV_LOCATION);
		break;
	case 'I': KW("INFO", SEV_INFO); break;
	case 'N': KW("NOTICE", SEV_NOTICE); break;
	case 'W': KW("WARNING", SEV_WARNING); break;
	case 'E': KW("ERROR", SEV_ERROR); break;
	case 'F': KW("FATAL", SEV_FATAL); break;
	case 'P': KW("PANIC", SEV_PANIC); break;
	case 'H': KW("HINT", SEV_HINT); break;
	case 'Q': KW("QUERY", SEV_QUERY); break;
	case 'C': KW("CONTEXT", SEV_CONTEXT); break;
	case 'S': KW("STATEMENT", SEV_STATEMENT); break;
	default: return 0;
	}
#undef KW
	/* The server writes DEBUG1..DEBUG5 as "DEBUG"; some tools keep the
	 * digit. */
	if (v == SEV_DEBUG && s[n] >= '1' && s[n] <= '5')
		n++;
	if (n >= len || s[n] != ':')
		return 0;
	n++;
	if (n < len) {
		if (s[n] != ' ')
			return 0;
		/* The server writes two spaces; a third belongs to the
		 * message (an indented statement). */
		n++;
		if (n < len && s[n] == ' ')
			n++;
	}
	if (sev)
		*sev = v;
	return n;
}

/* prefix_match.c: the full match of line against p, into m; true when it
 * matched. */
bool prefix_match_state(const struct prefix *p, const char *line, size_t len,
		struct mstate *m);
/* prefix_match.c: the fields of the match m. */
void prefix_fill_fields(const struct mstate *m, struct prefix_fields *f);
/* prefix_match.c: the value of shaped field t at line[pos], padding excluded,
 * into v; returns its length, or NOMATCH. */
size_t prefix_match_shape(const char *line, size_t len, size_t pos,
		const struct token *t, struct tval *v);

/* prefix_memo.c: fills p's memo plan, once its tokens and owners are
 * known. */
void prefix_memo_plan(struct prefix *p);

#endif
