/* findings_events.c: the findings a DBA looks for first in the server's
 * own messages (events.h): who blocked whom (lock_contention), deadlocks,
 * sessions idle in their transactions, checkpoints forced by WAL volume,
 * and transaction ID wraparound. Every figure comes from the events; the
 * evidence repeats them so that each can be traced to the log. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "events.h"
#include "fingerprint.h"
#include "snapshots.h"
#include "timeutil.h"
#include "util.h"

/* The checkpoint_timeout and checkpoint_completion_target the advice on
 * max_wal_size aims at: PostgreSQL's defaults. */
#define CKPT_TIMEOUT_S 300.0
#define CKPT_COMPLETION 0.9
/* Checkpoints started by WAL this far apart on average are too frequent
 * even when the server did not warn (checkpoint_warning is 30 s). */
#define CKPT_WAL_MEAN_S 120.0
/* An application whose longest idle gap inside a transaction reaches
 * this is worth a warning; any gap of EV_IDLE_GAP_MS makes a finding. */
#define IDLE_WARN_MS 10000.0

static const struct group *group_of(const struct analysis *a, uint64_t fp)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i]->fingerprint == fp)
			return a->groups[i];
	return NULL;
}

static const char *query_of(const struct analysis *a, bool has_fp, uint64_t fp)
{
	const struct group *g = has_fp ? group_of(a, fp) : NULL;
	return g && g->query ? g->query : NULL;
}

static json_t *jts(int64_t ms)
{
	if (ms == TS_NONE)
		return json_null();
	char buf[32];
	ts_format_iso(ms, buf);
	return json_string(buf);
}

static json_t *jfp(bool has, uint64_t fp)
{
	if (!has)
		return json_null();
	char hex[17];
	fp_format(fp, hex);
	return json_string(hex);
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_append(sb, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* "1.2 s", "850 ms" */
static const char *fmt_ms(double ms, char *out, size_t len)
{
	if (ms >= 1000)
		snprintf(out, len, "%.1f s", ms / 1000);
	else
		snprintf(out, len, "%.0f ms", ms);
	return out;
}

/* The first 100 bytes of a query for a title (at a character start),
 * without the spaces the cut left at its end. */
static const char *title_query(const char *q, char *out, size_t len)
{
	size_t n = strlen(q);
	if (n > 100) {
		n = 100;
		while (n && ((unsigned char)q[n] & 0xC0) == 0x80)
			n--;
	}
	while (n && q[n - 1] == ' ')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(out, q, n);
	out[n] = '\0';
	return out;
}

/* A SQL string literal's content: what the log names is never quoted
 * with a ' in it, but one would end the literal early. */
static const char *lit(const char *s)
{
	return s && !strchr(s, '\'') && !strchr(s, '\\') ? s : "?";
}

/* ---- lock_contention: the root blockers, per statement ---- */

/* The statements that waited point at f: their slow_query finding says
 * the time went on waiting. */
static void mark_waiters(struct adv_ctx *c, const struct ev_lock_wait *w,
		struct finding *f)
{
	if (!w->has_fingerprint)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].g->fingerprint == w->fingerprint)
			adv_item_helped(&c->items[i], f);
}

/* The waits a blocker caused: its pid and transaction. */
static bool caused_by(const struct ev_lock_wait *w, const struct ev_blocker *b)
{
	return w->root_pid == b->pid && w->root_xact_ts == b->xact_ts;
}

static bool same_statement(const struct ev_blocker *x, const struct ev_blocker *y)
{
	if (x->known != y->known || x->has_fingerprint != y->has_fingerprint)
		return false;
	return !x->has_fingerprint || x->fingerprint == y->fingerprint;
}

