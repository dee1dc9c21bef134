/* record.h: what parsers hand to the core.
 *
 * Every input format is turned into records. A log format (stderr, syslog,
 * csvlog, jsonlog) yields one REC_LOG_ENTRY per server message: the
 * prefix fields plus the message text with its continuation lines. The
 * meaning of the text ("duration: ... statement: ...") is worked out once,
 * in the core (pgmsg.c), whatever form it arrived in. Other record kinds
 * (spans, snapshot rows) join this union as their parsers arrive.
 *
 * All slices are borrowed from the parser and valid only until its next
 * call: the core copies what it keeps. */
#ifndef PGSIFT_RECORD_H
#define PGSIFT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"
#include "util.h"

/* REC_POOLER: a line of pgBouncer's log, in u.log (parsers/pgbouncer.c). */
enum record_kind { REC_LOG_ENTRY = 1, REC_SPAN, REC_STAT_ROW, REC_POOLER };

struct log_entry {
	uint64_t line;          /* first line of the entry in its input */
	int64_t ts_ms;          /* UTC epoch ms, or TS_NONE */
	bool tz_known;
	struct slice tz;
	int64_t pid;            /* -1 when not logged */
	struct slice user, db, app, host, session, sqlstate, query_id,
		backend_type;
	enum severity severity;
	struct slice message;   /* "duration: 1.2 ms  statement: ..." and the lines after */
	/* The parts of the same message that stderr writes as lines of their
	 * own (DETAIL:, HINT:, ...) and csvlog/jsonlog as columns; empty when
	 * absent. A stderr line of such a severity that follows no message of
	 * its backend comes as an entry of its own, with that severity. */
	struct slice detail, hint, context, statement, internal_query;
	int64_t leader_pid;     /* parallel group leader (%P, csv/json), -1 when none */
	bool tab_continued;     /* text lines after the first begin "\n\t" (stderr) */
};

/* One span of a trace (Sentry, OpenTelemetry). Times in UTC epoch ms. */
struct span_record {
	uint64_t line;          /* where it starts in its input */
	struct slice trace_id, span_id, parent_id;
	struct slice op;        /* "db", "db.sql.query", "http.client"... */
	struct slice description;       /* the SQL for database spans */
	struct slice transaction;       /* the transaction (segment) name */
	struct slice db_system; /* "postgresql" ... */
	struct slice hash;      /* the SDK's own grouping hash, if any */
	struct slice db, user, app;     /* when the span says */
	double start_ms, duration_ms;
	bool is_db;             /* the parser judged it a database query span */
	bool is_segment;        /* the transaction (segment, local root) itself */
};

/* One row of a statistics view snapshot (a CSV dump of
 * pg_stat_statements, pg_stat_user_indexes, pg_stat_user_tables...).
 * names[i] is the header of column i, values[i] its text ("" for NULL). */
/* The statistics views a snapshot may hold; the last two are the
 * transaction ID ages of pg_database and pg_class (age(datfrozenxid),
 * age(relfrozenxid)), for how far each is from wraparound. */
enum stat_view { STAT_PGSS = 1, STAT_INDEXES, STAT_TABLES, STAT_STATIO_TABLES,
	STAT_DB_AGE, STAT_REL_AGE };
#define STAT_VIEW_LAST STAT_REL_AGE

struct stat_row {
	uint64_t line;
	enum stat_view view;
	size_t ncols;
	const struct slice *names, *values;
};

/* What the driver's window and filter stage settled for a record, once,
 * before any sink sees it; parsers leave it alone. Only log entries are
 * judged here: spans are filtered once every input is read (traces.h),
 * snapshot rows by their pass (snapshots.h); theirs stay all true. */
struct record_verdict {
	bool in_window;         /* in --since/--until, or without a time */
	bool names;             /* db, user, app pass --db/--user/--app */
	bool names_present;     /* the same, where a name it lacks passes */
};

struct record {
	enum record_kind kind;
	struct record_verdict v;        /* set by the driver */
	bool copy;                      /* a server-wide record handed to another
					 * backend's worker too (sink.h) */
	bool shadow;                    /* only to leave its backend's state as it
					 * would: nothing of it counts (sink.h) */
	union {
		struct log_entry log;
		struct span_record span;
		struct stat_row row;
	} u;
};

#endif
