/* events_blocking.c: backends' transactions, read from their calls: the
 * time they stay idle inside a transaction (per application), and who
 * blocked whom in the lock waits.
 *
 * A backend's calls come in log order, each with the time its log line
 * was written (the statement's end, with log_min_duration_statement) and
 * its duration, so a statement ran over [ts - duration, ts]. Between BEGIN
 * (or START TRANSACTION) and COMMIT, END, ROLLBACK or ABORT the backend is
 * in an explicit transaction: the time from one statement's end to the
 * next one's start is time the client kept the transaction open doing
 * nothing in the server, holding whatever locks it took.
 *
 * A lock wait's DETAIL names the backend holding the lock. That backend
 * may itself be waiting for another one (A blocks B blocks C): the root is
 * found by following the holders through the waits they were in at the
 * time. What the root was doing then comes from its "holds": the
 * transactions (and the statements outside one) that lasted at least
 * HOLD_MIN_MS, kept with their last statements. The roots are settled in
 * events_sort(), once every worker's waits and holds are merged (the
 * holder's records may have gone to another worker than the waiter's); a
 * saved state keeps the settled waits, not the holds. */
#include <stdlib.h>
#include <string.h>

#include "events_blocking_int.h"
#include "timeutil.h"

#define HOLD_MIN_MS EV_HOLD_MIN_MS
/* Holds kept per state; past twice this, the longest are kept. A hold is
 * about 150 bytes. */
#define HOLDS_MAX 50000
#define HOLD_STMTS EV_HOLD_STMTS
/* Holders followed from a wait to its root, at most. */
#define CHAIN_MAX 16

struct ev_blocking *ev_blk_of(struct events *ev)
{
	if (!ev->blk)
		ev->blk = xcalloc(1, sizeof(*ev->blk));
	return ev->blk;
}

static void blockers_release(struct ev_blocking *b)
{
	for (size_t i = 0; i < b->nblockers; i++) {
		free(b->blockers[i].app);
		free(b->blockers[i].lock);
	}
	free(b->blockers);
	b->blockers = NULL;
	b->nblockers = 0;
}

void ev_blocking_free(struct events *ev)
{
	struct ev_blocking *b = ev->blk;
	if (!b)
		return;
	ev_xtab_free(&b->open);
	ev_xtab_free(&b->heads);
	for (size_t i = 0; i < b->nholds; i++)
		free(b->holds[i].app);
	free(b->holds);
	for (size_t i = 0; i < b->napps; i++)
		free(b->apps[i].app);
	free(b->apps);
	ev_index_free(b->app_index);
	blockers_release(b);
	free(b);
	ev->blk = NULL;
}

/* ---- what a statement does to a transaction ---- */

/* Whether p starts with the words w (lower case, ASCII case aside).
 * By hand, failing at the first byte that differs: called on every
 * statement, strncasecmp was 1.5 % of a run on a log of short SELECTs. */
static bool word_is(const char *p, size_t len, const char *w)
{
	size_t n = 0;
	for (; w[n]; n++)
		if (n == len || (p[n] | 0x20) != w[n])
			return false;
	return len == n || !((p[n] >= 'a' && p[n] <= 'z') ||
			(p[n] >= 'A' && p[n] <= 'Z') || p[n] == '_');
}

/* Only a statement that is that command alone counts: "BEGIN; UPDATE
 * ...; COMMIT" sent as one string is a transaction within one call. */
static bool alone(const char *p, size_t len)
{
	const char *semi = memchr(p, ';', len);
	if (!semi)
		return true;
	for (const char *q = semi + 1; q < p + len; q++)
		if (*q != ' ' && *q != '\n' && *q != '\t' && *q != '\r' && *q != ';')
			return false;
	return true;
}

