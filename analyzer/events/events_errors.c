/* events_errors.c: WARNING, ERROR, FATAL and PANIC messages grouped by
 * severity, SQLSTATE (when the log carries it: %e, csvlog, jsonlog) and
 * message with its numbers and quoted names masked, so that
 *   duplicate key value violates unique constraint "orders_pkey"
 *   syntax error at or near "SELEC" at character 1
 * become one group each whatever the constraint or the token. Each group
 * keeps the statement of its earliest occurrence as an example. */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "timeutil.h"

#define MESSAGE_MAX 512

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || (unsigned char)c >= 0x80;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a trailing " at character N" in s[0..len), else 0. */
static size_t position_suffix(const char *s, size_t len)
{
	static const char lead[] = " at character ";
	size_t i = len;
	while (i > 0 && is_digit(s[i - 1]))
		i--;
	if (i == len || i < sizeof(lead) - 1)
		return 0;
	if (memcmp(s + i - (sizeof(lead) - 1), lead, sizeof(lead) - 1) != 0)
		return 0;
	return len - i + sizeof(lead) - 1;
}

void events_normalize_message(const char *msg, size_t len, struct strbuf *out)
{
	sb_reset(out);
	if (len == 0)
		return;
	const char *nl = memchr(msg, '\n', len);
	if (nl)
		len = (size_t)(nl - msg);
	len -= position_suffix(msg, len);
	for (size_t i = 0; i < len && out->len < MESSAGE_MAX; ) {
		char c = msg[i];
		if (c == '"' || c == '\'') {
			const char *close = memchr(msg + i + 1, c, len - i - 1);
			sb_putc(out, c);
			sb_putc(out, '?');
			if (!close)
				break;  /* cut inside a name: nothing more to trust */
			sb_putc(out, c);
			i = (size_t)(close - msg) + 1;
		} else if (is_digit(c) && (i == 0 || !is_word(msg[i - 1]))) {
			/* A number, or a token that starts like one (an LSN
			 * 0/16B3740, a size 8kB): masked whole. */
			while (i < len && (is_word(msg[i]) || (msg[i] == '.' &&
					i + 1 < len && is_digit(msg[i + 1])) ||
					(msg[i] == '/' && i + 1 < len && is_word(msg[i + 1]))))
				i++;
			sb_putc(out, '?');
		} else {
			sb_putc(out, c);
			i++;
		}
	}
	while (out->len && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
}

static const char *error_key(const void *rows, size_t i)
{
	return ((const struct ev_error *)rows)[i].key;
}

static void error_free(struct ev_error *r)
{
	free(r->key);
	free(r->example);
}

void ev_errors_free(struct events *ev)
{
	for (size_t i = 0; i < ev->nerrors; i++)
		error_free(&ev->errors[i]);
	free(ev->errors);
	ev_index_free(ev->error_index);
}

/* The earlier example wins; at the same time, the smaller text, so that
 * the choice does not depend on the order workers are merged in. */
static bool better_example(int64_t ts, const char *text, const struct ev_error *r)
{
	if (!r->example)
		return true;
	if (ts != r->example_ts)
		return ts != TS_NONE && (r->example_ts == TS_NONE || ts < r->example_ts);
	return strcmp(text, r->example) < 0;
}

static void widen(struct ev_error *r, int64_t first, int64_t last)
{
	if (first != TS_NONE && (r->first_ts == TS_NONE || first < r->first_ts))
		r->first_ts = first;
	if (last != TS_NONE && (r->last_ts == TS_NONE || last > r->last_ts))
		r->last_ts = last;
}

/* A new row for key (copied), or NULL past the limit. */
static struct ev_error *new_row(struct events *ev, const char *key,
		enum severity sev)
{
	if (ev->nerrors >= EV_ERROR_GROUPS_MAX)
		return NULL;
	if (ev->nerrors == ev->caperrors) {
		ev->caperrors = ev->caperrors ? 2 * ev->caperrors : 16;
		ev->errors = xrealloc(ev->errors, ev->caperrors * sizeof(*ev->errors));
	}
	struct ev_error *r = &ev->errors[ev->nerrors];
	*r = (struct ev_error){ .key = xstrdup(key), .severity = sev,
		.first_ts = TS_NONE, .last_ts = TS_NONE, .example_ts = TS_NONE };
	/* key: "SEVERITY\x1fSQLSTATE\x1fmessage" */
	const char *s1 = strchr(r->key, '\x1f');
	const char *s2 = strchr(s1 + 1, '\x1f');
	size_t sl = (size_t)(s2 - s1 - 1);
	memcpy(r->sqlstate, s1 + 1, sl < 5 ? sl : 5);
	r->message = s2 + 1;
	ev_index_add(ev->error_index, ev->nerrors++, ev->errors, error_key);
	return r;
}

static struct ev_error *find_row(struct events *ev, const char *key)
{
	if (!ev->error_index)
		ev->error_index = ev_index_new();
	size_t row = ev_index_find(ev->error_index, key, strlen(key), ev->errors,
			error_key);
	return row == SIZE_MAX ? NULL : &ev->errors[row];
}

void ev_errors_add(struct events *ev, const struct ev_msg *m)
{
	const struct log_entry *e = m->e;
	if (e->severity == SEV_WARNING)
		ev->totals.warnings++;
	else
		ev->totals.errors++;

	events_normalize_message(m->text.ptr, m->text.len, &ev->norm);
	struct strbuf *k = &ev->key;
	const char *sev = severity_name(e->severity);
	sb_reset(k);
	sb_append(k, sev, strlen(sev));
	sb_putc(k, '\x1f');
	/* "00000" is what %e writes for a message without an error code. */
	if (e->sqlstate.len == 5 && !slice_eq(e->sqlstate, "00000"))
		sb_append(k, e->sqlstate.ptr, 5);
	sb_putc(k, '\x1f');
	if (ev->norm.len)
		sb_append(k, ev->norm.buf, ev->norm.len);

	struct ev_error *r = find_row(ev, k->buf);
	if (!r)
		r = new_row(ev, k->buf, e->severity);
	if (!r) {
		ev->totals.errors_dropped++;
		return;
	}
	r->count++;
	widen(r, e->ts_ms, e->ts_ms);
	if (m->statement.len) {
		char *text = ev_strdup(m->statement);
		if (better_example(e->ts_ms, text, r)) {
			free(r->example);
			r->example = text;
			r->example_ts = e->ts_ms;
			r->has_fingerprint = ev_fingerprint(ev, m->statement,
					&r->fingerprint, NULL);
		} else {
			free(text);
		}
	}
}

void ev_errors_merge(struct events *dst, struct events *src)
{
	for (size_t i = 0; i < src->nerrors; i++) {
		struct ev_error *s = &src->errors[i];
		struct ev_error *r = find_row(dst, s->key);
		if (!r)
			r = new_row(dst, s->key, s->severity);
		if (!r) {
			dst->totals.errors_dropped += s->count;
			continue;
		}
		r->count += s->count;
		widen(r, s->first_ts, s->last_ts);
		if (s->example && better_example(s->example_ts, s->example, r)) {
			free(r->example);
			r->example = s->example;
			r->example_ts = s->example_ts;
			r->fingerprint = s->fingerprint;
			r->has_fingerprint = s->has_fingerprint;
			s->example = NULL;
		}
	}
	for (size_t i = 0; i < src->nerrors; i++)
		error_free(&src->errors[i]);
	src->nerrors = 0;
	ev_index_free(src->error_index);
	src->error_index = NULL;
}

static int cmp_error(const void *pa, const void *pb)
{
	const struct ev_error *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->key, y->key);
}

void ev_errors_sort(struct events *ev)
{
	if (ev->nerrors == 0)
		return;
	qsort(ev->errors, ev->nerrors, sizeof(*ev->errors), cmp_error);
	ev_index_rebuild(ev->error_index, ev->nerrors, ev->errors, error_key);
}
