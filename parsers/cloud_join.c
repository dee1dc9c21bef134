/* cloud_join.c: the server's lines out of a cloud's entries, joined back
 * into messages per backend (see cloud_int.h).
 *
 * stderr writes a message whole: its first line, its tab-led lines, its
 * DETAIL, STATEMENT, ... lines, one after the other. A cloud ships each
 * line (or each line with its tab-led ones) as an entry of its own, and
 * entries of other backends may come between them. So a message stays
 * open, keyed by its backend's pid (the prefix's %p, else the wrapper's),
 * while later lines may still belong to it: a part line joins the open
 * message of its backend, a tab-led line that of its wrapper's pid or,
 * without one, the open message stamped with its time, else the one
 * added to last; any other line is reported, as stderr does. A message is
 * complete when its backend starts another one, or JOIN_WINDOW lines went
 * by without one for it; messages are handed out in the order they
 * started, so records come in the log's order. Without any pid every
 * message has the same key and this is stderr's rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "logentry.h"
#include "prefix.h"
#include "strbuf.h"
#include "timeutil.h"

/* Lines after its last one past which a message takes no more: a cloud
 * delivers a backend's lines close together (a few hundred milliseconds
 * on a busy server); a later part line of that pid then starts an entry
 * of its own, as stderr's orphan parts do. */
#define JOIN_WINDOW 64
/* Messages open at once, at most (memory stays bounded on any input). */
#define JOIN_MAX 512

struct pend {
	int64_t key;            /* the backend: pid, -1 when unknown */
	int64_t wpid, wts;      /* the wrapper's pid and time */
	uint64_t line;          /* the wrapper entry of its first line */
	uint64_t touched;       /* j->nadd when a line was last added */
	bool done;
	struct strbuf text;     /* its lines in stderr form */
};

struct cloud_join {
	struct parse_ctx *ctx;
	struct prefix *prefix;
	struct prefix_memo *memo;
	const char *what;
	struct pend **q;        /* open and complete messages, oldest first */
	size_t nq, cap;
	struct pend **spare;
	size_t nspare, spare_cap;
	struct pend *out;       /* the message the last record points into */
	int64_t last_key;
	bool have_last;
	uint64_t nadd;
	struct entry_builder b;
};

struct cloud_join *cloud_join_open(struct parse_ctx *ctx, const char *sample,
		size_t len, const char *what, const char *dflt)
{
	char err[256];
	const char *spec = ctx->opts ? ctx->opts->prefix : NULL;
	if (!spec) {
		unsigned matched = 0, tried = 0;
		spec = prefix_detect(sample, len, &matched, &tried);
		if (!spec && !len) {
			parse_problem(ctx, 0, "no line of the server's log %s among its first "
				"entries (only other services', or none)", what);
			return NULL;
		}
		if (!spec && dflt) {
			parse_note(ctx, "no log_line_prefix detected %s: the cloud's default "
				"'%s' taken; --prefix overrides it", what, dflt);
			spec = dflt;
		} else if (!spec) {
			char hint[512];
			if (prefix_suggest(sample, len, hint, sizeof(hint)))
				parse_problem(ctx, 0, "no known log_line_prefix fits the server's "
					"lines %s; pass the server's setting, e.g. --prefix '%s'",
					what, hint);
			else
				parse_problem(ctx, 0, "no known log_line_prefix fits the server's "
					"lines %s; pass the server's setting with --prefix", what);
			return NULL;
		}
		else
			parse_note(ctx, "log_line_prefix '%s' detected %s (%u of %u lines "
				"fit); --prefix overrides it", spec, what, matched, tried);
	}
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	if (!p) {
		parse_problem(ctx, 0, "bad --prefix '%s': %s", spec, err);
		return NULL;
	}
	struct cloud_join *j = xcalloc(1, sizeof(*j));
	j->ctx = ctx;
	j->prefix = p;
	j->memo = prefix_memo_new(p);
	j->what = what;
	return j;
}

