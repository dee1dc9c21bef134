/* events_pooler.c: the events' pooler module: what pgBouncer's log lines
 * (REC_POOLER records, parsers/pgbouncer.c) say (see pooler.h).
 *
 * A client's session is its "login attempt" up to its "closing because:
 * ... (age=Ns)", the age being pgBouncer's own count of the session's
 * seconds, so a session is counted from its close alone and a log cut in
 * the middle of one still gives its length. Clients and server
 * connections open at once are followed per input by their connection
 * ids (an address pgBouncer reuses for the next connection once closed),
 * for the peaks. A "stats:" line holds rates averaged since the one
 * before (pgBouncer's stats_period): the time between two lines of the
 * same input is its period, and rate x period gives the counts SHOW
 * STATS adds up. */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "pooler.h"
#include "timeutil.h"

/* The open connections of the input being read: a set of ids. */
struct pooler_open {
	uint64_t *ids;          /* 0: free; open addressing */
	size_t *rows;           /* per slot: its client's row + 1, 0: none */
	size_t cap, used;
	uint64_t clients, servers;
	int64_t last_stats_ts;  /* TS_NONE before the process's first */
	size_t first_point;     /* the process's first stats point, or SIZE_MAX */
	int64_t stats_pid;      /* the process that wrote the last one */
};

const char *pooler_error_name(enum pooler_error_kind k)
{
	static const char *const names[] = {
#define X(id, key, text) key,
		POOLER_ERROR_LIST(X)
#undef X
	};
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "";
}

static enum pooler_error_kind error_kind(struct slice m)
{
	static const char *const texts[] = {
#define X(id, key, text) text,
		POOLER_ERROR_LIST(X)
#undef X
	};
	for (size_t k = 0; k + 1 < ARRAY_SIZE(texts); k++)
		if (memmem(m.ptr, m.len, texts[k], strlen(texts[k])))
			return (enum pooler_error_kind)k;
	return PL_ERR_OTHER;
}

/* ---- life cycle ---- */

static struct pooler *pooler_get(struct events *ev)
{
	if (!ev->pooler) {
		ev->pooler = xcalloc(1, sizeof(*ev->pooler));
		ev->pooler->peak_clients_ts = TS_NONE;
		ev->pooler->first_ts = ev->pooler->last_ts = TS_NONE;
		ev->pooler->stats.peak_ts = TS_NONE;
	}
	return ev->pooler;
}

struct pooler *ev_pooler_get(struct events *ev)
{
	return pooler_get(ev);
}

static void open_free(struct pooler_open *o)
{
	if (!o)
		return;
	free(o->ids);
	free(o->rows);
	free(o);
}

void ev_pooler_free(struct events *ev)
{
	struct pooler *p = ev->pooler;
	if (!p)
		return;
	for (size_t i = 0; i < p->nrows; i++)
		free(p->rows[i].key);
	free(p->rows);
	for (size_t i = 0; i < p->nerrors; i++) {
		free(p->errors[i].key);
		free(p->errors[i].db);
		free(p->errors[i].user);
	}
	free(p->errors);
	ev_counts_release(&p->by_database);
	ev_counts_release(&p->by_user);
	ev_counts_release(&p->by_client);
	ev_counts_release(&p->client_closes);
	ev_counts_release(&p->server_closes);
	free(p->stats.v);
	open_free(p->open);
	ev_index_free(ev->pooler_rows_index);
	ev_index_free(ev->pooler_errors_index);
	ev->pooler_rows_index = ev->pooler_errors_index = NULL;
	free(p);
	ev->pooler = NULL;
}

const struct pooler *events_pooler(const struct events *ev)
{
	return ev ? ev->pooler : NULL;
}

/* ---- open connections ---- */

/* "C-0x55d0c5a3e8c0" as a number, its side in the low bit; 0 when the
 * id is not one. */
