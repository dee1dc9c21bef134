/* snapshots_findings.c: what the statistics views say is wrong:
 * unused_index, duplicate_index, table_bloat, seq_scan_heavy and
 * low_cache_hit, each with the SQL to run and the numbers behind it (the
 * thresholds are in snapshots.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "findings.h"
#include "plan.h"
#include "snapshots_int.h"
#include "strbuf.h"

/* "schema.name", or the name alone; in buf. */
static const char *qualified(const char *schema, const char *name, char *buf, size_t n)
{
	if (schema && *schema)
		snprintf(buf, n, "%s.%s", schema, name ? name : "");
	else
		snprintf(buf, n, "%s", name ? name : "");
	return buf;
}

static const char *fmt_bytes(int64_t b, char *buf, size_t n)
{
	if (b < 0)
		snprintf(buf, n, "size unknown");
	else if (b >= 1 << 30)
		snprintf(buf, n, "%.1f GB", (double)b / (1 << 30));
	else if (b >= 1 << 20)
		snprintf(buf, n, "%.1f MB", (double)b / (1 << 20));
	else
		snprintf(buf, n, "%.0f kB", (double)b / 1024);
	return buf;
}

static void ev_int(struct finding *f, const char *key, int64_t v)
{
	json_object_set_new(f->evidence, key, v < 0 ? json_null() : json_integer(v));
}

static void ev_real(struct finding *f, const char *key, double v)
{
	json_object_set_new(f->evidence, key, v < 0 ? json_null() : json_real(v));
}

static void ev_str(struct finding *f, const char *key, const char *s)
{
	json_object_set_new(f->evidence, key, s ? json_string(s) : json_null());
}

static void ev_window(struct finding *f, const struct snap_view_info *vi)
{
	json_object_set_new(f->evidence, "window", json_string(vi->diffed ?
		"between the first and the last snapshot" :
		"since the statistics were last reset (one snapshot)"));
}

/* ---- index definitions ---- */

/* What pg_get_indexdef() says of an index:
 * CREATE [UNIQUE] INDEX name ON [ONLY] table USING method (keys)
 *   [INCLUDE (cols)] [NULLS NOT DISTINCT] [WITH (...)] [WHERE predicate] */
struct idef {
	char table[256], method[64], include[512], where[1024];
	char *keys[32];
	size_t nkeys;
	char keytext[1024];
};

/* The end of the parenthesised list starting at s ('('), quote-aware. */
static const char *close_paren(const char *s)
{
	int depth = 0;
	char q = 0;
	for (; *s; s++) {
		if (q) {
			if (*s == q)
				q = 0;
		} else if (*s == '\'' || *s == '"') {
			q = *s;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')' && --depth == 0) {
			return s;
		}
	}
	return NULL;
}

static bool idef_parse(const char *def, struct idef *d)
{
	memset(d, 0, sizeof(*d));
	if (!def)
		return false;
	const char *on = strstr(def, " ON ");
	const char *using = on ? strstr(on, " USING ") : NULL;
	if (!using)
		return false;
	on += 4;
	if (strncmp(on, "ONLY ", 5) == 0)
		on += 5;
	snprintf(d->table, sizeof(d->table), "%.*s", (int)(using - on), on);
	const char *m = using + 7, *open = strchr(m, '(');
	if (!open)
		return false;
	size_t ml = (size_t)(open - m);
	while (ml && m[ml - 1] == ' ')
		ml--;
	snprintf(d->method, sizeof(d->method), "%.*s", (int)ml, m);
	const char *close = close_paren(open);
	if (!close || (size_t)(close - open) >= sizeof(d->keytext))
		return false;
	memcpy(d->keytext, open + 1, (size_t)(close - open - 1));
	/* Split the keys at top-level commas, in place. */
	char *k = d->keytext;
	int depth = 0;
	char q = 0;
	d->keys[d->nkeys++] = k;
	for (; *k; k++) {
		if (q) {
			if (*k == q)
				q = 0;
		} else if (*k == '\'' || *k == '"') {
			q = *k;
		} else if (*k == '(') {
			depth++;
		} else if (*k == ')') {
			depth--;
		} else if (*k == ',' && depth == 0 && d->nkeys < ARRAY_SIZE(d->keys)) {
			*k = '\0';
			while (k[1] == ' ')
				k++;
			d->keys[d->nkeys++] = k + 1;
		}
	}
	const char *rest = close + 1;
	const char *inc = strstr(rest, "INCLUDE (");
	if (inc) {
		const char *ic = close_paren(inc + 8);
		if (ic)
			snprintf(d->include, sizeof(d->include), "%.*s", (int)(ic - inc - 9), inc + 9);
	}
	const char *where = strstr(rest, " WHERE ");
	if (where)
		snprintf(d->where, sizeof(d->where), "%s", where + 7);
	return true;
}

