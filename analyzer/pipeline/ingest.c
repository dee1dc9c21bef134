/* ingest.c: log entries to calls (see ingest.h). */
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "pgmsg.h"
#include "plan.h"
#include "sink.h"
#include "strbuf.h"
#include "timeutil.h"

/* What a backend left waiting for its next message. */
struct backend {
	int64_t pid;            /* 0: free slot */
	int64_t seen_ts;        /* its latest entry's time, TS_NONE when none */
	bool has_plan;          /* an auto_explain plan awaits its duration line */
	bool has_stmt;          /* a log_statement text awaits its duration */
	bool has_plan_real;     /* has_plan came from a plan, not a bare duration */
	struct fp_entry *entry; /* the statement waited for */
	int64_t ts_ms;
	double plan_ms;
	struct strbuf query;    /* as logged, for the example */
	struct strbuf plan;     /* the plan's body, text or JSON form */
	const char *db, *user, *app;    /* interned */
	struct record_verdict v;        /* of the entry that gave db, user, app, ts */
	uint64_t pos;                   /* CALL_POS of that entry */
	bool stmt_execute;      /* the text waited for came from an execute */
	bool held_shadow;       /* it came from a shadow (sink.h): not counted */
	struct strbuf params;   /* DETAIL parameters of the text waited for */
	/* The call just made, for a DETAIL: parameters that follows. */
	struct group *last_group;
	int64_t last_ts;
	double last_ms;
	/* The call just made, for a plan that follows it: with the extended
	 * protocol auto_explain logs when the portal is dropped, after the
	 * execute's duration line. */
	struct fp_entry *prev_entry;
	struct group *prev_group;       /* NULL when the filters dropped it */
	bool prev_execute, prev_has_plan;
};

struct ingest {
	struct agg *agg;
	const struct sinks *calls;      /* who gets the calls made; may be NULL */
	const struct record_verdict *cur;       /* of the entry being fed */
	struct fp_cache *fp;
	const struct filter *filter;
	struct backend *backends;       /* open addressing by pid */
	size_t nbackends, used;
	int64_t max_ts;                 /* latest entry time of this input */
	size_t input;                   /* number of the input being fed */
	uint64_t pos;                   /* CALL_POS of the entry being fed */
	bool shadow;                    /* the entry being fed is a shadow (sink.h) */
	/* Where plans were cut short (CALL_POS; the first CUT_KEPT of each
	 * worker, all of them sorted when reported). */
	uint64_t *cut_pos;
	size_t ncut;
	struct strbuf text, plan_text, scratch, qtext;
	struct ingest_stats stats;
};

/* fp_entry->verdict values: the filter result cached per distinct text. */
enum { VERDICT_UNKNOWN = 0, VERDICT_PASS, VERDICT_FAIL };

struct ingest *ingest_new(struct agg *agg, struct fp_cache *fp,
		const struct filter *f, const struct sinks *calls)
{
	struct ingest *in = xcalloc(1, sizeof(*in));
	in->agg = agg;
	in->calls = calls;
	in->fp = fp;
	in->filter = f;
	in->nbackends = 256;
	in->backends = xcalloc(in->nbackends, sizeof(*in->backends));
	in->stats.first_ts = in->stats.last_ts = TS_NONE;
	in->max_ts = TS_NONE;
	return in;
}

/* Positions of cut plans kept: a problem each is kept per input, up to
 * INPUT_MAX_PROBLEMS of all its problems. */
#define CUT_KEPT 64
/* Flags on a kept position: the plan was whole but not JSON that jansson
 * reads (nested too deep), or it was whole and plan_parse() refused it. */
#define CUT_WHOLE (1ull << 62)
#define CUT_UNREAD (1ull << 63)

static void backends_clear(struct ingest *in)
{
	for (size_t i = 0; i < in->nbackends; i++) {
		sb_release(&in->backends[i].query);
		sb_release(&in->backends[i].plan);
		sb_release(&in->backends[i].params);
	}
	memset(in->backends, 0, in->nbackends * sizeof(*in->backends));
	in->used = 0;
}

