/* snapshots.c: collecting snapshot rows per input, merging the workers'
 * collections, recognising a view by its header, and the read-only
 * accessors (see snapshots.h). The pass is in snapshots_pass.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "snapshots_int.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

#define X(id, kind, names) { kind, names },
static const struct col_spec pgss_cols[] = { PGSS_COLS(X) };
static const struct col_spec index_cols[] = { INDEX_COLS(X) };
static const struct col_spec table_cols[] = { TABLE_COLS(X) };
static const struct col_spec age_cols[] = { AGE_COLS(X) };
#undef X

_Static_assert(P_NCOLS <= SNAP_MAXCOLS && I_NCOLS <= SNAP_MAXCOLS &&
	T_NCOLS <= SNAP_MAXCOLS && A_NCOLS <= SNAP_MAXCOLS, "SNAP_MAXCOLS too small");

/* The snapshot's time: the first alias a header has. */
static const char captured_names[] =
	"captured_at|snapshot_time|snapshot_at|snapped_at|collected_at|taken_at|ts|now";

const struct col_spec *snap_cols(enum stat_view v, size_t *n)
{
	switch (v) {
	case STAT_PGSS:
		*n = P_NCOLS;
		return pgss_cols;
	case STAT_INDEXES:
		*n = I_NCOLS;
		return index_cols;
	case STAT_TABLES:
	case STAT_STATIO_TABLES:
		*n = T_NCOLS;
		return table_cols;
	case STAT_DB_AGE:
	case STAT_REL_AGE:
		*n = A_NCOLS;
		return age_cols;
	}
	*n = 0;
	return NULL;
}

/* ---- recognising a view ---- */

static bool name_is(struct slice s, const char *name, size_t len)
{
	/* A dump may quote or pad a header; PostgreSQL writes bare lower case. */
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '"')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '"' ||
			s.ptr[s.len - 1] == '\r'))
		s.len--;
	return s.len == len && strncasecmp(s.ptr, name, len) == 0;
}

/* Index of the first alias of names ("a|b") in the header, -1 if none. */
static int find_col(const struct slice *hdr, size_t n, const char *names)
{
	for (const char *p = names; *p;) {
		size_t len = strcspn(p, "|");
		for (size_t i = 0; i < n; i++)
			if (name_is(hdr[i], p, len))
				return (int)i;
		p += len;
		if (*p == '|')
			p++;
	}
	return -1;
}

static bool has_all(const struct slice *hdr, size_t n, const char *const *names)
{
	for (; *names; names++)
		if (find_col(hdr, n, *names) < 0)
			return false;
	return true;
}

enum stat_view snapshots_detect_view(const struct slice *names, size_t n)
{
	static const char *const pgss[] = { "queryid", "calls", "query", NULL };
	static const char *const idx[] = { "indexrelname", "idx_scan", NULL };
	static const char *const tab[] = { "relname", "seq_scan", "n_live_tup", NULL };
	static const char *const statio[] = { "relname", "heap_blks_read", NULL };
	static const char *const dbage[] = { "datname",
		"xid_age|age|frozenxid_age|age_datfrozenxid", NULL };
	static const char *const relage[] = { "relname|relation|regclass|oid|tablename",
		"xid_age|age|frozenxid_age|age_relfrozenxid", NULL };
	if (has_all(names, n, pgss))
		return STAT_PGSS;
	if (has_all(names, n, idx))
		return STAT_INDEXES;
	if (has_all(names, n, tab))
		return STAT_TABLES;
	if (has_all(names, n, statio))
		return STAT_STATIO_TABLES;
	if (has_all(names, n, dbage))
		return STAT_DB_AGE;
	if (has_all(names, n, relage))
		return STAT_REL_AGE;
	return 0;
}

const char *snapshots_view_name(enum stat_view v)
{
	switch (v) {
	case STAT_PGSS: return "pg_stat_statements";
	case STAT_INDEXES: return "pg_stat_user_indexes";
	case STAT_TABLES: return "pg_stat_user_tables";
	case STAT_STATIO_TABLES: return "pg_statio_user_tables";
	case STAT_DB_AGE: return "pg_database ages";
	case STAT_REL_AGE: return "pg_class ages";
	}
	return "unknown";
}

const char *snapshots_view_columns(enum stat_view v)
{
	switch (v) {
	case STAT_PGSS: return "queryid, calls, query";
	case STAT_INDEXES: return "indexrelname, idx_scan";
	case STAT_TABLES: return "relname, seq_scan, n_live_tup";
	case STAT_STATIO_TABLES: return "relname, heap_blks_read";
	case STAT_DB_AGE: return "datname, age (or xid_age)";
	case STAT_REL_AGE: return "relname, age (or xid_age)";
	}
	return "";
}

/* ---- collecting ---- */

struct snapshots *snapshots_new(struct fp_cache *fp)
{
	struct snapshots *sn = xcalloc(1, sizeof(*sn));
	sn->fp = fp;
	return sn;
}

