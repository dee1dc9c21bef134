/* normalize.c: the one-pass lexer behind fp_normalize(), and the lexical
 * fingerprint used for text that libpg_query cannot parse.
 *
 * The lexer follows PostgreSQL's scan.l closely enough to find token
 * boundaries (strings, dollar quotes, operators, comments) but knows almost
 * no grammar: a handful of keywords decide spacing, unary minus and where
 * IN / VALUES / ARRAY lists start. Spacing is canonical, computed from the
 * kinds of two neighbouring tokens; the input's own whitespace only
 * separates tokens. Lists are collapsed after the fact: their elements are
 * written out, compared, and the output is cut back to the first one
 * (normalize_lists.c). */
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <xxhash.h>

#include "fingerprint.h"
#include "normalize_int.h"
#include "util.h"

/* Byte classes of normalize_int.h, per byte. */
#define ID (CH_IDSTART | CH_IDCONT)
const uint8_t norm_ch[256] = {
	/* NUL counts as space: it cannot be handed to libpg_query anyway. */
	[0] = CH_SPACE,
	[' '] = CH_SPACE, ['\t'] = CH_SPACE, ['\n'] = CH_SPACE,
	['\r'] = CH_SPACE, ['\f'] = CH_SPACE, ['\v'] = CH_SPACE,
	['0' ... '9'] = CH_DIGIT | CH_IDCONT | CH_HEX,
	['A' ... 'F'] = ID | CH_HEX, ['G' ... 'Z'] = ID,
	['a' ... 'f'] = ID | CH_HEX, ['g' ... 'z'] = ID,
	['_'] = ID, ['$'] = CH_IDCONT,
	[0x80 ... 0xff] = ID,
	['+'] = CH_OP, ['-'] = CH_OP, ['*'] = CH_OP, ['/'] = CH_OP,
	['<'] = CH_OP, ['>'] = CH_OP, ['='] = CH_OP,
	['~'] = CH_OP | CH_OPKEEP, ['!'] = CH_OP | CH_OPKEEP,
	['@'] = CH_OP | CH_OPKEEP, ['#'] = CH_OP | CH_OPKEEP,
	['%'] = CH_OP | CH_OPKEEP, ['^'] = CH_OP | CH_OPKEEP,
	['&'] = CH_OP | CH_OPKEEP, ['|'] = CH_OP | CH_OPKEEP,
	['`'] = CH_OP | CH_OPKEEP, ['?'] = CH_OP | CH_OPKEEP,
};
#undef ID

/* Keyword roles; see kw_class(). */
enum {
	KW_SPACE_PAREN = 1 << 0, /* written "KW (", not "KW(" */
	KW_UNARY = 1 << 1,       /* a following - or + is a sign, not an operator */
	KW_IN = 1 << 2,
	KW_ARRAY = 1 << 3,
	KW_NAMES = 1 << 4,       /* the next word names a relation: "INTO t (a)" */
};

#define KW_MAXLEN 12

struct keyword {
	char name[KW_MAXLEN]; /* upper case, NUL-padded: compared 12 bytes at once */
	uint8_t flags;
};

