/* view.h: TUI screens as views with ops, and the application they live in.
 *
 * A view has lines (a model's rows), a cursor and a scroll offset; tui.c
 * draws the visible lines through draw_line, handles the moves common to
 * every view and passes the other requests to the view's request op. Views
 * stack: Enter pushes one (a group's detail), q pops it. */
#ifndef PGSIFT_TUI_VIEW_H
#define PGSIFT_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "model.h"

struct tui;
struct view;

struct view_ops {
	const char *name;
	/* Prepares the view; arg is view-specific (a group index...). */
	void (*open)(struct view *v, size_t arg);
	/* Number of lines for the current width (v->width). */
	size_t (*lines)(struct view *v);
	/* Rows above the lines that do not scroll (a column header). */
	int (*header)(struct view *v, int row, int width);
	void (*draw_line)(struct view *v, size_t line, int row, int width, bool cursor);
	/* True when handled. */
	bool (*request)(struct view *v, enum request req);
	void (*status)(struct view *v, char *out, size_t n);
	void (*done)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	struct tui *app;
	size_t top, cur;        /* first line shown, selected line */
	int width, height;      /* of the line area, set before each draw */
	void *data;
};

struct tui {
	struct tui_report *r;
	struct view stack[16];
	int depth;
	bool quit;
	char msg[512];          /* shown once in the status line */
	struct tlines diag;     /* notes and problems of the analysis */
};

extern const struct view_ops view_groups, view_detail, view_findings,
	view_events, view_timeline, view_help, view_plain;

/* Pushes a view opened with arg (replacing the top when the stack is full). */
void tui_push(struct tui *t, const struct view_ops *ops, size_t arg);
/* Replaces the whole stack with one top view. */
void tui_switch(struct tui *t, const struct view_ops *ops);
/* Sets the one-time status message (printf-like). */
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prompts on the status line; false when cancelled. */
bool tui_prompt(struct tui *t, const char *label, char *buf, size_t n);
/* Puts the cursor on line and scrolls it into view. */
void view_select(struct view *v, size_t line);
/* The groups view at the bottom of the stack, focused on group gi after
 * the search pattern (may be NULL). */
void view_groups_search(struct tui *t, const char *pattern);

#endif
