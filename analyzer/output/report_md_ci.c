/* report_md_ci.c: what the Markdown report needs in CI (see report_md_ci.h).
 *
 * A job summary (GitHub) or merge-request comment is read first for its
 * verdict, must not break on any input, and has a size limit (GitHub
 * rejects a step summary over 1 MiB). So: the verdict comes first; long
 * parts are folded in <details>; and the whole report goes through a
 * stream that stops passing lines on before the limit, at a line boundary,
 * closing whatever code fence or <details> was open. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "baseline.h"
#include "findings.h"
#include "gates.h"
#include "report_md.h"
#include "report_md_ci.h"
#include "text_escape.h"

#define QUERY_CHARS 80          /* query text in a table cell or a summary */
#define CAP_RESERVE 1024        /* room kept for the closing note */

/* ---- HTML text and folds ---- */

void md_html_text(FILE *out, const char *s, size_t max_chars)
{
	size_t chars = 0, n = s ? strlen(s) : 0;
	char esc[TESC_UNIT_MAX];

	for (size_t i = 0; i < n;) {
		if (max_chars && chars++ == max_chars) {
			fputs("\xe2\x80\xa6", out);
			return;
		}
		const char *o;
		size_t olen, k = tesc_unit(s + i, n - i, TESC_SPACE, esc, &o, &olen);
		switch (o == s + i ? s[i] : '\0') {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fwrite(o, 1, olen, out);
		}
		i += k;
	}
}

void md_fold_begin(FILE *out, const char *summary, size_t max_chars)
{
	fputs("<details><summary>", out);
	md_html_text(out, summary, max_chars);
	fputs("</summary>\n\n", out);
}

void md_fold_end(FILE *out)
{
	fputs("</details>\n\n", out);
}

void md_fold_group(FILE *out, size_t rank, const struct group *g,
		struct strbuf *sb)
{
	char b[3][64], line[256];

	if (g->timed_calls)
		snprintf(line, sizeof(line), "%zu. %s ms in %s call%s, P95 %s ms: ", rank,
			md_fmt_ms(g->total_ms, b[0], sizeof(b[0])),
			md_fmt_count(g->calls, b[1], sizeof(b[1])), md_s(g->calls),
			md_fmt_ms(group_pct(g, 0.95), b[2], sizeof(b[2])));
	else
		snprintf(line, sizeof(line), "%zu. %s call%s: ", rank,
			md_fmt_count(g->calls, b[1], sizeof(b[1])), md_s(g->calls));
	sb_reset(sb);
	sb_append(sb, line, strlen(line));
	if (g->query)
		sb_append(sb, g->query, strlen(g->query));
	md_fold_begin(out, sb->buf, strlen(line) + QUERY_CHARS);
}

/* ---- verdict ---- */

static const char *const metric_label[] = {
	[GM_P50] = "P50", [GM_P95] = "P95", [GM_P99] = "P99", [GM_MEAN] = "mean",
	[GM_MAX] = "max", [GM_TOTAL] = "total", [GM_CALLS] = "calls",
};

/* "3 groups, worst P95 1,234.6 ms: `SELECT ...`" for one gate. */
static void md_gate_detail(FILE *out, const struct check_result *c,
		const struct gate_result *r, struct strbuf *sb)
{
	char b[64], h[64];
	const struct gate_rule *rule = &r->rule;
	size_t n = r->matches;

	switch (rule->metric) {
	case GM_SEVERITY:
	case GM_FINDING:
		fprintf(out, "%zu finding%s", n, n == 1 ? "" : "s");
		if (r->known)
			fprintf(out, " (and %zu already in the baseline, not counted)", r->known);
		if (r->finding) {
			fputs("; first: ", out);
			md_code(out, r->finding->title, QUERY_CHARS * 2, false, sb);
		}
		return;
	case GM_NEW_FINGERPRINT:
		fprintf(out, "%zu group%s of the top %zu not in the baseline", n,
			n == 1 ? "" : "s", c->diff ? c->diff->top : 0);
		break;
	case GM_REGRESSION:
		fprintf(out, "%zu group%s grew", n, n == 1 ? "" : "s");
		if (r->group && n)
			fprintf(out, ", worst +%.0f%%", r->value);
		break;
	default:
		fprintf(out, "%zu group%s", n, n == 1 ? "" : "s");
		if (!r->group)
			break;
		if (rule->metric == GM_CALLS)
			fprintf(out, "; highest %s call%s", md_fmt_count((uint64_t)r->value, b,
				sizeof(b)), md_s((uint64_t)r->value));
		else
			fprintf(out, "; highest %s %s ms%s",
				metric_label[rule->metric],
				md_fmt_ms(r->value, b, sizeof(b)), md_fmt_human(r->value, h, sizeof(h)));
		break;
	}
	if (r->group && (n || rule->metric < GM_SEVERITY)) {
		fputs(": ", out);
		md_code(out, r->group->query, QUERY_CHARS, false, sb);
	}
}

