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
#include "strbuf.h"
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
	bool query_made_entry;  /* entry is fp_cache_get(query)'s: its text is
				 * fp_normalize(query) */
	struct slice params;    /* "$1 = '...'" from DETAIL, may be empty */
	struct slice db, user, app;
	int64_t pid;            /* backend, -1 when unknown */
	struct slice session;   /* %c session id, when logged */
	uint64_t pos;           /* where it was logged (CALL_POS), 0: unknown */
};

/* A place in the inputs, in their order: input number and line. Ties
 * between equal examples go to the earliest place, so that any split of
 * the inputs across workers keeps the ones a single reader keeps. */
#define CALL_POS(input, line) (((uint64_t)(input) << 40) | ((line) & ((1ull << 40) - 1)))

struct name_count {
	const char *name;       /* interned in the agg */
	uint64_t count;
};

struct name_counts {
	struct name_count *v;
	uint32_t n, cap;
	uint64_t other;         /* calls under names past AGG_MAX_NAMES */
};

/* A kept call. Its statement as logged is stored as what it does not share
 * with its group's query text (read it with agg_example_query()): an
 * ORM's statement and its normalized text share all but the literals, and
 * with hundreds of thousands of groups a copy of every example was a third
 * of the memory (measured: 1,180 bytes of text, 290 stored). */
struct example {
	int64_t ts_ms;
	double duration_ms;
	uint64_t pos;           /* CALL_POS of its call, 0: unknown */
	int64_t pid;            /* its backend, -1 when unknown */
	uint32_t head, tail;    /* bytes shared with the query's start and end */
	char *rest;             /* the bytes between; NULL when none; owned */
	bool norm_is_query;     /* fp_normalize() of it is the group's query */
	bool masked;            /* literals not kept: the text stored is the
				 * masked one (agg_mask_examples()) */
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
 * AGG_TIMELINE_MAX buckets. Buckets start 1 s wide, aligned on multiples
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
	/* stmt_kind.h's kind of the query and whether it loads in bulk, set
	 * with ready by report_group_finish(); group_kind() reads them. */
	bool kind_set, bulk;
	unsigned char kind;
	/* Counts per histogram bin of a loaded group, which has no sketch;
	 * NULL for an analysed one, whose histogram its sketch gives (a
	 * copy cost every group 216 bytes). */
	uint64_t *hist;
};

struct group {
	uint64_t fingerprint;
	bool lexical;           /* fingerprint from the lexical fallback */
	const char *query;      /* normalized text first seen; fixed once the
				 * group has examples (they are stored against it) */
	uint64_t calls;         /* every execution */
	uint64_t timed_calls;   /* executions with a duration */
	double total_ms, min_ms, max_ms;
	uint64_t prep_count;    /* parse/bind steps, not calls */
	double prep_ms;
	struct sketch sketch;
	int64_t first_ts, last_ts;
	unsigned sources;
	struct name_counts dbs, users, apps;
	/* Slowest first, at most AGG_EXAMPLES, allocated as they come: most
	 * groups of a log with many distinct statements have one. */
	struct example *examples;
	unsigned nexamples;
	char *plan_json;        /* worst plan as EXPLAIN JSON text, or NULL */
	double plan_ms;
	uint64_t plan_pos;      /* CALL_POS of the worst plan's call: of equal
				 * plans the earliest is kept */
	uint64_t first_pos;     /* CALL_POS of its first call, whose text
				 * the group's is; 0: unknown */
	struct agg_timeline timeline;   /* calls with a time stamp only */
	struct group_stats stats;
};

struct agg;

struct agg *agg_new(void);
/* NULL is a no-op. */
void agg_free(struct agg *a);

/* Group texts. A group made from a call's fp_entry copies the entry's text
 * by default. After agg_share_entry_texts(a), it points at the entry's text
 * instead: every entry given to a must then come from caches whose entries
 * outlive a's groups, wherever agg_merge() moves them (a worker hands its
 * cache's arena to the agg it merged into with agg_keep_arena()). With
 * hundreds of thousands of distinct statements the texts are most of the
 * memory, and this holds each once. */
void agg_share_entry_texts(struct agg *a);
/* a takes ar over: what was allocated in it lives, and is freed, with a.
 * NULL is a no-op. */
void agg_keep_arena(struct agg *a, struct arena *ar);
/* Examples keep no literals (statement text as logged, parameters) where
 * nothing will read them: for a run whose reports mask literals (no
 * --show-literals), an example that masks to its group's text is kept as
 * that text, unless the text names OFFSET (advice reads how deep those
 * went). On logs of many distinct statements the literals were a quarter
 * of the memory. */
void agg_mask_examples(struct agg *a);

/* Counts one call. Returns its group (owned by the agg), so that the
 * caller can attach DETAIL parameters to an example later. */
struct group *agg_add_call(struct agg *a, const struct call *c);
/* The group of fingerprint, created (with query as its text) when new;
 * owned by the agg. For passes that bring calls from other sources. */
struct group *agg_group_get(struct agg *a, uint64_t fingerprint,
		const char *query, bool lexical);
/* Counts c in g (c->entry and c->fingerprint are not looked at). */
struct group *agg_add_call_to(struct agg *a, struct group *g, const struct call *c);
/* Keeps plan (EXPLAIN JSON text, owned by the caller: copied) as g's
 * worst when it took longer than the one kept, or as long but was logged
 * earlier (pos: CALL_POS), so that any split of the inputs keeps the plan
 * one reader keeps. Returns whether it was kept. */
bool agg_plan_better(const struct group *g, double plan_ms, uint64_t pos);

/* Counts parse/bind time for the statement of entry. */
void agg_add_prep(struct agg *a, struct fp_entry *entry, double ms);
/* Attaches parameters to the example of g taken at ts with that duration,
 * when it is still one of the kept examples. */
void agg_attach_params(struct agg *a, struct group *g, int64_t ts_ms,
		double duration_ms, struct slice params);
/* The statement of e (one of g's examples) as logged, into sb (reset
 * first; sb.buf is never NULL after). */
void agg_example_query(const struct group *g, const struct example *e,
		struct strbuf *sb);
/* A new example at the end of g's (zeroed, pid -1), for loaders: g must have
 * fewer than AGG_EXAMPLES. */
struct example *agg_example_add(struct group *g);
/* Sets e's statement (e one of g's examples, g->query set): for loaders. */
void agg_example_set_query(const struct group *g, struct example *e,
		const char *q, size_t len);
/* Interns a string (db, user, app names) for the agg's lifetime. */
const char *agg_intern(struct agg *a, const char *s, size_t len);

/* Adds everything in src to dst; src is left empty but valid. src's
 * groups, texts and examples move to dst rather than being copied. */
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
/* Widens tl's buckets (along the ladder) to w wide at least. */
void agg_timeline_floor(struct agg_timeline *tl, int64_t w);

/* Calls and total time over all groups. */
void agg_totals(const struct agg *a, uint64_t *calls, double *total_ms);

#endif
