/* azure.c: Azure Database for PostgreSQL server logs, as its diagnostic
 * settings export them.
 *
 * Resource logs sent to a storage account are one JSON record a line (a
 * PT1H.json blob); sent to an Event Hub they come in batches,
 * {"records": [...]}. A record of the server's log has category
 * "PostgreSQLLogs" and properties {prefix, message, errorLevel, processId,
 * sqlerrcode, timestamp, ...} (learn.microsoft.com, "Logs in Azure
 * Database for PostgreSQL"). Depending on the service's version the
 * message holds the whole line the server wrote (the prefix, the severity,
 * the text) or the text alone: then the line is put back together as
 * prefix, errorLevel, ":  ", message, which is how the server wrote it.
 * Azure's default prefix '%t-%c-' has no pid: processId tells the
 * backends apart. Records of other categories (sessions, query store,
 * ...) are skipped and named in a note. The lines go through the joiner
 * (cloud_join.c). */
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "strbuf.h"
#include "timeutil.h"

#define PEEK_BYTES (256 * 1024)
#define PEEK_ENTRIES 400

static const char *const wrap_keys[] = { "records", NULL };

struct azure_state {
	struct parse_ctx *ctx;
	struct cloud_json *js;
	struct cloud_join *j;
	struct cloud_foreign foreign;
	bool at_end;
	struct strbuf line;     /* a line put back together */
};

static int azure_probe(const char *buf, size_t len)
{
	if (len > CLOUD_PROBE_BYTES)
		len = CLOUD_PROBE_BYTES;
	if (!cloud_json_starts(buf, len))
		return 0;
	if (memmem(buf, len, "\"PostgreSQLLogs\"", 16))
		return 90;
	if (memmem(buf, len, "\"category\"", 10)
			&& memmem(buf, len, "MICROSOFT.DBFORPOSTGRESQL", 25))
		return 80;
	return 0;
}

static bool is_server(json_t *r)
{
	const char *c = cloud_str(r, "category", NULL);
	return c && strcmp(c, "PostgreSQLLogs") == 0;
}

/* The server's text of record r in sb: its message, the prefix and the
 * severity put before it when they are not there. NULL without a
 * message. */
static const char *record_text(json_t *r, struct strbuf *sb, size_t *len)
{
	json_t *props = json_object_get(r, "properties");
	size_t mn, pn = 0, ln = 0;
	const char *msg = cloud_str(props, "message", &mn);
	const char *pre = cloud_str(props, "prefix", &pn);
	const char *lvl = cloud_str(props, "errorLevel", &ln);
	if (!msg)
		return NULL;
	if (!pre || !pn || (mn >= pn && memcmp(msg, pre, pn) == 0) || msg[0] == '\t') {
		*len = mn;
		return msg;
	}
	sb_reset(sb);
	sb_append(sb, pre, pn);
	if (lvl && ln) {
		sb_append(sb, lvl, ln);
		sb_append(sb, ":  ", 3);
	}
	sb_append(sb, msg, mn);
	*len = sb->len;
	return sb->buf;
}

static int64_t record_pid(json_t *r)
{
	json_t *v = json_object_get(json_object_get(r, "properties"), "processId");
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v)) {
		char *end;
		long long p = strtoll(json_string_value(v), &end, 10);
		return *end || p < 0 ? -1 : p;
	}
	return -1;
}

static int64_t record_time(json_t *r)
{
	size_t n;
	const char *t = cloud_str(r, "time", &n);
	return t ? cloud_iso_ms(t, n) : TS_NONE;
}

struct peek {
	struct strbuf sample, line;
};

static bool peek_record(void *arg, json_t *r)
{
	struct peek *pk = arg;
	size_t n;
	if (!is_server(r))
		return true;
	const char *t = record_text(r, &pk->line, &n);
	if (t) {
		const char *nl = memchr(t, '\n', n);
		sb_append(&pk->sample, t, nl ? (size_t)(nl - t) : n);
		sb_putc(&pk->sample, '\n');
	}
	return true;
}

static void azure_close(void *state)
{
	struct azure_state *st = state;
	if (!st)
		return;
	cloud_join_free(st->j);
	cloud_json_free(st->js);
	sb_release(&st->line);
	free(st);
}

static void *azure_open(struct parse_ctx *ctx)
{
	struct azure_state *st = xcalloc(1, sizeof(*st));
	struct peek pk = { STRBUF_INIT, STRBUF_INIT };
	size_t len;
	const char *buf = lr_peek(ctx->lr, PEEK_BYTES, &len);
	st->ctx = ctx;
	cloud_json_peek(buf ? buf : "", buf ? len : 0, wrap_keys, PEEK_ENTRIES, peek_record, &pk);
	st->j = cloud_join_open(ctx, pk.sample.buf ? pk.sample.buf : "", pk.sample.len,
		"in the records' message", NULL);
	sb_release(&pk.sample);
	sb_release(&pk.line);
	if (!st->j) {
		azure_close(st);
		return NULL;
	}
	st->js = cloud_json_open(ctx, wrap_keys);
	return st;
}

/* Gives the joiner the next record's text: false at the end. */
static bool feed(struct azure_state *st)
{
	json_t *r;
	uint64_t line;
	size_t n;
	if (!cloud_json_next(st->js, &r, &line))
		return false;
	if (!is_server(r)) {
		const char *c = cloud_str(r, "category", &n);
		if (!c) {
			c = "(no category)";
			n = strlen(c);
		}
		cloud_foreign_add(st->ctx, &st->foreign, c, n);
	} else {
		const char *t = record_text(r, &st->line, &n);
		if (t)
			cloud_join_add(st->j, line, t, n, record_pid(r), record_time(r), false);
		else
			parse_skip(st->ctx, line, "PostgreSQLLogs record without a "
				"properties.message");
	}
	json_decref(r);
	return true;
}

static int azure_next(void *state, struct record *out)
{
	struct azure_state *st = state;
	for (;;) {
		if (cloud_join_next(st->j, out, st->at_end))
			return 1;
		if (st->at_end)
			return 0;
		if (!feed(st)) {
			st->at_end = true;
			cloud_foreign_note(st->ctx, &st->foreign, "records");
		}
	}
}

const struct parser parser_azure = {
	.id = "azure", .name = "Azure Database for PostgreSQL log (resource log JSON)",
	.probe = azure_probe,
	.open = azure_open, .next = azure_next, .close = azure_close,
};