void ingest_free(struct ingest *in)
{
	if (!in)
		return;
	backends_clear(in);
	free(in->backends);
	free(in->cut_pos);
	sb_release(&in->text);
	sb_release(&in->plan_text);
	sb_release(&in->scratch);
	sb_release(&in->qtext);
	free(in);
}

const struct ingest_stats *ingest_stats(const struct ingest *in)
{
	return &in->stats;
}

static size_t backend_slot(int64_t pid, size_t mask)
{
	return (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 32) & mask;
}

/* A backend silent this long (log time) with nothing pending is taken
 * for gone when the table fills: logs without log_disconnections never say
 * when a backend ends. What it keeps once idle only serves the lines right
 * after its last call (DETAIL parameters, the plan of an execute logged
 * when its portal is dropped), which an hour of silence does not split. */
#define BACKEND_IDLE_MS (3600 * 1000)

static bool backend_idle(const struct ingest *in, const struct backend *b)
{
	return b->pid > 0 && !b->has_plan && !b->has_stmt && b->seen_ts != TS_NONE
		&& in->max_ts != TS_NONE && b->seen_ts < in->max_ts - BACKEND_IDLE_MS;
}

/* Re-inserts the live backends into a table of n slots, dropping the
 * idle ones (their strbufs freed); the strbufs move with their slots. */
static void backends_rehash(struct ingest *in, size_t n)
{
	struct backend *old = in->backends;
	size_t oldn = in->nbackends;
	in->nbackends = n;
	in->backends = xcalloc(n, sizeof(*in->backends));
	in->used = 0;
	for (size_t k = 0; k < oldn; k++) {
		if (!old[k].pid || backend_idle(in, &old[k])) {
			sb_release(&old[k].query);
			sb_release(&old[k].plan);
			sb_release(&old[k].params);
			continue;
		}
		size_t j = backend_slot(old[k].pid, n - 1);
		while (in->backends[j].pid)
			j = (j + 1) & (n - 1);
		in->backends[j] = old[k];
		in->used++;
	}
	free(old);
}

static struct backend *backend_get(struct ingest *in, int64_t pid)
{
	if (pid <= 0)
		pid = -1;       /* not logged: all such entries share one slot */
	size_t mask = in->nbackends - 1;
	size_t i = backend_slot(pid, mask);
	for (;; i = (i + 1) & mask) {
		if (in->backends[i].pid == pid)
			return &in->backends[i];
		if (in->backends[i].pid == 0)
			break;
	}
	if ((in->used + 1) * 2 > in->nbackends) {
		size_t idle = 0;
		for (size_t k = 0; k < in->nbackends; k++)
			idle += backend_idle(in, &in->backends[k]);
		/* Same size when dropping the idle ones leaves it a quarter full. */
		size_t n = (in->used - idle + 1) * 4 > in->nbackends
			? in->nbackends * 2 : in->nbackends;
		backends_rehash(in, n);
		return backend_get(in, pid);
	}
	in->backends[i] = (struct backend){ .pid = pid, .seen_ts = TS_NONE };
	in->used++;
	return &in->backends[i];
}

static struct slice cstr(const char *s)
{
	return s ? slice_make(s, strlen(s)) : SLICE_EMPTY;
}

/* Whether a call of fe, from an entry with verdict v, counts: the window
 * and names were settled on the entry (sink.h); the text is judged here,
 * once per distinct text. */
static bool passes(struct ingest *in, struct fp_entry *fe,
		const struct record_verdict *v)
{
	if (!v->in_window || !v->names)
		return false;
	if (fe->verdict == VERDICT_UNKNOWN)
		fe->verdict = filter_text(in->filter, fe->norm, fe->norm_len)
			? VERDICT_PASS : VERDICT_FAIL;
	return fe->verdict == VERDICT_PASS;
}

