/* events_blocking_range.c: transactions that go on across a cut.
 *
 * One input read in ranges (driver_range.c): a later range's worker does
 * not know whether a backend it meets was inside a transaction when the
 * range began. Until the backend's first BEGIN or end of a transaction
 * in the range, its calls are gathered in a "head" as if a transaction
 * were open (the gaps between them, its last statements) and, in case
 * none was, its long statements are kept as holds of their own marked
 * loose. hand_over then looks at the state that holds the backend's
 * earlier records: if a transaction is open there, the head is added to
 * it (the gap from its last statement to the head's first, the head's
 * own gaps and statements, in file order), its loose holds are taken
 * back, and the transaction ends where -j 1 ends it (at the head's end
 * of a transaction, or at its last statement before a BEGIN) or goes on
 * in the later range's state. Idle time, the longest gap and the holds
 * the root blockers are read from are then those of -j 1.
 *
 * A --state run stops in the middle of the log: the transactions still
 * open are taken out and carried to the next run with the sessions and
 * lock waits (ev_blocking_save_open()), which goes on with them. */
#include <stdlib.h>
#include <string.h>

#include "events_blocking_int.h"
#include "state.h"

void ev_blocking_begin_range(struct events *ev)
{
	ev_blk_of(ev)->ranged = true;
}

bool ev_blk_head_call(struct ev_blocking *b, const struct call *c,
		enum xkind k, int64_t start, int64_t end, uint64_t fp, bool has_fp)
{
	struct xact *hd = ev_xtab_find(&b->heads, c->pid);
	if (!hd) {
		hd = ev_xtab_new(&b->heads, c->pid);
		hd->head = HEAD_OPEN;
		hd->app = SIZE_MAX;
	}
	if (hd->head != HEAD_OPEN)
		return false;
	if (k == X_BEGIN) {
		hd->head = HEAD_BEGIN;          /* it opens a transaction here */
		return false;
	}
	double dur = c->timed && c->duration_ms > 0 ? c->duration_ms : 0;
	if (!hd->ncalls) {
		hd->first_end = end;
		hd->first_dur = dur;
	} else {
		/* ev_blk_gap() but the sum, kept in whole microseconds: the
		 * same sum as ms_add()'s (the log's figures are microseconds),
		 * without its rounding call on every statement of a range. */
		double gap = (double)end - dur - (double)hd->last_end;
		if (gap > 0) {
			hd->idle_us += (int64_t)(gap * 1000.0 + 0.5);
			hd->gaps += gap >= EV_IDLE_GAP_MS;
			if (gap > hd->max_ms) {
				hd->max_ms = gap;
				hd->max_ts = hd->last_end;
				hd->max_fp = hd->last_fp;
				hd->max_has_fp = hd->last_has_fp;
			}
		}
	}
	hd->ncalls++;
	hd->last_end = end;
	if (k == X_END) {
		hd->head = HEAD_END;
		hd->end_ts = end;
		return true;
	}
	hd->last_fp = fp;
	hd->last_has_fp = has_fp;
	ev_blk_hold_stmt(&hd->h, fp, has_fp, start, end);
	if (c->timed && c->duration_ms >= EV_HOLD_MIN_MS) {
		struct ev_hold h = { .pid = c->pid, .start = start, .end = end,
			.app = c->app.len ? xstrndup(c->app.ptr, c->app.len) : NULL,
			.loose = true };
		ev_blk_hold_stmt(&h, fp, has_fp, start, end);
		ev_blk_push_hold(b, &h);
		hd->nloose++;
	}
	return true;
}

/* Takes back the holds of pid the head kept loose. */
static void drop_loose(struct ev_blocking *b, int64_t pid)
{
	size_t w = 0;
	for (size_t i = 0; i < b->nholds; i++) {
		struct ev_hold *h = &b->holds[i];
		if (h->pid == pid && h->loose) {
			free(h->app);
			continue;
		}
		b->holds[w++] = *h;
	}
	b->nholds = w;
}

/* Adds head hd (of state b) to x, open before it: what -j 1 did with the
 * head's calls. */
