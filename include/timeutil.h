/* timeutil.h: PostgreSQL log timestamps to epoch milliseconds and back to ISO 8601.
 *
 * Log timestamps are wall-clock times in the server's log_timezone, written
 * with a zone abbreviation ("UTC", "CET") or a numeric offset ("+03").
 * pgsift keeps every timestamp as UTC epoch milliseconds; a zone it cannot
 * resolve is taken as UTC and reported once per input. */
#ifndef PGSIFT_TIMEUTIL_H
#define PGSIFT_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_NONE INT64_MIN       /* "no timestamp" */

/* Milliseconds in a unit of time: every timestamp and duration is in ms. */
#define MS_PER_SEC INT64_C(1000)
#define MS_PER_MIN INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY INT64_C(86400000)
#define MS_PER_WEEK INT64_C(604800000)

/* Parses "YYYY-MM-DD HH:MM:SS" with an optional ".fff" (1 to 6 digits) at
 * s. Returns the number of bytes consumed (0 when s does not start with
 * such a time, the date or time is out of range, or 7+ fraction digits
 * follow) and stores the wall-clock time as if it were UTC in *ms. The
 * last date seen is cached per thread. */
size_t ts_parse_wallclock(const char *s, size_t len, int64_t *ms);

/* Resolves a zone written after a log timestamp ("UTC", "GMT", "CET",
 * "+03", "-03:30", "+0530") to its offset east of UTC in minutes. Returns
 * false for a zone it does not know. */
bool ts_zone_offset(const char *zone, size_t len, int *offset_min);

/* Parses an ISO 8601 time given on the command line: "2024-05-01",
 * "2024-05-01T10:00", "2024-05-01 10:00:00.5Z", "...+02:00", "...+0200",
 * "... CEST" (no zone: UTC). Returns true and sets *ms (UTC epoch) and
 * *tod_ms to -1. A bare time of day "14:05[:30[.5]]" sets *tod_ms
 * (milliseconds since midnight) and *ms to TS_NONE; it is refused when
 * tod_ms is NULL. Returns false for anything else. */
bool ts_parse_cli(const char *s, int64_t *ms, int64_t *tod_ms);

/* Writes "YYYY-MM-DDTHH:MM:SS.fffZ" (24 bytes plus NUL) into out; years
 * outside 0..9999 are written signed ("+12345-..."). */
void ts_format_iso(int64_t ms, char out[32]);

/* Days since 1970-01-01 for a civil date (proleptic Gregorian). */
int64_t ts_days_from_civil(int y, unsigned m, unsigned d);

/* The ladder of timeline bucket widths shared by the run's timeline and
 * the groups': 1 s, 5 s, 15 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 day,
 * 1 week, then twice as wide each time (seconds for short logs: a 9 s
 * log in one 60 s bucket showed nothing). Each width divides the next, so folding buckets into
 * the next width never splits one, and a group's buckets nest in the
 * run's. TS_LADDER_FIRST_MS is the narrowest; ts_ladder_next(w) the width
 * after w (w a width on the ladder). */
#define TS_LADDER_FIRST_MS MS_PER_SEC
int64_t ts_ladder_next(int64_t w);

#endif
