/* logentry.c: log entries from stderr-form text (see logentry.h). */
#include <string.h>

#include "logentry.h"

bool logentry_is_part(enum severity s)
{
	return s == SEV_DETAIL || s == SEV_HINT || s == SEV_CONTEXT
		|| s == SEV_STATEMENT || s == SEV_QUERY || s == SEV_LOCATION;
}

/* The prefix fields kept as offsets, in this order. */
#define FIELD_LIST(X) X(user) X(db) X(app) X(host) X(remote) X(session) \
	X(sqlstate) X(query_id) X(backend_type) X(tz)

static struct span to_span(struct slice s, const char *base)
{
	if (!s.len)
		return (struct span){ 0, 0, false };
	size_t off = (size_t)(s.ptr - base);
	return (struct span){ off, off + s.len, true };
}

static struct slice to_slice(struct span sp, const char *base)
{
	return sp.set ? slice_make(base + sp.off, sp.end - sp.off) : SLICE_EMPTY;
}

void eb_begin(struct entry_builder *b, const struct prefix_fields *f,
		const char *line, const char *base)
{
	memset(b, 0, sizeof(*b));
	b->f = *f;
	int i = 0;
#define X(name) b->fields[i++] = to_span(f->name, base);
	FIELD_LIST(X)
#undef X
	size_t off = (size_t)(line - base) + f->msg_off;
	b->parts[PART_MESSAGE] = (struct span){ off, off, true };
	b->cur = PART_MESSAGE;
}

void eb_primary_end(struct entry_builder *b, const char *line, size_t len,
		const char *base)
{
	b->parts[PART_MESSAGE].end = (size_t)(line - base) + len;
}

void eb_continue(struct entry_builder *b, const char *line, size_t len,
		const char *base)
{
	if (b->cur >= 0)
		b->parts[b->cur].end = (size_t)(line - base) + len;
}

static int part_of(enum severity s)
{
	switch (s) {
	case SEV_DETAIL: return PART_DETAIL;
	case SEV_HINT: return PART_HINT;
	case SEV_CONTEXT: return PART_CONTEXT;
	case SEV_STATEMENT: return PART_STATEMENT;
	case SEV_QUERY: return PART_QUERY;
	default: return -1;     /* LOCATION: nothing pgsift reads */
	}
}

void eb_part(struct entry_builder *b, const struct prefix_fields *f,
		const char *line, size_t len, const char *base)
{
	int p = part_of(f->severity);
	if (p < 0 || b->parts[p].set) {
		b->cur = -1;    /* its continuation lines belong to nothing kept */
		return;
	}
	size_t off = (size_t)(line - base) + f->msg_off;
	b->parts[p] = (struct span){ off, (size_t)(line - base) + len, true };
	b->cur = p;
}

void eb_finish(const struct entry_builder *b, const char *base, struct log_entry *e)
{
	const struct prefix_fields *f = &b->f;
	int i = 0;
#define X(name) struct slice name = to_slice(b->fields[i++], base);
	FIELD_LIST(X)
#undef X
	e->ts_ms = f->ts_ms;
	e->tz_known = f->tz_known;
	e->tz = tz;
	e->pid = f->pid;
	e->leader_pid = f->leader_pid;
	e->user = user;
	e->db = db;
	e->app = app;
	e->host = host.len ? host : remote;
	e->session = session;
	e->sqlstate = sqlstate;
	e->query_id = query_id;
	e->backend_type = backend_type;
	e->severity = f->severity;
	e->message = to_slice(b->parts[PART_MESSAGE], base);
	if (!e->message.len)
		e->message = slice_make(base + b->parts[PART_MESSAGE].off, 0);
	e->detail = to_slice(b->parts[PART_DETAIL], base);
	e->hint = to_slice(b->parts[PART_HINT], base);
	e->context = to_slice(b->parts[PART_CONTEXT], base);
	e->statement = to_slice(b->parts[PART_STATEMENT], base);
	e->internal_query = to_slice(b->parts[PART_QUERY], base);
	e->tab_continued = true;
}
