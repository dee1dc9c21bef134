/* snapshots_json.c: the JSON report's "snapshots" object:
 *
 *   {"views": {"pg_stat_statements": {"snapshots", "first", "last",
 *              "ordered_by", "differenced", "rows", "resets", "gone"}, ...},
 *    "statements": [ {"fingerprint", "query", "calls", "total_ms",
 *              "mean_ms", "plan_ms", "rows", "rows_per_call",
 *              "shared_blks_hit", "shared_blks_read", "hit_ratio",
 *              "temp_blks_read", "temp_blks_written", "temp_blks_per_call",
 *              "wal_bytes", "min_ms", "max_ms", "nested_calls", "entries",
 *              "reset", "in_logs", "log_calls", "within"} ],  by total_ms
 *    "tables": [ {"schema", "table", "seq_scan", ..., "hit_ratio"} ],
 *    "indexes": [ {"schema", "table", "index", "indexdef", "unique",
 *              "primary", "scans", "scans_ever", "tup_read", "bytes"} ],
 *    "notes": [ "..." ]}
 *
 * Counters are those of the window (last minus first snapshot), or the
 * cumulative values when a view has one snapshot; unknown values are null. */
#include <math.h>

#include "snapshots_int.h"
#include "timeutil.h"

static json_t *num(double v)
{
	if (v < 0 || !isfinite(v))
		return json_null();
	if (v == floor(v) && v < 9e15)
		return json_integer((json_int_t)v);
	return json_real(round(v * 1000) / 1000);
}

