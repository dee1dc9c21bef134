/* tui.c: `pgsift tui`: loads the model (a saved report, or a fresh
 * analysis), then runs the view stack: keys to requests, requests to the
 * top view or to the moves every view shares. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "draw.h"
#include "exit_status.h"
#include "keys.h"
#include "tui.h"
#include "view.h"

static const struct { int k1, k2; enum request req; } bindings[] = {
#define X(id, k1, k2, shown, help) { k1, k2, id },
	REQ_LIST(X)
#undef X
};

/* The views a request shows at the bottom of the stack, in Tab's order. */
static const struct { enum request req; const struct view_ops *ops; } top_views[] = {
	{ REQ_VIEW_GROUPS, &view_groups },
	{ REQ_VIEW_FINDINGS, &view_findings },
	{ REQ_VIEW_EVENTS, &view_events },
	{ REQ_VIEW_TIMELINE, &view_timeline },
};
#define NTOP_VIEWS (sizeof(top_views) / sizeof(top_views[0]))

static enum request request_of(int key)
{
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].k1 == key || (bindings[i].k2 && bindings[i].k2 == key))
			return bindings[i].req;
	return REQ_NONE;
}

static struct view *top(struct tui *t)
{
	return &t->stack[t->depth - 1];
}

static void screen_size(struct view *v)
{
	int rows, cols;
	draw_size(&rows, &cols);
	v->width = cols;
	v->height = rows - 2 > 1 ? rows - 2 : 1;
}

void tui_push(struct tui *t, const struct view_ops *ops, size_t arg)
{
	if (t->depth == (int)(sizeof(t->stack) / sizeof(t->stack[0]))) {
		struct view *v = top(t);
		v->ops->done(v);
		t->depth--;
	}
	struct view *v = &t->stack[t->depth++];
	*v = (struct view){ .ops = ops, .app = t };
	screen_size(v);
	ops->open(v, arg);
}

static void pop(struct tui *t)
{
	struct view *v = top(t);
	v->ops->done(v);
	t->depth--;
}

void tui_switch(struct tui *t, const struct view_ops *ops)
{
	if (t->depth >= 1 && t->stack[0].ops == ops) {
		while (t->depth > 1)
			pop(t);
		return;
	}
	while (t->depth > 0)
		pop(t);
	tui_push(t, ops, 0);
}

void tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

bool tui_prompt(struct tui *t, enum tui_prompt_kind kind, const char *label, char *buf, size_t n)
{
	return draw_prompt(label, buf, n, kind < TP_COUNT ? &t->history[kind] : NULL);
}

void view_select(struct view *v, size_t line)
{
	size_t n = v->ops->lines(v);
	if (n == 0) {
		v->cur = v->top = 0;
		return;
	}
	if (line >= n)
		line = n - 1;
	v->cur = line;
	size_t h = v->height > 0 ? (size_t)v->height : 1;
	if (v->cur < v->top)
		v->top = v->cur;
	else if (v->cur >= v->top + h)
		v->top = v->cur - h + 1;
}

static void draw_screen(struct tui *t)
{
	int rows, cols;
	struct view *v = top(t);
	char buf[1024], a[32], b[32];

	draw_size(&rows, &cols);
	draw_erase();
	if (rows < 4 || cols < 20) {
		draw_text(0, 0, cols, TS_NORMAL, "terminal too small");
		draw_refresh();
		return;
	}
	tt_fmt_count(t->r->queries, a, sizeof(a));
	tt_fmt_ms(t->r->total_ms, b, sizeof(b));
	snprintf(buf, sizeof(buf), "pgsift \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s queries, %s \xc2\xb7 ? help \xc2\xb7 q back",
		v->ops->name, t->r->origin, a, b);
	draw_text(0, 0, cols, TS_HEADER, buf);

	int row = 1;
	v->width = cols;
	v->height = rows - 2;
	struct draw_column c[DRAW_MAX_COLUMNS];
	if (v->ops->header) {
		draw_columns(row++, cols, c, v->ops->header(v, c), false);
		v->height--;
	}
	if (v->height < 1)
		v->height = 1;
	size_t n = v->ops->lines(v);
	/* Keep the cursor visible after a resize or a rebuild. */
	if (n && v->cur >= n)
		v->cur = n - 1;
	view_select(v, v->cur);
	for (size_t i = v->top; i < n && row < rows - 1; i++, row++)
		draw_columns(row, cols, c, v->ops->column_data(v, i, c), !v->ops->no_cursor &&
			(v->ops->selected ? v->ops->selected(v, i) : i == v->cur));

	if (t->msg[0]) {
		draw_text(rows - 1, 0, cols, TS_SEARCH, t->msg);
		t->msg[0] = '\0';
	} else {
		v->ops->status(v, buf, sizeof(buf));
		draw_text(rows - 1, 0, cols, TS_STATUS, buf);
	}
	draw_refresh();
}

