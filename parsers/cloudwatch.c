/* cloudwatch.c: AWS RDS and Aurora PostgreSQL logs from CloudWatch Logs.
 *
 * Two forms (docs.aws.amazon.com, CloudWatch Logs API and "Exporting log
 * data to Amazon S3"):
 * - `aws logs filter-log-events` / `get-log-events` print one JSON
 *   object, {"events": [{"logStreamName", "timestamp" (epoch ms),
 *   "message", "ingestionTime", "eventId"}, ...], ...}: each message is
 *   one line the server wrote (RDS's prefix '%t:%r:%u@%d:[%p]:' before
 *   the severity) with its tab-led lines.
 * - An export to S3 is gzip text (the input layer opens it), each event
 *   as its ISO 8601 time, a space and its message; a message's further
 *   lines follow as they are.
 * The files downloaded from the RDS console are the server's stderr
 * log: the stderr parser reads them. Both forms go through the joiner
 * (cloud_join.c), which puts the DETAIL and STATEMENT lines, shipped as
 * events of their own, back on their message. */
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "prefix.h"
#include "strbuf.h"
#include "timeutil.h"

#define PEEK_BYTES (256 * 1024)
#define PEEK_ENTRIES 400
#define PEEK_LINES 200

static const char *const wrap_keys[] = { "events", NULL };

/* The members read, in this order. */
enum { W_MESSAGE, W_TIMESTAMP };
static const char *const paths[] = { "message", "timestamp", NULL };

struct cw_state {
	struct parse_ctx *ctx;
	struct cloud_json *js;  /* NULL: the S3 export's lines */
	struct cloud_join *j;
	struct cloud_entry e;
	bool at_end;
};

static void cw_close(void *state)
{
	struct cw_state *st = state;
	if (!st)
		return;
	cloud_join_free(st->j);
	cloud_json_free(st->js);
	cloud_entry_release(&st->e);
	free(st);
}

/* The CLI's JSON. */

static int cw_json_probe(const char *buf, size_t len)
{
	if (len > CLOUD_PROBE_BYTES)
		len = CLOUD_PROBE_BYTES;
	if (!cloud_json_starts(buf, len))
		return 0;
	if (!memmem(buf, len, "\"events\"", 8) || !memmem(buf, len, "\"message\"", 9))
		return 0;
	if (memmem(buf, len, "\"logStreamName\"", 15) || memmem(buf, len, "\"ingestionTime\"", 15)
			|| memmem(buf, len, "\"nextForwardToken\"", 18))
		return 85;
	return 0;
}

static bool peek_event(void *arg, struct cloud_entry *ev)
{
	struct strbuf *sample = arg;
	size_t n;
	const char *m = cloud_entry_str(ev, W_MESSAGE, &n);
	if (m) {
		const char *nl = memchr(m, '\n', n);
		sb_append(sample, m, nl ? (size_t)(nl - m) : n);
		sb_putc(sample, '\n');
	}
	return true;
}

static void *cw_json_open(struct parse_ctx *ctx)
{
	struct cw_state *st = xcalloc(1, sizeof(*st));
	struct strbuf sample = STRBUF_INIT;
	size_t len;
	const char *buf = lr_peek(ctx->lr, PEEK_BYTES, &len);
	st->ctx = ctx;
	cloud_entry_init(&st->e, paths);
	cloud_json_peek(buf ? buf : "", buf ? len : 0, wrap_keys, PEEK_ENTRIES, &st->e,
		peek_event, &sample);
	st->j = cloud_join_open(ctx, sample.buf ? sample.buf : "", sample.len,
		"in the events' message", NULL);
	sb_release(&sample);
	if (!st->j) {
		cw_close(st);
		return NULL;
	}
	st->js = cloud_json_open(ctx, wrap_keys);
	return st;
}

static bool feed_json(struct cw_state *st)
{
	uint64_t line;
	size_t n;
	int64_t ts;
	if (!cloud_json_next(st->js, &st->e, &line))
		return false;
	const char *m = cloud_entry_str(&st->e, W_MESSAGE, &n);
	if (!cloud_entry_int(&st->e, W_TIMESTAMP, &ts))
		ts = TS_NONE;
	if (m)
		cloud_join_add(st->j, line, m, n, -1, ts, false);
	else
		parse_skip(st->ctx, line, "event without a message");
	return true;
}

