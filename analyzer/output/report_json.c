/* report_json.c: the JSON report, schema 1 of CONTRACT.md.
 *
 * The document but its groups is built as a jansson tree, in the key
 * order the contract lists, then dumped in one go; the groups are written
 * into it by report_json_groups.c. Members beyond the contract are only
 * ever added, never renamed. Text from the logs may be any bytes, while
 * JSON strings must be UTF-8: invalid sequences become U+FFFD. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "findings.h"
#include "gates.h"
#include "json_emit.h"
#include "report.h"
#include "report_json_int.h"
#include "pooler.h"
#include "snapshots.h"
#include "strbuf.h"
#include "text_escape.h"
#include "timeutil.h"
#include "traces.h"

/* Everything built goes through these, so that an allocation failure
 * anywhere makes the writer fail (ENOMEM) instead of dropping a member. */
struct jctx {
	bool failed;
	struct strbuf tmp;
};

static json_t *jchk(struct jctx *c, json_t *v)
{
	if (!v)
		c->failed = true;
	return v;
}

/* Both take v over, even when they fail. */
static void jset(struct jctx *c, json_t *obj, const char *key, json_t *v)
{
	if (!obj) {
		json_decref(v);
		c->failed = true;
	} else if (json_object_set_new(obj, key, v) != 0) {
		c->failed = true;
	}
}

static void jpush(struct jctx *c, json_t *arr, json_t *v)
{
	if (!arr) {
		json_decref(v);
		c->failed = true;
	} else if (json_array_append_new(arr, v) != 0) {
		c->failed = true;
	}
}

/* A string member; NULL becomes null. */
static json_t *jstr(struct jctx *c, const char *s)
{
	if (!s)
		return jchk(c, json_null());
	return jchk(c, json_string(jemit_utf8_clean(s, &c->tmp)));
}

static json_t *juint(struct jctx *c, uint64_t v)
{
	/* json_int_t is long long; counts never come near its limit. */
	return jchk(c, json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX :
			(json_int_t)v));
}

/* Milliseconds to 3 decimals (microseconds, what the server logs). */
static json_t *jms(struct jctx *c, double ms)
{
	if (!isfinite(ms))
		return jchk(c, json_null());
	return jchk(c, json_real(round(ms * 1000) / 1000));
}

/* A time stamp in ISO 8601, or null when unknown. */
static json_t *jts(struct jctx *c, int64_t ms)
{
	char buf[32];

	if (ms == TS_NONE)
		return jchk(c, json_null());
	ts_format_iso(ms, buf);
	return jchk(c, json_string(buf));
}

static const char *compression_name(enum input_compression k)
{
	switch (k) {
	case INPUT_PLAIN: return "none";
	case INPUT_GZIP: return "gzip";
	case INPUT_ZSTD: return "zstd";
	case INPUT_BZIP2: return "bzip2";
	case INPUT_XZ: return "xz";
	}
	return "unknown";
}

static json_t *json_input(struct jctx *c, const struct input_report *in)
{
	json_t *o = jchk(c, json_object());
	json_t *probs = jchk(c, json_array());

	jset(c, o, "path", jstr(c, in->path));
	jset(c, o, "format", jstr(c, in->format ? in->format : "unknown"));
	jset(c, o, "bytes", juint(c, in->bytes));
	jset(c, o, "records", juint(c, in->records));
	jset(c, o, "skipped", juint(c, in->skipped));
	for (size_t i = 0; i < in->nkept && i < INPUT_MAX_PROBLEMS; i++) {
		const struct problem *p = &in->problems[i];
		json_t *po = jchk(c, json_object());
		/* Line 0 is the input as a whole: no line to point at. */
		jset(c, po, "line", p->line ? juint(c, p->line) :
				jchk(c, json_null()));
		jset(c, po, "message", jstr(c, p->message ? p->message : ""));
		jpush(c, probs, po);
	}
	jset(c, o, "problems", probs);
	jset(c, o, "problems_total", juint(c, in->nproblems));
	jset(c, o, "compression", jstr(c, compression_name(in->compression)));
	jset(c, o, "lines", juint(c, in->lines));
	jset(c, o, "unreadable", jchk(c, json_boolean(in->unreadable)));
	jset(c, o, "truncated", jchk(c, json_boolean(in->truncated)));
	json_t *notes = jchk(c, json_array());
	for (size_t i = 0; i < in->nnotes; i++)
		jpush(c, notes, jstr(c, in->notes[i]));
	jset(c, o, "notes", notes);
	return o;
}

