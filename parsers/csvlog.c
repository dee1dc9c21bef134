/* csvlog.c: PostgreSQL's csvlog form (log_destination = 'csvlog').
 *
 * One record per server message, as a CSV row whose quoted fields may
 * span lines. Lines from the reader go through libcsv's push parser (with
 * the "\n" the reader strips put back); a record ends at its record
 * callback. The columns depend on the server version and are told apart
 * by their number, per record: 23 (9.0-12), 24 (13: backend_type), 26
 * (14+: leader_pid, query_id).
 *
 * libcsv runs in strict mode: the server doubles every quote inside a
 * quoted field, so a stray quote means a record was cut (a torn write, a
 * truncated file concatenated with the next one). The parser then reports
 * the record and resynchronises on the next line that starts with a
 * date, instead of reading the rest of the file with its quotes inverted.
 * Lines before the first record (an excerpt cut inside one) are skipped
 * the same way.
 *
 * A record on one line of the plain form the server writes is split by
 * csvlog_split_line() (csvlog_split.c) without libcsv, to the same fields;
 * anything else goes through libcsv. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "csvlog_int.h"
#include "logcols_int.h"
#include "parser.h"
#include "timeutil.h"

enum csv_col {
	COL_TIME, COL_USER, COL_DB, COL_PID, COL_FROM, COL_SESSION,
	COL_LINE_NUM, COL_TAG, COL_SESSION_START, COL_VXID, COL_XID,
	COL_SEVERITY, COL_SQLSTATE, COL_MESSAGE, COL_DETAIL, COL_HINT,
	COL_INTERNAL_QUERY, COL_INTERNAL_POS, COL_CONTEXT, COL_QUERY,
	COL_QUERY_POS, COL_LOCATION, COL_APP,              /* 23 columns */
	COL_BACKEND_TYPE,                                   /* 24 (PG 13) */
	COL_LEADER_PID, COL_QUERY_ID,                       /* 26 (PG 14+) */
};

struct csvlog_state {
	struct parse_ctx *ctx;
	struct csv_parser cp;
	struct csv_fields f;            /* the current record's */
	bool done;                      /* the record callback fired */
	bool in_record;                 /* a line of the record was fed */
	bool resync;                    /* after an error: skip to a record start */
	uint64_t rec_line, rec_lines;
	size_t rec_bytes;       /* fed to libcsv for this record (README, "Limits") */
	struct logcols_zone zone;       /* the last one resolved */
	bool odd_noted;
};

/* libcsv's field callback. */
static void csvlog_field(void *s, size_t len, void *data)
{
	struct csvlog_state *st = data;
	csv_fields_add(&st->f, s, len);
}

static void csvlog_row(int c, void *data)
{
	(void)c;
	((struct csvlog_state *)data)->done = true;
}

/* Whether a line starts like a record: "YYYY-MM-DD " (maybe quoted). The
 * time itself is checked with the record, so that a bad one is reported
 * as such. */
static bool starts_record(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-dd ";
	size_t q = len && s[0] == '"';
	if (len < q + sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		char c = s[q + i];
		if (shape[i] == 'd' ? c < '0' || c > '9' : c != shape[i])
			return false;
	}
	return true;
}

/* ---- probe ---- */

/* Fields of the CSV record at s (quote-aware, up to the first newline
 * outside quotes); 0 when the buffer ends first. */
static unsigned count_fields(const char *s, size_t len)
{
	unsigned n = 1;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"')
			quoted = !quoted;       /* "" toggles twice: no change */
		else if (!quoted && c == ',')
			n++;
		else if (!quoted && c == '\n')
			return n;
	}
	return 0;
}

/* Confidence that the record at s (len bytes to the end of the buffer)
 * is a csvlog record: a time, maybe quoted, with its zone, a comma, the
 * user name quoted or empty, and 23 to 26 fields. */
static int probe_record(const char *s, size_t n)
{
	bool q = n && s[0] == '"';
	int64_t ms;
	size_t t = ts_parse_wallclock(s + q, n - q, &ms);
	if (t == 0)
		return 0;
	size_t i = q + t;
	while (i < n && i < q + t + 12 && s[i] != ',' && s[i] != '\n')
		i++;
	if (i + 1 >= n || s[i] != ',' || (q && s[i - 1] != '"'))
		return 0;
	if (s[i + 1] != '"' && s[i + 1] != ',')
		return 0;
	unsigned f = count_fields(s, n);
	if (f >= 23 && f <= 26)
		return 90;
	if (f == 0)
		return 60;      /* a first record longer than what we were shown */
	return 30;
}

