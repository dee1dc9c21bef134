/* logparse_testutil.h: running a log parser (csvlog, jsonlog) over a
 * buffer through the core's driver and copying every entry out, for the
 * parser suites. Static
 * inline: each test file uses what it needs, with no unused warnings. */
#ifndef PGSIFT_LOGPARSE_TESTUTIL_H
#define PGSIFT_LOGPARSE_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "parser.h"
#include "sink.h"

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

/* The test's sink: copies every log entry out into the run. */
static inline void got_consume(void *state, size_t input, const struct record *rec)
{
	struct run *r = state;
	(void)input;
	ck_assert_int_eq(rec->kind, REC_LOG_ENTRY);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->g = realloc(r->g, r->cap * sizeof(*r->g));
	}
	const struct log_entry *e = &rec->u.log;
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

/* Runs parser id over lr through the core's own driver (sink.h), into a
 * sink that collects the entries. */
static inline void run_lr(const char *id, struct line_reader *lr, struct run *r)
{
	static const struct sink_ops got_ops = {
		.name = "test", .kinds = REC_BIT(REC_LOG_ENTRY), .consume = got_consume,
	};
	memset(r, 0, sizeof(*r));
	ck_assert_ptr_nonnull(parser_find(id));
	struct sink sink = { &got_ops, r };
	struct sinks sinks = { &sink, 1 };
	struct driver_cfg cfg = { .input_format = id };
	driver_run_input(&cfg, "mem", lr, 0, &sinks, &r->report);
	r->opened = !r->report.unreadable;
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
	parse_report_release(&r->report);
}

#endif
