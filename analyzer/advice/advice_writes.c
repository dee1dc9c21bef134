/* advice_writes.c: what an index costs the writes of its table.
 *
 * An UPDATE that changes no indexed column can be a HOT update: the new
 * row version goes on the same page and no index is touched. One that sets
 * an indexed column writes a new entry into every index of the table, and
 * leaves dead ones behind for vacuum. So an index on a column the
 * application updates costs every such UPDATE, and a proposed index on it
 * would turn today's HOT updates into full ones. The logged UPDATE
 * statements say which columns they set (parse tree: SET targets); the
 * table snapshots say how many updates were HOT (n_tup_hot_upd of
 * n_tup_upd in the window).
 *
 * Only the UPDATE groups whose text names a table in question are parsed,
 * once per table: on logs of many distinct statements parsing every group
 * was most of the run's time (advice.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advice_int.h"
#include "snapshots.h"
#include "strbuf.h"
#include "util.h"

/* index_write_cost: an existing index's columns set by at least this many
 * logged UPDATE calls, on a table with this many updates in the window. */
#define WRITES_MIN_CALLS 100

static bool starts_update(const char *q)
{
	while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '(')
		q++;
	return strncasecmp(q, "update", 6) == 0 || strncasecmp(q, "with", 4) == 0;
}

static const char *rel_of(const char *table)
{
	const char *dot = strrchr(table, '.');
	return dot ? dot + 1 : table;
}

/* Reads the UPDATE groups naming table, once. */
static void read_updates(struct adv_ctx *c, const char *table)
{
	for (size_t i = 0; i < c->nupd_tables; i++)
		if (strcmp(c->upd_tables[i], table) == 0)
			return;
	c->upd_tables = xrealloc(c->upd_tables, (c->nupd_tables + 1) * sizeof(*c->upd_tables));
	c->upd_tables[c->nupd_tables++] = xstrdup(table);
	for (size_t i = 0; i < c->n; i++) {
		const struct adv_item *it = &c->items[i];
		if (!it->g->query || !starts_update(it->g->query) ||
				!adv_text_may_name(it->g->query, rel_of(table)))
			continue;
		struct adv_query *q = it->q ? NULL : adv_item_parse(it);
		const struct adv_query *uq = it->q ? it->q : q;
		if (uq && uq->kind == ADV_STMT_UPDATE && uq->target &&
				adv_same_table(table, NULL, uq->target)) {
			for (size_t k = 0; k < uq->nset_cols; k++) {
				c->updates = xrealloc(c->updates, (c->nupdates + 1) * sizeof(*c->updates));
				struct adv_update *u = &c->updates[c->nupdates++];
				u->table = xstrdup(table);
				u->column = xstrdup(uq->set_cols[k]);
				u->item = i;
			}
		}
		adv_query_free(q);
	}
}

static bool col_in(const char *col, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *sp = strchr(cols[i], ' ');      /* "created_at DESC" */
		size_t len = sp ? (size_t)(sp - cols[i]) : strlen(cols[i]);
		if (strlen(col) == len && strncmp(col, cols[i], len) == 0)
			return true;
	}
	return false;
}

/* The UPDATE groups of table setting one of cols: their calls and time
 * into *calls and *ms, their evidence (with the columns each sets among
 * cols) as a new array; NULL when there are none. */
static json_t *updates_setting(struct adv_ctx *c, const char *table,
		const char *const *cols, size_t n, uint64_t *calls, double *ms)
{
	read_updates(c, table);
	json_t *groups = NULL;
	size_t last = (size_t)-1;
	json_t *cur = NULL;
	*calls = 0;
	*ms = 0;
	for (size_t i = 0; i < c->nupdates; i++) {
		const struct adv_update *u = &c->updates[i];
		if (strcmp(u->table, table) != 0 || !col_in(u->column, cols, n))
			continue;
		if (u->item != last) {
			const struct group *g = c->items[u->item].g;
			cur = adv_group_json(c, g);
			json_object_set_new(cur, "sets", json_array());
			if (!groups)
				groups = json_array();
			json_array_append_new(groups, cur);
			*calls += g->calls;
			*ms += g->total_ms;
			last = u->item;
		}
		json_array_append_new(json_object_get(cur, "sets"), json_string(u->column));
	}
	return groups;
}

/* "; the snapshots count 12 of 320 updates of t as HOT (4%)" and the
 * figures into ev, when the table snapshot has them. */
static void hot_share(const struct adv_ctx *c, const char *table, struct strbuf *sb, json_t *ev)
{
	const struct snap_table *t = snapshots_table(c->a->snapshots, table);
	if (!t || t->n_tup_upd <= 0 || t->n_tup_hot_upd < 0)
		return;
	char line[200];
	snprintf(line, sizeof(line), "; the table snapshots count %lld of its %lld updates as HOT (%.0f%%)",
		(long long)t->n_tup_hot_upd, (long long)t->n_tup_upd,
		100.0 * (double)t->n_tup_hot_upd / (double)t->n_tup_upd);
	sb_append(sb, line, strlen(line));
	json_object_set_new(ev, "n_tup_upd", json_integer(t->n_tup_upd));
	json_object_set_new(ev, "n_tup_hot_upd", json_integer(t->n_tup_hot_upd));
}

/* The columns the groups set, each once, ", "-joined into sb. */
static void join_cols(struct strbuf *sb, json_t *groups)
{
	json_t *seen = json_object(), *g, *col;
	size_t i, k;
	json_array_foreach(groups, i, g)
		json_array_foreach(json_object_get(g, "sets"), k, col) {
			const char *s = json_string_value(col);
			if (json_object_get(seen, s))
				continue;
			json_object_set_new(seen, s, json_true());
			if (json_object_size(seen) > 1)
				sb_append(sb, ", ", 2);
			sb_append(sb, s, strlen(s));
		}
	json_decref(seen);
}

