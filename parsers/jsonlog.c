/* jsonlog.c: PostgreSQL's jsonlog form (log_destination = 'jsonlog', 15+).
 *
 * One JSON object per line, keys left out when empty. Each line is decoded
 * with jansson; the record's slices point into the decoded object, which
 * is kept until the next call. A line that is not a JSON object is
 * reported and skipped. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "timeutil.h"

struct jsonlog_state {
	struct parse_ctx *ctx;
	json_t *cur;                    /* the object the last record points into */
	char query_id[24];
	/* The last zone resolved. */
	char zone[16];
	size_t zone_len;
	int zone_off;
	bool zone_ok, zone_noted;
};

enum json_key {
	K_OTHER, K_TIMESTAMP, K_USER, K_DBNAME, K_PID, K_REMOTE_HOST,
	K_SESSION_ID, K_ERROR_SEVERITY, K_STATE_CODE, K_MESSAGE, K_DETAIL,
	K_HINT, K_INTERNAL_QUERY, K_CONTEXT, K_STATEMENT, K_APPLICATION_NAME,
	K_BACKEND_TYPE, K_LEADER_PID, K_QUERY_ID,
};

/* The keys pgsift reads; the others (line_num, ps, vxid, positions,
 * func_name...) are K_OTHER. */
static enum json_key key_of(const char *k)
{
#define IS(lit, id) if (strcmp(k, lit) == 0) return id
	switch (k[0]) {
	case 't': IS("timestamp", K_TIMESTAMP); break;
	case 'u': IS("user", K_USER); break;
	case 'd': IS("dbname", K_DBNAME); IS("detail", K_DETAIL); break;
	case 'p': IS("pid", K_PID); break;
	case 'r': IS("remote_host", K_REMOTE_HOST); break;
	case 's': IS("session_id", K_SESSION_ID); IS("state_code", K_STATE_CODE);
		IS("statement", K_STATEMENT); break;
	case 'e': IS("error_severity", K_ERROR_SEVERITY); break;
	case 'm': IS("message", K_MESSAGE); break;
	case 'h': IS("hint", K_HINT); break;
	case 'i': IS("internal_query", K_INTERNAL_QUERY); break;
	case 'c': IS("context", K_CONTEXT); break;
	case 'a': IS("application_name", K_APPLICATION_NAME); break;
	case 'b': IS("backend_type", K_BACKEND_TYPE); break;
	case 'l': IS("leader_pid", K_LEADER_PID); break;
	case 'q': IS("query_id", K_QUERY_ID); break;
	default: break;
	}
#undef IS
	return K_OTHER;
}

/* ---- probe ---- */

static int jsonlog_probe(const char *buf, size_t len)
{
	while (len && (*buf == '\n' || *buf == '\r' || *buf == ' ')) {
		buf++;
		len--;
	}
	if (len == 0 || buf[0] != '{')
		return 0;
	/* The server writes "timestamp" first. */
	static const char head[] = "{\"timestamp\":\"";
	if (len > sizeof(head) && memcmp(buf, head, sizeof(head) - 1) == 0
			&& buf[sizeof(head) - 1] >= '0' && buf[sizeof(head) - 1] <= '9')
		return 95;
	const char *nl = memchr(buf, '\n', len);
	size_t line = nl ? (size_t)(nl - buf) : len;
	if (memmem(buf, line, "\"error_severity\":", 17) && memmem(buf, line, "\"message\":", 10))
		return 80;
	return 10;
}

/* ---- parser ---- */

static void *jsonlog_open(struct parse_ctx *ctx)
{
	struct jsonlog_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	return st;
}

static struct slice str_of(json_t *v)
{
	if (!json_is_string(v))
		return SLICE_EMPTY;
	return slice_make(json_string_value(v), json_string_length(v));
}

