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

enum record_kind { REC_LOG_ENTRY = 1 };

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

struct record {
	enum record_kind kind;
	union {
		struct log_entry log;
	} u;
};

#endif
