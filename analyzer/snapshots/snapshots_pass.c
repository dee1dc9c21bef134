/* snapshots_pass.c: the snapshots sink (see snapshots.h) and its finish,
 * which orders the snapshots of each view, takes the difference between
 * the first and the last, joins pg_stat_statements to the fingerprint
 * groups, and builds the tables and indexes that the findings, the
 * writers and the advice pass read; the pass then adds the findings. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "agg.h"
#include "filter.h"
#include "sink.h"
#include "snapshots_int.h"
#include "stmt_kind.h"
#include "timeutil.h"

/* Parser ids (parsers/stats_csv.c) to views: an input of one of these
 * formats is a snapshot even when it has no rows. */
static enum stat_view view_of_format(const char *id)
{
	static const struct { const char *id; enum stat_view v; } map[] = {
		{ "pgss-csv", STAT_PGSS }, { "indexes-csv", STAT_INDEXES },
		{ "tables-csv", STAT_TABLES }, { "statio-csv", STAT_STATIO_TABLES },
		{ "database-age-csv", STAT_DB_AGE }, { "relation-age-csv", STAT_REL_AGE },
	};
	for (size_t i = 0; id && i < ARRAY_SIZE(map); i++)
		if (strcmp(map[i].id, id) == 0)
			return map[i].v;
	return 0;
}

/* Inputs read as snapshots but without a row (a header alone: an empty
 * view, e.g. right after pg_stat_statements_reset()) still count. */
static void add_empty_inputs(struct snapshots *sn, const struct analysis *a)
{
	for (size_t i = 0; i < a->ninputs; i++) {
		enum stat_view v = view_of_format(a->inputs[i].format);
		if (!v || a->inputs[i].unreadable)
			continue;
		sn->given = true;
		bool seen = false;
		for (size_t k = 0; k < sn->nin && !seen; k++)
			seen = sn->in[k]->input == i;
		if (seen)
			continue;
		struct snap_input *in = xcalloc(1, sizeof(*in));
		in->input = i;
		in->view = v;
		in->captured_at = TS_NONE;
		if (sn->nin == sn->capin) {
			sn->capin = sn->capin ? sn->capin * 2 : 8;
			sn->in = xrealloc(sn->in, sn->capin * sizeof(*sn->in));
		}
		sn->in[sn->nin++] = in;
	}
	if (sn->nin)
		sn->given = true;
}

static int cmp_by_input(const void *pa, const void *pb)
{
	const struct snap_input *x = *(struct snap_input *const *)pa;
	const struct snap_input *y = *(struct snap_input *const *)pb;
	return x->input < y->input ? -1 : x->input > y->input;
}

static int cmp_by_time(const void *pa, const void *pb)
{
	const struct snap_input *x = *(struct snap_input *const *)pa;
	const struct snap_input *y = *(struct snap_input *const *)pb;
	if (x->captured_at != y->captured_at)
		return x->captured_at < y->captured_at ? -1 : 1;
	return cmp_by_input(pa, pb);
}

static int cmp_row_key(const void *pa, const void *pb)
{
	const struct snap_row *x = *(struct snap_row *const *)pa;
	const struct snap_row *y = *(struct snap_row *const *)pb;
	return strcmp(x->key, y->key);
}

static const struct snap_row *find_row(struct snap_row **sorted, size_t n,
		const struct snap_row *r)
{
	struct snap_row *const *hit = bsearch(&r, sorted, n, sizeof(*sorted), cmp_row_key);
	return hit ? *hit : NULL;
}

/* The window's values of every row of last, given first (NULL: one
 * snapshot, cumulative values). */
