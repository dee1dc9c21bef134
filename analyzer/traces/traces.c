/* traces.c: the span store of the traces module (see traces.h).
 *
 * Every span is kept (parents name the loops they hold and segments time
 * their transactions); its strings live in the traces' arenas, which a
 * merge moves over whole. A database query span is fingerprinted here, in
 * the worker, once its SDK placeholders are made server-like. */
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "traces_int.h"
#include "util.h"

/* Longest description kept for spans that are not queries (parents are
 * shown by it; the rest is noise). */
#define OTHER_DESC_MAX 160

void traces_limits_default(struct traces_limits *l)
{
	l->min_repeats = 5;
	l->min_loop_ms = 50;
	l->max_gap_ms = 1000;
	/* Sentry's slow DB query detector: the system option
	 * performance.issues.slow_db_query.duration_threshold, 500 ms in
	 * src/sentry/options/defaults.py (1000 ms in older releases). */
	l->slow_span_ms = 500;
}

struct traces *traces_new(struct fp_cache *fp)
{
	struct traces *tr = xcalloc(1, sizeof(*tr));
	tr->fp = fp;
	traces_limits_default(&tr->limits);
	tr->arenas = xmalloc(sizeof(*tr->arenas));
	tr->arenas[0] = arena_new();
	if (!tr->arenas[0])
		abort();
	tr->narenas = 1;
	return tr;
}

void traces_free(struct traces *tr)
{
	if (!tr)
		return;
	for (size_t i = 0; i < tr->narenas; i++)
		arena_free(tr->arenas[i]);
	free(tr->arenas);
	free(tr->spans);
	free(tr->occ);
	free(tr->txns);
	tr_log_free(tr);
	tr_repeats_free(tr);
	sb_release(&tr->scratch);
	sb_release(&tr->sql);
	free(tr);
}

void traces_set_limits(struct traces *tr, const struct traces_limits *l)
{
	tr->limits = *l;
}

static const char *dup_slice(struct traces *tr, struct slice s)
{
	return tr_strdup(tr, s.ptr, s.len);
}

void traces_span(struct traces *tr, const struct span_record *s)
{
	struct tspan *sp = arena_alloc(tr->arenas[0], sizeof(*sp));
	memset(sp, 0, sizeof(*sp));
	tr->nread++;
	sp->seq = tr->nread;
	sp->trace_id = dup_slice(tr, s->trace_id);
	sp->span_id = dup_slice(tr, s->span_id);
	sp->parent_id = dup_slice(tr, s->parent_id);
	sp->transaction = dup_slice(tr, s->transaction);
	sp->op = dup_slice(tr, s->op);
	sp->db = dup_slice(tr, s->db);
	sp->user = dup_slice(tr, s->user);
	sp->app = dup_slice(tr, s->app);
	sp->start_ms = s->start_ms;
	sp->dur_ms = s->duration_ms > 0 ? s->duration_ms : 0;
	sp->is_segment = s->is_segment;
	sp->is_query = s->is_db && tr->fp;
	struct slice d = s->description;
	if (sp->is_query) {
		traces_sql_unscrub(d.ptr, d.len, &tr->sql);
		struct fp_entry *e = fp_cache_get(tr->fp, tr->sql.buf, tr->sql.len, &tr->scratch);
		sp->fp = e->fingerprint;
		sp->lexical = e->lexical;
		sp->norm = tr_strdup(tr, e->norm, e->norm_len);
		sp->desc = dup_slice(tr, d);
		tr->nqueries++;
	} else {
		sp->desc = tr_strdup(tr, d.ptr, d.len > OTHER_DESC_MAX ? OTHER_DESC_MAX : d.len);
	}
	if (tr->nspans == tr->cap) {
		tr->cap = tr->cap ? tr->cap * 2 : 256;
		tr->spans = xrealloc(tr->spans, tr->cap * sizeof(*tr->spans));
	}
	tr->spans[tr->nspans++] = sp;
}

void traces_call(struct traces *tr, const struct call *c)
{
	tr_log_call(tr, c);
	tr_repeat_call(tr, c);
}

static int cmp_trace(const void *pa, const void *pb)
{
	const struct tspan *a = *(struct tspan *const *)pa, *b = *(struct tspan *const *)pb;
	int c = strcmp(a->trace_id, b->trace_id);
	if (c)
		return c;
	/* Segments first, then spans naming their transaction. */
	if (a->is_segment != b->is_segment)
		return a->is_segment ? -1 : 1;
	if (!*a->transaction != !*b->transaction)
		return *a->transaction ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Spans that do not name their transaction (span-first, OTLP, CSV rows of
 * child spans) take their trace's. */
static void resolve_transactions(struct traces *tr)
{
	size_t n = tr->nspans - tr->input_start;
	if (!n)
		return;
	struct tspan **v = xmalloc(n * sizeof(*v));
	memcpy(v, tr->spans + tr->input_start, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_trace);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		const char *name = v[i]->transaction;
		while (j < n && strcmp(v[j]->trace_id, v[i]->trace_id) == 0) {
			if (!*v[j]->transaction && *v[i]->trace_id)
				v[j]->transaction = name;
			j++;
		}
		i = j;
	}
	free(v);
}