/* ---- events ---- */

static json_t *jnum(struct jctx *c, double v)
{
	return jms(c, v);       /* 3 decimals, whatever the unit */
}

static json_t *jfp(struct jctx *c, bool has, uint64_t fp)
{
	char hex[17];

	if (!has)
		return jchk(c, json_null());
	fp_format(fp, hex);
	return jstr(c, hex);
}

/* A statement kept with an event: masked unless --show-literals. */
static json_t *jstmt(struct jctx *c, const char *s,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	if (!s)
		return jchk(c, json_null());
	events_statement_text(s, opts->show_literals, sb);
	return jstr(c, sb->buf);
}

/* {name: count} in the order events_sort() left (busiest first). */
static json_t *json_ev_counts(struct jctx *c, const struct ev_counts *nc)
{
	json_t *o = jchk(c, json_object());

	for (size_t i = 0; o && i < nc->n; i++) {
		const char *key = jemit_utf8_clean(nc->v[i].name, &c->tmp);
		uint64_t n = nc->v[i].count;
		json_t *old = json_object_get(o, key);
		if (old)
			n += (uint64_t)json_integer_value(old);
		jset(c, o, key, juint(c, n));
	}
	return o;
}

/* Who blocked the wait in the end (events_blocking.c), null when not
 * settled (no holder logged, or a deadlock's cycle). */
static json_t *json_root(struct jctx *c, const struct ev_lock_wait *w)
{
	if (w->root_pid <= 0)
		return jchk(c, json_null());
	json_t *o = jchk(c, json_object());
	jset(c, o, "pid", juint(c, (uint64_t)w->root_pid));
	jset(c, o, "depth", juint(c, w->root_depth));
	jset(c, o, "known", jchk(c, json_boolean(w->root_known)));
	jset(c, o, "idle_in_transaction", jchk(c, json_boolean(w->root_idle)));
	jset(c, o, "fingerprint", jfp(c, w->root_has_fingerprint,
			w->root_fingerprint));
	jset(c, o, "app", jstr(c, w->root_app));
	jset(c, o, "xact_start", jts(c, w->root_xact_ts));
	return o;
}

static const struct group *group_of(const struct analysis *a, uint64_t fp)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i]->fingerprint == fp)
			return a->groups[i];
	return NULL;
}

/* Root blockers, most wait caused first. */
static json_t *json_blocking(struct jctx *c, const struct analysis *a,
		const struct events *ev)
{
	json_t *arr = jchk(c, json_array());
	size_t n;
	const struct ev_blocker *b = events_blockers(ev, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = jchk(c, json_object());
		jset(c, o, "pid", juint(c, (uint64_t)b[i].pid));
		jset(c, o, "app", jstr(c, b[i].app));
		jset(c, o, "fingerprint", jfp(c, b[i].has_fingerprint,
				b[i].fingerprint));
		const struct group *g = b[i].has_fingerprint ?
			group_of(a, b[i].fingerprint) : NULL;
		jset(c, o, "query", jstr(c, g ? g->query : NULL));
		jset(c, o, "known", jchk(c, json_boolean(b[i].known)));
		jset(c, o, "idle_in_transaction", jchk(c, json_boolean(b[i].idle)));
		jset(c, o, "xact_start", jts(c, b[i].xact_ts));
		jset(c, o, "first_wait", jts(c, b[i].first_ts));
		jset(c, o, "lock", jstr(c, b[i].lock));
		jset(c, o, "waits", juint(c, b[i].waits));
		jset(c, o, "direct_waits", juint(c, b[i].direct));
		jset(c, o, "depth", juint(c, b[i].depth));
		jset(c, o, "wait_ms", jms(c, b[i].wait_ms));
		jpush(c, arr, o);
	}
	return arr;
}

static json_t *json_idle(struct jctx *c, const struct events *ev)
{
	json_t *arr = jchk(c, json_array());
	size_t n;
	const struct ev_idle_app *r = events_idle(ev, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = jchk(c, json_object());
		jset(c, o, "app", jstr(c, r[i].app));
		jset(c, o, "transactions", juint(c, r[i].xacts));
		jset(c, o, "idle_gaps", juint(c, r[i].gaps));
		jset(c, o, "idle_ms", jms(c, r[i].idle_ms));
		jset(c, o, "max_ms", jms(c, r[i].max_ms));
		jset(c, o, "max_at", jts(c, r[i].max_ts));
		jset(c, o, "max_pid", juint(c, (uint64_t)(r[i].max_pid > 0 ?
				r[i].max_pid : 0)));
		jset(c, o, "fingerprint", jfp(c, r[i].has_fingerprint,
				r[i].fingerprint));
		jpush(c, arr, o);
	}
	return arr;
}

