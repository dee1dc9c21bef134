/* fuzz_csvlog.c: libFuzzer harness for the hand split of csvlog lines (parsers/csvlog_split.c), built by `make fuzz`.
 *
 * Differential against libcsv in strict mode, the library the parser
 * falls back to: a line the split accepts must be one whole record to
 * libcsv too (the line, then "\n"), with the same number of fields and
 * the same bytes in each kept one; the harness aborts otherwise. A line
 * the split declines is libcsv's to judge. The input is the line up to
 * its first newline (the line reader never hands over one), copied to a
 * buffer of its exact size, so a read past its end is caught. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../csvlog_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void disagree(const char *why, const char *line, size_t len)
{
	fprintf(stderr, "split and libcsv disagree (%s) on: %.*s\n", why, (int)len, line);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Reused, as the parser reuses its record's fields. */
	static struct csv_fields got;
	static struct csvlog_oracle want;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size;
	char *line = malloc(len ? len : 1);
	if (!line)
		return 0;
	memcpy(line, data, len);

	csv_fields_reset(&got);
	bool accepted = csvlog_split_line(&got, line, len);
	const char *why = csvlog_split_differs(&got, accepted, &want, line, len);
	if (why)
		disagree(why, line, len);
	free(line);
	return 0;
}
