/* model_detail.c: a group's detail as lines: query, latencies, histogram,
 * per-minute sparkline, findings, examples and its worst plan as a tree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "report.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void section(struct tlines *out, enum tline_kind kind, int width, const char *title)
{
	char rule[512];
	size_t j = 0;
	int w = width - tt_width(title) - 5;
	for (int i = 0; i < w && j + 4 < sizeof(rule); i++, j += 3)
		memcpy(rule + j, "\xe2\x94\x80", 3);
	rule[j] = '\0';
	tlines_add(out, TS_TITLE, kind, 0, "\xe2\x94\x80\xe2\x94\x80 %s %s", title, rule);
}

static int cmp_name_count(const void *pa, const void *pb)
{
	const struct name_count *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* "shop 121, other 3": busiest first, as the reports list them (the
 * order names reach a group depends on the workers). */
static void names_line(const struct name_counts *nc, char *out, size_t n)
{
	struct name_count *v = xmalloc((nc->n ? nc->n : 1) * sizeof(*v));
	size_t j = 0;
	if (nc->n)
		memcpy(v, nc->v, nc->n * sizeof(*v));
	qsort(v, nc->n, sizeof(*v), cmp_name_count);
	out[0] = '\0';
	for (uint32_t i = 0; i < nc->n; i++) {
		const char *k = v[i].name ? v[i].name : "";
		int w = snprintf(out + j, n - j, "%s%s %llu", j ? ", " : "", *k ? k : "(none)",
			(unsigned long long)v[i].count);
		if (w < 0 || (size_t)w >= n - j)
			break;
		j += (size_t)w;
	}
	if (!j)
		snprintf(out, n, "-");
	free(v);
}

static void histogram(const struct tui_group *g, int width, struct tlines *out)
{
	uint64_t counts[SKETCH_HIST_BINS];
	int barw = width - 30;
	if (barw < 10)
		barw = 10;
	if (barw > 50)
		barw = 50;
	char bar[256], lim[32], cnt[32];
	if (group_histogram(g->g, counts)) {
		/* The 1-2-5 bins between the first and the last non-empty
		 * one, the last bin open-ended, as the reports give them. */
		unsigned first = 0, last = SKETCH_HIST_BINS - 1;
		double max = 0;
		while (counts[first] == 0)
			first++;
		while (last > first && counts[last] == 0)
			last--;
		for (unsigned i = first; i <= last; i++)
			if ((double)counts[i] > max)
				max = (double)counts[i];
		for (unsigned i = first; i <= last; i++) {
			double up = i + 1 < SKETCH_HIST_BINS ? sketch_hist_limit(i) : INFINITY;
			double c = (double)counts[i];
			if (isfinite(up))
				tt_fmt_ms(up, lim, sizeof(lim));
			else
				snprintf(lim, sizeof(lim), "more");
			tt_bar(c, max, barw, bar, sizeof(bar));
			tt_fmt_count(c, cnt, sizeof(cnt));
			tlines_add(out, TS_BAR, TL_TEXT, 0, "  %s %9s %s %s",
				isfinite(up) ? "\xe2\x89\xa4" : ">", lim, bar, cnt);
		}
		return;
	}
	if (!(g->max > g->min) || g->calls <= 1) {
		tt_fmt_ms(g->max, lim, sizeof(lim));
		tt_fmt_count(g->calls, cnt, sizeof(cnt));
		tlines_add(out, TS_BAR, TL_TEXT, 0, "  %s %s: every call took %s", cnt,
			g->calls == 1 ? "call" : "calls", lim);
		return;
	}
	/* No histogram in the report: the share of calls between the
	 * percentiles it does give. */
	const struct { const char *from, *to; double lo, hi, share; } band[] = {
		{ "min", "P50", g->min, g->p50, 50 }, { "P50", "P95", g->p50, g->p95, 45 },
		{ "P95", "P99", g->p95, g->p99, 4 }, { "P99", "max", g->p99, g->max, 1 },
	};
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  (percentile bands: the report has no histogram)");
	for (size_t i = 0; i < 4; i++) {
		char lo[32], hi[32];
		tt_fmt_ms(band[i].lo, lo, sizeof(lo));
		tt_fmt_ms(band[i].hi, hi, sizeof(hi));
		tt_bar(band[i].share, 50, barw, bar, sizeof(bar));
		tlines_add(out, TS_BAR, TL_TEXT, 0, "  %s-%s %9s .. %-9s %s %.0f%%",
			band[i].from, band[i].to, lo, hi, bar, band[i].share);
	}
}

