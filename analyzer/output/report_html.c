/* report_html.c: the HTML report (-f html), one self-contained page.
 *
 * Read after incidents, often on machines without internet: the page
 * loads nothing (no CDN, no font, no image), its style and its small
 * script are inline and its charts are inline SVG. Sections follow the
 * Markdown report's order: summary, what to fix first (each finding's SQL
 * in a block with a copy button), the rankings as sortable tables, the
 * timeline and events as charts and tables, then each worst offender's
 * detail (report_html_charts.c). Numbers are formatted as in the Markdown
 * report (report_md_common.c), so the two read alike. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "fingerprint.h"
#include "report.h"
#include "report_html_int.h"
#include "report_md.h"
#include "text_escape.h"
#include "timeutil.h"

#define DEFAULT_TOP 20
#define QUERY_CELL_CHARS 120    /* query text shown in a table cell */

/* ---- escaping ---- */

/* The one escaping of every human output (text_escape.c), with HTML's
 * entities: each control shown as its escape in a span the style marks.
 * (This file had its own before, which let bytes that are not UTF-8, the
 * BOM and U+2028/9 through raw, and showed the \r of a \r\n.) */
void html_escape(FILE *out, const char *s, size_t len)
{
	char buf[TESC_UNIT_MAX];

	if (!s)
		return;
	for (size_t i = 0; i < len;) {
		const char *o;
		size_t olen, k = tesc_unit(s + i, len - i,
			TESC_HTML | TESC_KEEP_NL | TESC_KEEP_TAB, buf, &o, &olen);
		bool ctl = o == buf && o[0] == '\\';
		if (ctl)
			fputs("<span class=\"ctl\">", out);
		fwrite(o, 1, olen, out);
		if (ctl)
			fputs("</span>", out);
		i += k;
	}
}

void html_text(FILE *out, const char *s)
{
	if (s)
		html_escape(out, s, strlen(s));
}

/* Up to max code points of s, "…" after when cut. */
static void html_cut(FILE *out, const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	if (!s)
		return;
	for (; s[i] && chars < max; chars++) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
	}
	html_escape(out, s, i);
	if (s[i])
		fputs("\xe2\x80\xa6", out);
}

/* ---- page ---- */

static const char style[] =
"<style>\n"
":root{--fg:#1f2328;--bg:#fff;--mut:#59636e;--line:#d1d9e0;--soft:#f6f8fa;"
"--bar:#0969da;--bad:#cf222e;--warn:#9a6700;--ok:#1a7f37}\n"
"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;"
"--mut:#9198a1;--line:#3d444d;--soft:#151b23;--bar:#4493f8;--bad:#f85149;"
"--warn:#d29922;--ok:#3fb950}}\n"
"body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);"
"margin:0 auto;max-width:1200px;padding:0 16px 40px}\n"
"h1{margin:16px 0 4px}h2{border-bottom:1px solid var(--line);padding-bottom:4px;"
"margin-top:32px}\n"
"nav a{margin-right:12px}a{color:var(--bar)}\n"
"pre,code{font:12.5px/1.4 ui-monospace,monospace}\n"
"pre{background:var(--soft);border:1px solid var(--line);padding:8px;"
"overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:4px 0}\n"
".ctl{color:var(--bad);border:1px dotted var(--bad)}\n"
"table{border-collapse:collapse;margin:8px 0;width:100%}\n"
"th,td{border:1px solid var(--line);padding:3px 6px;vertical-align:top}\n"
"th{background:var(--soft);text-align:left}td.n{text-align:right;"
"white-space:nowrap}\n"
"table.sort th{cursor:pointer}table.sort th::after{content:' \\2195';"
"color:var(--mut)}\n"
"td.q{font:12px ui-monospace,monospace;word-break:break-all}\n"
".critical{color:var(--bad);font-weight:600}.alert{color:var(--bad)}"
".warning{color:var(--warn)}.good,.info{color:var(--ok)}\n"
".finding{border-left:4px solid var(--line);padding:2px 10px;margin:12px 0}\n"
".finding.sev-critical{border-color:var(--bad)}"
".finding.sev-warning{border-color:var(--warn)}\n"
".code{position:relative}.copy{position:absolute;top:4px;right:4px;"
"font-size:12px;cursor:pointer}\n"
".mut{color:var(--mut)}.group{border:1px solid var(--line);padding:4px 12px;"
"margin:16px 0}\n"
"svg{display:block;margin:6px 0;max-width:100%;height:auto}\n"
"svg .b{fill:var(--bar)}svg .e{fill:var(--bad)}svg .l{stroke:var(--bar);"
"fill:none;stroke-width:1.5}svg .ax{stroke:var(--line)}\n"
"svg text{fill:var(--mut);font:10px sans-serif}\n"
".plan ul{list-style:none;margin:0;padding-left:18px;border-left:1px dotted "
"var(--line)}\n"
".plan summary{cursor:pointer}.plan .hot{color:var(--bad);font-weight:600}\n"
".plan .hot::before{content:'\\25B2 '}\n"
"</style>\n";

