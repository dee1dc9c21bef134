/* plan.h: execution plans logged by auto_explain, as a tree advice can walk.
 *
 * plan_parse() takes a plan body in either form auto_explain writes
 * (auto_explain.log_format text or json) and sends it to the text reader
 * (plan_text.c) or the JSON reader (plan_json.c). Both fill the same
 * struct plan_node, whose fields are named after the keys of EXPLAIN (FORMAT
 * JSON), so that code looking for a sort spilling to disk or a row
 * misestimate reads one model whichever form the server wrote, and
 * plan_to_json() (plan.c) writes it out as EXPLAIN JSON text. What text omits
 * (zero counters, "Rows Removed by Filter: 0") the model holds as zero;
 * properties it has no field for are kept as JSON text in the node's
 * extras and written back. Everything a plan holds lives in its arena and
 * goes with plan_free(). */
#ifndef PGSIFT_PLAN_H
#define PGSIFT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

struct plan_buffers {
	int64_t shared_hit, shared_read, shared_dirtied, shared_written;
	int64_t local_hit, local_read, local_dirtied, local_written;
	int64_t temp_read, temp_written;
};

/* track_io_timing figures, in ms. Before PostgreSQL 17 shared and local
 * reads were timed together: they are in shared_* and io_lumped is set. */
struct plan_io {
	double shared_read_ms, shared_write_ms;
	double local_read_ms, local_write_ms;
	double temp_read_ms, temp_write_ms;
};

/* A property the model has no field for ("Output", "Cache Key",
 * "Conflict Resolution", ...), under its EXPLAIN JSON name. */
struct plan_extra {
	const char *key;
	const char *json;               /* the value as compact JSON text */
	struct plan_extra *next;
};

/* One plan node; also used for a parallel worker's share of a node (then
 * worker_number >= 0, no node type, and only the execution figures set).
 * Strings are NULL when absent; counters absent from the plan are 0. */
struct plan_node {
	const char *node_type;          /* "Seq Scan", "Hash Join", "Aggregate",
	                                   "ModifyTable", ... (never "Hash Left Join") */
	const char *strategy;           /* Aggregate, SetOp: "Plain", "Sorted", "Hashed", "Mixed" */
	const char *partial_mode;       /* Aggregate: "Simple", "Partial", "Finalize" */
	const char *operation;          /* ModifyTable, Foreign Scan: "Insert", ... */
	const char *join_type;          /* joins: "Inner", "Left", "Full", "Right", "Semi", "Anti", ... */
	const char *command;            /* SetOp: "Except", "Intersect All", ... */
	const char *custom_provider;    /* Custom Scan */
	const char *parent_relationship;/* "Outer", "Inner", "InitPlan", "SubPlan",
	                                   "Member", "Subquery"; NULL at the root */
	const char *subplan_name;       /* "SubPlan 1", "InitPlan 1 (returns $0)", "CTE x" */
	const char *relation_name;      /* scans, ModifyTable */
	const char *schema;             /* only with auto_explain.log_verbose */
	const char *alias;              /* the relation's name in the query, always set for scans */
	const char *index_name;
	const char *scan_direction;     /* index scans: "Forward", "Backward" */
	const char *function_name;      /* Function Scan */
	const char *cte_name;           /* CTE Scan, WorkTable Scan */
	bool parallel_aware, async_capable;

	bool has_costs;
	double startup_cost, total_cost, plan_rows;
	int plan_width;

	bool has_actual;                /* executed, with ANALYZE figures */
	bool has_timing;                /* actual times present (auto_explain.log_timing) */
	bool never_executed;            /* ANALYZE, but the node never ran */
	double actual_startup_ms, actual_total_ms; /* per loop, as EXPLAIN shows them */
	double actual_rows;             /* per loop */
	double actual_loops;

	const char *filter, *index_cond, *recheck_cond, *hash_cond, *merge_cond,
		*join_filter;
	double rows_removed_by_filter, rows_removed_by_join_filter,
		rows_removed_by_index_recheck;  /* per loop */

	const char **sort_key;          /* "price DESC", "name" */
	size_t nsort_key;
	const char **group_key;
	size_t ngroup_key;
	const char *sort_method;        /* "quicksort", "top-N heapsort", "external merge", ... */
	const char *sort_space_type;    /* "Memory" or "Disk" */
	int64_t sort_space_kb;

	bool has_hash;                  /* Hash: buckets and batches */
	int64_t hash_buckets, orig_hash_buckets, hash_batches, orig_hash_batches;
	bool has_hashagg;               /* HashAggregate with ANALYZE figures */
	int64_t hashagg_batches, disk_usage_kb, planned_partitions;
	bool has_peak_memory;           /* Hash, HashAggregate, Memoize */
	int64_t peak_memory_kb;

	double heap_fetches;            /* Index Only Scan */
	int64_t exact_heap_blocks, lossy_heap_blocks; /* Bitmap Heap Scan */

