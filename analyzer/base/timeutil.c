/* timeutil.c: log timestamps to UTC epoch milliseconds and back.
 *
 * Every log line carries a timestamp, so the wall-clock parser and the zone
 * lookup each keep a one-entry cache (per thread): consecutive lines almost
 * always share the date and the zone, and then cost a memcmp. */
#include <stdio.h>
#include <string.h>

#include "timeutil.h"

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Two digits at s, or -1. */
static inline int two_digits(const char *s)
{
	if (!is_digit(s[0]) || !is_digit(s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int64_t ts_days_from_civil(int y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil: eras of 400 years, March-based
	 * years so that the leap day is the last day of the year. */
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);
	unsigned mp = m > 2 ? m - 3 : m + 9;
	unsigned doy = (153 * mp + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int y, unsigned m)
{
	static const unsigned char dim[12] =
		{ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* "YYYY-MM-DD" at s (10 bytes available) to days since the epoch; false
 * when it is not a valid date. */
static bool parse_date(const char *s, int64_t *days)
{
	static _Thread_local char last[10];
	static _Thread_local int64_t last_days;
	static _Thread_local bool have_last;

	if (have_last && memcmp(s, last, 10) == 0) {
		*days = last_days;
		return true;
	}
	int c = two_digits(s), yl = two_digits(s + 2);
	int mo = two_digits(s + 5), d = two_digits(s + 8);
	if (c < 0 || yl < 0 || mo < 0 || d < 0 || s[4] != '-' || s[7] != '-')
		return false;
	int y = c * 100 + yl;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo))
		return false;
	*days = ts_days_from_civil(y, (unsigned)mo, (unsigned)d);
	memcpy(last, s, 10);
	last_days = *days;
	have_last = true;
	return true;
}

/* "HH:MM:SS" (or "HH:MM" unless need_secs) with an optional fraction of
 * 1 to 6 digits after the seconds. Returns bytes consumed, 0 if none. */
static size_t parse_time(const char *s, size_t len, bool need_secs, int64_t *ms)
{
	if (len < 5 || s[2] != ':')
		return 0;
	int h = two_digits(s), mi = two_digits(s + 3), sec = 0;
	if (h < 0 || mi < 0 || h > 23 || mi > 59)
		return 0;
	size_t n = 5;
	if (len >= 8 && s[5] == ':' && is_digit(s[6])) {
		sec = two_digits(s + 6);
		if (sec < 0 || sec > 60)
			return 0;
		n = 8;
	} else if (need_secs) {
		return 0;
	}
	int frac = 0;
	if (n == 8 && n + 1 < len && s[n] == '.' && is_digit(s[n + 1])) {
		size_t i = n + 1, nd = 0;
		while (i < len && is_digit(s[i])) {
			if (nd < 3)
				frac = frac * 10 + (s[i] - '0');
			nd++;
			i++;
		}
		if (nd > 6)
			return 0;
		for (; nd < 3; nd++)
			frac *= 10;
		n = i;
	}
	*ms = ((int64_t)h * 3600 + mi * 60 + sec) * MS_PER_SEC + frac;
	return n;
}

size_t ts_parse_wallclock(const char *s, size_t len, int64_t *ms)
{
	int64_t days, tod;
	if (len < 19 || s[10] != ' ' || !parse_date(s, &days))
		return 0;
	size_t n = parse_time(s + 11, len - 11, true, &tod);
	if (n == 0)
		return 0;
	*ms = days * MS_PER_DAY + tod;
	return 11 + n;
}

/* Offsets of the zone abbreviations servers commonly log, in minutes east
 * of UTC. Where an abbreviation is ambiguous the more common reading wins
 * (IST India, CST US Central, BST British Summer). */
static const struct zone_abbrev {
	const char *name;
	short offset;
} zones[] = {
	{ "UTC", 0 }, { "GMT", 0 }, { "UCT", 0 }, { "UT", 0 }, { "Z", 0 },
	{ "WET", 0 }, { "WEST", 60 }, { "BST", 60 }, { "IST", 330 },
	{ "CET", 60 }, { "CEST", 120 }, { "MET", 60 }, { "MEST", 120 },
	{ "EET", 120 }, { "EEST", 180 }, { "MSK", 180 }, { "MSD", 240 },
	{ "WAT", 60 }, { "CAT", 120 }, { "EAT", 180 }, { "SAST", 120 },
	{ "IDT", 180 }, { "PKT", 300 }, { "NPT", 345 }, { "WIB", 420 },
	{ "WITA", 480 }, { "WIT", 540 }, { "HKT", 480 }, { "SGT", 480 },
	{ "AWST", 480 }, { "JST", 540 }, { "KST", 540 }, { "ACST", 570 },
	{ "ACDT", 630 }, { "AEST", 600 }, { "AEDT", 660 }, { "ChST", 600 },
	{ "NZST", 720 }, { "NZDT", 780 },
	{ "NST", -210 }, { "NDT", -150 }, { "AST", -240 }, { "ADT", -180 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
	{ "AKST", -540 }, { "AKDT", -480 }, { "HST", -600 }, { "HDT", -540 },
	{ "SST", -660 }, { "BRT", -180 }, { "BRST", -120 }, { "ART", -180 },
	{ "CLT", -240 }, { "CLST", -180 }, { "UYT", -180 }, { "PYT", -240 },
	{ "COT", -300 }, { "PET", -300 }, { "VET", -240 }, { "ECT", -300 },
};

/* "+03", "-0330", "+03:30", "+5". */
static bool numeric_offset(const char *z, size_t len, int *offset_min)
{
	int sign = z[0] == '-' ? -1 : 1;
	size_t i = 1, nd = 0;
	int h = 0, m = 0;
	while (i < len && is_digit(z[i]) && nd < 2) {
		h = h * 10 + (z[i] - '0');
		i++;
		nd++;
	}
	if (nd == 0)
		return false;
	if (i < len) {
		if (z[i] == ':')
			i++;
		if (len - i != 2 || two_digits(z + i) < 0)
			return false;
		m = two_digits(z + i);
		if (nd != 2 || m > 59)
			return false;
	}
	if (h > 23)
		return false;
	*offset_min = sign * (h * 60 + m);
	return true;
}

bool ts_zone_offset(const char *zone, size_t len, int *offset_min)
{
	static _Thread_local char last[8];
	static _Thread_local size_t last_len;
	static _Thread_local int last_off;
	static _Thread_local bool last_known;

	if (len == 0)
		return false;
	if (len == last_len && memcmp(zone, last, len) == 0) {
		if (last_known)
			*offset_min = last_off;
		return last_known;
	}
	bool known = false;
	int off = 0;
	if (zone[0] == '+' || zone[0] == '-') {
		known = numeric_offset(zone, len, &off);
	} else {
		for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
			if (strlen(zones[i].name) == len
					&& memcmp(zones[i].name, zone, len) == 0) {
				off = zones[i].offset;
				known = true;
				break;
			}
		}
	}
	if (len <= sizeof(last)) {
		memcpy(last, zone, len);
		last_len = len;
		last_off = off;
		last_known = known;
	}
	if (known)
		*offset_min = off;
	return known;
}

/* An ISO zone suffix at s: "Z", "+02:00", "+0200", "+02", or " UTC" /
 * "CET" (an abbreviation from the table). It must run to the end. */
static bool cli_zone(const char *s, int *offset_min)
{
	*offset_min = 0;
	if (*s == ' ')
		s++;
	if (*s == '\0')
		return true;
	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0)
		return true;
	for (const char *q = s; *q; q++)
		if (!is_alpha(*q) && !is_digit(*q) && *q != '+' && *q != '-' && *q != ':')
			return false;
	return ts_zone_offset(s, strlen(s), offset_min);
}

bool ts_parse_cli(const char *s, int64_t *ms, int64_t *tod_ms)
{
	size_t len = strlen(s);
	int64_t tod = 0;
	int off = 0;

	*ms = TS_NONE;
	if (tod_ms)
		*tod_ms = -1;
	/* A bare time of day. */
	if (len >= 5 && s[2] == ':') {
		size_t n = parse_time(s, len, false, &tod);
		if (n == 0 || n != len || !tod_ms)
			return false;
		*tod_ms = tod;
		return true;
	}
	if (len < 10)
		return false;
	int64_t days;
	char date[10];
	memcpy(date, s, 10);
	if (!parse_date(date, &days))
		return false;
	const char *rest = s + 10;
	if (*rest == 'T' || *rest == 't' || (*rest == ' ' && is_digit(rest[1]))) {
		rest++;
		size_t n = parse_time(rest, strlen(rest), false, &tod);
		if (n == 0)
			return false;
		rest += n;
	}
	if (!cli_zone(rest, &off))
		return false;
	*ms = days * MS_PER_DAY + tod - (int64_t)off * MS_PER_MIN;
	return true;
}

static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void ts_format_iso(int64_t ms, char out[32])
{
	int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	unsigned r = (unsigned)rem;
	unsigned hh = r / MS_PER_HOUR, mi = r / MS_PER_MIN % 60, ss = r / MS_PER_SEC % 60,
		 fff = r % MS_PER_SEC;
	char *p = out;
	if (y < 0 || y > 9999) {
		/* Outside ISO's four digits; |y| < 3e8 for any int64 ms. */
		int n = snprintf(out, 16, "%+lld", (long long)y);
		p = out + (n > 0 && n < 16 ? n : 0);
	} else {
		p = put_digits(p, (unsigned)y, 4);
	}
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, hh, 2);
	*p++ = ':';
	p = put_digits(p, mi, 2);
	*p++ = ':';
	p = put_digits(p, ss, 2);
	*p++ = '.';
	p = put_digits(p, fff, 3);
	*p++ = 'Z';
	*p = '\0';
}

int64_t ts_ladder_next(int64_t w)
{
	static const int64_t widths[] = {
		TS_LADDER_FIRST_MS, 5 * MS_PER_SEC, 15 * MS_PER_SEC, MS_PER_MIN,
		5 * MS_PER_MIN, 15 * MS_PER_MIN, MS_PER_HOUR,
		6 * MS_PER_HOUR, MS_PER_DAY, MS_PER_WEEK,
	};
	for (size_t i = 0; i + 1 < sizeof(widths) / sizeof(widths[0]); i++)
		if (widths[i] == w)
			return widths[i + 1];
	return w * 2;
}