/* Sorting: a click on a header sorts its table's body by that column,
 * by data-v when cells have one (numbers), else by text; again reverses.
 * Copying: the clipboard API where the page may use it (file:// often
 * may not), else a selection and execCommand; neither failure shows an
 * error, the text stays selectable. */
static const char script[] =
"<script>\n"
"document.querySelectorAll('table.sort').forEach(function(t){\n"
" t.querySelectorAll('th').forEach(function(th,col){\n"
"  th.addEventListener('click',function(){\n"
"   var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
"   var dir=th.dataset.dir==='a'?'d':'a';th.dataset.dir=dir;\n"
"   rows.sort(function(x,y){\n"
"    var a=x.cells[col],c=y.cells[col],r;\n"
"    if(a.dataset.v!==undefined&&c.dataset.v!==undefined)\n"
"     r=parseFloat(a.dataset.v)-parseFloat(c.dataset.v);\n"
"    else r=a.textContent.localeCompare(c.textContent);\n"
"    return dir==='a'?r:-r;});\n"
"   rows.forEach(function(r){b.appendChild(r);});});});});\n"
"function pgsiftCopy(btn){\n"
" var pre=btn.parentNode.querySelector('pre'),txt=pre.textContent;\n"
" function done(){btn.textContent='copied';}\n"
" function fallback(){try{var r=document.createRange();r.selectNodeContents(pre);\n"
"  var s=window.getSelection();s.removeAllRanges();s.addRange(r);\n"
"  if(document.execCommand('copy'))done();}catch(e){}}\n"
" try{navigator.clipboard.writeText(txt).then(done,fallback);}catch(e){fallback();}}\n"
"document.querySelectorAll('button.copy').forEach(function(b){\n"
" b.addEventListener('click',function(){pgsiftCopy(b);});});\n"
"</script>\n";

/* The fingerprints of the groups the page details (the first of the
 * worst offenders), sorted: links go to them only, never to an anchor the
 * page lacks. Searched, not scanned: --top may be in the thousands. */
struct detailed {
	uint64_t *fp;
	size_t n;
};

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

static bool is_detailed(const struct detailed *d, uint64_t fp)
{
	return d->n && bsearch(&fp, d->fp, d->n, sizeof(*d->fp), cmp_u64);
}

static void fp_anchor(FILE *out, uint64_t fp)
{
	char hex[17];
	fp_format(fp, hex);
	fprintf(out, "g-%s", hex);
}

static void html_summary(FILE *out, const struct analysis *a)
{
	char b1[64], b2[64], h[64];

	fputs("<h2 id=\"summary\">Summary</h2>\n<ul>\n", out);
	if (a->window_start != TS_NONE && a->window_end != TS_NONE) {
		ts_format_iso(a->window_start, b1);
		ts_format_iso(a->window_end, b2);
		fprintf(out, "<li>Window: %s to %s%s</li>\n", b1, b2,
				md_fmt_human((double)(a->window_end - a->window_start),
					h, sizeof(h)));
	} else {
		fputs("<li>Window: unknown (no time stamps)</li>\n", out);
	}
	fprintf(out, "<li>Queries: %s</li>\n", md_fmt_count(a->queries, b1, sizeof(b1)));
	fprintf(out, "<li>Total time: %s ms%s</li>\n",
			md_fmt_ms(a->total_ms, b1, sizeof(b1)),
			md_fmt_human(a->total_ms, h, sizeof(h)));
	fprintf(out, "<li>Distinct fingerprints: %s</li>\n",
			md_fmt_count(a->ngroups, b1, sizeof(b1)));
	if (a->filtered_out)
		fprintf(out, "<li>Left out by filters: %s call%s</li>\n",
				md_fmt_count(a->filtered_out, b1, sizeof(b1)), md_s(a->filtered_out));
	fputs("</ul>\n<table><thead><tr><th>input</th><th>format</th>"
	      "<th>bytes</th><th>records</th><th>skipped</th><th>problems</th>"
	      "</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		fputs("<tr><td><code>", out);
		html_text(out, in->path);
		fputs("</code></td><td>", out);
		html_text(out, in->format ? in->format : "unknown");
		fprintf(out, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
				"<td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n",
				(unsigned long long)in->bytes,
				(unsigned long long)in->records,
				(unsigned long long)in->skipped,
				(unsigned long long)in->nproblems);
	}
	fputs("</tbody></table>\n", out);
	/* Problems are shown, never dropped: each with its place. */
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		size_t kept = in->nkept < INPUT_MAX_PROBLEMS ? in->nkept :
			INPUT_MAX_PROBLEMS;
		for (size_t k = 0; k < kept; k++) {
			const struct problem *p = &in->problems[k];
			fputs("<pre>", out);
			html_text(out, in->path ? in->path : "-");
			if (p->line)
				fprintf(out, ":%llu", (unsigned long long)p->line);
			fputs(": ", out);
			html_text(out, p->message);
			fputs("</pre>\n", out);
		}
		if (in->nproblems > kept)
			fprintf(out, "<p>%llu more problem%s not listed.</p>\n",
					(unsigned long long)(in->nproblems - kept),
					md_s(in->nproblems - kept));
	}
}

