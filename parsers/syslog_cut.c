/* syslog_cut.c: where one syslog file may be cut, to be read by several
 * workers (a range each, driver_range.c) with the answer of one.
 *
 * The server sends a message as numbered pieces ("[3-1]", "[3-2]"...)
 * that other processes' lines may come between; one reader joins them per
 * process (syslog.c). A cut must not fall between two pieces of one
 * message: a line is a cut when it is the first piece of a message of the
 * server, and no later line within the look-ahead one reader uses is a
 * later piece of a message begun before it. */
#include <stdlib.h>
#include <string.h>

#include "syslog_int.h"

/* Processes seen starting a message since a candidate: a small set. */
#define SEEN_SLOTS 4096                 /* power of two, > lines looked at */

static bool seen_add(int64_t *set, int64_t pid)
{
	size_t i = (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 40) & (SEEN_SLOTS - 1);
	for (size_t n = 0; n < SEEN_SLOTS; n++, i = (i + 1) & (SEEN_SLOTS - 1)) {
		if (set[i] == pid)
			return false;
		if (set[i] == 0) {
			set[i] = pid;
			return true;
		}
	}
	return false;
}

static bool seen_has(const int64_t *set, int64_t pid)
{
	size_t i = (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 40) & (SEEN_SLOTS - 1);
	for (size_t n = 0; n < SEEN_SLOTS && set[i]; n++, i = (i + 1) & (SEEN_SLOTS - 1))
		if (set[i] == pid)
			return true;
	return false;
}

/* Whether l is a numbered line of the server (ident; "": any). */
static bool server_piece(const struct syslog_line *l, const char *ident)
{
	return l->numbered && l->pid > 0 && (!ident[0] || slice_eq(l->ident, ident));
}

size_t syslog_first_cut(const char *ident, const char *buf, size_t len,
		unsigned lookahead)
{
	int64_t *seen = calloc(SEEN_SLOTS, sizeof(*seen));
	if (!seen)
		return len;
	size_t cand = len, at = 0;
	unsigned looked = 0;
	struct syslog_line l;
	if (lookahead >= SEEN_SLOTS)
		lookahead = SEEN_SLOTS - 1;
	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		if (!nl)
			break;          /* a line cut by the buffer's end */
		size_t n = (size_t)(nl - (buf + at));
		if (n && buf[at + n - 1] == '\r')
			n--;
		bool parsed = syslog_parse_line(buf + at, n, &l);
		if (cand == len) {
			if (parsed && server_piece(&l, ident) && l.chunk == 1) {
				cand = at;
				looked = 0;
				memset(seen, 0, SEEN_SLOTS * sizeof(*seen));
				seen_add(seen, l.pid);
			}
		} else if (parsed && server_piece(&l, ident)) {
			if (l.chunk == 1)
				seen_add(seen, l.pid);
			else if (!seen_has(seen, l.pid))
				cand = len;     /* a piece of a message begun before */
		}
		at = (size_t)(nl - buf) + 1;
		if (cand != len && ++looked >= lookahead)
			break;
	}
	free(seen);
	return cand;
}