static uint64_t conn_id(struct slice s)
{
	if (s.len < 5 || s.ptr[2] != '0' || s.ptr[3] != 'x')
		return 0;
	uint64_t v = 0;
	for (size_t i = 4; i < s.len; i++) {
		char c = s.ptr[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
			c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return (v << 1 | (s.ptr[0] == 'S')) | (uint64_t)1 << 63;
}

static size_t slot_of(const struct pooler_open *o, uint64_t id)
{
	size_t i = (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (o->cap - 1);
	while (o->ids[i] && o->ids[i] != id)
		i = (i + 1) & (o->cap - 1);
	return i;
}

static struct pooler_open *open_get(struct pooler *p)
{
	if (!p->open) {
		p->open = xcalloc(1, sizeof(*p->open));
		p->open->cap = 64;
		p->open->ids = xcalloc(p->open->cap, sizeof(*p->open->ids));
		p->open->rows = xcalloc(p->open->cap, sizeof(*p->open->rows));
		p->open->last_stats_ts = TS_NONE;
		p->open->first_point = SIZE_MAX;
	}
	return p->open;
}

/* Adds id with its row (+ 1, 0: none); false when it was open already. */
static bool open_add(struct pooler_open *o, uint64_t id, size_t row)
{
	if ((o->used + 1) * 2 > o->cap) {
		uint64_t *old = o->ids;
		size_t *oldrows = o->rows;
		size_t oldcap = o->cap;
		o->cap *= 2;
		o->ids = xcalloc(o->cap, sizeof(*o->ids));
		o->rows = xcalloc(o->cap, sizeof(*o->rows));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i]) {
				size_t k = slot_of(o, old[i]);
				o->ids[k] = old[i];
				o->rows[k] = oldrows[i];
			}
		free(old);
		free(oldrows);
	}
	size_t i = slot_of(o, id);
	if (o->ids[i])
		return false;
	o->ids[i] = id;
	o->rows[i] = row;
	o->used++;
	return true;
}

/* Removes id; false when it was not open. *row gets its row + 1. */
static bool open_remove(struct pooler_open *o, uint64_t id, size_t *row)
{
	size_t i = slot_of(o, id);
	if (!o->ids[i])
		return false;
	*row = o->rows[i];
	o->ids[i] = 0;
	o->used--;
	/* Re-place the run after the hole (linear probing). */
	for (size_t j = (i + 1) & (o->cap - 1); o->ids[j]; j = (j + 1) & (o->cap - 1)) {
		uint64_t v = o->ids[j];
		size_t r = o->rows[j];
		o->ids[j] = 0;
		size_t k = slot_of(o, v);
		o->ids[k] = v;
		o->rows[k] = r;
	}
	return true;
}

/* ---- rows and errors ---- */

static const char *row_key(const void *rows, size_t i)
{
	return ((const struct pooler_row *)rows)[i].key;
}

static const char *error_key(const void *rows, size_t i)
{
	return ((const struct pooler_error *)rows)[i].key;
}

/* A row's key, "db\x1fuser\x1fclient", followed in the same block by its
 * parts, each ended by a NUL, which db, user and client point to. */
static void row_make(struct pooler_row *r, const char *key, size_t len)
{
	r->key = xmalloc(2 * len + 2);
	memcpy(r->key, key, len);
	r->key[len] = '\0';
	char *parts = r->key + len + 1;
	memcpy(parts, key, len + 1);
	parts[len] = '\0';
	r->db = parts;
	r->user = r->client = "";
	char *a = memchr(parts, '\x1f', len);
	if (!a)
		return;
	*a = '\0';
	r->user = a + 1;
	char *b = memchr(a + 1, '\x1f', (size_t)(parts + len - a - 1));
	if (!b)
		return;
	*b = '\0';
	r->client = b + 1;
}

struct pooler_row *ev_pooler_row(struct events *ev, const char *key, size_t len)
{
	struct pooler *p = ev->pooler;
	if (!ev->pooler_rows_index)
		ev->pooler_rows_index = ev_index_new();
	size_t i = ev_index_find(ev->pooler_rows_index, key, len, p->rows, row_key);
	if (i != SIZE_MAX)
		return &p->rows[i];
	if (p->nrows >= POOLER_ROWS_MAX)
		return NULL;
	if (p->nrows == p->caprows) {
		p->caprows = p->caprows ? p->caprows * 2 : 16;
		p->rows = xrealloc(p->rows, p->caprows * sizeof(*p->rows));
	}
	struct pooler_row *r = &p->rows[p->nrows];
	*r = (struct pooler_row){ 0 };
	row_make(r, key, len);
	ev_index_add(ev->pooler_rows_index, p->nrows++, p->rows, row_key);
	return r;
}

struct pooler_error *ev_pooler_error(struct events *ev, const char *key, size_t len)
{
	struct pooler *p = ev->pooler;
	if (!ev->pooler_errors_index)
		ev->pooler_errors_index = ev_index_new();
	size_t i = ev_index_find(ev->pooler_errors_index, key, len, p->errors, error_key);
	if (i != SIZE_MAX)
		return &p->errors[i];
	if (p->nerrors >= EV_ERROR_GROUPS_MAX)
		return NULL;
	if (p->nerrors == p->caperrors) {
		p->caperrors = p->caperrors ? p->caperrors * 2 : 16;
		p->errors = xrealloc(p->errors, p->caperrors * sizeof(*p->errors));
	}
	struct pooler_error *r = &p->errors[p->nerrors];
	*r = (struct pooler_error){ .key = xstrndup(key, len),
		.first_ts = TS_NONE, .last_ts = TS_NONE };
	const char *sep = memchr(r->key, '\x1f', len);
	r->message = sep ? sep + 1 : "";
	ev_index_add(ev->pooler_errors_index, p->nerrors++, p->errors, error_key);
	return r;
}

/* The row of e's database, user and client host; NULL past the limit. */
static struct pooler_row *row_of(struct events *ev, const struct log_entry *e)
{
	struct strbuf *k = &ev->key;
	sb_reset(k);
	sb_append(k, e->db.ptr, e->db.len);
	sb_putc(k, '\x1f');
	sb_append(k, e->user.ptr, e->user.len);
	sb_putc(k, '\x1f');
	sb_append(k, e->host.ptr, e->host.len);
	return ev_pooler_row(ev, k->buf, k->len);
}

static void ts_span(int64_t *first, int64_t *last, int64_t ts)
{
	if (ts == TS_NONE)
		return;
	if (*first == TS_NONE || ts < *first)
		*first = ts;
	if (*last == TS_NONE || ts > *last)
		*last = ts;
}

/* A reason as counted: the text before a ": value" ("no such database:
 * nodb"), numbers and quoted strings masked. */
static void reason_key(struct events *ev, struct slice r)
{
	const char *c = memmem(r.ptr, r.len, ": ", 2);
	if (c)
		r.len = (size_t)(c - r.ptr);
	events_normalize_message(r.ptr, r.len, &ev->norm);
}

static void error_line(struct events *ev, const struct log_entry *e)
{
	struct pooler *p = ev->pooler;
	struct slice m = e->message;
	if (ev_starts(m, "pooler error: "))
		m = slice_make(m.ptr + 14, m.len - 14);
	p->errors_total++;
	enum pooler_error_kind kind = error_kind(m);
	events_normalize_message(m.ptr, m.len, &ev->norm);
	struct strbuf *k = &ev->key;
	sb_reset(k);
	const char *name = pooler_error_name(kind);
	sb_append(k, name, strlen(name));
	sb_putc(k, '\x1f');
	if (ev->norm.len)
		sb_append(k, ev->norm.buf, ev->norm.len);
	struct pooler_error *r = ev_pooler_error(ev, k->buf, k->len);
	if (!r) {
		p->errors_dropped++;
		return;
	}
	if (!r->count) {
		r->kind = kind;
		r->severity = e->severity;
		r->db = ev_strdup(e->db);
		r->user = ev_strdup(e->user);
	}
	r->count++;
	ts_span(&r->first_ts, &r->last_ts, e->ts_ms);
	if (e->session.len && e->session.ptr[0] == 'C' && e->db.len) {
		struct pooler_row *row = row_of(ev, e);
		if (row)
			row->errors++;
	}
}

/* "closing because: REASON (age=Ns)" of a client or a server. */
static void closing(struct events *ev, const struct log_entry *e, bool client)
{
	struct pooler *p = ev->pooler;
	struct pooler_open *o = open_get(p);
	struct slice r = slice_make(e->message.ptr + 17, e->message.len - 17);
	double age = -1;
	const char *a = r.len > 6 ? memmem(r.ptr, r.len, " (age=", 6) : NULL;
	if (a) {
		uint64_t v;
		size_t n = ev_parse_u64(a + 6, (size_t)(r.ptr + r.len - a - 6), &v);
		if (n)
			age = (double)v;
		r.len = (size_t)(a - r.ptr);
	}
	reason_key(ev, r);
	ev_counts_add(client ? &p->client_closes : &p->server_closes,
			ev->norm.buf ? ev->norm.buf : "", ev->norm.len, 1);
	uint64_t id = conn_id(e->session);
	size_t at = 0;
	bool was_open = id && open_remove(o, id, &at);
	if (was_open)
		client ? o->clients-- : o->servers--;
	/* A session: a client that logged in (or tried to), in the row of
	 * its login (whose line names the database the client asked for);
	 * one whose login was before the log's start names its database. */
	if (!client || (!was_open && !e->db.len))
		return;
	p->sessions++;
	struct pooler_row *row = at ? &p->rows[at - 1] : was_open ? NULL :
		row_of(ev, e);
	if (age >= 0) {
		p->session_total_s += age;
		if (age > p->session_max_s)
			p->session_max_s = age;
	}
	if (!row)
		return;
	row->sessions++;
	if (age >= 0) {
		row->total_s += age;
		if (age > row->max_s)
			row->max_s = age;
	}
}

static void login(struct events *ev, const struct log_entry *e)
{
	struct pooler *p = ev->pooler;
	struct pooler_open *o = open_get(p);
	p->logins++;
	ev_counts_add(&p->by_database, e->db.ptr, e->db.len, 1);
	ev_counts_add(&p->by_user, e->user.ptr, e->user.len, 1);
	ev_counts_add(&p->by_client, e->host.ptr, e->host.len, 1);
	struct pooler_row *row = row_of(ev, e);
	if (row)
		row->logins++;
	else
		p->rows_other++;
	uint64_t id = conn_id(e->session);
	size_t at = row ? (size_t)(row - p->rows) + 1 : 0;
	if (id && open_add(o, id, at) && ++o->clients > p->peak_clients) {
		p->peak_clients = o->clients;
		p->peak_clients_ts = e->ts_ms;
	}
}

/* "stats: N xacts/s, N queries/s, in N B/s, out N B/s, xact N us, query
 * N us, wait N us" (1.10 on; 1.8 and 1.9 wrote "wait time N us", 1.7
 * "Stats: N req/s, in N b/s, out N b/s,query N us"): each number is
 * known by the word after it (xacts/s, queries/s, req/s) or before it. */
static bool word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

static void stats_line(struct events *ev, const struct log_entry *e)
{
	struct pooler *p = ev->pooler;
	struct pooler_open *o = open_get(p);
	struct pooler_point v = { .ts_ms = e->ts_ms };
	const char *start = e->message.ptr + 7, *end = e->message.ptr + e->message.len;
	for (const char *s = start; s < end; ) {
		if (!(*s >= '0' && *s <= '9') || (s[-1] != ' ' && s[-1] != ',')) {
			s++;
			continue;
		}
		uint64_t x;
		size_t n = ev_parse_u64(s, (size_t)(end - s), &x);
		const char *after = s + n + (s + n < end && s[n] == ' ');
		size_t an = 0;
		while (after + an < end && after[an] != ',' && after[an] != ' ')
			an++;
		const char *w = s - 1;
		while (w > start && w[-1] == ' ')
			w--;
		const char *we = w;
		while (w > start && w[-1] >= 'a' && w[-1] <= 'z')
			w--;
		size_t wn = (size_t)(we - w);
		double d = (double)x;
		if (word_is(after, an, "xacts/s"))
			v.xacts_s = d;
		else if (word_is(after, an, "queries/s") || word_is(after, an, "req/s"))
			v.queries_s = d;
		else if (word_is(w, wn, "in"))
			v.in_bps = d;
		else if (word_is(w, wn, "out"))
			v.out_bps = d;
		else if (word_is(w, wn, "xact"))
			v.xact_us = d;
		else if (word_is(w, wn, "query"))
			v.query_us = d;
		else if (word_is(w, wn, "wait") || word_is(w, wn, "time"))
			v.wait_us = d;
		s += n ? n : 1;
	}
	/* Another process (a restart): its first line's period is its own. */
	if (e->pid != o->stats_pid) {
		o->stats_pid = e->pid;
		o->last_stats_ts = TS_NONE;
		o->first_point = SIZE_MAX;
	}
	struct pooler_stats *st = &p->stats;
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->v = xrealloc(st->v, st->cap * sizeof(*st->v));
	}
	struct pooler_point *pt = &st->v[st->n];
	*pt = v;
	if (o->last_stats_ts != TS_NONE && e->ts_ms != TS_NONE &&
			e->ts_ms > o->last_stats_ts)
		pt->period_s = (double)(e->ts_ms - o->last_stats_ts) / 1000.0;
	if (o->first_point == SIZE_MAX) {
		o->first_point = st->n;
	} else if (o->first_point == st->n - 1 && !st->v[o->first_point].period_s) {
		/* The input's first line: its period is taken as the next's. */
		st->v[o->first_point].period_s = pt->period_s;
		ev_pooler_stats_count(st, &st->v[o->first_point]);
	}
	o->last_stats_ts = e->ts_ms != TS_NONE ? e->ts_ms : o->last_stats_ts;
	st->n++;
	st->lines++;
	ev_pooler_stats_count(st, pt);
}

