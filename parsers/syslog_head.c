/* syslog_head.c: the header of a syslog line and the year of BSD dates.
 *
 * Three header forms reach files: the traditional BSD one ("Feb 11
 * 13:15:39 host postgres[10808]: ", rsyslog's default file format, perhaps
 * with a fraction of a second), the same with an RFC 3339 date (rsyslog's
 * RSYSLOG_FileFormat) and RFC 5424 ("1 2019-02-11T13:15:39.123+01:00 host
 * postgres 10808 - - ", RSYSLOG_SyslogProtocol23Format), each perhaps
 * with the "<PRI>" of the wire form kept in front. After the header, the
 * server writes "[n-m] " (message n, piece m) unless
 * syslog_sequence_numbers is off. */
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "syslog_int.h"
#include "timeutil.h"

static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

static size_t digits(const char *s, size_t len, int64_t *v)
{
	size_t i = 0;
	*v = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9' && i < 18)
		*v = *v * 10 + (s[i++] - '0');
	return i;
}

/* "Feb 11 13:15:39 " or "Feb  1 13:15:39 ", the seconds perhaps with a
 * fraction ("Nov 30 21:10:20.000000 ", as rsyslog writes with high
 * precision on): returns bytes used, 0 if not. */
static size_t parse_bsd_date(const char *s, size_t len, struct syslog_line *l)
{
	if (len < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return 0;
	size_t end = 15;
	int frac_ms = 0;
	if (s[15] == '.') {
		int n = 0;
		for (end = 16; end < len && s[end] >= '0' && s[end] <= '9' && n < 9; end++, n++)
			if (n < 3)
				frac_ms = frac_ms * 10 + (s[end] - '0');
		if (!n)
			return 0;
		for (; n < 3; n++)
			frac_ms *= 10;
	}
	if (end >= len || s[end] != ' ')
		return 0;
	int month = month_of(s);
	if (!month)
		return 0;
	int d = (s[4] == ' ' ? 0 : s[4] - '0') * 10 + (s[5] - '0');
	int h = (s[7] - '0') * 10 + (s[8] - '0');
	int mi = (s[10] - '0') * 10 + (s[11] - '0');
	int se = (s[13] - '0') * 10 + (s[14] - '0');
	if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	l->month = month;
	l->day = d;
	l->tod_ms = ((int64_t)h * 3600 + mi * 60 + se) * 1000 + frac_ms;
	return end + 1;
}

/* "2019-02-11T13:15:39.123456+01:00 ": returns bytes used, 0 if not. */
static size_t parse_iso_date(const char *s, size_t len, int64_t *ms)
{
	if (len < 20 || s[10] != 'T')
		return 0;
	char tmp[40];
	const char *sp = memchr(s, ' ', len < 40 ? len : 40);
	if (!sp || (size_t)(sp - s) >= sizeof(tmp))
		return 0;
	size_t n = (size_t)(sp - s);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!ts_parse_cli(tmp, ms, NULL) || *ms == TS_NONE)
		return 0;
	return n + 1;
}

/* The end of the space-free field at i (a host, program, process id). */
static size_t field_end(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] != ' ')
		i++;
	return i;
}

/* RFC 5424 structured data at i: "-" or "[id k="v"]..." (a quote, "]"
 * and "\" escaped by "\" inside values). Returns the offset after it, 0
 * if it is not there. */
static size_t skip_sd(const char *s, size_t len, size_t i)
{
	if (i < len && s[i] == '-')
		return i + 1;
	if (i >= len || s[i] != '[')
		return 0;
	bool quoted = false;
	while (i < len) {
		char c = s[i++];
		if (quoted && c == '\\')
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == ']' && (i >= len || s[i] != '['))
			return i;
	}
	return 0;
}

/* "[n-m] " at s[*i], as the server numbers its pieces. */
static void parse_numbering(const char *s, size_t len, size_t *i, struct syslog_line *l)
{
	size_t k = *i;
	int64_t seq, chunk;
	if (k >= len || s[k] != '[')
		return;
	size_t a = digits(s + k + 1, len - k - 1, &seq);
	size_t j = k + 1 + a;
	if (!a || j >= len || s[j] != '-')
		return;
	size_t b = digits(s + j + 1, len - j - 1, &chunk);
	j += 1 + b;
	if (!b || j >= len || s[j] != ']')
		return;
	l->numbered = true;
	l->seq = (uint64_t)seq;
	l->chunk = (unsigned)chunk;
	*i = j + 1;
	if (*i < len && s[*i] == ' ')
		(*i)++;
}

/* After "1 " of RFC 5424: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG. */
static bool parse_5424(const char *s, size_t len, size_t i, struct syslog_line *l)
{
	if (i < len && s[i] == '-') {
		i += 2;         /* no time stamp */
	} else {
		size_t n = parse_iso_date(s + i, len - i, &l->ts_ms);
		if (!n)
			return false;
		i += n;
	}
	i = field_end(s, len, i) + 1;                   /* host */
	size_t id = i;
	i = field_end(s, len, i);
	if (i >= len)
		return false;
	l->ident = slice_make(s + id, i - id);
	size_t p = ++i;
	i = field_end(s, len, i);
	if (i >= len)
		return false;
	if (!(i - p == 1 && s[p] == '-') && digits(s + p, i - p, &l->pid) != i - p)
		return false;
	i = field_end(s, len, i + 1);                   /* msgid */
	if (i >= len || !(i = skip_sd(s, len, i + 1)))
		return false;
	/* MSG, after one space; rsyslog's %msg% keeps the space that followed
	 * the program's "postgres[pid]:", and it may start with a BOM. */
	if (i < len && s[i] == ' ')
		i++;
	if (i + 1 < len && s[i] == ' ' && s[i + 1] == '[')
		i++;
	if (len - i >= 3 && memcmp(s + i, "\xEF\xBB\xBF", 3) == 0)
		i += 3;
	parse_numbering(s, len, &i, l);
	l->rest = slice_make(s + i, len - i);
	return true;
}

