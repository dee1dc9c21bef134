/* traces_pass.c: the traces sink's finish and the analysis pass of the
 * traces module (traces_pass in traces.h), on the merged result.
 *
 * The finish (before the groups are sorted):
 * 1. Filters: a query span passes --db/--user/--app, --include/--exclude
 *    and --since/--until like a logged call; the window's day is that of
 *    the run's first query span, known only once every input is read.
 * 2. Calls: each passing query span is one call of its fingerprint's
 *    group (source "span"), handed to the sinks that want calls like a
 *    logged one, so a statement seen in the log and in spans is one group
 *    with sources ["log", "span"].
 * The pass:
 * 3. Database time per transaction name.
 * 4. N+1 loops among sibling spans, then the findings of all loops (spans
 *    and logs) and of slow SELECT spans. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "filter.h"
#include "findings.h"
#include "sink.h"
#include "timeutil.h"
#include "traces_int.h"
#include "util.h"

static struct slice cstr(const char *s)
{
	return slice_make(s, strlen(s));
}

static void apply_filters(struct traces *tr, const struct filter *f)
{
	int64_t first = TS_NONE, since = TS_NONE, until = TS_NONE;
	for (size_t i = 0; i < tr->nspans; i++)
		if (tr->spans[i]->is_query && (first == TS_NONE || (int64_t)tr->spans[i]->start_ms < first))
			first = (int64_t)tr->spans[i]->start_ms;
	if (f && first != TS_NONE)
		filter_window(f, first, 0, &since, &until);
	for (size_t i = 0; i < tr->nspans; i++) {
		struct tspan *s = tr->spans[i];
		if (!s->is_query)
			continue;
		int64_t ts = (int64_t)s->start_ms;
		s->passes = !f || (filter_in_window(since, until, ts)
			&& filter_names(f, cstr(s->db), cstr(s->user), cstr(s->app))
			&& filter_text(f, s->norm, strlen(s->norm)));
	}
}

static void add_calls(struct traces *tr, const struct sinks *sinks)
{
	for (size_t i = 0; i < tr->nspans; i++) {
		struct tspan *s = tr->spans[i];
		if (!s->is_query || !s->passes)
			continue;
		/* The worker's cache entry died with it: this one names the
		 * group (fingerprint and text) for the call. */
		struct fp_entry fe = { .fingerprint = s->fp, .lexical = s->lexical,
			.norm = s->norm, .norm_len = strlen(s->norm) };
		struct call c = {
			.fingerprint = s->fp, .entry = &fe,
			.ts_ms = s->start_ms > 0 ? (int64_t)s->start_ms : TS_NONE,
			.timed = true, .duration_ms = s->dur_ms,
			.source = SRC_BIT(SRC_SPAN),
			.query = cstr(s->desc), .params = SLICE_EMPTY,
			.db = cstr(s->db), .user = cstr(s->user), .app = cstr(s->app),
			.pid = -1, .session = SLICE_EMPTY,
		};
		sinks_call(sinks, tr, &c);
	}
}

void tr_finish(struct traces *tr, const struct sink_finish *f)
{
	apply_filters(tr, f->filter);
	add_calls(tr, f->sinks);
}

static struct traces_txn *txn_get(struct traces *tr, const char *name, size_t *cap)
{
	for (size_t i = 0; i < tr->ntxns; i++)
		if (strcmp(tr->txns[i].name, name) == 0)
			return &tr->txns[i];
	if (tr->ntxns == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		tr->txns = xrealloc(tr->txns, *cap * sizeof(*tr->txns));
	}
	struct traces_txn *t = &tr->txns[tr->ntxns++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	return t;
}

static int cmp_txn(const void *pa, const void *pb)
{
	const struct traces_txn *a = pa, *b = pb;
	if (a->db_ms != b->db_ms)
		return a->db_ms > b->db_ms ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int cmp_by_trace(const void *pa, const void *pb)
{
	const struct tspan *a = *(struct tspan *const *)pa, *b = *(struct tspan *const *)pb;
	return strcmp(a->trace_id, b->trace_id);
}

/* Transactions are counted by their segments; a name whose traces carry
 * no segment (a CSV of child spans) counts its distinct trace ids. */
static void transactions(struct traces *tr, struct tspan **q, size_t n)
{
	size_t cap = 0;
	free(tr->txns);
	tr->txns = NULL;
	tr->ntxns = 0;
	for (size_t i = 0; i < tr->nspans; i++) {
		struct tspan *s = tr->spans[i];
		if (!s->is_segment || !*s->transaction)
			continue;
		struct traces_txn *t = txn_get(tr, s->transaction, &cap);
		t->count++;
		t->txn_ms += s->dur_ms;
	}
	struct tspan **v = xmalloc((n ? n : 1) * sizeof(*v));
	memcpy(v, q, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_by_trace);
	size_t with_segments = tr->ntxns;
	for (size_t i = 0; i < n; i++) {
		const char *name = *v[i]->transaction ? v[i]->transaction : "(unknown transaction)";
		struct traces_txn *t = txn_get(tr, name, &cap);
		t->db_spans++;
		t->db_ms += v[i]->dur_ms;
		bool new_trace = i == 0 || strcmp(v[i]->trace_id, v[i - 1]->trace_id) != 0;
		if (new_trace && (size_t)(t - tr->txns) >= with_segments)
			t->count++;
	}
	free(v);
	for (size_t i = 0; i < tr->nocc; i++) {
		if (tr->occ[i].from_log || tr->occ[i].repeats < tr->limits.min_repeats)
			continue;
		txn_get(tr, tr->occ[i].txn, &cap)->loops++;
	}
	if (tr->ntxns)
		qsort(tr->txns, tr->ntxns, sizeof(*tr->txns), cmp_txn);
}

void traces_pass(struct analysis *a, const struct pgsift_options *o)
{
	struct traces *tr = a->traces;
	if (!tr)
		return;
	(void)o;
	size_t n = 0;
	struct tspan **q = xmalloc((tr->nspans ? tr->nspans : 1) * sizeof(*q));
	for (size_t i = 0; i < tr->nspans; i++)
		if (tr->spans[i]->is_query && tr->spans[i]->passes)
			q[n++] = tr->spans[i];
	tr_span_loops(tr, q, n);
	transactions(tr, q, n);
	tr_loop_findings(tr, a->findings);
	tr_slow_findings(tr, a->findings, q, n);
	tr_consecutive_findings(tr, a->findings);
	tr_repeat_findings(tr, a);
	free(q);
}
