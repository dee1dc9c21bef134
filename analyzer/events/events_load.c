/* events_load.c: the "events" object of a saved JSON report read back
 * into a struct events (see report_load.h), in the order saved (the
 * writer wrote the lists sorted; sorting again could swap entries whose
 * figures only differ past the saved decimals).
 *
 * A saved report has quantiles, not the sketches they came from: the
 * timeline's per-bucket P95 and the sessions' P50/P95/P99 are given back
 * by small exact sketches that hold just those values at the ranks the
 * quantiles are read at (sketch.h: exact up to SKETCH_EXACT values). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "events_int.h"
#include "prefix.h"
#include "report_load.h"
#include "timeutil.h"

static double num0(const json_t *o, const char *key)
{
	double v = rl_num(o, key);
	return isnan(v) ? 0 : v;
}

static int64_t int_or(const json_t *o, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static void load_counts(struct ev_counts *c, const json_t *o, uint64_t other)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
		ev_counts_add(c, key, strlen(key), json_is_integer(v) ?
			(uint64_t)json_integer_value(v) : 0);
	c->other += other;
}

static void load_lock_waits(struct events *ev, const json_t *arr)
{
	size_t i, k;
	const json_t *o, *p;

	ev->capwaits = json_array_size(arr);
	ev->waits = xcalloc(ev->capwaits + 1, sizeof(*ev->waits));
	json_array_foreach(arr, i, o) {
		struct ev_lock_wait *w = &ev->waits[ev->nwaits++];
		const json_t *b = json_object_get(o, "blocker_pids");
		const char *outcome = rl_str(o, "outcome");
		w->ts_ms = rl_ts(o, "ts");
		w->pid = int_or(o, "pid", -1);
		w->wait_ms = num0(o, "wait_ms");
		for (int x = 0; outcome && x < EV_LOCK_OUTCOME_COUNT; x++)
			if (strcmp(outcome, events_lock_outcome_name((enum ev_lock_outcome)x)) == 0)
				w->outcome = (enum ev_lock_outcome)x;
		w->lock = rl_strdup(o, "lock");
		w->statement = rl_strdup(o, "statement");
		w->has_fingerprint = rl_fp(o, "fingerprint", &w->fingerprint);
		w->blockers = xcalloc(json_array_size(b) + 1, sizeof(*w->blockers));
		json_array_foreach(b, k, p)
			if (json_is_integer(p))
				w->blockers[w->nblockers++] = (int64_t)json_integer_value(p);
		w->db = rl_strdup(o, "db");
		w->user = rl_strdup(o, "user");
		w->app = rl_strdup(o, "app");
		w->start_ms = rl_ts(o, "started");
		w->root_xact_ts = TS_NONE;
		const json_t *r = json_object_get(o, "root_blocker");
		if (json_is_object(r)) {
			w->root_pid = int_or(r, "pid", 0);
			w->root_depth = (uint32_t)rl_uint(r, "depth");
			w->root_known = rl_bool(r, "known");
			w->root_idle = rl_bool(r, "idle_in_transaction");
			w->root_has_fingerprint = rl_fp(r, "fingerprint",
					&w->root_fingerprint);
			w->root_app = rl_strdup(r, "app");
			w->root_xact_ts = rl_ts(r, "xact_start");
		}
	}
}

static void load_idle(struct events *ev, const json_t *arr)
{
	size_t i;
	const json_t *o;
	json_array_foreach(arr, i, o) {
		struct ev_idle_app a = {
			.app = (char *)(rl_str(o, "app") ? rl_str(o, "app") : ""),
			.xacts = rl_uint(o, "transactions"),
			.gaps = rl_uint(o, "idle_gaps"),
			.idle_ms = num0(o, "idle_ms"), .max_ms = num0(o, "max_ms"),
			.max_ts = rl_ts(o, "max_at"), .max_pid = int_or(o, "max_pid", 0),
		};
		a.has_fingerprint = rl_fp(o, "fingerprint", &a.fingerprint);
		ev_blocking_add_idle(ev, &a);
	}
}

static void load_wraparound(struct events *ev, const json_t *o)
{
	struct ev_wraparound *w = &ev->wrap;
	if (!json_is_object(o))
		return;
	w->warnings = rl_uint(o, "warnings");
	w->refusals = rl_uint(o, "refusals");
	w->failsafe = rl_uint(o, "failsafe_vacuums");
	const json_t *left = json_object_get(o, "min_transactions_left");
	if (json_is_integer(left))
		w->min_left = (uint64_t)json_integer_value(left);
	w->db = rl_strdup(o, "database");
	w->first_ts = rl_ts(o, "first");
	w->last_ts = rl_ts(o, "last");
}

static void load_deadlocks(struct events *ev, const json_t *arr)
{
	size_t i, k;
	const json_t *o;

	ev->capdeadlocks = json_array_size(arr);
	ev->deadlocks = xcalloc(ev->capdeadlocks + 1, sizeof(*ev->deadlocks));
	json_array_foreach(arr, i, o) {
		struct ev_deadlock *d = &ev->deadlocks[ev->ndeadlocks++];
		const json_t *pids = json_object_get(o, "pids");
		const json_t *stmts = json_object_get(o, "statements");
		const json_t *fps = json_object_get(o, "fingerprints");
		const json_t *waits = json_object_get(o, "waits");
		size_t n = json_array_size(pids);
		d->ts_ms = rl_ts(o, "ts");
		d->victim_pid = int_or(o, "victim_pid", 0);
		d->db = rl_strdup(o, "db");
		d->procs = xcalloc(n + 1, sizeof(*d->procs));
		for (k = 0; k < n; k++) {
			struct ev_deadlock_proc *p = &d->procs[d->nprocs++];
			const json_t *w = json_array_get(waits, k);
			const json_t *s = json_array_get(stmts, k);
			const char *hex = json_string_value(json_array_get(fps, k));
			p->pid = (int64_t)json_integer_value(json_array_get(pids, k));
			p->blocked_by = int_or(w, "blocked_by", -1);
			p->lock = rl_strdup(w, "lock");
			p->statement = json_is_string(s) ? xstrdup(json_string_value(s)) : NULL;
			p->has_fingerprint = hex && strlen(hex) == 16 &&
				fp_parse(hex, &p->fingerprint);
		}
	}
}

static void load_temp_files(struct events *ev, const json_t *o)
{
	const json_t *arr = json_object_get(o, "by_group");
	struct ev_temp_files *t = &ev->temp;
	size_t i;
	const json_t *g;

	t->count = rl_uint(o, "count");
	t->bytes = rl_uint(o, "bytes");
	t->max_bytes = rl_uint(o, "max_bytes");
	ev->captemp = json_array_size(arr);
	t->groups = xcalloc(ev->captemp + 1, sizeof(*t->groups));
	json_array_foreach(arr, i, g) {
		struct ev_temp_group *tg = &t->groups[t->ngroups++];
		tg->has_fingerprint = rl_fp(g, "fingerprint", &tg->fingerprint);
		if (tg->has_fingerprint)
			fp_format(tg->fingerprint, tg->key);
		tg->query = rl_strdup(g, "query");
		tg->count = rl_uint(g, "count");
		tg->bytes = rl_uint(g, "bytes");
		tg->max_bytes = rl_uint(g, "max_bytes");
	}
}

/* A severity by its name; dflt when the name is none of them. */
static enum severity severity_of(const char *s, enum severity dflt)
{
	for (int k = SEV_NONE + 1; s && k < SEV_COUNT; k++)
		if (strcmp(s, severity_name((enum severity)k)) == 0)
			return (enum severity)k;
	return dflt;
}

