/* traces_consecutive.c: consecutive_queries findings, queries of one
 * request that wait for each other when they need not.
 *
 * Sentry's consecutive DB queries detector, applied per parent span: under
 * one parent, in start order, a run of SELECT spans each starting after
 * the previous one ended (a span of anything else, or one overlapping the
 * last, ends the run). Of a run, the spans after the first that cannot
 * depend on an earlier result are independent: by Sentry's rule, their SQL
 * has no WHERE, no literal or parameter, and is not cut short. Running the
 * independent ones alongside the rest would take max(longest independent,
 * sum of the dependent ones) instead of the sum of all: the difference is
 * the time saved. A run is reported with Sentry's thresholds: 2 spans or
 * more, every independent span over 30 ms, 100 ms saved or more, and at
 * least a tenth of the run's time.
 *
 * Where Sentry walks the event's spans in order and any non-database span
 * ends a run, pgsift takes the siblings of one parent: a child of a query
 * span is not between two of its siblings. One finding per transaction
 * and set of independent statements (fingerprints), with the occurrences. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings.h"
#include "strbuf.h"
#include "traces_int.h"
#include "util.h"

#define CONSEC_MIN_SPANS 2
#define CONSEC_SPAN_MS 30.0     /* each independent span longer than this */
#define CONSEC_SAVED_MS 100.0   /* time saved, at least */
#define CONSEC_SAVED_SHARE 0.1  /* of the run's total, at least */

static bool is_select(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return strncasecmp(s, "SELECT", 6) == 0;
}

/* Sentry's CONTAINS_PARAMETER_REGEX, by hand: a quoted string, true or
 * false, a number standing alone, ?, $1 or %s. */
static bool has_parameter(const char *s)
{
	for (const char *p = s; *p; p++) {
		bool word_start = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		if (*p == '\'' || *p == '?' || (*p == '%' && p[1] == 's'))
			return true;
		if (*p == '$' && isdigit((unsigned char)p[1]))
			return true;
		if (word_start && isdigit((unsigned char)*p))
			return true;
		if (word_start && (strncasecmp(p, "true", 4) == 0 || strncasecmp(p, "false", 5) == 0)) {
			size_t len = tolower((unsigned char)*p) == 't' ? 4 : 5;
			if (!isalnum((unsigned char)p[len]) && p[len] != '_')
				return true;
		}
	}
	return false;
}

static bool independent(const struct tspan *s)
{
	size_t len = strlen(s->desc);
	return len && !strcasestr(s->desc, "where") && !has_parameter(s->desc) &&
		!(len >= 3 && strcmp(s->desc + len - 3, "...") == 0);
}

/* One run reported: its spans, which are independent, and the figures. */
struct crun {
	const char *txn, *trace;
	const char *where, *where_op;   /* the parent span, NULL when not read */
	struct tspan **s;
	bool *indep;
	size_t n;
	double total_ms, saved_ms;
	uint64_t key;           /* the independent spans' fingerprints */
};

struct cruns {
	struct crun *v;
	size_t n, cap;
};

/* Judges spans s[0..n), a run; keeps it in out when it is reported. */
static void judge(struct tspan **s, size_t n, const struct tspan *parent, struct cruns *out)
{
	if (n < CONSEC_MIN_SPANS)
		return;
	bool *ind = xcalloc(n, sizeof(*ind));
	double total = 0, dep = 0, max_ind = 0;
	size_t nind = 0;
	bool long_enough = true;
	uint64_t key = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		total += s[i]->dur_ms;
		ind[i] = i > 0 && independent(s[i]);
		if (!ind[i]) {
			dep += s[i]->dur_ms;
			continue;
		}
		nind++;
		long_enough = long_enough && s[i]->dur_ms > CONSEC_SPAN_MS;
		if (s[i]->dur_ms > max_ind)
			max_ind = s[i]->dur_ms;
		key = (key ^ s[i]->fp) * 1099511628211ull;
	}
	double saved = total - (max_ind > dep ? max_ind : dep);
	if (!nind || !long_enough || saved < CONSEC_SAVED_MS || saved < CONSEC_SAVED_SHARE * total) {
		free(ind);
		return;
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 8;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	struct crun *r = &out->v[out->n++];
	r->txn = *s[0]->transaction ? s[0]->transaction : "(unknown transaction)";
	r->where = parent ? parent->desc : NULL;
	r->where_op = parent ? parent->op : NULL;
	r->trace = *s[0]->trace_id ? s[0]->trace_id : s[0]->span_id;
	r->s = xmalloc(n * sizeof(*r->s));
	memcpy(r->s, s, n * sizeof(*s));
	r->indep = ind;
	r->n = n;
	r->total_ms = total;
	r->saved_ms = saved;
	r->key = key;
}

/* One parent's children, in start order. */
static void scan(struct tspan **c, size_t n, const struct tspan *parent, struct cruns *out)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		bool joins = i < n && c[i]->is_query && c[i]->passes && is_select(c[i]->desc) &&
			(i == start || c[i]->start_ms >= c[i - 1]->start_ms + c[i - 1]->dur_ms);
		if (joins)
			continue;
		judge(c + start, i - start, parent, out);
		/* A query overlapping the last starts the next run; anything
		 * else is skipped. */
		start = i < n && c[i]->is_query && c[i]->passes && is_select(c[i]->desc) ? i : i + 1;
	}
}

