/* util.h: small helpers shared by the core: checked allocation and string slices. */
#ifndef PGSIFT_UTIL_H
#define PGSIFT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A borrowed piece of a larger buffer; not NUL-terminated. */
struct slice {
	const char *ptr;
	size_t len;
};

#define SLICE_EMPTY ((struct slice){ "", 0 })

/* sum + ms, kept on the microsecond (the server logs durations to the
 * microsecond). Rounding after each addition makes a sum the same
 * whatever order its terms are added and merged in: -j N adds them in
 * another order than -j 1, and plain floating-point sums then differed in
 * their last digits. */
static inline double ms_add(double sum, double ms)
{
	return __builtin_nearbyint((sum + ms) * 1000.0) / 1000.0;
}

static inline struct slice slice_make(const char *p, size_t n)
{
	return (struct slice){ p, n };
}

static inline bool slice_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* malloc/calloc/realloc/strdup that abort with a message on out of memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
