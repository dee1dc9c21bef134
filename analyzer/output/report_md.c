/* report_md.c: the Markdown report, for CI artifacts and people.
 *
 * GitHub-flavoured Markdown: a header (inputs, window, totals), a
 * timeline, three rankings as tables, what the log says besides
 * statements (lock waits, errors, ...: report_md_events.c), then details
 * for each of the worst offenders. Every piece of text that comes from a
 * log (queries, names, paths, messages) goes into a code span or a fenced
 * code block, so it is shown verbatim and can never turn into markup, HTML
 * or a broken table.
 *
 * Durations are always in milliseconds, so that columns compare at a
 * glance and match the JSON: 3 decimals below one second (the precision
 * the server logs), 1 decimal from one second up, with thousands
 * separators ("0.042", "123.456", "1,234.6"). Totals in prose add a rough
 * human reading ("(3 h 25 min)"). Groups logged without any duration show
 * "-" for latencies and band. report_md_common.c writes those numbers
 * and code spans for this file and the section writers it calls
 * (report_md_ci.c, report_md_events.c, ...), none of which calls back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_md.h"
#include "report_md_ci.h"
#include "strbuf.h"
#include "text_escape.h"
#include "timeutil.h"

#define QUERY_CELL_CHARS 80     /* query text shown in a table cell */
#define NAMES_SHOWN 10          /* db/user/app names listed per group */
#define EXAMPLE_MAX_BYTES 4096  /* an example's text is cut past this */
#define DEFAULT_TOP 20

/* ---- header ---- */

static void md_inputs(FILE *out, const struct analysis *a, struct strbuf *sb)
{
	char b1[32], b2[32], b3[32], b4[32];
	bool any_problem = false;

	fputs("## Inputs\n\n", out);
	if (a->ninputs == 0) {
		fputs("No input.\n\n", out);
		return;
	}
	fputs("| input | format | bytes | records | skipped | problems |\n"
	      "| --- | --- | ---: | ---: | ---: | ---: |\n", out);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		fputs("| ", out);
		md_code(out, in->path, 0, true, sb);
		fputs(" | ", out);
		md_code(out, in->format ? in->format : "unknown", 0, true, sb);
		fprintf(out, " | %s | %s | %s | %s |\n",
				md_fmt_count(in->bytes, b1, sizeof(b1)),
				md_fmt_count(in->records, b2, sizeof(b2)),
				md_fmt_count(in->skipped, b3, sizeof(b3)),
				md_fmt_count(in->nproblems, b4, sizeof(b4)));
		if (in->nproblems || in->nkept || in->unreadable || in->truncated)
			any_problem = true;
	}
	fputc('\n', out);
	if (!any_problem)
		return;

	fputs("Problems:\n\n", out);
	struct strbuf line = STRBUF_INIT;
	/* The same problem in many inputs is told once (report_msgs_where). */
	struct report_msgs msgs;
	size_t m = 0;
	report_msgs_build(&msgs, a, true);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		const char *path = in->path ? in->path : "-";
		size_t kept = in->nkept < INPUT_MAX_PROBLEMS ? in->nkept :
			INPUT_MAX_PROBLEMS;
		for (; m < msgs.n && msgs.input_of[m] == i; m++) {
			if (msgs.rep[m].rank != 0)
				continue;
			report_msgs_where(&msgs, a, m, &line);
			sb_append(&line, ": ", 2);
			sb_append(&line, msgs.texts[m], strlen(msgs.texts[m]));
			fputs("- ", out);
			md_code(out, line.buf, 0, false, sb);
			fputc('\n', out);
		}
		if (in->nproblems > kept) {
			fputs("- ", out);
			md_code(out, path, 0, false, sb);
			fprintf(out, ": %s more not listed\n",
					md_fmt_count(in->nproblems - kept, b1, sizeof(b1)));
		}
		if (in->unreadable) {
			fputs("- ", out);
			md_code(out, path, 0, false, sb);
			fputs(": could not be read or recognised\n", out);
		}
		if (in->truncated) {
			fputs("- ", out);
			md_code(out, path, 0, false, sb);
			fputs(": ends in the middle of a compressed stream\n", out);
		}
	}
	report_msgs_free(&msgs);
	sb_release(&line);
	fputc('\n', out);
}

