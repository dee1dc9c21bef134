/* baseline.c: reading a saved JSON report and comparing a run with it
 * (see baseline.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "baseline.h"
#include "filter.h"
#include "report.h"
#include "report_load.h"
#include "strbuf.h"

#define TITLE_QUERY_CHARS 80    /* query text in a finding's title */

/* A finding of the saved report, reduced to what says "the same problem". */
struct baseline_finding {
	enum finding_kind kind;
	bool has_fingerprint;
	uint64_t fingerprint;
	char *table, *index;    /* NULL when null */
};

struct baseline {
	char *path;
	struct baseline_group *groups;  /* sorted by fingerprint */
	size_t ngroups;
	struct baseline_finding *findings;
	size_t nfindings;
};

void baseline_params_init(struct baseline_params *p)
{
	p->threshold_pct = BASELINE_THRESHOLD_PCT;
	p->min_ms = BASELINE_MIN_MS;
	p->min_total_ms = BASELINE_MIN_TOTAL_MS;
	p->min_calls = BASELINE_MIN_CALLS;
	p->top = 20;
}

/* ---- loading ---- */

static int cmp_group_fp(const void *pa, const void *pb)
{
	const struct baseline_group *x = pa, *y = pb;
	return x->fingerprint < y->fingerprint ? -1 : x->fingerprint > y->fingerprint;
}

/* The saved groups, from the loaded model (report_load.h), in the order
 * saved (by total time: that is the rank), then sorted by fingerprint. */
static void take_groups(struct baseline *b, const struct analysis *m)
{
	b->groups = xcalloc(m->ngroups + 1, sizeof(*b->groups));
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = m->groups[i];
		struct baseline_group *bg = &b->groups[b->ngroups++];
		bg->fingerprint = g->fingerprint;
		bg->query = xstrdup(g->query ? g->query : "");
		bg->calls = g->calls;
		bg->timed_calls = g->timed_calls;
		bg->total_ms = g->total_ms;
		/* A saved null P95 (no duration) is unknown, not zero. */
		bg->p95_ms = g->timed_calls ? group_pct(g, 0.95) : NAN;
		bg->rank = i + 1;
	}
	qsort(b->groups, b->ngroups, sizeof(*b->groups), cmp_group_fp);
}

static void take_findings(struct baseline *b, const struct analysis *m)
{
	size_t n = findings_count(m->findings);

	b->findings = xcalloc(n + 1, sizeof(*b->findings));
	for (size_t i = 0; i < n; i++) {
		const struct finding *f = findings_at(m->findings, i);
		struct baseline_finding *bf = &b->findings[b->nfindings++];
		bf->kind = f->kind;
		bf->has_fingerprint = f->has_fingerprint;
		bf->fingerprint = f->fingerprint;
		bf->table = f->table ? xstrdup(f->table) : NULL;
		bf->index = f->index ? xstrdup(f->index) : NULL;
	}
}

struct baseline *baseline_load(const char *path, char **err)
{
	struct analysis *m = report_load(path, err);
	if (!m)
		return NULL;
	struct baseline *b = xcalloc(1, sizeof(*b));
	b->path = xstrdup(path);
	take_groups(b, m);
	take_findings(b, m);
	analysis_free(m);
	return b;
}

void baseline_free(struct baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->ngroups; i++)
		free(b->groups[i].query);
	for (size_t i = 0; i < b->nfindings; i++) {
		free(b->findings[i].table);
		free(b->findings[i].index);
	}
	free(b->groups);
	free(b->findings);
	free(b->path);
	free(b);
}

const char *baseline_path(const struct baseline *b)
{
	return b->path;
}

size_t baseline_ngroups(const struct baseline *b)
{
	return b->ngroups;
}

const struct baseline_group *baseline_find(const struct baseline *b, uint64_t fp)
{
	struct baseline_group key = { .fingerprint = fp };
	return bsearch(&key, b->groups, b->ngroups, sizeof(*b->groups), cmp_group_fp);
}