static json_t *json_wraparound(struct jctx *c, const struct events *ev)
{
	const struct ev_wraparound *w = events_wraparound(ev);
	json_t *o = jchk(c, json_object());
	jset(c, o, "warnings", juint(c, w->warnings));
	jset(c, o, "refusals", juint(c, w->refusals));
	jset(c, o, "failsafe_vacuums", juint(c, w->failsafe));
	jset(c, o, "min_transactions_left", w->min_left != UINT64_MAX ?
			juint(c, w->min_left) : jchk(c, json_null()));
	jset(c, o, "database", jstr(c, w->db));
	jset(c, o, "first", jts(c, w->first_ts));
	jset(c, o, "last", jts(c, w->last_ts));
	return o;
}

static json_t *json_lock_waits(struct jctx *c, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	json_t *arr = jchk(c, json_array());
	size_t n;
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);

	for (size_t i = 0; i < n; i++) {
		json_t *o = jchk(c, json_object());
		jset(c, o, "ts", jts(c, w[i].ts_ms));
		jset(c, o, "pid", juint(c, (uint64_t)w[i].pid));
		jset(c, o, "wait_ms", jms(c, w[i].wait_ms));
		jset(c, o, "lock", jstr(c, w[i].lock));
		jset(c, o, "statement", jstmt(c, w[i].statement, opts, sb));
		jset(c, o, "fingerprint", jfp(c, w[i].has_fingerprint,
				w[i].fingerprint));
		json_t *b = jchk(c, json_array());
		for (uint32_t k = 0; k < w[i].nblockers; k++)
			jpush(c, b, juint(c, (uint64_t)w[i].blockers[k]));
		jset(c, o, "blocker_pids", b);
		jset(c, o, "outcome", jstr(c, events_lock_outcome_name(w[i].outcome)));
		jset(c, o, "db", jstr(c, w[i].db));
		jset(c, o, "user", jstr(c, w[i].user));
		jset(c, o, "app", jstr(c, w[i].app));
		jset(c, o, "started", jts(c, w[i].start_ms));
		jset(c, o, "root_blocker", json_root(c, &w[i]));
		jpush(c, arr, o);
	}
	return arr;
}

static json_t *json_deadlocks(struct jctx *c, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	json_t *arr = jchk(c, json_array());
	size_t n;
	const struct ev_deadlock *d = events_deadlocks(ev, &n);

	for (size_t i = 0; i < n; i++) {
		json_t *o = jchk(c, json_object());
		json_t *pids = jchk(c, json_array());
		json_t *stmts = jchk(c, json_array());
		json_t *fps = jchk(c, json_array());
		json_t *waits = jchk(c, json_array());
		for (uint32_t k = 0; k < d[i].nprocs; k++) {
			const struct ev_deadlock_proc *p = &d[i].procs[k];
			jpush(c, pids, juint(c, (uint64_t)p->pid));
			jpush(c, stmts, jstmt(c, p->statement, opts, sb));
			jpush(c, fps, jfp(c, p->has_fingerprint, p->fingerprint));
			json_t *w = jchk(c, json_object());
			jset(c, w, "pid", juint(c, (uint64_t)p->pid));
			jset(c, w, "lock", jstr(c, p->lock));
			jset(c, w, "blocked_by", p->blocked_by >= 0 ?
					juint(c, (uint64_t)p->blocked_by) :
					jchk(c, json_null()));
			jpush(c, waits, w);
		}
		jset(c, o, "ts", jts(c, d[i].ts_ms));
		jset(c, o, "pids", pids);
		jset(c, o, "statements", stmts);
		jset(c, o, "victim_pid", d[i].victim_pid > 0 ?
				juint(c, (uint64_t)d[i].victim_pid) :
				jchk(c, json_null()));
		jset(c, o, "fingerprints", fps);
		jset(c, o, "waits", waits);
		jset(c, o, "db", jstr(c, d[i].db));
		jpush(c, arr, o);
	}
	return arr;
}

