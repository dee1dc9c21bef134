/* advice_sql.c: the columns a statement filters, joins and sorts on, read
 * from libpg_query's parse tree (JSON, read with jansson).
 *
 * Only what indexes can use counts as a predicate: comparisons of a bare
 * column with a value (=, IN, = ANY, <, <=, >, >=, BETWEEN) or with a
 * column of another relation (a join key), in the chain of ANDs at the top
 * of a WHERE or JOIN ... ON. A column under OR, NOT or a function is only
 * a reference. Aliases are resolved per SELECT level; subqueries, CTEs and
 * set operations are walked with their own scope.
 *
 * The tree lives only while it is walked: what the query keeps is copied
 * into its own small string blocks, so a caller can hold many queries for
 * the price of their columns, not of their trees. */
#include <ctype.h>
#include <pg_query.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "advice_int.h"
#include "util.h"

#define SCOPE_MAX 32

struct scope_rel {
	const char *name;       /* as written, schema-qualified when it was */
	const char *relname, *alias;
};

struct scope {
	struct scope_rel rels[SCOPE_MAX];
	size_t n;
	const struct scope *parent;
};

/* The predicates (or id references) a query holds, by hash: a statement
 * with 40,000 distinct columns took 6.5 s when each new one was compared
 * with all the others. slot[i] is an index + 1 into the vector, 0 empty. */
struct pred_set {
	uint32_t *slot;
	uint64_t *hash;
	size_t mask;
};

/* At most this many distinct predicates, id references and tables are kept
 * per statement (README, "Limits"): an index takes three columns, and what
 * the modules do with a query grows with them. */
#define ADV_KEPT_MAX 1000

struct walker {
	struct adv_query *q;
	const char *text;       /* the statement, for the ORDER BY's offset */
	size_t cap_preds, cap_id_refs, cap_tables, cap_sort;
	struct pred_set pred_set, id_set;
};

#define STRBLOCK 1024

/* One block of the strings a query keeps; blocks are chained, never moved. */
struct adv_strings {
	struct adv_strings *next;
	size_t used, cap;
	char data[];
};

static const char *keep(struct walker *w, const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s) + 1;
	struct adv_strings *b = w->q->strings;
	if (!b || b->cap - b->used < len) {
		size_t cap = len > STRBLOCK ? len : STRBLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		b->next = w->q->strings;
		w->q->strings = b;
	}
	char *out = b->data + b->used;
	memcpy(out, s, len);
	b->used += len;
	return out;
}

static const char *str_of(json_t *node)
{
	/* {"String": {"sval": "x"}} */
	json_t *s = json_object_get(node, "String");
	return s ? json_string_value(json_object_get(s, "sval")) : NULL;
}

static void add_table(struct walker *w, const char *name)
{
	struct adv_query *q = w->q;
	/* Linear, but over at most ADV_KEPT_MAX names. */
	for (size_t i = 0; i < q->ntables; i++)
		if (strcmp(q->tables[i], name) == 0)
			return;
	if (q->ntables == ADV_KEPT_MAX)
		return;
	if (q->ntables == w->cap_tables) {
		w->cap_tables = w->cap_tables ? w->cap_tables * 2 : 8;
		q->tables = xrealloc(q->tables, w->cap_tables * sizeof(*q->tables));
	}
	q->tables[q->ntables++] = name;
}

static void scope_add_rangevar(struct walker *w, struct scope *sc, json_t *rv)
{
	const char *rel = json_string_value(json_object_get(rv, "relname"));
	const char *schema = json_string_value(json_object_get(rv, "schemaname"));
	if (!rel)
		return;
	const char *name;
	if (!schema) {
		name = keep(w, rel);
	} else {
		size_t len = strlen(schema) + strlen(rel) + 2;
		char *buf = xmalloc(len);
		snprintf(buf, len, "%s.%s", schema, rel);
		name = keep(w, buf);
		free(buf);
	}
	add_table(w, name);
	if (sc->n == SCOPE_MAX)
		return;
	json_t *alias = json_object_get(rv, "alias");
	sc->rels[sc->n].name = name;
	sc->rels[sc->n].relname = rel;
	sc->rels[sc->n].alias = alias ? json_string_value(json_object_get(alias, "aliasname")) : NULL;
	sc->n++;
}

/* The relation a column reference belongs to, or NULL. *col gets the
 * column name, *qual the qualifier written; false for "*" and oddities. */