static void lock_finding(struct adv_ctx *c, const struct ev_blocker *b,
		size_t n, const bool *mine)
{
	const struct events *ev = c->a->events;
	size_t nw;
	const struct ev_lock_wait *w = events_lock_waits(ev, &nw);
	const struct ev_blocker *top = NULL;
	uint64_t waits = 0, direct = 0, holders = 0;
	uint32_t depth = 0;
	double wait_ms = 0;
	bool idle = false;
	json_t *roots = json_array(), *apps = json_array();
	const char *user = NULL, *db = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!mine[i])
			continue;
		if (!top)
			top = &b[i];
		holders++;
		waits += b[i].waits;
		direct += b[i].direct;
		wait_ms += b[i].wait_ms;
		idle |= b[i].idle;
		if (b[i].depth > depth)
			depth = b[i].depth;
		json_array_append_new(roots, json_pack("{s:I, s:o, s:o, s:o, s:b, s:s?, s:I, s:I, s:I, s:f}",
			"pid", (json_int_t)b[i].pid, "app", jstr_or_null(b[i].app),
			"xact_start", jts(b[i].xact_ts), "first_wait", jts(b[i].first_ts),
			"idle_in_transaction", b[i].idle, "lock", b[i].lock,
			"waits", (json_int_t)b[i].waits, "direct_waits", (json_int_t)b[i].direct,
			"depth", (json_int_t)b[i].depth, "wait_ms", b[i].wait_ms));
		/* The applications made to wait, once each. */
		for (size_t k = 0; k < nw; k++) {
			if (!caused_by(&w[k], &b[i]))
				continue;
			if (!user)
				user = w[k].user;
			if (!db)
				db = w[k].db;
			const char *app = w[k].app ? w[k].app : "";
			bool seen = false;
			size_t j;
			json_t *v;
			json_array_foreach(apps, j, v)
				seen |= strcmp(json_string_value(v), app) == 0;
			if (!seen)
				json_array_append_new(apps, json_string(app));
		}
	}
	const char *q = top->known ? query_of(c->a, top->has_fingerprint,
			top->fingerprint) : NULL;
	char t1[32], t2[32], tq[128];
	enum finding_severity sev = wait_ms >= 60000 ? FS_CRITICAL :
		wait_ms >= 1000 || idle || depth >= 2 ? FS_WARNING : FS_INFO;
	struct finding *f;
	if (top->known)
		f = findings_add(c->a->findings, FK_lock_contention, sev, wait_ms,
			"%s blocked %llu lock wait%s for %s%s%s: %s",
			top->app ? top->app : "a session",
			(unsigned long long)waits, waits == 1 ? "" : "s",
			fmt_ms(wait_ms, t1, sizeof(t1)),
			idle ? ", idle in its transaction" : "",
			depth >= 2 ? " (a chain)" : "",
			q ? title_query(q, tq, sizeof(tq)) : "its statement was not kept");
	else
		f = findings_add(c->a->findings, FK_lock_contention, sev, wait_ms,
			"%llu lock wait%s for %s behind sessions whose statements the log does not show",
			(unsigned long long)waits, waits == 1 ? "" : "s",
			fmt_ms(wait_ms, t1, sizeof(t1)));
	if (top->known && top->has_fingerprint)
		finding_set_fingerprint(f, top->fingerprint);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; mine[i] && k < nw; k++)
			if (caused_by(&w[k], &b[i]))
				mark_waiters(c, &w[k], f);
	json_object_set_new(f->evidence, "root_blockers", roots);
	json_object_set_new(f->evidence, "blocked_applications", apps);
	json_object_set_new(f->evidence, "waits", json_integer((json_int_t)waits));
	json_object_set_new(f->evidence, "direct_waits", json_integer((json_int_t)direct));
	json_object_set_new(f->evidence, "wait_ms", json_real(wait_ms));
	json_object_set_new(f->evidence, "longest_chain", json_integer(depth));
	json_object_set_new(f->evidence, "idle_in_transaction", json_boolean(idle));
	json_object_set_new(f->evidence, "query", jstr_or_null(q));
	json_object_set_new(f->evidence, "fingerprint", jfp(top->known &&
			top->has_fingerprint, top->fingerprint));

	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "-- the root blocker%s: pid %lld (%s), %s; %llu session%s "
		"waited %s behind it%s\n", holders > 1 ? "s" : "", (long long)top->pid,
		top->app ? top->app : "application not logged",
		!top->known ? "whose statements were not logged" :
		top->idle ? "idle in its transaction after this statement" :
		"running this statement", (unsigned long long)waits,
		waits == 1 ? "" : "s", fmt_ms(wait_ms, t2, sizeof(t2)),
		depth >= 2 ? ", some through a session that itself waited" : "");
	sb_printf(&sb, "-- keep transactions short: commit right after the writes, "
		"do no client work (calls to other services, user input) while one is open\n");
	sb_printf(&sb, "-- take row locks in one order everywhere (for example by "
		"primary key: SELECT ... ORDER BY id FOR UPDATE)\n");
	sb_printf(&sb, "-- let waiters give up (SQLSTATE 55P03, retry) rather than queue:\n");
	if (user)
		sb_printf(&sb, "ALTER ROLE %s SET lock_timeout = '2s';\n", lit(user));
	else
		sb_printf(&sb, "SET lock_timeout = '2s';\n");
	if (idle)
		sb_printf(&sb, "-- end sessions left idle in a transaction:\n"
			"ALTER DATABASE %s SET idle_in_transaction_session_timeout = '60s';\n",
			db ? lit(db) : "current_database_here");
	sb_printf(&sb, "-- who blocks whom, live:\nSELECT pid, pg_blocking_pids(pid) AS "
		"blocked_by, state, now() - xact_start AS in_xact, query FROM "
		"pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0;");
	finding_set_suggestion(f, "%s", sb.buf);
	sb_release(&sb);
}

