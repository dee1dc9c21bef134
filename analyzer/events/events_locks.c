/* events_locks.c: lock waits and deadlocks.
 *
 * With log_lock_waits, a backend that has waited deadlock_timeout logs
 * (proc.c)
 *   process 12 still waiting for ShareLock on transaction 5 after 100.2 ms
 *   DETAIL: Process holding the lock: 13. Wait queue: 12.
 *   STATEMENT: the waiting statement
 * and, when the wait ends, "process 12 acquired ShareLock on ... after
 * 1500.1 ms" (or "failed to acquire", "detected deadlock while waiting
 * for"); "avoided deadlock for ... by rearranging queue order after" keeps
 * it waiting. One wait is open per pid until its end is logged, an error
 * of that pid cancels it, or the input ends. A deadlock is the ERROR
 * "deadlock detected" whose DETAIL lists the cycle:
 *   Process 1 waits for ShareLock on transaction 2; blocked by process 3.
 *   Process 3 waits for ShareLock on transaction 4; blocked by process 1.
 *   Process 1: UPDATE ...
 *   Process 3: UPDATE ... */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "pgmsg.h"
#include "timeutil.h"

/* How each "process N ..." message reads, and what it says of the wait. */
static const struct {
	const char *verb;
	const char *until;      /* what ends the lock text */
	bool ends;
	enum ev_lock_outcome outcome;
} verbs[] = {
	{ "still waiting for ", " after ", false, EV_LOCK_WAITING },
	{ "acquired ", " after ", true, EV_LOCK_ACQUIRED },
	{ "detected deadlock while waiting for ", " after ", true, EV_LOCK_DEADLOCK },
	{ "failed to acquire ", " after ", true, EV_LOCK_FAILED },
	{ "avoided deadlock for ", " by rearranging queue order after ", false,
		EV_LOCK_WAITING },
};

void ev_lock_wait_free(struct ev_lock_wait *w)
{
	if (!w)
		return;
	free(w->lock);
	free(w->statement);
	free(w->blockers);
	free(w->db);
	free(w->user);
	free(w->app);
	free(w->root_app);
}

static void deadlock_free(struct ev_deadlock *d)
{
	for (uint32_t i = 0; i < d->nprocs; i++) {
		free(d->procs[i].lock);
		free(d->procs[i].statement);
	}
	free(d->procs);
	free(d->db);
}

void ev_locks_free(struct events *ev)
{
	for (size_t i = 0; i < ev->nwaits; i++)
		ev_lock_wait_free(&ev->waits[i]);
	free(ev->waits);
	for (size_t i = 0; i < ev->ndeadlocks; i++)
		deadlock_free(&ev->deadlocks[i]);
	free(ev->deadlocks);
}

/* Longest first; the rest only makes the order total, so that the waits
 * kept do not depend on how inputs were spread over workers. */
static int cmp_wait(const void *pa, const void *pb)
{
	const struct ev_lock_wait *x = pa, *y = pb;
	if (x->wait_ms != y->wait_ms)
		return x->wait_ms > y->wait_ms ? -1 : 1;
	int c = cmp_i64(x->ts_ms, y->ts_ms);
	if (!c)
		c = cmp_i64(x->pid, y->pid);
	if (!c)
		c = strcmp(x->lock, y->lock);
	return c;
}

static void keep_longest(struct events *ev, size_t limit)
{
	if (ev->nwaits <= limit)
		return;
	qsort(ev->waits, ev->nwaits, sizeof(*ev->waits), cmp_wait);
	for (size_t i = limit; i < ev->nwaits; i++)
		ev_lock_wait_free(&ev->waits[i]);
	ev->nwaits = limit;
}

static void push_wait(struct events *ev, struct ev_lock_wait *w)
{
	/* Sorting only when twice the limit is reached keeps the cost
	 * amortized. */
	if (ev->nwaits >= 2 * EV_LOCK_WAITS_MAX)
		keep_longest(ev, EV_LOCK_WAITS_MAX);
	if (ev->nwaits == ev->capwaits) {
		ev->capwaits = ev->capwaits ? 2 * ev->capwaits : 16;
		ev->waits = xrealloc(ev->waits, ev->capwaits * sizeof(*ev->waits));
	}
	ev->waits[ev->nwaits++] = *w;
}

