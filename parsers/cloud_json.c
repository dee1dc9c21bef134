/* cloud_json.c: cutting a cloud's JSON export into its entries (see
 * cloud_int.h).
 *
 * gcloud prints one pretty-printed array, the AWS CLI an object holding
 * "events", Event Hub batches {"records": [...]}, log sinks and storage
 * accounts one entry a line: the entries are objects at a known depth of
 * the document. A scanner walks the bytes, line by line as the reader
 * hands them (no document is loaded whole: an export may be gigabytes),
 * tracks strings and nesting, copies each entry's bytes and hands them to
 * jansson, which also says what is wrong with a broken one. */
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "strbuf.h"
#include "timeutil.h"

enum jmode { J_STREAM, J_ARRAY, J_WRAPPED };

struct jscan {
	enum jmode mode;
	const char *const *keys;
	int depth;
	bool in_str, esc;
	bool key_capture;       /* reading a string at depth 1 (J_WRAPPED) */
	char key[32];
	size_t keylen;
	bool wrap_open;         /* inside the array of one of keys */
	bool collecting;
	bool in_scalar;         /* a number or literal outside an entry */
	unsigned nstray;        /* elements of the array that are no object */
	uint64_t stray_line;
	uint64_t elem_line;
	struct strbuf elem;
};

struct cloud_json {
	struct parse_ctx *ctx;
	struct jscan js;
	const char *line;       /* the line being scanned, from pos on */
	size_t len, pos;
	bool have_line;
};

static size_t skip_ws(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static bool is_key(const char *const *keys, const char *k, size_t n)
{
	for (; keys && *keys; keys++)
		if (strlen(*keys) == n && memcmp(*keys, k, n) == 0)
			return true;
	return false;
}

/* The document's form, from its first bytes. */
static enum jmode detect_mode(const char *buf, size_t len, const char *const *keys)
{
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	i = skip_ws(buf, i, len);
	if (i < len && buf[i] == '[')
		return J_ARRAY;
	if (i >= len || buf[i] != '{')
		return J_STREAM;
	i = skip_ws(buf, i + 1, len);
	if (i >= len || buf[i] != '"')
		return J_STREAM;
	const char *k = buf + i + 1, *q = memchr(k, '"', len - i - 1);
	if (!q || !is_key(keys, k, (size_t)(q - k)))
		return J_STREAM;
	i = skip_ws(buf, (size_t)(q - buf) + 1, len);
	if (i >= len || buf[i] != ':')
		return J_STREAM;
	i = skip_ws(buf, i + 1, len);
	return i < len && buf[i] == '[' ? J_WRAPPED : J_STREAM;
}

static void jscan_init(struct jscan *s, enum jmode mode, const char *const *keys)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->keys = keys;
}

static bool at_entry_depth(const struct jscan *s)
{
	switch (s->mode) {
	case J_ARRAY: return s->depth == 1;
	case J_WRAPPED: return s->depth == 2 && s->wrap_open;
	default: return s->depth == 0;
	}
}

/* An element of the entries' array that is not an object, at lineno. */
static void stray(struct jscan *s, uint64_t lineno)
{
	if (!s->nstray++)
		s->stray_line = lineno;
}

/* Scans line[*pos..len) (lineno is its number). Returns 1 when an entry
 * ended (its bytes in s->elem, *pos just after it), 0 when the line is
 * used up, -1 when a stream holds something else than an object at its
 * top (the rest of the line is left), -2 when a string of the entry runs
 * past the line's end (the entry is dropped). */
