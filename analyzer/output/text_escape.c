/* text_escape.c: text from a log shown safely (see text_escape.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_emit.h"
#include "text_escape.h"
#include "util.h"

/* Code points that reorder or hide text (bidi marks, embeddings,
 * overrides and isolates, the Arabic letter mark, the BOM) or that some
 * viewers take as a line break (U+2028, U+2029). */
static bool is_format_control(uint32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
		c == 0x200e || c == 0x200f || c == 0x061c || c == 0xfeff ||
		c == 0x2028 || c == 0x2029;
}

static uint32_t decode(const unsigned char *p, size_t k)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = p[0] & lead_mask[k];
	for (size_t i = 1; i < k; i++)
		c = (c << 6) | (p[i] & 0x3f);
	return c;
}

size_t tesc_unit(const char *s, size_t n, unsigned flags,
		char buf[TESC_UNIT_MAX], const char **out, size_t *outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	unsigned char b = p[0];

	*out = s;
	*outlen = 1;
	if (b >= 0x20 && b < 0x7f) {
		if (flags & TESC_HTML) {
			const char *ent = b == '&' ? "&amp;" : b == '<' ? "&lt;" :
				b == '>' ? "&gt;" : b == '"' ? "&quot;" : b == '\'' ?
				"&#39;" : NULL;
			if (ent) {
				*out = ent;
				*outlen = strlen(ent);
			}
		}
		return 1;
	}
	if ((flags & TESC_JSON) && b < 0x7f)
		return 1;
	if (b == '\n' || b == '\t' || b == '\r') {
		if (b == '\r' && (flags & TESC_KEEP_NL) && n > 1 && p[1] == '\n') {
			*out = s + 1;
			return 2;
		}
		if ((b == '\n' && (flags & TESC_KEEP_NL)) ||
				(b == '\t' && (flags & TESC_KEEP_TAB)))
			return 1;
		if (flags & TESC_SPACE) {
			*out = " ";
			return 1;
		}
	}
	size_t k = b < 0x80 ? 1 : jemit_utf8_seq(p, n);
	if (k > 1) {
		uint32_t c = decode(p, k);
		*outlen = k;
		if (c > 0x9f && !is_format_control(c))
			return k;
		/* In JSON, jansson's capitals ("\u001B"). */
		const char *digits = flags & TESC_JSON ? "0123456789ABCDEF" : hex;
		buf[0] = '\\';
		buf[1] = 'u';
		for (int i = 0; i < 4; i++)
			buf[2 + i] = digits[(c >> (12 - 4 * i)) & 15];
		*out = buf;
		*outlen = 6;
		return k;
	}
	if ((flags & TESC_JSON) && b != 0x7f)
		return 1;       /* not from the JSON writers, which clean strings */
	if (flags & TESC_JSON) {
		memcpy(buf, "\\u007F", 6);
		*out = buf;
		*outlen = 6;
		return 1;
	}
	/* A C0 control, DEL, or a byte that starts no valid sequence. */
	buf[0] = '\\';
	buf[1] = 'x';
	buf[2] = hex[b >> 4];
	buf[3] = hex[b & 15];
	*out = buf;
	*outlen = 4;
	return 1;
}

/* The bytes at the start of s[0..n) that pass as they are, one by one:
 * printable ASCII (any ASCII but DEL under TESC_JSON). Eight at a time:
 * a JSON report is mostly that, and passes here whole. On a log of 20,000
 * distinct statements (a 50 MB report, callgrind) the guard cost 0.45 G
 * instructions a byte at a time (4.8 % of the run), 0.10 G so (1.1 %). */
static size_t plain_run(const char *s, size_t n, unsigned flags)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones << 7;
	const uint64_t low = flags & TESC_JSON ? 0 : ones * 0x20;
	size_t i = 0;

	if (flags & TESC_HTML)
		return 0;       /* & < > " ' do not pass */
	for (uint64_t x; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		/* High bits of bytes past 0x7e, or under low; exact for the
		 * first such byte, all that matters here. */
		if ((((x + ones) | x | ((x - low) & ~x)) & high) != 0)
			break;
	}
	while (i < n && (unsigned char)s[i] < 0x7f &&
			(unsigned char)s[i] >= (flags & TESC_JSON ? 0 : 0x20))
		i++;
	return i;
}