static void md_summary(FILE *out, const struct analysis *a)
{
	char b1[64], b2[64], h[64];

	fputs("## Summary\n\n", out);
	if (a->window_start != TS_NONE && a->window_end != TS_NONE) {
		ts_format_iso(a->window_start, b1);
		ts_format_iso(a->window_end, b2);
		fprintf(out, "- Window: %s to %s%s\n", b1, b2,
				md_fmt_human((double)(a->window_end - a->window_start),
					h, sizeof(h)));
	} else {
		fputs("- Window: unknown (no time stamps)\n", out);
	}
	fprintf(out, "- Queries: %s\n", md_fmt_count(a->queries, b1, sizeof(b1)));
	fprintf(out, "- Total time: %s ms%s\n", md_fmt_ms(a->total_ms, b1, sizeof(b1)),
			md_fmt_human(a->total_ms, h, sizeof(h)));
	fprintf(out, "- Distinct fingerprints: %s\n",
			md_fmt_count(a->ngroups, b1, sizeof(b1)));
	if (a->filtered_out)
		fprintf(out, "- Left out by filters: %s call%s\n",
				md_fmt_count(a->filtered_out, b1, sizeof(b1)),
				md_s(a->filtered_out));
	if (a->plans_cut) {
		fprintf(out, "- auto_explain JSON plans cut short: %s (each statement "
				"counted without its plan; where: the inputs' problems)",
				md_fmt_count(a->plans_cut, b1, sizeof(b1)));
		if (a->plans_cut_lost)
			fprintf(out, "; %s cut inside the statement's text, not counted",
					md_fmt_count(a->plans_cut_lost, b1, sizeof(b1)));
		fputc('\n', out);
	}
	if (a->lone_durations)
		fprintf(out, "- Durations without their statement: %s (not calls: "
				"no text was logged before them; log_duration alone logs "
				"none, log_min_duration_statement or log_statement does)\n",
				md_fmt_count(a->lone_durations, b1, sizeof(b1)));
	fputc('\n', out);
}

/* ---- rankings ---- */

struct ranked {
	const struct group *g;
	size_t rank;            /* 1-based place by total time */
	double p99;
};

static int cmp_fp(const struct ranked *x, const struct ranked *y)
{
	return x->g->fingerprint < y->g->fingerprint ? -1 :
		x->g->fingerprint > y->g->fingerprint;
}

static int cmp_p99(const void *pa, const void *pb)
{
	const struct ranked *x = pa, *y = pb;
	if (x->p99 != y->p99)
		return x->p99 > y->p99 ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return cmp_fp(x, y);
}

static int cmp_calls(const void *pa, const void *pb)
{
	const struct ranked *x = pa, *y = pb;
	if (x->g->calls != y->g->calls)
		return x->g->calls > y->g->calls ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return cmp_fp(x, y);
}

/* A latency cell: "-" when the group never had a duration. */
/* A band limit as given: "1,000", "250.5". */
static const char *fmt_limit(double ms, char *out, size_t outlen)
{
	char tmp[64];
	if (ms == floor(ms) && ms < 1e15)
		return md_fmt_count((uint64_t)ms, out, outlen);
	snprintf(tmp, sizeof(tmp), "%g", ms);
	report_group_thousands(tmp, out, outlen);
	return out;
}

static const char *lat(const struct group *g, double ms, char *out, size_t n)
{
	if (!g->timed_calls) {
		snprintf(out, n, "-");
		return out;
	}
	return md_fmt_ms(ms, out, n);
}

static const char *band_cell(const struct group *g,
		const struct pgsift_options *opts)
{
	if (!g->timed_calls)
		return "-";
	return report_band_name(report_band(opts, group_pct(g, 0.95)));
}

/* ---- statement kinds ---- */

