/* findings.h: the problems pgsift found and what to change for each.
 *
 * Analysis passes (analysis.c's pass list: N+1 detection, snapshots,
 * advice, baselines...) add findings to the run's list; the writers show
 * them sorted by severity, then impact. A finding owns its strings and its
 * evidence, a JSON object (jansson) of what was seen, with numbers, so
 * that every number a report shows can be traced to the log. */
#ifndef PGSIFT_FINDINGS_H
#define PGSIFT_FINDINGS_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The contract's finding kinds, in its order, then those added since. */
#define FINDING_KIND_LIST(X) \
	X(slow_query) X(missing_index) X(n_plus_one) X(offset_pagination) \
	X(unbounded_result) X(sort_spill) X(row_misestimate) X(unused_index) \
	X(duplicate_index) X(table_bloat) X(seq_scan_heavy) X(low_cache_hit) \
	X(lock_contention) X(deadlock) X(regression) \
	X(idle_in_transaction) X(checkpoints_too_frequent) X(wraparound_risk) \
	X(index_write_cost) X(stale_statistics) X(cache_candidate) \
	X(consecutive_queries)

enum finding_kind {
#define X(name) FK_##name,
	FINDING_KIND_LIST(X)
#undef X
	FK_COUNT
};

#define FINDING_SEVERITY_LIST(X) X(FS_INFO, "info") X(FS_WARNING, "warning") \
	X(FS_CRITICAL, "critical")

enum finding_severity {
#define X(id, name) id,
	FINDING_SEVERITY_LIST(X)
#undef X
};

/* What the writers show of an n_plus_one finding, typed: set from the
 * evidence by findings_finish(), so that no writer reads JSON. */
struct finding_loop {
	bool set;               /* the finding is a loop with its evidence */
	bool from_log;          /* seen in a log backend, else in traces */
	uint64_t occurrences;   /* loops seen */
	uint64_t repeats_min, repeats_median, repeats_max;
	char *repeated_query, *source_query;    /* normalized; "" unknown */
	char *where;            /* log: the application; traces: the parent span */
	char *names;            /* applications or transactions, ", "-joined */
	char *example;          /* a trace id, or "pid 1234" */
	bool from_trace_example;        /* example is a trace id */
};

struct finding {
	enum finding_kind kind;
	enum finding_severity severity;
	char *title;            /* one line a person reads */
	bool has_fingerprint;
	uint64_t fingerprint;
	char *table, *index;    /* NULL when not about one */
	char **columns;         /* NULL-terminated, or NULL */
	double impact_ms;       /* total time attributable */
	/* What the change saves after the findings ranked above it (their
	 * statements' time is not counted again): findings_rank(); impact_ms
	 * until then. */
	double saves_ms;
	char *suggestion;       /* the SQL or change to make */
	json_t *evidence;       /* object, owned; never NULL */
	struct finding_loop loop;       /* n_plus_one, after findings_finish() */
};

struct findings;

struct findings *findings_new(void);
/* NULL is a no-op. */
void findings_free(struct findings *fs);

/* Adds a finding and returns it (owned by the list) for the caller to
 * fill with the setters below. The title is printf-formatted. */
struct finding *findings_add(struct findings *fs, enum finding_kind kind,
		enum finding_severity severity, double impact_ms,
		const char *title_fmt, ...) __attribute__((format(printf, 5, 6)));

void finding_set_fingerprint(struct finding *f, uint64_t fp);
void finding_set_table(struct finding *f, const char *table);
void finding_set_index(struct finding *f, const char *index);
void finding_add_column(struct finding *f, const char *column);
void finding_set_suggestion(struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sorts by severity (critical first), then saves_ms, impact_ms, title. */
void findings_sort(struct findings *fs);

/* A statement a finding's change would help, and the time it claims of
 * it (at most the statement's total). */
struct finding_claim {
	uint64_t fp;
	double ms;
};
/* f's statements, from its fingerprint or its evidence (a missing index's
 * "groups", a table's "statements"), into *out (the caller frees it; NULL
 * when none). Returns how many. */
size_t finding_claims(const struct finding *f, struct finding_claim **out);

/* findings_rank.c: sets each finding's saves_ms to what its change saves
 * after the ones ranked above it, most severe first, then most saved
 * (each statement's time claimed once, up to its group's total), and
 * sorts the list so. Findings whose statements are all one-off
 * (stmt_kind_one_off(): maintenance, DDL, a bulk load run once) become
 * info, their evidence saying "one_off_statement": KIND, unless
 * o->all_kinds. a's groups must be sorted (a->groups). */
struct analysis;
struct pgsift_options;
void findings_rank(struct findings *fs, const struct analysis *a,
		const struct pgsift_options *o);
/* The 1-based places (at most max, into ranks) of the findings before
 * the one at index at that share a statement with it. Returns how many. */
size_t finding_shares(const struct findings *fs, size_t at, size_t *ranks,
		size_t max);
size_t findings_count(const struct findings *fs);
struct finding *findings_at(const struct findings *fs, size_t i);
/* Sets the typed fields the writers read (struct finding_loop) from
 * each finding's evidence; run once the findings are complete (the
 * model's finish step, and after loading a saved report). */
void findings_finish(struct findings *fs);
/* Moves every finding of src into dst. */
void findings_merge(struct findings *dst, struct findings *src);

const char *finding_kind_name(enum finding_kind k);
const char *finding_severity_name(enum finding_severity s);
/* The kind named name ("n_plus_one"), or FK_COUNT when none is. */
enum finding_kind finding_kind_from_name(const char *name);

#endif