/* The S3 export. */

/* The length of the ISO 8601 time and the space that start line s
 * ("2024-01-15T10:00:00.123Z "), 0 when it does not start with one. */
static size_t iso_len(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i = 0;
	if (n < sizeof(shape))
		return 0;
	for (; shape[i]; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return 0;
	while (i < n && s[i] != ' ')
		if (s[i] == '.' || s[i] == 'Z' || s[i] == '+' || s[i] == '-' || s[i] == ':'
				|| (s[i] >= '0' && s[i] <= '9'))
			i++;
		else
			return 0;
	return i < n ? i + 1 : 0;
}

/* The messages' first lines of the export's first lines, for detection:
 * sets *lines to the lines that start with a time. */
static void export_sample(const char *buf, size_t len, struct strbuf *sample,
		unsigned *lines, unsigned *timed)
{
	*lines = *timed = 0;
	for (const char *p = buf, *end = buf + len; p < end && *lines < PEEK_LINES;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;       /* the last line, without a newline or cut */
		size_t n = (size_t)(nl - p), k;
		if (n && p[0] != '\t') {
			(*lines)++;
			if ((k = iso_len(p, n))) {
				(*timed)++;
				sb_append(sample, p + k, n - k);
				sb_putc(sample, '\n');
			}
		}
		p = nl < end ? nl + 1 : end;
	}
}

static int cw_export_probe(const char *buf, size_t len)
{
	struct strbuf sample = STRBUF_INIT;
	unsigned lines, timed, matched, tried;
	export_sample(buf, len, &sample, &lines, &timed);
	int score = 0;
	if (timed && timed * 2 >= lines) {
		/* Above stderr's 60: the time before the prefix is the
		 * export's, and a prefix may still be found after it. */
		if (prefix_detect(sample.buf, sample.len, &matched, &tried))
			score = 75;
		else if (memmem(sample.buf, sample.len, "LOG:  ", 6))
			score = 25;
	}
	sb_release(&sample);
	return score;
}

static void *cw_export_open(struct parse_ctx *ctx)
{
	struct cw_state *st = xcalloc(1, sizeof(*st));
	struct strbuf sample = STRBUF_INIT;
	unsigned lines, timed;
	size_t len;
	const char *buf = lr_peek(ctx->lr, PEEK_BYTES, &len);
	st->ctx = ctx;
	export_sample(buf ? buf : "", buf ? len : 0, &sample, &lines, &timed);
	st->j = cloud_join_open(ctx, sample.buf ? sample.buf : "", sample.len,
		"after the export's times", NULL);
	sb_release(&sample);
	if (!st->j) {
		cw_close(st);
		return NULL;
	}
	return st;
}

static bool feed_export(struct cw_state *st)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len, k;
	do {
		if (!lr_next(lr, &line, &len))
			return false;
	} while (!len);         /* blank lines carry nothing */
	if ((k = iso_len(line, len)))
		cloud_join_add(st->j, lr_lineno(lr), line + k, len - k, -1,
			cloud_iso_ms(line, k - 1), false);
	else            /* a further line of the last event's message */
		cloud_join_add(st->j, lr_lineno(lr), line, len, -1, TS_NONE, false);
	return true;
}

static int cw_next(void *state, struct record *out)
{
	struct cw_state *st = state;
	for (;;) {
		if (cloud_join_next(st->j, out, st->at_end))
			return 1;
		if (st->at_end)
			return 0;
		if (!(st->js ? feed_json(st) : feed_export(st)))
			st->at_end = true;
	}
}

const struct parser parser_cloudwatch = {
	.id = "cloudwatch", .name = "AWS RDS / Aurora log (CloudWatch Logs JSON)",
	.probe = cw_json_probe,
	.open = cw_json_open, .next = cw_next, .close = cw_close,
};

const struct parser parser_cloudwatch_s3 = {
	.id = "cloudwatch-s3", .name = "AWS RDS / Aurora log (CloudWatch export to S3)",
	.probe = cw_export_probe,
	.open = cw_export_open, .next = cw_next, .close = cw_close,
};
