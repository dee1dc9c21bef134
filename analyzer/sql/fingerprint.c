/* fingerprint.c: the cache from normalized text to fingerprint, so that
 * libpg_query parses each distinct statement shape once per run.
 *
 * An open-addressing table (linear probing, power-of-two size, at most half
 * full) of XXH3 hashes and entry pointers; entries and their texts live in
 * the cache's arena. The hash only picks the slot: texts are compared on a
 * hit, so a collision costs a probe, never a wrong group.
 *
 * libpg_query keeps its memory contexts in thread-local storage, so one
 * cache per thread may call it concurrently. The version we link (15-4.0)
 * prints nothing: errors come back in the result, and elog's report hook
 * is a no-op unless set; there is nothing to silence, and redirecting
 * stderr around each call would be a process-wide race between threads. */
#include <pg_query.h>
#include <stdint.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "arena.h"
#include "fingerprint_int.h"
#include "util.h"

#define CACHE_MIN_SLOTS 1024

struct slot {
	uint64_t hash;
	struct fp_entry *entry; /* NULL: empty */
};

/* Raw texts seen verbatim before (prepared statements, ORMs' "$1" forms
 * repeat byte for byte): a hit skips the normalizer. Direct-mapped and
 * fixed-size, so its memory does not grow with the input. 8,192 slots
 * (4 MB, its pages touched as slots are used): at 1,024 about a thousand
 * distinct texts of the bench's low-cardinality log kept evicting each
 * other and were normalized again (889.6 M -> 848.3 M instructions on
 * 64 MB of it). */
#define RAW_MEMO_SLOTS 8192
#define RAW_MEMO_MAX 480        /* longer texts are not memoized */

struct raw_memo {
	uint64_t hash;
	uint32_t len;
	struct fp_entry *entry;
	char text[RAW_MEMO_MAX];
};

struct fp_cache {
	struct raw_memo *memo;  /* RAW_MEMO_SLOTS of them, allocated on first use */
	void *memo_map;         /* the mapping memo lies in */
	size_t memo_len;
	struct slot *slots;
	size_t mask;            /* slot count - 1 */
	size_t count;
	size_t parsed;
	struct arena *arena;
	struct strbuf raw;      /* NUL-terminated copy of the raw SQL for libpg_query */
	struct fp_shared *shared;       /* the other workers' parses, or NULL */
};

/* The raw memo's 4 MB, zeroed, on transparent huge pages where the
 * system allows them (madvise mode, as Debian ships): its slots are hit
 * at random, and in 4 KB pages the first touches were 1,000 page faults
 * per worker (40% of a -j 2 run's faults on the 1 GB log, about 15 ms of
 * each worker's time on this virtual machine). Elsewhere it faults in
 * 4 KB pages as it did. */
#define HUGE_PAGE ((size_t)2 << 20)