static int csvlog_probe(const char *buf, size_t len)
{
	/* The first record, or else one of the first lines (an excerpt may
	 * start inside a record): less sure then. */
	const char *s = buf, *end = buf + len;
	for (int line = 0; line < 50 && s < end; line++) {
		if (*s != '\n' && *s != '\r') {
			int score = probe_record(s, (size_t)(end - s));
			if (score)
				return line == 0 ? score : score - 20;
		}
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			break;
		s = nl + 1;
	}
	return 0;
}

/* ---- parser ---- */

static void *csvlog_open(struct parse_ctx *ctx)
{
	struct csvlog_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	if (csv_init(&st->cp, CSV_STRICT) != 0) {
		parse_problem(ctx, 0, "cannot start the CSV parser: out of memory");
		free(st);
		return NULL;
	}
	csv_set_blk_size(&st->cp, (size_t)1 << 20);      /* see restart_csv() */
	return st;
}

static void restart_csv(struct csvlog_state *st)
{
	csv_free(&st->cp);
	if (csv_init(&st->cp, CSV_STRICT) != 0)
		abort();        /* csv_init only fails on malloc */
	/* libcsv grows a field by this many bytes at a time (128 by
	 * default): a 64 MiB field took half a million reallocs. */
	csv_set_blk_size(&st->cp, (size_t)1 << 20);
}

static void drop_record(struct csvlog_state *st, uint64_t lines)
{
	parse_skipped(st->ctx, lines);
	st->in_record = st->done = false;
	csv_fields_reset(&st->f);
}

static struct slice field(const struct csvlog_state *st, unsigned i)
{
	if (i >= st->f.n || i >= CSV_MAX_FIELDS)
		return SLICE_EMPTY;
	return slice_make(st->f.buf + st->f.off[i], st->f.len[i]);
}

/* log_time to e->ts_ms; false when it is not a time. */
static bool parse_time(struct csvlog_state *st, struct slice s, struct log_entry *e)
{
	int64_t wall;
	size_t n = ts_parse_wallclock(s.ptr, s.len, &wall);
	if (n == 0)
		return false;
	if (n == s.len) {       /* no zone: not what the server writes */
		e->ts_ms = wall;
		e->tz_known = false;
		e->tz = SLICE_EMPTY;
		return true;
	}
	if (s.ptr[n] != ' ')
		return false;
	return logcols_zone_time(&st->zone, st->ctx, wall, s.ptr + n + 1,
		s.len - n - 1, e);
}

/* Fills *out from the fields of the record just ended. Returns false
 * (after reporting it) when the record is not one. */
static bool fill(struct csvlog_state *st, struct record *out)
{
	unsigned nf = st->f.n;
	if (nf < 23 || nf > 26) {
		parse_problem(st->ctx, st->rec_line, "csvlog record with %u fields "
			"(PostgreSQL writes 23 up to 12, 24 in 13, 26 from 14 on): skipped", nf);
		return false;
	}
	struct log_entry *e = &out->u.log;
	out->kind = REC_LOG_ENTRY;
	struct slice t = field(st, COL_TIME);
	if (!parse_time(st, t, e)) {
		parse_problem(st->ctx, st->rec_line, "csvlog record with a log_time "
			"that is not a time ('%.*s'): skipped", (int)(t.len > 40 ? 40 : t.len), t.ptr);
		return false;
	}
	if (nf == 25 && !st->odd_noted) {
		/* No server writes 25; pgBadger's fixtures do. Read the 24
		 * columns everyone agrees on. */
		parse_note(st->ctx, "csvlog records with 25 fields (line %llu): read as "
			"PostgreSQL 13's 24 columns, the 25th ignored",
			(unsigned long long)st->rec_line);
		st->odd_noted = true;
	}
	e->line = st->rec_line;
	e->pid = logcols_int(field(st, COL_PID));
	e->user = field(st, COL_USER);
	e->db = field(st, COL_DB);
	e->app = field(st, COL_APP);
	e->host = logcols_host(field(st, COL_FROM));
	e->session = field(st, COL_SESSION);
	e->sqlstate = field(st, COL_SQLSTATE);
	e->severity = logcols_severity(field(st, COL_SEVERITY));
	e->message = field(st, COL_MESSAGE);
	e->detail = field(st, COL_DETAIL);
	e->hint = field(st, COL_HINT);
	e->context = field(st, COL_CONTEXT);
	e->statement = field(st, COL_QUERY);
	e->internal_query = field(st, COL_INTERNAL_QUERY);
	e->backend_type = field(st, COL_BACKEND_TYPE);  /* empty below 24 */
	if (nf == 26) {
		e->leader_pid = logcols_int(field(st, COL_LEADER_PID));
		e->query_id = field(st, COL_QUERY_ID);
	} else {
		e->leader_pid = -1;
		e->query_id = SLICE_EMPTY;
	}
	e->tab_continued = false;
	return true;
}