static void add_head(struct ev_blocking *b, struct xact *x, const struct xact *hd)
{
	ev_blk_gap(x, (double)hd->first_end - hd->first_dur - (double)x->last_end,
			x->last_end, x->last_fp, x->last_has_fp);
	x->idle_ms = ms_add(x->idle_ms, (double)hd->idle_us / 1000.0);
	x->gaps += hd->gaps;
	if (hd->max_ms > x->max_ms) {
		x->max_ms = hd->max_ms;
		x->max_ts = hd->max_ts;
		x->max_fp = hd->max_fp;
		x->max_has_fp = hd->max_has_fp;
	}
	x->last_end = hd->last_end;
	uint32_t m = hd->h.n;
	if (m) {                        /* statements other than its end */
		x->last_fp = hd->last_fp;
		x->last_has_fp = hd->last_has_fp;
		/* Statement j of the head is statement x->h.n + j of x. */
		for (uint32_t j = m > EV_HOLD_STMTS ? m - EV_HOLD_STMTS : 0; j < m; j++)
			x->h.st[(x->h.n + j) % EV_HOLD_STMTS] = hd->h.st[j % EV_HOLD_STMTS];
		x->h.n += m;
	}
	if (hd->nloose)
		drop_loose(b, hd->pid);
}

/* Moves x from from's open transactions to to's. */
static void move_open(struct ev_blocking *to, struct ev_blocking *from,
		struct xact *x)
{
	struct xact *y = ev_xtab_new(&to->open, x->pid);
	*y = *x;
	if (x->app != SIZE_MAX) {
		const char *name = from->apps[x->app].app;
		y->app = ev_blk_app_row(to, name, strlen(name));
	}
	ev_xtab_delete(&from->open, x);
}

void ev_blocking_hand_over(struct events *to, struct events *from, int64_t pid)
{
	struct ev_blocking *tb = to->blk, *fb = from->blk;
	if (pid <= 0 || !tb)
		return;
	struct xact *hd = ev_xtab_find(&tb->heads, pid);
	uint8_t head = hd ? hd->head : 0;
	if (hd)
		hd->head = HEAD_SETTLED;
	struct xact *x = fb ? ev_xtab_find(&fb->open, pid) : NULL;
	if (!x)
		return;         /* the head was outside a transaction: as it is */
	if (hd && hd->ncalls)
		add_head(tb, x, hd);
	switch (head) {
	case HEAD_END:
		ev_blk_close(fb, x, hd->end_ts);
		break;
	case HEAD_BEGIN:
		ev_blk_close(fb, x, x->last_end);
		break;
	default:                        /* no end in the range: goes on there */
		move_open(tb, fb, x);
		break;
	}
}

/* ---- carried to the next --state run ---- */

void ev_blocking_save_open(struct events *ev, struct st_out *o)
{
	struct ev_blocking *b = ev->blk;
	st_u64(o, b ? b->open.used : 0);
	if (!b || !b->open.used)
		return;
	/* Taken out, as open lock waits are: the run that sees its end
	 * counts it. Deleting may shift a later slot into this one. */
	for (size_t i = 0; i < b->open.nx; ) {
		struct xact *x = &b->open.x[i];
		if (!x->pid) {
			i++;
			continue;
		}
		st_str(o, x->app != SIZE_MAX ? b->apps[x->app].app : NULL);
		st_i64(o, x->last_end);
		st_u64(o, x->last_fp);
		st_u8(o, x->last_has_fp);
		st_f64(o, x->idle_ms);
		st_f64(o, x->max_ms);
		st_u64(o, x->gaps);
		st_i64(o, x->max_ts);
		st_u64(o, x->max_fp);
		st_u8(o, x->max_has_fp);
		ev_hold_save(o, &x->h);
		free(x->h.app);
		ev_xtab_delete(&b->open, x);
	}
}

bool ev_blocking_load_open(struct events *ev, struct st_in *in)
{
	if (in->p == in->end)
		return true;    /* carried by a pgsift that carried none */
	size_t n = st_get_count(in, 1 + 8 * 7 + 2 + EV_HOLD_SAVED_MIN, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		char *app = st_get_str(in, NULL);
		struct xact t = { 0 };
		t.last_end = st_get_i64(in);
		t.last_fp = st_get_u64(in);
		t.last_has_fp = st_get_bool(in);
		t.idle_ms = st_get_f64(in);
		t.max_ms = st_get_f64(in);
		t.gaps = st_get_u64(in);
		t.max_ts = st_get_i64(in);
		t.max_fp = st_get_u64(in);
		t.max_has_fp = st_get_bool(in);
		if (!ev_hold_load(in, &t.h)) {
			free(app);
			return false;
		}
		struct ev_blocking *b = ev_blk_of(ev);
		struct xact *x = ev_xtab_find(&b->open, t.h.pid);
		if (x) {                /* carried twice: the first stays */
			free(t.h.app);
			free(app);
			continue;
		}
		x = ev_xtab_new(&b->open, t.h.pid);
		t.pid = t.h.pid;
		t.app = app ? ev_blk_app_row(b, app, strlen(app)) : SIZE_MAX;
		*x = t;
		free(app);
	}
	return !in->bad;
}