/* Calls per bucket of the report's timeline for this group: from the
 * group's own "timeline" when the report has one, else the span between
 * first and last seen, marked as such. */
static void sparkline(const struct tui_report *r, const struct tui_group *g, int width,
		struct tlines *out)
{
	struct tui_timeline t;
	if (!tui_timeline_load(r, &t) || t.n == 0) {
		tlines_add(out, TS_DIM, TL_TEXT, 0, "  (no timeline in this report)");
		return;
	}
	double *v = xcalloc(t.n, sizeof(*v));
	const struct agg_timeline *gt = &g->g->timeline;
	bool exact = gt->n > 0;
	int64_t span = (int64_t)t.bucket_s * 1000;
	if (exact) {
		/* Group and run buckets nest (same width ladder): a narrower
		 * one adds to the run bucket holding it, a wider one is spread
		 * over the run buckets it holds, by time. */
		int64_t gw = tui_bucket_ms(gt->width_ms);
		int64_t end = t.start[0] + (int64_t)t.n * span;
		for (uint32_t i = 0; i < gt->n; i++) {
			int64_t ts = gt->b[i].start_ms;
			double calls = (double)gt->b[i].calls;
			if (ts == TS_NONE || ts + gw <= t.start[0] || ts >= end)
				continue;
			if (gw <= span) {
				if (ts >= t.start[0])
					v[(ts - t.start[0]) / span] += calls;
				continue;
			}
			int64_t lo = ts > t.start[0] ? ts : t.start[0];
			int64_t hi = ts + gw < end ? ts + gw : end;
			for (int64_t at = lo; at < hi; ) {
				size_t k = (size_t)((at - t.start[0]) / span);
				int64_t next = t.start[0] + (int64_t)(k + 1) * span;
				if (next > hi)
					next = hi;
				v[k] += calls * (double)(next - at) / (double)gw;
				at = next;
			}
		}
	} else {
		for (size_t k = 0; k < t.n; k++)
			if (g->first_ms != TS_NONE && g->last_ms != TS_NONE &&
			    t.start[k] + span > g->first_ms && t.start[k] <= g->last_ms)
				v[k] = 1;
	}
	/* Fold buckets so the line fits. */
	size_t cells = (size_t)(width > 30 ? width - 24 : 8);
	size_t per = (t.n + cells - 1) / cells;
	size_t nc = (t.n + per - 1) / per;
	double *c = xcalloc(nc, sizeof(*c));
	for (size_t k = 0; k < t.n; k++)
		c[k / per] += v[k];
	size_t sl = nc * 3 + 8;
	char *line = xmalloc(sl);
	tt_sparkline(c, nc, line, sl);
	char a[32], b[32];
	ts_format_iso(t.start[0], a);
	ts_format_iso(t.start[t.n - 1], b);
	tlines_add(out, TS_BAR, TL_TEXT, 0, "  %.5s %s %.5s", a + 11, line, b + 11);
	tlines_add(out, TS_DIM, TL_TEXT, 0, exact ?
		"  calls per %d s, %zu buckets from %.16s" :
		"  active span, %d s x %zu from %.16s (report has no calls/minute)",
		t.bucket_s * (int)per, nc, a);
	free(line);
	free(c);
	free(v);
	timeline_release(&t);
}

void detail_build(const struct tui_report *r, size_t gi, int width,
		struct tlines *out, size_t *plan_line)
{
	const struct tui_group *g = &r->groups[gi];
	char a[32], b[32], c[32], d[32], e[32], f[32], h[64];

