/* events_pooler_io.c: the pooler's part of a saved state and of the JSON
 * report, written and read back (see pooler.h). In a state it follows the
 * events' own rows (events_state.c): a byte saying whether there is one,
 * then its counters, rows, errors and stats points. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "json_emit.h"
#include "pooler.h"
#include "report_load.h"
#include "state.h"
#include "timeutil.h"

/* ---- state ---- */

void ev_pooler_state_save(const struct events *ev, struct st_out *o)
{
	const struct pooler *p = ev->pooler;
	st_u8(o, p != NULL);
	if (!p)
		return;
	st_u64(o, p->lines);
	st_i64(o, p->first_ts);
	st_i64(o, p->last_ts);
	st_u64(o, p->logins);
	st_u64(o, p->login_failed);
	st_u64(o, p->sessions);
	st_f64(o, p->session_total_s);
	st_f64(o, p->session_max_s);
	st_u64(o, p->server_connections);
	st_u64(o, p->peak_clients);
	st_i64(o, p->peak_clients_ts);
	st_u64(o, p->peak_servers);
	ev_counts_save(o, &p->by_database);
	ev_counts_save(o, &p->by_user);
	ev_counts_save(o, &p->by_client);
	ev_counts_save(o, &p->client_closes);
	ev_counts_save(o, &p->server_closes);
	st_u64(o, p->nrows);
	for (size_t i = 0; i < p->nrows; i++) {
		const struct pooler_row *r = &p->rows[i];
		st_str(o, r->key);
		st_u64(o, r->logins);
		st_u64(o, r->login_failed);
		st_u64(o, r->sessions);
		st_f64(o, r->total_s);
		st_f64(o, r->max_s);
		st_u64(o, r->errors);
	}
	st_u64(o, p->rows_other);
	st_u64(o, p->nerrors);
	for (size_t i = 0; i < p->nerrors; i++) {
		const struct pooler_error *r = &p->errors[i];
		st_str(o, r->key);
		st_u32(o, (uint32_t)r->kind);
		st_u32(o, (uint32_t)r->severity);
		st_u64(o, r->count);
		st_i64(o, r->first_ts);
		st_i64(o, r->last_ts);
		st_str(o, r->db);
		st_str(o, r->user);
	}
	st_u64(o, p->errors_total);
	st_u64(o, p->errors_dropped);
	const struct pooler_stats *s = &p->stats;
	st_u64(o, s->lines);
	st_f64(o, s->seconds);
	st_f64(o, s->xacts);
	st_f64(o, s->queries);
	st_f64(o, s->bytes_in);
	st_f64(o, s->bytes_out);
	st_f64(o, s->wait_s);
	st_f64(o, s->xact_us_sum);
	st_f64(o, s->query_us_sum);
	st_f64(o, s->peak_xacts_s);
	st_f64(o, s->peak_queries_s);
	st_i64(o, s->peak_ts);
	st_u64(o, s->n);
	for (size_t i = 0; i < s->n; i++) {
		const struct pooler_point *pt = &s->v[i];
		st_i64(o, pt->ts_ms);
		st_f64(o, pt->period_s);
		st_f64(o, pt->xacts_s);
		st_f64(o, pt->queries_s);
		st_f64(o, pt->in_bps);
		st_f64(o, pt->out_bps);
		st_f64(o, pt->xact_us);
		st_f64(o, pt->query_us);
		st_f64(o, pt->wait_us);
	}
}

