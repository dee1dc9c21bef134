/* events_int.h: what the events_*.c files share; nothing else includes it.
 *
 * events.c owns struct events: it reads every entry, holds a message that
 * needs its parts until they have come (struct ev_pending, per pid in
 * struct ev_backend), cleans the texts, and hands each message with its
 * parts (struct ev_msg) to the module of its kind: events_locks.c,
 * events_errors.c, events_tempfiles.c, events_sessions.c,
 * events_maintenance.c; events_timeline.c counts per minute for all. */
#ifndef PGSIFT_EVENTS_INT_H
#define PGSIFT_EVENTS_INT_H

#include <stddef.h>

#include "events.h"
#include "strbuf.h"
#include "util.h"

/* ---- a string index over rows held by the caller ---- */

/* The NUL-terminated key of row i of rows. */
typedef const char *(*ev_key_fn)(const void *rows, size_t i);

struct ev_index;

struct ev_index *ev_index_new(void);
void ev_index_free(struct ev_index *ix);
/* The row whose key is key[0..len), or SIZE_MAX. */
size_t ev_index_find(const struct ev_index *ix, const char *key, size_t len,
		const void *rows, ev_key_fn key_of);
/* Indexes row (not yet indexed); rows holds it already. */
void ev_index_add(struct ev_index *ix, size_t row, const void *rows,
		ev_key_fn key_of);
/* Forgets everything and indexes rows[0..n) (after a sort). */
void ev_index_rebuild(struct ev_index *ix, size_t n, const void *rows,
		ev_key_fn key_of);

/* ---- name counts ---- */

void ev_counts_add(struct ev_counts *c, const char *name, size_t len,
		uint64_t n);
/* Adds src into dst; src is emptied. */
void ev_counts_merge(struct ev_counts *dst, struct ev_counts *src);
void ev_counts_sort(struct ev_counts *c);
/* Releases everything; the struct is left zeroed. */
void ev_counts_release(struct ev_counts *c);

/* ---- shared helpers ---- */

/* A copy of s, cut past EV_TEXT_MAX bytes on a character boundary; NULL
 * when s is empty. The result belongs to the caller. */
char *ev_strdup(struct slice s);
/* Fingerprints a statement with the worker's cache. Returns false (and
 * leaves *fp alone) on the merged result, which has no cache, or for an
 * empty text. When norm is not NULL it gets a copy of the normalized text
 * (the caller frees it). */
bool ev_fingerprint(struct events *ev, struct slice text, uint64_t *fp,
		char **norm);
/* Parses an unsigned integer at s; returns the bytes used, 0 when none. */
size_t ev_parse_u64(const char *s, size_t len, uint64_t *v);
/* Pointer just past the first needle in s, or NULL. */
const char *ev_find(struct slice s, const char *needle);
static inline bool ev_starts(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len >= n && memcmp(s.ptr, lit, n) == 0;
}
static inline int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

/* A message with its parts, texts cleaned of stderr's tabs; borrowed. */
struct ev_msg {
	const struct log_entry *e;      /* ts, pid, names, severity, sqlstate */
	struct slice text, detail, statement, context;
};

/* A message held until its parts have come. */
struct ev_pending {
	int kind;
	uint64_t pos;           /* CALL_POS of the message */
	int64_t ts_ms;
	enum severity severity;
	struct strbuf text, detail, statement, context;
	struct strbuf db, user, app, sqlstate;
};

/* What an ev_sdelta tells (a state file keeps it plus one, in a byte). */
enum {
	EV_SD_CLOSE = -1,       /* a disconnection or a FATAL */
	EV_SD_RESTART = 0,      /* a server restart: every backend ends */
	EV_SD_OPEN = 1,         /* an authorization */
	EV_SD_RECEIVED = 2,     /* "connection received": a backend starts */
};

/* A backend's start, authorization or end as logged (EV_SD_*), at pos
 * (CALL_POS) and ts. They are kept raw and resolved per pid, in the
 * order of time, when the peak is found (events_sessions.c): a worker
 * that reads part of a log cannot know which sessions the part before
 * left open, nor the next part which of its connections went on. */
struct ev_sdelta {
	uint64_t pos;
	int64_t ts;
	int64_t pid;
	int delta;
};

/* What is open for one pid. */
struct ev_backend {
	int64_t pid;                    /* 0: free slot; -1: not logged */
	bool session_open;
	int64_t session_ts;             /* when it opened */
	struct ev_pending *pending;     /* or NULL */
	struct ev_lock_wait *wait;      /* open lock wait, or NULL */
};

/* The pid's slot, created when missing. The pointer is valid until the
 * next ev_backend_get() or ev_backend_release(). */
struct ev_backend *ev_backend_get(struct events *ev, int64_t pid);
/* The pid's slot or NULL. */
struct ev_backend *ev_backend_find(struct events *ev, int64_t pid);
/* Frees the slot when nothing is open in it any more. */
void ev_backend_release(struct events *ev, struct ev_backend *b);

/* Messages grouped by severity, SQLSTATE and masked text (events_errors.c):
 * the errors, and the messages no rule reads (events_others.c). */
