/* parse_testutil.h: running a parser over an in-memory input through the
 * core's own driver, for the parser suites.
 *
 * No suite pulls records by hand: run_text() hands the buffer to
 * driver_run_input() (sink.h) with one test sink that takes every kind of
 * record and copies it out (log entries, spans, stat rows), so the tests
 * see the same loop, record defaults, format detection and report
 * counting as a real run. The sink also checks what a hand loop saw for
 * itself: each record is of the kind the suite expects, every record came
 * before the end of its input, and the input ended once. Static inline:
 * each test file uses what it needs, with no unused warnings. */
#ifndef PGSIFT_PARSE_TESTUTIL_H
#define PGSIFT_PARSE_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "parser.h"
#include "sink.h"

/* ---- what the sink copies out ---- */

enum { S_TZ, S_USER, S_DB, S_APP, S_HOST, S_SESSION, S_SQLSTATE, S_QUERY_ID,
	S_BACKEND, S_MESSAGE, S_DETAIL, S_HINT, S_CONTEXT, S_STATEMENT,
	S_INTERNAL, NSTR };

/* A log entry copied out of the parser (its slices die at the next call). */
struct got {
	uint64_t line;
	int64_t ts_ms, pid, leader_pid;
	bool tz_known, tab_continued;
	enum severity sev;
	char *s[NSTR];          /* "" for a field the parser left unset */
	unsigned unset;         /* bit i: s[i]'s slice had no pointer */
};

enum { SP_TRACE, SP_SPAN, SP_PARENT, SP_OP, SP_DESC, SP_TXN, SP_DBSYS,
	SP_HASH, SP_DB, SP_USER, SP_APP, NSP };

/* A span copied out. */
struct got_span {
	uint64_t line;
	double start_ms, duration_ms;
	bool is_db, is_segment;
	char *s[NSP];           /* "" for a field the parser left unset */
};

/* A statistics snapshot row copied out. */
struct got_row {
	uint64_t line;
	enum stat_view view;
	size_t ncols;
	char **names, **values;
};

/* One input's run: its report and every record of it. The strings are
 * the run's, freed by run_free(). */
struct run {
	struct input_report report;
	enum record_kind kind;  /* the only kind the parser may yield */
	struct got *g;          /* log entries */
	size_t n, cap;
	struct got_span *sp;    /* spans */
	size_t nsp, capsp;
	struct got_row *rows;   /* stat rows */
	size_t nrows, caprows;
	size_t ends;            /* end_input calls the sink got */
	bool opened;            /* the parser started (the input is readable) */
};

/* Returns a copy of s (the caller's), "" when s has no pointer. */
static inline char *dup_slice(struct slice s)
{
	return s.ptr ? strndup(s.ptr, s.len) : strdup("");
}

/* Makes room for one more of *v (of size sz), n of cap in use. */
static inline void *grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	v = realloc(v, *cap * sz);
	ck_assert_ptr_nonnull(v);
	return v;
}

static inline void copy_log(struct run *r, const struct log_entry *e)
{
	r->g = grow(r->g, r->n, &r->cap, sizeof(*r->g));
	struct got *g = &r->g[r->n++];
	g->line = e->line;
	g->ts_ms = e->ts_ms;
	g->pid = e->pid;
	g->leader_pid = e->leader_pid;
	g->tz_known = e->tz_known;
	g->tab_continued = e->tab_continued;
	g->sev = e->severity;
	g->unset = 0;
	const struct slice *f[NSTR] = {
		[S_TZ] = &e->tz, [S_USER] = &e->user, [S_DB] = &e->db,
		[S_APP] = &e->app, [S_HOST] = &e->host, [S_SESSION] = &e->session,
		[S_SQLSTATE] = &e->sqlstate, [S_QUERY_ID] = &e->query_id,
		[S_BACKEND] = &e->backend_type, [S_MESSAGE] = &e->message,
		[S_DETAIL] = &e->detail, [S_HINT] = &e->hint,
		[S_CONTEXT] = &e->context, [S_STATEMENT] = &e->statement,
		[S_INTERNAL] = &e->internal_query,
	};
	for (int i = 0; i < NSTR; i++) {
		if (!f[i]->ptr)
			g->unset |= 1u << i;
		g->s[i] = dup_slice(*f[i]);
	}
}

static inline void copy_span(struct run *r, const struct span_record *s)
{
	r->sp = grow(r->sp, r->nsp, &r->capsp, sizeof(*r->sp));
	struct got_span *g = &r->sp[r->nsp++];
	g->line = s->line;
	g->start_ms = s->start_ms;
	g->duration_ms = s->duration_ms;
	g->is_db = s->is_db;
	g->is_segment = s->is_segment;
	const struct slice *f[NSP] = {
		[SP_TRACE] = &s->trace_id, [SP_SPAN] = &s->span_id,
		[SP_PARENT] = &s->parent_id, [SP_OP] = &s->op,
		[SP_DESC] = &s->description, [SP_TXN] = &s->transaction,
		[SP_DBSYS] = &s->db_system, [SP_HASH] = &s->hash,
		[SP_DB] = &s->db, [SP_USER] = &s->user, [SP_APP] = &s->app,
	};
	for (int i = 0; i < NSP; i++)
		g->s[i] = dup_slice(*f[i]);
}