/* pgBadger's query types: each kind's share of the calls and the time. */
static void md_kinds(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	struct { size_t groups, left; uint64_t calls; double ms; } k[SK_COUNT];
	char c[4][64];
	size_t left = 0;

	if (a->ngroups == 0)
		return;
	memset(k, 0, sizeof(k));
	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i];
		bool one_off;
		enum stmt_kind s = group_kind(g, &one_off);
		k[s].groups++;
		k[s].left += one_off && !opts->all_kinds;
		left += one_off && !opts->all_kinds;
		k[s].calls += g->calls;
		k[s].ms += g->total_ms;
	}
	fputs("## Statement kinds\n\n"
	      "| kind | groups | calls | total (ms) | share of time | in the rankings |\n"
	      "| --- | ---: | ---: | ---: | ---: | --- |\n", out);
	for (int s = 0; s < SK_COUNT; s++) {
		if (!k[s].groups)
			continue;
		const char *in = !k[s].left ? "yes" : k[s].left == k[s].groups ?
			"no" : "bulk loads run once left out";
		fprintf(out, "| %s | %s | %s | %s | %.1f%% | %s |\n",
				stmt_kind_label((enum stmt_kind)s),
				md_fmt_count(k[s].groups, c[0], sizeof(c[0])),
				md_fmt_count(k[s].calls, c[1], sizeof(c[1])),
				md_fmt_ms(k[s].ms, c[2], sizeof(c[2])),
				a->total_ms > 0 ? 100.0 * k[s].ms / a->total_ms : 0.0, in);
	}
	fputc('\n', out);
	if (left)
		fputs("The rankings below leave out maintenance, DDL and bulk loads "
		      "run once (a schema's seed data, a restore): they are no "
		      "application work. `--all-kinds` keeps them; the JSON report "
		      "has every group with its `kind`.\n\n", out);
}

static void md_worst(FILE *out, const struct analysis *a,
		const struct group **v, size_t nv, size_t top,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	char c[8][64];

	fputs("## Worst offenders (by total time)\n\n", out);
	if (nv == 0) {
		fputs(a->ngroups ? "No application statements (see the statement "
				"kinds above).\n\n" : "No queries.\n\n", out);
		return;
	}
	fputs("| # | total (ms) | calls | mean (ms) | P50 (ms) | P95 (ms) "
	      "| P99 (ms) | max (ms) | band | kind | query |\n"
	      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
	      "| --- | --- | --- |\n", out);
	for (size_t i = 0; i < top; i++) {
		const struct group *g = v[i];
		fprintf(out, "| %zu | %s | %s | %s | %s | %s | %s | %s | %s | %s | ",
				i + 1,
				md_fmt_ms(g->total_ms, c[0], sizeof(c[0])),
				md_fmt_count(g->calls, c[1], sizeof(c[1])),
				lat(g, group_mean(g), c[2], sizeof(c[2])),
				lat(g, group_pct(g, 0.50), c[3], sizeof(c[3])),
				lat(g, group_pct(g, 0.95), c[4], sizeof(c[4])),
				lat(g, group_pct(g, 0.99), c[5], sizeof(c[5])),
				lat(g, g->max_ms, c[6], sizeof(c[6])),
				band_cell(g, opts),
				stmt_kind_name(group_kind(g, NULL)));
		md_code(out, g->query, QUERY_CELL_CHARS, true, sb);
		fputs(" |\n", out);
	}
	fputc('\n', out);
	/* What the table leaves out, so a reader never takes the top for all. */
	if (top < nv) {
		double rest = 0;
		for (size_t i = top; i < nv; i++)
			rest += v[i]->total_ms;
		fprintf(out, "%s more group%s %s not listed here (%s ms, %.1f%% of "
				"all time): `--top N` lists more; the JSON report has every "
				"group.\n\n",
				md_fmt_count(nv - top, c[0], sizeof(c[0])), md_s(nv - top),
				nv - top == 1 ? "is" : "are",
				md_fmt_ms(rest, c[1], sizeof(c[1])),
				a->total_ms > 0 ? 100.0 * rest / a->total_ms : 0.0);
	}
	if (nv < a->ngroups) {
		double left = 0;
		for (size_t i = 0; i < a->ngroups; i++) {
			bool one_off;
			group_kind(a->groups[i], &one_off);
			if (one_off)
				left += a->groups[i]->total_ms;
		}
		fprintf(out, "Left out of the rankings: %s group%s of maintenance, "
				"DDL and bulk loads run once (%s ms, %.1f%% of all time; "
				"`--all-kinds` lists %s).\n\n",
				md_fmt_count(a->ngroups - nv, c[0], sizeof(c[0])),
				md_s(a->ngroups - nv),
				md_fmt_ms(left, c[1], sizeof(c[1])),
				a->total_ms > 0 ? 100.0 * left / a->total_ms : 0.0,
				a->ngroups - nv == 1 ? "it" : "them");
	}

	/* Say what the band column means, with the limits in force. */
	double lim[3];
	report_band_limits(opts, lim);
	double w = lim[0], al = lim[1], cr = lim[2];
	fprintf(out, "Band on P95: good < %s ms <= warning < %s ms <= alert "
			"<= %s ms < critical.\n\n",
			fmt_limit(w, c[0], sizeof(c[0])),
			fmt_limit(al, c[1], sizeof(c[1])),
			fmt_limit(cr, c[2], sizeof(c[2])));
}

