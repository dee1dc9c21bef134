/* advice_page.c: offset_pagination and unbounded_result findings.
 *
 * OFFSET values are literals of the statements as logged (the fingerprint
 * hides them): each example is parsed again, and a $n offset of the
 * extended protocol is read from the example's DETAIL parameters. A Limit
 * node fed far more rows than it returns is the same evidence from a plan.
 * The keyset rewrite keeps the statement's own text up to its ORDER BY,
 * adds the row comparison on the ORDER BY columns plus a unique
 * tie-breaker, and comes with the index that serves it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "strbuf.h"
#include "util.h"

#define PAGE_ROWS "1000"

static void sb_str(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

static int max_param(const char *s, size_t len)
{
	int max = 0;
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '$' && isdigit((unsigned char)s[i + 1])) {
			int v = atoi(s + i + 1);
			if (v > max)
				max = v;
		}
	return max;
}

struct keyset {
	bool ok;
	const char *table;
	char tie[64];
	const char *tie_source;
	const char *cols[4];    /* index columns */
	size_t ncols;
};

static void sort_key_text(struct strbuf *sb, const char *qual, const char *col)
{
	if (qual) {
		adv_ident(sb, qual);
		sb_putc(sb, '.');
	}
	adv_ident(sb, col);
}

/* The keyset form of it's statement into sql, with limit as its LIMIT
 * (NULL: the next parameter); ks says what it used. */
static void keyset(const struct adv_ctx *c, const struct adv_item *it, const char *limit,
		struct strbuf *sql, struct keyset *ks)
{
	const struct adv_query *q = it->q;
	memset(ks, 0, sizeof(*ks));
	if (!q->simple_tail || q->nsort == 0 || q->sort_exprs || q->order_pos < 0 ||
			(q->has_where && q->where_or))
		return;
	const char *t = q->sort[0].table;
	for (size_t i = 0; i < q->nsort; i++)
		if (!t || !q->sort[i].table || strcmp(q->sort[i].table, t) != 0 ||
				q->sort[i].desc != q->sort[0].desc)
			return;
	ks->table = t;
	bool tie_needed = true;
	if (adv_unique_column(c, t, ks->tie, sizeof(ks->tie))) {
		ks->tie_source = "primary key or unique index (snapshot)";
	} else {
		for (size_t i = 0; i < q->nid_refs && !ks->tie_source; i++)
			if (q->id_refs[i].table ? strcmp(q->id_refs[i].table, t) == 0 : q->ntables == 1) {
				snprintf(ks->tie, sizeof(ks->tie), "id");
				ks->tie_source = "assumed: the statement's id column";
			}
	}
	for (size_t i = 0; i < q->nsort; i++)
		if (ks->tie_source && strcmp(q->sort[i].column, ks->tie) == 0)
			tie_needed = false;
	if (!ks->tie_source)
		tie_needed = false;
	const char *text = it->g->query;
	size_t plen = (size_t)q->order_pos;
	while (plen > 0 && isspace((unsigned char)text[plen - 1]))
		plen--;
	int next = max_param(text, plen) + 1;
	size_t nkeys = q->nsort + (tie_needed ? 1 : 0);
	const char *qual = q->sort[0].qual;
	const char *dir = q->sort[0].desc ? " DESC" : "";
	struct strbuf keys = STRBUF_INIT;
	for (size_t i = 0; i < nkeys; i++) {
		if (i)
			sb_str(&keys, ", ");
		if (i < q->nsort)
			sort_key_text(&keys, q->sort[i].qual, q->sort[i].column);
		else
			sort_key_text(&keys, qual, ks->tie);
	}
	if (!ks->tie_source)
		sb_str(sql, "-- no unique column is known: add the primary key to both lists "
			"if the sort columns may repeat\n");
	sb_append(sql, text, plen);
	sb_str(sql, q->has_where ? " AND " : " WHERE ");
	char buf[64];
	sb_str(sql, nkeys > 1 ? "(" : "");
	sb_append(sql, keys.buf, keys.len);
	sb_str(sql, nkeys > 1 ? ") " : " ");
	sb_str(sql, q->sort[0].desc ? "< " : "> ");
	sb_str(sql, nkeys > 1 ? "(" : "");
	for (size_t i = 0; i < nkeys; i++) {
		snprintf(buf, sizeof(buf), "%s$%d", i ? ", " : "", next++);
		sb_str(sql, buf);
	}
	sb_str(sql, nkeys > 1 ? ")" : "");
	sb_str(sql, " ORDER BY ");
	for (size_t i = 0; i < nkeys; i++) {
		if (i)
			sb_str(sql, ", ");
		if (i < q->nsort)
			sort_key_text(sql, q->sort[i].qual, q->sort[i].column);
		else
			sort_key_text(sql, qual, ks->tie);
		sb_str(sql, dir);
	}
	if (limit) {
		sb_str(sql, " LIMIT ");
		sb_str(sql, limit);
	} else {
		snprintf(buf, sizeof(buf), " LIMIT $%d", next);
		sb_str(sql, buf);
	}
	sb_str(sql, ";");
	sb_release(&keys);
	/* The index: the statement's equality columns on the table, then the keys. */
	for (size_t i = 0; i < q->npreds && ks->ncols < 4; i++)
		if (q->preds[i].use == ADV_EQ && q->preds[i].table && strcmp(q->preds[i].table, t) == 0)
			ks->cols[ks->ncols++] = q->preds[i].column;
	for (size_t i = 0; i < nkeys && ks->ncols < 4; i++)
		ks->cols[ks->ncols++] = i < q->nsort ? q->sort[i].column : ks->tie;
	if (ks->ncols > 3 && tie_needed)
		ks->ncols--;    /* the tie-breaker matters least */
	if (ks->ncols > 3)
		ks->ncols = 0;
	ks->ok = true;
}

