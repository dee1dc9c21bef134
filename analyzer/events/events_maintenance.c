/* events_maintenance.c: checkpoints and autovacuum.
 *
 * log_checkpoints:
 *   checkpoint starting: immediate force wait        ("restartpoint" on a standby)
 *   checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added,
 *     0 removed, 0 recycled; write=0.002 s, sync=0.001 s, total=0.010 s; ...
 *   checkpoints are occurring too frequently (23 seconds apart)
 * log_autovacuum_min_duration (continuation lines are part of the message):
 *   automatic [aggressive ]vacuum[ to prevent wraparound] of table "db.s.t": index scans: 0
 *   	tuples: 16667 removed, 50000 remain, ...
 *   	system usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: 0.05 s
 *   automatic analyze of table "db.s.t" ... elapsed: 0.04 s
 * (before PostgreSQL 10: "system usage: CPU 0.00s/0.01u sec elapsed 0.05 sec").
 * Wraparound (varsup.c, multixact.c), WARNING or ERROR:
 *   database "shop" must be vacuumed within 10985 transactions
 *   database with OID 5 must be vacuumed before 100 more MultiXactIds are used
 *   database is not accepting commands [that assign new transaction IDs]
 *     to avoid wraparound data loss in database "shop"
 *   bypassing nonessential maintenance of table "db.s.t" as a failsafe
 *     after 0 index scans                      (14 and later)
 * A cut checkpoint line is ignored; a cut autovacuum message still counts,
 * with what it says. An autovacuum cancelled by a conflicting lock is
 * counted on its table from the ERROR's CONTEXT:
 *   ERROR:  canceling autovacuum task
 *   CONTEXT:  while scanning block 3 of relation "public.t"   (13 and later)
 *   	automatic vacuum of table "db.public.t" */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "pgmsg.h"
#include "timeutil.h"

/* "KEY1.234 s": seconds after key; false when absent or cut. */
static bool seconds_after(struct slice s, const char *key, const char *unit,
		double *v)
{
	const char *p = ev_find(s, key);
	if (!p)
		return false;
	const char *end = s.ptr + s.len;
	size_t n = pgmsg_parse_ms(p, (size_t)(end - p), v);
	size_t ul = strlen(unit);
	return n && (size_t)(end - p - n) >= ul && memcmp(p + n, unit, ul) == 0;
}

static bool u64_after(struct slice s, const char *key, uint64_t *v)
{
	const char *p = ev_find(s, key);
	return p && ev_parse_u64(p, (size_t)(s.ptr + s.len - p), v);
}

/* A checkpoint started for the reasons r ("wal", "immediate force wait",
 * "time wal"...) at ts: one started because WAL reached max_wal_size
 * counts, with the time since the checkpoint started before it. */
static void check_started(struct ev_checkpoints *c, struct slice r, int64_t ts)
{
	bool wal = false;
	for (size_t i = 0; i + 3 <= r.len; i++)
		if (memcmp(r.ptr + i, "wal", 3) == 0 && (i == 0 || r.ptr[i - 1] == ' ') &&
				(i + 3 == r.len || r.ptr[i + 3] == ' '))
			wal = true;
	if (wal) {
		c->wal_started++;
		if (ts != TS_NONE && c->last_start_ts != TS_NONE &&
				ts >= c->last_start_ts) {
			double s = (double)(ts - c->last_start_ts) / 1000.0;
			if (!c->wal_intervals || s < c->wal_interval_min_s)
				c->wal_interval_min_s = s;
			c->wal_intervals++;
			c->wal_interval_s += s;
		}
	}
	if (ts != TS_NONE)
		c->last_start_ts = ts;
}

