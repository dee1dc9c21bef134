/* report_load_tok.c: the JSON of a saved report read token by token, as
 * jansson reads it, for the fast path of report_load() (report_load_scan.c;
 * see there why, and report_load_int.h for the pieces). Strings go by
 * jstr.h's plain runs and are decoded into the scan's scratch buffer;
 * anything jansson would refuse, or that is not sure to read the same,
 * makes a piece return false and the caller give the text to jansson. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jstr.h"
#include "report_load_int.h"
#include "timeutil.h"

/* A string at s->p (its opening quote) decoded into tmp, NUL-ended; its
 * offset in *off. False for anything left to jansson. */
bool rl_scan_string(struct rl_scan *s, size_t *off)
{
	if (s->p >= s->end || *s->p != '"')
		return false;
	s->p++;
	*off = s->tmp.len;
	for (;;) {
		const char *run = s->p;
		s->p = jstr_plain_run(s->p, s->end);
		size_t n = (size_t)(s->p - run);
		/* Inline: ORM texts are short runs between escaped quotes. */
		if (s->tmp.len + n + 5 > s->tmp.cap)
			sb_grow(&s->tmp, n + 5);
		memcpy(s->tmp.buf + s->tmp.len, run, n);
		s->tmp.len += n;
		if (s->p >= s->end)
			return false;
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			sb_putc(&s->tmp, '\0');
			return true;
		}
		/* An escape or a UTF-8 sequence: at most 4 bytes, written in
		 * place (room for them was made above). */
		char *o = s->tmp.buf + s->tmp.len;
		if (c == '\\' && s->end - s->p >= 2 && (s->p[1] == '"' || s->p[1] == '\\')) {
			*o++ = s->p[1];         /* the common ones, without a call */
			s->p += 2;
		} else if (c == '\\') {
			s->p++;
			o = jstr_unescape(&s->p, s->end, o);
			if (!o)
				return false;
		} else {
			if (c < 0x20)
				return false;
			n = jstr_utf8_len((const unsigned char *)s->p, (const unsigned char *)s->end);
			if (n == 0)
				return false;
			memcpy(o, s->p, n);
			o += n;
			s->p += n;
		}
		s->tmp.len = (size_t)(o - s->tmp.buf);
	}
}

static inline bool is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* Exact powers of ten as doubles (10^22 is the last one a double holds). */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* A number by JSON's grammar, converted as jansson does (strtoll for an
 * integer, strtod for a real); false past the range jansson accepts or
 * for a token too long to be sure of. The reports' numbers are mostly
 * short decimals ("12.345"): with at most 15 digits and a power of ten
 * up to 22, one IEEE multiplication or division of two exact doubles is
 * the correctly rounded value, the one strtod gives (Clinger's fast
 * path), at a tenth of strtod's cost. */
static bool scan_number(struct rl_scan *s, struct rl_val *v)
{
	const char *start = s->p;
	bool real = false, neg = false;
	uint64_t m = 0;
	int digits = 0, exp10 = 0, e = 0;
	bool eneg = false;

	if (s->p < s->end && *s->p == '-') {
		neg = true;
		s->p++;
	}
	if (!is_digit(s->p, s->end))
		return false;
	if (*s->p == '0') {
		s->p++;
		if (is_digit(s->p, s->end))
			return false;
	} else {
		for (; is_digit(s->p, s->end); s->p++, digits++)
			m = m * 10 + (uint64_t)(*s->p - '0');
	}
	if (s->p < s->end && *s->p == '.') {
		real = true;
		s->p++;
		if (!is_digit(s->p, s->end))
			return false;
		for (; is_digit(s->p, s->end); s->p++, exp10--)
			if (m || *s->p != '0')
				m = m * 10 + (uint64_t)(*s->p - '0'), digits++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		real = true;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			eneg = *s->p++ == '-';
		if (!is_digit(s->p, s->end))
			return false;
		for (; is_digit(s->p, s->end); s->p++)
			if (e < 10000)
				e = e * 10 + (*s->p - '0');
		exp10 += eneg ? -e : e;
	}
	if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
		double d = (double)m;
		d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
		if (real) {
			v->type = 'r';
			v->d = neg ? -d : d;
		} else {
			v->type = 'i';
			v->i = neg ? -(long long)m : (long long)m;
		}
		return true;
	}
	char buf[64];
	size_t n = (size_t)(s->p - start);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, start, n);
	buf[n] = '\0';
	errno = 0;
	if (real) {
		v->type = 'r';
		v->d = strtod(buf, NULL);
		return isfinite(v->d);
	}
	v->type = 'i';
	v->i = strtoll(buf, NULL, 10);
	return errno != ERANGE;
}

bool rl_skip_value(struct rl_scan *s);

/* Object members: call with *first true at '{' (consumed here); returns 1
 * with the key's offset in tmp and s->p at the value, 0 at the end, -1
 * on what is left to jansson. */
