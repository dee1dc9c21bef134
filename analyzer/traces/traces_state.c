/* traces_state.c: merged traces in a saved state (see state.h): every
 * span, not yet a call (the finish makes calls of the query spans that
 * pass on the run's first span, so it runs again on the merged spans), and
 * the log loops' occurrences, the repeated reads (traces_repeats.c). The
 * log loops' per-backend runs are settled at the end of each input and are
 * not written. */
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "traces_int.h"

static void span_save(struct st_out *o, const struct tspan *sp)
{
	const char *strs[] = { sp->trace_id, sp->span_id, sp->parent_id,
		sp->transaction, sp->op, sp->desc, sp->db, sp->user, sp->app,
		sp->norm };
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		st_str(o, strs[i]);
	st_f64(o, sp->start_ms);
	st_f64(o, sp->dur_ms);
	st_u64(o, sp->fp);
	st_u8(o, sp->lexical);
	st_u8(o, sp->is_query);
	st_u8(o, sp->is_segment);
	st_u8(o, sp->passes);
	st_u64(o, sp->seq);
}

static void occ_save(struct st_out *o, const struct loop_occ *c)
{
	st_u8(o, c->from_log);
	st_u64(o, c->src_fp);
	st_u64(o, c->rep_fp);
	st_str(o, c->src_norm);
	st_str(o, c->rep_norm);
	st_u8(o, c->src_lexical);
	st_u8(o, c->rep_lexical);
	st_str(o, c->where);
	st_str(o, c->txn);
	st_str(o, c->example);
	st_str(o, c->rep_query);
	st_u32(o, c->repeats);
	st_f64(o, c->total_ms);
	st_f64(o, c->union_ms);
	st_i64(o, c->ts);
}

void traces_state_save(const struct traces *tr, struct st_out *o)
{
	st_u64(o, tr->nread);
	st_u64(o, tr->nqueries);
	st_u64(o, tr->nspans);
	for (size_t i = 0; i < tr->nspans; i++)
		span_save(o, tr->spans[i]);
	st_u64(o, tr->nocc);
	for (size_t i = 0; i < tr->nocc; i++)
		occ_save(o, &tr->occ[i]);
	tr_repeats_save(tr, o);
}

/* A string of the state in tr's arena; NULL stays NULL. */
static const char *get_str(struct traces *tr, struct st_in *in)
{
	size_t len;
	const char *s = st_get_ref(in, &len);
	return s ? tr_strdup(tr, s, strnlen(s, len)) : NULL;
}

static bool span_load(struct traces *tr, struct st_in *in, struct tspan *sp)
{
	const char **strs[] = { &sp->trace_id, &sp->span_id, &sp->parent_id,
		&sp->transaction, &sp->op, &sp->desc, &sp->db, &sp->user, &sp->app,
		&sp->norm };
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		*strs[i] = get_str(tr, in);
		/* Only a query span's text may be missing; the rest are "". */
		if (!*strs[i] && strs[i] != &sp->norm)
			*strs[i] = "";
	}
	sp->start_ms = st_get_f64(in);
	sp->dur_ms = st_get_f64(in);
	sp->fp = st_get_u64(in);
	sp->lexical = st_get_bool(in);
	sp->is_query = st_get_bool(in);
	sp->is_segment = st_get_bool(in);
	sp->passes = st_get_bool(in);
	sp->seq = st_get_u64(in);
	if (sp->is_query && !sp->norm)
		return st_fail(in, "a query span without its text");
	return !in->bad;
}

bool traces_state_load(struct traces *tr, struct st_in *in)
{
	tr->nread = st_get_u64(in);
	tr->nqueries = st_get_u64(in);
	size_t n = st_get_count(in, 40 + 8 * 3 + 4 + 8, 0);
	if (n) {
		tr->spans = xmalloc(n * sizeof(*tr->spans));
		tr->cap = n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct tspan *sp = arena_alloc(tr->arenas[0], sizeof(*sp));
		memset(sp, 0, sizeof(*sp));
		if (!span_load(tr, in, sp))
			break;
		tr->spans[tr->nspans++] = sp;
	}
	tr->input_start = tr->nspans;
	n = st_get_count(in, 80, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct loop_occ *c = tr_add_occ(tr);
		c->from_log = st_get_bool(in);
		c->src_fp = st_get_u64(in);
		c->rep_fp = st_get_u64(in);
		c->src_norm = get_str(tr, in);
		c->rep_norm = get_str(tr, in);
		c->src_lexical = st_get_bool(in);
		c->rep_lexical = st_get_bool(in);
		c->where = get_str(tr, in);
		c->txn = get_str(tr, in);
		c->example = get_str(tr, in);
		c->rep_query = get_str(tr, in);
		const char **strs[] = { &c->src_norm, &c->rep_norm, &c->where,
			&c->txn, &c->example, &c->rep_query };
		for (size_t k = 0; k < ARRAY_SIZE(strs); k++)
			if (!*strs[k])
				*strs[k] = "";
		c->repeats = st_get_u32(in);
		c->total_ms = st_get_f64(in);
		c->union_ms = st_get_f64(in);
		c->ts = st_get_i64(in);
	}
	return !in->bad && tr_repeats_load(tr, in);
}
