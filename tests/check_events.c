/* check_events.c: lock waits, deadlocks, temporary files and errors, on
 * real logs and on lines of them; check_events_sessions.c has connections,
 * checkpoints, autovacuum, the timeline, merging and the limits.
 *
 * - tests/data/events/events.log: made by make-events.sh beside it on a
 *   real PostgreSQL 15 (a deadlock, lock waits on a transaction, a tuple
 *   and a relation held by two, one ended by lock_timeout, errors with
 *   their SQLSTATE, refused connections, temp files, autovacuum,
 *   checkpoints); prefix '%m [%p] %e %q%u@%d/%a '.
 * - tests/data/events/workload-events.log: every entry but the statements
 *   of a pg-workload.sh run (cut-workload.sh): one lock wait, 11 temporary
 *   files, 3 errors, 25 sessions, 2 checkpoints.
 * - pgBadger's fixtures in ../shared/corpus/pgbadger: pg_rawcsv.log
 *   (errors with their STATEMENT).
 * Unit cases feed struct log_entry values whose texts are lines of those
 * logs, whole or cut. Shared helpers are in events_testutil.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "events_testutil.h"
#include "testutil.h"
#include "timeutil.h"

static uint64_t fp_of(const char *sql)
{
	struct fp_cache *c = fp_cache_new();
	struct strbuf sb = STRBUF_INIT;
	uint64_t fp = fp_cache_get(c, sql, strlen(sql), &sb)->fingerprint;
	sb_release(&sb);
	fp_cache_free(c);
	return fp;
}

/* ---- core: real logs ---- */