void ev_pooler_stats_count(struct pooler_stats *st, const struct pooler_point *pt)
{
	if (pt->queries_s > st->peak_queries_s ||
			(st->peak_ts == TS_NONE && pt->ts_ms != TS_NONE)) {
		if (pt->queries_s >= st->peak_queries_s)
			st->peak_ts = pt->ts_ms;
		if (pt->queries_s > st->peak_queries_s)
			st->peak_queries_s = pt->queries_s;
	}
	if (pt->xacts_s > st->peak_xacts_s)
		st->peak_xacts_s = pt->xacts_s;
	double d = pt->period_s;
	if (!d)
		return;
	st->seconds += d;
	st->xacts += pt->xacts_s * d;
	st->queries += pt->queries_s * d;
	st->bytes_in += pt->in_bps * d;
	st->bytes_out += pt->out_bps * d;
	st->wait_s += pt->wait_us * d / 1e6;
	st->xact_us_sum += pt->xact_us * pt->xacts_s * d;
	st->query_us_sum += pt->query_us * pt->queries_s * d;
}

void ev_pooler_record(struct events *ev, const struct log_entry *e)
{
	struct pooler *p = pooler_get(ev);
	p->lines++;
	ts_span(&p->first_ts, &p->last_ts, e->ts_ms);
	struct slice m = e->message;
	bool client = e->session.len && e->session.ptr[0] == 'C';
	if (e->severity == SEV_WARNING || e->severity == SEV_ERROR ||
			e->severity == SEV_FATAL) {
		error_line(ev, e);
		return;
	}
	if (e->severity != SEV_LOG)
		return;
	if (ev_starts(m, "closing because: ") && e->session.len) {
		closing(ev, e, client);
	} else if (client && ev_starts(m, "login attempt: ")) {
		login(ev, e);
	} else if (client && ev_starts(m, "login failed: ")) {
		p->login_failed++;
		struct pooler_row *row = row_of(ev, e);
		if (row)
			row->login_failed++;
	} else if (!client && e->session.len && ev_starts(m, "new connection to server")) {
		struct pooler_open *o = open_get(p);
		p->server_connections++;
		uint64_t id = conn_id(e->session);
		if (id && open_add(o, id, 0) && ++o->servers > p->peak_servers)
			p->peak_servers = o->servers;
	} else if (!e->session.len && ev_starts(m, "process up")) {
		/* Restarted: no connection of before is open, and the stats
		 * start again. */
		struct pooler_open *o = open_get(p);
		memset(o->ids, 0, o->cap * sizeof(*o->ids));
		o->used = 0;
		o->clients = o->servers = 0;
		o->stats_pid = -2;
	} else if (!e->session.len && (ev_starts(m, "stats: ") ||
			ev_starts(m, "Stats: "))) {
		stats_line(ev, e);
	}
}

