/* view_raw.c: the log lines around a call, as they are in the file (lnav's
 * view of the raw log): 20 lines before and after it, the call's line
 * marked. The file is read again with the input reader, so compressed
 * logs and archive members open the same way as when they were analysed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "util.h"
#include "view.h"

#define RAW_AROUND 20

struct raw_view {
	struct view_lines vl;   /* first: the shared line-list ops use it */
	char *path;             /* owned */
	uint64_t line;          /* 1-based, the call's */
	size_t marked;          /* its index in the lines */
};

/* "path:line" split at its last colon: false when it has none. */
static bool split_place(const char *place, char **path, uint64_t *line)
{
	const char *colon = strrchr(place, ':');
	if (!colon || colon == place)
		return false;
	char *end;
	unsigned long long l = strtoull(colon + 1, &end, 10);
	if (*end || end == colon + 1 || l == 0)
		return false;
	*path = xstrndup(place, (size_t)(colon - place));
	*line = l;
	return true;
}

/* Reads lines line-RAW_AROUND .. line+RAW_AROUND of rv->path into the
 * view's lines; false with a message in err. */
static bool read_around(struct raw_view *rv, char *err, size_t errlen)
{
	char e[256] = "";
	struct line_reader *lr = lr_open(rv->path, e, sizeof(e));
	if (!lr) {
		snprintf(err, errlen, "%s: %s", rv->path, e);
		return false;
	}
	uint64_t from = rv->line > RAW_AROUND ? rv->line - RAW_AROUND : 1;
	uint64_t no = 0;
	const char *s;
	size_t len;
	bool found = false;
	while (no < rv->line + RAW_AROUND && lr_next(lr, &s, &len)) {
		if (++no < from)
			continue;
		bool here = no == rv->line;
		if (here) {
			rv->marked = rv->vl.l.n;
			found = true;
		}
		/* tlines_add sanitizes: a log's bytes never drive the terminal. */
		tlines_add(&rv->vl.l, here ? TS_HOT : TS_NORMAL, TL_TEXT, 0, "%s%7" PRIu64 " %.*s",
			here ? "\xe2\x96\xb6" : " ", no, (int)len, s);
	}
	if (!found)
		snprintf(err, errlen, "%s has %" PRIu64 " lines, not %" PRIu64 ": changed since the analysis?",
			rv->path, no, rv->line);
	lr_close(lr);
	return found;
}

static void raw_open(struct view *v, size_t arg)
{
	(void)arg;
	view_lines_open(v, sizeof(struct raw_view));
}

static size_t raw_lines(struct view *v)
{
	/* Built once by view_raw_open(): the file's lines do not depend on
	 * the width (Left/Right scroll long ones). */
	return view_lines_of(v)->l.n;
}

static void raw_status(struct view *v, char *out, size_t n)
{
	struct raw_view *rv = v->data;
	snprintf(out, n, "%s:%" PRIu64 " \xc2\xb7 line %zu of %zu \xc2\xb7 Left/Right scroll \xc2\xb7 q back",
		rv->path ? rv->path : "?", rv->line, v->cur + 1, rv->vl.l.n);
}

static void raw_done(struct view *v)
{
	struct raw_view *rv = v->data;
	if (rv)
		free(rv->path);
	view_lines_done(v);
}

const struct view_ops view_raw = {
	.name = "log",
	.open = raw_open,
	.lines = raw_lines,
	.column_data = view_lines_column_data,
	.request = view_lines_request,
	.status = raw_status,
	.done = raw_done,
};

void view_raw_open(struct tui *t, uint64_t pos)
{
	char place[4096], err[512];
	char *path = NULL;
	uint64_t line = 0;
	if (!analysis_place(t->r->a, pos, place, sizeof(place)) || !split_place(place, &path, &line)) {
		tui_message(t, "no place in the log is known for this (a saved report without places?)");
		return;
	}
	if (strcmp(path, "-") == 0) {
		tui_message(t, "%s was read from standard input: it cannot be read again", place);
		free(path);
		return;
	}
	tui_push(t, &view_raw, 0);
	struct view *v = &t->stack[t->depth - 1];
	struct raw_view *rv = v->data;
	rv->path = path;
	rv->line = line;
	rv->vl.built_width = v->width;
	if (!read_around(rv, err, sizeof(err))) {
		v->ops->done(v);
		t->depth--;
		tui_message(t, "%s", err);
		return;
	}
	/* The call's line in the middle of the screen. */
	size_t h = v->height > 0 ? (size_t)v->height : 1;
	v->top = rv->marked > h / 2 ? rv->marked - h / 2 : 0;
	view_select(v, rv->marked);
}