static bool same_keys(const struct idef *x, const struct idef *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(x->keys[i], y->keys[i]) != 0)
			return false;
	return true;
}

/* Which of two identical indexes to keep: primary, unique, the more used,
 * then the shorter (older-looking) name. True for x. */
static bool keep_first(const struct snap_index *x, const struct snap_index *y)
{
	if (x->primary != y->primary)
		return x->primary;
	if (x->unique != y->unique)
		return x->unique;
	if (x->scans != y->scans)
		return x->scans > y->scans;
	if (x->scans_ever != y->scans_ever)
		return x->scans_ever > y->scans_ever;
	size_t lx = strlen(x->name), ly = strlen(y->name);
	if (lx != ly)
		return lx < ly;
	return strcmp(x->name, y->name) <= 0;
}

static void duplicate(struct analysis *a, const struct snap_view_info *vi,
		const struct snap_index *drop, const struct idef *dd,
		const struct snap_index *keep, bool prefix)
{
	char qn[512], qk[512], qt[512], sz[32];
	qualified(drop->schema, drop->name, qn, sizeof(qn));
	qualified(keep->schema, keep->name, qk, sizeof(qk));
	struct finding *f = findings_add(a->findings, FK_duplicate_index,
		prefix ? FS_INFO : FS_WARNING, 0,
		prefix ? "index %s (%s) is a leading-column prefix of %s" :
		"index %s (%s) duplicates %s", qn, fmt_bytes(drop->bytes, sz, sizeof(sz)), qk);
	finding_set_table(f, qualified(drop->schema, drop->table, qt, sizeof(qt)));
	finding_set_index(f, qn);
	for (size_t i = 0; i < dd->nkeys; i++)
		finding_add_column(f, dd->keys[i]);
	ev_str(f, "kind", prefix ? "prefix" : "identical");
	ev_str(f, "index", qn);
	ev_str(f, "indexdef", drop->indexdef);
	ev_str(f, "kept", qk);
	ev_str(f, "kept_indexdef", keep->indexdef);
	ev_int(f, "bytes", drop->bytes);
	ev_int(f, "scans", drop->scans);
	ev_int(f, "kept_scans", keep->scans);
	json_object_set_new(f->evidence, "unique", json_boolean(drop->unique));
	ev_window(f, vi);
	if (drop->unique)
		finding_set_suggestion(f, "-- %s enforces uniqueness that %s enforces too;\n"
			"-- if it backs a constraint: ALTER TABLE %s DROP CONSTRAINT %s;\n"
			"DROP INDEX CONCURRENTLY %s;", qn, qk, qt, drop->name, qn);
	else
		finding_set_suggestion(f, "-- %s serves every lookup %s serves\n"
			"DROP INDEX CONCURRENTLY %s;", qk, qn, qn);
}