void ev_checkpoint_message(struct events *ev, const struct ev_msg *m)
{
	struct ev_checkpoints *c = &ev->ckpt;
	struct slice t = m->text;
	bool restart = t.ptr[0] == 'r';
	const char *p;

	if (ev_starts(t, "checkpoints are occurring too frequently")) {
		c->too_frequent++;
		/* "(23 seconds apart)"; "(1 second apart)" */
		uint64_t apart;
		if ((p = ev_find(t, " (")) != NULL &&
				ev_parse_u64(p, (size_t)(t.ptr + t.len - p), &apart) &&
				(c->min_apart_s < 0 || (double)apart < c->min_apart_s))
			c->min_apart_s = (double)apart;
		return;
	}
	if ((p = ev_find(t, "point starting: ")) != NULL) {
		size_t n = (size_t)(t.ptr + t.len - p);
		const char *nl = memchr(p, '\n', n);
		if (nl)
			n = (size_t)(nl - p);
		if (n)
			ev_counts_add(&c->by_reason, p, n, 1);
		check_started(c, slice_make(p, n), m->e->ts_ms);
		return;
	}
	double w, s, total;
	if (!seconds_after(t, "write=", " s", &w) ||
			!seconds_after(t, "sync=", " s", &s) ||
			!seconds_after(t, "total=", " s", &total))
		return;
	c->count++;
	c->restartpoints += restart;
	c->write_s += w;
	c->sync_s += s;
	c->total_s += total;
	if (total > c->max_total_s)
		c->max_total_s = total;
	uint64_t v;
	if (u64_after(t, "wrote ", &v))
		c->buffers += v;
	/* "0 WAL file(s) added, 0 removed, 5 recycled" ("transaction log
	 * file(s)" before PostgreSQL 10) */
	static const char added[] = " file(s) added, ";
	if ((p = ev_find(t, added)) != NULL) {
		const char *q = p - (sizeof(added) - 1), *d;
		while (q > t.ptr && !(q[-1] >= '0' && q[-1] <= '9'))
			q--;
		for (d = q; d > t.ptr && d[-1] >= '0' && d[-1] <= '9'; d--)
			;
		if (d < q && ev_parse_u64(d, (size_t)(q - d), &v))
			c->wal_added += v;
		struct slice rest = slice_make(p, (size_t)(t.ptr + t.len - p));
		if (ev_parse_u64(rest.ptr, rest.len, &v))
			c->wal_removed += v;
		if (u64_after(rest, "removed, ", &v))
			c->wal_recycled += v;
	}
}

static const char *table_key(const void *rows, size_t i)
{
	return ((const struct ev_vacuum_table *)rows)[i].table;
}

static struct ev_vacuum_table *table_of(struct events *ev, struct slice name)
{
	struct ev_autovacuum *a = &ev->av;
	if (!a->index)
		a->index = ev_index_new();
	size_t row = ev_index_find(a->index, name.ptr, name.len, a->tables,
			table_key);
	if (row != SIZE_MAX)
		return &a->tables[row];
	if (a->ntables == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->tables = xrealloc(a->tables, a->cap * sizeof(*a->tables));
	}
	a->tables[a->ntables] = (struct ev_vacuum_table){
		.table = xstrndup(name.ptr, name.len) };
	ev_index_add(a->index, a->ntables, a->tables, table_key);
	return &a->tables[a->ntables++];
}

/* The table of "... of table \"db.s.t\"" in the first line of s. */
static bool table_name(struct slice s, struct slice *name)
{
	const char *p = ev_find(s, "of table \"");
	if (!p)
		return false;
	const char *end = s.ptr + s.len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (nl)
		end = nl;
	const char *q = end;
	while (q > p && q[-1] != '"')
		q--;
	if (q <= p)
		return false;
	*name = slice_make(p, (size_t)(q - 1 - p));
	return name->len > 0;
}