static enum xkind xkind_of(struct slice q)
{
	const char *p = q.ptr, *end = q.ptr + q.len;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	size_t len = (size_t)(end - p);
	if (!len)
		return X_OTHER;
	switch (*p | 0x20) {
	case 'b':
		return word_is(p, len, "begin") && alone(p, len) ? X_BEGIN : X_OTHER;
	case 's':
		/* The second byte first: most statements start "SELECT". */
		if (len < 2 || (p[1] | 0x20) != 't')
			return X_OTHER;
		return word_is(p, len, "start transaction") && alone(p, len) ?
			X_BEGIN : X_OTHER;
	case 'c': case 'e': case 'r': case 'a':
		if (word_is(p, len, "commit") || word_is(p, len, "end") ||
				word_is(p, len, "abort")) {
			if (word_is(p, len, "commit prepared"))
				return X_OTHER;
			return alone(p, len) ? X_END : X_OTHER;
		}
		/* ROLLBACK TO SAVEPOINT stays in the transaction. */
		if (word_is(p, len, "rollback") && !word_is(p, len, "rollback to") &&
				!word_is(p, len, "rollback prepared"))
			return alone(p, len) ? X_END : X_OTHER;
		return X_OTHER;
	default:
		return X_OTHER;
	}
}

/* ---- idle time per application ---- */

static const char *app_key(const void *rows, size_t i)
{
	return ((const struct ev_idle_app *)rows)[i].app;
}

size_t ev_blk_app_row(struct ev_blocking *b, const char *name, size_t len)
{
	if (!b->app_index)
		b->app_index = ev_index_new();
	size_t row = ev_index_find(b->app_index, name, len, b->apps, app_key);
	if (row != SIZE_MAX)
		return row;
	if (b->napps >= EV_NAMES_MAX)
		return SIZE_MAX;
	if (b->napps == b->capapps) {
		b->capapps = b->capapps ? 2 * b->capapps : 8;
		b->apps = xrealloc(b->apps, b->capapps * sizeof(*b->apps));
	}
	b->apps[b->napps] = (struct ev_idle_app){ .app = xstrndup(name, len),
		.max_ts = TS_NONE };
	ev_index_add(b->app_index, b->napps, b->apps, app_key);
	return b->napps++;
}

static void app_add(struct ev_idle_app *a, const struct ev_idle_app *s)
{
	a->xacts += s->xacts;
	a->gaps += s->gaps;
	a->idle_ms = ms_add(a->idle_ms, s->idle_ms);
	/* Ties go to the earliest, whatever the order of the merge. */
	if (s->max_ms > a->max_ms || (s->max_ms == a->max_ms && s->max_ms > 0 &&
			s->max_ts < a->max_ts)) {
		a->max_ms = s->max_ms;
		a->max_ts = s->max_ts;
		a->max_pid = s->max_pid;
		a->fingerprint = s->fingerprint;
		a->has_fingerprint = s->has_fingerprint;
	}
}

/* ---- holds ---- */

static int cmp_hold_len(const void *pa, const void *pb)
{
	const struct ev_hold *x = pa, *y = pb;
	int64_t lx = x->end - x->start, ly = y->end - y->start;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	int c = cmp_i64(x->start, y->start);
	return c ? c : cmp_i64(x->pid, y->pid);
}

void ev_blk_push_hold(struct ev_blocking *b, struct ev_hold *h)
{
	if (b->nholds >= 2 * HOLDS_MAX) {
		qsort(b->holds, b->nholds, sizeof(*b->holds), cmp_hold_len);
		for (size_t i = HOLDS_MAX; i < b->nholds; i++)
			free(b->holds[i].app);
		b->dropped.holds += b->nholds - HOLDS_MAX;
		b->nholds = HOLDS_MAX;
	}
	if (b->nholds == b->capholds) {
		b->capholds = b->capholds ? 2 * b->capholds : 16;
		b->holds = xrealloc(b->holds, b->capholds * sizeof(*b->holds));
	}
	b->holds[b->nholds++] = *h;
	h->app = NULL;
}

void ev_blk_hold_stmt(struct ev_hold *h, uint64_t fp, bool has_fp, int64_t start,
		int64_t end)
{
	h->st[h->n % HOLD_STMTS] = (struct ev_hold_stmt){ fp, has_fp, start, end };
	h->n++;
}

/* ---- open transactions by pid ---- */

static size_t pid_slot(int64_t pid, size_t mask)
{
	uint64_t h = (uint64_t)pid * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & mask;
}

