/* jstr.c: JSON string pieces read exactly as jansson reads them (see jstr.h).
 * They started in parsers/jsonlog_scan.c; the JSON plan scanner
 * (analyzer/logline/pgmsg_json.c) reads strings by the same rules. */
#include <stdbool.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <string.h>

#include "jstr.h"

const char *jstr_plain_run(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(' ');
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Signed: bytes >= 0x80 are negative, so "< ' '" takes them too. */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
				_mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space));
		int bits = _mm_movemask_epi8(m);
		if (bits)
			return p + __builtin_ctz((unsigned)bits);
		p += 16;
	}
#endif
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			break;
		p++;
	}
	return p;
}

/* The checks jansson's utf8_check_full makes. */
size_t jstr_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned v;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10FFFF
			|| (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	return n;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static char *put_utf8(char *o, unsigned v)
{
	if (v < 0x80) {
		*o++ = (char)v;
	} else if (v < 0x800) {
		*o++ = (char)(0xC0 | (v >> 6));
		*o++ = (char)(0x80 | (v & 0x3F));
	} else if (v < 0x10000) {
		*o++ = (char)(0xE0 | (v >> 12));
		*o++ = (char)(0x80 | ((v >> 6) & 0x3F));
		*o++ = (char)(0x80 | (v & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (v >> 18));
		*o++ = (char)(0x80 | ((v >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((v >> 6) & 0x3F));
		*o++ = (char)(0x80 | (v & 0x3F));
	}
	return o;
}

char *jstr_unescape(const char **pp, const char *end, char *o)
{
	const char *p = *pp;
	if (p >= end)
		return NULL;
	char c = *p++;
	switch (c) {
	case '"': case '\\': case '/': *o++ = c; break;
	case 'b': *o++ = '\b'; break;
	case 'f': *o++ = '\f'; break;
	case 'n': *o++ = '\n'; break;
	case 'r': *o++ = '\r'; break;
	case 't': *o++ = '\t'; break;
	case 'u': {
		if (end - p < 4)
			return NULL;
		int v = hex4(p);
		p += 4;
		if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF))
			return NULL;
		if (v >= 0xD800 && v <= 0xDBFF) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
				return NULL;
			int lo = hex4(p + 2);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return NULL;
			p += 6;
			o = put_utf8(o, 0x10000 + (((unsigned)v - 0xD800) << 10)
				+ ((unsigned)lo - 0xDC00));
		} else {
			o = put_utf8(o, (unsigned)v);
		}
		break;
	}
	default:
		return NULL;
	}
	*pp = p;
	return o;
}

size_t jstr_literal_len(const char *p, const char *end)
{
	static const char *const lits[] = { "true", "false", "null" };
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		size_t n = strlen(lits[i]);
		if ((size_t)(end - p) >= n && memcmp(p, lits[i], n) == 0)
			return n;
	}
	return 0;
}

char *jstr_copy_unescaped(const char *p, const char *end, char *o)
{
	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		const char *q = bs ? bs : end;
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		if (!bs)
			break;
		p = bs + 1;
		if (!(o = jstr_unescape(&p, end, o)))
			return NULL;
	}
	return o;
}

const char *jstr_read(const char *p, const char *end, char **buf,
		struct slice *text)
{
	bool escaped = false;
	const char *after = jstr_skip(p, end, &escaped);
	if (!after || !text)
		return after;
	const char *close = after - 1;
	if (!escaped) {
		*text = slice_make(p, (size_t)(close - p));
		return after;
	}
	/* jstr_skip() took every escape: none is refused here. */
	char *o = jstr_copy_unescaped(p, close, *buf);
	if (!o)
		return NULL;
	*text = slice_make(*buf, (size_t)(o - *buf));
	*buf = o;
	return after;
}

const char *jstr_skip(const char *p, const char *end, bool *escaped)
{
	for (;;) {
		p = jstr_plain_run(p, end);
		if (p >= end)
			return NULL;
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c == '\\') {
			char tmp[4];
			p++;
			if (!jstr_unescape(&p, end, tmp))
				return NULL;
			if (escaped)
				*escaped = true;
			continue;
		}
		size_t n = c < 0x20 ? 0 :       /* raw control bytes: invalid JSON */
			jstr_utf8_len((const unsigned char *)p, (const unsigned char *)end);
		if (n == 0)
			return NULL;
		p += n;
	}
}
