/* report_md_plan.c: a group's worst plan as indented text, and an
 * example's heading, as the Markdown and the text report both show them
 * (see report_md.h).
 *
 * The plan reads like EXPLAIN ANALYZE's text: one line per node ("->"
 * under its parent) with its time, its own time and rows against the
 * estimate, its conditions below it. A node that takes a quarter or more
 * of the plan's time on its own (as the HTML report marks them) ends in
 * "<- N% of the time on its own", so the eye goes there first. Literals
 * are masked as in the JSON report unless --show-literals. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "report_md.h"
#include "strbuf.h"

#define HOT_SHARE 0.25          /* own share of the plan's time marked */
#define PLAN_MAX_NODES 200      /* nodes shown; the JSON report has all */
#define PLAN_MAX_INDENT 32      /* levels indented; deeper ones are not */

struct plan_out {
	struct strbuf *sb;
	double root_ms;
	size_t nodes, skipped;
};

double md_plan_num(const json_t *node, const char *key)
{
	const json_t *x = json_object_get(node, key);
	return json_is_number(x) ? json_number_value(x) : 0;
}

const char *md_plan_str(const json_t *node, const char *key)
{
	return json_string_value(json_object_get(node, key));
}

double md_plan_node_ms(const json_t *node)
{
	double loops = md_plan_num(node, "Actual Loops");
	return md_plan_num(node, "Actual Total Time") * (loops > 0 ? loops : 1);
}

static void put(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

static void putf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void putf(struct strbuf *sb, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_append(sb, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

static void indent(struct strbuf *sb, unsigned depth, unsigned extra)
{
	unsigned n = (depth < PLAN_MAX_INDENT ? depth : PLAN_MAX_INDENT) * 4 + extra;
	for (unsigned i = 0; i < n; i++)
		sb_append(sb, " ", 1);
}

static void node_text(struct plan_out *p, const json_t *node, unsigned depth)
{
	static const char *const conds[] = { "Index Cond", "Recheck Cond",
		"Filter", "Join Filter", "Hash Cond", "Merge Cond", "Sort Method" };
	const json_t *kids = json_object_get(node, "Plans");
	struct strbuf *sb = p->sb;
	size_t i;
	const json_t *k;
	char b[3][64];

	if (p->nodes == PLAN_MAX_NODES) {
		p->skipped++;
		json_array_foreach(kids, i, k)
			node_text(p, k, depth + 1);
		return;
	}
	p->nodes++;
	double self = md_plan_node_ms(node);
	json_array_foreach(kids, i, k)
		self -= md_plan_node_ms(k);
	if (self < 0)
		self = 0;

	indent(sb, depth, 0);
	if (depth)
		put(sb, "-> ");
	put(sb, md_plan_str(node, "Node Type") ? md_plan_str(node, "Node Type") : "?");
	if (md_plan_str(node, "Index Name"))
		putf(sb, " using %s", md_plan_str(node, "Index Name"));
	if (md_plan_str(node, "Relation Name")) {
		const char *alias = md_plan_str(node, "Alias");
		putf(sb, " on %s", md_plan_str(node, "Relation Name"));
		if (alias && strcmp(alias, md_plan_str(node, "Relation Name")) != 0)
			putf(sb, " %s", alias);
	}
	if (json_object_get(node, "Actual Total Time")) {
		double loops = md_plan_num(node, "Actual Loops");
		putf(sb, ": %s ms (own %s ms), rows %.0f of %.0f estimated, %.0f loop%s",
			md_fmt_ms(md_plan_node_ms(node), b[0], sizeof(b[0])),
			md_fmt_ms(self, b[1], sizeof(b[1])), md_plan_num(node, "Actual Rows"),
			md_plan_num(node, "Plan Rows"), loops, loops == 1 ? "" : "s");
		if (p->root_ms > 0 && self >= HOT_SHARE * p->root_ms)
			putf(sb, "  <- %.0f%% of the time on its own", 100 * self / p->root_ms);
	} else if (json_object_get(node, "Actual Loops")) {
		putf(sb, ": rows %.0f of %.0f estimated", md_plan_num(node, "Actual Rows"),
			md_plan_num(node, "Plan Rows"));
	} else {
		putf(sb, ": cost %.2f, rows %.0f estimated", md_plan_num(node, "Total Cost"),
			md_plan_num(node, "Plan Rows"));
	}
	put(sb, "\n");
	for (size_t c = 0; c < sizeof(conds) / sizeof(conds[0]); c++) {
		const char *v = md_plan_str(node, conds[c]);
		if (!v)
			continue;
		indent(sb, depth, depth ? 7 : 4);
		putf(sb, "%s: ", conds[c]);
		put(sb, v);
		if (strcmp(conds[c], "Sort Method") == 0 && md_plan_str(node, "Sort Space Type"))
			putf(sb, " (%s, %s kB)", md_plan_str(node, "Sort Space Type"),
				md_fmt_count((uint64_t)md_plan_num(node, "Sort Space Used"), b[0], sizeof(b[0])));
		put(sb, "\n");
	}
	if (md_plan_num(node, "Rows Removed by Filter") > 0) {
		indent(sb, depth, depth ? 7 : 4);
		putf(sb, "Rows Removed by Filter: %s\n", md_fmt_count(
			(uint64_t)md_plan_num(node, "Rows Removed by Filter"), b[0], sizeof(b[0])));
	}
	json_array_foreach(kids, i, k)
		node_text(p, k, depth + 1);
}

bool md_plan_text(const struct group *g, const struct pgsift_options *opts,
		struct strbuf *sb)
{
	json_t *doc = g->plan_json ? json_loads(g->plan_json, 0, NULL) : NULL;
	bool ok = false;

	sb_reset(sb);
	if (!doc)
		goto out;
	if (!opts->show_literals)
		report_plan_mask(doc);
	const json_t *top = json_is_array(doc) ? json_array_get(doc, 0) : doc;
	const json_t *root = json_object_get(top, "Plan");
	if (!json_is_object(root))
		goto out;
	struct plan_out p = { sb, md_plan_node_ms(root), 0, 0 };
	node_text(&p, root, 0);
	if (p.skipped)
		putf(sb, "(%zu more nodes in the JSON report)\n", p.skipped);
	ok = true;
out:
	json_decref(doc);
	if (!sb->buf)
		sb_append(sb, "", 0);
	return ok;
}

void md_example_where(FILE *out, const struct analysis *a,
		const struct example *e, struct strbuf *sb)
{
	char place[4096];

	if (e->pid >= 0)
		fprintf(out, ", pid %lld", (long long)e->pid);
	if (!e->pos || !analysis_place(a, e->pos, place, sizeof(place)))
		return;
	fputs(", at ", out);
	if (sb)
		md_code(out, place, 0, false, sb);
	else
		fputs(place, out);
}
