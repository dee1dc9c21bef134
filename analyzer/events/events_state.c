/* events_state.c: a merged struct events in a saved state (see state.h):
 * the rows and counters events_merge() reads. Nothing per backend is
 * written: a merged result has settled it (events_end_input()). A loaded
 * events has its rows without their indexes, which the merge into the
 * run's does not read. */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "state.h"
#include "timeutil.h"

/* ---- save ---- */

void ev_counts_save(struct st_out *o, const struct ev_counts *c)
{
	st_u64(o, c->n);
	for (size_t i = 0; i < c->n; i++) {
		st_str(o, c->v[i].name);
		st_u64(o, c->v[i].count);
	}
	st_u64(o, c->other);
}

void ev_hold_save(struct st_out *o, const struct ev_hold *h)
{
	st_i64(o, h->pid);
	st_i64(o, h->start);
	st_i64(o, h->end);
	st_str(o, h->app);
	st_u32(o, h->n);
	for (size_t j = 0; j < EV_HOLD_STMTS; j++) {
		st_u64(o, h->st[j].fp);
		st_u8(o, h->st[j].has_fp);
		st_i64(o, h->st[j].start);
		st_i64(o, h->st[j].end);
	}
}

static void wait_save(struct st_out *o, const struct ev_lock_wait *w)
{
	st_i64(o, w->ts_ms);
	st_i64(o, w->pid);
	st_f64(o, w->wait_ms);
	st_u8(o, (uint8_t)w->outcome);
	st_str(o, w->lock);
	st_str(o, w->statement);
	st_u64(o, w->fingerprint);
	st_u8(o, w->has_fingerprint);
	st_u64(o, w->nblockers);
	for (uint32_t k = 0; k < w->nblockers; k++)
		st_i64(o, w->blockers[k]);
	st_str(o, w->db);
	st_str(o, w->user);
	st_str(o, w->app);
	st_i64(o, w->start_ms);
	st_i64(o, w->root_pid);
	st_u8(o, w->root_known);
	st_u8(o, w->root_idle);
	st_u64(o, w->root_depth);
	st_u64(o, w->root_fingerprint);
	st_u8(o, w->root_has_fingerprint);
	st_i64(o, w->root_xact_ts);
	st_str(o, w->root_app);
}

static void locks_save(const struct events *ev, struct st_out *o)
{
	st_u64(o, ev->nwaits);
	for (size_t i = 0; i < ev->nwaits; i++)
		wait_save(o, &ev->waits[i]);
	st_u64(o, ev->ndeadlocks);
	for (size_t i = 0; i < ev->ndeadlocks; i++) {
		const struct ev_deadlock *d = &ev->deadlocks[i];
		st_i64(o, d->ts_ms);
		st_i64(o, d->victim_pid);
		st_u64(o, d->nprocs);
		for (uint32_t k = 0; k < d->nprocs; k++) {
			const struct ev_deadlock_proc *p = &d->procs[k];
			st_i64(o, p->pid);
			st_i64(o, p->blocked_by);
			st_str(o, p->lock);
			st_str(o, p->statement);
			st_u64(o, p->fingerprint);
			st_u8(o, p->has_fingerprint);
		}
		st_str(o, d->db);
	}
}

/* Errors and other messages: one layout. */
static void groups_save(const struct ev_groups *gs, struct st_out *o)
{
	st_u64(o, gs->n);
	for (size_t i = 0; i < gs->n; i++) {
		const struct ev_error *r = &gs->v[i];
		st_str(o, r->key);
		st_u32(o, (uint32_t)r->severity);
		st_u64(o, r->count);
		st_str(o, r->example);
		st_i64(o, r->example_ts);
		st_u64(o, r->fingerprint);
		st_u8(o, r->has_fingerprint);
		st_i64(o, r->first_ts);
		st_i64(o, r->last_ts);
		st_u64(o, r->first_pos);
	}
}

