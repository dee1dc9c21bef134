/* prefix.h: log_line_prefix compiled into a matcher, and its detection.
 *
 * PostgreSQL's stderr log lines start with whatever log_line_prefix says.
 * prefix_compile() turns the setting (verbatim, e.g. "%m [%p] %q%u@%d ")
 * into a token list; prefix_match() walks a line with it, without regular
 * expressions, and returns the fields it found and where the message
 * ("LOG:  ...") starts. A match is only accepted when the message starts
 * with a severity keyword, which is what disambiguates free-text fields.
 * prefix_match_memo() gives the same results faster on a stream of lines,
 * from a memo of the previous ones (consecutive lines of a backend differ
 * in the prefix only by the timestamp and %l). prefix_detect() and
 * prefix_suggest() (prefix_detect.c) find the setting from a log's first
 * lines. */
#ifndef PGSIFT_PREFIX_H
#define PGSIFT_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SEVERITY_LIST(X) \
	X(SEV_DEBUG, "DEBUG") X(SEV_LOG, "LOG") X(SEV_INFO, "INFO") \
	X(SEV_NOTICE, "NOTICE") X(SEV_WARNING, "WARNING") X(SEV_ERROR, "ERROR") \
	X(SEV_FATAL, "FATAL") X(SEV_PANIC, "PANIC") X(SEV_DETAIL, "DETAIL") \
	X(SEV_HINT, "HINT") X(SEV_QUERY, "QUERY") X(SEV_CONTEXT, "CONTEXT") \
	X(SEV_STATEMENT, "STATEMENT") X(SEV_LOCATION, "LOCATION")

enum severity {
	SEV_NONE = 0,
#define X(id, name) id,
	SEVERITY_LIST(X)
#undef X
	SEV_COUNT
};

/* "LOG", "ERROR", ...; "" for SEV_NONE. */
const char *severity_name(enum severity s);

/* Parses "LOG:  " / "ERROR:  " / "DEBUG2:  " at s (the colon and up to two
 * spaces after it included; the colon may also end the line). Returns bytes
 * consumed, 0 when s is not a severity. */
size_t severity_parse(const char *s, size_t len, enum severity *sev);

/* What a prefix match found. Slices point into the matched line; absent
 * fields are empty slices, absent numbers -1, absent times TS_NONE. Padded
 * values (%-10u) come without their spaces. When the prefix has %r and no
 * %h, host is %r's host part ("10.0.0.1" of "10.0.0.1(5432)"). When an
 * escape occurs twice the first value wins. */
struct prefix_fields {
	int64_t ts_ms;          /* %t, %m or %n as UTC epoch ms, or TS_NONE */
	bool tz_known;          /* false: zone abbreviation unknown, taken as UTC */
	struct slice tz;        /* zone text as written */
	int64_t pid;            /* %p */
	int64_t leader_pid;     /* %P: parallel group leader, -1 when empty */
	int64_t line_no;        /* %l */
	int64_t session_start_ms; /* %s as UTC epoch ms, or TS_NONE */
	struct slice user, db, app, host, session, remote, command, sqlstate,
		vxid, xid, backend_type, query_id;
	enum severity severity;
	size_t sev_off;         /* the severity keyword starts here */
	size_t msg_off;         /* message text starts here (after "LOG:  ") */
	unsigned nfields;       /* escapes matched (fewer when cut at %q) */
};

struct prefix;
struct prefix_memo;

/* Compiles a log_line_prefix setting. Returns NULL and a message in err on
 * an unknown escape ("unknown escape %y at offset 3"), a lone trailing %,
 * or a setting too long (1024 bytes, 48 tokens). Every escape PostgreSQL documents is accepted:
 * %a %u %d %r %h %b %p %P %t %m %n %i %e %c %l %s %v %x %q %Q %%, with
 * optional padding (%-10u). The result belongs to the caller. */
struct prefix *prefix_compile(const char *spec, char *err, size_t errlen);
void prefix_free(struct prefix *p);
/* The setting it was compiled from. */
const char *prefix_spec(const struct prefix *p);

/* Matches line (len bytes, no newline, need not be NUL-terminated)
 * against p. Returns true and fills *f (when f is not NULL) when the line
 * starts with the prefix followed by a severity. Allocates nothing. */
bool prefix_match(const struct prefix *p, const char *line, size_t len,
		struct prefix_fields *f);

/* A memo of recent matches against p, for prefix_match_memo(). It is
 * mutable state: one per thread (the stderr parser keeps one per input).
 * p must outlive it. The result belongs to the caller; free it with
 * prefix_memo_free() (NULL is a no-op). */
struct prefix_memo *prefix_memo_new(const struct prefix *p);
void prefix_memo_free(struct prefix_memo *m);

/* prefix_match() for m's prefix, with exactly its results (fields and
 * slices into line included), but most lines are answered from m: a line
 * whose prefix holds the same bytes as one of the last few matched ones,
 * outside the timestamp and %l, costs a compare and a timestamp parse.
 * Updates m; allocates nothing. */
bool prefix_match_memo(struct prefix_memo *m, const char *line, size_t len,
		struct prefix_fields *f);

/* Lines prefix_match_memo() answered from the memo (for tests and
 * benchmarks). */
unsigned long prefix_memo_hits(const struct prefix_memo *m);

/* Length of the zone written after a log timestamp at s: an abbreviation
 * ("CET", "ChST", up to 8 letters) or an offset ("+03", "-0330",
 * "+05:30"); 0 when there is none. An offset takes ":MM" only when next,
 * the byte the prefix goes on with, is not ':' ("%t:%r" logs
 * "+03:10.0.0.1(...)"). */
size_t prefix_zone_len(const char *s, size_t len, char next);

/* Finds the log_line_prefix of the log whose first bytes are buf, from
 * up to its first 200 non-empty lines that do not start with a tab. The
 * candidates are the common prefixes (Debian, RDS, Azure, Heroku,
 * pgBadger's and pganalyze's, ...) and the ones the lines' shapes suggest
 * (see prefix_suggest()); a line counts for a candidate when it matches
 * with a user, database and application that look like names. Returns the
 * candidate explaining the most lines, ties going to the one whose matches
 * carried more fields, then to the table; NULL when it explains fewer than
 * half of them. The string is static or thread-local: it stays valid
 * until the thread's next call. *matched / *tried report that score
 * (either may be NULL). */
const char *prefix_detect(const char *buf, size_t len, unsigned *matched,
		unsigned *tried);

/* Whether spec (a --prefix) explains at least half of the first 200
 * non-empty lines of buf that do not start with a tab, and at least one.
 * False when spec does not compile. */
bool prefix_fits(const char *spec, const char *buf, size_t len);

/* When detection fails: a --prefix suggestion built from the shapes of
 * the first 200 lines' fields, not their values (time stamps become %m or
 * %t, "[digits]" [%p], "user=x" user=%u, x="..." by its key's words or
 * its value's shape, "x@y" %u@%d, "host(port)" %r, an address %h, a
 * SQLSTATE %e, a session id %c, ...), with %q where the postmaster's
 * lines stop; of those built, the one explaining the most lines. It
 * always compiles and matches the line it came from. Writes it
 * NUL-terminated to out. Returns false when no line looks like a log
 * record at all, or the suggestion does not fit in outlen. */
bool prefix_suggest(const char *buf, size_t len, char *out, size_t outlen);

#endif