static bool rows_load(struct events *ev, struct pooler *p, struct st_in *in)
{
	size_t n = st_get_count(in, 48, POOLER_ROWS_MAX);
	for (size_t i = 0; i < n && !in->bad; i++) {
		size_t len;
		const char *key = st_get_ref(in, &len);
		if (!key || !memchr(key, '\x1f', len))
			return st_fail(in, "a pooler row without its key");
		struct pooler_row *r = ev_pooler_row(ev, key, strnlen(key, len));
		if (!r)
			return st_fail(in, "too many pooler rows");
		r->logins = st_get_u64(in);
		r->login_failed = st_get_u64(in);
		r->sessions = st_get_u64(in);
		r->total_s = st_get_f64(in);
		r->max_s = st_get_f64(in);
		r->errors = st_get_u64(in);
	}
	p->rows_other = st_get_u64(in);
	n = st_get_count(in, 48, EV_ERROR_GROUPS_MAX);
	for (size_t i = 0; i < n && !in->bad; i++) {
		size_t len;
		const char *key = st_get_ref(in, &len);
		if (!key || !memchr(key, '\x1f', len))
			return st_fail(in, "a pooler error without its key");
		struct pooler_error *r = ev_pooler_error(ev, key, strnlen(key, len));
		if (!r)
			return st_fail(in, "too many pooler errors");
		uint32_t kind = st_get_u32(in), sev = st_get_u32(in);
		if (kind >= PL_ERR_COUNT || sev >= SEV_COUNT)
			return st_fail(in, "a pooler error of an unknown kind");
		r->kind = (enum pooler_error_kind)kind;
		r->severity = (enum severity)sev;
		r->count = st_get_u64(in);
		r->first_ts = st_get_i64(in);
		r->last_ts = st_get_i64(in);
		free(r->db);
		free(r->user);
		r->db = st_get_str(in, NULL);
		r->user = st_get_str(in, NULL);
	}
	p->errors_total = st_get_u64(in);
	p->errors_dropped = st_get_u64(in);
	return !in->bad;
}

bool ev_pooler_state_load(struct events *ev, struct st_in *in)
{
	if (!st_get_u8(in))
		return !in->bad;
	struct pooler *p = ev_pooler_get(ev);
	p->lines = st_get_u64(in);
	p->first_ts = st_get_i64(in);
	p->last_ts = st_get_i64(in);
	p->logins = st_get_u64(in);
	p->login_failed = st_get_u64(in);
	p->sessions = st_get_u64(in);
	p->session_total_s = st_get_f64(in);
	p->session_max_s = st_get_f64(in);
	p->server_connections = st_get_u64(in);
	p->peak_clients = st_get_u64(in);
	p->peak_clients_ts = st_get_i64(in);
	p->peak_servers = st_get_u64(in);
	if (!ev_counts_load(in, &p->by_database) || !ev_counts_load(in, &p->by_user) ||
			!ev_counts_load(in, &p->by_client) ||
			!ev_counts_load(in, &p->client_closes) ||
			!ev_counts_load(in, &p->server_closes) || !rows_load(ev, p, in))
		return false;
	struct pooler_stats *s = &p->stats;
	s->lines = st_get_u64(in);
	s->seconds = st_get_f64(in);
	s->xacts = st_get_f64(in);
	s->queries = st_get_f64(in);
	s->bytes_in = st_get_f64(in);
	s->bytes_out = st_get_f64(in);
	s->wait_s = st_get_f64(in);
	s->xact_us_sum = st_get_f64(in);
	s->query_us_sum = st_get_f64(in);
	s->peak_xacts_s = st_get_f64(in);
	s->peak_queries_s = st_get_f64(in);
	s->peak_ts = st_get_i64(in);
	size_t n = st_get_count(in, 72, 0);
	if (in->bad)
		return false;
	if (n) {
		s->v = xrealloc(s->v, (s->n + n) * sizeof(*s->v));
		s->cap = s->n + n;
	}
	for (size_t i = 0; i < n && !in->bad; i++) {
		struct pooler_point *pt = &s->v[s->n++];
		pt->ts_ms = st_get_i64(in);
		pt->period_s = st_get_f64(in);
		pt->xacts_s = st_get_f64(in);
		pt->queries_s = st_get_f64(in);
		pt->in_bps = st_get_f64(in);
		pt->out_bps = st_get_f64(in);
		pt->xact_us = st_get_f64(in);
		pt->query_us = st_get_f64(in);
		pt->wait_us = st_get_f64(in);
	}
	return !in->bad;
}

/* ---- JSON ---- */

struct pj {
	bool failed;
	struct strbuf tmp;
};

static json_t *chk(struct pj *c, json_t *v)
{
	if (!v)
		c->failed = true;
	return v;
}

static void set(struct pj *c, json_t *o, const char *key, json_t *v)
{
	if (!o || !v || json_object_set_new(o, key, v) != 0)
		c->failed = true;
}

static json_t *jstr(struct pj *c, const char *s)
{
	return chk(c, s ? json_string(jemit_utf8_clean(s, &c->tmp)) : json_null());
}

static json_t *juint(struct pj *c, uint64_t v)
{
	return chk(c, json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v));
}