static void rows_save(const struct events *ev, struct st_out *o)
{
	const struct ev_temp_files *t = &ev->temp;
	st_u64(o, t->count);
	st_u64(o, t->bytes);
	st_u64(o, t->max_bytes);
	st_u64(o, t->ngroups);
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct ev_temp_group *g = &t->groups[i];
		st_str(o, g->key);
		st_u64(o, g->fingerprint);
		st_u8(o, g->has_fingerprint);
		st_str(o, g->query);
		st_u64(o, g->count);
		st_u64(o, g->bytes);
		st_u64(o, g->max_bytes);
	}
	groups_save(&ev->errors, o);
	groups_save(&ev->others, o);
}

static void conn_save(const struct ev_connections *c, struct st_out *o)
{
	st_u64(o, c->received);
	st_u64(o, c->authorized);
	st_u64(o, c->failed);
	for (size_t i = 0; i < EV_FAILURE_COUNT; i++)
		st_u64(o, c->failures[i]);
	st_u64(o, c->peak_sessions);
	st_i64(o, c->peak_ts);
	ev_counts_save(o, &c->by_database);
	ev_counts_save(o, &c->by_user);
	ev_counts_save(o, &c->by_application);
	ev_counts_save(o, &c->by_host);
	st_u64(o, c->sessions);
	st_f64(o, c->session_total_s);
	st_f64(o, c->session_max_s);
	st_sketch(o, &c->session_ms);
	for (size_t i = 0; i < EV_SESSION_BUCKETS; i++)
		st_u64(o, c->session_hist[i]);
}

static void maintenance_save(const struct events *ev, struct st_out *o)
{
	const struct ev_checkpoints *k = &ev->ckpt;
	st_u64(o, k->count);
	st_u64(o, k->restartpoints);
	st_u64(o, k->too_frequent);
	ev_counts_save(o, &k->by_reason);
	st_f64(o, k->write_s);
	st_f64(o, k->sync_s);
	st_f64(o, k->total_s);
	st_f64(o, k->max_total_s);
	st_u64(o, k->buffers);
	st_u64(o, k->wal_added);
	st_u64(o, k->wal_removed);
	st_u64(o, k->wal_recycled);
	const struct ev_autovacuum *av = &ev->av;
	st_u64(o, av->vacuum_count);
	st_u64(o, av->analyze_count);
	st_u64(o, av->ntables);
	for (size_t i = 0; i < av->ntables; i++) {
		const struct ev_vacuum_table *t = &av->tables[i];
		st_str(o, t->table);
		st_u64(o, t->vacuums);
		st_u64(o, t->analyzes);
		st_u64(o, t->aggressive);
		st_u64(o, t->wraparound);
		st_u64(o, t->canceled);
		st_u64(o, t->removed_tuples);
		st_f64(o, t->total_ms);
		st_f64(o, t->max_ms);
	}
}

static void timeline_save(const struct ev_timeline *tl, struct st_out *o)
{
	st_i64(o, tl->width_ms);
	st_u64(o, tl->n);
	st_i64(o, tl->n ? tl->b[0].start_ms : 0);
	for (size_t i = 0; i < tl->n; i++) {
		const struct ev_bucket *b = &tl->b[i];
		st_u64(o, b->calls);
		st_u64(o, b->timed_calls);
		st_f64(o, b->total_ms);
		st_sketch(o, &b->latency);
		st_u64(o, b->errors);
		st_u64(o, b->lock_waits);
		st_u64(o, b->temp_bytes);
	}
}

