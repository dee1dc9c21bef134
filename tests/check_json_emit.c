/* check_json_emit.c: the hand-written JSON writer against jansson.
 *
 * json_emit must print what json_dumps(JSON_EMIT_JANSSON_FLAGS) prints for
 * the same values, byte for byte (the JSON report mixes both). Each test
 * builds one document both ways from seeded random input and compares:
 * strings of every kind of byte (controls, quotes, valid and invalid
 * UTF-8: jansson gets them through jemit_utf8_clean, which jansson's own
 * check must then accept), reals and integers of every size, and random
 * nesting with empty containers and values dumped by jansson. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_emit.h"
#include "sketch_hist.h"
#include "testutil.h"

#define ROUNDS 2000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic per seed, so a failure repeats. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* Bytes a log can hold, weighted towards what needs care. */
static void random_piece(struct strbuf *sb)
{
	static const char *const seqs[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf",
		/* invalid: overlong, surrogate, past U+10FFFF, lone or cut */
		"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\x80", "\xbf",
		"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xe2\x28\xa1",
	};
	char c;

	switch (below(8)) {
	case 0:
		c = (char)(1 + below(0x1f));    /* a control byte, no NUL */
		sb_append(sb, &c, 1);
		break;
	case 1:
		sb_append(sb, below(2) ? "\"" : "\\", 1);
		break;
	case 2: {
		const char *s = seqs[below(ARRAY_SIZE(seqs))];
		sb_append(sb, s, strlen(s));
		break;
	}
	case 3:
		c = (char)(0x80 + below(0x80)); /* any high byte */
		sb_append(sb, &c, 1);
		break;
	case 4:
		sb_append(sb, "\x7f/", 2);
		break;
	default:
		c = (char)(0x20 + below(0x5f)); /* printable ASCII */
		sb_append(sb, &c, 1);
		break;
	}
}

static void random_string(struct strbuf *sb)
{
	unsigned n = below(4) == 0 ? below(200) : below(24);

	sb_reset(sb);
	sb_append(sb, "", 0);
	for (unsigned i = 0; i < n; i++)
		random_piece(sb);
}

/* A double as the report has them (milliseconds to 3 decimals), or any
 * finite double at all. */
static double random_real(void)
{
	switch (below(6)) {
	case 0: {
		uint64_t bits = rnd();
		double v;
		memcpy(&v, &bits, sizeof(v));
		return isfinite(v) ? v : 1.5;
	}
	case 1:
		return (double)(int64_t)rnd() / (double)(1 + below(1000000));
	case 2:
		return sketch_hist_limit(below(SKETCH_HIST_BINS - 1));
	case 3:
		return below(2) ? 0.0 : -0.0;
	default: {
		double scale = pow(10, (double)below(17) - 4);
		double v = (double)(rnd() >> 11) / (double)(1ull << 53) * scale;
		if (below(8) == 0)
			v = -v;
		return round(v * 1000) / 1000;
	}
	}
}

static char *jansson_text(json_t *doc)
{
	char *text = json_dumps(doc, JSON_EMIT_JANSSON_FLAGS);
	ck_assert(text != NULL);
	json_decref(doc);
	return text;
}

static void assert_same(const char *want, const struct strbuf *got, const char *what)
{
	const char *g = got->buf ? got->buf : "";
	ck_assert_msg(strcmp(want, g) == 0, "%s: jansson\n%s\njson_emit\n%s",
			what, want, g);
}

START_TEST(test_strings)
{
	struct strbuf s = STRBUF_INIT, tmp = STRBUF_INIT, out = STRBUF_INIT;
	struct jemit e;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int r = 0; r < ROUNDS; r++) {
		random_string(&s);
		const char *clean = jemit_utf8_clean(s.buf, &tmp);
		ck_assert_int_eq(jemit_utf8_valid(clean), 1);
		ck_assert_int_eq(jemit_utf8_valid(s.buf), clean == s.buf);
		json_t *str = json_string(clean);
		ck_assert_msg(str != NULL, "jansson refuses the cleaned string");
		json_t *doc = json_array();
		json_t *obj = json_object();
		json_array_append_new(doc, str);
		ck_assert_int_eq(json_object_set_new(obj, clean, json_string(clean)), 0);
		json_array_append_new(doc, obj);
		char *want = jansson_text(doc);

		sb_reset(&out);
		jemit_init(&e, &out, 0);
		jemit_open(&e, '[');
		jemit_str(&e, s.buf);
		jemit_open(&e, '{');
		jemit_key(&e, s.buf);
		jemit_strn(&e, s.buf, s.len);
		jemit_close(&e);
		jemit_close(&e);
		assert_same(want, &out, "string");
		free(want);
	}
	sb_release(&s);
	sb_release(&tmp);
	sb_release(&out);
}
END_TEST

