/* traces_logloop.c: N+1 loops in a server log.
 *
 * The calls of one backend (pid, else the %c session) arrive in log order.
 * A loop is a run of executions of one fingerprint, each within max_gap_ms
 * of the one before, right after a different statement (the source, also
 * within max_gap_ms). Every run of two or more after a source is kept as
 * an occurrence; traces_pass applies min_repeats, so that the threshold
 * can change after the inputs are read. Runs are settled when another
 * statement or a long pause breaks them, and at the end of the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "state.h"
#include "timeutil.h"
#include "traces_int.h"
#include "util.h"
#include "xxhash.h"

struct lrun {
	uint64_t key;                   /* 0: free slot */
	int64_t pid;
	struct fp_entry *last;          /* the previous call's statement */
	int64_t last_ts;
	struct fp_entry *src;           /* the run's source, NULL when none */
	struct fp_entry *rep;           /* the repeated statement */
	unsigned count;
	double total_ms;
	int64_t first_ts;
	const char *app, *session;
	size_t app_len, session_len;
	/* One repeat as logged, when has_query; the buffer stays with the
	 * backend: a malloc and a free per call were a third of this file's
	 * time on a log of short statements. */
	char *query;
	size_t query_cap;
	bool has_query;
	/* The strings of this backend's last occurrence, shared by the next
	 * one of the same loop: memory follows the loops, not their runs. */
	size_t prev;                    /* index in tr->occ, plus one; 0: none */
	/* The backend's first run in a later range: the calls before it are
	 * in another state, so whether it goes on a run begun there, and its
	 * source, are settled by tr_log_hand_over(). */
	bool head;
};

static uint64_t backend_key(const struct call *c)
{
	uint64_t k = c->pid > 0 ? (uint64_t)c->pid
		: c->session.len ? XXH3_64bits(c->session.ptr, c->session.len) | (1ull << 63)
		: 1;
	return k ? k : 1;
}

static void settle(struct traces *tr, struct lrun *r);

/* How far behind the latest call a backend's last call must be before its
 * run is settled early. Lines of one input come in log order up to the
 * scheduling of the server's processes (milliseconds); a minute more than
 * the loop gap leaves a wide margin. */
#define RUN_IDLE_SLACK_MS 60000

/* True when no later call of r's backend can continue r: its last call is
 * untimed (near() is false for it) or far older than the latest call. */
static bool run_idle(const struct traces *tr, const struct lrun *r)
{
	if (r->last_ts == TS_NONE)
		return true;
	return tr->runs_max_ts != TS_NONE && r->last_ts < tr->runs_max_ts
		- (int64_t)tr->limits.max_gap_ms - RUN_IDLE_SLACK_MS;
}

/* Before the table grows: settles and drops the runs of idle backends, so
 * that a log of a million short sessions costs the backends active at
 * once, not every pid it saw. What a dropped backend kept (its last
 * statement, app and session strings) only served a call within
 * max_gap_ms, or shared strings between occurrences. */
static void runs_drop_idle(struct traces *tr)
{
	size_t kept = 0;
	for (size_t i = 0; i < tr->runs_cap; i++) {
		struct lrun *r = &tr->runs[i];
		if (!r->key)
			continue;
		if (run_idle(tr, r)) {
			settle(tr, r);
			free(r->query);
			*r = (struct lrun){ 0 };
		} else {
			kept++;
		}
	}
	tr->nruns = kept;
}

