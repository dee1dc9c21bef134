/* check_arena.c: the run's bump allocator (analyzer/base/arena.c).
 *
 * Strings from a parse live in an arena and records point into it, so what
 * matters is that every allocation is aligned for any type, that none
 * overlaps another (across block boundaries and one-off big allocations
 * too), that arena_used() counts what was handed out, and that freeing
 * releases it all (ASan's leak check sees the rest). */
#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

#define ALIGN (alignof(max_align_t))     /* what "any type" needs */
#define ROUND (sizeof(max_align_t))      /* arena.c rounds sizes up to this */
#define BLOCK (256 * 1024)               /* arena.c's block size */

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static size_t rounded(size_t n)
{
	return (n + ROUND - 1) / ROUND * ROUND;
}

/* ---- core ---- */

/* Sizes around the alignment and the block size. */
static const size_t sizes[] = { 0, 1, ROUND - 1, ROUND, ROUND + 1, 1000,
	BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK };

START_TEST(test_sizes)
{
	struct arena *a = arena_new();
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(arena_used(a), 0);
	size_t n = sizes[_i];
	unsigned char *p = arena_alloc(a, n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % ALIGN, 0);
	ck_assert_uint_eq(arena_used(a), rounded(n));
	memset(p, 0xa5, n);     /* all of it is writable (ASan checks) */
	unsigned char *q = arena_alloc(a, 8);
	ck_assert_uint_eq((uintptr_t)q % ALIGN, 0);
	ck_assert(q + 8 <= p || q >= p + n);
	for (size_t i = 0; i < n; i += 997)
		ck_assert_uint_eq(p[i], 0xa5);
	ck_assert_uint_eq(arena_used(a), rounded(n) + rounded(8));
	arena_free(a);
}
END_TEST

/* Many allocations over several blocks: each keeps what was written to it. */
START_TEST(test_many)
{
	struct arena *a = arena_new();
	enum { N = 20000 };
	static uint32_t *p[N];
	size_t used = 0;
	for (uint32_t i = 0; i < N; i++) {
		size_t n = sizeof(uint32_t) * (1 + i % 37);
		p[i] = arena_alloc(a, n);
		ck_assert_uint_eq((uintptr_t)p[i] % ALIGN, 0);
		for (size_t k = 0; k < n / sizeof(uint32_t); k++)
			p[i][k] = i;
		used += rounded(n);
	}
	ck_assert_uint_gt(used, 2 * BLOCK);
	ck_assert_uint_eq(arena_used(a), used);
	for (uint32_t i = 0; i < N; i++)
		for (size_t k = 0; k < 1 + i % 37; k++)
			ck_assert_uint_eq(p[i][k], i);
	arena_free(a);
}
END_TEST

/* A one-off allocation bigger than a block gets a block of its own behind
 * the current one: small allocations go on filling the current block. */
START_TEST(test_big_keeps_block)
{
	struct arena *a = arena_new();
	char *first = arena_alloc(a, 100);
	char *big = arena_alloc(a, 2 * BLOCK);
	char *next = arena_alloc(a, 100);
	ck_assert_ptr_eq(next, first + rounded(100));
	ck_assert(big + 2 * BLOCK <= first || big >= next + 100);
	memset(big, 1, 2 * BLOCK);
	ck_assert_uint_eq(arena_used(a), 2 * rounded(100) + 2 * BLOCK);
	arena_free(a);
}
END_TEST

START_TEST(test_strndup)
{
	struct arena *a = arena_new();
	const char text[] = "SELECT 1;\0hidden";
	char *s = arena_strndup(a, text, 6);
	ck_assert_str_eq(s, "SELECT");
	/* Bytes past a NUL in the source are copied too: len rules. */
	char *t = arena_strndup(a, text, sizeof(text) - 1);
	ck_assert_int_eq(memcmp(t, text, sizeof(text) - 1), 0);
	ck_assert_int_eq(t[sizeof(text) - 1], '\0');
	char *e = arena_strndup(a, "", 0);
	ck_assert_str_eq(e, "");
	ck_assert_str_eq(s, "SELECT");  /* untouched by the copies after it */
	ck_assert_uint_eq(arena_used(a), rounded(7) + rounded(sizeof(text)) + rounded(1));
	arena_free(a);
}
END_TEST

/* ---- limits ---- */

/* What src held lives on in dst (ASan sees a use after free otherwise),
 * dst's current block is still filled, and src starts over empty. */
START_TEST(test_absorb)
{
	struct arena *dst = arena_new(), *src = arena_new();
	char *d = arena_strndup(dst, "dst", 3);
	char *s[3];
	for (size_t i = 0; i < ARRAY_LEN(s); i++)
		s[i] = arena_alloc(src, BLOCK - 64);     /* one block each */
	for (size_t i = 0; i < ARRAY_LEN(s); i++)
		memset(s[i], (int)('a' + i), BLOCK - 64);
	size_t used = arena_used(dst) + arena_used(src);
	arena_absorb(dst, src);
	ck_assert_uint_eq(arena_used(dst), used);
	ck_assert_uint_eq(arena_used(src), 0);
	arena_absorb(dst, src);                 /* nothing to take */
	ck_assert_uint_eq(arena_used(dst), used);
	char *next = arena_strndup(dst, "x", 1);
	ck_assert_ptr_eq(next, d + ROUND);      /* still dst's first block */
	arena_free(src);
	for (size_t i = 0; i < ARRAY_LEN(s); i++)
		ck_assert_int_eq(s[i][BLOCK - 65], 'a' + (int)i);
	ck_assert_str_eq(d, "dst");

	struct arena *empty = arena_new(), *full = arena_new();
	char *f = arena_strndup(full, "kept", 4);
	arena_absorb(empty, full);              /* into an arena with no block */
	arena_free(full);
	ck_assert_str_eq(f, "kept");
	arena_free(empty);
	arena_free(dst);
}
END_TEST

START_TEST(test_free_null)
{
	arena_free(NULL);
	/* An arena never used is freed like any other. */
	arena_free(arena_new());
}
END_TEST

Suite *suite_arena(void);
Suite *suite_arena(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_sizes, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_big_keeps_block);
	tcase_add_test(tc, test_strndup);
	tcase_add_test(tc, test_absorb);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return s;
}
