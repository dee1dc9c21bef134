/* fuzz_normalize.c: libFuzzer harness for the normalizer (fp_normalize(),
 * analyzer/sql/normalize*.c) and the fingerprint cache (fp_cache_get():
 * libpg_query's fingerprint, or the lexical one), built by `make fuzz`.
 *
 * The input is one statement, copied to a buffer of its exact size (a
 * read past its end is caught). What fingerprint.h promises is checked:
 * the output is idempotent (normalizing it again gives it back), holds no
 * NUL the input did not have, and the cache gives the same entry for the
 * same text twice, with a fingerprint that formats and parses back. The
 * seeds are the statements of the project's real logs
 * (tests/fuzz/seeds_inputs.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const struct strbuf *a, const struct strbuf *b)
{
	fprintf(stderr, "normalizer: %s\nfirst:  %.*s\nsecond: %.*s\n", what,
			(int)a->len, a->buf ? a->buf : "", (int)b->len, b->buf ? b->buf : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT, scratch = STRBUF_INIT;
	char *sql = malloc(size ? size : 1);
	if (!sql)
		return 0;
	memcpy(sql, data, size);
	fp_normalize(sql, size, &once);
	if (!memchr(sql, 0, size) && once.len && memchr(once.buf, 0, once.len))
		fail("a NUL the input did not have", &once, &once);
	/* An exact copy again, for the second pass. */
	char *again = malloc(once.len ? once.len : 1);
	if (!again)
		abort();
	memcpy(again, once.buf ? once.buf : "", once.len);
	fp_normalize(again, once.len, &twice);
	if (once.len != twice.len || memcmp(once.buf ? once.buf : "",
			twice.buf ? twice.buf : "", once.len) != 0)
		fail("not idempotent", &once, &twice);
	free(again);

	struct fp_cache *c = fp_cache_new();
	if (!c)
		abort();
	struct fp_entry *e1 = fp_cache_get(c, sql, size, &scratch);
	struct fp_entry *e2 = fp_cache_get(c, sql, size, &scratch);
	if (e1 != e2 || fp_cache_size(c) != 1)
		fail("the cache made two entries of one text", &once, &once);
	char hex[17];
	uint64_t back;
	fp_format(e1->fingerprint, hex);
	if (!fp_parse(hex, &back) || back != e1->fingerprint)
		fail("the fingerprint does not format and parse back", &once, &once);
	fp_cache_free(c);
	sb_release(&once);
	sb_release(&twice);
	sb_release(&scratch);
	free(sql);
	return 0;
}