static void diff_view(struct snapshots *sn, enum stat_view v,
		const struct snap_input *first, const struct snap_input *last)
{
	size_t ncols;
	const struct col_spec *cols = snap_cols(v, &ncols);
	struct snap_view_info *info = &sn->info[v];
	struct snap_row **sorted = NULL;
	size_t nf = first ? first->n : 0;

	if (nf) {
		sorted = xmalloc(nf * sizeof(*sorted));
		for (size_t i = 0; i < nf; i++)
			sorted[i] = &first->rows[i];
		qsort(sorted, nf, sizeof(*sorted), cmp_row_key);
	}
	sn->delta[v] = xcalloc(last->n ? last->n : 1, sizeof(struct snap_delta));
	sn->ndelta[v] = last->n;
	size_t matched = 0;
	for (size_t i = 0; i < last->n; i++) {
		const struct snap_row *l = &last->rows[i];
		const struct snap_row *f = nf ? find_row(sorted, nf, l) : NULL;
		struct snap_delta *d = &sn->delta[v][i];
		d->last = l;
		d->has = l->has;
		d->fresh = first && !f;
		d->ever_scans = v == STAT_INDEXES && (l->has & (1u << I_SCAN)) ?
			l->num[I_SCAN] : -1;
		matched += f != NULL;
		for (size_t c = 0; c < ncols && f; c++)
			if (cols[c].kind == CK_COUNTER && (l->has & f->has & (1u << c)) &&
					l->num[c] < f->num[c])
				d->reset = true;
		for (size_t c = 0; c < ncols; c++) {
			d->num[c] = l->num[c];
			if (cols[c].kind == CK_COUNTER && f && !d->reset &&
					(l->has & f->has & (1u << c)))
				d->num[c] = l->num[c] - f->num[c];
		}
		info->resets += d->reset;
	}
	info->gone = nf - matched;
	info->rows = last->n;
	free(sorted);
	const char *name = snapshots_view_name(v);
	if (info->resets)
		snap_note(sn, "%s: %zu of %zu rows have counters lower in the last "
			"snapshot than in the first (a statistics reset in between): their "
			"figures are the last snapshot's alone", name, info->resets, last->n);
	if (first && info->gone)
		snap_note(sn, "%s: %zu rows of the first snapshot are not in the last "
			"(dropped, evicted or reset): left out", name, info->gone);
}

static void order_views(struct snapshots *sn)
{
	struct snap_input **list = xmalloc((sn->nin ? sn->nin : 1) * sizeof(*list));
	for (int v = STAT_PGSS; v <= STAT_VIEW_LAST; v++) {
		size_t n = 0, timed = 0;
		for (size_t i = 0; i < sn->nin; i++) {
			if (sn->in[i]->view != (enum stat_view)v)
				continue;
			list[n++] = sn->in[i];
			timed += sn->in[i]->captured_at != TS_NONE;
		}
		struct snap_view_info *info = &sn->info[v];
		info->snapshots = n;
		info->first_ts = info->last_ts = TS_NONE;
		if (n == 0)
			continue;
		info->ordered_by_time = timed == n;
		qsort(list, n, sizeof(*list), timed == n ? cmp_by_time : cmp_by_input);
		if (n > 1 && timed != n)
			snap_note(sn, "%s: %s snapshots have a captured_at column: "
				"ordered as given on the command line", snapshots_view_name(v),
				timed ? "not all" : "no");
		info->first_ts = list[0]->captured_at;
		info->last_ts = list[n - 1]->captured_at;
		info->diffed = n > 1;
		if (n > 2)
			snap_note(sn, "%s: %zu snapshots: the first and the last are "
				"compared, the ones between are not used",
				snapshots_view_name(v), n);
		diff_view(sn, v, n > 1 ? list[0] : NULL, list[n - 1]);
	}
	free(list);
}

/* ---- pg_stat_statements and the groups ---- */

static int cmp_delta_fp(const void *pa, const void *pb)
{
	const struct snap_delta *x = pa, *y = pb;
	if (x->last->fp != y->last->fp)
		return x->last->fp < y->last->fp ? -1 : 1;
	return strcmp(x->last->key, y->last->key);
}

static int cmp_stmt(const void *pa, const void *pb)
{
	const struct snap_stmt *x = pa, *y = pb;
	if (x->total_ms != y->total_ms)
		return x->total_ms > y->total_ms ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return x->fingerprint < y->fingerprint ? -1 : x->fingerprint > y->fingerprint;
}

static void sum(double *to, const struct snap_delta *d, int col)
{
	if (!snap_has(d, col))
		return;
	*to = (*to < 0 ? 0 : *to) + d->num[col];
}

static void bump_name(struct name_counts *nc, const char *name, uint64_t n)
{
	for (uint32_t i = 0; i < nc->n; i++)
		if (nc->v[i].name == name || strcmp(nc->v[i].name, name) == 0) {
			nc->v[i].count += n;
			return;
		}
}