static json_t *json_temp_files(struct jctx *c, const struct events *ev)
{
	const struct ev_temp_files *t = events_temp_files(ev);
	json_t *o = jchk(c, json_object());
	json_t *arr = jchk(c, json_array());

	jset(c, o, "count", juint(c, t->count));
	jset(c, o, "bytes", juint(c, t->bytes));
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct ev_temp_group *g = &t->groups[i];
		json_t *go = jchk(c, json_object());
		jset(c, go, "fingerprint", jfp(c, g->has_fingerprint, g->fingerprint));
		jset(c, go, "count", juint(c, g->count));
		jset(c, go, "bytes", juint(c, g->bytes));
		jset(c, go, "query", jstr(c, g->query));
		jset(c, go, "max_bytes", juint(c, g->max_bytes));
		jpush(c, arr, go);
	}
	jset(c, o, "by_group", arr);
	jset(c, o, "max_bytes", juint(c, t->max_bytes));
	return o;
}

static json_t *jplace(struct jctx *c, const struct analysis *a, uint64_t pos)
{
	char place[4096];
	return analysis_place(a, pos, place, sizeof(place)) ? jstr(c, place) :
		json_null();
}

/* Errors (others false) or the messages no rule reads: one layout, the
 * errors' example statement and fingerprint only for them. */
static json_t *json_msg_groups(struct jctx *c, const struct analysis *a,
		const struct ev_error *r, size_t n, bool others,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	json_t *arr = jchk(c, json_array());

	for (size_t i = 0; i < n; i++) {
		json_t *o = jchk(c, json_object());
		jset(c, o, "severity", jstr(c, severity_name(r[i].severity)));
		jset(c, o, "sqlstate", jstr(c, r[i].sqlstate[0] ? r[i].sqlstate : NULL));
		jset(c, o, "message", jstr(c, r[i].message));
		jset(c, o, "count", juint(c, r[i].count));
		if (others) {
			jset(c, o, "known", jstr(c, events_other_known(&r[i])));
		} else {
			jset(c, o, "example", jstmt(c, r[i].example, opts, sb));
			jset(c, o, "fingerprint", jfp(c, r[i].has_fingerprint,
					r[i].fingerprint));
		}
		jset(c, o, "first_seen", jts(c, r[i].first_ts));
		jset(c, o, "last_seen", jts(c, r[i].last_ts));
		jset(c, o, "first_at", jplace(c, a, r[i].first_pos));
		jpush(c, arr, o);
	}
	return arr;
}

