/* recbatch.c: log entries copied for another thread (see recbatch.h).
 *
 * An entry is stored compactly: its fixed fields, which of its slices
 * are not empty, then for each its length and where its bytes are: in the
 * caller's stable buffer (the piece the parser read in place), or
 * copied after the entry. Storing the whole struct record (304 bytes,
 * mostly empty slices) and copying every byte made -j 2 slower than -j 1
 * on a low-cardinality log: the copy was a third of the time. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recbatch.h"
#include "util.h"

/* The slices of a log entry, in the order they are stored. */
static const size_t slice_at[] = {
	offsetof(struct log_entry, tz),
	offsetof(struct log_entry, user),
	offsetof(struct log_entry, db),
	offsetof(struct log_entry, app),
	offsetof(struct log_entry, host),
	offsetof(struct log_entry, session),
	offsetof(struct log_entry, sqlstate),
	offsetof(struct log_entry, query_id),
	offsetof(struct log_entry, backend_type),
	offsetof(struct log_entry, message),
	offsetof(struct log_entry, detail),
	offsetof(struct log_entry, hint),
	offsetof(struct log_entry, context),
	offsetof(struct log_entry, statement),
	offsetof(struct log_entry, internal_query),
};
#define NSLICES ARRAY_SIZE(slice_at)

/* What precedes the places and bytes of an entry's slices: 40 bytes, so
 * that a batch entry is about 90 (writing and reading 150-byte entries
 * was most of -j 2's extra time: the stores miss the cache). */
struct head {
	int64_t ts_ms, pid, leader_pid;
	uint32_t line;                  /* in the piece: pieces are far below 4 GB */
	uint32_t size;                  /* of the whole entry, aligned */
	uint16_t present;               /* bit i: slice i is not empty */
	uint16_t borrowed;              /* bit i: slice i is in the stable buffer */
	uint8_t severity;
	uint8_t flags;                  /* F_* */
};

enum { F_TZ = 1, F_TAB = 2, F_COPY = 4, F_IN_WINDOW = 8, F_NAMES = 16,
	F_NAMES_PRESENT = 32 };

/* A slice's place: its offset in the stable buffer (unused when copied)
 * and its length. */
struct place {
	uint32_t off, len;
};

_Static_assert(sizeof(struct head) % 8 == 0, "places follow the head aligned");
_Static_assert(ARRAY_SIZE(slice_at) <= 16, "present and borrowed are 16 bits");

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static const struct slice *slice_in(const struct log_entry *e, size_t i)
{
	return (const struct slice *)((const char *)e + slice_at[i]);
}


/* Room for the head and the places of every slice. */
#define FIXED_MOST (sizeof(struct head) + NSLICES * sizeof(struct place))

static void reserve(struct recbatch *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256 * 1024;
	while (cap < b->len + more)
		cap *= 2;
	b->buf = xrealloc(b->buf, cap);
	b->cap = cap;
}

void recbatch_add(struct recbatch *b, const struct record *r,
		const char *stable, size_t stable_len)
{
	const struct log_entry *e = &r->u.log;
	reserve(b, FIXED_MOST + 8);
	struct place *pl = (struct place *)(b->buf + b->len + sizeof(struct head));
	unsigned present = 0, borrowed = 0;
	size_t copied = 0;
	const char *end = stable + stable_len;
	for (unsigned i = 0; i < NSLICES; i++) {
		const struct slice *sl = slice_in(e, i);
		if (!sl->len)
			continue;
		present |= 1u << i;
		if (sl->ptr >= stable && sl->ptr + sl->len <= end) {
			borrowed |= 1u << i;
			pl->off = (uint32_t)(sl->ptr - stable);
		} else {
			copied += sl->len;
		}
		pl->len = (uint32_t)sl->len;
		pl++;
	}
	size_t used = (size_t)((char *)pl - (b->buf + b->len));
	if (copied) {
		/* Rare (csvlog's and jsonlog's unescaped fields): the bytes
		 * follow the places. */
		reserve(b, used + copied + 8);
		char *p = b->buf + b->len + used;
		for (unsigned bits = present & ~borrowed; bits; bits &= bits - 1) {
			const struct slice *sl = slice_in(e, (size_t)__builtin_ctz(bits));
			memcpy(p, sl->ptr, sl->len);
			p += sl->len;
		}
		used += copied;
	}
	size_t need = ALIGN8(used);
	struct head h = { .ts_ms = e->ts_ms, .pid = e->pid,
		.leader_pid = e->leader_pid, .line = (uint32_t)e->line,
		.size = (uint32_t)need, .present = (uint16_t)present,
		.borrowed = (uint16_t)borrowed, .severity = (uint8_t)e->severity,
		.flags = (uint8_t)((e->tz_known ? F_TZ : 0) | (e->tab_continued ? F_TAB : 0)
			| (r->copy ? F_COPY : 0) | (r->v.in_window ? F_IN_WINDOW : 0)
			| (r->v.names ? F_NAMES : 0)
			| (r->v.names_present ? F_NAMES_PRESENT : 0)) };
	memcpy(b->buf + b->len, &h, sizeof(h));
	b->len += need;
	b->n++;
}

/* A log entry with every slice empty, copied into each record read. */
static const struct log_entry empty_entry = {
	.tz = SLICE_EMPTY, .user = SLICE_EMPTY, .db = SLICE_EMPTY,
	.app = SLICE_EMPTY, .host = SLICE_EMPTY, .session = SLICE_EMPTY,
	.sqlstate = SLICE_EMPTY, .query_id = SLICE_EMPTY,
	.backend_type = SLICE_EMPTY, .message = SLICE_EMPTY,
	.detail = SLICE_EMPTY, .hint = SLICE_EMPTY, .context = SLICE_EMPTY,
	.statement = SLICE_EMPTY, .internal_query = SLICE_EMPTY,
};

bool recbatch_next(const struct recbatch *b, size_t *pos, struct record *out,
		const char *stable)
{
	if (*pos >= b->len)
		return false;
	const char *at = b->buf + *pos;
	struct head h;
	memcpy(&h, at, sizeof(h));
	out->kind = REC_LOG_ENTRY;
	out->v = (struct record_verdict){ h.flags & F_IN_WINDOW, h.flags & F_NAMES,
		h.flags & F_NAMES_PRESENT };
	out->copy = h.flags & F_COPY;
	out->shadow = false;
	struct log_entry *e = &out->u.log;
	*e = empty_entry;
	e->line = h.line;
	e->ts_ms = h.ts_ms;
	e->pid = h.pid;
	e->leader_pid = h.leader_pid;
	e->severity = (enum severity)h.severity;
	e->tz_known = h.flags & F_TZ;
	e->tab_continued = h.flags & F_TAB;
	const struct place *pl = (const struct place *)(at + sizeof(h));
	const char *p = (const char *)(pl + __builtin_popcount(h.present));
	for (unsigned bits = h.present; bits; bits &= bits - 1, pl++) {
		unsigned i = (unsigned)__builtin_ctz(bits);
		struct slice *s = (struct slice *)((char *)e + slice_at[i]);
		if (h.borrowed & (1u << i)) {
			*s = slice_make(stable + pl->off, pl->len);
		} else {
			*s = slice_make(p, pl->len);
			p += pl->len;
		}
	}
	*pos += h.size;
	return true;
}

void recbatch_clear(struct recbatch *b)
{
	b->len = b->n = 0;
}

void recbatch_release(struct recbatch *b)
{
	free(b->buf);
	*b = (struct recbatch){ 0 };
}
