/* recbatch.h: log entries copied out of a parser, to be consumed later on
 * another thread (driver_split.c).
 *
 * A parser's record borrows its bytes until its next call; a piece of a
 * file split across workers is parsed on one thread and applied on others,
 * so each entry is copied once into a batch: the entry, then the bytes of
 * its slices, one after the other in one growing buffer (no allocation per
 * record). */
#ifndef PGSIFT_RECBATCH_H
#define PGSIFT_RECBATCH_H

#include <stddef.h>

#include "record.h"

struct recbatch {
	char *buf;
	size_t len, cap;
	size_t n;               /* records */
};

/* Appends r, a REC_LOG_ENTRY with its verdict: its slices that lie in
 * stable[0..stable_len) (bytes that outlive the batch: the piece it was
 * parsed from) are kept as places there, the others copied. */
void recbatch_add(struct recbatch *b, const struct record *r,
		const char *stable, size_t stable_len);
/* Reads the record at *pos (0 for the first) into *out, its slices
 * pointing into b or stable (the same as given to recbatch_add()), and
 * moves *pos past it. Returns false at the end. */
bool recbatch_next(const struct recbatch *b, size_t *pos, struct record *out,
		const char *stable);
/* Empties b, keeping its buffer for the next piece. */
void recbatch_clear(struct recbatch *b);
/* Frees the buffer; b is left empty and valid. */
void recbatch_release(struct recbatch *b);

#endif
