/* events.h: what a log says besides statements.
 *
 * Lock waits, deadlocks, temporary files, errors, connections and sessions,
 * checkpoints, autovacuum, and a per-minute timeline. Each worker feeds
 * its own `struct events` with every log entry (events_log) and every call
 * the ingest stage counts (events_call); events_merge() joins the workers'
 * at the end, and the report writers read the result through the
 * accessors and public structs below.
 *
 * A message and its parts (DETAIL, STATEMENT, CONTEXT) may arrive as one
 * entry (csvlog, jsonlog, stitched stderr) or as entries of their own that
 * follow the message from the same pid (stderr): a message that needs its
 * parts is held per pid until the next message of that pid, or the end of
 * the input, so both forms give the same events.
 *
 * Limits: the EV_LOCK_WAITS_MAX longest lock waits and the
 * EV_DEADLOCKS_MAX earliest deadlocks are kept (all are counted in
 * events_totals()); EV_ERROR_GROUPS_MAX error groups per worker, the errors
 * past it counted in errors_dropped; EV_NAMES_MAX names per connection
 * map; the timeline keeps at most EV_TIMELINE_MAX_BUCKETS buckets,
 * from 1 second (at most EV_TIMELINE_FINE_BUCKETS below a minute) to 5,
 * 15 seconds, 1, 5, 15, 60 minutes, 6 hours, 1 day, 1 week and doubling
 * weeks as the window is longer. Statements kept with
 * events are cut past EV_TEXT_MAX bytes. */
#ifndef PGSIFT_EVENTS_H
#define PGSIFT_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "fingerprint.h"
#include "record.h"
#include "sketch.h"
#include "strbuf.h"

#define EV_LOCK_WAITS_MAX 1000
#define EV_DEADLOCKS_MAX 1000
#define EV_ERROR_GROUPS_MAX 2000
#define EV_NAMES_MAX 1000
#define EV_TIMELINE_MAX_BUCKETS 1440
/* Buckets narrower than a minute, at most (events_timeline.c). */
#define EV_TIMELINE_FINE_BUCKETS 120
#define EV_TEXT_MAX 16384

struct events;

/* fp: the worker's cache, used to fingerprint the statements that events
 * carry (lock waits, temp files, errors, deadlocks); borrowed for the
 * events' life. NULL for a result that only receives merges. The result
 * belongs to the caller. */
struct events *events_new(struct fp_cache *fp);
/* NULL is a no-op. */
void events_free(struct events *ev);

/* Every log entry, in input order (borrowed). */
void events_log(struct events *ev, const struct log_entry *e);
/* Every call counted, for the timeline (borrowed). */
void events_call(struct events *ev, const struct call *c);
/* Called at the end of each input: settles what was held (messages
 * waiting for their parts, lock waits never acquired, open sessions). */
void events_end_input(struct events *ev);

/* Adds everything in src to dst; src stays valid but empty. Ends with
 * events_sort(dst). */
void events_merge(struct events *dst, struct events *src);
/* Puts every list in the order the accessors promise. events_merge() does
 * it; call it on a worker's events read directly. */
void events_sort(struct events *ev);

struct sink_ops;
/* The events sink (sink.h): state is a struct events; it takes the log
 * entries in the window whose names (those they have) pass, and every
 * call. */
extern const struct sink_ops events_sink_ops;

/* ---- what the writers read (valid until the next call that changes ev) ---- */

#define EV_LOCK_OUTCOME_LIST(X) \
	X(EV_LOCK_WAITING, "waiting") X(EV_LOCK_ACQUIRED, "acquired") \
	X(EV_LOCK_DEADLOCK, "deadlock") X(EV_LOCK_FAILED, "failed") \
	X(EV_LOCK_CANCELED, "canceled")

enum ev_lock_outcome {
#define X(id, name) id,
	EV_LOCK_OUTCOME_LIST(X)
#undef X
	EV_LOCK_OUTCOME_COUNT
};

/* "waiting" (the log says no more), "acquired", ... */
const char *events_lock_outcome_name(enum ev_lock_outcome o);