START_TEST(test_numbers)
{
	struct strbuf out = STRBUF_INIT;
	struct jemit e;
	static const uint64_t ints[] = {
		0, 1, 9, 10, 999, 1000, UINT32_MAX, (uint64_t)INT64_MAX,
		(uint64_t)INT64_MAX + 1, UINT64_MAX,
	};
	static const double reals[] = {
		0.0, -0.0, 0.001, 0.01, 0.1, 1, 1.5, 2.788, 5.575, 100, 1e11,
		999999999999.999, 1e12, 1e15, 1e16, 1e-5, 123456789012.345,
		DBL_MAX, DBL_MIN, -DBL_MAX, 4.9e-324, -1.25, 0.30000000000000004,
	};

	rng_state = 0x2545f4914f6cdd1dull;
	for (int r = 0; r < ROUNDS + (int)ARRAY_SIZE(ints) + (int)ARRAY_SIZE(reals); r++) {
		json_t *doc = json_array();
		sb_reset(&out);
		jemit_init(&e, &out, 0);
		jemit_open(&e, '[');
		uint64_t u = r < (int)ARRAY_SIZE(ints) ? ints[r] :
			rnd() >> below(64);
		json_array_append_new(doc, json_integer(u > (uint64_t)INT64_MAX ?
				INT64_MAX : (json_int_t)u));
		jemit_uint(&e, u);
		double v = r < (int)ARRAY_SIZE(reals) ? reals[r] : random_real();
		json_array_append_new(doc, json_real(v));
		jemit_real(&e, v);
		jemit_close(&e);
		char *want = jansson_text(doc);
		assert_same(want, &out, "number");
		free(want);
	}
	sb_release(&out);
}
END_TEST

/* One random value, built both ways; nested containers down to depth. */
static json_t *random_value(struct jemit *e, struct strbuf *s,
		struct strbuf *tmp, int depth)
{
	unsigned kind = below(depth > 0 ? 9 : 6);
	json_t *v;

	switch (kind) {
	case 0:
		jemit_null(e);
		return json_null();
	case 1: {
		bool b = below(2);
		jemit_bool(e, b);
		return json_boolean(b);
	}
	case 2: {
		uint64_t u = rnd() >> below(64);
		jemit_uint(e, u);
		return json_integer(u > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)u);
	}
	case 3: {
		double d = random_real();
		jemit_real(e, d);
		return json_real(d);
	}
	case 4: case 5:
		random_string(s);
		jemit_str(e, s->buf);
		return json_string(jemit_utf8_clean(s->buf, tmp));
	case 6: {
		/* A jansson tree dumped on its own, nested in place. */
		struct jemit inner;
		struct strbuf scratch = STRBUF_INIT;
		jemit_init(&inner, &scratch, 0);
		jemit_open(&inner, '{');
		jemit_key(&inner, "x");
		v = json_object();
		json_object_set_new(v, "x", random_value(&inner, s, tmp, depth - 1));
		jemit_close(&inner);
		char *text = json_dumps(v, JSON_EMIT_JANSSON_FLAGS);
		ck_assert(text != NULL);
		jemit_dumped(e, text);
		free(text);
		sb_release(&scratch);
		return v;
	}
	case 7: {
		unsigned n = below(4);
		v = json_array();
		jemit_open(e, '[');
		for (unsigned i = 0; i < n; i++)
			json_array_append_new(v, random_value(e, s, tmp, depth - 1));
		jemit_close(e);
		return v;
	}
	default: {
		unsigned n = below(4);
		v = json_object();
		jemit_open(e, '{');
		for (unsigned i = 0; i < n; i++) {
			char key[16];
			snprintf(key, sizeof(key), "k%u", i);
			jemit_key(e, key);
			json_object_set_new(v, key, random_value(e, s, tmp, depth - 1));
		}
		jemit_close(e);
		return v;
	}
	}
}

START_TEST(test_nesting)
{
	struct strbuf s = STRBUF_INIT, tmp = STRBUF_INIT, out = STRBUF_INIT;
	struct jemit e;

	rng_state = 0x5851f42d4c957f2dull;
	for (int r = 0; r < ROUNDS; r++) {
		json_t *doc = json_array();
		sb_reset(&out);
		jemit_init(&e, &out, 0);
		jemit_open(&e, '[');
		unsigned n = below(4);
		for (unsigned i = 0; i < n; i++)
			json_array_append_new(doc, random_value(&e, &s, &tmp, 5));
		jemit_close(&e);
		char *want = jansson_text(doc);
		assert_same(want, &out, "nesting");
		free(want);
	}
	sb_release(&s);
	sb_release(&tmp);
	sb_release(&out);
}
END_TEST

/* A value started at depth 2 (as the report's groups are) is the text
 * jansson puts in that place of a whole document. */
START_TEST(test_depth)
{
	struct strbuf s = STRBUF_INIT, tmp = STRBUF_INIT, out = STRBUF_INIT;
	struct jemit e;
	static const char head[] = "{\n  \"groups\": [\n    ";
	static const char tail[] = "\n  ]\n}";

	rng_state = 0x14057b7ef767814full;
	for (int r = 0; r < ROUNDS / 4; r++) {
		sb_reset(&out);
		sb_append(&out, head, strlen(head));
		jemit_init(&e, &out, 2);
		jemit_open(&e, '{');
		jemit_key(&e, "v");
		json_t *v = json_object();
		json_object_set_new(v, "v", random_value(&e, &s, &tmp, 4));
		jemit_close(&e);
		sb_append(&out, tail, strlen(tail));
		json_t *doc = json_object();
		json_t *arr = json_array();
		json_array_append_new(arr, v);
		json_object_set_new(doc, "groups", arr);
		char *want = jansson_text(doc);
		assert_same(want, &out, "depth 2");
		free(want);
	}
	sb_release(&s);
	sb_release(&tmp);
	sb_release(&out);
}
END_TEST

Suite *suite_json_emit(void);
Suite *suite_json_emit(void)
{
	Suite *s = suite_create("json_emit");
	TCase *tc = tcase_create("jansson");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_depth);
	suite_add_tcase(s, tc);
	return s;
}