	tt_fmt_count(g->calls, a, sizeof(a));
	tt_fmt_ms(g->total, b, sizeof(b));
	tlines_add(out, TS_HEADER, TL_TEXT, 0, "Group %s \xc2\xb7 %s %s \xc2\xb7 total %s",
		g->fingerprint ? g->fingerprint : "?", a, g->calls == 1 ? "call" : "calls", b);
	section(out, TL_SECTION, width, "Query");
	tlines_wrap(out, TS_NORMAL, g->query, width - 1, 2);

	section(out, TL_SECTION, width, "Latency");
	tt_fmt_ms(g->mean, a, sizeof(a));
	tt_fmt_ms(g->min, b, sizeof(b));
	tt_fmt_ms(g->p50, c, sizeof(c));
	tt_fmt_ms(g->p95, d, sizeof(d));
	tt_fmt_ms(g->p99, e, sizeof(e));
	tt_fmt_ms(g->max, f, sizeof(f));
	tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  mean %s \xc2\xb7 min %s \xc2\xb7 max %s", a, b, f);
	tlines_add(out, tui_band_style(r, g->p95), TL_TEXT, 0,
		"  P50 %s \xc2\xb7 P95 %s \xc2\xb7 P99 %s", c, d, e);
	if (g->g->timed_calls != g->g->calls) {
		tt_fmt_count((double)g->g->timed_calls, h, sizeof(h));
		tlines_add(out, TS_DIM, TL_TEXT, 0, "  %s of the calls were timed", h);
	}
	char first[32] = "-", last[32] = "-";
	if (g->first_ms != TS_NONE)
		ts_format_iso(g->first_ms, first);
	if (g->last_ms != TS_NONE)
		ts_format_iso(g->last_ms, last);
	tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  first seen %s \xc2\xb7 last seen %s", first, last);
	char names[512];
	names_line(&g->g->dbs, names, sizeof(names));
	tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  databases: %s", names);
	names_line(&g->g->users, names, sizeof(names));
	tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  users: %s", names);
	names_line(&g->g->apps, names, sizeof(names));
	tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  applications: %s", names);

	section(out, TL_SECTION, width, "Latency histogram");
	histogram(g, width, out);
	section(out, TL_SECTION, width, "Over the window");
	sparkline(r, g, width, out);

	size_t nf = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		nf += r->findings[i].group == (long)gi;
	snprintf(a, sizeof(a), "Findings (%zu)", nf);
	section(out, TL_SECTION, width, a);
	if (!nf)
		tlines_add(out, TS_DIM, TL_TEXT, 0, "  none for this group");
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct tui_finding *tf = &r->findings[i];
		if (tf->group != (long)gi)
			continue;
		char *t = NULL;
		if (asprintf(&t, "%-8s %s", tf->severity ? tf->severity : "?", tf->title ? tf->title : "") < 0)
			t = NULL;
		tlines_wrap_as(out, tf->rank == 2 ? TS_CRIT : tf->rank == 1 ? TS_WARN : TS_NORMAL,
			TL_FINDING, i, t ? t : "", width - 1, 2, 11);
		free(t);
		if (tf->suggestion)
			tlines_wrap(out, TS_DIM, tf->suggestion, width - 1, 11);
	}

	/* Examples and plan as the reports show them: literals masked
	 * unless --show-literals. */
	bool literals = tui_show_literals(r);
	tui_group_examples(r, gi);
	unsigned nex = g->g->nexamples < AGG_EXAMPLES ? g->g->nexamples : AGG_EXAMPLES;
	snprintf(a, sizeof(a), "Examples (%u)", nex);
	section(out, TL_SECTION, width, a);
	struct strbuf sb = STRBUF_INIT;
	for (unsigned i = 0; i < nex; i++) {
		const struct example *x = &g->g->examples[i];
		char ts[32] = "-";
		if (x->ts_ms != TS_NONE)
			ts_format_iso(x->ts_ms, ts);
		tt_fmt_ms(g->g->timed_calls ? tt_ms3(x->duration_ms) : NAN, b, sizeof(b));
		/* Where it was logged, for o (the raw lines around it). */
		char place[512];
		if (!analysis_place(r->a, x->pos, place, sizeof(place)))
			snprintf(place, sizeof(place), "-");
		tlines_add(out, TS_HEADER, TL_EXAMPLE, i, "  %s  %s  db %s  user %s  app %s  %s", ts, b,
			x->db && x->db[0] ? x->db : "-", x->user && x->user[0] ? x->user : "-",
			x->app && x->app[0] ? x->app : "-", place);
		if (literals)
			agg_example_query(g->g, x, &sb);
		else
			report_example_text(g->g, x, false, &sb);
		const char *q = sb.buf;
		tlines_wrap_as(out, TS_NORMAL, TL_EXAMPLE, i, q, width - 1, 4, 4);
		if (literals && x->params)
			tlines_wrap_as(out, TS_DIM, TL_EXAMPLE, i, x->params, width - 1, 4, 4);
	}
	sb_release(&sb);

	*plan_line = out->n;
	/* The model keeps the worst plan as the EXPLAIN JSON the server
	 * logged; one that does not parse is shown as none, as the
	 * reports drop it. */
	json_t *plan = g->g->plan_json ? json_loads(g->g->plan_json, 0, NULL) : NULL;
	if (plan && !literals)
		report_plan_mask(plan);
	double pms = plan ? tt_ms3(g->g->plan_ms) : NAN;
	if (isfinite(pms)) {
		tt_fmt_ms(pms, b, sizeof(b));
		snprintf(h, sizeof(h), "Plan (worst, %s)", b);
	} else {
		snprintf(h, sizeof(h), "Plan (worst)");
	}
	section(out, TL_PLAN, width, h);
	if (!json_is_object(plan))
		tlines_add(out, TS_DIM, TL_TEXT, 0, "  no plan logged (auto_explain) for this group");
	else
		detail_plan(plan, width, out);
	json_decref(plan);
}

