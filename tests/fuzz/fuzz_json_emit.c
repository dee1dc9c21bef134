/* fuzz_json_emit.c: libFuzzer harness for the hand-written JSON writer (analyzer/output/json_emit.c), built by `make fuzz`.
 *
 * Differential against jansson: the input is read as a program that
 * builds one value (nulls, booleans, integers, reals, strings of any
 * bytes, arrays, objects, jansson-dumped trees nested in place) at a
 * depth of 0 to 3 containers; the value is written by json_emit and
 * built as a jansson tree, and the text must be json_dumps()'s byte for
 * byte, or the harness aborts. Strings reach jansson cleaned by the
 * harness's own rule (the first byte of each sequence jansson's UTF-8
 * check refuses becomes U+FFFD), which jemit_utf8_clean() must match.
 * Each string is copied to a buffer of its exact size (plus the NUL
 * jemit_str needs), so a read past its end is caught. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_emit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Containers the program may open below its base (JEMIT_MAX_DEPTH is
 * the writer's limit; the report nests a few). */
#define MAX_NEST 24

struct prog {
	const uint8_t *p, *end;
	struct strbuf tmp;      /* jemit_utf8_clean's */
};

static unsigned byte(struct prog *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

static uint64_t u64(struct prog *g)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(g);
	return v;
}

/* Up to 255 bytes of the input, in a buffer of their exact size plus a
 * NUL; *len says how many. Belongs to the caller. */
static char *bytes(struct prog *g, size_t *len)
{
	size_t n = byte(g);
	if (n > (size_t)(g->end - g->p))
		n = (size_t)(g->end - g->p);
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, g->p, n);
	s[n] = '\0';
	g->p += n;
	*len = n;
	return s;
}

/* The oracle's cleaning: at each byte, the shortest run jansson takes as
 * a string (json_stringn checks UTF-8) is the sequence kept; none of 1
 * to 4 bytes means the byte is invalid and becomes U+FFFD. */