static json_t *i64(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* Text from a dump is meant to be UTF-8; what is not is not passed on. */
static json_t *str(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_string("(not valid UTF-8)");
}

static json_t *ts(int64_t ms)
{
	if (ms == TS_NONE)
		return json_null();
	char buf[32];
	ts_format_iso(ms, buf);
	return json_string(buf);
}

static double ratio(double part, double other)
{
	return part >= 0 && other >= 0 && part + other > 0 ? part / (part + other) : -1;
}

static json_t *json_views(const struct snapshots *sn)
{
	json_t *o = json_object();
	for (int v = STAT_PGSS; v <= STAT_VIEW_LAST; v++) {
		const struct snap_view_info *vi = &sn->info[v];
		if (!vi->snapshots)
			continue;
		json_t *j = json_object();
		json_object_set_new(j, "snapshots", json_integer((json_int_t)vi->snapshots));
		json_object_set_new(j, "first", ts(vi->first_ts));
		json_object_set_new(j, "last", ts(vi->last_ts));
		json_object_set_new(j, "ordered_by", json_string(vi->ordered_by_time ?
			"captured_at" : "input order"));
		json_object_set_new(j, "differenced", json_boolean(vi->diffed));
		json_object_set_new(j, "rows", json_integer((json_int_t)vi->rows));
		json_object_set_new(j, "resets", json_integer((json_int_t)vi->resets));
		json_object_set_new(j, "gone", json_integer((json_int_t)vi->gone));
		json_object_set_new(o, snapshots_view_name(v), j);
	}
	return o;
}

static json_t *json_stmt(const struct snap_stmt *s)
{
	json_t *o = json_object();
	char hex[17];
	fp_format(s->fingerprint, hex);
	json_object_set_new(o, "fingerprint", json_string(hex));
	json_object_set_new(o, "query", str(s->query));
	json_object_set_new(o, "calls", num(s->calls));
	json_object_set_new(o, "total_ms", num(s->total_ms));
	json_object_set_new(o, "mean_ms", num(s->calls > 0 ? s->total_ms / s->calls : -1));
	json_object_set_new(o, "plan_ms", num(s->plan_ms));
	json_object_set_new(o, "rows", num(s->rows));
	json_object_set_new(o, "rows_per_call", num(s->calls > 0 ? s->rows / s->calls : -1));
	json_object_set_new(o, "shared_blks_hit", num(s->blks_hit));
	json_object_set_new(o, "shared_blks_read", num(s->blks_read));
	json_object_set_new(o, "hit_ratio", num(ratio(s->blks_hit, s->blks_read)));
	json_object_set_new(o, "temp_blks_read", num(s->temp_read));
	json_object_set_new(o, "temp_blks_written", num(s->temp_written));
	json_object_set_new(o, "temp_blks_per_call", num(s->temp_written >= 0 && s->calls > 0 ?
		(s->temp_read + s->temp_written) / s->calls : -1));
	json_object_set_new(o, "wal_bytes", num(s->wal_bytes));
	json_object_set_new(o, "min_ms", num(s->min_ms));
	json_object_set_new(o, "max_ms", num(s->max_ms));
	json_object_set_new(o, "nested_calls", num(s->nested_calls));
	json_object_set_new(o, "entries", json_integer((json_int_t)s->entries));
	json_object_set_new(o, "reset", json_boolean(s->reset));
	json_object_set_new(o, "in_logs", json_boolean(s->in_logs));
	json_object_set_new(o, "log_calls", s->in_logs ?
		json_integer((json_int_t)s->log_calls) : json_null());
	json_object_set_new(o, "database", str(s->datname));
	char fp[17];
	if (s->has_within)
		fp_format(s->within, fp);
	json_object_set_new(o, "within", s->has_within ? json_string(fp) : json_null());
	return o;
}

static json_t *json_table(const struct snap_table *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", str(t->schema));
	json_object_set_new(o, "table", str(t->name));
	json_object_set_new(o, "seq_scan", i64(t->seq_scan));
	json_object_set_new(o, "seq_tup_read", i64(t->seq_tup_read));
	json_object_set_new(o, "idx_scan", i64(t->idx_scan));
	json_object_set_new(o, "idx_tup_fetch", i64(t->idx_tup_fetch));
	json_object_set_new(o, "n_tup_ins", i64(t->n_tup_ins));
	json_object_set_new(o, "n_tup_upd", i64(t->n_tup_upd));
	json_object_set_new(o, "n_tup_del", i64(t->n_tup_del));
	json_object_set_new(o, "n_live_tup", i64(t->n_live_tup));
	json_object_set_new(o, "n_dead_tup", i64(t->n_dead_tup));
	json_object_set_new(o, "rows_estimate", i64(t->rows_estimate));
	json_object_set_new(o, "table_bytes", i64(t->bytes));
	json_object_set_new(o, "vacuums", i64(t->vacuums));
	json_object_set_new(o, "last_vacuum", str(t->last_vacuum));
	json_object_set_new(o, "last_autovacuum", str(t->last_autovacuum));
	json_object_set_new(o, "last_analyze", str(t->last_analyze));
	json_object_set_new(o, "last_autoanalyze", str(t->last_autoanalyze));
	json_object_set_new(o, "heap_blks_read", i64(t->heap_blks_read));
	json_object_set_new(o, "heap_blks_hit", i64(t->heap_blks_hit));
	json_object_set_new(o, "idx_blks_read", i64(t->idx_blks_read));
	json_object_set_new(o, "idx_blks_hit", i64(t->idx_blks_hit));
	json_object_set_new(o, "hit_ratio", num(t->heap_blks_read < 0 ? -1 :
		ratio((double)t->heap_blks_hit, (double)t->heap_blks_read)));
	return o;
}

static json_t *json_index(const struct snap_index *x)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", str(x->schema));
	json_object_set_new(o, "table", str(x->table));
	json_object_set_new(o, "index", str(x->name));
	json_object_set_new(o, "indexdef", str(x->indexdef));
	json_object_set_new(o, "unique", json_boolean(x->unique));
	json_object_set_new(o, "primary", json_boolean(x->primary));
	json_object_set_new(o, "scans", i64(x->scans));
	json_object_set_new(o, "scans_ever", i64(x->scans_ever));
	json_object_set_new(o, "tup_read", i64(x->tup_read));
	json_object_set_new(o, "bytes", i64(x->bytes));
	return o;
}

json_t *snapshots_json(const struct snapshots *sn)
{
	json_t *o = json_object();
	if (!o || !sn)
		return o;
	json_object_set_new(o, "views", json_views(sn));
	json_t *arr = json_array();
	for (size_t i = 0; i < sn->nstmts; i++)
		json_array_append_new(arr, json_stmt(&sn->stmts[i]));
	json_object_set_new(o, "statements", arr);
	arr = json_array();
	for (size_t i = 0; i < sn->ntables; i++)
		json_array_append_new(arr, json_table(&sn->tables[i]));
	json_object_set_new(o, "tables", arr);
	arr = json_array();
	for (size_t i = 0; i < sn->nindexes; i++)
		json_array_append_new(arr, json_index(&sn->indexes[i]));
	json_object_set_new(o, "indexes", arr);
	arr = json_array();
	for (size_t i = 0; i < sn->nnotes; i++)
		json_array_append_new(arr, str(sn->notes[i]));
	json_object_set_new(o, "notes", arr);
	return o;
}
