/* fuzz_csvlog.c: libFuzzer harness for the hand split of csvlog lines (parsers/csvlog_split.c), built by `make fuzz`.
 *
 * Differential against libcsv in strict mode, the library the parser
 * falls back to: a line the split accepts must be one whole record to
 * libcsv too (the line, then "\n"), with the same number of fields and
 * the same bytes in each kept one; the harness aborts otherwise. A line
 * the split declines is libcsv's to judge. The input is the line up to
 * its first newline (the line reader never hands over one), copied to a
 * buffer of its exact size, so a read past its end is caught. */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../parsers/csvlog_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct oracle {
	struct csv_fields f;
	bool row;
};

static void oracle_field(void *s, size_t len, void *data)
{
	struct oracle *o = data;
	csv_fields_add(&o->f, s, len);
}

static void oracle_row(int c, void *data)
{
	struct oracle *o = data;
	(void)c;
	o->row = true;
}

/* libcsv's reading of line and "\n" (strict mode), as the parser feeds
 * it: true when that is one whole record, its fields in o->f. */
static bool oracle_split(struct oracle *o, const char *line, size_t len)
{
	struct csv_parser cp;
	if (csv_init(&cp, CSV_STRICT) != 0)
		abort();
	o->row = false;
	csv_fields_reset(&o->f);
	bool ok = (len == 0 || csv_parse(&cp, line, len, oracle_field, oracle_row, o) == len)
		&& !o->row && csv_parse(&cp, "\n", 1, oracle_field, oracle_row, o) == 1 && o->row;
	csv_free(&cp);
	return ok;
}

static void disagree(const char *why, const char *line, size_t len)
{
	fprintf(stderr, "split and libcsv disagree (%s) on: %.*s\n", why, (int)len, line);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Reused, as the parser reuses its record's fields. */
	static struct csv_fields got;
	static struct oracle want;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size;
	char *line = malloc(len ? len : 1);
	if (!line)
		return 0;
	memcpy(line, data, len);

	csv_fields_reset(&got);
	if (csvlog_split_line(&got, line, len)) {
		if (!oracle_split(&want, line, len))
			disagree("libcsv reads no single record", line, len);
		if (got.n != want.f.n)
			disagree("field counts", line, len);
		/* Empty fields only: no buffer yet (NULL), nothing to compare. */
		for (unsigned i = 0; i < got.n && i < CSV_MAX_FIELDS; i++)
			if (got.len[i] != want.f.len[i] || (got.len[i] && memcmp(got.buf + got.off[i],
					want.f.buf + want.f.off[i], got.len[i]) != 0))
				disagree("a field", line, len);
	} else if (got.n != 0 || got.used != 0) {
		disagree("declined but left fields", line, len);
	}
	free(line);
	return 0;
}
