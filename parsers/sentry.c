/* sentry.c: Sentry exports: transaction events, span-first spans and
 * envelopes, as one document, a JSON array or one document per line.
 *
 * A transaction event ({"type": "transaction", "contexts": {"trace":
 * ...}, "spans": [...]}) yields its root (the segment, from
 * contexts.trace and the event's timestamps) and each of its spans. A
 * span-first span ({"span_id", "is_segment", "name", "attributes":
 * {"sentry.op": {"value": ...}, ...}}) yields itself; a span container
 * ({"version": 2, "items": [...]}) yields its items. An envelope (a header
 * line with event_id / sent_at / dsn, then item header and payload lines)
 * is read item by item: "transaction" and "span" items are read, the
 * others (client_report, session, event, attachment...) skipped: their
 * lines are counted as skipped and one note names the types, never a
 * problem. The SDKs write a header of {} when they have nothing to say
 * (@sentry/node's client reports), so a header is also an object whose
 * keys are all envelope-header keys, and an item header is known by its
 * type. Forced on an Explore CSV export (--input-format sentry), it hands
 * over to sentry_csv.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "tdoc_int.h"

enum item_kind { IT_EVENT_ROOT, IT_EVENT_SPAN, IT_SPAN };

struct item {
	enum item_kind kind;
	json_t *span;           /* borrowed from the document */
	json_t *event;          /* the transaction event, or NULL */
};

struct skipped_type {
	char name[32];
	uint64_t count;
};

extern const struct parser parser_sentry_csv;

struct sentry_state {
	struct parse_ctx *ctx;
	void *csv;              /* --input-format sentry on an Explore CSV */
	struct tdoc *doc;
	json_t *hold;           /* a reference on the value items point into */
	struct item *items;
	size_t nitems, cap, pos;
	uint64_t line;
	bool in_envelope;
	bool want_payload;      /* the next line is a payload pgsift reads */
	struct skipped_type skipped[16];
	size_t nskipped;
	uint64_t unknown;       /* values that are neither events nor spans */
};

/* ---- probe ---- */

static int sentry_probe(const char *buf, size_t len)
{
	char c = tdoc_first_byte(buf, len);
	if (c != '{' && c != '[')
		return 0;
	if (memmem(buf, len, "\"resourceSpans\"", 15))
		return 0;
	bool spans = memmem(buf, len, "\"spans\"", 7) != NULL;
	bool span_id = memmem(buf, len, "\"span_id\"", 9) != NULL;
	if (spans && (memmem(buf, len, "\"start_timestamp\"", 17)
			|| memmem(buf, len, "\"contexts\"", 10)))
		return 90;
	if (span_id && (memmem(buf, len, "\"is_segment\"", 12)
			|| memmem(buf, len, "\"parent_span_id\"", 16)))
		return 90;
	/* An envelope header: event_id / sent_at / dsn, then item headers. */
	const char *nl = memchr(buf, '\n', len);
	size_t first = nl ? (size_t)(nl - buf) : len;
	if (c == '{' && (memmem(buf, first, "\"sent_at\"", 9)
			|| memmem(buf, first, "\"dsn\"", 5)
			|| memmem(buf, first, "\"event_id\"", 10))
			&& memmem(buf, len, "\"type\"", 6))
		return 85;
	/* A header of {} (a client report's), then an item header. */
	if (c == '{' && nl && !memmem(buf, first, "\"type\"", 6)) {
		const char *second = nl + 1;
		const char *end = memchr(second, '\n', len - first - 1);
		size_t n = end ? (size_t)(end - second) : len - first - 1;
		if (n < 256 && tdoc_first_byte(second, n) == '{'
				&& memmem(second, n, "\"type\"", 6))
			return 85;
	}
	return span_id ? 60 : 0;
}

/* ---- values to items ---- */

static void push(struct sentry_state *st, enum item_kind k, json_t *span, json_t *event)
{
	if (st->nitems == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->items = xrealloc(st->items, st->cap * sizeof(*st->items));
	}
	st->items[st->nitems++] = (struct item){ k, span, event };
}

