/* report_md_common.c: numbers and log text as every part of the Markdown
 * report writes them (see report_md.h). It sits below report_md.c and the
 * section writers, so that no section calls back into the file that
 * calls it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "report.h"
#include "report_md.h"
#include "strbuf.h"
#include "text_escape.h"

/* ---- numbers ---- */

const char *md_fmt_count(uint64_t v, char *out, size_t outlen)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	report_group_thousands(tmp, out, outlen);
	return out;
}

const char *md_fmt_ms(double ms, char *out, size_t outlen)
{
	char tmp[64];
	if (!isfinite(ms) || fabs(ms) > 1e15) {
		snprintf(out, outlen, "-");
		return out;
	}
	snprintf(tmp, sizeof(tmp), "%.*f", fabs(ms) < 1000 ? 3 : 1, ms);
	report_group_thousands(tmp, out, outlen);
	return out;
}

const char *md_s(uint64_t n)
{
	return n == 1 ? "" : "s";
}

const char *md_fmt_bytes(uint64_t b, char *out, size_t outlen)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	if (b < 1024) {
		snprintf(out, outlen, "%u B", (unsigned)b);
		return out;
	}
	double v = (double)b / 1024;
	size_t u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(out, outlen, "%.1f %s", v, units[u]);
	return out;
}

/* " (3 h 25 min)" for a long duration, "" under a second. */
const char *md_fmt_human(double ms, char *out, size_t outlen)
{
	double s = ms / 1000;

	if (!isfinite(s) || s < 1 || s > 1e12)
		snprintf(out, outlen, "%s", "");
	else if (s < 60)
		snprintf(out, outlen, " (%.1f s)", s);
	else if (s < 3600)
		snprintf(out, outlen, " (%d min %d s)", (int)(s / 60),
				(int)fmod(s, 60));
	else if (s < 86400)
		snprintf(out, outlen, " (%d h %d min)", (int)(s / 3600),
				(int)fmod(s, 3600) / 60);
	else
		snprintf(out, outlen, " (%.0f d %d h)", floor(s / 86400),
				(int)fmod(s, 86400) / 3600);
	return out;
}

/* ---- text that comes from the logs ---- */

static size_t longest_backtick_run(const char *s, size_t len)
{
	size_t best = 0, run = 0;
	for (size_t i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void put_backticks(FILE *out, size_t n)
{
	while (n--)
		fputc('`', out);
}

/* Writes s as a code span on one line: line breaks and tabs become
 * spaces, other controls show escaped (text_escape.h), and past max_chars
 * (code points, 0: no limit) the text is cut with an ellipsis. The fence is one backtick longer than any run inside, padded
 * with a space when the text starts or ends with a backtick or a space
 * (CommonMark strips one space each side). In a table a '|' is escaped as
 * "\|" (GFM splits cells before it looks at code spans). A backslash right
 * before a '|' gets one more, or GFM would read "\\" as an escaped
 * backslash and the '|' as a cell border: GitHub then shows one backslash
 * too many there, which beats a broken table. */
void md_code(FILE *out, const char *s, size_t max_chars, bool in_table,
		struct strbuf *sb)
{
	size_t chars = 0, i;

	if (!s)
		s = "";
	size_t n = strlen(s);
	char esc[TESC_UNIT_MAX];
	sb_reset(sb);
	for (i = 0; i < n;) {
		const char *o;
		size_t olen;
		if (max_chars && chars++ == max_chars)
			break;
		i += tesc_unit(s + i, n - i, TESC_SPACE, esc, &o, &olen);
		sb_append(sb, o, olen);
	}
	if (s[i]) {
		while (sb->len && sb->buf[sb->len - 1] == ' ')
			sb->buf[--sb->len] = '\0';
		sb_append(sb, "\xe2\x80\xa6", 3);       /* "…" */
	}
	if (sb->len == 0) {
		fputs("(empty)", out);
		return;
	}

	const char *t = sb->buf;
	size_t len = sb->len;
	size_t fence = longest_backtick_run(t, len) + 1;
	bool pad = t[0] == '`' || t[len - 1] == '`' ||
		t[0] == ' ' || t[len - 1] == ' ';

	put_backticks(out, fence);
	if (pad)
		fputc(' ', out);
	size_t bs = 0;  /* backslashes just written */
	for (i = 0; i < len; i++) {
		if (in_table && t[i] == '|') {
			if (bs % 2)
				fputc('\\', out);
			fputs("\\|", out);
			bs = 0;
			continue;
		}
		bs = t[i] == '\\' ? bs + 1 : 0;
		fputc(t[i], out);
	}
	if (pad)
		fputc(' ', out);
	put_backticks(out, fence);
}

/* A fenced code block holding s verbatim but for controls, shown escaped
 * (cut past max_bytes, 0: no limit). The fence is longer than any backtick run in s, so no line of s
 * can close it. */
void md_code_block(FILE *out, const char *info, const char *s,
		size_t max_bytes)
{
	size_t len = s ? strlen(s) : 0;
	size_t shown = len;

	if (max_bytes && len > max_bytes) {
		shown = max_bytes;
		/* Do not cut a UTF-8 sequence in two. */
		while (shown > 0 && ((unsigned char)s[shown] & 0xc0) == 0x80)
			shown--;
	}
	size_t fence = longest_backtick_run(s ? s : "", shown) + 1;
	if (fence < 3)
		fence = 3;

	put_backticks(out, fence);
	fprintf(out, "%s\n", info);
	struct strbuf esc = STRBUF_INIT;
	tesc_append(&esc, s, shown, TESC_KEEP_NL | TESC_KEEP_TAB);
	if (esc.len)
		fwrite(esc.buf, 1, esc.len, out);
	sb_release(&esc);
	if (shown > 0 && s[shown - 1] != '\n')
		fputc('\n', out);
	if (shown < len)
		fprintf(out, "-- (cut: %zu more bytes)\n", len - shown);
	put_backticks(out, fence);
	fputs("\n\n", out);
}

void md_name_counts(FILE *out, const char *label, const struct ev_counts *nc,
		size_t listed, const char *rest_words, struct strbuf *sb)
{
	char b[32];
	uint64_t rest = nc->other;

	if (nc->n == 0 && nc->other == 0)
		return;
	fprintf(out, "- %s: ", label);
	for (size_t i = 0; i < nc->n; i++) {
		if (i >= listed) {
			rest += nc->v[i].count;
			continue;
		}
		if (i)
			fputs(", ", out);
		md_code(out, nc->v[i].name[0] ? nc->v[i].name : "(none)", 0, false, sb);
		fprintf(out, " (%s)", md_fmt_count(nc->v[i].count, b, sizeof(b)));
	}
	if (rest)
		fprintf(out, "%s%s %s", nc->n ? ", " : "", md_fmt_count(rest, b, sizeof(b)),
			rest_words);
	fputc('\n', out);
}

const char *md_fmt_pct(double v, char *out, size_t outlen)
{
	if (isnan(v))
		snprintf(out, outlen, "-");
	else
		snprintf(out, outlen, "%+.0f%%", v);
	return out;
}