static void lock_contention_run(struct adv_ctx *c)
{
	size_t n;
	const struct ev_blocker *b = events_blockers(c->a->events, &n);
	if (!n)
		return;
	bool *done = xcalloc(n, sizeof(*done)), *mine = xcalloc(n, sizeof(*mine));
	/* The blockers come most wait first: each finding is one statement's. */
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		for (size_t k = 0; k < n; k++) {
			mine[k] = !done[k] && same_statement(&b[i], &b[k]);
			done[k] |= mine[k];
		}
		lock_finding(c, b, n, mine);
	}
	free(done);
	free(mine);
}

/* ---- deadlock: per set of statements ---- */

static bool same_cycle(const struct ev_deadlock *x, const struct ev_deadlock *y)
{
	if (x->nprocs != y->nprocs)
		return false;
	for (uint32_t i = 0; i < x->nprocs; i++) {
		bool found = false;
		for (uint32_t k = 0; k < y->nprocs && !found; k++)
			found = x->procs[i].has_fingerprint == y->procs[k].has_fingerprint &&
				x->procs[i].fingerprint == y->procs[k].fingerprint;
		if (!found)
			return false;
	}
	return true;
}

/* The wait the victim gave up, when it was logged (log_lock_waits). */
static double victim_wait(const struct events *ev, const struct ev_deadlock *d)
{
	size_t n;
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	for (size_t i = 0; i < n; i++)
		if (w[i].pid == d->victim_pid && w[i].outcome == EV_LOCK_DEADLOCK &&
				w[i].ts_ms <= d->ts_ms && w[i].ts_ms >= d->ts_ms - 1000)
			return w[i].wait_ms;
	return 0;
}