static bool resolve(const struct scope *sc, json_t *colref, const char **table,
		const char **col, const char **qual)
{
	json_t *fields = json_object_get(colref, "fields");
	size_t nf = json_array_size(fields);
	*table = *qual = NULL;
	if (nf == 0 || nf > 3)
		return false;
	*col = str_of(json_array_get(fields, nf - 1));
	if (!*col)
		return false;   /* A_Star */
	if (nf == 1) {
		/* Unqualified: the only relation of the innermost level that has any. */
		for (const struct scope *s = sc; s; s = s->parent) {
			if (s->n == 0)
				continue;
			if (s->n == 1)
				*table = s->rels[0].name;
			break;
		}
		return true;
	}
	*qual = str_of(json_array_get(fields, nf - 2));
	if (!*qual)
		return false;
	for (const struct scope *s = sc; s; s = s->parent)
		for (size_t i = 0; i < s->n; i++) {
			const struct scope_rel *r = &s->rels[i];
			if (r->alias ? strcmp(r->alias, *qual) == 0 : strcmp(r->relname, *qual) == 0) {
				*table = r->name;
				return true;
			}
		}
	return true;
}

static uint64_t pred_hash(const char *table, const char *col, enum adv_use use)
{
	uint64_t h = XXH3_64bits(col, strlen(col)) ^ (uint64_t)use;
	if (table)
		h ^= XXH3_64bits(table, strlen(table)) * 0x9E3779B97F4A7C15ull;
	return h;
}

/* Adds a predicate unless v holds it already (same use, column and table).
 * Vectors stay below ADV_KEPT_MAX, so the set is sized once: twice that. */
static void add_pred(struct walker *w, struct adv_pred **v, size_t *n, size_t *cap,
		const char *table, const char *col, enum adv_use use)
{
	struct pred_set *set = v == &w->q->preds ? &w->pred_set : &w->id_set;
	if (!set->slot) {
		set->mask = 2 * ADV_KEPT_MAX;
		while (set->mask & (set->mask - 1))
			set->mask &= set->mask - 1;
		set->mask = set->mask * 2 - 1;
		set->slot = xcalloc(set->mask + 1, sizeof(*set->slot));
		set->hash = xcalloc(set->mask + 1, sizeof(*set->hash));
	}
	uint64_t h = pred_hash(table, col, use);
	size_t i = (size_t)h & set->mask;
	for (; set->slot[i]; i = (i + 1) & set->mask) {
		const struct adv_pred *p = &(*v)[set->slot[i] - 1];
		if (set->hash[i] == h && p->use == use && strcmp(p->column, col) == 0 &&
				(p->table == table ||
				 (p->table && table && strcmp(p->table, table) == 0)))
			return;
	}
	if (*n == ADV_KEPT_MAX)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].table = table;
	(*v)[*n].column = keep(w, col);
	(*v)[*n].use = use;
	(*n)++;
	set->slot[i] = (uint32_t)*n;
	set->hash[i] = h;
}

static void walk_select(struct walker *w, json_t *sel, const struct scope *parent, bool top);
static void walk_expr(struct walker *w, json_t *node, const struct scope *sc, bool conj);

static void add_ref(struct walker *w, const struct scope *sc, json_t *colref)
{
	const char *table, *col, *qual;
	if (resolve(sc, colref, &table, &col, &qual) && strcmp(col, "id") == 0)
		add_pred(w, &w->q->id_refs, &w->q->nid_refs, &w->cap_id_refs, table, col, ADV_EQ);
}

/* Anything else: references and subqueries inside. */
static void walk_any(struct walker *w, json_t *node, const struct scope *sc)
{
	if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v)
			walk_any(w, v, sc);
		return;
	}
	if (!json_is_object(node))
		return;
	const char *key;
	json_t *v;
	json_object_foreach(node, key, v) {
		if (strcmp(key, "ColumnRef") == 0)
			add_ref(w, sc, v);
		else if (strcmp(key, "SelectStmt") == 0)
			walk_select(w, v, sc, false);
		else if (strcmp(key, "BoolExpr") == 0 || strcmp(key, "A_Expr") == 0)
			walk_expr(w, node, sc, false);
		else
			walk_any(w, v, sc);
	}
}