static void memo_map(struct fp_cache *c)
{
	size_t len = RAW_MEMO_SLOTS * sizeof(*c->memo);
	c->memo_len = len + HUGE_PAGE;
	c->memo_map = mmap(NULL, c->memo_len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->memo_map == MAP_FAILED)
		abort();        /* out of memory, as xcalloc would */
	uintptr_t at = ((uintptr_t)c->memo_map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	(void)madvise((void *)at, len, MADV_HUGEPAGE);
	c->memo = (struct raw_memo *)at;
}

struct fp_cache *fp_cache_new(void)
{
	struct fp_cache *c = xcalloc(1, sizeof(*c));
	c->arena = arena_new();
	if (!c->arena) {
		free(c);
		return NULL;
	}
	c->slots = xcalloc(CACHE_MIN_SLOTS, sizeof(*c->slots));
	c->mask = CACHE_MIN_SLOTS - 1;
	return c;
}

void fp_cache_free(struct fp_cache *c)
{
	if (!c)
		return;
	if (c->memo_map)
		munmap(c->memo_map, c->memo_len);
	free(c->slots);
	arena_free(c->arena);
	sb_release(&c->raw);
	free(c);
	/* No pg_query_exit() here: in libpg_query 15-4.0 a parse after it
	 * writes to freed memory. Its per-thread context goes at thread exit. */
}

struct arena *fp_cache_free_keep_entries(struct fp_cache *c)
{
	if (!c)
		return NULL;
	struct arena *kept = c->arena;
	c->arena = NULL;
	fp_cache_free(c);
	return kept;
}

size_t fp_cache_size(const struct fp_cache *c)
{
	return c->count;
}

void fp_cache_each(const struct fp_cache *c,
		void (*fn)(void *arg, uint64_t hash, const struct fp_entry *e),
		void *arg)
{
	for (size_t i = 0; i <= c->mask; i++)
		if (c->slots[i].entry)
			fn(arg, c->slots[i].hash, c->slots[i].entry);
}

size_t fp_cache_parsed(const struct fp_cache *c)
{
	return c->parsed;
}

/* libpg_query's fingerprint of a NUL-terminated text; false when it does
 * not parse. */
static bool pg_fingerprint(const char *text, uint64_t *fp)
{
	PgQueryFingerprintResult r = pg_query_fingerprint(text);
	bool ok = r.error == NULL;
	if (ok)
		*fp = r.fingerprint;
	pg_query_free_fingerprint_result(r);
	return ok;
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || (c & 0x80);
}

static bool word_eq(const char *w, size_t n, const char *upper)
{
	if (strlen(upper) != n)
		return false;
	for (size_t k = 0; k < n; k++)
		if ((w[k] >= 'a' && w[k] <= 'z' ? w[k] - 32 : w[k]) != upper[k])
			return false;
	return true;
}

/* libpg_query's fingerprint counts "x IN (list)" and "x = ANY(array)" (and
 * SOME) as "x = $1": it folds those A_Expr kinds into a plain operator. But
 * they are different statements to whoever reads the report, with other
 * plans, and pg_stat_statements keeps them apart. So each such construct,
 * with the operand it applies to ("id" in "id IN (...)" or "o.id = ANY(...)"),
 * is mixed into the fingerprint in order of appearance; 0 when there is
 * none, leaving libpg_query's value as is. The operand, not the byte
 * position, says where it stands, so that text elsewhere ("FROM t AS x" vs
 * "FROM t x") still groups as libpg_query says.
 * Subqueries (IN (SELECT ...), ANY(SELECT ...)) are told apart already. */
static bool op_char(char c)
{
	return c != '\0' && strchr("=<>!~*+-/%^&|#@", c) != NULL;
}

/* Case-folded hash of the operand before the construct starting at start. */
static uint64_t operand_hash(const char *norm, size_t start)
{
	size_t e = start;
	while (e > 0 && norm[e - 1] == ' ')
		e--;
	while (e > 0 && op_char(norm[e - 1]))
		e--;
	while (e > 0 && norm[e - 1] == ' ')
		e--;
	if (e >= 3 && word_eq(norm + e - 3, 3, "NOT") && (e == 3 || !word_char(norm[e - 4]))) {
		e -= 3;
		while (e > 0 && norm[e - 1] == ' ')
			e--;
	}
	size_t b = e;
	while (b > 0 && (word_char(norm[b - 1]) || norm[b - 1] == '.' || norm[b - 1] == '"'))
		b--;
	return fp_lexical(norm + b, e - b);
}

static uint64_t set_ops_signature(const char *norm, size_t len)
{
	uint64_t sig = 0;
	size_t i = 0;
	while (i < len) {
		if (norm[i] == '"') { /* quoted identifier */
			for (i++; i < len && norm[i] != '"'; i++)
				;
			i++;
			continue;
		}
		if (!word_char(norm[i]) || (i > 0 && word_char(norm[i - 1]))) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && word_char(norm[i]))
			i++;
		const char *w = norm + start;
		size_t n = i - start;
		uint64_t code = word_eq(w, n, "IN") ? 1 :
			(word_eq(w, n, "ANY") || word_eq(w, n, "SOME")) ? 2 : 0;
		if (!code)
			continue;
		size_t j = i;
		while (j < len && norm[j] == ' ')
			j++;
		if (j >= len || norm[j] != '(')
			continue;
		while (j < len && (norm[j] == '(' || norm[j] == ' '))
			j++;
		size_t k = j;
		while (k < len && word_char(norm[k]))
			k++;
		if (word_eq(norm + j, k - j, "SELECT") || word_eq(norm + j, k - j, "WITH") ||
				word_eq(norm + j, k - j, "VALUES"))
			continue;
		/* The operand tells "a IN (...) AND b = $2" from
		 * "a = $1 AND b IN (...)". */
		sig = (sig + (operand_hash(norm, start) ^ code)) * 0x100000001b3ULL;
	}
	if (!sig)
		return 0;
	/* splitmix64's finalizer: spreads the few bits over all 64 */
	sig += 0x9e3779b97f4a7c15ULL;
	sig = (sig ^ (sig >> 30)) * 0xbf58476d1ce4e5b9ULL;
	sig = (sig ^ (sig >> 27)) * 0x94d049bb133111ebULL;
	return sig ^ (sig >> 31);
}

