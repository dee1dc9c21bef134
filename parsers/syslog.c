/* syslog.c: PostgreSQL logging to syslog (log_destination = 'syslog').
 *
 * Each line is "Feb 11 13:15:39 host postgres[10808]: [3-1] PREFIX LOG:  ..."
 * (or with an ISO date, as rsyslog writes with RFC 3339 templates). The
 * server sends one message as numbered pieces: "[3-1]" is the first line of
 * message 3, "[3-2]"... the next ones: a continuation line (its tab written
 * "#011" by rsyslog), a DETAIL/HINT/STATEMENT line with its own prefix, or
 * the rest of a line longer than the server's 900-byte syslog limit. This
 * parser joins the pieces back into stderr form and hands that to the same
 * entry builder as the stderr parser (logentry.h).
 *
 * BSD syslog dates carry no year and no zone: the year is --year, else the
 * first "YYYY-MM-DD" date in the log's messages, else the file's
 * modification time, and the parser says which; times are taken as UTC
 * unless the prefix has its own timestamp (%t, %m), which wins. Lines of
 * other programs (systemd, ...) are common in a syslog file: they are
 * counted in a note, not reported as problems. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "logentry.h"
#include "parser.h"
#include "prefix.h"
#include "strbuf.h"
#include "timeutil.h"

#define PROBE_BYTES (256 * 1024)
#define PROBE_LINES 200
/* The server splits lines longer than this (PG_SYSLOG_LIMIT, 900 bytes,
 * less a multibyte character) into pieces with no newline between them. */
#define SYSLOG_SPLIT_AT 890

struct syslog_line {
	int64_t ts_ms;          /* from the syslog header, TS_NONE if unknown */
	int month;              /* BSD form, for the year rollover; 0 for ISO */
	int64_t pid;
	struct slice ident;
	bool numbered;          /* has "[n-m] " */
	uint64_t seq;
	unsigned chunk;
	struct slice rest;      /* after "[n-m] " */
};

