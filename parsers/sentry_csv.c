/* sentry_csv.c: the CSV export of Sentry's Explore (Traces / Spans) and
 * Discover views, read with libcsv.
 *
 * The first row names the columns; pgsift reads the ones it knows
 * wherever they are: id / span_id, parent_span, trace, transaction,
 * span.op, span.description, span.duration (ms), precise.start_ts /
 * precise.finish_ts (seconds), timestamp (ISO 8601), span.group,
 * span.system / db.system, is_transaction. Quoted fields may span lines.
 * A row whose field count differs from the header's is reported and
 * skipped. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "timeutil.h"
#include "tdoc_int.h"

#define COLUMN_LIST(X) \
	X(C_ID, "id") X(C_SPAN_ID, "span_id") X(C_PARENT, "parent_span") \
	X(C_TRACE, "trace") X(C_TXN, "transaction") X(C_OP, "span.op") \
	X(C_DESC, "span.description") X(C_DUR, "span.duration") \
	X(C_START, "precise.start_ts") X(C_FINISH, "precise.finish_ts") \
	X(C_TS, "timestamp") X(C_GROUP, "span.group") X(C_SYSTEM, "span.system") \
	X(C_DBSYS, "db.system") X(C_IS_TXN, "is_transaction")

enum column {
#define X(id, name) id,
	COLUMN_LIST(X)
#undef X
	C_COUNT
};

static const char *const column_names[] = {
#define X(id, name) name,
	COLUMN_LIST(X)
#undef X
};

struct scsv_state {
	struct parse_ctx *ctx;
	struct csv_parser cp;
	struct strbuf *fields;  /* the row being read */
	size_t nfields, cap;
	bool row_done;
	int col[C_COUNT];       /* field index of each column, -1 when absent */
	size_t header_fields;   /* 0 until the header is read */
	uint64_t row_line;
};

static int scsv_probe(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t first = nl ? (size_t)(nl - buf) : len;
	if (tdoc_first_byte(buf, first) == '{' || tdoc_first_byte(buf, first) == '[')
		return 0;
	bool op = memmem(buf, first, "span.op", 7) != NULL;
	bool desc = memmem(buf, first, "span.description", 16) != NULL;
	if (op && desc)
		return 90;
	return op || desc ? 50 : 0;
}

static void on_field(void *data, size_t len, void *p)
{
	struct scsv_state *st = p;
	if (st->nfields == st->cap) {
		size_t old = st->cap;
		st->cap = st->cap ? st->cap * 2 : 32;
		st->fields = xrealloc(st->fields, st->cap * sizeof(*st->fields));
		memset(st->fields + old, 0, (st->cap - old) * sizeof(*st->fields));
	}
	struct strbuf *f = &st->fields[st->nfields++];
	sb_reset(f);
	sb_append(f, data ? data : "", len);
}

static void on_row(int c, void *p)
{
	(void)c;
	((struct scsv_state *)p)->row_done = true;
}

static void *scsv_open(struct parse_ctx *ctx)
{
	struct scsv_state *st = xcalloc(1, sizeof(*st));
	st->ctx = ctx;
	if (csv_init(&st->cp, 0) != 0) {
		parse_problem(ctx, 0, "cannot start the CSV parser: out of memory");
		free(st);
		return NULL;
	}
	return st;
}

/* Reads the next complete row into st->fields; false at the end. */
static bool read_row(struct scsv_state *st)
{
	struct line_reader *lr = st->ctx->lr;
	const char *line;
	size_t len;
	st->nfields = 0;
	st->row_done = false;
	st->row_line = 0;
	while (lr_next(lr, &line, &len)) {
		if (!st->row_line) {
			if (len == 0)
				continue;
			st->row_line = lr_lineno(lr);
		}
		if ((len && csv_parse(&st->cp, line, len, on_field, on_row, st) < len)
				|| csv_parse(&st->cp, "\n", 1, on_field, on_row, st) != 1) {
			parse_problem(st->ctx, lr_lineno(lr), "CSV error: %s",
				csv_strerror(csv_error(&st->cp)));
			return false;
		}
		if (st->row_done)
			return true;
	}
	csv_fini(&st->cp, on_field, on_row, st);
	return st->row_done;
}

