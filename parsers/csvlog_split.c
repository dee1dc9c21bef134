/* csvlog_split.c: csvlog records on one line split without libcsv (see
 * csvlog_int.h).
 *
 * libcsv costs about 38 instructions a byte (a state machine, a branch
 * per byte and its own copy of every field); this loop a few, with
 * memchr() over quoted text: csvlog reads about twice as fast. libcsv
 * stays for what the server writes over several lines and for anything
 * broken, where its strict mode says what is wrong. */
#include <string.h>

#include "csvlog_int.h"
#include "util.h"

void csv_fields_reset(struct csv_fields *f)
{
	f->n = 0;
	f->used = 0;
}

static void reserve(struct csv_fields *f, size_t len)
{
	if (f->used + len > f->cap) {
		f->cap = (f->used + len) * 2 + 256;
		f->buf = xrealloc(f->buf, f->cap);
	}
}

void csv_fields_add(struct csv_fields *f, const char *s, size_t len)
{
	unsigned i = f->n++;
	if (i >= CSV_MAX_FIELDS)
		return;
	reserve(f, len);
	if (len)        /* an empty field may come with a NULL pointer */
		memcpy(f->buf + f->used, s, len);
	f->off[i] = f->used;
	f->len[i] = len;
	f->used += len;
}

/* Appends to the field added last (a quoted field's text after a ""). */
static void more(struct csv_fields *f, const char *s, size_t len)
{
	unsigned i = f->n - 1;
	if (i >= CSV_MAX_FIELDS)
		return;
	reserve(f, len);
	memcpy(f->buf + f->used, s, len);
	f->len[i] += len;
	f->used += len;
}

/* What libcsv does with each byte (its default space and terminator
 * sets): outside quotes, a comma ends a field, CR or LF the row, and
 * spaces and tabs at a field's ends are dropped; a quote starts a
 * quoted field only as a field's first byte (strict mode: elsewhere it is
 * an error). Inside quotes everything is text but the quote; "" is one
 * quote; after the closing quote spaces may come before the comma, and
 * anything else is an error. The loop below takes only the cases where
 * none of the dropping, ending early or errors can happen. */
bool csvlog_split_line(struct csv_fields *f, const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	if (len == 0)
		return false;   /* libcsv reports no row for an empty line */
	for (;;) {
		if (p < end && *p == '"') {
			const char *q = ++p;
			bool first = true;
			for (;;) {
				const char *e = memchr(q, '"', (size_t)(end - q));
				if (!e)
					goto other;     /* goes on to the next line */
				if (first)
					csv_fields_add(f, p, (size_t)(e - p));
				else
					more(f, q, (size_t)(e - q));
				first = false;
				if (e + 1 < end && e[1] == '"') {
					more(f, e, 1);
					q = e + 2;
					continue;
				}
				p = e + 1;
				break;
			}
		} else {
			const char *s = p;
			while (p < end && *p != ',') {
				if (*p == '"' || *p == '\r')
					goto other;
				p++;
			}
			if (p > s && (s[0] == ' ' || s[0] == '\t' || p[-1] == ' ' || p[-1] == '\t'))
				goto other;
			csv_fields_add(f, s, (size_t)(p - s));
		}
		if (p == end)
			return true;
		if (*p != ',')
			goto other;
		p++;
	}
other:
	csv_fields_reset(f);
	return false;
}