/* ---- what the logs already counted ----
 *
 * pg_stat_statements counts each statement of a multi-statement simple
 * query ("SET application_name = ...; UPDATE ...; COMMIT") on its own;
 * the log counts the text once, with one duration for all of it. Each
 * statement of such a logged text is "covered": joined to the text's
 * group, never added as a group of its own (that counted its time twice:
 * 768 ms more on the workload's run). */

struct cover {
	uint64_t fp;            /* a statement's fingerprint */
	struct group *host;     /* the logged text holding it */
};

struct logged {
	uint64_t *fps;          /* the groups with calls, sorted */
	size_t nfps;
	struct cover *cov;      /* sorted by fp */
	size_t ncov;
};

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;
	return x < y ? -1 : x > y;
}

static int cmp_cover(const void *pa, const void *pb)
{
	const struct cover *x = pa, *y = pb;
	if (x->fp != y->fp)
		return x->fp < y->fp ? -1 : 1;
	/* The busiest holder first: one host per statement, the same
	 * whatever order the groups came in. */
	if (x->host->calls != y->host->calls)
		return x->host->calls > y->host->calls ? -1 : 1;
	return x->host->fingerprint < y->host->fingerprint ? -1 :
		x->host->fingerprint > y->host->fingerprint;
}

static void logged_build(struct logged *lg, struct analysis *a)
{
	size_t n;
	struct group **gs = agg_sorted(a->agg, &n);
	struct fp_cache *fc = NULL;
	size_t cap = 0;

	memset(lg, 0, sizeof(*lg));
	lg->fps = xmalloc((n ? n : 1) * sizeof(*lg->fps));
	for (size_t i = 0; i < n; i++) {
		struct group *g = gs[i];
		if (!g->calls)
			continue;
		lg->fps[lg->nfps++] = g->fingerprint;
		const char *q = g->query ? g->query : "";
		size_t len = stmt_first_len(q);
		if (!q[len])
			continue;       /* one statement */
		if (!fc)
			fc = fp_cache_new();
		for (const char *p = q; *p; ) {
			len = stmt_first_len(p);
			while (len && p[len - 1] == ' ')
				len--;
			while (len && *p == ' ') {
				p++;
				len--;
			}
			if (len) {
				struct fp_entry *e = fp_cache_get_normalized(fc, p, len);
				if (lg->ncov == cap) {
					cap = cap ? cap * 2 : 16;
					lg->cov = xrealloc(lg->cov, cap * sizeof(*lg->cov));
				}
				lg->cov[lg->ncov++] = (struct cover){ e->fingerprint, g };
			}
			p += stmt_first_len(p);
			if (*p == ';')
				p++;
		}
	}
	fp_cache_free(fc);
	qsort(lg->fps, lg->nfps, sizeof(*lg->fps), cmp_u64);
	if (lg->ncov)
		qsort(lg->cov, lg->ncov, sizeof(*lg->cov), cmp_cover);
}