static struct slice col(struct scsv_state *st, enum column c)
{
	int i = st->col[c];
	if (i < 0 || (size_t)i >= st->nfields)
		return SLICE_EMPTY;
	return slice_make(st->fields[i].buf ? st->fields[i].buf : "", st->fields[i].len);
}

static bool col_num(struct scsv_state *st, enum column c, double *v)
{
	struct slice s = col(st, c);
	if (!s.len)
		return false;
	char *end;
	*v = strtod(s.ptr, &end);       /* fields are NUL-terminated strbufs */
	return end != s.ptr;
}

static void read_header(struct scsv_state *st)
{
	for (int c = 0; c < C_COUNT; c++)
		st->col[c] = -1;
	for (size_t i = 0; i < st->nfields; i++)
		for (int c = 0; c < C_COUNT; c++)
			if (st->fields[i].buf && strcmp(st->fields[i].buf, column_names[c]) == 0)
				st->col[c] = (int)i;
	st->header_fields = st->nfields;
	if (st->col[C_DESC] < 0)
		parse_problem(st->ctx, st->row_line, "no span.description column: no query can be read");
}

static int scsv_next(void *state, struct record *out)
{
	struct scsv_state *st = state;
	for (;;) {
		if (!read_row(st))
			return 0;
		if (!st->header_fields) {
			read_header(st);
			continue;
		}
		if (st->nfields != st->header_fields) {
			parse_skip(st->ctx, st->row_line, "%zu fields where the header has %zu: skipped",
				st->nfields, st->header_fields);
			continue;
		}
		break;
	}
	struct span_record *r = &out->u.span;
	out->kind = REC_SPAN;
	*r = (struct span_record){
		.line = st->row_line,
		.span_id = col(st, C_ID).len ? col(st, C_ID) : col(st, C_SPAN_ID),
		.parent_id = col(st, C_PARENT), .trace_id = col(st, C_TRACE),
		.op = col(st, C_OP), .description = col(st, C_DESC),
		.transaction = col(st, C_TXN), .hash = col(st, C_GROUP),
		.db_system = col(st, C_SYSTEM).len ? col(st, C_SYSTEM) : col(st, C_DBSYS),
		.db = SLICE_EMPTY, .user = SLICE_EMPTY, .app = SLICE_EMPTY,
	};
	double s, f, d;
	if (col_num(st, C_START, &s)) {
		r->start_ms = s * 1000.0;
		if (col_num(st, C_FINISH, &f))
			r->duration_ms = (f - s) * 1000.0;
	} else {
		struct slice ts = col(st, C_TS);
		int64_t t;
		if (ts.len && ts_parse_cli(ts.ptr, &t, NULL) && t != TS_NONE)
			r->start_ms = (double)t;
	}
	if (col_num(st, C_DUR, &d))
		r->duration_ms = d;
	struct slice is_txn = col(st, C_IS_TXN);
	r->is_segment = slice_eq(is_txn, "true") || slice_eq(is_txn, "1");
	struct slice op = r->op;
	bool db_op = op.len >= 2 && memcmp(op.ptr, "db", 2) == 0
		&& (op.len == 2 || op.ptr[2] == '.')
		&& !(op.len >= 8 && memcmp(op.ptr, "db.redis", 8) == 0)
		&& !(op.len >= 13 && memcmp(op.ptr, "db.connection", 13) == 0);
	r->is_db = db_op && memchr(r->description.ptr, ' ', r->description.len);
	return 1;
}

static void scsv_close(void *state)
{
	struct scsv_state *st = state;
	if (!st)
		return;
	csv_free(&st->cp);
	for (size_t i = 0; i < st->cap; i++)
		sb_release(&st->fields[i]);
	free(st->fields);
	free(st);
}

const struct parser parser_sentry_csv = {
	.id = "sentry-csv", .name = "Sentry Explore / Discover span export (CSV)",
	.probe = scsv_probe,
	.open = scsv_open, .next = scsv_next, .close = scsv_close,
};
