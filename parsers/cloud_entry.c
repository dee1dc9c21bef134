/* cloud_entry.c: the members of a cloud's JSON entry the parsers read,
 * without building a tree (see cloud_int.h).
 *
 * Decoding each entry with jansson cost 105,000 instructions for a Cloud
 * Logging entry of 650 bytes (80% of the gcp parser's time, 31 times the
 * stderr parser's for the same lines: callgrind). A scanner walks the
 * entry once, follows the path of nested objects it is in, and keeps the
 * values of the wanted paths as slices (strings unescaped into a buffer
 * the size of the entry). Strings are read by jstr.h's pieces, exactly as
 * jansson reads them; an entry it does not read for sure (an array, a key
 * with an escape, nesting past 8, a long number, \u0000, bytes that are
 * not UTF-8, a syntax error) is decoded with jansson, which then also says
 * what is wrong with it; so the two never disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_int.h"
#include "jstr.h"

#define MAX_DEPTH 8
#define MAX_PATH 128

struct scan {
	const char *p, *end;
	char *out;              /* where the next unescaped value goes */
	struct cloud_entry *e;
};

void cloud_entry_init(struct cloud_entry *e, const char *const *paths)
{
	memset(e, 0, sizeof(*e));
	e->paths = paths;
	while (e->npaths < CLOUD_FIELDS && paths[e->npaths]) {
		e->plen[e->npaths] = strlen(paths[e->npaths]);
		e->npaths++;
	}
}

void cloud_entry_release(struct cloud_entry *e)
{
	json_decref(e->tree);
	e->tree = NULL;
	free(e->buf);
	e->buf = NULL;
	e->cap = 0;
}

const char *cloud_entry_str(const struct cloud_entry *e, unsigned i, size_t *len)
{
	if (i >= e->npaths || e->kind[i] != CLOUD_STRING)
		return NULL;
	if (len)
		*len = e->v[i].len;
	return e->v[i].ptr;
}

bool cloud_entry_int(const struct cloud_entry *e, unsigned i, int64_t *v)
{
	if (i >= e->npaths || e->kind[i] != CLOUD_INTEGER)
		return false;
	*v = e->num[i];
	return true;
}

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r'
			|| *sc->p == '\n'))
		sc->p++;
}

/* The wanted path equal to path[0..n), -1 when none; and every wanted
 * path under it (or it) is forgotten: a later duplicate key wins, its
 * object whole, as in jansson. */
static int take_path(struct cloud_entry *e, const char *path, size_t n)
{
	int hit = -1;
	for (unsigned i = 0; i < e->npaths; i++) {
		const char *w = e->paths[i];
		if (e->plen[i] < n || memcmp(w, path, n) != 0 || (w[n] != '\0' && w[n] != '.'))
			continue;
		e->kind[i] = CLOUD_ABSENT;
		if (w[n] == '\0')
			hit = (int)i;
	}
	return hit;
}

/* The string at sc->p (its opening quote) into *out (jstr_read(): a
 * slice of the line, or unescaped into sc->out); with out NULL it is only
 * skipped. Checked as jansson checks strings: false on what it refuses or
 * leaves to jansson. */
static bool scan_string(struct scan *sc, struct slice *out)
{
	const char *after = jstr_read(sc->p + 1, sc->end, &sc->out, out);
	if (!after)
		return false;
	sc->p = after;
	return true;
}

/* The number at sc->p: its integer value in *v when it is one (else
 * *is_int false). Long ones are left to jansson. */
static bool scan_number(struct scan *sc, int64_t *v, bool *is_int)
{
	const char *q = sc->p, *end = sc->end;
	bool neg = q < end && *q == '-';
	int64_t n = 0;
	q += neg;
	if (q >= end || *q < '0' || *q > '9')
		return false;
	if (*q == '0')
		q++;
	else
		while (q < end && *q >= '0' && *q <= '9')
			n = n * 10 + (*q++ - '0');
	*is_int = true;
	if (q < end && *q == '.') {
		const char *d = ++q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d)
			return false;
		*is_int = false;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		const char *d = q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d)
			return false;
		*is_int = false;
	}
	if (q - sc->p > 18)
		return false;
	*v = neg ? -n : n;
	sc->p = q;
	return true;
}

