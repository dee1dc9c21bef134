/* view_detail.c: one group in full: its numbers, histogram, examples,
 * findings and plan, which v jumps to. */
#include <stdio.h>

#include "view.h"

struct detail_view {
	struct view_lines vl;   /* first: the shared line-list ops use it */
	size_t plan_line;
	bool want_plan;         /* jump to the plan once built */
};

static void detail_open(struct view *v, size_t arg)
{
	struct view_lines *vl = view_lines_open(v, sizeof(struct detail_view));
	vl->group = (long)arg;
}

static void show_plan(struct view *v)
{
	struct detail_view *d = v->data;
	v->top = d->plan_line;
	view_select(v, d->plan_line);
}

static size_t detail_lines(struct view *v)
{
	struct detail_view *d = v->data;
	if (view_lines_stale(v)) {
		/* A rebuild for another width keeps the plan in view when it
		 * was, else the same share of the text. */
		bool plan_shown = d->vl.l.n && d->vl.built_width > 0 && v->top == d->plan_line;
		if (plan_shown)
			d->want_plan = true;
		view_lines_begin(v, !plan_shown);
		detail_build(v->app->r, (size_t)d->vl.group, v->width, &d->vl.l, &d->plan_line);
		view_lines_end(v);
		if (d->want_plan) {
			d->want_plan = false;
			show_plan(v);
		}
	}
	return d->vl.l.n;
}

static bool detail_request(struct view *v, enum request req)
{
	struct detail_view *d = v->data;
	if (req != REQ_PLAN)
		return view_lines_request(v, req);
	if (view_lines_stale(v))
		d->want_plan = true;
	else
		show_plan(v);
	return true;
}

static void detail_status(struct view *v, char *out, size_t n)
{
	struct detail_view *d = v->data;
	const struct tui_group *g = &v->app->r->groups[d->vl.group];
	snprintf(out, n, "detail %s \xc2\xb7 line %zu of %zu \xc2\xb7 v plan \xc2\xb7 q back",
		g->fingerprint ? g->fingerprint : "?", v->cur + 1, d->vl.l.n);
}

const struct view_ops view_detail = {
	.name = "detail",
	.open = detail_open,
	.lines = detail_lines,
	.column_data = view_lines_column_data,
	.request = detail_request,
	.status = detail_status,
	.done = view_lines_done,
};
