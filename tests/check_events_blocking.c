/* check_events_blocking.c: the event findings a DBA looks for first, on
 * real servers' logs.
 *
 * "workload": tests/workload/pg-workload.sh's run (its blocking.sh part:
 * a chain of lock waits, sessions idle in their transactions, a deadlock,
 * a WAL burst under the smallest max_wal_size). Every expected figure is
 * counted here from the stderr log itself: the root blocker found by
 * following the holders of the "still waiting" messages, the wait it
 * caused from the "acquired ... after N ms" lines, the idle time from the
 * statements' time stamps and durations, the checkpoints from their
 * "starting: wal" lines. The same log read with -j 2, and in two halves
 * saved as states and merged, gives the same events and findings.
 * "wraparound": tests/workload/pg-wraparound.sh's server, moved close to
 * wraparound: its warnings, failsafe vacuums and anti-wraparound
 * autovacuums counted from the log against the finding, and the ages of
 * its databases (pg_database, pg_class snapshots) in its evidence.
 * Skipped, saying so, only without server binaries. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

static const char *workload_dir;
static int workload_ready;

static void workload_setup(void)
{
	workload_dir = tu_shared_workload(&workload_ready);
}

/* ---- the stderr log, read here: '%m [%p] %q%u@%d/%a ' ---- */

struct line {
	int64_t ts;             /* ms */
	long pid;
	char app[64];
	char sev[16];
	const char *msg;        /* after "SEV:  " */
};

static bool parse_line(const char *s, struct line *l)
{
	struct tm tm = { 0 };
	int ms, n = 0;
	if (sscanf(s, "%d-%d-%d %d:%d:%d.%d UTC [%ld] %n", &tm.tm_year, &tm.tm_mon,
			&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms,
			&l->pid, &n) != 8 || !n)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	l->ts = (int64_t)timegm(&tm) * 1000 + ms;
	const char *p = s + n, *colon = strstr(p, ":  ");
	if (!colon)
		return false;
	/* "user@db/app SEV" or just "SEV" (the server's own processes). */
	const char *sp = memrchr(p, ' ', (size_t)(colon - p));
	const char *sev = sp ? sp + 1 : p;
	snprintf(l->sev, sizeof(l->sev), "%.*s", (int)(colon - sev), sev);
	l->app[0] = '\0';
	const char *slash = sp ? memchr(p, '/', (size_t)(sp - p)) : NULL;
	if (slash)
		snprintf(l->app, sizeof(l->app), "%.*s", (int)(sp - slash - 1), slash + 1);
	l->msg = colon + 3;
	return true;
}

/* The lines of the log at path, each NUL-terminated in *buf (freed by the
 * caller), continuation lines left out. */
static size_t read_lines(const char *path, char **buf, struct line **out)
{
	*buf = tu_slurp(path);
	ck_assert_msg(*buf != NULL, "cannot read %s", path);
	size_t n = 0, cap = 1024;
	*out = malloc(cap * sizeof(**out));
	for (char *s = *buf, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		struct line l;
		if (!parse_line(s, &l))
			continue;
		if (n == cap)
			*out = realloc(*out, (cap *= 2) * sizeof(**out));
		(*out)[n++] = l;
	}
	return n;
}

static json_t *report_json(const char *args)
{
	char cmd[8192];
	int status;
	snprintf(cmd, sizeof(cmd), "'%s' report -q -f json %s", tu_bin(), args);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s: exit %d", cmd, status);
	json_t *j = json_loads(out, 0, NULL);
	ck_assert_msg(j != NULL, "%s: not JSON", cmd);
	free(out);
	return j;
}

/* The first finding of kind whose evidence has key (its first element's
 * "pid" for an array) equal to pid, or to str when str is given; key NULL:
 * the first of kind. */
static json_t *finding_of(json_t *r, const char *kind, const char *key,
		json_int_t pid, const char *str)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(r, "findings"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "kind")), kind) != 0)
			continue;
		if (!key)
			return f;
		json_t *v = json_object_get(json_object_get(f, "evidence"), key);
		if (json_is_array(v))
			v = json_object_get(json_array_get(v, 0), "pid");
		if (str ? json_is_string(v) && strcmp(json_string_value(v), str) == 0 :
				json_is_integer(v) && json_integer_value(v) == pid)
			return f;
	}
	return NULL;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_number(v), "no number %s", key);
	return json_number_value(v);
}

/* The wait a pid's "still waiting" message announced: its holder and
 * the time it reported when acquired. */
struct wait {
	long pid, holder;
	int64_t ts;
	double acquired_ms;
};