static int jscan_line(struct jscan *s, const char *line, size_t len, size_t *pos,
		uint64_t lineno)
{
	size_t i = *pos, seg = i;
	int rc = 0;
	for (; i < len; i++) {
		char c = line[i];
		if (s->in_str) {
			if (s->esc) {
				s->esc = false;         /* the escaped byte */
				continue;
			}
			/* Most bytes are in strings: run to the next quote or
			 * backslash with memchr (a byte at a time was a third
			 * of the gcp parser's time). */
			const char *q = memchr(line + i, '"', len - i);
			const char *stop = q ? q : line + len;
			const char *b = memchr(line + i, '\\', (size_t)(stop - line - i));
			if (b)
				stop = b;
			if (s->key_capture)
				for (const char *k = line + i; k < stop && s->keylen < sizeof(s->key); k++)
					s->key[s->keylen++] = *k;
			i = (size_t)(stop - line);
			if (i >= len)
				break;
			if (b)
				s->esc = true;
			else
				s->in_str = s->key_capture = false;
			continue;
		}
		switch (c) {
		case '"':
			if (s->mode == J_STREAM && s->depth == 0) {
				rc = -1;
				goto out;
			}
			if (!s->collecting && at_entry_depth(s))
				stray(s, lineno);
			s->in_str = true;
			if (s->mode == J_WRAPPED && s->depth == 1) {
				s->key_capture = true;
				s->keylen = 0;
			}
			break;
		case '{':
		case '[':
			if (c == '{' && !s->collecting && at_entry_depth(s)) {
				s->collecting = true;
				s->elem_line = lineno;
				sb_reset(&s->elem);
				seg = i;
			} else if (s->mode == J_STREAM && s->depth == 0) {
				rc = -1;
				goto out;
			} else if (!s->collecting && at_entry_depth(s)) {
				stray(s, lineno);
			}
			if (s->mode == J_WRAPPED && s->depth == 1 && c == '[')
				s->wrap_open = s->keylen < sizeof(s->key)
					&& is_key(s->keys, s->key, s->keylen);
			s->depth++;
			break;
		case '}':
		case ']':
			if (s->depth > 0)
				s->depth--;
			if (s->mode == J_WRAPPED && s->depth == 1 && c == ']')
				s->wrap_open = false;
			if (s->collecting && c == '}' && at_entry_depth(s)) {
				sb_append(&s->elem, line + seg, i + 1 - seg);
				s->collecting = false;
				*pos = i + 1;
				return 1;
			}
			break;
		case ' ': case '\t': case '\r': case ',': case ':':
			s->in_scalar = false;
			break;
		default:        /* a number or a literal */
			if (s->mode == J_STREAM && s->depth == 0) {
				rc = -1;
				goto out;
			}
			if (!s->in_scalar && !s->collecting && at_entry_depth(s))
				stray(s, lineno);
			s->in_scalar = true;
			break;
		}
	}
out:
	if (s->in_str) {
		/* JSON has no line break in a string: the entry is broken
		 * (cut by whatever wrote it); the next line starts afresh. */
		s->in_str = s->esc = s->key_capture = false;
		if (s->collecting) {
			s->collecting = false;
			s->depth = s->mode == J_ARRAY ? 1 : s->mode == J_WRAPPED ? 2 : 0;
			*pos = len;
			return -2;
		}
	}
	if (s->collecting) {
		sb_append(&s->elem, line + seg, (i < len ? i : len) - seg);
		if (rc == 0)
			sb_putc(&s->elem, '\n');
	}
	*pos = len;
	return rc;
}

struct cloud_json *cloud_json_open(struct parse_ctx *ctx, const char *const *keys)
{
	struct cloud_json *s = xcalloc(1, sizeof(*s));
	size_t len;
	const char *buf = lr_peek(ctx->lr, 4096, &len);
	s->ctx = ctx;
	jscan_init(&s->js, detect_mode(buf ? buf : "", buf ? len : 0, keys), keys);
	return s;
}

void cloud_json_free(struct cloud_json *s)
{
	if (!s)
		return;
	sb_release(&s->js.elem);
	free(s);
}

/* Reads the entry in js->elem into e: false after reporting. */
static bool decode(struct parse_ctx *ctx, struct jscan *js, struct cloud_entry *e)
{
	char err[256];
	uint64_t at;
	if (cloud_entry_read(e, js->elem.buf, js->elem.len, err, sizeof(err), &at))
		return true;
	parse_skip(ctx, js->elem_line + at, "%s", err);
	return false;
}

