/* util.h: small helpers shared by the core: checked allocation and string slices. */
#ifndef PGSIFT_UTIL_H
#define PGSIFT_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* A double read from input as an integer: casting one out of range is
 * undefined behaviour (the release build wrote "Plan Width": -2147483648
 * for width=99999999999), so values past the type's range are clamped to
 * it and NaN gives 0. Every float-to-integer conversion of what was read
 * goes through these. */
static inline int64_t clamp_i64(double d)
{
	if (d != d)
		return 0;
	if (d >= 9223372036854775808.0)
		return INT64_MAX;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)d;
}

static inline int clamp_int(double d)
{
	if (d != d)
		return 0;
	if (d >= (double)INT_MAX)
		return INT_MAX;
	if (d <= (double)INT_MIN)
		return INT_MIN;
	return (int)d;
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
