/* advice_index.c: missing_index findings.
 *
 * A candidate needs both halves of the evidence: the statement compares
 * the columns (parse tree) and its plan shows a scan of that table paying
 * for the lack of an index (a sequential scan discarding most of what it
 * reads, an index scan whose filter discards many rows, or a sequential
 * scan repeated on the inner side of a nested loop). Columns: equality
 * (and join) columns first, then one range column, or else the ORDER BY
 * columns when the plan shows that sort is costly; at most three.
 * Candidates on one table are combined into the fewest indexes: one whose
 * columns are all among another's equality columns is served by that one
 * once those lead it (equality columns may come in any order), and one
 * that is a prefix of another is merged into it. Existing indexes leading
 * with the same columns (snapshots' definitions, index conditions in
 * plans) rule a candidate out. What the index would cost the UPDATEs that
 * set its columns is said with it (advice_writes.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "strbuf.h"
#include "util.h"

#define CAND_COLS 3

/* ---- candidates ---- */

struct cand {
	char *table;
	char *cols[CAND_COLS];
	size_t ncols;
	size_t neq;             /* the leading cols compared by equality or join */
	size_t fixed;           /* leading cols others were combined on: kept */
	size_t *items;
	json_t **ev;            /* per item: its evidence */
	size_t nitems;
	bool dead;
};

struct cands {
	struct cand *v;
	size_t n;
};

static bool same_cols(const struct cand *a, const char *const *cols, size_t n)
{
	if (a->ncols != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->cols[i], cols[i]) != 0)
			return false;
	return true;
}

static void cand_add_item(struct cand *k, size_t item, json_t *ev)
{
	for (size_t i = 0; i < k->nitems; i++)
		if (k->items[i] == item) {
			json_decref(ev);
			return;
		}
	k->items = xrealloc(k->items, (k->nitems + 1) * sizeof(*k->items));
	k->ev = xrealloc(k->ev, (k->nitems + 1) * sizeof(*k->ev));
	k->items[k->nitems] = item;
	k->ev[k->nitems++] = ev;
}

static void cands_add(struct cands *cs, const char *table, const char *const *cols,
		size_t n, size_t neq, size_t item, json_t *ev)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].table, table) == 0 && same_cols(&cs->v[i], cols, n)) {
			cand_add_item(&cs->v[i], item, ev);
			return;
		}
	cs->v = xrealloc(cs->v, (cs->n + 1) * sizeof(*cs->v));
	struct cand *k = &cs->v[cs->n++];
	memset(k, 0, sizeof(*k));
	k->table = xstrdup(table);
	for (size_t i = 0; i < n; i++)
		k->cols[i] = xstrdup(cols[i]);
	k->ncols = n;
	k->neq = neq;
	cand_add_item(k, item, ev);
}

static bool is_scan_with_index(const char *t)
{
	return strcmp(t, "Index Scan") == 0 || strcmp(t, "Index Only Scan") == 0 ||
		strcmp(t, "Bitmap Heap Scan") == 0;
}

/* What the scan n says, when it is evidence of a missing index; the
 * condition text to look for columns in goes to *cond. */
static const char *scan_evidence(const struct adv_ctx *c, const struct plan_node *n,
		const char **cond)
{
	if (!n->node_type || !n->relation_name || !n->has_actual || n->never_executed)
		return NULL;
	double read = n->actual_rows + n->rows_removed_by_filter + n->rows_removed_by_index_recheck;
	double removed = n->rows_removed_by_filter + n->rows_removed_by_index_recheck;
	bool seq = strcmp(n->node_type, "Seq Scan") == 0;
	const struct plan_node *p = n->parent;
	if (seq && n->actual_loops > 1 && p && p->node_type && strcmp(p->node_type, "Nested Loop") == 0 &&
			n->parent_relationship && strcmp(n->parent_relationship, "Inner") == 0 &&
			(p->join_filter || n->filter)) {
		*cond = p->join_filter ? p->join_filter : n->filter;
		return "sequential scan repeated on the inner side of a nested loop";
	}
	if (!n->filter || read <= 0 || removed < c->l->removed_share * read)
		return NULL;
	*cond = n->filter;
	if (seq)
		return "sequential scan discarding most rows";
	if (is_scan_with_index(n->node_type) && removed >= c->l->min_removed)
		return "index scan whose filter discards many rows";
	return NULL;
}

