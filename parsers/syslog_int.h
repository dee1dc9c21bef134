/* syslog_int.h: what syslog.c (joining pieces) and syslog_head.c (reading
 * a line's syslog header and the year of its date) share. */
#ifndef PGSIFT_SYSLOG_INT_H
#define PGSIFT_SYSLOG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "parser.h"
#include "util.h"

/* One line's syslog header and what follows it. */
struct syslog_line {
	int64_t ts_ms;          /* from the header (ISO dates), TS_NONE if unknown */
	int month, day;         /* a BSD date (no year): month 1-12, else 0 */
	int64_t tod_ms;         /* its time of day */
	int64_t pid;            /* -1 when the header has none */
	struct slice ident;     /* the program (syslog_ident) */
	bool numbered;          /* has "[n-m] " */
	uint64_t seq;
	unsigned chunk;
	struct slice rest;      /* after "[n-m] " */
};

/* Splits a line into its header fields: BSD ("Feb 11 13:15:39 host
 * postgres[10808]: "), RFC 3339 ("2019-02-11T13:15:39.123+01:00 host
 * postgres[10808]: ") or RFC 5424 ("1 2019-02-11T13:15:39.123+01:00 host
 * postgres 10808 - - "), each with or without a "<PRI>" before it. Returns
 * false when s is none of these. l's slices point into s. */
bool syslog_parse_line(const char *s, size_t len, struct syslog_line *l);

/* syslog_cut.c: the offset in buf[0..len) (buf[0] a line start) of the
 * first line where the file may be cut: the first piece of a message of
 * ident ("": any program numbering its lines) such that none of the next
 * lookahead lines is a later piece of a message begun before it; len when
 * none is. */
size_t syslog_first_cut(const char *ident, const char *buf, size_t len,
		unsigned lookahead);

/* The year of BSD dates, which carry none. */
struct syslog_year {
	int year;               /* of the dates now (given or found) */
	int last_month;         /* of the last date, for the New Year */
	int first_month;        /* of the input's first date */
	bool forked;            /* read from a cut on: no date before yet */
	bool before_ref;        /* from a file date: per date, see below */
	int64_t ref_ms;         /* that file date (UTC) */
	const char *how;        /* where the year came from, for the note */
};

/* Settles y for the input of ctx: --year, else the first "YYYY-MM-DD"
 * date in buf's messages (then the year goes up when December is followed
 * by January), else the file's modification time (the current time for
 * standard input): each date takes the latest year that does not put it
 * more than a day (time zones) after that time, so a file written up to
 * January 2 keeps its December 31 lines in the old year. */
void syslog_year_init(struct syslog_year *y, struct parse_ctx *ctx,
		const char *buf, size_t len);
/* Fills l->ts_ms from its BSD date (a no-op for ISO dates). */
void syslog_year_apply(struct syslog_year *y, struct syslog_line *l);

#endif
