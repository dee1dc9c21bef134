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

/* The columns dropped first when the screen is too narrow for the query
 * to stay readable: the chosen extras, then the least read. */
static const enum gcol drop_order[] = { GC_MIN, GC_P50, GC_MAX, GC_P99, GC_MEAN, GC_CALLS,
	GC_P95, GC_TOTAL };

/* The number columns shown at v->width, in order, into show; how many.
 * The query keeps at least 3/8 of the width (30 of 80 columns); the
 * sort column is dropped last. */
static int shown_columns(struct view *v, int numw, enum gcol show[GC_COUNT])
{
	const struct tui_glist *gl = gl_of(v);
	bool on[GC_COUNT];
	int n = 0;
	for (int c = 0; c < GC_QUERY; c++)
		n += on[c] = !gl->hidden[c];
	int want = v->width * 3 / 8;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof(drop_order) / sizeof(drop_order[0]); i++) {
			enum gcol c = drop_order[i];
			if (v->width - n * (numw + 1) >= want)
				break;
			if (on[c] && (pass == 1 || c != gl->sort) && n > 1) {
				on[c] = false;
				n--;
			}
		}
	int k = 0;
	for (int c = 0; c < GC_QUERY; c++)
		if (on[c])
			show[k++] = (enum gcol)c;
	return k;
}

/* The numbers right-aligned in columns of equal width, the query in the
 * rest, cut with "…" and scrolled by Left/Right. */
static size_t columns(struct view *v, const char *query, enum tstyle st, bool header,
		struct draw_column cols[DRAW_MAX_COLUMNS])
{
	struct groups_view *g = v->data;
	int numw = v->width < 100 ? 8 : 9;
	enum gcol show[GC_COUNT];
	int k = shown_columns(v, numw, show);
	int qw = v->width - k * (numw + 1);
	for (int i = 0; i < k; i++)
		cols[i] = (struct draw_column){ .text = g->cells[show[i]], .style = st, .width = numw,
			.align = DRAW_RIGHT };
	cols[k] = (struct draw_column){ .text = query, .style = st, .width = qw < 8 ? 8 : qw,
		.align = DRAW_LEFT, .skip = header ? 0 : v->hoff,
		.hl = header ? NULL : g->gl.search_re };
	return (size_t)k + 1;
}

/* The column names, the sorting one marked with its direction. */
static size_t groups_header(struct view *v, struct draw_column cols[DRAW_MAX_COLUMNS])
{
	struct groups_view *g = v->data;
	const char *arrow = g->gl.ascending ? "\xe2\x96\xb2" : "\xe2\x96\xbc";
	for (int c = 0; c <= GC_QUERY; c++)
		snprintf(g->cells[c], sizeof(g->cells[c]), "%s%s",
			g->gl.sort == (enum gcol)c ? arrow : "", gcol_name((enum gcol)c));
	return columns(v, g->cells[GC_QUERY], TS_HEADER, true, cols);
}

static size_t groups_column_data(struct view *v, size_t line, struct draw_column cols[DRAW_MAX_COLUMNS])
{
	struct groups_view *g = v->data;
	struct tui_glist *gl = &g->gl;
	size_t gi = gl->rows[line];
	enum tstyle st = tui_band_style(gl->r, gl->r->groups[gi].p95);
	for (int c = 0; c < GC_QUERY; c++)
		glist_cell(gl, gi, (enum gcol)c, g->cells[c], sizeof(g->cells[c]));
	return columns(v, tui_group_line(gl->r, gi), st == TS_GOOD ? TS_NORMAL : st, false, cols);
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
		if (tui_prompt(v->app, TP_SEARCH, "search groups (PCRE2; empty clears): ", buf, sizeof(buf)))
			search(v, buf);
		return true;
	case REQ_MIN_CALLS: {
		if (!tui_prompt(v->app, TP_MIN_CALLS, "at least how many calls (empty: all): ", buf, sizeof(buf)))
			return true;
		char *end;
		double m = buf[0] ? strtod(buf, &end) : 0;
		if (buf[0] && (*end || !(m >= 0))) {
			tui_message(v->app, "calls: '%s' is not a number", buf);
			return true;
		}
		glist_min_calls(gl, m);
		keep_cursor(v, gi, had);
		return true;
	}
	case REQ_COLUMNS:
		if (!tui_prompt(v->app, TP_COLUMNS, "show/hide columns (calls total mean p50 p95 p99 max min; "
				"empty: default): ", buf, sizeof(buf)))
			return true;
		if (!glist_columns(gl, buf, err, sizeof(err))) {
			tui_message(v->app, "columns: %s", err);
		} else {
			enum gcol show[GC_COUNT];
			int want = 0, k = shown_columns(v, v->width < 100 ? 8 : 9, show);
			for (int c = 0; c < GC_QUERY; c++)
				want += !gl->hidden[c];
			if (k < want)
				tui_message(v->app, "%d of the %d columns fit beside the query: widen the terminal",
					k, want);
		}
		return true;
	case REQ_RAW:
		if (had)
			view_raw_open(v->app, gl->r->groups[gi].g->first_pos);
		return true;
	case REQ_FILTER:
		if (tui_prompt(v->app, TP_FILTER, "filter (db=NAME, user=NAME, app=NAME or NAME; empty clears): ",
				buf, sizeof(buf))) {
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
	tui_push(t, &view_groups, 0);
	search(&t->stack[t->depth - 1], pattern);
}

void view_groups_only(struct tui *t, const size_t *rows, size_t n, const char *what)
{
	tui_push(t, &view_groups, 0);
	struct view *v = &t->stack[t->depth - 1];
	glist_only(gl_of(v), rows, n, what);
	/* Its status line says what they are. */
	keep_cursor(v, 0, false);
}
