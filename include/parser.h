/* parser.h: the input format registry.
 *
 * One file per format under parsers/, each defining one `struct parser`
 * with designated initializers; parsers/registry.c lists them. The core
 * detects a format by asking every probe for a confidence on the input's
 * first bytes, opens the winner and pulls records until it reports the end.
 * Parsers report bad lines with parse_problem() / parse_skip() and keep
 * going (parsers/parse_ctx.c); they see only struct parse_ctx, never the
 * run's options or results. */
#ifndef PGSIFT_PARSER_H
#define PGSIFT_PARSER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "record.h"

#define INPUT_MAX_PROBLEMS 10   /* problems kept with their text, per input */

struct problem {
	uint64_t line;          /* 0: the input as a whole */
	char *message;
};

/* A skipped line's text kept with its problem is cut there ("..."). */
#define PROBLEM_TEXT_MAX 200

/* What became of one input: filled by its parser (through the parse_*
 * calls below) and by the driver that ran it. */
struct input_sample;

struct input_report {
	char *path;
	const char *format;             /* parser id, or "unknown" */
	enum input_compression compression;
	uint64_t bytes;                 /* as read (compressed size) */
	uint64_t lines;
	uint64_t records;               /* entries the parser produced */
	uint64_t skipped;               /* lines that were not log records */
	uint64_t nproblems;             /* all problems, skipped lines included */
	struct problem problems[INPUT_MAX_PROBLEMS];
	size_t nkept;                   /* problems kept with their text */
	/* The text of problems[k]'s line when it is a skipped line
	 * (parse_skip() of the line just read), or NULL. */
	char *skipped_text[INPUT_MAX_PROBLEMS];
	char **notes;                   /* remarks (chosen prefix, ...) */
	size_t nnotes;
	bool unreadable;                /* could not be opened or recognised */
	bool truncated;                 /* ended in the middle of a compressed stream */
	/* -j N read it in ranges (driver_range.c): range k's records carry
	 * line k << INPUT_RANGE_SHIFT plus their line in it, and
	 * range_lines[k] lines came before range k. NULL: one reader. */
	uint64_t *range_lines;
	unsigned nranges;
	/* A sample of its log entries (input_overlap.h), NULL when none. */
	struct input_sample *sample;
};

#define INPUT_RANGE_SHIFT 34

/* The line in r's file of a record's line (see range_lines). */
uint64_t input_line(const struct input_report *r, uint64_t line);
/* A problem found after the input was read (by a sink), at line (of the
 * file; 0: the input as a whole): counted, and kept while r keeps fewer
 * than INPUT_MAX_PROBLEMS. */
void parse_report_problem(struct input_report *r, uint64_t line, const char *msg);

/* Frees what r holds (path, problems, notes); r itself is the caller's.
 * NULL is a no-op. */
void parse_report_release(struct input_report *r);
/* Adds src, a later piece of the same input whose lines are numbered from
 * 1, into dst: its counts, its kept problems (their lines moved by
 * line_base; 0, the input as a whole, stays) while dst keeps fewer than
 * INPUT_MAX_PROBLEMS, its notes dst does not have yet (one led by a count,
 * "12 lines of ...", that dst has with another count adds to it), whether it was
 * truncated. src is released. Bytes, lines and whether it could be read
 * are the caller's to join. */
void parse_report_join(struct input_report *dst, struct input_report *src,
		uint64_t line_base);
/* The offset in buf[0..len) (buf[0] a line start) of the first whole
 * line (ended by a newline; a CR before it is not part of the line) for
 * which starts() is true, len when none: how parsers' record_start ops
 * walk the bytes at a cut. */
size_t parse_first_line(const char *buf, size_t len,
		bool (*starts)(void *arg, const char *line, size_t n), void *arg);
/* The record_start op of formats of one JSON object per line (jsonlog,
 * CloudNativePG): the first whole line that starts with '{' (the server
 * escapes the newlines inside its values). */
size_t parse_object_line_start(void *state, const char *buf, size_t len);
/* Appends note (a malloc'd string, taken over) to r's notes. */
void parse_report_add_note(struct input_report *r, char *note);

/* The options a parser may read: nothing else of the run reaches it. */
struct parse_options {
	const char *prefix;     /* --prefix, or NULL to detect */
	int year;               /* --year for syslog dates, 0: find it */
};

/* What a parser gets to work with; owned by the core. */
struct parse_ctx {
	struct line_reader *lr;
	const char *path;                       /* as given; "-" for stdin */
	const struct parse_options *opts;       /* NULL: all defaults */
	struct input_report *report;            /* counts, problems, notes */
};

struct parser {
	const char *id;         /* --input-format name */
	const char *name;       /* for people */
	/* Confidence 0..100 that buf (the input's first bytes) is this format. */
	int (*probe)(const char *buf, size_t len);
	/* Returns the parser's state, or NULL when it cannot start (after
	 * reporting why with parse_problem()). */
	void *(*open)(struct parse_ctx *ctx);
	/* Fills *out with the next record: returns 1, 0 at the end. */
	int (*next)(void *state, struct record *out);
	void (*close)(void *state);
	/* Cutting one plain input into pieces parsed on several threads
	 * (driver_split.c); both NULL when the format cannot be cut. */
	/* The offset in buf[0..len) of the first line (buf[0] is a line
	 * start) at which a record surely starts, by what state settled
	 * at open; len when no whole line there does. */
	size_t (*record_start)(void *state, const char *buf, size_t len);
	/* A state for another piece of the same input, read through ctx,
	 * with what state settled at open (a detected prefix...) and
	 * without its notes. It only reads what open set, so pieces may be
	 * forked while state parses another. */
	void *(*fork)(void *state, struct parse_ctx *ctx);
	/* Ready for the next piece: the reader and report of its ctx were
	 * replaced; it forgets what it held of the last piece (look-ahead)
	 * and keeps what open settled and what it memoized. NULL: a fresh
	 * fork per piece. */
	void (*reset)(void *state);
};

/* NULL-terminated, in order of preference on equal confidence. */
extern const struct parser *const parser_registry[];

const struct parser *parser_find(const char *id);
/* The most confident parser, or NULL when none reaches 1. */
const struct parser *parser_detect(const char *buf, size_t len);

/* Records a problem at line (0: the input as a whole) and counts it;
 * the first few are kept with their text. */
void parse_problem(struct parse_ctx *ctx, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports the lines ctx's reader skipped as too long (lr_long_lines()),
 * each a skipped line and a problem: the drivers call it once the parser
 * is done with the reader. */
void parse_long_lines(struct parse_ctx *ctx);
/* Counts a line that is not part of any record, and reports why (at
 * line, kept for the first few, as a problem). */
void parse_skip(struct parse_ctx *ctx, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Counts n more lines left out without a problem of their own (one
 * already reported covers them). */
void parse_skipped(struct parse_ctx *ctx, uint64_t n);
/* A remark for the user (which prefix was chosen...), shown on stderr. */
void parse_note(struct parse_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
