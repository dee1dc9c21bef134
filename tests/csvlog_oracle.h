/* csvlog_oracle.h: the hand split of csvlog lines judged against libcsv,
 * for its tests (check_csvlog.c) and its fuzzer (fuzz/fuzz_csvlog.c): one
 * comparison, so the two cannot drift apart. Static inline: each includer
 * uses it as it is. */
#ifndef PGSIFT_CSVLOG_ORACLE_H
#define PGSIFT_CSVLOG_ORACLE_H

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../parsers/csvlog_int.h"

struct csvlog_oracle {
	struct csv_fields f;
	bool row;
};

static inline void csvlog_oracle_field(void *s, size_t len, void *data)
{
	struct csvlog_oracle *o = data;
	csv_fields_add(&o->f, s, len);
}

static inline void csvlog_oracle_row(int c, void *data)
{
	struct csvlog_oracle *o = data;
	(void)c;
	o->row = true;
}

/* libcsv's reading of line and "\n" (strict mode), as the parser feeds
 * it: true when that is one whole record, its fields in o->f. */
static inline bool csvlog_oracle_split(struct csvlog_oracle *o, const char *line,
		size_t len)
{
	struct csv_parser cp;
	if (csv_init(&cp, CSV_STRICT) != 0)
		abort();
	o->row = false;
	csv_fields_reset(&o->f);
	bool ok = (len == 0 || csv_parse(&cp, line, len, csvlog_oracle_field,
				csvlog_oracle_row, o) == len)
		&& !o->row && csv_parse(&cp, "\n", 1, csvlog_oracle_field,
				csvlog_oracle_row, o) == 1 && o->row;
	csv_free(&cp);
	return ok;
}

/* NULL when got (the split's fields of line, accepted or not: accepted
 * says) is what libcsv reads, else what differs. A declined line is
 * libcsv's to judge, but must leave no fields behind. Compared by hand:
 * Check logs every assertion that passes, and the real log has
 * thousands of lines. */
static inline const char *csvlog_split_differs(const struct csv_fields *got,
		bool accepted, struct csvlog_oracle *want, const char *line, size_t len)
{
	if (!accepted)
		return got->n != 0 || got->used != 0 ? "declined but left fields" : NULL;
	if (!csvlog_oracle_split(want, line, len))
		return "libcsv reads no single record";
	if (got->n != want->f.n)
		return "field counts";
	/* Empty fields only: no buffer yet (NULL), nothing to compare. */
	for (unsigned i = 0; i < got->n && i < CSV_MAX_FIELDS; i++)
		if (got->len[i] != want->f.len[i] || (got->len[i] && memcmp(got->buf + got->off[i],
				want->f.buf + want->f.off[i], got->len[i]) != 0))
			return "a field";
	return NULL;
}

#endif
