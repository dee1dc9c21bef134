/* normalize_int.h: what normalize.c and normalize_lists.c share; nothing
 * else includes it.
 *
 * normalize.c lexes the text once, writing each token to the output and
 * keeping a stack of open brackets (struct frame) in struct norm.
 * normalize_lists.c keeps the books of the IN / ARRAY lists and VALUES rows
 * that those frames hold: it compares each element with the first as it
 * ends and, when a list closes with all of one shape, cuts the output back
 * to the first element. */
#ifndef PGSIFT_NORMALIZE_INT_H
#define PGSIFT_NORMALIZE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

/* Byte classes. Bytes >= 0x80 are identifier characters, as in scan.l, so
 * a UTF-8 sequence is never split: every delimiter is ASCII. */
enum {
	CH_SPACE = 1 << 0,
	CH_IDSTART = 1 << 1,
	CH_IDCONT = 1 << 2,
	CH_DIGIT = 1 << 3,
	CH_OP = 1 << 4,
	CH_HEX = 1 << 5,
	CH_OPKEEP = 1 << 6, /* an operator holding one of these may end in + or - */
};

/* The class bits of each byte; defined in normalize.c. */
extern const uint8_t norm_ch[256];

#define IS(c, cls) (norm_ch[(unsigned char)(c)] & (cls))

enum tok {
	T_NONE,         /* start of text */
	T_WORD,         /* keyword or unquoted identifier */
	T_QIDENT,       /* "quoted identifier" */
	T_VALUE,        /* placeholder or truncated literal */
	T_LPAREN,
	T_LBRACKET,
	T_CLOSE,        /* ) or ] */
	T_COMMA,
	T_SEMI,
	T_DOT,
	T_CAST,         /* :: */
	T_COLON,        /* array slice */
	T_OP,
	T_OTHER,        /* any other byte, copied as it is */
};

/* Case-insensitive comparison with an upper-case literal. */
#define word_is(w, upper) word_is_n((w), (upper), sizeof(upper) - 1)
static inline bool word_is_n(struct slice w, const char *upper, size_t n)
{
	if (w.len != n)
		return false;
	for (size_t k = 0; k < n; k++) {
		char c = w.ptr[k];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != upper[k])
			return false;
	}
	return true;
}

#define FRAMES_MAX 64
#define NO_POS SIZE_MAX

enum frame_kind { FR_PLAIN, FR_LIST, FR_ARRAY, FR_ROW };

/* Where a VALUES list stands, recorded on the frame that holds it. */
enum values_state { V_NONE, V_EXPECT_ROW, V_IN_ROW, V_AFTER_ROW };

/* One open parenthesis or bracket (frames[0] is the top level). Positions
 * are offsets into the output. */
struct frame {
	uint8_t kind;
	bool ok;                 /* list: every element so far has the first one's shape */
	bool first_lone;         /* list: the first element is one placeholder */
	size_t elem_start;       /* list: where the current element starts */
	size_t first_start, first_end;
	unsigned first_ph;       /* placeholders written by the end of the first element */

	uint8_t vstate;          /* a VALUES list directly inside this frame */
	bool v_ok;
	size_t v_row_start, v_first_start, v_first_end;
	unsigned v_first_ph;
};

/* Prefix operators: no space after them, and - or + before a literal is
 * part of it (x = -5 is x = 5). */
enum sign { SIGN_NONE, SIGN_TILDE, SIGN_PLUS_MINUS };

/* What the lexer remembers of the tokens before a sign, to take the sign
 * back when a literal follows. */
struct before_sign {
	size_t out_len;
	enum tok prev;
	uint8_t prev_sign;
	int prev_kw;
	struct slice prev_word, name_intro;
};

#define SIGNS_MAX 4

struct norm {
	const char *s;
	size_t len;
	struct strbuf *out;
	unsigned ph;             /* placeholders written so far */
	enum tok prev;
	uint8_t prev_sign;       /* prev is a prefix operator (enum sign) */
	struct slice prev_word;  /* prev's text when prev is T_WORD */
	int prev_kw;             /* kw_class(prev_word), -1 until needed */
	struct slice name_intro; /* the word before the current (dotted) name */
	unsigned nsigns;         /* consecutive signs just written */
	struct before_sign signs[SIGNS_MAX];
	size_t depth;
	unsigned values_open;    /* frames whose vstate is not V_NONE */
	struct frame frames[FRAMES_MAX];
};

static inline struct frame *top_frame(struct norm *n)
{
	return n->depth < FRAMES_MAX ? &n->frames[n->depth] : NULL;
}

static inline void out_reserve(struct strbuf *o, size_t extra)
{
	if (o->len + extra + 1 > o->cap)
		sb_grow(o, extra);
}

static inline void out_bytes(struct strbuf *o, const char *p, size_t len)
{
	out_reserve(o, len);
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

/* ---- normalize_lists.c ---- */

/* The output ends with a list's first element followed by its others;
 * cuts back to the first and marks the cut. */
void norm_collapse(struct norm *n, size_t first_end, unsigned first_ph);
/* Ends the VALUES list held by f, collapsing its rows when they agree. */
void norm_values_finish(struct norm *n, struct frame *f);
/* A VALUES row just closed (the output ends with its ')'). */
void norm_values_row_done(struct norm *n, struct frame *f);
/* An IN / ARRAY element ends here (at its ',' or the closing bracket). */
void norm_list_elem_done(struct norm *n, struct frame *f);
/* A token of kind kind at the level of a VALUES list. */
void norm_values_step(struct norm *n, enum tok kind);

#endif