/* ---- plans ---- */

/* Wall time: under a Gather, procs processes ran the loops at once (see
 * plan_node_total_ms()). */
static double node_ms(const json_t *n, double procs)
{
	double t = num(n, "Actual Total Time"), loops = num(n, "Actual Loops");
	if (!isfinite(t))
		return NAN;
	return t * (isfinite(loops) && loops > 0 ? loops : 1) / procs;
}

/* The processes that run the children of n: a Gather's workers and leader. */
static double kids_procs(const json_t *n, double procs)
{
	const char *type = str(n, "Node Type");
	double w = num(n, "Workers Launched");
	if (!type || strncmp(type, "Gather", 6) != 0 || !isfinite(w) || w <= 0)
		return procs;
	return json_is_true(json_object_get(n, "Single Copy")) ? 1 : w + 1;
}

static void plan_node(const json_t *n, int depth, double root_ms, double procs, int width,
		struct tlines *out)
{
	const char *type = str(n, "Node Type");
	char head[512], what[256] = "";
	size_t j = 0;
	const char *strat = str(n, "Strategy");
	if (strat && (strcmp(strat, "Plain") != 0) && type && strstr(type, "Aggregate"))
		j += (size_t)snprintf(what + j, sizeof(what) - j, " (%s)", strat);
	if (str(n, "Index Name") && j < sizeof(what))
		j += (size_t)snprintf(what + j, sizeof(what) - j, " using %s", str(n, "Index Name"));
	if (str(n, "Relation Name") && j < sizeof(what)) {
		const char *alias = str(n, "Alias");
		j += (size_t)snprintf(what + j, sizeof(what) - j, " on %s%s%s", str(n, "Relation Name"),
			alias && strcmp(alias, str(n, "Relation Name")) ? " " : "",
			alias && strcmp(alias, str(n, "Relation Name")) ? alias : "");
	} else if (str(n, "Function Name") && j < sizeof(what)) {
		snprintf(what + j, sizeof(what) - j, " on %s()", str(n, "Function Name"));
	}

	/* Exclusive time: the node's own, without its children's. */
	double total = node_ms(n, procs), self = total, kprocs = kids_procs(n, procs);
	const json_t *kids = json_object_get(n, "Plans");
	size_t i;
	const json_t *k;
	json_array_foreach(kids, i, k) {
		double ck = node_ms(k, kprocs);
		if (isfinite(ck) && isfinite(self))
			self -= ck;
	}
	if (isfinite(self) && self < 0)
		self = 0;

