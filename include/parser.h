/* parser.h: the input format registry.
 *
 * One file per format under parsers/, each defining one `struct parser`
 * with designated initializers; parsers/registry.c lists them. The core
 * detects a format by asking every probe for a confidence on the input's
 * first bytes, opens the winner and pulls records until it reports the end.
 * Parsers report bad lines with parse_problem() and keep going. */
#ifndef PGSIFT_PARSER_H
#define PGSIFT_PARSER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "record.h"

struct input_report;
struct pgsift_options;

/* What a parser gets to work with; owned by the core. */
struct parse_ctx {
	struct line_reader *lr;
	const char *path;                       /* as given; "-" for stdin */
	const struct pgsift_options *opts;      /* --prefix and friends */
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
/* Counts a line that is not part of any record; reason is kept for the
 * first few, as a problem. */
void parse_skip(struct parse_ctx *ctx, uint64_t line, const char *reason);
/* A remark for the user (which prefix was chosen...), shown on stderr. */
void parse_note(struct parse_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
