/* json_emit.c: JSON written straight into a buffer, as jansson dumps it.
 *
 * Why not jansson here: on a log of 20,000 distinct statements (30 MB) the
 * JSON report's groups, built as jansson trees and dumped with json_dumps,
 * took 10.3 G of the run's 18.6 G instructions (callgrind): a malloc per
 * member and per string, a UTF-8 check when a string is made and another
 * when it is dumped, a hash per key, vfprintf per number. Written here in
 * one pass per string (eight plain bytes at a time), the same report
 * costs 1.8 G and the run 10.0 G, byte for byte the same output. jansson
 * stays the reference: tests/check_json_emit.c compares this writer with
 * json_dumps on random strings (control bytes, invalid UTF-8), numbers
 * and nesting, and the report goldens hold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_emit.h"

/* Spaces enough for any indent a report reaches in one append. */
static const char spaces[] = "                                                                ";

static void put_indent(struct strbuf *sb, unsigned depth)
{
	size_t n = 2 * (size_t)depth;

	sb_putc(sb, '\n');
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		sb_append(sb, spaces, k);
		n -= k;
	}
}

void jemit_init(struct jemit *e, struct strbuf *out, unsigned depth)
{
	e->out = out;
	e->base = e->depth = depth;
	e->items = e->arrays = 0;
	e->keyed = false;
}

/* A member of the open container starts: the comma after the one before,
 * a new line and the indent of its depth. */
static void new_member(struct jemit *e)
{
	uint32_t bit = 1u << e->depth;

	if (e->items & bit)
		sb_putc(e->out, ',');
	e->items |= bit;
	put_indent(e->out, e->depth);
}

/* Before any value: nothing after a key or for the first value, else a
 * new array member. */
static void before_value(struct jemit *e)
{
	if (e->keyed)
		e->keyed = false;
	else if (e->depth > e->base)
		new_member(e);
}

void jemit_open(struct jemit *e, char bracket)
{
	before_value(e);
	sb_putc(e->out, bracket);
	if (e->depth >= JEMIT_MAX_DEPTH)
		abort();        /* a caller's bug: the report nests a few levels */
	e->depth++;
	uint32_t bit = 1u << e->depth;
	e->items &= ~bit;
	if (bracket == '[')
		e->arrays |= bit;
	else
		e->arrays &= ~bit;
}

void jemit_close(struct jemit *e)
{
	uint32_t bit = 1u << e->depth;

	e->depth--;
	if (e->items & bit)
		put_indent(e->out, e->depth);
	sb_putc(e->out, e->arrays & bit ? ']' : '}');
}

/* ---- strings ---- */

size_t jemit_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	size_t len;
	uint32_t cp;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		cp = b & 0x0f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		cp = b & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
			cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes up to the first invalid sequence (n when there is none). */
static size_t valid_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = jemit_utf8_seq(p + i, n - i);
		if (!k)
			break;
		i += k;
	}
	return i;
}

bool jemit_utf8_valid(const char *s)
{
	size_t n = strlen(s);
	return valid_prefix((const unsigned char *)s, n) == n;
}

