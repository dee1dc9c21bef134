/* snapshots_load.c: the "snapshots" object of a saved JSON report read
 * back into a struct snapshots (see report_load.h): the views' summary,
 * statements, tables, indexes and notes, as the pass left them. The rows
 * of each snapshot are not saved; derived figures (mean, per call, hit
 * ratios) are computed again from the saved ones. */
#include <math.h>
#include <string.h>

#include "report_load.h"
#include "snapshots_int.h"
#include "timeutil.h"

/* Unknown (null) values are -1, as the pass keeps them. */
static double num(const json_t *o, const char *key)
{
	double v = rl_num(o, key);
	return isnan(v) ? -1 : v;
}

static int64_t i64(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static const char *keep(struct snapshots *sn, const json_t *o, const char *key)
{
	const char *s = rl_str(o, key);
	return s ? snap_keep(sn, s) : NULL;
}

static void load_views(struct snapshots *sn, const json_t *o)
{
	for (int v = STAT_PGSS; v <= STAT_VIEW_LAST; v++) {
		const json_t *j = json_object_get(o, snapshots_view_name((enum stat_view)v));
		struct snap_view_info *vi = &sn->info[v];
		vi->first_ts = vi->last_ts = TS_NONE;
		if (!json_is_object(j))
			continue;
		const char *by = rl_str(j, "ordered_by");
		vi->snapshots = rl_uint(j, "snapshots");
		vi->first_ts = rl_ts(j, "first");
		vi->last_ts = rl_ts(j, "last");
		vi->ordered_by_time = by && strcmp(by, "captured_at") == 0;
		vi->diffed = rl_bool(j, "differenced");
		vi->rows = rl_uint(j, "rows");
		vi->resets = rl_uint(j, "resets");
		vi->gone = rl_uint(j, "gone");
	}
}

static void load_stmt(struct snapshots *sn, struct snap_stmt *s, const json_t *o)
{
	rl_fp(o, "fingerprint", &s->fingerprint);
	s->query = keep(sn, o, "query");
	s->calls = num(o, "calls");
	s->total_ms = num(o, "total_ms");
	s->plan_ms = num(o, "plan_ms");
	s->rows = num(o, "rows");
	s->blks_hit = num(o, "shared_blks_hit");
	s->blks_read = num(o, "shared_blks_read");
	s->temp_read = num(o, "temp_blks_read");
	s->temp_written = num(o, "temp_blks_written");
	s->wal_bytes = num(o, "wal_bytes");
	s->min_ms = num(o, "min_ms");
	s->max_ms = num(o, "max_ms");
	s->nested_calls = num(o, "nested_calls");
	s->entries = rl_uint(o, "entries");
	s->reset = rl_bool(o, "reset");
	s->in_logs = rl_bool(o, "in_logs");
	s->log_calls = rl_uint(o, "log_calls");
	s->datname = keep(sn, o, "database");
	s->has_within = fp_parse(json_string_value(json_object_get(o, "within")),
			&s->within);
}

static void load_table(struct snapshots *sn, struct snap_table *t, const json_t *o)
{
	t->schema = keep(sn, o, "schema");
	t->name = keep(sn, o, "table");
	t->seq_scan = i64(o, "seq_scan");
	t->seq_tup_read = i64(o, "seq_tup_read");
	t->idx_scan = i64(o, "idx_scan");
	t->idx_tup_fetch = i64(o, "idx_tup_fetch");
	t->n_tup_ins = i64(o, "n_tup_ins");
	t->n_tup_upd = i64(o, "n_tup_upd");
	t->n_tup_del = i64(o, "n_tup_del");
	t->n_live_tup = i64(o, "n_live_tup");
	t->n_dead_tup = i64(o, "n_dead_tup");
	t->rows_estimate = i64(o, "rows_estimate");
	t->bytes = i64(o, "table_bytes");
	t->vacuums = i64(o, "vacuums");
	t->last_vacuum = keep(sn, o, "last_vacuum");
	t->last_autovacuum = keep(sn, o, "last_autovacuum");
	t->last_analyze = keep(sn, o, "last_analyze");
	t->last_autoanalyze = keep(sn, o, "last_autoanalyze");
	t->heap_blks_read = i64(o, "heap_blks_read");
	t->heap_blks_hit = i64(o, "heap_blks_hit");
	t->idx_blks_read = i64(o, "idx_blks_read");
	t->idx_blks_hit = i64(o, "idx_blks_hit");
	t->n_tup_hot_upd = i64(o, "n_tup_hot_upd");
	t->n_mod_since_analyze = i64(o, "n_mod_since_analyze");
}

static void load_index(struct snapshots *sn, struct snap_index *x, const json_t *o)
{
	x->schema = keep(sn, o, "schema");
	x->table = keep(sn, o, "table");
	x->name = keep(sn, o, "index");
	x->indexdef = keep(sn, o, "indexdef");
	x->unique = rl_bool(o, "unique");
	x->primary = rl_bool(o, "primary");
	x->scans = i64(o, "scans");
	x->scans_ever = i64(o, "scans_ever");
	x->tup_read = i64(o, "tup_read");
	x->bytes = i64(o, "bytes");
}

struct snapshots *snapshots_load_json(const json_t *o)
{
	struct snapshots *sn = snapshots_new(NULL);
	const json_t *stmts = json_object_get(o, "statements");
	const json_t *tables = json_object_get(o, "tables");
	const json_t *indexes = json_object_get(o, "indexes");
	const json_t *notes = json_object_get(o, "notes");
	size_t i;
	const json_t *v;

	sn->given = true;
	load_views(sn, json_object_get(o, "views"));
	sn->stmts = xcalloc(json_array_size(stmts) + 1, sizeof(*sn->stmts));
	json_array_foreach(stmts, i, v)
		load_stmt(sn, &sn->stmts[sn->nstmts++], v);
	sn->tables = xcalloc(json_array_size(tables) + 1, sizeof(*sn->tables));
	json_array_foreach(tables, i, v)
		load_table(sn, &sn->tables[sn->ntables++], v);
	sn->indexes = xcalloc(json_array_size(indexes) + 1, sizeof(*sn->indexes));
	json_array_foreach(indexes, i, v)
		load_index(sn, &sn->indexes[sn->nindexes++], v);
	json_array_foreach(notes, i, v)
		if (json_is_string(v))
			snap_note(sn, "%s", json_string_value(v));
	return sn;
}
