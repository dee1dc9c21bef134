/* gcp.c: Google Cloud SQL and AlloyDB server logs read from Cloud Logging.
 *
 * Cloud Logging keeps each line the server writes as a LogEntry
 * (cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry): logName
 * "projects/P/logs/cloudsql.googleapis.com%2Fpostgres.log" (AlloyDB:
 * alloydb.googleapis.com%2Fpostgres.log), resource {type, labels
 * {database_id, project_id, ...}}, timestamp (RFC 3339), severity, and
 * the line itself in textPayload (Cloud SQL's prefix '%m [%p]: [%l-1]
 * db=%d,user=%u ' before the severity), or in jsonPayload's message.
 * `gcloud logging read --format=json` prints one array of them, newest
 * first; a log sink writes one a line, oldest first. Entries of other
 * logs in the same export (the audit log, a VM's syslog) are skipped and
 * named in a note. When the entries come from several instances
 * (resource.labels.database_id), a note names them: their lines are read
 * as one server's. The lines go through the joiner (cloud_join.c), which
 * puts a message's DETAIL, STATEMENT and tab-led lines back together per
 * backend, as the entries often arrive apart and interleaved.
 *
 * An export listed newest first (told from its first entries' times) is
 * read whole and fed to the joiner from its end: the joiner needs the
 * log's order. It holds each entry's text once; gcloud's output is what
 * one query returned, not an archive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "strbuf.h"
#include "timeutil.h"

#define PEEK_BYTES (256 * 1024)
#define PEEK_ENTRIES 400

/* The members read, in this order. */
enum { G_LOG_NAME, G_RESOURCE_TYPE, G_TEXT, G_JSON_MESSAGE, G_TIMESTAMP, G_DATABASE };
static const char *const paths[] = { "logName", "resource.type", "textPayload",
	"jsonPayload.message", "timestamp", "resource.labels.database_id", NULL };

#define MAX_INSTANCES 4

struct held {
	uint64_t line;
	int64_t ts;
	size_t off, len;        /* its text in hold */
};

struct gcp_state {
	struct parse_ctx *ctx;
	struct cloud_json *js;
	struct cloud_join *j;
	struct cloud_foreign foreign;
	struct cloud_entry e;
	/* The instances (resource.labels.database_id) seen: a sink may
	 * gather several, whose pids are not one server's. */
	char instances[MAX_INSTANCES][64];
	unsigned ninstances;
	bool more_instances;
	bool at_end, newest_first, loaded;
	struct strbuf hold;     /* the texts of a newest-first export */
	struct held *held;
	size_t nheld, cap, pos;
};

static int gcp_probe(const char *buf, size_t len)
{
	if (len > CLOUD_PROBE_BYTES)
		len = CLOUD_PROBE_BYTES;
	if (!cloud_json_starts(buf, len))
		return 0;
	if (!memmem(buf, len, "\"textPayload\"", 13) && !memmem(buf, len, "\"jsonPayload\"", 13))
		return 0;
	if (memmem(buf, len, "postgres.log", 12) || memmem(buf, len, "cloudsql_database", 17)
			|| memmem(buf, len, "alloydb", 7))
		return 90;
	return 0;
}

/* The name of e's log: logName's LOG_ID, "%2F" read as "/", else its
 * resource's type. */
static void log_name(const struct cloud_entry *e, char *out, size_t cap)
{
	size_t n = 0, o = 0;
	const char *s = cloud_entry_str(e, G_LOG_NAME, &n), *at;
	if (s && (at = memmem(s, n, "/logs/", 6))) {
		n -= (size_t)(at + 6 - s);
		s = at + 6;
	} else if (!s) {
		s = cloud_entry_str(e, G_RESOURCE_TYPE, &n);
	}
	if (!s) {
		s = "(no logName)";
		n = strlen(s);
	}
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '%' && i + 2 < n && s[i + 1] == '2' && (s[i + 2] == 'F' || s[i + 2] == 'f')) {
			out[o++] = '/';
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

static bool ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	return s && n >= t && memcmp(s + n - t, tail, t) == 0;
}

/* Whether e is an entry of the server's log: its logName says so, or,
 * without one, its resource is a Cloud SQL or AlloyDB database. */
static bool is_server(const struct cloud_entry *e)
{
	size_t n;
	const char *s = cloud_entry_str(e, G_LOG_NAME, &n);
	if (s)
		return ends_with(s, n, "%2Fpostgres.log") || ends_with(s, n, "/postgres.log");
	s = cloud_entry_str(e, G_RESOURCE_TYPE, &n);
	return s && ((n == 17 && memcmp(s, "cloudsql_database", 17) == 0)
		|| (n >= 7 && memcmp(s, "alloydb", 7) == 0));
}

/* The server's text in e: textPayload, else jsonPayload.message. */
static const char *entry_text(const struct cloud_entry *e, size_t *len)
{
	const char *s = cloud_entry_str(e, G_TEXT, len);
	return s ? s : cloud_entry_str(e, G_JSON_MESSAGE, len);
}

struct peek {
	struct strbuf sample;   /* first lines, for prefix detection */
	int64_t last;
	unsigned up, down;
};

static bool peek_entry(void *arg, struct cloud_entry *e)
{
	struct peek *pk = arg;
	size_t n, tl;
	if (!is_server(e))
		return true;
	const char *t = entry_text(e, &n), *ts = cloud_entry_str(e, G_TIMESTAMP, &tl);
	if (t) {
		const char *nl = memchr(t, '\n', n);
		sb_append(&pk->sample, t, nl ? (size_t)(nl - t) : n);
		sb_putc(&pk->sample, '\n');
	}
	int64_t ms = ts ? cloud_iso_ms(ts, tl) : TS_NONE;
	if (ms != TS_NONE) {
		if (pk->last != TS_NONE && ms > pk->last)
			pk->up++;
		else if (pk->last != TS_NONE && ms < pk->last)
			pk->down++;
		pk->last = ms;
	}
	return true;
}

