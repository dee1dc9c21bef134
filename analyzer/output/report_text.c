/* report_text.c: the report for a terminal, as complete as the Markdown.
 *
 * One header block (inputs, problems, window, totals), the verdict of
 * `check`, what to fix first (each finding with its SQL), the comparison
 * with a baseline, the worst offenders by total time in aligned columns,
 * the events, then each offender's details (worst plan, examples with
 * their pid and log line). Lines fit the terminal's width (the CLI passes
 * it, opts->text_width; 100 columns otherwise): query cells are cut with
 * "...", while SQL to copy (a finding's change, a plan, an example) is
 * written whole. Numbers in the table are right-aligned with thousands
 * separators and, unlike the Markdown, always 3 decimals, so that decimal
 * points line up. Groups logged without any duration show "-" for
 * latencies. What reads the same as in the Markdown (a finding's stakes,
 * the plan as text, an example's place) comes from the same code
 * (report_md.h). */
#include <math.h>
#include <string.h>

#include "baseline.h"
#include "findings.h"
#include "fingerprint.h"
#include "gates.h"
#include "pooler.h"
#include "report.h"
#include "report_md.h"
#include "report_text.h"
#include "text_escape.h"
#include "timeutil.h"

#define TEXT_WIDTH 100          /* columns without a terminal's */
#define TEXT_WIDTH_MIN 40
#define TEXT_WIDTH_MAX 1000
#define QUERY_MIN_WIDTH 20
#define DEFAULT_TOP 20
#define EXAMPLE_MAX_BYTES 4096  /* an example's text is cut past this */

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

void text_put_cut(FILE *out, const char *s, size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	size_t chars = 0, n;

	tesc_append(&sb, s ? s : "", s ? strlen(s) : 0, TESC_SPACE);
	const char *t = sb.len ? sb.buf : "";
	for (n = 0; t[n]; n++)
		if (((unsigned char)t[n] & 0xc0) != 0x80)
			chars++;
	bool cut = width && chars > width;
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

void text_heading(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
	for (size_t i = strlen(title); i > 0; i--)
		fputc('=', out);
	fputc('\n', out);
}

/* s as lines indented by indent spaces (controls shown escaped), at most
 * max_bytes of it (0: all): SQL to read or copy, not cut to the width. */
static void put_block(FILE *out, const char *s, unsigned indent, size_t max_bytes)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = s ? strlen(s) : 0, shown = len;

	if (max_bytes && len > max_bytes) {
		shown = max_bytes;
		while (shown > 0 && ((unsigned char)s[shown] & 0xc0) == 0x80)
			shown--;
	}
	tesc_append(&sb, s ? s : "", shown, TESC_KEEP_NL | TESC_KEEP_TAB);
	for (const char *l = sb.buf; l && *l; ) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		fprintf(out, "%*s%.*s\n", (int)indent, "", (int)n, l);
		l += n + (nl ? 1 : 0);
	}
	if (shown < len)
		fprintf(out, "%*s-- (cut: %zu more bytes)\n", (int)indent, "", len - shown);
	sb_release(&sb);
}

static void text_header(FILE *out, const struct analysis *a, size_t width)
{
	char b1[64], b2[64], b3[64], b4[64];

	fprintf(out, "pgsift %s\n", PGSIFT_VERSION);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		const char *path = in->path ? in->path : "-";
		fputs("input ", out);
		text_put_cut(out, path, width - 6);
		fprintf(out, "\n  %s, %s byte%s, %s record%s, %s skipped, %s problem%s%s\n",
				in->format ? in->format : "unknown",
				fmt_count(in->bytes, b1, sizeof(b1)), md_s(in->bytes),
				fmt_count(in->records, b2, sizeof(b2)), md_s(in->records),
				fmt_count(in->skipped, b3, sizeof(b3)),
				fmt_count(in->nproblems, b4, sizeof(b4)), md_s(in->nproblems),
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
			text_put_cut(out, p->message, width / 2);
			fputc('\n', out);
		}
		if (in->nproblems > kept)
			fprintf(out, "  (%s more problem%s)\n",
					fmt_count(in->nproblems - kept, b1, sizeof(b1)),
					md_s(in->nproblems - kept));
	}
	if (a->window_start != TS_NONE && a->window_end != TS_NONE) {
		ts_format_iso(a->window_start, b1);
		ts_format_iso(a->window_end, b2);
		fprintf(out, "window %s .. %s\n", b1, b2);
	} else {
		fputs("window unknown (no time stamps)\n", out);
	}
	fprintf(out, "%s quer%s, %s ms in total, %s fingerprint%s\n",
			fmt_count(a->queries, b1, sizeof(b1)), a->queries == 1 ? "y" : "ies",
			fmt_ms(a->total_ms, b2, sizeof(b2)),
			fmt_count(a->ngroups, b3, sizeof(b3)), md_s(a->ngroups));
}