static bool has_colref(json_t *node)
{
	if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v)
			if (has_colref(v))
				return true;
		return false;
	}
	if (!json_is_object(node))
		return false;
	const char *key;
	json_t *v;
	json_object_foreach(node, key, v)
		if (strcmp(key, "ColumnRef") == 0 || has_colref(v))
			return true;
	return false;
}

static void classify(struct walker *w, const struct scope *sc, json_t *ax)
{
	const char *kind = json_string_value(json_object_get(ax, "kind"));
	const char *op = str_of(json_array_get(json_object_get(ax, "name"), 0));
	json_t *l = json_object_get(ax, "lexpr"), *r = json_object_get(ax, "rexpr");
	json_t *lc = json_object_get(l, "ColumnRef"), *rc = json_object_get(r, "ColumnRef");
	if (!kind || !op)
		return;
	enum adv_use use;
	if ((strcmp(kind, "AEXPR_OP") == 0 || strcmp(kind, "AEXPR_OP_ANY") == 0 ||
			strcmp(kind, "AEXPR_IN") == 0) && strcmp(op, "=") == 0)
		use = ADV_EQ;
	else if (strcmp(kind, "AEXPR_OP") == 0 && (strcmp(op, "<") == 0 || strcmp(op, ">") == 0 ||
			strcmp(op, "<=") == 0 || strcmp(op, ">=") == 0))
		use = ADV_RANGE;
	else if (strcmp(kind, "AEXPR_BETWEEN") == 0 || strcmp(kind, "AEXPR_BETWEEN_SYM") == 0)
		use = ADV_RANGE;
	else
		return;
	const char *lt, *lcol, *lq, *rt, *rcol, *rq;
	bool lok = lc && resolve(sc, lc, &lt, &lcol, &lq);
	bool rok = rc && resolve(sc, rc, &rt, &rcol, &rq);
	struct adv_query *q = w->q;
	if (lok && rok) {
		if (use != ADV_EQ || (lt && rt && strcmp(lt, rt) == 0))
			return;
		add_pred(w, &q->preds, &q->npreds, &w->cap_preds, lt, lcol, ADV_JOIN);
		add_pred(w, &q->preds, &q->npreds, &w->cap_preds, rt, rcol, ADV_JOIN);
	} else if (lok && !has_colref(r)) {
		add_pred(w, &q->preds, &q->npreds, &w->cap_preds, lt, lcol, use);
	} else if (rok && !has_colref(l) && strcmp(kind, "AEXPR_OP") == 0) {
		add_pred(w, &q->preds, &q->npreds, &w->cap_preds, rt, rcol, use);
	}
}

static void walk_expr(struct walker *w, json_t *node, const struct scope *sc, bool conj)
{
	json_t *b = json_object_get(node, "BoolExpr");
	if (b) {
		const char *op = json_string_value(json_object_get(b, "boolop"));
		bool and = op && strcmp(op, "AND_EXPR") == 0;
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(b, "args"), i, v)
			walk_expr(w, v, sc, conj && and);
		return;
	}
	json_t *ax = json_object_get(node, "A_Expr");
	if (ax) {
		if (conj)
			classify(w, sc, ax);
		walk_any(w, json_object_get(ax, "lexpr"), sc);
		walk_any(w, json_object_get(ax, "rexpr"), sc);
		return;
	}
	walk_any(w, node, sc);
}

static void scope_add_from(struct walker *w, struct scope *sc, json_t *item, json_t *quals)
{
	json_t *v;
	if ((v = json_object_get(item, "RangeVar"))) {
		scope_add_rangevar(w, sc, v);
	} else if ((v = json_object_get(item, "JoinExpr"))) {
		scope_add_from(w, sc, json_object_get(v, "larg"), quals);
		scope_add_from(w, sc, json_object_get(v, "rarg"), quals);
		if (json_object_get(v, "quals"))
			json_array_append(quals, json_object_get(v, "quals"));
	} else if ((v = json_object_get(item, "RangeSubselect"))) {
		walk_any(w, json_object_get(v, "subquery"), sc->parent);
	} else {
		walk_any(w, item, sc);
	}
}

