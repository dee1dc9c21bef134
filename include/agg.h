/* agg.h: per-fingerprint aggregates.
 *
 * The core feeds one `struct call` per statement execution it has
 * established (after merging auto_explain plans with their duration lines
 * and log_statement lines with their bare durations). agg keeps one group
 * per fingerprint: exact counts and totals, a bounded quantile sketch,
 * first/last seen, calls per database/user/application and the three
 * slowest examples. Workers each fill their own agg; agg_merge() joins them. */
#ifndef PGSIFT_AGG_H
#define PGSIFT_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"
#include "sketch.h"
#include "sketch_hist.h"
#include "util.h"

#define AGG_EXAMPLES 3
#define AGG_MAX_NAMES 64        /* distinct db/user/app names kept per group */
#define AGG_TIMELINE_MAX 120    /* non-empty timeline buckets kept per group */

/* Where a call was seen (a group may have several). */
#define SOURCE_LIST(X) \
	X(SRC_LOG, "log") X(SRC_PLAN, "plan") X(SRC_SPAN, "span") X(SRC_PGSS, "pgss")

enum source_bit {
#define X(id, name) id##_SHIFT,
	SOURCE_LIST(X)
#undef X
};
#define SRC_BIT(id) (1u << id##_SHIFT)

/* Name of source bit number i ("log", "plan", ...), NULL past the last. */
const char *source_name(unsigned i);

/* One statement execution as established by the core; borrowed. */
struct call {
	uint64_t fingerprint;   /* unused when entry is set */
	struct fp_entry *entry; /* its normalized text */
	int64_t ts_ms;          /* TS_NONE when unknown */
	bool timed;             /* false: logged without a duration */
	double duration_ms;
	unsigned source;        /* SRC_BIT(...) */
	struct slice query;     /* text as logged, literals included */
	struct slice params;    /* "$1 = '...'" from DETAIL, may be empty */
	struct slice db, user, app;
	int64_t pid;            /* backend, -1 when unknown */
	struct slice session;   /* %c session id, when logged */
};

struct name_count {
	const char *name;       /* interned in the agg */
	uint64_t count;
};

struct name_counts {
	struct name_count *v;
	uint32_t n, cap;
	uint64_t other;         /* calls under names past AGG_MAX_NAMES */
};

struct example {
	int64_t ts_ms;
	double duration_ms;
	char *query;            /* as logged; owned by the group */
	char *params;           /* may be NULL; owned by the group */
	const char *db, *user, *app;    /* interned */
};

/* One non-empty bucket of a group's timeline: calls with a time stamp
 * in [start_ms, start_ms + width), and the durations of the timed ones. */
struct agg_bucket {
	int64_t start_ms;
	uint64_t calls;
	double total_ms;
};

/* A group's calls over time: sparse, sorted by start, at most
 * AGG_TIMELINE_MAX buckets. Buckets start 60 s wide, aligned on multiples
 * of their width since the epoch (UTC), and widen along the same ladder as
 * the run-wide timeline (events_timeline.c), so that a group's buckets and
 * the run's always nest one in the other. */
struct agg_timeline {
	struct agg_bucket *b;   /* owned by the group */
	uint32_t n, cap;
	int64_t width_ms;       /* 0 until the first time-stamped call */
};

/* What the writers read of a group's latencies. A finished analysis
 * fills it from the sketch once every pass has run (report_finish()); a
 * saved report is loaded into it (report_load(), without a sketch). Until
 * ready, report.c reads the sketch itself: passes see live figures. */
struct group_stats {
	bool ready;
	double mean_ms, p50_ms, p95_ms, p99_ms;
	uint64_t hist[SKETCH_HIST_BINS];        /* sketch_hist_counts() */
};

struct group {
	uint64_t fingerprint;
	bool lexical;           /* fingerprint from the lexical fallback */
	const char *query;      /* normalized text first seen; interned */
	uint64_t calls;         /* every execution */
	uint64_t timed_calls;   /* executions with a duration */
	double total_ms, min_ms, max_ms;
	uint64_t prep_count;    /* parse/bind steps, not calls */
	double prep_ms;
	struct sketch sketch;
	int64_t first_ts, last_ts;
	unsigned sources;
	struct name_counts dbs, users, apps;
	struct example examples[AGG_EXAMPLES];  /* slowest first */
	unsigned nexamples;
	char *plan_json;        /* worst plan as EXPLAIN JSON text, or NULL */
	double plan_ms;
	struct agg_timeline timeline;   /* calls with a time stamp only */
	struct group_stats stats;
};

struct agg;

struct agg *agg_new(void);
/* NULL is a no-op. */
void agg_free(struct agg *a);

/* Counts one call. Returns its group (owned by the agg), so that the
 * caller can attach DETAIL parameters to an example later. */
struct group *agg_add_call(struct agg *a, const struct call *c);
/* The group of fingerprint, created (with query as its text) when new;
 * owned by the agg. For passes that bring calls from other sources. */
struct group *agg_group_get(struct agg *a, uint64_t fingerprint,
		const char *query, bool lexical);
/* Counts c in g (c->entry and c->fingerprint are not looked at). */
struct group *agg_add_call_to(struct agg *a, struct group *g, const struct call *c);
/* Counts parse/bind time for the statement of entry. */
void agg_add_prep(struct agg *a, struct fp_entry *entry, double ms);
/* Attaches parameters to the example of g taken at ts with that duration,
 * when it is still one of the kept examples. */
void agg_attach_params(struct agg *a, struct group *g, int64_t ts_ms,
		double duration_ms, struct slice params);
/* Interns a string (db, user, app names) for the agg's lifetime. */
const char *agg_intern(struct agg *a, const char *s, size_t len);

/* Adds everything in src to dst; src is left empty but valid. */
void agg_merge(struct agg *dst, struct agg *src);

/* Groups sorted by total_ms descending (then calls, then fingerprint), as
 * an array owned by the agg, valid until the next agg_sorted() call (which
 * rebuilds it when groups or calls were added since). */
struct group **agg_sorted(struct agg *a, size_t *n);

/* Adds calls (total_ms of them timed) at ts_ms to tl, widening its
 * buckets when a new one would pass AGG_TIMELINE_MAX. TS_NONE is ignored.
 * agg_add_call_to() does this; exposed for tests and other passes. */
void agg_timeline_add(struct agg_timeline *tl, int64_t ts_ms, uint64_t calls,
		double total_ms);
/* Adds src to dst at the wider of the two widths (then wider still while
 * over the limit); src is left empty but valid. The result is the same
 * whatever order the calls were added and merged in (total_ms up to
 * floating-point rounding). */
void agg_timeline_merge(struct agg_timeline *dst, struct agg_timeline *src);
/* Frees the buckets; tl is left empty but valid. */
void agg_timeline_release(struct agg_timeline *tl);

/* Calls and total time over all groups. */
void agg_totals(const struct agg *a, uint64_t *calls, double *total_ms);

#endif