struct syslog_state {
	struct parse_ctx *ctx;
	struct prefix *prefix;
	struct prefix_memo *memo;       /* this input's: one thread reads it */
	char ident[64];         /* the server's syslog_ident, learnt from the first numbered line */
	int year, last_month;
	uint64_t foreign;       /* lines of other programs */
	struct strbuf msg;      /* the message being joined, in stderr form */
	struct entry_builder b;
	struct strbuf line;     /* one decoded piece */
};

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
static size_t parse_bsd_date(const char *s, size_t len, int *month, int *day,
		int64_t *tod_ms)
{
	if (len < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return 0;
	size_t end = 15;
	int frac_ms = 0;
	if (s[15] == '.') {
		int digits = 0;
		for (end = 16; end < len && s[end] >= '0' && s[end] <= '9' && digits < 9;
				end++, digits++)
			if (digits < 3)
				frac_ms = frac_ms * 10 + (s[end] - '0');
		if (!digits)
			return 0;
		for (; digits < 3; digits++)
			frac_ms *= 10;
	}
	if (end >= len || s[end] != ' ')
		return 0;
	*month = month_of(s);
	if (!*month)
		return 0;
	int d = (s[4] == ' ' ? 0 : s[4] - '0') * 10 + (s[5] - '0');
	int h = (s[7] - '0') * 10 + (s[8] - '0');
	int mi = (s[10] - '0') * 10 + (s[11] - '0');
	int se = (s[13] - '0') * 10 + (s[14] - '0');
	if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	*day = d;
	*tod_ms = ((int64_t)h * 3600 + mi * 60 + se) * 1000 + frac_ms;
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

/* Splits a syslog line into its header fields. */
static bool parse_line(struct syslog_state *st, const char *s, size_t len,
		struct syslog_line *l)
{
	memset(l, 0, sizeof(*l));
	l->ts_ms = TS_NONE;
	size_t i;
	int64_t tod;
	int day;
	if ((i = parse_bsd_date(s, len, &l->month, &day, &tod)) != 0) {
		int year = st->year;
		if (st->last_month == 12 && l->month == 1)
			year = ++st->year;      /* the log went past New Year */
		st->last_month = l->month;
		l->ts_ms = ts_days_from_civil(year, (unsigned)l->month, (unsigned)day) * MS_PER_DAY + tod;
	} else if ((i = parse_iso_date(s, len, &l->ts_ms)) == 0) {
		return false;
	}
	/* host */
	while (i < len && s[i] != ' ')
		i++;
	if (++i >= len)
		return false;
	/* ident[pid]: */
	size_t id = i;
	while (i < len && s[i] != '[' && s[i] != ':' && s[i] != ' ')
		i++;
	l->ident = slice_make(s + id, i - id);
	l->pid = -1;
	if (i < len && s[i] == '[') {
		size_t n = digits(s + i + 1, len - i - 1, &l->pid);
		i += 1 + n;
		if (i >= len || s[i] != ']')
			return false;
		i++;
	}
	if (i + 1 >= len || s[i] != ':' || s[i + 1] != ' ')
		return false;
	i += 2;
	/* [n-m] */
	if (i < len && s[i] == '[') {
		int64_t seq, chunk;
		size_t a = digits(s + i + 1, len - i - 1, &seq);
		size_t j = i + 1 + a;
		if (a && j < len && s[j] == '-') {
			size_t b = digits(s + j + 1, len - j - 1, &chunk);
			j += 1 + b;
			if (b && j + 1 < len + 1 && j < len && s[j] == ']') {
				l->numbered = true;
				l->seq = (uint64_t)seq;
				l->chunk = (unsigned)chunk;
				i = j + 1;
				if (i < len && s[i] == ' ')
					i++;
			}
		}
	}
	l->rest = slice_make(s + i, len - i);
	return true;
}

/* Appends a piece, turning rsyslog's "#011" (tab) escapes back. */
static void append_decoded(struct strbuf *sb, struct slice s)
{
	const char *p = s.ptr, *end = s.ptr + s.len;
	while (p < end) {
		const char *h = memchr(p, '#', (size_t)(end - p));
		if (!h) {
			sb_append(sb, p, (size_t)(end - p));
			return;
		}
		sb_append(sb, p, (size_t)(h - p));
		if (end - h >= 4 && h[1] == '0' && h[2] == '1' && h[3] == '1') {
			sb_putc(sb, '\t');
			p = h + 4;
		} else {
			sb_putc(sb, '#');
			p = h + 1;
		}
	}
}

/* The year BSD dates belong to, and how it was found. */
static int find_year(struct parse_ctx *ctx, const char *buf, size_t len,
		const char **how)
{
	if (ctx->opts && ctx->opts->year) {
		*how = "--year";
		return ctx->opts->year;
	}
	/* A date inside a message ("shut down at 2019-02-11 13:14:59 CET"). */
	for (size_t i = 0; i + 10 <= len; i++) {
		if (buf[i] == '2' && buf[i + 4] == '-' && buf[i + 7] == '-'
				&& (i == 0 || buf[i - 1] == ' ')) {
			int64_t ms;
			if (ts_parse_wallclock(buf + i, len - i, &ms)) {
				*how = "a date in its messages";
				return (buf[i] - '0') * 1000 + (buf[i + 1] - '0') * 100
					+ (buf[i + 2] - '0') * 10 + (buf[i + 3] - '0');
			}
		}
	}
	struct stat sb;
	time_t t = time(NULL);
	*how = "the current date";
	if (strcmp(ctx->path, "-") != 0 && stat(ctx->path, &sb) == 0) {
		t = sb.st_mtime;
		*how = "the file's modification time";
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static bool syslog_head(const char *s, size_t len)
{
	int m, d;
	int64_t tod, ms;
	return parse_bsd_date(s, len, &m, &d, &tod) || parse_iso_date(s, len, &ms);
}

static int syslog_probe(const char *buf, size_t len)
{
	unsigned lines = 0, hits = 0;
	const char *p = buf, *end = buf + len;
	while (p < end && lines < 50) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n) {
			lines++;
			/* A syslog header and PostgreSQL's "[n-m] " numbering. */
			if (syslog_head(p, n) && memmem(p, n < 120 ? n : 120, "]: [", 4))
				hits++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return lines && hits * 2 >= lines ? 70 : 0;
}

/* Prefixes common with syslog, which supplies the time and pid itself;
 * tried before the stderr candidates. "" is log_line_prefix = ''. */
static const char *const syslog_prefixes[] = {
	"db=%d,user=%u,app=%a,client=%h ", "user=%u,db=%d,app=%a,client=%h ",
	"db=%d,user=%u ", "user=%u,db=%d ", "%u@%d ", "%q%u@%d ", "[%l-1] ",
	"[%l-1] user=%u,db=%d ", "[%l-1] db=%d,user=%u ", "",
};

/* How many of the lines in buf p matches. */
static unsigned count_matches(const char *spec, const char *buf, size_t len,
		unsigned *lines)
{
	char err[128];
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	unsigned n = 0;
	*lines = 0;
	if (!p)
		return 0;
	for (const char *q = buf, *end = buf + len; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t ln = nl ? (size_t)(nl - q) : (size_t)(end - q);
		(*lines)++;
		n += prefix_match(p, q, ln, NULL);
		q = nl ? nl + 1 : end;
	}
	prefix_free(p);
	return n;
}

/* The first pieces' text after "[n-1] ", as lines, for prefix detection. */
static void collect_first_pieces(struct syslog_state *st, const char *buf,
		size_t len, struct strbuf *out)
{
	const char *p = buf, *end = buf + len;
	unsigned n = 0;
	struct syslog_line l;
	while (p < end && n < PROBE_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (parse_line(st, p, ln, &l) && l.numbered && l.chunk == 1) {
			sb_append(out, l.rest.ptr, l.rest.len);
			sb_putc(out, '\n');
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void *syslog_open(struct parse_ctx *ctx)
{
	struct syslog_state *st = xcalloc(1, sizeof(*st));
	char err[256];
	size_t len;
	const char *buf = lr_peek(ctx->lr, PROBE_BYTES, &len);
	const char *how;
	st->ctx = ctx;

	const char *spec = ctx->opts ? ctx->opts->prefix : NULL;
	struct strbuf pieces = STRBUF_INIT;
	collect_first_pieces(st, buf, len, &pieces);
	st->last_month = 0;     /* collecting read dates: start over */
	st->year = find_year(ctx, buf, len, &how);
	if (!spec) {
		unsigned matched = 0, tried = 0;
		for (size_t i = 0; i < ARRAY_SIZE(syslog_prefixes) && !spec; i++) {
			matched = count_matches(syslog_prefixes[i], pieces.buf ? pieces.buf : "",
				pieces.len, &tried);
			if (tried && matched * 2 >= tried)
				spec = syslog_prefixes[i];
		}
		if (!spec)
			spec = prefix_detect(pieces.buf ? pieces.buf : "", pieces.len, &matched, &tried);
		if (!spec) {
			char hint[512];
			if (prefix_suggest(pieces.buf ? pieces.buf : "", pieces.len, hint, sizeof(hint)))
				parse_problem(ctx, 0, "no known log_line_prefix fits the text after the "
					"syslog headers; pass the server's setting, e.g. --prefix '%s'", hint);
			else
				parse_problem(ctx, 0, "no known log_line_prefix fits the text after the "
					"syslog headers; pass the server's setting with --prefix");
			sb_release(&pieces);
			free(st);
			return NULL;
		}
		parse_note(ctx, "log_line_prefix '%s' detected after the syslog headers "
			"(%u of %u lines fit); --prefix overrides it", spec, matched, tried);
	}
	sb_release(&pieces);
	st->prefix = prefix_compile(spec, err, sizeof(err));
	if (!st->prefix) {
		parse_problem(ctx, 0, "bad --prefix '%s': %s", spec, err);
		free(st);
		return NULL;
	}
	st->memo = prefix_memo_new(st->prefix);
	parse_note(ctx, "syslog dates carry no year: %d, from %s (--year overrides it); "
		"their times are taken as UTC unless the prefix has its own", st->year, how);
	return st;
}

/* Adds one piece to the message being joined: a tab-led continuation, a
 * part line with its own prefix, or the rest of a line split for length. */
static void join_piece(struct syslog_state *st, struct slice rest, size_t prev_len)
{
	sb_reset(&st->line);
	append_decoded(&st->line, rest);
	const char *t = st->line.buf ? st->line.buf : "";
	bool new_line = st->line.len && (t[0] == '\t'
		|| prefix_match(st->prefix, t, st->line.len, NULL) || prev_len < SYSLOG_SPLIT_AT);
	if (new_line)
		sb_putc(&st->msg, '\n');
	sb_append(&st->msg, t, st->line.len);
}

/* Builds the entry from the joined stderr-form message in st->msg. */
static bool build_entry(struct syslog_state *st, const struct syslog_line *first,
		struct log_entry *e)
{
	const char *base = st->msg.buf, *end = base + st->msg.len;
	const char *nl = memchr(base, '\n', st->msg.len);
	size_t n = nl ? (size_t)(nl - base) : st->msg.len;
	struct prefix_fields f;
	if (!prefix_match_memo(st->memo, base, n, &f))
		return false;
	eb_begin(&st->b, &f, base, base);
	eb_primary_end(&st->b, base, n, base);
	for (const char *p = nl ? nl + 1 : end; p < end;) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t ln = q ? (size_t)(q - p) : (size_t)(end - p);
		struct prefix_fields pf;
		if (ln && p[0] != '\t' && prefix_match(st->prefix, p, ln, &pf)
				&& logentry_is_part(pf.severity))
			eb_part(&st->b, &pf, p, ln, base);
		else
			eb_continue(&st->b, p, ln, base);
		p = q ? q + 1 : end;
	}
	eb_finish(&st->b, base, e);
	if (e->ts_ms == TS_NONE)
		e->ts_ms = first->ts_ms;        /* header time, as UTC */
	if (e->pid < 0)
		e->pid = first->pid;
	return true;
}

/* Reads the next message's pieces and builds its entry. Returns 1, 0 at
 * the end of input, -1 when the message did not parse (already reported). */
static int read_message(struct syslog_state *st, struct record *out)
{
	struct line_reader *lr = st->ctx->lr;
	const char *s;
	size_t len;
	struct syslog_line first, l;

	/* Find the first piece of a message. */
	for (;;) {
		if (!lr_next(lr, &s, &len))
			return 0;
		if (len == 0)
			continue;
		if (!parse_line(st, s, len, &first)) {
			parse_skip(st->ctx, lr_lineno(lr), "not a syslog line");
			continue;
		}
		/* The server's syslog_ident: the first program whose lines are
		 * numbered or carry the prefix. */
		if (!st->ident[0] && first.ident.len < sizeof(st->ident) && (first.numbered
				|| prefix_match(st->prefix, first.rest.ptr, first.rest.len, NULL))) {
			memcpy(st->ident, first.ident.ptr, first.ident.len);
			st->ident[first.ident.len] = '\0';
		}
		if (!st->ident[0] || !slice_eq(first.ident, st->ident)) {
			st->foreign++;
			continue;
		}
		if (first.numbered && first.chunk != 1) {
			parse_skip(st->ctx, lr_lineno(lr), "continuation piece of a message whose first piece is missing");
			continue;
		}
		break;
	}
	uint64_t first_line = lr_lineno(lr);
	sb_reset(&st->msg);
	append_decoded(&st->msg, first.rest);
	size_t prev_len = first.rest.len;
	unsigned chunk = first.chunk;
	/* Then its further pieces: the same pid and number, the next chunk. */
	while (first.numbered && lr_next(lr, &s, &len)) {
		if (!parse_line(st, s, len, &l) || !l.numbered || l.pid != first.pid
				|| l.seq != first.seq || l.chunk != chunk + 1
				|| !slice_eq(l.ident, st->ident)) {
			lr_unread(lr);
			break;
		}
		join_piece(st, l.rest, prev_len);
		prev_len = l.rest.len;
		chunk = l.chunk;
	}
	if (!build_entry(st, &first, &out->u.log)) {
		parse_skip(st->ctx, first_line, "syslog message does not start with the log_line_prefix and a severity");
		return -1;
	}
	out->kind = REC_LOG_ENTRY;
	out->u.log.line = first_line;
	return 1;
}

static int syslog_next(void *state, struct record *out)
{
	struct syslog_state *st = state;
	int rc;
	while ((rc = read_message(st, out)) < 0)
		;
	if (rc == 0 && st->foreign) {
		parse_note(st->ctx, "%llu lines of other programs than '%s' ignored",
			(unsigned long long)st->foreign, st->ident[0] ? st->ident : "postgres");
		st->foreign = 0;
	}
	return rc;
}

static void syslog_close(void *state)
{
	struct syslog_state *st = state;
	if (!st)
		return;
	prefix_memo_free(st->memo);
	prefix_free(st->prefix);
	sb_release(&st->msg);
	sb_release(&st->line);
	free(st);
}

const struct parser parser_syslog = {
	.id = "syslog", .name = "PostgreSQL via syslog",
	.probe = syslog_probe,
	.open = syslog_open, .next = syslog_next, .close = syslog_close,
};
