/* view_common.c: what the views made of a model's lines share: building
 * at the screen's width, their one column, Enter, search and a finding's
 * suggested SQL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
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
	cols[0] = (struct draw_column){ .text = tl->text, .style = tl->style, .align = DRAW_LEFT,
		.skip = v->hoff, .hl = view_lines_of(v)->re };
	return 1;
}

/* The groups finding fi names: its statements (finding_claims(): its
 * fingerprint, a missing index's groups, a table's statements), each
 * once, into rows (r->ngroups long). Returns how many. */
static size_t finding_groups(const struct tui_report *r, size_t fi, size_t *rows)
{
	const struct tui_finding *f = &r->findings[fi];
	struct finding_claim *cl = NULL;
	size_t n = 0, ncl = f->f ? finding_claims(f->f, &cl) : 0;
	for (size_t i = 0; i <= ncl; i++) {
		long gi = i < ncl ? tui_report_group_of(r, cl[i].fp) : f->group;
		bool seen = gi < 0;
		for (size_t k = 0; k < n && !seen; k++)
			seen = rows[k] == (size_t)gi;
		if (!seen)
			rows[n++] = (size_t)gi;
	}
	free(cl);
	return n;
}

/* A finding leads to the statements it names: one opens its detail,
 * several a list of just them; one that names none but a table lists the
 * groups whose text names the table, saying so. */
static void enter_finding(struct view *v, size_t fi)
{
	struct view_lines *vl = view_lines_of(v);
	struct tui *app = v->app;
	const struct tui_finding *f = &app->r->findings[fi];
	size_t *rows = xcalloc(app->r->ngroups + 1, sizeof(*rows));
	size_t n = finding_groups(app->r, fi, rows);
	char what[64];
	if (n == 1 && (long)rows[0] != vl->group) {
		tui_push(app, &view_detail, rows[0]);
	} else if (n == 1) {
		/* A finding of the group shown leads nowhere new. */
		tui_message(app, "this finding is about the group shown");
	} else if (n > 1) {
		snprintf(what, sizeof(what), "finding %zu", fi + 1);
		view_groups_only(app, rows, n, what);
	} else if (f->table) {
		char pat[256];
		const char *dot = strrchr(f->table, '.');
		snprintf(pat, sizeof(pat), "\\b%s\\b", dot ? dot + 1 : f->table);
		view_groups_search(app, pat);
		tui_message(app, "the finding names no statement: groups whose text names %s", f->table);
	} else {
		tui_message(app, "this finding names no statement or table");
	}
	free(rows);
}

static void enter(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	struct tui *app = v->app;
	if (v->cur >= vl->l.n)
		return;
	const struct tline *tl = &vl->l.v[v->cur];
	if (tl->kind == TL_GROUP)
		tui_push(app, &view_detail, tl->ref);
	else if (tl->kind == TL_FINDING)
		enter_finding(v, tl->ref);
	else if (tl->kind == TL_PLAN || tl->kind == TL_SECTION)
		tui_message(app, "Enter opens groups and findings; this is a heading");
}

/* The place the cursor stands for: an example's, else its group's first
 * call. */
static uint64_t raw_place(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	const struct tline *tl = v->cur < vl->l.n ? &vl->l.v[v->cur] : NULL;
	const struct tui_report *r = v->app->r;
	if (tl && tl->kind == TL_EXAMPLE && vl->group >= 0)
		return r->groups[vl->group].g->examples[tl->ref].pos;
	size_t gi = tl && tl->kind == TL_GROUP ? tl->ref : (size_t)vl->group;
	return r->groups[gi].g->first_pos;
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
		if (!tui_prompt(app, TP_SEARCH, "search (PCRE2): ", buf, sizeof(buf)))
			return true;
		if (!buf[0]) {
			tt_regex_free(vl->re);
			vl->re = NULL;
			return true;
		}
		tt_regex_free(vl->re);
		vl->re = tt_regex_new(buf, err, sizeof(err));
		if (!vl->re) {
			tui_message(app, "search: %s", err);
			return true;
		}
		/* fall through */
	case REQ_SEARCH_NEXT:
	case REQ_SEARCH_PREV: {
		if (!vl->re) {
			tui_message(app, "no search yet: press /");
			return true;
		}
		if (!vl->l.n)
			return true;
		bool back = req == REQ_SEARCH_PREV;
		long hit = tlines_find_dir(&vl->l, back ? (v->cur + vl->l.n - 1) % vl->l.n : v->cur + 1,
			vl->re, back);
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
		if (!tui_prompt(app, TP_WRITE, "append the suggested SQL to (Enter: pgsift-suggestions.sql): ",
				buf, sizeof(buf)))
			return true;
		if (!buf[0])
			snprintf(buf, sizeof(buf), "pgsift-suggestions.sql");
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
	case REQ_RAW:
		fi = v->cur < vl->l.n && vl->l.v[v->cur].kind == TL_FINDING ? (long)vl->l.v[v->cur].ref : -1;
		if (fi >= 0 && vl->group < 0) {
			/* A finding: the first call of the first statement it names. */
			size_t *rows = xcalloc(app->r->ngroups + 1, sizeof(*rows));
			if (finding_groups(app->r, (size_t)fi, rows))
				view_raw_open(app, app->r->groups[rows[0]].g->first_pos);
			else
				tui_message(app, "this finding names no statement");
			free(rows);
			return true;
		}
		if (vl->group < 0 && (v->cur >= vl->l.n || vl->l.v[v->cur].kind != TL_GROUP)) {
			tui_message(app, "o opens the log around a call: put the cursor on a group, "
				"an example or a finding");
			return true;
		}
		view_raw_open(app, raw_place(v));
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