static void deadlock_run(struct adv_ctx *c)
{
	const struct events *ev = c->a->events;
	size_t n;
	const struct ev_deadlock *d = events_deadlocks(ev, &n);
	bool *done = xcalloc(n ? n : 1, sizeof(*done));
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		uint64_t count = 0;
		double ms = 0;
		json_t *when = json_array();
		for (size_t k = i; k < n; k++) {
			if (done[k] || !same_cycle(&d[i], &d[k]))
				continue;
			done[k] = true;
			count++;
			ms += victim_wait(ev, &d[k]);
			if (json_array_size(when) < 20)
				json_array_append_new(when, jts(d[k].ts_ms));
		}
		json_t *procs = json_array();
		sb_reset(&sb);
		bool same = true;
		for (uint32_t k = 1; k < d[i].nprocs; k++)
			same &= d[i].procs[k].has_fingerprint == d[i].procs[0].has_fingerprint &&
				d[i].procs[k].fingerprint == d[i].procs[0].fingerprint;
		for (uint32_t k = 0; k < d[i].nprocs; k++) {
			const struct ev_deadlock_proc *p = &d[i].procs[k];
			const char *q = query_of(c->a, p->has_fingerprint, p->fingerprint);
			json_array_append_new(procs, json_pack("{s:o, s:o, s:o, s:b}",
				"fingerprint", jfp(p->has_fingerprint, p->fingerprint),
				"query", jstr_or_null(q), "lock", jstr_or_null(p->lock),
				"victim", p->pid == d[i].victim_pid));
			char tq[128];
			if (!k || !same)
				sb_printf(&sb, "%s%s", k ? " / " : "", q ?
					title_query(q, tq, sizeof(tq)) : "(statement not logged)");
		}
		struct finding *f = findings_add(c->a->findings, FK_deadlock,
			count >= 10 ? FS_CRITICAL : FS_WARNING, ms,
			"%llu deadlock%s between %u transactions%s: %s",
			(unsigned long long)count, count == 1 ? "" : "s",
			d[i].nprocs, same && d[i].nprocs > 1 ?
			" running the same statement" : "", sb.buf);
		const struct ev_deadlock_proc *v = NULL;
		for (uint32_t k = 0; k < d[i].nprocs; k++)
			if (d[i].procs[k].pid == d[i].victim_pid)
				v = &d[i].procs[k];
		if (v && v->has_fingerprint)
			finding_set_fingerprint(f, v->fingerprint);
		json_object_set_new(f->evidence, "deadlocks", json_integer((json_int_t)count));
		json_object_set_new(f->evidence, "at", when);
		json_object_set_new(f->evidence, "statements", procs);
		json_object_set_new(f->evidence, "database", jstr_or_null(d[i].db));
		json_object_set_new(f->evidence, "victim_wait_ms", json_real(ms));
		finding_set_suggestion(f, "-- each transaction locked rows the other "
			"wanted next, in the opposite order: one of them was aborted "
			"(SQLSTATE 40P01)\n"
			"-- lock the rows in one order in every transaction, for example by "
			"primary key:\n"
			"SELECT id FROM <table> WHERE id IN (...) ORDER BY id FOR UPDATE;\n"
			"-- or update them in key order; keep the transactions short, and "
			"retry the aborted one on 40P01 in the application");
	}
	sb_release(&sb);
	free(done);
}

/* ---- idle_in_transaction, per application ---- */

static bool idle_blocked(const struct events *ev, const char *app)
{
	size_t n;
	const struct ev_blocker *b = events_blockers(ev, &n);
	for (size_t i = 0; i < n; i++)
		if (b[i].idle && b[i].app && strcmp(b[i].app, app) == 0)
			return true;
	return false;
}

static void idle_run(struct adv_ctx *c)
{
	size_t n;
	const struct ev_idle_app *r = events_idle(c->a->events, &n);
	for (size_t i = 0; i < n; i++) {
		if (!r[i].gaps)
			continue;
		bool blocked = idle_blocked(c->a->events, r[i].app);
		char t1[32], t2[32];
		const char *q = query_of(c->a, r[i].has_fingerprint, r[i].fingerprint);
		struct finding *f = findings_add(c->a->findings, FK_idle_in_transaction,
			blocked || r[i].max_ms >= IDLE_WARN_MS ? FS_WARNING : FS_INFO,
			r[i].idle_ms, "%s idle in %llu transaction%s for %s, the longest %s%s",
			r[i].app[0] ? r[i].app : "an application not logged",
			(unsigned long long)r[i].xacts, r[i].xacts == 1 ? "" : "s",
			fmt_ms(r[i].idle_ms, t1, sizeof(t1)),
			fmt_ms(r[i].max_ms, t2, sizeof(t2)),
			blocked ? ", holding locks others waited for" : "");
		if (r[i].has_fingerprint)
			finding_set_fingerprint(f, r[i].fingerprint);
		json_object_set_new(f->evidence, "application", json_string(r[i].app));
		json_object_set_new(f->evidence, "transactions", json_integer((json_int_t)r[i].xacts));
		json_object_set_new(f->evidence, "idle_gaps", json_integer((json_int_t)r[i].gaps));
		json_object_set_new(f->evidence, "idle_ms", json_real(r[i].idle_ms));
		json_object_set_new(f->evidence, "max_idle_ms", json_real(r[i].max_ms));
		json_object_set_new(f->evidence, "max_idle_at", jts(r[i].max_ts));
		json_object_set_new(f->evidence, "example_backend", json_integer(r[i].max_pid));
		json_object_set_new(f->evidence, "statement_before", jstr_or_null(q));
		json_object_set_new(f->evidence, "blocked_others", json_boolean(blocked));
		/* Well above the longest gap seen, so that only the abandoned ones
		 * are ended; never under a minute. */
		double timeout_s = ceil(2 * r[i].max_ms / 1000);
		if (timeout_s < 60)
			timeout_s = 60;
		finding_set_suggestion(f, "-- the application kept transactions open "
			"between statements (the longest gap %s, after %s): locks and "
			"snapshots are held all that time, and vacuum cannot remove rows "
			"newer than them\n"
			"-- commit (or roll back) before the client does other work\n"
			"-- end sessions left idle in a transaction:\n"
			"ALTER SYSTEM SET idle_in_transaction_session_timeout = '%.0fs';\n"
			"SELECT pg_reload_conf();\n"
			"-- live: SELECT pid, application_name, now() - state_change AS idle "
			"FROM pg_stat_activity WHERE state = 'idle in transaction';",
			fmt_ms(r[i].max_ms, t2, sizeof(t2)), q ? q : "a statement", timeout_s);
	}
}