/* Feeds one line and its newline. Returns false on a CSV error. */
static bool feed(struct csvlog_state *st, const char *line, size_t len)
{
	if (len && csv_parse(&st->cp, line, len, csvlog_field, csvlog_row, st) < len)
		return false;
	return csv_parse(&st->cp, "\n", 1, csvlog_field, csvlog_row, st) == 1;
}

static int csvlog_next(void *state, struct record *out)
{
	struct csvlog_state *st = state;
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;

	for (;;) {
		if (!lr_next(lr, &line, &len)) {
			if (st->in_record) {
				parse_problem(st->ctx, st->rec_line, "csvlog record cut short "
					"by the end of the input (a quoted field is not closed): skipped");
				drop_record(st, st->rec_lines);
				restart_csv(st);
			}
			return 0;
		}
		if (!st->in_record) {
			if (len == 0)
				continue;       /* blank lines carry nothing; not counted */
			if (!starts_record(line, len)) {
				/* Lines before the first record (an excerpt), or
				 * after a broken one: one problem for the lot. */
				if (!st->resync)
					parse_skip(st->ctx, lr_lineno(lr), "not the start of a "
						"csvlog record (no log_time): skipped up to the next "
						"line that starts with one");
				else
					parse_skipped(st->ctx, 1);
				st->resync = true;
				continue;
			}
			st->resync = false;
			st->in_record = true;
			st->rec_line = lr_lineno(lr);
			st->rec_lines = 0;
			st->rec_bytes = 0;
			csv_fields_reset(&st->f);
		}
		st->rec_lines++;
		if (st->rec_lines == 1 && csvlog_split_line(&st->f, line, len)) {
			st->in_record = false;
			if (fill(st, out))
				return 1;
			parse_skipped(st->ctx, st->rec_lines);
			continue;
		}
		st->rec_bytes += len + 1;
		if (st->rec_bytes > LR_LINE_MAX) {
			parse_problem(st->ctx, st->rec_line, "csvlog record longer than %zu MiB "
				"(at line %llu): skipped up to the next line that starts with a date",
				LR_LINE_MAX >> 20, (unsigned long long)lr_lineno(lr));
			drop_record(st, st->rec_lines);
			restart_csv(st);
			st->resync = true;
			continue;
		}
		if (!feed(st, line, len)) {
			restart_csv(st);
			if (st->rec_lines > 1 && starts_record(line, len)) {
				/* The record before was cut; this line starts the next. */
				parse_problem(st->ctx, st->rec_line, "csvlog record cut short "
					"(a quoted field is not closed before line %llu): skipped",
					(unsigned long long)lr_lineno(lr));
				drop_record(st, st->rec_lines - 1);
				lr_unread(lr);
			} else {
				parse_problem(st->ctx, st->rec_line, "malformed csvlog record "
					"(stray quote on line %llu): skipped up to the next line "
					"that starts with a date", (unsigned long long)lr_lineno(lr));
				drop_record(st, st->rec_lines);
				st->resync = true;
			}
			continue;
		}
		if (!st->done)
			continue;
		st->in_record = st->done = false;
		if (fill(st, out))
			return 1;
		parse_skipped(st->ctx, st->rec_lines);
	}
}

static void csvlog_close(void *state)
{
	struct csvlog_state *st = state;
	if (!st)
		return;
	csv_free(&st->cp);
	free(st->f.buf);
	free(st);
}

static void *csvlog_fork(void *state, struct parse_ctx *ctx)
{
	(void)state;    /* csvlog settles nothing at open */
	return csvlog_open(ctx);
}

/* A record starts at a line shaped like one that is a whole record of
 * the server's plain form (csvlog_split_line(), with the server's 23 to
 * 26 columns): a line inside a quoted multi-line field would have to hold
 * a complete csvlog line of its own to pass. */
static bool starts_whole_record(void *arg, const char *line, size_t n)
{
	struct csv_fields *f = arg;
	if (!starts_record(line, n))
		return false;
	csv_fields_reset(f);
	return csvlog_split_line(f, line, n) && f->n >= 23 && f->n <= 26;
}

static size_t csvlog_record_start(void *state, const char *buf, size_t len)
{
	(void)state;
	struct csv_fields f = { 0 };
	size_t at = parse_first_line(buf, len, starts_whole_record, &f);
	free(f.buf);
	return at;
}

const struct parser parser_csvlog = {
	.id = "csvlog", .name = "PostgreSQL csvlog",
	.probe = csvlog_probe,
	.open = csvlog_open, .next = csvlog_next, .close = csvlog_close,
	.record_start = csvlog_record_start, .fork = csvlog_fork,
};
