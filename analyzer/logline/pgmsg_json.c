/* pgmsg_json.c: the top-level "Query Text" of an auto_explain JSON plan,
 * read by a scan of the plan's text.
 *
 * Why not jansson: the ingest only needs that one string from each plan
 * (to find the plan's statement), yet json_loadb builds the whole tree
 * (a hash table per node, a malloc'd string per key and value, a double
 * per number) and frees it again: on 200 copies of tests/data/plans/
 * json.log (9.9 MB) it was 88.5% of a run's 1.516 G instructions.
 * This scan checks the text is JSON that jansson would load (so that a
 * truncated or broken plan still has no query text, as before) but builds
 * nothing: nested values are skipped, strings are checked with SSE2 plain
 * runs, and only "Query Text" is copied out.
 *
 * It is sure only of a subset of JSON, and leaves the rest to jansson
 * (pgmsg_plan_query() falls back): escapes in top-level keys, numbers with
 * an exponent or too many digits (jansson refuses what overflows a long
 * long or a double), \u0000 and lone surrogates, nesting deeper than
 * MAX_DEPTH, and anything that is not valid JSON. A duplicated top-level
 * key takes its last value, as json_loadb does. */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jstr.h"
#include "pgmsg_int.h"
#include "pgmsg.h"

/* jansson 2.14 refuses nesting deeper than 2048; well below, the scan is sure. */
#define MAX_DEPTH 512

struct pscan {
	const char *p, *end;
};

/* The "Query Text" found at the top level so far (the last one counts). */
struct found {
	const char *ptr;        /* its text between the quotes, still escaped */
	size_t len;
	bool string;            /* false: absent, or not a string */
	bool escaped;
};

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of a run of whitespace at p. A plan's lines are indented by up
 * to a few dozen spaces, which byte by byte were 45% of the scan. */
static const char *ws_run(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' '), nl = _mm_set1_epi8('\n');
	const __m128i tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r');
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, nl)),
				_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, cr)));
		unsigned bits = ~(unsigned)_mm_movemask_epi8(m) & 0xFFFFu;
		if (bits)
			return p + __builtin_ctz(bits);
		p += 16;
	}
#endif
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* Most runs are one byte (after ':' or ','): those stay scalar. */
static inline void skip_ws(struct pscan *s)
{
	if (s->p < s->end && is_ws(*s->p)) {
		s->p++;
		if (s->p < s->end && is_ws(*s->p))
			s->p = ws_run(s->p + 1, s->end);
	}
}

/* A string at s->p (just after its opening quote), checked as jansson
 * checks one, and passed; *escaped tells whether it held an escape. */
