/* tmux_testutil.h: the real binary's TUI driven in a private tmux server
 * (send-keys, capture-pane), shared by check_tui_e2e.c and
 * check_tui_keys.c. Header-only, as the other *_testutil.h (the Makefile
 * links tests/check_*.c and tests/testutil.c only); static inline, so a
 * suite that does not call one of them gets no unused-function warning.
 *
 * One server per test process (Check forks each test): a user's sessions
 * are never touched and stop() leaves nothing behind. */
#ifndef PGSIFT_TMUX_TESTUTIL_H
#define PGSIFT_TMUX_TESTUTIL_H

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char tt_sock[64], tt_session[64], tt_exitfile[128];

static inline bool tt_have_tmux(void)
{
	return system("command -v tmux >/dev/null 2>&1") == 0;
}

/* True, after a tu_skip naming suite and test, when tmux is missing. */
static inline bool tt_no_tmux(const char *suite, const char *test)
{
	if (tt_have_tmux())
		return false;
	char who[128];
	/* Check names a test's function NAME_fn. */
	size_t len = strlen(test);
	if (len > 3 && strcmp(test + len - 3, "_fn") == 0)
		len -= 3;
	snprintf(who, sizeof(who), "%s: %.*s", suite, (int)len, test);
	tu_skip(who, "tmux not installed (the TUI end-to-end tests drive it)");
	return true;
}

static inline void tt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tt_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st;
	free(tu_run(cmd, &st));
}

/* Runs `pgsift tui ARGS` in the source tree on a cols x rows screen (pre:
 * a shell prefix, e.g. a pipe into it); its exit status is kept for
 * tt_exit_status(). */
static inline void tt_start_with(const char *pre, const char *args, int cols, int rows)
{
	snprintf(tt_sock, sizeof(tt_sock), "pgsift-tui-%d", (int)getpid());
	snprintf(tt_session, sizeof(tt_session), "t%ld", (long)time(NULL) % 100000);
	snprintf(tt_exitfile, sizeof(tt_exitfile), "/tmp/pgsift-tui-exit-%d", (int)getpid());
	unlink(tt_exitfile);
	tt_sh("tmux -L %s new-session -d -s %s -x %d -y %d "
	   "\"cd '%s' && %s TERM=xterm-256color LANG=C.UTF-8 '%s' tui %s; echo \\$? > %s; sleep 60\"",
	   tt_sock, tt_session, cols, rows, tu_root(), pre, tu_bin(), args, tt_exitfile);
}

static inline void tt_start(const char *args, int cols, int rows)
{
	tt_start_with("", args, cols, rows);
}

static inline void tt_stop(void)
{
	tt_sh("tmux -L %s kill-server 2>/dev/null", tt_sock);
	unlink(tt_exitfile);
}

/* The pane as text, or with its colours as escape sequences. */
static inline char *tt_capture_as(bool escapes)
{
	char cmd[256];
	int st;
	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p %s -t %s", tt_sock,
		escapes ? "-e" : "", tt_session);
	return tu_run(cmd, &st);
}

static inline char *tt_capture(void)
{
	return tt_capture_as(false);
}

/* Keys by tmux's names ("Enter", "Escape", "j"). */
static inline void tt_keys(const char *k)
{
	tt_sh("tmux -L %s send-keys -t %s %s", tt_sock, tt_session, k);
}

/* Literal text typed (no key names). */
static inline void tt_type(const char *text)
{
	tt_sh("tmux -L %s send-keys -l -t %s '%s'", tt_sock, tt_session, text);
}

/* Waits (up to 20 s) until the screen shows needle; returns the screen. */
static inline char *tt_wait_for(const char *needle)
{
	char *screen = NULL;
	for (int i = 0; i < 400; i++) {
		free(screen);
		screen = tt_capture();
		if (strstr(screen, needle))
			return screen;
		usleep(50000);
	}
	ck_abort_msg("screen never showed '%s'; it shows:\n%s", needle, screen);
	return screen;
}

static inline void tt_expect(const char *needle)
{
	free(tt_wait_for(needle));
}

/* The last line of the screen (the status or the prompt). */
static inline char *tt_status_line(void)
{
	char *s = tt_capture();
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	char *nl = strrchr(s, '\n');
	char *line = strdup(nl ? nl + 1 : s);
	free(s);
	return line;
}

/* The TUI's exit status once it has ended (up to 10 s), -1 before. */
static inline int tt_exit_status(void)
{
	for (int i = 0; i < 200; i++) {
		FILE *fp = fopen(tt_exitfile, "r");
		int rc = -1;
		if (fp) {
			if (fscanf(fp, "%d", &rc) != 1)
				rc = -1;
			fclose(fp);
			if (rc >= 0)
				return rc;
		}
		usleep(50000);
	}
	return -1;
}

/* Whether the TUI still runs 0.3 s from now. */
static inline bool tt_running(void)
{
	usleep(300000);
	return access(tt_exitfile, F_OK) != 0;
}

#endif
