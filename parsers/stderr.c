/* stderr.c: PostgreSQL's stderr log form (log_destination = 'stderr').
 *
 * A record is a line that starts with the log_line_prefix and a severity,
 * followed by its continuation lines: the server starts every further line
 * of a message (multi-line statements, plans, parameter values with
 * newlines) with a tab. Anything else (pg_ctl output, a torn line) is not
 * a record: it is skipped, counted and reported. The prefix is --prefix
 * when given, else detected from the first lines. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "parser.h"
#include "prefix.h"
#include "timeutil.h"

#define PROBE_BYTES (256 * 1024)

struct stderr_state {
	struct parse_ctx *ctx;
	struct prefix *prefix;
	struct prefix_fields f;
};

static int stderr_probe(const char *buf, size_t len)
{
	unsigned matched, tried;
	if (prefix_detect(buf, len, &matched, &tried))
		return 60;
	/* Something like a server log with a prefix we do not know. */
	if (memmem(buf, len, "LOG:  ", 6) || memmem(buf, len, "ERROR:  ", 8))
		return 20;
	return 0;
}

static void *stderr_open(struct parse_ctx *ctx)
{
	char err[256];
	const char *spec = ctx->opts->prefix;
	if (!spec) {
		size_t len;
		const char *buf = lr_peek(ctx->lr, PROBE_BYTES, &len);
		unsigned matched = 0, tried = 0;
		spec = prefix_detect(buf, len, &matched, &tried);
		if (!spec) {
			char hint[512];
			if (prefix_suggest(buf, len, hint, sizeof(hint)))
				parse_problem(ctx, 0, "no known log_line_prefix fits its first "
					"lines; pass the server's setting, e.g. --prefix '%s' "
					"(SHOW log_line_prefix tells it)", hint);
			else
				parse_problem(ctx, 0, "no known log_line_prefix fits its first "
					"lines; pass the server's setting with --prefix "
					"(SHOW log_line_prefix tells it)");
			return NULL;
		}
		parse_note(ctx, "log_line_prefix '%s' detected (%u of %u lines fit); "
			"--prefix overrides it", spec, matched, tried);
	}
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	if (!p) {
		parse_problem(ctx, 0, "bad --prefix '%s': %s", spec, err);
		return NULL;
	}
	struct stderr_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	st->prefix = p;
	return st;
}

/* Moves a slice that pointed into the header line at old to the same
 * place under base (the reader may have moved the record on refill). */
static void rebase(struct slice *s, const char *old, const char *old_end,
		const char *base)
{
	if (s->len && s->ptr >= old && s->ptr < old_end)
		s->ptr = base + (s->ptr - old);
}

static int stderr_next(void *state, struct record *out)
{
	struct stderr_state *st = state;
	struct line_reader *lr = st->ctx->lr;
	struct prefix_fields *f = &st->f;
	const char *line;
	size_t len;

	for (;;) {
		if (!lr_next(lr, &line, &len))
			return 0;
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		if (line[0] == '\t') {
			parse_skip(st->ctx, lr_lineno(lr), "continuation line without a record before it");
			continue;
		}
		if (prefix_match(st->prefix, line, len, f))
			break;
		parse_skip(st->ctx, lr_lineno(lr), "not a log line (does not start with the log_line_prefix and a severity)");
	}

	uint64_t first_line = lr_lineno(lr);
	const char *head = line;
	size_t head_len = len;
	lr_mark(lr);
	/* Gather the tab-led continuation lines; the mark keeps the whole
	 * record contiguous in the reader's buffer. */
	const char *end_ptr = NULL;
	size_t end_off = len;
	while (lr_next(lr, &line, &len)) {
		if (len == 0 || line[0] != '\t') {
			lr_unread(lr);
			break;
		}
		end_ptr = line + len;
		end_off = (size_t)(end_ptr - lr_marked(lr));
	}
	const char *base = lr_marked(lr);
	(void)end_ptr;
	if (base != head) {
		rebase(&f->user, head, head + head_len, base);
		rebase(&f->db, head, head + head_len, base);
		rebase(&f->app, head, head + head_len, base);
		rebase(&f->host, head, head + head_len, base);
		rebase(&f->session, head, head + head_len, base);
		rebase(&f->remote, head, head + head_len, base);
		rebase(&f->sqlstate, head, head + head_len, base);
		rebase(&f->query_id, head, head + head_len, base);
		rebase(&f->backend_type, head, head + head_len, base);
		rebase(&f->tz, head, head + head_len, base);
	}

	struct log_entry *e = &out->u.log;
	out->kind = REC_LOG_ENTRY;
	e->line = first_line;
	e->ts_ms = f->ts_ms;
	e->tz_known = f->tz_known;
	e->tz = f->tz;
	e->pid = f->pid;
	e->user = f->user;
	e->db = f->db;
	e->app = f->app;
	e->host = f->host.len ? f->host : f->remote;
	e->session = f->session;
	e->sqlstate = f->sqlstate;
	e->query_id = f->query_id;
	e->backend_type = f->backend_type;
	e->severity = f->severity;
	e->message = slice_make(base + f->msg_off, end_off - f->msg_off);
	e->tab_continued = true;
	return 1;
}

static void stderr_close(void *state)
{
	struct stderr_state *st = state;
	if (!st)
		return;
	prefix_free(st->prefix);
	free(st);
}

const struct parser parser_stderr = {
	.id = "stderr", .name = "PostgreSQL stderr log",
	.probe = stderr_probe,
	.open = stderr_open, .next = stderr_next, .close = stderr_close,
};