void ev_pooler_end_input(struct events *ev)
{
	if (!ev->pooler)
		return;
	open_free(ev->pooler->open);
	ev->pooler->open = NULL;
}

/* ---- merge and order ---- */

/* Joins point b (later) into a: rates averaged over their time, the
 * averages over their counts. */
static void point_join(struct pooler_point *a, const struct pooler_point *b)
{
	double da = a->period_s, db = b->period_s, d = da + db;
	double wa = d ? da / d : 0.5, wb = d ? db / d : 0.5;
	double xa = a->xacts_s * (d ? da : 1), xb = b->xacts_s * (d ? db : 1);
	double qa = a->queries_s * (d ? da : 1), qb = b->queries_s * (d ? db : 1);
	a->xact_us = xa + xb > 0 ? (a->xact_us * xa + b->xact_us * xb) / (xa + xb) : 0;
	a->query_us = qa + qb > 0 ? (a->query_us * qa + b->query_us * qb) / (qa + qb) : 0;
	a->xacts_s = a->xacts_s * wa + b->xacts_s * wb;
	a->queries_s = a->queries_s * wa + b->queries_s * wb;
	a->in_bps = a->in_bps * wa + b->in_bps * wb;
	a->out_bps = a->out_bps * wa + b->out_bps * wb;
	a->wait_us = a->wait_us * wa + b->wait_us * wb;
	a->period_s = d;
	a->ts_ms = b->ts_ms;
}