#define SP KW_SPACE_PAREN
#define UN KW_UNARY
/* Grouped by length, so that a look-up compares a handful of names. */
static const struct keyword kw2[] = {
	{ "AS", SP | UN }, { "BY", SP | UN }, { "IN", SP | UN | KW_IN },
	{ "IS", UN }, { "ON", SP | UN }, { "OR", SP | UN },
};
static const struct keyword kw3[] = {
	{ "ALL", SP | UN }, { "AND", SP | UN }, { "FOR", UN }, { "KEY", SP },
	{ "NOT", SP | UN }, { "SET", SP | UN },
};
static const struct keyword kw4[] = {
	{ "CASE", SP | UN }, { "COPY", KW_NAMES }, { "ELSE", SP | UN },
	{ "FROM", SP | UN }, { "INTO", KW_NAMES }, { "JOIN", SP },
	{ "LIKE", SP | UN }, { "OVER", SP }, { "THEN", SP | UN },
	{ "WHEN", SP | UN }, { "WITH", SP },
};
static const struct keyword kw5[] = {
	{ "ARRAY", KW_ARRAY }, { "CHECK", SP }, { "GROUP", SP },
	{ "ILIKE", SP | UN }, { "LIMIT", SP | UN }, { "TABLE", KW_NAMES },
	{ "UNION", SP }, { "USING", SP | UN }, { "WHERE", SP | UN },
};
static const struct keyword kw6[] = {
	{ "ESCAPE", UN }, { "EXCEPT", SP }, { "EXISTS", SP | KW_NAMES },
	{ "FILTER", SP }, { "HAVING", SP | UN }, { "OFFSET", SP | UN },
	{ "RETURN", SP | UN }, { "SELECT", SP | UN }, { "UNIQUE", SP },
	{ "VACUUM", SP }, { "VALUES", SP },
};
static const struct keyword kw7[] = {
	{ "BETWEEN", SP | UN }, { "DEFAULT", SP | UN }, { "EXPLAIN", SP },
	{ "INCLUDE", SP }, { "LATERAL", SP },
};
static const struct keyword kw8[] = {
	{ "CONFLICT", SP }, { "DISTINCT", SP | UN },
};
static const struct keyword kw9[] = {
	{ "INTERSECT", SP }, { "RETURNING", SP | UN },
};
static const struct keyword kw12[] = {
	{ "MATERIALIZED", SP },
};
#undef SP
#undef UN

#define KW_BUCKET(a) { a, ARRAY_SIZE(a) }
static const struct {
	const struct keyword *kw;
	size_t n;
} kw_by_len[KW_MAXLEN + 1] = {
	[2] = KW_BUCKET(kw2), [3] = KW_BUCKET(kw3), [4] = KW_BUCKET(kw4),
	[5] = KW_BUCKET(kw5), [6] = KW_BUCKET(kw6), [7] = KW_BUCKET(kw7),
	[8] = KW_BUCKET(kw8), [9] = KW_BUCKET(kw9), [12] = KW_BUCKET(kw12),
};
#undef KW_BUCKET

/* Roles of a word; 0 for identifiers. Called only where a decision needs
 * it (before '(', '[', a sign), so most words are never looked up. */
