/* traces_nplus1.c: N+1 loops among sibling database spans.
 *
 * Sentry's rule, on fingerprints instead of raw descriptions or the SDK's
 * hash: under one parent, the query spans in start order; a run of
 * consecutive spans of one fingerprint (no other query between them) right
 * after a query of another fingerprint (the source) is a loop when it has
 * min_repeats spans and the union of their durations reaches min_loop_ms.
 * Spans that are not queries (middleware, templates, "connect") neither
 * join nor break a run. A loop is named by its parent span ("op:
 * description"), or by the transaction when the parent is not in the
 * input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces_int.h"
#include "util.h"

int tr_cmp_siblings(const void *pa, const void *pb)
{
	const struct tspan *a = *(struct tspan *const *)pa, *b = *(struct tspan *const *)pb;
	int c = strcmp(a->trace_id, b->trace_id);
	if (!c)
		c = strcmp(a->parent_id, b->parent_id);
	if (c)
		return c;
	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int tr_cmp_ids(const void *pa, const void *pb)
{
	const struct tspan *a = *(struct tspan *const *)pa, *b = *(struct tspan *const *)pb;
	int c = strcmp(a->trace_id, b->trace_id);
	return c ? c : strcmp(a->span_id, b->span_id);
}

double tr_union_ms(struct tspan *const *s, size_t n)
{
	double total = 0, cur_start = 0, cur_end = 0;
	bool open = false;
	for (size_t i = 0; i < n; i++) {
		double st = s[i]->start_ms, en = s[i]->start_ms + s[i]->dur_ms;
		if (open && st <= cur_end) {
			if (en > cur_end)
				cur_end = en;
			continue;
		}
		if (open)
			total += cur_end - cur_start;
		cur_start = st;
		cur_end = en;
		open = true;
	}
	if (open)
		total += cur_end - cur_start;
	return total;
}

struct index {
	struct tspan **v;
	size_t n;
};

static const struct tspan *find_span(const struct index *ix, const char *trace,
		const char *id)
{
	struct tspan key = { .trace_id = trace, .span_id = id };
	const struct tspan *kp = &key;
	struct tspan **hit = bsearch(&kp, ix->v, ix->n, sizeof(*ix->v), tr_cmp_ids);
	return hit ? *hit : NULL;
}

static void add_loop(struct traces *tr, const struct index *ix,
		struct tspan *src, struct tspan **rep, size_t n)
{
	if (n < tr->limits.min_repeats)
		return;
	double u = tr_union_ms(rep, n);
	if (u < tr->limits.min_loop_ms)
		return;
	struct loop_occ *o = tr_add_occ(tr);
	o->src_fp = src->fp;
	o->rep_fp = rep[0]->fp;
	o->src_norm = src->norm;
	o->rep_norm = rep[0]->norm;
	o->src_lexical = src->lexical;
	o->rep_lexical = rep[0]->lexical;
	o->txn = *rep[0]->transaction ? rep[0]->transaction : "(unknown transaction)";
	const struct tspan *parent = *rep[0]->parent_id
		? find_span(ix, rep[0]->trace_id, rep[0]->parent_id) : NULL;
	if (parent) {
		char buf[200];
		int k = snprintf(buf, sizeof(buf), "%s: %s", *parent->op ? parent->op : "span",
			parent->desc);
		o->where = tr_strdup(tr, buf, k < 0 ? 0 : (size_t)k >= sizeof(buf) ? sizeof(buf) - 1 : (size_t)k);
	} else {
		o->where = o->txn;
	}
	o->example = *rep[0]->trace_id ? rep[0]->trace_id : rep[0]->span_id;
	o->rep_query = rep[0]->desc;
	o->repeats = (unsigned)n;
	for (size_t i = 0; i < n; i++)
		o->total_ms += rep[i]->dur_ms;
	o->union_ms = u;
	o->ts = (int64_t)rep[0]->start_ms;
}

/* One parent's query spans, in start order. */
static void scan_siblings(struct traces *tr, const struct index *ix,
		struct tspan **s, size_t n)
{
	size_t run = 0;         /* start of the current run */
	for (size_t i = 1; i <= n; i++) {
		if (i < n && s[i]->fp == s[run]->fp)
			continue;
		if (run > 0 && s[run - 1]->fp != s[run]->fp)
			add_loop(tr, ix, s[run - 1], s + run, i - run);
		run = i;
	}
}

void tr_span_loops(struct traces *tr, struct tspan **q, size_t n)
{
	struct index ix = { xmalloc((tr->nspans ? tr->nspans : 1) * sizeof(*ix.v)), 0 };
	for (size_t i = 0; i < tr->nspans; i++)
		if (*tr->spans[i]->span_id)
			ix.v[ix.n++] = tr->spans[i];
	qsort(ix.v, ix.n, sizeof(*ix.v), tr_cmp_ids);
	qsort(q, n, sizeof(*q), tr_cmp_siblings);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(q[j]->trace_id, q[i]->trace_id) == 0
				&& strcmp(q[j]->parent_id, q[i]->parent_id) == 0)
			j++;
		scan_siblings(tr, &ix, q + i, j - i);
		i = j;
	}
	free(ix.v);
}