/* Checkpoint intervals, wraparound alarms, idle time per application. */
static void risks_save(const struct events *ev, struct st_out *o)
{
	const struct ev_checkpoints *k = &ev->ckpt;
	st_f64(o, k->min_apart_s);
	st_u64(o, k->wal_started);
	st_u64(o, k->wal_intervals);
	st_f64(o, k->wal_interval_s);
	st_f64(o, k->wal_interval_min_s);
	const struct ev_wraparound *w = &ev->wrap;
	st_u64(o, w->warnings);
	st_u64(o, w->refusals);
	st_u64(o, w->failsafe);
	st_u64(o, w->min_left);
	st_str(o, w->db);
	st_i64(o, w->first_ts);
	st_i64(o, w->last_ts);
	size_t n;
	const struct ev_idle_app *a = events_idle(ev, &n);
	st_u64(o, n);
	for (size_t i = 0; i < n; i++) {
		st_str(o, a[i].app);
		st_u64(o, a[i].xacts);
		st_u64(o, a[i].gaps);
		st_f64(o, a[i].idle_ms);
		st_f64(o, a[i].max_ms);
		st_i64(o, a[i].max_ts);
		st_i64(o, a[i].max_pid);
		st_u64(o, a[i].fingerprint);
		st_u8(o, a[i].has_fingerprint);
	}
	struct ev_blocking_dropped d = events_blocking_dropped(ev);
	st_u64(o, d.holds);
	st_u64(o, d.idle_xacts);
	/* The holds: a lock wait of another state may have been waiting
	 * for one of them. */
	const struct ev_hold *h = ev_blocking_holds(ev, &n);
	st_u64(o, n);
	for (size_t i = 0; i < n; i++)
		ev_hold_save(o, &h[i]);
}

void events_state_save(const struct events *ev, struct st_out *o)
{
	locks_save(ev, o);
	rows_save(ev, o);
	conn_save(&ev->conn, o);
	st_u64(o, ev->nsdeltas);
	for (size_t i = 0; i < ev->nsdeltas; i++) {
		st_u64(o, ev->sdeltas[i].pos);
		st_i64(o, ev->sdeltas[i].ts);
		st_i64(o, ev->sdeltas[i].pid);
		st_u8(o, (uint8_t)(ev->sdeltas[i].delta + 1));
	}
	maintenance_save(ev, o);
	timeline_save(&ev->tl, o);
	const struct ev_totals *t = &ev->totals;
	st_u64(o, t->lock_waits);
	st_f64(o, t->lock_wait_ms);
	st_u64(o, t->deadlocks);
	st_u64(o, t->errors);
	st_u64(o, t->warnings);
	st_u64(o, t->errors_dropped);
	st_u64(o, t->others);
	st_u64(o, t->others_dropped);
	ev_pooler_state_save(ev, o);
	risks_save(ev, o);
}

/* ---- load ---- */

bool ev_hold_load(struct st_in *in, struct ev_hold *h)
{
	*h = (struct ev_hold){ 0 };
	h->pid = st_get_i64(in);
	h->start = st_get_i64(in);
	h->end = st_get_i64(in);
	h->app = st_get_str(in, NULL);
	h->n = st_get_u32(in);
	for (size_t j = 0; j < EV_HOLD_STMTS; j++) {
		h->st[j].fp = st_get_u64(in);
		h->st[j].has_fp = st_get_bool(in);
		h->st[j].start = st_get_i64(in);
		h->st[j].end = st_get_i64(in);
	}
	if (in->bad || h->pid <= 0) {
		free(h->app);
		h->app = NULL;
		return st_fail(in, "a held transaction without its pid");
	}
	return true;
}

bool ev_counts_load(struct st_in *in, struct ev_counts *c)
{
	size_t n = st_get_count(in, 12, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		size_t len;
		const char *s = st_get_ref(in, &len);
		uint64_t count = st_get_u64(in);
		if (!s)
			return st_fail(in, "a name count without its name");
		ev_counts_add(c, s, strnlen(s, len), count);
	}
	c->other += st_get_u64(in);
	return !in->bad;
}