static void count_skipped(struct sentry_state *st, struct slice type)
{
	size_t i;
	for (i = 0; i < st->nskipped; i++)
		if (strlen(st->skipped[i].name) == type.len
				&& memcmp(st->skipped[i].name, type.ptr, type.len) == 0)
			break;
	if (i == st->nskipped) {
		if (st->nskipped == ARRAY_SIZE(st->skipped))
			i--;    /* the last slot counts the rest */
		else
			st->nskipped++;
		size_t n = type.len < sizeof(st->skipped[i].name) - 1
			? type.len : sizeof(st->skipped[i].name) - 1;
		memcpy(st->skipped[i].name, type.ptr, n);
		st->skipped[i].name[n] = 0;
	}
	st->skipped[i].count++;
}

/* Turns one JSON value into items; false when it is none of ours. */
static bool add_value(struct sentry_state *st, json_t *v)
{
	if (!json_is_object(v))
		return false;
	json_t *spans = json_object_get(v, "spans");
	json_t *items = json_object_get(v, "items");
	if (json_is_array(spans) || slice_eq(tdoc_str(v, "type"), "transaction")) {
		push(st, IT_EVENT_ROOT, v, v);
		size_t i;
		json_t *s;
		json_array_foreach(spans, i, s)
			if (json_is_object(s))
				push(st, IT_EVENT_SPAN, s, v);
		return true;
	}
	if (json_is_array(items)) {
		size_t i;
		json_t *s;
		json_array_foreach(items, i, s)
			if (json_is_object(s))
				push(st, IT_SPAN, s, NULL);
		return true;
	}
	if (json_object_get(v, "span_id")) {
		push(st, IT_SPAN, v, NULL);
		return true;
	}
	return false;
}

/* The keys of an envelope header (develop.sentry.dev/sdk/envelopes). */
static const char *const header_keys[] = {
	"event_id", "sent_at", "dsn", "sdk", "trace",
};

/* The item types of the envelope protocol; pgsift reads "transaction"
 * and "span", the others are known so that their headers are never
 * taken for data. */
static const char *const item_types[] = {
	"transaction", "span", "event", "attachment", "session", "sessions",
	"client_report", "user_report", "feedback", "profile", "profile_chunk",
	"replay_event", "replay_recording", "replay_video", "check_in", "log",
	"otel_log", "otel_span", "trace_metric", "statsd", "metric_meta",
	"security", "raw_security", "unreal_report", "form_data", "nel",
};

/* The keys an item header carries besides its type. */
static const char *const item_keys[] = {
	"type", "length", "filename", "content_type", "attachment_type",
	"item_count", "platform",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

static bool keys_within(json_t *v, const char *const *list, size_t n)
{
	const char *key;
	json_t *val;
	json_object_foreach(v, key, val)
		if (!in_list(key, list, n))
			return false;
	return true;
}

static bool is_header(json_t *v)
{
	if (json_object_get(v, "type") || json_object_get(v, "spans")
			|| json_object_get(v, "span_id"))
		return false;
	return json_object_get(v, "sent_at") || json_object_get(v, "dsn")
		|| json_object_get(v, "event_id")
		|| keys_within(v, header_keys, ARRAY_SIZE(header_keys));
}

static bool is_item_header(const struct sentry_state *st, json_t *v, struct slice type)
{
	if (!type.len || json_object_get(v, "spans"))
		return false;
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(item_types) && !known; i++)
		known = slice_eq(type, item_types[i]);
	if (known && keys_within(v, item_keys, ARRAY_SIZE(item_keys)))
		return true;
	/* A type of a later protocol, inside an envelope. */
	return st->in_envelope && json_object_size(v) <= 6;
}

/* Envelope lines: the header, then item header / payload pairs. Returns
 * true when v was taken as envelope framing (nothing to yield). */
static bool envelope_line(struct sentry_state *st, json_t *v)
{
	if (!tdoc_line_mode(st->doc) || !json_is_object(v))
		return false;
	if (st->want_payload) {
		st->want_payload = false;
		return false;   /* the payload: read it */
	}
	if (is_header(v)) {
		st->in_envelope = true;
		return true;
	}
	struct slice type = tdoc_str(v, "type");
	if (!is_item_header(st, v, type))
		return false;
	st->in_envelope = true;
	if (slice_eq(type, "transaction") || slice_eq(type, "span")) {
		st->want_payload = true;
	} else {
		count_skipped(st, type);
		json_t *len = json_object_get(v, "length");
		uint64_t lines = json_is_integer(len)
			? tdoc_skip_bytes(st->doc, (uint64_t)json_integer_value(len))
			: tdoc_skip_payload(st->doc);
		parse_skipped(st->ctx, 1 + lines);
	}
	return true;
}