static bool same_str(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

bool baseline_has_finding(const struct baseline *b, const struct finding *f)
{
	for (size_t i = 0; i < b->nfindings; i++) {
		const struct baseline_finding *bf = &b->findings[i];
		if (bf->kind == f->kind && bf->has_fingerprint == f->has_fingerprint &&
				(!f->has_fingerprint || bf->fingerprint == f->fingerprint) &&
				same_str(bf->table, f->table) && same_str(bf->index, f->index))
			return true;
	}
	return false;
}

/* ---- comparing ---- */

/* Growth of now over then in percent; NAN when then is not a figure to
 * compare with (unknown or zero). */
static double growth_pct(double then, double now)
{
	if (isnan(then) || isnan(now) || then <= 0)
		return NAN;
	return (now - then) / then * 100;
}

static double worst_pct(const struct baseline_regression *r)
{
	double p = r->p95_grew ? r->p95_pct : -INFINITY;
	double t = r->total_grew ? r->total_pct : -INFINITY;
	return p > t ? p : t;
}

static int cmp_regression(const void *pa, const void *pb)
{
	const struct baseline_regression *x = pa, *y = pb;
	double dx = x->group->total_ms - x->old->total_ms;
	double dy = y->group->total_ms - y->old->total_ms;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x->group->fingerprint < y->group->fingerprint ? -1 : 1;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;
	return x < y ? -1 : x > y;
}

static int cmp_rank(const void *pa, const void *pb)
{
	const struct baseline_group *x = *(const struct baseline_group *const *)pa;
	const struct baseline_group *y = *(const struct baseline_group *const *)pb;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* "SELECT id FROM t WHERE …": the query on one line, cut for a title. */
static void short_query(const char *q, struct strbuf *sb)
{
	size_t chars = 0;
	sb_reset(sb);
	for (; q && *q; q++) {
		unsigned char ch = (unsigned char)*q;
		if ((ch & 0xc0) != 0x80 && chars++ == TITLE_QUERY_CHARS) {
			sb_append(sb, "\xe2\x80\xa6", 3);
			break;
		}
		sb_putc(sb, ch < 0x20 ? ' ' : (char)ch);
	}
	sb_append(sb, "", 0);
}

static json_t *figures_json(uint64_t calls, double total_ms, double p95_ms)
{
	return json_pack("{s:I, s:f, s:o}", "calls", (json_int_t)calls,
		"total_ms", round(total_ms * 1000) / 1000,
		"p95_ms", isnan(p95_ms) ? json_null() : json_real(round(p95_ms * 1000) / 1000));
}

static void add_finding(struct analysis *a, const struct baseline_regression *r,
		double threshold, struct strbuf *sb)
{
	const struct group *g = r->group;
	double p95 = g->timed_calls ? group_pct(g, 0.95) : NAN;
	short_query(g->query, sb);
	struct finding *f;
	if (r->p95_grew)
		f = findings_add(a->findings, FK_regression, FS_CRITICAL,
			g->total_ms - r->old->total_ms > 0 ? g->total_ms - r->old->total_ms : 0,
			"P95 up %.0f%% (%.3f -> %.3f ms) since the baseline: %s",
			r->p95_pct, r->old->p95_ms, p95, sb->buf);
	else
		f = findings_add(a->findings, FK_regression, FS_CRITICAL,
			g->total_ms - r->old->total_ms,
			"Total time up %.0f%% (%.1f -> %.1f ms) since the baseline: %s",
			r->total_pct, r->old->total_ms, g->total_ms, sb->buf);
	finding_set_fingerprint(f, g->fingerprint);
	finding_set_suggestion(f, "-- Compare this statement's plans in both runs "
		"(auto_explain) and what changed in between:\n"
		"-- a dropped or unused index, more rows, a new filter or parameter.\n%s",
		g->query ? g->query : "");
	json_object_set_new(f->evidence, "baseline",
		figures_json(r->old->calls, r->old->total_ms, r->old->p95_ms));
	json_object_set_new(f->evidence, "current",
		figures_json(g->calls, g->total_ms, p95));
	json_object_set_new(f->evidence, "p95_growth_pct",
		isnan(r->p95_pct) ? json_null() : json_real(round(r->p95_pct * 10) / 10));
	json_object_set_new(f->evidence, "total_growth_pct",
		isnan(r->total_pct) ? json_null() : json_real(round(r->total_pct * 10) / 10));
	json_object_set_new(f->evidence, "threshold_pct", json_real(threshold));
}

struct baseline_diff *baseline_compare(const struct baseline *b,
		struct analysis *a, const struct pgsift_options *opts,
		const struct baseline_params *p)
{
	struct baseline_diff *d = xcalloc(1, sizeof(*d));
	struct strbuf sb = STRBUF_INIT;
	size_t top = p->top ? p->top : 20;

	d->threshold_pct = p->threshold_pct;
	d->top = top;
	d->regressions = xcalloc(a->ngroups + 1, sizeof(*d->regressions));
	d->added = xcalloc(top + 1, sizeof(*d->added));
	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i];
		const struct baseline_group *old = baseline_find(b, g->fingerprint);
		if (!old) {
			if (i < top)
				d->added[d->nadded++] = g;
			continue;
		}
		d->matched++;
		struct baseline_regression r = { .group = g, .old = old };
		double p95 = g->timed_calls ? group_pct(g, 0.95) : NAN;
		r.p95_pct = growth_pct(old->p95_ms, p95);
		r.total_pct = growth_pct(old->total_ms, g->total_ms);
		/* A P95 of a handful of calls is their maximum: noise. */
		r.p95_grew = !isnan(r.p95_pct) && r.p95_pct > p->threshold_pct &&
			p95 - old->p95_ms >= p->min_ms &&
			old->timed_calls >= p->min_calls && g->timed_calls >= p->min_calls;
		r.total_grew = !isnan(r.total_pct) && r.total_pct > p->threshold_pct &&
			g->total_ms - old->total_ms >= p->min_total_ms;
		if (r.p95_grew || r.total_grew)
			d->regressions[d->nregressions++] = r;
	}
	qsort(d->regressions, d->nregressions, sizeof(*d->regressions), cmp_regression);
	for (size_t i = 0; i < d->nregressions; i++)
		add_finding(a, &d->regressions[i], p->threshold_pct, &sb);
	findings_rank(a->findings, a, opts);     /* what each saves, again */

	/* Gone: saved groups of the top N that this run never saw, unless
	 * the run's own --include/--exclude would have left them out. */
	uint64_t *seen = xmalloc((a->ngroups + 1) * sizeof(*seen));
	for (size_t i = 0; i < a->ngroups; i++)
		seen[i] = a->groups[i]->fingerprint;
	qsort(seen, a->ngroups, sizeof(*seen), cmp_u64);
	char *ferr = NULL;
	struct filter *filt = opts ? filter_new(opts, &ferr) : NULL;
	free(ferr);
	d->gone = xcalloc(top + 1, sizeof(*d->gone));
	for (size_t i = 0; i < b->ngroups; i++) {
		const struct baseline_group *bg = &b->groups[i];
		if (bg->rank > top || bsearch(&bg->fingerprint, seen, a->ngroups,
				sizeof(*seen), cmp_u64))
			continue;
		if (filt && bg->query && !filter_text(filt, bg->query, strlen(bg->query)))
			continue;
		d->gone[d->ngone++] = bg;
	}
	qsort(d->gone, d->ngone, sizeof(*d->gone), cmp_rank);
	filter_free(filt);
	free(seen);
	sb_release(&sb);
	return d;
}

