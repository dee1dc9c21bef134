/* view_events.c: locks, deadlocks, errors, temp files and connections,
 * then the inputs' notes and problems. */
#include "view.h"

static void events_open(struct view *v, size_t arg)
{
	(void)arg;
	view_lines_open(v, sizeof(struct view_lines));
}

static size_t events_lines(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	const struct tlines *diag = &v->app->diag;
	if (view_lines_stale(v)) {
		view_lines_begin(v, true);
		events_build(v->app->r, v->width, &vl->l);
		if (diag->n) {
			tlines_add(&vl->l, TS_TITLE, TL_SECTION, 0, "\xe2\x94\x80\xe2\x94\x80 Inputs: notes and problems");
			for (size_t i = 0; i < diag->n; i++)
				tlines_add(&vl->l, diag->v[i].style, TL_TEXT, 0, "  %s", diag->v[i].text);
		}
		view_lines_end(v);
	}
	return vl->l.n;
}

const struct view_ops view_events = {
	.name = "events",
	.open = events_open,
	.lines = events_lines,
	.column_data = view_lines_column_data,
	.request = view_lines_request,
	.status = view_lines_status,
	.done = view_lines_done,
};