static int cmp_run(const void *pa, const void *pb)
{
	const struct crun *a = pa, *b = pb;
	int c = strcmp(a->txn, b->txn);
	if (c)
		return c;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return strcmp(a->trace, b->trace);
}

static void finding(struct findings *fs, const struct crun *r, size_t n)
{
	double saved = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		saved += r[i].saved_ms;
		total += r[i].total_ms;
	}
	size_t nind = 0;
	for (size_t i = 0; i < r->n; i++)
		nind += r->indep[i];
	struct finding *f = findings_add(fs, FK_consecutive_queries,
		saved >= 1000 ? FS_WARNING : FS_INFO, saved,
		"Consecutive queries in %s: %zu of %zu SELECTs run one after another could run "
		"concurrently, saving %.0f ms of %.0f (%zu request%s)", r->txn, nind, r->n,
		saved / (double)n, total / (double)n, n, n == 1 ? "" : "s");
	struct strbuf sb = STRBUF_INIT;
	const char *head = "-- These statements wait for each other; the ones marked "
		"independent read no earlier result (no WHERE, no parameter): start them "
		"together with the first (another connection, an async query), or fetch them "
		"in one round trip.\n";
	sb_append(&sb, head, strlen(head));
	json_t *spans = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct tspan *s = r->s[i];
		char line[256];
		snprintf(line, sizeof(line), "-- %s %.0f ms: %.160s\n", r->indep[i] ? "independent" :
			"dependent  ", s->dur_ms, s->norm);
		for (char *p = line + 3; *p && p[1]; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		sb_append(&sb, line, strlen(line));
		char fp[17];
		fp_format(s->fp, fp);
		json_array_append_new(spans, json_pack("{s:s, s:s, s:s, s:f, s:b}", "span_id", s->span_id,
			"fingerprint", fp, "query", s->norm, "duration_ms", s->dur_ms,
			"independent", r->indep[i]));
	}
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	finding_set_suggestion(f, "%s", sb.buf);
	sb_release(&sb);
	json_t *ev = f->evidence;
	json_object_set_new(ev, "seen_in", json_string("trace"));
	json_object_set_new(ev, "transaction", json_string(r->txn));
	char where[200];
	snprintf(where, sizeof(where), "%s: %s", r->where_op && *r->where_op ? r->where_op : "span",
		r->where ? r->where : "");
	json_object_set_new(ev, "parent", r->where ? json_string(where) : json_null());
	json_object_set_new(ev, "occurrences", json_integer((json_int_t)n));
	json_object_set_new(ev, "saved_ms", json_real(saved));
	json_object_set_new(ev, "total_ms", json_real(total));
	json_object_set_new(ev, "example_trace", json_string(r->trace));
	json_object_set_new(ev, "spans", spans);
	json_object_set_new(ev, "thresholds", json_pack("{s:i, s:f, s:f, s:f}", "min_spans",
		CONSEC_MIN_SPANS, "span_ms", CONSEC_SPAN_MS, "saved_ms", CONSEC_SAVED_MS,
		"saved_share", CONSEC_SAVED_SHARE));
}

void tr_consecutive_findings(struct traces *tr, struct findings *fs)
{
	size_t cap = tr->nspans ? tr->nspans : 1;
	struct tspan **all = xmalloc(cap * sizeof(*all)), **ids = xmalloc(cap * sizeof(*ids));
	size_t n = 0, nids = 0;
	for (size_t i = 0; i < tr->nspans; i++) {
		if (*tr->spans[i]->parent_id)
			all[n++] = tr->spans[i];
		if (*tr->spans[i]->span_id)
			ids[nids++] = tr->spans[i];
	}
	qsort(all, n, sizeof(*all), tr_cmp_siblings);
	qsort(ids, nids, sizeof(*ids), tr_cmp_ids);
	struct cruns out = { 0 };
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(all[j]->trace_id, all[i]->trace_id) == 0 &&
				strcmp(all[j]->parent_id, all[i]->parent_id) == 0)
			j++;
		struct tspan key = { .trace_id = all[i]->trace_id, .span_id = all[i]->parent_id };
		const struct tspan *kp = &key;
		struct tspan **hit = bsearch(&kp, ids, nids, sizeof(*ids), tr_cmp_ids);
		scan(all + i, j - i, hit ? *hit : NULL, &out);
		i = j;
	}
	if (out.n)
		qsort(out.v, out.n, sizeof(*out.v), cmp_run);
	for (size_t i = 0; i < out.n;) {
		size_t j = i + 1;
		while (j < out.n && strcmp(out.v[j].txn, out.v[i].txn) == 0 && out.v[j].key == out.v[i].key)
			j++;
		finding(fs, out.v + i, j - i);
		i = j;
	}
	for (size_t i = 0; i < out.n; i++) {
		free(out.v[i].s);
		free(out.v[i].indep);
	}
	free(out.v);
	free(all);
	free(ids);
}
