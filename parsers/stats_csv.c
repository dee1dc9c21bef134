/* stats_csv.c: CSV snapshots of the statistics views, as psql's
 * `\copy (SELECT ...) TO 'file.csv' CSV HEADER` writes them:
 * pg_stat_statements (pgss-csv), pg_stat_user_indexes (indexes-csv),
 * pg_stat_user_tables (tables-csv), pg_statio_user_tables (statio-csv),
 * and the transaction ID ages of pg_database (database-age-csv) and
 * pg_class (relation-age-csv).
 *
 * The formats differ only in the columns their header names, so they
 * share this reader and have one ops table each. The view is told by the
 * header (snapshots_detect_view), whatever the column order, the version's
 * column names or the extra columns (captured_at, datname, indexdef, sizes)
 * a dump adds. Forced with --input-format, a file whose header is another
 * known view is read as that view (with a note: the option applies to every
 * input); one whose header is no view's is refused with a problem that says
 * what was expected.
 *
 * Each data row becomes one REC_STAT_ROW with the header's names and the
 * row's values (valid until the next call). Quoted fields (query texts)
 * may span lines; libcsv runs in strict mode, so a stray quote reports the
 * row and skips to the next line. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "snapshots.h"

#define HDR_MAX 256     /* columns */

struct stats_state {
	struct parse_ctx *ctx;
	enum stat_view want, view;
	struct csv_parser cp;
	/* The current row's fields, back to back in buf. */
	char *buf;
	size_t len, cap;
	size_t *off, *flen;
	size_t nfields, capfields;
	bool done, in_row;
	uint64_t row_line;
	/* The header, kept. */
	char *hbuf;
	struct slice names[HDR_MAX], values[HDR_MAX];
	size_t ncols;
};

static void on_field(void *s, size_t len, void *data)
{
	struct stats_state *st = data;
	if (st->nfields == st->capfields) {
		st->capfields = st->capfields ? st->capfields * 2 : 64;
		st->off = xrealloc(st->off, st->capfields * sizeof(*st->off));
		st->flen = xrealloc(st->flen, st->capfields * sizeof(*st->flen));
	}
	if (st->len + len + 1 > st->cap) {
		st->cap = (st->len + len + 1) * 2 + 256;
		st->buf = xrealloc(st->buf, st->cap);
	}
	if (len)
		memcpy(st->buf + st->len, s, len);
	st->off[st->nfields] = st->len;
	st->flen[st->nfields++] = len;
	st->len += len;
}

static void on_row(int c, void *data)
{
	(void)c;
	((struct stats_state *)data)->done = true;
}

/* ---- probe ---- */

/* The view named by the header line at the start of buf, 0 if none. */
static enum stat_view probe_view(const char *buf, size_t len)
{
	struct slice names[HDR_MAX];
	size_t n = 0, start = 0;
	bool quoted = false;
	/* A UTF-8 byte order mark, as spreadsheets write. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		start = 3;
	size_t i;
	for (i = start; i < len && n < HDR_MAX; i++) {
		char c = buf[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == ',' || c == '\n')) {
			names[n++] = slice_make(buf + start, i - start);
			start = i + 1;
			if (c == '\n')
				break;
		}
	}
	if (i == len && n < HDR_MAX && start < len)
		names[n++] = slice_make(buf + start, len - start);
	return snapshots_detect_view(names, n);
}

static int probe_for(enum stat_view v, const char *buf, size_t len)
{
	return probe_view(buf, len) == v ? 95 : 0;
}

static int pgss_probe(const char *buf, size_t len)
{
	return probe_for(STAT_PGSS, buf, len);
}

static int indexes_probe(const char *buf, size_t len)
{
	return probe_for(STAT_INDEXES, buf, len);
}

static int tables_probe(const char *buf, size_t len)
{
	return probe_for(STAT_TABLES, buf, len);
}

static int statio_probe(const char *buf, size_t len)
{
	return probe_for(STAT_STATIO_TABLES, buf, len);
}

static int dbage_probe(const char *buf, size_t len)
{
	return probe_for(STAT_DB_AGE, buf, len);
}

static int relage_probe(const char *buf, size_t len)
{
	return probe_for(STAT_REL_AGE, buf, len);
}

/* ---- reading ---- */

static void restart_csv(struct stats_state *st)
{
	csv_free(&st->cp);
	if (csv_init(&st->cp, CSV_STRICT) != 0)
		abort();        /* csv_init only fails on malloc */
}

/* Feeds one line and its newline. Returns false on a CSV error. */
static bool feed(struct stats_state *st, const char *line, size_t len)
{
	if (len && csv_parse(&st->cp, line, len, on_field, on_row, st) < len)
		return false;
	return csv_parse(&st->cp, "\n", 1, on_field, on_row, st) == 1;
}

/* Reads the next CSV row into st's fields: 1, 0 at the end. Malformed
 * rows are reported and skipped; -1 when the header itself is malformed. */
static int read_row(struct stats_state *st)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;
	for (;;) {
		if (!lr_next(lr, &line, &len)) {
			if (st->in_row) {
				parse_skip(st->ctx, st->row_line, "row cut short by the end of "
					"the input (a quoted field is not closed): skipped");
				st->in_row = false;
			}
			return 0;
		}
		if (!st->in_row) {
			if (len == 0 || (len == 1 && line[0] == '\r'))
				continue;
			st->in_row = true;
			st->row_line = lr_lineno(lr);
			st->nfields = 0;
			st->len = 0;
		}
		if (!feed(st, line, len)) {
			if (!st->ncols)
				return -1;      /* the header: not a CSV file */
			parse_skip(st->ctx, st->row_line, "malformed CSV row (stray quote "
				"on line %llu): skipped", (unsigned long long)lr_lineno(lr));
			restart_csv(st);
			st->in_row = false;
			continue;
		}
		if (st->done) {
			st->in_row = st->done = false;
			return 1;
		}
	}
}

