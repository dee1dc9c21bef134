/* view_lines.c: the views that show a model's lines: group detail,
 * findings, events, timeline, help and a finding's SQL shown plain. They
 * differ in how they build their lines and in a few requests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "util.h"
#include "view.h"

struct lines_view {
	struct tlines l;
	int built_width;
	size_t arg;             /* group or finding index */
	size_t plan_line;
	bool want_plan;         /* jump to the plan once built */
	struct tui_timeline tl;
	size_t bucket;          /* timeline cursor */
	void *re;               /* last search */
	double resize_share;    /* cursor position to restore after a rebuild */
};

static struct lines_view *lv_of(struct view *v)
{
	return v->data;
}

static void lines_open(struct view *v, size_t arg)
{
	struct lines_view *lv = xcalloc(1, sizeof(*lv));
	lv->arg = arg;
	lv->built_width = -1;
	v->data = lv;
	if (v->ops == &view_timeline && timeline_load(v->app->r, &lv->tl)) {
		/* Start on the busiest minute. */
		for (size_t k = 1; k < lv->tl.n; k++)
			if (lv->tl.total[k] > lv->tl.total[lv->bucket])
				lv->bucket = k;
	}
}

static void build_help(struct tlines *out)
{
	tlines_add(out, TS_TITLE, TL_SECTION, 0, "\xe2\x94\x80\xe2\x94\x80 Keys");
#define X(id, k1, k2, shown, help) tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %-12s %s", shown, help);
	REQ_LIST(X)
#undef X
	tlines_add(out, TS_DIM, TL_TEXT, 0, "%s", "");
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  In a prompt: Enter accepts, Esc cancels, ^U clears.");
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  Colours are off when NO_COLOR is set; text from logs is shown with");
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  control characters as ^X and <U+XXXX>, never sent to the terminal.");
}

static void build(struct view *v)
{
	struct lines_view *lv = lv_of(v);
	const struct tui_report *r = v->app->r;
	/* A rebuild for another width changes the line count: keep the
	 * plan in view when it was, else the same share of the text. */
	size_t oldn = lv->l.n;
	if (oldn && lv->built_width > 0 && v->ops != &view_timeline) {
		if (v->ops == &view_detail && v->top == lv->plan_line)
			lv->want_plan = true;
		else
			lv->resize_share = (double)v->cur / (double)oldn;
	}
	tlines_clear(&lv->l);
	lv->built_width = v->width;
	if (v->ops == &view_detail) {
		detail_build(r, lv->arg, v->width, &lv->l, &lv->plan_line);
	} else if (v->ops == &view_findings) {
		findings_build(r, v->width, &lv->l);
	} else if (v->ops == &view_events) {
		events_build(r, v->width, &lv->l);
		if (v->app->diag.n) {
			tlines_add(&lv->l, TS_TITLE, TL_SECTION, 0, "\xe2\x94\x80\xe2\x94\x80 Inputs: notes and problems");
			for (size_t i = 0; i < v->app->diag.n; i++)
				tlines_add(&lv->l, v->app->diag.v[i].style, TL_TEXT, 0, "  %s", v->app->diag.v[i].text);
		}
	} else if (v->ops == &view_timeline) {
		if (lv->tl.n == 0) {
			tlines_add(&lv->l, TS_DIM, TL_TEXT, 0, "No timeline in this report.");
			return;
		}
		int h = v->height > 20 ? 8 : v->height > 12 ? 5 : 3;
		timeline_chart(&lv->tl, lv->bucket, v->width, h, &lv->l);
		timeline_bucket_lines(r, &lv->tl, lv->bucket, v->width, &lv->l);
	} else if (v->ops == &view_help) {
		build_help(&lv->l);
	} else if (v->ops == &view_plain) {
		const struct tui_finding *f = &r->findings[lv->arg];
		tlines_wrap(&lv->l, TS_NORMAL, f->suggestion ? f->suggestion : "", v->width, 0);
	}
	if (lv->resize_share > 0) {
		v->cur = (size_t)(lv->resize_share * (double)lv->l.n);
		v->top = v->cur;
		lv->resize_share = 0;
	}
	if (v->cur >= lv->l.n)
		v->cur = lv->l.n ? lv->l.n - 1 : 0;
	if (lv->want_plan) {
		lv->want_plan = false;
		v->top = lv->plan_line;
		view_select(v, lv->plan_line);
	}
}

static size_t lines_lines(struct view *v)
{
	struct lines_view *lv = lv_of(v);
	if (lv->built_width != v->width)
		build(v);
	return lv->l.n;
}

