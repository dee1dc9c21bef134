/* advice_int.h: what the advice*.c files share; nothing else includes it
 * (but tests/check_advice.c and tests/check_index_advice.c, which test the
 * statement reading and the index SQL).
 *
 * advice.c (the hub) builds one adv_item per group and runs the modules
 * advice_page.c, advice_index.c (which asks advice_writes.c what an index
 * would cost the UPDATEs), advice_writes.c's index_write_cost,
 * advice_plan.c and advice_stats.c (stale statistics behind plan's
 * misestimates), then slow_query itself. Below them all: advice_common.c
 * (bands, evidence, findings of a group), advice_schema.c (identifiers,
 * index SQL, existing and proposed indexes, table sizes) and advice_sql.c
 * (the parse tree of a statement). */
#ifndef PGSIFT_ADVICE_INT_H
#define PGSIFT_ADVICE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advice.h"
#include "strbuf.h"

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
	/* The columns named "id" referenced anywhere (use unset): the keyset
	 * tie-breaker assumed when no unique column is known. Only those are
	 * kept: an ORM select list names hundreds of columns, and checking
	 * each against all the others made the walk quadratic. */
	struct adv_pred *id_refs;
	size_t nid_refs;
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
	/* UPDATE: the relation updated (as written) and the columns it sets. */
	const char *target;
	const char **set_cols;
	size_t nset_cols;
	struct adv_strings *strings;    /* the strings above live here */
	/* Why the statement was not read (kind ADV_STMT_OTHER, nothing
	 * else set): too long or nested too deep for the advice (README,
	 * "Limits"); NULL when it was read. A static string. */
	const char *skipped;
};

/* Parses sql (one statement; normalized or as logged). Returns the query,
 * which belongs to the caller (adv_query_free()), or NULL when it does not
 * parse or holds several statements; a query with skipped set when it is
 * too long or too deep to read. The parse tree is freed before it
 * returns: the query holds copies of what it names. */
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

/* ---- advice_common.c: what the modules share ---- */

struct adv_item {
	struct group *g;
	/* Parsed for the groups with a plan only (every module reads those);
	 * NULL when the text does not parse. A module that needs a planless
	 * group's statement parses it itself, when the text shows it can
	 * matter (adv_text_may_name), and frees it before the next. */
	struct adv_query *q;
	struct plan *plan;      /* the worst plan, NULL when none */
	struct finding **helped_by;     /* findings that name this group */
	size_t nhelped;
	const char *skipped;    /* a parse of its statement was skipped: why */
};

struct adv_ctx {
	struct analysis *a;
	const struct pgsift_options *o;
	const struct advice_limits *l;
	struct adv_item *items;
	size_t n;
	char **proposed;        /* "table (cols)" of every index suggested */
	size_t nproposed;
	struct adv_update *updates;     /* advice_writes.c's, of the tables read */
	size_t nupdates;
	char **upd_tables;      /* the tables whose UPDATEs were read */
	size_t nupd_tables;
};

/* Severity from the worst P95 band of the groups concerned, their share
 * of the run's total time and how often they ran. */
enum finding_severity adv_severity(const struct adv_ctx *c, double impact_ms,
		enum band worst, uint64_t calls);
enum band adv_band(const struct adv_ctx *c, const struct group *g);
/* {"fingerprint", "query", "calls", "total_ms", "p95_ms", "band"}; new reference. */
json_t *adv_group_json(const struct adv_ctx *c, const struct group *g);
/* The query of it's statement, parsed now, which belongs to the caller;
 * NULL for lexical groups and statements that do not parse. */
struct adv_query *adv_item_parse(const struct adv_item *it);
/* False only when text cannot name the identifier name (a keyword, column
 * or relation) that its parse tree would hold: it does not appear in it,
 * ASCII case aside. True when that cannot be told from the text (name
 * holds a double quote, text a U&"..." identifier). */