void traces_end_input(struct traces *tr)
{
	resolve_transactions(tr);
	tr->input_start = tr->nspans;
	tr_log_end_input(tr);
}

void traces_merge(struct traces *dst, struct traces *src)
{
	dst->arenas = xrealloc(dst->arenas, (dst->narenas + src->narenas) * sizeof(*dst->arenas));
	for (size_t i = 0; i < src->narenas; i++)
		dst->arenas[dst->narenas++] = src->arenas[i];
	/* src keeps a fresh arena of its own, so that it stays usable. */
	src->arenas[0] = arena_new();
	if (!src->arenas[0])
		abort();
	src->narenas = 1;

	if (dst->nspans + src->nspans > dst->cap) {
		dst->cap = dst->nspans + src->nspans;
		dst->spans = xrealloc(dst->spans, dst->cap * sizeof(*dst->spans));
	}
	for (size_t i = 0; i < src->nspans; i++) {
		src->spans[i]->seq += dst->nread;
		dst->spans[dst->nspans++] = src->spans[i];
	}
	dst->input_start = dst->nspans;
	dst->nread += src->nread;
	dst->nqueries += src->nqueries;
	src->nspans = src->input_start = 0;
	src->nread = src->nqueries = 0;

	for (size_t i = 0; i < src->nocc; i++)
		*tr_add_occ(dst) = src->occ[i];
	src->nocc = 0;
	tr_repeats_merge(dst, src);
}

void traces_counts(const struct traces *tr, uint64_t *spans, uint64_t *db_spans)
{
	*spans = tr->nread;
	*db_spans = tr->nqueries;
}

const struct traces_txn *traces_transactions(const struct traces *tr, size_t *n)
{
	*n = tr->ntxns;
	return tr->txns;
}

json_t *traces_json(const struct traces *tr)
{
	json_t *o = json_object();
	json_t *arr = json_array();
	if (!o || !arr) {
		json_decref(o);
		json_decref(arr);
		return NULL;
	}
	json_object_set_new(o, "spans", json_integer((json_int_t)tr->nread));
	json_object_set_new(o, "db_spans", json_integer((json_int_t)tr->nqueries));
	for (size_t i = 0; i < tr->ntxns; i++) {
		const struct traces_txn *t = &tr->txns[i];
		json_t *e = json_object();
		if (!e)
			break;
		json_object_set_new(e, "name", json_string(t->name));
		json_object_set_new(e, "count", json_integer((json_int_t)t->count));
		json_object_set_new(e, "db_spans", json_integer((json_int_t)t->db_spans));
		json_object_set_new(e, "db_ms", json_real((double)(int64_t)(t->db_ms * 1000 + 0.5) / 1000));
		json_object_set_new(e, "txn_ms", json_real((double)(int64_t)(t->txn_ms * 1000 + 0.5) / 1000));
		if (t->txn_ms > 0)
			json_object_set_new(e, "db_share", json_real((double)(int64_t)(t->db_ms / t->txn_ms * 1000 + 0.5) / 1000));
		else
			json_object_set_new(e, "db_share", json_null());
		json_object_set_new(e, "n_plus_one", json_integer((json_int_t)t->loops));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "transactions", arr);
	return o;
}

/* ---- the traces sink ---- */

static void sink_consume(void *state, size_t input, const struct record *r)
{
	(void)input;
	traces_span(state, &r->u.span);
}

static void sink_call(void *state, const struct call *c)
{
	traces_call(state, c);
}

static void sink_end_input(void *state, size_t input)
{
	(void)input;
	traces_end_input(state);
}

static void sink_merge(void *dst, void *src)
{
	traces_merge(dst, src);
}

static void sink_finish(void *state, const struct sink_finish *f)
{
	tr_finish(state, f);
}

static void sink_free(void *state)
{
	traces_free(state);
}

static void sink_begin_range(void *state)
{
	tr_log_begin_range(state);
}

static void sink_hand_over(void *state, void *from, int64_t pid)
{
	tr_log_hand_over(state, from, pid);
}

const struct sink_ops traces_sink_ops = {
	.name = "traces",
	.kinds = REC_BIT(REC_SPAN),
	.consume = sink_consume,
	.call = sink_call,
	.end_input = sink_end_input,
	.merge = sink_merge,
	.finish = sink_finish,
	.free = sink_free,
	.begin_range = sink_begin_range,
	.hand_over = sink_hand_over,
};