struct ev_groups {
	struct ev_error *v;
	size_t n, cap;
	struct ev_index *index;
};

struct events {
	struct fp_cache *fp;            /* NULL on a merged result */
	struct strbuf scratch, norm, key;
	struct strbuf clean[4];         /* cleaned text and parts of a message */

	struct ev_backend *backends;    /* open addressing by pid */
	size_t nbackends, used, npending;
	size_t open_waits;              /* backends with a lock wait open */

	struct ev_lock_wait *waits;     /* finished waits, the longest kept */
	size_t nwaits, capwaits;
	struct ev_deadlock *deadlocks;
	size_t ndeadlocks, capdeadlocks;

	struct ev_temp_files temp;
	size_t captemp;
	struct ev_index *temp_index;

	struct ev_groups errors;        /* WARNING .. PANIC */
	struct ev_groups others;        /* messages no rule reads */

	struct ev_connections conn;
	/* Every session opened and closed, where: the peak of sessions open
	 * at once is found from them once all are merged (ev_sessions_sort),
	 * in log order across backends, however the backends were shared
	 * among workers (driver_split.c). 24 bytes a connection. */
	struct ev_sdelta *sdeltas;
	size_t nsdeltas, capsdeltas;
	uint64_t pos;                   /* CALL_POS of the entry being read */
	size_t input;                   /* number of the input being read */
	struct ev_checkpoints ckpt;
	struct ev_autovacuum av;
	struct ev_timeline tl;
	struct ev_totals totals;
	struct pooler *pooler;          /* pgBouncer's lines (pooler.h), or NULL */
	struct ev_index *pooler_rows_index, *pooler_errors_index;
	struct ev_blocking *blk;        /* transactions, blockers; NULL: none yet */
	struct ev_wraparound wrap;
};

/* Sends every held message on (events.c); the end of an input does it
 * too. */
void ev_flush_pending(struct events *ev);

/* ---- the modules ---- */

/* events_locks.c: "process N still waiting for / acquired ..." */
void ev_locks_message(struct events *ev, const struct ev_msg *m);
/* ERROR "deadlock detected" with its DETAIL. */
void ev_locks_deadlock(struct events *ev, const struct ev_msg *m);
/* Ends b's open wait (if any) with that outcome and keeps it. */
void ev_locks_close(struct events *ev, struct ev_backend *b,
		enum ev_lock_outcome outcome);
void ev_locks_merge(struct events *dst, struct events *src);
void ev_locks_sort(struct events *ev);
void ev_lock_wait_free(struct ev_lock_wait *w);
void ev_locks_free(struct events *ev);

/* events_errors.c: WARNING, ERROR, FATAL, PANIC. */
void ev_errors_add(struct events *ev, const struct ev_msg *m);
/* The group of key ("SEVERITY\x1fSQLSTATE\x1fmasked message"; copied
 * when new), NULL past EV_ERROR_GROUPS_MAX groups. */
struct ev_error *ev_groups_get(struct ev_groups *gs, const char *key,
		enum severity sev);
/* Counts one message of r at ts and pos (CALL_POS). */
void ev_group_count(struct ev_error *r, int64_t ts, uint64_t pos);
/* Moves src's groups into dst; returns the count of the messages past
 * dst's limit of groups. */
uint64_t ev_groups_merge(struct ev_groups *dst, struct ev_groups *src);
void ev_groups_sort(struct ev_groups *gs);
void ev_groups_free(struct ev_groups *gs);
/* "SEVERITY\x1fSQLSTATE\x1f" and text masked (events_normalize_message)
 * into ev->key. */
void ev_groups_key(struct events *ev, enum severity sev, struct slice sqlstate,
		struct slice text);

/* events_others.c: the messages of a LOG, INFO, NOTICE or DEBUG entry
 * that no rule reads, counted by kind. */
void ev_others_add(struct events *ev, const struct log_entry *e);

/* events_tempfiles.c: "temporary file: path ..., size N" */
void ev_temp_message(struct events *ev, const struct ev_msg *m);
void ev_temp_merge(struct events *dst, struct events *src);
void ev_temp_sort(struct events *ev);
void ev_temp_free(struct events *ev);

/* events_sessions.c: connections, disconnections, refused connections,
 * server restarts. */
/* Both return the backend whose session the message ended (the hub then
 * closes its lock wait and frees it), NULL when none did. */
struct ev_backend *ev_sessions_message(struct events *ev, const struct ev_msg *m);
/* A FATAL: a refused connection, and the end of the pid's session. */
struct ev_backend *ev_sessions_fatal(struct events *ev, const struct ev_msg *m);
void ev_sessions_merge(struct events *dst, struct events *src);
/* Notes a backend's start, authorization or end (delta: EV_SD_*) at pos
 * and ts, for the peak (ev_sessions_sort()). */
void ev_sessions_delta(struct events *ev, uint64_t pos, int64_t ts,
		int64_t pid, int delta);
void ev_sessions_sort(struct events *ev);
void ev_sessions_free(struct events *ev);