static bool skip_string(struct pscan *s, bool *escaped)
{
	const char *after = jstr_skip(s->p, s->end, escaped);
	s->p = after ? after : s->end;
	return after != NULL;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number in JSON's grammar that jansson reads without overflow: an
 * integer of at most 18 digits (a long long), or a real without exponent
 * whose whole part has at most 300 digits (a finite double). */
static bool skip_number(struct pscan *s)
{
	const char *p = s->p, *end = s->end;
	if (*p == '-')
		p++;
	const char *d = p;
	while (p < end && is_digit(*p))
		p++;
	size_t whole = (size_t)(p - d);
	if (whole == 0 || (whole > 1 && *d == '0'))
		return false;
	bool real = false;
	if (p < end && *p == '.') {
		const char *f = ++p;
		while (p < end && is_digit(*p))
			p++;
		if (p == f)
			return false;
		real = true;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
		return false;
	if (whole > (real ? 300u : 18u))
		return false;
	s->p = p;
	return true;
}

static bool skip_literal(struct pscan *s)
{
	size_t n = jstr_literal_len(s->p, s->end);
	s->p += n;
	return n > 0;   /* what follows is checked as a separator */
}

/* One pass over the whole text: true when it is an object jansson would
 * load, with f holding its top-level "Query Text". */
static bool scan_plan(struct pscan *s, struct found *f)
{
	char open[MAX_DEPTH];   /* '{' or '[' of each value we are inside */
	int depth = 0;
	bool first = true;      /* nothing read yet in the innermost value */

	skip_ws(s);
	if (s->p >= s->end || *s->p != '{')
		return false;   /* an array or a scalar: jansson's to judge */
	s->p++;
	open[depth++] = '{';
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end)
			return false;
		char in = open[depth - 1];
		if (*s->p == (in == '{' ? '}' : ']')) {
			s->p++;
			if (--depth == 0)
				break;
			first = false;
			continue;
		}
		if (!first) {
			if (*s->p != ',')
				return false;
			s->p++;
			skip_ws(s);
			if (s->p >= s->end)
				return false;
		}
		first = false;

		bool query_text = false;
		if (in == '{') {
			if (*s->p != '"')
				return false;
			const char *key = ++s->p;
			bool escaped = false;
			if (!skip_string(s, &escaped))
				return false;
			if (depth == 1) {
				if (escaped)
					return false;   /* a key spelt with escapes */
				query_text = s->p - 1 - key == 10 && memcmp(key, "Query Text", 10) == 0;
			}
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return false;
			s->p++;
			skip_ws(s);
			if (s->p >= s->end)
				return false;
		}

		char c = *s->p;
		if (query_text)
			f->string = c == '"';
		if (c == '{' || c == '[') {
			if (depth == MAX_DEPTH)
				return false;
			open[depth++] = c;
			s->p++;
			first = true;
		} else if (c == '"') {
			const char *v = ++s->p;
			bool escaped = false;
			if (!skip_string(s, &escaped))
				return false;
			if (query_text) {
				f->ptr = v;
				f->len = (size_t)(s->p - 1 - v);
				f->escaped = escaped;
			}
		} else if (c == '-' || is_digit(c)) {
			if (!skip_number(s))
				return false;
		} else if (!skip_literal(s)) {
			return false;
		}
	}
	skip_ws(s);
	return s->p == s->end;
}

/* Writes the body [ptr, ptr + len) of a string checked by jstr_skip()
 * into sb, unescaped. */
static void unescape_into(struct strbuf *sb, const char *ptr, size_t len,
		bool escaped)
{
	sb_reset(sb);
	if (!escaped) {
		sb_append(sb, ptr, len);
		return;
	}
	/* Checked by the scan: every escape here reads. An escape is never
	 * shorter than what it stands for, so len bytes do. */
	sb_grow(sb, len);
	char *o = jstr_copy_unescaped(ptr, ptr + len, sb->buf);
	sb->len = o ? (size_t)(o - sb->buf) : 0;
	sb->buf[sb->len] = '\0';
}

bool pgmsg_json_query(struct slice plan, struct strbuf *sb, struct slice *out)
{
	struct pscan s = { plan.ptr, plan.ptr + plan.len };
	struct found f = { NULL, 0, false, false };
	if (!scan_plan(&s, &f))
		return false;
	if (!f.string) {
		*out = SLICE_EMPTY;
		return true;
	}
	unescape_into(sb, f.ptr, f.len, f.escaped);
	*out = slice_make(sb->buf, sb->len);
	return true;
}

struct slice pgmsg_plan_query_cut(struct slice plan, struct strbuf *sb)
{
	static const char key[] = "\"Query Text\"";
	struct pscan s = { plan.ptr, plan.ptr + plan.len };
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return SLICE_EMPTY;
	s.p++;
	skip_ws(&s);
	if ((size_t)(s.end - s.p) < sizeof(key) - 1 || memcmp(s.p, key, sizeof(key) - 1) != 0)
		return SLICE_EMPTY;
	s.p += sizeof(key) - 1;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != ':')
		return SLICE_EMPTY;
	s.p++;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '"')
		return SLICE_EMPTY;
	const char *body = ++s.p;
	bool escaped = false;
	if (!skip_string(&s, &escaped))
		return SLICE_EMPTY;     /* the text itself is cut, or refused */
	unescape_into(sb, body, (size_t)(s.p - 1 - body), escaped);
	return slice_make(sb->buf, sb->len);
}
