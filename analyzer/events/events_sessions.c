/* events_sessions.c: connections, sessions and refused connections.
 *
 * With log_connections and log_disconnections the server logs
 *   connection received: host=10.0.0.1 port=5432      (or host=[local])
 *   connection authorized: user=U database=D application_name=A [SSL enabled (...)] [GSS (...)]
 *   replication connection authorized: user=U [application_name=A] [SSL ...]
 *   disconnection: session time: 0:00:05.380 user=U database=D host=H [port=P]
 * A backend is alive from its "connection received" line (or, when the
 * log lacks it, its authorization) until its disconnection, a FATAL of
 * its pid (the backend exits: PostgreSQL 15 logs the authorization before
 * it finds the database missing), a new connection on its pid or a server
 * restart; the peak is the most alive at once within each input, counted
 * in the order of time whatever the order of the lines (a cloud export
 * lists the newest first). A backend that logs nothing after "connection
 * received" (a health check that closes before its startup packet, psql
 * leaving to ask for a password) ended unseen and is not counted.
 * Refused connections are the FATALs of EV_FAILURE_LIST, and the few it
 * lists that the server logs at LOG (a client that spoke no PostgreSQL). */
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "pgmsg.h"
#include "timeutil.h"

static const double session_bounds[] = EV_SESSION_BOUNDS;

void ev_sessions_free(struct events *ev)
{
	struct ev_connections *c = &ev->conn;
	free(ev->sdeltas);
	ev->sdeltas = NULL;
	ev->nsdeltas = ev->capsdeltas = 0;
	ev_counts_release(&c->by_database);
	ev_counts_release(&c->by_user);
	ev_counts_release(&c->by_application);
	ev_counts_release(&c->by_host);
	sketch_release(&c->session_ms);
}

/* The value after key in s, up to the first of the stops (or the end);
 * empty when key is absent. */
static struct slice field(struct slice s, const char *key,
		const char *const *stops)
{
	const char *p = ev_find(s, key);
	if (!p)
		return SLICE_EMPTY;
	const char *end = s.ptr + s.len;
	struct slice rest = slice_make(p, (size_t)(end - p));
	for (size_t i = 0; stops[i]; i++) {
		const char *q = ev_find(rest, stops[i]);
		if (q && q - strlen(stops[i]) < end)
			end = q - strlen(stops[i]);
	}
	return slice_make(p, (size_t)(end - p));
}

static void count_name(struct ev_counts *c, struct slice s)
{
	if (s.len)
		ev_counts_add(c, s.ptr, s.len, 1);
}

void ev_sessions_delta(struct events *ev, uint64_t pos, int64_t ts,
		int64_t pid, int delta)
{
	if (ev->nsdeltas == ev->capsdeltas) {
		ev->capsdeltas = ev->capsdeltas ? 2 * ev->capsdeltas : 256;
		ev->sdeltas = xrealloc(ev->sdeltas, ev->capsdeltas * sizeof(*ev->sdeltas));
	}
	ev->sdeltas[ev->nsdeltas++] = (struct ev_sdelta){ pos, ts, pid, delta };
}

/* Every authorization is noted, open or not here: a reader of a later
 * part of the log does not know what is open (see struct ev_sdelta). */
static void open_session(struct events *ev, const struct log_entry *e)
{
	ev_sessions_delta(ev, ev->pos, e->ts_ms, e->pid, EV_SD_OPEN);
	struct ev_backend *b = ev_backend_get(ev, e->pid);
	if (b->session_open)
		return;         /* pid reused without a disconnection logged */
	b->session_open = true;
	b->session_ts = e->ts_ms;
}

/* Ends pid's session; returns its backend (gone now: the hub settles what
 * it still held), NULL when the pid is not known. */
static struct ev_backend *close_session(struct events *ev,
		const struct log_entry *e)
{
	ev_sessions_delta(ev, ev->pos, e->ts_ms, e->pid, EV_SD_CLOSE);
	struct ev_backend *b = ev_backend_find(ev, e->pid);
	if (b)
		b->session_open = false;
	return b;
}