void adv_writes_note(struct adv_ctx *c, const char *table, const char *const *cols,
		size_t n, struct strbuf *sb, json_t *evidence)
{
	uint64_t calls;
	double ms;
	json_t *groups = updates_setting(c, table, cols, n, &calls, &ms);
	if (!groups)
		return;
	struct strbuf set = STRBUF_INIT;
	join_cols(&set, groups);
	char line[512];
	snprintf(line, sizeof(line), "\n-- write cost: %zu logged UPDATE statement%s (%llu call%s, "
		"%.0f ms) set %s; with this index none of them can be a HOT update (each writes "
		"every index of %s)", json_array_size(groups), json_array_size(groups) == 1 ? "" : "s",
		(unsigned long long)calls, calls == 1 ? "" : "s", ms, set.buf, table);
	sb_append(sb, line, strlen(line));
	json_t *ev = json_pack("{s:I, s:f, s:o}", "update_calls", (json_int_t)calls,
		"update_ms", ms, "groups", groups);
	hot_share(c, table, sb, ev);
	json_object_set_new(evidence, "write_cost", ev);
	sb_release(&set);
}

void adv_writes_run(struct adv_ctx *c)
{
	const struct snap_index *ix;
	size_t nix = snapshots_indexes(c->a->snapshots, &ix);
	struct strbuf sb = STRBUF_INIT, set = STRBUF_INIT;
	for (size_t i = 0; i < nix; i++) {
		if (!ix[i].indexdef || ix[i].primary)
			continue;
		char tname[256];
		snprintf(tname, sizeof(tname), "%s%s%s", ix[i].schema && strcmp(ix[i].schema, "public") != 0 ?
			ix[i].schema : "", ix[i].schema && strcmp(ix[i].schema, "public") != 0 ? "." : "",
			ix[i].table);
		const struct snap_table *t = snapshots_table(c->a->snapshots, tname);
		if (!t || t->n_tup_upd < WRITES_MIN_CALLS)
			continue;
		char icols[16][64];
		const char *cols[16];
		size_t ni = adv_indexdef_columns(ix[i].indexdef, icols, 16);
		for (size_t k = 0; k < ni; k++)
			cols[k] = icols[k];
		uint64_t calls;
		double ms;
		json_t *groups = ni ? updates_setting(c, tname, cols, ni, &calls, &ms) : NULL;
		if (!groups)
			continue;
		if (calls < WRITES_MIN_CALLS) {
			json_decref(groups);
			continue;
		}
		sb_reset(&set);
		join_cols(&set, groups);
		/* Worth a warning when the index is read less often than the
		 * updates it slows are run. */
		bool idle = ix[i].scans >= 0 && (uint64_t)ix[i].scans < calls;
		struct finding *f = findings_add(c->a->findings, FK_index_write_cost,
			idle ? FS_WARNING : FS_INFO, ms,
			"Index %s on %s keeps %llu UPDATE calls that set %s from being HOT updates",
			ix[i].name, tname, (unsigned long long)calls, set.buf);
		finding_set_table(f, tname);
		finding_set_index(f, ix[i].name);
		for (size_t k = 0; k < ni; k++)
			if (icols[k][0])
				finding_add_column(f, icols[k]);
		if (json_array_size(groups) == 1) {
			size_t it = 0;
			for (size_t u = 0; u < c->nupdates; u++)
				if (strcmp(c->updates[u].table, tname) == 0 && col_in(c->updates[u].column, cols, ni))
					it = c->updates[u].item;
			finding_set_fingerprint(f, c->items[it].g->fingerprint);
		}
		sb_reset(&sb);
		char line[512];
		snprintf(line, sizeof(line), "-- %s is scanned %lld times in the window; the UPDATEs it "
			"slows ran %llu times (%.0f ms) and each writes a new entry into every index of %s",
			ix[i].name, (long long)ix[i].scans, (unsigned long long)calls, ms, tname);
		sb_append(&sb, line, strlen(line));
		json_t *ev = f->evidence;
		json_object_set_new(ev, "index_scans", ix[i].scans >= 0 ? json_integer(ix[i].scans) : json_null());
		json_object_set_new(ev, "update_calls", json_integer((json_int_t)calls));
		json_object_set_new(ev, "update_ms", json_real(ms));
		json_object_set_new(ev, "groups", groups);
		hot_share(c, tname, &sb, ev);
		if (idle) {
			const char *s = ".\n-- it is read less often than it is written: if nothing "
				"needs it, drop it:\nDROP INDEX CONCURRENTLY ";
			sb_append(&sb, s, strlen(s));
			adv_ident(&sb, ix[i].name);
			sb_putc(&sb, ';');
		} else {
			const char *s = ".\n-- keep it if the reads need it; otherwise keep the "
				"updated column out of indexes (update it in a separate table, or "
				"index only the rows that are read with a partial index: "
				"CREATE INDEX ... WHERE ...), and give updates room on their page "
				"(ALTER TABLE ... SET (fillfactor = 90)) so that the others stay HOT.";
			sb_append(&sb, s, strlen(s));
		}
		finding_set_suggestion(f, "%s", sb.buf);
	}
	sb_release(&sb);
	sb_release(&set);
}

void adv_writes_free(struct adv_ctx *c)
{
	for (size_t i = 0; i < c->nupdates; i++) {
		free(c->updates[i].table);
		free(c->updates[i].column);
	}
	free(c->updates);
	for (size_t i = 0; i < c->nupd_tables; i++)
		free(c->upd_tables[i]);
	free(c->upd_tables);
}