/* Keeps plan body (either auto_explain form) as g's plan when it is the
 * slowest seen, converted to EXPLAIN JSON. Converting only the worst keeps
 * a log with a plan for every statement cheap. */
static void note_pos(struct ingest *in, uint64_t pos);

static void keep_worst_plan(struct ingest *in, struct group *g, const char *body,
		size_t len, double plan_ms, uint64_t pos)
{
	if (!body || !len || !agg_plan_better(g, plan_ms, pos))
		return;
	char err[128];
	struct plan *p = plan_parse(body, len, err, sizeof(err));
	if (!p) {
		/* Not a plan we can read: the call still counts, the loss is said. */
		bool said = in->ncut &&
			(in->cut_pos[in->ncut - 1] & ~(CUT_WHOLE | CUT_UNREAD)) == pos;
		if (!in->shadow && !said)       /* a cut plan was said already */
			note_pos(in, pos | CUT_UNREAD);
		return;
	}
	free(g->plan_json);
	g->plan_json = plan_to_json(p);
	g->plan_ms = plan_ms;
	g->plan_pos = pos;
	plan_free(p);
}

/* Counts a call unless the filters drop it. Returns its group or NULL. */
static struct group *commit(struct ingest *in, struct call *c,
		const struct record_verdict *v, const char *plan_body,
		size_t plan_len, double plan_ms)
{
	if (in->shadow)
		return NULL;    /* counts nothing; the call after it sets last_group */
	if (!passes(in, c->entry, v)) {
		in->stats.filtered++;
		return NULL;
	}
	struct group *g = agg_add_call(in->agg, c);
	in->stats.calls++;
	if (in->calls)
		sinks_call(in->calls, in, c);
	keep_worst_plan(in, g, plan_body, plan_len, plan_ms, c->pos);
	return g;
}

/* Turns what b holds into a call: a plan alone, or a statement logged
 * without a duration (timed by its plan when it has one). */
static void flush_backend(struct ingest *in, struct backend *b)
{
	if (!b->has_plan && !b->has_stmt)
		return;
	/* A shadow's pending statement, flushed by the record a backend
	 * joined at, is counted where the backend's earlier records went. */
	bool shadow = in->shadow;
	in->shadow |= b->held_shadow;
	struct call c = {
		.entry = b->entry, .ts_ms = b->ts_ms,
		.timed = b->has_plan, .duration_ms = b->plan_ms,
		.source = (b->has_stmt ? SRC_BIT(SRC_LOG) : 0)
			| (b->has_plan ? SRC_BIT(SRC_PLAN) : 0),
		.query = slice_make(b->query.buf ? b->query.buf : "", b->query.len),
		.query_made_entry = true,
		.params = slice_make(b->params.buf ? b->params.buf : "", b->params.len),
		.db = cstr(b->db), .user = cstr(b->user), .app = cstr(b->app),
		.pid = b->pid, .pos = b->pos,
	};
	b->last_group = commit(in, &c, &b->v, b->plan.buf, b->plan.len, b->plan_ms);
	b->last_ts = c.ts_ms;
	b->last_ms = c.duration_ms;
	b->prev_entry = b->entry;
	b->prev_group = b->last_group;
	b->prev_execute = b->has_stmt && b->stmt_execute;
	b->prev_has_plan = b->has_plan_real;
	b->has_plan = b->has_stmt = b->has_plan_real = false;
	sb_reset(&b->plan);
	sb_reset(&b->params);
	in->shadow = shadow;
}

/* A backend that ended ("disconnection:"): what it held becomes a call,
 * as at the end of the input, and its slot is freed, so that a log that
 * saw millions of pids costs what its live backends hold, not every pid
 * it ever saw. Nothing of the next session of a reused pid depends on
 * the last one's state. */