/* events_maintenance.c: checkpoints and autovacuum. */
void ev_checkpoint_message(struct events *ev, const struct ev_msg *m);
void ev_autovacuum_message(struct events *ev, const struct ev_msg *m);
/* ERROR "canceling autovacuum task" with its CONTEXT. */
void ev_autovacuum_canceled(struct events *ev, const struct ev_msg *m);
/* A WARNING or ERROR about transaction ID wraparound. */
void ev_wraparound_message(struct events *ev, const struct ev_msg *m);
void ev_maintenance_merge(struct events *dst, struct events *src);
void ev_maintenance_sort(struct events *ev);
void ev_maintenance_free(struct events *ev);

/* events_pooler.c: pgBouncer's log lines (REC_POOLER records). */
void ev_pooler_record(struct events *ev, const struct log_entry *e);
void ev_pooler_end_input(struct events *ev);
void ev_pooler_merge(struct events *dst, struct events *src);
void ev_pooler_sort(struct events *ev);
void ev_pooler_free(struct events *ev);
/* For the state and JSON readers (events_pooler_io.c): ev's pooler,
 * created when missing; the row or error group of key (made when
 * missing), NULL past the limits; a stats point's share of the totals. */
struct pooler *ev_pooler_get(struct events *ev);
struct pooler_row *ev_pooler_row(struct events *ev, const char *key, size_t len);
struct pooler_error *ev_pooler_error(struct events *ev, const char *key, size_t len);
struct pooler_stats;
struct pooler_point;
void ev_pooler_stats_count(struct pooler_stats *st, const struct pooler_point *pt);
/* events_pooler_io.c: the pooler's part of a saved state. */
struct st_out;
struct st_in;
void ev_pooler_state_save(const struct events *ev, struct st_out *o);
/* events_state.c: names with counts in a state, for every part that has
 * them (connections, checkpoints, the pooler). */
void ev_counts_save(struct st_out *o, const struct ev_counts *c);
bool ev_counts_load(struct st_in *in, struct ev_counts *c);
bool ev_pooler_state_load(struct events *ev, struct st_in *in);
/* events_blocking.c: backends' transactions from their calls: idle in
 * transaction per application, and who blocked whom. */

/* The last statements a hold keeps. */
#define EV_HOLD_STMTS 4

struct ev_hold_stmt {
	uint64_t fp;
	bool has_fp;
	int64_t start, end;
};

/* A transaction, or a statement outside one, that lasted long enough to
 * have made others wait: what a lock wait's holder was doing. */
struct ev_hold {
	int64_t pid;
	int64_t start, end;
	char *app;                      /* or NULL */
	struct ev_hold_stmt st[EV_HOLD_STMTS];  /* ring: the last statements */
	uint32_t n;                     /* statements seen */
	/* Not saved: a statement a later range's head kept as a hold of its
	 * own, unless hand_over finds its backend in a transaction. */
	bool loose;
};

/* events_state.c: a hold in a saved state (or a --state run's carry);
 * the smallest size of one there. */
struct st_in;
struct st_out;
#define EV_HOLD_SAVED_MIN (8 * 3 + 4 + 1 + EV_HOLD_STMTS * 25)
void ev_hold_save(struct st_out *o, const struct ev_hold *h);
/* Reads one into *h (its app is the caller's); false, with the reason in
 * in, when it is damaged. */
bool ev_hold_load(struct st_in *in, struct ev_hold *h);

const struct ev_hold *ev_blocking_holds(const struct events *ev, size_t *n);
/* Keeps h, taking its app (h->app is left NULL). */
void ev_blocking_add_hold(struct events *ev, struct ev_hold *h);
void ev_blocking_call(struct events *ev, const struct call *c);
void ev_blocking_end_input(struct events *ev);
void ev_blocking_merge(struct events *dst, struct events *src);
/* events_blocking_range.c: the sink's begin_range and hand_over (see
 * sink.h), and the transactions open where a --state run stops, taken
 * out into o and put back from in by the next run. */
void ev_blocking_begin_range(struct events *ev);
void ev_blocking_hand_over(struct events *to, struct events *from, int64_t pid);
void ev_blocking_save_open(struct events *ev, struct st_out *o);
bool ev_blocking_load_open(struct events *ev, struct st_in *in);
/* Settles the root blocker of every kept lock wait not settled yet and
 * lists the blockers (after ev_locks_sort()). */
void ev_blocking_sort(struct events *ev);
void ev_blocking_free(struct events *ev);
/* Adds what a saved state or report says was left out. */
void ev_blocking_add_dropped(struct events *ev, struct ev_blocking_dropped d);
/* Adds a saved application's idle time. */
void ev_blocking_add_idle(struct events *ev, const struct ev_idle_app *a);

/* events_timeline.c */
enum ev_tl_field { EV_TL_ERRORS, EV_TL_LOCK_WAITS, EV_TL_TEMP_BYTES };
void ev_timeline_call(struct ev_timeline *tl, int64_t ts, bool timed,
		double ms);
void ev_timeline_count(struct ev_timeline *tl, int64_t ts,
		enum ev_tl_field f, uint64_t n);
void ev_timeline_merge(struct ev_timeline *dst, struct ev_timeline *src);
void ev_timeline_free(struct ev_timeline *tl);

#endif
