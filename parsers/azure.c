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
 * prefix, errorLevel, ":  ", message, which is how the server wrote it,
 * and a detail in its own field becomes the DETAIL line after it.
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

/* The members read, in this order. */
enum { A_CATEGORY, A_MESSAGE, A_PREFIX, A_LEVEL, A_PID, A_TIME, A_DETAIL };
static const char *const paths[] = { "category", "properties.message",
	"properties.prefix", "properties.errorLevel", "properties.processId", "time",
	"properties.detail", NULL };

struct azure_state {
	struct parse_ctx *ctx;
	struct cloud_json *js;
	struct cloud_join *j;
	struct cloud_foreign foreign;
	struct cloud_entry e;
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

static bool is_server(const struct cloud_entry *r)
{
	size_t n;
	const char *c = cloud_entry_str(r, A_CATEGORY, &n);
	return c && n == 14 && memcmp(c, "PostgreSQLLogs", 14) == 0;
}

/* The server's text of record r in sb: its message, the prefix and the
 * severity put before it when they are not there, and then its detail
 * (a field of its own then) as the server's DETAIL line. NULL without a
 * message. */
static const char *record_text(const struct cloud_entry *r, struct strbuf *sb, size_t *len)
{
	size_t mn, pn = 0, ln = 0;
	const char *msg = cloud_entry_str(r, A_MESSAGE, &mn);
	const char *pre = cloud_entry_str(r, A_PREFIX, &pn);
	const char *lvl = cloud_entry_str(r, A_LEVEL, &ln);
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
	size_t dn;
	const char *detail = cloud_entry_str(r, A_DETAIL, &dn);
	if (detail && dn) {
		sb_putc(sb, '\n');
		sb_append(sb, pre, pn);
		sb_append(sb, "DETAIL:  ", 9);
		sb_append(sb, detail, dn);
	}
	*len = sb->len;
	return sb->buf;
}

static int64_t record_pid(const struct cloud_entry *r)
{
	int64_t v = 0;
	size_t n;
	const char *s = cloud_entry_str(r, A_PID, &n);
	if (cloud_entry_int(r, A_PID, &v))
		return v;
	if (!s || !n || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int64_t record_time(const struct cloud_entry *r)
{
	size_t n;
	const char *t = cloud_entry_str(r, A_TIME, &n);
	return t ? cloud_iso_ms(t, n) : TS_NONE;
}

struct peek {
	struct strbuf sample, line;
};

static bool peek_record(void *arg, struct cloud_entry *r)
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
	cloud_entry_release(&st->e);
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
	cloud_entry_init(&st->e, paths);
	cloud_json_peek(buf ? buf : "", buf ? len : 0, wrap_keys, PEEK_ENTRIES, &st->e,
		peek_record, &pk);
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
	const struct cloud_entry *r = &st->e;
	uint64_t line;
	size_t n;
	if (!cloud_json_next(st->js, &st->e, &line))
		return false;
	if (!is_server(r)) {
		const char *c = cloud_entry_str(r, A_CATEGORY, &n);
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