static void pend_free(struct pend *p)
{
	if (!p)
		return;
	sb_release(&p->text);
	free(p);
}

void cloud_join_free(struct cloud_join *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->nq; i++)
		pend_free(j->q[i]);
	for (size_t i = 0; i < j->nspare; i++)
		pend_free(j->spare[i]);
	pend_free(j->out);
	free(j->q);
	free(j->spare);
	prefix_memo_free(j->memo);
	prefix_free(j->prefix);
	free(j);
}

static struct pend *pend_get(struct cloud_join *j)
{
	struct pend *p = j->nspare ? j->spare[--j->nspare] : xcalloc(1, sizeof(*p));
	sb_reset(&p->text);
	p->done = false;
	return p;
}

static void pend_put(struct cloud_join *j, struct pend *p)
{
	if (j->nspare == j->spare_cap) {
		j->spare_cap = j->spare_cap ? 2 * j->spare_cap : 16;
		j->spare = xrealloc(j->spare, j->spare_cap * sizeof(*j->spare));
	}
	j->spare[j->nspare++] = p;
}

/* The open message of backend key, newest first; NULL when none. */
static struct pend *find_open(struct cloud_join *j, int64_t key)
{
	for (size_t i = j->nq; i-- > 0;) {
		struct pend *p = j->q[i];
		if (p->key == key && !p->done)
			return p->touched + JOIN_WINDOW >= j->nadd ? p : NULL;
	}
	return NULL;
}

/* Without a pid, the open message whose wrapper has the same time as a
 * line's: the server writes a message's lines at once, so a cloud stamps
 * them alike, while they may arrive after another backend's line. The
 * newest such; NULL when none, or without a time. */
static struct pend *find_same_time(struct cloud_join *j, int64_t ts)
{
	if (ts == TS_NONE)
		return NULL;
	for (size_t i = j->nq; i-- > 0;) {
		struct pend *p = j->q[i];
		if (p->wts == ts && !p->done && p->touched + JOIN_WINDOW >= j->nadd)
			return p;
	}
	return NULL;
}

static void start_message(struct cloud_join *j, int64_t key, uint64_t line,
		const char *s, size_t n, int64_t wpid, int64_t wts)
{
	struct pend *old = find_open(j, key);
	if (old)
		old->done = true;
	if (j->nq == JOIN_MAX)
		j->q[0]->done = true;   /* the oldest takes no more */
	if (j->nq == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 64;
		j->q = xrealloc(j->q, j->cap * sizeof(*j->q));
	}
	struct pend *p = pend_get(j);
	p->key = key;
	p->wpid = wpid;
	p->wts = wts;
	p->line = line;
	p->touched = j->nadd;
	sb_append(&p->text, s, n);
	j->q[j->nq++] = p;
}

bool cloud_join_is_line(struct cloud_join *j, const char *line, size_t len)
{
	return len && (line[0] == '\t' || prefix_match(j->prefix, line, len, NULL));
}

/* One line of the server's text. */
static void add_line(struct cloud_join *j, uint64_t line, const char *s, size_t n,
		int64_t wpid, int64_t wts, bool glue)
{
	struct prefix_fields f;
	struct pend *p;
	j->nadd++;
	if (!glue && n && s[0] != '\t' && prefix_match_memo(j->memo, s, n, &f)) {
		int64_t key = f.pid >= 0 ? f.pid : wpid;
		j->last_key = key;
		j->have_last = true;
		if (logentry_is_part(f.severity) && (p = find_open(j, key))) {
			sb_putc(&p->text, '\n');
			sb_append(&p->text, s, n);
			p->touched = j->nadd;
			return;
		}
		start_message(j, key, line, s, n, wpid, wts);
		return;
	}
	/* Like stderr, a line continues a message only when tab-led (or
	 * glued by the wrapper's own numbering). */
	if (!glue && (!n || s[0] != '\t')) {
		parse_skip(j->ctx, line, "not a server log line (does not start with the "
			"log_line_prefix and a severity)");
		return;
	}
	int64_t key = wpid >= 0 ? wpid : j->have_last ? j->last_key : -1;
	if ((wpid < 0 && !glue && (p = find_same_time(j, wts))) || (p = find_open(j, key))) {
		if (!glue)
			sb_putc(&p->text, '\n');
		sb_append(&p->text, s, n);
		p->touched = j->nadd;
		return;
	}
	parse_skip(j->ctx, line, glue ? "piece of a line without the line's start before it"
		: "continuation line without a message of its backend before it");
}