static void md_top_p99(FILE *out, const struct ranked *r, size_t n,
		size_t top, struct strbuf *sb)
{
	char c[4][64];

	fputs("## Top by P99\n\n", out);
	if (n == 0) {
		fputs("No query was logged with a duration.\n\n", out);
		return;
	}
	fputs("| # | P99 (ms) | P95 (ms) | calls | total (ms) | worst # | query |\n"
	      "| ---: | ---: | ---: | ---: | ---: | ---: | --- |\n", out);
	for (size_t i = 0; i < n && i < top; i++) {
		const struct group *g = r[i].g;
		fprintf(out, "| %zu | %s | %s | %s | %s | %zu | ", i + 1,
				md_fmt_ms(r[i].p99, c[0], sizeof(c[0])),
				md_fmt_ms(group_pct(g, 0.95), c[1], sizeof(c[1])),
				md_fmt_count(g->calls, c[2], sizeof(c[2])),
				md_fmt_ms(g->total_ms, c[3], sizeof(c[3])),
				r[i].rank);
		md_code(out, g->query, QUERY_CELL_CHARS, true, sb);
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

static void md_top_calls(FILE *out, const struct ranked *r, size_t n,
		size_t top, struct strbuf *sb)
{
	char c[3][64];

	fputs("## Top by calls\n\n", out);
	if (n == 0) {
		fputs("No queries.\n\n", out);
		return;
	}
	fputs("| # | calls | total (ms) | mean (ms) | worst # | query |\n"
	      "| ---: | ---: | ---: | ---: | ---: | --- |\n", out);
	for (size_t i = 0; i < n && i < top; i++) {
		const struct group *g = r[i].g;
		fprintf(out, "| %zu | %s | %s | %s | %zu | ", i + 1,
				md_fmt_count(g->calls, c[0], sizeof(c[0])),
				md_fmt_ms(g->total_ms, c[1], sizeof(c[1])),
				lat(g, group_mean(g), c[2], sizeof(c[2])),
				r[i].rank);
		md_code(out, g->query, QUERY_CELL_CHARS, true, sb);
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

/* ---- details ---- */

static int cmp_name_count(const void *pa, const void *pb)
{
	const struct name_count *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* "- Databases: `app` (1,000), `batch` (234)", busiest first. */
static void md_names(FILE *out, const char *label, const struct name_counts *nc,
		struct strbuf *sb)
{
	char b[32];

	if (nc->n == 0 && nc->other == 0)
		return;
	struct name_count *v = xmalloc((nc->n ? nc->n : 1) * sizeof(*v));
	if (nc->n)
		memcpy(v, nc->v, nc->n * sizeof(*v));
	qsort(v, nc->n, sizeof(*v), cmp_name_count);

	fprintf(out, "- %s: ", label);
	uint64_t rest_calls = nc->other;
	for (uint32_t i = 0; i < nc->n; i++) {
		if (i >= NAMES_SHOWN) {
			rest_calls += v[i].count;
			continue;
		}
		if (i)
			fputs(", ", out);
		if (v[i].name && v[i].name[0])
			md_code(out, v[i].name, 0, false, sb);
		else
			fputs("(not logged)", out);
		fprintf(out, " (%s)", md_fmt_count(v[i].count, b, sizeof(b)));
	}
	if (rest_calls) {
		if (nc->n)
			fputs(", ", out);
		fprintf(out, "%s call%s under other names",
				md_fmt_count(rest_calls, b, sizeof(b)), md_s(rest_calls));
	}
	fputc('\n', out);
	free(v);
}

static void md_group(FILE *out, const struct analysis *a, size_t rank,
		const struct group *g, const struct pgsift_options *opts,
		struct strbuf *sb)
{
	char c[8][64], h[64], fp[17];
	bool timed = g->timed_calls > 0;

	fp_format(g->fingerprint, fp);
	fprintf(out, "### %zu. `%s`\n\n", rank, fp);
	md_code_block(out, "sql", g->query ? g->query : "", 0);

	fprintf(out, "- Calls: %s", md_fmt_count(g->calls, c[0], sizeof(c[0])));
	if (g->timed_calls != g->calls)
		fprintf(out, " (%s with a duration)",
				md_fmt_count(g->timed_calls, c[0], sizeof(c[0])));
	fprintf(out, "\n- Total: %s ms%s\n", md_fmt_ms(g->total_ms, c[0],
			sizeof(c[0])), md_fmt_human(g->total_ms, h, sizeof(h)));
	if (timed)
		fprintf(out, "- Latency (ms): mean %s, min %s, P50 %s, P95 %s, "
				"P99 %s, max %s; band %s\n",
				md_fmt_ms(group_mean(g), c[1], sizeof(c[1])),
				md_fmt_ms(g->min_ms, c[2], sizeof(c[2])),
				md_fmt_ms(group_pct(g, 0.50), c[3], sizeof(c[3])),
				md_fmt_ms(group_pct(g, 0.95), c[4], sizeof(c[4])),
				md_fmt_ms(group_pct(g, 0.99), c[5], sizeof(c[5])),
				md_fmt_ms(g->max_ms, c[6], sizeof(c[6])),
				band_cell(g, opts));
	else
		fputs("- Latency: unknown (logged without a duration)\n", out);

	fprintf(out, "- Kind: %s\n", stmt_kind_label(group_kind(g, NULL)));
	fputs("- Sources: ", out);
	const char *name;
	bool first = true;
	for (unsigned i = 0; (name = source_name(i)) != NULL; i++) {
		if (!(g->sources & (1u << i)))
			continue;
		fprintf(out, "%s%s", first ? "" : ", ", name);
		first = false;
	}
	fputs(first ? "none\n" : "\n", out);

	md_names(out, "Databases", &g->dbs, sb);
	md_names(out, "Users", &g->users, sb);
	md_names(out, "Applications", &g->apps, sb);
	if (g->first_ts != TS_NONE && g->last_ts != TS_NONE) {
		ts_format_iso(g->first_ts, c[0]);
		ts_format_iso(g->last_ts, c[1]);
		fprintf(out, "- Seen: %s to %s\n", c[0], c[1]);
	}
	if (g->prep_count || g->prep_ms > 0)
		fprintf(out, "- Parse/bind: %s ms over %s step%s\n",
				md_fmt_ms(g->prep_ms, c[0], sizeof(c[0])),
				md_fmt_count(g->prep_count, c[1], sizeof(c[1])),
				md_s(g->prep_count));
	if (g->lexical)
		fputs("- Fingerprint: lexical (the PostgreSQL parser did not "
		      "accept the text)\n", out);
	fputc('\n', out);

	struct strbuf text = STRBUF_INIT;
	if (md_plan_text(g, opts, &text)) {
		char title[96];
		snprintf(title, sizeof(title), "Worst plan (%s ms)",
				md_fmt_ms(g->plan_ms, c[0], sizeof(c[0])));
		md_fold_begin(out, title, 0);
		md_code_block(out, "text", text.buf, 0);
		md_fold_end(out);
	}
	for (unsigned i = 0; i < g->nexamples && i < AGG_EXAMPLES; i++) {
		const struct example *e = &g->examples[i];
		fprintf(out, "Example %u: ", i + 1);
		if (e->ts_ms != TS_NONE) {
			ts_format_iso(e->ts_ms, c[0]);
			fputs(c[0], out);
		} else {
			fputs("no time stamp", out);
		}
		if (timed)
			fprintf(out, ", %s ms", md_fmt_ms(e->duration_ms, c[0],
					sizeof(c[0])));
		static const char *const what[] = { "db", "user", "app" };
		const char *val[] = { e->db, e->user, e->app };
		for (size_t k = 0; k < ARRAY_SIZE(what); k++) {
			if (!val[k] || !val[k][0])
				continue;
			fprintf(out, ", %s ", what[k]);
			md_code(out, val[k], 0, false, sb);
		}
		md_example_where(out, a, e, sb);
		fputs("\n\n", out);
		report_example_text(g, e, opts->show_literals, &text);
		md_code_block(out, "sql", text.buf ? text.buf : "",
				EXAMPLE_MAX_BYTES);
	}
	sb_release(&text);
}

static int md_write(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	static const struct pgsift_options defaults = {
		.top = DEFAULT_TOP, .bands = { 100, 500, 1000 },
	};
	struct strbuf sb = STRBUF_INIT;
	struct ranked *r = NULL;
	size_t ntimed = 0;

	if (!opts)
		opts = &defaults;
	const struct group **v = xmalloc((a->ngroups ? a->ngroups : 1) * sizeof(*v));
	size_t nv = report_ranked_groups(a, opts, v);
	size_t top = opts->top ? opts->top : DEFAULT_TOP;
	if (top > nv)
		top = nv;

	fputs("# pgsift report\n\n", out);
	md_write_verdict(out, a, &sb);
	md_inputs(out, a, &sb);
	md_summary(out, a);
	md_write_findings(out, a, opts, &sb);
	md_write_traces(out, a, opts, &sb);
	md_write_baseline(out, a, opts, &sb);
	md_write_timeline(out, a);
	md_kinds(out, a, opts);
	md_worst(out, a, v, nv, top, opts, &sb);

	/* The other rankings sort a copy; ties keep the total-time order. */
	r = xmalloc((nv ? nv : 1) * sizeof(*r));
	for (size_t i = 0; i < nv; i++) {
		const struct group *g = v[i];
		if (!g->timed_calls)
			continue;
		r[ntimed++] = (struct ranked){ g, i + 1, group_pct(g, 0.99) };
	}
	qsort(r, ntimed, sizeof(*r), cmp_p99);
	md_top_p99(out, r, ntimed, top, &sb);

	for (size_t i = 0; i < nv; i++)
		r[i] = (struct ranked){ v[i], i + 1, 0 };
	qsort(r, nv, sizeof(*r), cmp_calls);
	md_top_calls(out, r, nv, top, &sb);
	md_write_events(out, a, opts, &sb);
	md_write_pooler(out, a, opts, &sb);
	md_write_stats(out, a, opts, &sb);

	if (top > 0) {
		fputs("## Details\n\n", out);
		for (size_t i = 0; i < top; i++) {
			md_fold_group(out, i + 1, v[i], &sb);
			md_group(out, a, i + 1, v[i], opts, &sb);
			md_fold_end(out);
		}
	}
	fprintf(out, "---\nWritten by pgsift %s.\n", PGSIFT_VERSION);

	free(r);
	free(v);
	sb_release(&sb);
	return ferror(out) ? -1 : 0;
}

/* md_write behind the guard that shows a log's controls escaped. */
static int md_write_escaped(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	return report_write_escaped(out, a, opts,
			TESC_KEEP_NL | TESC_KEEP_TAB, md_write);
}

/* The report as written, kept under the size CI shows (report_md_ci.c):
 * the cap counts the bytes as escaped. */
static int md_write_ci(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	return md_write_capped(out, a, opts, md_write_escaped);
}

const struct report_writer report_markdown = {
	.id = "md",
	.name = "Markdown",
	.write = md_write_ci,
};