static json_t *json_sessions(struct jctx *c, const struct ev_connections *k)
{
	static const double bounds[] = EV_SESSION_BOUNDS;
	json_t *o = jchk(c, json_object());
	json_t *hist = jchk(c, json_array());
	bool any = k->sessions > 0;

	jset(c, o, "count", juint(c, k->sessions));
	jset(c, o, "total_s", jnum(c, k->session_total_s));
	jset(c, o, "mean_s", any ? jnum(c, k->session_total_s /
			(double)k->sessions) : jchk(c, json_null()));
	jset(c, o, "max_s", any ? jnum(c, k->session_max_s) : jchk(c, json_null()));
	static const struct { const char *key; double q; } pct[] = {
		{ "p50_s", 0.50 }, { "p95_s", 0.95 }, { "p99_s", 0.99 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(pct); i++)
		jset(c, o, pct[i].key, any ? jnum(c, sketch_quantile(
				&k->session_ms, pct[i].q) / 1000) :
				jchk(c, json_null()));
	/* Counts of sessions shorter than upto_s (and at least the bound
	 * before); the last bucket is open-ended (null). */
	for (size_t i = 0; i < EV_SESSION_BUCKETS; i++) {
		json_t *b = jchk(c, json_object());
		jset(c, b, "upto_s", i < ARRAY_SIZE(bounds) ?
				jnum(c, bounds[i]) : jchk(c, json_null()));
		jset(c, b, "count", juint(c, k->session_hist[i]));
		jpush(c, hist, b);
	}
	jset(c, o, "histogram", hist);
	return o;
}

static json_t *json_connections(struct jctx *c, const struct events *ev)
{
	const struct ev_connections *k = events_connections(ev);
	json_t *o = jchk(c, json_object());

	jset(c, o, "total", juint(c, events_connections_total(k)));
	jset(c, o, "failed", juint(c, k->failed));
	jset(c, o, "peak_sessions", juint(c, k->peak_sessions));
	jset(c, o, "by_database", json_ev_counts(c, &k->by_database));
	jset(c, o, "by_user", json_ev_counts(c, &k->by_user));
	jset(c, o, "by_application", json_ev_counts(c, &k->by_application));
	jset(c, o, "by_host", json_ev_counts(c, &k->by_host));
	jset(c, o, "received", juint(c, k->received));
	jset(c, o, "authorized", juint(c, k->authorized));
	jset(c, o, "peak_at", jts(c, k->peak_ts));
	json_t *f = jchk(c, json_object());
	for (unsigned i = 0; i < EV_FAILURE_COUNT; i++)
		if (k->failures[i])
			jset(c, f, events_failure_name(i), juint(c, k->failures[i]));
	jset(c, o, "failures", f);
	jset(c, o, "sessions", json_sessions(c, k));
	/* Counts under names past EV_NAMES_MAX. */
	if (k->by_database.other || k->by_user.other ||
			k->by_application.other || k->by_host.other) {
		json_t *other = jchk(c, json_object());
		jset(c, other, "databases", juint(c, k->by_database.other));
		jset(c, other, "users", juint(c, k->by_user.other));
		jset(c, other, "applications", juint(c, k->by_application.other));
		jset(c, other, "hosts", juint(c, k->by_host.other));
		jset(c, o, "other_names", other);
	}
	return o;
}

static json_t *json_checkpoints(struct jctx *c, const struct events *ev)
{
	const struct ev_checkpoints *k = events_checkpoints(ev);
	json_t *o = jchk(c, json_object());

	jset(c, o, "count", juint(c, k->count));
	jset(c, o, "by_reason", json_ev_counts(c, &k->by_reason));
	jset(c, o, "write_s", jnum(c, k->write_s));
	jset(c, o, "sync_s", jnum(c, k->sync_s));
	jset(c, o, "total_s", jnum(c, k->total_s));
	jset(c, o, "max_total_s", jnum(c, k->max_total_s));
	jset(c, o, "buffers", juint(c, k->buffers));
	jset(c, o, "wal_added", juint(c, k->wal_added));
	jset(c, o, "wal_removed", juint(c, k->wal_removed));
	jset(c, o, "wal_recycled", juint(c, k->wal_recycled));
	jset(c, o, "restartpoints", juint(c, k->restartpoints));
	jset(c, o, "too_frequent", juint(c, k->too_frequent));
	jset(c, o, "min_seconds_apart", k->min_apart_s >= 0 ?
			jnum(c, k->min_apart_s) : jchk(c, json_null()));
	jset(c, o, "wal_started", juint(c, k->wal_started));
	jset(c, o, "wal_intervals", juint(c, k->wal_intervals));
	jset(c, o, "wal_interval_s", jnum(c, k->wal_interval_s));
	jset(c, o, "wal_interval_min_s", k->wal_intervals ?
			jnum(c, k->wal_interval_min_s) : jchk(c, json_null()));
	return o;
}

static json_t *json_autovacuum(struct jctx *c, const struct events *ev)
{
	const struct ev_autovacuum *k = events_autovacuum(ev);
	json_t *o = jchk(c, json_object());
	json_t *arr = jchk(c, json_array());

	jset(c, o, "vacuum_count", juint(c, k->vacuum_count));
	jset(c, o, "analyze_count", juint(c, k->analyze_count));
	for (size_t i = 0; i < k->ntables; i++) {
		const struct ev_vacuum_table *t = &k->tables[i];
		json_t *to = jchk(c, json_object());
		jset(c, to, "table", jstr(c, t->table));
		jset(c, to, "vacuums", juint(c, t->vacuums));
		jset(c, to, "analyzes", juint(c, t->analyzes));
		jset(c, to, "removed_tuples", juint(c, t->removed_tuples));
		jset(c, to, "total_ms", jms(c, t->total_ms));
		jset(c, to, "max_ms", jms(c, t->max_ms));
		jset(c, to, "aggressive", juint(c, t->aggressive));
		jset(c, to, "wraparound", juint(c, t->wraparound));
		jset(c, to, "canceled", juint(c, t->canceled));
		jpush(c, arr, to);
	}
	jset(c, o, "by_table", arr);
	return o;
}

static json_t *json_timeline(struct jctx *c, const struct events *ev)
{
	const struct ev_timeline *t = events_timeline(ev);
	json_t *o = jchk(c, json_object());
	json_t *arr = jchk(c, json_array());

	jset(c, o, "bucket_s", juint(c, (uint64_t)(t->width_ms / 1000)));
	for (size_t i = 0; i < t->n; i++) {
		const struct ev_bucket *b = &t->b[i];
		json_t *bo = jchk(c, json_object());
		jset(c, bo, "start", jts(c, b->start_ms));
		jset(c, bo, "calls", juint(c, b->calls));
		jset(c, bo, "total_ms", jms(c, b->total_ms));
		jset(c, bo, "p95_ms", b->timed_calls ?
				jms(c, sketch_quantile(&b->latency, 0.95)) :
				jchk(c, json_null()));
		jset(c, bo, "errors", juint(c, b->errors));
		jset(c, bo, "lock_waits", juint(c, b->lock_waits));
		jset(c, bo, "temp_bytes", juint(c, b->temp_bytes));
		jpush(c, arr, bo);
	}
	jset(c, o, "buckets", arr);
	return o;
}

static json_t *json_ev_totals(struct jctx *c, const struct events *ev)
{
	const struct ev_totals *t = events_totals(ev);
	json_t *o = jchk(c, json_object());

	jset(c, o, "lock_waits", juint(c, t->lock_waits));
	jset(c, o, "lock_wait_ms", jms(c, t->lock_wait_ms));
	jset(c, o, "deadlocks", juint(c, t->deadlocks));
	jset(c, o, "errors", juint(c, t->errors));
	jset(c, o, "warnings", juint(c, t->warnings));
	jset(c, o, "errors_dropped", juint(c, t->errors_dropped));
	jset(c, o, "other_messages", juint(c, t->others));
	jset(c, o, "other_messages_dropped", juint(c, t->others_dropped));
	struct ev_blocking_dropped d = events_blocking_dropped(ev);
	jset(c, o, "transactions_dropped", juint(c, d.holds));
	jset(c, o, "idle_transactions_unlisted", juint(c, d.idle_xacts));
	return o;
}

/* Every events key is present, empty when nothing was seen (and when the
 * analysis has no events at all). Lists beyond the contract's members
 * are added after them. */
static json_t *json_events(struct jctx *c, const struct analysis *a,
		const struct pgsift_options *opts)
{
	struct events *none = a->events ? NULL : events_new(NULL);
	const struct events *e = a->events ? a->events : none;
	json_t *ev = jchk(c, json_object());
	struct strbuf sb = STRBUF_INIT;

	jset(c, ev, "lock_waits", json_lock_waits(c, e, opts, &sb));
	jset(c, ev, "deadlocks", json_deadlocks(c, e, opts, &sb));
	jset(c, ev, "temp_files", json_temp_files(c, e));
	size_t n;
	const struct ev_error *r = events_errors(e, &n);
	jset(c, ev, "errors", json_msg_groups(c, a, r, n, false, opts, &sb));
	jset(c, ev, "connections", json_connections(c, e));
	jset(c, ev, "checkpoints", json_checkpoints(c, e));
	jset(c, ev, "autovacuum", json_autovacuum(c, e));
	jset(c, ev, "timeline", json_timeline(c, e));
	r = events_others(e, &n);
	jset(c, ev, "other_messages", json_msg_groups(c, a, r, n, true, opts, &sb));
	jset(c, ev, "blocking", json_blocking(c, a, e));
	jset(c, ev, "idle_in_transaction", json_idle(c, e));
	jset(c, ev, "wraparound", json_wraparound(c, e));
	jset(c, ev, "totals", json_ev_totals(c, e));
	sb_release(&sb);
	events_free(none);
	return ev;
}

/* The document with an empty "groups". */

/* FINDING objects, in the list's order (severity, then impact). */
/* pgBadger's query types: groups, calls and time per statement kind
 * (every kind, zeros included), and how much of it the rankings leave out
 * by default (one_off: stmt_kind_one_off()). */
static json_t *json_kinds(struct jctx *c, const struct analysis *a)
{
	struct { uint64_t groups, calls, one_off_groups; double ms, one_off_ms; } k[SK_COUNT];
	memset(k, 0, sizeof(k));
	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i];
		bool one_off;
		enum stmt_kind s = group_kind(g, &one_off);
		k[s].groups++;
		k[s].calls += g->calls;
		k[s].ms += g->total_ms;
		if (one_off) {
			k[s].one_off_groups++;
			k[s].one_off_ms += g->total_ms;
		}
	}
	json_t *o = jchk(c, json_object());
	for (int s = 0; s < SK_COUNT; s++) {
		json_t *x = jchk(c, json_object());
		jset(c, x, "groups", juint(c, k[s].groups));
		jset(c, x, "calls", juint(c, k[s].calls));
		jset(c, x, "total_ms", jms(c, k[s].ms));
		jset(c, x, "one_off_groups", juint(c, k[s].one_off_groups));
		jset(c, x, "one_off_ms", jms(c, k[s].one_off_ms));
		jset(c, o, stmt_kind_name((enum stmt_kind)s), x);
	}
	return o;
}