static bool fill_items(struct sentry_state *st)
{
	st->nitems = st->pos = 0;
	json_decref(st->hold);
	st->hold = NULL;
	json_t *v;
	while ((v = tdoc_next(st->doc, &st->line)) != NULL) {
		if (envelope_line(st, v))
			continue;
		if (add_value(st, v)) {
			st->hold = json_incref(v);
			if (st->nitems)
				return true;
			continue;
		}
		st->unknown++;
		parse_skip(st->ctx, st->line, "not a Sentry transaction, span or envelope item: skipped");
	}
	return false;
}

/* ---- items to records ---- */

/* attributes[key] as span-first writes it ({"type", "value"}) or bare. */
static json_t *attr(json_t *span, const char *key)
{
	json_t *a = json_object_get(json_object_get(span, "attributes"), key);
	if (json_is_object(a))
		return json_object_get(a, "value");
	if (a)
		return a;
	return json_object_get(json_object_get(span, "data"), key);
}

static struct slice attr_str(json_t *span, const char *key)
{
	json_t *v = attr(span, key);
	return json_is_string(v) ? slice_make(json_string_value(v), json_string_length(v))
		: SLICE_EMPTY;
}

static struct slice first_of(struct slice a, struct slice b)
{
	return a.len ? a : b;
}

/* Database spans: an op starting with "db" (not db.redis, not
 * db.connection), or a query text attribute. A "db" span without a
 * statement ("connect") is not a query. */
static bool judge_db(struct span_record *r, bool has_query_attr)
{
	struct slice op = r->op;
	bool db_op = op.len >= 2 && memcmp(op.ptr, "db", 2) == 0
		&& (op.len == 2 || op.ptr[2] == '.')
		&& !(op.len >= 8 && memcmp(op.ptr, "db.redis", 8) == 0)
		&& !(op.len >= 13 && memcmp(op.ptr, "db.connection", 13) == 0);
	if (!db_op && !has_query_attr)
		return false;
	if (slice_eq(r->db_system, "redis"))
		return false;
	struct slice d = r->description;
	while (d.len && (d.ptr[0] == ' ' || d.ptr[0] == '\n' || d.ptr[0] == '\t')) {
		d.ptr++;
		d.len--;
	}
	return d.len > 0 && (memchr(d.ptr, ' ', d.len) || memchr(d.ptr, '\n', d.len)
		|| memchr(d.ptr, '{', d.len));
}

static void fill_event_root(struct span_record *r, json_t *ev)
{
	json_t *tc = json_object_get(json_object_get(ev, "contexts"), "trace");
	r->trace_id = tdoc_str(tc, "trace_id");
	r->span_id = tdoc_str(tc, "span_id");
	r->parent_id = tdoc_str(tc, "parent_span_id");
	r->op = tdoc_str(tc, "op");
	r->description = r->transaction = tdoc_str(ev, "transaction");
	r->is_segment = true;
	double s = 0, e = 0;
	if (tdoc_time_ms(json_object_get(ev, "start_timestamp"), &s)
			&& tdoc_time_ms(json_object_get(ev, "timestamp"), &e)) {
		r->start_ms = s;
		r->duration_ms = e - s;
	}
}

