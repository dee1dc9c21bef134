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
#include "../jsonlog_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const char *line, size_t len, const struct jsonlog_values *v)
{
	char buf[160];
	const char *why = jsonlog_differs_from_jansson(line, len, v, buf, sizeof(buf));
	if (why) {
		fprintf(stderr, "scanner and jansson disagree: %s\n", why);
		abort();
	}
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
