/* otlp.c: OpenTelemetry traces as OTLP JSON (what the OTLP/HTTP JSON
 * exporter posts and the collector's file exporter writes): an
 * ExportTraceServiceRequest {"resourceSpans": [{"resource": {...},
 * "scopeSpans": [{"spans": [...]}]}]}, as one document, a JSON array of
 * them, or one per line.
 *
 * Times are startTimeUnixNano / endTimeUnixNano, strings or numbers.
 * Attributes are [{"key", "value": {"stringValue" | "intValue" | ...}}].
 * A database span carries db.query.text (or the older db.statement), and
 * db.system.name (or db.system); its op is "db". The resource's
 * service.name is the span's application; a span without a parent is its
 * trace's transaction (segment). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "tdoc_int.h"

struct ospan {
	json_t *span, *resource;
};

struct otlp_state {
	struct parse_ctx *ctx;
	struct tdoc *doc;
	json_t *hold;
	struct ospan *spans;
	size_t n, cap, pos;
	uint64_t line;
};

static int otlp_probe(const char *buf, size_t len)
{
	char c = tdoc_first_byte(buf, len);
	if (c != '{' && c != '[')
		return 0;
	if (memmem(buf, len, "\"resourceSpans\"", 15))
		return 95;
	if (memmem(buf, len, "\"scopeSpans\"", 12) || memmem(buf, len, "\"startTimeUnixNano\"", 19))
		return 70;
	return 0;
}

static void push(struct otlp_state *st, json_t *span, json_t *res)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->spans = xrealloc(st->spans, st->cap * sizeof(*st->spans));
	}
	st->spans[st->n++] = (struct ospan){ span, res };
}

static bool add_value(struct otlp_state *st, json_t *v)
{
	json_t *rs = json_object_get(v, "resourceSpans");
	if (!json_is_array(rs))
		return false;
	size_t i, j, k;
	json_t *r, *ss, *sp;
	json_array_foreach(rs, i, r) {
		json_t *res = json_object_get(r, "resource");
		json_t *scopes = json_object_get(r, "scopeSpans");
		if (!json_is_array(scopes))
			scopes = json_object_get(r, "instrumentationLibrarySpans");
		json_array_foreach(scopes, j, ss) {
			json_array_foreach(json_object_get(ss, "spans"), k, sp)
				if (json_is_object(sp))
					push(st, sp, res);
		}
	}
	return true;
}

static bool fill(struct otlp_state *st)
{
	st->n = st->pos = 0;
	json_decref(st->hold);
	st->hold = NULL;
	json_t *v;
	while ((v = tdoc_next(st->doc, &st->line)) != NULL) {
		if (add_value(st, v)) {
			st->hold = json_incref(v);
			if (st->n)
				return true;
			continue;
		}
		parse_skip(st->ctx, st->line, "not an OTLP JSON trace export (no resourceSpans): skipped");
	}
	return false;
}

/* The value of attribute key in an OTLP key/value list, as a slice when it
 * is a string. */
static struct slice attr_str(json_t *attrs, const char *key)
{
	size_t i;
	json_t *kv;
	json_array_foreach(attrs, i, kv) {
		json_t *k = json_object_get(kv, "key");
		if (json_is_string(k) && strcmp(json_string_value(k), key) == 0)
			return tdoc_str(json_object_get(kv, "value"), "stringValue");
	}
	return SLICE_EMPTY;
}

static struct slice first_of(struct slice a, struct slice b)
{
	return a.len ? a : b;
}

/* Nanoseconds (a decimal string or a number) to epoch ms. */
static bool nanos_ms(json_t *v, double *ms)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		unsigned long long ns = strtoull(s, &end, 10);
		if (end == s)
			return false;
		*ms = (double)(ns / 1000) / 1000.0;
		return true;
	}
	if (json_is_number(v)) {
		*ms = json_number_value(v) / 1e6;
		return true;
	}
	return false;
}

static void *otlp_open(struct parse_ctx *ctx)
{
	struct otlp_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	st->doc = tdoc_open(ctx, "OTLP");
	return st;
}

static int otlp_next(void *state, struct record *out)
{
	struct otlp_state *st = state;
	if (st->pos >= st->n && !fill(st))
		return 0;
	struct ospan *o = &st->spans[st->pos++];
	json_t *attrs = json_object_get(o->span, "attributes");
	json_t *rattrs = json_object_get(o->resource, "attributes");
	struct span_record *r = &out->u.span;
	out->kind = REC_SPAN;
	struct slice q = first_of(attr_str(attrs, "db.query.text"), attr_str(attrs, "db.statement"));
	struct slice sys = first_of(attr_str(attrs, "db.system.name"), attr_str(attrs, "db.system"));
	*r = (struct span_record){
		.line = st->line,
		.trace_id = tdoc_str(o->span, "traceId"),
		.span_id = tdoc_str(o->span, "spanId"),
		.parent_id = tdoc_str(o->span, "parentSpanId"),
		.op = sys.len || q.len ? slice_make("db", 2) : SLICE_EMPTY,
		.description = q.len ? q : tdoc_str(o->span, "name"),
		.transaction = SLICE_EMPTY,
		.db_system = sys,
		.hash = SLICE_EMPTY,
		.db = first_of(attr_str(attrs, "db.namespace"), attr_str(attrs, "db.name")),
		.user = attr_str(attrs, "db.user"),
		.app = attr_str(rattrs, "service.name"),
		.is_db = q.len > 0 && !slice_eq(sys, "redis"),
	};
	r->is_segment = r->parent_id.len == 0;
	if (r->is_segment)
		r->transaction = tdoc_str(o->span, "name");
	double s, e;
	if (nanos_ms(json_object_get(o->span, "startTimeUnixNano"), &s)
			&& nanos_ms(json_object_get(o->span, "endTimeUnixNano"), &e)) {
		r->start_ms = s;
		r->duration_ms = e - s;
	}
	return 1;
}

static void otlp_close(void *state)
{
	struct otlp_state *st = state;
	if (!st)
		return;
	json_decref(st->hold);
	tdoc_close(st->doc);
	free(st->spans);
	free(st);
}

const struct parser parser_otlp = {
	.id = "otlp", .name = "OpenTelemetry OTLP JSON traces",
	.probe = otlp_probe,
	.open = otlp_open, .next = otlp_next, .close = otlp_close,
};