static unsigned kw_class(struct slice w)
{
	char up[KW_MAXLEN] = { 0 };
	if (w.len > KW_MAXLEN || !kw_by_len[w.len].n)
		return 0;
	for (size_t k = 0; k < w.len; k++) {
		char c = w.ptr[k];
		up[k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	const struct keyword *kw = kw_by_len[w.len].kw;
	for (size_t k = 0; k < kw_by_len[w.len].n; k++)
		if (memcmp(kw[k].name, up, KW_MAXLEN) == 0)
			return kw[k].flags;
	return 0;
}

static unsigned prev_class(struct norm *n)
{
	if (n->prev_kw < 0)
		n->prev_kw = (int)kw_class(n->prev_word);
	return (unsigned)n->prev_kw;
}

/* The word before the current name, if the name follows INTO, TABLE... */
static bool names_relation(const struct norm *n)
{
	return n->name_intro.len && (kw_class(n->name_intro) & KW_NAMES);
}

/* Whether a sign at this point is a prefix (x = -5, SELECT -5, f(-5)). */
static bool sign_context(struct norm *n)
{
	switch (n->prev) {
	case T_NONE: case T_OP: case T_LPAREN: case T_LBRACKET:
	case T_COMMA: case T_SEMI: case T_COLON:
		return true;
	case T_WORD:
		return prev_class(n) & KW_UNARY;
	default:
		return false;
	}
}

/* The canonical spacing: one space between tokens, except none after ( [
 * . :: : or a prefix sign, none before , ) ] ; . :: : [, and before ( only
 * after the keywords that take a parenthesised operand (IN, VALUES, AS,
 * ...), after a relation name following INTO / TABLE, and after operators
 * and other punctuation: "count(*)", "IN (", "INSERT INTO t (a)". */
static inline __attribute__((always_inline)) bool want_space(struct norm *n,
		enum tok cur)
{
	switch (n->prev) {
	case T_NONE: case T_LPAREN: case T_LBRACKET: case T_DOT: case T_CAST:
		return false;
	case T_COLON: /* a[1:2]; but ": =" must not become ":=" */
		return cur == T_OP || cur == T_COLON || cur == T_CAST;
	default:
		break;
	}
	switch (cur) {
	case T_COMMA: case T_CLOSE: case T_SEMI: case T_DOT: case T_CAST:
	case T_COLON: case T_LBRACKET:
		return false;
	case T_OP:
		return true; /* two operators must never fuse ("- -5" is not "--5") */
	case T_LPAREN:
		if (n->prev == T_WORD)
			return (prev_class(n) & KW_SPACE_PAREN) || names_relation(n);
		if (n->prev == T_QIDENT)
			return names_relation(n);
		if (n->prev == T_OP)
			return !n->prev_sign;
		return true;
	default:
		return !(n->prev == T_OP && n->prev_sign);
	}
}

/* Everything a token does before its text is written: VALUES bookkeeping
 * at this level, then the space. Inlined: it runs for every token. */
static inline __attribute__((always_inline)) void begin_token(struct norm *n,
		enum tok kind)
{
	if (n->values_open)
		norm_values_step(n, kind);
	if (want_space(n, kind)) {
		out_reserve(n->out, 1);
		n->out->buf[n->out->len++] = ' ';
	}
}

static inline __attribute__((always_inline)) void end_token(struct norm *n,
		enum tok kind, struct slice text)
{
	if (kind == T_WORD || kind == T_QIDENT) {
		if (n->prev != T_DOT)
			n->name_intro = n->prev == T_WORD ? n->prev_word : SLICE_EMPTY;
	} else if (kind != T_DOT) {
		n->name_intro = SLICE_EMPTY;
	}
	n->prev = kind;
	n->prev_word = text;
	n->prev_kw = -1;
	n->prev_sign = SIGN_NONE;
	n->nsigns = 0;
}

/* Writes a token taken from the input (p points into it). Most tokens are
 * short: copying a fixed 16 bytes, when the input has them, compiles to two
 * moves instead of a call; the bytes past len are overwritten later. */
static inline __attribute__((always_inline)) void emit(struct norm *n,
		enum tok kind, const char *p, size_t len)
{
	struct strbuf *o = n->out;
	begin_token(n, kind);
	out_reserve(o, len + 16);
	if (len <= 16 && (size_t)(p - n->s) + 16 <= n->len)
		memcpy(o->buf + o->len, p, 16);
	else
		memcpy(o->buf + o->len, p, len);
	o->len += len;
	end_token(n, kind, slice_make(p, len));
}

/* Takes back the signs written just before a literal. */
static void fold_signs(struct norm *n)
{
	while (n->nsigns && n->prev_sign == SIGN_PLUS_MINUS) {
		const struct before_sign *b = &n->signs[--n->nsigns];
		n->out->len = b->out_len;
		n->prev = b->prev;
		n->prev_sign = b->prev_sign;
		n->prev_kw = b->prev_kw;
		n->prev_word = b->prev_word;
		n->name_intro = b->name_intro;
	}
}

static void emit_placeholder(struct norm *n)
{
	if (n->prev_sign == SIGN_PLUS_MINUS)
		fold_signs(n);
	unsigned v = ++n->ph;
	size_t w = 1;
	for (unsigned t = v; t >= 10; t /= 10)
		w++;
	begin_token(n, T_VALUE);
	out_reserve(n->out, w + 1);
	char *p = n->out->buf + n->out->len;
	p[0] = '$';
	for (size_t k = w; k > 0; k--, v /= 10)
		p[k] = (char)('0' + v % 10);
	n->out->len += w + 1;
	end_token(n, T_VALUE, SLICE_EMPTY);
}

/* A literal running to the end of the text (truncated statement): keep an
 * unterminated quote so that the text, like the input, does not parse and
 * ends with a lexical fingerprint rather than passing for a whole query. */
static void emit_truncated(struct norm *n)
{
	if (n->prev_sign == SIGN_PLUS_MINUS)
		fold_signs(n);
	begin_token(n, T_VALUE);
	out_bytes(n->out, "'...", 4);
	end_token(n, T_VALUE, SLICE_EMPTY);
}

/* Skips whitespace and comments (nested block comments, as PostgreSQL
 * does); an unterminated comment runs to the end. */
static size_t skip_blank(const char *s, size_t len, size_t i)
{
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (IS(c, CH_SPACE)) {
			i++;
		} else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			const char *nl = memchr(s + i, '\n', len - i);
			i = nl ? (size_t)(nl - s) + 1 : len;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			int nest = 1;
			for (i += 2; i < len && nest; i++) {
				if (s[i] == '*' && i + 1 < len && s[i + 1] == '/')
					nest--, i++;
				else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
					nest++, i++;
			}
		} else {
			break;
		}
	}
	return i;
}