/* Errors or other messages (others: no example, severities below
 * WARNING); places resolved against a's inputs, already read. */
static void load_groups(struct ev_groups *gs, const json_t *arr, bool others,
		const struct analysis *a)
{
	size_t i;
	const json_t *o;

	gs->cap = json_array_size(arr);
	gs->v = xcalloc(gs->cap + 1, sizeof(*gs->v));
	json_array_foreach(arr, i, o) {
		struct ev_error *r = &gs->v[gs->n++];
		const char *state = rl_str(o, "sqlstate");
		r->severity = severity_of(rl_str(o, "severity"),
				others ? SEV_NONE : SEV_ERROR);
		if (state)
			snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", state);
		/* The message lives in the key, as events_errors.c keeps it. */
		r->key = xstrdup(rl_str(o, "message") ? rl_str(o, "message") : "");
		r->message = r->key;
		r->count = rl_uint(o, "count");
		r->example = others ? NULL : rl_strdup(o, "example");
		r->example_ts = TS_NONE;
		r->has_fingerprint = !others && rl_fp(o, "fingerprint", &r->fingerprint);
		r->first_ts = rl_ts(o, "first_seen");
		r->last_ts = rl_ts(o, "last_seen");
		r->first_pos = analysis_place_pos(a, rl_str(o, "first_at"));
	}
}