static void backend_end(struct ingest *in, int64_t pid)
{
	if (pid <= 0)
		return;         /* the shared slot of entries without a pid stays */
	size_t mask = in->nbackends - 1;
	size_t i = backend_slot(pid, mask);
	while (in->backends[i].pid && in->backends[i].pid != pid)
		i = (i + 1) & mask;
	if (!in->backends[i].pid)
		return;
	struct backend *b = &in->backends[i];
	flush_backend(in, b);
	sb_release(&b->query);
	sb_release(&b->plan);
	sb_release(&b->params);
	*b = (struct backend){ 0 };
	in->used--;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (size_t j = (i + 1) & mask; in->backends[j].pid; j = (j + 1) & mask) {
		size_t home = backend_slot(in->backends[j].pid, mask);
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		in->backends[i] = in->backends[j];
		in->backends[j] = (struct backend){ 0 };
		i = j;
	}
}

static void hold(struct ingest *in, struct backend *b, const struct log_entry *e,
		struct fp_entry *fe, struct slice query)
{
	b->entry = fe;
	b->ts_ms = e->ts_ms;
	b->pos = in->pos;
	b->held_shadow = in->shadow;
	b->v = *in->cur;
	b->stmt_execute = false;
	sb_reset(&b->params);
	sb_reset(&b->query);
	sb_append(&b->query, query.ptr, query.len);
	b->db = agg_intern(in->agg, e->db.ptr, e->db.len);
	b->user = agg_intern(in->agg, e->user.ptr, e->user.len);
	b->app = agg_intern(in->agg, e->app.ptr, e->app.len);
}

static void note_pos(struct ingest *in, uint64_t pos)
{
	if (in->ncut < CUT_KEPT) {
		if (!in->cut_pos)
			in->cut_pos = xcalloc(CUT_KEPT, sizeof(*in->cut_pos));
		in->cut_pos[in->ncut++] = pos;
	}
}

static void note_cut(struct ingest *in, bool lost, bool whole)
{
	in->stats.plans_cut++;
	in->stats.plans_cut_lost += lost;
	note_pos(in, in->pos | (whole ? CUT_WHOLE : 0));
}

/* The statement of a plan body: its Query Text, or that of a JSON plan
 * cut short (*cut set) when the text itself is whole. */
static struct slice plan_statement(struct ingest *in, struct slice body,
		bool json, bool *cut)
{
	struct slice q = pgmsg_plan_query(body, json, &in->qtext);
	*cut = false;
	if (q.len || !json)
		return q;
	*cut = true;
	return pgmsg_plan_query_cut(body, &in->qtext);
}

static void on_plan(struct ingest *in, struct backend *b,
		const struct log_entry *e, const struct pgmsg *m)
{
	struct slice body = pgmsg_clean(m->text, e->tab_continued, &in->plan_text);
	bool cut;
	struct slice q = plan_statement(in, body, m->json_plan, &cut);
	if (cut && !in->shadow) {
		size_t n = body.len;
		while (n && (body.ptr[n - 1] == ' ' || body.ptr[n - 1] == '\n' || body.ptr[n - 1] == '\r'))
			n--;
		note_cut(in, q.len == 0, n && body.ptr[n - 1] == '}');
	}
	if (q.len == 0)
		return;         /* a plan we cannot tie to a statement */
	struct fp_entry *fe = fp_cache_get(in->fp, q.ptr, q.len, &in->scratch);
	if (!b->has_plan && !b->has_stmt && b->prev_entry == fe && b->prev_execute
			&& !b->prev_has_plan) {
		/* The plan of the execute just counted. */
		struct group *g = b->prev_group;
		b->prev_has_plan = true;
		in->stats.merged_plans += !in->shadow;
		if (g) {
			g->sources |= SRC_BIT(SRC_PLAN);
			keep_worst_plan(in, g, body.ptr, body.len, m->duration_ms, in->pos);
		}
		return;
	}
	if (b->has_stmt && b->entry == fe && !b->has_plan) {
		/* log_statement logged the text first; the plan times it. */
	} else {
		flush_backend(in, b);
		hold(in, b, e, fe, q);
	}
	b->has_plan = b->has_plan_real = true;
	b->plan_ms = m->duration_ms;
	sb_reset(&b->plan);
	sb_append(&b->plan, body.ptr, body.len);
}

