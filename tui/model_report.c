/* model_report.c: the run's report model (struct analysis) as the TUI's:
 * a saved report found and loaded through the one loader, or a fresh
 * analysis, then the columns the views sort and filter on. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "exit_status.h"
#include "findings.h"
#include "fingerprint.h"
#include "input.h"
#include "model.h"
#include "report.h"
#include "report_load.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

static int cmp_finding(const void *pa, const void *pb)
{
	const struct tui_finding *a = pa, *b = pb;
	if (a->rank != b->rank)
		return b->rank - a->rank;
	double ia = isfinite(a->impact) ? a->impact : 0, ib = isfinite(b->impact) ? b->impact : 0;
	return ia < ib ? 1 : ia > ib ? -1 : 0;
}

/* Fingerprint lookup (events and findings point at groups by it): the
 * groups' fingerprints sorted once, searched in halves. */
struct fp_index {
	uint64_t fp;
	size_t gi;
};

static int cmp_fp(const void *pa, const void *pb)
{
	uint64_t a = ((const struct fp_index *)pa)->fp, b = ((const struct fp_index *)pb)->fp;
	return (a > b) - (a < b);
}

/* What the report keeps besides its public part: the index and the
 * fingerprints in hex that the groups and findings point into. */
struct tui_report_priv {
	struct tui_report pub;
	struct fp_index *byfp;
	size_t nbyfp;
	char (*hex)[17];        /* groups', then findings' */
	struct report_examples *later;  /* a saved report's examples, read on demand */
};

long tui_report_group_of(const struct tui_report *r, uint64_t fp)
{
	const struct tui_report_priv *p = (const struct tui_report_priv *)r;
	if (!p->nbyfp)
		return -1;
	struct fp_index key = { .fp = fp };
	const struct fp_index *hit = bsearch(&key, p->byfp, p->nbyfp, sizeof(key), cmp_fp);
	return hit ? (long)hit->gi : -1;
}

long tui_report_group_by_fp(const struct tui_report *r, const char *fp)
{
	uint64_t v;
	return fp && fp_parse(fp, &v) ? tui_report_group_of(r, v) : -1;
}

double tt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double tt_ms3(double ms)
{
	return isfinite(ms) ? round(ms * 1000) / 1000 : NAN;
}

static void group_columns(struct tui_group *tg, const struct group *g)
{
	/* Without a timed call the latencies are unknown, not zero. */
	bool timed = g->timed_calls > 0;
	tg->g = g;
	tg->query = g->query ? g->query : "";
	tg->calls = (double)g->calls;
	tg->total = tt_ms3(g->total_ms);
	tg->mean = timed ? tt_ms3(group_mean(g)) : NAN;
	tg->p50 = timed ? tt_ms3(group_pct(g, 0.50)) : NAN;
	tg->p95 = timed ? tt_ms3(group_pct(g, 0.95)) : NAN;
	tg->p99 = timed ? tt_ms3(group_pct(g, 0.99)) : NAN;
	tg->min = timed ? tt_ms3(g->min_ms) : NAN;
	tg->max = timed ? tt_ms3(g->max_ms) : NAN;
	tg->first_ms = g->first_ts;
	tg->last_ms = g->last_ts;
}

struct tui_report *tui_report_new(struct analysis *a, const char *origin)
{
	struct tui_report_priv *p = xcalloc(1, sizeof(*p));
	struct tui_report *r = &p->pub;
	size_t ng = a->ngroups, nf = findings_count(a->findings);

	r->a = a;
	r->origin = xstrdup(origin ? origin : "report");
	r->win_start = a->window_start;
	r->win_end = a->window_end;
	r->total_ms = tt_ms3(a->total_ms);
	r->queries = (double)a->queries;

	r->groups = xcalloc(ng ? ng : 1, sizeof(*r->groups));
	p->byfp = xcalloc(ng ? ng : 1, sizeof(*p->byfp));
	p->hex = xcalloc(ng + nf + 1, sizeof(*p->hex));
	for (size_t i = 0; i < ng; i++) {
		struct tui_group *tg = &r->groups[r->ngroups];
		fp_format(a->groups[i]->fingerprint, p->hex[i]);
		tg->fingerprint = p->hex[i];
		group_columns(tg, a->groups[i]);
		p->byfp[p->nbyfp++] = (struct fp_index){ a->groups[i]->fingerprint, r->ngroups };
		r->ngroups++;
	}
	qsort(p->byfp, p->nbyfp, sizeof(*p->byfp), cmp_fp);

