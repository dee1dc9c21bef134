/* events_testutil.h: helpers shared by check_events.c and
 * check_events_sessions.c. Header-only (the Makefile links tests/check_*.c
 * and tests/testutil.c only); static inline, so a suite that does not call
 * one of them gets no unused-function warning. */
#ifndef PGSIFT_EVENTS_TESTUTIL_H
#define PGSIFT_EVENTS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "testutil.h"

#define EVENTS_PREFIX "%m [%p] %e %q%u@%d/%a "
#define WORKLOAD_PREFIX "%m [%p] %q%u@%d/%a "
#define VACUUMS_PREFIX "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a "
/* 2026-11-22T14:17:27Z, the minute of events.log */
#define T0 INT64_C(1795357047000)

/* ---- running analyses ---- */

static inline char *path_of(const char *where, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s/%s", tu_root(), where, name) < 0)
		abort();
	return p;
}

static inline char *data_path(const char *name)
{
	return path_of("tests/data/events", name);
}

/* A pgBadger fixture, or NULL when ../shared is absent: the test was
 * skipped (tu_data_path) and returns. */
static inline char *corpus_path(const char *who, const char *name)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "../shared/corpus/pgbadger/%s", name);
	return tu_data_path(who, rel);
}

static inline struct analysis *run(const char *const *paths, size_t n,
		const char *prefix, unsigned jobs)
{
	struct pgsift_options o;
	struct analysis *a;

	options_init(&o);
	o.prefix = prefix;
	o.jobs = jobs;
	enum analysis_status st = analysis_run(&o, paths, n, &a);
	ck_assert_msg(st == ANALYSIS_OK || st == ANALYSIS_PARTIAL,
			"analysis of %s failed: %d", paths[0], st);
	ck_assert_ptr_nonnull(a->events);
	return a;
}

static inline struct analysis *run_one(char *path, const char *prefix)
{
	const char *paths[] = { path };
	struct analysis *a = run(paths, 1, prefix, 1);
	free(path);
	return a;
}

static inline const struct ev_error *find_error(const struct events *ev,
		const char *message)
{
	size_t n;
	const struct ev_error *r = events_errors(ev, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].message, message) == 0)
			return &r[i];
	return NULL;
}

static inline uint64_t count_of(const struct ev_counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return c->v[i].count;
	return 0;
}

/* ---- logs read newest first ---- */

/* text's lines, last first. The result belongs to the caller. */
static inline char *lines_reversed(const char *text)
{
	size_t len = strlen(text);
	char *out = malloc(len + 2), *o = out;
	ck_assert_ptr_nonnull(out);
	const char *end = text + len;
	if (end > text && end[-1] == '\n')
		end--;
	while (end > text) {
		const char *start = end;
		while (start > text && start[-1] != '\n')
			start--;
		memcpy(o, start, (size_t)(end - start));
		o += end - start;
		*o++ = '\n';
		end = start > text ? start - 1 : text;
	}
	*o = '\0';
	return out;
}

/* ---- one message, as entries of log lines ---- */

struct line {
	int64_t pid;
	enum severity sev;
	const char *text;
};

/* An entry of l at ts; entries are numbered as lines in the order made
 * (the peak of sessions is counted in log order). */
static inline struct log_entry entry(int64_t ts, const struct line *l)
{
	static uint64_t line;
	return (struct log_entry){
		.line = ++line,
		.ts_ms = ts, .pid = l->pid, .leader_pid = -1,
		.severity = l->sev, .message = slice_make(l->text, strlen(l->text)),
	};
}

#endif