START_TEST(test_workload)
{
	if (workload_ready == -1) {
		tu_skip("events_blocking: workload", TU_NO_SERVER);
		return;
	}
	ck_assert_msg(workload_ready == 1, "pg-workload.sh failed");
	char path[4096], *buf;
	struct line *l;
	snprintf(path, sizeof(path), "%s/postgresql.log", workload_dir);
	size_t n = read_lines(path, &buf, &l);

	/* The waits, their holders (the DETAIL line that follows) and what
	 * each reported when it got its lock. */
	struct wait w[64];
	size_t nw = 0;
	long shipping = 0;
	uint64_t deadlocks = 0, too_frequent = 0, wal_started = 0, intervals = 0;
	int64_t last_start = 0;
	double interval_sum = 0;
	for (size_t i = 0; i < n; i++) {
		const char *m = l[i].msg;
		long pid, holder;
		if (sscanf(m, "process %ld still waiting for", &pid) == 1 && nw < 64 &&
				i + 1 < n && sscanf(l[i + 1].msg,
					"Process holding the lock: %ld.", &holder) == 1) {
			w[nw++] = (struct wait){ pid, holder, l[i].ts, 0 };
			if (strcmp(l[i].app, "shipping") == 0)
				shipping = pid;
		}
		double ms;
		if (sscanf(m, "process %ld acquired %*s %*s %*s %*s after %lf ms",
				&pid, &ms) == 2)
			for (size_t k = 0; k < nw; k++)
				if (w[k].pid == pid)
					w[k].acquired_ms = ms;
		deadlocks += strcmp(l[i].sev, "ERROR") == 0 &&
			strncmp(m, "deadlock detected", 17) == 0;
		too_frequent += strncmp(m, "checkpoints are occurring too frequently", 40) == 0;
		if (strncmp(m, "checkpoint starting: ", 21) == 0) {
			if (strcmp(m + 21, "wal") == 0) {
				wal_started++;
				if (last_start) {
					intervals++;
					interval_sum += (double)(l[i].ts - last_start) / 1000;
				}
			}
			last_start = l[i].ts;
		}
	}
	/* The chain: shipping waited for invoicer, which waited for the root. */
	ck_assert_msg(shipping, "no lock wait of 'shipping' in %s", path);
	long mid = 0, root = 0;
	double caused = 0;
	for (size_t k = 0; k < nw; k++)
		if (w[k].pid == shipping) {
			mid = w[k].holder;
			caused += w[k].acquired_ms;
		}
	for (size_t k = 0; k < nw; k++)
		if (w[k].pid == mid) {
			root = w[k].holder;
			caused += w[k].acquired_ms;
		}
	ck_assert_msg(root, "the holder of shipping's lock (pid %ld) never waited", mid);
	/* The root's application and its last statement before the wait. */
	const char *root_app = NULL, *root_stmt = NULL;
	for (size_t i = 0; i < n; i++)
		if (l[i].pid == root && strstr(l[i].msg, "statement: UPDATE")) {
			root_app = l[i].app;
			root_stmt = strstr(l[i].msg, "statement: ") + 11;
			break;
		}
	ck_assert_ptr_nonnull(root_stmt);

	json_t *r = report_json(path);
	json_t *ev = json_object_get(r, "events");
	json_t *b = NULL, *v;
	size_t i;
	json_array_foreach(json_object_get(ev, "blocking"), i, v)
		if (json_integer_value(json_object_get(v, "pid")) == root)
			b = v;
	ck_assert_msg(b != NULL, "pid %ld is not among the root blockers", root);
	ck_assert_str_eq(json_string_value(json_object_get(b, "app")), root_app);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "waits")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "depth")), 2);
	ck_assert_double_eq_tol(num(b, "wait_ms"), caused, 0.001);
	ck_assert(json_is_true(json_object_get(b, "idle_in_transaction")));
	/* "UPDATE orders SET status = 'closing' WHERE id = 2;" normalized. */
	ck_assert_msg(strncmp(root_stmt, "UPDATE orders SET status = ", 27) == 0, "%s", root_stmt);
	ck_assert_str_eq(json_string_value(json_object_get(b, "query")),
			"UPDATE orders SET status = $1 WHERE id = $2");

	json_t *f = finding_of(r, "lock_contention", "root_blockers", root, NULL);
	ck_assert_msg(f != NULL, "no lock_contention finding for pid %ld", root);
	json_t *fe = json_object_get(f, "evidence");
	ck_assert_double_eq_tol(num(fe, "wait_ms"), caused, 0.001);
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "longest_chain")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(f, "severity")), "warning");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "suggestion")),
			"lock_timeout"));
	char *apps = json_dumps(json_object_get(fe, "blocked_applications"), JSON_COMPACT);
	ck_assert_str_eq(apps, "[\"invoicer\",\"shipping\"]");
	free(apps);

	/* Idle in transaction: report-export's statements, end to start. */
	double idle = 0, prev_end = NAN;
	uint64_t xacts = 0;
	for (size_t k = 0; k < n; k++) {
		double ms;
		int off = 0;
		if (strcmp(l[k].app, "report-export") != 0 ||
				sscanf(l[k].msg, "duration: %lf ms  statement: %n", &ms, &off) != 1 || !off)
			continue;
		const char *s = l[k].msg + off;
		if (strncmp(s, "BEGIN", 5) == 0) {
			prev_end = (double)l[k].ts;
			continue;
		}
		if (isnan(prev_end))
			continue;
		/* %m is cut to the millisecond: a statement that began in
		 * the millisecond its BEGIN ended may seem to start before it
		 * (-0.486 ms once); no gap is less than none. */
		double gap = (double)l[k].ts - ms - prev_end;
		if (gap > 0)
			idle += gap;
		prev_end = (double)l[k].ts;
		if (strncmp(s, "COMMIT", 6) == 0) {
			xacts++;
			prev_end = NAN;
		}
	}
	ck_assert_uint_eq(xacts, 1);
	json_t *idle_app = NULL;
	json_array_foreach(json_object_get(ev, "idle_in_transaction"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "app")), "report-export") == 0)
			idle_app = v;
	ck_assert_ptr_nonnull(idle_app);
	ck_assert_double_eq_tol(num(idle_app, "idle_ms"), idle, 0.01);
	ck_assert_int_eq(json_integer_value(json_object_get(idle_app, "transactions")), 1);
	f = finding_of(r, "idle_in_transaction", "application", 0, "report-export");
	ck_assert_msg(f != NULL, "no idle_in_transaction finding for report-export");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "suggestion")),
			"idle_in_transaction_session_timeout"));
	/* batch-close held the lock while idle: a warning. */
	f = finding_of(r, "idle_in_transaction", "application", 0, root_app);
	ck_assert_msg(f != NULL, "no idle_in_transaction finding for %s", root_app);
	ck_assert_str_eq(json_string_value(json_object_get(f, "severity")), "warning");

	/* The deadlock. */
	ck_assert_uint_ge(deadlocks, 1);
	f = finding_of(r, "deadlock", NULL, 0, NULL);
	ck_assert_msg(f != NULL, "no deadlock finding");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(f, "evidence"),
			"deadlocks")), (json_int_t)deadlocks);

	/* Checkpoints forced by the WAL burst. */
	ck_assert_uint_ge(wal_started, 2);
	f = finding_of(r, "checkpoints_too_frequent", NULL, 0, NULL);
	ck_assert_msg(f != NULL, "no checkpoints_too_frequent finding");
	fe = json_object_get(f, "evidence");
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "wal_started")), (json_int_t)wal_started);
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "server_warnings")),
			(json_int_t)too_frequent);
	ck_assert_double_eq_tol(num(fe, "mean_interval_s"), interval_sum / (double)intervals, 0.001);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "suggestion")),
			"max_wal_size"));

	/* Two workers, and two halves merged, say the same. */
	char args[8192];
	snprintf(args, sizeof(args), "-j 2 '%s'", path);
	json_t *r2 = report_json(args);
	const char *keys[] = { "blocking", "idle_in_transaction", "lock_waits", "checkpoints" };
	for (size_t k = 0; k < 4; k++)
		ck_assert_msg(json_equal(json_object_get(ev, keys[k]),
				json_object_get(json_object_get(r2, "events"), keys[k])),
				"-j 2 differs in events.%s", keys[k]);
	char dir[] = "/tmp/pgsift-blocking-XXXXXX", cmd[32768];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	int status;
	snprintf(cmd, sizeof(cmd), "cd '%s' && n=$(wc -l <'%s') && h=$(grep -n '^2' '%s' | "
		"awk -F: -v n=$n '$1 > n/2 { print $1; exit }') && head -n $((h - 1)) '%s' >a.log && "
		"tail -n +$h '%s' >b.log && '%s' report -q -o /dev/null --save a.state a.log && "
		"'%s' report -q -o /dev/null --save b.state b.log && '%s' merge -q -f json a.state b.state",
		dir, path, path, path, path, tu_bin(), tu_bin(), tu_bin());
	char *merged = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s: exit %d", cmd, status);
	json_t *rm = json_loads(merged, 0, NULL);
	ck_assert_ptr_nonnull(rm);
	snprintf(args, sizeof(args), "'%s/a.log' '%s/b.log'", dir, dir);
	json_t *r3 = report_json(args);
	for (size_t k = 0; k < 4; k++)
		ck_assert_msg(json_equal(json_object_get(json_object_get(r3, "events"), keys[k]),
				json_object_get(json_object_get(rm, "events"), keys[k])),
				"the merged states differ in events.%s", keys[k]);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(merged);
	json_decref(rm);
	json_decref(r3);
	json_decref(r2);
	json_decref(r);
	free(l);
	free(buf);
}
END_TEST

