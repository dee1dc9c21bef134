/* cnpg.c: CloudNativePG's JSON log (kubectl logs of an instance pod).
 *
 * The operator runs the server with csvlog and writes every record to
 * standard output as one JSON object per line:
 *   {"level":"info","ts":...,"logger":"postgres","msg":"record",
 *    "logging_pod":"cluster-1","record":{"log_time":...,"user_name":...,
 *    "process_id":"4003",...,"error_severity":"LOG","message":...}}
 * record's keys are csvlog's columns (cloudnative-pg.io, "Logging"), every
 * value a string, empty ones left out by recent versions and written as ""
 * by older ones. The first versions had no "logger" and named it in "msg".
 * The same stream carries the instance manager's own lines and those of
 * other programs (pg_controldata, wal-archive, pgaudit...), told apart by
 * "logger": they are counted as skipped and each logger named in a note
 * (without its count, so that the notes of the pieces of a file cut
 * across workers are the same; the count is in the input's skipped
 * lines). Like jsonlog, a file is cut at any line that starts an object,
 * as CNPG writes one per line. A postgres line without a record object,
 * or a line that is not JSON, is reported with its line and skipped.
 *
 * Lines are read by a scanner of their own (below): decoding each with
 * jansson cost 137,000 instructions a line, 16 times jsonlog's (2.31 G
 * against 0.14 G for the same 16,875 records, callgrind); the scanner
 * takes 0.25 G, on lines half as long again as jsonlog's. It takes the outer
 * object's logger and msg, skips its other values, and reads the record
 * (a flat object of strings) into one slice per key pgsift uses; values
 * with escapes are unescaped into a buffer the size of the line. Strings
 * are read by jstr.h's pieces, exactly as jansson reads them. A line it
 * does not read for sure (a value that is not a string in the record, an
 * object or array elsewhere, a long number, \u0000, bytes that are not
 * UTF-8, a syntax error) is decoded with jansson, which then also says
 * what is wrong with it; so the two never disagree. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jstr.h"
#include "logcols_int.h"
#include "parser.h"
#include "prefix.h"
#include "timeutil.h"

#define MAX_LOGGERS 16

struct other_logger {
	char name[32];
};

/* The record's keys pgsift reads: csvlog's columns under CNPG's names. */
#define CNPG_KEYS(X) \
	X(C_LOG_TIME, "log_time") X(C_USER, "user_name") X(C_DB, "database_name") \
	X(C_PID, "process_id") X(C_FROM, "connection_from") X(C_SESSION, "session_id") \
	X(C_SEVERITY, "error_severity") X(C_SQLSTATE, "sql_state_code") \
	X(C_MESSAGE, "message") X(C_DETAIL, "detail") X(C_HINT, "hint") \
	X(C_INTERNAL_QUERY, "internal_query") X(C_CONTEXT, "context") X(C_QUERY, "query") \
	X(C_APP, "application_name") X(C_BACKEND, "backend_type") \
	X(C_LEADER_PID, "leader_pid") X(C_QUERY_ID, "query_id")

#define X(id, name) id,
enum cnpg_key { CNPG_KEYS(X) C_COUNT };
#undef X
#define X(id, name) name,
static const char *const key_names[C_COUNT] = { CNPG_KEYS(X) };
#undef X

/* One line: its logger (or msg, in the first versions) and its record's
 * values, empty when absent. */
struct cnpg_line {
	struct slice logger, msg;
	bool has_logger, has_record;
	struct slice v[C_COUNT];
};

struct cnpg_state {
	struct parse_ctx *ctx;
	json_t *cur;                    /* the line the last entry points into,
	                                 * when jansson read it */
	char *buf;                      /* unescaped values of the scanned line */
	size_t cap;
	char num[C_COUNT][24];          /* integers jansson met, as text */
	struct other_logger others[MAX_LOGGERS];
	size_t nothers;
	struct logcols_zone zone;       /* the last one resolved */
};

/* ---- probe ---- */

static bool has_key_value(const char *buf, size_t len, const char *key, const char *value)
{
	char a[64], b[64];
	snprintf(a, sizeof(a), "\"%s\":\"%s\"", key, value);
	snprintf(b, sizeof(b), "\"%s\": \"%s\"", key, value);
	return memmem(buf, len, a, strlen(a)) || memmem(buf, len, b, strlen(b));
}