/* One wait for one lock by one process. Strings belong to the events. */
struct ev_lock_wait {
	int64_t ts_ms;          /* first message about the wait, or TS_NONE */
	int64_t pid;
	double wait_ms;         /* the longest wait its messages reported */
	enum ev_lock_outcome outcome;
	char *lock;             /* "ShareLock on transaction 567" */
	char *statement;        /* the waiting statement as logged, or NULL */
	uint64_t fingerprint;   /* of statement, when has_fingerprint */
	bool has_fingerprint;
	int64_t *blockers;      /* pids holding the lock, in the order logged */
	uint32_t nblockers;
	int64_t start_ms;       /* when it began (a message's time less the
	                         * wait it reports), or TS_NONE */
	char *db, *user, *app;  /* NULL when not logged */
	/* Who blocked it in the end (events_blocking.c): following the
	 * first holder through the waits it was itself in at the time, the
	 * backend that waited for nothing. root_pid 0: not settled yet;
	 * root_known false: its statements were not in the log. */
	int64_t root_pid;
	bool root_known;
	bool root_idle;         /* no statement of it was running: idle in
	                         * its transaction */
	uint32_t root_depth;    /* 1: the holder itself; 2: A blocks B blocks this */
	uint64_t root_fingerprint;      /* its statement: the one running at the
	                                 * wait, else its transaction's last */
	bool root_has_fingerprint;
	int64_t root_xact_ts;   /* when its transaction (or statement) began */
	char *root_app;         /* or NULL */
};

struct ev_deadlock_proc {
	int64_t pid;
	int64_t blocked_by;     /* -1 when not logged */
	char *lock;             /* "ShareLock on transaction 2", or NULL */
	char *statement;        /* or NULL */
	uint64_t fingerprint;
	bool has_fingerprint;
};

struct ev_deadlock {
	int64_t ts_ms;
	int64_t victim_pid;     /* the process whose statement was aborted */
	struct ev_deadlock_proc *procs; /* in the order of the DETAIL */
	uint32_t nprocs;
	char *db;               /* or NULL */
};

/* Temporary files of one statement fingerprint. */
struct ev_temp_group {
	char key[17];           /* fingerprint in hex, "" without a statement */
	uint64_t fingerprint;
	bool has_fingerprint;   /* false: files logged without a statement */
	char *query;            /* normalized text, or NULL */
	uint64_t count, bytes, max_bytes;
};

struct ev_temp_files {
	uint64_t count, bytes, max_bytes;
	struct ev_temp_group *groups;   /* by bytes, descending */
	size_t ngroups;
};

/* Messages of one severity, SQLSTATE and normalized message: the errors
 * (events_errors()) and the messages no rule reads (events_others()). */
struct ev_error {
	char *key;              /* identity: severity, sqlstate, message */
	enum severity severity; /* SEV_WARNING .. SEV_PANIC */
	char sqlstate[6];       /* "" when not logged */
	const char *message;    /* numbers and quoted strings masked; in key */
	uint64_t count;
	char *example;          /* statement of the earliest one logged with
	                         * one, as logged, or NULL */
	int64_t example_ts;
	uint64_t fingerprint;   /* of example, when has_fingerprint */
	bool has_fingerprint;
	int64_t first_ts, last_ts;      /* TS_NONE when unknown */
	uint64_t first_pos;     /* CALL_POS of the first in the inputs' order,
	                         * 0 when unknown */
};

struct ev_count {
	char *name;
	uint64_t count;
};

/* Names with counts: busiest first (then by name) after events_sort().
 * other: counts under names past EV_NAMES_MAX. */
struct ev_counts {
	struct ev_count *v;
	size_t n, cap;
	uint64_t other;
	struct ev_index *index;        /* private */
};

/* Why a connection was refused: FATAL messages that start with the
 * prefix and contain the text ("" matches anything); the first that
 * matches wins. */
#define EV_FAILURE_LIST(X) \
	X(EV_FAIL_TOO_MANY, "too_many_clients", "sorry, too many clients already", "") \
	X(EV_FAIL_RESERVED, "reserved_slots", "remaining connection slots are reserved", "") \
	X(EV_FAIL_PASSWORD, "password_failed", "password authentication failed for user", "") \
	X(EV_FAIL_AUTH, "authentication_failed", "", " authentication failed for user") \
	X(EV_FAIL_NO_HBA, "no_hba_entry", "no pg_hba.conf entry for", "") \
	X(EV_FAIL_HBA_REJECT, "hba_reject", "pg_hba.conf rejects ", "") \
	X(EV_FAIL_NO_ROLE, "unknown_role", "role \"", "\" does not exist") \
	X(EV_FAIL_NO_LOGIN, "login_not_permitted", "role \"", "\" is not permitted to log in") \
	X(EV_FAIL_NO_DB, "unknown_database", "database \"", "\" does not exist") \
	X(EV_FAIL_DB_CLOSED, "database_not_accepting", "database \"", "\" is not currently accepting connections") \
	X(EV_FAIL_ROLE_LIMIT, "role_limit", "too many connections for role", "") \
	X(EV_FAIL_DB_LIMIT, "database_limit", "too many connections for database", "") \
	X(EV_FAIL_NO_CONNECT, "connect_denied", "permission denied for database", "") \
	X(EV_FAIL_UNAVAILABLE, "server_unavailable", "the database system is ", "") \
	/* Logged at LOG, not FATAL (the server's COMMERROR): a client that \
	 * spoke no PostgreSQL (a port scan, an HTTP probe), or gave up. */ \
	X(EV_FAIL_BAD_STARTUP, "bad_startup_packet", "invalid length of startup packet", "") \
	X(EV_FAIL_INCOMPLETE_STARTUP, "incomplete_startup_packet", "incomplete startup packet", "") \
	X(EV_FAIL_SSL, "ssl_failed", "could not accept SSL connection", "")