START_TEST(test_wraparound)
{
	if (!tu_have_server("events_blocking: wraparound"))
		return;
	char dir[] = "/tmp/pgsift-wrap-XXXXXX", cmd[8192], path[8192];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pg-wraparound.sh' '%s' >&2",
			tu_root(), dir);
	ck_assert_msg(system(cmd) == 0, "pg-wraparound.sh failed");
	snprintf(path, sizeof(path), "%s/postgresql.log", dir);
	char *buf;
	struct line *l;
	size_t n = read_lines(path, &buf, &l);
	uint64_t warnings = 0, failsafe = 0, anti = 0, least = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		const char *m = l[i].msg, *p;
		unsigned long long left;
		if ((p = strstr(m, " must be vacuumed within ")) != NULL) {
			warnings++;
			if (sscanf(p, " must be vacuumed within %llu", &left) == 1 && left < least)
				least = left;
		}
		failsafe += strstr(m, "as a failsafe after") != NULL;
		static const char av[] = "automatic aggressive vacuum to prevent wraparound ";
		anti += strncmp(m, av, sizeof(av) - 1) == 0;
	}
	ck_assert_uint_gt(warnings, 0);
	ck_assert_uint_gt(anti, 0);
	json_t *r = report_json(path);
	json_t *f = finding_of(r, "wraparound_risk", NULL, 0, NULL);
	ck_assert_msg(f != NULL, "no wraparound_risk finding");
	json_t *fe = json_object_get(f, "evidence");
	ck_assert_str_eq(json_string_value(json_object_get(f, "severity")), "critical");
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "warnings")), (json_int_t)warnings);
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "min_transactions_left")),
			(json_int_t)least);
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "failsafe_vacuums")),
			(json_int_t)failsafe);
	ck_assert_int_eq(json_integer_value(json_object_get(fe, "wraparound_vacuums")),
			(json_int_t)anti);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "suggestion")),
			"VACUUM (FREEZE"));
	json_decref(r);

	/* The ages the server gave when it came up (pg_database, pg_class
	 * of one database), read from the CSV here: the evidence lists
	 * every database oldest first, each with what is left to the limit
	 * the server's warnings count to (2^31 - 1). */
	char ages[3 * 8192], dbcsv[4096];
	snprintf(dbcsv, sizeof(dbcsv), "%s/database-age.csv", dir);
	snprintf(ages, sizeof(ages), "'%s' '%s' '%s/relation-age.csv'", path, dbcsv, dir);
	char *csv = tu_slurp(dbcsv);
	ck_assert_ptr_nonnull(csv);
	char oldest_db[64] = "";
	long long oldest = -1, ndb = 0;
	for (char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char db[64];
		long long age;
		if (sscanf(line + 1, "%63[^,],%lld,", db, &age) != 2)
			continue;
		ndb++;
		if (age > oldest) {
			oldest = age;
			snprintf(oldest_db, sizeof(oldest_db), "%s", db);
		}
	}
	free(csv);
	ck_assert_int_ge(ndb, 3);
	r = report_json(ages);
	f = finding_of(r, "wraparound_risk", NULL, 0, NULL);
	ck_assert_msg(f != NULL, "no wraparound_risk finding with the ages");
	json_t *dbs = json_object_get(json_object_get(f, "evidence"), "databases");
	ck_assert_int_eq((long long)json_array_size(dbs), ndb);
	json_t *first = json_array_get(dbs, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(first, "xid_age")), oldest);
	ck_assert_int_eq(json_integer_value(json_object_get(first, "transactions_left")),
			2147483647LL - oldest);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(f, "evidence"), "relations"));
	json_decref(r);
	/* The ages alone: a finding of their own when past twice
	 * autovacuum_freeze_max_age (critical from a billion). */
	snprintf(ages, sizeof(ages), "'%s' '%s/relation-age.csv'", dbcsv, dir);
	r = report_json(ages);
	f = finding_of(r, "wraparound_risk", NULL, 0, NULL);
	if (oldest > 400000000LL) {
		ck_assert_msg(f != NULL, "no wraparound_risk finding from ages of %lld", oldest);
		ck_assert_str_eq(json_string_value(json_object_get(f, "severity")),
			oldest >= 1000000000LL ? "critical" : "warning");
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "title")),
			oldest_db));
	} else {
		ck_assert_msg(f == NULL, "a wraparound_risk finding from young ages");
	}
	json_decref(r);
	free(l);
	free(buf);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_events_blocking(void);
Suite *suite_events_blocking(void)
{
	Suite *s = suite_create("events_blocking");
	TCase *tc = tcase_create("workload");
	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, workload_setup, NULL);
	tcase_add_test(tc, test_workload);
	suite_add_tcase(s, tc);
	tc = tcase_create("wraparound");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_wraparound);
	suite_add_tcase(s, tc);
	return s;
}
