/* draw.h: the only module that talks to curses (draw.c).
 *
 * Views describe a line as columns (what each holds: text, style, width,
 * alignment; tig's get_column_data) and this module lays them out and puts
 * them on the screen. It also reads keys and prompts, and owns terminal
 * safety: the terminal is restored on exit, on errors and on SIGINT,
 * SIGTERM, SIGSEGV, SIGBUS, SIGABRT, and resizes arrive as TK_RESIZE. */
#ifndef PGSIFT_TUI_DRAW_H
#define PGSIFT_TUI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Starts curses on the controlling terminal (/dev/tty when standard input
 * is not one). Colour unless NO_COLOR is set or the terminal has none.
 * Returns 0, or -1 with a message in err. */
int draw_open(char *err, size_t errlen);
/* Restores the terminal; safe to call twice and from a signal handler. */
void draw_close(void);
void draw_size(int *rows, int *cols);
void draw_erase(void);
/* Writes text at (row, col) in style st, cut or padded to width columns.
 * text is sanitized again here, so no byte can drive the terminal. */
void draw_text(int row, int col, int width, enum tstyle st, const char *text);

/* The most columns a line has. */
#define DRAW_MAX_COLUMNS 12

enum draw_align { DRAW_LEFT, DRAW_RIGHT };

/* One column of a line. */
struct draw_column {
	const char *text;       /* borrowed; sanitized again when drawn */
	enum tstyle style;      /* of the text, its padding and the space after */
	/* Display columns; 0 for the rest of the line, where text is cut at
	 * the edge. A left-aligned text wider than a column of set width is
	 * cut with "…"; a right-aligned one (a number) is never cut: it
	 * pushes the columns after it right. */
	int width;
	enum draw_align align;
	/* A left-aligned text scrolled right (Left/Right): display columns
	 * left out at its start, a "<" marking them. A text that passes the
	 * end of the line is cut with a ">" there, so nothing is lost
	 * unseen. */
	int skip;
	/* A compiled search (tt_regex_new) whose matches are drawn in
	 * TS_SEARCH, or NULL. */
	const void *hl;
};

/* Lays out n columns on row from the left edge over width display
 * columns: one space after each column but the last, which is padded to
 * the end of the line; whatever passes width is cut. With cursor, every
 * column is drawn in TS_CURSOR. */
void draw_columns(int row, int width, const struct draw_column *c, size_t n, bool cursor);
void draw_refresh(void);
/* The next key: a Unicode character or a TK_ code (keys.h). */
int draw_key(void);
/* Earlier answers of one prompt, newest last. */
#define DRAW_HISTORY_MAX 32
struct draw_history {
	char *v[DRAW_HISTORY_MAX];      /* owned */
	int n;
};

/* Reads a line on the last row after label; false when cancelled (Esc,
 * ^C, ^G). The line starts empty; Up and Down walk through h (may be
 * NULL), which a non-empty answer is added to. buf receives the answer. */
bool draw_prompt(const char *label, char *buf, size_t n, struct draw_history *h);
void draw_history_free(struct draw_history *h);
/* Shows question on the last row and reads one key: true for y or Y. */
bool draw_confirm(const char *question);

#endif