static json_t *json_findings(struct jctx *c, const struct analysis *a)
{
	json_t *arr = jchk(c, json_array());
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *f = findings_at(a->findings, i);
		json_t *o = jchk(c, json_object());
		char hex[17];
		jset(c, o, "kind", jstr(c, finding_kind_name(f->kind)));
		jset(c, o, "severity", jstr(c, finding_severity_name(f->severity)));
		jset(c, o, "title", jstr(c, f->title));
		if (f->has_fingerprint) {
			fp_format(f->fingerprint, hex);
			jset(c, o, "fingerprint", jstr(c, hex));
		} else {
			jset(c, o, "fingerprint", jchk(c, json_null()));
		}
		jset(c, o, "table", f->table ? jstr(c, f->table) : jchk(c, json_null()));
		jset(c, o, "index", f->index ? jstr(c, f->index) : jchk(c, json_null()));
		if (f->columns) {
			json_t *cols = jchk(c, json_array());
			for (char **col = f->columns; *col; col++)
				jpush(c, cols, jstr(c, *col));
			jset(c, o, "columns", cols);
		} else {
			jset(c, o, "columns", jchk(c, json_null()));
		}
		jset(c, o, "impact_ms", jms(c, f->impact_ms));
		/* What it saves after the ones above it, and which of them
		 * share its statements (1-based places in this list). */
		jset(c, o, "saves_ms", jms(c, f->saves_ms));
		size_t ranks[8], nr = finding_shares(a->findings, i, ranks, 8);
		json_t *sh = jchk(c, json_array());
		for (size_t k = 0; k < nr; k++)
			jpush(c, sh, juint(c, ranks[k]));
		jset(c, o, "shares_statements_with", sh);
		jset(c, o, "suggestion", f->suggestion ? jstr(c, f->suggestion) : jchk(c, json_null()));
		jset(c, o, "evidence", jchk(c, json_deep_copy(f->evidence)));
		jpush(c, arr, o);
	}
	return arr;
}