static void input_free(struct snap_input *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++) {
		struct snap_row *r = &in->rows[i];
		free(r->key);
		free(r->norm);
		for (size_t k = 0; k < SNAP_MAXCOLS; k++)
			free(r->text[k]);
	}
	free(in->rows);
	free(in);
}

void snapshots_free(struct snapshots *sn)
{
	if (!sn)
		return;
	for (size_t i = 0; i < sn->nin; i++)
		input_free(sn->in[i]);
	free(sn->in);
	sb_release(&sn->scratch);
	for (size_t v = 0; v < SNAP_NVIEWS; v++)
		free(sn->delta[v]);
	free(sn->stmts);
	free(sn->tables);
	free(sn->indexes);
	free(sn->ages);
	for (size_t i = 0; i < sn->nnotes; i++)
		free(sn->notes[i]);
	free(sn->notes);
	for (size_t i = 0; i < sn->nstrs; i++)
		free(sn->strs[i]);
	free(sn->strs);
	free(sn);
}

static void add_input(struct snapshots *sn, struct snap_input *in)
{
	if (sn->nin == sn->capin) {
		sn->capin = sn->capin ? sn->capin * 2 : 8;
		sn->in = xrealloc(sn->in, sn->capin * sizeof(*sn->in));
	}
	sn->in[sn->nin++] = in;
}

/* "2026-11-22 13:45:55.387736+00" (timestamptz as COPY writes it), or
 * ISO 8601 with a 'T'; TS_NONE when it is not a time. */
static int64_t parse_captured(struct slice s)
{
	char buf[64];
	int64_t ms;
	if (s.len == 0 || s.len >= sizeof(buf))
		return TS_NONE;
	memcpy(buf, s.ptr, s.len);
	buf[s.len] = '\0';
	if (s.len > 10 && buf[10] == 'T')
		buf[10] = ' ';
	size_t n = ts_parse_wallclock(buf, s.len, &ms);
	if (n == 0)
		return TS_NONE;
	/* COPY writes up to 6 fraction digits; ts_parse_wallclock takes 6. */
	const char *z = buf + n;
	while (*z == ' ')
		z++;
	int off = 0;
	if (*z == 'Z' || *z == 'z')
		return ms;
	if (*z && !ts_zone_offset(z, strlen(z), &off))
		return ms;
	return ms - (int64_t)off * MS_PER_MIN;
}

static struct snap_input *input_for(struct snapshots *sn, size_t input,
		const struct stat_row *r)
{
	if (sn->cur && sn->cur->input == input && sn->cur->view == r->view)
		return sn->cur;
	struct snap_input *in = xcalloc(1, sizeof(*in));
	in->input = input;
	in->view = r->view;
	in->captured_at = TS_NONE;
	in->ncols_header = r->ncols;
	size_t n;
	const struct col_spec *cols = snap_cols(r->view, &n);
	for (size_t i = 0; i < SNAP_MAXCOLS; i++)
		in->colmap[i] = i < n ? find_col(r->names, r->ncols, cols[i].names) : -1;
	in->captured_col = find_col(r->names, r->ncols, captured_names);
	add_input(sn, in);
	sn->cur = in;
	return in;
}

/* A number as COPY writes it ("12", "0.5", "1e+06"); false for NULL. */
static bool parse_num(struct slice s, double *out)
{
	char buf[64];
	if (s.len == 0 || s.len >= sizeof(buf))
		return false;
	memcpy(buf, s.ptr, s.len);
	buf[s.len] = '\0';
	char *end;
	double v = strtod(buf, &end);
	while (*end == ' ')
		end++;
	if (end == buf || *end)
		return false;
	*out = v;
	return true;
}

static void key_add(struct strbuf *k, const char *s)
{
	if (s)
		sb_append(k, s, strlen(s));
	sb_putc(k, '\x1f');
}