/* ---- checkpoints_too_frequent ---- */

static void checkpoints_run(struct adv_ctx *c)
{
	const struct ev_checkpoints *k = events_checkpoints(c->a->events);
	if (k->wal_started < 2 || !k->wal_intervals)
		return;
	double mean_s = k->wal_interval_s / (double)k->wal_intervals;
	if (!k->too_frequent && mean_s >= CKPT_WAL_MEAN_S)
		return;
	/* A checkpoint starts when the WAL written since the last one
	 * reaches max_wal_size / (1 + checkpoint_completion_target): to
	 * space them checkpoint_timeout apart at the rate seen, max_wal_size
	 * must grow by the ratio of the two intervals. */
	double factor = CKPT_TIMEOUT_S / (mean_s > 0.001 ? mean_s : 0.001);
	struct finding *f = findings_add(c->a->findings, FK_checkpoints_too_frequent,
		FS_WARNING, 0, "%llu checkpoints forced by WAL volume, %.1f s apart "
		"on average (the shortest %.1f s)%s",
		(unsigned long long)k->wal_started, mean_s, k->wal_interval_min_s,
		k->too_frequent ? "; the server warned" : "");
	json_object_set_new(f->evidence, "checkpoints", json_integer((json_int_t)k->count));
	json_object_set_new(f->evidence, "wal_started", json_integer((json_int_t)k->wal_started));
	json_object_set_new(f->evidence, "wal_intervals", json_integer((json_int_t)k->wal_intervals));
	json_object_set_new(f->evidence, "mean_interval_s", json_real(mean_s));
	json_object_set_new(f->evidence, "min_interval_s", json_real(k->wal_interval_min_s));
	json_object_set_new(f->evidence, "server_warnings", json_integer((json_int_t)k->too_frequent));
	json_object_set_new(f->evidence, "min_seconds_apart", k->min_apart_s >= 0 ?
		json_real(k->min_apart_s) : json_null());
	json_object_set_new(f->evidence, "buffers_written", json_integer((json_int_t)k->buffers));
	json_object_set_new(f->evidence, "factor", json_real(factor));
	finding_set_suggestion(f, "-- checkpoints started because WAL reached "
		"max_wal_size came every %.1f s on average (the server warns under "
		"checkpoint_warning, 30 s); each one writes every dirty page and makes "
		"the next write of each page a full-page image in WAL\n"
		"-- to space them checkpoint_timeout (%.0f s) apart at this write rate, "
		"max_wal_size must be about %.0f times its current value:\n"
		"SHOW max_wal_size;\n"
		"ALTER SYSTEM SET max_wal_size = '<current x %.0f, e.g. 4GB>';\n"
		"SELECT pg_reload_conf();\n"
		"-- check the disk holds it (pg_wal grows up to about max_wal_size), "
		"and keep checkpoint_completion_target = 0.9",
		mean_s, CKPT_TIMEOUT_S, ceil(factor), ceil(factor));
}

/* ---- wraparound_risk ---- */

/* How far a transaction ID age may go: the server wraps around at
 * datfrozenxid + 2^31 - 1 (varsup.c's xidWrapLimit); it warns from 40
 * million before ("must be vacuumed within N transactions", N counted to
 * that limit) and refuses new IDs from 3 million before. */