static bool wait_load(struct st_in *in, struct ev_lock_wait *w)
{
	w->ts_ms = st_get_i64(in);
	w->pid = st_get_i64(in);
	w->wait_ms = st_get_f64(in);
	uint8_t outcome = st_get_u8(in);
	w->lock = st_get_str(in, NULL);
	w->statement = st_get_str(in, NULL);
	w->fingerprint = st_get_u64(in);
	w->has_fingerprint = st_get_bool(in);
	size_t nb = st_get_count(in, 8, UINT32_MAX);
	if (nb)
		w->blockers = xmalloc(nb * sizeof(*w->blockers));
	for (size_t k = 0; k < nb; k++)
		w->blockers[k] = st_get_i64(in);
	w->nblockers = (uint32_t)nb;
	w->db = st_get_str(in, NULL);
	w->user = st_get_str(in, NULL);
	w->app = st_get_str(in, NULL);
	w->start_ms = st_get_i64(in);
	w->root_pid = st_get_i64(in);
	w->root_known = st_get_bool(in);
	w->root_idle = st_get_bool(in);
	w->root_depth = (uint32_t)st_get_count(in, 0, UINT32_MAX);
	w->root_fingerprint = st_get_u64(in);
	w->root_has_fingerprint = st_get_bool(in);
	w->root_xact_ts = st_get_i64(in);
	w->root_app = st_get_str(in, NULL);
	if (in->bad)
		return false;
	if (outcome >= EV_LOCK_OUTCOME_COUNT)
		return st_fail(in, "a lock wait of an unknown outcome");
	if (!w->lock)
		return st_fail(in, "a lock wait without its lock");
	w->outcome = (enum ev_lock_outcome)outcome;
	return true;
}

static bool locks_load(struct events *ev, struct st_in *in)
{
	size_t n = st_get_count(in, 60, 0);
	if (n) {
		ev->waits = xcalloc(n, sizeof(*ev->waits));
		ev->capwaits = n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		if (!wait_load(in, &ev->waits[ev->nwaits++]))
			return false;
	}
	n = st_get_count(in, 32, 0);
	if (n) {
		ev->deadlocks = xcalloc(n, sizeof(*ev->deadlocks));
		ev->capdeadlocks = n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_deadlock *d = &ev->deadlocks[ev->ndeadlocks++];
		d->ts_ms = st_get_i64(in);
		d->victim_pid = st_get_i64(in);
		size_t np = st_get_count(in, 33, UINT32_MAX);
		if (np)
			d->procs = xcalloc(np, sizeof(*d->procs));
		for (size_t k = 0; k < np && !in->bad; k++) {
			struct ev_deadlock_proc *p = &d->procs[d->nprocs++];
			p->pid = st_get_i64(in);
			p->blocked_by = st_get_i64(in);
			p->lock = st_get_str(in, NULL);
			p->statement = st_get_str(in, NULL);
			p->fingerprint = st_get_u64(in);
			p->has_fingerprint = st_get_bool(in);
		}
		d->db = st_get_str(in, NULL);
	}
	return !in->bad;
}

static bool temp_load(struct events *ev, struct st_in *in)
{
	struct ev_temp_files *t = &ev->temp;
	t->count = st_get_u64(in);
	t->bytes = st_get_u64(in);
	t->max_bytes = st_get_u64(in);
	size_t n = st_get_count(in, 41, 0);
	if (n) {
		t->groups = xcalloc(n, sizeof(*t->groups));
		ev->captemp = n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_temp_group *g = &t->groups[t->ngroups++];
		size_t len;
		const char *key = st_get_ref(in, &len);
		if (!key || len >= sizeof(g->key))
			return st_fail(in, "a temporary file group's key");
		memcpy(g->key, key, len);
		g->key[len] = '\0';
		g->fingerprint = st_get_u64(in);
		g->has_fingerprint = st_get_bool(in);
		g->query = st_get_str(in, NULL);
		g->count = st_get_u64(in);
		g->bytes = st_get_u64(in);
		g->max_bytes = st_get_u64(in);
	}
	return !in->bad;
}

/* sev_min..sev_max: the severities the groups may hold. */
static bool groups_load(struct ev_groups *gs, struct st_in *in,
		enum severity sev_min, enum severity sev_max)
{
	size_t n = st_get_count(in, 61, EV_ERROR_GROUPS_MAX);
	if (n) {
		gs->v = xcalloc(n, sizeof(*gs->v));
		gs->cap = n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_error *r = &gs->v[gs->n++];
		r->key = st_get_str(in, NULL);
		uint32_t sev = st_get_u32(in);
		r->count = st_get_u64(in);
		r->example = st_get_str(in, NULL);
		r->example_ts = st_get_i64(in);
		r->fingerprint = st_get_u64(in);
		r->has_fingerprint = st_get_bool(in);
		r->first_ts = st_get_i64(in);
		r->last_ts = st_get_i64(in);
		uint64_t pos = st_get_u64(in);
		r->first_pos = pos ? pos + in->pos_shift : 0;
		if (in->bad)
			return false;
		if (sev < (uint32_t)sev_min || sev > (uint32_t)sev_max)
			return st_fail(in, "a message group of an unknown severity");
		r->severity = (enum severity)sev;
		/* key: "SEVERITY\x1fSQLSTATE\x1fmessage", as events_errors.c makes it */
		const char *s1 = r->key ? strchr(r->key, '\x1f') : NULL;
		const char *s2 = s1 ? strchr(s1 + 1, '\x1f') : NULL;
		if (!s2)
			return st_fail(in, "a message group's key");
		size_t sl = (size_t)(s2 - s1 - 1);
		memcpy(r->sqlstate, s1 + 1, sl < 5 ? sl : 5);
		r->message = s2 + 1;
	}
	return !in->bad;
}