void snapshots_row(struct snapshots *sn, size_t input, const struct stat_row *r)
{
	if (r->view < STAT_PGSS || r->view > STAT_VIEW_LAST)
		return;
	struct snap_input *in = input_for(sn, input, r);
	if (in->captured_at == TS_NONE && in->captured_col >= 0 &&
			(size_t)in->captured_col < r->ncols)
		in->captured_at = parse_captured(r->values[in->captured_col]);
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 64;
		in->rows = xrealloc(in->rows, in->cap * sizeof(*in->rows));
	}
	struct snap_row *row = &in->rows[in->n++];
	memset(row, 0, sizeof(*row));
	size_t n;
	const struct col_spec *cols = snap_cols(r->view, &n);
	for (size_t i = 0; i < n; i++) {
		int c = in->colmap[i];
		if (c < 0 || (size_t)c >= r->ncols)
			continue;
		struct slice v = r->values[c];
		if (cols[i].kind == CK_TEXT) {
			if (v.len)
				row->text[i] = xstrndup(v.ptr, v.len);
		} else if (parse_num(v, &row->num[i])) {
			row->has |= 1u << i;
		}
	}

	struct strbuf k = STRBUF_INIT;
	if (r->view == STAT_PGSS) {
		const char *q = row->text[P_QUERY] ? row->text[P_QUERY] : "";
		if (sn->fp) {
			struct fp_entry *e = fp_cache_get(sn->fp, q, strlen(q), &sn->scratch);
			row->fp = e->fingerprint;
			row->lexical = e->lexical;
			row->norm = xstrndup(e->norm, e->norm_len);
		} else {
			row->fp = fp_lexical(q, strlen(q));
			row->lexical = true;
			row->norm = xstrdup(q);
		}
		key_add(&k, row->text[P_USERID]);
		key_add(&k, row->text[P_DBID] ? row->text[P_DBID] : row->text[P_DATNAME]);
		/* queryid is NULL for utility statements in some versions: the
		 * text tells them apart then. */
		key_add(&k, row->text[P_QUERYID] ? row->text[P_QUERYID] : q);
		key_add(&k, row->text[P_TOPLEVEL]);
	} else if (r->view == STAT_INDEXES) {
		key_add(&k, row->text[I_SCHEMA]);
		key_add(&k, row->text[I_TABLE]);
		key_add(&k, row->text[I_NAME]);
	} else if (r->view == STAT_DB_AGE || r->view == STAT_REL_AGE) {
		key_add(&k, row->text[A_SCHEMA]);
		key_add(&k, row->text[A_NAME]);
	} else {
		key_add(&k, row->text[T_SCHEMA]);
		key_add(&k, row->text[T_TABLE]);
	}
	row->key = xstrndup(k.buf ? k.buf : "", k.len);
	sb_release(&k);
}

void snapshots_end_input(struct snapshots *sn, size_t input)
{
	(void)input;
	sn->cur = NULL;
}

void snapshots_merge(struct snapshots *dst, struct snapshots *src)
{
	for (size_t i = 0; i < src->nin; i++)
		add_input(dst, src->in[i]);
	src->nin = 0;
	src->cur = NULL;
}

/* ---- helpers of the pass ---- */

void snap_note(struct snapshots *sn, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sn->notes = xrealloc(sn->notes, (sn->nnotes + 1) * sizeof(*sn->notes));
	sn->notes[sn->nnotes++] = xstrdup(msg);
}

const char *snap_keep(struct snapshots *sn, const char *s)
{
	if (!s)
		return NULL;
	if (sn->nstrs == sn->capstrs) {
		sn->capstrs = sn->capstrs ? sn->capstrs * 2 : 64;
		sn->strs = xrealloc(sn->strs, sn->capstrs * sizeof(*sn->strs));
	}
	return sn->strs[sn->nstrs++] = xstrdup(s);
}

bool snap_has(const struct snap_delta *d, int col)
{
	return d->has & (1u << col);
}

double snap_num(const struct snap_delta *d, int col)
{
	return snap_has(d, col) ? d->num[col] : -1;
}

bool snap_truthy(const char *s)
{
	return s && (tolower((unsigned char)s[0]) == 't' || s[0] == '1' ||
		tolower((unsigned char)s[0]) == 'y');
}

/* ---- accessors ---- */

bool snapshots_given(const struct snapshots *sn)
{
	return sn && (sn->given || sn->nin > 0);
}

const struct snap_view_info *snapshots_view(const struct snapshots *sn,
		enum stat_view v)
{
	if (!sn || v < STAT_PGSS || v > STAT_STATIO_TABLES)
		return NULL;
	return &sn->info[v];
}

size_t snapshots_statements(const struct snapshots *sn, const struct snap_stmt **out)
{
	*out = sn ? sn->stmts : NULL;
	return sn ? sn->nstmts : 0;
}

size_t snapshots_tables(const struct snapshots *sn, const struct snap_table **out)
{
	*out = sn ? sn->tables : NULL;
	return sn ? sn->ntables : 0;
}

size_t snapshots_indexes(const struct snapshots *sn, const struct snap_index **out)
{
	*out = sn ? sn->indexes : NULL;
	return sn ? sn->nindexes : 0;
}

size_t snapshots_notes(const struct snapshots *sn, const char *const **out)
{
	*out = sn ? (const char *const *)sn->notes : NULL;
	return sn ? sn->nnotes : 0;
}

const struct snap_table *snapshots_table(const struct snapshots *sn, const char *table)
{
	if (!sn || !table)
		return NULL;
	const char *dot = strchr(table, '.');
	for (size_t i = 0; i < sn->ntables; i++) {
		const struct snap_table *t = &sn->tables[i];
		bool match = dot ? t->schema && strlen(t->schema) == (size_t)(dot - table) &&
			strncmp(t->schema, table, (size_t)(dot - table)) == 0 &&
			strcmp(t->name, dot + 1) == 0 : strcmp(t->name, table) == 0;
		if (match)
			return t;
	}
	return NULL;
}

int64_t snapshots_table_rows(const struct snapshots *sn, const char *table)
{
	const struct snap_table *t = snapshots_table(sn, table);
	return t ? t->rows_estimate : -1;
}