void ev_locks_close(struct events *ev, struct ev_backend *b,
		enum ev_lock_outcome outcome)
{
	struct ev_lock_wait *w = b->wait;
	if (!w)
		return;
	b->wait = NULL;
	ev->open_waits--;
	w->outcome = outcome;
	ev->totals.lock_waits++;
	ev->totals.lock_wait_ms = ms_add(ev->totals.lock_wait_ms, w->wait_ms);
	ev_timeline_count(&ev->tl, w->ts_ms, EV_TL_LOCK_WAITS, 1);
	push_wait(ev, w);
	free(w);
}

/* "Process holding the lock: 1. Wait queue: 2." or "Processes holding
 * the lock: 1, 2. Wait queue: 3, 4." Adds the holders not yet listed. */
static void add_blockers(struct ev_lock_wait *w, struct slice detail)
{
	const char *p = ev_find(detail, "holding the lock: ");
	if (!p)
		return;
	const char *end = detail.ptr + detail.len;
	for (;;) {
		uint64_t pid;
		size_t n = ev_parse_u64(p, (size_t)(end - p), &pid);
		if (!n || pid > INT64_MAX)
			return;
		p += n;
		bool seen = false;
		for (uint32_t i = 0; i < w->nblockers; i++)
			seen |= w->blockers[i] == (int64_t)pid;
		if (!seen && w->nblockers < 1024) {
			w->blockers = xrealloc(w->blockers,
					(w->nblockers + 1) * sizeof(*w->blockers));
			w->blockers[w->nblockers++] = (int64_t)pid;
		}
		if (end - p < 2 || p[0] != ',' || p[1] != ' ')
			return;
		p += 2;
	}
}

static char *name_dup(struct slice s)
{
	return s.len ? xstrndup(s.ptr, s.len) : NULL;
}

static struct ev_lock_wait *new_wait(const struct ev_msg *m, int64_t pid,
		struct slice lock)
{
	struct ev_lock_wait *w = xcalloc(1, sizeof(*w));
	w->ts_ms = m->e->ts_ms;
	w->start_ms = TS_NONE;
	w->root_xact_ts = TS_NONE;
	w->pid = pid;
	w->lock = xstrndup(lock.ptr, lock.len);
	w->db = name_dup(m->e->db);
	w->user = name_dup(m->e->user);
	w->app = name_dup(m->e->app);
	return w;
}

static void update_wait(struct events *ev, struct ev_lock_wait *w,
		const struct ev_msg *m, double ms)
{
	if (ms > w->wait_ms)
		w->wait_ms = ms;
	if (m->e->ts_ms != TS_NONE) {
		int64_t start = m->e->ts_ms - (int64_t)ms;
		if (w->start_ms == TS_NONE || start < w->start_ms)
			w->start_ms = start;
	}
	if (!w->statement && m->statement.len) {
		w->statement = ev_strdup(m->statement);
		w->has_fingerprint = ev_fingerprint(ev, m->statement,
				&w->fingerprint, NULL);
	}
	add_blockers(w, m->detail);
}

/* The lock text ends at the last `until` (nothing the server puts in a
 * lock description contains " after "). */
static const char *last_of(const char *p, const char *end, const char *until)
{
	size_t n = strlen(until);
	const char *found = NULL;
	for (const char *q = p; (size_t)(end - q) >= n; q++) {
		q = memmem(q, (size_t)(end - q), until, n);
		if (!q)
			break;
		found = q;
	}
	return found;
}