void cloud_join_add(struct cloud_join *j, uint64_t line, const char *text,
		size_t len, int64_t pid, int64_t ts_ms, bool glue)
{
	const char *p = text, *end = text + len;
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n || glue)
			add_line(j, line, p, n, pid, ts_ms, glue);
		glue = false;
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Builds the entry of p's lines. */
static bool build_entry(struct cloud_join *j, struct pend *p, struct log_entry *e)
{
	const char *base = p->text.buf, *end = base + p->text.len;
	const char *nl = memchr(base, '\n', p->text.len);
	size_t n = nl ? (size_t)(nl - base) : p->text.len;
	struct prefix_fields f;
	if (!prefix_match_memo(j->memo, base, n, &f))
		return false;
	eb_begin(&j->b, &f, base, base);
	eb_primary_end(&j->b, base, n, base);
	for (const char *s = nl ? nl + 1 : end; s < end;) {
		const char *q = memchr(s, '\n', (size_t)(end - s));
		size_t ln = q ? (size_t)(q - s) : (size_t)(end - s);
		struct prefix_fields pf;
		if (ln && s[0] != '\t' && prefix_match(j->prefix, s, ln, &pf)
				&& logentry_is_part(pf.severity))
			eb_part(&j->b, &pf, s, ln, base);
		else
			eb_continue(&j->b, s, ln, base);
		s = q ? q + 1 : end;
	}
	eb_finish(&j->b, base, e);
	if (e->ts_ms == TS_NONE)
		e->ts_ms = p->wts;
	if (e->pid < 0)
		e->pid = p->wpid;
	e->line = p->line;
	return true;
}

int cloud_join_next(struct cloud_join *j, struct record *out, bool at_end)
{
	if (j->out) {
		pend_put(j, j->out);
		j->out = NULL;
	}
	while (j->nq) {
		struct pend *p = j->q[0];
		if (!at_end && !p->done && p->touched + JOIN_WINDOW >= j->nadd)
			return 0;
		memmove(j->q, j->q + 1, (j->nq - 1) * sizeof(*j->q));
		j->nq--;
		j->out = p;
		if (build_entry(j, p, &out->u.log)) {
			out->kind = REC_LOG_ENTRY;
			return 1;
		}
		parse_skip(j->ctx, p->line, "not a server log line %s", j->what);
	}
	return 0;
}

void cloud_foreign_add(struct parse_ctx *ctx, struct cloud_foreign *f,
		const char *name, size_t len)
{
	char buf[sizeof(f->names[0])];
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	memcpy(buf, name, n);
	buf[n] = '\0';
	f->n++;
	parse_skipped(ctx, 1);
	for (unsigned i = 0; i < f->nnames; i++)
		if (strcmp(f->names[i], buf) == 0)
			return;
	if (f->nnames < CLOUD_FOREIGN_NAMES)
		memcpy(f->names[f->nnames++], buf, n + 1);
}

void cloud_foreign_note(struct parse_ctx *ctx, const struct cloud_foreign *f,
		const char *what)
{
	char names[CLOUD_FOREIGN_NAMES * 52 + 8] = "";
	size_t at = 0;
	if (!f->n)
		return;
	for (unsigned i = 0; i < f->nnames; i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s",
			i ? ", " : "", f->names[i]);
	if (f->nnames == CLOUD_FOREIGN_NAMES)
		snprintf(names + at, sizeof(names) - at, ", ...");
	parse_note(ctx, "%llu %s of other services skipped (%s)",
		(unsigned long long)f->n, what, names);
}
