/* jsonlog_scan.c: a hand scanner for the flat objects of PostgreSQL's jsonlog.
 *
 * Why not jansson for every line: jansson builds a tree for each line (a
 * hash table, one malloc'd string per value, UTF-8 checked byte by byte),
 * which cost about 80% of a run over the workload's jsonlog (callgrind:
 * 4.50 G instructions for 23 MB, 3.7 G of them in jansson and malloc);
 * the records only need slices of a dozen values. The server writes a
 * fixed shape (src/backend/utils/error/jsonlog.c): one object per line,
 * keys without escapes, values strings through escape_json() (\" \\ \b \f
 * \n \r \t, \u00XX for other control bytes, other bytes as they are) or
 * plain integers. That shape is read here in one pass, with no allocation
 * when no value has an escape. Whatever else (nested values, real numbers,
 * \u0000, bytes that are not UTF-8, any syntax error) is handed back to
 * jansson, so the two never disagree on a line the scanner accepts. The
 * string pieces (plain runs, UTF-8, escapes) are analyzer/base/jstr.c,
 * shared with the JSON plan scan. */
#include <string.h>

#include "jsonlog_int.h"
#include "jstr.h"

enum json_key jsonlog_key(const char *k, size_t n)
{
#define IS(lit, id) if (memcmp(k, lit, n) == 0) return id
	switch (n) {
	case 3: IS("pid", K_PID); break;
	case 4: IS("user", K_USER); IS("hint", K_HINT); break;
	case 6: IS("dbname", K_DBNAME); IS("detail", K_DETAIL); break;
	case 7: IS("message", K_MESSAGE); IS("context", K_CONTEXT); break;
	case 8: IS("query_id", K_QUERY_ID); break;
	case 9: IS("timestamp", K_TIMESTAMP); IS("statement", K_STATEMENT); break;
	case 10: IS("session_id", K_SESSION_ID); IS("state_code", K_STATE_CODE);
		IS("leader_pid", K_LEADER_PID); break;
	case 11: IS("remote_host", K_REMOTE_HOST); break;
	case 12: IS("backend_type", K_BACKEND_TYPE); break;
	case 14: IS("error_severity", K_ERROR_SEVERITY); IS("internal_query", K_INTERNAL_QUERY); break;
	case 16: IS("application_name", K_APPLICATION_NAME); break;
	default: break;
	}
#undef IS
	return K_OTHER;
}

struct scan {
	const char *p, *end;
	char *out;              /* next free byte of the scratch buffer */
	struct jscan_buf *buf;
	size_t len;             /* the line's length: the most unescaping can write */
};

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline void skip_ws(struct scan *s)
{
	while (s->p < s->end && is_ws(*s->p))
		s->p++;
}

/* A string at s->p (after its opening quote) into *out: a slice of the
 * line while it has no escape, else of the scratch buffer. Returns false
 * for anything left to jansson. */
static bool scan_string(struct scan *s, struct slice *out)
{
	const char *start = s->p;
	for (;;) {
		s->p = jstr_plain_run(s->p, s->end);
		if (s->p >= s->end)
			return false;
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			*out = slice_make(start, (size_t)(s->p - start));
			s->p++;
			return true;
		}
		if (c == '\\')
			break;
		if (c < 0x20)
			return false;   /* raw control bytes: invalid JSON */
		size_t n = jstr_utf8_len((const unsigned char *)s->p, (const unsigned char *)s->end);
		if (n == 0)
			return false;
		s->p += n;
	}

	/* An escape: the value is rebuilt in the scratch buffer, sized once
	 * per line to the line's length, which no unescaped value exceeds. */
	if (!s->out) {
		if (s->buf->cap < s->len) {
			s->buf->ptr = xrealloc(s->buf->ptr, s->len);
			s->buf->cap = s->len;
		}
		s->out = s->buf->ptr;
	}
	char *o = s->out;
	memcpy(o, start, (size_t)(s->p - start));
	o += s->p - start;
	for (;;) {
		/* here *s->p is '\\' */
		s->p++;
		o = jstr_unescape(&s->p, s->end, o);
		if (!o)
			return false;
		for (;;) {
			const char *run = s->p;
			s->p = jstr_plain_run(s->p, s->end);
			memcpy(o, run, (size_t)(s->p - run));
			o += s->p - run;
			if (s->p >= s->end)
				return false;
			unsigned char c = (unsigned char)*s->p;
			if (c == '"') {
				*out = slice_make(s->out, (size_t)(o - s->out));
				s->out = o;
				s->p++;
				return true;
			}
			if (c == '\\')
				break;
			if (c < 0x20)
				return false;
			size_t n = jstr_utf8_len((const unsigned char *)s->p, (const unsigned char *)s->end);
			if (n == 0)
				return false;
			memcpy(o, s->p, n);
			o += n;
			s->p += n;
		}
	}
}