/* The byte offset of the ORDER BY before pos in text, or -1. */
static long find_order_by(const char *text, long pos)
{
	for (long i = pos - 5; i >= 0; i--) {
		if (strncasecmp(text + i, "ORDER", 5) != 0)
			continue;
		if (i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_'))
			continue;
		const char *p = text + i + 5;
		while (isspace((unsigned char)*p))
			p++;
		if (strncasecmp(p, "BY", 2) == 0)
			return i;
	}
	return -1;
}

static void read_limit(json_t *node, bool *has, int64_t *value, int *param)
{
	*has = false;
	*value = -1;
	*param = 0;
	if (!node)
		return;
	json_t *c = json_object_get(node, "A_Const");
	if (c && json_is_true(json_object_get(c, "isnull")))
		return;         /* LIMIT ALL / LIMIT NULL */
	*has = true;
	json_t *p = json_object_get(node, "ParamRef");
	if (p) {
		*param = (int)json_integer_value(json_object_get(p, "number"));
		return;
	}
	json_t *tc = json_object_get(node, "TypeCast");
	if (tc)
		c = json_object_get(json_object_get(tc, "arg"), "A_Const");
	if (!c)
		return;
	json_t *iv = json_object_get(json_object_get(c, "ival"), "ival");
	if (json_is_integer(iv))
		*value = json_integer_value(iv);
	else if (json_object_get(c, "ival"))
		*value = 0;     /* ival 0 is written as {} */
	json_t *sv = json_object_get(json_object_get(c, "sval"), "sval");
	if (json_is_string(sv))
		*value = strtoll(json_string_value(sv), NULL, 10);
}

static void read_sort(struct walker *w, const struct scope *sc, json_t *sel)
{
	struct adv_query *q = w->q;
	size_t i;
	json_t *sb;
	json_array_foreach(json_object_get(sel, "sortClause"), i, sb) {
		json_t *by = json_object_get(sb, "SortBy");
		json_t *node = json_object_get(by, "node");
		json_t *cr = json_object_get(node, "ColumnRef");
		if (i == 0) {
			json_t *loc = json_object_get(cr ? cr : json_object_iter_value(json_object_iter(node)), "location");
			if (json_is_integer(loc))
				q->order_pos = find_order_by(w->text, (long)json_integer_value(loc));
		}
		const char *table, *col, *qual;
		if (!cr || !resolve(sc, cr, &table, &col, &qual)) {
			q->sort_exprs = true;
			continue;
		}
		const char *dir = json_string_value(json_object_get(by, "sortby_dir"));
		const char *nulls = json_string_value(json_object_get(by, "sortby_nulls"));
		if (nulls && strcmp(nulls, "SORTBY_NULLS_DEFAULT") != 0)
			q->sort_exprs = true;   /* keyset comparisons would need care */
		if (q->nsort == w->cap_sort) {
			w->cap_sort = w->cap_sort ? w->cap_sort * 2 : 4;
			q->sort = xrealloc(q->sort, w->cap_sort * sizeof(*q->sort));
		}
		q->sort[q->nsort++] = (struct adv_sortkey){ .table = table, .column = keep(w, col),
			.qual = keep(w, qual), .desc = dir && strcmp(dir, "SORTBY_DESC") == 0 };
	}
}

static void walk_select(struct walker *w, json_t *sel, const struct scope *parent, bool top)
{
	struct adv_query *q = w->q;
	struct scope *sc = xcalloc(1, sizeof(*sc));
	sc->parent = parent;
	const char *op = json_string_value(json_object_get(sel, "op"));
	json_t *cte;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(json_object_get(sel, "withClause"),
			"WithClause"), "ctes"), i, cte)
		walk_any(w, json_object_get(json_object_get(cte, "CommonTableExpr"), "ctequery"), parent);
	if (op && strcmp(op, "SETOP_NONE") != 0) {
		if (top)
			q->simple_tail = false;
		walk_any(w, json_object_get(sel, "larg"), parent);
		walk_any(w, json_object_get(sel, "rarg"), parent);
		goto done;
	}
	json_t *quals = json_array(), *item;
	json_array_foreach(json_object_get(sel, "fromClause"), i, item)
		scope_add_from(w, sc, item, quals);
	json_t *where = json_object_get(sel, "whereClause");
	if (where) {
		walk_expr(w, where, sc, true);
		if (top) {
			json_t *b = json_object_get(where, "BoolExpr");
			q->has_where = true;
			q->where_or = b && strcmp(json_string_value(json_object_get(b, "boolop")), "AND_EXPR") != 0;
		}
	}
	json_array_foreach(quals, i, item)
		walk_expr(w, item, sc, true);
	json_decref(quals);
	walk_any(w, json_object_get(sel, "targetList"), sc);
	walk_any(w, json_object_get(sel, "groupClause"), sc);
	walk_any(w, json_object_get(sel, "havingClause"), sc);
	if (top) {
		q->simple_tail = !json_object_get(sel, "groupClause") &&
			!json_object_get(sel, "havingClause") &&
			!json_object_get(sel, "distinctClause") &&
			!json_object_get(sel, "windowClause");
		read_sort(w, sc, sel);
		read_limit(json_object_get(sel, "limitCount"), &q->has_limit, &q->limit, &q->limit_param);
		read_limit(json_object_get(sel, "limitOffset"), &q->has_offset, &q->offset, &q->offset_param);
	} else {
		walk_any(w, json_object_get(sel, "sortClause"), sc);
	}