/* pgBouncer's figures in three lines, when a pgBouncer log was read. */
static void text_pooler(FILE *out, const struct analysis *a)
{
	const struct pooler *p = events_pooler(a->events);
	char b[5][32];

	if (!p)
		return;
	fprintf(out, "\npgbouncer: %s login%s (%s failed), %s session%s, peak %s "
			"client%s, %s server connection%s\n",
			fmt_count(p->logins, b[0], sizeof(b[0])), md_s(p->logins),
			fmt_count(p->login_failed, b[1], sizeof(b[1])),
			fmt_count(p->sessions, b[2], sizeof(b[2])), md_s(p->sessions),
			fmt_count(p->peak_clients, b[3], sizeof(b[3])), md_s(p->peak_clients),
			fmt_count(p->server_connections, b[4], sizeof(b[4])),
			md_s(p->server_connections));
	fprintf(out, "pgbouncer: %s error%s", fmt_count(p->errors_total, b[0], sizeof(b[0])),
			md_s(p->errors_total));
	for (size_t i = 0; i < p->nerrors && i < 5; i++)
		fprintf(out, "%s%s %s", i ? ", " : ": ", pooler_error_name(p->errors[i].kind),
				fmt_count(p->errors[i].count, b[0], sizeof(b[0])));
	fputc('\n', out);
	const struct pooler_stats *st = &p->stats;
	if (st->lines)
		fprintf(out, "pgbouncer: %s transaction%s, %s quer%s in %s stats line%s\n",
				fmt_count((uint64_t)(st->xacts + 0.5), b[0], sizeof(b[0])),
				md_s((uint64_t)(st->xacts + 0.5)),
				fmt_count((uint64_t)(st->queries + 0.5), b[1], sizeof(b[1])),
				(uint64_t)(st->queries + 0.5) == 1 ? "y" : "ies",
				fmt_count(st->lines, b[2], sizeof(b[2])), md_s(st->lines));
}

/* The verdict of `check`: each gate, failed or passed, and on what (as
 * standard error says it). Nothing for a report. */
static void text_verdict(FILE *out, const struct analysis *a, size_t width)
{
	const struct check_result *c = a->check;
	char line[1024];
	size_t nfailed = 0;

	if (!c || !c->results)
		return;
	for (size_t i = 0; i < c->n; i++)
		nfailed += c->results[i].failed;
	fputc('\n', out);
	if (c->failed)
		fprintf(out, "CHECK FAILED: %zu of %zu gate%s\n", nfailed, c->n,
			c->n == 1 ? "" : "s");
	else
		fprintf(out, "check passed: no gate failed (%zu gate%s%s)\n", c->n,
			c->n == 1 ? "" : "s", c->default_rules ?
			", the default: any critical finding" : "");
	for (size_t i = 0; i < c->n; i++) {
		const struct gate_result *r = &c->results[i];
		int k = fprintf(out, "  %-6s  %s: ", r->failed ? "FAILED" : "passed", r->rule.text);
		text_put_cut(out, gate_result_describe(r, line, sizeof(line)),
			width > (size_t)k + QUERY_MIN_WIDTH ? width - (size_t)k : QUERY_MIN_WIDTH);
		fputc('\n', out);
	}
}

/* What to fix first: each finding in one line (as the Markdown says it),
 * its change to make below it, whole. */
static void text_findings(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	size_t n = findings_count(a->findings);
	size_t top = opts && opts->top ? opts->top : DEFAULT_TOP;
	size_t count[3];

	if (n == 0)
		return;
	md_finding_counts(a, count);
	text_heading(out, "What to fix first");
	fprintf(out, "%zu finding%s: %zu critical, %zu warning, %zu info; most severe "
		"first, then by what each change saves\n", n, n == 1 ? "" : "s",
		count[FS_CRITICAL], count[FS_WARNING], count[FS_INFO]);
	for (size_t i = 0; i < n && i < top; i++) {
		const struct finding *f = findings_at(a->findings, i);
		fprintf(out, "\n%zu. %s %s", i + 1, finding_severity_name(f->severity),
			finding_kind_name(f->kind));
		md_finding_stakes(out, a, i);
		fputs(": ", out);
		text_put_cut(out, f->title, 0);
		fputc('\n', out);
		if (f->suggestion)
			put_block(out, f->suggestion, 4, 4096);
	}
	if (n > top)
		fprintf(out, "\n(%zu more finding%s in the JSON report: -f json)\n", n - top,
			md_s(n - top));
}

/* The comparison with a baseline: regressions with both figures, groups
 * new in the top N and gone from it. */