struct sort_cost_arg {
	const struct adv_ctx *c;
	bool costly;
};

static int find_costly_sort(const struct plan_node *n, void *arg)
{
	struct sort_cost_arg *sa = arg;
	if (!n->node_type || !strstr(n->node_type, "Sort") || n->nchildren == 0)
		return 0;
	const struct plan_node *in = n->children[0];
	if (plan_node_sort_spilled(n) || (in->has_actual && in->actual_rows >= sa->c->l->min_removed)) {
		sa->costly = true;
		return 1;
	}
	return 0;
}

static void push_col(const char **cols, size_t *n, const char *col)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(cols[i], col) == 0)
			return;
	if (*n < CAND_COLS)
		cols[(*n)++] = col;
}

/* The candidate of item it for the scan n of table t, into cs. */
static void consider_scan(const struct adv_ctx *c, struct cands *cs, size_t idx,
		const struct plan_node *n)
{
	const struct adv_item *it = &c->items[idx];
	const struct adv_query *q = it->q;
	const char *t = NULL;
	for (size_t i = 0; i < q->ntables && !t; i++)
		if (adv_same_table(q->tables[i], n->schema, n->relation_name))
			t = q->tables[i];
	const char *cond = NULL, *why = t ? scan_evidence(c, n, &cond) : NULL;
	if (!why)
		return;
	const char *cols[CAND_COLS];
	size_t ncols = 0;
	bool has_range = false;
	for (size_t i = 0; i < q->npreds; i++) {
		const struct adv_pred *p = &q->preds[i];
		if (p->use != ADV_RANGE && (!p->table || strcmp(p->table, t) == 0) &&
				adv_mentions(cond, p->column))
			push_col(cols, &ncols, p->column);
	}
	for (size_t i = 0; i < q->npreds && !has_range; i++) {
		const struct adv_pred *p = &q->preds[i];
		if (p->use == ADV_RANGE && (!p->table || strcmp(p->table, t) == 0) &&
				adv_mentions(cond, p->column)) {
			push_col(cols, &ncols, p->column);
			has_range = true;
		}
	}
	if (ncols == 0)
		return;
	size_t neq = has_range ? ncols - 1 : ncols;
	/* The ORDER BY columns, when the sort is worth avoiding. */
	char sortcols[CAND_COLS][80];
	struct sort_cost_arg sa = { .c = c };
	if (!has_range && q->nsort && !q->sort_exprs && ncols + q->nsort <= CAND_COLS &&
			plan_walk(it->plan, find_costly_sort, &sa) && sa.costly) {
		bool all_t = true, mixed = false;
		for (size_t i = 0; i < q->nsort; i++) {
			if (!q->sort[i].table || strcmp(q->sort[i].table, t) != 0)
				all_t = false;
			if (q->sort[i].desc != q->sort[0].desc)
				mixed = true;
		}
		for (size_t i = 0; all_t && i < q->nsort; i++) {
			snprintf(sortcols[i], sizeof(sortcols[i]), "%s%s", q->sort[i].column,
				mixed && q->sort[i].desc ? " DESC" : "");
			push_col(cols, &ncols, sortcols[i]);
		}
	}
	const char *src;
	double rows = adv_table_rows(c, t, &src);
	if (rows >= 0 && rows < c->l->min_table_rows)
		return;
	if (adv_index_existing(c, t, cols, ncols))
		return;
	json_t *ev = adv_group_json(c, it->g);
	json_object_set_new(ev, "scan", json_pack("{s:s, s:s, s:s, s:s?, s:f, s:f, s:f}",
		"why", why, "node_type", n->node_type, "relation", n->relation_name,
		"condition", cond, "rows_per_loop", n->actual_rows,
		"removed_per_loop", n->rows_removed_by_filter + n->rows_removed_by_index_recheck,
		"loops", n->actual_loops));
	cands_add(cs, t, cols, ncols, neq, idx, ev);
}