/* Numeric literal at s[i] (a digit, or '.' then a digit): integers,
 * decimals, exponents, 0x / 0o / 0b forms, '_' separators. */
static size_t scan_number(const char *s, size_t len, size_t i)
{
	if (s[i] == '0' && i + 2 < len && IS(s[i + 2], CH_HEX)) {
		char p = (char)(s[i + 1] | 0x20);
		if (p == 'x' || p == 'o' || p == 'b') {
			for (i += 2; i < len && (IS(s[i], CH_HEX) || s[i] == '_'); i++)
				;
			return i;
		}
	}
	while (i < len && (IS(s[i], CH_DIGIT) || s[i] == '_'))
		i++;
	/* "1..10" is a range in PL/pgSQL, not a decimal. */
	if (i < len && s[i] == '.' && !(i + 1 < len && s[i + 1] == '.'))
		for (i++; i < len && (IS(s[i], CH_DIGIT) || s[i] == '_'); i++)
			;
	if (i < len && (s[i] | 0x20) == 'e') {
		size_t j = i + 1;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && IS(s[j], CH_DIGIT)) {
			for (i = j; i < len && IS(s[i], CH_DIGIT); i++)
				;
		}
	}
	return i;
}

/* Quoted string whose opening quote is s[i]; returns the index after the
 * closing quote, or len when unterminated. '' is an escaped quote; with
 * backslash escapes (E'...') so is \'. A string continues over a line
 * break onto another quoted string ('a'\n'b' is one literal in SQL). */
static size_t scan_string(const char *s, size_t len, size_t i, bool backslash,
		bool *closed)
{
	for (;;) {
		i++; /* past the opening quote */
		for (;;) {
			if (backslash) {
				while (i < len && s[i] != '\'' && s[i] != '\\')
					i++;
			} else {
				const char *q = memchr(s + i, '\'', len - i);
				i = q ? (size_t)(q - s) : len;
			}
			if (i >= len)
				goto open;
			if (s[i] == '\\') {
				i += 2;
				continue;
			}
			if (i + 1 < len && s[i + 1] == '\'') {
				i += 2;
				continue;
			}
			i++;
			break;
		}
		size_t j = i;
		bool newline = false;
		while (j < len && IS(s[j], CH_SPACE)) {
			if (s[j] == '\n' || s[j] == '\r')
				newline = true;
			j++;
		}
		if (!newline || j >= len || s[j] != '\'')
			break;
		i = j;
	}
	*closed = true;
	return i;
open:
	*closed = false;
	return len;
}

/* U&'...' may be followed by UESCAPE '!', which belongs to the literal. */
static size_t skip_uescape(const char *s, size_t len, size_t i)
{
	size_t j = skip_blank(s, len, i);
	if (len - j < 7 || !word_is(slice_make(s + j, 7), "UESCAPE"))
		return i;
	j = skip_blank(s, len, j + 7);
	if (j + 2 < len && s[j] == '\'' && s[j + 2] == '\'')
		return j + 3;
	return i;
}

/* "quoted identifier", copied verbatim; returns the index after it. */
static size_t scan_qident(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] != '"')
			continue;
		if (i + 1 < len && s[i + 1] == '"') {
			i++;
			continue;
		}
		return i + 1;
	}
	return len;
}