	r->findings = xcalloc(nf ? nf : 1, sizeof(*r->findings));
	for (size_t i = 0; i < nf; i++) {
		const struct finding *f = findings_at(a->findings, i);
		struct tui_finding *tf = &r->findings[r->nfindings++];
		tf->f = f;
		tf->kind = finding_kind_name(f->kind);
		tf->severity = finding_severity_name(f->severity);
		tf->title = f->title;
		tf->table = f->table;
		tf->suggestion = f->suggestion;
		tf->rank = f->severity == FS_CRITICAL ? 2 : f->severity == FS_WARNING ? 1 : 0;
		tf->impact = tt_ms3(f->impact_ms);
		tf->group = -1;
		if (f->has_fingerprint) {
			fp_format(f->fingerprint, p->hex[ng + i]);
			tf->fingerprint = p->hex[ng + i];
			tf->group = tui_report_group_of(r, f->fingerprint);
		}
	}
	/* The model sorts them already; a stable re-sort keeps its order
	 * for ties and guards against hand-edited saved reports. */
	for (size_t i = 1; i < r->nfindings; i++)
		for (size_t j = i; j > 0 && cmp_finding(&r->findings[j - 1], &r->findings[j]) > 0; j--) {
			struct tui_finding t = r->findings[j];
			r->findings[j] = r->findings[j - 1];
			r->findings[j - 1] = t;
		}
	return r;
}

void tui_report_free(struct tui_report *r)
{
	if (!r)
		return;
	struct tui_report_priv *p = (struct tui_report_priv *)r;
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].line);
	free(r->groups);
	free(r->findings);
	free(p->byfp);
	free(p->hex);
	free(r->origin);
	report_examples_free(p->later);
	analysis_free(r->a);
	free(p);
}

void tui_group_examples(const struct tui_report *r, size_t gi)
{
	const struct tui_report_priv *p = (const struct tui_report_priv *)r;
	/* The group is the model's: reading its examples fills it in place. */
	report_examples_load(p->later, r->a, (struct group *)r->groups[gi].g);
}

const char *tui_group_line(const struct tui_report *r, size_t gi)
{
	/* A cache in the report: logically const, filled once per group. */
	struct tui_group *g = &r->groups[gi];
	if (!g->line)
		g->line = tt_sanitize(g->query, true);
	return g->line;
}

bool tui_show_literals(const struct tui_report *r)
{
	return r->as_saved || (r->opts && r->opts->show_literals);
}

enum tstyle tui_band_style(const struct tui_report *r, double p95)
{
	static const enum tstyle style[] = {
		[BAND_GOOD] = TS_GOOD, [BAND_WARNING] = TS_WARN,
		[BAND_ALERT] = TS_ALERT, [BAND_CRITICAL] = TS_CRIT,
	};
	return style[report_band(r ? r->opts : NULL, p95)];
}

/* Standard input read ahead: its first bytes, then the rest, written to
 * the pipe that replaces it, so that whoever reads "-" next (the report
 * loader or the analysis) gets every byte. */
struct replay {
	int from, to;
	char *head;
	size_t len;
};