static int cmp_point(const void *x, const void *y)
{
	const struct pooler_point *a = x, *b = y;
	return cmp_i64(a->ts_ms, b->ts_ms);
}

static int cmp_row(const void *x, const void *y)
{
	const struct pooler_row *a = x, *b = y;
	if (a->logins != b->logins)
		return a->logins < b->logins ? 1 : -1;
	if (a->sessions != b->sessions)
		return a->sessions < b->sessions ? 1 : -1;
	return strcmp(a->key, b->key);
}

static int cmp_error(const void *x, const void *y)
{
	const struct pooler_error *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->key, b->key);
}

void ev_pooler_sort(struct events *ev)
{
	struct pooler *p = ev->pooler;
	if (!p)
		return;
	ev_counts_sort(&p->by_database);
	ev_counts_sort(&p->by_user);
	ev_counts_sort(&p->by_client);
	ev_counts_sort(&p->client_closes);
	ev_counts_sort(&p->server_closes);
	if (p->nrows)
		qsort(p->rows, p->nrows, sizeof(*p->rows), cmp_row);
	if (ev->pooler_rows_index)
		ev_index_rebuild(ev->pooler_rows_index, p->nrows, p->rows, row_key);
	if (p->nerrors)
		qsort(p->errors, p->nerrors, sizeof(*p->errors), cmp_error);
	if (ev->pooler_errors_index)
		ev_index_rebuild(ev->pooler_errors_index, p->nerrors, p->errors, error_key);
	struct pooler_stats *st = &p->stats;
	if (st->n > 1)
		qsort(st->v, st->n, sizeof(*st->v), cmp_point);
	/* Too many points for a timeline a person reads: join neighbours. */
	while (st->n > POOLER_POINTS_MAX) {
		size_t k = 0;
		for (size_t i = 0; i < st->n; i += 2, k++) {
			st->v[k] = st->v[i];
			if (i + 1 < st->n)
				point_join(&st->v[k], &st->v[i + 1]);
		}
		st->n = k;
	}
}