START_TEST(test_workload)
{
	struct analysis *a = run_one(data_path("workload-events.log"),
			WORKLOAD_PREFIX);
	const struct events *ev = a->events;
	size_t n;

	/* The one lock wait: the second UPDATE of orders row 1 waited for
	 * the session holding it, then got it. */
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(events_totals(ev)->lock_waits, 1);
	ck_assert_int_eq(w->pid, 2489);
	ck_assert_double_eq_tol(w->wait_ms, 383.308, 1e-9);
	ck_assert_str_eq(w->lock, "ShareLock on transaction 783");
	ck_assert_str_eq(w->statement, "SET application_name='billing'; "
			"UPDATE orders SET status='shipped' WHERE id = 1;");
	ck_assert(w->has_fingerprint);
	ck_assert_uint_eq(w->fingerprint, fp_of(w->statement));
	ck_assert_uint_eq(w->nblockers, 1);
	ck_assert_int_eq(w->blockers[0], 2485);
	ck_assert_int_eq(w->outcome, EV_LOCK_ACQUIRED);
	ck_assert_str_eq(w->app, "billing");
	char iso[32];
	ts_format_iso(w->ts_ms, iso);
	ck_assert_str_eq(iso, "2026-11-22T13:45:54.592Z");

	/* 11 files; the four OFFSET pages share one fingerprint. */
	const struct ev_temp_files *t = events_temp_files(ev);
	ck_assert_uint_eq(t->count, 11);
	ck_assert_uint_eq(t->bytes, 70000 + 700000 + 1400000 + 2800000 +
			4 * UINT64_C(2572288) + 5267456 + 1884160 + 2555904);
	ck_assert_uint_eq(t->ngroups, 8);
	ck_assert_uint_eq(t->groups[0].count, 4);
	ck_assert_uint_eq(t->groups[0].bytes, 4 * UINT64_C(2572288));
	ck_assert_uint_eq(t->groups[0].fingerprint, fp_of("SELECT id, name, "
			"price FROM products ORDER BY created_at LIMIT 50 OFFSET 10000;"));
	ck_assert_ptr_nonnull(strstr(t->groups[0].query, "OFFSET $2"));
	ck_assert_uint_eq(t->groups[1].bytes, 5267456);
	ck_assert_uint_eq(t->groups[7].bytes, 70000);
	ck_assert_uint_eq(t->max_bytes, 5267456);

	/* The three errors, without SQLSTATE (no %e in this prefix). */
	ck_assert_uint_eq(events_totals(ev)->errors, 3);
	events_errors(ev, &n);
	ck_assert_uint_eq(n, 3);
	static const char *const msgs[][2] = {
		{ "syntax error at or near \"?\"", "SELEC id FROM orders;" },
		{ "duplicate key value violates unique constraint \"?\"",
			"INSERT INTO customers (id, email) VALUES (1, 'dup@example.com');" },
		{ "column \"?\" does not exist",
			"SELECT nope FROM customers WHERE id = 1;" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		const struct ev_error *r = find_error(ev, msgs[i][0]);
		ck_assert_msg(r != NULL, "no error group \"%s\"", msgs[i][0]);
		ck_assert_uint_eq(r->count, 1);
		ck_assert_int_eq(r->severity, SEV_ERROR);
		ck_assert_str_eq(r->sqlstate, "");
		ck_assert_str_eq(r->example, msgs[i][1]);
	}

	const struct ev_connections *c = events_connections(ev);
	ck_assert_uint_eq(events_connections_total(c), 25);
	ck_assert_uint_eq(c->authorized, 25);
	ck_assert_uint_eq(c->failed, 0);
	ck_assert_uint_eq(c->sessions, 25);
	ck_assert_uint_eq(c->peak_sessions, 7);
	ck_assert_double_eq_tol(c->session_max_s, 5.380, 1e-9);
	ck_assert_double_eq_tol(c->session_total_s, 32.003, 1e-6);
	ck_assert_uint_eq(c->session_hist[0], 16);
	ck_assert_uint_eq(c->session_hist[1], 9);
	ck_assert_uint_eq(count_of(&c->by_database, "shop"), 24);
	ck_assert_uint_eq(count_of(&c->by_application, "pgbench"), 8);
	ck_assert_uint_eq(count_of(&c->by_host, "[local]"), 25);

	const struct ev_checkpoints *k = events_checkpoints(ev);
	ck_assert_uint_eq(k->count, 2);
	ck_assert_uint_eq(count_of(&k->by_reason, "immediate force wait"), 1);
	ck_assert_uint_eq(count_of(&k->by_reason, "shutdown immediate"), 1);
	ck_assert_double_eq_tol(k->write_s, 0.073, 1e-9);
	ck_assert_double_eq_tol(k->sync_s, 0.046, 1e-9);
	ck_assert_double_eq_tol(k->total_s, 0.126, 1e-9);
	ck_assert_uint_eq(k->buffers, 5481);
	ck_assert_uint_eq(k->wal_recycled, 5);

	ck_assert_uint_eq(events_autovacuum(ev)->vacuum_count, 0);
	events_deadlocks(ev, &n);
	ck_assert_uint_eq(n, 0);
	analysis_free(a);
}
END_TEST

static const struct ev_lock_wait *wait_of(const struct events *ev, int64_t pid)
{
	size_t n;
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	for (size_t i = 0; i < n; i++)
		if (w[i].pid == pid)
			return &w[i];
	return NULL;
}

START_TEST(test_events_log)
{
	struct analysis *a = run_one(data_path("events.log"), EVENTS_PREFIX);
	const struct events *ev = a->events;
	size_t n;

	/* Six waits, longest first, each with how it ended. */
	static const struct {
		int64_t pid;
		double ms;
		const char *lock;
		enum ev_lock_outcome outcome;
		int64_t blockers[2];
	} waits[] = {
		{ 4649, 497.618, "ShareLock on transaction 733", EV_LOCK_ACQUIRED, { 4640 } },
		{ 4653, 398.742, "ExclusiveLock on tuple (0,3) of relation 16387 "
			"of database 16384", EV_LOCK_ACQUIRED, { 4649 } },
		{ 4681, 357.927, "AccessExclusiveLock on relation 16387 of "
			"database 16384", EV_LOCK_ACQUIRED, { 4665, 4664 } },
		{ 4564, 213.492, "ShareLock on transaction 732", EV_LOCK_ACQUIRED, { 4609 } },
		{ 4609, 100.113, "ShareLock on transaction 731", EV_LOCK_DEADLOCK, { 4564 } },
		{ 4706, 100.095, "ShareLock on transaction 749", EV_LOCK_CANCELED, { 4702 } },
	};
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	ck_assert_uint_eq(n, ARRAY_SIZE(waits));
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(w[i].pid, waits[i].pid);
		ck_assert_double_eq_tol(w[i].wait_ms, waits[i].ms, 1e-9);
		ck_assert_str_eq(w[i].lock, waits[i].lock);
		ck_assert_int_eq(w[i].outcome, waits[i].outcome);
		ck_assert_uint_eq(w[i].nblockers, waits[i].blockers[1] ? 2 : 1);
		ck_assert_int_eq(w[i].blockers[0], waits[i].blockers[0]);
		ck_assert_int_eq(w[i].blockers[w[i].nblockers - 1],
				waits[i].blockers[w[i].nblockers - 1]);
		ck_assert_ptr_nonnull(w[i].statement);
	}
	ck_assert_str_eq(wait_of(ev, 4653)->statement, "SET application_name="
			"'batch'; UPDATE acct SET v = 30 WHERE id = 1;");
	ck_assert_double_eq_tol(events_totals(ev)->lock_wait_ms, 497.618 +
			398.742 + 357.927 + 213.492 + 100.113 + 100.095, 1e-6);

	/* The deadlock: both processes, both statements, the victim. */
	const struct ev_deadlock *d = events_deadlocks(ev, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(d->victim_pid, 4609);
	ck_assert_uint_eq(d->nprocs, 2);
	ck_assert_int_eq(d->procs[0].pid, 4609);
	ck_assert_int_eq(d->procs[0].blocked_by, 4564);
	ck_assert_str_eq(d->procs[0].lock, "ShareLock on transaction 731");
	ck_assert_int_eq(d->procs[1].pid, 4564);
	ck_assert_int_eq(d->procs[1].blocked_by, 4609);
	ck_assert_str_eq(d->procs[1].lock, "ShareLock on transaction 732");
	ck_assert_str_eq(d->procs[0].statement, "SET application_name='teller-b'; "
			"BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT "
			"pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;");
	ck_assert_ptr_nonnull(strstr(d->procs[1].statement, "'teller-a'"));
	ck_assert(d->procs[0].has_fingerprint && d->procs[1].has_fingerprint);
	ck_assert_str_eq(d->db, "shop");

	/* Errors with their SQLSTATE; the two duplicate keys are one group
	 * whose example is the first. */
	static const struct {
		const char *message, *sqlstate;
		enum severity sev;
		uint64_t count;
	} errs[] = {
		{ "duplicate key value violates unique constraint \"?\"", "23505", SEV_ERROR, 2 },
		{ "deadlock detected", "40P01", SEV_ERROR, 1 },
		{ "canceling statement due to lock timeout", "55P03", SEV_ERROR, 1 },
		{ "division by zero", "22012", SEV_ERROR, 1 },
		{ "syntax error at or near \"?\"", "42601", SEV_ERROR, 1 },
		{ "canceling statement due to statement timeout", "57014", SEV_ERROR, 1 },
		{ "there is no transaction in progress", "25P01", SEV_WARNING, 1 },
		{ "database \"?\" does not exist", "3D000", SEV_FATAL, 1 },
		{ "role \"?\" does not exist", "28000", SEV_FATAL, 1 },
		{ "password authentication failed for user \"?\"", "28P01", SEV_FATAL, 1 },
		{ "sorry, too many clients already", "53300", SEV_FATAL, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++) {
		const struct ev_error *r = find_error(ev, errs[i].message);
		ck_assert_msg(r != NULL, "no error group \"%s\"", errs[i].message);
		ck_assert_str_eq(r->sqlstate, errs[i].sqlstate);
		ck_assert_int_eq(r->severity, errs[i].sev);
		ck_assert_uint_eq(r->count, errs[i].count);
	}
	ck_assert_str_eq(find_error(ev, errs[0].message)->example,
			"INSERT INTO acct VALUES (1, 0);");
	ck_assert_uint_eq(events_totals(ev)->errors, 13);
	ck_assert_uint_eq(events_totals(ev)->warnings, 1);
	events_errors(ev, &n);
	ck_assert_uint_eq(n, 13);

	/* Refused connections, one of each kind provoked. */
	const struct ev_connections *c = events_connections(ev);
	static const enum ev_failure fails[] = { EV_FAIL_TOO_MANY,
		EV_FAIL_RESERVED, EV_FAIL_PASSWORD, EV_FAIL_NO_HBA,
		EV_FAIL_NO_ROLE, EV_FAIL_NO_DB };
	for (size_t i = 0; i < ARRAY_SIZE(fails); i++)
		ck_assert_uint_eq(c->failures[fails[i]], 1);
	ck_assert_uint_eq(c->failed, 6);
	ck_assert_uint_eq(c->received, 30);
	ck_assert_uint_eq(c->authorized, 27);
	ck_assert_uint_eq(c->sessions, 24);
	/* 5 sessions of app and 3 of postgres at once, and the backend
	 * refused with "too many clients" while they were; the refused ones
	 * that were authorized first do not stay open. */
	ck_assert_uint_eq(c->peak_sessions, 9);
	ck_assert_uint_eq(count_of(&c->by_host, "127.0.0.1"), 12);
	ck_assert_uint_eq(count_of(&c->by_user, "app"), 6);

	const struct ev_temp_files *t = events_temp_files(ev);
	ck_assert_uint_eq(t->count, 3);
	ck_assert_uint_eq(t->bytes, 280000 + 2 * 393216);
	ck_assert_uint_eq(t->ngroups, 3);

	const struct ev_autovacuum *av = events_autovacuum(ev);
	ck_assert_uint_eq(av->vacuum_count, 5);
	ck_assert_uint_eq(av->analyze_count, 13);
	ck_assert_str_eq(av->tables[0].table, "shop.public.churn");
	ck_assert_uint_eq(av->tables[0].vacuums, 2);
	ck_assert_uint_eq(av->tables[0].analyzes, 2);
	ck_assert_uint_eq(av->tables[0].removed_tuples, 10000);
	ck_assert_double_eq_tol(av->tables[0].total_ms, 30, 1e-9);
	uint64_t aggressive = 0;
	for (size_t i = 0; i < av->ntables; i++)
		aggressive += av->tables[i].aggressive;
	ck_assert_uint_eq(aggressive, 3);

	const struct ev_checkpoints *k = events_checkpoints(ev);
	ck_assert_uint_eq(k->count, 2);
	ck_assert_uint_eq(k->wal_added, 1);
	ck_assert_uint_eq(k->buffers, 1221);

	/* Under a minute of log: by the second, every call, error, wait
	 * and temp byte in its buckets. */
	const struct ev_timeline *tl = events_timeline(ev);
	ck_assert_int_eq(tl->width_ms, 1000);
	ck_assert_uint_le(tl->n, 60);
	ck_assert_int_le(tl->b[0].start_ms, T0);
	uint64_t calls = 0, errors = 0, nwaits = 0, temp = 0;
	double total = 0;
	for (size_t i = 0; i < tl->n; i++) {
		calls += tl->b[i].calls;
		errors += tl->b[i].errors;
		nwaits += tl->b[i].lock_waits;
		temp += tl->b[i].temp_bytes;
		total += tl->b[i].total_ms;
	}
	ck_assert_uint_eq(calls, a->queries);
	ck_assert_uint_eq(errors, 13);
	ck_assert_uint_eq(nwaits, 6);
	ck_assert_uint_eq(temp, t->bytes);
	ck_assert_double_eq_tol(total, a->total_ms, 1e-6);
	analysis_free(a);
}
END_TEST

START_TEST(test_rawcsv)
{
	char *path = corpus_path("events: rawcsv", "pg_rawcsv.log");
	if (!path)
		return;
	struct analysis *a = run_one(path, "%m [%p] %q%u@%d ");
	const struct ev_error *r;
	r = find_error(a->events, "conflicting values for \"?\" field in "
			"formatting string");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->example, "SELECT TO_DATE('311299999','DDMMYYYYY');");
	r = find_error(a->events, "relation \"?\" does not exist");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->example, "select * from table_is_not_here order by "
			"total_time desc limit 20;");
	r = find_error(a->events, "configuration file \"?\" contains errors");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->severity, SEV_FATAL);
	ck_assert_ptr_null(r->example);
	/* A FATAL that refused no connection. */
	ck_assert_uint_eq(events_connections(a->events)->failed, 0);
	analysis_free(a);
}
END_TEST

