/* analysis.c: a run (see analysis.h): builds each worker's sinks, has the
 * driver (driver.c) pull the inputs into them, merges the workers' sinks
 * into the result, then runs the passes over it. */
#include <errno.h>
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
#include "input.h"
#include "input_overlap.h"
#include "snapshots.h"
#include "traces.h"
#include "parser.h"
#include "progress.h"
#include "report.h"
#include "report_load.h"
#include "run_sinks.h"
#include "sink.h"
#include "state.h"
#include "strbuf.h"
#include "timeutil.h"

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
	o->bands[0] = BANDS_DEFAULT_WARNING_MS;
	o->bands[1] = BANDS_DEFAULT_ALERT_MS;
	o->bands[2] = BANDS_DEFAULT_CRITICAL_MS;
}

/* The sinks of a pipeline, in the order they get records, calls and ends
 * of input, and are merged in: the run's own (run_sinks.h). */
enum { SINK_STATEMENTS = RUN_STATEMENTS, SINK_EVENTS = RUN_EVENTS,
	SINK_TRACES = RUN_TRACES, SINK_SNAPSHOTS = RUN_SNAPSHOTS, NSINKS = RUN_NSINKS };

/* One worker's pipeline: its sinks and what they share. */
struct pipe {
	struct sink v[NSINKS];
	struct sinks list;
	struct agg *agg;
	struct fp_cache *fp;
};

static void pipe_init(struct pipe *p, const struct filter *filter,
		const struct traces_limits *tl, const struct pgsift_options *opts)
{
	p->agg = agg_new();
	p->fp = fp_cache_new();
	/* Its groups point at the cache's texts; merge_pipes() keeps them. */
	agg_share_entry_texts(p->agg);
	if (!opts->show_literals)
		agg_mask_examples(p->agg);
	p->list = (struct sinks){ p->v, NSINKS };
	struct traces *tr = traces_new(p->fp);
	traces_set_limits(tr, tl);
	p->v[SINK_STATEMENTS] = (struct sink){ &ingest_sink_ops,
		ingest_new(p->agg, p->fp, filter, &p->list) };
	p->v[SINK_EVENTS] = (struct sink){ &events_sink_ops, events_new(p->fp) };
	p->v[SINK_TRACES] = (struct sink){ &traces_sink_ops, tr };
	p->v[SINK_SNAPSHOTS] = (struct sink){ &snapshots_sink_ops, snapshots_new(p->fp) };
}

static void pipe_free(struct pipe *p)
{
	for (size_t k = 0; k < NSINKS; k++)
		p->v[k].ops->free(p->v[k].state);
	agg_free(p->agg);
	fp_cache_free(p->fp);
}

static unsigned cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* The distinct normalized texts of several workers' caches: one input cut
 * across workers shows a text to each, so their sizes added up count it
 * once per worker. */
struct text_key {
	uint64_t hash;
	bool parsed;
};

struct text_keys {
	struct text_key *v;
	size_t n, cap;
};

static void add_text_key(void *arg, uint64_t hash, const struct fp_entry *e)
{
	struct text_keys *k = arg;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 1024;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	k->v[k->n++] = (struct text_key){ hash, !e->lexical };
}

static int cmp_text_key(const void *a, const void *b)
{
	const struct text_key *x = a, *y = b;
	return (x->hash > y->hash) - (x->hash < y->hash);
}

static void count_texts(struct analysis *a, struct pipe *w, unsigned jobs)
{
	if (jobs == 1) {
		a->distinct_texts += fp_cache_size(w[0].fp);
		a->parsed_texts += fp_cache_parsed(w[0].fp);
		return;
	}
	struct text_keys k = { 0 };
	for (unsigned i = 0; i < jobs; i++)
		fp_cache_each(w[i].fp, add_text_key, &k);
	if (k.n)
		qsort(k.v, k.n, sizeof(*k.v), cmp_text_key);
	for (size_t i = 0; i < k.n; i++) {
		if (i > 0 && k.v[i].hash == k.v[i - 1].hash)
			continue;
		a->distinct_texts++;
		a->parsed_texts += k.v[i].parsed;
	}
	free(k.v);
}

/* Merges the workers' pipelines into a's, frees them, and finishes the
 * merged sinks (spans and pg_stat_statements rows become calls and
 * groups). */