void ev_autovacuum_message(struct events *ev, const struct ev_msg *m)
{
	struct slice t = m->text, name;
	const char *of = ev_find(t, " of table \"");
	if (!of || !table_name(t, &name))
		return;
	struct slice head = slice_make(t.ptr, (size_t)(of - t.ptr));
	bool analyze = ev_find(head, "analyze") != NULL;
	if (!analyze && !ev_find(head, "vacuum"))
		return;
	struct ev_vacuum_table *tb = table_of(ev, name);
	if (analyze) {
		ev->av.analyze_count++;
		tb->analyzes++;
	} else {
		ev->av.vacuum_count++;
		tb->vacuums++;
		tb->aggressive += ev_find(head, "aggressive") != NULL;
		tb->wraparound += ev_find(head, "wraparound") != NULL;
		uint64_t removed;
		const char *p = ev_find(t, "tuples: ");
		size_t n = p ? ev_parse_u64(p, (size_t)(t.ptr + t.len - p), &removed) : 0;
		if (n && ev_starts(slice_make(p + n, (size_t)(t.ptr + t.len - p - n)),
				" removed"))
			tb->removed_tuples += removed;
	}
	double s;
	if (seconds_after(t, "elapsed: ", " s", &s) ||
			seconds_after(t, " elapsed ", " sec", &s)) {
		tb->total_ms = ms_add(tb->total_ms, s * 1000);
		if (s * 1000 > tb->max_ms)
			tb->max_ms = s * 1000;
	}
}

/* The CONTEXT of a cancelled autovacuum names its table on its own line:
 * the first line before PostgreSQL 13, after what the worker was doing
 * since ("while scanning block 3 of relation "public.t"", "while
 * vacuuming index ...", "while truncating relation ..."). */
void ev_autovacuum_canceled(struct events *ev, const struct ev_msg *m)
{
	struct slice ctx = m->context, name;
	const char *p = ctx.ptr, *end = ctx.ptr + ctx.len;
	while (p && p < end) {
		while (p < end && (*p == '\t' || *p == ' '))
			p++;
		struct slice line = slice_make(p, (size_t)(end - p));
		if (ev_starts(line, "automatic ")) {
			if (table_name(line, &name))
				table_of(ev, name)->canceled++;
			return;
		}
		p = memchr(p, '\n', (size_t)(end - p));
		if (p)
			p++;
	}
}

void ev_wraparound_message(struct events *ev, const struct ev_msg *m)
{
	struct ev_wraparound *w = &ev->wrap;
	struct slice t = m->text;
	const char *p;
	if ((p = ev_find(t, "must be vacuumed ")) != NULL) {
		w->warnings++;
		uint64_t left;
		const char *within = ev_find(t, "must be vacuumed within ");
		if (within && ev_parse_u64(within, (size_t)(t.ptr + t.len - within),
				&left) && left < w->min_left) {
			w->min_left = left;
			free(w->db);
			w->db = NULL;
			const char *q = ev_find(t, "database \"");
			const char *e = q ? memchr(q, '"', (size_t)(t.ptr + t.len - q)) : NULL;
			if (e && e > q)
				w->db = xstrndup(q, (size_t)(e - q));
		}
	} else if (ev_find(t, "to avoid wraparound")) {
		w->refusals++;
	} else if (ev_starts(t, "bypassing nonessential maintenance of table ") &&
			ev_find(t, " as a failsafe")) {
		w->failsafe++;
	} else {
		return;
	}
	int64_t ts = m->e->ts_ms;
	if (ts != TS_NONE) {
		if (w->first_ts == TS_NONE || ts < w->first_ts)
			w->first_ts = ts;
		if (w->last_ts == TS_NONE || ts > w->last_ts)
			w->last_ts = ts;
	}
}

static void wraparound_merge(struct ev_wraparound *d, struct ev_wraparound *s)
{
	d->warnings += s->warnings;
	d->refusals += s->refusals;
	d->failsafe += s->failsafe;
	if (s->min_left < d->min_left || (s->min_left == d->min_left && !d->db)) {
		d->min_left = s->min_left;
		free(d->db);
		d->db = s->db;
		s->db = NULL;
	}
	if (s->first_ts != TS_NONE && (d->first_ts == TS_NONE || s->first_ts < d->first_ts))
		d->first_ts = s->first_ts;
	if (s->last_ts != TS_NONE && (d->last_ts == TS_NONE || s->last_ts > d->last_ts))
		d->last_ts = s->last_ts;
	free(s->db);
	*s = (struct ev_wraparound){ .min_left = UINT64_MAX, .first_ts = TS_NONE,
		.last_ts = TS_NONE };
}