struct xact *ev_xtab_find(struct xtab *t, int64_t pid)
{
	if (!t->used)
		return NULL;
	size_t mask = t->nx - 1;
	for (size_t i = pid_slot(pid, mask); t->x[i].pid; i = (i + 1) & mask)
		if (t->x[i].pid == pid)
			return &t->x[i];
	return NULL;
}

struct xact *ev_xtab_new(struct xtab *t, int64_t pid)
{
	if ((t->used + 1) * 2 > t->nx) {
		struct xact *old = t->x;
		size_t oldn = t->nx;
		t->nx = oldn ? 2 * oldn : 16;
		t->x = xcalloc(t->nx, sizeof(*t->x));
		size_t mask = t->nx - 1;
		for (size_t k = 0; k < oldn; k++) {
			if (!old[k].pid)
				continue;
			size_t j = pid_slot(old[k].pid, mask);
			while (t->x[j].pid)
				j = (j + 1) & mask;
			t->x[j] = old[k];
		}
		free(old);
	}
	size_t mask = t->nx - 1;
	size_t i = pid_slot(pid, mask);
	while (t->x[i].pid)
		i = (i + 1) & mask;
	t->x[i] = (struct xact){ .pid = pid, .max_ts = TS_NONE };
	t->used++;
	return &t->x[i];
}

void ev_xtab_delete(struct xtab *t, struct xact *x)
{
	size_t mask = t->nx - 1;
	size_t i = (size_t)(x - t->x);
	t->x[i].pid = 0;
	t->used--;
	for (size_t j = (i + 1) & mask; t->x[j].pid; j = (j + 1) & mask) {
		size_t home = pid_slot(t->x[j].pid, mask);
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		t->x[i] = t->x[j];
		t->x[j].pid = 0;
		i = j;
	}
}

void ev_xtab_free(struct xtab *t)
{
	for (size_t i = 0; i < t->nx; i++)
		if (t->x[i].pid)
			free(t->x[i].h.app);
	free(t->x);
	*t = (struct xtab){ 0 };
}

/* The transaction ends at end (its last statement's end when the log
 * did not show its end): its idle time goes to its application, and it is
 * kept as a hold when long enough. */
void ev_blk_close(struct ev_blocking *b, struct xact *x, int64_t end)
{
	if (x->app != SIZE_MAX) {
		struct ev_idle_app s = {
			.xacts = 1, .gaps = x->gaps, .idle_ms = x->idle_ms,
			.max_ms = x->max_ms, .max_ts = x->max_ts, .max_pid = x->pid,
			.fingerprint = x->max_fp, .has_fingerprint = x->max_has_fp,
		};
		app_add(&b->apps[x->app], &s);
	} else {
		b->dropped.idle_xacts++;
	}
	x->h.end = end;
	if ((double)(end - x->h.start) >= HOLD_MIN_MS)
		ev_blk_push_hold(b, &x->h);
	free(x->h.app);
	ev_xtab_delete(&b->open, x);
}

void ev_blk_gap(struct xact *x, double gap, int64_t last_end, uint64_t fp,
		bool has_fp)
{
	if (gap <= 0)
		return;
	x->idle_ms = ms_add(x->idle_ms, gap);
	x->gaps += gap >= EV_IDLE_GAP_MS;
	/* Strictly longer: of equal gaps the first is kept, as a range's
	 * hand-over compares them in file order too. */
	if (gap > x->max_ms) {
		x->max_ms = gap;
		x->max_ts = last_end;
		x->max_fp = fp;
		x->max_has_fp = has_fp;
	}
}