/* Appends the keyset index (or why none) to sql and the evidence. */
static void keyset_index(struct adv_ctx *c, const struct keyset *ks, struct strbuf *sql,
		json_t *ev)
{
	if (ks->ncols == 0)
		return;
	const char *have = adv_index_existing(c, ks->table, ks->cols, ks->ncols);
	json_t *cols = json_array();
	for (size_t i = 0; i < ks->ncols; i++)
		json_array_append_new(cols, json_string(ks->cols[i]));
	json_object_set_new(ev, "index_columns", cols);
	if (have) {
		sb_str(sql, "\n-- the existing index ");
		sb_str(sql, have);
		sb_str(sql, " serves this order");
		json_object_set_new(ev, "existing_index", json_string(have));
	} else if (adv_index_proposed(c, ks->table, ks->cols, ks->ncols, false)) {
		sb_str(sql, "\n-- the index proposed by another finding serves this order");
	} else {
		sb_putc(sql, '\n');
		adv_index_sql(sql, ks->table, ks->cols, ks->ncols);
		adv_index_proposed(c, ks->table, ks->cols, ks->ncols, true);
	}
}

static const struct plan_node *find_limit(const struct plan *p)
{
	return p ? plan_find(p, "Limit") : NULL;
}

static void offset_one(struct adv_ctx *c, struct adv_item *it)
{
	const struct group *g = it->g;
	int64_t max_off = -1, limit_lit = -1;
	json_t *offsets = json_array();
	struct strbuf text = STRBUF_INIT;
	for (unsigned i = 0; i < g->nexamples; i++) {
		agg_example_query(g, &g->examples[i], &text);
		struct adv_query *eq = adv_query_parse(text.buf);
		if (eq && eq->has_offset) {
			int64_t v = eq->offset >= 0 ? eq->offset :
				adv_param_value(g->examples[i].params, eq->offset_param);
			if (v >= 0) {
				json_array_append_new(offsets, json_integer(v));
				if (v > max_off)
					max_off = v;
			}
			int64_t lv = eq->limit >= 0 ? eq->limit :
				adv_param_value(g->examples[i].params, eq->limit_param);
			if (lv > 0 && (limit_lit < 0 || lv < limit_lit))
				limit_lit = lv;
		}
		adv_query_free(eq);
	}
	sb_release(&text);
	const struct plan_node *lim = find_limit(it->plan);
	double fed = -1, returned = -1;
	if (lim && lim->has_actual && lim->nchildren > 0) {
		fed = plan_node_rows(lim->children[0]);
		returned = plan_node_rows(lim);
	}
	bool fed_many = fed >= (double)c->l->min_offset && fed >= 10 * (returned > 1 ? returned : 1);
	if (max_off < c->l->min_offset && !fed_many) {
		json_decref(offsets);
		return;
	}
	struct strbuf sql = STRBUF_INIT;
	struct keyset ks;
	char limbuf[32];
	snprintf(limbuf, sizeof(limbuf), "%lld", (long long)limit_lit);
	sb_str(&sql, "-- keyset pagination: pass the last row's sort values of the previous page\n");
	keyset(c, it, limit_lit > 0 ? limbuf : NULL, &sql, &ks);
	json_t *ev = adv_group_json(c, g);
	json_object_set_new(ev, "offsets_seen", offsets);
	json_object_set_new(ev, "max_offset", max_off >= 0 ? json_integer(max_off) : json_null());
	if (lim)
		json_object_set_new(ev, "limit_node", json_pack("{s:f, s:f}", "rows_fed", fed,
			"rows_returned", returned));
	if (!ks.ok) {
		sb_reset(&sql);
		sb_str(&sql, "-- replace OFFSET by keyset pagination: WHERE (sort columns) > "
			"(last row's values) ORDER BY sort columns LIMIT n");
	} else {
		json_object_set_new(ev, "tie_breaker", ks.tie_source ? json_string(ks.tie) : json_null());
		json_object_set_new(ev, "tie_breaker_source", ks.tie_source ?
			json_string(ks.tie_source) : json_string("none known: add the table's primary key"));
		keyset_index(c, &ks, &sql, ev);
	}
	char off[64];
	if (max_off >= 0)
		snprintf(off, sizeof(off), "OFFSET up to %lld", (long long)max_off);
	else
		snprintf(off, sizeof(off), "Limit fed %.0f rows", fed);
	struct finding *f = adv_add(c, FK_offset_pagination, g->total_ms, adv_band(c, g), g->calls,
		"%s%s%s: page with a keyset instead: %.100s", off, ks.ok ? " on " : "",
		ks.ok ? ks.table : "", g->query);
	finding_set_fingerprint(f, g->fingerprint);
	if (ks.ok)
		finding_set_table(f, ks.table);
	for (size_t i = 0; ks.ok && i < ks.ncols; i++)
		finding_add_column(f, ks.cols[i]);
	json_object_update(f->evidence, ev);
	json_decref(ev);
	finding_set_suggestion(f, "%s", sql.buf);
	adv_item_helped(it, f);
	sb_release(&sql);
}

