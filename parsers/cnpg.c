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
 * "logger": they are counted as skipped and named in one note. A postgres
 * line without a record object, or a line that is not JSON, is reported
 * with its line and skipped.
 *
 * Lines are decoded with jansson: the record is nested, which jsonlog's
 * hand scanner does not read. The object is kept until the next call, as
 * the entry's slices point into it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "prefix.h"
#include "timeutil.h"

#define MAX_LOGGERS 16

struct other_logger {
	char name[32];
	uint64_t lines;
};

struct cnpg_state {
	struct parse_ctx *ctx;
	json_t *cur;                    /* the line the last entry points into */
	struct other_logger others[MAX_LOGGERS];
	size_t nothers;
	/* The last zone resolved. */
	char zone[16];
	size_t zone_len;
	int zone_off;
	bool zone_ok, zone_noted;
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

static struct slice str_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return SLICE_EMPTY;
	return slice_make(json_string_value(v), json_string_length(v));
}

/* A number CNPG writes as a string ("4003"); -1 when absent or not one. */
static int64_t int_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	struct slice s = str_of(obj, key);
	if (s.len == 0 || s.len > 18)
		return -1;
	int64_t n = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return -1;
		n = n * 10 + (s.ptr[i] - '0');
	}
	return n;
}

static enum severity severity_of(struct slice s)
{
	char tmp[16];
	enum severity sev = SEV_NONE;
	if (s.len == 0 || s.len >= sizeof(tmp))
		return SEV_NONE;
	memcpy(tmp, s.ptr, s.len);
	tmp[s.len] = ':';
	if (severity_parse(tmp, s.len + 1, &sev) == 0)
		return SEV_NONE;
	return sev;
}

/* connection_from "host:port" (or "[local]") to the host, as csvlog. */
static struct slice host_of(struct slice from)
{
	size_t i = from.len;
	while (i > 0 && from.ptr[i - 1] >= '0' && from.ptr[i - 1] <= '9')
		i--;
	if (i > 1 && i < from.len && from.ptr[i - 1] == ':')
		return slice_make(from.ptr, i - 1);
	return from;
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
	const char *z = s.ptr + n + 1;
	size_t zl = s.len - n - 1;
	if (zl > sizeof(st->zone))
		return;
	if (zl != st->zone_len || memcmp(z, st->zone, zl) != 0) {
		memcpy(st->zone, z, zl);
		st->zone_len = zl;
		st->zone_off = 0;
		st->zone_ok = ts_zone_offset(z, zl, &st->zone_off);
		if (!st->zone_ok && !st->zone_noted) {
			parse_note(st->ctx, "time zone '%.*s' unknown: its times are taken as UTC",
				(int)zl, z);
			st->zone_noted = true;
		}
	}
	e->ts_ms = wall - (int64_t)st->zone_off * MS_PER_MIN;
	e->tz_known = st->zone_ok;
	e->tz = slice_make(z, zl);
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
	st->others[i].lines++;
	parse_skipped(st->ctx, 1);
}

/* The next line that is a postgres record; its record object, NULL at
 * the end. The line's object is kept in st->cur. */
static json_t *next_record(struct cnpg_state *st)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;

	while (lr_next(lr, &line, &len)) {
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		json_error_t err;
		json_t *root = json_loadb(line, len, 0, &err);
		uint64_t no = lr_lineno(lr);
		if (!json_is_object(root)) {
			if (root)
				parse_skip(st->ctx, no, "CloudNativePG line is not a JSON object: skipped");
			else
				parse_skip(st->ctx, no, "CloudNativePG line is not JSON (%s at column %d): skipped",
					err.text, err.column);
			json_decref(root);
			continue;
		}
		struct slice logger = str_of(root, "logger");
		if (!json_object_get(root, "logger"))
			logger = str_of(root, "msg");   /* the first versions */
		if (!slice_eq(logger, "postgres")) {
			count_other(st, logger);
			json_decref(root);
			continue;
		}
		json_t *rec = json_object_get(root, "record");
		if (!json_is_object(rec)) {
			parse_skip(st->ctx, no, "CloudNativePG postgres line without a record object: skipped");
			json_decref(root);
			continue;
		}
		st->cur = root;
		return rec;
	}
	return NULL;
}

static int cnpg_next(void *state, struct record *out)
{
	struct cnpg_state *st = state;

	json_decref(st->cur);
	st->cur = NULL;
	json_t *r = next_record(st);
	if (!r)
		return 0;

	struct log_entry *e = &out->u.log;
	out->kind = REC_LOG_ENTRY;
	e->line = lr_lineno(st->ctx->lr);
	e->ts_ms = TS_NONE;
	e->tz_known = false;
	e->tz = SLICE_EMPTY;
	set_time(st, str_of(r, "log_time"), e);
	e->pid = int_of(r, "process_id");
	e->leader_pid = int_of(r, "leader_pid");
	e->user = str_of(r, "user_name");
	e->db = str_of(r, "database_name");
	e->app = str_of(r, "application_name");
	e->host = host_of(str_of(r, "connection_from"));
	e->session = str_of(r, "session_id");
	e->sqlstate = str_of(r, "sql_state_code");
	if (!e->sqlstate.len)   /* left out when empty; csvlog writes 00000 */
		e->sqlstate = slice_make("00000", 5);
	e->severity = severity_of(str_of(r, "error_severity"));
	e->message = str_of(r, "message");
	e->detail = str_of(r, "detail");
	e->hint = str_of(r, "hint");
	e->context = str_of(r, "context");
	e->statement = str_of(r, "query");
	e->internal_query = str_of(r, "internal_query");
	e->backend_type = str_of(r, "backend_type");
	e->query_id = str_of(r, "query_id");
	e->tab_continued = false;
	return 1;
}

static void cnpg_close(void *state)
{
	struct cnpg_state *st = state;
	if (!st)
		return;
	if (st->nothers) {
		uint64_t total = 0;
		char names[MAX_LOGGERS * 48] = "";
		size_t used = 0;
		for (size_t i = 0; i < st->nothers; i++) {
			total += st->others[i].lines;
			int n = snprintf(names + used, sizeof(names) - used, "%s%s %llu",
				i ? ", " : "", st->others[i].name,
				(unsigned long long)st->others[i].lines);
			if (n > 0 && (size_t)n < sizeof(names) - used)
				used += (size_t)n;
		}
		parse_note(st->ctx, "%llu line%s of other loggers than postgres skipped: %s",
			(unsigned long long)total, total == 1 ? "" : "s", names);
	}
	json_decref(st->cur);
	free(st);
}

const struct parser parser_cnpg = {
	.id = "cnpg", .name = "CloudNativePG JSON log",
	.probe = cnpg_probe,
	.open = cnpg_open, .next = cnpg_next, .close = cnpg_close,
};