static int cnpg_probe(const char *buf, size_t len)
{
	while (len && (*buf == '\n' || *buf == '\r' || *buf == ' ')) {
		buf++;
		len--;
	}
	if (len == 0 || buf[0] != '{')
		return 0;
	bool record = memmem(buf, len, "\"record\":{", 10) || memmem(buf, len, "\"record\": {", 11);
	if (record && (has_key_value(buf, len, "logger", "postgres")
			|| has_key_value(buf, len, "msg", "postgres")))
		return 97;      /* above jsonlog: the record holds its keys */
	/* Only the instance manager's lines in the first bytes. */
	if (memmem(buf, len, "\"logging_pod\":", 14) && memmem(buf, len, "\"logger\":", 9))
		return 90;
	return 0;
}

/* ---- parser ---- */

static void *cnpg_open(struct parse_ctx *ctx)
{
	struct cnpg_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	return st;
}

/* log_time ("2021-04-30 11:14:09.718 UTC") to e->ts_ms; TS_NONE stays
 * when it is not a time. */
static void set_time(struct cnpg_state *st, struct slice s, struct log_entry *e)
{
	int64_t wall;
	size_t n = ts_parse_wallclock(s.ptr, s.len, &wall);
	if (n == 0)
		return;
	e->ts_ms = wall;
	if (n + 1 >= s.len || s.ptr[n] != ' ')
		return;
	/* A zone too long to be one leaves the wall clock reading. */
	(void)logcols_zone_time(&st->zone, st->ctx, wall, s.ptr + n + 1,
		s.len - n - 1, e);
}

static void count_other(struct cnpg_state *st, struct slice name)
{
	if (!name.len)
		name = slice_make("(none)", 6);
	size_t i;
	for (i = 0; i < st->nothers; i++)
		if (strlen(st->others[i].name) == name.len
				&& memcmp(st->others[i].name, name.ptr, name.len) == 0)
			break;
	if (i == st->nothers) {
		if (st->nothers == MAX_LOGGERS)
			i--;    /* the last slot counts the rest */
		else
			st->nothers++;
		size_t n = name.len < sizeof(st->others[i].name) - 1
			? name.len : sizeof(st->others[i].name) - 1;
		memcpy(st->others[i].name, name.ptr, n);
		st->others[i].name[n] = 0;
	}
	parse_skipped(st->ctx, 1);
}

/* ---- the scanner ---- */

struct scan {
	const char *p, *end;
	char *out;              /* where the next unescaped value goes */
};

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r'))
		sc->p++;
}

/* The string at sc->p (its opening quote) into *out (jstr_read(): a
 * slice of the line, or unescaped into sc->out); with out NULL it is only
 * skipped. Checked as jansson checks strings: false on what it refuses or
 * leaves to jansson. */
static bool scan_string(struct scan *sc, struct slice *out)
{
	const char *after = jstr_read(sc->p + 1, sc->end, &sc->out, out);
	if (!after)
		return false;
	sc->p = after;
	return true;
}

/* The length of the JSON number at p, 0 when none is there. Long ones
 * (an integer past int64, a real jansson might find out of range) are
 * left to jansson too. */
static size_t number_len(const char *p, const char *end)
{
	const char *q = p;
	if (q < end && *q == '-')
		q++;
	if (q >= end || *q < '0' || *q > '9')
		return 0;
	if (*q == '0')
		q++;
	else
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	if (q < end && *q == '.') {
		const char *d = ++q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d)
			return 0;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		const char *d = q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d)
			return 0;
	}
	size_t n = (size_t)(q - p);
	return n <= 18 ? n : 0;
}

/* Skips the scalar at sc->p: a string, a number, true, false or null.
 * Objects and arrays (none on a postgres line but the record) are left
 * to jansson. */
static bool skip_value(struct scan *sc)
{
	if (sc->p >= sc->end)
		return false;
	if (*sc->p == '"')
		return scan_string(sc, NULL);
	size_t n = jstr_literal_len(sc->p, sc->end);
	if (!n)
		n = number_len(sc->p, sc->end);
	sc->p += n;
	return n > 0;
}

static enum cnpg_key key_of(struct slice k)
{
	for (int i = 0; i < C_COUNT; i++)
		if (slice_eq(k, key_names[i]))
			return (enum cnpg_key)i;
	return C_COUNT;
}

/* The record: a flat object of strings. */
static bool scan_record(struct scan *sc, struct cnpg_line *ln)
{
	sc->p++;        /* '{' */
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return true;
	}
	for (;;) {
		struct slice k, v;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"' || !scan_string(sc, &k))
			return false;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return false;
		sc->p++;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"' || !scan_string(sc, &v))
			return false;
		enum cnpg_key key = key_of(k);
		if (key != C_COUNT)
			ln->v[key] = v;         /* a later duplicate wins, as in jansson */
		skip_ws(sc);
		if (sc->p >= sc->end)
			return false;
		if (*sc->p == '}') {
			sc->p++;
			return true;
		}
		if (*sc->p++ != ',')
			return false;
	}
}