	char reasons[160] = "";
	size_t rj = 0;
	if (isfinite(self) && root_ms > 0 && self >= root_ms / 3 && self >= 1)
		rj += (size_t)snprintf(reasons + rj, sizeof(reasons) - rj, " %.0f%% of time", self / root_ms * 100);
	const char *space = str(n, "Sort Space Type");
	if ((space && strcmp(space, "Disk") == 0) || num(n, "Temp Written Blocks") > 0 ||
	    num(n, "Hash Batches") > 1)
		rj += (size_t)snprintf(reasons + rj, sizeof(reasons) - rj, "%s spills to disk", rj ? "," : "");
	double est = num(n, "Plan Rows"), act = num(n, "Actual Rows");
	if (isfinite(est) && isfinite(act) && (act > 10 * (est + 1) || est > 10 * (act + 1)) &&
	    (act > 100 || est > 100) && rj < sizeof(reasons))
		snprintf(reasons + rj, sizeof(reasons) - rj, "%s rows %.0fx off", rj ? "," : "",
			act > est ? act / (est > 0 ? est : 1) : est / (act > 0 ? act : 1));
	bool hot = reasons[0] != '\0';

	char t1[32];
	tt_fmt_ms(self, t1, sizeof(t1));
	int ind = depth * 3 < width / 2 ? depth * 3 : width / 2;
	snprintf(head, sizeof(head), "%*s%s%s%s", ind, "", depth ? "\xe2\x94\x94\xe2\x94\x80 " : "",
		type ? type : "?", what);
	if (isfinite(act)) {
		tlines_add(out, hot ? TS_HOT : TS_NORMAL, TL_TEXT, 0,
			"%s %s \xc2\xb7 self %s \xc2\xb7 rows %.0f (est %.0f) x %.0f",
			hot ? "\xe2\x96\xb6" : " ", head, t1, act, isfinite(est) ? est : 0,
			isfinite(num(n, "Actual Loops")) ? num(n, "Actual Loops") : 1);
		if (hot)
			tlines_add(out, TS_HOT, TL_TEXT, 0, "  %*s     \xe2\x97\x80 expensive:%s", ind, "", reasons);
	} else
		tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %s  est rows %.0f", head,
			isfinite(est) ? est : 0);

	static const char *const props[] = {
		"Index Cond", "Filter", "Join Filter", "Hash Cond", "Merge Cond",
		"Recheck Cond", "Sort Method", "Sort Space Type",
	};
	for (size_t p = 0; p < sizeof(props) / sizeof(props[0]); p++)
		if (str(n, props[p]))
			tlines_add(out, TS_DIM, TL_TEXT, 0, "  %*s     %s: %s", ind, "", props[p],
				str(n, props[p]));
	const json_t *sk = json_object_get(n, "Sort Key");
	if (json_is_array(sk)) {
		char keys[256] = "";
		size_t kj = 0;
		json_array_foreach(sk, i, k)
			if (kj < sizeof(keys))
				kj += (size_t)snprintf(keys + kj, sizeof(keys) - kj, "%s%s", i ? ", " : "",
					json_string_value(k) ? json_string_value(k) : "?");
		tlines_add(out, TS_DIM, TL_TEXT, 0, "  %*s     Sort Key: %s", ind, "", keys);
	}
	double removed = num(n, "Rows Removed by Filter");
	if (isfinite(removed) && removed > 0)
		tlines_add(out, TS_DIM, TL_TEXT, 0, "  %*s     Rows Removed by Filter: %.0f", ind, "", removed);
	json_array_foreach(kids, i, k)
		plan_node(k, depth + 1, root_ms, kprocs, width, out);
}

void detail_plan(const json_t *plan, int width, struct tlines *out)
{
	const json_t *root = json_object_get(plan, "Plan");
	if (!json_is_object(root))
		root = plan;
	double root_ms = node_ms(root, 1);
	if (str(plan, "Query Text"))
		tlines_wrap(out, TS_DIM, str(plan, "Query Text"), width - 1, 2);
	plan_node(root, 0, root_ms, 1, width, out);
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  \xe2\x96\xb6 a third of the time or more, a disk spill, or rows 10x off the estimate");
}
