/* view_findings.c: the findings, worst first; Enter opens a finding's
 * group (or the groups touching its table), w and s its suggested SQL. */
#include <stdio.h>

#include "view.h"

static void findings_open(struct view *v, size_t arg)
{
	(void)arg;
	view_lines_open(v, sizeof(struct view_lines));
}

static size_t findings_lines(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	if (view_lines_stale(v)) {
		view_lines_begin(v, true);
		findings_build(v->app->r, v->width, &vl->l);
		view_lines_end(v);
	}
	return vl->l.n;
}

static void findings_status(struct view *v, char *out, size_t n)
{
	snprintf(out, n, "%zu findings \xc2\xb7 Enter group/table \xc2\xb7 w write SQL \xc2\xb7 s show SQL plain",
		v->app->r->nfindings);
}

const struct view_ops view_findings = {
	.name = "findings",
	.open = findings_open,
	.lines = findings_lines,
	.column_data = view_lines_column_data,
	.request = view_lines_request,
	.status = findings_status,
	.done = view_lines_done,
};
