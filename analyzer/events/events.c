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

#include "events_int.h"
#include "pgmsg.h"
#include "sink.h"
#include "timeutil.h"

/* Held messages past this are sent on without waiting for more parts
 * (a log whose pids never speak twice must not grow without bound). */
#define EV_MAX_PENDING 4096

enum kind {
	K_STATEMENT = 0,        /* read by the statements sink (pgmsg.c) */
	K_OTHER,                /* read by no rule: counted (events_others.c) */
	K_LOCK,         /* needs parts */
	K_TEMP,         /* needs parts */
	K_ERROR,        /* needs parts */
	K_SESSION,
	K_RESTART,
	K_CHECKPOINT,
	K_AUTOVACUUM,
	K_REFUSED,              /* a connection refused, logged at LOG */
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
	{ "invalid length of startup packet", K_REFUSED },
	{ "incomplete startup packet", K_REFUSED },
	{ "could not accept SSL connection", K_REFUSED },
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

/* ---- backends that end ----
 * Here, in the hub, because ending one touches two members: sessions
 * (which tells that it ended) and locks (a backend that is gone waits for
 * nothing). */

static void backend_gone(struct events *ev, struct ev_backend *b)
{
	if (!b)
		return;
	ev_locks_close(ev, b, EV_LOCK_WAITING);
	ev_backend_release(ev, b);
}

/* The server restarted: no session is open any more. */
static void server_restarted(struct events *ev, int64_t ts)
{
	ev_sessions_delta(ev, ev->pos, ts, 0, EV_SD_RESTART);
	for (size_t i = 0; i < ev->nbackends; ) {
		struct ev_backend *b = &ev->backends[i];
		if (b->pid && (b->session_open || b->wait)) {
			b->session_open = false;
			backend_gone(ev, b);
			/* A later slot may have moved into this one. */
			if (ev->backends[i].pid && (ev->backends[i].session_open ||
					ev->backends[i].wait))
				continue;
		}
		i++;
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
	ev->tl.width_ms = TS_LADDER_FIRST_MS;
	ev->ckpt.min_apart_s = -1;
	ev->ckpt.last_start_ts = TS_NONE;
	ev->wrap.min_left = UINT64_MAX;
	ev->wrap.first_ts = ev->wrap.last_ts = TS_NONE;
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
	ev_groups_free(&ev->errors);
	ev_groups_free(&ev->others);
	ev_temp_free(ev);
	ev_sessions_free(ev);
	ev_maintenance_free(ev);
	ev_pooler_free(ev);
	ev_blocking_free(ev);
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

/* A LOG entry's kind. Statements ("duration: ", "statement: ", "execute
 * ...") are the bulk: most entries stop at the first byte or two. */
static enum kind classify(const struct log_entry *e)
{
	if (is_problem(e->severity))
		return K_ERROR;
	if (e->severity != SEV_LOG || e->message.len < 8)
		return K_OTHER;
	struct slice m = e->message;
	switch (m.ptr[0]) {
	case 'd':
		if (memcmp(m.ptr, "duration", 8) == 0)
			return K_STATEMENT;
		break;
	case 's':
		return ev_starts(m, "statement: ") ? K_STATEMENT : K_OTHER;
	case 'e':
		return ev_starts(m, "execute ") ? K_STATEMENT : K_OTHER;
	case 'b':
		return ev_starts(m, "bind ") ? K_STATEMENT : K_OTHER;
	case 'p':
		if (ev_starts(m, "parse "))
			return K_STATEMENT;
		break;
	case 't': case 'c': case 'r': case 'a': case 'i':
		break;
	default:
		return K_OTHER;
	}
	for (size_t i = 0; i < ARRAY_SIZE(log_messages); i++)
		if (ev_starts(m, log_messages[i].prefix))
			return log_messages[i].kind;
	return K_OTHER;
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
		if (ev_find(m->text, "wraparound") || ev_find(m->text, "must be vacuumed") ||
				ev_find(m->text, "as a failsafe"))
			ev_wraparound_message(ev, m);
		if (e->severity == SEV_ERROR && ev_starts(m->text, "deadlock detected"))
			ev_locks_deadlock(ev, m);
		if (e->severity == SEV_ERROR &&
				ev_starts(m->text, "canceling autovacuum task"))
			ev_autovacuum_canceled(ev, m);
		break;
	}
	case K_SESSION:
		backend_gone(ev, ev_sessions_message(ev, m));
		break;
	case K_REFUSED:
		backend_gone(ev, ev_sessions_fatal(ev, m));
		break;
	case K_RESTART:
		server_restarted(ev, e->ts_ms);
		break;
	case K_CHECKPOINT:
		ev_checkpoint_message(ev, m);
		break;
	case K_AUTOVACUUM:
		ev_autovacuum_message(ev, m);
		break;
	case K_STATEMENT:
	case K_OTHER:
		break;
	}
}

/* A statement's or a plan's duration line: its backend waits for no lock
 * any more, whatever it waited for before. A wait whose end the log did
 * not show (its "acquired" line lost, or cut short) ends there, rather
 * than going on into the backend's next wait on the same lock. */
static bool ends_wait(const struct log_entry *e)
{
	return e->severity == SEV_LOG && e->message.len > 9 &&
		memcmp(e->message.ptr, "duration:", 9) == 0;
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
	/* At the message's own place, not the one of the entry that let it
	 * go (the end of an input, or of a range read by another worker). */
	uint64_t pos = ev->pos;
	ev->pos = p->pos;
	dispatch(ev, (enum kind)p->kind, &m);
	ev->pos = pos;
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

void ev_flush_pending(struct events *ev)
{
	flush_all(ev);
}

static void hold(struct events *ev, enum kind k, const struct ev_msg *m)
{
	if (ev->npending >= EV_MAX_PENDING)
		flush_all(ev);
	const struct log_entry *e = m->e;
	struct ev_backend *b = ev_backend_get(ev, e->pid);
	struct ev_pending *p = xcalloc(1, sizeof(*p));
	p->kind = k;
	p->pos = ev->pos;
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
	ev->pos = CALL_POS(ev->input, e->line);
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
	if (k == K_OTHER) {
		ev_others_add(ev, e);
		return;
	}
	if (k == K_STATEMENT) {
		if (ev->open_waits && ends_wait(e)) {
			/* The backend got its lock, though the log did not say. */
			struct ev_backend *b = ev_backend_find(ev, e->pid);
			if (b && b->wait) {
				ev_locks_close(ev, b, EV_LOCK_WAITING);
				ev_backend_release(ev, b);
			}
		}
		return;
	}
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
		backend_gone(ev, ev_sessions_fatal(ev, &m));
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
	ev_blocking_call(ev, c);
}

void events_end_input(struct events *ev)
{
	flush_all(ev);
	/* Waits the log never saw the end of are kept as "waiting". */
	for (size_t i = 0; i < ev->nbackends; i++)
		if (ev->backends[i].pid && ev->backends[i].wait)
			ev_locks_close(ev, &ev->backends[i], EV_LOCK_WAITING);
	ev_blocking_end_input(ev);
	ev->ckpt.last_start_ts = TS_NONE;      /* no interval across inputs */
	for (size_t i = 0; i < ev->nbackends; i++)
		ev->backends[i] = (struct ev_backend){ 0 };
	ev->used = 0;
	ev->open_waits = 0;
	ev_pooler_end_input(ev);
}

void events_merge(struct events *dst, struct events *src)
{
	events_end_input(src);
	ev_locks_merge(dst, src);
	ev_temp_merge(dst, src);
	ev_sessions_merge(dst, src);
	ev_maintenance_merge(dst, src);
	ev_blocking_merge(dst, src);
	ev_timeline_merge(&dst->tl, &src->tl);
	ev_pooler_merge(dst, src);
	struct ev_totals *t = &dst->totals, *s = &src->totals;
	t->lock_waits += s->lock_waits;
	t->lock_wait_ms = ms_add(t->lock_wait_ms, s->lock_wait_ms);
	t->deadlocks += s->deadlocks;
	t->errors += s->errors;
	t->warnings += s->warnings;
	t->errors_dropped += s->errors_dropped + ev_groups_merge(&dst->errors,
			&src->errors);
	t->others += s->others;
	t->others_dropped += s->others_dropped + ev_groups_merge(&dst->others,
			&src->others);
	*s = (struct ev_totals){ 0 };
	events_sort(dst);
}

void events_sort(struct events *ev)
{
	ev_locks_sort(ev);
	ev_blocking_sort(ev);
	ev_groups_sort(&ev->errors);
	ev_groups_sort(&ev->others);
	ev_temp_sort(ev);
	ev_sessions_sort(ev);
	ev_maintenance_sort(ev);
	ev_pooler_sort(ev);
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
	*n = ev->errors.n;
	return ev->errors.v;
}

const struct ev_error *events_others(const struct events *ev, size_t *n)
{
	*n = ev->others.n;
	return ev->others.v;
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

const struct ev_wraparound *events_wraparound(const struct events *ev)
{
	return &ev->wrap;
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
	struct events *ev = state;
	if (r->shadow)
		return;         /* nothing read from a backend's past is needed */
	ev->input = input;
	if (r->kind == REC_POOLER) {
		if (r->v.in_window && r->v.names_present)
			ev_pooler_record(state, &r->u.log);
		return;
	}
	/* Server-wide events (checkpoints, autovacuum) carry no names: those
	 * they lack pass --db/--user/--app. */
	if (r->v.in_window && r->v.names_present)
		events_log(state, &r->u.log);
}

static void sink_call(void *state, const struct call *c)
{
	/* The timeline is the server's activity as its log shows it; spans
	 * are the application's view of statements the log may hold too. */
	if (c->source & SRC_BIT(SRC_SPAN))
		return;
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

/* A backend's record joins unless it is a part (DETAIL, STATEMENT...) of
 * a message held before it. A message held (a lock wait or an error
 * waiting for its parts) goes when any other entry of its backend comes,
 * and the first record of the range that joins for every sink is a
 * statement's (ingest.c) or a new backend's: the message went before. */
static bool sink_joins(void *state, struct join_memo *m, const struct record *r)
{
	(void)state;
	(void)m;
	return r->kind != REC_LOG_ENTRY || !is_part(r->u.log.severity);
}

static void sink_begin_range(void *state)
{
	ev_blocking_begin_range(state);
}

/* Runs after the statements sink's hand_over (the sinks' order), whose
 * call of a pending plan then reaches from first, as -j 1 makes it. */
static void sink_hand_over(void *state, void *from, int64_t pid)
{
	ev_blocking_hand_over(state, from, pid);
}

static bool sink_server_wide(const struct record *r)
{
	if (r->kind != REC_LOG_ENTRY)
		return false;
	/* Asked of every record of a later range (driver_range.c): the
	 * restart messages start "database system" or "all server", and
	 * most records are "duration: ..." lines. */
	const struct log_entry *e = &r->u.log;
	if (e->severity != SEV_LOG || e->message.len < 8)
		return false;
	const char *t = e->message.ptr;
	if (!((t[0] == 'd' && t[1] == 'a') || t[0] == 'a'))
		return false;
	return classify(e) == K_RESTART;
}

const struct sink_ops events_sink_ops = {
	.name = "events",
	.kinds = REC_BIT(REC_LOG_ENTRY) | REC_BIT(REC_POOLER),
	.consume = sink_consume,
	.call = sink_call,
	.end_input = sink_end_input,
	.merge = sink_merge,
	.free = sink_free,
	.server_wide = sink_server_wide,
	.joins = sink_joins,
	.begin_range = sink_begin_range,
	.hand_over = sink_hand_over,
};