void ev_maintenance_merge(struct events *dst, struct events *src)
{
	wraparound_merge(&dst->wrap, &src->wrap);
	struct ev_checkpoints *d = &dst->ckpt, *s = &src->ckpt;
	d->count += s->count;
	d->restartpoints += s->restartpoints;
	d->too_frequent += s->too_frequent;
	ev_counts_merge(&d->by_reason, &s->by_reason);
	d->write_s += s->write_s;
	d->sync_s += s->sync_s;
	d->total_s += s->total_s;
	if (s->max_total_s > d->max_total_s)
		d->max_total_s = s->max_total_s;
	d->buffers += s->buffers;
	d->wal_added += s->wal_added;
	d->wal_removed += s->wal_removed;
	d->wal_recycled += s->wal_recycled;
	if (s->min_apart_s >= 0 && (d->min_apart_s < 0 ||
			s->min_apart_s < d->min_apart_s))
		d->min_apart_s = s->min_apart_s;
	d->wal_started += s->wal_started;
	if (s->wal_intervals && (!d->wal_intervals ||
			s->wal_interval_min_s < d->wal_interval_min_s))
		d->wal_interval_min_s = s->wal_interval_min_s;
	d->wal_intervals += s->wal_intervals;
	d->wal_interval_s += s->wal_interval_s;
	*s = (struct ev_checkpoints){ .min_apart_s = -1, .last_start_ts = TS_NONE };

	struct ev_autovacuum *sa = &src->av;
	dst->av.vacuum_count += sa->vacuum_count;
	dst->av.analyze_count += sa->analyze_count;
	for (size_t i = 0; i < sa->ntables; i++) {
		struct ev_vacuum_table *st = &sa->tables[i];
		struct ev_vacuum_table *t = table_of(dst, slice_make(st->table,
				strlen(st->table)));
		t->vacuums += st->vacuums;
		t->analyzes += st->analyzes;
		t->aggressive += st->aggressive;
		t->wraparound += st->wraparound;
		t->canceled += st->canceled;
		t->removed_tuples += st->removed_tuples;
		t->total_ms = ms_add(t->total_ms, st->total_ms);
		if (st->max_ms > t->max_ms)
			t->max_ms = st->max_ms;
	}
	ev_maintenance_free(src);
}

static int cmp_table(const void *pa, const void *pb)
{
	const struct ev_vacuum_table *x = pa, *y = pb;
	if (x->total_ms != y->total_ms)
		return x->total_ms > y->total_ms ? -1 : 1;
	uint64_t nx = x->vacuums + x->analyzes, ny = y->vacuums + y->analyzes;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(x->table, y->table);
}

void ev_maintenance_sort(struct events *ev)
{
	ev_counts_sort(&ev->ckpt.by_reason);
	struct ev_autovacuum *a = &ev->av;
	if (a->ntables == 0)
		return;
	qsort(a->tables, a->ntables, sizeof(*a->tables), cmp_table);
	ev_index_rebuild(a->index, a->ntables, a->tables, table_key);
}

void ev_maintenance_free(struct events *ev)
{
	ev_counts_release(&ev->ckpt.by_reason);
	struct ev_autovacuum *a = &ev->av;
	for (size_t i = 0; i < a->ntables; i++)
		free(a->tables[i].table);
	free(a->tables);
	ev_index_free(a->index);
	*a = (struct ev_autovacuum){ 0 };
	free(ev->wrap.db);
	ev->wrap.db = NULL;
}