static bool conn_load(struct ev_connections *c, struct st_in *in)
{
	c->received = st_get_u64(in);
	c->authorized = st_get_u64(in);
	c->failed = st_get_u64(in);
	for (size_t i = 0; i < EV_FAILURE_COUNT; i++)
		c->failures[i] = st_get_u64(in);
	c->peak_sessions = st_get_u64(in);
	c->peak_ts = st_get_i64(in);
	if (!ev_counts_load(in, &c->by_database) || !ev_counts_load(in, &c->by_user) ||
			!ev_counts_load(in, &c->by_application) || !ev_counts_load(in, &c->by_host))
		return false;
	c->sessions = st_get_u64(in);
	c->session_total_s = st_get_f64(in);
	c->session_max_s = st_get_f64(in);
	sketch_release(&c->session_ms);
	if (!st_get_sketch(in, &c->session_ms))
		return false;
	for (size_t i = 0; i < EV_SESSION_BUCKETS; i++)
		c->session_hist[i] = st_get_u64(in);
	return !in->bad;
}

static bool maintenance_load(struct events *ev, struct st_in *in)
{
	struct ev_checkpoints *k = &ev->ckpt;
	k->count = st_get_u64(in);
	k->restartpoints = st_get_u64(in);
	k->too_frequent = st_get_u64(in);
	if (!ev_counts_load(in, &k->by_reason))
		return false;
	k->write_s = st_get_f64(in);
	k->sync_s = st_get_f64(in);
	k->total_s = st_get_f64(in);
	k->max_total_s = st_get_f64(in);
	k->buffers = st_get_u64(in);
	k->wal_added = st_get_u64(in);
	k->wal_removed = st_get_u64(in);
	k->wal_recycled = st_get_u64(in);
	struct ev_autovacuum *av = &ev->av;
	av->vacuum_count = st_get_u64(in);
	av->analyze_count = st_get_u64(in);
	size_t n = st_get_count(in, 68, 0);
	if (n) {
		av->tables = xcalloc(n, sizeof(*av->tables));
		av->cap = n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_vacuum_table *t = &av->tables[av->ntables++];
		t->table = st_get_str(in, NULL);
		if (!t->table)
			return st_fail(in, "an autovacuum row without its table");
		t->vacuums = st_get_u64(in);
		t->analyzes = st_get_u64(in);
		t->aggressive = st_get_u64(in);
		t->wraparound = st_get_u64(in);
		t->canceled = st_get_u64(in);
		t->removed_tuples = st_get_u64(in);
		t->total_ms = st_get_f64(in);
		t->max_ms = st_get_f64(in);
	}
	return !in->bad;
}

