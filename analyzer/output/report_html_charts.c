/* report_html_charts.c: the HTML report's charts and per-group detail.
 *
 * Charts are inline SVG drawn here (bars and lines on a fixed viewBox
 * that scales with the page), so the page needs no script library and
 * no network. Each chart says its scale in text beside it: a picture is
 * for the shape, the numbers stay readable. A group's worst plan is a
 * tree of nested <details>, each node with its own time (its total less
 * its children's, over its loops); nodes that take a large share of the
 * plan's time are marked, so the eye goes to them first. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "fingerprint.h"
#include "report.h"
#include "report_html_int.h"
#include "report_md.h"
#include "sketch.h"
#include "sketch_hist.h"
#include "strbuf.h"
#include "timeutil.h"

#define CHART_W 900
#define CHART_H 110
#define SPARK_W 300
#define SPARK_H 40
#define HOT_SHARE 0.25          /* a plan node's own share marked as hot */
#define EXAMPLE_MAX_BYTES 4096

/* ---- bars ---- */

void html_svg_bars(FILE *out, const double *v, size_t n, int width,
		int height, const char *cls, const char *label,
		char (*xlabels)[16])
{
	double max = 0;
	int foot = xlabels ? 14 : 0;
	for (size_t i = 0; i < n; i++)
		max = fmax(max, v[i]);
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
			"role=\"img\"><title>", width, height + 14 + foot, width,
			height + 14 + foot);
	html_text(out, label);
	fprintf(out, "</title><text x=\"2\" y=\"10\">");
	html_text(out, label);
	fprintf(out, " (max %.6g)</text><line class=\"ax\" x1=\"0\" y1=\"%d\" "
			"x2=\"%d\" y2=\"%d\"/>", max, height + 13, width, height + 13);
	if (n == 0 || max <= 0) {
		fputs("</svg>\n", out);
		return;
	}
	double bw = (double)width / (double)n;
	for (size_t i = 0; i < n; i++) {
		if (xlabels)
			fprintf(out, "<text x=\"%.2f\" y=\"%d\">%s</text>",
					(double)i * bw + 2, height + 25, xlabels[i]);
		if (v[i] <= 0)
			continue;
		double h = v[i] / max * height;
		if (h < 1)
			h = 1;
		fprintf(out, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\"><title>%.6g</title></rect>", cls,
				(double)i * bw, 13 + height - h, bw > 2 ? bw - 0.5 : bw,
				h, v[i]);
	}
	fputs("</svg>\n", out);
}

/* ---- the run's timeline ---- */

void html_write_timeline(FILE *out, const struct analysis *a)
{
	char first[32], last[32];

	fputs("<h2 id=\"timeline\">Timeline</h2>\n", out);
	if (!a->events) {
		fputs("<p>No timeline (a saved report).</p>\n", out);
		return;
	}
	const struct ev_timeline *t = events_timeline(a->events);
	if (t->n == 0) {
		fputs("<p>No time-stamped activity.</p>\n", out);
		return;
	}
	double *v = xcalloc(t->n, sizeof(*v));
	ts_format_iso(t->b[0].start_ms, first);
	ts_format_iso(t->b[t->n - 1].start_ms, last);
	fprintf(out, "<p>From %s to %s, %zu bucket%s of %lld s.</p>\n", first, last,
			t->n, md_s(t->n), (long long)(t->width_ms / 1000));
	static const char *const label[] = { "calls", "P95 ms", "errors",
		"lock waits", "temp bytes" };
	for (int s = 0; s < 5; s++) {
		bool any = false;
		for (size_t i = 0; i < t->n; i++) {
			const struct ev_bucket *b = &t->b[i];
			v[i] = s == 0 ? (double)b->calls :
				s == 1 ? (b->timed_calls ? sketch_quantile(&b->latency, 0.95) : 0) :
				s == 2 ? (double)b->errors : s == 3 ? (double)b->lock_waits :
				(double)b->temp_bytes;
			any |= v[i] > 0;
		}
		if (any || s == 0)
			html_svg_bars(out, v, t->n, CHART_W, CHART_H, s >= 2 ? "e" : "b",
					label[s], NULL);
	}
	free(v);
}

/* ---- a group ---- */

