/* arena.h: bump allocation for strings and records that live as long as a run.
 *
 * Parsers and aggregates copy what they keep into an arena instead of calling
 * malloc per line; everything is released at once with arena_free(). */
#ifndef PGSIFT_ARENA_H
#define PGSIFT_ARENA_H

#include <stddef.h>

struct arena;

/* Returns a new empty arena, or NULL when out of memory. */
struct arena *arena_new(void);
/* Releases the arena and everything allocated from it; NULL is a no-op. */
void arena_free(struct arena *a);
/* Returns size bytes aligned for any type; aborts on out of memory (an
 * analysis cannot continue without memory and partial results would lie). */
void *arena_alloc(struct arena *a, size_t size);
/* Copies len bytes of s and a terminating NUL into the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* Moves everything allocated from src into dst: it stays valid and is
 * released with dst. src is left empty and usable. */
void arena_absorb(struct arena *dst, struct arena *src);
/* Bytes handed out so far (for memory figures). */
size_t arena_used(const struct arena *a);

#endif