#define XID_WRAP_AGE 2147483647.0
/* autovacuum_freeze_max_age and autovacuum_multixact_freeze_max_age by
 * default: past them autovacuum must freeze (an anti-wraparound vacuum);
 * past twice that it is not keeping up. */
#define FREEZE_MAX_DEFAULT 200000000.0
#define MXID_FREEZE_MAX_DEFAULT 400000000.0
/* Half the ID space gone: where AWS sets its alarm on
 * MaximumUsedTransactionIDs, and where freezing a big table may no longer
 * finish before the server refuses writes. */
#define AGE_CRITICAL 1000000000.0
/* Oldest relations listed in the evidence. */
#define AGES_LISTED 10

static enum finding_severity age_severity(const struct snap_age *g)
{
	double fmax = g->freeze_max_age > 0 ? g->freeze_max_age : FREEZE_MAX_DEFAULT;
	double mmax = g->mxid_freeze_max_age > 0 ? g->mxid_freeze_max_age :
		MXID_FREEZE_MAX_DEFAULT;
	if (g->xid_age >= AGE_CRITICAL || g->mxid_age >= AGE_CRITICAL)
		return FS_CRITICAL;
	if (g->xid_age > 2 * fmax || g->mxid_age > 2 * mmax)
		return FS_WARNING;
	return FS_INFO;
}

static json_t *age_json(const struct snap_age *g)
{
	json_t *o = json_object();
	json_object_set_new(o, g->database ? "database" : "relation", json_string(g->name));
	json_object_set_new(o, "xid_age", json_integer((json_int_t)g->xid_age));
	json_object_set_new(o, "transactions_left",
		json_integer((json_int_t)(XID_WRAP_AGE - g->xid_age)));
	json_object_set_new(o, "percent_used", json_real(
		round(g->xid_age / XID_WRAP_AGE * 1000.0) / 10.0));
	json_object_set_new(o, "mxid_age", g->mxid_age >= 0 ?
		json_integer((json_int_t)g->mxid_age) : json_null());
	return o;
}

/* The ages the snapshots give: the evidence's "databases" and oldest
 * "relations"; returns the most severe of them (FS_INFO when none is
 * past twice autovacuum_freeze_max_age), *oldest the oldest database. */
static enum finding_severity ages_evidence(const struct analysis *a,
		json_t **dbs, json_t **rels, const struct snap_age **oldest)
{
	const struct snap_age *g;
	size_t n = snapshots_ages(a->snapshots, &g), nrel = 0;
	enum finding_severity worst = FS_INFO;
	*dbs = *rels = NULL;
	*oldest = NULL;
	for (size_t i = 0; i < n; i++) {
		enum finding_severity s = age_severity(&g[i]);
		if (s > worst)
			worst = s;
		if (g[i].database && !*oldest)
			*oldest = &g[i];
		if (!g[i].database && nrel++ >= AGES_LISTED)
			continue;
		json_t **list = g[i].database ? dbs : rels;
		if (!*list)
			*list = json_array();
		json_array_append_new(*list, age_json(&g[i]));
	}
	return worst;
}