static void lines_draw_line(struct view *v, size_t line, int row, int width, bool cursor)
{
	struct lines_view *lv = lv_of(v);
	const struct tline *tl = &lv->l.v[line];
	/* The plain view is for copying: no highlight at all. */
	if (v->ops == &view_plain)
		cursor = false;
	draw_text(row, 0, width, cursor ? TS_CURSOR : tl->style, tl->text);
}

static void enter(struct view *v)
{
	struct lines_view *lv = lv_of(v);
	struct tui *app = v->app;
	if (v->cur >= lv->l.n)
		return;
	const struct tline *tl = &lv->l.v[v->cur];
	if (tl->kind == TL_GROUP) {
		tui_push(app, &view_detail, tl->ref);
	} else if (tl->kind == TL_FINDING) {
		const struct tui_finding *f = &app->r->findings[tl->ref];
		if (f->group >= 0 && !(v->ops == &view_detail && (size_t)f->group == lv->arg)) {
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
	struct lines_view *lv = lv_of(v);
	if (v->cur < lv->l.n && lv->l.v[v->cur].kind == TL_FINDING)
		return (long)lv->l.v[v->cur].ref;
	if (v->ops == &view_plain)
		return (long)lv->arg;
	return -1;
}

static bool lines_request(struct view *v, enum request req)
{
	struct lines_view *lv = lv_of(v);
	struct tui *app = v->app;
	char buf[512], err[256];
	long fi;

	switch (req) {
	case REQ_ENTER:
		enter(v);
		return true;
	case REQ_PLAN:
		if (v->ops != &view_detail)
			return false;
		if (lv->built_width != v->width) {
			lv->want_plan = true;
		} else {
			v->top = lv->plan_line;
			view_select(v, lv->plan_line);
		}
		return true;
	case REQ_LEFT:
	case REQ_RIGHT:
		if (v->ops != &view_timeline || lv->tl.n == 0)
			return false;
		if (req == REQ_LEFT && lv->bucket > 0)
			lv->bucket--;
		else if (req == REQ_RIGHT && lv->bucket + 1 < lv->tl.n)
			lv->bucket++;
		lv->built_width = -1;
		return true;
	case REQ_SEARCH:
		buf[0] = '\0';
		if (!tui_prompt(app, "search (PCRE2): ", buf, sizeof(buf)) || !buf[0])
			return true;
		tt_regex_free(lv->re);
		lv->re = tt_regex_new(buf, err, sizeof(err));
		if (!lv->re) {
			tui_message(app, "search: %s", err);
			return true;
		}
		/* fall through */
	case REQ_SEARCH_NEXT: {
		if (!lv->re) {
			tui_message(app, "no search yet: press /");
			return true;
		}
		long hit = tlines_find(&lv->l, v->cur + 1, lv->re);
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

static void lines_status(struct view *v, char *out, size_t n)
{
	struct lines_view *lv = lv_of(v);
	const struct tui_report *r = v->app->r;
	if (v->ops == &view_detail)
		snprintf(out, n, "detail %s \xc2\xb7 line %zu of %zu \xc2\xb7 v plan \xc2\xb7 q back",
			r->groups[lv->arg].fingerprint ? r->groups[lv->arg].fingerprint : "?",
			v->cur + 1, lv->l.n);
	else if (v->ops == &view_findings)
		snprintf(out, n, "%zu findings \xc2\xb7 Enter group/table \xc2\xb7 w write SQL \xc2\xb7 s show SQL plain",
			r->nfindings);
	else if (v->ops == &view_timeline)
		snprintf(out, n, "timeline \xc2\xb7 %zu buckets \xc2\xb7 Left/Right move \xc2\xb7 Enter group",
			lv->tl.n);
	else if (v->ops == &view_plain)
		snprintf(out, n, "suggested SQL, plain (select it with the mouse) \xc2\xb7 w write \xc2\xb7 q back");
	else
		snprintf(out, n, "%s \xc2\xb7 line %zu of %zu", v->ops->name, v->cur + 1, lv->l.n);
}

static void lines_done(struct view *v)
{
	struct lines_view *lv = lv_of(v);
	if (!lv)
		return;
	tlines_clear(&lv->l);
	timeline_release(&lv->tl);
	tt_regex_free(lv->re);
	free(lv);
	v->data = NULL;
}

#define LINES_VIEW(var, label) \
	const struct view_ops var = { \
		.name = label, .open = lines_open, .lines = lines_lines, \
		.draw_line = lines_draw_line, .request = lines_request, \
		.status = lines_status, .done = lines_done, \
	};

LINES_VIEW(view_detail, "detail")
LINES_VIEW(view_findings, "findings")
LINES_VIEW(view_events, "events")
LINES_VIEW(view_timeline, "timeline")
LINES_VIEW(view_help, "help")
LINES_VIEW(view_plain, "suggested SQL")