static void merge_pipes(struct analysis *a, struct pipe *w, unsigned jobs,
		const struct traces_limits *tl, const struct pgsift_options *opts,
		const struct filter *filter)
{
	struct sink into[NSINKS];
	run_sinks_open(a, into, tl);
	count_texts(a, w, jobs);
	for (unsigned i = 0; i < jobs; i++) {
		for (size_t k = 0; k < NSINKS; k++)
			into[k].ops->merge(into[k].state, w[i].v[k].state);
		/* The groups that came over point at the cache's texts. */
		agg_keep_arena(a->agg, fp_cache_free_keep_entries(w[i].fp));
		w[i].fp = NULL;
		pipe_free(&w[i]);
	}
	/* Before a state is saved: it keeps the inputs' problems. */
	ingest_report_cut_plans(into[SINK_STATEMENTS].state, a->inputs, a->ninputs);
	if (opts->save)         /* what the sinks hold before they finish */
		state_save_run(opts, a, ingest_stats(into[SINK_STATEMENTS].state),
			opts->save_ids);
	run_sinks_finish(a, into, opts, filter);
}

/* Whether a filter was given (--since/--until as dates only when dates
 * is set, as times of day always, --db, --user, --app, --include,
 * --exclude): finished results (saved reports, states) refuse them. */
static bool filters_given(const struct pgsift_options *o, bool dates)
{
	return (dates && (o->since_ms != TS_NONE || o->until_ms != TS_NONE)) ||
		o->since_tod >= 0 || o->until_tod >= 0 || o->dbs || o->users ||
		o->apps || o->include || o->exclude;
}

/* ---- a saved report as an input (parsers/report_json.c) ---- */

/* Whether path is a saved report: --input-format report-json, or the
 * registry's report-json probe on its first bytes. Standard input is not
 * peeked at, as it cannot be read twice (the driver then says it needs
 * --input-format). */
static bool saved_report(const struct pgsift_options *opts, const char *path)
{
	if (opts->input_format)
		return strcmp(opts->input_format, "report-json") == 0;
	if (strcmp(path, "-") == 0)
		return false;
	char err[256];
	size_t len = 0;
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	if (!lr)
		return false;   /* the driver reports it */
	const char *buf = lr_peek(lr, 4096, &len);
	bool yes = buf && parser_find("report-json")->probe(buf, len) > 0;
	lr_close(lr);
	return yes;
}

/* The hand-over: a saved report is a finished model already, so its run
 * is its loading by the one loader (report_load.h), with no driver, sinks
 * or passes (its filters and thresholds were applied when it was made),
 * and *out becomes the loaded model. Until reports can be joined (`pgsift
 * merge`), a report comes alone. Returns false when no input is one. */
static bool hand_over_saved(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis **out,
		enum analysis_status *st)
{
	size_t k = 0;
	while (k < n && !saved_report(opts, paths[k]))
		k++;
	if (k == n)
		return false;
	*st = ANALYSIS_BAD_OPTION;
	if (n > 1) {
		if (asprintf(&(*out)->error, "%s: a saved pgsift report is read on its own, "
				"not together with other inputs", paths[k]) < 0)
			abort();
		return true;
	}
	/* Its calls are totals already: a filter cannot be applied to them,
	 * and a report that silently ignored one would mislead. */
	if (filters_given(opts, true)) {
		if (asprintf(&(*out)->error, "%s: a saved pgsift report is a finished "
				"result: --since, --until, --db, --user, --app, --include and "
				"--exclude apply when it is made, not when it is read", paths[0]) < 0)
			abort();
		return true;
	}
	char *err = NULL;
	struct analysis *loaded = report_load(paths[0], &err);
	if (!loaded) {
		(*out)->error = err;
		return true;
	}
	analysis_free(*out);
	loaded->loaded_from = xstrdup(paths[0]);
	*out = loaded;
	*st = ANALYSIS_OK;
	return true;
}

/* ---- saved states as inputs (state.h) ---- */

/* A run over states (`pgsift merge`, or states given to report, check or
 * tui): every input must be one. Their filters were applied when they
 * were made. Returns false when no input is one. */
static bool merge_saved_states(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis *a,
		enum analysis_status *st)
{
	size_t nstates = state_count_inputs(paths, n);
	if (nstates == 0)
		return false;
	*st = ANALYSIS_BAD_OPTION;
	if (nstates < n) {
		if (asprintf(&a->error, "pgsift states are merged on their own, not "
				"together with other inputs") < 0)
			abort();
		return true;
	}
	if (filters_given(opts, true)) {
		if (asprintf(&a->error, "%s: a pgsift state was filtered when it was "
				"made: --since, --until, --db, --user, --app, --include and "
				"--exclude apply when it is made, not when it is merged",
				paths[0]) < 0)
			abort();
		return true;
	}
	struct traces_limits tl;
	trace_limits(opts, &tl);
	*st = state_merge_run(opts, paths, n, a, &tl);
	return true;
}

