/* view_timeline.c: calls per minute as a bar chart, and what ran in the
 * minute under the marker; Left and Right move it. */
#include <stdio.h>

#include "view.h"

struct timeline_view {
	struct view_lines vl;   /* first: the shared line-list ops use it */
	struct tui_timeline tl;
	size_t bucket;          /* the minute under the marker */
};

static void timeline_open(struct view *v, size_t arg)
{
	(void)arg;
	struct timeline_view *tv = (struct timeline_view *)view_lines_open(v, sizeof(*tv));
	if (tui_timeline_load(v->app->r, &tv->tl)) {
		/* Start on the busiest minute. */
		for (size_t k = 1; k < tv->tl.n; k++)
			if (tv->tl.total[k] > tv->tl.total[tv->bucket])
				tv->bucket = k;
	}
}

static size_t timeline_lines(struct view *v)
{
	struct timeline_view *tv = v->data;
	struct tlines *l = &tv->vl.l;
	if (!view_lines_stale(v))
		return l->n;
	/* The chart and the minute change together: the cursor stays. */
	view_lines_begin(v, false);
	if (tv->tl.n == 0) {
		tlines_add(l, TS_DIM, TL_TEXT, 0, "No timeline in this report.");
		return l->n;
	}
	int h = v->height > 20 ? 8 : v->height > 12 ? 5 : 3;
	timeline_chart(&tv->tl, tv->bucket, v->width, h, l);
	timeline_bucket_lines(v->app->r, &tv->tl, tv->bucket, v->width, l);
	view_lines_end(v);
	return l->n;
}

static bool timeline_request(struct view *v, enum request req)
{
	struct timeline_view *tv = v->data;
	if (req != REQ_LEFT && req != REQ_RIGHT)
		return view_lines_request(v, req);
	if (tv->tl.n == 0)
		return false;
	if (req == REQ_LEFT && tv->bucket > 0)
		tv->bucket--;
	else if (req == REQ_RIGHT && tv->bucket + 1 < tv->tl.n)
		tv->bucket++;
	tv->vl.built_width = -1;
	return true;
}

static void timeline_status(struct view *v, char *out, size_t n)
{
	struct timeline_view *tv = v->data;
	snprintf(out, n, "timeline \xc2\xb7 %zu buckets \xc2\xb7 Left/Right move \xc2\xb7 Enter group",
		tv->tl.n);
}

static void timeline_done(struct view *v)
{
	struct timeline_view *tv = v->data;
	if (tv)
		timeline_release(&tv->tl);
	view_lines_done(v);
}

const struct view_ops view_timeline = {
	.name = "timeline",
	.open = timeline_open,
	.lines = timeline_lines,
	.column_data = view_lines_column_data,
	.request = timeline_request,
	.status = timeline_status,
	.done = timeline_done,
};