void ev_blocking_call(struct events *ev, const struct call *c)
{
	if (c->pid <= 0 || c->ts_ms == TS_NONE)
		return;
	/* The bulk: a short statement and no transaction open, which only a
	 * BEGIN or START TRANSACTION would change. A later range's state
	 * takes every call until it knows where its backend stood (heads). */
	bool none = !ev->blk || (!ev->blk->open.used && !ev->blk->ranged);
	bool long_one = c->timed && c->duration_ms >= HOLD_MIN_MS;
	if (none && !long_one && c->query.len > 1) {
		char c0 = c->query.ptr[0] | 0x20, c1 = c->query.ptr[1] | 0x20;
		if (c0 != 'b' && !(c0 == 's' && c1 == 't') && c0 != ' ' &&
				c0 != ('\n' | 0x20) && c0 != ('\t' | 0x20) &&
				c0 != ('\r' | 0x20))
			return;
	}
	enum xkind k = xkind_of(c->query);
	if (k == X_OTHER && none && !long_one)
		return;
	struct ev_blocking *b = ev_blk_of(ev);
	int64_t end = c->ts_ms;
	int64_t start = end - (c->timed && c->duration_ms > 0 ?
			(int64_t)c->duration_ms : 0);
	uint64_t fp = c->entry ? c->entry->fingerprint : c->fingerprint;
	bool has_fp = c->entry != NULL || c->fingerprint != 0;
	struct xact *x = ev_xtab_find(&b->open, c->pid);

	if (!x && b->ranged && ev_blk_head_call(b, c, k, start, end, fp, has_fp))
		return;
	if (k == X_BEGIN) {
		if (x)          /* its end was not logged */
			ev_blk_close(b, x, x->last_end);
		x = ev_xtab_new(&b->open, c->pid);
		x->app = ev_blk_app_row(b, c->app.len ? c->app.ptr : "", c->app.len);
		x->last_end = end;
		x->h = (struct ev_hold){ .pid = c->pid, .start = start,
			.app = c->app.len ? xstrndup(c->app.ptr, c->app.len) : NULL };
		return;
	}
	if (!x) {
		if (k == X_OTHER && long_one) {
			struct ev_hold h = { .pid = c->pid, .start = start, .end = end,
				.app = c->app.len ? xstrndup(c->app.ptr, c->app.len) : NULL };
			ev_blk_hold_stmt(&h, fp, has_fp, start, end);
			ev_blk_push_hold(b, &h);
		}
		return;
	}
	/* In the log's own figures: its time stamps (ms) and the duration. */
	ev_blk_gap(x, (double)end - (c->timed && c->duration_ms > 0 ?
			c->duration_ms : 0) - (double)x->last_end, x->last_end,
			x->last_fp, x->last_has_fp);
	x->last_end = end;
	if (k == X_END) {
		ev_blk_close(b, x, end);
		return;
	}
	x->last_fp = fp;
	x->last_has_fp = has_fp;
	ev_blk_hold_stmt(&x->h, fp, has_fp, start, end);
}

void ev_blocking_end_input(struct events *ev)
{
	struct ev_blocking *b = ev->blk;
	if (!b)
		return;
	/* Transactions the log never saw the end of end at their last
	 * statement. Closing one may shift a later slot into this one. */
	for (size_t i = 0; i < b->open.nx; ) {
		if (b->open.x[i].pid)
			ev_blk_close(b, &b->open.x[i], b->open.x[i].last_end);
		else
			i++;
	}
	/* Heads were handed over (or began their backend): done with. */
	ev_xtab_free(&b->heads);
	b->ranged = false;
}

void ev_blocking_merge(struct events *dst, struct events *src)
{
	struct ev_blocking *s = src->blk;
	if (!s)
		return;
	struct ev_blocking *d = ev_blk_of(dst);
	for (size_t i = 0; i < s->nholds; i++)
		ev_blk_push_hold(d, &s->holds[i]);
	s->nholds = 0;
	for (size_t i = 0; i < s->napps; i++) {
		const char *name = s->apps[i].app;
		size_t row = ev_blk_app_row(d, name, strlen(name));
		if (row != SIZE_MAX)
			app_add(&d->apps[row], &s->apps[i]);
		else
			d->dropped.idle_xacts += s->apps[i].xacts;
	}
	d->dropped.holds += s->dropped.holds;
	d->dropped.idle_xacts += s->dropped.idle_xacts;
	s->dropped = (struct ev_blocking_dropped){ 0 };
	for (size_t i = 0; i < s->napps; i++)
		free(s->apps[i].app);
	s->napps = 0;
	ev_index_free(s->app_index);
	s->app_index = NULL;
}

/* ---- who blocked whom ---- */

