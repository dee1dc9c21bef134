/* model_text.c: safe text for the terminal, widths, number formats, bars
 * and the line lists the views draw. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "model.h"
#include "strbuf.h"
#include "text_escape.h"
#include "timeutil.h"
#include "util.h"

/* Decodes one UTF-8 sequence; returns its length (0 when invalid) and the
 * code point in *cp. Overlongs, surrogates and values past U+10FFFF are
 * invalid. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((p[0] & 0xe0) == 0xc0) { len = 2; c = p[0] & 0x1f; min = 0x80; }
	else if ((p[0] & 0xf0) == 0xe0) { len = 3; c = p[0] & 0x0f; min = 0x800; }
	else if ((p[0] & 0xf8) == 0xf0) { len = 4; c = p[0] & 0x07; min = 0x10000; }
	else return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The one way human outputs show a log's text (text_escape.h). */
char *tt_sanitize(const char *s, bool one_line)
{
	struct strbuf sb = STRBUF_INIT;
	const char *t = s ? s : "";

	tesc_append(&sb, t, strlen(t), one_line ? TESC_SPACE :
			TESC_KEEP_NL | TESC_SPACE);
	return sb.buf ? sb.buf : xstrdup("");
}

/* Width of one code point: wcwidth when the locale knows it, else 1 (and
 * 2 for the common wide ranges, so that widths do not depend on LC_CTYPE
 * being UTF-8 in tests). */
static int cp_width(uint32_t c)
{
	if (c < 0x300)
		return 1;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	if ((c >= 0x300 && c <= 0x36f) || c == 0x200b || c == 0x200d)
		return 0;
	int w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : w;
}

int tt_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	int w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (k == 0) {
			k = 1;
			cp = '?';
		}
		w += cp_width(cp);
		i += k;
	}
	return w;
}

size_t tt_fit(const char *s, int cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int w = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (k == 0) {
			k = 1;
			cp = '?';
		}
		int cw = cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += k;
	}
	return i;
}

void tt_ellipsize(const char *s, int cols, char *out, size_t outlen)
{
	if (cols <= 0 || outlen < 4) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	size_t len;
	const char *dots = "";
	if (tt_width(s) <= cols) {
		len = strlen(s);
	} else {
		len = tt_fit(s, cols - 1);
		dots = "\xe2\x80\xa6";
	}
	if (len + strlen(dots) + 1 > outlen)
		len = outlen - strlen(dots) - 1;
	/* Never cut inside a UTF-8 sequence. */
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	memcpy(out, s, len);
	strcpy(out + len, dots);
}

void tt_fmt_ms(double ms, char *out, size_t n)
{
	if (!isfinite(ms))
		snprintf(out, n, "-");
	else if (ms < 1)
		snprintf(out, n, "%.0f us", ms * 1000);
	else if (ms < MS_PER_SEC)
		snprintf(out, n, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
	else if (ms < MS_PER_MIN)
		snprintf(out, n, "%.2f s", ms / MS_PER_SEC);
	else if (ms < MS_PER_HOUR)
		snprintf(out, n, "%.1f min", ms / MS_PER_MIN);
	else
		snprintf(out, n, "%.1f h", ms / MS_PER_HOUR);
}

void tt_fmt_count(double v, char *out, size_t n)
{
	if (!isfinite(v) || v < 0) {
		snprintf(out, n, "-");
		return;
	}
	if (v >= 1e8) {
		snprintf(out, n, v >= 1e9 ? "%.1fG" : "%.0fM", v >= 1e9 ? v / 1e9 : v / 1e6);
		return;
	}
	char digits[32], buf[48];
	snprintf(digits, sizeof(digits), "%.0f", v);
	size_t len = strlen(digits), j = 0;
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	snprintf(out, n, "%s", buf);
}

const char *tt_plural(double n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void tt_fmt_bytes(double b, char *out, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", b, unit[u]);
}

void tt_bar(double value, double max, int width, char *out, size_t n)
{
	static const char *const eighths[] = { "", "\xe2\x96\x8f", "\xe2\x96\x8e",
		"\xe2\x96\x8d", "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89" };
	size_t j = 0;
	out[0] = '\0';
	if (!(max > 0) || !(value > 0) || width <= 0)
		return;
	long cells8 = lround(value / max * width * 8);
	if (cells8 < 1)
		cells8 = 1;
	if (cells8 > width * 8L)
		cells8 = width * 8L;
	for (long i = 0; i < cells8 / 8 && j + 4 < n; i++, j += 3)
		memcpy(out + j, "\xe2\x96\x88", 3);
	const char *e = eighths[cells8 % 8];
	if (j + strlen(e) + 1 < n) {
		memcpy(out + j, e, strlen(e));
		j += strlen(e);
	}
	out[j] = '\0';
}

void tt_sparkline(const double *v, size_t nv, char *out, size_t outlen)
{
	double max = 0;
	size_t j = 0;
	for (size_t i = 0; i < nv; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t i = 0; i < nv && j + 4 < outlen; i++) {
		if (!(v[i] > 0)) {
			out[j++] = ' ';
			continue;
		}
		int level = max > 0 ? (int)ceil(v[i] / max * 8) : 1;
		if (level < 1)
			level = 1;
		if (level > 8)
			level = 8;
		/* U+2581..U+2588 */
		out[j++] = '\xe2';
		out[j++] = '\x96';
		out[j++] = (char)(0x80 + level);
	}
	out[j] = '\0';
}

void *tt_regex_new(const char *pattern, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "bad pattern at offset %zu: %s", (size_t)off, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

void tt_regex_free(void *re)
{
	if (re)
		pcre2_code_free(re);
}

bool tt_regex_match(const void *re, const char *s)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

bool tt_regex_span(const void *re, const char *s, size_t from, size_t *start, size_t *end)
{
	size_t len = strlen(s);
	if (from > len)
		return false;
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)s, len, from, 0, md, NULL);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		*start = ov[0];
		*end = ov[1];
	}
	pcre2_match_data_free(md);
	return rc >= 0;
}