int cloud_json_next(struct cloud_json *s, struct cloud_entry *e, uint64_t *line)
{
	struct line_reader *lr = s->ctx->lr;
	for (;;) {
		if (!s->have_line || s->pos >= s->len) {
			if (!lr_next(lr, &s->line, &s->len))
				break;
			s->pos = 0;
			s->have_line = true;
		}
		int rc = jscan_line(&s->js, s->line, s->len, &s->pos, lr_lineno(lr));
		if (s->js.nstray) {
			parse_skip(s->ctx, s->js.stray_line, "%u element%s of the entries' "
				"array %s no JSON object", s->js.nstray, s->js.nstray > 1 ? "s" : "",
				s->js.nstray > 1 ? "are" : "is");
			if (s->js.nstray > 1)
				parse_skipped(s->ctx, s->js.nstray - 1);
			s->js.nstray = 0;
		}
		if (rc == -2) {
			parse_skip(s->ctx, s->js.elem_line, "entry is not valid JSON: a string "
				"runs past the end of line %llu", (unsigned long long)lr_lineno(lr));
			continue;
		}
		if (rc < 0) {
			parse_skip(s->ctx, lr_lineno(lr), "not a JSON entry");
			continue;
		}
		if (rc == 0)
			continue;
		if (decode(s->ctx, &s->js, e)) {
			*line = s->js.elem_line;
			return 1;
		}
	}
	if (s->js.collecting) {
		parse_skip(s->ctx, s->js.elem_line, "entry cut off by the end of the input");
		s->js.collecting = false;
	}
	return 0;
}

void cloud_json_peek(const char *buf, size_t len, const char *const *keys,
		unsigned max, struct cloud_entry *e,
		bool (*each)(void *arg, struct cloud_entry *e), void *arg)
{
	char err[256];
	uint64_t at;
	struct jscan js;
	jscan_init(&js, detect_mode(buf, len, keys), keys);
	unsigned n = 0;
	uint64_t lineno = 0;
	for (const char *p = buf, *end = buf + len; p < end && n < max;) {
		/* The last line may be cut by the peek, or end the input
		 * without a newline (one Event Hub batch): its entries that
		 * end in it are whole. */
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		size_t ln = (size_t)(nl - p), pos = 0;
		lineno++;
		int rc;
		while (n < max && (rc = jscan_line(&js, p, ln, &pos, lineno)) != 0) {
			if (rc < 0)
				break;
			n++;
			if (cloud_entry_read(e, js.elem.buf, js.elem.len, err, sizeof(err), &at)
					&& !each(arg, e))
				goto out;
		}
		p = nl < end ? nl + 1 : end;
	}
out:
	sb_release(&js.elem);
}

bool cloud_json_starts(const char *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	i = skip_ws(buf, i, len);
	return i < len && (buf[i] == '{' || buf[i] == '[');
}

json_t *cloud_get(json_t *o, const char *path)
{
	const char *dot;
	char key[64];
	while (o && (dot = strchr(path, '.')) && (size_t)(dot - path) < sizeof(key)) {
		memcpy(key, path, (size_t)(dot - path));
		key[dot - path] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return o ? json_object_get(o, path) : NULL;
}

const char *cloud_str(json_t *o, const char *path, size_t *len)
{
	json_t *v = cloud_get(o, path);
	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

int64_t cloud_iso_ms(const char *s, size_t len)
{
	char tmp[48];
	int64_t ms;
	if (!s || len < 10 || len >= sizeof(tmp))
		return TS_NONE;
	/* ts_parse_cli() takes up to milliseconds: drop further digits. */
	size_t n = 0, i = 0;
	while (i < len && s[i] != '.')
		tmp[n++] = s[i++];
	if (i < len) {
		tmp[n++] = s[i++];
		for (unsigned d = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, d++)
			if (d < 3)
				tmp[n++] = s[i];
		while (i < len)
			tmp[n++] = s[i++];
	}
	tmp[n] = '\0';
	if (!ts_parse_cli(tmp, &ms, NULL))
		return TS_NONE;
	return ms;
}
