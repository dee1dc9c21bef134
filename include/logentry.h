/* logentry.h: assembling a log entry from stderr-form text.
 *
 * PostgreSQL's stderr (and syslog) output writes one message as a primary
 * line ("PREFIX LOG:  ..."), tab-led continuation lines, and further
 * prefixed lines for its DETAIL, HINT, CONTEXT, STATEMENT and QUERY parts.
 * The builder collects those lines, which the caller keeps contiguous in
 * one buffer, as offsets from the buffer's start, so the buffer may move
 * while lines are added (the line reader's refills), and turns them into
 * one struct log_entry at the end. */
#ifndef PGSIFT_LOGENTRY_H
#define PGSIFT_LOGENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "record.h"

/* True for the severities PostgreSQL uses for the parts of a message. */
bool logentry_is_part(enum severity s);

enum entry_part { PART_MESSAGE, PART_DETAIL, PART_HINT, PART_CONTEXT,
	PART_STATEMENT, PART_QUERY, PART_COUNT };

struct span {
	size_t off, end;        /* offsets from the record's start */
	bool set;
};

struct entry_builder {
	/* The entry as far as known: its prefix fields point into the
	 * record as it lay at eb_begin (begin_base); its parts are spans. */
	struct log_entry e, *dst;       /* dst: where it is built, e or the caller's */
	uintptr_t begin_base;
	struct span parts[PART_COUNT];
	int cur;                        /* part that continuation lines extend, -1: none */
	bool continued;                 /* a continuation line came */
};

/* Starts an entry at its primary line. line lies at or after base, the
 * start of the record; f is that line's match. */
void eb_begin(struct entry_builder *b, const struct prefix_fields *f,
		const char *line, const char *base);
/* eb_begin(), building the entry in e (its line number aside), which the
 * caller then passes to eb_finish(): no copy. */
void eb_begin_in(struct entry_builder *b, struct log_entry *e,
		const struct prefix_fields *f, const char *line, const char *base);
/* A tab-led line that continues the part added last. */
void eb_continue(struct entry_builder *b, const char *line, size_t len,
		const char *base);
/* A prefixed part line (f->severity is DETAIL, HINT, ...). A part already
 * seen is kept as it was: the second one is counted as continuation. */
void eb_part(struct entry_builder *b, const struct prefix_fields *f,
		const char *line, size_t len, const char *base);
/* The end of the primary line (call right after eb_begin with its length).
 * A SQLSTATE before the message (log_error_verbosity = verbose) goes to
 * the entry's sqlstate, out of its message. */
void eb_primary_end(struct entry_builder *b, const char *line, size_t len,
		const char *base);
/* Fills *e with slices into base, where the record now lies. */
void eb_finish(const struct entry_builder *b, const char *base, struct log_entry *e);

#endif
