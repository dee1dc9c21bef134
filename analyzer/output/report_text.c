/* report_text.c: a plain-text summary for a terminal.
 *
 * One header block (inputs, problems, window, totals), then the worst
 * offenders by total time in aligned columns, each row cut to 100
 * columns. Numbers are right-aligned with thousands separators and, unlike
 * the Markdown, always 3 decimals, so that decimal points line up. Groups
 * logged without any duration show "-" for latencies. */
#include <math.h>
#include <string.h>

#include "pooler.h"
#include "report.h"
#include "text_escape.h"
#include "timeutil.h"

#define TEXT_WIDTH 100
#define QUERY_MIN_WIDTH 20
#define DEFAULT_TOP 20

enum { COL_RANK, COL_TOTAL, COL_CALLS, COL_MEAN, COL_P95, COL_P99, NCOLS };

static const char *const col_title[NCOLS] = {
	"#", "total ms", "calls", "mean ms", "p95 ms", "p99 ms",
};


static const char *fmt_count(uint64_t v, char *out, size_t outlen)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	report_group_thousands(tmp, out, outlen);
	return out;
}

static const char *fmt_ms(double ms, char *out, size_t outlen)
{
	char tmp[64];
	if (!isfinite(ms) || fabs(ms) > 1e15) {
		snprintf(out, outlen, "-");
		return out;
	}
	snprintf(tmp, sizeof(tmp), "%.3f", ms);
	report_group_thousands(tmp, out, outlen);
	return out;
}

/* Writes s on one line, line breaks and tabs as spaces, other controls
 * shown escaped (text_escape.h), at most width columns (one per code
 * point of what is shown), ending in "..." when cut. */
static void put_cut(FILE *out, const char *s, size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	size_t chars = 0, n;

	tesc_append(&sb, s ? s : "", s ? strlen(s) : 0, TESC_SPACE);
	const char *t = sb.len ? sb.buf : "";
	for (n = 0; t[n]; n++)
		if (((unsigned char)t[n] & 0xc0) != 0x80)
			chars++;
	bool cut = chars > width;
	size_t keep = cut ? (width > 3 ? width - 3 : 0) : chars;

	chars = 0;
	for (n = 0; t[n]; n++) {
		unsigned char ch = (unsigned char)t[n];
		if ((ch & 0xc0) != 0x80 && chars++ == keep)
			break;
	}
	fwrite(t, 1, n, out);
	if (cut)
		fputs("...", out);
	sb_release(&sb);
}

static void text_header(FILE *out, const struct analysis *a)
{
	char b1[64], b2[64], b3[64], b4[64];

	fprintf(out, "pgsift %s\n", PGSIFT_VERSION);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		const char *path = in->path ? in->path : "-";
		fputs("input ", out);
		put_cut(out, path, TEXT_WIDTH - 6);
		fprintf(out, "\n  %s, %s bytes, %s records, %s skipped, %s problems%s\n",
				in->format ? in->format : "unknown",
				fmt_count(in->bytes, b1, sizeof(b1)),
				fmt_count(in->records, b2, sizeof(b2)),
				fmt_count(in->skipped, b3, sizeof(b3)),
				fmt_count(in->nproblems, b4, sizeof(b4)),
				in->unreadable ? ", unreadable" :
				in->truncated ? ", truncated" : "");
		size_t kept = in->nkept < INPUT_MAX_PROBLEMS ? in->nkept :
			INPUT_MAX_PROBLEMS;
		for (size_t k = 0; k < kept; k++) {
			const struct problem *p = &in->problems[k];
			fprintf(out, "  %s", path);
			if (p->line)
				fprintf(out, ":%llu", (unsigned long long)p->line);
			fputs(": ", out);
			put_cut(out, p->message, TEXT_WIDTH / 2);
			fputc('\n', out);
		}
		if (in->nproblems > kept)
			fprintf(out, "  (%s more problems)\n",
					fmt_count(in->nproblems - kept, b1, sizeof(b1)));
	}
	if (a->window_start != TS_NONE && a->window_end != TS_NONE) {
		ts_format_iso(a->window_start, b1);
		ts_format_iso(a->window_end, b2);
		fprintf(out, "window %s .. %s\n", b1, b2);
	} else {
		fputs("window unknown (no time stamps)\n", out);
	}
	fprintf(out, "%s queries, %s ms in total, %s fingerprints\n\n",
			fmt_count(a->queries, b1, sizeof(b1)),
			fmt_ms(a->total_ms, b2, sizeof(b2)),
			fmt_count(a->ngroups, b3, sizeof(b3)));
}