bool tt_parse_ts(const char *s, int64_t *ms)
{
	int64_t tod;
	if (!s || !ts_parse_cli(s, ms, &tod) || *ms == TS_NONE)
		return false;
	return true;
}

/* ---- line lists ---- */

static void tlines_push(struct tlines *l, enum tstyle st, enum tline_kind kind,
		size_t ref, char *text)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = (struct tline){ .text = text, .style = st, .kind = kind, .ref = ref };
}

void tlines_add(struct tlines *l, enum tstyle st, enum tline_kind kind, size_t ref,
		const char *fmt, ...)
{
	va_list ap;
	char *raw;
	va_start(ap, fmt);
	if (vasprintf(&raw, fmt, ap) < 0)
		raw = NULL;
	va_end(ap);
	char *clean = tt_sanitize(raw ? raw : "", false);
	free(raw);
	char *start = clean;
	for (;;) {
		char *nl = strchr(start, '\n');
		if (!nl) {
			tlines_push(l, st, kind, ref, xstrdup(start));
			break;
		}
		*nl = '\0';
		tlines_push(l, st, kind, ref, xstrdup(start));
		start = nl + 1;
	}
	free(clean);
}

void tlines_wrap(struct tlines *l, enum tstyle st, const char *text, int width, int indent)
{
	tlines_wrap_as(l, st, TL_TEXT, 0, text, width, indent, indent);
}

void tlines_wrap_as(struct tlines *l, enum tstyle st, enum tline_kind kind, size_t ref,
		const char *text, int width, int indent, int hang)
{
	if (width < 20)
		width = 20;
	if (indent < 0 || indent > width / 2)
		indent = 0;
	if (hang < 0 || hang > width / 2)
		hang = 0;
	char *clean = tt_sanitize(text, false);
	char *line = clean;
	bool first = true;
	for (;;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *p = line;
		do {
			/* Every line after the first hangs: its room is what the
			 * indent it is drawn with leaves, so no character passes
			 * the edge (a continuation indented more than the room
			 * it was cut for lost its end off screen). */
			int ind = first ? indent : hang;
			size_t fit = tt_fit(p, width - ind), skip = 0;
			if (p[fit] == ' ') {
				/* The space just past the edge is the break. */
				skip = 1;
			} else if (p[fit] != '\0') {
				/* Break at the last space that keeps half the line. */
				size_t cut = fit;
				while (cut > fit / 2 && p[cut] != ' ')
					cut--;
				if (cut > fit / 2)
					fit = cut + 1;
			}
			if (fit == 0)
				fit = strlen(p) ? 1 : 0;
			tlines_add(l, st, kind, ref, "%*s%.*s", ind, "", (int)fit, p);
			first = false;
			p += fit + skip;
		} while (*p);
		if (!nl)
			break;
		line = nl + 1;
	}
	free(clean);
}

void tlines_clear(struct tlines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	*l = (struct tlines){ 0 };
}

long tlines_find(const struct tlines *l, size_t from, const void *re)
{
	return tlines_find_dir(l, from, re, false);
}

long tlines_find_dir(const struct tlines *l, size_t from, const void *re, bool backwards)
{
	for (size_t k = 0; k < l->n; k++) {
		size_t i = backwards ? (from + l->n - k % l->n) % l->n : (from + k) % l->n;
		if (tt_regex_match(re, l->v[i].text))
			return (long)i;
	}
	return -1;
}