/* Dollar quote $tag$...$tag$ starting at s[i]; returns 0 when s[i] does not
 * open one, else the index after it (len when unterminated). */
static size_t scan_dollar(const char *s, size_t len, size_t i, bool *closed)
{
	size_t t = i + 1;
	while (t < len && IS(s[t], CH_IDCONT) && s[t] != '$')
		t++;
	if (t >= len || s[t] != '$')
		return 0;
	size_t taglen = t + 1 - i; /* "$tag$" */
	for (size_t j = t + 1; j < len;) {
		const char *d = memchr(s + j, '$', len - j);
		if (!d)
			break;
		j = (size_t)(d - s);
		if (len - j >= taglen && memcmp(s + j, s + i, taglen) == 0) {
			*closed = true;
			return j + taglen;
		}
		j++;
	}
	*closed = false;
	return len;
}

/* Operator at s[i], cut as scan.l does: it stops before a comment, and a
 * multi-character operator does not end in + or - unless it holds one of
 * ~ ! @ # % ^ & | ` ? (so "=-5" is "=" then "-5"). */
static size_t scan_operator(const char *s, size_t len, size_t i)
{
	size_t start = i;
	bool keep = false;
	for (; i < len && IS(s[i], CH_OP); i++) {
		if (i > start && ((s[i] == '-' && s[i - 1] == '-') ||
				(s[i] == '*' && s[i - 1] == '/'))) {
			i--;
			break;
		}
		if (IS(s[i], CH_OPKEEP))
			keep = true;
	}
	if (!keep)
		while (i - start > 1 && (s[i - 1] == '+' || s[i - 1] == '-'))
			i--;
	return i;
}

static void open_bracket(struct norm *n, enum tok kind, enum frame_kind fk,
		const char *p)
{
	struct frame *f = top_frame(n);
	bool row = false;
	if (f && f->vstate == V_EXPECT_ROW && kind == T_LPAREN) {
		if (n->depth + 1 < FRAMES_MAX) {
			row = true;
		} else {
			f->vstate = V_NONE;
			n->values_open--;
		}
	}
	emit(n, kind, p, 1);
	if (row) {
		f->vstate = V_IN_ROW;
		f->v_row_start = n->out->len - 1;
		fk = FR_ROW;
	}
	n->depth++;
	struct frame *g = top_frame(n);
	if (g) {
		g->kind = (uint8_t)fk;
		g->ok = true;
		g->elem_start = n->out->len;
		g->first_end = NO_POS;
		g->vstate = V_NONE;
	}
}

static void close_bracket(struct norm *n, const char *p)
{
	if (n->depth == 0) { /* unbalanced: not SQL, keep it as it is */
		emit(n, T_CLOSE, p, 1);
		return;
	}
	struct frame *f = top_frame(n);
	begin_token(n, T_CLOSE);
	if (f && (f->kind == FR_LIST || f->kind == FR_ARRAY)) {
		norm_list_elem_done(n, f);
		if (f->ok)
			norm_collapse(n, f->first_end, f->first_ph);
	}
	out_bytes(n->out, p, 1);
	end_token(n, T_CLOSE, slice_make(p, 1));
	n->depth--;
	if (f && f->kind == FR_ROW)
		norm_values_row_done(n, top_frame(n));
}

static void comma(struct norm *n, const char *p)
{
	struct frame *f = top_frame(n);
	begin_token(n, T_COMMA);
	if (f && (f->kind == FR_LIST || f->kind == FR_ARRAY))
		norm_list_elem_done(n, f);
	out_bytes(n->out, p, 1);
	end_token(n, T_COMMA, slice_make(p, 1));
	if (f)
		f->elem_start = n->out->len;
}

