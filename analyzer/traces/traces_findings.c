/* traces_findings.c: n_plus_one and slow_query findings from loops and
 * spans (see traces_int.h).
 *
 * One n_plus_one finding per (where seen: trace or log, source
 * fingerprint, repeated fingerprint, parent span or application), with the
 * occurrences, repeats per occurrence, time, transactions or
 * applications, an example trace or pid, and the query to write instead.
 *
 * Severity. A loop of round trips is always worth fixing, so an N+1 is at
 * least a warning; it is critical when its repeats cost a second or more
 * in total (that much waiting that one query would mostly remove). A slow
 * SELECT span is a warning, critical past ten times the threshold. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings.h"
#include "strbuf.h"
#include "traces_int.h"
#include "util.h"

#define MAX_NAMES 10    /* transactions / applications listed per finding */

static int cmp_occ(const void *pa, const void *pb)
{
	const struct loop_occ *a = *(struct loop_occ *const *)pa, *b = *(struct loop_occ *const *)pb;
	if (a->from_log != b->from_log)
		return a->from_log ? 1 : -1;
	if (a->src_fp != b->src_fp)
		return a->src_fp < b->src_fp ? -1 : 1;
	if (a->rep_fp != b->rep_fp)
		return a->rep_fp < b->rep_fp ? -1 : 1;
	int c = strcmp(a->where, b->where);
	if (c)
		return c;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

static bool same_key(const struct loop_occ *a, const struct loop_occ *b)
{
	return a->from_log == b->from_log && a->src_fp == b->src_fp
		&& a->rep_fp == b->rep_fp && strcmp(a->where, b->where) == 0;
}

static int cmp_uint(const void *pa, const void *pb)
{
	unsigned a = *(const unsigned *)pa, b = *(const unsigned *)pb;
	return a < b ? -1 : a > b;
}

/* The repeated query rewritten to take every key at once: the first
 * "= $n" becomes "= ANY($n)". NULL when it has none. Caller frees. */
static char *any_rewrite(const char *q)
{
	const char *p = q;
	while ((p = strstr(p, "= $")) != NULL) {
		const char *d = p + 3;
		const char *e = d;
		while (isdigit((unsigned char)*e))
			e++;
		if (e > d) {
			struct strbuf sb = STRBUF_INIT;
			sb_append(&sb, q, (size_t)(p - q));
			sb_append(&sb, "= ANY($", 7);
			sb_append(&sb, d, (size_t)(e - d));
			sb_putc(&sb, ')');
			sb_append(&sb, e, strlen(e));
			return sb.buf;
		}
		p = d;
	}
	return NULL;
}

static void loop_finding(struct findings *fs, struct loop_occ **v, size_t n)
{
	const struct loop_occ *o = v[0];
	unsigned *reps = xmalloc(n * sizeof(*reps));
	double total = 0;
	uint64_t calls = 0;
	json_t *names = json_array();
	for (size_t i = 0; i < n; i++) {
		reps[i] = v[i]->repeats;
		total += v[i]->total_ms;
		calls += v[i]->repeats;
		bool seen = false;
		for (size_t k = 0; k < json_array_size(names); k++)
			if (strcmp(json_string_value(json_array_get(names, k)), v[i]->txn) == 0)
				seen = true;
		if (!seen && json_array_size(names) < MAX_NAMES)
			json_array_append_new(names, json_string(v[i]->txn));
	}
	qsort(reps, n, sizeof(*reps), cmp_uint);
	unsigned med = reps[(n - 1) / 2];
	/* Critical when the repeats cost a second or more, as a trace shows
	 * them under one parent. A loop inferred from a log (one backend's
	 * adjacent statements) is a warning at most: a batch job looks the
	 * same there, and a slow repeated statement usually has a finding of
	 * its own (a missing index) that ranks first. */
	enum finding_severity sev = total >= 1000 && !o->from_log ? FS_CRITICAL : FS_WARNING;
	struct finding *f = findings_add(fs, FK_n_plus_one, sev, total,
		"N+1 %s: %.60s%s runs %u times after %.50s%s (%zu loop%s, %s)",
		o->from_log ? "in the log" : "in traces", o->rep_norm,
		strlen(o->rep_norm) > 60 ? "..." : "", med, o->src_norm,
		strlen(o->src_norm) > 50 ? "..." : "", n, n == 1 ? "" : "s",
		*o->where ? o->where : "(no application)");
	finding_set_fingerprint(f, o->rep_fp);
	char *any = any_rewrite(o->rep_norm);
	finding_set_suggestion(f,
		"-- Fetch the children in one query instead of one per row of the source:\n"
		"-- repeated %u times per loop:\n%s;\n"
		"%s%s%s"
		"-- or JOIN it to the source query:\n-- %s;",
		med, o->rep_norm, any ? "-- once, for all the keys the source returned:\n" : "",
		any ? any : "", any ? ";\n" : "", o->src_norm);
	free(any);

	json_t *ev = f->evidence;
	char hex[17];
	json_object_set_new(ev, "seen_in", json_string(o->from_log ? "log" : "trace"));
	json_object_set_new(ev, "occurrences", json_integer((json_int_t)n));
	json_t *r = json_object();
	json_object_set_new(r, "min", json_integer(reps[0]));
	json_object_set_new(r, "median", json_integer(med));
	json_object_set_new(r, "max", json_integer(reps[n - 1]));
	json_object_set_new(ev, "repeats", r);
	json_object_set_new(ev, "calls", json_integer((json_int_t)calls));
	json_object_set_new(ev, "total_ms", json_real((double)(int64_t)(total * 1000 + 0.5) / 1000));
	fp_format(o->src_fp, hex);
	json_object_set_new(ev, "source_fingerprint", json_string(hex));
	json_object_set_new(ev, "source_query", json_string(o->src_norm));
	fp_format(o->rep_fp, hex);
	json_object_set_new(ev, "repeated_fingerprint", json_string(hex));
	json_object_set_new(ev, "repeated_query", json_string(o->rep_norm));
	json_object_set_new(ev, o->from_log ? "application" : "parent", json_string(o->where));
	json_object_set_new(ev, o->from_log ? "applications" : "transactions", names);
	json_object_set_new(ev, o->from_log ? "example_backend" : "example_trace",
		json_string(o->example));
	free(reps);
}

void tr_loop_findings(struct traces *tr, struct findings *fs)
{
	struct loop_occ **v = xmalloc((tr->nocc ? tr->nocc : 1) * sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < tr->nocc; i++)
		if (tr->occ[i].repeats >= tr->limits.min_repeats)
			v[n++] = &tr->occ[i];
	qsort(v, n, sizeof(*v), cmp_occ);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && same_key(v[i], v[j]))
			j++;
		loop_finding(fs, v + i, j - i);
		i = j;
	}
	free(v);
}