static void unbounded_one(struct adv_ctx *c, struct adv_item *it)
{
	const struct plan_node *root = it->plan->root;
	if (!root || !root->has_actual)
		return;
	double rows = plan_node_rows(root);
	if (rows < c->l->unbounded_rows)
		return;
	const struct group *g = it->g;
	struct strbuf sql = STRBUF_INIT;
	struct keyset ks;
	sb_str(&sql, "-- fetch it in pages (keyset), or aggregate in SQL instead of reading every row\n");
	keyset(c, it, PAGE_ROWS, &sql, &ks);
	json_t *ev = adv_group_json(c, g);
	json_object_set_new(ev, "rows_returned", json_real(rows));
	json_object_set_new(ev, "plan_root", json_string(root->node_type ? root->node_type : ""));
	if (ks.ok) {
		json_object_set_new(ev, "tie_breaker", ks.tie_source ? json_string(ks.tie) : json_null());
		keyset_index(c, &ks, &sql, ev);
	} else if (it->q->simple_tail) {
		sb_str(&sql, g->query);
		sb_str(&sql, " LIMIT " PAGE_ROWS ";");
	} else {
		sb_reset(&sql);
		sb_str(&sql, "-- add a LIMIT (with keyset pagination), or aggregate in SQL");
	}
	struct finding *f = adv_add(c, FK_unbounded_result, g->total_ms, adv_band(c, g), g->calls,
		"%.0f rows returned without a LIMIT: %.100s", rows, g->query);
	finding_set_fingerprint(f, g->fingerprint);
	json_object_update(f->evidence, ev);
	json_decref(ev);
	finding_set_suggestion(f, "%s", sql.buf);
	adv_item_helped(it, f);
	sb_release(&sql);
}

void adv_page_run(struct adv_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct adv_item *it = &c->items[i];
		/* Without a plan only OFFSET can be advised on, and the parser
		 * sets limitOffset only for the keyword. */
		bool own = !it->plan && adv_text_may_name(it->g->query, "offset");
		if (own)
			it->q = adv_item_parse(it);
		if (!it->q || it->q->kind != ADV_STMT_SELECT)
			goto next;
		if (it->q->has_offset)
			offset_one(c, it);
		else if (!it->q->has_limit && it->plan)
			unbounded_one(c, it);
next:
		if (own) {
			adv_query_free(it->q);
			it->q = NULL;
		}
	}
}