/* The whole line; false when jansson must read it. */
static bool scan_line(struct cnpg_state *st, const char *line, size_t len, struct cnpg_line *ln)
{
	if (len > st->cap) {
		st->cap = len + len / 2;
		st->buf = xrealloc(st->buf, st->cap);
	}
	struct scan sc = { line, line + len, st->buf };
	skip_ws(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return false;
	sc.p++;
	for (;;) {
		struct slice k;
		skip_ws(&sc);
		if (sc.p >= sc.end || *sc.p != '"' || !scan_string(&sc, &k))
			return false;
		skip_ws(&sc);
		if (sc.p >= sc.end || *sc.p != ':')
			return false;
		sc.p++;
		skip_ws(&sc);
		if (sc.p >= sc.end)
			return false;
		bool str = *sc.p == '"';
		if (slice_eq(k, "logger") && str) {
			ln->has_logger = true;
			if (!scan_string(&sc, &ln->logger))
				return false;
		} else if (slice_eq(k, "msg") && str) {
			if (!scan_string(&sc, &ln->msg))
				return false;
		} else if (slice_eq(k, "record") && *sc.p == '{') {
			for (int i = 0; i < C_COUNT; i++)
				ln->v[i] = SLICE_EMPTY;
			ln->has_record = true;
			if (!scan_record(&sc, ln))
				return false;
		} else {
			/* Another key, or logger/msg/record of another type:
			 * jansson decides what that means. */
			if (slice_eq(k, "logger") || slice_eq(k, "msg") || slice_eq(k, "record"))
				return false;
			if (!skip_value(&sc))
				return false;
		}
		skip_ws(&sc);
		if (sc.p >= sc.end)
			return false;
		if (*sc.p == '}') {
			sc.p++;
			skip_ws(&sc);
			return sc.p == sc.end;
		}
		if (*sc.p++ != ',')
			return false;
	}
}

/* ---- lines to entries ---- */

static struct slice str_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return SLICE_EMPTY;
	return slice_make(json_string_value(v), json_string_length(v));
}

/* The line as jansson decodes it; false (after reporting it) when it is
 * not an object. */
static bool decode_line(struct cnpg_state *st, const char *line, size_t len, struct cnpg_line *ln)
{
	uint64_t no = lr_lineno(st->ctx->lr);
	json_error_t err;
	json_t *root = json_loadb(line, len, 0, &err);
	if (!json_is_object(root)) {
		if (root)
			parse_skip(st->ctx, no, "CloudNativePG line is not a JSON object: skipped");
		else
			parse_skip(st->ctx, no, "CloudNativePG line is not JSON (%s at column %d): skipped",
				err.text, err.column);
		json_decref(root);
		return false;
	}
	st->cur = root;
	ln->has_logger = json_object_get(root, "logger") != NULL;
	ln->logger = str_of(root, "logger");
	ln->msg = str_of(root, "msg");
	json_t *rec = json_object_get(root, "record");
	ln->has_record = json_is_object(rec);
	for (int i = 0; i < C_COUNT; i++) {
		json_t *v = json_object_get(rec, key_names[i]);
		ln->v[i] = SLICE_EMPTY;
		if (json_is_string(v)) {
			ln->v[i] = slice_make(json_string_value(v), json_string_length(v));
		} else if (json_is_integer(v)) {
			int n = snprintf(st->num[i], sizeof(st->num[i]), "%lld",
				(long long)json_integer_value(v));
			ln->v[i] = slice_make(st->num[i], (size_t)n);
		}
	}
	return true;
}

/* A line the server wrote to its stderr before the logging collector
 * took over ("2024-10-19 11:47:37.871 UTC [23] LOG:  redirecting log
 * output to logging collector process"), which CNPG passes on as the
 * postgres logger's msg, in the record's slots: false when msg is not
 * one (log_line_prefix '%m [%p] ', PostgreSQL's default, as CNPG runs). */