static void fill_span(struct span_record *r, json_t *sp, json_t *ev)
{
	r->span_id = tdoc_str(sp, "span_id");
	r->parent_id = tdoc_str(sp, "parent_span_id");
	r->trace_id = tdoc_str(sp, "trace_id");
	if (!r->trace_id.len && ev)
		r->trace_id = tdoc_str(json_object_get(json_object_get(ev, "contexts"), "trace"),
			"trace_id");
	r->op = first_of(attr_str(sp, "sentry.op"), tdoc_str(sp, "op"));
	struct slice qtext = first_of(attr_str(sp, "db.query.text"), attr_str(sp, "db.statement"));
	r->description = first_of(qtext, first_of(tdoc_str(sp, "description"),
		first_of(attr_str(sp, "sentry.description"), tdoc_str(sp, "name"))));
	r->transaction = ev ? tdoc_str(ev, "transaction")
		: first_of(attr_str(sp, "sentry.segment.name"), tdoc_str(sp, "segment_name"));
	r->db_system = first_of(attr_str(sp, "db.system.name"), attr_str(sp, "db.system"));
	r->db = first_of(attr_str(sp, "db.namespace"), attr_str(sp, "db.name"));
	r->user = attr_str(sp, "db.user");
	r->app = attr_str(sp, "service.name");
	r->hash = tdoc_str(sp, "hash");
	json_t *seg = json_object_get(sp, "is_segment");
	r->is_segment = json_is_true(seg);
	if (r->is_segment && !r->transaction.len)
		r->transaction = tdoc_str(sp, "name");
	double s = 0, e = 0;
	json_t *end = json_object_get(sp, "end_timestamp");
	if (!end)
		end = json_object_get(sp, "timestamp");
	if (tdoc_time_ms(json_object_get(sp, "start_timestamp"), &s) && tdoc_time_ms(end, &e)) {
		r->start_ms = s;
		r->duration_ms = e - s;
	}
	r->is_db = judge_db(r, qtext.len > 0);
}

/* ---- parser ---- */

static void *sentry_open(struct parse_ctx *ctx)
{
	struct sentry_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	size_t len = 0;
	const char *buf = lr_peek(ctx->lr, 64 * 1024, &len);
	char c = buf ? tdoc_first_byte(buf, len) : 0;
	if (c && c != '{' && c != '[' && parser_sentry_csv.probe(buf, len) > 0) {
		st->csv = parser_sentry_csv.open(ctx);
		if (!st->csv) {
			free(st);
			return NULL;
		}
		return st;
	}
	st->doc = tdoc_open(ctx, "Sentry");
	return st;
}

static int sentry_next(void *state, struct record *out)
{
	struct sentry_state *st = state;
	if (st->csv)
		return parser_sentry_csv.next(st->csv, out);
	if (st->pos >= st->nitems && !fill_items(st))
		return 0;
	struct item *it = &st->items[st->pos++];
	struct span_record *r = &out->u.span;
	out->kind = REC_SPAN;
	*r = (struct span_record){
		.line = st->line,
		.trace_id = SLICE_EMPTY, .span_id = SLICE_EMPTY, .parent_id = SLICE_EMPTY,
		.op = SLICE_EMPTY, .description = SLICE_EMPTY, .transaction = SLICE_EMPTY,
		.db_system = SLICE_EMPTY, .hash = SLICE_EMPTY, .db = SLICE_EMPTY,
		.user = SLICE_EMPTY, .app = SLICE_EMPTY,
	};
	if (it->kind == IT_EVENT_ROOT)
		fill_event_root(r, it->event);
	else
		fill_span(r, it->span, it->event);
	return 1;
}

static void sentry_close(void *state)
{
	struct sentry_state *st = state;
	if (!st)
		return;
	if (st->csv)
		parser_sentry_csv.close(st->csv);
	if (st->nskipped) {
		uint64_t total = 0;
		char types[16 * 48] = "";
		size_t used = 0;
		for (size_t i = 0; i < st->nskipped; i++) {
			total += st->skipped[i].count;
			int n = snprintf(types + used, sizeof(types) - used, "%s%s %llu",
				i ? ", " : "", st->skipped[i].name,
				(unsigned long long)st->skipped[i].count);
			if (n > 0 && (size_t)n < sizeof(types) - used)
				used += (size_t)n;
		}
		parse_note(st->ctx, "%llu item%s that %s not traces skipped: %s",
			(unsigned long long)total, total == 1 ? "" : "s",
			total == 1 ? "is" : "are", types);
	}
	json_decref(st->hold);
	tdoc_close(st->doc);
	free(st->items);
	free(st);
}

const struct parser parser_sentry = {
	.id = "sentry", .name = "Sentry transactions, spans and envelopes (JSON)",
	.probe = sentry_probe,
	.open = sentry_open, .next = sentry_next, .close = sentry_close,
};
