/* traces_int.h: what the traces_*.c files share (see traces.h); nothing
 * else includes it.
 *
 * traces.c keeps the span store (every span, its strings in the traces'
 * arenas; database query spans with their fingerprint), the backends'
 * statement runs of log N+1 detection (traces_logloop.c) and the loop
 * occurrences; traces_pass.c turns them into groups, findings and
 * per-transaction figures, with traces_nplus1.c finding loops among
 * sibling spans. */
#ifndef PGSIFT_TRACES_INT_H
#define PGSIFT_TRACES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis.h"
#include "arena.h"
#include "traces.h"

struct tspan {
	const char *trace_id, *span_id, *parent_id; /* "" when absent */
	const char *transaction;        /* resolved at the end of its input */
	const char *op, *desc;          /* desc: the SQL of query spans */
	const char *db, *user, *app;
	double start_ms, dur_ms;
	uint64_t fp;                    /* query spans only */
	const char *norm;
	bool lexical;
	bool is_query, is_segment;
	bool passes;                    /* kept by the filters (traces_pass) */
	uint64_t seq;                   /* order read, for stable sorts */
};

/* One N+1 loop seen once: a source statement, then repeats of another. */
struct loop_occ {
	bool from_log;
	uint64_t src_fp, rep_fp;
	const char *src_norm, *rep_norm;
	bool src_lexical, rep_lexical;
	const char *where;              /* parent span (op: description) or application */
	const char *txn;                /* transaction name, or application */
	const char *example;            /* a trace id, or "pid 1234" */
	const char *rep_query;          /* one repeated statement as written */
	unsigned repeats;
	double total_ms;                /* sum of the repeats' durations */
	double union_ms;                /* their union in time */
	int64_t ts;                     /* start of the loop, epoch ms */
};

struct lrun;

struct traces {
	struct fp_cache *fp;            /* the worker's; NULL when merged */
	struct traces_limits limits;
	struct strbuf scratch, sql;
	struct arena **arenas;          /* [0] is the one allocated from */
	size_t narenas;
	struct tspan **spans;
	size_t nspans, cap, input_start;
	uint64_t nread, nqueries;
	struct loop_occ *occ;
	size_t nocc, occ_cap;
	struct lrun *runs;              /* log backends, open addressing */
	size_t nruns, runs_cap;
	int64_t runs_max_ts;            /* latest call time seen by the log loops */
	/* A later range of one input (sink.h's begin_range): each backend's
	 * first run here is a head, joined by hand_over with what the state
	 * of its earlier records holds; heads that ended wait here for it. */
	bool later_range;
	struct lrun *heads;
	size_t nheads, heads_cap, heads_sorted;
	struct traces_txn *txns;        /* after traces_pass */
	size_t ntxns;
	struct tr_repeats *repeats;     /* traces_repeats.c's, NULL until a read */
};

const char *tr_strdup(struct traces *tr, const char *s, size_t len);
struct loop_occ *tr_add_occ(struct traces *tr);

/* traces_pass.c: the traces sink's finish (sink.h): filters the query
 * spans and makes each that passes a call, through f's sinks. */
struct sink_finish;
void tr_finish(struct traces *tr, const struct sink_finish *f);

/* traces_logloop.c */
void tr_log_call(struct traces *tr, const struct call *c);
void tr_log_end_input(struct traces *tr);
void tr_log_free(struct traces *tr);
/* The sink's begin_range and hand_over (sink.h). */
void tr_log_begin_range(struct traces *tr);
void tr_log_hand_over(struct traces *to, struct traces *from, int64_t pid);

/* traces_nplus1.c: loops among sibling query spans (those with passes
 * set), added as occurrences. Sorts spans[0..n) in place. */
void tr_span_loops(struct traces *tr, struct tspan **spans, size_t n);
/* The union in time of intervals of spans[0..n), sorted by start. */
double tr_union_ms(struct tspan *const *spans, size_t n);
/* qsort/bsearch orders of struct tspan pointers (traces_nplus1.c): the
 * children of one parent together, by start; and by (trace, span) id. */
int tr_cmp_siblings(const void *pa, const void *pb);
int tr_cmp_ids(const void *pa, const void *pb);

/* traces_consecutive.c: consecutive_queries findings, from every span's
 * siblings (query spans with passes set). */
void tr_consecutive_findings(struct traces *tr, struct findings *fs);

/* traces_repeats.c: reads repeated with the same literals (every log
 * call is shown to it), merged with the workers', and their
 * cache_candidate findings (after the groups are final). */
void tr_repeat_call(struct traces *tr, const struct call *c);
void tr_repeats_merge(struct traces *dst, struct traces *src);
void tr_repeats_free(struct traces *tr);
/* Its part of the traces' saved state (state.h), after the rest. */
struct st_out;
struct st_in;
void tr_repeats_save(const struct traces *tr, struct st_out *o);
bool tr_repeats_load(struct traces *tr, struct st_in *in);
void tr_repeat_findings(struct traces *tr, struct analysis *a);

/* traces_findings.c */
void tr_loop_findings(struct traces *tr, struct findings *fs);
void tr_slow_findings(struct traces *tr, struct findings *fs,
		struct tspan **q, size_t n);

#endif