static void stats_close(void *state)
{
	struct stats_state *st = state;
	if (!st)
		return;
	csv_free(&st->cp);
	free(st->buf);
	free(st->off);
	free(st->flen);
	free(st->hbuf);
	free(st);
}

static void *open_view(struct parse_ctx *ctx, enum stat_view want)
{
	struct stats_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	st->want = want;
	if (csv_init(&st->cp, CSV_STRICT) != 0) {
		parse_problem(ctx, 0, "cannot start the CSV parser: out of memory");
		free(st);
		return NULL;
	}
	const char *name = snapshots_view_name(want);
	int got = read_row(st);
	if (got < 0) {
		parse_problem(ctx, st->row_line, "not a %s snapshot: the first line is "
			"not a CSV header (expected one naming %s, as \\copy (SELECT * FROM "
			"%s) TO 'file.csv' CSV HEADER writes)", name,
			snapshots_view_columns(want), name);
		goto fail;
	}
	if (got == 0) {
		parse_problem(ctx, 0, "empty: no CSV header row (expected a %s snapshot, "
			"with a header naming %s)", name, snapshots_view_columns(want));
		goto fail;
	}
	if (st->nfields > HDR_MAX) {
		parse_problem(ctx, st->row_line, "header with %zu columns (at most %d "
			"are read): not a %s snapshot", st->nfields, HDR_MAX, name);
		goto fail;
	}
	st->hbuf = xmalloc(st->len + 1);
	memcpy(st->hbuf, st->buf, st->len);
	st->ncols = st->nfields;
	size_t skip = st->ncols && st->flen[0] >= 3 &&
		memcmp(st->hbuf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (size_t i = 0; i < st->ncols; i++)
		st->names[i] = slice_make(st->hbuf + st->off[i] + (i ? 0 : skip),
			st->flen[i] - (i ? 0 : skip));
	st->view = snapshots_detect_view(st->names, st->ncols);
	if (!st->view) {
		parse_problem(ctx, st->row_line, "not a %s snapshot: the first line is "
			"not a header naming %s (write one with \\copy (SELECT * FROM %s) "
			"TO 'file.csv' CSV HEADER)", name, snapshots_view_columns(want), name);
		goto fail;
	}
	if (st->view != want)
		parse_note(ctx, "the header is %s's, not %s's: read as such",
			snapshots_view_name(st->view), name);
	return st;
fail:
	stats_close(st);
	return NULL;
}

static int stats_next(void *state, struct record *out)
{
	struct stats_state *st = state;
	while (read_row(st) > 0) {
		if (st->nfields != st->ncols) {
			parse_skip(st->ctx, st->row_line, "row with %zu fields, the header "
				"has %zu: skipped", st->nfields, st->ncols);
			continue;
		}
		for (size_t i = 0; i < st->ncols; i++)
			st->values[i] = slice_make(st->buf + st->off[i], st->flen[i]);
		out->kind = REC_STAT_ROW;
		out->u.row.line = st->row_line;
		out->u.row.view = st->view;
		out->u.row.ncols = st->ncols;
		out->u.row.names = st->names;
		out->u.row.values = st->values;
		return 1;
	}
	return 0;
}

static void *pgss_open(struct parse_ctx *ctx)
{
	return open_view(ctx, STAT_PGSS);
}

static void *indexes_open(struct parse_ctx *ctx)
{
	return open_view(ctx, STAT_INDEXES);
}

static void *tables_open(struct parse_ctx *ctx)
{
	return open_view(ctx, STAT_TABLES);
}

static void *statio_open(struct parse_ctx *ctx)
{
	return open_view(ctx, STAT_STATIO_TABLES);
}

static void *dbage_open(struct parse_ctx *ctx)
{
	return open_view(ctx, STAT_DB_AGE);
}

static void *relage_open(struct parse_ctx *ctx)
{
	return open_view(ctx, STAT_REL_AGE);
}

const struct parser parser_pgss_csv = {
	.id = "pgss-csv", .name = "pg_stat_statements snapshot (CSV)",
	.probe = pgss_probe,
	.open = pgss_open, .next = stats_next, .close = stats_close,
};

const struct parser parser_indexes_csv = {
	.id = "indexes-csv", .name = "pg_stat_user_indexes snapshot (CSV)",
	.probe = indexes_probe,
	.open = indexes_open, .next = stats_next, .close = stats_close,
};

const struct parser parser_tables_csv = {
	.id = "tables-csv", .name = "pg_stat_user_tables snapshot (CSV)",
	.probe = tables_probe,
	.open = tables_open, .next = stats_next, .close = stats_close,
};

const struct parser parser_statio_csv = {
	.id = "statio-csv", .name = "pg_statio_user_tables snapshot (CSV)",
	.probe = statio_probe,
	.open = statio_open, .next = stats_next, .close = stats_close,
};

const struct parser parser_dbage_csv = {
	.id = "database-age-csv", .name = "pg_database transaction ID ages (CSV)",
	.probe = dbage_probe,
	.open = dbage_open, .next = stats_next, .close = stats_close,
};

const struct parser parser_relage_csv = {
	.id = "relation-age-csv", .name = "pg_class transaction ID ages (CSV)",
	.probe = relage_probe,
	.open = relage_open, .next = stats_next, .close = stats_close,
};