static size_t run_home(uint64_t key, size_t cap)
{
	return (size_t)(key * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
}

static struct lrun *run_get(struct traces *tr, uint64_t key)
{
	if ((tr->nruns + 1) * 2 > tr->runs_cap) {
		struct lrun *old = tr->runs;
		size_t oldn = tr->runs_cap;
		if (oldn)
			runs_drop_idle(tr);
		/* Rehash at the same size when dropping freed enough, else grow. */
		if (!oldn)
			tr->runs_max_ts = TS_NONE;      /* a new input */
		tr->runs_cap = !oldn ? 64 : (tr->nruns + 1) * 4 > oldn ? oldn * 2 : oldn;
		tr->runs = xcalloc(tr->runs_cap, sizeof(*tr->runs));
		for (size_t i = 0; i < oldn; i++) {
			if (!old[i].key)
				continue;
			size_t j = run_home(old[i].key, tr->runs_cap);
			while (tr->runs[j].key)
				j = (j + 1) & (tr->runs_cap - 1);
			tr->runs[j] = old[i];
		}
		free(old);
	}
	size_t mask = tr->runs_cap - 1;
	size_t i = run_home(key, tr->runs_cap);
	while (tr->runs[i].key && tr->runs[i].key != key)
		i = (i + 1) & mask;
	if (!tr->runs[i].key) {
		tr->runs[i].key = key;
		tr->runs[i].head = tr->later_range;
		tr->nruns++;
	}
	return &tr->runs[i];
}

/* The run of key, or NULL. */
static struct lrun *run_find(struct traces *tr, uint64_t key)
{
	if (!tr->runs_cap)
		return NULL;
	size_t mask = tr->runs_cap - 1;
	for (size_t i = run_home(key, tr->runs_cap); tr->runs[i].key; i = (i + 1) & mask)
		if (tr->runs[i].key == key)
			return &tr->runs[i];
	return NULL;
}

/* Frees r's slot (its query freed), keeping every probe chain whole. */
static void run_remove(struct traces *tr, struct lrun *r)
{
	size_t mask = tr->runs_cap - 1, i = (size_t)(r - tr->runs);
	free(r->query);
	*r = (struct lrun){ 0 };
	tr->nruns--;
	for (size_t j = (i + 1) & mask; tr->runs[j].key; j = (j + 1) & mask) {
		size_t home = run_home(tr->runs[j].key, tr->runs_cap);
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		tr->runs[i] = tr->runs[j];
		tr->runs[j] = (struct lrun){ 0 };
		i = j;
	}
}

/* Keeps a head that ended (its backend's later runs go on in r) for
 * tr_log_hand_over(). */
static void stash_head(struct traces *tr, struct lrun *r)
{
	if (tr->nheads == tr->heads_cap) {
		tr->heads_cap = tr->heads_cap ? 2 * tr->heads_cap : 16;
		tr->heads = xrealloc(tr->heads, tr->heads_cap * sizeof(*tr->heads));
	}
	struct lrun *h = &tr->heads[tr->nheads++];
	*h = *r;
	r->query = NULL;        /* the buffer goes with the head */
	r->query_cap = 0;
	r->has_query = false;
	r->head = false;
	r->src = r->rep = NULL;
	r->count = 0;
	r->total_ms = 0;
}

/* Keeps the run as an occurrence when it is a loop after a source. */
static void settle(struct traces *tr, struct lrun *r)
{
	if (r->head && r->rep) {
		stash_head(tr, r);
		return;
	}
	/* Runs shorter than the threshold are not loops: the limits are set
	 * before the inputs are read, so they need not be kept. */
	if (r->src && r->rep && r->count >= 2 && r->count >= tr->limits.min_repeats) {
		struct loop_occ *o = tr_add_occ(tr);   /* may move tr->occ */
		const struct loop_occ *prev = r->prev ? &tr->occ[r->prev - 1] : NULL;
		bool same = prev && prev->src_fp == r->src->fingerprint
			&& prev->rep_fp == r->rep->fingerprint;
		char ex[48];
		o->from_log = true;
		o->src_fp = r->src->fingerprint;
		o->rep_fp = r->rep->fingerprint;
		o->src_norm = same ? prev->src_norm : tr_strdup(tr, r->src->norm, r->src->norm_len);
		o->rep_norm = same ? prev->rep_norm : tr_strdup(tr, r->rep->norm, r->rep->norm_len);
		o->src_lexical = r->src->lexical;
		o->rep_lexical = r->rep->lexical;
		o->where = o->txn = r->app ? r->app : "";
		if (r->pid > 0)
			snprintf(ex, sizeof(ex), "pid %lld", (long long)r->pid);
		else
			snprintf(ex, sizeof(ex), "session %.30s", r->session ? r->session : "?");
		o->example = same && strcmp(prev->example, ex) == 0 ? prev->example
			: tr_strdup(tr, ex, strlen(ex));
		o->rep_query = same ? prev->rep_query
			: r->has_query ? tr_strdup(tr, r->query, strlen(r->query)) : "";
		o->repeats = r->count;
		o->total_ms = o->union_ms = r->total_ms;
		o->ts = r->first_ts;
		r->prev = (size_t)(o - tr->occ) + 1;
	}
	r->has_query = false;
	r->src = r->rep = NULL;
	r->count = 0;
	r->total_ms = 0;
}

static bool near(const struct traces *tr, int64_t a, int64_t b)
{
	return a != TS_NONE && b != TS_NONE && b - a <= (int64_t)tr->limits.max_gap_ms
		&& b >= a;
}

/* old (of strlen *len) when it already holds s (a backend's application
 * and session rarely change), else a copy: one copy per change, not per
 * run, so memory does not grow with the log. */
static const char *same_or_copy(struct traces *tr, const char *old,
		size_t *len, struct slice s)
{
	const char *to;
	if (s.len == 0) {       /* not logged: the slice may hold no pointer */
		to = old && !*old ? old : tr_strdup(tr, "", 0);
	} else if (old && *len == s.len && memcmp(old, s.ptr, s.len) == 0) {
		return old;
	} else {
		to = tr_strdup(tr, s.ptr, s.len);
	}
	*len = s.len;
	return to;
}

static void keep_query(struct lrun *r, struct slice q)
{
	if (q.len + 1 > r->query_cap) {
		r->query_cap = q.len + 1 > 2 * r->query_cap ? q.len + 1 : 2 * r->query_cap;
		r->query = xrealloc(r->query, r->query_cap);
	}
	memcpy(r->query, q.ptr, q.len);
	r->query[q.len] = '\0';
	r->has_query = true;
}

/* A query a foreign key's trigger ran (ri_triggers.c: "SELECT 1 FROM
 * ONLY ... x WHERE ... OPERATOR(pg_catalog.=) ...", "DELETE FROM ONLY",
 * "UPDATE ONLY"), which auto_explain logs with log_nested_statements: one
 * per row a cascade touches, inside its statement, before that
 * statement's own line. Not the application's loop: the loop is left as
 * if it were not there (5 cascaded deletes of one DELETE were taken for
 * an N+1 after the statement before it). */
static bool ri_query(struct slice q)
{
	static const char sel[] = "SELECT 1 FROM ONLY ", del[] = "DELETE FROM ONLY ",
		upd[] = "UPDATE ONLY ", mark[] = " OPERATOR(pg_catalog.";
	if (q.len < 32)
		return false;
	/* Called on every statement, most of them SELECTs: the eighth byte
	 * ('1', 'F', 'O') tells the application's apart before a compare
	 * (strlen and memcmp here were 1.3% of a run on a log of short
	 * SELECTs). */
	bool ri;
	switch (q.ptr[0]) {
	case 'S':
		ri = q.ptr[7] == '1' && memcmp(q.ptr, sel, sizeof(sel) - 1) == 0;
		break;
	case 'D':
		ri = q.ptr[7] == 'F' && memcmp(q.ptr, del, sizeof(del) - 1) == 0;
		break;
	case 'U':
		ri = q.ptr[7] == 'O' && memcmp(q.ptr, upd, sizeof(upd) - 1) == 0;
		break;
	default:
		return false;
	}
	return ri && memmem(q.ptr, q.len, mark, sizeof(mark) - 1) != NULL;
}

void tr_log_call(struct traces *tr, const struct call *c)
{
	if (!c->entry || ri_query(c->query))
		return;
	struct lrun *r = run_get(tr, backend_key(c));
	if (c->ts_ms != TS_NONE && (tr->runs_max_ts == TS_NONE || tr->runs_max_ts < c->ts_ms))
		tr->runs_max_ts = c->ts_ms;
	r->pid = c->pid;
	double ms = c->timed ? c->duration_ms : 0;
	if (r->rep && r->rep->fingerprint == c->entry->fingerprint && near(tr, r->last_ts, c->ts_ms)) {
		r->count++;
		r->total_ms = ms_add(r->total_ms, ms);
	} else {
		settle(tr, r);
		if (r->last && r->last->fingerprint != c->entry->fingerprint && near(tr, r->last_ts, c->ts_ms))
			r->src = r->last;
		r->rep = c->entry;
		r->count = 1;
		r->total_ms = ms;
		r->first_ts = c->ts_ms;
		keep_query(r, c->query);
		r->app = same_or_copy(tr, r->app, &r->app_len, c->app);
		r->session = same_or_copy(tr, r->session, &r->session_len, c->session);
	}
	r->last = c->entry;
	r->last_ts = c->ts_ms;
}

/* Heads not joined (none are when the driver hands every backend over)
 * are runs without a known source. */
static void heads_release(struct traces *tr, bool keep)
{
	for (size_t i = 0; i < tr->nheads; i++) {
		struct lrun *h = &tr->heads[i];
		if (keep && h->head) {
			h->head = false;
			settle(tr, h);
		}
		free(h->query);
	}
	free(tr->heads);
	tr->heads = NULL;
	tr->nheads = tr->heads_cap = tr->heads_sorted = 0;
}

void tr_log_end_input(struct traces *tr)
{
	for (size_t i = 0; i < tr->runs_cap; i++) {
		if (tr->runs[i].key) {
			tr->runs[i].head = false;
			settle(tr, &tr->runs[i]);
		}
		free(tr->runs[i].query);
	}
	free(tr->runs);
	tr->runs = NULL;
	tr->nruns = tr->runs_cap = 0;
	heads_release(tr, true);
	tr->later_range = false;
}

void tr_log_free(struct traces *tr)
{
	for (size_t i = 0; i < tr->runs_cap; i++)
		free(tr->runs[i].query);
	free(tr->runs);
	tr->runs = NULL;
	heads_release(tr, false);
}

/* ---- one input read in ranges (sink.h) ---- */

void tr_log_begin_range(struct traces *tr)
{
	tr->later_range = true;
}

/* r's application and session become copies, in to, of from's: from's
 * strings live in from's arena. */
static void take_names(struct traces *to, struct lrun *r, const struct lrun *from)
{
	r->app = same_or_copy(to, NULL, &r->app_len,
		slice_make(from->app, from->app ? from->app_len : 0));
	r->session = same_or_copy(to, NULL, &r->session_len,
		slice_make(from->session, from->session ? from->session_len : 0));
}

/* h, a head of to, follows prev of from (NULL: the backend made no call
 * before): settles what -j 1 settles at h's first call, as it would. */
static void join_head(struct traces *to, struct lrun *h, struct traces *from,
		struct lrun *prev)
{
	h->head = false;
	if (prev && prev->rep && prev->rep->fingerprint == h->rep->fingerprint &&
			near(to, prev->last_ts, h->first_ts)) {
		/* One run: it began there. */
		h->count += prev->count;
		h->total_ms = ms_add(prev->total_ms, h->total_ms);
		h->first_ts = prev->first_ts;
		h->src = prev->src;
		char *q = h->query;
		size_t cap = h->query_cap;
		h->query = prev->query;
		h->query_cap = prev->query_cap;
		h->has_query = prev->has_query;
		prev->query = q;
		prev->query_cap = cap;
		prev->has_query = false;
		take_names(to, h, prev);
		prev->src = prev->rep = NULL;
		prev->count = 0;
		return;
	}
	if (prev && prev->last && prev->last->fingerprint != h->rep->fingerprint &&
			near(to, prev->last_ts, h->first_ts))
		h->src = prev->last;
	if (prev)
		settle(from, prev);
}

/* Moves prev of from into to, where its backend goes on. */
static void move_run(struct traces *to, struct traces *from, struct lrun *prev)
{
	struct lrun *r = run_get(to, prev->key);
	*r = *prev;
	r->head = false;
	r->prev = 0;            /* an index into from's occurrences */
	take_names(to, r, prev);
	prev->query = NULL;
	run_remove(from, prev);
}

static int cmp_head(const void *a, const void *b)
{
	const struct lrun *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->first_ts < y->first_ts ? -1 : x->first_ts > y->first_ts;
}

/* The first head of key kept in to, or NULL. Heads are sorted on the
 * first look: none are kept while the backends are handed over. */
static struct lrun *find_head(struct traces *to, uint64_t key)
{
	if (to->heads_sorted != to->nheads) {
		if (to->nheads)
			qsort(to->heads, to->nheads, sizeof(*to->heads), cmp_head);
		to->heads_sorted = to->nheads;
	}
	size_t lo = 0, hi = to->nheads;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (to->heads[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < to->nheads && to->heads[lo].key == key && to->heads[lo].head
		? &to->heads[lo] : NULL;
}

static void hand_key(struct traces *to, struct traces *from, uint64_t key)
{
	struct lrun *prev = run_find(from, key);
	struct lrun *live = run_find(to, key);
	struct lrun *h = find_head(to, key);
	if (h) {
		/* The backend's first run here ended here: settled now. */
		join_head(to, h, from, prev);
		settle(to, h);
		free(h->query);
		h->query = NULL;
		h->has_query = false;
		if (live)
			live->head = false;
	} else if (live && live->head) {
		join_head(to, live, from, prev);
	} else if (prev && !live) {
		move_run(to, from, prev);
		return;
	} else if (prev) {
		settle(from, prev);
	}
	if (prev)
		run_remove(from, prev);
}

/* Whether key stands for a backend logged without a pid. */
static bool key_pidless(uint64_t key)
{
	return key == 1 || key >> 63;
}

void tr_log_hand_over(struct traces *to, struct traces *from, int64_t pid)
{
	if (pid > 0) {
		hand_key(to, from, (uint64_t)pid);
		return;
	}
	/* Backends told apart by their session: every such key of either. */
	size_t n = 0;
	uint64_t *keys = xcalloc(from->runs_cap + to->runs_cap + to->nheads + 1,
		sizeof(*keys));
	for (size_t i = 0; i < from->runs_cap; i++)
		if (key_pidless(from->runs[i].key))
			keys[n++] = from->runs[i].key;
	for (size_t i = 0; i < to->runs_cap; i++)
		if (to->runs[i].head && key_pidless(to->runs[i].key))
			keys[n++] = to->runs[i].key;
	for (size_t i = 0; i < to->nheads; i++)
		if (to->heads[i].head && key_pidless(to->heads[i].key))
			keys[n++] = to->heads[i].key;
	for (size_t i = 0; i < n; i++)
		hand_key(to, from, keys[i]);
	free(keys);
}

/* ---- carried to the next --state run ---- */

/* How far behind the latest call a backend's last call may be and still
 * be carried: a later call can continue its run or take it as its source
 * only within max_gap_ms; lines come in log order up to the scheduling
 * of the server's processes (milliseconds). */
#define CARRY_SLACK_MS 1000

static bool carried(const struct traces *tr, const struct lrun *r)
{
	return r->key && r->last_ts != TS_NONE && tr->runs_max_ts != TS_NONE &&
		r->last_ts >= tr->runs_max_ts - (int64_t)tr->limits.max_gap_ms -
		CARRY_SLACK_MS;
}

static void entry_save(struct st_out *o, const struct fp_entry *e)
{
	st_u8(o, e != NULL);
	if (!e)
		return;
	st_u64(o, e->fingerprint);
	st_u8(o, e->lexical);
	st_str(o, e->norm);
}

/* An entry of its own (no cache holds it in this run): what a run reads
 * of one, its fingerprint and normalized text. */
static struct fp_entry *entry_load(struct traces *tr, struct st_in *in)
{
	if (!st_get_bool(in))
		return NULL;
	struct fp_entry *e = arena_alloc(tr->arenas[0], sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->fingerprint = st_get_u64(in);
	e->lexical = st_get_bool(in);
	size_t n = 0;
	const char *norm = st_get_ref(in, &n);
	e->norm = tr_strdup(tr, norm ? norm : "", norm ? n : 0);
	e->norm_len = norm ? n : 0;
	return e;
}

void traces_save_open(struct traces *tr, struct st_out *o)
{
	size_t n = 0;
	for (size_t i = 0; i < tr->runs_cap; i++)
		n += carried(tr, &tr->runs[i]);
	st_u64(o, n);
	if (!n)
		return;
	/* Taken out: the next run goes on with them, as one reader of the
	 * whole log would. Removing may shift a later slot into this one. */
	for (size_t i = 0; i < tr->runs_cap; ) {
		struct lrun *r = &tr->runs[i];
		if (!carried(tr, r)) {
			i++;
			continue;
		}
		st_u64(o, r->key);
		st_i64(o, r->pid);
		st_i64(o, r->last_ts);
		st_u32(o, r->count);
		st_f64(o, r->total_ms);
		st_i64(o, r->first_ts);
		st_str(o, r->app);
		st_str(o, r->session);
		st_str(o, r->has_query ? r->query : NULL);
		entry_save(o, r->last);
		entry_save(o, r->src);
		entry_save(o, r->rep);
		run_remove(tr, r);
	}
}

bool traces_load_open(struct traces *tr, struct st_in *in)
{
	if (in->p == in->end)
		return true;    /* carried by a pgsift that carried none */
	size_t n = st_get_count(in, 8 * 5 + 4 + 3 * 4 + 3, 0);
	for (size_t i = 0; i < n && !in->bad; i++) {
		uint64_t key = st_get_u64(in);
		if (!key || in->bad)
			return st_fail(in, "an open N+1 run without its backend");
		struct lrun *r = run_get(tr, key);
		r->pid = st_get_i64(in);
		r->last_ts = st_get_i64(in);
		r->count = st_get_u32(in);
		r->total_ms = st_get_f64(in);
		r->first_ts = st_get_i64(in);
		size_t len = 0;
		const char *s = st_get_ref(in, &len);
		r->app = same_or_copy(tr, NULL, &r->app_len, slice_make(s, s ? len : 0));
		s = st_get_ref(in, &len);
		r->session = same_or_copy(tr, NULL, &r->session_len,
			slice_make(s, s ? len : 0));
		s = st_get_ref(in, &len);
		if (s)
			keep_query(r, slice_make(s, len));
		r->last = entry_load(tr, in);
		r->src = entry_load(tr, in);
		r->rep = entry_load(tr, in);
		if (r->last_ts != TS_NONE && (tr->runs_max_ts == TS_NONE ||
				r->last_ts > tr->runs_max_ts))
			tr->runs_max_ts = r->last_ts;
	}
	return !in->bad;
}