/* A block of SQL (or other text to paste) with a copy button. */
static void html_copy_block(FILE *out, const char *text)
{
	fputs("<div class=\"code\"><button class=\"copy\" type=\"button\">copy"
	      "</button><pre>", out);
	html_text(out, text);
	fputs("</pre></div>\n", out);
}

static void html_findings(FILE *out, const struct analysis *a, size_t top,
		const struct detailed *d)
{
	size_t n = findings_count(a->findings);
	char ms[64];

	fputs("<h2 id=\"fix\">What to fix first</h2>\n", out);
	if (n == 0) {
		fputs("<p>No findings.</p>\n", out);
		return;
	}
	fprintf(out, "<p>%zu finding%s, most severe first, then by what each "
			"change saves after the ones above it.</p>\n", n,
			n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < top; i++) {
		const struct finding *f = findings_at(a->findings, i);
		const char *sev = finding_severity_name(f->severity);
		fprintf(out, "<div class=\"finding sev-%s\"><p><b>%zu.</b> "
				"<span class=\"%s\">%s</span> <code>%s</code>", sev,
				i + 1, sev, sev, finding_kind_name(f->kind));
		if (f->impact_ms > 0) {
			fprintf(out, " (%s ms", md_fmt_ms(f->impact_ms, ms, sizeof(ms)));
			if (a->total_ms > 0)
				fprintf(out, ", %.1f%% of all time",
						100.0 * f->impact_ms / a->total_ms);
			fputs(")", out);
		}
		fputs(": ", out);
		html_text(out, f->title);
		if (f->has_fingerprint && is_detailed(d, f->fingerprint)) {
			fputs(" <a href=\"#", out);
			fp_anchor(out, f->fingerprint);
			fputs("\">statement</a>", out);
		}
		fputs("</p>\n", out);
		if (f->suggestion)
			html_copy_block(out, f->suggestion);
		fputs("</div>\n", out);
	}
	if (n > top)
		fprintf(out, "<p>%zu more finding%s in the JSON report "
				"(<code>-f json</code>).</p>\n", n - top, md_s(n - top));
}

/* A number cell that sorts by its value. */
static void num_cell(FILE *out, double v, const char *shown)
{
	fprintf(out, "<td class=\"n\" data-v=\"%.6g\">%s</td>", v, shown);
}

static void ms_cell(FILE *out, const struct group *g, double v)
{
	char b[64];
	if (!g->timed_calls) {
		fputs("<td class=\"n\" data-v=\"-1\">-</td>", out);
		return;
	}
	num_cell(out, v, md_fmt_ms(v, b, sizeof(b)));
}

static void query_cell(FILE *out, const struct group *g,
		const struct detailed *d)
{
	bool link = is_detailed(d, g->fingerprint);
	fputs("<td class=\"q\">", out);
	if (link) {
		fputs("<a href=\"#", out);
		fp_anchor(out, g->fingerprint);
		fputs("\">", out);
	}
	html_cut(out, g->query ? g->query : "", QUERY_CELL_CHARS);
	fputs(link ? "</a></td>" : "</td>", out);
}

