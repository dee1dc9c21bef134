/* advice_stats.c: stale_statistics findings.
 *
 * A row misestimate (advice_plan.c) says the planner's picture of a table
 * is wrong; the table snapshot says whether that is because its statistics
 * are old: n_mod_since_analyze, the rows inserted, updated or deleted since
 * the last ANALYZE, against the rows the table has. Autovacuum analyzes a
 * table once autovacuum_analyze_threshold (50) + autovacuum_analyze_scale_factor
 * (0.1) x its rows have changed; a table past STALE_SHARE of its rows with
 * its planner misestimating rows was not analyzed when it should have been
 * (autovacuum off for it, or behind): one finding per table, after the
 * misestimates, with ANALYZE and the setting that makes it come sooner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "snapshots.h"
#include "strbuf.h"
#include "util.h"

#define STALE_SHARE 0.2         /* of the table's rows modified since analyze */
#define STALE_MIN_MODS 1000     /* fewer changes than this are not worth it */

static void sb_str(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

/* The stale_statistics finding already made for table, or NULL. */
static struct finding *stale_of(struct findings *fs, size_t from, const char *table)
{
	for (size_t i = from; i < findings_count(fs); i++) {
		struct finding *f = findings_at(fs, i);
		if (f->kind == FK_stale_statistics && strcmp(f->table, table) == 0)
			return f;
	}
	return NULL;
}

/* Whether t's statistics are stale: modified past STALE_SHARE of its rows. */
static bool is_stale(const struct snap_table *t)
{
	if (!t || t->n_mod_since_analyze < STALE_MIN_MODS)
		return false;
	double rows = t->n_live_tup > 0 ? (double)t->n_live_tup : (double)t->rows_estimate;
	return rows <= 0 || (double)t->n_mod_since_analyze >= STALE_SHARE * rows;
}

static struct finding *stale_new(struct adv_ctx *c, const struct finding *mis,
		const char *table, const struct snap_table *t)
{
	double rows = t->n_live_tup > 0 ? (double)t->n_live_tup : (double)t->rows_estimate;
	double ratio = json_real_value(json_object_get(json_object_get(json_array_get(
		json_object_get(mis->evidence, "groups"), 0), "node"), "ratio"));
	char share[96] = "";
	if (rows > 0)
		snprintf(share, sizeof(share), " (%.0f%% of its %.0f rows)",
			100.0 * (double)t->n_mod_since_analyze / rows, rows);
	struct finding *f = findings_add(c->a->findings, FK_stale_statistics, mis->severity,
		0, "Statistics of %s are stale: %lld rows changed since its last analyze%s, "
		"and plans misestimate its rows by %.0fx", table,
		(long long)t->n_mod_since_analyze, share, ratio);
	finding_set_table(f, table);
	for (size_t i = 0; mis->columns && mis->columns[i]; i++)
		finding_add_column(f, mis->columns[i]);
	json_object_set_new(f->evidence, "n_mod_since_analyze", json_integer(t->n_mod_since_analyze));
	json_object_set_new(f->evidence, "table_rows", rows > 0 ? json_real(rows) : json_null());
	json_object_set_new(f->evidence, "last_analyze",
		t->last_analyze ? json_string(t->last_analyze) : json_null());
	json_object_set_new(f->evidence, "last_autoanalyze",
		t->last_autoanalyze ? json_string(t->last_autoanalyze) : json_null());
	json_object_set_new(f->evidence, "misestimates", json_array());
	struct strbuf sql = STRBUF_INIT;
	sb_str(&sql, "ANALYZE ");
	adv_ident(&sql, table);
	sb_str(&sql, ";\n-- autovacuum analyzes a table once autovacuum_analyze_threshold (50) + "
		"autovacuum_analyze_scale_factor (0.1) x its rows have changed; ");
	sb_str(&sql, t->last_autoanalyze ? "it has analyzed this one, but not since these changes"
		: "the snapshot shows no autoanalyze of this one");
	sb_str(&sql, ": check that autovacuum is on for it (autovacuum_enabled), and for a table "
		"whose data shifts quickly have it analyze sooner:\nALTER TABLE ");
	adv_ident(&sql, table);
	sb_str(&sql, " SET (autovacuum_analyze_scale_factor = 0.02);");
	finding_set_suggestion(f, "%s", sql.buf);
	sb_release(&sql);
	return f;
}

void adv_stats_run(struct adv_ctx *c)
{
	struct findings *fs = c->a->findings;
	size_t n = findings_count(fs);
	for (size_t i = 0; i < n; i++) {
		struct finding *mis = findings_at(fs, i);
		if (mis->kind != FK_row_misestimate || !mis->table)
			continue;
		const struct snap_table *t = snapshots_table(c->a->snapshots, mis->table);
		if (!is_stale(t))
			continue;
		struct finding *f = stale_of(fs, n, mis->table);
		if (!f)
			f = stale_new(c, mis, mis->table, t);
		f->impact_ms += mis->impact_ms;
		if (mis->severity > f->severity)
			f->severity = mis->severity;
		json_array_append_new(json_object_get(f->evidence, "misestimates"),
			json_pack("{s:s, s:O}", "title", mis->title,
				"groups", json_object_get(mis->evidence, "groups")));
		/* Its statements, for the ranking to say the misestimate shares
		 * them; the misestimate itself is then detail (info): one
		 * ANALYZE of the table, said once, by the finding that says why
		 * its statistics went stale. */
		json_t *groups = json_object_get(f->evidence, "groups");
		if (!groups) {
			groups = json_array();
			json_object_set_new(f->evidence, "groups", groups);
		}
		json_array_extend(groups, json_object_get(mis->evidence, "groups"));
		mis->severity = FS_INFO;
		json_object_set_new(mis->evidence, "explained_by", json_string("stale_statistics"));
	}
}
