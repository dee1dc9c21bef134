/* view_common.c: what the views made of a model's lines share: building
 * at the screen's width, their one column, Enter, search and a finding's
 * suggested SQL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "view.h"

struct view_lines *view_lines_open(struct view *v, size_t size)
{
	struct view_lines *vl = xcalloc(1, size);
	vl->built_width = -1;
	vl->group = -1;
	vl->finding = -1;
	v->data = vl;
	return vl;
}

struct view_lines *view_lines_of(struct view *v)
{
	return v->data;
}

bool view_lines_stale(const struct view *v)
{
	const struct view_lines *vl = v->data;
	return vl->built_width != v->width;
}

void view_lines_begin(struct view *v, bool keep_place)
{
	struct view_lines *vl = view_lines_of(v);
	/* A rebuild for another width changes the line count. */
	if (keep_place && vl->l.n && vl->built_width > 0)
		vl->resize_share = (double)v->cur / (double)vl->l.n;
	tlines_clear(&vl->l);
	vl->built_width = v->width;
}

void view_lines_end(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	if (vl->resize_share > 0) {
		v->cur = (size_t)(vl->resize_share * (double)vl->l.n);
		v->top = v->cur;
		vl->resize_share = 0;
	}
	if (v->cur >= vl->l.n)
		v->cur = vl->l.n ? vl->l.n - 1 : 0;
}

size_t view_lines_column_data(struct view *v, size_t line, struct draw_column cols[DRAW_MAX_COLUMNS])
{
	const struct tline *tl = &view_lines_of(v)->l.v[line];
	cols[0] = (struct draw_column){ .text = tl->text, .style = tl->style, .align = DRAW_LEFT };
	return 1;
}

static void enter(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	struct tui *app = v->app;
	if (v->cur >= vl->l.n)
		return;
	const struct tline *tl = &vl->l.v[v->cur];
	if (tl->kind == TL_GROUP) {
		tui_push(app, &view_detail, tl->ref);
	} else if (tl->kind == TL_FINDING) {
		const struct tui_finding *f = &app->r->findings[tl->ref];
		/* A finding of the group shown leads nowhere new. */
		if (f->group >= 0 && f->group != vl->group) {
			tui_push(app, &view_detail, (size_t)f->group);
		} else if (f->table && f->group < 0) {
			/* The queries that touch the table: a search on its name. */
			char pat[256];
			const char *dot = strrchr(f->table, '.');
			snprintf(pat, sizeof(pat), "\\b%s\\b", dot ? dot + 1 : f->table);
			view_groups_search(app, pat);
		} else if (f->group < 0) {
			tui_message(app, "this finding names no group or table");
		}
	} else if (tl->kind == TL_PLAN || tl->kind == TL_SECTION) {
		tui_message(app, "Enter opens groups and findings; this is a heading");
	}
}

static long finding_under_cursor(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	if (v->cur < vl->l.n && vl->l.v[v->cur].kind == TL_FINDING)
		return (long)vl->l.v[v->cur].ref;
	return vl->finding;
}

bool view_lines_request(struct view *v, enum request req)
{
	struct view_lines *vl = view_lines_of(v);
	struct tui *app = v->app;
	char buf[512], err[256];
	long fi;

	switch (req) {
	case REQ_ENTER:
		enter(v);
		return true;
	case REQ_SEARCH:
		buf[0] = '\0';
		if (!tui_prompt(app, "search (PCRE2): ", buf, sizeof(buf)) || !buf[0])
			return true;
		tt_regex_free(vl->re);
		vl->re = tt_regex_new(buf, err, sizeof(err));
		if (!vl->re) {
			tui_message(app, "search: %s", err);
			return true;
		}
		/* fall through */
	case REQ_SEARCH_NEXT: {
		if (!vl->re) {
			tui_message(app, "no search yet: press /");
			return true;
		}
		long hit = tlines_find(&vl->l, v->cur + 1, vl->re);
		if (hit < 0)
			tui_message(app, "no match");
		else
			view_select(v, (size_t)hit);
		return true;
	}
	case REQ_WRITE:
		fi = finding_under_cursor(v);
		if (fi < 0 || !app->r->findings[fi].suggestion) {
			tui_message(app, "put the cursor on a finding with a suggestion");
			return true;
		}
		snprintf(buf, sizeof(buf), "pgsift-suggestions.sql");
		if (!tui_prompt(app, "append the suggested SQL to: ", buf, sizeof(buf)) || !buf[0])
			return true;
		if (findings_write_suggestion(app->r, (size_t)fi, buf) != 0)
			tui_message(app, "%s: %s", buf, strerror(errno));
		else
			tui_message(app, "appended to %s", buf);
		return true;
	case REQ_PLAIN:
		fi = finding_under_cursor(v);
		if (fi < 0 || !app->r->findings[fi].suggestion) {
			tui_message(app, "put the cursor on a finding with a suggestion");
			return true;
		}
		tui_push(app, &view_plain, (size_t)fi);
		return true;
	default:
		return false;
	}
}

void view_lines_status(struct view *v, char *out, size_t n)
{
	snprintf(out, n, "%s \xc2\xb7 line %zu of %zu", v->ops->name, v->cur + 1,
		view_lines_of(v)->l.n);
}

void view_lines_done(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	if (!vl)
		return;
	tlines_clear(&vl->l);
	tt_regex_free(vl->re);
	free(vl);
	v->data = NULL;
}