static bool text_record(struct cnpg_line *ln)
{
	const char *p = ln->msg.ptr, *end = p + ln->msg.len;
	int64_t wall;
	size_t n = ts_parse_wallclock(p, ln->msg.len, &wall);
	if (n == 0 || p + n >= end || p[n] != ' ')
		return false;
	const char *zone_end = memchr(p + n + 1, ' ', (size_t)(end - p - n - 1));
	if (!zone_end || end - zone_end < 4 || zone_end[1] != '[')
		return false;
	const char *pid = zone_end + 2, *q = pid;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == pid || end - q < 2 || q[0] != ']' || q[1] != ' ')
		return false;
	const char *sev = q + 2;
	enum severity level;
	size_t used = severity_parse(sev, (size_t)(end - sev), &level);
	const char *colon = used ? memchr(sev, ':', used) : NULL;
	if (!colon)
		return false;
	for (int i = 0; i < C_COUNT; i++)
		ln->v[i] = SLICE_EMPTY;
	ln->v[C_LOG_TIME] = slice_make(p, (size_t)(zone_end - p));
	ln->v[C_PID] = slice_make(pid, (size_t)(q - pid));
	ln->v[C_SEVERITY] = slice_make(sev, (size_t)(colon - sev));
	ln->v[C_MESSAGE] = slice_make(sev + used, (size_t)(end - sev - used));
	return true;
}

/* The next line that is a postgres record into *ln; false at the end. */
static bool next_record(struct cnpg_state *st, struct cnpg_line *ln)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;

	while (lr_next(lr, &line, &len)) {
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		json_decref(st->cur);
		st->cur = NULL;
		/* logger and msg empty, not NULL, when the line lacks them
		 * (text_record() reads msg: a postgres line without one). */
		const struct cnpg_line none = { .logger = SLICE_EMPTY, .msg = SLICE_EMPTY };
		*ln = none;
		if (!scan_line(st, line, len, ln)) {
			*ln = none;
			if (!decode_line(st, line, len, ln))
				continue;
		}
		/* The first versions named the logger in msg, beside the
		 * record; the operator's own lines may have no logger. */
		struct slice logger = ln->has_logger ? ln->logger
			: ln->has_record ? ln->msg : slice_make("(none)", 6);
		if (!slice_eq(logger, "postgres")) {
			count_other(st, logger);
			continue;
		}
		if (ln->has_record)
			return true;
		if (slice_eq(ln->msg, "record")) {
			parse_skip(st->ctx, lr_lineno(lr),
				"CloudNativePG postgres line without a record object: skipped");
			continue;
		}
		if (text_record(ln))
			return true;
		/* Other text on the server's stderr (a dynamic linker's
		 * error...): not a message pgsift reads. */
		count_other(st, slice_make("postgres (stderr text)", 22));
	}
	return false;
}

static int cnpg_next(void *state, struct record *out)
{
	struct cnpg_state *st = state;
	struct cnpg_line ln;

	if (!next_record(st, &ln))
		return 0;
	const struct slice *v = ln.v;
	struct log_entry *e = &out->u.log;
	out->kind = REC_LOG_ENTRY;
	e->line = lr_lineno(st->ctx->lr);
	e->ts_ms = TS_NONE;
	e->tz_known = false;
	e->tz = SLICE_EMPTY;
	set_time(st, v[C_LOG_TIME], e);
	e->pid = logcols_int(v[C_PID]);
	e->leader_pid = logcols_int(v[C_LEADER_PID]);
	e->user = v[C_USER];
	e->db = v[C_DB];
	e->app = v[C_APP];
	e->host = logcols_host(v[C_FROM]);
	e->session = v[C_SESSION];
	e->sqlstate = v[C_SQLSTATE];
	if (!e->sqlstate.len)   /* left out when empty; csvlog writes 00000 */
		e->sqlstate = slice_make("00000", 5);
	e->severity = logcols_severity(v[C_SEVERITY]);
	e->message = v[C_MESSAGE];
	e->detail = v[C_DETAIL];
	e->hint = v[C_HINT];
	e->context = v[C_CONTEXT];
	e->statement = v[C_QUERY];
	e->internal_query = v[C_INTERNAL_QUERY];
	e->backend_type = v[C_BACKEND];
	e->query_id = v[C_QUERY_ID];
	e->tab_continued = false;
	return 1;
}

static void cnpg_close(void *state)
{
	struct cnpg_state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->nothers; i++) {
		if (strcmp(st->others[i].name, "(none)") == 0)
			parse_note(st->ctx, "CloudNativePG lines without a logger skipped "
				"(the operator's own messages)");
		else
			parse_note(st->ctx, "lines of CloudNativePG logger '%s' skipped "
				"(not PostgreSQL's records)", st->others[i].name);
	}
	json_decref(st->cur);
	free(st->buf);
	free(st);
}

static void *cnpg_fork(void *state, struct parse_ctx *ctx)
{
	(void)state;    /* nothing is settled at open */
	return cnpg_open(ctx);
}

const struct parser parser_cnpg = {
	.id = "cnpg", .name = "CloudNativePG JSON log",
	.probe = cnpg_probe,
	.open = cnpg_open, .next = cnpg_next, .close = cnpg_close,
	.record_start = parse_object_line_start, .fork = cnpg_fork,
};
