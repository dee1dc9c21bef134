/* syslog.c: PostgreSQL logging to syslog (log_destination = 'syslog').
 *
 * Each line is "Feb 11 13:15:39 host postgres[10808]: [3-1] PREFIX LOG:  ..."
 * (or another header form, syslog_head.c). The server sends one message as
 * numbered pieces: "[3-1]" is the first line of message 3, "[3-2]"... the
 * next ones: a continuation line (its tab written "#011" by rsyslog), a
 * DETAIL/HINT/STATEMENT line with its own prefix, or the rest of a line
 * longer than the server's 900-byte syslog limit. Other backends' lines
 * come between the pieces of a busy server's message, so messages are
 * held per process until whole (the process's next message, or a
 * look-ahead of LOOKAHEAD_LINES lines), then joined back into stderr form
 * and handed to the same entry builder as the stderr parser (logentry.h),
 * in the order of their first pieces.
 *
 * BSD dates carry no year and no zone (syslog_int.h says how the year is
 * found, and the parser says which way it was); times are taken as UTC
 * unless the prefix has its own timestamp (%t, %m), which wins. Lines of
 * other programs (systemd, ...) are common in a syslog file: they are
 * counted in a note, not reported as problems. A plain file may be cut
 * for several workers where no message is split (syslog_cut.c); a range
 * read from a cut counts its year as syslog_year_apply() says. */
#include <stdlib.h>
#include <string.h>

#include "logentry.h"
#include "parser.h"
#include "prefix.h"
#include "strbuf.h"
#include "syslog_int.h"
#include "timeutil.h"

#define PROBE_BYTES (256 * 1024)
#define PROBE_LINES 200
/* The server splits lines longer than this (PG_SYSLOG_LIMIT, 900 bytes,
 * less a multibyte character) into pieces with no newline between them. */
#define SYSLOG_SPLIT_AT 890
/* A message whose process has not started another one is taken as whole
 * once this many lines came after its last piece: a backend sends all
 * the pieces of one message in one go, so other backends' lines between
 * them are few (a handful per concurrent backend). */
#define LOOKAHEAD_LINES 1000
/* Messages held at once (the look-ahead above keeps far fewer): past it,
 * the oldest is taken as whole early, and that is counted and said. */
#define HELD_MAX 4096
#define PID_SLOTS (2 * HELD_MAX)        /* power of two */
#define HELD_KEEP (64 * 1024)           /* bytes a held slot's buffer keeps */

/* A message being joined: its pieces in stderr form. */
struct held {
	struct strbuf text;
	int64_t ts_ms, pid;     /* of its first piece's header */
	uint64_t first_line, last_line;
	uint64_t seq;
	unsigned chunk;         /* of its last piece */
	size_t prev_len;        /* that piece's length */
	bool ended;             /* its process went on to another message */
};

/* The held message of a process that may still get pieces. */
struct pid_slot {
	int64_t pid;
	int held;               /* index in st->held, -1: empty */
};

struct syslog_state {
	struct parse_ctx *ctx;
	struct prefix *prefix;
	struct prefix_memo *memo;       /* this input's: one thread reads it */
	char ident[64];         /* the server's syslog_ident, learnt from the first numbered line */
	struct syslog_year year;
	uint64_t foreign;       /* lines of other programs */
	uint64_t early;         /* messages taken as whole because HELD_MAX were held */
	/* Messages in the order of their first pieces, a ring: the oldest is
	 * handed out once whole, so that each process's messages keep their
	 * order (and all of them the file's, by first piece). */
	struct held *held;
	unsigned head, nheld;
	struct pid_slot *pids;  /* open addressing on the pid */
	bool eof;
	struct entry_builder b;
	struct strbuf line;     /* one decoded piece */
};

/* Appends a piece, turning rsyslog's "#011" (tab) escapes back. */
static void append_decoded(struct strbuf *sb, struct slice s)
{
	const char *p = s.ptr, *end = s.ptr + s.len;
	while (p < end) {
		const char *h = memchr(p, '#', (size_t)(end - p));
		if (!h) {
			sb_append(sb, p, (size_t)(end - p));
			return;
		}
		sb_append(sb, p, (size_t)(h - p));
		if (end - h >= 4 && h[1] == '0' && h[2] == '1' && h[3] == '1') {
			sb_putc(sb, '\t');
			p = h + 4;
		} else {
			sb_putc(sb, '#');
			p = h + 1;
		}
	}
}

