/* fingerprint_shared.c: fingerprints shared by the caches of the workers
 * of one run (see fingerprint.h).
 *
 * Each worker keeps its own cache (its entries carry its groups), so a
 * statement met by two workers was parsed by libpg_query twice: on a log
 * of 200,000 distinct statements cut in two ranges, -j 2 spent 1.5-1.8x
 * the CPU time of -j 1 and took longer. A worker missing a text in its
 * cache now asks this memo first. It is cut in stripes, each with its own
 * lock and table, so that workers seldom wait for each other; the parse
 * itself runs outside any lock.
 *
 * Only fingerprints of the normalized text alone are shared: one that
 * needed the raw statement (fingerprint.c) depends on which statement a
 * worker met first, and stays the worker's, as with one worker.
 *
 * The memo keeps a 128-bit XXH3 hash of each text, not the text: a copy
 * of the texts of that log took 210 MB more and made -j 2 slower (page
 * faults) than parsing twice. Two of a billion distinct texts share a
 * 128-bit hash with a chance of about 1e-21. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "fingerprint_int.h"
#include "util.h"

#define STRIPES 64
#define STRIPE_MIN_SLOTS 256

struct shared_entry {
	XXH128_hash_t key;              /* of the text; 0, 0: empty slot */
	uint64_t fingerprint;
};

struct stripe {
	pthread_mutex_t lock;
	struct shared_entry *slots;
	size_t mask, count;
};

struct fp_shared {
	struct stripe s[STRIPES];
};

struct fp_shared *fp_shared_new(void)
{
	struct fp_shared *sh = xcalloc(1, sizeof(*sh));
	for (size_t i = 0; i < STRIPES; i++) {
		struct stripe *st = &sh->s[i];
		pthread_mutex_init(&st->lock, NULL);
		st->slots = xcalloc(STRIPE_MIN_SLOTS, sizeof(*st->slots));
		st->mask = STRIPE_MIN_SLOTS - 1;
	}
	return sh;
}

void fp_shared_free(struct fp_shared *sh)
{
	if (!sh)
		return;
	for (size_t i = 0; i < STRIPES; i++) {
		pthread_mutex_destroy(&sh->s[i].lock);
		free(sh->s[i].slots);
	}
	free(sh);
}

static bool empty(const struct shared_entry *e)
{
	return !e->key.low64 && !e->key.high64;
}

static XXH128_hash_t key_of(const char *norm, size_t len)
{
	XXH128_hash_t k = XXH3_128bits(norm, len);
	if (!k.low64 && !k.high64)
		k.low64 = 1;    /* 0, 0 marks an empty slot */
	return k;
}

static struct stripe *stripe_of(struct fp_shared *sh, XXH128_hash_t key)
{
	return &sh->s[key.high64 >> 58];       /* the slot takes the low bits */
}

static struct shared_entry *find(struct stripe *st, XXH128_hash_t key)
{
	for (size_t j = key.low64 & st->mask;; j = (j + 1) & st->mask) {
		struct shared_entry *e = &st->slots[j];
		if (empty(e) || XXH128_isEqual(e->key, key))
			return e;
	}
}

static void grow(struct stripe *st)
{
	size_t n = (st->mask + 1) * 2;
	struct shared_entry *slots = xcalloc(n, sizeof(*slots));
	for (size_t k = 0; k <= st->mask; k++) {
		if (empty(&st->slots[k]))
			continue;
		size_t j = st->slots[k].key.low64 & (n - 1);
		while (!empty(&slots[j]))
			j = (j + 1) & (n - 1);
		slots[j] = st->slots[k];
	}
	free(st->slots);
	st->slots = slots;
	st->mask = n - 1;
}

bool fp_shared_get(struct fp_shared *sh, const char *norm, size_t len,
		uint64_t *fingerprint)
{
	XXH128_hash_t key = key_of(norm, len);
	struct stripe *st = stripe_of(sh, key);
	pthread_mutex_lock(&st->lock);
	const struct shared_entry *e = find(st, key);
	bool found = !empty(e);
	if (found)
		*fingerprint = e->fingerprint;
	pthread_mutex_unlock(&st->lock);
	return found;
}

void fp_shared_put(struct fp_shared *sh, const char *norm, size_t len,
		uint64_t fingerprint)
{
	XXH128_hash_t key = key_of(norm, len);
	struct stripe *st = stripe_of(sh, key);
	pthread_mutex_lock(&st->lock);
	struct shared_entry *e = find(st, key);
	if (empty(e)) {         /* another worker may have put it meanwhile */
		e->key = key;
		e->fingerprint = fingerprint;
		if (++st->count * 2 > st->mask + 1)
			grow(st);
	}
	pthread_mutex_unlock(&st->lock);
}
