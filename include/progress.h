/* progress.h: the bytes of the inputs read so far, told to analysis.h's
 * progress hook while analysis_run() works (progress.c). */
#ifndef PGSIFT_PROGRESS_H
#define PGSIFT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* Readers add the bytes they read from a file or pipe (as stored). */
void input_bytes_add(uint64_t n);
/* What every reader of this process has added so far. */
uint64_t input_bytes_read(void);

struct progress_watch;

/* Calls fn(ctx, 0, total) at once, then every 100 ms from a thread of its
 * own, until progress_stop(), which calls it a last time. total is the
 * inputs' bytes as stored, 0 when unknown (standard input). NULL, and no
 * call, when fn is NULL. */
struct progress_watch *progress_start(analysis_progress_fn *fn, void *ctx,
		const char *const *paths, size_t n);
void progress_stop(struct progress_watch *w);

#endif