void tesc_append(struct strbuf *sb, const char *s, size_t n, unsigned flags)
{
	char buf[TESC_UNIT_MAX];
	size_t i = 0;

	sb_grow(sb, n);
	/* Terminated when nothing is appended too (s empty): sb_grow() only
	 * allocates, and the TUI read an empty help line's buffer past its
	 * end (ASan, tui_e2e resize). */
	sb->buf[sb->len] = '\0';
	while (i < n) {
		size_t run = plain_run(s + i, n - i, flags);
		if (run) {
			sb_append(sb, s + i, run);
			i += run;
			continue;
		}
		const char *o;
		size_t olen;
		i += tesc_unit(s + i, n - i, flags, buf, &o, &olen);
		sb_append(sb, o, olen);
	}
}

bool tesc_is_safe(const char *s, size_t n, unsigned flags)
{
	char buf[TESC_UNIT_MAX];
	for (size_t i = 0; i < n;) {
		const char *o;
		size_t olen, k = tesc_unit(s + i, n - i, flags, buf, &o, &olen);
		if (o != s + i || olen != k)
			return false;
		i += k;
	}
	return true;
}

/* ---- the stream ---- */

struct tesc_stream {
	FILE *out;
	unsigned flags;
	char pending[4];        /* the start of a sequence cut by a write */
	size_t npending;
};

/* How many bytes at the end of p[0..n) could start a UTF-8 sequence that
 * the next write completes. */
static size_t open_tail(const unsigned char *p, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char b = p[n - back];
		if ((b & 0xc0) == 0x80)
			continue;
		size_t need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > back ? back : 0;
	}
	return 0;
}

/* Plain runs go out as they are, without a copy. */
static int stream_put(struct tesc_stream *t, const char *s, size_t n)
{
	char buf[TESC_UNIT_MAX];

	for (size_t i = 0; i < n;) {
		const char *o;
		size_t olen, run = plain_run(s + i, n - i, t->flags);
		if (run) {
			o = s + i;
			olen = run;
			i += run;
		} else {
			i += tesc_unit(s + i, n - i, t->flags, buf, &o, &olen);
		}
		if (fwrite(o, 1, olen, t->out) != olen)
			return -1;
	}
	return 0;
}

static ssize_t stream_write(void *cookie, const char *data, size_t size)
{
	struct tesc_stream *t = cookie;
	const char *s = data;
	size_t n = size;
	char joined[8];

	/* Finish a sequence the last write cut: at most 3 more bytes. */
	while (t->npending && n) {
		size_t take = n < 4 - t->npending ? n : 4 - t->npending;
		memcpy(joined, t->pending, t->npending);
		memcpy(joined + t->npending, s, take);
		size_t have = t->npending + take;
		size_t tail = open_tail((const unsigned char *)joined, have);
		if (tail == have && have < 4 && take == n) {
			memcpy(t->pending, joined, have);
			t->npending = have;
			return (ssize_t)size;
		}
		/* Write the first unit of joined, then carry on from s. */
		char buf[TESC_UNIT_MAX];
		const char *o;
		size_t olen, k = tesc_unit(joined, have, t->flags, buf, &o, &olen);
		if (fwrite(o, 1, olen, t->out) != olen)
			return -1;
		if (k >= t->npending) {
			s += k - t->npending;
			n -= k - t->npending;
			t->npending = 0;
		} else {
			memmove(t->pending, t->pending + k, t->npending - k);
			t->npending -= k;
		}
	}
	size_t tail = open_tail((const unsigned char *)s, n);
	if (stream_put(t, s, n - tail) != 0)
		return -1;
	memcpy(t->pending, s + n - tail, tail);
	t->npending = tail;
	return (ssize_t)size;
}

static int stream_close(void *cookie)
{
	struct tesc_stream *t = cookie;
	int rc = stream_put(t, t->pending, t->npending);
	free(t);
	return rc;
}

FILE *tesc_stream(FILE *out, unsigned flags)
{
	struct tesc_stream *t = xcalloc(1, sizeof(*t));
	cookie_io_functions_t io = { .write = stream_write, .close = stream_close };

	t->out = out;
	t->flags = flags;
	FILE *f = fopencookie(t, "w", io);
	if (!f)
		free(t);
	return f;
}
