/* events_common.c: helpers every events module uses (see events_int.h):
 * string indexes, name counts, backends by pid, and small text helpers.
 *
 * They sit apart from the hub (events.c) so that the members it routes to
 * (errors, locks, maintenance, sessions, temp files) call down into here
 * and never back into the hub. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "events_int.h"

/* ---- string index ---- */

struct ev_index {
	uint32_t *slot;         /* row + 1; 0: empty */
	size_t cap, n;
};

static uint64_t hash_key(const char *s, size_t len)
{
	return XXH3_64bits(s, len);
}

struct ev_index *ev_index_new(void)
{
	struct ev_index *ix = xcalloc(1, sizeof(*ix));
	ix->cap = 64;
	ix->slot = xcalloc(ix->cap, sizeof(*ix->slot));
	return ix;
}

void ev_index_free(struct ev_index *ix)
{
	if (!ix)
		return;
	free(ix->slot);
	free(ix);
}

size_t ev_index_find(const struct ev_index *ix, const char *key, size_t len,
		const void *rows, ev_key_fn key_of)
{
	size_t mask = ix->cap - 1;
	for (size_t i = hash_key(key, len) & mask; ix->slot[i]; i = (i + 1) & mask) {
		size_t row = ix->slot[i] - 1;
		const char *k = key_of(rows, row);
		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			return row;
	}
	return SIZE_MAX;
}

static void index_put(struct ev_index *ix, size_t row, const char *key)
{
	size_t mask = ix->cap - 1;
	size_t i = hash_key(key, strlen(key)) & mask;
	while (ix->slot[i])
		i = (i + 1) & mask;
	ix->slot[i] = (uint32_t)(row + 1);
	ix->n++;
}

void ev_index_rebuild(struct ev_index *ix, size_t n, const void *rows,
		ev_key_fn key_of)
{
	size_t cap = 64;
	while (cap < 2 * n + 2)
		cap *= 2;
	free(ix->slot);
	ix->slot = xcalloc(cap, sizeof(*ix->slot));
	ix->cap = cap;
	ix->n = 0;
	for (size_t i = 0; i < n; i++)
		index_put(ix, i, key_of(rows, i));
}

void ev_index_add(struct ev_index *ix, size_t row, const void *rows,
		ev_key_fn key_of)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		ev_index_rebuild(ix, row + 1, rows, key_of);
		return;
	}
	index_put(ix, row, key_of(rows, row));
}

/* ---- name counts ---- */

static const char *count_key(const void *rows, size_t i)
{
	return ((const struct ev_count *)rows)[i].name;
}

void ev_counts_add(struct ev_counts *c, const char *name, size_t len,
		uint64_t n)
{
	if (!c->index)
		c->index = ev_index_new();
	size_t row = ev_index_find(c->index, name, len, c->v, count_key);
	if (row != SIZE_MAX) {
		c->v[row].count += n;
		return;
	}
	if (c->n >= EV_NAMES_MAX) {
		c->other += n;
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = (struct ev_count){ xstrndup(name, len), n };
	ev_index_add(c->index, c->n++, c->v, count_key);
}

void ev_counts_merge(struct ev_counts *dst, struct ev_counts *src)
{
	for (size_t i = 0; i < src->n; i++)
		ev_counts_add(dst, src->v[i].name, strlen(src->v[i].name),
				src->v[i].count);
	dst->other += src->other;
	ev_counts_release(src);
}

static int cmp_count(const void *pa, const void *pb)
{
	const struct ev_count *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

void ev_counts_sort(struct ev_counts *c)
{
	if (c->n == 0)
		return;
	qsort(c->v, c->n, sizeof(*c->v), cmp_count);
	ev_index_rebuild(c->index, c->n, c->v, count_key);
}

void ev_counts_release(struct ev_counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	ev_index_free(c->index);
	memset(c, 0, sizeof(*c));
}

/* ---- helpers ---- */

char *ev_strdup(struct slice s)
{
	if (s.len == 0)
		return NULL;
	size_t n = s.len;
	if (n > EV_TEXT_MAX) {
		n = EV_TEXT_MAX;
		while (n > 0 && ((unsigned char)s.ptr[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s.ptr, n);
}

bool ev_fingerprint(struct events *ev, struct slice text, uint64_t *fp,
		char **norm)
{
	if (!ev->fp || text.len == 0)
		return false;
	struct fp_entry *fe = fp_cache_get(ev->fp, text.ptr, text.len, &ev->scratch);
	*fp = fe->fingerprint;
	if (norm)
		*norm = xstrndup(fe->norm, fe->norm_len);
	return true;
}

size_t ev_parse_u64(const char *s, size_t len, uint64_t *v)
{
	size_t i = 0;
	uint64_t x = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return 0;       /* overflow: not a number the server wrote */
		x = x * 10 + d;
		i++;
	}
	if (i)
		*v = x;
	return i;
}

const char *ev_find(struct slice s, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || s.len < n)
		return NULL;
	const char *p = memmem(s.ptr, s.len, needle, n);
	return p ? p + n : NULL;
}

/* ---- backends by pid ---- */

static size_t pid_slot(int64_t pid, size_t mask)
{
	return (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 32) & mask;
}

struct ev_backend *ev_backend_find(struct events *ev, int64_t pid)
{
	if (pid <= 0)
		pid = -1;
	size_t mask = ev->nbackends - 1;
	for (size_t i = pid_slot(pid, mask); ev->backends[i].pid; i = (i + 1) & mask)
		if (ev->backends[i].pid == pid)
			return &ev->backends[i];
	return NULL;
}

struct ev_backend *ev_backend_get(struct events *ev, int64_t pid)
{
	if (pid <= 0)
		pid = -1;
	struct ev_backend *b = ev_backend_find(ev, pid);
	if (b)
		return b;
	if ((ev->used + 1) * 2 > ev->nbackends) {
		struct ev_backend *old = ev->backends;
		size_t oldn = ev->nbackends;
		ev->nbackends *= 2;
		ev->backends = xcalloc(ev->nbackends, sizeof(*ev->backends));
		size_t mask = ev->nbackends - 1;
		for (size_t k = 0; k < oldn; k++) {
			if (!old[k].pid)
				continue;
			size_t j = pid_slot(old[k].pid, mask);
			while (ev->backends[j].pid)
				j = (j + 1) & mask;
			ev->backends[j] = old[k];
		}
		free(old);
	}
	size_t mask = ev->nbackends - 1;
	size_t i = pid_slot(pid, mask);
	while (ev->backends[i].pid)
		i = (i + 1) & mask;
	ev->backends[i] = (struct ev_backend){ .pid = pid };
	ev->used++;
	return &ev->backends[i];
}

void ev_backend_release(struct events *ev, struct ev_backend *b)
{
	if (b->session_open || b->pending || b->wait)
		return;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	size_t mask = ev->nbackends - 1;
	size_t i = (size_t)(b - ev->backends);
	ev->backends[i].pid = 0;
	ev->used--;
	for (size_t j = (i + 1) & mask; ev->backends[j].pid; j = (j + 1) & mask) {
		size_t home = pid_slot(ev->backends[j].pid, mask);
		/* Move j into the hole at i unless its home lies in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		ev->backends[i] = ev->backends[j];
		ev->backends[j].pid = 0;
		i = j;
	}
}
