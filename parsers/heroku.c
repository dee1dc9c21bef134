/* heroku.c: Heroku Postgres server logs, as logplex delivers them (`heroku
 * logs`, a log drain's lines).
 *
 *   2024-01-15T10:00:00.123456+00:00 app[postgres.1234]: [DATABASE] [9-1]  sql_error_code = 00000 LOG:  ...
 *
 * logplex's header holds the time and the backend's pid (the dyno
 * "postgres.PID"); a colour tag names the database's attachment
 * ([DATABASE], [HEROKU_POSTGRESQL_BLUE]; older lines have none); then
 * the server's syslog numbering, "[message-piece]": each line of a
 * message is a piece, and a line longer than the server's syslog limit
 * (900 bytes) is cut into pieces at a space. The text after it is the
 * server's line with Heroku's log_line_prefix, ' sql_error_code = %e '
 * by default, which carries no time nor pid: the header's stand in. The
 * pieces go through the joiner (cloud_join.c), per pid, as logplex
 * interleaves the backends' lines. Lines of the app's other dynos, of
 * Heroku's router and of Heroku Postgres' metrics are skipped and
 * counted in a note; a line that is not logplex's is reported. */
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "strbuf.h"
#include "timeutil.h"

#define PEEK_BYTES (256 * 1024)
#define PEEK_LINES 400
#define HEROKU_PREFIX " sql_error_code = %e "

struct lp_line {
	int64_t ts;
	struct slice source;    /* "app[postgres.1234]" */
	int64_t pid;            /* the dyno's number for postgres.N, else -1 */
	unsigned chunk;         /* 0: no "[n-m]" numbering */
	struct slice text;
};

struct heroku_state {
	struct parse_ctx *ctx;
	struct cloud_join *j;
	struct cloud_foreign foreign;
	bool at_end;
};

static bool digits(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > UINT64_MAX / 16)
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return n > 0;
}

/* "[n-m] " at s: m in *chunk and the bytes taken, 0 when not there. */
static size_t numbering(const char *s, size_t n, unsigned *chunk)
{
	const char *close, *dash;
	uint64_t seq, c;
	if (!n || s[0] != '[' || !(close = memchr(s, ']', n))
			|| !(dash = memchr(s, '-', (size_t)(close - s))))
		return 0;
	if (!digits(s + 1, (size_t)(dash - s - 1), &seq)
			|| !digits(dash + 1, (size_t)(close - dash - 1), &c) || c > 1000000)
		return 0;
	size_t k = (size_t)(close - s) + 1;
	if (k < n && s[k] == ' ')
		k++;
	*chunk = (unsigned)c;
	return k;
}

/* Reads a logplex line; false when s is not one. */
static bool parse_line(const char *s, size_t n, struct lp_line *l)
{
	const char *sp = memchr(s, ' ', n), *open, *close;
	if (!sp || sp - s < 19 || s[10] != 'T'
			|| (l->ts = cloud_iso_ms(s, (size_t)(sp - s))) == TS_NONE)
		return false;
	const char *src = sp + 1, *end = s + n;
	if (!(open = memchr(src, '[', (size_t)(end - src))) || open == src
			|| !(close = memchr(open, ']', (size_t)(end - open)))
			|| close + 1 >= end || close[1] != ':')
		return false;
	l->source = (struct slice){ src, (size_t)(close + 1 - src) };
	l->pid = -1;
	uint64_t pid;
	if ((size_t)(open - src) == 3 && memcmp(src, "app", 3) == 0
			&& (size_t)(close - open) > 10 && memcmp(open + 1, "postgres.", 9) == 0
			&& digits(open + 10, (size_t)(close - open - 10), &pid))
		l->pid = (int64_t)pid;
	const char *t = close + 2;
	if (t < end && *t == ' ')
		t++;
	size_t k;
	/* A colour tag is a bracket that is not the numbering. */
	if (t < end && *t == '[' && !numbering(t, (size_t)(end - t), &l->chunk)
			&& (close = memchr(t, ']', (size_t)(end - t)))) {
		t = close + 1;
		if (t < end && *t == ' ')
			t++;
	}
	l->chunk = 0;
	if ((k = numbering(t, (size_t)(end - t), &l->chunk)))
		t += k;
	l->text = (struct slice){ t, (size_t)(end - t) };
	return true;
}