static void index_findings(struct snapshots *sn, struct analysis *a)
{
	const struct snap_view_info *vi = &sn->info[STAT_INDEXES];
	size_t n = sn->nindexes;
	struct idef *defs = xcalloc(n ? n : 1, sizeof(*defs));
	bool *ok = xcalloc(n ? n : 1, sizeof(*ok));
	bool *dropped = xcalloc(n ? n : 1, sizeof(*dropped));
	size_t nodef = 0;
	for (size_t i = 0; i < n; i++) {
		ok[i] = idef_parse(sn->indexes[i].indexdef, &defs[i]);
		nodef += !ok[i];
	}
	if (n && nodef == n)
		snap_note(sn, "pg_stat_user_indexes: no indexdef column "
			"(pg_get_indexdef(indexrelid)): duplicate indexes cannot be told");

	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n && ok[i]; j++) {
			if (!ok[j] || dropped[i] || dropped[j])
				continue;
			struct idef *x = &defs[i], *y = &defs[j];
			if (strcmp(x->table, y->table) || strcmp(x->method, y->method) ||
					strcmp(x->where, y->where))
				continue;
			const struct snap_index *xi = &sn->indexes[i], *yi = &sn->indexes[j];
			if (x->nkeys == y->nkeys && same_keys(x, y, x->nkeys) &&
					strcmp(x->include, y->include) == 0) {
				bool kx = keep_first(xi, yi);
				dropped[kx ? j : i] = true;
				duplicate(a, vi, kx ? yi : xi, kx ? y : x, kx ? xi : yi, false);
				continue;
			}
			/* A btree on (a) is redundant with one on (a, b); a unique one
			 * is not (it enforces something), nor one with INCLUDE. */
			if (strcmp(x->method, "btree") != 0)
				continue;
			if (x->nkeys < y->nkeys && same_keys(x, y, x->nkeys) &&
					!xi->unique && !x->include[0]) {
				dropped[i] = true;
				duplicate(a, vi, xi, x, yi, true);
			} else if (y->nkeys < x->nkeys && same_keys(x, y, y->nkeys) &&
					!yi->unique && !y->include[0]) {
				dropped[j] = true;
				duplicate(a, vi, yi, y, xi, true);
			}
		}
	}

	for (size_t i = 0; i < n; i++) {
		const struct snap_index *x = &sn->indexes[i];
		if (x->unique || x->primary || x->scans != 0)
			continue;
		char qn[512], qt[512], sz[32];
		qualified(x->schema, x->name, qn, sizeof(qn));
		bool big = x->bytes >= SNAP_UNUSED_WARN_BYTES;
		struct finding *f = findings_add(a->findings, FK_unused_index,
			big ? FS_WARNING : FS_INFO, 0, vi->diffed ?
			"index %s (%s) was not scanned between the snapshots" :
			"index %s (%s) was never scanned since the statistics were reset",
			qn, fmt_bytes(x->bytes, sz, sizeof(sz)));
		finding_set_table(f, qualified(x->schema, x->table, qt, sizeof(qt)));
		finding_set_index(f, qn);
		if (ok[i])
			for (size_t k = 0; k < defs[i].nkeys; k++)
				finding_add_column(f, defs[i].keys[k]);
		ev_int(f, "scans", x->scans);
		ev_int(f, "scans_ever", x->scans_ever);
		ev_int(f, "bytes", x->bytes);
		ev_str(f, "indexdef", x->indexdef);
		json_object_set_new(f->evidence, "unique", x->indexdef ||
			x->unique ? json_boolean(x->unique) : json_null());
		ev_window(f, vi);
		finding_set_suggestion(f, "-- idx_scan counts this server only: check the "
			"replicas' pg_stat_user_indexes too\nDROP INDEX CONCURRENTLY %s;", qn);
	}
	free(defs);
	free(ok);
	free(dropped);
}

/* ---- tables ---- */

/* Whether the plan scans table sequentially; adds to *extra the scans
 * per execution that parallel processes add to the server's count
 * (pg_stat_user_tables.seq_scan counts a scan per process). */
static bool plan_seq_scans(const struct plan *p, const char *table, double *extra)
{
	bool found = false;
	for (const struct plan_node *n = p->root; n; n = plan_node_next(n)) {
		if (!n->node_type || !n->relation_name || strcmp(n->node_type, "Seq Scan") != 0 ||
				strcmp(n->relation_name, table) != 0)
			continue;
		found = true;
		double procs = plan_node_processes(n);
		if (procs > 1 && n->has_actual)
			*extra += n->actual_loops - n->actual_loops / procs;
	}
	return found;
}

/* The groups whose worst plan scans table sequentially: their fingerprints
 * go in the evidence, their time is the finding's impact; *extra gets the
 * scans their parallel workers added to the server's count (calls times
 * the worst plan's). */
static double seq_scan_groups(struct analysis *a, const char *table, json_t *fps, double *extra)
{
	double ms = 0;
	*extra = 0;
	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i];
		if (!g->plan_json)
			continue;
		char err[128];
		struct plan *plan = plan_parse(g->plan_json, strlen(g->plan_json), err, sizeof(err));
		double per = 0;
		if (plan && plan_seq_scans(plan, table, &per)) {
			char hex[17];
			fp_format(g->fingerprint, hex);
			json_array_append_new(fps, json_string(hex));
			ms += g->total_ms;
			*extra += per * (double)g->calls;
		}
		plan_free(plan);
	}
	return ms;
}

