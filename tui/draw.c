/* draw.c: curses, and nothing else does: screen set-up and restore,
 * styles, text, keys and the prompt line. */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "draw.h"
#include "keys.h"
#include "util.h"

static SCREEN *screen;
static FILE *tty_in;
static volatile sig_atomic_t active;
static attr_t style_attr[TS_COUNT];

static void on_fatal_signal(int sig)
{
	/* endwin() is not async-signal-safe, but a terminal left in raw mode
	 * is worse than the small risk; then die of the signal as usual. */
	if (active) {
		active = 0;
		endwin();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit_restore(void)
{
	draw_close();
}

static void setup_styles(bool color)
{
	static const struct { enum tstyle st; short fg, bg; attr_t plain, extra; } map[] = {
		{ TS_NORMAL, -1, -1, A_NORMAL, A_NORMAL },
		{ TS_TITLE, COLOR_CYAN, -1, A_BOLD, A_BOLD },
		{ TS_HEADER, COLOR_WHITE, COLOR_BLUE, A_REVERSE, A_BOLD },
		{ TS_DIM, COLOR_WHITE, -1, A_DIM, A_DIM },
		{ TS_GOOD, COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
		{ TS_WARN, COLOR_YELLOW, -1, A_BOLD, A_NORMAL },
		{ TS_ALERT, COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
		{ TS_CRIT, COLOR_RED, -1, A_BOLD | A_UNDERLINE, A_BOLD },
		{ TS_HOT, COLOR_RED, -1, A_BOLD, A_BOLD },
		{ TS_BAR, COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
		{ TS_CURSOR, COLOR_BLACK, COLOR_CYAN, A_REVERSE, A_NORMAL },
		{ TS_STATUS, COLOR_BLACK, COLOR_WHITE, A_REVERSE, A_NORMAL },
		{ TS_SEARCH, COLOR_BLACK, COLOR_YELLOW, A_REVERSE | A_BOLD, A_NORMAL },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (color) {
			init_pair((short)(i + 1), map[i].fg, map[i].bg);
			style_attr[map[i].st] = COLOR_PAIR(i + 1) | map[i].extra;
		} else {
			style_attr[map[i].st] = map[i].plain;
		}
	}
}

int draw_open(char *err, size_t errlen)
{
	FILE *in = stdin;
	if (!isatty(STDIN_FILENO)) {
		tty_in = fopen("/dev/tty", "r");
		if (!tty_in) {
			snprintf(err, errlen, "the TUI needs a terminal (no /dev/tty)");
			return -1;
		}
		in = tty_in;
	}
	if (!isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the TUI needs a terminal on standard output");
		goto fail;
	}
	/* Text is UTF-8 throughout (queries, bars, arrows): without a UTF-8
	 * locale, curses would print its bytes as meta characters. */
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	screen = newterm(NULL, stdout, in);
	if (!screen) {
		snprintf(err, errlen, "cannot start curses on terminal '%s'",
			getenv("TERM") ? getenv("TERM") : "(unset)");
		goto fail;
	}
	active = 1;
	atexit(at_exit_restore);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	bool color = getenv("NO_COLOR") == NULL && has_colors();
	if (color) {
		start_color();
		use_default_colors();
	}
	setup_styles(color);
	return 0;
fail:
	if (tty_in)
		fclose(tty_in);
	tty_in = NULL;
	return -1;
}

void draw_close(void)
{
	if (!active)
		return;
	active = 0;
	endwin();
	if (screen)
		delscreen(screen);
	screen = NULL;
	if (tty_in)
		fclose(tty_in);
	tty_in = NULL;
}

void draw_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void draw_erase(void)
{
	erase();
}

/* Pads with spaces in the current style from column from to to of row,
 * but never writes the bottom-right cell (it would scroll some
 * terminals). */
static void pad(int row, int from, int to, int rows, int cols)
{
	move(row, from);
	for (int x = from; x < to; x++)
		if (!(row == rows - 1 && x == cols - 1))
			addch(' ');
}

/* Writes lead spaces then clean (sanitized; cut in place) at (row, col)
 * in style st, cut or padded to width columns. */
static void put_text(int row, int col, int width, enum tstyle st, int lead, char *clean)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	if (row < 0 || row >= rows || col >= cols || width <= 0)
		return;
	if (col + width > cols)
		width = cols - col;
	if (lead > width)
		lead = width;
	attrset(style_attr[st < TS_COUNT ? st : TS_NORMAL]);
	pad(row, col, col + lead, rows, cols);
	size_t len = tt_fit(clean, width - lead);
	int used = lead;
	if (len) {
		clean[len] = '\0';
		used += tt_width(clean);
		mvaddstr(row, col + lead, clean);
	}
	pad(row, col + used, col + width, rows, cols);
	attrset(A_NORMAL);
}

void draw_text(int row, int col, int width, enum tstyle st, const char *text)
{
	char *clean = tt_sanitize(text, true);
	put_text(row, col, width, st, 0, clean);
	free(clean);
}

/* Display width of the first len bytes of s. */
static int width_n(const char *s, size_t len)
{
	char *t = xmalloc(len + 1);
	memcpy(t, s, len);
	t[len] = '\0';
	int w = tt_width(t);
	free(t);
	return w;
}

/* Draws again, in TS_SEARCH, what re matches in text as put at (row, x). */
static void highlight(int row, int x, int width, const void *re, const char *text)
{
	size_t from = 0, s, e;
	attrset(style_attr[TS_SEARCH]);
	while (tt_regex_span(re, text, from, &s, &e)) {
		if (e == s) {
			/* An empty match shows nothing: look past it. */
			if (!text[s])
				break;
			from = s + 1;
			continue;
		}
		int at = width_n(text, s);
		if (at >= width)
			break;
		mvaddnstr(row, x + at, text + s, (int)(e - s));
		from = e;
	}
	attrset(A_NORMAL);
}

/* clean scrolled by skip columns: the rest after a "<" (a new string). */
static char *scrolled(char *clean, int skip)
{
	size_t b = tt_fit(clean, skip + 1);
	/* A wide character across the edge goes too. */
	if (tt_width(clean) > skip && b == 0)
		b = 1;
	while (clean[b] && ((unsigned char)clean[b] & 0xc0) == 0x80)
		b++;
	size_t rest = strlen(clean + b);
	char *t = xmalloc(rest + 2);
	t[0] = '<';
	memcpy(t + 1, clean + b, rest + 1);
	free(clean);
	return t;
}

void draw_columns(int row, int width, const struct draw_column *c, size_t n, bool cursor)
{
	int x = 0;
	for (size_t i = 0; i < n && x < width; i++) {
		char *clean = tt_sanitize(c[i].text ? c[i].text : "", true);
		if (c[i].skip > 0 && c[i].align == DRAW_LEFT)
			clean = scrolled(clean, c[i].skip);
		int w = tt_width(clean);
		int cw = c[i].width > 0 ? c[i].width : width - x;
		int lead = 0;
		if (c[i].align == DRAW_RIGHT) {
			/* A cut number would read as another number. */
			if (w > cw)
				cw = w;
			lead = cw - w;
		} else if (w > cw) {
			size_t n_cut = strlen(clean) + 4;
			char *cut = xmalloc(n_cut);
			if (c[i].width > 0) {
				tt_ellipsize(clean, cw, cut, n_cut);
			} else {
				/* The rest of the line: ">" says it goes on (Right). */
				size_t len = tt_fit(clean, cw - 1);
				memcpy(cut, clean, len);
				strcpy(cut + len, ">");
			}
			free(clean);
			clean = cut;
		}
		int span = i + 1 == n ? width - x : cw + 1;
		if (span > width - x)
			span = width - x;
		put_text(row, x, span, cursor ? TS_CURSOR : c[i].style, lead, clean);
		if (c[i].hl)
			highlight(row, x + lead, span - lead, c[i].hl, clean);
		free(clean);
		x += cw + 1;
	}
}

void draw_refresh(void)
{
	refresh();
}

static int translate(int rc, wint_t ch)
{
	if (rc == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return TK_UP;
		case KEY_DOWN: return TK_DOWN;
		case KEY_LEFT: return TK_LEFT;
		case KEY_RIGHT: return TK_RIGHT;
		case KEY_PPAGE: return TK_PGUP;
		case KEY_NPAGE: return TK_PGDN;
		case KEY_HOME: case KEY_A1: return TK_HOME;
		case KEY_END: case KEY_C1: return TK_END;
		case KEY_ENTER: return TK_ENTER;
		case KEY_BACKSPACE: return TK_BACKSPACE;
		case KEY_RESIZE: return TK_RESIZE;
		default: return TK_NONE;
		}
	}
	if (rc == ERR)
		return TK_NONE;
	if (ch == '\r' || ch == '\n')
		return TK_ENTER;
	if (ch == 27)
		return TK_ESC;
	if (ch == 127 || ch == 8)
		return TK_BACKSPACE;
	/* less's and vi's page keys, shown with PgUp and PgDn. */
	if (ch == TK_CTRL('f'))
		return TK_PGDN;
	if (ch == TK_CTRL('b'))
		return TK_PGUP;
	return (int)ch;
}

int draw_key(void)
{
	wint_t ch;
	int rc = get_wch(&ch);
	if (rc == ERR)
		return TK_NONE;
	return translate(rc, ch);
}

static void history_add(struct draw_history *h, const char *s)
{
	if (!h || !*s || (h->n && strcmp(h->v[h->n - 1], s) == 0))
		return;
	if (h->n == DRAW_HISTORY_MAX) {
		free(h->v[0]);
		memmove(h->v, h->v + 1, (DRAW_HISTORY_MAX - 1) * sizeof(h->v[0]));
		h->n--;
	}
	h->v[h->n++] = xstrdup(s);
}

void draw_history_free(struct draw_history *h)
{
	for (int i = 0; i < h->n; i++)
		free(h->v[i]);
	h->n = 0;
}

bool draw_prompt(const char *label, char *buf, size_t n, struct draw_history *h)
{
	int rows, cols;
	/* Always empty: an answer typed after the last one read as both. */
	size_t len = 0;
	int at = h ? h->n : 0;  /* h->n: the line being typed */
	buf[0] = '\0';
	curs_set(1);
	for (;;) {
		getmaxyx(stdscr, rows, cols);
		char line[1024];
		snprintf(line, sizeof(line), "%s%s", label, buf);
		/* Show the end of a long answer. */
		const char *shown = line;
		while (tt_width(shown) > cols - 2 && *shown)
			shown++;
		draw_text(rows - 1, 0, cols, TS_SEARCH, shown);
		move(rows - 1, tt_width(shown) < cols ? tt_width(shown) : cols - 1);
		refresh();
		int k = draw_key();
		if (k == TK_ENTER)
			break;
		if (k == TK_ESC || k == TK_CTRL('c') || k == TK_CTRL('g')) {
			curs_set(0);
			buf[0] = '\0';
			return false;
		}
		if ((k == TK_UP || k == TK_DOWN) && h) {
			if (k == TK_UP && at > 0)
				at--;
			else if (k == TK_DOWN && at < h->n)
				at++;
			snprintf(buf, n, "%s", at < h->n ? h->v[at] : "");
			len = strlen(buf);
		} else if (k == TK_BACKSPACE) {
			/* Drop one UTF-8 character. */
			while (len > 0 && ((unsigned char)buf[len - 1] & 0xc0) == 0x80)
				len--;
			if (len > 0)
				len--;
			buf[len] = '\0';
		} else if (k == TK_CTRL('u')) {
			len = 0;
			buf[0] = '\0';
		} else if (k >= 0x20 && k < 0x110000 && k != 0x7f) {
			char mb[8];
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t m = wcrtomb(mb, (wchar_t)k, &st);
			if (m != (size_t)-1 && len + m + 1 < n) {
				memcpy(buf + len, mb, m);
				len += m;
				buf[len] = '\0';
			}
		}
	}
	curs_set(0);
	history_add(h, buf);
	return true;
}

bool draw_confirm(const char *question)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	draw_text(rows - 1, 0, cols, TS_SEARCH, question);
	refresh();
	int k;
	do
		k = draw_key();
	while (k == TK_NONE || k == TK_RESIZE);
	return k == 'y' || k == 'Y';
}