const char *jemit_utf8_clean(const char *s, struct strbuf *tmp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = valid_prefix(p, n);

	if (i == n)
		return s;
	sb_reset(tmp);
	sb_append(tmp, s, i);
	while (i < n) {
		size_t k = jemit_utf8_seq(p + i, n - i);
		if (k) {
			sb_append(tmp, s + i, k);
			i += k;
		} else {
			sb_append(tmp, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	return tmp->buf;
}

/* 1 for the ASCII bytes written as they are. */
static const unsigned char plain[128] = {
	['\x20'] = 1, 1, 0 /* " */, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* \ */, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* jansson's escapes: the short ones, else \u00XX in capitals. Writes at
 * o; returns the end. */
static char *put_escape(char *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char short_form = 0;

	switch (c) {
	case '"': short_form = '"'; break;
	case '\\': short_form = '\\'; break;
	case '\b': short_form = 'b'; break;
	case '\f': short_form = 'f'; break;
	case '\n': short_form = 'n'; break;
	case '\r': short_form = 'r'; break;
	case '\t': short_form = 't'; break;
	}
	*o++ = '\\';
	if (short_form) {
		*o++ = short_form;
		return o;
	}
	memcpy(o, "u00", 3);
	o[3] = hex[c >> 4];
	o[4] = hex[c & 15];
	return o + 5;
}

/* The bytes of x (eight, the first in memory lowest) that are not written as they are (a control byte, ", \\, or a byte
 * past ASCII) as their high bits: the classic has-less-than and has-zero
 * tests. Exact for the lowest such byte, which is all that is used (a
 * borrow only marks bytes above a marked one). */
static uint64_t special_bytes(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
			((b - ones) & ~b) | x) & high;
}

/* Writes the byte at p[i] that is not plain (see special_bytes) at o:
 * escaped, a valid multi-byte sequence as it is, an invalid byte as
 * U+FFFD. Advances *i past what it took; returns the end of the output. */
static char *put_special(char *o, const unsigned char *p, size_t *i, size_t n)
{
	unsigned char c = p[*i];

	if (c < 0x80) {
		(*i)++;
		return put_escape(o, c);
	}
	size_t k = jemit_utf8_seq(p + *i, n - *i);
	if (k) {
		memcpy(o, p + *i, k);
		*i += k;
		return o + k;
	}
	memcpy(o, "\xef\xbf\xbd", 3);
	(*i)++;
	return o + 3;
}

/* Cleaning and escaping in one pass, straight into the buffer: room for
 * the worst case (6 bytes out per byte in) is made first, so eight bytes
 * can always be copied at once and the ones past the first special byte
 * written over. Most of a report is ASCII query text, where quoted
 * identifiers put a '"' every few bytes: it goes eight bytes, or up to
 * the next special one, at a time. */
static void put_string(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	sb_grow(sb, 6 * n + 2);
	char *o = sb->buf + sb->len;
	*o++ = '"';
	while (i + 8 <= n) {
		uint64_t x;
		memcpy(&x, p + i, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		x = __builtin_bswap64(x);       /* the first byte lowest */
#endif
		memcpy(o, p + i, 8);
		uint64_t m = special_bytes(x);
		if (m == 0) {
			o += 8;
			i += 8;
			continue;
		}
		size_t j = (size_t)__builtin_ctzll(m) / 8;
		o += j;
		i += j;
		o = put_special(o, p, &i, n);
	}
	while (i < n) {
		if (p[i] < 0x80 && plain[p[i]])
			*o++ = (char)p[i++];
		else
			o = put_special(o, p, &i, n);
	}
	*o++ = '"';
	*o = '\0';
	sb->len = (size_t)(o - sb->buf);
}

void jemit_key(struct jemit *e, const char *key)
{
	new_member(e);
	put_string(e->out, key, strlen(key));
	sb_append(e->out, ": ", 2);
	e->keyed = true;
}

void jemit_strn(struct jemit *e, const char *s, size_t len)
{
	before_value(e);
	put_string(e->out, s, len);
}

void jemit_str(struct jemit *e, const char *s)
{
	if (!s)
		jemit_null(e);
	else
		jemit_strn(e, s, strlen(s));
}

/* ---- other values ---- */

void jemit_null(struct jemit *e)
{
	before_value(e);
	sb_append(e->out, "null", 4);
}

void jemit_bool(struct jemit *e, bool v)
{
	before_value(e);
	if (v)
		sb_append(e->out, "true", 4);
	else
		sb_append(e->out, "false", 5);
}

/* Decimal digits of v into the end of buf[0..20); returns where they
 * start. */
static char *u64_digits(uint64_t v, char buf[20])
{
	char *p = buf + 20;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void jemit_uint(struct jemit *e, uint64_t v)
{
	char buf[20], *p = u64_digits(v > (uint64_t)INT64_MAX ? INT64_MAX : v, buf);

	before_value(e);
	sb_append(e->out, p, (size_t)(buf + 20 - p));
}

/* jansson's jsonp_dtostr: "%.15g", the locale's decimal point as '.',
 * ".0" when neither '.' nor 'e' is in it (so that it reads back as a
 * real), no '+' or leading zeros in the exponent. */
static size_t real_slow(double v, char buf[64])
{
	int n = snprintf(buf, 64, "%.15g", v);
	size_t len = n > 0 && n < 60 ? (size_t)n : 0;

	for (size_t i = 0; i < len; i++)
		if (buf[i] != '-' && buf[i] != '+' && buf[i] != 'e' &&
				(buf[i] < '0' || buf[i] > '9'))
			buf[i] = '.';
	if (!memchr(buf, '.', len) && !memchr(buf, 'e', len)) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	char *start = memchr(buf, 'e', len);
	if (start) {
		start++;
		char *end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, len - (size_t)(end - buf) + 1);
			len -= (size_t)(end - start);
		}
	}
	return len;
}

/* The report's reals are milliseconds rounded to 3 decimals. When v is
 * exactly the double nearest k / 1000 for some 0 <= k < 10^15, "%.15g"
 * prints that decimal itself (it has at most 15 significant digits and v
 * is within half an ulp of it, far closer than half a unit of the 15th
 * digit), without an exponent (v < 10^12, and 0 or at least 0.001): so
 * it is written from k, without printf. Anything else goes the slow
 * way. */
void jemit_real(struct jemit *e, double v)
{
	char buf[64];
	size_t len;

	before_value(e);
	if (v >= 0 && v < 1e12 && !signbit(v)) {
		int64_t k = (int64_t)llround(v * 1000);
		if ((double)k / 1000 == v) {
			char *p = u64_digits((uint64_t)k / 1000, buf);
			unsigned frac = (unsigned)(k % 1000);
			len = (size_t)(buf + 20 - p);
			memmove(buf, p, len);
			buf[len++] = '.';
			if (frac == 0) {
				buf[len++] = '0';
			} else {
				buf[len++] = (char)('0' + frac / 100);
				if (frac % 100) {
					buf[len++] = (char)('0' + frac / 10 % 10);
					if (frac % 10)
						buf[len++] = (char)('0' + frac % 10);
				}
			}
			sb_append(e->out, buf, len);
			return;
		}
	}
	len = real_slow(v, buf);
	sb_append(e->out, buf, len);
}

/* Each line of text indented by its own indent plus the current depth's,
 * but never past JEMIT_INDENT_MAX levels: a plan 1,000 nodes deep (2,000
 * levels of JSON) would otherwise be 34 MB of spaces, its size growing
 * with the square of its depth. Whitespace means nothing to a reader of
 * JSON; plans of sane depth print as jansson dumps them. */
void jemit_dumped(struct jemit *e, const char *text)
{
	const size_t max = 2 * (size_t)JEMIT_INDENT_MAX;

	before_value(e);
	for (const char *nl; (nl = strchr(text, '\n')) != NULL; text = nl + 1) {
		sb_append(e->out, text, (size_t)(nl - text));
		size_t own = strspn(nl + 1, " ");
		size_t cols = 2 * (size_t)e->depth + own;
		if (cols > max)
			cols = max;
		sb_putc(e->out, '\n');
		for (size_t k; cols > 0; cols -= k) {
			k = cols < sizeof(spaces) - 1 ? cols : sizeof(spaces) - 1;
			sb_append(e->out, spaces, k);
		}
		nl += own;
	}
	sb_append(e->out, text, strlen(text));
}
