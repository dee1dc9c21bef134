/* keys.h: the TUI's requests and the keys bound to them, as one list.
 *
 * draw.c turns terminal input into the key codes below (a character, or a
 * TK_ special key); tui.c maps a key to its request through this list, and
 * the help view is generated from the same list, so the bindings, the
 * handlers and the help cannot drift apart. */
#ifndef PGSIFT_TUI_KEYS_H
#define PGSIFT_TUI_KEYS_H

/* Special keys, past the Unicode range. */
enum {
	TK_UP = 0x110000, TK_DOWN, TK_LEFT, TK_RIGHT, TK_PGUP, TK_PGDN, TK_HOME,
	TK_END, TK_ENTER, TK_ESC, TK_BACKSPACE, TK_RESIZE, TK_NONE,
};
#define TK_CTRL(c) ((c) & 0x1f)

/* X(request, key, other key or 0, keys as shown, what it does) */
#define REQ_LIST(X) \
	X(REQ_UP, TK_UP, 'k', "Up k", "move up; findings: the previous finding") \
	X(REQ_DOWN, TK_DOWN, 'j', "Down j", "move down; findings: the next finding") \
	X(REQ_PGUP, TK_PGUP, 'b', "PgUp b ^B", "page up") \
	X(REQ_PGDN, TK_PGDN, ' ', "PgDn Space ^F", "page down") \
	X(REQ_HOME, TK_HOME, 'g', "Home g", "first line") \
	X(REQ_END, TK_END, 'G', "End G", "last line") \
	X(REQ_LEFT, TK_LEFT, 'h', "Left h", "scroll left; timeline: previous minute") \
	X(REQ_RIGHT, TK_RIGHT, 'l', "Right l", "scroll right (< and > mark cut text); timeline: next minute") \
	X(REQ_ENTER, TK_ENTER, 0, "Enter", "open: a group's detail; the statements a finding names") \
	X(REQ_BACK, 'q', TK_ESC, "q Esc", "back; in a top view q asks to quit") \
	X(REQ_QUIT, 'Q', 0, "Q", "quit") \
	X(REQ_HELP, '?', 0, "?", "this help") \
	X(REQ_VIEW_GROUPS, '1', 0, "1", "view: groups (worst offenders)") \
	X(REQ_VIEW_FINDINGS, '2', 'F', "2 F", "view: findings") \
	X(REQ_VIEW_EVENTS, '3', 'E', "3 E", "view: events (locks, deadlocks, errors, temp files, connections)") \
	X(REQ_VIEW_TIMELINE, '4', 'T', "4 T", "view: per-minute timeline") \
	X(REQ_NEXT_VIEW, '\t', 0, "Tab", "next view") \
	X(REQ_SORT_CALLS, 'c', 0, "c", "groups: sort by calls (again: reverse)") \
	X(REQ_SORT_TOTAL, 't', 0, "t", "groups: sort by total time") \
	X(REQ_SORT_MEAN, 'm', 0, "m", "groups: sort by mean") \
	X(REQ_SORT_P95, 'p', 0, "p", "groups: sort by P95") \
	X(REQ_SORT_P99, 'P', 0, "P", "groups: sort by P99") \
	X(REQ_SORT_MAX, 'x', 0, "x", "groups: sort by max") \
	X(REQ_SORT_QUERY, 'a', 0, "a", "groups: sort by query text") \
	X(REQ_SEARCH, '/', 0, "/", "search (PCRE2, caseless; matches highlighted); groups keep the matches, empty clears") \
	X(REQ_SEARCH_NEXT, 'n', 0, "n", "next match (detail, findings, events, help)") \
	X(REQ_SEARCH_PREV, 'N', 0, "N", "previous match") \
	X(REQ_FILTER, 'f', 0, "f", "groups: filter by db=NAME, user=NAME, app=NAME or NAME; empty clears") \
	X(REQ_MIN_CALLS, 'M', 0, "M", "groups: only those with at least N calls; empty clears") \
	X(REQ_COLUMNS, 'C', 0, "C", "groups: show or hide columns (calls total mean p50 p95 p99 max min)") \
	X(REQ_RAW, 'o', 0, "o", "the log lines around an example, a group's first call or a finding's first statement") \
	X(REQ_PLAN, 'v', 0, "v", "the plan: in detail jump to it, in groups open it") \
	X(REQ_WRITE, 'w', 0, "w", "findings: append the suggested SQL to a file") \
	X(REQ_PLAIN, 's', 0, "s", "findings: show the suggested SQL plain, to copy") \
	X(REQ_REDRAW, TK_CTRL('l'), 0, "^L", "redraw the screen")

enum request {
	REQ_NONE,
#define X(id, k1, k2, shown, help) id,
	REQ_LIST(X)
#undef X
};

#endif