bool syslog_parse_line(const char *s, size_t len, struct syslog_line *l)
{
	memset(l, 0, sizeof(*l));
	l->ts_ms = TS_NONE;
	l->pid = -1;
	size_t i = 0;
	if (len && s[0] == '<') {
		int64_t pri;
		size_t n = digits(s + 1, len - 1, &pri);
		if (!n || n > 3 || 1 + n >= len || s[1 + n] != '>')
			return false;
		i = n + 2;
	}
	if (len - i > 2 && s[i] == '1' && s[i + 1] == ' ')
		return parse_5424(s, len, i + 2, l);
	size_t n = parse_bsd_date(s + i, len - i, l);
	if (!n && !(n = parse_iso_date(s + i, len - i, &l->ts_ms)))
		return false;
	i = field_end(s, len, i + n);                   /* host */
	if (++i >= len)
		return false;
	/* ident[pid]: */
	size_t id = i;
	while (i < len && s[i] != '[' && s[i] != ':' && s[i] != ' ')
		i++;
	l->ident = slice_make(s + id, i - id);
	if (i < len && s[i] == '[') {
		size_t d = digits(s + i + 1, len - i - 1, &l->pid);
		i += 1 + d;
		if (i >= len || s[i] != ']')
			return false;
		i++;
	}
	if (i + 1 >= len || s[i] != ':' || s[i + 1] != ' ')
		return false;
	i += 2;
	parse_numbering(s, len, &i, l);
	l->rest = slice_make(s + i, len - i);
	return true;
}

/* The year of the first "YYYY-MM-DD" date in buf's messages, 0 if none
 * ("shut down at 2019-02-11 13:14:59 CET"). */
static int year_in_messages(const char *buf, size_t len)
{
	for (size_t i = 0; i + 10 <= len; i++) {
		if (buf[i] == '2' && buf[i + 4] == '-' && buf[i + 7] == '-'
				&& (i == 0 || buf[i - 1] == ' ')) {
			int64_t ms;
			if (ts_parse_wallclock(buf + i, len - i, &ms))
				return (buf[i] - '0') * 1000 + (buf[i + 1] - '0') * 100
					+ (buf[i + 2] - '0') * 10 + (buf[i + 3] - '0');
		}
	}
	return 0;
}

void syslog_year_init(struct syslog_year *y, struct parse_ctx *ctx,
		const char *buf, size_t len)
{
	memset(y, 0, sizeof(*y));
	/* The first date's month: a range read from a cut counts the New
	 * Years before it from there (syslog_year_apply()). */
	struct syslog_line l;
	for (const char *p = buf, *end = buf + len; p < end && !y->first_month; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (syslog_parse_line(p, n, &l))
			y->first_month = l.month;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (ctx->opts && ctx->opts->year) {
		y->how = "--year";
		y->year = ctx->opts->year;
		return;
	}
	if ((y->year = year_in_messages(buf, len)) != 0) {
		y->how = "a date in its messages";
		return;
	}
	struct stat sb;
	time_t t = time(NULL);
	y->how = "the current date";
	if (strcmp(ctx->path, "-") != 0 && stat(ctx->path, &sb) == 0) {
		t = sb.st_mtime;
		y->how = "the file's modification time";
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	y->year = tm.tm_year + 1900;
	y->before_ref = true;
	y->ref_ms = (int64_t)t * 1000;
}

void syslog_year_apply(struct syslog_year *y, struct syslog_line *l)
{
	if (!l->month)
		return;
	int year = y->year;
	if (y->before_ref) {
		/* The latest year that does not put the date after the file's
		 * time; local time may run up to 14 hours ahead of UTC: a day. */
		for (year = y->year + 1; year > y->year - 1; year--) {
			int64_t ms = ts_days_from_civil(year, (unsigned)l->month, (unsigned)l->day)
				* MS_PER_DAY + l->tod_ms;
			if (ms <= y->ref_ms + MS_PER_DAY)
				break;
		}
	} else {
		if (y->forked) {
			/* The first date of a range read from a cut: past New
			 * Year when earlier in the year than the input's first
			 * date (a log spans less than a year), as one reader
			 * counts it from December to January. */
			y->forked = false;
			if (y->first_month && l->month < y->first_month)
				year = ++y->year;
		} else if (y->last_month == 12 && l->month == 1) {
			year = ++y->year;       /* the log went past New Year */
		}
		y->last_month = l->month;
	}
	l->ts_ms = ts_days_from_civil(year, (unsigned)l->month, (unsigned)l->day) * MS_PER_DAY
		+ l->tod_ms;
}
