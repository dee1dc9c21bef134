/* findings_rank.c: the order of "What to fix first" (see findings.h).
 *
 * Findings overlap: a missing index, the N+1 loop that runs its statement
 * and the sort spill in it each claim the same statement's time, and
 * their impacts summed past the run's total ("67.9% of all time" twice).
 * A DBA fixes one thing at a time, so each finding is credited with what
 * its change saves after the ones ranked above it: the time of its
 * statements not already claimed (greedy, most saved first, the most
 * severe findings first). A statement's time is claimed at most once, up
 * to its group's total. Findings about statements that are no
 * application work (maintenance, DDL, a bulk load run once: stmt_kind.h)
 * are told apart and rank last, as info, unless --all-kinds. */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "findings.h"
#include "fingerprint.h"
#include "report.h"
#include "util.h"

static void claim_add(struct finding_claim **v, size_t *n, size_t *cap,
		uint64_t fp, double ms)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].fp == fp) {
			if (ms > (*v)[i].ms)
				(*v)[i].ms = ms;
			return;
		}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = (struct finding_claim){ fp, ms };
}

/* The evidence keys are those advice_index.c ("groups": [{"fingerprint",
 * "total_ms"}]) and snapshots_findings.c ("statements": [fingerprint])
 * write; a finding about one statement claims its impact on it. */
size_t finding_claims(const struct finding *f, struct finding_claim **out)
{
	struct finding_claim *v = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t fp;
	json_t *x;

	json_array_foreach(json_object_get(f->evidence, "groups"), i, x) {
		json_t *t = json_object_get(x, "total_ms");
		if (fp_parse(json_string_value(json_object_get(x, "fingerprint")), &fp))
			claim_add(&v, &n, &cap, fp, json_is_number(t) ?
					json_number_value(t) : f->impact_ms);
	}
	json_array_foreach(json_object_get(f->evidence, "statements"), i, x)
		if (fp_parse(json_string_value(x), &fp))
			claim_add(&v, &n, &cap, fp, f->impact_ms);
	if (n == 0 && f->has_fingerprint)
		claim_add(&v, &n, &cap, f->fingerprint, f->impact_ms);
	*out = v;
	return n;
}

/* ---- the run's statements: time left to claim ---- */

struct stmt {
	uint64_t fp;
	double left;            /* time no finding above has claimed */
	bool known;             /* a group of the run */
	bool one_off;
	enum stmt_kind kind;
};

static int cmp_stmt(const void *pa, const void *pb)
{
	const struct stmt *x = pa, *y = pb;
	return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static struct stmt *stmt_find(struct stmt *v, size_t n, uint64_t fp)
{
	struct stmt key = { .fp = fp };
	return bsearch(&key, v, n, sizeof(*v), cmp_stmt);
}

struct cand {
	struct finding *f;
	struct finding_claim *claims;
	size_t nclaims;
	double bound;           /* what it saved when last counted: only falls */
	bool done;
};

static double marginal(const struct cand *c, struct stmt *st, size_t nst)
{
	if (c->nclaims == 0)
		return c->f->impact_ms;
	double m = 0;
	for (size_t i = 0; i < c->nclaims; i++) {
		struct stmt *s = stmt_find(st, nst, c->claims[i].fp);
		double ms = c->claims[i].ms;
		if (s && s->left < ms)
			ms = s->left;
		m += ms > 0 ? ms : 0;
	}
	return m;
}

/* The better of two candidates at equal savings: findings_sort()'s order. */
static bool before(const struct cand *x, double mx, const struct cand *y, double my)
{
	if (mx != my)
		return mx > my;
	if (x->f->impact_ms != y->f->impact_ms)
		return x->f->impact_ms > y->f->impact_ms;
	return strcmp(x->f->title, y->f->title) < 0;
}

/* Credits each finding of one severity with what it saves (lazy greedy:
 * a finding's saving only falls as others claim its statements). */
static void rank_tier(struct cand *c, size_t n, enum finding_severity sev,
		struct stmt *st, size_t nst)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].f->severity == sev)
			c[i].bound = marginal(&c[i], st, nst);
	for (;;) {
		struct cand *best = NULL;
		for (size_t i = 0; i < n; i++) {
			if (c[i].done || c[i].f->severity != sev)
				continue;
			if (!best || before(&c[i], c[i].bound, best, best->bound))
				best = &c[i];
		}
		if (!best)
			return;
		double m = marginal(best, st, nst);
		if (m < best->bound) {
			best->bound = m;        /* count again against the others */
			continue;
		}
		best->done = true;
		best->f->saves_ms = m;
		for (size_t k = 0; k < best->nclaims; k++) {
			struct stmt *s = stmt_find(st, nst, best->claims[k].fp);
			if (!s)
				continue;
			double ms = best->claims[k].ms < s->left ? best->claims[k].ms : s->left;
			s->left -= ms > 0 ? ms : 0;
		}
	}
}

void findings_rank(struct findings *fs, const struct analysis *a,
		const struct pgsift_options *o)
{
	size_t n = findings_count(fs);
	struct cand *c = xcalloc(n ? n : 1, sizeof(*c));
	struct stmt *st = xcalloc(a->ngroups ? a->ngroups : 1, sizeof(*st));
	size_t nst = 0;

	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i];
		bool one_off;
		enum stmt_kind k = group_kind(g, &one_off);
		st[nst++] = (struct stmt){ g->fingerprint, g->total_ms, true, one_off, k };
	}
	qsort(st, nst, sizeof(*st), cmp_stmt);

	for (size_t i = 0; i < n; i++) {
		c[i].f = findings_at(fs, i);
		c[i].nclaims = finding_claims(c[i].f, &c[i].claims);
		/* About no application work: last, as info, and said so. */
		bool all_one_off = c[i].nclaims > 0 && !(o && o->all_kinds);
		const struct stmt *first = NULL;
		for (size_t k = 0; all_one_off && k < c[i].nclaims; k++) {
			const struct stmt *s = stmt_find(st, nst, c[i].claims[k].fp);
			all_one_off = s && s->one_off;
			if (!first)
				first = s;
		}
		if (all_one_off && first) {
			c[i].f->severity = FS_INFO;
			json_object_set_new(c[i].f->evidence, "one_off_statement",
					json_string(stmt_kind_name(first->kind)));
		}
	}
	for (int sev = FS_CRITICAL; sev >= FS_INFO; sev--)
		rank_tier(c, n, (enum finding_severity)sev, st, nst);
	findings_sort(fs);

	for (size_t i = 0; i < n; i++)
		free(c[i].claims);
	free(c);
	free(st);
}

size_t finding_shares(const struct findings *fs, size_t at, size_t *ranks,
		size_t max)
{
	const struct finding *f = findings_at(fs, at);
	struct finding_claim *mine = NULL, *theirs;
	size_t nmine = f ? finding_claims(f, &mine) : 0, nr = 0;

	for (size_t j = 0; nmine && j < at && nr < max; j++) {
		size_t nt = finding_claims(findings_at(fs, j), &theirs);
		bool shared = false;
		for (size_t x = 0; x < nmine && !shared; x++)
			for (size_t y = 0; y < nt && !shared; y++)
				shared = mine[x].fp == theirs[y].fp;
		free(theirs);
		if (shared)
			ranks[nr++] = j + 1;
	}
	free(mine);
	return nr;
}