static bool scan_object(struct scan *sc, char *path, size_t plen, int depth)
{
	struct cloud_entry *e = sc->e;
	sc->p++;        /* '{' */
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return true;
	}
	for (;;) {
		struct slice k;
		bool escaped = false;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"')
			return false;
		const char *after = jstr_skip(sc->p + 1, sc->end, &escaped);
		if (!after || escaped)
			return false;
		k = slice_make(sc->p + 1, (size_t)(after - sc->p - 2));
		sc->p = after;
		size_t n = plen + (plen > 0) + k.len;
		if (n >= MAX_PATH)
			return false;
		if (plen)
			path[plen] = '.';
		memcpy(path + plen + (plen > 0), k.ptr, k.len);
		int hit = take_path(e, path, n);
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return false;
		sc->p++;
		skip_ws(sc);
		if (sc->p >= sc->end)
			return false;
		char c = *sc->p;
		if (c == '{') {
			if (depth >= MAX_DEPTH || !scan_object(sc, path, n, depth + 1))
				return false;
		} else if (c == '"') {
			struct slice v;
			if (!scan_string(sc, hit >= 0 ? &v : NULL))
				return false;
			if (hit >= 0) {
				e->v[hit] = v;
				e->kind[hit] = CLOUD_STRING;
			}
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			int64_t v;
			bool is_int;
			if (!scan_number(sc, &v, &is_int))
				return false;
			if (hit >= 0 && is_int) {
				e->num[hit] = v;
				e->kind[hit] = CLOUD_INTEGER;
			}
		} else {
			size_t l = jstr_literal_len(sc->p, sc->end);
			if (!l)
				return false;   /* an array, or not JSON: jansson's */
			sc->p += l;
		}
		skip_ws(sc);
		if (sc->p >= sc->end)
			return false;
		if (*sc->p == '}') {
			sc->p++;
			return true;
		}
		if (*sc->p++ != ',')
			return false;
	}
}

/* The wanted members from jansson's tree. */
static void from_tree(struct cloud_entry *e)
{
	for (unsigned i = 0; i < e->npaths; i++) {
		size_t n;
		const char *s = cloud_str(e->tree, e->paths[i], &n);
		json_t *v;
		e->kind[i] = CLOUD_ABSENT;
		if (s) {
			e->v[i] = slice_make(s, n);
			e->kind[i] = CLOUD_STRING;
		} else if ((v = cloud_get(e->tree, e->paths[i])) && json_is_integer(v)) {
			e->num[i] = json_integer_value(v);
			e->kind[i] = CLOUD_INTEGER;
		}
	}
}

int cloud_entry_read(struct cloud_entry *e, const char *text, size_t len,
		char *err, size_t errlen, uint64_t *errline)
{
	char path[MAX_PATH];
	json_decref(e->tree);
	e->tree = NULL;
	if (len > e->cap) {
		e->cap = len + len / 2;
		e->buf = xrealloc(e->buf, e->cap);
	}
	memset(e->kind, 0, sizeof(e->kind));
	struct scan sc = { text, text + len, e->buf, e };
	skip_ws(&sc);
	if (sc.p < sc.end && *sc.p == '{' && scan_object(&sc, path, 0, 1)) {
		skip_ws(&sc);
		if (sc.p == sc.end)
			return 1;
	}
	json_error_t jerr;
	e->tree = json_loadb(text, len, 0, &jerr);
	if (!e->tree) {
		snprintf(err, errlen, "entry is not valid JSON: %s", jerr.text);
		*errline = jerr.line > 1 ? (uint64_t)jerr.line - 1 : 0;
		return 0;
	}
	if (!json_is_object(e->tree)) {
		snprintf(err, errlen, "entry is not a JSON object");
		*errline = 0;
		json_decref(e->tree);
		e->tree = NULL;
		return 0;
	}
	from_tree(e);
	return 1;
}