static int heroku_probe(const char *buf, size_t len)
{
	unsigned lines = 0, ours = 0;
	for (const char *p = buf, *end = buf + len; p < end && lines < 50;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;       /* the last line, without a newline or cut */
		struct lp_line l;
		lines++;
		if (parse_line(p, (size_t)(nl - p), &l) && l.pid >= 0)
			ours++;
		p = nl < end ? nl + 1 : end;
	}
	return ours ? 85 : 0;
}

static void heroku_close(void *state)
{
	struct heroku_state *st = state;
	if (!st)
		return;
	cloud_join_free(st->j);
	free(st);
}

static void *heroku_open(struct parse_ctx *ctx)
{
	struct heroku_state *st = xcalloc(1, sizeof(*st));
	struct strbuf sample = STRBUF_INIT;
	size_t len;
	unsigned n = 0;
	const char *buf = lr_peek(ctx->lr, PEEK_BYTES, &len);
	st->ctx = ctx;
	for (const char *p = buf, *end = buf + (buf ? len : 0); p < end && n < PEEK_LINES;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;       /* the last line, without a newline or cut */
		struct lp_line l;
		if (parse_line(p, (size_t)(nl - p), &l) && l.pid >= 0 && l.chunk <= 1) {
			sb_append(&sample, l.text.ptr, l.text.len);
			sb_putc(&sample, '\n');
			n++;
		}
		p = nl < end ? nl + 1 : end;
	}
	st->j = cloud_join_open(ctx, sample.buf ? sample.buf : "", sample.len,
		"after the logplex headers", HEROKU_PREFIX);
	sb_release(&sample);
	if (!st->j) {
		heroku_close(st);
		return NULL;
	}
	return st;
}

/* Gives the joiner the next line: false at the end. */
static bool feed(struct heroku_state *st)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;
	struct lp_line l;
	do {
		if (!lr_next(lr, &line, &len))
			return false;
	} while (!len);
	if (!parse_line(line, len, &l)) {
		parse_skip(st->ctx, lr_lineno(lr), "not a logplex line (TIME SOURCE[DYNO]: ...)");
		return true;
	}
	if (l.pid < 0) {
		/* app[web.1] and app[web.2] are one kind of line. */
		const char *dot = memchr(l.source.ptr, '.', l.source.len);
		size_t n = dot ? (size_t)(dot - l.source.ptr) : l.source.len;
		char name[48];
		if (n > sizeof(name) - 2)
			n = sizeof(name) - 2;
		memcpy(name, l.source.ptr, n);
		if (dot)
			name[n++] = ']';
		cloud_foreign_add(st->ctx, &st->foreign, name, n);
		return true;
	}
	/* A piece after the first that is neither a tab-led line nor a
	 * prefixed one is the rest of a line cut for length. */
	bool glue = l.chunk > 1 && l.text.len && l.text.ptr[0] != '\t'
		&& !cloud_join_is_line(st->j, l.text.ptr, l.text.len);
	cloud_join_add(st->j, lr_lineno(lr), l.text.ptr, l.text.len, l.pid, l.ts, glue);
	return true;
}

static int heroku_next(void *state, struct record *out)
{
	struct heroku_state *st = state;
	for (;;) {
		if (cloud_join_next(st->j, out, st->at_end))
			return 1;
		if (st->at_end)
			return 0;
		if (!feed(st)) {
			st->at_end = true;
			cloud_foreign_note(st->ctx, &st->foreign, "lines");
		}
	}
}

const struct parser parser_heroku = {
	.id = "heroku", .name = "Heroku Postgres log (logplex lines)",
	.probe = heroku_probe,
	.open = heroku_open, .next = heroku_next, .close = heroku_close,
};