/* 3 decimals, as the rest of the report. */
static json_t *jnum(struct pj *c, double v)
{
	return chk(c, isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null());
}

static json_t *jts(struct pj *c, int64_t ms)
{
	char buf[32];
	if (ms == TS_NONE)
		return chk(c, json_null());
	ts_format_iso(ms, buf);
	return chk(c, json_string(buf));
}

static json_t *jcounts(struct pj *c, const struct ev_counts *nc)
{
	json_t *o = chk(c, json_object());
	for (size_t i = 0; o && i < nc->n; i++) {
		const char *key = jemit_utf8_clean(nc->v[i].name, &c->tmp);
		uint64_t n = nc->v[i].count;
		json_t *old = json_object_get(o, key);
		if (old)
			n += (uint64_t)json_integer_value(old);
		set(c, o, key, juint(c, n));
	}
	return o;
}

static json_t *json_sessions(struct pj *c, const struct pooler *p)
{
	json_t *o = chk(c, json_object());
	set(c, o, "logins", juint(c, p->logins));
	set(c, o, "login_failed", juint(c, p->login_failed));
	set(c, o, "closed", juint(c, p->sessions));
	set(c, o, "total_s", jnum(c, p->session_total_s));
	set(c, o, "max_s", jnum(c, p->session_max_s));
	set(c, o, "peak_clients", juint(c, p->peak_clients));
	set(c, o, "peak_clients_ts", jts(c, p->peak_clients_ts));
	set(c, o, "server_connections", juint(c, p->server_connections));
	set(c, o, "peak_servers", juint(c, p->peak_servers));
	set(c, o, "by_database", jcounts(c, &p->by_database));
	set(c, o, "by_user", jcounts(c, &p->by_user));
	set(c, o, "by_client", jcounts(c, &p->by_client));
	json_t *rows = chk(c, json_array());
	for (size_t i = 0; rows && i < p->nrows; i++) {
		const struct pooler_row *r = &p->rows[i];
		json_t *x = chk(c, json_object());
		set(c, x, "database", jstr(c, r->db));
		set(c, x, "user", jstr(c, r->user));
		set(c, x, "client", jstr(c, r->client));
		set(c, x, "logins", juint(c, r->logins));
		set(c, x, "login_failed", juint(c, r->login_failed));
		set(c, x, "closed", juint(c, r->sessions));
		set(c, x, "total_s", jnum(c, r->total_s));
		set(c, x, "max_s", jnum(c, r->max_s));
		set(c, x, "errors", juint(c, r->errors));
		if (!x || json_array_append_new(rows, x) != 0)
			c->failed = true;
	}
	set(c, o, "by_key", rows);
	set(c, o, "other_logins", juint(c, p->rows_other));
	return o;
}

static json_t *json_errors(struct pj *c, const struct pooler *p)
{
	json_t *a = chk(c, json_array());
	for (size_t i = 0; a && i < p->nerrors; i++) {
		const struct pooler_error *r = &p->errors[i];
		json_t *x = chk(c, json_object());
		set(c, x, "kind", jstr(c, pooler_error_name(r->kind)));
		set(c, x, "severity", jstr(c, severity_name(r->severity)));
		set(c, x, "message", jstr(c, r->message));
		set(c, x, "count", juint(c, r->count));
		set(c, x, "first", jts(c, r->first_ts));
		set(c, x, "last", jts(c, r->last_ts));
		set(c, x, "database", jstr(c, r->db));
		set(c, x, "user", jstr(c, r->user));
		if (!x || json_array_append_new(a, x) != 0)
			c->failed = true;
	}
	return a;
}

