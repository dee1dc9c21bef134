/* check_events_sessions.c: connections, checkpoints, autovacuum, the
 * timeline, merging inputs, and the limits on what events keeps; lock
 * waits, deadlocks, temporary files and errors are in check_events.c.
 *
 * - tests/data/events/events-more.log: make-events.sh --more (a
 *   connection over SSL, a replication connection, checkpoints requested
 *   by WAL volume, "checkpoints are occurring too frequently").
 * - tests/data/events/events.log and workload-events.log (see
 *   check_events.c), analysed whole and in two halves.
 * - tests/data/events/live.log and live.json: make-live.sh (a connection
 *   storm with slow authentication, health checks, an autovacuum
 *   cancelled by LOCK TABLE), also read newest first and as two files
 *   given the later first.
 * - pgBadger's fixtures in ../shared/corpus/pgbadger: pg_vacuums (1,450
 *   automatic analyze and 2,094 automatic vacuum entries, in stderr and
 *   jsonlog), rds.log (refused connections).
 * The limit cases feed struct log_entry values whose texts are lines of
 * those logs, in varying numbers. Shared helpers are in events_testutil.h. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "events_testutil.h"
#include "report.h"
#include "testutil.h"

/* ---- core: real logs ---- */

START_TEST(test_events_more)
{
	struct analysis *a = run_one(data_path("events-more.log"), EVENTS_PREFIX);
	const struct ev_connections *c = events_connections(a->events);

	/* "... application_name=secure SSL enabled (protocol=TLSv1.3, ...)" */
	ck_assert_uint_eq(count_of(&c->by_application, "secure"), 1);
	ck_assert_uint_eq(count_of(&c->by_user, "app"), 1);
	ck_assert_uint_eq(count_of(&c->by_database, "shop"), 3);
	/* "replication connection authorized: user=postgres application_name=psql" */
	ck_assert_uint_eq(c->authorized, 6);
	ck_assert_uint_eq(count_of(&c->by_user, "postgres"), 5);
	ck_assert_uint_eq(c->sessions, 6);
	ck_assert_uint_eq(c->peak_sessions, 1);

	const struct ev_checkpoints *k = events_checkpoints(a->events);
	ck_assert_uint_eq(k->count, 5);
	ck_assert_uint_eq(count_of(&k->by_reason, "wal"), 4);
	ck_assert_uint_eq(count_of(&k->by_reason, "shutdown immediate"), 1);
	ck_assert_uint_eq(k->too_frequent, 4);
	ck_assert_uint_eq(k->wal_removed, 9);
	ck_assert_uint_eq(k->wal_recycled, 1);
	ck_assert_uint_eq(k->buffers, 1322 + 1100 + 984 + 2049 + 226);
	ck_assert_double_eq_tol(k->max_total_s, 1.161, 1e-9);

	/* A FATAL that refused no connection. */
	ck_assert_uint_eq(c->failed, 0);
	ck_assert_ptr_nonnull(find_error(a->events, "terminating autovacuum "
			"process due to administrator command"));
	ck_assert_uint_eq(events_temp_files(a->events)->bytes, 280000 + 14000000);
	analysis_free(a);
}
END_TEST

static const struct {
	const char *file, *prefix;
} vacuum_logs[] = {
	{ "pg_vacuums.log.gz", VACUUMS_PREFIX },
	{ "pg_vacuums.json.gz", NULL },
};