void ev_locks_message(struct events *ev, const struct ev_msg *m)
{
	struct slice t = m->text;
	const char *p = t.ptr + strlen("process "), *end = t.ptr + t.len;
	uint64_t pid;
	size_t n = ev_parse_u64(p, (size_t)(end - p), &pid);
	if (!n || pid == 0 || pid > INT64_MAX || p + n >= end || p[n] != ' ')
		return;
	p += n + 1;
	struct slice rest = slice_make(p, (size_t)(end - p));
	size_t v;
	for (v = 0; v < ARRAY_SIZE(verbs); v++)
		if (ev_starts(rest, verbs[v].verb))
			break;
	if (v == ARRAY_SIZE(verbs))
		return;
	p += strlen(verbs[v].verb);
	const char *until = last_of(p, end, verbs[v].until);
	if (!until || until == p)
		return;
	struct slice lock = slice_make(p, (size_t)(until - p));
	const char *q = until + strlen(verbs[v].until);
	double ms;
	n = pgmsg_parse_ms(q, (size_t)(end - q), &ms);
	if (!n || (size_t)(end - q - n) < 3 || memcmp(q + n, " ms", 3) != 0)
		return;         /* the time was cut: not a message to trust */

	struct ev_backend *b = ev_backend_get(ev, (int64_t)pid);
	struct ev_lock_wait *w = b->wait;
	if (w && (strlen(w->lock) != lock.len ||
			memcmp(w->lock, lock.ptr, lock.len) != 0)) {
		/* A new lock: the old wait ended without a word. */
		ev_locks_close(ev, b, EV_LOCK_WAITING);
		w = NULL;
	}
	if (!w) {
		w = b->wait = new_wait(m, (int64_t)pid, lock);
		ev->open_waits++;
	}
	update_wait(ev, w, m, ms);
	if (verbs[v].ends)
		ev_locks_close(ev, b, verbs[v].outcome);
	ev_backend_release(ev, b);
}

/* ---- deadlocks ---- */

static struct ev_deadlock_proc *proc_of(struct ev_deadlock *d, int64_t pid)
{
	for (uint32_t i = 0; i < d->nprocs; i++)
		if (d->procs[i].pid == pid)
			return &d->procs[i];
	if (d->nprocs >= 64)
		return NULL;
	d->procs = xrealloc(d->procs, (d->nprocs + 1) * sizeof(*d->procs));
	d->procs[d->nprocs] = (struct ev_deadlock_proc){ .pid = pid, .blocked_by = -1 };
	return &d->procs[d->nprocs++];
}

/* "Process N" at the start of [p, end): the pid, and p moved past it. */
static bool process_at(const char **p, const char *end, int64_t *pid)
{
	static const char lead[] = "Process ";
	uint64_t v;
	if ((size_t)(end - *p) < sizeof(lead) - 1 ||
			memcmp(*p, lead, sizeof(lead) - 1) != 0)
		return false;
	const char *q = *p + sizeof(lead) - 1;
	size_t n = ev_parse_u64(q, (size_t)(end - q), &v);
	if (!n || v > INT64_MAX)
		return false;
	*pid = (int64_t)v;
	*p = q + n;
	return true;
}

static void set_statement(struct events *ev, struct ev_deadlock_proc *pr,
		struct slice s)
{
	while (s.len && (s.ptr[s.len - 1] == '\n' || s.ptr[s.len - 1] == ' '))
		s.len--;
	if (pr->statement || !s.len)
		return;
	pr->statement = ev_strdup(s);
	pr->has_fingerprint = ev_fingerprint(ev, s, &pr->fingerprint, NULL);
}

/* Reads the DETAIL's lines into d. A statement runs on over the lines
 * that do not start a new "Process N". */
