/* jsonlog_oracle.h: the jsonlog scanner judged against jansson, for the
 * scanner's tests (check_jsonlog.c) and its fuzzer (fuzz/fuzz_jsonlog.c):
 * one comparison, so the two cannot drift apart. Static inline: each
 * includer uses it as it is. */
#ifndef PGSIFT_JSONLOG_ORACLE_H
#define PGSIFT_JSONLOG_ORACLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../parsers/jsonlog_int.h"

/* NULL when the scanner's values equal jansson's, key for key, for every
 * key pgsift reads; else what differs (in why). Compared by hand: a
 * ck_assert per value costs Check a write, and the real log has 48,453
 * lines. */
static inline const char *jsonlog_differs_from_jansson(const char *line, size_t len,
		const struct jsonlog_values *v, char *why, size_t whylen)
{
	json_error_t err;
	json_t *root = json_loadb(line, len, 0, &err);
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(why, whylen, "jansson: %.100s", err.text);
		return why;
	}
	bool seen[K_COUNT] = { false };
	const char *diff = NULL;
	for (void *it = json_object_iter(root); it && !diff; it = json_object_iter_next(root, it)) {
		const char *key = json_object_iter_key(it);
		enum json_key k = jsonlog_key(key, strlen(key));
		if (k == K_OTHER)
			continue;
		seen[k] = true;
		json_t *jv = json_object_iter_value(it);
		const struct jvalue *sv = &v->v[k];
		bool same;
		if (json_is_string(jv))
			same = sv->type == JV_STRING && sv->s.len == json_string_length(jv)
				&& memcmp(sv->s.ptr, json_string_value(jv), sv->s.len) == 0;
		else if (json_is_integer(jv))
			same = sv->type == JV_INT && sv->i == (int64_t)json_integer_value(jv);
		else
			same = sv->type == JV_OTHER;
		if (!same) {
			snprintf(why, whylen, "key %.100s differs", key);
			diff = why;
		}
	}
	for (int k = K_OTHER + 1; k < K_COUNT && !diff; k++)
		if (!seen[k] && v->v[k].type != JV_ABSENT) {
			snprintf(why, whylen, "key %d set by the scanner only", k);
			diff = why;
		}
	json_decref(root);
	return diff;
}

#endif
