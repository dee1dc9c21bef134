/* analysis.c: runs the inputs through parsers, ingest and agg (see analysis.h).
 *
 * Inputs are independent, so each one is handled whole by one worker
 * thread with its own fp_cache, ingest and agg (no locks on the hot path);
 * the workers' aggregates are merged at the end. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
#include "analysis.h"
#include "events.h"
#include "filter.h"
#include "findings.h"
#include "ingest.h"
#include "snapshots.h"
#include "traces.h"
#include "parser.h"
#include "timeutil.h"

#define PEEK_BYTES (256 * 1024)

/* Passes over the merged result, in order; each new one is a line here. */
static analysis_pass_fn *const passes[] = {
	traces_pass,
	snapshots_pass,
	advice_pass,
	NULL,
};

/* The trace thresholds the options ask for. */
static void trace_limits(const struct pgsift_options *o, struct traces_limits *l)
{
	traces_limits_default(l);
	if (o->n1_min_repeats)
		l->min_repeats = o->n1_min_repeats;
	if (o->n1_min_loop_ms > 0)
		l->min_loop_ms = o->n1_min_loop_ms;
	if (o->n1_max_gap_ms > 0)
		l->max_gap_ms = o->n1_max_gap_ms;
	if (o->slow_span_ms > 0)
		l->slow_span_ms = o->slow_span_ms;
}

void options_init(struct pgsift_options *o)
{
	memset(o, 0, sizeof(*o));
	o->since_ms = o->until_ms = TS_NONE;
	o->since_tod = o->until_tod = -1;
	o->top = 20;
	o->bands[0] = 100;
	o->bands[1] = 500;
	o->bands[2] = 1000;
}

struct worker {
	pthread_t thread;
	struct shared *shared;
	struct agg *agg;
	struct fp_cache *fp;
	struct ingest *ingest;
	struct events *events;
	struct traces *traces;
	struct snapshots *snapshots;
};

struct shared {
	const struct pgsift_options *opts;
	const struct filter *filter;
	const char *const *paths;
	struct input_report *reports;
	size_t n;
	size_t next;            /* next input to take; under lock */
	pthread_mutex_t lock;
};

static void run_input(struct worker *w, size_t idx)
{
	struct shared *sh = w->shared;
	struct input_report *r = &sh->reports[idx];
	struct parse_options po = { .prefix = sh->opts->prefix, .year = sh->opts->year };
	struct parse_ctx ctx = { .path = sh->paths[idx], .opts = &po, .report = r };
	char err[256];

	r->path = xstrdup(sh->paths[idx]);
	r->format = "unknown";
	ctx.lr = lr_open(sh->paths[idx], err, sizeof(err));
	if (!ctx.lr) {
		parse_problem(&ctx, 0, "%s", err);
		r->unreadable = true;
		return;
	}
	r->compression = lr_compression(ctx.lr);
	const struct parser *p;
	if (sh->opts->input_format) {
		p = parser_find(sh->opts->input_format);
	} else {
		size_t len;
		const char *buf = lr_peek(ctx.lr, PEEK_BYTES, &len);
		p = parser_detect(buf, len);
		if (len == 0 && lr_error(ctx.lr)) {
			parse_problem(&ctx, 0, "%s", lr_error(ctx.lr));
			r->unreadable = r->truncated = true;
			goto done;
		}
		if (!p && len == 0) {
			/* An empty input is not an error: it holds nothing. */
			r->format = "empty";
			goto done;
		}
	}
	if (!p) {
		parse_problem(&ctx, 0, "format not recognised (pass --input-format)");
		r->unreadable = true;
		goto done;
	}
	r->format = p->id;
	void *state = p->open(&ctx);
	if (!state) {
		r->unreadable = true;
		goto done;
	}
	struct record rec;
	for (;;) {
		/* Parsers fill what their format has; the rest stays empty. */
		memset(&rec, 0, sizeof(rec));
		rec.u.log.pid = rec.u.log.leader_pid = -1;
		if (p->next(state, &rec) <= 0)
			break;
		r->records++;
		switch (rec.kind) {
		case REC_LOG_ENTRY:
			ingest_log(w->ingest, &rec.u.log);
			if (ingest_keeps(w->ingest, &rec.u.log))
				events_log(w->events, &rec.u.log);
			break;
		case REC_SPAN:
			traces_span(w->traces, &rec.u.span);
			break;
		case REC_STAT_ROW:
			snapshots_row(w->snapshots, idx, &rec.u.row);
			break;
		}
	}
	p->close(state);
	ingest_end_input(w->ingest);
	events_end_input(w->events);
	traces_end_input(w->traces);
	snapshots_end_input(w->snapshots, idx);
	if (lr_error(ctx.lr)) {
		parse_problem(&ctx, lr_lineno(ctx.lr), "%s", lr_error(ctx.lr));
		r->truncated = true;
	}
done:
	r->lines = lr_lineno(ctx.lr);
	r->bytes = lr_bytes_in(ctx.lr);
	lr_close(ctx.lr);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->shared;
	for (;;) {
		pthread_mutex_lock(&sh->lock);
		size_t idx = sh->next++;
		pthread_mutex_unlock(&sh->lock);
		if (idx >= sh->n)
			break;
		run_input(w, idx);
	}
	return NULL;
}