static bool timeline_load(struct ev_timeline *tl, struct st_in *in)
{
	int64_t w = st_get_i64(in);
	size_t n = st_get_count(in, 100, EV_TIMELINE_MAX_BUCKETS);
	int64_t first = st_get_i64(in);
	if (in->bad)
		return false;
	bool ladder = false;
	for (int64_t x = TS_LADDER_FIRST_MS; w <= (int64_t)1 << 50 && x > 0 && x <= w;
			x = ts_ladder_next(x))
		ladder |= x == w;
	if (!ladder || first % w != 0 || first > INT64_MAX / 2 || first < INT64_MIN / 2)
		return st_fail(in, "a timeline of an unknown width");
	tl->width_ms = w;
	if (!n)
		return true;
	tl->b = xcalloc(n, sizeof(*tl->b));
	tl->cap = n;
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_bucket *b = &tl->b[tl->n++];
		b->start_ms = first + (int64_t)i * w;
		b->calls = st_get_u64(in);
		b->timed_calls = st_get_u64(in);
		b->total_ms = st_get_f64(in);
		if (!st_get_sketch(in, &b->latency))
			return false;
		b->errors = st_get_u64(in);
		b->lock_waits = st_get_u64(in);
		b->temp_bytes = st_get_u64(in);
	}
	return !in->bad;
}

/* Sessions opened and closed (events_int.h), their places moved after
 * the inputs merged before. */
static bool sdeltas_load(struct events *ev, struct st_in *in)
{
	size_t n = st_get_count(in, 25, 0);
	if (in->bad)
		return false;
	ev->sdeltas = xrealloc(ev->sdeltas, (ev->nsdeltas + n + 1) * sizeof(*ev->sdeltas));
	ev->capsdeltas = ev->nsdeltas + n + 1;
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_sdelta *d = &ev->sdeltas[ev->nsdeltas++];
		d->pos = st_get_u64(in) + in->pos_shift;
		d->ts = st_get_i64(in);
		d->pid = st_get_i64(in);
		uint8_t k = st_get_u8(in);
		if (k > EV_SD_RECEIVED + 1)
			return st_fail(in, "a session change of an unknown kind");
		d->delta = (int)k - 1;
	}
	return !in->bad;
}

static bool risks_load(struct events *ev, struct st_in *in)
{
	struct ev_checkpoints *k = &ev->ckpt;
	k->min_apart_s = st_get_f64(in);
	k->wal_started = st_get_u64(in);
	k->wal_intervals = st_get_u64(in);
	k->wal_interval_s = st_get_f64(in);
	k->wal_interval_min_s = st_get_f64(in);
	struct ev_wraparound *w = &ev->wrap;
	w->warnings = st_get_u64(in);
	w->refusals = st_get_u64(in);
	w->failsafe = st_get_u64(in);
	w->min_left = st_get_u64(in);
	free(w->db);
	w->db = st_get_str(in, NULL);
	w->first_ts = st_get_i64(in);
	w->last_ts = st_get_i64(in);
	size_t n = st_get_count(in, 50, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_idle_app a = { 0 };
		a.app = st_get_str(in, NULL);
		a.xacts = st_get_u64(in);
		a.gaps = st_get_u64(in);
		a.idle_ms = st_get_f64(in);
		a.max_ms = st_get_f64(in);
		a.max_ts = st_get_i64(in);
		a.max_pid = st_get_i64(in);
		a.fingerprint = st_get_u64(in);
		a.has_fingerprint = st_get_bool(in);
		if (!in->bad)
			ev_blocking_add_idle(ev, &(struct ev_idle_app){ .app = a.app ?
				a.app : (char *)"", .xacts = a.xacts, .gaps = a.gaps,
				.idle_ms = a.idle_ms, .max_ms = a.max_ms,
				.max_ts = a.max_ts, .max_pid = a.max_pid,
				.fingerprint = a.fingerprint,
				.has_fingerprint = a.has_fingerprint });
		free(a.app);
	}
	struct ev_blocking_dropped d;
	d.holds = st_get_u64(in);
	d.idle_xacts = st_get_u64(in);
	if (!in->bad && (d.holds || d.idle_xacts))
		ev_blocking_add_dropped(ev, d);
	n = st_get_count(in, EV_HOLD_SAVED_MIN, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_hold h;
		if (!ev_hold_load(in, &h))
			return false;
		ev_blocking_add_hold(ev, &h);
	}
	return !in->bad;
}