static inline void copy_row(struct run *r, const struct stat_row *row)
{
	r->rows = grow(r->rows, r->nrows, &r->caprows, sizeof(*r->rows));
	struct got_row *g = &r->rows[r->nrows++];
	g->line = row->line;
	g->view = row->view;
	g->ncols = row->ncols;
	g->names = calloc(row->ncols + 1, sizeof(*g->names));
	g->values = calloc(row->ncols + 1, sizeof(*g->values));
	ck_assert(g->names && g->values);
	for (size_t i = 0; i < row->ncols; i++) {
		g->names[i] = dup_slice(row->names[i]);
		g->values[i] = dup_slice(row->values[i]);
	}
}

/* ---- the test sink ---- */

static inline void got_consume(void *state, size_t input, const struct record *rec)
{
	struct run *r = state;
	ck_assert_uint_eq(input, 0);
	/* What the hand loop saw: every record before the parser's end. */
	ck_assert_msg(r->ends == 0, "a record after the end of its input");
	ck_assert_int_eq(rec->kind, r->kind);
	switch (rec->kind) {
	case REC_LOG_ENTRY:
	case REC_POOLER:
		copy_log(r, &rec->u.log);
		break;
	case REC_SPAN:
		copy_span(r, &rec->u.span);
		break;
	case REC_STAT_ROW:
		copy_row(r, &rec->u.row);
		break;
	}
}

static inline void got_end_input(void *state, size_t input)
{
	struct run *r = state;
	ck_assert_uint_eq(input, 0);
	r->ends++;
}

/* Runs lr (read, not closed) through the core's driver under cfg (its
 * input_format NULL: detected, as a run does) into the test sink; path
 * only names the input ("-": stdin). Every record must be of kind. */
static inline void run_input(const struct driver_cfg *cfg, const char *path,
		struct line_reader *lr, enum record_kind kind, struct run *r)
{
	static const struct sink_ops got_ops = {
		.name = "test",
		.kinds = REC_BIT(REC_LOG_ENTRY) | REC_BIT(REC_SPAN) | REC_BIT(REC_STAT_ROW) |
			REC_BIT(REC_POOLER),
		.consume = got_consume, .end_input = got_end_input,
	};
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (cfg->input_format)
		ck_assert_ptr_nonnull(parser_find(cfg->input_format));
	struct sink sink = { &got_ops, r };
	struct sinks sinks = { &sink, 1 };
	driver_run_input(cfg, path, lr, 0, &sinks, &r->report);
	r->opened = !r->report.unreadable;
	/* Each record the parser produced reached the sink, and a parser that
	 * started saw its input to the end, once. */
	ck_assert_uint_eq(r->report.records, r->n + r->nsp + r->nrows);
	ck_assert_uint_eq(r->ends, r->opened ? 1 : 0);
}

/* Runs text under cfg; chunk 0 keeps the reader's default. */
static inline void run_text(const struct driver_cfg *cfg, const char *text,
		size_t len, size_t chunk, enum record_kind kind, struct run *r)
{
	struct line_reader *lr = lr_open_mem(text, len);
	if (chunk)
		lr_set_chunk_size(lr, chunk);
	run_input(cfg, "mem", lr, kind, r);
	lr_close(lr);
}

/* Runs log parser id over lr. csvlog and jsonlog fill every field of an
 * entry, so none may be left unset. */
static inline void run_lr(const char *id, struct line_reader *lr, struct run *r)
{
	struct driver_cfg cfg = { .input_format = id };
	run_input(&cfg, "mem", lr, REC_LOG_ENTRY, r);
	for (size_t i = 0; i < r->n; i++)
		ck_assert_msg(r->g[i].unset == 0, "entry %zu: fields 0x%x unset", i, r->g[i].unset);
}

/* Runs log parser id on text; chunk 0 keeps the reader's default. */
static inline void run_mem(const char *id, const char *text, size_t len, size_t chunk, struct run *r)
{
	struct line_reader *lr = lr_open_mem(text, len);
	if (chunk)
		lr_set_chunk_size(lr, chunk);
	run_lr(id, lr, r);
	lr_close(lr);
}

/* How many of r's spans the parser judged database spans. */
static inline size_t spans_db(const struct run *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nsp; i++)
		n += r->sp[i].is_db;
	return n;
}

/* How many of r's spans are segments (transactions). */
static inline size_t spans_segments(const struct run *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nsp; i++)
		n += r->sp[i].is_segment;
	return n;
}

static inline void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < NSTR; k++)
			free(r->g[i].s[k]);
	free(r->g);
	for (size_t i = 0; i < r->nsp; i++)
		for (int k = 0; k < NSP; k++)
			free(r->sp[i].s[k]);
	free(r->sp);
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < r->rows[i].ncols; k++) {
			free(r->rows[i].names[k]);
			free(r->rows[i].values[k]);
		}
		free(r->rows[i].names);
		free(r->rows[i].values);
	}
	free(r->rows);
	parse_report_release(&r->report);
}

#endif
