/* advice.h: index, pagination and plan advice from statements and plans.
 *
 * advice_pass() (an analysis pass, after snapshots) parses each group's
 * normalized statement with libpg_query (advice_sql.c: tables, aliases,
 * equality, range and join columns, ORDER BY, LIMIT/OFFSET) and its worst
 * plan (plan.h), then each module adds findings from that evidence:
 * advice_page.c (offset_pagination, unbounded_result, run first so that
 * its keyset indexes are known), advice_index.c (missing_index),
 * advice_plan.c (sort_spill, row_misestimate, heap fetches, parallel
 * workers, JIT's share of a plan) and advice.c itself (slow_query). No finding is made without
 * the numbers that justify it in its evidence, and no index is proposed
 * twice. */
#ifndef PGSIFT_ADVICE_H
#define PGSIFT_ADVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "analysis.h"
#include "findings.h"
#include "plan.h"
#include "report.h"

/* Thresholds; advice_limits_init() sets the documented defaults. */
struct advice_limits {
	double min_table_rows;  /* no index for smaller tables (10,000) */
	double removed_share;   /* a scan must discard this share of what it reads (0.5) */
	double min_removed;     /* ... and this many rows per loop when an index was used (1,000) */
	int64_t min_offset;     /* OFFSET worth flagging (1,000) */
	double unbounded_rows;  /* rows per call of a SELECT without LIMIT (1,000) */
	double misestimate;     /* actual/planned rows ratio (10) */
	double min_misestimate_rows; /* ... at nodes of at least this many rows (100) */
	double min_heap_fetches;/* heap fetches per call in index-only scans (1,000) */
};

void advice_limits_init(struct advice_limits *l);

/* The pass with the default limits. */
analysis_pass_fn advice_pass;
/* The pass with the limits given (tests). */
void advice_run(struct analysis *a, const struct pgsift_options *o,
		const struct advice_limits *l);

/* ---- advice_sql.c: what a statement's parse tree says ---- */

enum adv_use { ADV_EQ, ADV_RANGE, ADV_JOIN };

/* A column compared in WHERE / JOIN ... ON. table is the relation as
 * written ("orders", "public.orders"), resolved through aliases; NULL when
 * it cannot be told (an unqualified column with several relations). */
struct adv_pred {
	const char *table, *column;
	enum adv_use use;
};

struct adv_sortkey {
	const char *table, *column;
	const char *qual;       /* the qualifier written ("o" in o.created_at), or NULL */
	bool desc;
};

enum adv_stmt { ADV_STMT_OTHER, ADV_STMT_SELECT, ADV_STMT_UPDATE, ADV_STMT_DELETE };

struct adv_query {
	enum adv_stmt kind;
	struct adv_pred *preds;
	size_t npreds;
	struct adv_pred *refs;  /* every column referenced (use unset) */
	size_t nrefs;
	const char **tables;    /* relations referenced, once each */
	size_t ntables;
	/* The top-level SELECT: */
	struct adv_sortkey *sort;
	size_t nsort;
	bool sort_exprs;        /* an ORDER BY item is not a plain column */
	bool has_limit, has_offset;
	int64_t limit, offset;  /* literal values, -1 when not literal */
	int limit_param, offset_param;  /* $n, 0 when not a parameter */
	bool simple_tail;       /* no GROUP BY, HAVING, DISTINCT, window, set operation */
	bool has_where, where_or;       /* WHERE present; its top is an OR */
	long order_pos;         /* byte offset of ORDER BY in the text, -1 */
	json_t *root;           /* the parse tree; the strings above live in it */
};

/* Parses sql (one statement; normalized or as logged). Returns the query,
 * which belongs to the caller (adv_query_free()), or NULL when it does not
 * parse or holds several statements. */
struct adv_query *adv_query_parse(const char *sql);
void adv_query_free(struct adv_query *q);
/* The value of parameter $n in a DETAIL "parameters: $1 = '...', ..."
 * string, as a number; -1 when absent or not a number. */
int64_t adv_param_value(const char *params, int n);
/* True when name (relation as written, maybe schema-qualified) and rel
 * (a plan's or snapshot's relation, maybe with schema) are the same table. */
bool adv_same_table(const char *name, const char *schema, const char *rel);
/* True when text (a plan condition) mentions column as a whole word. */
bool adv_mentions(const char *text, const char *column);

/* ---- advice.c: what the modules share ---- */

struct adv_item {
	struct group *g;
	struct adv_query *q;    /* NULL when the text does not parse */
	struct plan *plan;      /* the worst plan, NULL when none */
	struct finding **helped_by;     /* findings that name this group */
	size_t nhelped;
};

struct adv_ctx {
	struct analysis *a;
	const struct pgsift_options *o;
	const struct advice_limits *l;
	struct adv_item *items;
	size_t n;
	char **proposed;        /* "table (cols)" of every index suggested */
	size_t nproposed;
};

/* Severity from the worst P95 band of the groups concerned, their share
 * of the run's total time and how often they ran. */
enum finding_severity adv_severity(const struct adv_ctx *c, double impact_ms,
		enum band worst, uint64_t calls);
enum band adv_band(const struct adv_ctx *c, const struct group *g);
/* {"fingerprint", "query", "calls", "total_ms", "p95_ms", "band"}; new reference. */
json_t *adv_group_json(const struct adv_ctx *c, const struct group *g);
/* Notes that f names the group of it (for slow_query's cross-references). */
void adv_item_helped(struct adv_item *it, struct finding *f);
/* A finding about one group: kind, severity from the group, fingerprint set. */
struct finding *adv_add(struct adv_ctx *c, enum finding_kind kind, double impact_ms,
		enum band worst, uint64_t calls, const char *title_fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Index helpers (advice_index.c). cols is "a, b DESC"-style text. */
/* The name of an existing index on table leading with cols[0..n), from
 * the snapshots' definitions or the index conditions of plans; NULL. */
const char *adv_index_existing(const struct adv_ctx *c, const char *table,
		const char *const *cols, size_t n);
/* Whether an index on table starting with cols was proposed already;
 * records it when record is set and it was not. */
bool adv_index_proposed(struct adv_ctx *c, const char *table,
		const char *const *cols, size_t n, bool record);
/* "CREATE INDEX CONCURRENTLY name ON table (cols);" into sb (appended). */
void adv_index_sql(struct strbuf *sb, const char *table,
		const char *const *cols, size_t n);
/* A SQL identifier, quoted when it needs to be, appended to sb. */
void adv_ident(struct strbuf *sb, const char *name);

/* The single column of a primary key or unique index on table (snapshot
 * definitions) into out; false when none is known. */
bool adv_unique_column(const struct adv_ctx *c, const char *table, char *out, size_t outlen);
/* Rows of table, from the snapshots or a full sequential scan in any plan;
 * -1 when unknown. *source says which ("snapshot", "plan"). */
double adv_table_rows(const struct adv_ctx *c, const char *table, const char **source);

void adv_index_run(struct adv_ctx *c);
void adv_page_run(struct adv_ctx *c);
void adv_plan_run(struct adv_ctx *c);

#endif