static json_t *json_stats(struct pj *c, const struct pooler_stats *s)
{
	json_t *o = chk(c, json_object());
	set(c, o, "lines", juint(c, s->lines));
	set(c, o, "seconds", jnum(c, s->seconds));
	set(c, o, "transactions", jnum(c, round(s->xacts)));
	set(c, o, "queries", jnum(c, round(s->queries)));
	set(c, o, "bytes_in", jnum(c, round(s->bytes_in)));
	set(c, o, "bytes_out", jnum(c, round(s->bytes_out)));
	set(c, o, "wait_s", jnum(c, s->wait_s));
	set(c, o, "avg_xact_us", jnum(c, s->xacts > 0 ? s->xact_us_sum / s->xacts : 0));
	set(c, o, "avg_query_us", jnum(c, s->queries > 0 ? s->query_us_sum / s->queries : 0));
	set(c, o, "peak_xacts_s", jnum(c, s->peak_xacts_s));
	set(c, o, "peak_queries_s", jnum(c, s->peak_queries_s));
	set(c, o, "peak_ts", jts(c, s->peak_ts));
	json_t *tl = chk(c, json_array());
	for (size_t i = 0; tl && i < s->n; i++) {
		const struct pooler_point *pt = &s->v[i];
		json_t *x = chk(c, json_object());
		set(c, x, "ts", jts(c, pt->ts_ms));
		set(c, x, "period_s", jnum(c, pt->period_s));
		set(c, x, "xacts_s", jnum(c, pt->xacts_s));
		set(c, x, "queries_s", jnum(c, pt->queries_s));
		set(c, x, "in_Bps", jnum(c, pt->in_bps));
		set(c, x, "out_Bps", jnum(c, pt->out_bps));
		set(c, x, "xact_us", jnum(c, pt->xact_us));
		set(c, x, "query_us", jnum(c, pt->query_us));
		set(c, x, "wait_us", jnum(c, pt->wait_us));
		if (!x || json_array_append_new(tl, x) != 0)
			c->failed = true;
	}
	set(c, o, "timeline", tl);
	return o;
}