static void text_baseline(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, size_t width)
{
	const struct check_result *c = a->check;
	char b[6][48];
	size_t qw = width > 80 + QUERY_MIN_WIDTH ? width - 80 : QUERY_MIN_WIDTH;

	if (!c || !c->diff || !c->baseline)
		return;
	const struct baseline_diff *d = c->diff;
	size_t top = opts && opts->top ? opts->top : DEFAULT_TOP;
	text_heading(out, "Compared with the baseline");
	fputs("baseline ", out);
	text_put_cut(out, baseline_path(c->baseline), width - 9);
	fprintf(out, "\n%s group%s, %s of them seen again (by fingerprint)\n",
		md_fmt_count(baseline_ngroups(c->baseline), b[0], sizeof(b[0])),
		md_s(baseline_ngroups(c->baseline)),
		md_fmt_count(d->matched, b[1], sizeof(b[1])));
	if (d->nregressions == 0) {
		fprintf(out, "no group's P95 or total time grew by more than %g%%\n",
			d->threshold_pct);
	} else {
		fprintf(out, "regressions (P95 or total time up more than %g%%):\n"
			"  %3s  %12s  %12s  %6s  %14s  %14s  %6s  query\n", d->threshold_pct,
			"#", "P95 then ms", "P95 now ms", "P95", "total then ms", "total now ms",
			"total");
		for (size_t i = 0; i < d->nregressions && i < top; i++) {
			const struct baseline_regression *r = &d->regressions[i];
			const struct group *g = r->group;
			fprintf(out, "  %3zu  %12s  %12s  %6s  %14s  %14s  %6s  ", i + 1,
				fmt_ms(r->old->p95_ms, b[0], sizeof(b[0])),
				g->timed_calls ? fmt_ms(group_pct(g, 0.95), b[1], sizeof(b[1])) : "-",
				md_fmt_pct(r->p95_pct, b[2], sizeof(b[2])),
				fmt_ms(r->old->total_ms, b[3], sizeof(b[3])),
				fmt_ms(g->total_ms, b[4], sizeof(b[4])),
				md_fmt_pct(r->total_pct, b[5], sizeof(b[5])));
			text_put_cut(out, g->query, qw);
			fputc('\n', out);
		}
		if (d->nregressions > top)
			fprintf(out, "  (%zu more regression%s in the JSON report)\n",
				d->nregressions - top, md_s(d->nregressions - top));
	}
	fprintf(out, "new in the top %zu: %zu group%s\n", d->top, d->nadded,
		d->nadded == 1 ? "" : "s");
	for (size_t i = 0; i < d->nadded; i++) {
		const struct group *g = d->added[i];
		fprintf(out, "  %14s ms  %10s call%s  ", fmt_ms(g->total_ms, b[0], sizeof(b[0])),
			fmt_count(g->calls, b[1], sizeof(b[1])), g->calls == 1 ? " " : "s");
		text_put_cut(out, g->query, width > 40 + QUERY_MIN_WIDTH ? width - 40 :
			QUERY_MIN_WIDTH);
		fputc('\n', out);
	}
	fprintf(out, "gone from the baseline's top %zu: %zu group%s\n", d->top, d->ngone,
		d->ngone == 1 ? "" : "s");
	for (size_t i = 0; i < d->ngone; i++) {
		const struct baseline_group *g = d->gone[i];
		fprintf(out, "  was #%-3zu %14s ms  %10s call%s  ", g->rank,
			fmt_ms(g->total_ms, b[0], sizeof(b[0])),
			fmt_count(g->calls, b[1], sizeof(b[1])), g->calls == 1 ? " " : "s");
		text_put_cut(out, g->query, width > 48 + QUERY_MIN_WIDTH ? width - 48 :
			QUERY_MIN_WIDTH);
		fputc('\n', out);
	}
}

/* One offender in full: its figures, query, worst plan and examples. */
static void text_group(FILE *out, const struct analysis *a, size_t rank,
		const struct group *g, const struct pgsift_options *opts,
		struct strbuf *sb)
{
	char fp[17], c[6][48];