static void histogram(FILE *out, const struct group *g)
{
	uint64_t c[SKETCH_HIST_BINS];
	double v[SKETCH_HIST_BINS] = { 0 };
	char xl[SKETCH_HIST_BINS][16];
	int lo = -1, hi = -1;

	if (!g->timed_calls || !group_histogram(g, c))
		return;
	for (int i = 0; i < SKETCH_HIST_BINS; i++) {
		if (c[i] && lo < 0)
			lo = i;
		if (c[i])
			hi = i;
	}
	if (lo < 0)
		return;
	size_t n = (size_t)(hi - lo + 1);
	for (size_t i = 0; i < n; i++) {
		double lim = sketch_hist_limit((unsigned)(lo + (int)i));
		v[i] = (double)c[lo + (int)i];
		if (isinf(lim))
			snprintf(xl[i], sizeof(xl[i]), "more");
		else
			snprintf(xl[i], sizeof(xl[i]), "\xe2\x89\xa4%g", lim);
	}
	int w = 56 * (int)n;
	fputs("<div class=\"hist\">", out);
	html_svg_bars(out, v, n, w < 320 ? 320 : w > 900 ? 900 : w, 70, "b",
			"calls per latency bin (ms)", xl);
	/* The bins' upper limits under the bars, as text. */
	fputs("<p class=\"mut\">Bins up to (ms): ", out);
	for (size_t i = 0; i < n; i++) {
		double lim = sketch_hist_limit((unsigned)(lo + (int)i));
		if (isinf(lim))
			fprintf(out, "%smore (%llu)", i ? ", " : "",
					(unsigned long long)c[lo + (int)i]);
		else
			fprintf(out, "%s%g (%llu)", i ? ", " : "", lim,
					(unsigned long long)c[lo + (int)i]);
	}
	fputs("</p></div>\n", out);
}

/* Calls per bucket from the first to the last, empty buckets as 0. */
static void sparkline(FILE *out, const struct group *g)
{
	const struct agg_timeline *t = &g->timeline;

	if (t->n == 0 || t->width_ms <= 0)
		return;
	int64_t span = t->b[t->n - 1].start_ms - t->b[0].start_ms;
	size_t n = (size_t)(span / t->width_ms) + 1;
	if (n > 4096)
		n = 4096;
	double *v = xcalloc(n, sizeof(*v));
	double max = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		size_t k = (size_t)((t->b[i].start_ms - t->b[0].start_ms) / t->width_ms);
		if (k >= n)
			k = n - 1;
		v[k] += (double)t->b[i].calls;
		max = fmax(max, v[k]);
	}
	fprintf(out, "<p>Calls per %lld s, max %.6g:</p><svg viewBox=\"0 0 %d %d\" "
			"width=\"%d\" height=\"%d\" role=\"img\"><title>calls over time"
			"</title><polyline class=\"l\" points=\"", (long long)(t->width_ms / 1000),
			max, SPARK_W, SPARK_H, SPARK_W, SPARK_H);
	for (size_t i = 0; i < n; i++) {
		double x = n == 1 ? SPARK_W / 2.0 : (double)i * SPARK_W / (double)(n - 1);
		double y = SPARK_H - 2 - (max > 0 ? v[i] / max * (SPARK_H - 4) : 0);
		fprintf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	fputs("\"/>", out);
	if (n == 1)
		fprintf(out, "<circle class=\"b\" cx=\"%d\" cy=\"%d\" r=\"3\"/>",
				SPARK_W / 2, 2);
	fputs("</svg>\n", out);
	free(v);
}

static void plan_node(FILE *out, const json_t *node, double root_ms, int depth)
{
	json_t *kids = json_object_get(node, "Plans");
	double self = md_plan_node_ms(node);
	size_t i;
	json_t *k;

	json_array_foreach(kids, i, k)
		self -= md_plan_node_ms(k);
	if (self < 0)
		self = 0;
	bool hot = root_ms > 0 && self >= HOT_SHARE * root_ms;
	fprintf(out, "<li><details%s><summary%s>", depth < 6 ? " open" : "",
			hot ? " class=\"hot\"" : "");
	html_text(out, md_plan_str(node, "Node Type") ? md_plan_str(node, "Node Type") : "?");
	const char *rel = md_plan_str(node, "Relation Name");
	const char *idx = md_plan_str(node, "Index Name");
	if (idx) {
		fputs(" using ", out);
		html_text(out, idx);
	}
	if (rel) {
		fputs(" on ", out);
		html_text(out, rel);
	}
	if (json_object_get(node, "Actual Total Time"))
		fprintf(out, " &mdash; %.3f ms (own %.3f ms), rows %.0f of %.0f "
				"estimated, loops %.0f", md_plan_node_ms(node), self,
				md_plan_num(node, "Actual Rows"), md_plan_num(node, "Plan Rows"),
				md_plan_num(node, "Actual Loops"));
	else
		fprintf(out, " &mdash; cost %.2f, rows %.0f estimated",
				md_plan_num(node, "Total Cost"), md_plan_num(node, "Plan Rows"));
	fputs("</summary>", out);
	static const char *const extra[] = { "Filter", "Index Cond", "Hash Cond",
		"Join Filter", "Sort Method", "Sort Space Type" };
	for (size_t e = 0; e < ARRAY_SIZE(extra); e++) {
		const char *s = md_plan_str(node, extra[e]);
		if (!s)
			continue;
		fprintf(out, "<div class=\"mut\">%s: <code>", extra[e]);
		html_text(out, s);
		fputs("</code></div>", out);
	}
	if (md_plan_num(node, "Rows Removed by Filter") > 0)
		fprintf(out, "<div class=\"mut\">Rows removed by filter: %.0f</div>",
				md_plan_num(node, "Rows Removed by Filter"));
	if (json_array_size(kids)) {
		fputs("<ul>", out);
		json_array_foreach(kids, i, k)
			plan_node(out, k, root_ms, depth + 1);
		fputs("</ul>", out);
	}
	fputs("</details></li>\n", out);
}

