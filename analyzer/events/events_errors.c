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

void ev_groups_free(struct ev_groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		error_free(&gs->v[i]);
	free(gs->v);
	ev_index_free(gs->index);
	*gs = (struct ev_groups){ 0 };
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

static void widen(struct ev_error *r, int64_t first, int64_t last, uint64_t pos)
{
	if (first != TS_NONE && (r->first_ts == TS_NONE || first < r->first_ts))
		r->first_ts = first;
	if (last != TS_NONE && (r->last_ts == TS_NONE || last > r->last_ts))
		r->last_ts = last;
	/* The first in the inputs' order, whatever order workers merge in. */
	if (pos && (!r->first_pos || pos < r->first_pos))
		r->first_pos = pos;
}

void ev_group_count(struct ev_error *r, int64_t ts, uint64_t pos)
{
	r->count++;
	widen(r, ts, ts, pos);
}

/* A new row for key (copied), or NULL past the limit. */
static struct ev_error *new_row(struct ev_groups *gs, const char *key,
		enum severity sev)
{
	if (gs->n >= EV_ERROR_GROUPS_MAX)
		return NULL;
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? 2 * gs->cap : 16;
		gs->v = xrealloc(gs->v, gs->cap * sizeof(*gs->v));
	}
	struct ev_error *r = &gs->v[gs->n];
	*r = (struct ev_error){ .key = xstrdup(key), .severity = sev,
		.first_ts = TS_NONE, .last_ts = TS_NONE, .example_ts = TS_NONE };
	/* key: "SEVERITY\x1fSQLSTATE\x1fmessage" */
	const char *s1 = strchr(r->key, '\x1f');
	const char *s2 = strchr(s1 + 1, '\x1f');
	size_t sl = (size_t)(s2 - s1 - 1);
	memcpy(r->sqlstate, s1 + 1, sl < 5 ? sl : 5);
	r->message = s2 + 1;
	ev_index_add(gs->index, gs->n++, gs->v, error_key);
	return r;
}

static struct ev_error *find_row(struct ev_groups *gs, const char *key)
{
	if (!gs->index)
		gs->index = ev_index_new();
	size_t row = ev_index_find(gs->index, key, strlen(key), gs->v, error_key);
	return row == SIZE_MAX ? NULL : &gs->v[row];
}

struct ev_error *ev_groups_get(struct ev_groups *gs, const char *key,
		enum severity sev)
{
	struct ev_error *r = find_row(gs, key);
	return r ? r : new_row(gs, key, sev);
}

void ev_groups_key(struct events *ev, enum severity sev, struct slice sqlstate,
		struct slice text)
{
	events_normalize_message(text.ptr, text.len, &ev->norm);
	struct strbuf *k = &ev->key;
	const char *name = severity_name(sev);
	sb_reset(k);
	sb_append(k, name, strlen(name));
	sb_putc(k, '\x1f');
	/* "00000" is what %e writes for a message without an error code. */
	if (sqlstate.len == 5 && !slice_eq(sqlstate, "00000"))
		sb_append(k, sqlstate.ptr, 5);
	sb_putc(k, '\x1f');
	if (ev->norm.len)
		sb_append(k, ev->norm.buf, ev->norm.len);
}

void ev_errors_add(struct events *ev, const struct ev_msg *m)
{
	const struct log_entry *e = m->e;
	if (e->severity == SEV_WARNING)
		ev->totals.warnings++;
	else
		ev->totals.errors++;

	ev_groups_key(ev, e->severity, e->sqlstate, m->text);
	struct ev_error *r = ev_groups_get(&ev->errors, ev->key.buf, e->severity);
	if (!r) {
		ev->totals.errors_dropped++;
		return;
	}
	ev_group_count(r, e->ts_ms, ev->pos);
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

uint64_t ev_groups_merge(struct ev_groups *dst, struct ev_groups *src)
{
	uint64_t dropped = 0;
	for (size_t i = 0; i < src->n; i++) {
		struct ev_error *s = &src->v[i];
		struct ev_error *r = ev_groups_get(dst, s->key, s->severity);
		if (!r) {
			dropped += s->count;
			continue;
		}
		r->count += s->count;
		widen(r, s->first_ts, s->last_ts, s->first_pos);
		if (s->example && better_example(s->example_ts, s->example, r)) {
			free(r->example);
			r->example = s->example;
			r->example_ts = s->example_ts;
			r->fingerprint = s->fingerprint;
			r->has_fingerprint = s->has_fingerprint;
			s->example = NULL;
		}
	}
	ev_groups_free(src);
	return dropped;
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

void ev_groups_sort(struct ev_groups *gs)
{
	if (gs->n == 0)
		return;
	qsort(gs->v, gs->n, sizeof(*gs->v), cmp_error);
	if (!gs->index)         /* groups read back from a state */
		gs->index = ev_index_new();
	ev_index_rebuild(gs->index, gs->n, gs->v, error_key);
}