/* "H:MM:SS.mmm" to seconds; false when it does not read so. */
static bool session_time(const char *p, const char *end, double *s)
{
	uint64_t h, m;
	double sec;
	size_t n = ev_parse_u64(p, (size_t)(end - p), &h);
	if (!n || p + n >= end || p[n] != ':')
		return false;
	p += n + 1;
	n = ev_parse_u64(p, (size_t)(end - p), &m);
	if (n != 2 || p + n >= end || p[n] != ':')
		return false;
	p += n + 1;
	/* pgmsg_parse_ms reads any "digits.digits". */
	n = pgmsg_parse_ms(p, (size_t)(end - p), &sec);
	if (n < 2 || h > 1000000)
		return false;
	*s = (double)h * 3600 + (double)m * 60 + sec;
	return true;
}

static void count_session(struct ev_connections *c, double s)
{
	c->sessions++;
	c->session_total_s = ms_add(c->session_total_s, s);
	if (s > c->session_max_s)
		c->session_max_s = s;
	sketch_add(&c->session_ms, s * 1000);
	size_t i = 0;
	while (i < ARRAY_SIZE(session_bounds) && s >= session_bounds[i])
		i++;
	c->session_hist[i]++;
}

struct ev_backend *ev_sessions_message(struct events *ev, const struct ev_msg *m)
{
	static const char *const host_stops[] = { " port=", NULL };
	static const char *const user_stops[] = { " database=",
		" application_name=", " SSL enabled", " GSS (", NULL };
	static const char *const db_stops[] = { " application_name=",
		" SSL enabled", " GSS (", NULL };
	static const char *const app_stops[] = { " SSL enabled", " GSS (", NULL };
	struct ev_connections *c = &ev->conn;
	struct slice t = m->text;

	if (ev_starts(t, "connection received: ")) {
		c->received++;
		count_name(&c->by_host, field(t, "host=", host_stops));
		ev_sessions_delta(ev, ev->pos, m->e->ts_ms, m->e->pid,
				EV_SD_RECEIVED);
		/* A new process on the pid: what the last one on it left open
		 * (its end not logged) is over. */
		return ev_backend_find(ev, m->e->pid);
	} else if (ev_starts(t, "connection authorized: ") ||
			ev_starts(t, "replication connection authorized: ")) {
		c->authorized++;
		count_name(&c->by_user, field(t, ": user=", user_stops));
		count_name(&c->by_database, field(t, " database=", db_stops));
		count_name(&c->by_application, field(t, " application_name=",
				app_stops));
		open_session(ev, m->e);
	} else if (ev_starts(t, "disconnection: ")) {
		const char *p = ev_find(t, "session time: ");
		double s;
		if (p && session_time(p, t.ptr + t.len, &s))
			count_session(c, s);
		return close_session(ev, m->e);
	}
	return NULL;
}

struct ev_backend *ev_sessions_fatal(struct events *ev, const struct ev_msg *m)
{
	static const struct {
		const char *prefix, *text;
	} match[] = {
#define X(id, key, prefix, text) { prefix, text },
		EV_FAILURE_LIST(X)
#undef X
	};
	for (size_t i = 0; i < ARRAY_SIZE(match); i++) {
		if (!ev_starts(m->text, match[i].prefix))
			continue;
		if (match[i].text[0] && !ev_find(m->text, match[i].text))
			continue;
		ev->conn.failed++;
		ev->conn.failures[i]++;
		break;
	}
	return close_session(ev, m->e);
}

void ev_sessions_merge(struct events *dst, struct events *src)
{
	struct ev_connections *d = &dst->conn, *s = &src->conn;
	d->received += s->received;
	d->authorized += s->authorized;
	d->failed += s->failed;
	for (size_t i = 0; i < EV_FAILURE_COUNT; i++)
		d->failures[i] += s->failures[i];
	if (dst->nsdeltas + src->nsdeltas > dst->capsdeltas) {
		dst->capsdeltas = dst->nsdeltas + src->nsdeltas;
		dst->sdeltas = xrealloc(dst->sdeltas, dst->capsdeltas * sizeof(*dst->sdeltas));
	}
	if (src->nsdeltas)
		memcpy(dst->sdeltas + dst->nsdeltas, src->sdeltas,
			src->nsdeltas * sizeof(*src->sdeltas));
	dst->nsdeltas += src->nsdeltas;
	free(src->sdeltas);
	src->sdeltas = NULL;
	src->nsdeltas = src->capsdeltas = 0;
	ev_counts_merge(&d->by_database, &s->by_database);
	ev_counts_merge(&d->by_user, &s->by_user);
	ev_counts_merge(&d->by_application, &s->by_application);
	ev_counts_merge(&d->by_host, &s->by_host);
	d->sessions += s->sessions;
	d->session_total_s = ms_add(d->session_total_s, s->session_total_s);
	if (s->session_max_s > d->session_max_s)
		d->session_max_s = s->session_max_s;
	sketch_merge(&d->session_ms, &s->session_ms);
	for (size_t i = 0; i < EV_SESSION_BUCKETS; i++)
		d->session_hist[i] += s->session_hist[i];
	sketch_release(&s->session_ms);
	*s = (struct ev_connections){ .peak_ts = TS_NONE };
}