static void gcp_close(void *state)
{
	struct gcp_state *st = state;
	if (!st)
		return;
	cloud_join_free(st->j);
	cloud_json_free(st->js);
	cloud_entry_release(&st->e);
	sb_release(&st->hold);
	free(st->held);
	free(st);
}

static void *gcp_open(struct parse_ctx *ctx)
{
	struct gcp_state *st = xcalloc(1, sizeof(*st));
	struct peek pk = { .last = TS_NONE };
	size_t len;
	const char *buf = lr_peek(ctx->lr, PEEK_BYTES, &len);
	st->ctx = ctx;
	cloud_entry_init(&st->e, paths);
	cloud_json_peek(buf ? buf : "", buf ? len : 0, NULL, PEEK_ENTRIES, &st->e, peek_entry, &pk);
	st->j = cloud_join_open(ctx, pk.sample.buf ? pk.sample.buf : "", pk.sample.len,
		"in the entries' textPayload", NULL);
	sb_release(&pk.sample);
	if (!st->j) {
		gcp_close(st);
		return NULL;
	}
	st->js = cloud_json_open(ctx, NULL);
	st->newest_first = pk.down > pk.up;
	if (st->newest_first)
		parse_note(ctx, "entries listed newest first (as gcloud logging read "
			"lists them): read in the log's order");
	return st;
}

static void note_instance(struct gcp_state *st, const struct cloud_entry *e)
{
	size_t n;
	const char *id = cloud_entry_str(e, G_DATABASE, &n);
	if (!id)
		return;
	if (n >= sizeof(st->instances[0]))
		n = sizeof(st->instances[0]) - 1;
	for (unsigned i = 0; i < st->ninstances; i++)
		if (strncmp(st->instances[i], id, n) == 0 && st->instances[i][n] == '\0')
			return;
	if (st->ninstances == MAX_INSTANCES) {
		st->more_instances = true;
		return;
	}
	memcpy(st->instances[st->ninstances], id, n);
	st->instances[st->ninstances++][n] = '\0';
}

/* The note of an export that holds several instances' logs. */
static void instances_note(struct gcp_state *st)
{
	char list[MAX_INSTANCES * 66 + 8] = "";
	size_t at = 0;
	if (st->ninstances < 2)
		return;
	for (unsigned i = 0; i < st->ninstances; i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", i ? ", " : "",
			st->instances[i]);
	parse_note(st->ctx, "entries of %s%u instances (%s%s) read as one server's log; "
		"filter the export by resource.labels.database_id for one instance's report",
		st->more_instances ? "more than " : "", st->ninstances, list,
		st->more_instances ? ", ..." : "");
}

/* Takes entry e (at line) in: its text to the joiner, or held when the
 * export is newest first. */
static void take(struct gcp_state *st, const struct cloud_entry *e, uint64_t line, bool hold)
{
	size_t n, tl;
	char name[48];
	if (!is_server(e)) {
		log_name(e, name, sizeof(name));
		cloud_foreign_add(st->ctx, &st->foreign, name, strlen(name));
		return;
	}
	const char *t = entry_text(e, &n), *ts = cloud_entry_str(e, G_TIMESTAMP, &tl);
	if (!t) {
		parse_skip(st->ctx, line, "entry of the server's log without a textPayload "
			"nor a jsonPayload message");
		return;
	}
	int64_t ms = ts ? cloud_iso_ms(ts, tl) : TS_NONE;
	note_instance(st, e);
	if (!hold) {
		cloud_join_add(st->j, line, t, n, -1, ms, false);
		return;
	}
	if (st->nheld == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		st->held = xrealloc(st->held, st->cap * sizeof(*st->held));
	}
	st->held[st->nheld++] = (struct held){ .line = line, .ts = ms,
		.off = st->hold.len, .len = n };
	sb_append(&st->hold, t, n);
}

/* Gives the joiner more text: false at the end of the input. */
static bool feed(struct gcp_state *st)
{
	uint64_t line;
	if (st->newest_first && !st->loaded) {
		while (cloud_json_next(st->js, &st->e, &line))
			take(st, &st->e, line, true);
		st->loaded = true;
		st->pos = st->nheld;
	}
	if (st->newest_first) {
		if (!st->pos)
			return false;
		const struct held *h = &st->held[--st->pos];
		cloud_join_add(st->j, h->line, st->hold.buf + h->off, h->len, -1, h->ts, false);
		return true;
	}
	if (!cloud_json_next(st->js, &st->e, &line))
		return false;
	take(st, &st->e, line, false);
	return true;
}

static int gcp_next(void *state, struct record *out)
{
	struct gcp_state *st = state;
	for (;;) {
		if (cloud_join_next(st->j, out, st->at_end))
			return 1;
		if (st->at_end)
			return 0;
		if (!feed(st)) {
			st->at_end = true;
			cloud_foreign_note(st->ctx, &st->foreign, "entries");
			instances_note(st);
		}
	}
}

const struct parser parser_gcp = {
	.id = "gcp", .name = "Google Cloud SQL / AlloyDB log (Cloud Logging JSON)",
	.probe = gcp_probe,
	.open = gcp_open, .next = gcp_next, .close = gcp_close,
};
