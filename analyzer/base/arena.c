/* arena.c: bump allocator in chained blocks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "util.h"

#define ARENA_BLOCK (256 * 1024)

struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct block *head;
	size_t total;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	struct block *b = a->head;
	if (!b || b->cap - b->used < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		/* A big one-off allocation goes behind the current block so the
		 * space left in that block is not wasted. */
		if (a->head && size > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + b->used;
	b->used += size;
	a->total += size;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void arena_absorb(struct arena *dst, struct arena *src)
{
	struct block *last = src->head;
	if (!last)
		return;
	while (last->next)
		last = last->next;
	/* Behind dst's current block, so the space left in it is still used. */
	if (dst->head) {
		last->next = dst->head->next;
		dst->head->next = src->head;
	} else {
		last->next = NULL;
		dst->head = src->head;
	}
	dst->total += src->total;
	src->head = NULL;
	src->total = 0;
}

size_t arena_used(const struct arena *a)
{
	return a->total;
}