static unsigned cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

enum analysis_status analysis_run(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis **out)
{
	struct analysis *a = xcalloc(1, sizeof(*a));
	*out = a;
	a->window_start = a->window_end = TS_NONE;
	a->agg = agg_new();
	a->findings = findings_new();
	if (opts->input_format && !parser_find(opts->input_format)) {
		a->error = xstrdup("unknown --input-format");
		return ANALYSIS_BAD_OPTION;
	}
	char *err = NULL;
	struct filter *filter = filter_new(opts, &err);
	if (!filter) {
		a->error = err;
		return ANALYSIS_BAD_OPTION;
	}

	a->ninputs = n;
	a->inputs = xcalloc(n ? n : 1, sizeof(*a->inputs));
	struct shared sh = { .opts = opts, .filter = filter, .paths = paths,
		.reports = a->inputs, .n = n };
	pthread_mutex_init(&sh.lock, NULL);
	unsigned jobs = opts->jobs ? opts->jobs : cores();
	if (jobs > n)
		jobs = n ? (unsigned)n : 1;
	struct worker *w = xcalloc(jobs, sizeof(*w));
	struct traces_limits tl;
	trace_limits(opts, &tl);
	for (unsigned i = 0; i < jobs; i++) {
		w[i].shared = &sh;
		w[i].agg = agg_new();
		w[i].fp = fp_cache_new();
		w[i].ingest = ingest_new(w[i].agg, w[i].fp, filter);
		w[i].events = events_new(w[i].fp);
		ingest_set_events(w[i].ingest, w[i].events);
		w[i].traces = traces_new(w[i].fp);
		traces_set_limits(w[i].traces, &tl);
		ingest_set_traces(w[i].ingest, w[i].traces);
		w[i].snapshots = snapshots_new(w[i].fp);
	}
	a->events = events_new(NULL);
	a->traces = traces_new(NULL);
	traces_set_limits(a->traces, &tl);
	a->snapshots = snapshots_new(NULL);
	if (jobs == 1) {
		worker_main(&w[0]);     /* no thread: simpler to debug and profile */
	} else {
		for (unsigned i = 0; i < jobs; i++)
			pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		for (unsigned i = 0; i < jobs; i++)
			pthread_join(w[i].thread, NULL);
	}
	for (unsigned i = 0; i < jobs; i++) {
		const struct ingest_stats *st = ingest_stats(w[i].ingest);
		a->filtered_out += st->filtered;
		if (st->first_ts != TS_NONE && (a->window_start == TS_NONE || st->first_ts < a->window_start))
			a->window_start = st->first_ts;
		if (st->last_ts != TS_NONE && (a->window_end == TS_NONE || st->last_ts > a->window_end))
			a->window_end = st->last_ts;
		a->distinct_texts += fp_cache_size(w[i].fp);
		a->parsed_texts += fp_cache_parsed(w[i].fp);
		agg_merge(a->agg, w[i].agg);
		events_merge(a->events, w[i].events);
		events_free(w[i].events);
		traces_merge(a->traces, w[i].traces);
		traces_free(w[i].traces);
		snapshots_merge(a->snapshots, w[i].snapshots);
		snapshots_free(w[i].snapshots);
		ingest_free(w[i].ingest);
		agg_free(w[i].agg);
		fp_cache_free(w[i].fp);
	}
	free(w);
	pthread_mutex_destroy(&sh.lock);
	filter_free(filter);

	a->groups = agg_sorted(a->agg, &a->ngroups);
	agg_totals(a->agg, &a->queries, &a->total_ms);
	for (size_t i = 0; passes[i]; i++) {
		passes[i](a, opts);
		/* A pass may have added groups or calls (spans, pgss). */
		a->groups = agg_sorted(a->agg, &a->ngroups);
		agg_totals(a->agg, &a->queries, &a->total_ms);
	}
	findings_sort(a->findings);

	size_t readable = 0;
	bool partial = false;
	for (size_t i = 0; i < n; i++) {
		if (!a->inputs[i].unreadable)
			readable++;
		if (a->inputs[i].nproblems)
			partial = true;
	}
	if (readable == 0)
		return ANALYSIS_NO_INPUT;
	return partial ? ANALYSIS_PARTIAL : ANALYSIS_OK;
}

void analysis_free(struct analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ninputs; i++)
		parse_report_release(&a->inputs[i]);
	free(a->inputs);
	free(a->error);
	agg_free(a->agg);
	events_free(a->events);
	traces_free(a->traces);
	snapshots_free(a->snapshots);
	findings_free(a->findings);
	free(a);
}