static void rows_merge(struct events *dst, struct pooler *s)
{
	struct pooler *d = dst->pooler;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct pooler_row *r = &s->rows[i];
		struct pooler_row *t = ev_pooler_row(dst, r->key, strlen(r->key));
		if (!t) {
			d->rows_other += r->logins;
			continue;
		}
		t->logins += r->logins;
		t->login_failed += r->login_failed;
		t->sessions += r->sessions;
		t->total_s += r->total_s;
		if (r->max_s > t->max_s)
			t->max_s = r->max_s;
		t->errors += r->errors;
	}
	d->rows_other += s->rows_other;
}

static void errors_merge(struct events *dst, struct pooler *s)
{
	struct pooler *d = dst->pooler;
	for (size_t i = 0; i < s->nerrors; i++) {
		struct pooler_error *r = &s->errors[i];
		struct pooler_error *t = ev_pooler_error(dst, r->key, strlen(r->key));
		if (!t) {
			d->errors_dropped += r->count;
			continue;
		}
		if (!t->count) {
			t->kind = r->kind;
			t->severity = r->severity;
			t->db = r->db;
			t->user = r->user;
			r->db = r->user = NULL;
		}
		t->count += r->count;
		ts_span(&t->first_ts, &t->last_ts, r->first_ts);
		ts_span(&t->first_ts, &t->last_ts, r->last_ts);
	}
	d->errors_dropped += s->errors_dropped;
}