static struct group *logged_host(const struct logged *lg, uint64_t fp)
{
	size_t lo = 0, hi = lg->ncov;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (lg->cov[mid].fp < fp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < lg->ncov && lg->cov[lo].fp == fp ? lg->cov[lo].host : NULL;
}

static void logged_free(struct logged *lg)
{
	free(lg->fps);
	free(lg->cov);
}

/* Joins one fingerprint's figures to its group (see snapshots.h on why a
 * group the logs saw keeps the logs' figures). A statement the logs saw
 * only inside a multi-statement text joins that text's group; one that
 * only ever ran nested (toplevel false: in a function, a DO block) is
 * in its caller's time already. Only the rest, and of it the top-level
 * calls, is added where the logs have nothing. */
static void join_group(struct analysis *a, struct snap_stmt *s,
		const struct logged *lg)
{
	struct group *host = NULL;
	if (!bsearch(&s->fingerprint, lg->fps, lg->nfps, sizeof(*lg->fps), cmp_u64))
		host = logged_host(lg, s->fingerprint);
	if (host) {
		s->in_logs = true;
		s->log_calls = host->calls;
		s->has_within = true;
		s->within = host->fingerprint;
		host->sources |= SRC_BIT(SRC_PGSS);
		return;
	}
	bool in_logs = bsearch(&s->fingerprint, lg->fps, lg->nfps,
			sizeof(*lg->fps), cmp_u64) != NULL;
	double top_calls = s->calls - (s->nested_calls > 0 ? s->nested_calls : 0);
	if (!in_logs && top_calls < 1)
		return;         /* nested only: its callers hold its time */
	struct group *g = agg_group_get(a->agg, s->fingerprint, s->query, s->lexical);
	s->in_logs = g->calls > 0;
	s->log_calls = g->calls;
	s->query = g->query;
	if (s->in_logs || s->calls < 1) {
		g->sources |= SRC_BIT(SRC_PGSS);
		return;
	}
	const char *db = s->datname ? s->datname : "";
	struct call c = {
		.fingerprint = s->fingerprint, .ts_ms = TS_NONE, .timed = false,
		.source = SRC_BIT(SRC_PGSS), .query = SLICE_EMPTY, .params = SLICE_EMPTY,
		.db = slice_make(db, strlen(db)), .user = SLICE_EMPTY, .app = SLICE_EMPTY,
		.pid = -1, .session = SLICE_EMPTY,
	};
	agg_add_call_to(a->agg, g, &c);
	uint64_t more = top_calls >= 1 ? (uint64_t)clamp_i64(top_calls) - 1 : 0;
	g->calls += more;
	g->total_ms += s->total_ms - s->nested_ms;
	bump_name(&g->dbs, db, more);
	bump_name(&g->users, "", more);
	bump_name(&g->apps, "", more);
}

static void build_statements(struct snapshots *sn, struct analysis *a,
		const struct pgsift_options *o)
{
	size_t n = sn->ndelta[STAT_PGSS];
	struct snap_delta *d = sn->delta[STAT_PGSS];
	if (!n)
		return;
	char *err = NULL;
	struct filter *flt = o ? filter_new(o, &err) : NULL;
	free(err);
	qsort(d, n, sizeof(*d), cmp_delta_fp);
	sn->stmts = xcalloc(n, sizeof(*sn->stmts));
	size_t filtered = 0;
	for (size_t i = 0; i < n; i++) {
		const struct snap_row *r = d[i].last;
		double calls = snap_num(&d[i], P_CALLS);
		if (calls <= 0)
			continue;       /* not run in the window */
		const char *db = r->text[P_DATNAME];
		if (flt && (!filter_names_present(flt, db ? slice_make(db, strlen(db)) :
				SLICE_EMPTY, SLICE_EMPTY, SLICE_EMPTY) ||
				!filter_text(flt, r->norm, strlen(r->norm)))) {
			filtered++;
			continue;
		}
		struct snap_stmt *s = sn->nstmts ? &sn->stmts[sn->nstmts - 1] : NULL;
		if (!s || s->fingerprint != r->fp) {
			s = &sn->stmts[sn->nstmts++];
			s->fingerprint = r->fp;
			s->query = r->norm;
			s->lexical = r->lexical;
			s->datname = db;
			s->blks_hit = s->blks_read = s->temp_read = s->temp_written = -1;
			s->wal_bytes = s->min_ms = s->max_ms = -1;
		}
		s->entries++;
		s->calls += calls;
		s->total_ms += snap_num(&d[i], P_EXEC) > 0 ? d[i].num[P_EXEC] : 0;
		s->plan_ms += snap_num(&d[i], P_PLAN) > 0 ? d[i].num[P_PLAN] : 0;
		s->rows += snap_num(&d[i], P_ROWS) > 0 ? d[i].num[P_ROWS] : 0;
		sum(&s->blks_hit, &d[i], P_HIT);
		sum(&s->blks_read, &d[i], P_READ);
		sum(&s->temp_read, &d[i], P_TEMP_READ);
		sum(&s->temp_written, &d[i], P_TEMP_WRITTEN);
		sum(&s->wal_bytes, &d[i], P_WAL_BYTES);
		if (snap_has(&d[i], P_MIN) && (s->min_ms < 0 || d[i].num[P_MIN] < s->min_ms))
			s->min_ms = d[i].num[P_MIN];
		if (snap_has(&d[i], P_MAX) && d[i].num[P_MAX] > s->max_ms)
			s->max_ms = d[i].num[P_MAX];
		if (r->text[P_TOPLEVEL] && !snap_truthy(r->text[P_TOPLEVEL])) {
			s->nested_calls += calls;
			s->nested_ms += snap_num(&d[i], P_EXEC) > 0 ? d[i].num[P_EXEC] : 0;
		}
		s->reset |= d[i].reset;
	}
	filter_free(flt);
	if (filtered)
		snap_note(sn, "pg_stat_statements: %zu entries left out by --db, "
			"--include or --exclude", filtered);
	struct logged lg;
	logged_build(&lg, a);
	for (size_t i = 0; i < sn->nstmts; i++)
		join_group(a, &sn->stmts[i], &lg);
	logged_free(&lg);
	qsort(sn->stmts, sn->nstmts, sizeof(*sn->stmts), cmp_stmt);
}

/* ---- tables and indexes ---- */

static int64_t i64(const struct snap_delta *d, int col)
{
	return d && snap_has(d, col) ? clamp_i64(d->num[col]) : -1;
}

static int cmp_table(const void *pa, const void *pb)
{
	const struct snap_table *x = pa, *y = pb;
	int c = strcmp(x->schema ? x->schema : "", y->schema ? y->schema : "");
	return c ? c : strcmp(x->name, y->name);
}

static struct snap_table *table_slot(struct snapshots *sn, const struct snap_row *r)
{
	const char *schema = r->text[T_SCHEMA], *name = r->text[T_TABLE];
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		if (strcmp(t->name, name) == 0 &&
				strcmp(t->schema ? t->schema : "", schema ? schema : "") == 0)
			return t;
	}
	struct snap_table *t = &sn->tables[sn->ntables++];
	memset(t, 0, sizeof(*t));
	t->schema = schema;
	t->name = name;
	int64_t *all[] = { &t->seq_scan, &t->seq_tup_read, &t->idx_scan,
		&t->idx_tup_fetch, &t->n_tup_ins, &t->n_tup_upd, &t->n_tup_del,
		&t->n_live_tup, &t->n_dead_tup, &t->rows_estimate, &t->bytes,
		&t->heap_blks_read, &t->heap_blks_hit, &t->idx_blks_read,
		&t->idx_blks_hit, &t->vacuums, &t->n_tup_hot_upd, &t->n_mod_since_analyze };
	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		*all[k] = -1;
	return t;
}