/* ---- core: one message, its parts apart or joined ---- */

/* Feeds lines as stderr writes them (parts as entries of their own), or
 * as csvlog does (parts joined to the message before them). */
static void feed(struct events *ev, const struct line *lines, size_t n,
		bool joined)
{
	for (size_t i = 0; i < n; i++) {
		struct log_entry e = entry(T0 + (int64_t)i, &lines[i]);
		if (!joined) {
			events_log(ev, &e);
			continue;
		}
		size_t j = i + 1;
		for (; j < n && lines[j].sev >= SEV_DETAIL; j++) {
			struct slice s = slice_make(lines[j].text, strlen(lines[j].text));
			if (lines[j].sev == SEV_DETAIL)
				e.detail = s;
			else if (lines[j].sev == SEV_STATEMENT)
				e.statement = s;
			else if (lines[j].sev == SEV_CONTEXT)
				e.context = s;
			else if (lines[j].sev == SEV_HINT)
				e.hint = s;
		}
		events_log(ev, &e);
		i = j - 1;
	}
}

/* Lines of events.log (the deadlock and the waits around it). */
static const struct line deadlock_lines[] = {
	{ 4564, SEV_LOG, "process 4564 still waiting for ShareLock on transaction 732 after 103.632 ms" },
	{ 4564, SEV_DETAIL, "Process holding the lock: 4609. Wait queue: 4564." },
	{ 4564, SEV_CONTEXT, "while updating tuple (0,2) in relation \"acct\"" },
	{ 4564, SEV_STATEMENT, "SET application_name='teller-a'; BEGIN; UPDATE acct SET v = v + 1 WHERE id = 1; SELECT pg_sleep(0.3); UPDATE acct SET v = v + 1 WHERE id = 2; COMMIT;" },
	{ 4609, SEV_LOG, "process 4609 detected deadlock while waiting for ShareLock on transaction 731 after 100.113 ms" },
	{ 4609, SEV_DETAIL, "Process holding the lock: 4564. Wait queue: ." },
	{ 4609, SEV_CONTEXT, "while updating tuple (0,1) in relation \"acct\"" },
	{ 4609, SEV_STATEMENT, "SET application_name='teller-b'; BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;" },
	{ 4609, SEV_ERROR, "deadlock detected" },
	{ 4609, SEV_DETAIL, "Process 4609 waits for ShareLock on transaction 731; blocked by process 4564.\n"
		"Process 4564 waits for ShareLock on transaction 732; blocked by process 4609.\n"
		"Process 4609: SET application_name='teller-b'; BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;\n"
		"Process 4564: SET application_name='teller-a'; BEGIN; UPDATE acct SET v = v + 1 WHERE id = 1; SELECT pg_sleep(0.3); UPDATE acct SET v = v + 1 WHERE id = 2; COMMIT;" },
	{ 4609, SEV_HINT, "See server log for query details." },
	{ 4609, SEV_CONTEXT, "while updating tuple (0,1) in relation \"acct\"" },
	{ 4609, SEV_STATEMENT, "SET application_name='teller-b'; BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;" },
	{ 4564, SEV_LOG, "process 4564 acquired ShareLock on transaction 732 after 213.492 ms" },
	{ 4564, SEV_CONTEXT, "while updating tuple (0,2) in relation \"acct\"" },
	{ 4564, SEV_STATEMENT, "SET application_name='teller-a'; BEGIN; UPDATE acct SET v = v + 1 WHERE id = 1; SELECT pg_sleep(0.3); UPDATE acct SET v = v + 1 WHERE id = 2; COMMIT;" },
	{ 4711, SEV_LOG, "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.0\", size 393216" },
	{ 4711, SEV_STATEMENT, "SELECT id, v FROM churn ORDER BY v DESC, id;" },
	{ 4609, SEV_LOG, "disconnection: session time: 0:00:00.410 user=postgres database=shop host=[local]" },
};

