/* pgbouncer_testutil.h: what the pgBouncer suites share: counts taken
 * from a pgBouncer log's own lines, and the JSON report's "pooler" checked
 * against them. */
#ifndef PGSIFT_PGBOUNCER_TESTUTIL_H
#define PGSIFT_PGBOUNCER_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- counts taken from a log's text ---- */

struct log_counts {
	uint64_t lines, logins, login_failed, sessions, client_closes;
	uint64_t problems;      /* WARNING, ERROR, FATAL lines */
	uint64_t max_client_conn, query_wait, no_database;
	uint64_t stats_lines, shop_logins;
	double peak_queries_s;
};

/* Client ids with a login and no close yet (a few dozen at most). */
struct open_ids {
	char id[64][24];
	size_t n;
};

static inline const char *conn_of(const char *line, char *out)
{
	const char *c = strstr(line, " C-0x");
	if (!c)
		return NULL;
	size_t n = strcspn(c + 1, ":");
	snprintf(out, 24, "%.*s", (int)n, c + 1);
	return out;
}

static inline void count_line(const char *line, struct log_counts *k, struct open_ids *o)
{
	char id[24];
	k->lines++;
	if (strstr(line, "] WARNING ") || strstr(line, "] ERROR ") ||
			strstr(line, "] FATAL ")) {
		k->problems++;
		k->max_client_conn += strstr(line, "no more connections allowed") != NULL;
		k->query_wait += strstr(line, "pooler error: query_wait_timeout") != NULL;
		k->no_database += strstr(line, "pooler error: no such database") != NULL;
		return;
	}
	if (strstr(line, " login attempt: ") && conn_of(line, id)) {
		k->logins++;
		k->shop_logins += strstr(line, "login attempt: db=shop ") != NULL;
		ck_assert_uint_lt(o->n, 64);
		snprintf(o->id[o->n++], 24, "%s", id);
	} else if (strstr(line, " login failed: ")) {
		k->login_failed++;
	} else if (strstr(line, " closing because: ") && conn_of(line, id)) {
		k->client_closes++;
		bool open = false;
		for (size_t i = 0; i < o->n && !open; i++)
			if (strcmp(o->id[i], id) == 0) {
				open = true;
				memmove(o->id[i], o->id[i + 1], (o->n - i - 1) * sizeof(o->id[0]));
				o->n--;
			}
		/* A client refused before its login is no session; one that
		 * logged in before the log's start is. */
		k->sessions += open || !strstr(line, ": (nodb)/");
	} else if (strstr(line, "] LOG stats: ")) {
		unsigned long long x, q;
		k->stats_lines++;
		ck_assert_int_eq(sscanf(strstr(line, "stats: "), "stats: %llu xacts/s, %llu queries/s",
				&x, &q), 2);
		if ((double)q > k->peak_queries_s)
			k->peak_queries_s = (double)q;
	}
}

static inline struct log_counts counts_of(const char *path)
{
	struct log_counts k = { 0 };
	struct open_ids o = { .n = 0 };
	char *text = tu_slurp(path);
	ck_assert_ptr_nonnull(text);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		count_line(line, &k, &o);
	free(text);
	return k;
}

static inline uint64_t juint(const json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	const json_t *v = o;
	for (char *k = strtok(buf, "."); k && v; k = strtok(NULL, "."))
		v = json_object_get(v, k);
	ck_assert_msg(json_is_number(v), "%s is not a number", path);
	return (uint64_t)llround(json_number_value(v));
}

static inline double jnum(const json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	const json_t *v = o;
	for (char *k = strtok(buf, "."); k && v; k = strtok(NULL, "."))
		v = json_object_get(v, k);
	ck_assert_msg(json_is_number(v), "%s is not a number", path);
	return json_number_value(v);
}

static inline uint64_t error_count(const json_t *p, const char *kind)
{
	uint64_t n = 0;
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(p, "errors"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0)
			n += (uint64_t)json_integer_value(json_object_get(e, "count"));
	return n;
}

/* The report's "pooler" agrees with what the log's lines say. */
static inline void check_pooler(const json_t *p, const struct log_counts *k)
{
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(juint(p, "lines"), k->lines);
	ck_assert_uint_eq(juint(p, "sessions.logins"), k->logins);
	ck_assert_uint_eq(juint(p, "sessions.login_failed"), k->login_failed);
	ck_assert_uint_eq(juint(p, "sessions.closed"), k->sessions);
	ck_assert_uint_eq(juint(p, "sessions.by_database.shop"), k->shop_logins);
	ck_assert_uint_eq(juint(p, "errors_total"), k->problems);
	ck_assert_uint_eq(error_count(p, "max_client_conn"), k->max_client_conn);
	ck_assert_uint_eq(error_count(p, "query_wait_timeout"), k->query_wait);
	ck_assert_uint_eq(error_count(p, "no_such_database"), k->no_database);
	ck_assert_uint_eq(juint(p, "stats.lines"), k->stats_lines);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(p, "stats"),
			"timeline")), k->stats_lines);
	ck_assert(fabs(jnum(p, "stats.peak_queries_s") - k->peak_queries_s) < 1e-9);
	uint64_t closes = 0;
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(p, "closes"), "client"), key, v)
		closes += (uint64_t)json_integer_value(v);
	ck_assert_uint_eq(closes, k->client_closes);
	/* The workload's rejections are all there. */
	ck_assert_uint_gt(k->max_client_conn, 0);
	ck_assert_uint_gt(k->query_wait, 0);
	ck_assert_uint_gt(k->no_database, 0);
}

/* Runs pgsift with args; its JSON report (the caller decrefs). */
static inline json_t *report(const char *args, int want_status)
{
	char *cmd;
	int status;
	if (asprintf(&cmd, "'%s' %s", tu_bin(), args) < 0)
		abort();
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == want_status, "%s: exit %d", cmd, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "%s: not JSON: %s", cmd, err.text);
	free(out);
	free(cmd);
	return j;
}

#endif
