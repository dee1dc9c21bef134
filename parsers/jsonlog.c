/* jsonlog.c: PostgreSQL's jsonlog form (log_destination = 'jsonlog', 15+).
 *
 * One JSON object per line, keys left out when empty. Each line is read by
 * the hand scanner (jsonlog_scan.c, which says why jansson was not enough
 * for every line); the record's slices point into the line or into the
 * scanner's buffer. A line the scanner does not read for sure is decoded
 * with jansson, whose object is then kept until the next call. A line that
 * is not a JSON object is reported and skipped. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlog_int.h"
#include "logcols_int.h"
#include "parser.h"
#include "timeutil.h"

struct jsonlog_state {
	struct parse_ctx *ctx;
	json_t *cur;                    /* the object the last record points into,
	                                 * when jansson read it */
	struct jscan_buf buf;           /* the scanner's unescaped values */
	char query_id[24];
	struct logcols_zone zone;       /* the last one resolved */
};

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

static struct slice str_of(const struct jvalue *v)
{
	return v->type == JV_STRING ? v->s : SLICE_EMPTY;
}

static int64_t int_of(const struct jvalue *v)
{
	return v->type == JV_INT ? v->i : -1;
}

/* The values of a line jansson decoded, as the scanner gives them. */
static void values_of(json_t *root, struct jsonlog_values *out)
{
	for (int k = 0; k < K_COUNT; k++)
		out->v[k].type = JV_ABSENT;
	for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
		const char *key = json_object_iter_key(it);
		enum json_key k = jsonlog_key(key, strlen(key));
		if (k == K_OTHER)
			continue;
		json_t *v = json_object_iter_value(it);
		struct jvalue *o = &out->v[k];
		if (json_is_string(v)) {
			o->type = JV_STRING;
			o->s = slice_make(json_string_value(v), json_string_length(v));
		} else if (json_is_integer(v)) {
			o->type = JV_INT;
			o->i = (int64_t)json_integer_value(v);
		} else {
			o->type = JV_OTHER;
		}
	}
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
	/* A zone too long to be one leaves the wall clock reading. */
	(void)logcols_zone_time(&st->zone, st->ctx, wall, s.ptr + n + 1,
		s.len - n - 1, e);
}

/* query_id as the other forms write it (a signed decimal). */
static struct slice format_id(char *buf, size_t cap, const struct jvalue *v)
{
	if (v->type != JV_INT)
		return str_of(v);
	int64_t x = v->i;
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

/* The next line that is a JSON object into *vals: by the scanner, or by
 * jansson for a line the scanner leaves to it. Returns false at the end. */
static bool next_object(struct jsonlog_state *st, struct jsonlog_values *vals)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;

	for (;;) {
		if (!lr_next(lr, &line, &len))
			return false;
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		if (jsonlog_scan(line, len, &st->buf, vals) == JSCAN_OK)
			return true;
		json_error_t err;
		json_t *root = json_loadb(line, len, 0, &err);
		if (json_is_object(root)) {
			st->cur = root;
			values_of(root, vals);
			return true;
		}
		if (root)
			parse_skip(st->ctx, lr_lineno(lr), "jsonlog line is not a JSON object: skipped");
		else
			parse_skip(st->ctx, lr_lineno(lr), "jsonlog line is not JSON (%s at column %d): skipped",
				err.text, err.column);
		json_decref(root);
	}
}

static int jsonlog_next(void *state, struct record *out)
{
	struct jsonlog_state *st = state;
	struct jsonlog_values vals;

	json_decref(st->cur);
	st->cur = NULL;
	if (!next_object(st, &vals))
		return 0;

	struct log_entry *e = &out->u.log;
	out->kind = REC_LOG_ENTRY;
	e->line = lr_lineno(st->ctx->lr);
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
	/* Each key sets fields of its own, so the order does not matter. */
	for (int k = K_OTHER + 1; k < K_COUNT; k++) {
		const struct jvalue *v = &vals.v[k];
		if (v->type == JV_ABSENT)
			continue;
		switch ((enum json_key)k) {
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
		case K_OTHER: case K_COUNT: break;
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
	free(st->buf.ptr);
	free(st);
}

static void *jsonlog_fork(void *state, struct parse_ctx *ctx)
{
	(void)state;    /* jsonlog settles nothing at open */
	return jsonlog_open(ctx);
}

const struct parser parser_jsonlog = {
	.id = "jsonlog", .name = "PostgreSQL jsonlog",
	.probe = jsonlog_probe,
	.open = jsonlog_open, .next = jsonlog_next, .close = jsonlog_close,
	.record_start = parse_object_line_start, .fork = jsonlog_fork,
};