/* How many groups, from the first, are written with every member: the
 * option's limit (REPORT_DETAIL_GROUPS by default), and no more than a
 * loaded report had. */
static size_t detail_groups(const struct analysis *a,
		const struct pgsift_options *opts)
{
	size_t n = opts->detail_groups ? opts->detail_groups : REPORT_DETAIL_GROUPS;

	if (a->saved_detail_groups && a->saved_detail_groups < n)
		n = a->saved_detail_groups;
	return n < a->ngroups ? n : a->ngroups;
}

static json_t *json_report(struct jctx *c, const struct analysis *a,
		const struct pgsift_options *opts)
{
	json_t *root = jchk(c, json_object());
	json_t *o;

	jset(c, root, "schema", juint(c, 1));
	o = jchk(c, json_object());
	jset(c, o, "name", jstr(c, "pgsift"));
	jset(c, o, "version", jstr(c, PGSIFT_VERSION));
	jset(c, root, "tool", o);

	o = jchk(c, json_array());
	for (size_t i = 0; i < a->ninputs; i++)
		jpush(c, o, json_input(c, &a->inputs[i]));
	jset(c, root, "inputs", o);

	o = jchk(c, json_object());
	jset(c, o, "start", jts(c, a->window_start));
	jset(c, o, "end", jts(c, a->window_end));
	jset(c, root, "window", o);

	o = jchk(c, json_object());
	jset(c, o, "queries", juint(c, a->queries));
	jset(c, o, "total_ms", jms(c, a->total_ms));
	jset(c, o, "fingerprints", juint(c, a->ngroups));
	jset(c, o, "filtered_out", juint(c, a->filtered_out));
	jset(c, o, "durations_without_statement", juint(c, a->lone_durations));
	jset(c, o, "plans_cut_short", juint(c, a->plans_cut));
	jset(c, o, "plans_cut_short_without_text", juint(c, a->plans_cut_lost));
	jset(c, o, "distinct_texts", juint(c, a->distinct_texts));
	jset(c, o, "parsed_texts", juint(c, a->parsed_texts));
	jset(c, o, "kinds", json_kinds(c, a));
	size_t ndetail = detail_groups(a, opts);
	if (ndetail < a->ngroups) {
		/* The groups past ndetail lack these (see report.h). */
		json_t *beyond = jchk(c, json_object());
		json_t *omitted = jchk(c, json_array());
		jpush(c, omitted, jstr(c, "histogram"));
		jpush(c, omitted, jstr(c, "timeline"));
		jset(c, beyond, "omitted", omitted);
		jset(c, beyond, "max_examples", juint(c, RJ_THIN_EXAMPLES(opts)));
		jset(c, o, "detail_groups", juint(c, ndetail));
		jset(c, o, "beyond_detail", beyond);
	}
	jset(c, root, "totals", o);

	/* Filled in by json_write(), one group at a time. */
	jset(c, root, "groups", jchk(c, json_array()));

	jset(c, root, "findings", json_findings(c, a));
	jset(c, root, "events", json_events(c, a, opts));
	if (a->check)   /* pgsift check: the verdict, new and gone groups */
		jset(c, root, "check", jchk(c, check_result_json(a->check)));
	else if (a->saved_check)        /* a loaded report's, as saved */
		jset(c, root, "check", jchk(c, json_deep_copy(a->saved_check)));
	if (snapshots_given(a->snapshots))
		jset(c, root, "snapshots", jchk(c, snapshots_json(a->snapshots)));
	if (a->traces)
		jset(c, root, "traces", jchk(c, traces_json(a->traces)));
	if (events_pooler(a->events))   /* only when a pgBouncer log was read */
		jset(c, root, "pooler", jchk(c, pooler_json(events_pooler(a->events))));
	return root;
}

