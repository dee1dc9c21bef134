/* events.c: reads every log entry and routes the event messages to their
 * modules (see events.h, events_int.h).
 *
 * Most entries are statements and leave here after a couple of byte
 * compares. A message whose parts matter (lock waits, deadlocks, temporary
 * files, errors) is handled at once when it comes with them (csvlog,
 * jsonlog, stitched stderr), else held in its pid's slot: the DETAIL,
 * STATEMENT and CONTEXT entries that follow from that pid join it, and the
 * next message of the pid (or the end of the input) sends it on. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "events_int.h"
#include "pgmsg.h"
#include "sink.h"
#include "timeutil.h"

/* Held messages past this are sent on without waiting for more parts
 * (a log whose pids never speak twice must not grow without bound). */
#define EV_MAX_PENDING 4096

enum kind {
	K_NONE = 0,
	K_LOCK,         /* needs parts */
	K_TEMP,         /* needs parts */
	K_ERROR,        /* needs parts */
	K_SESSION,
	K_RESTART,
	K_CHECKPOINT,
	K_AUTOVACUUM,
};

static const struct {
	const char *prefix;
	enum kind kind;
} log_messages[] = {
	{ "process ", K_LOCK },
	{ "temporary file: ", K_TEMP },
	{ "connection received: ", K_SESSION },
	{ "connection authorized: ", K_SESSION },
	{ "replication connection authorized: ", K_SESSION },
	{ "disconnection: ", K_SESSION },
	{ "checkpoint starting: ", K_CHECKPOINT },
	{ "checkpoint complete: ", K_CHECKPOINT },
	{ "restartpoint starting: ", K_CHECKPOINT },
	{ "restartpoint complete: ", K_CHECKPOINT },
	{ "checkpoints are occurring too frequently", K_CHECKPOINT },
	{ "automatic ", K_AUTOVACUUM },
	{ "database system is ready to accept", K_RESTART },
	{ "all server processes terminated; reinitializing", K_RESTART },
	{ "database system is shut down", K_RESTART },
};

/* ---- string index ---- */

struct ev_index {
	uint32_t *slot;         /* row + 1; 0: empty */
	size_t cap, n;
};

static uint64_t hash_key(const char *s, size_t len)
{
	return XXH3_64bits(s, len);
}

struct ev_index *ev_index_new(void)
{
	struct ev_index *ix = xcalloc(1, sizeof(*ix));
	ix->cap = 64;
	ix->slot = xcalloc(ix->cap, sizeof(*ix->slot));
	return ix;
}

void ev_index_free(struct ev_index *ix)
{
	if (!ix)
		return;
	free(ix->slot);
	free(ix);
}

size_t ev_index_find(const struct ev_index *ix, const char *key, size_t len,
		const void *rows, ev_key_fn key_of)
{
	size_t mask = ix->cap - 1;
	for (size_t i = hash_key(key, len) & mask; ix->slot[i]; i = (i + 1) & mask) {
		size_t row = ix->slot[i] - 1;
		const char *k = key_of(rows, row);
		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			return row;
	}
	return SIZE_MAX;
}

static void index_put(struct ev_index *ix, size_t row, const char *key)
{
	size_t mask = ix->cap - 1;
	size_t i = hash_key(key, strlen(key)) & mask;
	while (ix->slot[i])
		i = (i + 1) & mask;
	ix->slot[i] = (uint32_t)(row + 1);
	ix->n++;
}

void ev_index_rebuild(struct ev_index *ix, size_t n, const void *rows,
		ev_key_fn key_of)
{
	size_t cap = 64;
	while (cap < 2 * n + 2)
		cap *= 2;
	free(ix->slot);
	ix->slot = xcalloc(cap, sizeof(*ix->slot));
	ix->cap = cap;
	ix->n = 0;
	for (size_t i = 0; i < n; i++)
		index_put(ix, i, key_of(rows, i));
}

void ev_index_add(struct ev_index *ix, size_t row, const void *rows,
		ev_key_fn key_of)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		ev_index_rebuild(ix, row + 1, rows, key_of);
		return;
	}
	index_put(ix, row, key_of(rows, row));
}

/* ---- name counts ---- */

static const char *count_key(const void *rows, size_t i)
{
	return ((const struct ev_count *)rows)[i].name;
}