/* An exact sketch whose nearest-rank P50, P95 and P99 are those given:
 * of 20 values, ranks 10, 19 and 20. */
static void quantile_sketch(struct sketch *s, double p50, double p95, double p99)
{
	for (int i = 0; i < 20; i++)
		sketch_add(s, i < 10 ? p50 : i < 19 ? p95 : p99);
}

static void load_sessions(struct ev_connections *k, const json_t *o)
{
	static const double bounds[] = EV_SESSION_BOUNDS;
	const json_t *hist = json_object_get(o, "histogram");
	size_t i;
	const json_t *b;

	k->sessions = rl_uint(o, "count");
	k->session_total_s = num0(o, "total_s");
	k->session_max_s = num0(o, "max_s");
	if (k->sessions)
		quantile_sketch(&k->session_ms, num0(o, "p50_s") * 1000,
			num0(o, "p95_s") * 1000, num0(o, "p99_s") * 1000);
	json_array_foreach(hist, i, b) {
		double upto = rl_num(b, "upto_s");
		size_t at = EV_SESSION_BUCKETS - 1;
		for (size_t x = 0; !isnan(upto) && x < ARRAY_SIZE(bounds); x++)
			if (bounds[x] == upto)
				at = x;
		k->session_hist[at] += rl_uint(b, "count");
	}
}

static void load_connections(struct events *ev, const json_t *o)
{
	struct ev_connections *k = &ev->conn;
	const json_t *other = json_object_get(o, "other_names");
	const json_t *f = json_object_get(o, "failures");

	k->received = rl_uint(o, "received");
	k->authorized = rl_uint(o, "authorized");
	k->failed = rl_uint(o, "failed");
	for (unsigned i = 0; i < EV_FAILURE_COUNT; i++)
		k->failures[i] = rl_uint(f, events_failure_name((enum ev_failure)i));
	k->peak_sessions = rl_uint(o, "peak_sessions");
	k->peak_ts = rl_ts(o, "peak_at");
	load_counts(&k->by_database, json_object_get(o, "by_database"),
		rl_uint(other, "databases"));
	load_counts(&k->by_user, json_object_get(o, "by_user"), rl_uint(other, "users"));
	load_counts(&k->by_application, json_object_get(o, "by_application"),
		rl_uint(other, "applications"));
	load_counts(&k->by_host, json_object_get(o, "by_host"), rl_uint(other, "hosts"));
	load_sessions(k, json_object_get(o, "sessions"));
}

static void load_checkpoints(struct events *ev, const json_t *o)
{
	struct ev_checkpoints *k = &ev->ckpt;

	k->count = rl_uint(o, "count");
	load_counts(&k->by_reason, json_object_get(o, "by_reason"), 0);
	k->write_s = num0(o, "write_s");
	k->sync_s = num0(o, "sync_s");
	k->total_s = num0(o, "total_s");
	k->max_total_s = num0(o, "max_total_s");
	k->buffers = rl_uint(o, "buffers");
	k->wal_added = rl_uint(o, "wal_added");
	k->wal_removed = rl_uint(o, "wal_removed");
	k->wal_recycled = rl_uint(o, "wal_recycled");
	k->restartpoints = rl_uint(o, "restartpoints");
	k->too_frequent = rl_uint(o, "too_frequent");
	double apart = rl_num(o, "min_seconds_apart");
	k->min_apart_s = isnan(apart) ? -1 : apart;
	k->wal_started = rl_uint(o, "wal_started");
	k->wal_intervals = rl_uint(o, "wal_intervals");
	k->wal_interval_s = num0(o, "wal_interval_s");
	k->wal_interval_min_s = num0(o, "wal_interval_min_s");
}

