/* sentry_doc.c: the JSON shapes trace exports come in, for the sentry and
 * otlp parsers (see tdoc_int.h).
 *
 * The shape is decided from the first bytes: '[' is one array; '{' on a
 * first line that is a whole JSON value means one value per line (NDJSON,
 * a Sentry envelope, the OpenTelemetry file exporter); otherwise the input
 * is one pretty-printed document. A document is read whole (jansson needs
 * it), a line-mode input one line at a time. The values of an array, at
 * the top or on a line, are handed out one by one. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "timeutil.h"
#include "tdoc_int.h"

#define PEEK (64 * 1024)

struct tdoc {
	struct parse_ctx *ctx;
	const char *what;       /* "Sentry", "OTLP": for messages */
	bool line_mode;
	bool whole_read;
	json_t *root;           /* the document or line being handed out */
	size_t idx;             /* next element when root is an array */
	bool root_given;        /* a non-array root was handed out */
	uint64_t root_line;
	struct strbuf text;
	struct strbuf rest;     /* what followed a value on its line */
};

char tdoc_first_byte(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
			return buf[i];
	return 0;
}

struct tdoc *tdoc_open(struct parse_ctx *ctx, const char *what)
{
	struct tdoc *d = xcalloc(1, sizeof(*d));
	d->ctx = ctx;
	d->what = what;
	size_t len = 0;
	const char *buf = lr_peek(ctx->lr, PEEK, &len);
	char c = buf ? tdoc_first_byte(buf, len) : 0;
	if (c == '{') {
		const char *start = memchr(buf, '{', len);
		const char *nl = memchr(start, '\n', len - (size_t)(start - buf));
		size_t n = nl ? (size_t)(nl - start) : len - (size_t)(start - buf);
		json_t *v = json_loadb(start, n, 0, NULL);
		d->line_mode = v != NULL;
		json_decref(v);
	} else {
		d->line_mode = c != '[';
	}
	return d;
}

bool tdoc_line_mode(const struct tdoc *d)
{
	return d->line_mode;
}

/* Reads the whole input as one document. */
static void read_whole(struct tdoc *d)
{
	const char *line;
	size_t len;
	d->whole_read = true;
	while (lr_next(d->ctx->lr, &line, &len)) {
		sb_append(&d->text, line, len);
		sb_putc(&d->text, '\n');
	}
	if (!d->text.len)
		return;
	json_error_t err;
	d->root = json_loadb(d->text.buf, d->text.len, 0, &err);
	if (!d->root)
		parse_problem(d->ctx, (uint64_t)(err.line > 0 ? err.line : 0),
			"%s document is not valid JSON (%s at column %d)", d->what,
			err.text, err.column);
	d->root_line = 1;
	sb_release(&d->text);
}

/* The first JSON value of line into d->root; what follows it on the line
 * is kept for the next call. An SDK serializes an envelope without a
 * final newline, so envelopes written one after another as they were
 * sent glue a payload and the next header on one line. */
static bool load_value(struct tdoc *d, const char *line, size_t len, uint64_t no)
{
	json_error_t err;
	d->root = json_loadb(line, len, JSON_DISABLE_EOF_CHECK, &err);
	if (!d->root) {
		parse_skip(d->ctx, no, "%s line is not JSON (%s at column %d): skipped", d->what,
			err.text, err.column);
		return false;
	}
	d->root_line = no;
	size_t used = (size_t)err.position;
	if (used < len && tdoc_first_byte(line + used, len - used) != 0) {
		struct strbuf rest = { 0 };
		sb_append(&rest, line + used, len - used);
		sb_release(&d->rest);
		d->rest = rest;
	}
	return true;
}

/* Reads the next line holding a JSON value into d->root. */
static bool read_line(struct tdoc *d)
{
	const char *line;
	size_t len;
	if (d->rest.len) {
		struct strbuf rest = d->rest;
		d->rest = (struct strbuf){ 0 };
		bool ok = load_value(d, rest.buf, rest.len, d->root_line);
		sb_release(&rest);
		if (ok)
			return true;
	}
	while (lr_next(d->ctx->lr, &line, &len)) {
		if (tdoc_first_byte(line, len) == 0)
			continue;
		if (load_value(d, line, len, lr_lineno(d->ctx->lr)))
			return true;
	}
	return false;
}

json_t *tdoc_next(struct tdoc *d, uint64_t *line)
{
	for (;;) {
		if (d->root && json_is_array(d->root) && d->idx < json_array_size(d->root)) {
			*line = d->root_line;
			return json_array_get(d->root, d->idx++);
		}
		if (d->root && !json_is_array(d->root) && !d->root_given) {
			d->root_given = true;
			*line = d->root_line;
			return d->root;
		}
		json_decref(d->root);
		d->root = NULL;
		d->idx = 0;
		d->root_given = false;
		if (d->line_mode) {
			if (!read_line(d))
				return NULL;
		} else {
			if (d->whole_read)
				return NULL;
			read_whole(d);
		}
	}
}

/* Drops the first n bytes of what followed a value on its line. */
static uint64_t drop_rest(struct tdoc *d, uint64_t n)
{
	uint64_t k = n < d->rest.len ? n : d->rest.len;
	memmove(d->rest.buf, d->rest.buf + k, d->rest.len - k);
	d->rest.len -= k;
	if (tdoc_first_byte(d->rest.buf, d->rest.len) == 0)
		d->rest.len = 0;
	return k;
}

uint64_t tdoc_skip_bytes(struct tdoc *d, uint64_t n)
{
	const char *line;
	size_t len;
	uint64_t got = 0, lines = 0;
	if (d->rest.len)
		got = drop_rest(d, n);
	while (d->line_mode && got < n && lr_next(d->ctx->lr, &line, &len)) {
		got += len + 1;
		lines++;
	}
	return lines;
}

uint64_t tdoc_skip_payload(struct tdoc *d)
{
	const char *line;
	size_t len;
	json_error_t err;
	if (d->rest.len) {
		json_t *v = json_loadb(d->rest.buf, d->rest.len, JSON_DISABLE_EOF_CHECK, &err);
		drop_rest(d, v ? (uint64_t)err.position : d->rest.len);
		json_decref(v);
		return 0;
	}
	if (!d->line_mode || !lr_next(d->ctx->lr, &line, &len))
		return 0;
	json_t *v = json_loadb(line, len, JSON_DISABLE_EOF_CHECK, &err);
	size_t used = v ? (size_t)err.position : len;
	json_decref(v);
	if (used < len && tdoc_first_byte(line + used, len - used) != 0) {
		sb_release(&d->rest);
		sb_append(&d->rest, line + used, len - used);
	}
	return 1;
}

void tdoc_close(struct tdoc *d)
{
	if (!d)
		return;
	json_decref(d->root);
	sb_release(&d->text);
	sb_release(&d->rest);
	free(d);
}

struct slice tdoc_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return SLICE_EMPTY;
	return slice_make(json_string_value(v), json_string_length(v));
}

bool tdoc_time_ms(json_t *v, double *ms)
{
	if (json_is_number(v)) {
		*ms = json_number_value(v) * 1000.0;
		return true;
	}
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	int64_t t;
	if (!ts_parse_cli(s, &t, NULL) || t == TS_NONE)
		return false;
	/* ts_parse_cli keeps milliseconds: add the microseconds it drops. */
	double frac = 0;
	const char *dot = strchr(s, '.');
	if (dot) {
		double scale = 0.1;
		int k = 0;
		for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++, k++, scale /= 10)
			if (k >= 3)
				frac += (*p - '0') * scale * 1000;
	}
	*ms = (double)t + frac;
	return true;
}
