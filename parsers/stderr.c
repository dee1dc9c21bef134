/* stderr.c: PostgreSQL's stderr log form (log_destination = 'stderr').
 *
 * A record is a line that starts with the log_line_prefix and a severity,
 * followed by its continuation lines: the server starts every further line
 * of a message (multi-line statements, plans, parameter values with
 * newlines) with a tab. Anything else (pg_ctl output, a torn line) is not
 * a record: it is skipped, counted and reported. The prefix is --prefix
 * when given, else detected from the first lines. The DETAIL, STATEMENT,
 * ... lines of a message are stitched onto it (logentry.h), as csvlog and
 * jsonlog carry them in columns. */
#include <stdlib.h>
#include <string.h>

#include "logentry.h"
#include "parser.h"
#include "prefix.h"
#include "timeutil.h"

#define PROBE_BYTES (256 * 1024)

struct stderr_state {
	struct parse_ctx *ctx;
	struct prefix *prefix;
	struct prefix_memo *memo;       /* this input's: one thread reads it */
	struct entry_builder b;
	/* The line read past the last record, with its match in
	 * fb[ahead], so that it is not matched twice. The record's own
	 * match is in the other one: two buffers, not a 300-byte copy. */
	const char *ahead_line;
	size_t ahead_len;
	bool ahead_ok;
	unsigned ahead;
	struct prefix_fields fb[2];
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

static struct stderr_state *stderr_new(struct parse_ctx *ctx, struct prefix *p)
{
	struct stderr_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	st->prefix = p;
	st->memo = prefix_memo_new(p);
	return st;
}

static void *stderr_open(struct parse_ctx *ctx)
{
	char err[256];
	const char *spec = ctx->opts ? ctx->opts->prefix : NULL;
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
	return stderr_new(ctx, p);
}

static void *stderr_fork(void *state, struct parse_ctx *ctx)
{
	const struct stderr_state *from = state;
	char err[256];
	/* It compiled once already: only memory can fail, and that aborts. */
	struct prefix *p = prefix_compile(prefix_spec(from->prefix), err, sizeof(err));
	return p ? stderr_new(ctx, p) : NULL;
}

static void stderr_reset(void *state)
{
	struct stderr_state *st = state;
	st->ahead_line = NULL;
	st->b = (struct entry_builder){ 0 };
}

/* A record starts at a line of the prefix that is not a part (DETAIL...)
 * of the message before it: the parser ends a record there too. */
static bool starts_entry(void *state, const char *line, size_t n)
{
	const struct stderr_state *st = state;
	struct prefix_fields f;
	return n && line[0] != '\t' && prefix_match(st->prefix, line, n, &f)
		&& !logentry_is_part(f.severity);
}

static size_t stderr_record_start(void *state, const char *buf, size_t len)
{
	return parse_first_line(buf, len, starts_entry, state);
}

/* Matches line, reusing the match made while looking ahead when the
 * reader hands the same line back. Returns the match, NULL for none. */
static const struct prefix_fields *match_line(struct stderr_state *st,
		const char *line, size_t len)
{
	if (st->ahead_line) {
		bool same = st->ahead_line == line && st->ahead_len == len;
		st->ahead_line = NULL;
		if (same)
			return st->ahead_ok ? &st->fb[st->ahead] : NULL;
	}
	struct prefix_fields *f = &st->fb[st->ahead ^ 1];
	return prefix_match_memo(st->memo, line, len, f) ? f : NULL;
}

static int stderr_next(void *state, struct record *out)
{
	struct stderr_state *st = state;
	struct line_reader *lr = st->ctx->lr;
	const struct prefix_fields *f;
	const char *line;
	size_t len;
	uint64_t first_line;
	bool over, unread;

again:
	for (;;) {
		if (!lr_next(lr, &line, &len))
			return 0;
		if (len == 0)
			continue;       /* blank lines carry nothing; not counted */
		if (line[0] == '\t') {
			parse_skip(st->ctx, lr_lineno(lr), "continuation line without a record before it");
			continue;
		}
		if ((f = match_line(st, line, len)))
			break;
		parse_skip(st->ctx, lr_lineno(lr), "not a log line (does not start with the log_line_prefix and a severity)");
	}

	first_line = lr_lineno(lr);
	over = unread = false;
	lr_mark(lr);
	unsigned next = f == &st->fb[0];
	struct prefix_fields *nf = &st->fb[next];
	eb_begin_in(&st->b, &out->u.log, f, line, lr_marked(lr));
	eb_primary_end(&st->b, line, len, lr_marked(lr));
	/* The message's continuation lines (tab-led) and its DETAIL, HINT,
	 * CONTEXT, STATEMENT, QUERY lines from the same backend belong to it.
	 * The mark keeps the whole record contiguous in the reader's buffer;
	 * offsets survive the buffer moving on refills. */
	while (lr_next(lr, &line, &len)) {
		const char *base = lr_marked(lr);
		/* A record is held whole in memory: past LR_LINE_MAX bytes it
		 * is skipped, its lines read and dropped (README, "Limits"). */
		if (!over && (size_t)(line - base) + len > LR_LINE_MAX) {
			over = true;
			lr_unmark(lr);
		}
		if (len > 0 && line[0] == '\t') {
			if (!over)
				eb_continue(&st->b, line, len, base);
			continue;
		}
		bool ok = len > 0 && prefix_match_memo(st->memo, line, len, nf);
		if (ok && logentry_is_part(nf->severity) && nf->pid == f->pid) {
			if (!over)
				eb_part(&st->b, nf, line, len, base);
			continue;
		}
		st->ahead = next;
		st->ahead_line = line;
		st->ahead_len = len;
		st->ahead_ok = ok;
		lr_unread(lr);
		unread = true;
		break;
	}
	if (over) {
		uint64_t last = lr_lineno(lr) - unread;
		parse_skip(st->ctx, first_line, "a record longer than %zu MiB (lines %llu to %llu), skipped",
			LR_LINE_MAX >> 20, (unsigned long long)first_line, (unsigned long long)last);
		parse_skipped(st->ctx, last - first_line);
		goto again;
	}

	out->kind = REC_LOG_ENTRY;
	eb_finish(&st->b, lr_marked(lr), &out->u.log);
	out->u.log.line = first_line;
	return 1;
}

static void stderr_close(void *state)
{
	struct stderr_state *st = state;
	if (!st)
		return;
	prefix_memo_free(st->memo);
	prefix_free(st->prefix);
	free(st);
}

const struct parser parser_stderr = {
	.id = "stderr", .name = "PostgreSQL stderr log",
	.probe = stderr_probe,
	.open = stderr_open, .next = stderr_next, .close = stderr_close,
	.record_start = stderr_record_start, .fork = stderr_fork,
	.reset = stderr_reset,
};