static void parse_cycle(struct events *ev, struct ev_deadlock *d,
		struct slice detail)
{
	const char *p = detail.ptr, *end = detail.ptr + detail.len;
	struct ev_deadlock_proc *stmt_of = NULL;
	const char *stmt_start = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *q = p;
		int64_t pid;
		bool waits = false, says = false;
		if (process_at(&q, eol, &pid)) {
			struct slice rest = slice_make(q, (size_t)(eol - q));
			waits = ev_starts(rest, " waits for ");
			says = ev_starts(rest, ": ");
		}
		if (waits || says) {
			if (stmt_of)
				set_statement(ev, stmt_of, slice_make(stmt_start,
						(size_t)(p - stmt_start)));
			stmt_of = NULL;
		}
		if (waits) {
			struct ev_deadlock_proc *pr = proc_of(d, pid);
			const char *lk = q + strlen(" waits for ");
			const char *by = memmem(lk, (size_t)(eol - lk),
					"; blocked by process ", 21);
			int64_t bpid;
			uint64_t v;
			if (pr && by) {
				free(pr->lock);
				pr->lock = xstrndup(lk, (size_t)(by - lk));
				by += 21;
				if (ev_parse_u64(by, (size_t)(eol - by), &v) &&
						v <= INT64_MAX) {
					bpid = (int64_t)v;
					pr->blocked_by = bpid;
				}
			}
		} else if (says) {
			stmt_of = proc_of(d, pid);
			stmt_start = q + 2;
		}
		p = nl ? nl + 1 : end;
	}
	if (stmt_of)
		set_statement(ev, stmt_of, slice_make(stmt_start,
				(size_t)(end - stmt_start)));
}

static int cmp_deadlock(const void *pa, const void *pb)
{
	const struct ev_deadlock *x = pa, *y = pb;
	int c = cmp_i64(x->ts_ms, y->ts_ms);
	if (!c)
		c = cmp_i64(x->victim_pid, y->victim_pid);
	return c;
}

static void keep_earliest(struct events *ev, size_t limit)
{
	if (ev->ndeadlocks <= limit)
		return;
	qsort(ev->deadlocks, ev->ndeadlocks, sizeof(*ev->deadlocks), cmp_deadlock);
	for (size_t i = limit; i < ev->ndeadlocks; i++)
		deadlock_free(&ev->deadlocks[i]);
	ev->ndeadlocks = limit;
}

static void push_deadlock(struct events *ev, struct ev_deadlock *d)
{
	if (ev->ndeadlocks >= 2 * EV_DEADLOCKS_MAX)
		keep_earliest(ev, EV_DEADLOCKS_MAX);
	if (ev->ndeadlocks == ev->capdeadlocks) {
		ev->capdeadlocks = ev->capdeadlocks ? 2 * ev->capdeadlocks : 4;
		ev->deadlocks = xrealloc(ev->deadlocks,
				ev->capdeadlocks * sizeof(*ev->deadlocks));
	}
	ev->deadlocks[ev->ndeadlocks++] = *d;
}

void ev_locks_deadlock(struct events *ev, const struct ev_msg *m)
{
	struct ev_deadlock d = {
		.ts_ms = m->e->ts_ms, .victim_pid = m->e->pid,
		.db = name_dup(m->e->db),
	};
	parse_cycle(ev, &d, m->detail);
	/* The victim's statement is also the message's own STATEMENT. */
	if (m->e->pid > 0) {
		struct ev_deadlock_proc *pr = proc_of(&d, m->e->pid);
		if (pr)
			set_statement(ev, pr, m->statement);
	}
	ev->totals.deadlocks++;
	push_deadlock(ev, &d);
}

void ev_locks_merge(struct events *dst, struct events *src)
{
	for (size_t i = 0; i < src->nwaits; i++)
		push_wait(dst, &src->waits[i]);
	src->nwaits = 0;
	for (size_t i = 0; i < src->ndeadlocks; i++)
		push_deadlock(dst, &src->deadlocks[i]);
	src->ndeadlocks = 0;
}

void ev_locks_sort(struct events *ev)
{
	keep_longest(ev, EV_LOCK_WAITS_MAX);
	if (ev->nwaits)
		qsort(ev->waits, ev->nwaits, sizeof(*ev->waits), cmp_wait);
	keep_earliest(ev, EV_DEADLOCKS_MAX);
	if (ev->ndeadlocks)
		qsort(ev->deadlocks, ev->ndeadlocks, sizeof(*ev->deadlocks),
				cmp_deadlock);
}