bool adv_text_may_name(const char *text, const char *name);
/* Notes that f names the group of it (for slow_query's cross-references). */
void adv_item_helped(struct adv_item *it, struct finding *f);
/* A finding about one group: kind, severity from the group, fingerprint set. */
struct finding *adv_add(struct adv_ctx *c, enum finding_kind kind, double impact_ms,
		enum band worst, uint64_t calls, const char *title_fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* ---- advice_schema.c: tables and indexes. cols is "a, b DESC"-style text. ---- */

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
/* The columns of a pg_get_indexdef() text, in order, into cols (names
 * only, expressions as ""); returns how many, 0 for partial indexes. */
size_t adv_indexdef_columns(const char *def, char cols[][64], size_t max);
/* A SQL identifier, quoted when it needs to be, appended to sb. */
void adv_ident(struct strbuf *sb, const char *name);

/* The single column of a primary key or unique index on table (snapshot
 * definitions) into out; false when none is known. */
bool adv_unique_column(const struct adv_ctx *c, const char *table, char *out, size_t outlen);
/* Rows of table, from the snapshots or a full sequential scan in any plan;
 * -1 when unknown. *source says which ("snapshot", "plan"). */
double adv_table_rows(const struct adv_ctx *c, const char *table, const char **source);

/* ---- the modules, which advice.c runs in this order: page, index, plan,
 * stats (which reads plan's row misestimates) ---- */

void adv_page_run(struct adv_ctx *c);
void adv_index_run(struct adv_ctx *c);
void adv_plan_run(struct adv_ctx *c);
void adv_stats_run(struct adv_ctx *c);
/* findings_events.c: the server's messages (events.h): lock_contention,
 * deadlock, idle_in_transaction, checkpoints_too_frequent, wraparound_risk. */
void adv_events_run(struct adv_ctx *c);

/* ---- advice_writes.c: what indexes cost the UPDATEs of the run ---- */

/* An UPDATE statement (group) and a column it sets. */
struct adv_update {
	char *table, *column;   /* table as written in the UPDATE */
	size_t item;            /* its group, in c->items */
};

/* Adds to sb (the suggestion of a finding proposing an index on table
 * (cols)) what the index would cost the UPDATEs that set its columns,
 * and to evidence "write_cost"; nothing when none of the logged UPDATEs
 * sets them. Parses the UPDATE groups naming table once per table. */
void adv_writes_note(struct adv_ctx *c, const char *table, const char *const *cols,
		size_t n, struct strbuf *sb, json_t *evidence);
/* index_write_cost findings: existing indexes (snapshot definitions)
 * whose columns logged UPDATEs set, so that those are no HOT updates. */
void adv_writes_run(struct adv_ctx *c);
/* Frees what the module collected. */
void adv_writes_free(struct adv_ctx *c);

/* ---- advice_plan_time.c: where a worst plan's time went ---- */

/* The plan's execution time and where it was read (*from): "Execution
 * Time" when the body has it (EXPLAIN ANALYZE text pasted into a log),
 * else the duration auto_explain logged the plan with, else the top
 * node's total time. it->plan must be set. */
double adv_plan_duration(const struct adv_item *it, const char **from);
/* The share of that time spent in triggers: as logged (log_triggers), or
 * for a ModifyTable without trigger figures its time outside the plan
 * tree, where AFTER triggers (foreign-key checks) run; 0 without a timed
 * plan. */
double adv_plan_trigger_share(const struct adv_item *it);
/* slow_query's lines on where the time goes, appended to sb: the time
 * outside the tree with the triggers that took it and what to do about
 * foreign-key checks, then the node with the largest own share of the
 * duration; or a hint to log plans when there is none. Adds "plan_time",
 * "triggers" and "hot_node" to evidence. */
void adv_plan_where(const struct adv_item *it, struct strbuf *sb, json_t *evidence);
/* The maintenance command the statement q (normalized text) runs, whose
 * sorts and index builds take maintenance_work_mem, not work_mem: "CREATE
 * INDEX", "REINDEX", "CLUSTER", "VACUUM", ...; NULL for others. */
const char *adv_maintenance_of(const char *q);

#endif