/* "$1 = '42'" from a DETAIL part attached to the entry (csvlog, jsonlog,
 * and stderr once stitched), or an empty slice. */
static struct slice detail_params(const struct log_entry *e)
{
	static const char lead[] = "parameters: ";
	if (e->detail.len > sizeof(lead) - 1 && memcmp(e->detail.ptr, lead, sizeof(lead) - 1) == 0)
		return slice_make(e->detail.ptr + sizeof(lead) - 1, e->detail.len - (sizeof(lead) - 1));
	return SLICE_EMPTY;
}

static void on_statement(struct ingest *in, struct backend *b,
		const struct log_entry *e, const struct pgmsg *m)
{
	struct slice text = pgmsg_clean(m->text, e->tab_continued, &in->text);
	struct fp_entry *fe = fp_cache_get(in->fp, text.ptr, text.len, &in->scratch);
	bool with_plan = b->has_plan && !b->has_stmt && b->entry == fe;
	if (!with_plan)
		flush_backend(in, b);
	if (!m->has_duration) {
		/* log_statement: wait for a bare duration (or a plan). */
		hold(in, b, e, fe, text);
		b->has_stmt = true;
		b->stmt_execute = m->kind == MSG_EXECUTE;
		struct slice params = detail_params(e);
		if (params.len)
			sb_append(&b->params, params.ptr, params.len);
		return;
	}
	struct call c = {
		.entry = fe, .ts_ms = e->ts_ms, .timed = true,
		.duration_ms = m->duration_ms,
		.source = SRC_BIT(SRC_LOG) | (with_plan ? SRC_BIT(SRC_PLAN) : 0),
		.query = text, .params = detail_params(e), .query_made_entry = true,
		.db = e->db, .user = e->user, .app = e->app,
		.pid = e->pid, .session = e->session, .pos = in->pos,
	};
	if (with_plan)
		in->stats.merged_plans += !in->shadow;
	b->last_group = commit(in, &c, in->cur, with_plan ? b->plan.buf : NULL,
		with_plan ? b->plan.len : 0, b->plan_ms);
	b->last_ts = c.ts_ms;
	b->last_ms = c.duration_ms;
	b->prev_entry = fe;
	b->prev_group = b->last_group;
	b->prev_execute = m->kind == MSG_EXECUTE;
	b->prev_has_plan = with_plan;
	b->has_plan = b->has_plan_real = false;
	sb_reset(&b->plan);
}

static void on_duration(struct ingest *in, struct backend *b,
		const struct log_entry *e, const struct pgmsg *m)
{
	(void)e;
	if (!b->has_stmt) {
		/* Nothing logged before it to attach to. */
		in->stats.lone_durations += !in->shadow;
		return;
	}
	if (b->has_plan)
		in->stats.merged_plans += !in->shadow;
	b->has_plan = true;     /* flush_backend() times it with plan_ms */
	b->plan_ms = m->duration_ms;
	flush_backend(in, b);
}

static void on_prepare(struct ingest *in, struct backend *b,
		const struct log_entry *e, const struct pgmsg *m)
{
	b->last_group = NULL;
	if (!m->has_duration)
		return;
	struct slice text = pgmsg_clean(m->text, e->tab_continued, &in->text);
	struct fp_entry *fe = fp_cache_get(in->fp, text.ptr, text.len, &in->scratch);
	if (!in->shadow && passes(in, fe, in->cur))
		agg_add_prep(in->agg, fe, m->duration_ms);
}

