/* pooler.h: what a pgBouncer log says: logins and sessions, errors, stats.
 *
 * The pgbouncer parser (parsers/pgbouncer.c) turns each line into a
 * REC_POOLER record; the events sink hands them to its pooler module
 * (analyzer/events/events_pooler.c), which keeps a struct pooler in the
 * worker's events: created at the first pooler record, so a run without a
 * pgBouncer log has none (events_pooler() is NULL, and the reports leave
 * the section and the JSON key "pooler" out). Workers' and saved states'
 * poolers merge with the events (events_merge(), events_state.c); a saved
 * JSON report's "pooler" object is read back by pooler_load_json().
 *
 * Limits: POOLER_ROWS_MAX database/user/client rows (logins past them
 * counted in rows_other), EV_ERROR_GROUPS_MAX error rows, EV_NAMES_MAX
 * close reasons per side; the stats timeline keeps at most
 * POOLER_POINTS_MAX points, neighbours joined (their rates averaged over
 * their time) when there are more. */
#ifndef PGSIFT_POOLER_H
#define PGSIFT_POOLER_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"

#define POOLER_ROWS_MAX 1000
#define POOLER_POINTS_MAX 1440

/* What a pooler error is about: the first whose text the message holds
 * (client closes and "pooler error: ..." lines); "other" keeps the
 * message (numbers masked). */
#define POOLER_ERROR_LIST(X) \
	X(PL_ERR_MAX_CLIENT_CONN, "max_client_conn", "no more connections allowed") \
	X(PL_ERR_NO_DATABASE, "no_such_database", "no such database") \
	X(PL_ERR_NO_USER, "no_such_user", "no such user") \
	X(PL_ERR_PASSWORD, "password_failed", "password authentication failed") \
	X(PL_ERR_SASL, "sasl_failed", "SASL authentication failed") \
	X(PL_ERR_LOGIN_REJECTED, "login_rejected", "login rejected") \
	X(PL_ERR_SERVER_LOGIN, "server_login_failed", "server login failed") \
	X(PL_ERR_LOGIN_RETRY, "server_login_retry", "server_login_retry") \
	X(PL_ERR_QUERY_WAIT, "query_wait_timeout", "query_wait_timeout") \
	X(PL_ERR_QUERY_TIMEOUT, "query_timeout", "query_timeout") \
	X(PL_ERR_CLIENT_LOGIN, "client_login_timeout", "client_login_timeout") \
	X(PL_ERR_IDLE_XACT, "idle_transaction_timeout", "idle transaction timeout") \
	X(PL_ERR_CLIENT_IDLE, "client_idle_timeout", "client_idle_timeout") \
	X(PL_ERR_POOL_FULL, "too_many_servers", "too many servers in the pool") \
	X(PL_ERR_SERVER_CRASH, "server_conn_crashed", "server conn crashed") \
	X(PL_ERR_CONNECT, "connect_failed", "connect failed") \
	X(PL_ERR_TLS, "tls", "TLS ") \
	X(PL_ERR_BAD_PACKET, "bad_packet", "bad packet") \
	X(PL_ERR_OTHER, "other", "")

enum pooler_error_kind {
#define X(id, key, text) id,
	POOLER_ERROR_LIST(X)
#undef X
	PL_ERR_COUNT
};

/* "max_client_conn", ...: the key of an error kind in the report. */
const char *pooler_error_name(enum pooler_error_kind k);

/* Logins and sessions of one database, user and client host. */
struct pooler_row {
	char *key;              /* db \x1f user \x1f client: identity */
	const char *db, *user, *client;         /* in key; "" when not logged */
	uint64_t logins;        /* "login attempt" */
	uint64_t login_failed;  /* "login failed" */
	uint64_t sessions;      /* clients closed after a login ("age=Ns") */
	double total_s, max_s;  /* their ages */
	uint64_t errors;        /* WARNING and worse lines about them */
};

/* Errors of one kind and message. */
struct pooler_error {
	char *key;              /* kind \x1f message: identity */
	enum pooler_error_kind kind;
	enum severity severity; /* of the line (WARNING, ERROR, FATAL); LOG
	                         * for a client closed by the pooler */
	const char *message;    /* numbers masked; in key */
	uint64_t count;
	int64_t first_ts, last_ts;      /* TS_NONE when unknown */
	char *db, *user;        /* of the first one, NULL when not logged */
};

/* One "stats:" line, or neighbours joined: rates over period_s seconds
 * before ts_ms (the line's time). */
struct pooler_point {
	int64_t ts_ms;
	double period_s;        /* 0: unknown (an input's only stats line) */
	double xacts_s, queries_s, in_bps, out_bps;
	double xact_us, query_us;       /* average transaction, query time */
	double wait_us;         /* client wait per second (us/s) */
};

struct pooler_stats {
	uint64_t lines;         /* "stats:" lines read */
	double seconds;         /* time they cover */
	/* Sums of rate x period: what SHOW STATS's totals count. */
	double xacts, queries, bytes_in, bytes_out, wait_s;
	double xact_us_sum, query_us_sum;       /* time x count, for the means */
	double peak_xacts_s, peak_queries_s;
	int64_t peak_ts;        /* of the busiest line (queries/s), or TS_NONE */
	struct pooler_point *v; /* by time */
	size_t n, cap;
};

struct pooler {
	uint64_t lines;         /* pooler records read */
	int64_t first_ts, last_ts;      /* of those lines, TS_NONE when none */
	uint64_t logins, login_failed;
	uint64_t sessions;      /* client closes after a login attempt */
	double session_total_s, session_max_s;
	uint64_t server_connections;    /* "new connection to server" */
	uint64_t peak_clients, peak_servers;    /* open at once, in one input */
	int64_t peak_clients_ts;
	struct ev_counts by_database, by_user, by_client;       /* logins */
	struct pooler_row *rows;        /* by logins, descending */
	size_t nrows, caprows;
	uint64_t rows_other;    /* logins past POOLER_ROWS_MAX rows */
	struct ev_counts client_closes, server_closes;  /* by reason */
	struct pooler_error *errors;    /* by count, descending */
	size_t nerrors, caperrors;
	uint64_t errors_total;  /* WARNING, ERROR and FATAL lines */
	uint64_t errors_dropped;        /* past EV_ERROR_GROUPS_MAX rows */
	struct pooler_stats stats;
	/* Open in the input being read (events_pooler.c). */
	struct pooler_open *open;
};

/* The pooler's part of ev, NULL when no pgBouncer line was read. The
 * run's window (analysis.h) takes in its first and last lines. */
const struct pooler *events_pooler(const struct events *ev);

/* The stats timeline in at most max rows (neighbours joined as the
 * points are when there are too many) into out[0..max); returns how many. */
size_t pooler_timeline_rows(const struct pooler_stats *s, size_t max,
		struct pooler_point *out);

/* The "pooler" object of the JSON report (owned by the caller), NULL on
 * allocation failure. */
struct json_t;
struct json_t *pooler_json(const struct pooler *p);
/* Reads a saved report's "pooler" object into ev's pooler (created);
 * missing members are left zero. */
void pooler_load_json(struct events *ev, const struct json_t *o);

#endif
