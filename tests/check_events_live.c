/* check_events_live.c: sessions and autovacuum on a server the test starts.
 *
 * tests/data/events/make-live.sh runs a fresh PostgreSQL (the newest
 * installed, or PGBIN) with log_connections and log_disconnections, and
 * provokes: 10 health checks that close before their startup packet, a
 * storm of 32 clients that each answer the password request 1 s late (all
 * 32 backends alive at once, few of them authorized at once), and an
 * autovacuum cancelled by LOCK TABLE while it scans its table (PostgreSQL
 * 13 and later put "while scanning block N of relation" before "automatic
 * vacuum of table" in the CONTEXT). The test reads the stderr and jsonlog
 * forms of that log, the jsonlog also newest first (as cloud exports list
 * it) and with -j 2. Skipped, saying so, only without server binaries.
 * It also reloads the configuration and RAISEs a LOG message of its own:
 * both must be counted among the messages no rule reads, the first as a
 * known kind, the second as an unknown one, each with the place of its
 * first line. tests/data/events/live.log and live.json are one such run,
 * kept for the offline checks in check_events_sessions.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "events_testutil.h"
#include "testutil.h"
#include "timeutil.h"

#define STORM 32
#define PROBES 10

/* Runs make-live.sh into a new directory under /tmp; false when it
 * failed (its message is on stderr). */
static bool make_live(char *dir)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "STORM=%d bash '%s/tests/data/events/make-live.sh' "
			"'%s' >&2", STORM, tu_root(), dir);
	return system(cmd) == 0;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static uint64_t canceled_on(const struct events *ev, const char *table)
{
	const struct ev_autovacuum *av = events_autovacuum(ev);
	for (size_t i = 0; i < av->ntables; i++)
		if (strcmp(av->tables[i].table, table) == 0)
			return av->tables[i].canceled;
	return 0;
}

/* A copy of the jsonlog at path with its records (one a line) newest
 * first, as cloud exports list them; tu_remove() it. */
static char *newest_first_copy(const char *path)
{
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	char *rev = lines_reversed(text);
	char *copy = tu_write_temp(rev, strlen(rev));
	free(text);
	free(rev);
	return copy;
}

/* Lines of text holding needle. */
static uint64_t lines_with(const char *text, const char *needle)
{
	uint64_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++) {
		n++;
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl;
	}
	return n;
}

/* Line n (from 1) of the file at path, malloc'd, or NULL. */
static char *line_of(const char *path, uint64_t n)
{
	char *text = tu_slurp(path), *line = NULL;
	ck_assert_ptr_nonnull(text);
	char *p = text;
	for (uint64_t i = 1; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (p) {
		char *nl = strchr(p, '\n');
		line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
	}
	free(text);
	return line;
}

/* Every kind of message no rule reads is counted, and its first_at names
 * a line of the input holding the message (its text before the first
 * masked or quoted part); the reload and the RAISE LOG are there. */
static void check_others(const struct analysis *a, const char *stderr_log)
{
	size_t n;
	const struct ev_error *r = events_others(a->events, &n);
	uint64_t sum = 0;
	const struct ev_error *reload = NULL, *probe = NULL;
	for (size_t i = 0; i < n; i++) {
		sum += r[i].count;
		char place[4096];
		ck_assert_msg(analysis_place(a, r[i].first_pos, place, sizeof(place)),
				"no place for '%s'", r[i].message);
		char *colon = strrchr(place, ':');
		*colon = '\0';
		char *line = line_of(place, strtoull(colon + 1, NULL, 10));
		size_t keep = strcspn(r[i].message, "?\"");
		char *head = strndup(r[i].message, keep);
		ck_assert_msg(line && strstr(line, head), "%s:%s: '%s' is not there",
				place, colon + 1, head);
		free(head);
		free(line);
		if (strcmp(r[i].message, "received SIGHUP, reloading configuration files") == 0)
			reload = &r[i];
		if (strcmp(r[i].message, "pgsift probe ?") == 0)
			probe = &r[i];
	}
	ck_assert_uint_eq(sum + events_totals(a->events)->others_dropped,
			events_totals(a->events)->others);
	ck_assert_ptr_nonnull(reload);
	ck_assert_ptr_nonnull(probe);
	ck_assert_str_eq(events_other_known(reload), "configuration");
	ck_assert_ptr_null(events_other_known(probe));
	ck_assert_uint_eq(probe->count, 1);
	char *text = tu_slurp(stderr_log);
	ck_assert_uint_eq(reload->count, lines_with(text,
			"LOG:  received SIGHUP, reloading configuration files"));
	free(text);
}

START_TEST(test_live_server)
{
	if (!tu_have_server("events_live: server"))
		return;
	char dir[] = "/tmp/pgsift-evlive-XXXXXX";
	ck_assert_msg(make_live(dir), "make-live.sh failed (see its message above)");
	char *log = path_in(dir, "postgresql.log"), *json = path_in(dir, "postgresql.json");
	/* A server before 15 writes no jsonlog: its stderr log only. */
	bool has_json = access(json, R_OK) == 0;
	char *newest_first = has_json ? newest_first_copy(json) : NULL;
	const struct {
		const char *path, *prefix;
		unsigned jobs;
	} reads[] = {
		{ log, WORKLOAD_PREFIX, 1 },
		{ log, WORKLOAD_PREFIX, 2 },
		{ json, NULL, 1 },
		{ newest_first, NULL, 1 },
		{ newest_first, NULL, 2 },
	};
	size_t nreads = has_json ? ARRAY_SIZE(reads) : 2;
	int64_t peak_ts = TS_NONE;
	for (size_t i = 0; i < nreads; i++) {
		const char *paths[] = { reads[i].path };
		struct analysis *a = run(paths, 1, reads[i].prefix, reads[i].jobs);
		const struct ev_connections *c = events_connections(a->events);
		fprintf(stderr, "check_events_live: %s -j %u: %llu received, %llu "
				"authorized, peak %llu\n", reads[i].path, reads[i].jobs,
				(unsigned long long)c->received,
				(unsigned long long)c->authorized,
				(unsigned long long)c->peak_sessions);
		/* The health checks were received, never authorized. */
		ck_assert_uint_eq(c->received - c->authorized, PROBES);
		ck_assert_uint_eq(count_of(&c->by_user, "storm"), STORM);
		ck_assert_uint_eq(c->peak_sessions, STORM);
		if (i == 0)
			peak_ts = c->peak_ts;
		ck_assert_int_eq(c->peak_ts, peak_ts);
		ck_assert_uint_eq(canceled_on(a->events, "shop.public.t"), 1);
		ck_assert_ptr_nonnull(find_error(a->events, "canceling autovacuum task"));
		check_others(a, log);
		analysis_free(a);
	}
	if (newest_first)
		tu_remove(newest_first);
	free(log);
	free(json);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_events_live(void);
Suite *suite_events_live(void)
{
	Suite *s = suite_create("events_live");
	TCase *tc = tcase_create("server");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_live_server);
	suite_add_tcase(s, tc);
	return s;
}
