/* pgbouncer.c: pgBouncer's own log (its logfile, or its standard error).
 *
 * pgBouncer 1.x writes one line per message (libusual's logging):
 *   2026-12-06 03:16:25.083 UTC [482] LOG C-0x5631cec63cc0: shop/alice@127.0.0.1:47988 login attempt: db=shop user=alice tls=no
 *   2026-12-06 03:16:25.323 UTC [482] LOG stats: 1564 xacts/s, 1564 queries/s, in 97227 B/s, ...
 * a time with milliseconds, its zone, the process id in brackets (bare in
 * versions before 1.8), a level (LOG, WARNING, ERROR, FATAL, DEBUG,
 * NOISE) and the message. A message about one connection starts with the
 * connection ("C-" a client, "S-" a server connection to PostgreSQL, then
 * its address in memory) and "db/user@address:port " ("(nodb)" and
 * "(nouser)" before login; the address "[v6]:port" or "unix(pid):port").
 *
 * Each line becomes one REC_POOLER record (record.h) in a log entry's
 * fields: db, user, host (the address without its port), session (the
 * connection, "C-0x..."), message (after the connection's prefix). What a
 * record says is worked out by the events' pooler module
 * (events_pooler.c). A line of another shape is skipped, counted and
 * reported with its line. The pooler's lines through syslog are not read
 * here (their prefix is syslog's). */
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "timeutil.h"

#define PROBE_LINES 20

struct bouncer_state {
	struct parse_ctx *ctx;
};

static const struct {
	const char *name;
	enum severity sev;
} levels[] = {
	{ "LOG", SEV_LOG }, { "WARNING", SEV_WARNING }, { "ERROR", SEV_ERROR },
	{ "FATAL", SEV_FATAL }, { "DEBUG", SEV_DEBUG }, { "NOISE", SEV_DEBUG },
	{ "INFO", SEV_INFO },
};

static size_t span_digits(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* The connection's prefix of a message, "C-0x55..: db/user@addr:port ",
 * into e; returns the bytes it takes, 0 when m does not start with one. */
static size_t parse_socket(const char *m, size_t len, struct log_entry *e)
{
	if (len < 6 || (m[0] != 'C' && m[0] != 'S') || m[1] != '-')
		return 0;
	const char *colon = memchr(m, ':', len);
	if (!colon || (size_t)(colon - m) > 24 || (size_t)(colon - m) + 2 >= len ||
			colon[1] != ' ')
		return 0;
	e->session = slice_make(m, (size_t)(colon - m));
	const char *p = colon + 2, *end = m + len;
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		sp = end;
	const char *slash = memchr(p, '/', (size_t)(sp - p));
	if (!slash)
		return 0;
	/* The address is after the last '@' of the word. */
	const char *at = NULL;
	for (const char *q = slash; q < sp; q++)
		if (*q == '@')
			at = q;
	if (!at)
		return 0;
	struct slice db = slice_make(p, (size_t)(slash - p));
	struct slice user = slice_make(slash + 1, (size_t)(at - slash - 1));
	e->db = slice_eq(db, "(nodb)") ? SLICE_EMPTY : db;
	e->user = slice_eq(user, "(nouser)") ? SLICE_EMPTY : user;
	/* The host without its port: "1.2.3.4:5678", "[::1]:5678". */
	const char *h = at + 1, *hend = sp;
	for (const char *q = sp; q > h; q--)
		if (q[-1] == ':') {
			hend = q - 1;
			break;
		}
	if (hend > h + 1 && *h == '[' && hend[-1] == ']') {
		h++;
		hend--;
	}
	e->host = slice_make(h, (size_t)(hend - h));
	return (size_t)(sp - m) + (sp < end);
}

/* The value of "key=" in m's words ("login attempt: db=shop user=alice
 * tls=no"), empty when absent. */
static struct slice word_value(struct slice m, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i + kl < m.len; i++) {
		if ((i && m.ptr[i - 1] != ' ') || memcmp(m.ptr + i, key, kl) != 0)
			continue;
		size_t j = i + kl;
		while (j < m.len && m.ptr[j] != ' ')
			j++;
		return slice_make(m.ptr + i + kl, j - i - kl);
	}
	return SLICE_EMPTY;
}

/* "[1234] " or "1234 " at s[i]: the offset after it (*pid set), 0 when
 * there is none. */