/* The widest text of the lines on screen (their last column). */
static int widest_shown(struct view *v)
{
	struct draw_column c[DRAW_MAX_COLUMNS];
	size_t n = v->ops->lines(v);
	int w = 0;
	for (size_t i = v->top; i < n && i < v->top + (size_t)v->height; i++) {
		size_t k = v->ops->column_data(v, i, c);
		if (k) {
			char *clean = tt_sanitize(c[k - 1].text ? c[k - 1].text : "", true);
			int cw = tt_width(clean);
			free(clean);
			if (cw > w)
				w = cw;
		}
	}
	return w;
}

/* Left and Right: a quarter of the screen at a time, as long as some
 * line on screen still has text to show. */
static void scroll_sideways(struct view *v, bool right)
{
	int step = v->width / 4 > 4 ? v->width / 4 : 4;
	if (!right) {
		v->hoff = v->hoff > step ? v->hoff - step : 0;
		return;
	}
	if (widest_shown(v) > v->hoff + v->width / 2)
		v->hoff += step;
	else
		tui_message(v->app, "nothing more to the right");
}

static void common_request(struct tui *t, enum request req)
{
	struct view *v = top(t);
	size_t n = v->ops->lines(v);
	size_t page = v->height > 1 ? (size_t)v->height - 1 : 1;

	switch (req) {
	case REQ_UP: if (v->cur > 0) view_select(v, v->cur - 1); break;
	case REQ_DOWN: view_select(v, v->cur + 1); break;
	case REQ_PGUP:
		v->top = v->top > page ? v->top - page : 0;
		view_select(v, v->cur > page ? v->cur - page : 0);
		break;
	case REQ_PGDN:
		if (n && v->top + page < n)
			v->top += page;
		view_select(v, v->cur + page);
		break;
	case REQ_HOME: v->top = 0; view_select(v, 0); break;
	case REQ_END: view_select(v, n ? n - 1 : 0); break;
	case REQ_BACK:
		/* Going back never quits: a top view asks first. */
		if (t->depth > 1)
			pop(t);
		else if (t->last_key == TK_ESC)
			tui_message(t, "this is a top view: Q quits (q asks)");
		else if (draw_confirm("Quit? y/n"))
			t->quit = true;
		break;
	case REQ_LEFT:
	case REQ_RIGHT:
		scroll_sideways(v, req == REQ_RIGHT);
		break;
	case REQ_QUIT: t->quit = true; break;
	case REQ_HELP: tui_push(t, &view_help, 0); break;
	case REQ_VIEW_GROUPS:
	case REQ_VIEW_FINDINGS:
	case REQ_VIEW_EVENTS:
	case REQ_VIEW_TIMELINE:
		for (size_t i = 0; i < NTOP_VIEWS; i++)
			if (top_views[i].req == req)
				tui_switch(t, top_views[i].ops);
		break;
	case REQ_NEXT_VIEW:
		for (size_t i = 0; i < NTOP_VIEWS; i++)
			if (t->stack[0].ops == top_views[i].ops) {
				tui_switch(t, top_views[(i + 1) % NTOP_VIEWS].ops);
				return;
			}
		tui_switch(t, top_views[0].ops);
		break;
	case REQ_REDRAW: break;
	case REQ_NONE:
		tui_message(t, "that key does nothing here; ? shows the keys");
		break;
	default:
		tui_message(t, "not in the %s view; ? shows the keys", v->ops->name);
		break;
	}
}

/* Test hook for `make bench` (tests/bench.sh), documented in the README:
 * with PGSIFT_TUI_FIRST_SCREEN set, the TUI quits once its first screen is
 * drawn and says on stderr how long reading the report or analysing the
 * logs took, how long the first screen took after that, and the peak RSS. */
static void first_screen_times(double load_s, double t0, double t2)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "pgsift: tui first screen: load %.3f s, first screen %.3f s after it, "
		"peak RSS %ld KB\n", load_s, t2 - t0 - load_s, ru.ru_maxrss);
}

static void print_diag(const struct tlines *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].style == TS_WARN)
			fprintf(stderr, "pgsift: %s\n", d->v[i].text);
}

/* The loading screen: told by the analysis' progress hook (from its own
 * thread, while the main thread waits in analysis_run(): the two never
 * draw at once). */
struct loading {
	const char *what;
	double t0;
};