/* Sets *to from col when the row has it (statio after tables: a dump of
 * pg_statio_user_tables wins for the block counters). */
static void take(int64_t *to, const struct snap_delta *d, int col)
{
	if (snap_has(d, col))
		*to = clamp_i64(d->num[col]);
}

static void build_tables(struct snapshots *sn)
{
	size_t cap = sn->ndelta[STAT_TABLES] + sn->ndelta[STAT_STATIO_TABLES];
	sn->tables = xcalloc(cap ? cap : 1, sizeof(*sn->tables));
	static const enum stat_view views[] = { STAT_TABLES, STAT_STATIO_TABLES };
	for (size_t v = 0; v < ARRAY_SIZE(views); v++) {
		for (size_t i = 0; i < sn->ndelta[views[v]]; i++) {
			const struct snap_delta *d = &sn->delta[views[v]][i];
			if (!d->last->text[T_TABLE])
				continue;
			struct snap_table *t = table_slot(sn, d->last);
			take(&t->seq_scan, d, T_SEQ_SCAN);
			take(&t->seq_tup_read, d, T_SEQ_TUP);
			take(&t->idx_scan, d, T_IDX_SCAN);
			take(&t->idx_tup_fetch, d, T_IDX_FETCH);
			take(&t->n_tup_ins, d, T_INS);
			take(&t->n_tup_upd, d, T_UPD);
			take(&t->n_tup_del, d, T_DEL);
			take(&t->n_live_tup, d, T_LIVE);
			take(&t->n_dead_tup, d, T_DEAD);
			take(&t->bytes, d, T_BYTES);
			take(&t->heap_blks_read, d, T_HEAP_READ);
			take(&t->heap_blks_hit, d, T_HEAP_HIT);
			take(&t->idx_blks_read, d, T_IDXB_READ);
			take(&t->idx_blks_hit, d, T_IDXB_HIT);
			take(&t->n_tup_hot_upd, d, T_HOT_UPD);
			take(&t->n_mod_since_analyze, d, T_MOD_ANALYZE);
			if (snap_has(d, T_VACUUMS) || snap_has(d, T_AUTOVACUUMS))
				t->vacuums = clamp_i64((snap_has(d, T_VACUUMS) ? d->num[T_VACUUMS] : 0) +
					(snap_has(d, T_AUTOVACUUMS) ? d->num[T_AUTOVACUUMS] : 0));
			const struct snap_row *r = d->last;
			if (r->text[T_LAST_VACUUM])
				t->last_vacuum = r->text[T_LAST_VACUUM];
			if (r->text[T_LAST_AUTOVACUUM])
				t->last_autovacuum = r->text[T_LAST_AUTOVACUUM];
			if (r->text[T_LAST_ANALYZE])
				t->last_analyze = r->text[T_LAST_ANALYZE];
			if (r->text[T_LAST_AUTOANALYZE])
				t->last_autoanalyze = r->text[T_LAST_AUTOANALYZE];
			/* n_live_tup is 0 after pg_stat_reset() until the next
			 * (auto)analyze: the rows a sequential scan read on average
			 * (since the reset) are the next best measure of size. */
			if (t->n_live_tup > 0)
				t->rows_estimate = t->n_live_tup;
			else if ((r->has & (1u << T_SEQ_SCAN)) && (r->has & (1u << T_SEQ_TUP)) &&
					r->num[T_SEQ_SCAN] > 0)
				t->rows_estimate = clamp_i64(r->num[T_SEQ_TUP] / r->num[T_SEQ_SCAN]);
			else if (t->n_live_tup == 0)
				t->rows_estimate = 0;
		}
	}
	qsort(sn->tables, sn->ntables, sizeof(*sn->tables), cmp_table);
}