/* Groups are the bulk of a report (hundreds of thousands on a busy log
 * with many distinct texts), so they are not part of the tree: the rest
 * of the document is dumped with "groups": [] and the groups are written
 * in its place by report_json_groups.c, as the whole tree would have
 * dumped them. */
static int json_body(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	static const struct pgsift_options defaults = { .top = 20 };
	static const char mark[] = "\n  \"groups\": []";
	struct jctx c = { false, STRBUF_INIT };
	struct rj_scratch scratch = RJ_SCRATCH_INIT(a);
	struct strbuf buf = STRBUF_INIT;
	char *doc = NULL;
	int rc = -1;

	if (!opts)
		opts = &defaults;
	size_t ndetail = detail_groups(a, opts);
	json_t *root = json_report(&c, a, opts);
	if (!c.failed)
		doc = json_dumps(root, JSON_EMIT_JANSSON_FLAGS);
	if (!doc) {
		errno = ENOMEM;
		goto out;
	}

	/* At two spaces of indent, only the top-level key can match. */
	char *at = a->ngroups ? strstr(doc, mark) : NULL;
	if (!at) {
		fputs(doc, out);
	} else {
		fwrite(doc, 1, (size_t)(at - doc), out);
		fputs("\n  \"groups\": [", out);
		for (size_t i = 0; i < a->ngroups && !ferror(out); i++) {
			sb_append(&buf, i ? ",\n    " : "\n    ", i ? 6 : 5);
			if (rj_write_group(&buf, a->groups[i], opts,
					i < ndetail, &scratch) != 0) {
				errno = ENOMEM;
				goto out;
			}
			if (buf.len >= 1 << 16) {
				fwrite(buf.buf, 1, buf.len, out);
				sb_reset(&buf);
			}
		}
		if (buf.len)
			fwrite(buf.buf, 1, buf.len, out);
		fputs("\n  ]", out);
		fputs(at + strlen(mark), out);
	}
	fputc('\n', out);
	rc = ferror(out) ? -1 : 0;
out:
	free(doc);
	json_decref(root);
	sb_release(&c.tmp);
	sb_release(&buf);
	rj_scratch_release(&scratch);
	return rc;
}

/* JSON allows DEL, C1 controls, bidi controls and U+2028 raw in a string;
 * the report escapes them too, so that it is safe to print. */
static int json_write(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	return report_write_escaped(out, a, opts, TESC_JSON, json_body);
}

const struct report_writer report_json = {
	.id = "json",
	.name = "JSON (schema 1)",
	.write = json_write,
};