int rl_next_member(struct rl_scan *s, bool *first, size_t *key)
{
	if (*first) {
		if (!rl_take(s, '{'))
			return -1;
		*first = false;
		if (rl_take(s, '}'))
			return 0;
	} else {
		if (rl_take(s, '}'))
			return 0;
		if (!rl_take(s, ','))
			return -1;
	}
	rl_skip_ws(s);
	if (!rl_scan_string(s, key) || !rl_take(s, ':'))
		return -1;
	rl_skip_ws(s);
	return 1;
}

/* Array elements, like rl_next_member. */
int rl_next_element(struct rl_scan *s, bool *first)
{
	if (*first) {
		if (!rl_take(s, '['))
			return -1;
		*first = false;
		if (rl_take(s, ']'))
			return 0;
	} else {
		if (rl_take(s, ']'))
			return 0;
		if (!rl_take(s, ','))
			return -1;
	}
	rl_skip_ws(s);
	return 1;
}

/* Any value (s->p at it): a scalar into *v, an object or array checked
 * and passed over (type 'o'). */
bool rl_scan_value(struct rl_scan *s, struct rl_val *v)
{
	*v = (struct rl_val){ .type = 'o' };
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '"':
		v->type = 's';
		return rl_scan_string(s, &v->off);
	case '{':
	case '[':
		return rl_skip_value(s);
	case 't':
	case 'f':
	case 'n': {
		size_t n = jstr_literal_len(s->p, s->end);
		if (n == 4 && *s->p == 't')
			v->type = 't';
		s->p += n;
		return n > 0;
	}
	default:
		return scan_number(s, v);
	}
}

/* A string at s->p checked as rl_scan_string() checks it, not kept (the
 * examples left in the file are half a big report). */
static bool skip_string(struct rl_scan *s)
{
	const char *after = jstr_skip(s->p + 1, s->end, NULL);
	s->p = after ? after : s->end;
	return after != NULL;
}

/* A value inside one passed over. */
static inline bool skip_inner(struct rl_scan *s, struct rl_val *v)
{
	return rl_at(s, '"') ? skip_string(s) : rl_scan_value(s, v);
}

bool rl_skip_value(struct rl_scan *s)
{
	struct rl_val v;
	bool first = true, ok = true;
	size_t mark = s->tmp.len, key;
	int r;

	if (!rl_at(s, '{') && !rl_at(s, '['))
		return skip_inner(s, &v);
	if (++s->depth > RL_SCAN_MAX_DEPTH)
		return false;
	if (rl_at(s, '{')) {
		while (ok && (r = rl_next_member(s, &first, &key)) == 1) {
			ok = skip_inner(s, &v);
			s->tmp.len = mark;
		}
	} else {
		while (ok && (r = rl_next_element(s, &first)) == 1) {
			ok = skip_inner(s, &v);
			s->tmp.len = mark;
		}
	}
	s->depth--;
	return ok && r == 0;
}

int64_t rl_v_ts(const struct rl_scan *s, const struct rl_val *v)
{
	const char *str = rl_v_str(s, v);
	int64_t ms, tod;
	if (!str || !ts_parse_cli(str, &ms, &tod) || ms == TS_NONE)
		return TS_NONE;
	return ms;
}

/* Index of the key decoded at off among names[0..n), n when none. The
 * search starts at *hint, after the last key found, so that members in
 * the writer's order cost one comparison each. */
size_t rl_find_key(const struct rl_scan *s, size_t off, const char *const *names,
		size_t n, size_t *hint)
{
	const char *key = s->tmp.buf + off;
	for (size_t i = 0, k = *hint; i < n; i++, k = k + 1 == n ? 0 : k + 1)
		if (key[0] == names[k][0] && strcmp(key, names[k]) == 0) {
			*hint = k + 1 == n ? 0 : k + 1;
			return k;
		}
	return n;
}

/* Reads the members named in keys (a NULL-ended list) of the object at
 * s->p into vals; others are passed over. A value that is not an object
 * leaves them absent, as json_object_get on it would. */
bool rl_scan_flat(struct rl_scan *s, const char *const *keys, struct rl_val *vals)
{
	bool first = true;
	size_t key, nk = 0, hint = 0;
	int r;
	unsigned seen = 0;

	while (keys[nk])
		nk++;
	for (size_t k = 0; k < nk; k++)
		vals[k] = (struct rl_val){ 0 };
	if (!rl_at(s, '{'))
		return rl_skip_value(s);
	if (++s->depth > RL_SCAN_MAX_DEPTH)
		return false;
	while ((r = rl_next_member(s, &first, &key)) == 1) {
		size_t k = rl_find_key(s, key, keys, nk, &hint);
		if (k < nk && (seen & (1u << k)))
			return false;   /* a duplicate: jansson keeps the last */
		struct rl_val v;
		if (!rl_scan_value(s, &v))
			return false;
		if (k < nk) {
			vals[k] = v;
			seen |= 1u << k;
		}
	}
	s->depth--;
	return r == 0;
}