static int64_t int_of(json_t *v)
{
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static void set_time(struct jsonlog_state *st, struct slice s, struct log_entry *e)
{
	int64_t wall;
	size_t n = ts_parse_wallclock(s.ptr, s.len, &wall);
	if (n == 0)
		return;         /* stays TS_NONE */
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

/* query_id as the other forms write it (a signed decimal). */
static struct slice format_id(char *buf, size_t cap, json_t *v)
{
	if (!json_is_integer(v))
		return str_of(v);
	int64_t x = (int64_t)json_integer_value(v);
	uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	char *p = buf + cap;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (x < 0)
		*--p = '-';
	return slice_make(p, (size_t)(buf + cap - p));
}

static int jsonlog_next(void *state, struct record *out)
{
	struct jsonlog_state *st = state;
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;
	json_t *root;

	json_decref(st->cur);
	st->cur = NULL;
	for (;;) {
		if (!lr_next(lr, &line, &len))
			return 0;
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		json_error_t err;
		root = json_loadb(line, len, 0, &err);
		if (json_is_object(root))
			break;
		if (root)
			parse_skip(st->ctx, lr_lineno(lr), "jsonlog line is not a JSON object: skipped");
		else
			parse_skip(st->ctx, lr_lineno(lr), "jsonlog line is not JSON (%s at column %d): skipped",
				err.text, err.column);
		json_decref(root);
	}
	st->cur = root;

	struct log_entry *e = &out->u.log;
	out->kind = REC_LOG_ENTRY;
	e->line = lr_lineno(lr);
	e->ts_ms = TS_NONE;
	e->tz_known = false;
	e->tz = SLICE_EMPTY;
	e->pid = e->leader_pid = -1;
	e->user = e->db = e->app = e->host = e->session = e->sqlstate =
		e->query_id = e->backend_type = e->message = e->detail = e->hint =
		e->context = e->statement = e->internal_query = SLICE_EMPTY;
	/* The server leaves state_code out when it is 00000; the other
	 * forms write it. */
	e->sqlstate = slice_make("00000", 5);
	e->severity = SEV_NONE;
	e->tab_continued = false;
	for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
		json_t *v = json_object_iter_value(it);
		switch (key_of(json_object_iter_key(it))) {
		case K_TIMESTAMP: set_time(st, str_of(v), e); break;
		case K_USER: e->user = str_of(v); break;
		case K_DBNAME: e->db = str_of(v); break;
		case K_PID: e->pid = int_of(v); break;
		case K_REMOTE_HOST: e->host = str_of(v); break;
		case K_SESSION_ID: e->session = str_of(v); break;
		case K_ERROR_SEVERITY: {
			struct slice s = str_of(v);
			char tmp[16];
			if (s.len && s.len < sizeof(tmp)) {
				memcpy(tmp, s.ptr, s.len);
				tmp[s.len] = ':';
				if (severity_parse(tmp, s.len + 1, &e->severity) == 0)
					e->severity = SEV_NONE;
			}
			break;
		}
		case K_STATE_CODE: e->sqlstate = str_of(v); break;
		case K_MESSAGE: e->message = str_of(v); break;
		case K_DETAIL: e->detail = str_of(v); break;
		case K_HINT: e->hint = str_of(v); break;
		case K_INTERNAL_QUERY: e->internal_query = str_of(v); break;
		case K_CONTEXT: e->context = str_of(v); break;
		case K_STATEMENT: e->statement = str_of(v); break;
		case K_APPLICATION_NAME: e->app = str_of(v); break;
		case K_BACKEND_TYPE: e->backend_type = str_of(v); break;
		case K_LEADER_PID: e->leader_pid = int_of(v); break;
		case K_QUERY_ID:
			e->query_id = format_id(st->query_id, sizeof(st->query_id), v);
			break;
		case K_OTHER: break;
		}
	}
	return 1;
}

static void jsonlog_close(void *state)
{
	struct jsonlog_state *st = state;
	if (!st)
		return;
	json_decref(st->cur);
	free(st);
}

const struct parser parser_jsonlog = {
	.id = "jsonlog", .name = "PostgreSQL jsonlog",
	.probe = jsonlog_probe,
	.open = jsonlog_open, .next = jsonlog_next, .close = jsonlog_close,
};