/* A word: keyword, identifier, or the prefix of E'', B'', X'', N'', U&''. */
static size_t word(struct norm *n, size_t i)
{
	const char *s = n->s;
	size_t len = n->len, start = i;
	/* Four bytes a step: this loop is where most of the input goes. */
	for (i++; i + 4 <= len && (norm_ch[(unsigned char)s[i]] &
			norm_ch[(unsigned char)s[i + 1]] & norm_ch[(unsigned char)s[i + 2]] &
			norm_ch[(unsigned char)s[i + 3]] & CH_IDCONT); i += 4)
		;
	for (; i < len && IS(s[i], CH_IDCONT); i++)
		;
	if (i - start == 1 && i < len) {
		char c = (char)(s[start] | 0x20);
		bool closed;
		if (s[i] == '\'' && (c == 'e' || c == 'b' || c == 'x' || c == 'n')) {
			i = scan_string(s, len, i, c == 'e', &closed);
			closed ? emit_placeholder(n) : emit_truncated(n);
			return i;
		}
		if (c == 'u' && i + 1 < len && s[i] == '&' && s[i + 1] == '\'') {
			i = scan_string(s, len, i + 1, false, &closed);
			if (closed)
				i = skip_uescape(s, len, i);
			closed ? emit_placeholder(n) : emit_truncated(n);
			return i;
		}
		if (c == 'u' && i + 1 < len && s[i] == '&' && s[i + 1] == '"') {
			i = scan_qident(s, len, i + 1);
			i = skip_uescape(s, len, i);
			emit(n, T_QIDENT, s + start, i - start);
			return i;
		}
	}
	emit(n, T_WORD, s + start, i - start);
	if (i - start == 6 && word_is(slice_make(s + start, 6), "VALUES")) {
		struct frame *f = top_frame(n);
		if (f) {
			if (f->vstate == V_NONE)
				n->values_open++;
			f->vstate = V_EXPECT_ROW;
			f->v_ok = true;
			f->v_first_end = NO_POS;
		}
	}
	return i;
}

static size_t operator(struct norm *n, size_t i)
{
	const char *s = n->s;
	size_t len = n->len;
	size_t end = scan_operator(s, len, i);
	enum sign sign = SIGN_NONE;
	if (end - i == 1 && (s[i] == '-' || s[i] == '+' || s[i] == '~') && sign_context(n))
		sign = s[i] == '~' ? SIGN_TILDE : SIGN_PLUS_MINUS;
	if (sign != SIGN_PLUS_MINUS) {
		emit(n, T_OP, s + i, end - i);
		n->prev_sign = (uint8_t)sign;
		return end;
	}
	/* Remember how to take it back if a literal follows (see fold_signs). */
	struct before_sign b = {
		.out_len = n->out->len, .prev = n->prev, .prev_sign = n->prev_sign,
		.prev_kw = n->prev_kw, .prev_word = n->prev_word,
		.name_intro = n->name_intro,
	};
	unsigned depth = n->prev_sign == SIGN_PLUS_MINUS ? n->nsigns : 0;
	emit(n, T_OP, s + i, end - i);
	n->prev_sign = SIGN_PLUS_MINUS;
	if (depth < SIGNS_MAX) {
		n->signs[depth] = b;
		n->nsigns = depth + 1;
	}
	return end;
}