static void on_params(struct ingest *in, struct backend *b,
		const struct log_entry *e, const struct pgmsg *m)
{
	struct slice p = pgmsg_clean(m->text, e->tab_continued, &in->text);
	if (b->has_stmt) {
		/* log_statement: the parameters come before the duration. */
		sb_reset(&b->params);
		sb_append(&b->params, p.ptr, p.len);
		return;
	}
	if (!b->last_group)
		return;         /* also after a shadow: commit() gave none */
	agg_attach_params(in->agg, b->last_group, b->last_ts, b->last_ms, p);
	b->last_group = NULL;
}

/* The window of entries kept, for the report's period. */
static void track_window(struct ingest *in, const struct log_entry *e)
{
	if (e->ts_ms == TS_NONE || !in->cur->in_window)
		return;
	if (in->stats.first_ts == TS_NONE || e->ts_ms < in->stats.first_ts)
		in->stats.first_ts = e->ts_ms;
	if (in->stats.last_ts == TS_NONE || e->ts_ms > in->stats.last_ts)
		in->stats.last_ts = e->ts_ms;
}

/* Whether the message starts a backend's life or ends it: what the
 * backend of that pid held before is then done with. */
static bool backend_bound(const struct log_entry *e)
{
	static const char bye[] = "disconnection: ", hello[] = "connection received: ";
	struct slice t = e->message;
	return (t.len >= sizeof(bye) - 1 && memcmp(t.ptr, bye, sizeof(bye) - 1) == 0)
		|| (t.len >= sizeof(hello) - 1 &&
			memcmp(t.ptr, hello, sizeof(hello) - 1) == 0);
}

void ingest_log(struct ingest *in, const struct log_entry *e,
		const struct record_verdict *v)
{
	struct pgmsg m;
	in->cur = v;
	in->pos = CALL_POS(in->input, e->line);
	if (!in->shadow) {
		in->stats.entries++;
		track_window(in, e);
	}
	pgmsg_parse(e, &m);
	if (m.kind == MSG_OTHER) {
		/* A new backend on a pid is a new process: what the last one on
		 * it left (a pid reused without its disconnection logged) is
		 * not its. */
		if (backend_bound(e))
			backend_end(in, e->pid);
		return;
	}
	struct backend *b = backend_get(in, e->pid);
	if (e->ts_ms != TS_NONE) {
		b->seen_ts = e->ts_ms;
		if (in->max_ts == TS_NONE || e->ts_ms > in->max_ts)
			in->max_ts = e->ts_ms;
	}
	switch (m.kind) {
	case MSG_STATEMENT:
	case MSG_EXECUTE:
		on_statement(in, b, e, &m);
		break;
	case MSG_PLAN:
		b->last_group = NULL;
		on_plan(in, b, e, &m);
		break;
	case MSG_DURATION:
		on_duration(in, b, e, &m);
		break;
	case MSG_PREPARE:
		on_prepare(in, b, e, &m);
		break;
	case MSG_PARAMS:
		on_params(in, b, e, &m);
		break;
	case MSG_OTHER:
		break;
	}
}

void ingest_end_input(struct ingest *in)
{
	for (size_t i = 0; i < in->nbackends; i++)
		if (in->backends[i].pid)
			flush_backend(in, &in->backends[i]);
	backends_clear(in);
	in->max_ts = TS_NONE;
}

uint64_t ingest_oldest_open(const struct ingest *in)
{
	uint64_t pos = UINT64_MAX;
	for (size_t i = 0; i < in->nbackends; i++) {
		const struct backend *b = &in->backends[i];
		if (b->pid && (b->has_plan || b->has_stmt) && b->pos < pos)
			pos = b->pos;
	}
	return pos;
}

/* ---- the statements sink ---- */

static void sink_consume(void *state, size_t input, const struct record *r)
{
	struct ingest *in = state;
	in->input = input;
	in->shadow = r->shadow;
	ingest_log(in, &r->u.log, &r->v);
	in->shadow = false;
}

/* ---- where a backend's records can start, in a later range (sink.h) ----
 * What the memo knows of the backend's pending statement (a): */