void ev_counts_add(struct ev_counts *c, const char *name, size_t len,
		uint64_t n)
{
	if (!c->index)
		c->index = ev_index_new();
	size_t row = ev_index_find(c->index, name, len, c->v, count_key);
	if (row != SIZE_MAX) {
		c->v[row].count += n;
		return;
	}
	if (c->n >= EV_NAMES_MAX) {
		c->other += n;
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = (struct ev_count){ xstrndup(name, len), n };
	ev_index_add(c->index, c->n++, c->v, count_key);
}

void ev_counts_merge(struct ev_counts *dst, struct ev_counts *src)
{
	for (size_t i = 0; i < src->n; i++)
		ev_counts_add(dst, src->v[i].name, strlen(src->v[i].name),
				src->v[i].count);
	dst->other += src->other;
	ev_counts_release(src);
}

static int cmp_count(const void *pa, const void *pb)
{
	const struct ev_count *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

void ev_counts_sort(struct ev_counts *c)
{
	if (c->n == 0)
		return;
	qsort(c->v, c->n, sizeof(*c->v), cmp_count);
	ev_index_rebuild(c->index, c->n, c->v, count_key);
}

void ev_counts_release(struct ev_counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	ev_index_free(c->index);
	memset(c, 0, sizeof(*c));
}

/* ---- helpers ---- */

char *ev_strdup(struct slice s)
{
	if (s.len == 0)
		return NULL;
	size_t n = s.len;
	if (n > EV_TEXT_MAX) {
		n = EV_TEXT_MAX;
		while (n > 0 && ((unsigned char)s.ptr[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s.ptr, n);
}

bool ev_fingerprint(struct events *ev, struct slice text, uint64_t *fp,
		char **norm)
{
	if (!ev->fp || text.len == 0)
		return false;
	struct fp_entry *fe = fp_cache_get(ev->fp, text.ptr, text.len, &ev->scratch);
	*fp = fe->fingerprint;
	if (norm)
		*norm = xstrndup(fe->norm, fe->norm_len);
	return true;
}

size_t ev_parse_u64(const char *s, size_t len, uint64_t *v)
{
	size_t i = 0;
	uint64_t x = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return 0;       /* overflow: not a number the server wrote */
		x = x * 10 + d;
		i++;
	}
	if (i)
		*v = x;
	return i;
}

const char *ev_find(struct slice s, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || s.len < n)
		return NULL;
	const char *p = memmem(s.ptr, s.len, needle, n);
	return p ? p + n : NULL;
}

/* ---- backends by pid ---- */

static size_t pid_slot(int64_t pid, size_t mask)
{
	return (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 32) & mask;
}

struct ev_backend *ev_backend_find(struct events *ev, int64_t pid)
{
	if (pid <= 0)
		pid = -1;
	size_t mask = ev->nbackends - 1;
	for (size_t i = pid_slot(pid, mask); ev->backends[i].pid; i = (i + 1) & mask)
		if (ev->backends[i].pid == pid)
			return &ev->backends[i];
	return NULL;
}

struct ev_backend *ev_backend_get(struct events *ev, int64_t pid)
{
	if (pid <= 0)
		pid = -1;
	struct ev_backend *b = ev_backend_find(ev, pid);
	if (b)
		return b;
	if ((ev->used + 1) * 2 > ev->nbackends) {
		struct ev_backend *old = ev->backends;
		size_t oldn = ev->nbackends;
		ev->nbackends *= 2;
		ev->backends = xcalloc(ev->nbackends, sizeof(*ev->backends));
		size_t mask = ev->nbackends - 1;
		for (size_t k = 0; k < oldn; k++) {
			if (!old[k].pid)
				continue;
			size_t j = pid_slot(old[k].pid, mask);
			while (ev->backends[j].pid)
				j = (j + 1) & mask;
			ev->backends[j] = old[k];
		}
		free(old);
	}
	size_t mask = ev->nbackends - 1;
	size_t i = pid_slot(pid, mask);
	while (ev->backends[i].pid)
		i = (i + 1) & mask;
	ev->backends[i] = (struct ev_backend){ .pid = pid };
	ev->used++;
	return &ev->backends[i];
}

void ev_backend_release(struct events *ev, struct ev_backend *b)
{
	if (b->session_open || b->pending || b->wait)
		return;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	size_t mask = ev->nbackends - 1;
	size_t i = (size_t)(b - ev->backends);
	ev->backends[i].pid = 0;
	ev->used--;
	for (size_t j = (i + 1) & mask; ev->backends[j].pid; j = (j + 1) & mask) {
		size_t home = pid_slot(ev->backends[j].pid, mask);
		/* Move j into the hole at i unless its home lies in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		ev->backends[i] = ev->backends[j];
		ev->backends[j].pid = 0;
		i = j;
	}
}

/* ---- life cycle ---- */

struct events *events_new(struct fp_cache *fp)
{
	struct events *ev = xcalloc(1, sizeof(*ev));
	ev->fp = fp;
	ev->nbackends = 64;
	ev->backends = xcalloc(ev->nbackends, sizeof(*ev->backends));
	ev->conn.peak_ts = TS_NONE;
	sketch_init(&ev->conn.session_ms);
	ev->tl.width_ms = 60000;
	return ev;
}

static void pending_free(struct ev_pending *p)
{
	if (!p)
		return;
	struct strbuf *sb[] = { &p->text, &p->detail, &p->statement, &p->context,
		&p->db, &p->user, &p->app, &p->sqlstate };
	for (size_t i = 0; i < ARRAY_SIZE(sb); i++)
		sb_release(sb[i]);
	free(p);
}

void events_free(struct events *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nbackends; i++) {
		if (!ev->backends[i].pid)
			continue;
		pending_free(ev->backends[i].pending);
		ev_lock_wait_free(ev->backends[i].wait);
		free(ev->backends[i].wait);
	}
	free(ev->backends);
	ev_locks_free(ev);
	ev_errors_free(ev);
	ev_temp_free(ev);
	ev_sessions_free(ev);
	ev_maintenance_free(ev);
	ev_timeline_free(&ev->tl);
	sb_release(&ev->scratch);
	sb_release(&ev->norm);
	sb_release(&ev->key);
	for (size_t i = 0; i < ARRAY_SIZE(ev->clean); i++)
		sb_release(&ev->clean[i]);
	free(ev);
}

/* ---- routing ---- */

static bool is_part(enum severity s)
{
	return s == SEV_DETAIL || s == SEV_HINT || s == SEV_QUERY ||
		s == SEV_CONTEXT || s == SEV_STATEMENT || s == SEV_LOCATION;
}

static bool is_problem(enum severity s)
{
	return s == SEV_WARNING || s == SEV_ERROR || s == SEV_FATAL ||
		s == SEV_PANIC;
}

static enum kind classify(const struct log_entry *e)
{
	if (is_problem(e->severity))
		return K_ERROR;
	if (e->severity != SEV_LOG || e->message.len < 8)
		return K_NONE;
	/* Statements ("duration: ", "statement: ", "execute ...") are the
	 * bulk: most entries stop at the first byte. */
	char c = e->message.ptr[0];
	if (c != 'p' && c != 't' && c != 'c' && c != 'r' && c != 'd' &&
			c != 'a')
		return K_NONE;
	if (c == 'd' && memcmp(e->message.ptr, "duration", 8) == 0)
		return K_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(log_messages); i++)
		if (ev_starts(e->message, log_messages[i].prefix))
			return log_messages[i].kind;
	return K_NONE;
}

static void dispatch(struct events *ev, enum kind k, const struct ev_msg *m)
{
	const struct log_entry *e = m->e;

	switch (k) {
	case K_LOCK:
		ev_locks_message(ev, m);
		break;
	case K_TEMP:
		ev_temp_message(ev, m);
		break;
	case K_ERROR: {
		if (e->severity != SEV_WARNING) {
			ev_timeline_count(&ev->tl, e->ts_ms, EV_TL_ERRORS, 1);
			/* The backend gave up whatever it was waiting for. */
			struct ev_backend *b = ev_backend_find(ev, e->pid);
			if (b && b->wait) {
				bool dl = ev_starts(m->text, "deadlock detected");
				ev_locks_close(ev, b, dl ? EV_LOCK_DEADLOCK :
						EV_LOCK_CANCELED);
				ev_backend_release(ev, b);
			}
		}
		ev_errors_add(ev, m);
		if (e->severity == SEV_ERROR && ev_starts(m->text, "deadlock detected"))
			ev_locks_deadlock(ev, m);
		if (e->severity == SEV_ERROR &&
				ev_starts(m->text, "canceling autovacuum task"))
			ev_autovacuum_canceled(ev, m);
		break;
	}
	case K_SESSION:
		ev_sessions_message(ev, m);
		break;
	case K_RESTART:
		ev_sessions_reset(ev);
		break;
	case K_CHECKPOINT:
		ev_checkpoint_message(ev, m);
		break;
	case K_AUTOVACUUM:
		ev_autovacuum_message(ev, m);
		break;
	case K_NONE:
		break;
	}
}

static struct slice sb_slice(const struct strbuf *sb)
{
	return sb->len ? slice_make(sb->buf, sb->len) : SLICE_EMPTY;
}

static void sb_set(struct strbuf *sb, struct slice s)
{
	sb_reset(sb);
	if (s.len)      /* an absent field may be { NULL, 0 } */
		sb_append(sb, s.ptr, s.len);
}

static struct slice clean(struct slice s, bool tabs, struct strbuf *sb)
{
	return s.len ? pgmsg_clean(s, tabs, sb) : SLICE_EMPTY;
}

/* Sends b's held message on. */
static void flush_pending(struct events *ev, struct ev_backend *b)
{
	struct ev_pending *p = b->pending;
	b->pending = NULL;
	ev->npending--;
	struct log_entry e = {
		.ts_ms = p->ts_ms, .pid = b->pid, .leader_pid = -1,
		.severity = p->severity,
		.db = sb_slice(&p->db), .user = sb_slice(&p->user),
		.app = sb_slice(&p->app), .sqlstate = sb_slice(&p->sqlstate),
		.message = sb_slice(&p->text), .detail = sb_slice(&p->detail),
		.statement = sb_slice(&p->statement),
		.context = sb_slice(&p->context),
	};
	struct ev_msg m = { &e, e.message, e.detail, e.statement, e.context };
	dispatch(ev, (enum kind)p->kind, &m);
	pending_free(p);
	/* dispatch may have moved the slots: find b again. */
	b = ev_backend_find(ev, e.pid);
	if (b)
		ev_backend_release(ev, b);
}

static void flush_all(struct events *ev)
{
	/* Each flush may release a slot and shift others back over it, so
	 * restart the scan until nothing is held. */
	while (ev->npending) {
		for (size_t i = 0; i < ev->nbackends && ev->npending; i++)
			if (ev->backends[i].pid && ev->backends[i].pending)
				flush_pending(ev, &ev->backends[i]);
	}
}

static void hold(struct events *ev, enum kind k, const struct ev_msg *m)
{
	if (ev->npending >= EV_MAX_PENDING)
		flush_all(ev);
	const struct log_entry *e = m->e;
	struct ev_backend *b = ev_backend_get(ev, e->pid);
	struct ev_pending *p = xcalloc(1, sizeof(*p));
	p->kind = k;
	p->ts_ms = e->ts_ms;
	p->severity = e->severity;
	sb_set(&p->text, m->text);
	sb_set(&p->db, e->db);
	sb_set(&p->user, e->user);
	sb_set(&p->app, e->app);
	sb_set(&p->sqlstate, e->sqlstate);
	b->pending = p;
	ev->npending++;
}

/* A DETAIL/STATEMENT/CONTEXT entry of its own joins the message its pid
 * left waiting, if any. */
static void attach_part(struct events *ev, const struct log_entry *e)
{
	struct ev_backend *b = ev_backend_find(ev, e->pid);
	if (!b || !b->pending)
		return;
	struct strbuf *to;
	switch (e->severity) {
	case SEV_DETAIL: to = &b->pending->detail; break;
	case SEV_STATEMENT: to = &b->pending->statement; break;
	case SEV_CONTEXT: to = &b->pending->context; break;
	default: return;
	}
	sb_set(to, clean(e->message, e->tab_continued, &ev->clean[0]));
}

void events_log(struct events *ev, const struct log_entry *e)
{
	if (is_part(e->severity)) {
		if (ev->npending)
			attach_part(ev, e);
		return;
	}
	if (ev->npending) {
		struct ev_backend *b = ev_backend_find(ev, e->pid);
		if (b && b->pending)
			flush_pending(ev, b);
	}
	enum kind k = classify(e);
	if (k == K_NONE)
		return;
	bool tabs = e->tab_continued;
	struct ev_msg m = {
		e,
		clean(e->message, tabs, &ev->clean[0]),
		clean(e->detail, tabs, &ev->clean[1]),
		clean(e->statement, tabs, &ev->clean[2]),
		clean(e->context, tabs, &ev->clean[3]),
	};
	/* A FATAL ends its backend now, not when its parts have come: the
	 * count of open sessions follows the log's order. */
	if (e->severity == SEV_FATAL || e->severity == SEV_PANIC)
		ev_sessions_fatal(ev, &m);
	bool needs_parts = k == K_LOCK || k == K_TEMP || k == K_ERROR;
	bool has_parts = e->detail.len || e->statement.len || e->context.len ||
		e->hint.len;
	if (needs_parts && !has_parts)
		hold(ev, k, &m);
	else
		dispatch(ev, k, &m);
}

void events_call(struct events *ev, const struct call *c)
{
	ev_timeline_call(&ev->tl, c->ts_ms, c->timed, c->duration_ms);
}

void events_end_input(struct events *ev)
{
	flush_all(ev);
	/* Waits the log never saw the end of are kept as "waiting". */
	for (size_t i = 0; i < ev->nbackends; i++)
		if (ev->backends[i].pid && ev->backends[i].wait)
			ev_locks_close(ev, &ev->backends[i], EV_LOCK_WAITING);
	for (size_t i = 0; i < ev->nbackends; i++)
		ev->backends[i] = (struct ev_backend){ 0 };
	ev->used = 0;
	ev->open_sessions = 0;
}

void events_merge(struct events *dst, struct events *src)
{
	events_end_input(src);
	ev_locks_merge(dst, src);
	ev_errors_merge(dst, src);
	ev_temp_merge(dst, src);
	ev_sessions_merge(dst, src);
	ev_maintenance_merge(dst, src);
	ev_timeline_merge(&dst->tl, &src->tl);
	struct ev_totals *t = &dst->totals, *s = &src->totals;
	t->lock_waits += s->lock_waits;
	t->lock_wait_ms += s->lock_wait_ms;
	t->deadlocks += s->deadlocks;
	t->errors += s->errors;
	t->warnings += s->warnings;
	t->errors_dropped += s->errors_dropped;
	*s = (struct ev_totals){ 0 };
	events_sort(dst);
}

void events_sort(struct events *ev)
{
	ev_locks_sort(ev);
	ev_errors_sort(ev);
	ev_temp_sort(ev);
	ev_sessions_sort(ev);
	ev_maintenance_sort(ev);
}

/* ---- accessors ---- */

const struct ev_lock_wait *events_lock_waits(const struct events *ev, size_t *n)
{
	*n = ev->nwaits;
	return ev->waits;
}

const struct ev_deadlock *events_deadlocks(const struct events *ev, size_t *n)
{
	*n = ev->ndeadlocks;
	return ev->deadlocks;
}

const struct ev_temp_files *events_temp_files(const struct events *ev)
{
	return &ev->temp;
}

const struct ev_error *events_errors(const struct events *ev, size_t *n)
{
	*n = ev->nerrors;
	return ev->errors;
}

const struct ev_connections *events_connections(const struct events *ev)
{
	return &ev->conn;
}

const struct ev_checkpoints *events_checkpoints(const struct events *ev)
{
	return &ev->ckpt;
}

const struct ev_autovacuum *events_autovacuum(const struct events *ev)
{
	return &ev->av;
}

const struct ev_timeline *events_timeline(const struct events *ev)
{
	return &ev->tl;
}

const struct ev_totals *events_totals(const struct events *ev)
{
	return &ev->totals;
}

const char *events_lock_outcome_name(enum ev_lock_outcome o)
{
	static const char *const names[] = {
#define X(id, name) name,
		EV_LOCK_OUTCOME_LIST(X)
#undef X
	};
	return (unsigned)o < ARRAY_SIZE(names) ? names[o] : "";
}

const char *events_failure_name(enum ev_failure f)
{
	static const char *const names[] = {
#define X(id, key, prefix, text) key,
		EV_FAILURE_LIST(X)
#undef X
	};
	return (unsigned)f < ARRAY_SIZE(names) ? names[f] : "";
}

void events_statement_text(const char *s, bool show_literals, struct strbuf *out)
{
	sb_reset(out);
	if (!s)
		s = "";
	if (show_literals)
		sb_append(out, s, strlen(s));
	else
		fp_normalize(s, strlen(s), out);
	if (!out->buf)
		sb_append(out, "", 0);
}

uint64_t events_connections_total(const struct ev_connections *c)
{
	uint64_t t = c->received;
	if (c->authorized > t)
		t = c->authorized;
	if (c->failed > t)
		t = c->failed;
	return t;
}

/* ---- the events sink ---- */

static void sink_consume(void *state, size_t input, const struct record *r)
{
	(void)input;
	/* Server-wide events (checkpoints, autovacuum) carry no names: those
	 * they lack pass --db/--user/--app. */
	if (r->v.in_window && r->v.names_present)
		events_log(state, &r->u.log);
}

static void sink_call(void *state, const struct call *c)
{
	events_call(state, c);
}

static void sink_end_input(void *state, size_t input)
{
	(void)input;
	events_end_input(state);
}

static void sink_merge(void *dst, void *src)
{
	events_merge(dst, src);
}

static void sink_free(void *state)
{
	events_free(state);
}

const struct sink_ops events_sink_ops = {
	.name = "events",
	.kinds = REC_BIT(REC_LOG_ENTRY),
	.consume = sink_consume,
	.call = sink_call,
	.end_input = sink_end_input,
	.merge = sink_merge,
	.free = sink_free,
};