void fp_normalize(const char *sql, size_t len, struct strbuf *out)
{
	/* Not zero-initialised as a whole: the frames are set up when a
	 * bracket opens, and clearing them all would cost more than the
	 * lexing of a short statement. */
	struct norm n;
	n.s = sql;
	n.len = len;
	n.out = out;
	n.ph = 0;
	n.prev = T_NONE;
	n.prev_sign = SIGN_NONE;
	n.nsigns = 0;
	n.prev_word = n.name_intro = SLICE_EMPTY;
	n.prev_kw = 0;
	n.depth = 0;
	n.values_open = 0;
	n.frames[0].kind = FR_PLAIN;
	n.frames[0].vstate = V_NONE;
	n.frames[0].elem_start = 0;
	sb_reset(out);
	sb_grow(out, len + 16);
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)sql[i];
		unsigned cls = norm_ch[c];
		if (cls & CH_IDSTART) {
			i = word(&n, i);
			continue;
		}
		if (cls & CH_SPACE) {
			i++;
			continue;
		}
		if (cls & CH_DIGIT) {
			i = scan_number(sql, len, i);
			emit_placeholder(&n);
			continue;
		}
		bool closed;
		switch (c) {
		case '-':
		case '/':
			if (i + 1 < len && sql[i + 1] == (c == '-' ? '-' : '*')) {
				i = skip_blank(sql, len, i);
				continue;
			}
			break;
		case '\'':
			i = scan_string(sql, len, i, false, &closed);
			closed ? emit_placeholder(&n) : emit_truncated(&n);
			continue;
		case '"': {
			size_t end = scan_qident(sql, len, i);
			emit(&n, T_QIDENT, sql + i, end - i);
			i = end;
			continue;
		}
		case '$':
			if (i + 1 < len && IS(sql[i + 1], CH_DIGIT)) {
				for (i++; i < len && IS(sql[i], CH_DIGIT); i++)
					;
				emit_placeholder(&n);
				continue;
			}
			if (i + 1 < len && (sql[i + 1] == '$' || IS(sql[i + 1], CH_IDSTART))) {
				size_t end = scan_dollar(sql, len, i, &closed);
				if (end) {
					closed ? emit_placeholder(&n) : emit_truncated(&n);
					i = end;
					continue;
				}
			}
			emit(&n, T_OTHER, sql + i, 1);
			i++;
			continue;
		case '.':
			if (i + 1 < len && IS(sql[i + 1], CH_DIGIT)) {
				i = scan_number(sql, len, i);
				emit_placeholder(&n);
			} else {
				emit(&n, T_DOT, sql + i, 1);
				i++;
			}
			continue;
		case '(':
		case '[': {
			enum frame_kind fk = FR_PLAIN;
			struct frame *f = top_frame(&n);
			if (n.prev == T_WORD) {
				unsigned k = prev_class(&n);
				if (c == '(' && (k & KW_IN))
					fk = FR_LIST;
				else if (c == '[' && (k & KW_ARRAY))
					fk = FR_ARRAY;
			} else if (c == '[' && f && f->kind == FR_ARRAY &&
					(n.prev == T_LBRACKET || n.prev == T_COMMA)) {
				fk = FR_ARRAY; /* ARRAY[[1,2],[3,4]] */
			}
			open_bracket(&n, c == '(' ? T_LPAREN : T_LBRACKET, fk, sql + i);
			i++;
			continue;
		}
		case ')':
		case ']':
			close_bracket(&n, sql + i);
			i++;
			continue;
		case ',':
			comma(&n, sql + i);
			i++;
			continue;
		case ';':
			emit(&n, T_SEMI, sql + i, 1);
			i++;
			continue;
		case ':':
			if (i + 1 < len && sql[i + 1] == ':') {
				emit(&n, T_CAST, sql + i, 2);
				i += 2;
			} else if (i + 1 < len && sql[i + 1] == '=') {
				emit(&n, T_OP, sql + i, 2);
				i += 2;
			} else {
				emit(&n, T_COLON, sql + i, 1);
				i++;
			}
			continue;
		default:
			break;
		}
		if (cls & CH_OP) {
			i = operator(&n, i);
			continue;
		}
		emit(&n, T_OTHER, sql + i, 1);
		i++;
	}

	struct frame *f = top_frame(&n);
	if (f && f->vstate == V_AFTER_ROW)
		norm_values_finish(&n, f);
	while (out->len && (out->buf[out->len - 1] == ';' || out->buf[out->len - 1] == ' '))
		out->len--;
	out->buf[out->len] = '\0';
}

uint64_t fp_lexical(const char *norm, size_t len)
{
	XXH3_state_t st;
	char buf[512];
	size_t nb = 0;
	bool quoted = false;

	XXH3_64bits_reset(&st);
	for (size_t i = 0; i < len; i++) {
		char c = norm[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		buf[nb++] = c;
		if (nb == sizeof(buf)) {
			XXH3_64bits_update(&st, buf, nb);
			nb = 0;
		}
	}
	XXH3_64bits_update(&st, buf, nb);
	return XXH3_64bits_digest(&st);
}