done:
	free(sc);
}

static void walk_modify(struct walker *w, json_t *st, const char *from_key)
{
	struct scope *sc = xcalloc(1, sizeof(*sc));
	json_t *rv = json_object_get(st, "relation");
	if (rv)
		scope_add_rangevar(w, sc, rv);
	json_t *quals = json_array(), *item;
	size_t i;
	json_array_foreach(json_object_get(st, from_key), i, item)
		scope_add_from(w, sc, item, quals);
	json_t *where = json_object_get(st, "whereClause");
	if (where)
		walk_expr(w, where, sc, true);
	json_array_foreach(quals, i, item)
		walk_expr(w, item, sc, true);
	json_decref(quals);
	json_t *targets = json_object_get(st, "targetList");
	walk_any(w, targets, sc);
	/* UPDATE: the columns it sets (ResTarget names), on the relation
	 * updated, which is the scope's first. */
	if (sc->n && w->q->kind == ADV_STMT_UPDATE) {
		w->q->target = sc->rels[0].name;
		json_array_foreach(targets, i, item) {
			const char *col = json_string_value(json_object_get(
				json_object_get(item, "ResTarget"), "name"));
			if (!col)
				continue;
			bool dup = false;
			for (size_t k = 0; k < w->q->nset_cols && !dup; k++)
				dup = strcmp(w->q->set_cols[k], col) == 0;
			if (dup)
				continue;
			w->q->set_cols = xrealloc(w->q->set_cols,
				(w->q->nset_cols + 1) * sizeof(*w->q->set_cols));
			w->q->set_cols[w->q->nset_cols++] = keep(w, col);
		}
	}
	free(sc);
}

/* libpg_query writes its JSON by recursion, a few hundred bytes of stack
 * a level: "SELECT a + a + ..." with 70,000 terms (140 KB) overflowed the
 * main thread's 8 MiB and killed the run. A statement nests at most about
 * one level per byte (ARRAY[[[...]]], chained operators), so texts up to
 * ADV_INLINE_MAX are parsed where we are, and longer ones on a thread
 * given ADV_STACK_PER_BYTE bytes of stack per byte of text: its pages are
 * only touched as deep as the tree goes. The thread costs one
 * pthread_create and an mmap, tens of microseconds, against the
 * milliseconds the parse of such a text takes; measuring the depth first
 * would need a parse of its own (the protobuf form recurses as well). */
#define ADV_INLINE_MAX (16 * 1024)
#define ADV_STACK_PER_BYTE 512
/* Longer statements are not read at all (README, "Limits"): the parse
 * tree takes about 300 bytes per byte of text, and the advice's time
 * grows with it. */
#define ADV_SQL_MAX (256 * 1024)

struct parse_job {
	const char *sql;
	PgQueryParseResult r;
};

static void *parse_main(void *arg)
{
	struct parse_job *j = arg;
	j->r = pg_query_parse(j->sql);
	return NULL;
}

/* pg_query_parse(sql) with enough stack for any tree sql can make; false
 * when no thread could be had for it. */
static bool parse_deep(const char *sql, size_t len, PgQueryParseResult *out)
{
	if (len <= ADV_INLINE_MAX) {
		*out = pg_query_parse(sql);
		return true;
	}
	struct parse_job j = { .sql = sql };
	pthread_attr_t attr;
	pthread_t th;
	bool ok = false;
	if (pthread_attr_init(&attr) != 0)
		return false;
	if (pthread_attr_setstacksize(&attr, (1u << 20) + len * ADV_STACK_PER_BYTE) == 0 &&
			pthread_create(&th, &attr, parse_main, &j) == 0) {
		pthread_join(th, NULL);
		*out = j.r;
		ok = true;
	}
	pthread_attr_destroy(&attr);
	return ok;
}