static void wraparound_run(struct adv_ctx *c)
{
	const struct ev_wraparound *w = events_wraparound(c->a->events);
	const struct ev_autovacuum *av = events_autovacuum(c->a->events);
	uint64_t anti = 0, ntables = 0;
	json_t *tables = json_array(), *dbs, *rels;
	const struct snap_age *oldest;
	enum finding_severity by_age = ages_evidence(c->a, &dbs, &rels, &oldest);
	/* The tables come by autovacuum time, longest first: the 20 first
	 * are listed. */
	for (size_t i = 0; i < av->ntables; i++) {
		if (!av->tables[i].wraparound)
			continue;
		anti += av->tables[i].wraparound;
		if (ntables++ >= 20)
			continue;
		json_array_append_new(tables, json_pack("{s:s, s:I, s:f}",
			"table", av->tables[i].table,
			"wraparound_vacuums", (json_int_t)av->tables[i].wraparound,
			"total_ms", av->tables[i].total_ms));
	}
	bool alarms = w->warnings || w->refusals || w->failsafe;
	if (!alarms && !anti && by_age == FS_INFO) {
		json_decref(tables);
		json_decref(dbs);
		json_decref(rels);
		return;
	}
	struct finding *f;
	if (alarms) {
		char left[64] = "";
		if (w->min_left != UINT64_MAX)
			snprintf(left, sizeof(left), ", %llu transactions left",
				(unsigned long long)w->min_left);
		f = findings_add(c->a->findings, FK_wraparound_risk, FS_CRITICAL, 0,
			"Transaction ID wraparound: %llu server warning%s%s%s%s%s",
			(unsigned long long)w->warnings, w->warnings == 1 ? "" : "s",
			w->refusals ? ", commands refused" : "",
			w->db ? " on database " : "", w->db ? w->db : "", left);
	} else if (by_age > FS_INFO && oldest) {
		f = findings_add(c->a->findings, FK_wraparound_risk, by_age, 0,
			"Transaction ID age of database %s: %.0f, %.1f%% of the way to "
			"wraparound", oldest->name, oldest->xid_age,
			oldest->xid_age / XID_WRAP_AGE * 100.0);
	} else if (by_age > FS_INFO) {
		f = findings_add(c->a->findings, FK_wraparound_risk, by_age, 0,
			"Transaction ID age of tables past twice autovacuum_freeze_max_age");
	} else {
		f = findings_add(c->a->findings, FK_wraparound_risk, FS_INFO, 0,
			"%llu autovacuum%s to prevent wraparound on %llu table%s",
			(unsigned long long)anti, anti == 1 ? "" : "s",
			(unsigned long long)ntables, ntables == 1 ? "" : "s");
	}
	if (json_array_size(tables))
		finding_set_table(f, json_string_value(json_object_get(
			json_array_get(tables, 0), "table")));
	json_object_set_new(f->evidence, "warnings", json_integer((json_int_t)w->warnings));
	json_object_set_new(f->evidence, "refusals", json_integer((json_int_t)w->refusals));
	json_object_set_new(f->evidence, "min_transactions_left", w->min_left != UINT64_MAX ?
		json_integer((json_int_t)w->min_left) : json_null());
	json_object_set_new(f->evidence, "database", jstr_or_null(w->db));
	json_object_set_new(f->evidence, "first_at", jts(w->first_ts));
	json_object_set_new(f->evidence, "last_at", jts(w->last_ts));
	json_object_set_new(f->evidence, "failsafe_vacuums", json_integer((json_int_t)w->failsafe));
	json_object_set_new(f->evidence, "wraparound_vacuums", json_integer((json_int_t)anti));
	json_object_set_new(f->evidence, "wraparound_tables", json_integer((json_int_t)ntables));
	json_object_set_new(f->evidence, "tables", tables);
	/* From pg_database / pg_class age snapshots, when given. */
	if (dbs)
		json_object_set_new(f->evidence, "databases", dbs);
	if (rels)
		json_object_set_new(f->evidence, "relations", rels);
	finding_set_suggestion(f, "%s%s",
		alarms || by_age > FS_INFO ?
		"-- the server is running out of transaction IDs: it stops assigning "
		"them (refusing writes) when none are left\n"
		"-- find what holds the oldest XID back, and end it:\n"
		"SELECT pid, state, xact_start, backend_xmin FROM pg_stat_activity "
		"ORDER BY age(backend_xmin) DESC NULLS LAST LIMIT 5;\n"
		"SELECT gid, prepared FROM pg_prepared_xacts;\n"
		"SELECT slot_name, xmin, catalog_xmin FROM pg_replication_slots;\n"
		"-- then vacuum the oldest tables of the database named, now:\n" :
		"-- autovacuum had to freeze tables whose oldest XID passed "
		"autovacuum_freeze_max_age; watch how far each is from the limit:\n",
		"SELECT c.oid::regclass, age(c.relfrozenxid) FROM pg_class c WHERE "
		"c.relkind IN ('r', 'm', 't') ORDER BY 2 DESC LIMIT 10;\n"
		"VACUUM (FREEZE, VERBOSE) <table>;\n"
		"-- and keep autovacuum able to keep up: autovacuum_vacuum_cost_limit, "
		"autovacuum_max_workers, no long transactions");
}

void adv_events_run(struct adv_ctx *c)
{
	if (!c->a->events)
		return;
	deadlock_run(c);
	lock_contention_run(c);
	idle_run(c);
	wraparound_run(c);
	checkpoints_run(c);
}