#define LINE_OF(pos) ((pos) & ((UINT64_C(1) << 40) - 1))

static int cmp_delta(const void *a, const void *b)
{
	const struct ev_sdelta *x = a, *y = b;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->delta - y->delta;     /* closes before opens on one line */
}

/* Time order; lines of one time stamp in log order (cmp_time_fwd) or,
 * in a log written newest first, backwards (cmp_time_back). */
static int cmp_time(const struct ev_sdelta *x, const struct ev_sdelta *y,
		int dir)
{
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->pos != y->pos)
		return (x->pos < y->pos ? -1 : 1) * dir;
	return x->delta - y->delta;
}

static int cmp_time_fwd(const void *a, const void *b)
{
	return cmp_time(a, b, 1);
}

static int cmp_time_back(const void *a, const void *b)
{
	return cmp_time(a, b, -1);
}

/* Puts one input's changes (in log order) in the order of time: a log
 * may list the newest first (cloud exports do), or hold files joined out
 * of order. Sessions carried from a run before (line 0) stay first. A
 * log without time stamps on every change keeps its order, read
 * backwards when what stamps it has say it runs newest first. */
static void order_input(struct ev_sdelta *d, size_t n)
{
	size_t k = 0;
	while (k < n && LINE_OF(d[k].pos) == 0)
		k++;
	d += k;
	n -= k;
	size_t up = 0, down = 0;
	bool stamped = true;
	int64_t last = TS_NONE;
	for (size_t i = 0; i < n; i++) {
		if (d[i].ts == TS_NONE) {
			stamped = false;
			continue;
		}
		if (last != TS_NONE) {
			up += d[i].ts > last;
			down += d[i].ts < last;
		}
		last = d[i].ts;
	}
	bool back = down > up;
	if (stamped && n > 1)
		qsort(d, n, sizeof(*d), back ? cmp_time_back : cmp_time_fwd);
	else if (back)
		for (size_t i = 0, j = n - 1; i < j; i++, j--) {
			struct ev_sdelta t = d[i];
			d[i] = d[j];
			d[j] = t;
		}
}

/* The pids with a backend alive, while the peak is found. */
struct open_set {
	int64_t *pid;                   /* OPEN_FREE: free slot */
	size_t cap, n;
};

#define OPEN_FREE INT64_MIN

