/* pgmsg.h: what a PostgreSQL log message says about statements.
 *
 * Every log form carries the same message texts; this module reads them
 * once for all forms. It recognises the statement messages written by
 * postgres.c and auto_explain:
 *   duration: 1.234 ms  statement: SELECT ...     (log_min_duration_statement)
 *   statement: SELECT ...                         (log_statement, no duration)
 *   duration: 1.234 ms  execute S_1/C_2: SELECT   (extended protocol; also
 *                                                  "execute fetch from")
 *   duration: 0.050 ms  parse S_1: ... / bind S_1: ...   (preparation)
 *   duration: 1.234 ms                            (text logged before)
 *   duration: 1.234 ms  plan:\n Query Text: ...   (auto_explain, text or JSON)
 *   DETAIL:  parameters: $1 = '42'
 * Slices point into the entry's message. */
#ifndef PGSIFT_PGMSG_H
#define PGSIFT_PGMSG_H

#include <stdbool.h>

#include "record.h"
#include "strbuf.h"

enum pgmsg_kind {
	MSG_OTHER = 0,
	MSG_STATEMENT,          /* simple protocol statement */
	MSG_EXECUTE,            /* extended protocol execute */
	MSG_PREPARE,            /* parse or bind step */
	MSG_DURATION,           /* bare duration for text logged earlier */
	MSG_PLAN,               /* auto_explain */
	MSG_PARAMS,             /* DETAIL: parameters */
};

struct pgmsg {
	enum pgmsg_kind kind;
	bool has_duration;
	double duration_ms;
	struct slice text;      /* statement text, or the plan body for MSG_PLAN,
	                         * or the parameter list for MSG_PARAMS */
	bool json_plan;         /* MSG_PLAN body is EXPLAIN JSON */
};

/* Reads e's message. Always fills *m (MSG_OTHER when not a statement message). */
void pgmsg_parse(const struct log_entry *e, struct pgmsg *m);

/* Parses "123.456" at s; returns bytes used, 0 when none. Faster than
 * strtod for the fixed forms the server writes, and needs no NUL. */
size_t pgmsg_parse_ms(const char *s, size_t len, double *ms);

/* The text of a slice with stderr's continuation tabs removed ("\n\t" ->
 * "\n") when tab_continued; returns the slice itself when there is nothing
 * to remove, else a slice of sb. */
struct slice pgmsg_clean(struct slice s, bool tab_continued, struct strbuf *sb);

/* The "Query Text" of an auto_explain plan body (already cleaned). For a
 * text plan, the text after "Query Text: " up to the first plan node line;
 * for a JSON plan, the unescaped string (written into sb). Empty slice
 * when there is none. */
struct slice pgmsg_plan_query(struct slice plan, bool json, struct strbuf *sb);
/* For a JSON plan that is not JSON (cut short: the log, or what carried
 * it, ended inside it), the "Query Text" it begins with, as auto_explain
 * writes it first, when that string is whole; an empty slice otherwise. */
struct slice pgmsg_plan_query_cut(struct slice plan, struct strbuf *sb);

#endif