static size_t col_pos(const struct cand *k, const char *col, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(k->cols[i], col) == 0)
			return i;
	return (size_t)-1;
}

/* Whether a can be served by b with b's equality columns reordered: all of
 * a's columns are among them, and a starts with what b already leads with
 * for others. */
static bool combinable(const struct cand *a, const struct cand *b)
{
	if (a->ncols > b->neq || a->ncols < b->fixed)
		return false;
	for (size_t i = 0; i < b->fixed; i++)
		if (strcmp(a->cols[i], b->cols[i]) != 0)
			return false;
	for (size_t i = 0; i < a->ncols; i++)
		if (col_pos(b, a->cols[i], b->neq) == (size_t)-1)
			return false;
	return true;
}

/* b's equality columns reordered to lead with a's, then a merged into b. */
static void combine(struct cand *a, struct cand *b)
{
	char *order[CAND_COLS];
	size_t n = 0;
	for (size_t i = 0; i < a->ncols; i++)
		order[n++] = b->cols[col_pos(b, a->cols[i], b->neq)];
	for (size_t i = 0; i < b->neq; i++)
		if (col_pos(a, b->cols[i], a->ncols) == (size_t)-1)
			order[n++] = b->cols[i];
	memcpy(b->cols, order, n * sizeof(*order));
	b->fixed = a->ncols;
	for (size_t m = 0; m < a->nitems; m++)
		cand_add_item(b, a->items[m], a->ev[m]);
	a->nitems = 0;
	a->dead = true;
}

static void merge_prefixes(struct cands *cs)
{
	/* Fewest indexes: each candidate into the widest one that can serve it. */
	for (size_t i = 0; i < cs->n; i++) {
		struct cand *a = &cs->v[i], *best = NULL;
		for (size_t j = 0; j < cs->n && !a->dead; j++) {
			struct cand *b = &cs->v[j];
			if (i == j || b->dead || b->ncols < a->ncols || strcmp(a->table, b->table) != 0 ||
					!combinable(a, b))
				continue;
			if (!best || b->ncols > best->ncols)
				best = b;
		}
		if (best)
			combine(a, best);
	}
	for (size_t i = 0; i < cs->n; i++) {
		struct cand *a = &cs->v[i];
		for (size_t j = 0; j < cs->n && !a->dead; j++) {
			struct cand *b = &cs->v[j];
			if (i == j || b->dead || b->ncols <= a->ncols || strcmp(a->table, b->table) != 0)
				continue;
			size_t k = 0;
			while (k < a->ncols && strcmp(a->cols[k], b->cols[k]) == 0)
				k++;
			if (k < a->ncols)
				continue;
			for (size_t m = 0; m < a->nitems; m++)
				cand_add_item(b, a->items[m], a->ev[m]);
			a->nitems = 0;
			a->dead = true;
		}
	}
}

/* Statements without a plan that filter the candidate's table by its
 * first column: the index would serve them too. Only those whose text
 * names both are parsed, one at a time. */
static void add_planless(const struct adv_ctx *c, struct cand *k)
{
	const char *dot = strrchr(k->table, '.');
	const char *relname = dot ? dot + 1 : k->table;
	for (size_t i = 0; i < c->n; i++) {
		const struct adv_item *it = &c->items[i];
		if (it->plan || !adv_text_may_name(it->g->query, k->cols[0]) ||
				!adv_text_may_name(it->g->query, relname))
			continue;
		struct adv_query *q = adv_item_parse(it);
		for (size_t p = 0; q && q->kind != ADV_STMT_OTHER && p < q->npreds; p++) {
			const struct adv_pred *pr = &q->preds[p];
			if (pr->use == ADV_RANGE || !pr->table || strcmp(pr->table, k->table) != 0 ||
					strcmp(pr->column, k->cols[0]) != 0)
				continue;
			json_t *ev = adv_group_json(c, it->g);
			json_object_set_new(ev, "scan", json_pack("{s:s}", "why",
				"no plan logged; compares the same leading column"));
			cand_add_item(k, i, ev);
			break;
		}
		adv_query_free(q);
	}
}