	fp_format(g->fingerprint, fp);
	fprintf(out, "\n#%zu %s: %s ms in %s call%s", rank, fp,
		md_fmt_ms(g->total_ms, c[0], sizeof(c[0])),
		md_fmt_count(g->calls, c[1], sizeof(c[1])), g->calls == 1 ? "" : "s");
	if (g->timed_calls)
		fprintf(out, "; P50 %s, P95 %s, P99 %s, max %s ms",
			md_fmt_ms(group_pct(g, 0.50), c[2], sizeof(c[2])),
			md_fmt_ms(group_pct(g, 0.95), c[3], sizeof(c[3])),
			md_fmt_ms(group_pct(g, 0.99), c[4], sizeof(c[4])),
			md_fmt_ms(g->max_ms, c[5], sizeof(c[5])));
	fputc('\n', out);
	put_block(out, g->query, 2, 0);
	if (md_plan_text(g, opts, sb)) {
		fprintf(out, "  worst plan (%s ms):\n", md_fmt_ms(g->plan_ms, c[0], sizeof(c[0])));
		put_block(out, sb->buf, 4, 0);
	}
	for (unsigned i = 0; i < g->nexamples && i < AGG_EXAMPLES; i++) {
		const struct example *e = &g->examples[i];
		fprintf(out, "  example %u: ", i + 1);
		if (e->ts_ms != TS_NONE) {
			ts_format_iso(e->ts_ms, c[0]);
			fputs(c[0], out);
		} else {
			fputs("no time stamp", out);
		}
		if (g->timed_calls)
			fprintf(out, ", %s ms", md_fmt_ms(e->duration_ms, c[0], sizeof(c[0])));
		static const char *const what[] = { "db", "user", "app" };
		const char *val[] = { e->db, e->user, e->app };
		for (size_t k = 0; k < ARRAY_SIZE(what); k++)
			if (val[k] && val[k][0]) {
				fprintf(out, ", %s ", what[k]);
				text_put_cut(out, val[k], 64);
			}
		md_example_where(out, a, e, NULL);
		fputc('\n', out);
		/* Its text only when it is not the query above (masked, it
		 * nearly always is). */
		report_example_text(g, e, opts->show_literals, sb);
		if (sb->buf && strcmp(sb->buf, g->query ? g->query : "") != 0)
			put_block(out, sb->buf, 4, EXAMPLE_MAX_BYTES);
	}
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
	static const struct pgsift_options defaults = { .top = DEFAULT_TOP };
	char cell[NCOLS][48];
	size_t cw[NCOLS];
	struct strbuf sb = STRBUF_INIT;

	if (!opts)
		opts = &defaults;
	size_t top = opts->top ? opts->top : DEFAULT_TOP;
	size_t width = opts->text_width ? opts->text_width : TEXT_WIDTH;
	width = width < TEXT_WIDTH_MIN ? TEXT_WIDTH_MIN : width > TEXT_WIDTH_MAX ?
		TEXT_WIDTH_MAX : width;
	/* Maintenance, DDL and one-off bulk loads left out, as in Markdown. */
	const struct group **v = xmalloc((a->ngroups ? a->ngroups : 1) * sizeof(*v));
	size_t nv = report_ranked_groups(a, opts, v);

	if (top > nv)
		top = nv;
	text_header(out, a, width);
	text_verdict(out, a, width);
	text_findings(out, a, opts);
	text_baseline(out, a, opts, width);
	text_pooler(out, a);
	text_heading(out, "Worst offenders by total time");
	if (top == 0) {
		fputs(a->ngroups ? "no application statements (--all-kinds lists "
				"the rest)\n" : "no queries\n", out);
	} else {
		/* Two passes: widths first, so that every column lines up. */
		for (int c = 0; c < NCOLS; c++)
			cw[c] = strlen(col_title[c]);
		for (size_t i = 0; i < top; i++) {
			text_cells(v[i], i + 1, cell);
			for (int c = 0; c < NCOLS; c++)
				if (strlen(cell[c]) > cw[c])
					cw[c] = strlen(cell[c]);
		}
		size_t used = 0;
		for (int c = 0; c < NCOLS; c++)
			used += cw[c] + 2;
		size_t qwidth = used + QUERY_MIN_WIDTH < width ? width - used : QUERY_MIN_WIDTH;

		for (int c = 0; c < NCOLS; c++)
			fprintf(out, "%*s  ", (int)cw[c], col_title[c]);
		fputs("query\n", out);
		for (size_t i = 0; i < top; i++) {
			const struct group *g = v[i];
			text_cells(g, i + 1, cell);
			for (int c = 0; c < NCOLS; c++)
				fprintf(out, "%*s  ", (int)cw[c], cell[c]);
			text_put_cut(out, g->query, qwidth);
			fputc('\n', out);
		}
		if (top < nv)
			fprintf(out, "(%zu more fingerprint%s)\n", nv - top,
				nv - top == 1 ? "" : "s");
	}
	if (nv < a->ngroups)
		fprintf(out, "(%zu maintenance, DDL and one-off bulk load "
				"fingerprint%s left out: --all-kinds)\n", a->ngroups - nv,
				a->ngroups - nv == 1 ? "" : "s");
	text_write_events(out, a, opts, width);
	if (top > 0) {
		text_heading(out, "Details");
		for (size_t i = 0; i < top; i++)
			text_group(out, a, i + 1, v[i], opts, &sb);
	}
	free(v);
	sb_release(&sb);
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