	int workers_planned, workers_launched; /* Gather, Gather Merge; -1 when absent */
	bool single_copy;
	int inner_unique;               /* joins: 1, 0, or -1 unknown (text without VERBOSE) */

	bool has_buffers;
	struct plan_buffers buffers;
	bool has_io_timing, io_lumped;
	struct plan_io io;

	struct plan_node *parent;
	struct plan_node **children;    /* InitPlans, outer, inner, members, SubPlans */
	size_t nchildren;
	struct plan_node **workers;     /* per-worker figures, when logged */
	size_t nworkers;
	int worker_number;              /* -1 for a plan node */
	unsigned depth;                 /* 0 at the root */
	struct plan_extra *extras;
};

struct plan_trigger {
	const char *name;               /* NULL when the text form hides it (constraints) */
	const char *constraint_name;
	const char *relation;           /* NULL when the text form does not say */
	bool has_time;
	double time_ms, calls;
};

/* The "JIT" summary of a plan: the code compiled for the whole query,
 * parallel workers' included. Timings in ms, only with ANALYZE and timing. */
struct plan_jit {
	int64_t functions;
	bool inlining, optimization, expressions, deforming;  /* "Options" */
	bool has_timing;
	bool has_deform;        /* PostgreSQL 17 on: deforming's share of generation */
	double generation_ms, deform_ms, inlining_ms, optimization_ms, emission_ms, total_ms;
};

struct plan {
	const char *query_text;         /* "" when the body had none */
	struct plan_node *root;
	size_t nnodes;                  /* plan nodes, workers not counted */
	bool from_json;                 /* read from the JSON form */
	bool has_buffers;               /* BUFFERS figures were logged */
	bool has_planning_time, has_execution_time;
	double planning_ms, execution_ms;
	struct plan_trigger *triggers;
	size_t ntriggers;
	struct plan_extra *extras;      /* "Settings", "Query Parameters", ... */
	bool has_jit;                   /* the plan was compiled (jit_above_cost reached) */
	struct plan_jit jit;
	struct arena *arena;
};

/* Parses an auto_explain body: the text after "plan:", continuation tabs
 * already removed, starting with "Query Text: " (text form; plain EXPLAIN
 * text is taken too) or "{" (JSON form; an EXPLAIN JSON array too). Returns
 * the plan, which belongs to the caller (plan_free()), or NULL with a
 * message in err when body is not a whole plan. */
struct plan *plan_parse(const char *body, size_t len, char *err, size_t errlen);
/* Plans nested this deep or deeper are refused: their JSON form would nest
 * past what JSON readers take (jansson stops at 2,048 levels, Python's
 * json module near 1,000; a node is two levels). Real plans stay far
 * below: a join of N tables nests about N deep. */
#define PLAN_MAX_DEPTH 400
void plan_free(struct plan *p);

/* The plan as EXPLAIN (FORMAT JSON) writes it, in the object auto_explain
 * logs ({"Query Text": ..., "Plan": {...}}), keys named as PostgreSQL names
 * them. Zero counters the text form leaves out are written where EXPLAIN
 * JSON would write them, so both forms of one plan give the same text;
 * "Inner Unique" only when known. The string belongs to the caller (free()). */
char *plan_to_json(const struct plan *p);

/* Calls fn on every node, depth first, parents before children, in EXPLAIN
 * order (InitPlans and SubPlans included, workers not). Stops at the first
 * nonzero return of fn and returns it; 0 when all were visited. */
typedef int (*plan_visit_fn)(const struct plan_node *n, void *arg);
int plan_walk(const struct plan *p, plan_visit_fn fn, void *arg);
/* The node after n in plan_walk() order, or NULL after the last. */
const struct plan_node *plan_node_next(const struct plan_node *n);
/* The first node of that type in plan_walk() order, or NULL. */
const struct plan_node *plan_find(const struct plan *p, const char *node_type);

/* Wall time spent in n and below over all its loops, in ms (0 without
 * timing): the time per loop times the loops, divided under a Gather by
 * the processes that ran them at once (plan_node_processes()). */
double plan_node_total_ms(const struct plan_node *n);
/* The same less its children's: the node's own share. */
double plan_node_self_ms(const struct plan_node *n);
/* How many processes ran n side by side: under a Gather or Gather Merge
 * its workers launched, plus the leader unless the workers' own figures
 * show it ran none of the loops; 1 elsewhere, for a Single Copy Gather,
 * and for a worker's figures. */
double plan_node_processes(const struct plan_node *n);
/* Rows produced over all loops. */
double plan_node_rows(const struct plan_node *n);
/* How far the row estimate was off: max(actual, planned) / min(...), both
 * per loop and at least 1; 1 when not executed. */
double plan_node_misestimate(const struct plan_node *n);
/* True when the node or one of its workers sorted on disk. */
bool plan_node_sort_spilled(const struct plan_node *n);
/* The JSON text of the extra property key, or NULL. */
const char *plan_node_extra(const struct plan_node *n, const char *key);

#endif