START_TEST(test_vacuums)
{
	char *path = corpus_path("events_sessions: vacuums", vacuum_logs[_i].file);
	if (!path)
		return;
	struct analysis *a = run_one(path, vacuum_logs[_i].prefix);
	const struct ev_autovacuum *av = events_autovacuum(a->events);
	uint64_t vac = 0, an = 0, removed = 0;

	ck_assert_uint_eq(av->vacuum_count, 2094);
	ck_assert_uint_eq(av->analyze_count, 1450);
	for (size_t i = 0; i < av->ntables; i++) {
		vac += av->tables[i].vacuums;
		an += av->tables[i].analyzes;
		removed += av->tables[i].removed_tuples;
		if (i)
			ck_assert(av->tables[i].total_ms <= av->tables[i - 1].total_ms);
	}
	ck_assert_uint_eq(vac, 2094);
	ck_assert_uint_eq(an, 1450);
	/* grep 'tuples: N removed' | sum */
	ck_assert_uint_eq(removed, 3558928);
	ck_assert_uint_eq(av->ntables, 29);
	ck_assert_str_eq(av->tables[0].table, "testdb.branches.tab_branches");
	ck_assert_double_eq_tol(av->tables[0].total_ms, 664350, 1e-6);
	analysis_free(a);
}
END_TEST

START_TEST(test_rds)
{
	char *path = corpus_path("events_sessions: rds", "rds.log.zst");
	if (!path)
		return;
	struct analysis *a = run_one(path, "%t:%r:%u@%d:[%p]:");
	const struct ev_connections *c = events_connections(a->events);
	ck_assert_uint_eq(c->failures[EV_FAIL_NO_HBA], 2);
	ck_assert_uint_eq(c->failed, 2);
	ck_assert_uint_eq(events_totals(a->events)->errors, 2);
	ck_assert_ptr_nonnull(find_error(a->events, "no pg_hba.conf entry for "
			"host \"?\", user \"?\", database \"?\", SSL on"));
	analysis_free(a);
}
END_TEST

/* ---- core: a real server's storm and cancelled autovacuum ---- */

/* tests/data/events/live.log and .json: make-live.sh (the same run in
 * stderr and jsonlog form). */
static const struct {
	const char *file, *prefix;
} live_logs[] = {
	{ "live.log", WORKLOAD_PREFIX },
	{ "live.json", NULL },
};

START_TEST(test_live)
{
	struct analysis *a = run_one(data_path(live_logs[_i].file),
			live_logs[_i].prefix);
	const struct ev_connections *c = events_connections(a->events);

	/* 10 health checks that left before their startup packet, 32 storm
	 * clients, 9 psql runs of the script. */
	ck_assert_uint_eq(c->received, 51);
	ck_assert_uint_eq(c->authorized, 41);
	ck_assert_uint_eq(count_of(&c->by_user, "storm"), 32);
	/* The storm's 32 backends were all alive, waiting to authenticate,
	 * when the last connected (counting authorized sessions gave 3);
	 * the health checks ended unseen and are not counted. */
	ck_assert_uint_eq(c->peak_sessions, 32);
	ck_assert_int_eq(c->peak_ts, INT64_C(1796517194296));   /* 00:33:14.296 */

	/* CONTEXT: while scanning block 2 of relation "public.t"
	 *          automatic vacuum of table "shop.public.t" */
	const struct ev_autovacuum *av = events_autovacuum(a->events);
	uint64_t canceled = 0;
	for (size_t i = 0; i < av->ntables; i++) {
		if (strcmp(av->tables[i].table, "shop.public.t") == 0)
			ck_assert_uint_eq(av->tables[i].canceled, 1);
		canceled += av->tables[i].canceled;
	}
	ck_assert_uint_eq(canceled, 1);
	ck_assert_ptr_nonnull(find_error(a->events, "canceling autovacuum task"));
	analysis_free(a);
}
END_TEST

/* ---- core: the order inputs come in ---- */

/* Splits a log in two inputs at the first line that starts with `at`. */
static void split_log(const char *path, const char *at, char **p1, char **p2)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	char *cut = strstr(buf, at);
	ck_assert_ptr_nonnull(cut);
	*p1 = tu_write_temp(buf, (size_t)(cut - buf));
	*p2 = tu_write_temp(cut, len - (size_t)(cut - buf));
	free(buf);
}