static void plan_tree(FILE *out, const struct group *g,
		const struct pgsift_options *opts)
{
	char b[64];
	json_t *doc = g->plan_json ? json_loads(g->plan_json, 0, NULL) : NULL;

	if (!doc)
		return;
	if (!opts->show_literals)
		report_plan_mask(doc);
	json_t *top = json_is_array(doc) ? json_array_get(doc, 0) : doc;
	json_t *root = json_object_get(top, "Plan");
	if (json_is_object(root)) {
		fprintf(out, "<p>Worst plan, logged for a %s ms run (nodes taking "
				"%.0f%% or more of its time on their own are marked):</p>"
				"<div class=\"plan\"><ul>", md_fmt_ms(g->plan_ms, b, sizeof(b)),
				HOT_SHARE * 100);
		plan_node(out, root, md_plan_node_ms(root), 0);
		fputs("</ul></div>\n", out);
	}
	json_decref(doc);
}

static void examples(FILE *out, const struct group *g,
		const struct analysis *a, const struct pgsift_options *opts)
{
	struct strbuf text = STRBUF_INIT;
	char c[64], place[4096];

	for (unsigned i = 0; i < g->nexamples && i < AGG_EXAMPLES; i++) {
		const struct example *e = &g->examples[i];
		fprintf(out, "<p>Example %u: ", i + 1);
		if (e->ts_ms != TS_NONE) {
			ts_format_iso(e->ts_ms, c);
			fputs(c, out);
		} else {
			fputs("no time stamp", out);
		}
		if (g->timed_calls)
			fprintf(out, ", %s ms", md_fmt_ms(e->duration_ms, c, sizeof(c)));
		if (e->pos && analysis_place(a, e->pos, place, sizeof(place))) {
			fputs(", at <code>", out);
			html_text(out, place);
			fputs("</code>", out);
		}
		static const char *const what[] = { "db", "user", "app" };
		const char *val[] = { e->db, e->user, e->app };
		for (size_t k = 0; k < ARRAY_SIZE(what); k++) {
			if (!val[k] || !val[k][0])
				continue;
			fprintf(out, ", %s <code>", what[k]);
			html_text(out, val[k]);
			fputs("</code>", out);
		}
		fputs("</p>\n", out);
		report_example_text(g, e, opts->show_literals, &text);
		fputs("<pre>", out);
		html_escape(out, text.buf ? text.buf : "", text.len > EXAMPLE_MAX_BYTES ?
				EXAMPLE_MAX_BYTES : text.len);
		if (text.len > EXAMPLE_MAX_BYTES)
			fputs("\n-- (cut)", out);
		fputs("</pre>\n", out);
	}
	sb_release(&text);
}

void html_write_group(FILE *out, size_t rank, const struct group *g,
		const struct analysis *a, const struct pgsift_options *opts)
{
	char c[8][64], fp[17];

	fp_format(g->fingerprint, fp);
	fprintf(out, "<div class=\"group\" id=\"g-%s\"><h3>%zu. <code>%s</code>"
			"</h3>\n<pre>", fp, rank, fp);
	html_text(out, g->query ? g->query : "");
	fprintf(out, "</pre>\n<p>Calls: %s; total %s ms", md_fmt_count(g->calls,
			c[0], sizeof(c[0])), md_fmt_ms(g->total_ms, c[1], sizeof(c[1])));
	if (g->timed_calls)
		fprintf(out, "; latency (ms): mean %s, min %s, P50 %s, P95 %s, "
				"P99 %s, max %s; band %s",
				md_fmt_ms(group_mean(g), c[2], sizeof(c[2])),
				md_fmt_ms(g->min_ms, c[3], sizeof(c[3])),
				md_fmt_ms(group_pct(g, 0.50), c[4], sizeof(c[4])),
				md_fmt_ms(group_pct(g, 0.95), c[5], sizeof(c[5])),
				md_fmt_ms(group_pct(g, 0.99), c[6], sizeof(c[6])),
				md_fmt_ms(g->max_ms, c[7], sizeof(c[7])),
				report_band_name(report_band(opts, group_pct(g, 0.95))));
	else
		fputs("; latency unknown (logged without a duration)", out);
	fprintf(out, "; kind %s.</p>\n", stmt_kind_label(group_kind(g, NULL)));
	histogram(out, g);
	sparkline(out, g);
	plan_tree(out, g, opts);
	examples(out, g, a, opts);
	fputs("</div>\n", out);
}