json_t *pooler_json(const struct pooler *p)
{
	struct pj c = { false, STRBUF_INIT };
	json_t *o = chk(&c, json_object());
	set(&c, o, "lines", juint(&c, p->lines));
	set(&c, o, "first_seen", jts(&c, p->first_ts));
	set(&c, o, "last_seen", jts(&c, p->last_ts));
	set(&c, o, "sessions", json_sessions(&c, p));
	json_t *closes = chk(&c, json_object());
	set(&c, closes, "client", jcounts(&c, &p->client_closes));
	set(&c, closes, "server", jcounts(&c, &p->server_closes));
	set(&c, o, "closes", closes);
	set(&c, o, "errors_total", juint(&c, p->errors_total));
	set(&c, o, "errors_dropped", juint(&c, p->errors_dropped));
	set(&c, o, "errors", json_errors(&c, p));
	set(&c, o, "stats", json_stats(&c, &p->stats));
	sb_release(&c.tmp);
	if (c.failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- a saved report's "pooler" read back ---- */

static void load_counts(struct ev_counts *nc, const json_t *o)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
		ev_counts_add(nc, key, strlen(key), json_is_integer(v) ?
			(uint64_t)json_integer_value(v) : 0);
}

static double num0(const json_t *o, const char *key)
{
	double v = rl_num(o, key);
	return isnan(v) ? 0 : v;
}

static enum severity severity_of(const char *s)
{
	for (int k = SEV_NONE + 1; s && k < SEV_COUNT; k++)
		if (strcmp(s, severity_name((enum severity)k)) == 0)
			return (enum severity)k;
	return SEV_WARNING;
}

static void load_rows(struct events *ev, const json_t *arr, struct strbuf *k)
{
	size_t i;
	const json_t *x;
	json_array_foreach(arr, i, x) {
		sb_reset(k);
		const char *parts[] = { rl_str(x, "database"), rl_str(x, "user"),
			rl_str(x, "client") };
		for (size_t j = 0; j < 3; j++) {
			if (j)
				sb_putc(k, '\x1f');
			if (parts[j])
				sb_append(k, parts[j], strlen(parts[j]));
		}
		struct pooler_row *r = ev_pooler_row(ev, k->buf, k->len);
		if (!r)
			break;
		r->logins = rl_uint(x, "logins");
		r->login_failed = rl_uint(x, "login_failed");
		r->sessions = rl_uint(x, "closed");
		r->total_s = num0(x, "total_s");
		r->max_s = num0(x, "max_s");
		r->errors = rl_uint(x, "errors");
	}
}

static void load_errors(struct events *ev, const json_t *arr, struct strbuf *k)
{
	size_t i;
	const json_t *x;
	json_array_foreach(arr, i, x) {
		const char *kind = rl_str(x, "kind"), *msg = rl_str(x, "message");
		enum pooler_error_kind kd = PL_ERR_OTHER;
		for (int j = 0; kind && j < PL_ERR_COUNT; j++)
			if (strcmp(kind, pooler_error_name((enum pooler_error_kind)j)) == 0)
				kd = (enum pooler_error_kind)j;
		sb_reset(k);
		const char *name = pooler_error_name(kd);
		sb_append(k, name, strlen(name));
		sb_putc(k, '\x1f');
		if (msg)
			sb_append(k, msg, strlen(msg));
		struct pooler_error *r = ev_pooler_error(ev, k->buf, k->len);
		if (!r)
			break;
		r->kind = kd;
		r->severity = severity_of(rl_str(x, "severity"));
		r->count = rl_uint(x, "count");
		r->first_ts = rl_ts(x, "first");
		r->last_ts = rl_ts(x, "last");
		free(r->db);
		free(r->user);
		r->db = rl_strdup(x, "database");
		r->user = rl_strdup(x, "user");
	}
}

static void load_stats(struct pooler_stats *s, const json_t *o)
{
	s->lines = rl_uint(o, "lines");
	s->seconds = num0(o, "seconds");
	s->xacts = num0(o, "transactions");
	s->queries = num0(o, "queries");
	s->bytes_in = num0(o, "bytes_in");
	s->bytes_out = num0(o, "bytes_out");
	s->wait_s = num0(o, "wait_s");
	s->xact_us_sum = num0(o, "avg_xact_us") * s->xacts;
	s->query_us_sum = num0(o, "avg_query_us") * s->queries;
	s->peak_xacts_s = num0(o, "peak_xacts_s");
	s->peak_queries_s = num0(o, "peak_queries_s");
	s->peak_ts = rl_ts(o, "peak_ts");
	const json_t *tl = json_object_get(o, "timeline");
	size_t n = json_is_array(tl) ? json_array_size(tl) : 0;
	if (!n)
		return;
	s->v = xcalloc(n, sizeof(*s->v));
	s->cap = n;
	size_t i;
	const json_t *x;
	json_array_foreach(tl, i, x) {
		struct pooler_point *pt = &s->v[s->n++];
		pt->ts_ms = rl_ts(x, "ts");
		pt->period_s = num0(x, "period_s");
		pt->xacts_s = num0(x, "xacts_s");
		pt->queries_s = num0(x, "queries_s");
		pt->in_bps = num0(x, "in_Bps");
		pt->out_bps = num0(x, "out_Bps");
		pt->xact_us = num0(x, "xact_us");
		pt->query_us = num0(x, "query_us");
		pt->wait_us = num0(x, "wait_us");
	}
}

void pooler_load_json(struct events *ev, const json_t *o)
{
	struct pooler *p = ev_pooler_get(ev);
	struct strbuf k = STRBUF_INIT;
	p->lines = rl_uint(o, "lines");
	p->first_ts = rl_ts(o, "first_seen");
	p->last_ts = rl_ts(o, "last_seen");
	const json_t *s = json_object_get(o, "sessions");
	p->logins = rl_uint(s, "logins");
	p->login_failed = rl_uint(s, "login_failed");
	p->sessions = rl_uint(s, "closed");
	p->session_total_s = num0(s, "total_s");
	p->session_max_s = num0(s, "max_s");
	p->peak_clients = rl_uint(s, "peak_clients");
	p->peak_clients_ts = rl_ts(s, "peak_clients_ts");
	p->server_connections = rl_uint(s, "server_connections");
	p->peak_servers = rl_uint(s, "peak_servers");
	load_counts(&p->by_database, json_object_get(s, "by_database"));
	load_counts(&p->by_user, json_object_get(s, "by_user"));
	load_counts(&p->by_client, json_object_get(s, "by_client"));
	load_rows(ev, json_object_get(s, "by_key"), &k);
	p->rows_other = rl_uint(s, "other_logins");
	const json_t *closes = json_object_get(o, "closes");
	load_counts(&p->client_closes, json_object_get(closes, "client"));
	load_counts(&p->server_closes, json_object_get(closes, "server"));
	p->errors_total = rl_uint(o, "errors_total");
	p->errors_dropped = rl_uint(o, "errors_dropped");
	load_errors(ev, json_object_get(o, "errors"), &k);
	load_stats(&p->stats, json_object_get(o, "stats"));
	sb_release(&k);
	ev_pooler_sort(ev);
}