static void table_findings(struct snapshots *sn, struct analysis *a)
{
	const struct snap_view_info *vi = &sn->info[STAT_TABLES];
	for (size_t i = 0; i < sn->ntables; i++) {
		const struct snap_table *t = &sn->tables[i];
		char qt[512], sz[32];
		qualified(t->schema, t->name, qt, sizeof(qt));
		/* n_live_tup is 0 after a statistics reset: the size estimate
		 * (rows per sequential scan) stands in for it then. */
		int64_t live = t->n_live_tup > 0 ? t->n_live_tup :
			t->rows_estimate > 0 ? t->rows_estimate : 0;
		if (t->n_dead_tup > SNAP_BLOAT_MIN_DEAD) {
			double ratio = (double)t->n_dead_tup / ((double)live + (double)t->n_dead_tup);
			if (ratio > SNAP_BLOAT_MIN_RATIO) {
				const char *last = t->last_autovacuum ? t->last_autovacuum : t->last_vacuum;
				struct finding *f = findings_add(a->findings, FK_table_bloat,
					ratio > 0.5 && t->n_dead_tup > 1000000 ? FS_CRITICAL : FS_WARNING, 0,
					"table %s has %lld dead tuples (%.0f%% of its tuples), %s%s",
					qt, (long long)t->n_dead_tup, ratio * 100,
					last ? "last vacuumed " : "not vacuumed since the statistics reset",
					last ? last : "");
				finding_set_table(f, qt);
				ev_int(f, "n_dead_tup", t->n_dead_tup);
				ev_int(f, "n_live_tup", t->n_live_tup);
				ev_real(f, "dead_ratio", ratio);
				ev_int(f, "n_tup_upd", t->n_tup_upd);
				ev_int(f, "n_tup_del", t->n_tup_del);
				ev_int(f, "vacuums", t->vacuums);
				ev_int(f, "table_bytes", t->bytes);
				ev_str(f, "last_vacuum", t->last_vacuum);
				ev_str(f, "last_autovacuum", t->last_autovacuum);
				if (t->n_live_tup == 0)
					ev_str(f, "note", "n_live_tup is 0 (statistics reset since the "
						"last analyze): the live rows are estimated as the rows a "
						"sequential scan read on average");
				ev_int(f, "live_rows_used", live);
				ev_window(f, vi);
				finding_set_suggestion(f, "VACUUM (ANALYZE, VERBOSE) %s;\n"
					"-- if autovacuum falls behind on this table:\n"
					"ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = 0.05);",
					qt, qt);
			}
		}

		int64_t idx_rows = t->idx_tup_fetch > 0 ? t->idx_tup_fetch : 0;
		double share = t->seq_tup_read > 0 ?
			(double)t->seq_tup_read / (double)(t->seq_tup_read + idx_rows) : 0;
		json_t *fps = NULL;
		double ms = 0, extra = 0;
		int64_t scans = t->seq_scan;
		if (t->seq_scan >= SNAP_SEQ_MIN_SCANS && t->rows_estimate >= SNAP_SEQ_MIN_ROWS &&
				share >= SNAP_SEQ_MIN_SHARE) {
			fps = json_array();
			ms = seq_scan_groups(a, t->name, fps, &extra);
			/* A statement's parallel scan is one scan, not one per
			 * process; the log's calls may fall outside the window. */
			scans = t->seq_scan - (int64_t)(extra + 0.5);
			if (scans < 1)
				scans = 1;
		}
		if (fps && scans < SNAP_SEQ_MIN_SCANS) {
			json_decref(fps);
		} else if (fps) {
			char counted[96] = "";
			if (scans != t->seq_scan)
				snprintf(counted, sizeof(counted), " (%lld as the server counts them, "
					"a parallel scan once per process)", (long long)t->seq_scan);
			struct finding *f = findings_add(a->findings, FK_seq_scan_heavy,
				t->seq_tup_read >= 1000000 ? FS_WARNING : FS_INFO, ms,
				"table %s (%lld rows, %s) was read by %lld sequential scans%s: "
				"%lld rows, %.0f%% of the rows read",
				qt, (long long)t->rows_estimate, fmt_bytes(t->bytes, sz, sizeof(sz)),
				(long long)scans, counted, (long long)t->seq_tup_read, share * 100);
			finding_set_table(f, qt);
			ev_int(f, "seq_scan", t->seq_scan);
			if (scans != t->seq_scan) {
				ev_int(f, "statement_scans", scans);
				ev_int(f, "parallel_worker_scans", t->seq_scan - scans);
			}
			ev_int(f, "seq_tup_read", t->seq_tup_read);
			ev_int(f, "idx_scan", t->idx_scan);
			ev_int(f, "idx_tup_fetch", t->idx_tup_fetch);
			ev_int(f, "rows", t->rows_estimate);
			ev_int(f, "table_bytes", t->bytes);
			ev_real(f, "seq_share", share);
			json_object_set_new(f->evidence, "statements", fps);
			ev_window(f, vi);
			finding_set_suggestion(f, "-- the statements that scan it (plans with "
				"Seq Scan on %s are listed in the evidence):\n"
				"SELECT queryid, calls, total_exec_time, query FROM pg_stat_statements\n"
				" WHERE query ~* '\\m%s\\M' ORDER BY total_exec_time DESC LIMIT 10;\n"
				"-- then index the columns of their WHERE clauses:\n"
				"-- CREATE INDEX CONCURRENTLY ON %s (...);", t->name, t->name, qt);
		}

		int64_t rd = (t->heap_blks_read > 0 ? t->heap_blks_read : 0) +
			(t->idx_blks_read > 0 ? t->idx_blks_read : 0);
		int64_t hit = (t->heap_blks_hit > 0 ? t->heap_blks_hit : 0) +
			(t->idx_blks_hit > 0 ? t->idx_blks_hit : 0);
		if (rd >= SNAP_CACHE_MIN_READS &&
				(double)hit / (double)(hit + rd) < SNAP_CACHE_MIN_RATIO) {
			double ratio = (double)hit / (double)(hit + rd);
			struct finding *f = findings_add(a->findings, FK_low_cache_hit, FS_WARNING, 0,
				"table %s: %.1f%% of its blocks found in shared buffers "
				"(%lld read from disk or the OS cache)", qt, ratio * 100, (long long)rd);
			finding_set_table(f, qt);
			ev_int(f, "heap_blks_read", t->heap_blks_read);
			ev_int(f, "heap_blks_hit", t->heap_blks_hit);
			ev_int(f, "idx_blks_read", t->idx_blks_read);
			ev_int(f, "idx_blks_hit", t->idx_blks_hit);
			ev_real(f, "hit_ratio", ratio);
			ev_int(f, "table_bytes", t->bytes);
			ev_window(f, &sn->info[STAT_STATIO_TABLES]);
			finding_set_suggestion(f, "-- the working set of %s does not stay in "
				"shared buffers: compare\nSHOW shared_buffers;\n"
				"SELECT pg_size_pretty(pg_total_relation_size('%s'));\n"
				"-- and look for scans reading more than they need (seq_scan_heavy).",
				qt, qt);
		}
	}
}