static void emit(struct adv_ctx *c, struct cand *k)
{
	double impact = 0;
	uint64_t calls = 0;
	enum band worst = BAND_GOOD;
	for (size_t i = 0; i < k->nitems; i++) {
		const struct group *g = c->items[k->items[i]].g;
		impact += g->total_ms;
		calls += g->calls;
		if (adv_band(c, g) > worst)
			worst = adv_band(c, g);
	}
	struct strbuf cols = STRBUF_INIT, sql = STRBUF_INIT;
	for (size_t i = 0; i < k->ncols; i++) {
		if (i)
			sb_append(&cols, ", ", 2);
		sb_append(&cols, k->cols[i], strlen(k->cols[i]));
	}
	const char *src;
	double rows = adv_table_rows(c, k->table, &src);
	struct finding *f = adv_add(c, FK_missing_index, impact, worst, calls,
		"Index %s (%s) would serve %zu statement%s (%llu call%s) that scan %s without one",
		k->table, cols.buf, k->nitems, k->nitems == 1 ? "" : "s",
		(unsigned long long)calls, calls == 1 ? "" : "s", k->table);
	finding_set_table(f, k->table);
	for (size_t i = 0; i < k->ncols; i++)
		finding_add_column(f, k->cols[i]);
	if (k->nitems == 1)
		finding_set_fingerprint(f, c->items[k->items[0]].g->fingerprint);
	adv_index_sql(&sql, k->table, (const char *const *)k->cols, k->ncols);
	for (size_t i = 0; i < k->nitems; i++) {
		const struct group *g = c->items[k->items[i]].g;
		char fp[17], line[256];
		fp_format(g->fingerprint, fp);
		snprintf(line, sizeof(line), "\n-- helps %s (%.0f ms): %.150s", fp, g->total_ms, g->query);
		for (char *p = line + 1; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		sb_append(&sql, line, strlen(line));
		adv_item_helped(&c->items[k->items[i]], f);
	}
	adv_writes_note(c, k->table, (const char *const *)k->cols, k->ncols, &sql, f->evidence);
	finding_set_suggestion(f, "%s", sql.buf);
	json_t *groups = json_array();
	for (size_t i = 0; i < k->nitems; i++)
		json_array_append_new(groups, k->ev[i]);
	k->nitems = 0;
	json_object_set_new(f->evidence, "groups", groups);
	json_object_set_new(f->evidence, "table_rows", rows >= 0 ? json_real(rows) : json_null());
	json_object_set_new(f->evidence, "table_rows_source", json_string(src));
	adv_index_proposed(c, k->table, (const char *const *)k->cols, k->ncols, true);
	sb_release(&cols);
	sb_release(&sql);
}

void adv_index_run(struct adv_ctx *c)
{
	struct cands cs = { 0 };
	for (size_t i = 0; i < c->n; i++) {
		struct adv_item *it = &c->items[i];
		if (!it->q || !it->plan || it->q->kind == ADV_STMT_OTHER)
			continue;
		for (const struct plan_node *n = it->plan->root; n; n = plan_node_next(n))
			consider_scan(c, &cs, i, n);
	}
	merge_prefixes(&cs);
	for (size_t i = 0; i < cs.n; i++) {
		struct cand *k = &cs.v[i];
		if (k->dead)
			continue;
		if (adv_index_proposed(c, k->table, (const char *const *)k->cols, k->ncols, false))
			continue;       /* a keyset index of offset_pagination starts with these */
		add_planless(c, k);
		emit(c, k);
	}
	for (size_t i = 0; i < cs.n; i++) {
		for (size_t m = 0; m < cs.v[i].nitems; m++)
			json_decref(cs.v[i].ev[m]);
		free(cs.v[i].items);
		free(cs.v[i].ev);
		free(cs.v[i].table);
		for (size_t k = 0; k < cs.v[i].ncols; k++)
			free(cs.v[i].cols[k]);
	}
	free(cs.v);
}