enum ev_failure {
#define X(id, key, prefix, text) id,
	EV_FAILURE_LIST(X)
#undef X
	EV_FAILURE_COUNT
};

/* "too_many_clients", ...: the key of a failure reason in the report. */
const char *events_failure_name(enum ev_failure f);

/* Session durations are also counted in these upper bounds (seconds),
 * the last bucket open-ended. */
#define EV_SESSION_BOUNDS { 1, 10, 60, 600, 3600, 28800 }
#define EV_SESSION_BUCKETS 7

struct ev_connections {
	uint64_t received;      /* "connection received" */
	uint64_t authorized;    /* "connection authorized" (also replication) */
	uint64_t failed;        /* FATALs that refused a connection */
	uint64_t failures[EV_FAILURE_COUNT];
	uint64_t peak_sessions; /* most sessions open at once, in one input */
	int64_t peak_ts;        /* when first reached, or TS_NONE */
	struct ev_counts by_database, by_user, by_application, by_host;
	uint64_t sessions;      /* "disconnection" lines */
	double session_total_s, session_max_s;
	struct sketch session_ms;
	uint64_t session_hist[EV_SESSION_BUCKETS];
};

/* Connection attempts: the "connection received" lines, or at least the
 * authorized or failed ones when log_connections was off. */
uint64_t events_connections_total(const struct ev_connections *c);

struct ev_checkpoints {
	uint64_t count;         /* "checkpoint complete" and "restartpoint complete" */
	uint64_t restartpoints; /* of count */
	uint64_t too_frequent;  /* "checkpoints are occurring too frequently" */
	struct ev_counts by_reason;     /* "time", "immediate force wait", ... */
	double write_s, sync_s, total_s, max_total_s;
	uint64_t buffers, wal_added, wal_removed, wal_recycled;
	/* "checkpoints are occurring too frequently (N seconds apart)": the
	 * smallest N, -1 when none was logged. */
	double min_apart_s;
	/* Checkpoint starts whose reason has "wal" (WAL reached max_wal_size),
	 * and the time since the checkpoint started before each of them. */
	uint64_t wal_started, wal_intervals;
	double wal_interval_s, wal_interval_min_s;
	int64_t last_start_ts;  /* private: the last start seen, or TS_NONE */
};

/* A root blocker: one transaction (or statement) of a backend that held
 * locks others waited for, directly or through a chain, while it waited
 * for none; from the kept lock waits (EV_LOCK_WAITS_MAX longest). */
struct ev_blocker {
	int64_t pid;
	int64_t xact_ts;        /* when its transaction began, TS_NONE unknown */
	int64_t first_ts;       /* the first wait it caused */
	char *app;              /* or NULL */
	uint64_t fingerprint;   /* its statement (see ev_lock_wait.root_*) */
	bool has_fingerprint;
	bool known;             /* its statements were in the log */
	bool idle;              /* idle in transaction at a wait it caused */
	char *lock;             /* what the longest wait it caused was for */
	uint64_t waits, direct; /* waits caused, of them on its own locks */
	uint32_t depth;         /* longest chain: 1 direct, 2 A blocks B blocks C */
	double wait_ms;         /* time those waits lasted, in total */
};

/* Idle in transaction, per application: the time between the end of a
 * statement and the start of the next inside a backend's explicit
 * transaction (BEGIN ... COMMIT/ROLLBACK/END), from the log's time stamps
 * and durations. */
struct ev_idle_app {
	char *app;              /* "" when not logged */
	uint64_t xacts;         /* transactions seen from BEGIN to their end */
	uint64_t gaps;          /* idle gaps at least EV_IDLE_GAP_MS */
	double idle_ms;         /* every gap, in total */
	double max_ms;          /* the longest gap */
	int64_t max_ts;         /* when it began */
	int64_t max_pid;
	uint64_t fingerprint;   /* the statement before it */
	bool has_fingerprint;
};

/* Gaps shorter than this are a client's round trip, not idleness: counted
 * in idle_ms, not in gaps. */
#define EV_IDLE_GAP_MS 100.0

/* The server's wraparound alarms: WARNING "database \"shop\" must be
 * vacuumed within 10985 transactions" (or "before N more MultiXactIds are
 * used"), and the ERROR "database is not accepting commands ... to avoid
 * wraparound data loss" once it stopped assigning them; and VACUUM's
 * failsafe, when a table's oldest ID passed vacuum_failsafe_age. */