/* The wait of pid going on at t (its first message), or NULL. */
static const struct ev_lock_wait *wait_at(const struct events *ev, int64_t pid,
		int64_t t)
{
	for (size_t i = 0; i < ev->nwaits; i++) {
		const struct ev_lock_wait *w = &ev->waits[i];
		if (w->pid != pid || w->start_ms == TS_NONE)
			continue;
		if (w->start_ms <= t && t <= w->start_ms + (int64_t)w->wait_ms + 1)
			return w;
	}
	return NULL;
}

/* The hold of pid going on at t: the latest to start at or before t
 * that had not ended. */
static const struct ev_hold *hold_at(const struct ev_blocking *b, int64_t pid,
		int64_t t)
{
	if (!b)
		return NULL;
	/* The holds are sorted by pid, then start (ev_blocking_sort). */
	size_t lo = 0, hi = b->nholds;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ev_hold *h = &b->holds[mid];
		if (h->pid < pid || (h->pid == pid && h->start <= t))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* holds[lo - 1] is the latest of pid to start at or before t. */
	const struct ev_hold *best = NULL;
	for (size_t i = lo; i-- > 0 && b->holds[i].pid == pid; ) {
		if (t <= b->holds[i].end) {
			best = &b->holds[i];
			break;
		}
	}
	return best;
}

static int cmp_hold_pid(const void *pa, const void *pb)
{
	const struct ev_hold *x = pa, *y = pb;
	int c = cmp_i64(x->pid, y->pid);
	if (!c)
		c = cmp_i64(x->start, y->start);
	if (!c)
		c = cmp_i64(x->end, y->end);
	return c;
}

static void settle(struct events *ev, struct ev_lock_wait *w)
{
	int64_t t = w->ts_ms, pid = w->blockers[0];
	int64_t seen[CHAIN_MAX];
	uint32_t depth = 1;

	seen[0] = w->pid;
	for (;;) {
		const struct ev_lock_wait *up = wait_at(ev, pid, t);
		if (!up || !up->nblockers)
			break;
		for (uint32_t k = 0; k < depth; k++)
			if (seen[k] == pid) {
				w->root_pid = -1;       /* a cycle: a deadlock */
				w->root_known = false;
				return;
			}
		if (depth == CHAIN_MAX)
			break;
		seen[depth++] = pid;
		pid = up->blockers[0];
	}
	const struct ev_hold *h = hold_at(ev->blk, pid, t);
	if (!h && w->root_known)
		return;         /* settled where its holds were (a saved report) */
	w->root_pid = pid;
	w->root_depth = depth;
	w->root_known = false;
	w->root_idle = false;
	w->root_has_fingerprint = false;
	w->root_fingerprint = 0;
	w->root_xact_ts = TS_NONE;
	free(w->root_app);
	w->root_app = NULL;
	if (!h)
		return;
	w->root_known = true;
	w->root_xact_ts = h->start;
	w->root_app = h->app ? xstrdup(h->app) : NULL;
	/* Its statement: the one running at t, else the last before t. */
	const struct ev_hold_stmt *st = NULL;
	uint32_t n = h->n < HOLD_STMTS ? h->n : HOLD_STMTS;
	for (uint32_t k = 0; k < n; k++) {
		const struct ev_hold_stmt *s = &h->st[k];
		if (s->start <= t && (!st || s->start > st->start))
			st = s;
	}
	w->root_idle = !st || st->end < t;
	if (st) {
		w->root_fingerprint = st->fp;
		w->root_has_fingerprint = st->has_fp;
	}
}

static int cmp_blocker(const void *pa, const void *pb)
{
	const struct ev_blocker *x = pa, *y = pb;
	if (x->wait_ms != y->wait_ms)
		return x->wait_ms > y->wait_ms ? -1 : 1;
	int c = cmp_i64(x->first_ts, y->first_ts);
	return c ? c : cmp_i64(x->pid, y->pid);
}