static const struct {
	const char *file, *prefix;
	const char *split;      /* NULL: lines reversed; else files swapped here */
	uint64_t peak;
} order_cases[] = {
	/* A jsonlog read newest first, as cloud exports list it. */
	{ "live.json", NULL, NULL, 32 },
	/* Six sessions one after the other (reversed, 6 open at once). */
	{ "events-more.log", EVENTS_PREFIX, NULL, 1 },
	{ "events.log", EVENTS_PREFIX, NULL, 9 },
	/* Two files of one log given the later first. */
	{ "live.log", WORKLOAD_PREFIX, "\n2026-12-06 00:33:17.110 UTC [18138]", 32 },
	{ "events.log", EVENTS_PREFIX,
		"\n2026-11-22 14:17:28.931 UTC [4711] 00000 [unknown]", 9 },
};

START_TEST(test_order)
{
	char *path = data_path(order_cases[_i].file);
	const char *whole[] = { path };
	struct analysis *a = run(whole, 1, order_cases[_i].prefix, 1);
	char *p1, *p2 = NULL;
	if (order_cases[_i].split) {
		split_log(path, order_cases[_i].split, &p2, &p1);
	} else {
		char *text = tu_slurp(path), *rev = lines_reversed(text);
		p1 = tu_write_temp(rev, strlen(rev));
		free(text);
		free(rev);
	}
	const char *other[] = { p1, p2 };
	struct analysis *b = run(other, p2 ? 2 : 1, order_cases[_i].prefix, 1);
	const struct ev_connections *ca = events_connections(a->events);
	const struct ev_connections *cb = events_connections(b->events);
	ck_assert_uint_eq(ca->peak_sessions, order_cases[_i].peak);
	ck_assert_uint_eq(cb->peak_sessions, order_cases[_i].peak);
	ck_assert_int_eq(cb->peak_ts, ca->peak_ts);
	ck_assert_uint_eq(cb->received, ca->received);
	ck_assert_uint_eq(cb->authorized, ca->authorized);
	/* Read with -j 2 too: the ranges' changes settle alike. */
	struct analysis *j2 = run(other, p2 ? 2 : 1, order_cases[_i].prefix, 2);
	ck_assert_uint_eq(events_connections(j2->events)->peak_sessions,
			order_cases[_i].peak);
	ck_assert_int_eq(events_connections(j2->events)->peak_ts, ca->peak_ts);
	analysis_free(a);
	analysis_free(b);
	analysis_free(j2);
	tu_remove(p1);
	if (p2)
		tu_remove(p2);
	free(path);
}
END_TEST

/* ---- core: merging ---- */

