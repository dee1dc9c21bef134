/* view.h: TUI screens as views with ops, and the application they live in.
 *
 * A view has lines (a model's rows), a cursor and a scroll offset. Each
 * view is one file with one ops table (view_<name>.c). tui.c asks the top
 * view for the columns of its visible lines (column_data) and hands them
 * to draw.c, which lays them out and calls curses; it handles the moves
 * common to every view and passes the other requests to the view's
 * request op. Views stack: Enter pushes one (a group's detail), q pops it.
 * The views made of a model's lines (all but groups) share their
 * behaviour through view_common.c. */
#ifndef PGSIFT_TUI_VIEW_H
#define PGSIFT_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "draw.h"
#include "keys.h"
#include "model.h"

struct tui;
struct view;

struct view_ops {
	const char *name;
	/* The lines are for copying with the mouse: no cursor highlight. */
	bool no_cursor;
	/* Prepares the view; arg is view-specific (a group index...). */
	void (*open)(struct view *v, size_t arg);
	/* Number of lines for the current width (v->width). */
	size_t (*lines)(struct view *v);
	/* The columns of a header row above the lines that does not scroll
	 * (NULL when the view has none), like column_data. */
	size_t (*header)(struct view *v, struct draw_column cols[DRAW_MAX_COLUMNS]);
	/* What the columns of line hold (tig's get_column_data): fills cols
	 * and returns how many. Their text is the view's until its next call. */
	size_t (*column_data)(struct view *v, size_t line, struct draw_column cols[DRAW_MAX_COLUMNS]);
	/* True when handled. */
	bool (*request)(struct view *v, enum request req);
	/* Whether line is drawn as selected; NULL: the cursor's line only. */
	bool (*selected)(struct view *v, size_t line);
	void (*status)(struct view *v, char *out, size_t n);
	void (*done)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	struct tui *app;
	size_t top, cur;        /* first line shown, selected line */
	int width, height;      /* of the line area, set before each draw */
	int hoff;               /* display columns scrolled right (Left/Right) */
	void *data;
};

/* The prompts that keep a history of their answers (Up/Down). */
enum tui_prompt_kind { TP_SEARCH, TP_FILTER, TP_MIN_CALLS, TP_COLUMNS, TP_WRITE, TP_COUNT };

struct tui {
	struct tui_report *r;
	struct view stack[16];
	int depth;
	bool quit;
	char msg[512];          /* shown once in the status line */
	struct tlines diag;     /* notes and problems of the analysis */
	struct draw_history history[TP_COUNT];
	int last_key;           /* the key of the request being handled */
};

extern const struct view_ops view_groups, view_detail, view_findings,
	view_events, view_timeline, view_help, view_plain, view_raw;

/* Pushes a view opened with arg (replacing the top when the stack is full). */
void tui_push(struct tui *t, const struct view_ops *ops, size_t arg);
/* Replaces the whole stack with one top view. */
void tui_switch(struct tui *t, const struct view_ops *ops);
/* Sets the one-time status message (printf-like). */
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prompts on the status line, the line empty, Up and Down walking the
 * answers given to that kind of prompt; false when cancelled. */
bool tui_prompt(struct tui *t, enum tui_prompt_kind kind, const char *label, char *buf, size_t n);
/* Puts the cursor on line and scrolls it into view. */
void view_select(struct view *v, size_t line);
/* Opens a groups view over the stack (q comes back) with only the groups
 * whose text matches pattern. */
void view_groups_search(struct tui *t, const char *pattern);
/* Opens a groups view over the stack with only the groups rows[0..n),
 * labelled what ("finding 3") in its status line. */
void view_groups_only(struct tui *t, const size_t *rows, size_t n, const char *what);
/* Opens the log lines around place pos (CALL_POS) of the run's inputs
 * (view_raw.c); says why in the status line when it cannot. */
void view_raw_open(struct tui *t, uint64_t pos);

/* ---- views made of a model's lines (view_common.c) ----
 *
 * Their v->data starts with a struct view_lines, so the ops below fit
 * their ops tables as they are. A view builds its lines in its lines op:
 * when view_lines_stale(), view_lines_begin(), its model's lines into
 * vl->l, view_lines_end(). Nothing here calls a view back. */

struct view_lines {
	struct tlines l;
	int built_width;        /* -1: to build again before the next draw */
	long group;             /* the group the view shows, or -1 */
	long finding;           /* the finding the view shows, or -1 */
	void *re;               /* last search */
	double resize_share;    /* cursor position to restore after a rebuild */
};

/* Allocates v->data of size bytes (at least a struct view_lines, which it
 * starts with) zeroed but for vl's fields, which show no group or finding
 * and want a build. view_lines_done frees it. */
struct view_lines *view_lines_open(struct view *v, size_t size);
struct view_lines *view_lines_of(struct view *v);
/* True when the lines were built for another width (or never). */
bool view_lines_stale(const struct view *v);
/* Empties the lines for a build at v->width. With keep_place, a rebuild
 * for another width puts the cursor back at the same share of the text. */
void view_lines_begin(struct view *v, bool keep_place);
/* After a build: the cursor back in place and on a line. */
void view_lines_end(struct view *v);
/* One column: the line as built, in its style. */
size_t view_lines_column_data(struct view *v, size_t line, struct draw_column cols[DRAW_MAX_COLUMNS]);
/* Enter (a group's detail, a finding's group or table), search and next
 * match, and a finding's suggested SQL written or shown plain. */
bool view_lines_request(struct view *v, enum request req);
/* "events · line 3 of 120". */
void view_lines_status(struct view *v, char *out, size_t n);
void view_lines_done(struct view *v);

#endif