void md_write_verdict(FILE *out, const struct analysis *a, struct strbuf *sb)
{
	const struct check_result *c = a->check;
	if (!c || !c->results)
		return;
	size_t nfailed = 0;
	for (size_t i = 0; i < c->n; i++)
		nfailed += c->results[i].failed;

	if (c->failed) {
		fprintf(out, "**\xe2\x9d\x8c Check failed**: %zu of %zu gate%s:", nfailed,
			c->n, c->n == 1 ? "" : "s");
		bool first = true;
		for (size_t i = 0; i < c->n; i++) {
			const struct gate_result *r = &c->results[i];
			if (!r->failed)
				continue;
			fputs(first ? " " : "; ", out);
			first = false;
			md_code(out, r->rule.text, 0, false, sb);
			fputs(" (", out);
			md_gate_detail(out, c, r, sb);
			fputs(")", out);
		}
		fputs(".\n\n", out);
	} else {
		fprintf(out, "**\xe2\x9c\x85 Check passed**: no gate failed (%zu gate%s%s).\n\n",
			c->n, c->n == 1 ? "" : "s", c->default_rules ?
			", the default: any critical finding" : "");
	}
	fputs("| gate | result | on what |\n| --- | --- | --- |\n", out);
	for (size_t i = 0; i < c->n; i++) {
		const struct gate_result *r = &c->results[i];
		fputs("| ", out);
		md_code(out, r->rule.text, 0, true, sb);
		fprintf(out, " | %s | ", r->failed ? "\xe2\x9d\x8c failed" : "\xe2\x9c\x85 passed");
		/* The cell is one line of Markdown; md_code escapes its '|'. */
		md_gate_detail(out, c, r, sb);
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

/* ---- baseline comparison ---- */

static void md_regressions(FILE *out, const struct baseline_diff *d, size_t top,
		struct strbuf *sb)
{
	char c[8][64];

	if (d->nregressions == 0) {
		fprintf(out, "No group's P95 or total time grew by more than %g%%.\n\n",
			d->threshold_pct);
		return;
	}
	fprintf(out, "Regressions (P95 or total time up more than %g%%):\n\n"
		"| # | P95 before (ms) | P95 now (ms) | P95 | total before (ms) "
		"| total now (ms) | total | calls before | calls now | query |\n"
		"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
		d->threshold_pct);
	for (size_t i = 0; i < d->nregressions && i < top; i++) {
		const struct baseline_regression *r = &d->regressions[i];
		const struct group *g = r->group;
		fprintf(out, "| %zu | %s | %s | %s%s%s | %s | %s | %s%s%s | %s | %s | ", i + 1,
			md_fmt_ms(r->old->p95_ms, c[0], sizeof(c[0])),
			g->timed_calls ? md_fmt_ms(group_pct(g, 0.95), c[1], sizeof(c[1])) : "-",
			r->p95_grew ? "**" : "", md_fmt_pct(r->p95_pct, c[2], sizeof(c[2])),
			r->p95_grew ? "**" : "",
			md_fmt_ms(r->old->total_ms, c[3], sizeof(c[3])),
			md_fmt_ms(g->total_ms, c[4], sizeof(c[4])),
			r->total_grew ? "**" : "", md_fmt_pct(r->total_pct, c[5], sizeof(c[5])),
			r->total_grew ? "**" : "",
			md_fmt_count(r->old->calls, c[6], sizeof(c[6])),
			md_fmt_count(g->calls, c[7], sizeof(c[7])));
		md_code(out, g->query, QUERY_CHARS, true, sb);
		fputs(" |\n", out);
	}
	fputc('\n', out);
	if (d->nregressions > top)
		fprintf(out, "%zu more regression%s in the JSON report (`-f json`).\n\n",
			d->nregressions - top, md_s(d->nregressions - top));
}

void md_write_baseline(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct check_result *c = a->check;
	char b[3][64];
	char summary[128];

	if (!c || !c->diff || !c->baseline)
		return;
	const struct baseline_diff *d = c->diff;
	size_t top = opts && opts->top ? opts->top : 20;

	fputs("## Compared with the baseline\n\n", out);
	fputs("Baseline ", out);
	md_code(out, baseline_path(c->baseline), 0, false, sb);
	fprintf(out, ": %s group%s, %s of them seen again (matched by fingerprint, "
		"so literals and IN-list lengths do not count).\n\n",
		md_fmt_count(baseline_ngroups(c->baseline), b[0], sizeof(b[0])),
		md_s(baseline_ngroups(c->baseline)),
		md_fmt_count(d->matched, b[1], sizeof(b[1])));
	md_regressions(out, d, top, sb);

	if (d->nadded) {
		snprintf(summary, sizeof(summary), "New in the top %zu: %zu group%s",
			d->top, d->nadded, d->nadded == 1 ? "" : "s");
		md_fold_begin(out, summary, 0);
		fputs("| total (ms) | calls | P95 (ms) | query |\n| ---: | ---: | ---: | --- |\n", out);
		for (size_t i = 0; i < d->nadded; i++) {
			const struct group *g = d->added[i];
			fprintf(out, "| %s | %s | %s | ",
				md_fmt_ms(g->total_ms, b[0], sizeof(b[0])),
				md_fmt_count(g->calls, b[1], sizeof(b[1])),
				g->timed_calls ? md_fmt_ms(group_pct(g, 0.95), b[2], sizeof(b[2])) : "-");
			md_code(out, g->query, QUERY_CHARS, true, sb);
			fputs(" |\n", out);
		}
		fputc('\n', out);
		md_fold_end(out);
	} else {
		fprintf(out, "No new group in the top %zu.\n\n", d->top);
	}
	if (d->ngone) {
		snprintf(summary, sizeof(summary), "Gone from the baseline's top %zu: "
			"%zu group%s", d->top, d->ngone, d->ngone == 1 ? "" : "s");
		md_fold_begin(out, summary, 0);
		fputs("| was # | total then (ms) | calls then | query |\n"
		      "| ---: | ---: | ---: | --- |\n", out);
		for (size_t i = 0; i < d->ngone; i++) {
			const struct baseline_group *g = d->gone[i];
			fprintf(out, "| %zu | %s | %s | ", g->rank,
				md_fmt_ms(g->total_ms, b[0], sizeof(b[0])),
				md_fmt_count(g->calls, b[1], sizeof(b[1])));
			md_code(out, g->query, QUERY_CHARS, true, sb);
			fputs(" |\n", out);
		}
		fputc('\n', out);
		md_fold_end(out);
	}
}

/* ---- the size limit ---- */

struct cap {
	FILE *out;
	size_t max, written, dropped, dropped_lines;
	bool cut, failed;
	int err;
	struct strbuf line;
	size_t fence;           /* length of the open code fence, 0: none */
	char fence_ch;
	unsigned details;       /* <details> open */
};

/* Follows code fences and <details> so that a cut can close them. */
static void cap_track(struct cap *c, const char *s, size_t len)
{
	size_t i = 0;
	while (i < 3 && i < len && s[i] == ' ')
		i++;
	char ch = i < len ? s[i] : '\0';
	if (ch == '`' || ch == '~') {
		size_t run = 0;
		while (i + run < len && s[i + run] == ch)
			run++;
		if (run >= 3) {
			if (!c->fence) {
				c->fence = run;
				c->fence_ch = ch;
				return;
			}
			size_t k = i + run;
			while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n'))
				k++;
			if (ch == c->fence_ch && run >= c->fence && k == len)
				c->fence = 0;
			return;
		}
	}
	if (c->fence)
		return;
	if (len - i >= 8 && strncmp(s + i, "<details", 8) == 0)
		c->details++;
	else if (len - i >= 10 && strncmp(s + i, "</details>", 10) == 0 && c->details)
		c->details--;
}

static void cap_put(struct cap *c, const char *s, size_t len)
{
	if (c->failed)
		return;
	if (fwrite(s, 1, len, c->out) != len) {
		c->failed = true;
		c->err = errno ? errno : EIO;
	}
}

/* What closing what is open takes: the fence, a blank line, each
 * </details>, and the closing note (CAP_RESERVE bounds it). */
static size_t cap_closing(const struct cap *c)
{
	return c->fence + 2 + 1 + 12 * (size_t)c->details + CAP_RESERVE;
}

/* A line passes while the report, with it and what would then close it,
 * stays within the limit: the limit is never passed, however little room
 * there is. */
static void cap_line(struct cap *c, const char *s, size_t len)
{
	if (!c->cut) {
		struct cap after = *c;
		cap_track(&after, s, len);
		if (c->written + len + cap_closing(&after) > c->max)
			c->cut = true;
	}
	if (c->cut) {
		c->dropped += len;
		c->dropped_lines++;
		return;
	}
	cap_put(c, s, len);
	c->written += len;
	cap_track(c, s, len);
}

/* After a cut: closes what is open and says what was left out, each part
 * only if it fits (the room left is at least cap_closing(), unless the
 * limit itself is smaller; then a shorter note, or nothing). */
static void cap_close(struct cap *c)
{
	struct strbuf end = STRBUF_INIT;
	char b[3][32];

	for (size_t i = 0; i < c->fence; i++)
		sb_putc(&end, c->fence_ch);
	if (c->fence)
		sb_putc(&end, '\n');
	sb_putc(&end, '\n');     /* also ends what the file held before */
	for (unsigned i = 0; i < c->details; i++)
		sb_append(&end, "</details>\n\n", 12);
	size_t closers = end.len;
	char note[512];
	int len = !c->written ? snprintf(note, sizeof(note), "> **Left out**: "
		"no room for pgsift's report of %s bytes (CI shows 1 MiB, GitHub's "
		"summary is full): `pgsift report -f md` or `-f json` writes it.\n",
		md_fmt_count(c->dropped, b[1], sizeof(b[1]))) :
		snprintf(note, sizeof(note), "> **Cut here**: the report stops at "
		"%s bytes so that it stays under the size CI shows (1 MiB on GitHub); "
		"%s more bytes (%s lines) are in the full report: `pgsift report -f "
		"md` or `-f json`.\n",
		md_fmt_count(c->written, b[0], sizeof(b[0])),
		md_fmt_count(c->dropped, b[1], sizeof(b[1])),
		md_fmt_count(c->dropped_lines, b[2], sizeof(b[2])));
	sb_append(&end, note, len > 0 ? (size_t)len : 0);
	if (c->written + end.len > c->max) {
		static const char short_note[] = "> pgsift: report left out (no "
			"room).\n";
		end.len = closers;
		end.buf[closers] = '\0';
		if (c->written + closers + sizeof(short_note) - 1 <= c->max)
			sb_append(&end, short_note, sizeof(short_note) - 1);
	}
	if (c->written + end.len <= c->max)
		cap_put(c, end.buf, end.len);
	sb_release(&end);
}

static ssize_t cap_write(void *cookie, const char *buf, size_t size)
{
	struct cap *c = cookie;
	for (size_t i = 0; i < size; i++) {
		sb_putc(&c->line, buf[i]);
		if (buf[i] == '\n') {
			cap_line(c, c->line.buf, c->line.len);
			sb_reset(&c->line);
		}
	}
	if (c->failed) {
		errno = c->err;
		return -1;
	}
	return (ssize_t)size;
}

int md_write_capped(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts,
		int (*body)(FILE *, const struct analysis *,
			const struct pgsift_options *))
{
	struct cap c = { .out = out, .line = STRBUF_INIT };
	cookie_io_functions_t io = { .write = cap_write };

	c.max = opts && opts->md_max_bytes ? opts->md_max_bytes : MD_MAX_BYTES;
	FILE *f = fopencookie(&c, "w", io);
	if (!f)
		return -1;
	int rc = body(f, a, opts);
	if (fflush(f) != 0 || ferror(f))
		rc = -1;
	if (c.line.len)
		cap_line(&c, c.line.buf, c.line.len);
	if (c.cut)
		cap_close(&c);
	if (fclose(f) != 0)
		rc = -1;
	sb_release(&c.line);
	if (c.failed) {
		errno = c.err;
		rc = -1;
	}
	if (ferror(out))
		rc = -1;
	return rc;
}