/* Most lines have a syslog header, and some carry PostgreSQL's "[n-m] "
 * numbering: the other programs' lines of a syslog file (the daemon's
 * own, pam's, ...) may well outnumber the server's at its start. */
static int syslog_probe(const char *buf, size_t len)
{
	unsigned lines = 0, heads = 0, numbered = 0;
	const char *p = buf, *end = buf + len;
	struct syslog_line l;
	while (p < end && lines < 50) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n) {
			lines++;
			if (syslog_parse_line(p, n, &l)) {
				heads++;
				numbered += l.numbered;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return lines && heads * 2 >= lines && numbered ? 70 : 0;
}

/* Prefixes common with syslog, which supplies the time and pid itself;
 * tried before the stderr candidates. "" is log_line_prefix = ''. */
static const char *const syslog_prefixes[] = {
	"db=%d,user=%u,app=%a,client=%h ", "user=%u,db=%d,app=%a,client=%h ",
	"db=%d,user=%u ", "user=%u,db=%d ", "%u@%d ", "%q%u@%d ", "[%l-1] ",
	"[%l-1] user=%u,db=%d ", "[%l-1] db=%d,user=%u ", "",
};

/* How many of the lines in buf p matches. */
static unsigned count_matches(const char *spec, const char *buf, size_t len,
		unsigned *lines)
{
	char err[128];
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	unsigned n = 0;
	*lines = 0;
	if (!p)
		return 0;
	for (const char *q = buf, *end = buf + len; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t ln = nl ? (size_t)(nl - q) : (size_t)(end - q);
		(*lines)++;
		n += prefix_match(p, q, ln, NULL);
		q = nl ? nl + 1 : end;
	}
	prefix_free(p);
	return n;
}

/* The first pieces' text after "[n-1] ", as lines, for prefix detection. */
static void collect_first_pieces(const char *buf, size_t len, struct strbuf *out)
{
	const char *p = buf, *end = buf + len;
	unsigned n = 0;
	struct syslog_line l;
	while (p < end && n < PROBE_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (syslog_parse_line(p, ln, &l) && l.numbered && l.chunk == 1) {
			sb_append(out, l.rest.ptr, l.rest.len);
			sb_putc(out, '\n');
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* The prefix that fits most of the first pieces in buf, of the common
 * syslog ones (first on a tie) and the stderr detection's choice: a short
 * one may fit most lines of a longer one ("%u@%d " takes the time and pid
 * of "%m [%p] %q%u@%d " for a user name) but not the lines its "%q" cuts
 * short. NULL when none fits half of them. */
static const char *detect_spec(const char *buf, size_t len, unsigned *matched,
		unsigned *tried)
{
	const char *best = NULL;
	unsigned best_n = 0, n, lines = 0;
	for (size_t i = 0; i < ARRAY_SIZE(syslog_prefixes); i++) {
		n = count_matches(syslog_prefixes[i], buf, len, &lines);
		if (lines && n * 2 >= lines && n > best_n) {
			best = syslog_prefixes[i];
			best_n = n;
		}
	}
	unsigned dn = 0, dlines = 0;
	const char *d = prefix_detect(buf, len, &dn, &dlines);
	if (d && dn > best_n) {
		*matched = dn;
		*tried = dlines;
		return d;
	}
	*matched = best_n;
	*tried = lines;
	return best;
}

/* The arrays of a state whose prefix is set. */
static void syslog_alloc(struct syslog_state *st)
{
	st->memo = prefix_memo_new(st->prefix);
	st->held = xcalloc(HELD_MAX, sizeof(*st->held));
	st->pids = xmalloc(PID_SLOTS * sizeof(*st->pids));
	for (unsigned i = 0; i < PID_SLOTS; i++)
		st->pids[i].held = -1;
}

static bool is_ident_line(const struct syslog_state *st, const struct syslog_line *l)
{
	return l->ident.len < sizeof(st->ident) && (l->numbered
		|| prefix_match(st->prefix, l->rest.ptr, l->rest.len, NULL));
}

/* The server's syslog_ident: the first program whose lines are numbered
 * or carry the prefix, among the first lines (as take_line() learns it
 * when they do not tell), so that a cut knows it before reading. */
static void learn_ident(struct syslog_state *st, const char *buf, size_t len)
{
	struct syslog_line l;
	for (const char *p = buf, *end = buf + len; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;          /* the peek may end inside a line */
		if (syslog_parse_line(p, (size_t)(nl - p), &l) && is_ident_line(st, &l)) {
			memcpy(st->ident, l.ident.ptr, l.ident.len);
			st->ident[l.ident.len] = '\0';
			return;
		}
		p = nl + 1;
	}
}

static void *syslog_open(struct parse_ctx *ctx)
{
	struct syslog_state *st = xcalloc(1, sizeof(*st));
	char err[256];
	size_t len;
	const char *buf = lr_peek(ctx->lr, PROBE_BYTES, &len);
	st->ctx = ctx;

	const char *spec = ctx->opts ? ctx->opts->prefix : NULL;
	struct strbuf pieces = STRBUF_INIT;
	collect_first_pieces(buf, len, &pieces);
	syslog_year_init(&st->year, ctx, buf, len);
	if (!spec) {
		unsigned matched = 0, tried = 0;
		spec = detect_spec(pieces.buf ? pieces.buf : "", pieces.len, &matched, &tried);
		if (!spec) {
			char hint[512];
			if (prefix_suggest(pieces.buf ? pieces.buf : "", pieces.len, hint, sizeof(hint)))
				parse_problem(ctx, 0, "no known log_line_prefix fits the text after the "
					"syslog headers; pass the server's setting, e.g. --prefix '%s'", hint);
			else
				parse_problem(ctx, 0, "no known log_line_prefix fits the text after the "
					"syslog headers; pass the server's setting with --prefix");
			sb_release(&pieces);
			free(st);
			return NULL;
		}
		parse_note(ctx, "log_line_prefix '%s' detected after the syslog headers "
			"(%u of %u lines fit); --prefix overrides it", spec, matched, tried);
	}
	sb_release(&pieces);
	st->prefix = prefix_compile(spec, err, sizeof(err));
	if (!st->prefix) {
		parse_problem(ctx, 0, "bad --prefix '%s': %s", spec, err);
		free(st);
		return NULL;
	}
	learn_ident(st, buf, len);
	syslog_alloc(st);
	if (st->year.before_ref)
		parse_note(ctx, "syslog dates carry no year: %d, from %s, or %d for dates "
			"later in the year than that (--year overrides it); their times are "
			"taken as UTC unless the prefix has its own", st->year.year,
			st->year.how, st->year.year - 1);
	else
		parse_note(ctx, "syslog dates carry no year: %d, from %s (--year overrides it); "
			"their times are taken as UTC unless the prefix has its own",
			st->year.year, st->year.how);
	return st;
}

/* Adds one piece to message h: a tab-led continuation or a part line with
 * its own prefix starts a new line; the rest of a line the server split
 * for length does not. The server splits at the last blank before its
 * limit, which the next piece starts with, or at the limit when the line
 * has no blank there. */
static void join_piece(struct syslog_state *st, struct held *h, struct slice rest)
{
	sb_reset(&st->line);
	append_decoded(&st->line, rest);
	const char *t = st->line.buf ? st->line.buf : "";
	bool new_line = st->line.len && t[0] != ' ' && (t[0] == '\t'
		|| prefix_match(st->prefix, t, st->line.len, NULL) || h->prev_len < SYSLOG_SPLIT_AT);
	if (new_line)
		sb_putc(&h->text, '\n');
	sb_append(&h->text, t, st->line.len);
	h->prev_len = st->line.len;
}

/* Builds the entry from message h, in stderr form. */
static bool build_entry(struct syslog_state *st, const struct held *h,
		struct log_entry *e)
{
	const char *base = h->text.buf ? h->text.buf : "", *end = base + h->text.len;
	const char *nl = memchr(base, '\n', h->text.len);
	size_t n = nl ? (size_t)(nl - base) : h->text.len;
	struct prefix_fields f;
	if (!prefix_match_memo(st->memo, base, n, &f))
		return false;
	eb_begin(&st->b, &f, base, base);
	eb_primary_end(&st->b, base, n, base);
	for (const char *p = nl ? nl + 1 : end; p < end;) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t ln = q ? (size_t)(q - p) : (size_t)(end - p);
		struct prefix_fields pf;
		if (ln && p[0] != '\t' && prefix_match(st->prefix, p, ln, &pf)
				&& logentry_is_part(pf.severity))
			eb_part(&st->b, &pf, p, ln, base);
		else
			eb_continue(&st->b, p, ln, base);
		p = q ? q + 1 : end;
	}
	eb_finish(&st->b, base, e);
	if (e->ts_ms == TS_NONE)
		e->ts_ms = h->ts_ms;            /* header time, as UTC */
	if (e->pid < 0)
		e->pid = h->pid;
	return true;
}

/* ---- messages held until whole, per process ---- */

static unsigned pid_hash(int64_t pid)
{
	return (unsigned)(((uint64_t)pid * UINT64_C(0x9E3779B97F4A7C15)) >> 40) & (PID_SLOTS - 1);
}

/* The slot of pid, or the empty one where it would go. */
static struct pid_slot *pid_find(struct syslog_state *st, int64_t pid)
{
	unsigned i = pid_hash(pid);
	while (st->pids[i].held >= 0 && st->pids[i].pid != pid)
		i = (i + 1) & (PID_SLOTS - 1);
	return &st->pids[i];
}

/* Empties slot s, moving back the entries after it that probed past it. */
static void pid_remove(struct syslog_state *st, struct pid_slot *s)
{
	unsigned i = (unsigned)(s - st->pids), j = i;
	for (;;) {
		j = (j + 1) & (PID_SLOTS - 1);
		if (st->pids[j].held < 0)
			break;
		unsigned home = pid_hash(st->pids[j].pid);
		/* j's entry may move to i when its home is not in (i, j]. */
		if (((j - home) & (PID_SLOTS - 1)) >= ((j - i) & (PID_SLOTS - 1))) {
			st->pids[i] = st->pids[j];
			i = j;
		}
	}
	st->pids[i].held = -1;
}

/* Whether the oldest held message may be handed out now. */
static bool head_whole(const struct syslog_state *st)
{
	const struct held *h = &st->held[st->head];
	return h->ended || st->eof
		|| lr_lineno(st->ctx->lr) - h->last_line >= LOOKAHEAD_LINES;
}

/* Takes the oldest held message out; it stays readable until the next
 * message is held. */
static struct held *pop_head(struct syslog_state *st)
{
	struct held *h = &st->held[st->head];
	struct pid_slot *s = pid_find(st, h->pid);
	if (s->held == (int)st->head)
		pid_remove(st, s);
	st->head = (st->head + 1) % HELD_MAX;
	st->nheld--;
	return h;
}

/* Reads one line into the held messages. Returns false when the line was
 * handed back to the reader because HELD_MAX messages are held. */
static bool take_line(struct syslog_state *st, const char *s, size_t len)
{
	struct line_reader *lr = st->ctx->lr;
	uint64_t lineno = lr_lineno(lr);
	struct syslog_line l;
	if (!syslog_parse_line(s, len, &l)) {
		parse_skip(st->ctx, lineno, "not a syslog line");
		return true;
	}
	/* The server's syslog_ident: the first program whose lines are
	 * numbered or carry the prefix. */
	if (!st->ident[0] && is_ident_line(st, &l)) {
		memcpy(st->ident, l.ident.ptr, l.ident.len);
		st->ident[l.ident.len] = '\0';
	}
	if (!st->ident[0] || !slice_eq(l.ident, st->ident)) {
		st->foreign++;
		return true;
	}
	struct pid_slot *ps = l.numbered ? pid_find(st, l.pid) : NULL;
	struct held *open = ps && ps->held >= 0 ? &st->held[ps->held] : NULL;
	if (open && l.chunk != 1 && l.seq == open->seq && l.chunk == open->chunk + 1) {
		join_piece(st, open, l.rest);
		open->chunk = l.chunk;
		open->last_line = lineno;
		return true;
	}
	if (l.numbered && l.chunk != 1) {
		if (open) {
			open->ended = true;
			pid_remove(st, ps);
		}
		parse_skip(st->ctx, lineno, "continuation piece of a message whose first piece is missing");
		return true;
	}
	if (st->nheld == HELD_MAX) {
		lr_unread(lr);
		return false;
	}
	syslog_year_apply(&st->year, &l);
	/* A process's new message ends the one before it. */
	if (open) {
		open->ended = true;
		pid_remove(st, ps);
	}
	unsigned at = (st->head + st->nheld) % HELD_MAX;
	struct held *h = &st->held[at];
	st->nheld++;
	/* A huge statement's buffer is not kept for every later message. */
	if (h->text.cap > HELD_KEEP)
		sb_release(&h->text);
	sb_reset(&h->text);
	append_decoded(&h->text, l.rest);
	h->ts_ms = l.ts_ms;
	h->pid = l.pid;
	h->first_line = h->last_line = lineno;
	h->seq = l.seq;
	h->chunk = l.chunk;
	h->prev_len = h->text.len;
	h->ended = !l.numbered;         /* unnumbered: nothing can join it */
	if (l.numbered) {
		ps = pid_find(st, l.pid);
		ps->pid = l.pid;
		ps->held = (int)at;
	}
	return true;
}

static int syslog_next(void *state, struct record *out)
{
	struct syslog_state *st = state;
	struct line_reader *lr = st->ctx->lr;
	const char *s;
	size_t len;
	for (;;) {
		bool full = false;
		while (!st->eof && !full && !(st->nheld && head_whole(st))) {
			if (!lr_next(lr, &s, &len))
				st->eof = true;
			else if (len)
				full = !take_line(st, s, len);
		}
		if (!st->nheld)
			break;
		if (!head_whole(st))
			st->early++;
		struct held *h = pop_head(st);
		if (build_entry(st, h, &out->u.log)) {
			out->kind = REC_LOG_ENTRY;
			out->u.log.line = h->first_line;
			return 1;
		}
		parse_skip(st->ctx, h->first_line, "syslog message does not start with the log_line_prefix and a severity");
	}
	if (st->foreign) {
		parse_note(st->ctx, "%llu lines of other programs than '%s' ignored",
			(unsigned long long)st->foreign, st->ident[0] ? st->ident : "postgres");
		st->foreign = 0;
	}
	if (st->early) {
		parse_note(st->ctx, "%llu messages were taken as whole before their process "
			"logged its next one, %d being held at once (a later piece of one is "
			"reported as a piece without its first)", (unsigned long long)st->early,
			HELD_MAX);
		st->early = 0;
	}
	return 0;
}

static void syslog_close(void *state)
{
	struct syslog_state *st = state;
	if (!st)
		return;
	prefix_memo_free(st->memo);
	prefix_free(st->prefix);
	for (unsigned i = 0; st->held && i < HELD_MAX; i++)
		sb_release(&st->held[i].text);
	free(st->held);
	free(st->pids);
	sb_release(&st->line);
	free(st);
}

/* A cut: where no message of the server is split (syslog_cut.c), within
 * the look-ahead one reader joins pieces over. */
static size_t syslog_record_start(void *state, const char *buf, size_t len)
{
	const struct syslog_state *st = state;
	return syslog_first_cut(st->ident, buf, len, LOOKAHEAD_LINES);
}

static void *syslog_fork(void *state, struct parse_ctx *ctx)
{
	const struct syslog_state *from = state;
	char err[256];
	struct syslog_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	/* It compiled once already: only memory can fail, and that aborts. */
	st->prefix = prefix_compile(prefix_spec(from->prefix), err, sizeof(err));
	if (!st->prefix) {
		free(st);
		return NULL;
	}
	memcpy(st->ident, from->ident, sizeof(st->ident));
	st->year = from->year;
	st->year.last_month = 0;
	st->year.forked = true;
	syslog_alloc(st);
	return st;
}

const struct parser parser_syslog = {
	.id = "syslog", .name = "PostgreSQL via syslog",
	.probe = syslog_probe,
	.open = syslog_open, .next = syslog_next, .close = syslog_close,
	.record_start = syslog_record_start, .fork = syslog_fork,
};
