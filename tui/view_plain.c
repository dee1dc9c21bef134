/* view_plain.c: a finding's suggested SQL alone, without highlight, to
 * select with the mouse and copy. */
#include <stdio.h>

#include "view.h"

static void plain_open(struct view *v, size_t arg)
{
	struct view_lines *vl = view_lines_open(v, sizeof(struct view_lines));
	vl->finding = (long)arg;
}

static size_t plain_lines(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	if (view_lines_stale(v)) {
		const struct tui_finding *f = &v->app->r->findings[vl->finding];
		view_lines_begin(v, true);
		tlines_wrap(&vl->l, TS_NORMAL, f->suggestion ? f->suggestion : "", v->width, 0);
		view_lines_end(v);
	}
	return vl->l.n;
}

static void plain_status(struct view *v, char *out, size_t n)
{
	(void)v;
	snprintf(out, n, "suggested SQL, plain (select it with the mouse) \xc2\xb7 w write \xc2\xb7 q back");
}

const struct view_ops view_plain = {
	.name = "suggested SQL",
	.no_cursor = true,
	.open = plain_open,
	.lines = plain_lines,
	.column_data = view_lines_column_data,
	.request = view_lines_request,
	.status = plain_status,
	.done = view_lines_done,
};