static void list_blockers(struct events *ev, struct ev_blocking *b)
{
	blockers_release(b);
	for (size_t i = 0; i < ev->nwaits; i++) {
		const struct ev_lock_wait *w = &ev->waits[i];
		if (w->root_pid <= 0)
			continue;
		struct ev_blocker *r = NULL;
		for (size_t k = 0; k < b->nblockers && !r; k++)
			if (b->blockers[k].pid == w->root_pid &&
					b->blockers[k].xact_ts == w->root_xact_ts)
				r = &b->blockers[k];
		if (!r) {
			b->blockers = xrealloc(b->blockers,
					(b->nblockers + 1) * sizeof(*b->blockers));
			r = &b->blockers[b->nblockers++];
			*r = (struct ev_blocker){ .pid = w->root_pid,
				.xact_ts = w->root_xact_ts, .first_ts = w->ts_ms,
				.app = w->root_app ? xstrdup(w->root_app) : NULL,
				.fingerprint = w->root_fingerprint,
				.has_fingerprint = w->root_has_fingerprint,
				.known = w->root_known };
		}
		/* The waits come longest first: the first names the lock. */
		if (!r->lock)
			r->lock = xstrdup(w->lock);
		if (w->ts_ms != TS_NONE && (r->first_ts == TS_NONE ||
				w->ts_ms < r->first_ts))
			r->first_ts = w->ts_ms;
		r->idle |= w->root_idle;
		r->waits++;
		r->direct += w->root_depth == 1;
		if (w->root_depth > r->depth)
			r->depth = w->root_depth;
		r->wait_ms = ms_add(r->wait_ms, w->wait_ms);
	}
	if (b->nblockers > 1)
		qsort(b->blockers, b->nblockers, sizeof(*b->blockers), cmp_blocker);
}

static int cmp_app(const void *pa, const void *pb)
{
	const struct ev_idle_app *x = pa, *y = pb;
	if (x->idle_ms != y->idle_ms)
		return x->idle_ms > y->idle_ms ? -1 : 1;
	return strcmp(x->app, y->app);
}

void ev_blocking_sort(struct events *ev)
{
	/* Settled again after each merge, from every wait and hold there is
	 * then: the result does not depend on how inputs were shared among
	 * workers, nor on which states were merged first. */
	bool any = false;
	for (size_t i = 0; i < ev->nwaits && !any; i++)
		any = ev->waits[i].nblockers > 0;
	if (!any && !ev->blk)
		return;
	struct ev_blocking *b = ev_blk_of(ev);
	if (b->nholds > 1)
		qsort(b->holds, b->nholds, sizeof(*b->holds), cmp_hold_pid);
	for (size_t i = 0; i < ev->nwaits; i++)
		if (ev->waits[i].nblockers)
			settle(ev, &ev->waits[i]);
	list_blockers(ev, b);
	if (b->napps > 1) {
		qsort(b->apps, b->napps, sizeof(*b->apps), cmp_app);
		ev_index_rebuild(b->app_index, b->napps, b->apps, app_key);
	}
}

const struct ev_blocker *events_blockers(const struct events *ev, size_t *n)
{
	*n = ev->blk ? ev->blk->nblockers : 0;
	return ev->blk ? ev->blk->blockers : NULL;
}

const struct ev_idle_app *events_idle(const struct events *ev, size_t *n)
{
	*n = ev->blk ? ev->blk->napps : 0;
	return ev->blk ? ev->blk->apps : NULL;
}

/* ---- read back: a saved state or report ---- */

const struct ev_hold *ev_blocking_holds(const struct events *ev, size_t *n)
{
	*n = ev->blk ? ev->blk->nholds : 0;
	return ev->blk ? ev->blk->holds : NULL;
}

void ev_blocking_add_hold(struct events *ev, struct ev_hold *h)
{
	ev_blk_push_hold(ev_blk_of(ev), h);
}

void ev_blocking_add_idle(struct events *ev, const struct ev_idle_app *a)
{
	struct ev_blocking *b = ev_blk_of(ev);
	size_t row = ev_blk_app_row(b, a->app, strlen(a->app));
	if (row != SIZE_MAX)
		app_add(&b->apps[row], a);
	else
		b->dropped.idle_xacts += a->xacts;
}

struct ev_blocking_dropped events_blocking_dropped(const struct events *ev)
{
	return ev->blk ? ev->blk->dropped : (struct ev_blocking_dropped){ 0 };
}

void ev_blocking_add_dropped(struct events *ev, struct ev_blocking_dropped d)
{
	struct ev_blocking *b = ev_blk_of(ev);
	b->dropped.holds += d.holds;
	b->dropped.idle_xacts += d.idle_xacts;
}