struct ev_wraparound {
	uint64_t warnings;      /* "must be vacuumed" */
	uint64_t refusals;      /* "not accepting commands" */
	uint64_t failsafe;      /* vacuum's "bypassing nonessential maintenance
	                         * of table ... as a failsafe" (vacuum_failsafe_age) */
	uint64_t min_left;      /* the fewest transactions left, UINT64_MAX none */
	char *db;               /* the database of that warning, or NULL */
	int64_t first_ts, last_ts;      /* TS_NONE when none */
};

struct ev_vacuum_table {
	char *table;            /* "db.schema.table" as logged */
	uint64_t vacuums, analyzes;
	uint64_t aggressive, wraparound;        /* of vacuums */
	uint64_t canceled;      /* "canceling autovacuum task" */
	uint64_t removed_tuples;
	double total_ms, max_ms;        /* elapsed, vacuums and analyzes */
};

struct ev_autovacuum {
	uint64_t vacuum_count, analyze_count;
	struct ev_vacuum_table *tables; /* by total_ms, descending */
	size_t ntables, cap;
	struct ev_index *index;        /* private */
};

struct ev_bucket {
	int64_t start_ms;
	uint64_t calls, timed_calls;
	double total_ms;
	struct sketch latency;  /* durations of the timed calls */
	uint64_t errors;        /* ERROR, FATAL and PANIC */
	uint64_t lock_waits;
	uint64_t temp_bytes;
};

struct ev_timeline {
	int64_t width_ms;       /* TS_LADDER_FIRST_MS unless coarsened */
	struct ev_bucket *b;    /* consecutive buckets, the empty ones too */
	size_t n, cap;
};

struct ev_totals {
	uint64_t lock_waits;    /* all, the list keeps the longest */
	double lock_wait_ms;
	uint64_t deadlocks;
	uint64_t errors;        /* ERROR, FATAL and PANIC */
	uint64_t warnings;
	uint64_t errors_dropped;        /* not grouped: past EV_ERROR_GROUPS_MAX */
	uint64_t others;        /* messages no rule reads (events_others()) */
	uint64_t others_dropped;        /* of them, not grouped: past the limit */
};

/* Lock waits, longest first (then by time, pid). */
const struct ev_lock_wait *events_lock_waits(const struct events *ev, size_t *n);
/* Deadlocks, earliest first. */
const struct ev_deadlock *events_deadlocks(const struct events *ev, size_t *n);
const struct ev_temp_files *events_temp_files(const struct events *ev);
/* Error groups, most frequent first (then severest, then by message). */
const struct ev_error *events_errors(const struct events *ev, size_t *n);
/* The messages of LOG, INFO, NOTICE and DEBUG entries that no rule of
 * pgsift reads (not a statement, a plan or an event), by severity,
 * SQLSTATE and masked message, most frequent first; example is NULL. */
const struct ev_error *events_others(const struct events *ev, size_t *n);
/* What a message of events_others() is about when it is of a kind pgsift
 * knowingly leaves out ("server start and stop", ...: README, "Messages
 * pgsift does not read"); NULL for a kind it does not know. */
const char *events_other_known(const struct ev_error *r);
const struct ev_connections *events_connections(const struct events *ev);
const struct ev_checkpoints *events_checkpoints(const struct events *ev);
const struct ev_autovacuum *events_autovacuum(const struct events *ev);
const struct ev_wraparound *events_wraparound(const struct events *ev);
/* Root blockers, most wait caused first. */
const struct ev_blocker *events_blockers(const struct events *ev, size_t *n);
/* What the limits left out: transactions past the HOLDS_MAX longest
 * kept to find blockers (50,000 per run), and transactions of the
 * applications past EV_NAMES_MAX, not in events_idle(). */
struct ev_blocking_dropped {
	uint64_t holds, idle_xacts;
};
struct ev_blocking_dropped events_blocking_dropped(const struct events *ev);
/* Idle in transaction per application, most idle time first. */
const struct ev_idle_app *events_idle(const struct events *ev, size_t *n);
const struct ev_timeline *events_timeline(const struct events *ev);
const struct ev_totals *events_totals(const struct events *ev);

/* A statement kept with an event as a report shows it: normalized
 * (literals masked, see fp_normalize) unless show_literals. Written into
 * out (reset first). */
void events_statement_text(const char *s, bool show_literals, struct strbuf *out);

/* The first line of an error message with numbers and quoted strings
 * masked ("?", "\"?\"", "'?'") and a trailing " at character N" dropped,
 * cut past 512 bytes; written into out (reset first). */
void events_normalize_message(const char *msg, size_t len, struct strbuf *out);

#endif
