/* logentry.c: log entries from stderr-form text (see logentry.h). */
#include <string.h>

#include "logentry.h"

bool logentry_is_part(enum severity s)
{
	return s == SEV_DETAIL || s == SEV_HINT || s == SEV_CONTEXT
		|| s == SEV_STATEMENT || s == SEV_QUERY || s == SEV_LOCATION;
}

/* The prefix fields an entry carries, all slices into the line. */
#define FIELD_LIST(X) X(user) X(db) X(app) X(session) X(sqlstate) \
	X(query_id) X(backend_type) X(tz)

static struct slice to_slice(struct span sp, const char *base)
{
	return sp.set ? slice_make(base + sp.off, sp.end - sp.off) : SLICE_EMPTY;
}

static inline struct slice field(struct slice s)
{
	return s.len ? s : SLICE_EMPTY;
}

/* The prefix fields go straight into the entry, as pointers: keeping them
 * as offsets (and clearing the whole builder) cost about 400 instructions
 * an entry, an eighth of the stderr path. eb_finish() moves them by as
 * much as the record moved, which it rarely does (a refill mid-record). */
void eb_begin(struct entry_builder *b, const struct prefix_fields *f,
		const char *line, const char *base)
{
	eb_begin_in(b, &b->e, f, line, base);
}

void eb_begin_in(struct entry_builder *b, struct log_entry *e,
		const struct prefix_fields *f, const char *line, const char *base)
{
	b->dst = e;
	b->begin_base = (uintptr_t)base;
	e->ts_ms = f->ts_ms;
	e->tz_known = f->tz_known;
	e->pid = f->pid;
	e->leader_pid = f->leader_pid;
	e->severity = f->severity;
#define X(name) e->name = field(f->name);
	FIELD_LIST(X)
#undef X
	e->host = field(f->host.len ? f->host : f->remote);
	size_t off = (size_t)(line - base) + f->msg_off;
	b->parts[PART_MESSAGE] = (struct span){ off, off, true };
	for (int p = PART_MESSAGE + 1; p < PART_COUNT; p++)
		b->parts[p].set = false;
	b->cur = PART_MESSAGE;
	b->continued = false;
}

static inline bool is_state_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/* log_error_verbosity = verbose writes the SQLSTATE after the severity
 * ("ERROR:  22012: division by zero"), whatever the prefix holds. Five
 * digits or capitals then ": ", with a digit among them: every code the
 * server defines has one, and a message of the default verbosity that
 * starts with a word in capitals ("ERROR: ...", raised by a function) is
 * not taken for one. A prefix with %e gives the code already; the
 * message's copy is dropped only when it is the same. */
static size_t sqlstate_len(const char *s, size_t len, struct slice prefix_code)
{
	bool digit = false;
	if (len < 7 || s[5] != ':' || s[6] != ' ')
		return 0;
	for (size_t i = 0; i < 5; i++) {
		if (!is_state_char(s[i]))
			return 0;
		digit |= s[i] <= '9';
	}
	if (!digit || (prefix_code.len && (prefix_code.len != 5
			|| memcmp(prefix_code.ptr, s, 5) != 0)))
		return 0;
	return 7;
}

void eb_primary_end(struct entry_builder *b, const char *line, size_t len,
		const char *base)
{
	struct span *m = &b->parts[PART_MESSAGE];
	m->end = (size_t)(line - base) + len;
	const char *msg = base + m->off;
	size_t n = sqlstate_len(msg, m->end - m->off, b->dst->sqlstate);
	if (n) {
		b->dst->sqlstate = slice_make(msg, 5);
		m->off += n;
	}
}

void eb_continue(struct entry_builder *b, const char *line, size_t len,
		const char *base)
{
	b->continued = true;
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
	if (e != b->dst) {
		uint64_t line = e->line;
		*e = *b->dst;
		e->line = line;
	}
	if ((uintptr_t)base != b->begin_base) {
		/* Unsigned arithmetic: the old pointers are only moved, never
		 * read. An empty field is the static "" and stays. */
		uintptr_t delta = (uintptr_t)base - b->begin_base;
#define X(name) if (e->name.len) \
			e->name.ptr = (const char *)((uintptr_t)e->name.ptr + delta);
		FIELD_LIST(X)
		X(host)
#undef X
	}
	e->message = to_slice(b->parts[PART_MESSAGE], base);
	e->detail = to_slice(b->parts[PART_DETAIL], base);
	e->hint = to_slice(b->parts[PART_HINT], base);
	e->context = to_slice(b->parts[PART_CONTEXT], base);
	e->statement = to_slice(b->parts[PART_STATEMENT], base);
	e->internal_query = to_slice(b->parts[PART_QUERY], base);
	/* Without continuation lines no part holds a newline: readers
	 * need not look for "\n\t" (pgmsg_clean()). */
	e->tab_continued = b->continued;
}