static void statement_findings(struct snapshots *sn, struct analysis *a)
{
	for (size_t i = 0; i < sn->nstmts; i++) {
		const struct snap_stmt *s = &sn->stmts[i];
		if (s->blks_read < SNAP_CACHE_MIN_READS || s->blks_hit < 0)
			continue;
		double ratio = s->blks_hit / (s->blks_hit + s->blks_read);
		if (ratio >= SNAP_CACHE_MIN_RATIO)
			continue;
		char hex[17];
		fp_format(s->fingerprint, hex);
		struct finding *f = findings_add(a->findings, FK_low_cache_hit, FS_WARNING,
			s->total_ms, "statement %s: %.1f%% of its blocks found in shared "
			"buffers (%.0f read over %.0f calls)", hex, ratio * 100, s->blks_read,
			s->calls);
		finding_set_fingerprint(f, s->fingerprint);
		ev_real(f, "shared_blks_hit", s->blks_hit);
		ev_real(f, "shared_blks_read", s->blks_read);
		ev_real(f, "hit_ratio", ratio);
		ev_real(f, "calls", s->calls);
		ev_real(f, "total_ms", s->total_ms);
		ev_real(f, "reads_per_call", s->blks_read / s->calls);
		ev_window(f, &sn->info[STAT_PGSS]);
		finding_set_suggestion(f, "-- see where the reads happen:\n"
			"EXPLAIN (ANALYZE, BUFFERS) %s;\n"
			"-- (with values for its parameters); an index or a narrower "
			"scan reads fewer blocks,\n-- a larger shared_buffers keeps more "
			"of them.", s->query);
	}
}

void snap_findings(struct snapshots *sn, struct analysis *a)
{
	index_findings(sn, a);
	table_findings(sn, a);
	statement_findings(sn, a);
}