/* The "events" member of the JSON report on a, as text. */
static char *events_json(const struct analysis *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_int_eq(report_json.write(f, a, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
	tu_spool_report("check_events_sessions.c events_json", text);
	json_t *root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	tu_json_drop_places(root);      /* halves are files of their own */
	char *ev = json_dumps(json_object_get(root, "events"),
			JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	free(text);
	return ev;
}

static const struct {
	const char *file;
	const char *prefix;
	const char *split;      /* a line where nothing is open */
} merge_cases[] = {
	{ "events.log", EVENTS_PREFIX,
		"\n2026-11-22 14:17:28.931 UTC [4711] 00000 [unknown]" },
	{ "workload-events.log", WORKLOAD_PREFIX,
		"\n2026-11-22 13:45:54.903 UTC [2493]" },
};

START_TEST(test_merge)
{
	char *path = data_path(merge_cases[_i].file);
	char *p1, *p2;
	const char *whole[] = { path };
	struct analysis *a = run(whole, 1, merge_cases[_i].prefix, 1);

	split_log(path, merge_cases[_i].split, &p1, &p2);
	const char *halves[] = { p1, p2 };
	struct analysis *b = run(halves, 2, merge_cases[_i].prefix, 2);
	char *ja = events_json(a), *jb = events_json(b);
	ck_assert_msg(strcmp(ja, jb) == 0, "merged halves differ from the "
			"whole:\n%s\n----\n%s", ja, jb);
	/* The halves really held events. */
	ck_assert_uint_gt(events_totals(a->events)->errors, 0);
	free(ja);
	free(jb);
	analysis_free(a);
	analysis_free(b);
	tu_remove(p1);
	tu_remove(p2);
	free(path);
}
END_TEST

/* ---- limits ---- */

/* events.log's "acquired" line, with other pids and times. */
static void log_wait(struct events *ev, int64_t ts, int pid, double ms)
{
	char text[160];
	snprintf(text, sizeof(text), "process %d acquired ShareLock on "
			"transaction 732 after %.3f ms", pid, ms);
	struct line l = { pid, SEV_LOG, text };
	struct log_entry e = entry(ts, &l);
	events_log(ev, &e);
}

START_TEST(test_lock_wait_cap)
{
	struct events *w1 = events_new(NULL), *w2 = events_new(NULL);
	struct events *all = events_new(NULL);
	size_t n;

	/* 2,500 waits of distinct lengths over two workers; the merged
	 * result keeps the 1,000 longest of them all. */
	for (int i = 0; i < 2500; i++)
		log_wait(i % 3 ? w1 : w2, T0 + i, 1000 + i, 100 + (i * 7919) % 2500);
	events_end_input(w1);
	events_end_input(w2);
	events_merge(all, w1);
	events_merge(all, w2);
	const struct ev_lock_wait *w = events_lock_waits(all, &n);
	ck_assert_uint_eq(n, EV_LOCK_WAITS_MAX);
	ck_assert_uint_eq(events_totals(all)->lock_waits, 2500);
	ck_assert_double_eq_tol(w[0].wait_ms, 2599, 1e-9);
	ck_assert_double_eq_tol(w[n - 1].wait_ms, 1600, 1e-9);
	for (size_t i = 1; i < n; i++)
		ck_assert(w[i].wait_ms <= w[i - 1].wait_ms);
	ck_assert_uint_eq(events_deadlocks(w1, &n) == NULL || n == 0, 1);
	events_free(w1);
	events_free(w2);
	events_free(all);
}
END_TEST

START_TEST(test_deadlock_cap)
{
	struct events *ev = events_new(NULL);
	size_t n;
	for (int i = 0; i < 1200; i++) {
		struct line l = { 4609, SEV_ERROR, "deadlock detected" };
		struct log_entry e = entry(T0 + 1200 - i, &l);
		e.detail = slice_make("Process", 7);
		events_log(ev, &e);
	}
	events_end_input(ev);
	events_sort(ev);
	const struct ev_deadlock *d = events_deadlocks(ev, &n);
	ck_assert_uint_eq(n, EV_DEADLOCKS_MAX);
	ck_assert_uint_eq(events_totals(ev)->deadlocks, 1200);
	ck_assert_int_eq(d[0].ts_ms, T0 + 1);
	ck_assert_int_eq(d[n - 1].ts_ms, T0 + 1000);
	events_free(ev);
}
END_TEST

START_TEST(test_error_cap)
{
	struct events *ev = events_new(NULL);
	size_t n;
	char state[16];
	/* One real message under 2,100 SQLSTATEs: 2,100 groups. */
	for (int i = 0; i < 2100; i++) {
		struct line l = { 4711, SEV_ERROR, "division by zero" };
		struct log_entry e = entry(T0, &l);
		snprintf(state, sizeof(state), "X%04d", i);
		e.sqlstate = slice_make(state, 5);
		e.statement = slice_make("SELECT 1/0;", 11);
		events_log(ev, &e);
	}
	events_end_input(ev);
	events_sort(ev);
	events_errors(ev, &n);
	ck_assert_uint_eq(n, EV_ERROR_GROUPS_MAX);
	ck_assert_uint_eq(events_totals(ev)->errors, 2100);
	ck_assert_uint_eq(events_totals(ev)->errors_dropped, 100);
	events_free(ev);
}
END_TEST

START_TEST(test_names_cap)
{
	struct events *ev = events_new(NULL);
	char text[96];
	for (int i = 0; i < 1100; i++) {
		snprintf(text, sizeof(text), "connection received: host=10.0.%d.%d "
				"port=51120", i / 200, i % 200);
		struct line l = { 4724, SEV_LOG, text };
		struct log_entry e = entry(T0, &l);
		events_log(ev, &e);
	}
	events_end_input(ev);
	events_sort(ev);
	const struct ev_connections *c = events_connections(ev);
	ck_assert_uint_eq(c->received, 1100);
	ck_assert_uint_eq(c->by_host.n, EV_NAMES_MAX);
	ck_assert_uint_eq(c->by_host.other, 100);
	events_free(ev);
}
END_TEST

/* A restart ends every session: the peak counts those opened after it
 * from zero. The server's own lines (make-events.sh's log). */
START_TEST(test_sessions_restart)
{
	static const char auth[] = "connection authorized: user=postgres database=shop application_name=psql";
	static const struct line lines[] = {
		{ 100, SEV_LOG, auth }, { 101, SEV_LOG, auth },
		{ 1, SEV_LOG, "database system is ready to accept connections" },
		{ 102, SEV_LOG, auth }, { 103, SEV_LOG, auth }, { 104, SEV_LOG, auth },
	};
	struct events *ev = events_new(NULL);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		struct log_entry e = entry(T0 + (int64_t)i, &lines[i]);
		events_log(ev, &e);
	}
	events_end_input(ev);
	events_sort(ev);
	const struct ev_connections *c = events_connections(ev);
	ck_assert_uint_eq(c->peak_sessions, 3);
	ck_assert_int_eq(c->peak_ts, T0 + 5);
	events_free(ev);
}
END_TEST

/* Many pids at once, opening and closing in a shuffled order: the pid
 * table (with its deletions) must agree with a plain count. */
START_TEST(test_sessions_many)
{
	struct events *ev = events_new(NULL);
	enum { N = 5000 };
	static bool open[N];
	uint64_t cur = 0, peak = 0, closed = 0;
	uint32_t x = 12345;

	memset(open, 0, sizeof(open));
	for (int step = 0; step < 40000; step++) {
		x = x * 1103515245 + 12345;
		int pid = 100 + (int)((x >> 8) % N);
		const char *text = open[pid - 100]
			? "disconnection: session time: 0:00:01.006 user=postgres database=shop host=127.0.0.1 port=51210"
			: "connection authorized: user=postgres database=shop application_name=psql";
		struct line l = { pid, SEV_LOG, text };
		struct log_entry e = entry(T0 + step, &l);
		events_log(ev, &e);
		if (open[pid - 100]) {
			cur--;
			closed++;
		} else if (++cur > peak) {
			peak = cur;
		}
		open[pid - 100] = !open[pid - 100];
	}
	events_end_input(ev);
	/* The peak is found from every session's open and close once all are
	 * in (events_sort(), as a merge does). */
	events_sort(ev);
	const struct ev_connections *c = events_connections(ev);
	ck_assert_uint_eq(c->peak_sessions, peak);
	ck_assert_uint_eq(c->sessions, closed);
	ck_assert_uint_eq(c->session_hist[1], closed);
	events_free(ev);
}
END_TEST

/* Messages whose parts never come are sent on, all of them. */
START_TEST(test_pending_cap)
{
	struct events *ev = events_new(NULL);
	size_t n;
	for (int i = 0; i < 6000; i++) {
		struct line l = { 10000 + i, SEV_ERROR, "division by zero" };
		struct log_entry e = entry(T0 + i, &l);
		events_log(ev, &e);
	}
	events_end_input(ev);
	events_sort(ev);
	const struct ev_error *r = events_errors(ev, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(r->count, 6000);
	ck_assert_int_eq(r->first_ts, T0);
	ck_assert_int_eq(r->last_ts, T0 + 5999);
	events_free(ev);
}
END_TEST

static const struct {
	int64_t span_ms, step_ms;
	int64_t width_ms;
} spans[] = {
	{ 3600000, 60000, 60000 },                      /* 1 h: minutes */
	{ 23 * 3600000, 600000, 60000 },                /* 23 h: minutes */
	{ 24 * 3600000, 600000, 300000 },               /* 1,441 minutes: 5 min */
	{ 3 * 24 * 3600000, 600000, 300000 },           /* 3 days: 5 min */
	{ 30 * INT64_C(24) * 3600000, 3600000, 3600000 },       /* 30 days: 1 h */
	{ 800 * INT64_C(24) * 3600000, 86400000, 86400000 },    /* 800 days: days */
	{ 1500 * INT64_C(24) * 3600000, 86400000, 604800000 },  /* 1,500 days: weeks */
	{ 14610 * INT64_C(24) * 3600000, 30 * INT64_C(86400000),
		1209600000 },                           /* 40 years: 2 weeks */
};

START_TEST(test_timeline_coarsen)
{
	/* Calls logged in order into one worker, and in reverse into
	 * another, merged with a third that saw a single minute. */
	struct events *fwd = events_new(NULL), *rev = events_new(NULL);
	struct events *one = events_new(NULL), *all = events_new(NULL);
	int64_t span = spans[_i].span_ms, step = spans[_i].step_ms;
	uint64_t calls = 0;
	double total = 0;

	for (int64_t t = 0; t < span; t += step) {
		struct call c = { .ts_ms = T0 + t, .timed = true, .duration_ms = 2 };
		events_call(fwd, &c);
		c.ts_ms = T0 + span - 1 - t;
		events_call(rev, &c);
		calls += 2;
		total += 4;
	}
	struct call c1 = { .ts_ms = T0 + 5, .timed = true, .duration_ms = 1 };
	events_call(one, &c1);
	/* Each alone spans a step less than the merge. */
	ck_assert_int_le(events_timeline(fwd)->width_ms, spans[_i].width_ms);
	ck_assert_int_le(events_timeline(rev)->width_ms, spans[_i].width_ms);
	ck_assert_uint_le(events_timeline(fwd)->n, EV_TIMELINE_MAX_BUCKETS);
	events_merge(all, one);
	events_merge(all, rev);
	events_merge(all, fwd);
	const struct ev_timeline *tl = events_timeline(all);
	ck_assert_int_eq(tl->width_ms, spans[_i].width_ms);
	ck_assert_uint_le(tl->n, EV_TIMELINE_MAX_BUCKETS);
	uint64_t got = 0;
	double got_ms = 0;
	for (size_t i = 0; i < tl->n; i++) {
		got += tl->b[i].calls;
		got_ms += tl->b[i].total_ms;
		ck_assert_int_eq(tl->b[i].start_ms % tl->width_ms, 0);
		if (i)
			ck_assert_int_eq(tl->b[i].start_ms - tl->b[i - 1].start_ms,
					tl->width_ms);
	}
	ck_assert_uint_eq(got, calls + 1);
	ck_assert_double_eq_tol(got_ms, total + 1, 1e-6);
	events_free(fwd);
	events_free(rev);
	events_free(one);
	events_free(all);
}
END_TEST

Suite *suite_events_sessions(void);
Suite *suite_events_sessions(void)
{
	Suite *s = suite_create("events_sessions");
	TCase *tc;

	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_events_more);
	tcase_add_loop_test(tc, test_vacuums, 0, ARRAY_SIZE(vacuum_logs));
	tcase_add_test(tc, test_rds);
	tcase_add_loop_test(tc, test_live, 0, ARRAY_SIZE(live_logs));
	tcase_add_loop_test(tc, test_order, 0, ARRAY_SIZE(order_cases));
	tcase_add_loop_test(tc, test_merge, 0, ARRAY_SIZE(merge_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lock_wait_cap);
	tcase_add_test(tc, test_deadlock_cap);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_names_cap);
	tcase_add_test(tc, test_sessions_many);
	tcase_add_test(tc, test_sessions_restart);
	tcase_add_test(tc, test_pending_cap);
	tcase_add_loop_test(tc, test_timeline_coarsen, 0, ARRAY_SIZE(spans));
	suite_add_tcase(s, tc);
	return s;
}