static void *replay_run(void *arg)
{
	struct replay *rp = arg;
	sigset_t set;
	/* A reader that stops early (a bad report) makes write fail with
	 * EPIPE here instead of killing the process. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	char buf[65536];
	const char *p = rp->head;
	size_t n = rp->len;
	for (;;) {
		while (n > 0) {
			ssize_t w = write(rp->to, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			p += w;
			n -= (size_t)w;
		}
		ssize_t r = read(rp->from, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		p = buf;
		n = (size_t)r;
	}
out:
	close(rp->to);
	close(rp->from);
	free(rp->head);
	free(rp);
	return NULL;
}

/* Whether standard input holds a saved report: its first bytes are read
 * (decompressed when they are gzip or zstd) and standard input becomes
 * a pipe that gives them back, then the rest. */
static int stdin_is_report(char *err, size_t errlen)
{
	struct replay *rp = xcalloc(1, sizeof(*rp));
	size_t cap = 65536;
	rp->head = xmalloc(cap);
	while (rp->len < cap) {
		ssize_t r = read(STDIN_FILENO, rp->head + rp->len, cap - rp->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		rp->len += (size_t)r;
	}
	size_t plen = 0;
	struct line_reader *lr = lr_open_mem(rp->head, rp->len);
	const char *plain = lr_peek(lr, 4096, &plen);
	int report = plain && report_load_probe(plain, plen) > 0;
	lr_close(lr);

	int fd[2] = { -1, -1 };
	pthread_t th;
	rp->from = -1;
	if (pipe(fd) != 0 || (rp->from = dup(STDIN_FILENO)) < 0 ||
	    dup2(fd[0], STDIN_FILENO) < 0) {
		snprintf(err, errlen, "standard input: %s", strerror(errno));
		goto fail;
	}
	close(fd[0]);
	fd[0] = -1;
	rp->to = fd[1];
	if (pthread_create(&th, NULL, replay_run, rp) != 0) {
		/* Standard input is the pipe now: nothing can be read. */
		snprintf(err, errlen, "standard input: cannot start its reader");
		goto fail;
	}
	pthread_detach(th);
	return report;
fail:
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (rp->from >= 0)
		close(rp->from);
	free(rp->head);
	free(rp);
	return -1;
}

int tui_report_probe_file(const char *path, bool force, struct tui_report **out,
		char *err, size_t errlen)
{
	*out = NULL;
	/* Standard input cannot be read twice: its first bytes are read
	 * ahead and given back (stdin_is_report). A terminal is left alone:
	 * reading ahead would wait for the user before saying anything. */
	if (strcmp(path, "-") == 0 && !force) {
		if (isatty(STDIN_FILENO))
			return 0;
		int rep = stdin_is_report(err, errlen);
		if (rep <= 0)
			return rep;
		force = true;
	}
	if (!force) {
		char lerr[256];
		size_t len = 0;
		struct line_reader *lr = lr_open(path, lerr, sizeof(lerr));
		if (!lr)
			return 0;       /* the analysis reports it */
		const char *head = lr_peek(lr, 4096, &len);
		bool report = head && report_load_probe(head, len) > 0;
		lr_close(lr);
		if (!report)
			return 0;
	}
	char *lerr = NULL;
	struct report_examples *later = NULL;
	double t0 = tt_now();
	/* Examples are shown in a group's detail only: they stay in the file
	 * until then (half of a big report, and of its model). */
	struct analysis *a = report_load_later(path, &lerr, &later);
	double load_s = tt_now() - t0;
	if (!a) {
		snprintf(err, errlen, "%s", lerr ? lerr : path);
		free(lerr);
		return -1;
	}
	*out = tui_report_new(a, path);
	((struct tui_report_priv *)*out)->later = later;
	(*out)->as_saved = true;
	(*out)->load_s = load_s;
	return 1;
}

/* The inputs' notes and problems as standard error has them: one said
 * of many inputs is told once (report_msgs_where()). */
static void diag_messages(const struct analysis *a, struct tlines *diag)
{
	struct report_msgs m[2];
	struct strbuf where = STRBUF_INIT;
	size_t at[2] = { 0, 0 };

	report_msgs_build(&m[0], a, false);
	report_msgs_build(&m[1], a, true);
	for (size_t i = 0; i < a->ninputs; i++)
		for (int p = 0; p < 2; p++)
			for (; at[p] < m[p].n && m[p].input_of[at[p]] == i; at[p]++) {
				if (m[p].rep[at[p]].rank != 0)
					continue;
				report_msgs_where(&m[p], a, at[p], &where);
				tlines_add(diag, p ? TS_WARN : TS_DIM, TL_TEXT, 0, "%s: %s",
						where.buf, m[p].texts[at[p]]);
			}
	report_msgs_free(&m[1]);
	report_msgs_free(&m[0]);
	sb_release(&where);
}

struct tui_report *tui_report_analyse(const struct pgsift_options *o,
		const char *const *paths, size_t n, char *err, size_t errlen,
		struct tlines *diag)
{
	struct analysis *a = NULL;
	struct tui_report *r = NULL;
	double t0 = tt_now();
	enum analysis_status st = analysis_run(o, paths, n, &a);
	double load_s = tt_now() - t0;

	if (st == ANALYSIS_BAD_OPTION) {
		snprintf(err, errlen, "%s", a->error ? a->error : "bad option");
		goto fail;
	}
	if (diag)
		diag_messages(a, diag);
	if (st == ANALYSIS_NO_INPUT) {
		snprintf(err, errlen, "no input could be read");
		goto fail;
	}
	char origin[64];
	if (n == 1)
		snprintf(origin, sizeof(origin), "%.60s", paths[0]);
	else
		snprintf(origin, sizeof(origin), "%zu inputs", n);
	r = tui_report_new(a, origin);
	r->opts = o;
	r->load_s = load_s;
	if (st == ANALYSIS_PARTIAL)
		r->status = EXIT_MALFORMED;
	return r;
fail:
	analysis_free(a);
	return NULL;
}