static size_t pid_at(const char *s, size_t len, size_t i, int64_t *pid)
{
	bool bracket = i < len && s[i] == '[';
	i += bracket;
	size_t d = span_digits(s + i, len - i);
	if (!d || d > 10)
		return 0;
	int64_t v = strtoll(s + i, NULL, 10);
	i += d;
	if (bracket && (i >= len || s[i++] != ']'))
		return 0;
	if (i >= len || s[i] != ' ')
		return 0;
	*pid = v;
	return i + 1;
}

/* Reads one line into e; false when it is not a pgBouncer log line. */
static bool parse_line(const char *s, size_t len, struct log_entry *e)
{
	int64_t wall;
	size_t n = ts_parse_wallclock(s, len, &wall);
	if (!n || n >= len || s[n] != ' ')
		return false;
	size_t i = n + 1;
	/* Versions before 1.10 may write no zone: the pid comes next. */
	size_t after = pid_at(s, len, i, &e->pid);
	if (after) {
		e->tz = SLICE_EMPTY;
		e->tz_known = false;
		e->ts_ms = wall;
		i = after;
	} else {
		size_t z = i;
		while (z < len && s[z] != ' ')
			z++;
		if (z == i || z >= len)
			return false;
		int off = 0;
		e->tz = slice_make(s + i, z - i);
		e->tz_known = ts_zone_offset(s + i, z - i, &off);
		e->ts_ms = wall - (int64_t)off * MS_PER_MIN;
		i = pid_at(s, len, z + 1, &e->pid);
		if (!i)
			return false;
	}
	size_t w = i;
	while (w < len && s[w] >= 'A' && s[w] <= 'Z')
		w++;
	if (w >= len || s[w] != ' ')
		return false;
	struct slice lv = slice_make(s + i, w - i);
	e->severity = SEV_NONE;
	for (size_t k = 0; k < ARRAY_SIZE(levels); k++)
		if (slice_eq(lv, levels[k].name))
			e->severity = levels[k].sev;
	if (e->severity == SEV_NONE)
		return false;
	i = w + 1;
	i += parse_socket(s + i, len - i, e);
	e->message = slice_make(s + i, len - i);
	/* Before the login the prefix says "(nodb)": the login's own words
	 * name the database and user the client asked for. */
	if (!e->db.len && e->session.len && e->message.len > 14 &&
			(memcmp(e->message.ptr, "login attempt:", 14) == 0 ||
			 memcmp(e->message.ptr, "login failed:", 13) == 0)) {
		e->db = word_value(e->message, "db=");
		if (!e->user.len)
			e->user = word_value(e->message, "user=");
	}
	return true;
}

static int bouncer_probe(const char *buf, size_t len)
{
	unsigned lines = 0, ok = 0, sockets = 0, known = 0;
	const char *p = buf, *end = buf + len;
	while (p < end && lines < PROBE_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;  /* a cut last line says nothing */
		size_t n = (size_t)(nl - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n) {
			struct log_entry e = { .pid = -1 };
			lines++;
			if (parse_line(p, n, &e)) {
				ok++;
				sockets += e.session.len > 0;
				struct slice m = e.message;
				known += (m.len > 7 && memcmp(m.ptr, "stats: ", 7) == 0) ||
					memmem(m.ptr, m.len, "PgBouncer", 9) ||
					memmem(m.ptr, m.len, "pgbouncer", 9);
			}
		}
		p = nl + 1;
	}
	/* The level without a colon is pgBouncer's, never the server's; a
	 * line about a connection or its own words make it sure. */
	if (!ok || ok * 2 < lines)
		return 0;
	return sockets || known ? 80 : 40;
}

static void *bouncer_open(struct parse_ctx *ctx)
{
	struct bouncer_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	return st;
}

static int bouncer_next(void *state, struct record *out)
{
	struct bouncer_state *st = state;
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;

	for (;;) {
		if (!lr_next(lr, &line, &len))
			return 0;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		struct log_entry *e = &out->u.log;
		*e = (struct log_entry){ .pid = -1, .leader_pid = -1 };
		if (parse_line(line, len, e)) {
			out->kind = REC_POOLER;
			e->line = lr_lineno(lr);
			return 1;
		}
		parse_skip(st->ctx, lr_lineno(lr), "not a pgBouncer log line "
			"(a time, its zone, [pid], a level and the message)");
	}
}

static void bouncer_close(void *state)
{
	free(state);
}

const struct parser parser_pgbouncer = {
	.id = "pgbouncer", .name = "pgBouncer log",
	.probe = bouncer_probe,
	.open = bouncer_open, .next = bouncer_next, .close = bouncer_close,
};