enum {
	JOIN_UNKNOWN = 0,       /* anything may be pending */
	JOIN_EMPTY,             /* nothing pending: a call was just made */
	JOIN_STMT,              /* a log_statement text awaits its duration */
	JOIN_FRESH,             /* a new backend: nothing of the pid is kept */
	JOIN_PLAN,              /* a plan alone awaits its duration line */
	JOIN_AFTER_PLAN,        /* unknown, but a plan next will be JOIN_PLAN */
};
/* b: the fingerprint of the call just made (EMPTY, when it came from an
 * execute: c is 1) or of the plan waiting (PLAN). */

static uint64_t text_fingerprint(struct ingest *in, struct slice text,
		bool tabs, bool plan, bool json)
{
	struct slice t = pgmsg_clean(text, tabs, plan ? &in->plan_text : &in->text);
	bool cut;
	if (plan)
		t = plan_statement(in, t, json, &cut);
	if (!t.len)
		return 0;
	return fp_cache_get(in->fp, t.ptr, t.len, &in->scratch)->fingerprint;
}

/* A record joins where this ingest, fed the range's records of the
 * backend before it as shadows, does what -j 1 would do with it: nothing
 * pending (EMPTY, FRESH), or a pending plan the record only flushes (a
 * call the same whether flushed here or where the backend's earlier
 * records went, at their end); and the soft state later records read set
 * by the record itself. A statement sets it all; a plan does too
 * (last_group cleared, prev_* unread while it is pending), unless it may
 * be the late plan of the execute just counted. Fingerprints stand for
 * cache entries: equal entries have equal ones. */
static bool sink_joins(void *state, struct join_memo *jm, const struct record *r)
{
	struct ingest *in = state;
	const struct log_entry *e = &r->u.log;
	struct pgmsg m;
	pgmsg_parse(e, &m);
	uint64_t was = jm->a, fp;
	bool joins;
	switch (m.kind) {
	case MSG_STATEMENT:
	case MSG_EXECUTE:
		fp = text_fingerprint(in, m.text, e->tab_continued, false, false);
		joins = was == JOIN_EMPTY || was == JOIN_FRESH ||
			(was == JOIN_PLAN && fp != jm->b);
		/* Only an execute's plan can come after its call. */
		jm->c = m.kind == MSG_EXECUTE;
		jm->b = fp;
		jm->a = m.has_duration ? JOIN_EMPTY : JOIN_STMT;
		return joins;
	case MSG_PLAN:
		fp = text_fingerprint(in, m.text, e->tab_continued, true, m.json_plan);
		if (!fp)        /* on_plan() leaves the backend alone */
			return was == JOIN_FRESH;
		joins = was == JOIN_FRESH || was == JOIN_PLAN ||
			(was == JOIN_EMPTY && (!jm->c || fp != jm->b));
		jm->a = joins || was == JOIN_AFTER_PLAN ? JOIN_PLAN : JOIN_AFTER_PLAN;
		jm->b = fp;
		return joins;
	case MSG_DURATION:
		if (was == JOIN_STMT)
			jm->a = JOIN_EMPTY;
		else if (was != JOIN_PLAN && was != JOIN_EMPTY && was != JOIN_FRESH)
			jm->a = JOIN_UNKNOWN;
		return was == JOIN_FRESH;
	case MSG_PREPARE:
	case MSG_PARAMS:
		return was == JOIN_FRESH;
	case MSG_OTHER:
		if (backend_bound(e)) {
			jm->a = JOIN_FRESH;
			return true;
		}
		return was == JOIN_FRESH;
	}
	return false;
}

static void sink_end_input(void *state, size_t input)
{
	(void)input;
	ingest_end_input(state);
}