/* One ranking, its rows the first top of v (which the caller sorted). */
static void html_ranking(FILE *out, const char *id, const char *title,
		const struct group **v, size_t n, const struct pgsift_options *opts,
		const struct detailed *d)
{
	char b[64];

	fprintf(out, "<h2 id=\"%s\">%s</h2>\n", id, title);
	if (n == 0) {
		fputs("<p>No queries.</p>\n", out);
		return;
	}
	fputs("<table class=\"sort\"><thead><tr><th>#</th><th>total (ms)</th>"
	      "<th>calls</th><th>mean (ms)</th><th>P50 (ms)</th><th>P95 (ms)</th>"
	      "<th>P99 (ms)</th><th>max (ms)</th><th>band</th><th>query</th>"
	      "</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct group *g = v[i];
		fputs("<tr>", out);
		num_cell(out, (double)(i + 1), md_fmt_count(i + 1, b, sizeof(b)));
		num_cell(out, g->total_ms, md_fmt_ms(g->total_ms, b, sizeof(b)));
		num_cell(out, (double)g->calls, md_fmt_count(g->calls, b, sizeof(b)));
		ms_cell(out, g, group_mean(g));
		ms_cell(out, g, group_pct(g, 0.50));
		ms_cell(out, g, group_pct(g, 0.95));
		ms_cell(out, g, group_pct(g, 0.99));
		ms_cell(out, g, g->max_ms);
		const char *band = g->timed_calls ?
			report_band_name(report_band(opts, group_pct(g, 0.95))) : "-";
		fprintf(out, "<td class=\"%s\">%s</td>", band, band);
		query_cell(out, g, d);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static int cmp_p99(const void *pa, const void *pb)
{
	const struct group *x = *(const struct group *const *)pa;
	const struct group *y = *(const struct group *const *)pb;
	double a = group_pct(x, 0.99), b = group_pct(y, 0.99);
	if (a != b)
		return a > b ? -1 : 1;
	return x->fingerprint < y->fingerprint ? -1 : x->fingerprint > y->fingerprint;
}

static int cmp_calls(const void *pa, const void *pb)
{
	const struct group *x = *(const struct group *const *)pa;
	const struct group *y = *(const struct group *const *)pb;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return x->fingerprint < y->fingerprint ? -1 : x->fingerprint > y->fingerprint;
}

static int html_write(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	static const struct pgsift_options defaults = {
		.top = DEFAULT_TOP, .bands = { 100, 500, 1000 },
	};

	if (!opts)
		opts = &defaults;
	const struct group **v = xmalloc((a->ngroups ? a->ngroups : 1) * sizeof(*v));
	const struct group **r = xmalloc((a->ngroups ? a->ngroups : 1) * sizeof(*r));
	size_t nv = report_ranked_groups(a, opts, v);
	size_t top = opts->top ? opts->top : DEFAULT_TOP;
	if (top > nv)
		top = nv;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
	      "<title>pgsift report</title>\n", out);
	fputs(style, out);
	fputs("</head>\n<body>\n<h1>pgsift report</h1>\n<nav>"
	      "<a href=\"#summary\">Summary</a><a href=\"#fix\">What to fix first</a>"
	      "<a href=\"#worst\">Worst offenders</a><a href=\"#p99\">Top by P99</a>"
	      "<a href=\"#calls\">Top by calls</a><a href=\"#timeline\">Timeline</a>"
	      "<a href=\"#events\">Events</a><a href=\"#details\">Details</a></nav>\n",
	      out);
	html_summary(out, a);
	struct detailed d = { xmalloc((top ? top : 1) * sizeof(*d.fp)), top };
	for (size_t i = 0; i < top; i++)
		d.fp[i] = v[i]->fingerprint;
	qsort(d.fp, top, sizeof(*d.fp), cmp_u64);
	html_findings(out, a, opts->top ? opts->top : DEFAULT_TOP, &d);
	html_ranking(out, "worst", "Worst offenders (by total time)", v, top,
			opts, &d);

	size_t nt = 0;
	for (size_t i = 0; i < nv; i++)
		if (v[i]->timed_calls)
			r[nt++] = v[i];
	qsort(r, nt, sizeof(*r), cmp_p99);
	html_ranking(out, "p99", "Top by P99", r, nt < top ? nt : top, opts, &d);
	memcpy(r, v, nv * sizeof(*r));
	qsort(r, nv, sizeof(*r), cmp_calls);
	html_ranking(out, "calls", "Top by calls", r, top, opts, &d);

	html_write_timeline(out, a);
	html_write_events(out, a, opts);
	fputs("<h2 id=\"details\">Details</h2>\n", out);
	for (size_t i = 0; i < top; i++)
		html_write_group(out, i + 1, v[i], a, opts);
	fprintf(out, "<p class=\"mut\">Written by pgsift %s.</p>\n", PGSIFT_VERSION);
	fputs(script, out);
	fputs("</body>\n</html>\n", out);
	free(d.fp);
	free(r);
	free(v);
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_html = {
	.id = "html",
	.name = "HTML",
	.write = html_write,
};