static void loading_draw(void *ctx, uint64_t done, uint64_t total)
{
	const struct loading *ld = ctx;
	int rows, cols;
	char line[512], a[32], b[32], bar[256];
	double secs = tt_now() - ld->t0;
	double rate = secs > 0 ? (double)done / secs : 0;

	draw_size(&rows, &cols);
	draw_erase();
	snprintf(line, sizeof(line), "pgsift \xc2\xb7 analysing %s", ld->what);
	draw_text(0, 0, cols, TS_HEADER, line);
	tt_fmt_bytes((double)done, a, sizeof(a));
	if (total) {
		tt_fmt_bytes((double)total, b, sizeof(b));
		double share = done >= total ? 1 : (double)done / (double)total;
		int w = snprintf(line, sizeof(line), "  %s of %s (%.0f%%) \xc2\xb7 %.1f MB/s", a, b,
			share * 100, rate / 1e6);
		if (rate > 0 && done < total && w > 0)
			snprintf(line + w, sizeof(line) - (size_t)w, " \xc2\xb7 %.0f s left",
				(double)(total - done) / rate);
		tt_bar(share, 1, cols > 12 ? cols - 6 : 6, bar, sizeof(bar));
	} else {
		snprintf(line, sizeof(line), "  %s read \xc2\xb7 %.1f MB/s (size unknown)", a, rate / 1e6);
		bar[0] = '\0';
	}
	int mid = rows / 2 > 2 ? rows / 2 - 1 : 1;
	draw_text(mid, 0, cols, TS_NORMAL, line);
	draw_text(mid + 1, 2, cols - 2, TS_BAR, bar);
	snprintf(line, sizeof(line), "  %.0f s \xc2\xb7 ^C stops", secs);
	draw_text(rows - 1, 0, cols, TS_STATUS, line);
	draw_refresh();
}

int tui_run(const struct pgsift_options *o, const char *const *paths, size_t n)
{
	struct tui t = { 0 };
	struct pgsift_options ao;       /* o with the loading screen's hook */
	char err[512] = "";
	bool force = o->input_format && strcmp(o->input_format, "report-json") == 0;
	int rc = EXIT_USAGE;
	bool first_only = getenv("PGSIFT_TUI_FIRST_SCREEN") != NULL;
	double t0 = tt_now(), t2 = 0;

	if (force && n != 1) {
		fputs("pgsift: --input-format report-json takes one report\n", stderr);
		return EXIT_USAGE;
	}
	if (n == 1 && tui_report_probe_file(paths[0], force, &t.r, err, sizeof(err)) < 0) {
		fprintf(stderr, "pgsift: %s\n", err);
		return EXIT_USAGE;
	}
	/* The terminal first: a loading screen shows while logs are read.
	 * Without one, the analysis' own errors (a bad input) still come
	 * first, as they would with a terminal. */
	char term_err[512] = "";
	bool term = draw_open(term_err, sizeof(term_err)) == 0;
	if (!t.r) {
		char what[64];
		if (n == 1)
			snprintf(what, sizeof(what), "%.60s", paths[0]);
		else
			snprintf(what, sizeof(what), "%zu inputs", n);
		struct loading ld = { .what = what, .t0 = tt_now() };
		ao = *o;
		if (term) {
			ao.progress = loading_draw;
			ao.progress_ctx = &ld;
			loading_draw(&ld, 0, 0);
		}
		o = &ao;
		t.r = tui_report_analyse(o, paths, n, err, sizeof(err), &t.diag);
		ao.progress = NULL;
		if (!t.r) {
			draw_close();
			print_diag(&t.diag);
			fprintf(stderr, "pgsift: %s\n", err);
			goto out;
		}
	}
	t.r->opts = o;  /* a saved report is banded by this command line too */
	if (!term) {
		fprintf(stderr, "pgsift: %s\n", term_err);
		goto out;
	}
	tui_switch(&t, &view_groups);
	if (t.r->status == EXIT_MALFORMED)
		tui_message(&t, "some input was malformed or truncated: see the events view (3)");
	while (!t.quit) {
		draw_screen(&t);
		if (first_only) {
			t2 = tt_now();
			break;
		}
		int key = draw_key();
		if (key == TK_NONE || key == TK_RESIZE)
			continue;
		t.last_key = key;
		enum request req = request_of(key);
		struct view *v = top(&t);
		if (req == REQ_NONE || !v->ops->request(v, req))
			common_request(&t, req);
	}
	while (t.depth > 0)
		pop(&t);
	draw_close();
	for (int i = 0; i < TP_COUNT; i++)
		draw_history_free(&t.history[i]);
	print_diag(&t.diag);
	if (first_only)
		first_screen_times(t.r->load_s, t0, t2);
	rc = t.r->status;
out:
	tui_report_free(t.r);
	tlines_clear(&t.diag);
	return rc;
}