static void build_indexes(struct snapshots *sn)
{
	size_t n = sn->ndelta[STAT_INDEXES];
	sn->indexes = xcalloc(n ? n : 1, sizeof(*sn->indexes));
	for (size_t i = 0; i < n; i++) {
		const struct snap_delta *d = &sn->delta[STAT_INDEXES][i];
		const struct snap_row *r = d->last;
		if (!r->text[I_NAME])
			continue;
		struct snap_index *x = &sn->indexes[sn->nindexes++];
		x->schema = r->text[I_SCHEMA];
		x->table = r->text[I_TABLE];
		x->name = r->text[I_NAME];
		x->indexdef = r->text[I_DEF];
		const char *def = x->indexdef ? x->indexdef : "";
		x->unique = r->text[I_UNIQUE] ? snap_truthy(r->text[I_UNIQUE]) :
			strncmp(def, "CREATE UNIQUE ", 14) == 0;
		size_t len = strlen(x->name);
		x->primary = r->text[I_PRIMARY] ? snap_truthy(r->text[I_PRIMARY]) :
			len > 5 && strcmp(x->name + len - 5, "_pkey") == 0;
		if (x->primary)
			x->unique = true;
		x->scans = i64(d, I_SCAN);
		x->scans_ever = d->ever_scans >= 0 ? clamp_i64(d->ever_scans) : -1;
		x->bytes = i64(d, I_BYTES);
		x->tup_read = i64(d, I_TUP_READ);
	}
}

void snapshots_pass(struct analysis *a, const struct pgsift_options *o)
{
	struct snapshots *sn = a->snapshots;
	(void)o;
	if (!sn || !sn->given)
		return;
	snap_findings(sn, a);
}

/* ---- the snapshots sink ---- */

static void sink_consume(void *state, size_t input, const struct record *r)
{
	snapshots_row(state, input, &r->u.row);
}

static void sink_end_input(void *state, size_t input)
{
	snapshots_end_input(state, input);
}

static void sink_merge(void *dst, void *src)
{
	snapshots_merge(dst, src);
}

/* pg_stat_statements rows become groups here, before the groups are
 * sorted: the passes after it only add findings. */
static void sink_finish(void *state, const struct sink_finish *f)
{
	struct snapshots *sn = state;
	add_empty_inputs(sn, f->a);
	if (!sn->given)
		return;
	order_views(sn);
	build_statements(sn, f->a, f->opts);
	build_tables(sn);
	build_indexes(sn);
	snap_build_ages(sn);
}

static void sink_free(void *state)
{
	snapshots_free(state);
}

const struct sink_ops snapshots_sink_ops = {
	.name = "snapshots",
	.kinds = REC_BIT(REC_STAT_ROW),
	.consume = sink_consume,
	.end_input = sink_end_input,
	.merge = sink_merge,
	.finish = sink_finish,
	.free = sink_free,
};
