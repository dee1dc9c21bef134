/* logparse_testutil.h: running a log parser (csvlog, jsonlog) over a
 * buffer and copying every entry out, for the parser suites. Static
 * inline: each test file uses what it needs, with no unused warnings. */
#ifndef PGSIFT_LOGPARSE_TESTUTIL_H
#define PGSIFT_LOGPARSE_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "input.h"
#include "parser.h"

/* ---- collecting records ---- */

enum { S_TZ, S_USER, S_DB, S_APP, S_HOST, S_SESSION, S_SQLSTATE, S_QUERY_ID,
	S_BACKEND, S_MESSAGE, S_DETAIL, S_HINT, S_CONTEXT, S_STATEMENT,
	S_INTERNAL, NSTR };

/* A record copied out of the parser (its slices die at the next call). */
struct got {
	uint64_t line;
	int64_t ts_ms, pid, leader_pid;
	bool tz_known, tab_continued;
	enum severity sev;
	char *s[NSTR];
};

struct run {
	struct input_report report;
	struct got *g;
	size_t n, cap;
	bool opened;
};

static inline char *dup_slice(struct slice s)
{
	ck_assert(s.ptr != NULL);
	return strndup(s.ptr, s.len);
}

static inline void run_lr(const char *id, struct line_reader *lr, struct run *r)
{
	static const struct parse_options o;
	memset(r, 0, sizeof(*r));
	const struct parser *p = parser_find(id);
	ck_assert_ptr_nonnull(p);
	struct parse_ctx ctx = { .lr = lr, .path = "mem", .opts = &o, .report = &r->report };
	void *st = p->open(&ctx);
	r->opened = st != NULL;
	if (!st)
		return;
	struct record rec;
	for (;;) {
		memset(&rec, 0, sizeof(rec));
		rec.u.log.pid = rec.u.log.leader_pid = -1;
		if (p->next(st, &rec) <= 0)
			break;
		ck_assert_int_eq(rec.kind, REC_LOG_ENTRY);
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->g = realloc(r->g, r->cap * sizeof(*r->g));
		}
		const struct log_entry *e = &rec.u.log;
		struct got *g = &r->g[r->n++];
		g->line = e->line;
		g->ts_ms = e->ts_ms;
		g->pid = e->pid;
		g->leader_pid = e->leader_pid;
		g->tz_known = e->tz_known;
		g->tab_continued = e->tab_continued;
		g->sev = e->severity;
		const struct slice *f[NSTR] = {
			[S_TZ] = &e->tz, [S_USER] = &e->user, [S_DB] = &e->db,
			[S_APP] = &e->app, [S_HOST] = &e->host, [S_SESSION] = &e->session,
			[S_SQLSTATE] = &e->sqlstate, [S_QUERY_ID] = &e->query_id,
			[S_BACKEND] = &e->backend_type, [S_MESSAGE] = &e->message,
			[S_DETAIL] = &e->detail, [S_HINT] = &e->hint,
			[S_CONTEXT] = &e->context, [S_STATEMENT] = &e->statement,
			[S_INTERNAL] = &e->internal_query,
		};
		for (int i = 0; i < NSTR; i++)
			g->s[i] = dup_slice(*f[i]);
	}
	p->close(st);
}

/* Runs the parser on text; chunk 0 keeps the reader's default. */
static inline void run_mem(const char *id, const char *text, size_t len, size_t chunk, struct run *r)
{
	struct line_reader *lr = lr_open_mem(text, len);
	if (chunk)
		lr_set_chunk_size(lr, chunk);
	run_lr(id, lr, r);
	lr_close(lr);
}

static inline void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < NSTR; k++)
			free(r->g[i].s[k]);
	free(r->g);
	for (size_t i = 0; i < r->report.nkept; i++)
		free(r->report.problems[i].message);
	for (size_t i = 0; i < r->report.nnotes; i++)
		free(r->report.notes[i]);
	free(r->report.notes);
}

#endif
