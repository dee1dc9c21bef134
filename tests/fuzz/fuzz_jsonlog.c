/* fuzz_jsonlog.c: libFuzzer harness for the jsonlog scanner (parsers/jsonlog_scan.c), built by `make fuzz`.
 *
 * Differential: whatever line the scanner says it read (JSCAN_OK), jansson
 * must read too, as an object, with the same value for every key pgsift
 * reads; the harness aborts otherwise. Lines the scanner hands back are
 * jansson's to judge, so they only have to be handed back safely (the
 * sanitizers watch every byte the scanner touches). The input is one line
 * copied to a buffer of its exact size, so a read past its end is caught. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../parsers/jsonlog_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const char *line, size_t len, const struct jsonlog_values *v)
{
	json_error_t err;
	json_t *root = json_loadb(line, len, 0, &err);
	if (!json_is_object(root)) {
		fprintf(stderr, "scanner read a line jansson refuses: %s\n", err.text);
		abort();
	}
	bool seen[K_COUNT] = { false };
	for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
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
			fprintf(stderr, "key %s differs from jansson\n", key);
			abort();
		}
	}
	for (int k = K_OTHER + 1; k < K_COUNT; k++)
		if (!seen[k] && v->v[k].type != JV_ABSENT) {
			fprintf(stderr, "key %d set by the scanner only\n", k);
			abort();
		}
	json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jscan_buf buf;    /* reused, as the parser reuses it */
	char *line = malloc(size ? size : 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	struct jsonlog_values v;
	if (jsonlog_scan(line, size, &buf, &v) == JSCAN_OK)
		check_same(line, size, &v);
	free(line);
	return 0;
}