static struct adv_query *skipped(const char *why)
{
	struct adv_query *q = xcalloc(1, sizeof(*q));
	q->kind = ADV_STMT_OTHER;
	q->order_pos = -1;
	q->limit = q->offset = -1;
	q->skipped = why;
	return q;
}

struct adv_query *adv_query_parse(const char *sql)
{
	size_t len = strlen(sql);
	if (len > ADV_SQL_MAX)
		return skipped("longer than the 256 KiB the advice reads");
	PgQueryParseResult r;
	if (!parse_deep(sql, len, &r))
		return skipped("no thread to parse it on");
	struct adv_query *q = NULL;
	json_t *root = NULL;
	if (r.error || !r.parse_tree)
		goto done;
	root = json_loads(r.parse_tree, 0, NULL);
	if (!root) {
		/* jansson refuses trees deeper than 2,048 levels. */
		q = skipped("nested deeper than the advice reads (2,048 levels of its parse tree)");
		goto done;
	}
	json_t *stmts = json_object_get(root, "stmts");
	if (json_array_size(stmts) != 1)
		goto done;
	json_t *stmt = json_object_get(json_array_get(stmts, 0), "stmt");
	q = xcalloc(1, sizeof(*q));
	q->order_pos = -1;
	q->limit = q->offset = -1;
	struct walker w = { .q = q, .text = sql };
	json_t *v;
	if ((v = json_object_get(stmt, "SelectStmt"))) {
		q->kind = ADV_STMT_SELECT;
		walk_select(&w, v, NULL, true);
	} else if ((v = json_object_get(stmt, "UpdateStmt"))) {
		q->kind = ADV_STMT_UPDATE;
		walk_modify(&w, v, "fromClause");
	} else if ((v = json_object_get(stmt, "DeleteStmt"))) {
		q->kind = ADV_STMT_DELETE;
		walk_modify(&w, v, "usingClause");
	}
	free(w.pred_set.slot);
	free(w.pred_set.hash);
	free(w.id_set.slot);
	free(w.id_set.hash);
done:
	json_decref(root);
	pg_query_free_parse_result(r);
	return q;
}

void adv_query_free(struct adv_query *q)
{
	if (!q)
		return;
	free(q->preds);
	free(q->id_refs);
	free(q->tables);
	free(q->sort);
	free(q->set_cols);
	for (struct adv_strings *b = q->strings, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(q);
}

int64_t adv_param_value(const char *params, int n)
{
	if (!params || n <= 0)
		return -1;
	char key[24];
	int klen = snprintf(key, sizeof(key), "$%d = ", n);
	for (const char *p = strstr(params, key); p; p = strstr(p + 1, key)) {
		if (p > params && isdigit((unsigned char)p[-1]))
			continue;
		p += klen;
		if (*p == '\'')
			p++;
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p || (*end != '\'' && *end != ',' && *end != '\0'))
			return -1;
		return v;
	}
	return -1;
}

bool adv_same_table(const char *name, const char *schema, const char *rel)
{
	if (!name || !rel)
		return false;
	const char *dot = strrchr(name, '.');
	const char *relname = dot ? dot + 1 : name;
	const char *rdot = strrchr(rel, '.');
	if (rdot) {
		if (!schema || !dot) {
			/* rel carries its own schema */
			size_t slen = (size_t)(rdot - rel);
			if (dot && ((size_t)(dot - name) != slen || strncmp(name, rel, slen) != 0))
				return false;
			return strcmp(relname, rdot + 1) == 0;
		}
	}
	if (strcmp(relname, rel) != 0)
		return false;
	if (dot && schema)
		return strlen(schema) == (size_t)(dot - name) && strncmp(schema, name, (size_t)(dot - name)) == 0;
	return true;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

bool adv_mentions(const char *text, const char *column)
{
	if (!text || !column || !*column)
		return false;
	size_t len = strlen(column);
	for (const char *p = strstr(text, column); p; p = strstr(p + 1, column)) {
		bool before = p > text && (ident_char(p[-1]) || p[-1] == '\'');
		bool after = ident_char(p[len]) || p[len] == '(' || p[len] == '\'';
		if (!before && !after)
			return true;
	}
	return false;
}
