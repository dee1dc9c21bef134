/* draw.h: the only module that talks to curses (draw.c).
 *
 * Views describe what to show as sanitized text and a style per span; this
 * module puts it on the screen, reads keys and prompts, and owns terminal
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
void draw_refresh(void);
/* The next key: a Unicode character or a TK_ code (keys.h). */
int draw_key(void);
/* Reads a line on the last row after label; false when cancelled (Esc).
 * buf holds the initial text and receives the answer. */
bool draw_prompt(const char *label, char *buf, size_t n);

#endif