void ingest_add_stats(struct ingest *in, const struct ingest_stats *s)
{
	struct ingest_stats *d = &in->stats;
	d->entries += s->entries;
	d->calls += s->calls;
	d->filtered += s->filtered;
	d->merged_plans += s->merged_plans;
	d->lone_durations += s->lone_durations;
	d->plans_cut += s->plans_cut;
	d->plans_cut_lost += s->plans_cut_lost;
	if (s->first_ts != TS_NONE && (d->first_ts == TS_NONE || s->first_ts < d->first_ts))
		d->first_ts = s->first_ts;
	if (s->last_ts != TS_NONE && (d->last_ts == TS_NONE || s->last_ts > d->last_ts))
		d->last_ts = s->last_ts;
}

static int cmp_pos(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void ingest_report_cut_plans(struct ingest *in, struct input_report *inputs,
		size_t n)
{
	if (in->ncut)
		qsort(in->cut_pos, in->ncut, sizeof(*in->cut_pos), cmp_pos);
	for (size_t i = 0; i < in->ncut && i < CUT_KEPT; i++) {
		uint64_t pos = in->cut_pos[i] & ~(CUT_WHOLE | CUT_UNREAD);
		size_t input = (size_t)(pos >> 40);
		if (input >= n)
			continue;
		struct input_report *r = &inputs[input];
		parse_report_problem(r, input_line(r, pos & ((1ull << 40) - 1)),
			in->cut_pos[i] & CUT_UNREAD ? "an auto_explain plan that cannot be "
			"read (nested 400 nodes deep or more, or not in a form pgsift knows): "
			"its statement is counted without the plan"
			: in->cut_pos[i] & CUT_WHOLE ? "an auto_explain JSON plan that is not "
			"JSON jansson reads (nested deeper than 2,048 levels, or broken): its "
			"statement is counted without the plan, if its text is whole"
			: "an auto_explain JSON plan cut short (it does not end): its "
			"statement is counted without the plan, if its text is whole");
	}
	in->ncut = 0;
}

static void sink_merge(void *dstp, void *srcp)
{
	struct ingest *dst = dstp, *src = srcp;
	agg_merge(dst->agg, src->agg);
	if (src->ncut) {
		/* The first CUT_KEPT of both are the first of all. */
		size_t n = dst->ncut + src->ncut;
		dst->cut_pos = xrealloc(dst->cut_pos,
			(n > CUT_KEPT ? n : CUT_KEPT) * sizeof(*dst->cut_pos));
		memcpy(dst->cut_pos + dst->ncut, src->cut_pos, src->ncut * sizeof(*src->cut_pos));
		qsort(dst->cut_pos, n, sizeof(*dst->cut_pos), cmp_pos);
		dst->ncut = n < CUT_KEPT ? n : CUT_KEPT;
	}
	src->ncut = 0;
	ingest_add_stats(dst, &src->stats);
	src->stats = (struct ingest_stats){ .first_ts = TS_NONE, .last_ts = TS_NONE };
}

/* A call another sink made (a span): counted in its group. c->entry is
 * set (its fingerprint and text); the filters were applied by its maker. */
static void sink_call(void *state, const struct call *c)
{
	struct ingest *in = state;
	agg_add_call(in->agg, c);
}

static void sink_free(void *state)
{
	ingest_free(state);
}

/* The backend went on in another state from the record that joined: its
 * pending plan, if any, is the call -j 1 makes at that record (it is
 * counted here before the sinks after this one, the log loops, hand the
 * backend over). */
static void sink_hand_over(void *state, void *fromp, int64_t pid)
{
	(void)state;
	struct ingest *from = fromp;
	if (pid > 0) {
		backend_end(from, pid);
		return;
	}
	struct backend *b = backend_get(from, -1);
	flush_backend(from, b);
}

const struct sink_ops ingest_sink_ops = {
	.name = "statements",
	.kinds = REC_BIT(REC_LOG_ENTRY),
	.consume = sink_consume,
	.call = sink_call,
	.end_input = sink_end_input,
	.merge = sink_merge,
	.free = sink_free,
	.joins = sink_joins,
	.hand_over = sink_hand_over,
};