/* --state DIR: reads what was appended to each log since the last run
 * (one worker: appended bytes are a day's, not a month's), keeps it as a
 * partial in DIR, then merges the partials whose window meets --since/
 * --until, which choose partials here rather than filter records. */
static bool run_state_dir(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis *a,
		enum analysis_status *st)
{
	if (!opts->state_dir)
		return false;
	*st = ANALYSIS_BAD_OPTION;
	if (filters_given(opts, false)) {
		if (asprintf(&a->error, "--state: --since and --until choose the "
				"partials of a period (a date, or 7d, 24h, 90m); --db, --user, "
				"--app, --include, --exclude and times of day are not taken") < 0)
			abort();
		return true;
	}
	struct pgsift_options ro = *opts;
	ro.since_ms = ro.until_ms = TS_NONE;
	struct traces_limits tl;
	trace_limits(opts, &tl);
	struct state_plan plan;
	char *err = NULL;
	struct filter *none = filter_new(&ro, &err);
	struct driver_cfg cfg = { .input_format = opts->input_format,
		.popts = { .prefix = opts->prefix, .year = opts->year }, .filter = none };
	if (n && state_plan_make(opts->state_dir, paths, n, &cfg, &plan, &a->error) != 0) {
		filter_free(none);
		return true;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !plan.skip[i];
	if (k) {
		struct analysis *t = xcalloc(1, sizeof(*t));
		t->window_start = t->window_end = TS_NONE;
		t->agg = agg_new();
		t->findings = findings_new();
		t->inputs = xcalloc(k, sizeof(*t->inputs));
		t->ninputs = k;
		struct state_ident *ids = xcalloc(k, sizeof(*ids));
		struct pipe *w = xcalloc(1, sizeof(*w));
		pipe_init(w, none, &tl, &ro);
		for (size_t i = 0, j = 0; i < n; i++) {
			if (plan.skip[i])
				continue;
			if (plan.whole[i])
				driver_run_input(&cfg, paths[i], NULL, j, &w->list, &t->inputs[j]);
			else
				state_read_appended(&plan, i, &cfg, j, &w->list,
					w->v[SINK_EVENTS].state, &t->inputs[j]);
			if (plan.notes[i])
				parse_report_add_note(&t->inputs[j], xstrdup(plan.notes[i]));
			ids[j++] = plan.ids[i];
		}
		char *tmp = NULL;
		if (asprintf(&tmp, "%s/run-%ld.partial", opts->state_dir, (long)getpid()) < 0)
			abort();
		ro.save = tmp;
		ro.save_ids = ids;
		merge_pipes(t, w, 1, &tl, &ro, none);
		free(w);
		free(ids);
		char *final = state_partial_name(opts->state_dir, t->window_start, t->window_end);
		if (t->save_error) {
			a->save_error = t->save_error;
			t->save_error = NULL;
		} else {
			state_plan_commit(opts->state_dir, &plan, tmp, final, &a->save_error);
		}
		free(final);
		free(tmp);
		analysis_free(t);
	}
	if (n)
		state_plan_release(&plan);
	filter_free(none);
	if (a->save_error) {
		*st = ANALYSIS_SAVE_FAILED;
		return true;
	}
	char **files;
	size_t nfiles;
	if (state_partials(opts->state_dir, opts->since_ms, opts->until_ms, &files,
			&nfiles, &a->error) != 0)
		return true;
	if (nfiles == 0) {
		if (asprintf(&a->error, "--state %s: no partial for that period",
				opts->state_dir) < 0)
			abort();
	} else {
		ro.save = opts->save;
		ro.save_ids = NULL;
		*st = state_merge_run(&ro, (const char *const *)files, nfiles, a, &tl);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return true;
}

static enum analysis_status run_paths(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis **out);

enum analysis_status analysis_run(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis **out)
{
	char **inputs;
	size_t ninputs = input_paths_expand(paths, n, &inputs);
	struct progress_watch *pw = progress_start(opts->progress,
		opts->progress_ctx, (const char *const *)inputs, ninputs);
	enum analysis_status st = run_paths(opts, (const char *const *)inputs,
		ninputs, out);
	progress_stop(pw);
	lr_release_parked();    /* what this thread read of an archive */
	input_paths_free(inputs, ninputs);
	return st;
}

/* Groups keep their own timelines, started at the ladder's first width:
 * none narrower than the run's (nor than a minute: a group of a long log
 * at 1 s buckets would tell its calls apart no better in a report whose
 * run is charted by the minute). */
static void floor_group_timelines(struct analysis *a)
{
	const struct ev_timeline *t = a->events ? events_timeline(a->events) : NULL;
	if (!t || t->n == 0)
		return;
	int64_t w = t->width_ms < MS_PER_MIN ? t->width_ms : MS_PER_MIN;
	for (size_t i = 0; i < a->ngroups; i++)
		agg_timeline_floor(&a->groups[i]->timeline, w);
}

static enum analysis_status run_paths(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis **out)
{
	struct analysis *a = xcalloc(1, sizeof(*a));
	*out = a;
	a->window_start = a->window_end = TS_NONE;
	a->agg = agg_new();
	a->findings = findings_new();
	if (opts->input_format && !parser_find(opts->input_format)) {
		struct strbuf sb = STRBUF_INIT;
		static const char head[] = "unknown --input-format '";
		sb_append(&sb, head, sizeof(head) - 1);
		sb_append(&sb, opts->input_format, strlen(opts->input_format));
		sb_append(&sb, "' (one of:", 10);
		for (size_t i = 0; parser_registry[i]; i++) {
			sb_putc(&sb, ' ');
			sb_append(&sb, parser_registry[i]->id, strlen(parser_registry[i]->id));
		}
		sb_putc(&sb, ')');
		a->error = sb.buf;
		return ANALYSIS_BAD_OPTION;
	}
	char *err = NULL;
	struct filter *filter = filter_new(opts, &err);
	if (!filter) {
		a->error = err;
		return ANALYSIS_BAD_OPTION;
	}
	enum analysis_status saved_st;
	if (hand_over_saved(opts, paths, n, out, &saved_st)) {
		filter_free(filter);
		return saved_st;
	}
	if (run_state_dir(opts, paths, n, a, &saved_st) ||
			merge_saved_states(opts, paths, n, a, &saved_st)) {
		filter_free(filter);
		if (saved_st != ANALYSIS_OK)
			return saved_st;
		goto merged;
	}

	a->ninputs = n;
	a->inputs = xcalloc(n ? n : 1, sizeof(*a->inputs));
	unsigned jobs = opts->jobs ? opts->jobs : cores();
	/* One plain log file is cut across every worker (driver_split.c), so
	 * a single input may use them all. */
	if (jobs > 64)
		jobs = 64;
	struct traces_limits tl;
	trace_limits(opts, &tl);
	struct pipe *w = xcalloc(jobs, sizeof(*w));
	struct sinks *lists = xcalloc(jobs, sizeof(*lists));
	/* Workers reading ranges of one log meet the same statements: each
	 * is parsed once for all (fingerprint_shared.c). */
	struct fp_shared *shared = jobs > 1 ? fp_shared_new() : NULL;
	for (unsigned i = 0; i < jobs; i++) {
		pipe_init(&w[i], filter, &tl, opts);
		fp_cache_share(w[i].fp, shared);
		lists[i] = w[i].list;
	}
	struct driver_cfg cfg = {
		.input_format = opts->input_format,
		.popts = { .prefix = opts->prefix, .year = opts->year },
		.filter = filter,
		/* A saved state may be merged with others later. */
		.sample_entries = n > 1 || opts->save || opts->state_dir,
	};
	driver_run_all(&cfg, paths, n, a->inputs, lists, jobs);
	for (unsigned i = 0; i < jobs; i++)
		fp_cache_share(w[i].fp, NULL);
	fp_shared_free(shared);
	merge_pipes(a, w, jobs, &tl, opts, filter);
	free(lists);
	free(w);
	filter_free(filter);

merged:
	/* Fresh or merged from saved states: the same inputs, the same notes. */
	input_overlap_notes(a->inputs, a->ninputs);
	/* Every call is in: the sinks' finish brought spans and pgss rows.
	 * The passes only add findings and annotate groups. */
	a->groups = agg_sorted(a->agg, &a->ngroups);
	agg_totals(a->agg, &a->queries, &a->total_ms);
	for (size_t i = 0; passes[i]; i++)
		passes[i](a, opts);
	floor_group_timelines(a);
	report_finish(a);       /* the model the writers read */
	findings_rank(a->findings, a, opts);    /* reads the groups' kinds */

	size_t readable = 0;
	bool partial = false;
	for (size_t i = 0; i < a->ninputs; i++) {
		if (!a->inputs[i].unreadable)
			readable++;
		if (a->inputs[i].nproblems)
			partial = true;
	}
	if (readable == 0)
		return ANALYSIS_NO_INPUT;
	if (a->save_error)
		return ANALYSIS_SAVE_FAILED;
	return partial ? ANALYSIS_PARTIAL : ANALYSIS_OK;
}
