/* state_io.c: the bytes of a state (see state.h): little-endian numbers,
 * length-prefixed strings, and the sketch every part uses; the messages
 * and the temporary files' registry its writers share. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sketch.h"
#include "state.h"
#include "util.h"

#define STR_NULL 0xFFFFFFFFu

void st_u8(struct st_out *o, uint8_t v)
{
	sb_putc(&o->sb, (char)v);
}

void st_u32(struct st_out *o, uint32_t v)
{
	char b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (char)(v >> (8 * i));
	sb_append(&o->sb, b, 4);
}

void st_u64(struct st_out *o, uint64_t v)
{
	char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (char)(v >> (8 * i));
	sb_append(&o->sb, b, 8);
}

void st_i64(struct st_out *o, int64_t v)
{
	st_u64(o, (uint64_t)v);
}

void st_f64(struct st_out *o, double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof(u));
	st_u64(o, u);
}

void st_bytes(struct st_out *o, const char *s, size_t len)
{
	if (len >= STR_NULL)
		len = STR_NULL - 1;
	st_u32(o, (uint32_t)len);
	sb_append(&o->sb, s, len);
}

void st_str(struct st_out *o, const char *s)
{
	if (!s)
		st_u32(o, STR_NULL);
	else
		st_bytes(o, s, strlen(s));
}

bool st_fail(struct st_in *in, const char *why)
{
	if (!in->bad) {
		in->bad = true;
		in->why = why;
	}
	in->p = in->end;
	return false;
}

/* n bytes at the cursor, or NULL (and bad) when fewer are left. */
static const unsigned char *take(struct st_in *in, size_t n)
{
	if (in->bad || (size_t)(in->end - in->p) < n) {
		st_fail(in, "cut short");
		return NULL;
	}
	const unsigned char *at = in->p;
	in->p += n;
	return at;
}

uint8_t st_get_u8(struct st_in *in)
{
	const unsigned char *b = take(in, 1);
	return b ? b[0] : 0;
}

uint32_t st_get_u32(struct st_in *in)
{
	const unsigned char *b = take(in, 4);
	uint32_t v = 0;
	for (int i = 0; b && i < 4; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

uint64_t st_get_u64(struct st_in *in)
{
	const unsigned char *b = take(in, 8);
	uint64_t v = 0;
	for (int i = 0; b && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

int64_t st_get_i64(struct st_in *in)
{
	return (int64_t)st_get_u64(in);
}

double st_get_f64(struct st_in *in)
{
	uint64_t u = st_get_u64(in);
	double v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

bool st_get_bool(struct st_in *in)
{
	uint8_t v = st_get_u8(in);
	if (v > 1)
		st_fail(in, "a flag that is neither 0 nor 1");
	return v == 1;
}

const char *st_get_ref(struct st_in *in, size_t *len)
{
	uint32_t n = st_get_u32(in);
	if (len)
		*len = 0;
	if (in->bad || n == STR_NULL)
		return NULL;
	const unsigned char *b = take(in, n);
	if (b && len)
		*len = n;
	return (const char *)b;
}

char *st_get_str(struct st_in *in, size_t *len)
{
	size_t n;
	const char *s = st_get_ref(in, &n);
	if (len)
		*len = n;
	return s ? xstrndup(s, n) : NULL;
}

size_t st_get_count(struct st_in *in, size_t min_size, size_t max)
{
	uint64_t n = st_get_u64(in);
	if (in->bad)
		return 0;
	if (max && n > max)
		return st_fail(in, "a count past its limit"), 0;
	if (min_size && n > (uint64_t)(in->end - in->p) / min_size)
		return st_fail(in, "a count larger than the bytes left"), 0;
	return (size_t)n;
}

/* ---- sketch ---- */

void st_sketch(struct st_out *o, const struct sketch *s)
{
	st_u64(o, s->count);
	st_f64(o, s->min);
	st_f64(o, s->max);
	st_u64(o, s->zeros);
	st_u8(o, s->exact ? 1 : 0);
	if (s->exact) {
		for (uint64_t i = 0; i < s->count; i++)
			st_f64(o, s->exact[i]);
		return;
	}
	st_u32(o, (uint32_t)s->lo);
	st_u32(o, s->nbuckets);
	for (uint32_t i = 0; i < s->nbuckets; i++)
		st_u32(o, s->counts[i]);
}

/* Room for n exact values as sketch.c sizes it (powers of two from 2 up
 * to SKETCH_EXACT): its exact_reserve() only grows past that. */
static size_t exact_room(uint64_t n)
{
	size_t cap = 2;
	while (cap < n && cap < SKETCH_EXACT)
		cap *= 2;
	return cap;
}

bool st_get_sketch(struct st_in *in, struct sketch *s)
{
	sketch_init(s);
	s->count = st_get_u64(in);
	s->min = st_get_f64(in);
	s->max = st_get_f64(in);
	s->zeros = st_get_u64(in);
	bool exact = st_get_bool(in);
	if (in->bad)
		return false;
	if (s->zeros > s->count)
		return st_fail(in, "a sketch with more zeros than values");
	if (exact) {
		if (s->count == 0 || s->count > SKETCH_EXACT)
			return st_fail(in, "a sketch's exact values past its limit");
		if ((uint64_t)(in->end - in->p) / 8 < s->count)
			return st_fail(in, "cut short");
		s->exact = xmalloc(exact_room(s->count) * sizeof(double));
		for (uint64_t i = 0; i < s->count; i++)
			s->exact[i] = st_get_f64(in);
		return !in->bad;
	}
	int32_t lo = (int32_t)st_get_u32(in);
	uint32_t n = st_get_u32(in);
	if (in->bad)
		return false;
	if (n > SKETCH_MAX_BUCKETS || lo < -(1 << 24) || lo > (1 << 24))
		return st_fail(in, "a sketch's buckets out of range");
	if ((uint64_t)(in->end - in->p) / 4 < n)
		return st_fail(in, "cut short");
	uint64_t sum = s->zeros;
	if (n) {
		s->counts = xmalloc(n * sizeof(*s->counts));
		for (uint32_t i = 0; i < n; i++)
			sum += s->counts[i] = st_get_u32(in);
	}
	s->lo = lo;
	s->nbuckets = n;
	if (sum != s->count)
		return st_fail(in, "a sketch's counts do not add up");
	return !in->bad;
}

char *st_errorf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* ---- temporary files, for a signal handler ---- */

#define TEMPS_MAX 8
static char temps[TEMPS_MAX][4200];
static volatile sig_atomic_t temp_used[TEMPS_MAX];

void state_temp_add(const char *path)
{
	for (size_t i = 0; i < TEMPS_MAX; i++) {
		if (temp_used[i])
			continue;
		snprintf(temps[i], sizeof(temps[i]), "%s", path);
		temp_used[i] = 1;
		return;
	}
}

void state_temp_forget(const char *path)
{
	for (size_t i = 0; i < TEMPS_MAX; i++)
		if (temp_used[i] && strcmp(temps[i], path) == 0)
			temp_used[i] = 0;
}

void state_temps_remove(void)
{
	for (size_t i = 0; i < TEMPS_MAX; i++)
		if (temp_used[i])
			unlink(temps[i]);
}