void ev_pooler_merge(struct events *dst, struct events *src)
{
	struct pooler *s = src->pooler;
	if (!s)
		return;
	struct pooler *d = pooler_get(dst);
	d->lines += s->lines;
	ts_span(&d->first_ts, &d->last_ts, s->first_ts);
	ts_span(&d->first_ts, &d->last_ts, s->last_ts);
	d->logins += s->logins;
	d->login_failed += s->login_failed;
	d->sessions += s->sessions;
	d->session_total_s += s->session_total_s;
	if (s->session_max_s > d->session_max_s)
		d->session_max_s = s->session_max_s;
	d->server_connections += s->server_connections;
	if (s->peak_clients > d->peak_clients) {
		d->peak_clients = s->peak_clients;
		d->peak_clients_ts = s->peak_clients_ts;
	}
	if (s->peak_servers > d->peak_servers)
		d->peak_servers = s->peak_servers;
	ev_counts_merge(&d->by_database, &s->by_database);
	ev_counts_merge(&d->by_user, &s->by_user);
	ev_counts_merge(&d->by_client, &s->by_client);
	ev_counts_merge(&d->client_closes, &s->client_closes);
	ev_counts_merge(&d->server_closes, &s->server_closes);
	rows_merge(dst, s);
	errors_merge(dst, s);
	d->errors_total += s->errors_total;
	struct pooler_stats *a = &d->stats, *b = &s->stats;
	if (a->n + b->n > a->cap) {
		a->cap = a->n + b->n;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	if (b->n)
		memcpy(a->v + a->n, b->v, b->n * sizeof(*b->v));
	a->n += b->n;
	a->lines += b->lines;
	a->seconds += b->seconds;
	a->xacts += b->xacts;
	a->queries += b->queries;
	a->bytes_in += b->bytes_in;
	a->bytes_out += b->bytes_out;
	a->wait_s += b->wait_s;
	a->xact_us_sum += b->xact_us_sum;
	a->query_us_sum += b->query_us_sum;
	if (b->peak_xacts_s > a->peak_xacts_s)
		a->peak_xacts_s = b->peak_xacts_s;
	if (b->peak_queries_s > a->peak_queries_s ||
			(a->peak_ts == TS_NONE && b->peak_ts != TS_NONE)) {
		a->peak_queries_s = b->peak_queries_s > a->peak_queries_s ?
			b->peak_queries_s : a->peak_queries_s;
		a->peak_ts = b->peak_ts;
	}
	ev_pooler_free(src);
}

size_t pooler_timeline_rows(const struct pooler_stats *s, size_t max,
		struct pooler_point *out)
{
	if (!max || !s->n)
		return 0;
	size_t per = (s->n + max - 1) / max, n = 0;
	for (size_t i = 0; i < s->n; i += per) {
		out[n] = s->v[i];
		for (size_t j = i + 1; j < i + per && j < s->n; j++)
			point_join(&out[n], &s->v[j]);
		n++;
	}
	return n;
}
