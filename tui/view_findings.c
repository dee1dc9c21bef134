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

/* The line of the finding the cursor is on: its first (or last). */
static size_t finding_edge(const struct tlines *l, size_t at, bool last)
{
	if (at >= l->n || l->v[at].kind != TL_FINDING)
		return at;
	size_t ref = l->v[at].ref;
	if (last)
		while (at + 1 < l->n && l->v[at + 1].kind == TL_FINDING && l->v[at + 1].ref == ref)
			at++;
	else
		while (at > 0 && l->v[at - 1].kind == TL_FINDING && l->v[at - 1].ref == ref)
			at--;
	return at;
}

/* Up and Down move a finding at a time, shown whole when it fits. */
static bool findings_request(struct view *v, enum request req)
{
	struct view_lines *vl = view_lines_of(v);
	const struct tlines *l = &vl->l;
	if ((req != REQ_UP && req != REQ_DOWN) || !l->n || l->v[0].kind != TL_FINDING)
		return view_lines_request(v, req);
	size_t first = finding_edge(l, v->cur, false), last = finding_edge(l, v->cur, true);
	size_t to;
	if (req == REQ_DOWN) {
		if (last + 1 >= l->n)
			return true;
		to = last + 1;
	} else {
		if (first == 0)
			return true;
		to = finding_edge(l, first - 1, false);
	}
	view_select(v, finding_edge(l, to, true));
	view_select(v, to);
	return true;
}

/* The whole finding under the cursor is selected. */
static bool findings_selected(struct view *v, size_t line)
{
	const struct tlines *l = &view_lines_of(v)->l;
	if (v->cur >= l->n || l->v[v->cur].kind != TL_FINDING)
		return line == v->cur;
	return line < l->n && l->v[line].kind == TL_FINDING && l->v[line].ref == l->v[v->cur].ref;
}

static void findings_status(struct view *v, char *out, size_t n)
{
	struct view_lines *vl = view_lines_of(v);
	size_t nf = v->app->r->nfindings;
	long at = v->cur < vl->l.n && vl->l.v[v->cur].kind == TL_FINDING ? (long)vl->l.v[v->cur].ref : -1;
	snprintf(out, n, "finding %ld of %zu \xc2\xb7 Enter its statements \xc2\xb7 w write SQL \xc2\xb7 s show SQL plain",
		at + 1, nf);
}

const struct view_ops view_findings = {
	.name = "findings",
	.open = findings_open,
	.lines = findings_lines,
	.column_data = view_lines_column_data,
	.request = findings_request,
	.selected = findings_selected,
	.status = findings_status,
	.done = view_lines_done,
};