static void grow(struct fp_cache *c)
{
	size_t n = (c->mask + 1) * 2;
	struct slot *slots = xcalloc(n, sizeof(*slots));
	for (size_t k = 0; k <= c->mask; k++) {
		struct slot s = c->slots[k];
		if (!s.entry)
			continue;
		size_t j = s.hash & (n - 1);
		while (slots[j].entry)
			j = (j + 1) & (n - 1);
		slots[j] = s;
	}
	free(c->slots);
	c->slots = slots;
	c->mask = n - 1;
}

/* The slot holding norm, or the empty slot where it belongs. */
static struct slot *find(struct fp_cache *c, const char *norm, size_t len,
		uint64_t hash)
{
	size_t j = hash & c->mask;
	for (;;) {
		struct slot *s = &c->slots[j];
		if (!s->entry)
			return s;
		if (s->hash == hash && s->entry->norm_len == len &&
				memcmp(s->entry->norm, norm, len) == 0)
			return s;
		j = (j + 1) & c->mask;
	}
}

/* Sets e's fingerprint: the other workers' (c->shared), else libpg_query's
 * of norm, else of raw (when not NULL: the statement norm came from; a
 * typed literal such as "interval $1" may not be valid SQL while the
 * original is, and the fingerprint ignores constants either way), else a
 * lexical one. */
static void fingerprint(struct fp_cache *c, struct fp_entry *e,
		const char *raw, size_t raw_len)
{
	const char *norm = e->norm;
	size_t len = e->norm_len;
	e->lexical = false;
	if (c->shared && fp_shared_get(c->shared, norm, len, &e->fingerprint)) {
		c->parsed++;
		return;
	}
	if (pg_fingerprint(norm, &e->fingerprint)) {
		c->parsed++;
		e->fingerprint ^= set_ops_signature(norm, len) ^
			fp_relations_signature(norm, len);
		if (c->shared)
			fp_shared_put(c->shared, norm, len, e->fingerprint);
		return;
	}
	if (raw) {
		sb_reset(&c->raw);
		sb_append(&c->raw, raw, raw_len);
		if (pg_fingerprint(c->raw.buf, &e->fingerprint)) {
			c->parsed++;
			e->fingerprint ^= set_ops_signature(norm, len) ^
				fp_relations_signature(norm, len);
			return;
		}
	}
	e->lexical = true;
	e->fingerprint = fp_lexical(norm, len);
}

/* Looks norm up, creating its entry on a miss (raw: see fingerprint()). */
static struct fp_entry *lookup(struct fp_cache *c, const char *norm, size_t len,
		const char *raw, size_t raw_len)
{
	uint64_t hash = XXH3_64bits(norm, len);
	struct slot *s = find(c, norm, len, hash);
	if (s->entry)
		return s->entry;

	struct fp_entry *e = arena_alloc(c->arena, sizeof(*e));
	e->norm = arena_strndup(c->arena, norm, len);
	e->norm_len = len;
	e->user = NULL;
	e->verdict = 0;
	fingerprint(c, e, raw, raw_len);
	s->hash = hash;
	s->entry = e;
	if (++c->count * 2 > c->mask + 1)
		grow(c);
	return e;
}

void fp_cache_share(struct fp_cache *c, struct fp_shared *sh)
{
	c->shared = sh;
}

struct fp_entry *fp_cache_get(struct fp_cache *c, const char *sql, size_t len,
		struct strbuf *scratch)
{
	struct raw_memo *m = NULL;
	uint64_t h = 0;
	if (len <= RAW_MEMO_MAX) {
		if (!c->memo)
			memo_map(c);
		h = XXH3_64bits(sql, len);
		m = &c->memo[h & (RAW_MEMO_SLOTS - 1)];
		if (m->entry && m->hash == h && m->len == len && memcmp(m->text, sql, len) == 0)
			return m->entry;
	}
	fp_normalize(sql, len, scratch);
	struct fp_entry *e = lookup(c, scratch->buf, scratch->len, sql, len);
	if (m) {
		m->hash = h;
		m->len = (uint32_t)len;
		m->entry = e;
		memcpy(m->text, sql, len);
	}
	return e;
}

struct fp_entry *fp_cache_get_normalized(struct fp_cache *c, const char *norm,
		size_t len)
{
	return lookup(c, norm, len, NULL, 0);
}

/* ---- the 16-hex text form, the one way in and out of reports ---- */

void fp_format(uint64_t fp, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	for (int k = 15; k >= 0; k--) {
		out[k] = hex[fp & 0xf];
		fp >>= 4;
	}
	out[16] = '\0';
}

bool fp_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s)
		return false;
	for (int k = 0; k < 16; k++) {
		char c = s[k];      /* a NUL before 16 digits fails here */
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	if (s[16] != '\0')
		return false;
	*out = v;
	return true;
}