static void load_autovacuum(struct events *ev, const json_t *o)
{
	struct ev_autovacuum *k = &ev->av;
	const json_t *arr = json_object_get(o, "by_table");
	size_t i;
	const json_t *t;

	k->vacuum_count = rl_uint(o, "vacuum_count");
	k->analyze_count = rl_uint(o, "analyze_count");
	k->cap = json_array_size(arr);
	k->tables = xcalloc(k->cap + 1, sizeof(*k->tables));
	json_array_foreach(arr, i, t) {
		struct ev_vacuum_table *v = &k->tables[k->ntables++];
		v->table = xstrdup(rl_str(t, "table") ? rl_str(t, "table") : "");
		v->vacuums = rl_uint(t, "vacuums");
		v->analyzes = rl_uint(t, "analyzes");
		v->removed_tuples = rl_uint(t, "removed_tuples");
		v->total_ms = num0(t, "total_ms");
		v->max_ms = num0(t, "max_ms");
		v->aggressive = rl_uint(t, "aggressive");
		v->wraparound = rl_uint(t, "wraparound");
		v->canceled = rl_uint(t, "canceled");
	}
}

/* A bucket's timed calls are not saved: one with a P95 counts all its
 * calls as timed. */
static void load_timeline(struct events *ev, const json_t *o)
{
	struct ev_timeline *tl = &ev->tl;
	const json_t *arr = json_object_get(o, "buckets");
	size_t i;
	const json_t *b;

	if (rl_uint(o, "bucket_s"))
		tl->width_ms = (int64_t)rl_uint(o, "bucket_s") * 1000;
	tl->cap = json_array_size(arr);
	tl->b = xcalloc(tl->cap + 1, sizeof(*tl->b));
	json_array_foreach(arr, i, b) {
		struct ev_bucket *k = &tl->b[tl->n++];
		double p95 = rl_num(b, "p95_ms");
		sketch_init(&k->latency);
		k->start_ms = rl_ts(b, "start");
		k->calls = rl_uint(b, "calls");
		k->total_ms = num0(b, "total_ms");
		if (!isnan(p95)) {
			k->timed_calls = k->calls ? k->calls : 1;
			sketch_add(&k->latency, p95);
		}
		k->errors = rl_uint(b, "errors");
		k->lock_waits = rl_uint(b, "lock_waits");
		k->temp_bytes = rl_uint(b, "temp_bytes");
	}
}

static void load_totals(struct events *ev, const json_t *o)
{
	struct ev_totals *t = &ev->totals;

	t->lock_waits = rl_uint(o, "lock_waits");
	t->lock_wait_ms = num0(o, "lock_wait_ms");
	t->deadlocks = rl_uint(o, "deadlocks");
	t->errors = rl_uint(o, "errors");
	t->warnings = rl_uint(o, "warnings");
	t->errors_dropped = rl_uint(o, "errors_dropped");
	t->others = rl_uint(o, "other_messages");
	t->others_dropped = rl_uint(o, "other_messages_dropped");
	struct ev_blocking_dropped d = { rl_uint(o, "transactions_dropped"),
		rl_uint(o, "idle_transactions_unlisted") };
	if (d.holds || d.idle_xacts)
		ev_blocking_add_dropped(ev, d);
}

struct events *events_load_json(const json_t *o, const struct analysis *a)
{
	struct events *ev = events_new(NULL);

	load_lock_waits(ev, json_object_get(o, "lock_waits"));
	load_deadlocks(ev, json_object_get(o, "deadlocks"));
	load_temp_files(ev, json_object_get(o, "temp_files"));
	load_groups(&ev->errors, json_object_get(o, "errors"), false, a);
	load_groups(&ev->others, json_object_get(o, "other_messages"), true, a);
	load_connections(ev, json_object_get(o, "connections"));
	load_checkpoints(ev, json_object_get(o, "checkpoints"));
	load_autovacuum(ev, json_object_get(o, "autovacuum"));
	load_timeline(ev, json_object_get(o, "timeline"));
	load_totals(ev, json_object_get(o, "totals"));
	load_idle(ev, json_object_get(o, "idle_in_transaction"));
	load_wraparound(ev, json_object_get(o, "wraparound"));
	/* The blockers are the kept waits' roots, listed again. */
	ev_blocking_sort(ev);
	return ev;
}
