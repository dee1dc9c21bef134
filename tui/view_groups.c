/* view_groups.c: the groups list, one row per fingerprint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "view.h"

struct groups_view {
	struct tui_glist gl;
	char cells[GC_COUNT][32];       /* the last column_data's text */
};

static struct tui_glist *gl_of(struct view *v)
{
	return &((struct groups_view *)v->data)->gl;
}

static void groups_open(struct view *v, size_t arg)
{
	(void)arg;
	struct groups_view *g = xcalloc(1, sizeof(*g));
	glist_init(&g->gl, v->app->r);
	v->data = g;
}

static size_t groups_lines(struct view *v)
{
	return gl_of(v)->nrows;
}

/* The numbers (the columns before GC_QUERY) right-aligned in columns of
 * equal width, the query in the rest (at least 8 columns) cut with "…". */
static size_t columns(struct view *v, const char *query, enum tstyle st,
		struct draw_column cols[DRAW_MAX_COLUMNS])
{
	struct groups_view *g = v->data;
	int numw = v->width < 100 ? 8 : 9;
	int qw = v->width - GC_QUERY * (numw + 1);
	for (int c = 0; c < GC_QUERY; c++)
		cols[c] = (struct draw_column){ .text = g->cells[c], .style = st, .width = numw,
			.align = DRAW_RIGHT };
	cols[GC_QUERY] = (struct draw_column){ .text = query, .style = st, .width = qw < 8 ? 8 : qw,
		.align = DRAW_LEFT };
	return GC_QUERY + 1;
}

/* The column names, the sorting one marked with its direction. */
static size_t groups_header(struct view *v, struct draw_column cols[DRAW_MAX_COLUMNS])
{
	struct groups_view *g = v->data;
	const char *arrow = g->gl.ascending ? "\xe2\x96\xb2" : "\xe2\x96\xbc";
	for (int c = 0; c <= GC_QUERY; c++)
		snprintf(g->cells[c], sizeof(g->cells[c]), "%s%s",
			g->gl.sort == (enum gcol)c ? arrow : "", gcol_name((enum gcol)c));
	return columns(v, g->cells[GC_QUERY], TS_HEADER, cols);
}

static size_t groups_column_data(struct view *v, size_t line, struct draw_column cols[DRAW_MAX_COLUMNS])
{
	struct groups_view *g = v->data;
	struct tui_glist *gl = &g->gl;
	size_t gi = gl->rows[line];
	const struct tui_group *gr = &gl->r->groups[gi];
	enum tstyle st = tui_band_style(gl->r, gl->r->groups[gi].p95);
	tt_fmt_count(gr->calls, g->cells[GC_CALLS], sizeof(g->cells[GC_CALLS]));
	tt_fmt_ms(gr->total, g->cells[GC_TOTAL], sizeof(g->cells[GC_TOTAL]));
	tt_fmt_ms(gr->mean, g->cells[GC_MEAN], sizeof(g->cells[GC_MEAN]));
	tt_fmt_ms(gr->p95, g->cells[GC_P95], sizeof(g->cells[GC_P95]));
	tt_fmt_ms(gr->p99, g->cells[GC_P99], sizeof(g->cells[GC_P99]));
	tt_fmt_ms(gr->max, g->cells[GC_MAX], sizeof(g->cells[GC_MAX]));
	return columns(v, tui_group_line(gl->r, gi), st == TS_GOOD ? TS_NORMAL : st, cols);
}

/* Re-runs an operation on the list, keeping the cursor on its group. */
static void keep_cursor(struct view *v, size_t old_gi, bool had)
{
	struct tui_glist *gl = gl_of(v);
	long row = had ? glist_find_row(gl, old_gi) : -1;
	v->top = 0;
	v->cur = 0;
	if (row >= 0)
		view_select(v, (size_t)row);
}

static void search(struct view *v, const char *pattern)
{
	struct tui_glist *gl = gl_of(v);
	char err[256];
	bool had = v->cur < gl->nrows;
	size_t gi = had ? gl->rows[v->cur] : 0;
	if (!glist_search(gl, pattern, err, sizeof(err)))
		tui_message(v->app, "search: %s", err);
	keep_cursor(v, gi, had);
}

static bool groups_request(struct view *v, enum request req)
{
	struct tui_glist *gl = gl_of(v);
	bool had = v->cur < gl->nrows;
	size_t gi = had ? gl->rows[v->cur] : 0;
	char buf[512], err[256];
	enum gcol col = GC_COUNT;

	switch (req) {
	case REQ_SORT_CALLS: col = GC_CALLS; break;
	case REQ_SORT_TOTAL: col = GC_TOTAL; break;
	case REQ_SORT_MEAN: col = GC_MEAN; break;
	case REQ_SORT_P95: col = GC_P95; break;
	case REQ_SORT_P99: col = GC_P99; break;
	case REQ_SORT_MAX: col = GC_MAX; break;
	case REQ_SORT_QUERY: col = GC_QUERY; break;
	case REQ_ENTER:
	case REQ_PLAN:
		if (!had)
			return true;
		tui_push(v->app, &view_detail, gi);
		if (req == REQ_PLAN)
			v->app->stack[v->app->depth - 1].ops->request(&v->app->stack[v->app->depth - 1], REQ_PLAN);
		return true;
	case REQ_SEARCH:
		snprintf(buf, sizeof(buf), "%s", gl->search ? gl->search : "");
		if (tui_prompt(v->app, "search groups (PCRE2): ", buf, sizeof(buf)))
			search(v, buf);
		return true;
	case REQ_FILTER:
		snprintf(buf, sizeof(buf), "%s", gl->filter ? gl->filter : "");
		if (tui_prompt(v->app, "filter (db=NAME, user=NAME, app=NAME or NAME): ", buf, sizeof(buf))) {
			if (!glist_filter(gl, buf, err, sizeof(err)))
				tui_message(v->app, "filter: %s", err);
			keep_cursor(v, gi, had);
		}
		return true;
	default:
		return false;
	}
	glist_sort(gl, col);
	keep_cursor(v, gi, had);
	return true;
}

static void groups_status(struct view *v, char *out, size_t n)
{
	glist_status(gl_of(v), out, n);
}

static void groups_done(struct view *v)
{
	struct groups_view *g = v->data;
	if (g)
		glist_release(&g->gl);
	free(g);
	v->data = NULL;
}

const struct view_ops view_groups = {
	.name = "groups",
	.open = groups_open,
	.lines = groups_lines,
	.header = groups_header,
	.column_data = groups_column_data,
	.request = groups_request,
	.status = groups_status,
	.done = groups_done,
};

void view_groups_search(struct tui *t, const char *pattern)
{
	tui_switch(t, &view_groups);
	search(&t->stack[0], pattern);
	if (pattern && *pattern)
		tui_message(t, "groups matching /%s/", pattern);
}