void baseline_diff_free(struct baseline_diff *d)
{
	if (!d)
		return;
	free(d->regressions);
	free(d->added);
	free(d->gone);
	free(d);
}

/* ---- JSON ---- */

json_t *baseline_diff_json(const struct baseline *b, const struct baseline_diff *d)
{
	char hex[17];
	json_t *o = json_object(), *arr;

	json_object_set_new(o, "path", json_string(b->path));
	json_object_set_new(o, "threshold_pct", json_real(d->threshold_pct));
	json_object_set_new(o, "matched", json_integer((json_int_t)d->matched));
	arr = json_array();
	for (size_t i = 0; i < d->nregressions; i++) {
		const struct baseline_regression *r = &d->regressions[i];
		fp_format(r->group->fingerprint, hex);
		json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:f}",
			"fingerprint", hex,
			"p95_growth_pct", isnan(r->p95_pct) ? json_null() : json_real(r->p95_pct),
			"total_growth_pct", isnan(r->total_pct) ? json_null() : json_real(r->total_pct),
			"worst_growth_pct", worst_pct(r)));
	}
	json_object_set_new(o, "regressions", arr);
	arr = json_array();
	for (size_t i = 0; i < d->nadded; i++) {
		fp_format(d->added[i]->fingerprint, hex);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:f}", "fingerprint", hex,
			"query", d->added[i]->query ? d->added[i]->query : "",
			"total_ms", d->added[i]->total_ms));
	}
	json_object_set_new(o, "new", arr);
	arr = json_array();
	for (size_t i = 0; i < d->ngone; i++) {
		fp_format(d->gone[i]->fingerprint, hex);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:f}", "fingerprint", hex,
			"query", d->gone[i]->query ? d->gone[i]->query : "",
			"total_ms", d->gone[i]->total_ms));
	}
	json_object_set_new(o, "gone", arr);
	return o;
}