/* pgBouncer's figures in three lines, when a pgBouncer log was read. */
static void text_pooler(FILE *out, const struct analysis *a)
{
	const struct pooler *p = events_pooler(a->events);
	char b[5][32];

	if (!p)
		return;
	fprintf(out, "pgbouncer: %s logins (%s failed), %s sessions, peak %s "
			"clients, %s server connections\n",
			fmt_count(p->logins, b[0], sizeof(b[0])),
			fmt_count(p->login_failed, b[1], sizeof(b[1])),
			fmt_count(p->sessions, b[2], sizeof(b[2])),
			fmt_count(p->peak_clients, b[3], sizeof(b[3])),
			fmt_count(p->server_connections, b[4], sizeof(b[4])));
	fprintf(out, "pgbouncer: %s errors", fmt_count(p->errors_total, b[0], sizeof(b[0])));
	for (size_t i = 0; i < p->nerrors && i < 5; i++)
		fprintf(out, "%s%s %s", i ? ", " : ": ", pooler_error_name(p->errors[i].kind),
				fmt_count(p->errors[i].count, b[0], sizeof(b[0])));
	fputc('\n', out);
	const struct pooler_stats *st = &p->stats;
	if (st->lines)
		fprintf(out, "pgbouncer: %s transactions, %s queries in %s stats lines\n",
				fmt_count((uint64_t)(st->xacts + 0.5), b[0], sizeof(b[0])),
				fmt_count((uint64_t)(st->queries + 0.5), b[1], sizeof(b[1])),
				fmt_count(st->lines, b[2], sizeof(b[2])));
	fputc('\n', out);
}

static void text_cells(const struct group *g, size_t rank,
		char cell[NCOLS][48])
{
	snprintf(cell[COL_RANK], 48, "%zu", rank);
	fmt_ms(g->total_ms, cell[COL_TOTAL], 48);
	fmt_count(g->calls, cell[COL_CALLS], 48);
	if (g->timed_calls) {
		fmt_ms(group_mean(g), cell[COL_MEAN], 48);
		fmt_ms(group_pct(g, 0.95), cell[COL_P95], 48);
		fmt_ms(group_pct(g, 0.99), cell[COL_P99], 48);
	} else {
		strcpy(cell[COL_MEAN], "-");
		strcpy(cell[COL_P95], "-");
		strcpy(cell[COL_P99], "-");
	}
}

static int text_body(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	char cell[NCOLS][48];
	size_t width[NCOLS];
	size_t top = opts && opts->top ? opts->top : DEFAULT_TOP;
	/* Maintenance, DDL and one-off bulk loads left out, as in Markdown. */
	const struct group **v = xmalloc((a->ngroups ? a->ngroups : 1) * sizeof(*v));
	size_t nv = report_ranked_groups(a, opts, v);

	if (top > nv)
		top = nv;
	text_header(out, a);
	text_pooler(out, a);
	if (top == 0) {
		fputs(a->ngroups ? "no application statements (--all-kinds lists "
				"the rest)\n" : "no queries\n", out);
		free(v);
		return ferror(out) ? -1 : 0;
	}

	/* Two passes: widths first, so that every column lines up. */
	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(col_title[c]);
	for (size_t i = 0; i < top; i++) {
		text_cells(v[i], i + 1, cell);
		for (int c = 0; c < NCOLS; c++)
			if (strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	size_t used = 0;
	for (int c = 0; c < NCOLS; c++)
		used += width[c] + 2;
	size_t qwidth = used + QUERY_MIN_WIDTH < TEXT_WIDTH ?
		TEXT_WIDTH - used : QUERY_MIN_WIDTH;

	for (int c = 0; c < NCOLS; c++)
		fprintf(out, "%*s  ", (int)width[c], col_title[c]);
	fputs("query\n", out);
	for (size_t i = 0; i < top; i++) {
		const struct group *g = v[i];
		text_cells(g, i + 1, cell);
		for (int c = 0; c < NCOLS; c++)
			fprintf(out, "%*s  ", (int)width[c], cell[c]);
		put_cut(out, g->query, qwidth);
		fputc('\n', out);
	}
	if (top < nv)
		fprintf(out, "(%zu more fingerprints)\n", nv - top);
	if (nv < a->ngroups)
		fprintf(out, "(%zu maintenance, DDL and one-off bulk load "
				"fingerprints left out: --all-kinds)\n", a->ngroups - nv);
	free(v);
	return ferror(out) ? -1 : 0;
}

/* text_body behind the guard that shows a log's controls escaped. */
static int text_write(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	return report_write_escaped(out, a, opts,
			TESC_KEEP_NL | TESC_KEEP_TAB, text_body);
}

const struct report_writer report_text = {
	.id = "text",
	.name = "plain text",
	.write = text_write,
};