bool events_state_load(struct events *ev, struct st_in *in)
{
	if (!locks_load(ev, in) || !temp_load(ev, in) || !groups_load(&ev->errors, in, SEV_WARNING, SEV_PANIC) ||
			!groups_load(&ev->others, in, SEV_NONE, SEV_NOTICE) ||
			!conn_load(&ev->conn, in) || !sdeltas_load(ev, in) ||
			!maintenance_load(ev, in) ||
			!timeline_load(&ev->tl, in))
		return false;
	struct ev_totals *t = &ev->totals;
	t->lock_waits = st_get_u64(in);
	t->lock_wait_ms = st_get_f64(in);
	t->deadlocks = st_get_u64(in);
	t->errors = st_get_u64(in);
	t->warnings = st_get_u64(in);
	t->errors_dropped = st_get_u64(in);
	t->others = st_get_u64(in);
	t->others_dropped = st_get_u64(in);
	if (in->bad || !ev_pooler_state_load(ev, in))
		return false;
	return risks_load(ev, in);
}

/* ---- per-backend state carried between --state runs ---- */

uint64_t events_state_oldest_held(const struct events *ev)
{
	uint64_t pos = UINT64_MAX;
	for (size_t i = 0; i < ev->nbackends; i++) {
		const struct ev_pending *p = ev->backends[i].pending;
		if (ev->backends[i].pid && p && p->pos < pos)
			pos = p->pos;
	}
	return pos;
}

void events_state_save_open(struct events *ev, struct st_out *o)
{
	/* A held message may open or end a wait: it goes first, as at the
	 * end of an input. */
	ev_flush_pending(ev);
	uint64_t nsessions = 0, nwaits = 0;
	for (size_t i = 0; i < ev->nbackends; i++) {
		nsessions += ev->backends[i].pid && ev->backends[i].session_open;
		nwaits += ev->backends[i].pid && ev->backends[i].wait;
	}
	st_u64(o, nsessions);
	for (size_t i = 0; i < ev->nbackends; i++) {
		const struct ev_backend *b = &ev->backends[i];
		if (!b->pid || !b->session_open)
			continue;
		st_i64(o, b->pid);
		st_i64(o, b->session_ts);
	}
	st_u64(o, nwaits);
	for (size_t i = 0; i < ev->nbackends; i++) {
		struct ev_backend *b = &ev->backends[i];
		if (!b->pid || !b->wait)
			continue;
		/* Taken out: the run that sees its end keeps it. */
		wait_save(o, b->wait);
		ev_lock_wait_free(b->wait);
		free(b->wait);
		b->wait = NULL;
		ev->open_waits--;
	}
	ev_blocking_save_open(ev, o);
}

bool events_state_load_open(struct events *ev, struct st_in *in, size_t input)
{
	size_t n = st_get_count(in, 16, 0);
	const unsigned char *at = in->p;
	int64_t last = TS_NONE;
	for (size_t i = 0; i < n && !in->bad; i++) {
		(void)st_get_i64(in);
		int64_t ts = st_get_i64(in);
		if (ts != TS_NONE && (last == TS_NONE || ts > last))
			last = ts;
	}
	in->p = in->bad ? in->p : at;
	for (size_t i = 0; i < n && !in->bad; i++) {
		int64_t pid = st_get_i64(in), ts = st_get_i64(in);
		if (in->bad || pid <= 0)
			return st_fail(in, "an open session without its pid");
		struct ev_backend *b = ev_backend_get(ev, pid);
		if (b->session_open)
			continue;
		b->session_open = true;
		b->session_ts = ts;
		/* Open from the input's start, so that its peak counts them;
		 * that count was reached when the last of them opened. */
		ev_sessions_delta(ev, CALL_POS(input, 0), last, pid, EV_SD_OPEN);
	}
	n = st_get_count(in, 60, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct ev_lock_wait *w = xcalloc(1, sizeof(*w));
		if (!wait_load(in, w) || w->pid <= 0) {
			ev_lock_wait_free(w);
			free(w);
			return st_fail(in, "an open lock wait without its pid");
		}
		struct ev_backend *b = ev_backend_get(ev, w->pid);
		if (b->wait) {
			ev_lock_wait_free(b->wait);
			free(b->wait);
		} else {
			ev->open_waits++;
		}
		b->wait = w;
	}
	return !in->bad && ev_blocking_load_open(ev, in);
}
