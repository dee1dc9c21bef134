/* traces_logloop.c: N+1 loops in a server log.
 *
 * The calls of one backend (pid, else the %c session) arrive in log order.
 * A loop is a run of executions of one fingerprint, each within max_gap_ms
 * of the one before, right after a different statement (the source, also
 * within max_gap_ms). Every run of two or more after a source is kept as
 * an occurrence; traces_pass applies min_repeats, so that the threshold
 * can change after the inputs are read. Runs are settled when another
 * statement or a long pause breaks them, and at the end of the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "traces_int.h"
#include "util.h"
#include "xxhash.h"

struct lrun {
	uint64_t key;                   /* 0: free slot */
	int64_t pid;
	struct fp_entry *last;          /* the previous call's statement */
	int64_t last_ts;
	struct fp_entry *src;           /* the run's source, NULL when none */
	struct fp_entry *rep;           /* the repeated statement */
	unsigned count;
	double total_ms;
	int64_t first_ts;
	const char *app, *session;
	size_t app_len, session_len;
	/* One repeat as logged, when has_query; the buffer stays with the
	 * backend: a malloc and a free per call were a third of this file's
	 * time on a log of short statements. */
	char *query;
	size_t query_cap;
	bool has_query;
	/* The strings of this backend's last occurrence, shared by the next
	 * one of the same loop: memory follows the loops, not their runs. */
	size_t prev;                    /* index in tr->occ, plus one; 0: none */
};

static uint64_t backend_key(const struct call *c)
{
	uint64_t k = c->pid > 0 ? (uint64_t)c->pid
		: c->session.len ? XXH3_64bits(c->session.ptr, c->session.len) | (1ull << 63)
		: 1;
	return k ? k : 1;
}

static void settle(struct traces *tr, struct lrun *r);

/* How far behind the latest call a backend's last call must be before its
 * run is settled early. Lines of one input come in log order up to the
 * scheduling of the server's processes (milliseconds); a minute more than
 * the loop gap leaves a wide margin. */
#define RUN_IDLE_SLACK_MS 60000

/* True when no later call of r's backend can continue r: its last call is
 * untimed (near() is false for it) or far older than the latest call. */
static bool run_idle(const struct traces *tr, const struct lrun *r)
{
	if (r->last_ts == TS_NONE)
		return true;
	return tr->runs_max_ts != TS_NONE && r->last_ts < tr->runs_max_ts
		- (int64_t)tr->limits.max_gap_ms - RUN_IDLE_SLACK_MS;
}

/* Before the table grows: settles and drops the runs of idle backends, so
 * that a log of a million short sessions costs the backends active at
 * once, not every pid it saw. What a dropped backend kept (its last
 * statement, app and session strings) only served a call within
 * max_gap_ms, or shared strings between occurrences. */
static void runs_drop_idle(struct traces *tr)
{
	size_t kept = 0;
	for (size_t i = 0; i < tr->runs_cap; i++) {
		struct lrun *r = &tr->runs[i];
		if (!r->key)
			continue;
		if (run_idle(tr, r)) {
			settle(tr, r);
			free(r->query);
			*r = (struct lrun){ 0 };
		} else {
			kept++;
		}
	}
	tr->nruns = kept;
}

static struct lrun *run_get(struct traces *tr, uint64_t key)
{
	if ((tr->nruns + 1) * 2 > tr->runs_cap) {
		struct lrun *old = tr->runs;
		size_t oldn = tr->runs_cap;
		if (oldn)
			runs_drop_idle(tr);
		/* Rehash at the same size when dropping freed enough, else grow. */
		if (!oldn)
			tr->runs_max_ts = TS_NONE;      /* a new input */
		tr->runs_cap = !oldn ? 64 : (tr->nruns + 1) * 4 > oldn ? oldn * 2 : oldn;
		tr->runs = xcalloc(tr->runs_cap, sizeof(*tr->runs));
		for (size_t i = 0; i < oldn; i++) {
			if (!old[i].key)
				continue;
			size_t j = (size_t)(old[i].key * 0x9E3779B97F4A7C15ull >> 32) & (tr->runs_cap - 1);
			while (tr->runs[j].key)
				j = (j + 1) & (tr->runs_cap - 1);
			tr->runs[j] = old[i];
		}
		free(old);
	}
	size_t mask = tr->runs_cap - 1;
	size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull >> 32) & mask;
	while (tr->runs[i].key && tr->runs[i].key != key)
		i = (i + 1) & mask;
	if (!tr->runs[i].key) {
		tr->runs[i].key = key;
		tr->nruns++;
	}
	return &tr->runs[i];
}