START_TEST(test_parts)
{
	struct fp_cache *fp = fp_cache_new();
	struct events *ev = events_new(fp);
	size_t n;

	feed(ev, deadlock_lines, ARRAY_SIZE(deadlock_lines), _i == 1);
	events_end_input(ev);
	events_sort(ev);

	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(w[0].pid, 4564);
	ck_assert_int_eq(w[0].outcome, EV_LOCK_ACQUIRED);
	ck_assert_double_eq_tol(w[0].wait_ms, 213.492, 1e-9);
	ck_assert_int_eq(w[0].blockers[0], 4609);
	ck_assert_ptr_nonnull(strstr(w[0].statement, "teller-a"));
	ck_assert_int_eq(w[1].pid, 4609);
	ck_assert_int_eq(w[1].outcome, EV_LOCK_DEADLOCK);
	ck_assert_int_eq(w[1].blockers[0], 4564);

	const struct ev_deadlock *d = events_deadlocks(ev, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(d->nprocs, 2);
	ck_assert_ptr_nonnull(strstr(d->procs[0].statement, "teller-b"));
	ck_assert_ptr_nonnull(strstr(d->procs[1].statement, "teller-a"));
	ck_assert_uint_eq(d->procs[1].blocked_by, 4609);

	const struct ev_error *r = events_errors(ev, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(r->example, "teller-b"));

	const struct ev_temp_files *t = events_temp_files(ev);
	ck_assert_uint_eq(t->count, 1);
	ck_assert(t->groups[0].has_fingerprint);
	ck_assert_str_eq(t->groups[0].query, "SELECT id, v FROM churn ORDER BY v DESC, id");
	events_free(ev);
	fp_cache_free(fp);
}
END_TEST

/* Parts go to their own pid's message only, and only right after it. */
START_TEST(test_parts_stray)
{
	static const struct line lines[] = {
		{ 4711, SEV_LOG, "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.0\", size 393216" },
		{ 4712, SEV_STATEMENT, "SELECT id, v FROM churn ORDER BY v DESC, id;" },
		{ 4711, SEV_LOG, "disconnection: session time: 0:00:00.126 user=postgres database=shop host=[local]" },
		{ 4711, SEV_STATEMENT, "SELECT id, v FROM churn ORDER BY v, id DESC;" },
		{ 4713, SEV_DETAIL, "Process holding the lock: 4640. Wait queue: 4649." },
	};
	struct fp_cache *fp = fp_cache_new();
	struct events *ev = events_new(fp);

	feed(ev, lines, ARRAY_SIZE(lines), false);
	events_end_input(ev);
	const struct ev_temp_files *t = events_temp_files(ev);
	ck_assert_uint_eq(t->count, 1);
	ck_assert_uint_eq(t->ngroups, 1);
	ck_assert(!t->groups[0].has_fingerprint);
	ck_assert_ptr_null(t->groups[0].query);
	events_free(ev);
	fp_cache_free(fp);
}
END_TEST

START_TEST(test_empty)
{
	struct events *ev = events_new(NULL), *dst = events_new(NULL);
	size_t n;
	events_end_input(ev);
	events_merge(dst, ev);
	ck_assert_ptr_null(events_lock_waits(dst, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(events_timeline(dst)->n, 0);
	ck_assert_uint_eq(events_temp_files(dst)->ngroups, 0);
	ck_assert_uint_eq(events_connections_total(events_connections(dst)), 0);
	ck_assert_str_eq(events_lock_outcome_name(EV_LOCK_CANCELED), "canceled");
	ck_assert_str_eq(events_failure_name(EV_FAIL_NO_HBA), "no_hba_entry");
	events_free(ev);
	events_free(dst);
	events_free(NULL);
}
END_TEST

/* ---- errors: cut and malformed messages ---- */

enum what { W_LOCKS, W_TEMP, W_CHECKPOINTS, W_SESSIONS, W_VACUUMS,
	W_AUTHORIZED, W_DEADLOCK_PROCS, W_ERRORS, W_RECEIVED };

static uint64_t measure(const struct events *ev, enum what w)
{
	size_t n;
	const struct ev_deadlock *d;
	switch (w) {
	case W_LOCKS: return events_totals(ev)->lock_waits;
	case W_TEMP: return events_temp_files(ev)->count;
	case W_CHECKPOINTS: return events_checkpoints(ev)->count;
	case W_SESSIONS: return events_connections(ev)->sessions;
	case W_VACUUMS: return events_autovacuum(ev)->vacuum_count;
	case W_AUTHORIZED: return events_connections(ev)->authorized;
	case W_DEADLOCK_PROCS:
		d = events_deadlocks(ev, &n);
		return n ? d->nprocs : 0;
	case W_ERRORS: return events_totals(ev)->errors;
	case W_RECEIVED: return events_connections(ev)->received;
	}
	return 0;
}

/* Real lines cut short, or with a part missing: nothing is made up from
 * what is not there, and nothing crashes. */
static const struct {
	enum severity sev;
	const char *text;
	const char *detail;
	enum what what;
	uint64_t want;
} malformed[] = {
	{ SEV_LOG, "process 4564 still waiting for ShareLock on transaction 732 after 103.632 ms", NULL, W_LOCKS, 1 },
	{ SEV_LOG, "process 4564 still waiting for ShareLock on transaction 732 after 103.6", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process 4564 still waiting for ShareLock on transaction 732 after ", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process 4564 still waiting for ShareLock on transac", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process 4564 still waiting for  after 103.632 ms", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process 4564", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process ", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process 99999999999999999999999 acquired ShareLock on transaction 732 after 213.492 ms", NULL, W_LOCKS, 0 },
	{ SEV_LOG, "process 4564 still waiting for ShareLock on transaction 732 after 103.632 ms", "Process holding the lock: ", W_LOCKS, 1 },
	{ SEV_LOG, "process 4564 still waiting for ShareLock on transaction 732 after 103.632 ms", "Processes holding the lock: 4665, ", W_LOCKS, 1 },
	{ SEV_LOG, "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.0\", size 393216", NULL, W_TEMP, 1 },
	{ SEV_LOG, "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.0\", size ", NULL, W_TEMP, 0 },
	{ SEV_LOG, "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.0\", si", NULL, W_TEMP, 0 },
	{ SEV_LOG, "temporary file: ", NULL, W_TEMP, 0 },
	{ SEV_LOG, "checkpoint complete: wrote 1221 buffers (7.5%); 1 WAL file(s) added, 0 removed, 0 recycled; write=0.029 s, sync=0.022 s, total=0.073 s; sync files=323, longest=0.001 s, average=0.001 s; distance=9403 kB, estimate=9403 kB", NULL, W_CHECKPOINTS, 1 },
	{ SEV_LOG, "checkpoint complete: wrote 1221 buffers (7.5%); 1 WAL file(s) added, 0 removed, 0 recycled; write=0.029 s, sync=0.0", NULL, W_CHECKPOINTS, 0 },
	{ SEV_LOG, "checkpoint complete: wrote 1221 buf", NULL, W_CHECKPOINTS, 0 },
	{ SEV_LOG, "disconnection: session time: 0:00:00.126 user=postgres database=shop host=[local]", NULL, W_SESSIONS, 1 },
	{ SEV_LOG, "disconnection: session time: 0:00:0", NULL, W_SESSIONS, 0 },
	{ SEV_LOG, "disconnection: session time: 0:", NULL, W_SESSIONS, 0 },
	{ SEV_LOG, "disconnection: ", NULL, W_SESSIONS, 0 },
	{ SEV_LOG, "automatic vacuum of table \"shop.public.churn\": index scans: 1", NULL, W_VACUUMS, 1 },
	{ SEV_LOG, "automatic vacuum of table \"shop.public.ch", NULL, W_VACUUMS, 0 },
	{ SEV_LOG, "automatic vacuum of table \"\"", NULL, W_VACUUMS, 0 },
	{ SEV_LOG, "automatic vacuum of", NULL, W_VACUUMS, 0 },
	{ SEV_LOG, "connection authorized: user=", NULL, W_AUTHORIZED, 1 },
	{ SEV_LOG, "connection received: host=", NULL, W_RECEIVED, 1 },
	{ SEV_ERROR, "deadlock detected", "Process 4609 waits for ShareLock on transaction 731; blocked by pro", W_DEADLOCK_PROCS, 1 },
	{ SEV_ERROR, "deadlock detected", "Process 4609 waits for ShareLock on transaction 731; blocked by process 4564.\nProcess 4564 wa", W_DEADLOCK_PROCS, 1 },
	{ SEV_ERROR, "deadlock detected", "Process 4609 waits for ShareLock on transaction 731; blocked by process 4564.\nProcess 4609: ", W_DEADLOCK_PROCS, 1 },
	{ SEV_ERROR, "deadlock detected", "Process", W_DEADLOCK_PROCS, 1 },
	{ SEV_ERROR, "", NULL, W_ERRORS, 1 },
	{ SEV_ERROR, "duplicate key value violates unique constraint \"acct_pk", NULL, W_ERRORS, 1 },
};

START_TEST(test_malformed)
{
	struct events *ev = events_new(NULL);
	/* The victim's pid is 4609; lines come from 4564 or 4609. */
	struct line l = { 4609, malformed[_i].sev, malformed[_i].text };
	struct log_entry e = entry(T0, &l);
	if (malformed[_i].detail)
		e.detail = slice_make(malformed[_i].detail,
				strlen(malformed[_i].detail));
	events_log(ev, &e);
	events_end_input(ev);
	events_sort(ev);
	ck_assert_uint_eq(measure(ev, malformed[_i].what), malformed[_i].want);
	events_free(ev);
}
END_TEST

static const struct {
	const char *in, *want;
} messages[] = {
	{ "duplicate key value violates unique constraint \"acct_pkey\"",
		"duplicate key value violates unique constraint \"?\"" },
	{ "syntax error at or near \"SELEC\" at character 1",
		"syntax error at or near \"?\"" },
	{ "invalid input syntax for type integer: \"abc\"",
		"invalid input syntax for type integer: \"?\"" },
	{ "value too long for type character varying(20)",
		"value too long for type character varying(?)" },
	{ "could not extend file \"base/16384/16390.1\": No space left on device",
		"could not extend file \"?\": No space left on device" },
	{ "requested WAL segment 000000010000000000000003 has already been removed",
		"requested WAL segment ? has already been removed" },
	{ "relation \"tab1\" does not exist", "relation \"?\" does not exist" },
	{ "column t1.x does not exist", "column t1.x does not exist" },
	{ "invalid page in block 7 of relation base/5/16384",
		"invalid page in block ? of relation base/?" },
	{ "unterminated quoted string at or near \"'abc", "unterminated quoted string at or near \"?" },
	{ "first line\nsecond line 42", "first line" },
	{ "", "" },
};

START_TEST(test_normalize_message)
{
	struct strbuf sb = STRBUF_INIT;
	events_normalize_message(messages[_i].in, strlen(messages[_i].in), &sb);
	ck_assert_str_eq(sb.buf ? sb.buf : "", messages[_i].want);
	sb_release(&sb);
}
END_TEST

Suite *suite_events(void);
Suite *suite_events(void)
{
	Suite *s = suite_create("events");
	TCase *tc;

	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_workload);
	tcase_add_test(tc, test_events_log);
	tcase_add_test(tc, test_rawcsv);
	tcase_add_loop_test(tc, test_parts, 0, 2);
	tcase_add_test(tc, test_parts_stray);
	tcase_add_loop_test(tc, test_normalize_message, 0, ARRAY_SIZE(messages));
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(malformed));
	suite_add_tcase(s, tc);
	return s;
}