static bool is_select(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return strncasecmp(s, "SELECT", 6) == 0;
}

static int cmp_fp(const void *pa, const void *pb)
{
	const struct tspan *a = *(struct tspan *const *)pa, *b = *(struct tspan *const *)pb;
	if (a->fp != b->fp)
		return a->fp < b->fp ? -1 : 1;
	return a->dur_ms > b->dur_ms ? -1 : a->dur_ms < b->dur_ms;
}

/* Sentry's slow database span: a SELECT span of slow_span_ms or more
 * (Sentry compares span_duration >= duration_threshold). One finding per
 * fingerprint, slowest span first in its evidence. */
void tr_slow_findings(struct traces *tr, struct findings *fs,
		struct tspan **q, size_t n)
{
	double lim = tr->limits.slow_span_ms;
	struct tspan **v = xmalloc((n ? n : 1) * sizeof(*v));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (q[i]->dur_ms >= lim && is_select(q[i]->norm))
			v[m++] = q[i];
	qsort(v, m, sizeof(*v), cmp_fp);
	for (size_t i = 0; i < m;) {
		size_t j = i;
		double total = 0;
		while (j < m && v[j]->fp == v[i]->fp)
			total += v[j++]->dur_ms;
		const struct tspan *w = v[i];
		struct finding *f = findings_add(fs, FK_slow_query,
			w->dur_ms > 10 * lim ? FS_CRITICAL : FS_WARNING, total,
			"Slow database span: %.70s%s took %.0f ms (%zu span%s of %.0f ms or more)",
			w->norm, strlen(w->norm) > 70 ? "..." : "", w->dur_ms, j - i,
			j - i == 1 ? "" : "s", lim);
		finding_set_fingerprint(f, w->fp);
		finding_set_suggestion(f,
			"-- Run EXPLAIN (ANALYZE, BUFFERS) on it and index or narrow what it reads:\n"
			"EXPLAIN (ANALYZE, BUFFERS) %s;", w->norm);
		json_t *ev = f->evidence;
		json_object_set_new(ev, "seen_in", json_string("trace"));
		json_object_set_new(ev, "spans", json_integer((json_int_t)(j - i)));
		json_object_set_new(ev, "max_ms", json_real((double)(int64_t)(w->dur_ms * 1000 + 0.5) / 1000));
		json_object_set_new(ev, "threshold_ms", json_real(lim));
		json_object_set_new(ev, "example_span", json_string(w->span_id));
		json_object_set_new(ev, "example_trace", json_string(w->trace_id));
		json_object_set_new(ev, "transaction", json_string(w->transaction));
		json_object_set_new(ev, "query", json_string(w->desc));
		i = j;
	}
	free(v);
}