static char *oracle_clean(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc(3 * n + 1);
	size_t o = 0;
	if (!out)
		abort();
	for (size_t i = 0; i < n;) {
		size_t k = 0;
		for (size_t t = 1; t <= 4 && i + t <= n && !k; t++) {
			json_t *js = json_stringn(s + i, t);
			if (js)
				k = t;
			json_decref(js);
		}
		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

static void fail(const char *what, const char *want, const char *got)
{
	fprintf(stderr, "json_emit and jansson disagree (%s)\njansson:\n%s\njson_emit:\n%s\n",
			what, want ? want : "(null)", got ? got : "(null)");
	abort();
}

/* A string value: jemit_str (up to a NUL) or jemit_strn (any bytes). */
static json_t *string_value(struct prog *g, struct jemit *e, bool counted)
{
	size_t n, clen;
	char *s = bytes(g, &n);
	if (!counted)
		n = strlen(s);
	char *clean = oracle_clean(s, n, &clen);
	if (!counted) {
		const char *mine = jemit_utf8_clean(s, &g->tmp);
		if (strcmp(mine, clean) != 0 || jemit_utf8_valid(s) != (mine == s))
			fail("jemit_utf8_clean", clean, mine);
	}
	if (e) {
		if (counted)
			jemit_strn(e, s, n);
		else
			jemit_str(e, s);
	}
	json_t *v = json_stringn(clean, clen);
	if (!v)
		fail("jansson refuses the cleaned string", clean, NULL);
	free(clean);
	free(s);
	return v;
}

/* A real: any finite double, or one near k / 1000 (the report's
 * milliseconds), where the writer's fast path decides. */
static double real_value(struct prog *g)
{
	unsigned how = byte(g) % 3;
	uint64_t bits = u64(g);
	double v;

	if (how == 0) {
		memcpy(&v, &bits, sizeof(v));
		return isfinite(v) ? v : 0.5;
	}
	v = (double)(int64_t)(bits >> 14) / 1000;   /* up to about 10^15 ms */
	if (how == 2) {
		int steps = (int)(bits & 7) - 4;
		for (; steps < 0; steps++)
			v = nextafter(v, -INFINITY);
		for (; steps > 0; steps--)
			v = nextafter(v, INFINITY);
	}
	return v;
}

/* One value read from the program, written to e (when set) and returned
 * as jansson's tree; nest containers may still open below it. */
static json_t *value(struct prog *g, struct jemit *e, int nest)
{
	unsigned op = byte(g) % (nest > 0 ? 10 : 7);
	json_t *v;

	switch (op) {
	case 0:
		if (e)
			jemit_null(e);
		return json_null();
	case 1: {
		bool b = byte(g) & 1;
		if (e)
			jemit_bool(e, b);
		return json_boolean(b);
	}
	case 2: {
		uint64_t u = u64(g);
		if (e)
			jemit_uint(e, u);
		return json_integer(u > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)u);
	}
	case 3: {
		double d = real_value(g);
		if (e)
			jemit_real(e, d);
		return json_real(d);
	}
	case 4: case 5:
		return string_value(g, e, op == 5);
	case 6: {
		/* str(NULL) is null. */
		if (e)
			jemit_str(e, NULL);
		return json_null();
	}
	case 7: {
		/* A tree built by jansson alone, dumped and nested in place. */
		bool obj = byte(g) & 1;
		unsigned n = byte(g) % 4;
		v = obj ? json_object() : json_array();
		for (unsigned i = 0; i < n; i++) {
			char key[16];
			snprintf(key, sizeof(key), "d%u", i);
			json_t *c = value(g, NULL, nest - 1);
			if (obj)
				json_object_set_new(v, key, c);
			else
				json_array_append_new(v, c);
		}
		if (e) {
			char *text = json_dumps(v, JSON_EMIT_JANSSON_FLAGS);
			if (!text)
				abort();
			jemit_dumped(e, text);
			free(text);
		}
		return v;
	}
	case 8: {
		unsigned n = byte(g) % 8;
		v = json_array();
		if (e)
			jemit_open(e, '[');
		for (unsigned i = 0; i < n && g->p < g->end; i++)
			json_array_append_new(v, value(g, e, nest - 1));
		if (e)
			jemit_close(e);
		return v;
	}
	default: {
		unsigned n = byte(g) % 8;
		v = json_object();
		if (e)
			jemit_open(e, '{');
		for (unsigned i = 0; i < n && g->p < g->end; i++) {
			size_t klen, clen;
			char *key = bytes(g, &klen);
			char *clean = oracle_clean(key, strlen(key), &clen);
			/* jansson keeps one member per key: no duplicates. */
			if (!json_object_get(v, clean)) {
				if (e)
					jemit_key(e, key);
				json_object_set_new(v, clean, value(g, e, nest - 1));
			}
			free(clean);
			free(key);
		}
		if (e)
			jemit_close(e);
		return v;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prog g = { .p = data, .end = data + size, .tmp = STRBUF_INIT };
	struct strbuf out = STRBUF_INIT;
	struct jemit e;
	unsigned base = byte(&g) % 4;

	/* What jansson writes before a value nested in base arrays. */
	for (unsigned d = 0; d < base; d++) {
		sb_putc(&out, '[');
		sb_putc(&out, '\n');
		for (unsigned i = 0; i <= d; i++)
			sb_append(&out, "  ", 2);
	}
	jemit_init(&e, &out, base);
	json_t *doc = value(&g, &e, MAX_NEST);
	for (unsigned d = base; d-- > 0;) {
		sb_putc(&out, '\n');
		for (unsigned i = 0; i < d; i++)
			sb_append(&out, "  ", 2);
		sb_putc(&out, ']');
		json_t *arr = json_array();
		json_array_append_new(arr, doc);
		doc = arr;
	}
	char *want = json_dumps(doc, JSON_EMIT_JANSSON_FLAGS | JSON_ENCODE_ANY);
	if (!want)
		abort();
	const char *got = out.buf ? out.buf : "";
	if (strcmp(want, got) != 0)
		fail("the text", want, got);
	free(want);
	json_decref(doc);
	sb_release(&out);
	sb_release(&g.tmp);
	return 0;
}