/* Keeps the run as an occurrence when it is a loop after a source. */
static void settle(struct traces *tr, struct lrun *r)
{
	/* Runs shorter than the threshold are not loops: the limits are set
	 * before the inputs are read, so they need not be kept. */
	if (r->src && r->rep && r->count >= 2 && r->count >= tr->limits.min_repeats) {
		struct loop_occ *o = tr_add_occ(tr);   /* may move tr->occ */
		const struct loop_occ *prev = r->prev ? &tr->occ[r->prev - 1] : NULL;
		bool same = prev && prev->src_fp == r->src->fingerprint
			&& prev->rep_fp == r->rep->fingerprint;
		char ex[48];
		o->from_log = true;
		o->src_fp = r->src->fingerprint;
		o->rep_fp = r->rep->fingerprint;
		o->src_norm = same ? prev->src_norm : tr_strdup(tr, r->src->norm, r->src->norm_len);
		o->rep_norm = same ? prev->rep_norm : tr_strdup(tr, r->rep->norm, r->rep->norm_len);
		o->src_lexical = r->src->lexical;
		o->rep_lexical = r->rep->lexical;
		o->where = o->txn = r->app ? r->app : "";
		if (r->pid > 0)
			snprintf(ex, sizeof(ex), "pid %lld", (long long)r->pid);
		else
			snprintf(ex, sizeof(ex), "session %.30s", r->session ? r->session : "?");
		o->example = same && strcmp(prev->example, ex) == 0 ? prev->example
			: tr_strdup(tr, ex, strlen(ex));
		o->rep_query = same ? prev->rep_query
			: r->has_query ? tr_strdup(tr, r->query, strlen(r->query)) : "";
		o->repeats = r->count;
		o->total_ms = o->union_ms = r->total_ms;
		o->ts = r->first_ts;
		r->prev = (size_t)(o - tr->occ) + 1;
	}
	r->has_query = false;
	r->src = r->rep = NULL;
	r->count = 0;
	r->total_ms = 0;
}

static bool near(const struct traces *tr, int64_t a, int64_t b)
{
	return a != TS_NONE && b != TS_NONE && b - a <= (int64_t)tr->limits.max_gap_ms
		&& b >= a;
}

/* old (of strlen *len) when it already holds s (a backend's application
 * and session rarely change), else a copy: one copy per change, not per
 * run, so memory does not grow with the log. */
static const char *same_or_copy(struct traces *tr, const char *old,
		size_t *len, struct slice s)
{
	const char *to;
	if (s.len == 0) {       /* not logged: the slice may hold no pointer */
		to = old && !*old ? old : tr_strdup(tr, "", 0);
	} else if (old && *len == s.len && memcmp(old, s.ptr, s.len) == 0) {
		return old;
	} else {
		to = tr_strdup(tr, s.ptr, s.len);
	}
	*len = strlen(to);
	return to;
}

static void keep_query(struct lrun *r, struct slice q)
{
	if (q.len + 1 > r->query_cap) {
		r->query_cap = q.len + 1 > 2 * r->query_cap ? q.len + 1 : 2 * r->query_cap;
		r->query = xrealloc(r->query, r->query_cap);
	}
	memcpy(r->query, q.ptr, q.len);
	r->query[q.len] = '\0';
	r->has_query = true;
}

void tr_log_call(struct traces *tr, const struct call *c)
{
	if (!c->entry)
		return;
	struct lrun *r = run_get(tr, backend_key(c));
	if (c->ts_ms != TS_NONE && (tr->runs_max_ts == TS_NONE || tr->runs_max_ts < c->ts_ms))
		tr->runs_max_ts = c->ts_ms;
	r->pid = c->pid;
	double ms = c->timed ? c->duration_ms : 0;
	if (r->rep && r->rep->fingerprint == c->entry->fingerprint && near(tr, r->last_ts, c->ts_ms)) {
		r->count++;
		r->total_ms += ms;
	} else {
		settle(tr, r);
		if (r->last && r->last->fingerprint != c->entry->fingerprint && near(tr, r->last_ts, c->ts_ms))
			r->src = r->last;
		r->rep = c->entry;
		r->count = 1;
		r->total_ms = ms;
		r->first_ts = c->ts_ms;
		keep_query(r, c->query);
		r->app = same_or_copy(tr, r->app, &r->app_len, c->app);
		r->session = same_or_copy(tr, r->session, &r->session_len, c->session);
	}
	r->last = c->entry;
	r->last_ts = c->ts_ms;
}

void tr_log_end_input(struct traces *tr)
{
	for (size_t i = 0; i < tr->runs_cap; i++) {
		if (tr->runs[i].key)
			settle(tr, &tr->runs[i]);
		free(tr->runs[i].query);
	}
	free(tr->runs);
	tr->runs = NULL;
	tr->nruns = tr->runs_cap = 0;
}

void tr_log_free(struct traces *tr)
{
	for (size_t i = 0; i < tr->runs_cap; i++)
		free(tr->runs[i].query);
	free(tr->runs);
	tr->runs = NULL;
}