/* After a number or a literal, JSON allows only these; "12ab" is not. */
static inline bool at_delim(const struct scan *s)
{
	return s->p >= s->end || *s->p == ',' || *s->p == '}' || is_ws(*s->p);
}

/* An integer as jansson reads one (json_int_t is long long), or false:
 * real numbers, leading zeros and values out of range go to jansson. */
static bool scan_int(struct scan *s, int64_t *out)
{
	bool neg = false;
	if (*s->p == '-') {
		neg = true;
		s->p++;
	}
	const char *d = s->p;
	uint64_t u = 0;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9' && s->p - d < 19)
		u = u * 10 + (uint64_t)(*s->p++ - '0');
	size_t nd = (size_t)(s->p - d);
	if (nd == 0 || (nd > 1 && *d == '0'))
		return false;
	if (s->p < s->end && ((*s->p >= '0' && *s->p <= '9') || *s->p == '.'
				|| *s->p == 'e' || *s->p == 'E'))
		return false;
	if (!at_delim(s))
		return false;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return false;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)u;
	}
	return true;
}

static bool scan_literal(struct scan *s)
{
	size_t n = jstr_literal_len(s->p, s->end);
	s->p += n;
	return n > 0 && at_delim(s);
}

enum jscan_result jsonlog_scan(const char *line, size_t len, struct jscan_buf *buf,
		struct jsonlog_values *out)
{
	struct scan s = { .p = line, .end = line + len, .buf = buf, .len = len };
	for (int k = 0; k < K_COUNT; k++)
		out->v[k].type = JV_ABSENT;

	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return JSCAN_FALLBACK;
	s.p++;
	skip_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto done;
	}
	for (;;) {
		struct slice key;
		if (s.p >= s.end || *s.p != '"')
			return JSCAN_FALLBACK;
		s.p++;
		if (!scan_string(&s, &key))
			return JSCAN_FALLBACK;
		skip_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return JSCAN_FALLBACK;
		s.p++;
		skip_ws(&s);
		if (s.p >= s.end)
			return JSCAN_FALLBACK;

		struct jvalue v = { .type = JV_OTHER };
		char c = *s.p;
		if (c == '"') {
			s.p++;
			v.type = JV_STRING;
			if (!scan_string(&s, &v.s))
				return JSCAN_FALLBACK;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			v.type = JV_INT;
			if (!scan_int(&s, &v.i))
				return JSCAN_FALLBACK;
		} else if (!scan_literal(&s)) {
			return JSCAN_FALLBACK;  /* nested values, or not JSON */
		}
		enum json_key k = jsonlog_key(key.ptr, key.len);
		if (k != K_OTHER)
			out->v[k] = v;

		skip_ws(&s);
		if (s.p >= s.end)
			return JSCAN_FALLBACK;
		if (*s.p == '}') {
			s.p++;
			break;
		}
		if (*s.p != ',')
			return JSCAN_FALLBACK;
		s.p++;
		skip_ws(&s);
	}
done:
	skip_ws(&s);
	return s.p == s.end ? JSCAN_OK : JSCAN_FALLBACK;
}