static size_t pid_hash(int64_t pid, size_t cap)
{
	return (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
}

static size_t open_slot(const struct open_set *s, int64_t pid)
{
	size_t i = pid_hash(pid, s->cap);
	while (s->pid[i] != OPEN_FREE && s->pid[i] != pid)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void open_clear(struct open_set *s)
{
	for (size_t i = 0; i < s->cap; i++)
		s->pid[i] = OPEN_FREE;
	s->n = 0;
}

/* Adds pid; false when it was open already. */
static bool open_add(struct open_set *s, int64_t pid)
{
	if (2 * (s->n + 1) > s->cap) {
		struct open_set old = *s;
		s->cap = old.cap ? 2 * old.cap : 64;
		s->pid = xcalloc(s->cap, sizeof(*s->pid));
		open_clear(s);
		for (size_t i = 0; i < old.cap; i++)
			if (old.pid[i] != OPEN_FREE)
				s->pid[open_slot(s, old.pid[i])] = old.pid[i];
		s->n = old.n;
		free(old.pid);
	}
	size_t i = open_slot(s, pid);
	if (s->pid[i] == pid)
		return false;
	s->pid[i] = pid;
	s->n++;
	return true;
}

/* Removes pid; false when it was not open. */
static bool open_remove(struct open_set *s, int64_t pid)
{
	if (!s->cap)
		return false;
	size_t i = open_slot(s, pid), mask = s->cap - 1;
	if (s->pid[i] != pid)
		return false;
	s->pid[i] = OPEN_FREE;
	s->n--;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (size_t j = (i + 1) & mask; s->pid[j] != OPEN_FREE; j = (j + 1) & mask) {
		size_t home = pid_hash(s->pid[j], s->cap);
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		s->pid[i] = s->pid[j];
		s->pid[j] = OPEN_FREE;
		i = j;
	}
	return true;
}

/* Marks in seen[i] each "connection received" d[i] whose backend went on
 * to log its authorization or its end (the next change of its pid, with
 * no restart between). The others ended unseen. */
static void backends_seen(const struct ev_sdelta *d, size_t n, bool *seen)
{
	size_t cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	/* pid -> the place in d of its last change, plus one; 0: none */
	size_t *last = xcalloc(cap, sizeof(*last));
	size_t restart = 0;     /* the last restart's place, plus one */
	for (size_t i = 0; i < n; i++) {
		if (d[i].delta == EV_SD_RESTART) {
			restart = i + 1;
			continue;
		}
		size_t h = pid_hash(d[i].pid, cap);
		while (last[h] && d[last[h] - 1].pid != d[i].pid)
			h = (h + 1) & (cap - 1);
		size_t prev = last[h];
		if (prev > restart && d[prev - 1].delta == EV_SD_RECEIVED &&
				d[i].delta != EV_SD_RECEIVED)
			seen[prev - 1] = true;
		last[h] = i + 1;
	}
	free(last);
}

/* The most backends alive at once in one input's changes d (in the order
 * of time), and when first reached; c keeps the highest of all inputs.
 * A backend is alive from its "connection received" (when it went on to
 * log more) or its authorization to its pid's next end, next connection
 * or a server restart; a second start of a live pid (reused without its
 * end logged) and an end of a pid not alive change nothing. */
static void peak_of_input(struct ev_connections *c, const struct ev_sdelta *d,
		size_t n, struct open_set *open)
{
	bool *seen = xcalloc(n, sizeof(*seen));
	backends_seen(d, n, seen);
	if (open->n)
		open_clear(open);
	for (size_t i = 0; i < n; i++) {
		bool opens = d[i].delta == EV_SD_OPEN ||
			(d[i].delta == EV_SD_RECEIVED && seen[i]);
		if (d[i].delta == EV_SD_RESTART) {
			if (open->n)
				open_clear(open);
		} else if (!opens) {
			/* An end, or a new process on the pid that left no
			 * trace: what was on the pid is gone either way. */
			open_remove(open, d[i].pid);
		} else if (open_add(open, d[i].pid) && open->n > c->peak_sessions) {
			c->peak_sessions = open->n;
			c->peak_ts = d[i].ts;
		}
	}
	free(seen);
}

/* The peak is per input: the pids of two inputs may be of two servers. */
static void find_peak(struct events *ev)
{
	struct ev_connections *c = &ev->conn;
	c->peak_sessions = 0;
	c->peak_ts = TS_NONE;
	if (!ev->nsdeltas)      /* qsort(NULL, 0) is undefined */
		return;
	qsort(ev->sdeltas, ev->nsdeltas, sizeof(*ev->sdeltas), cmp_delta);
	struct open_set open = { 0 };
	for (size_t i = 0, j; i < ev->nsdeltas; i = j) {
		uint64_t input = ev->sdeltas[i].pos >> 40;
		for (j = i + 1; j < ev->nsdeltas && ev->sdeltas[j].pos >> 40 == input; j++)
			;
		order_input(ev->sdeltas + i, j - i);
		peak_of_input(c, ev->sdeltas + i, j - i, &open);
	}
	free(open.pid);
}

void ev_sessions_sort(struct events *ev)
{
	struct ev_connections *c = &ev->conn;
	find_peak(ev);
	ev_counts_sort(&c->by_database);
	ev_counts_sort(&c->by_user);
	ev_counts_sort(&c->by_application);
	ev_counts_sort(&c->by_host);
}
