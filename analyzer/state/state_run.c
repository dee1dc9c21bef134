/* state_run.c: states in a run (see state.h): saving the merged sinks of a
 * run (--save), and a run whose inputs are states (`pgsift merge`, or
 * states given to report, check and tui), which loads each into fresh
 * sinks, merges it into the run's with the sinks' own merge, one state at
 * a time (memory holds the run's result and one state, however many are
 * merged), then finishes the sinks as a run over the logs does. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "events.h"
#include "filter.h"
#include "../pipeline/ingest.h"
#include "input.h"
#include "parser.h"
#include "run_sinks.h"
#include "sink.h"
#include "snapshots.h"
#include "state.h"
#include "timeutil.h"
#include "traces.h"
#include "util.h"

/* ---- --save ---- */

int state_save_run(const struct pgsift_options *opts, struct analysis *a,
		const struct ingest_stats *st, const struct state_ident *ids)
{
	struct state_ident *own = NULL;
	if (!ids) {
		/* Read whole, from the start: the driver says how many bytes. */
		own = xcalloc(a->ninputs ? a->ninputs : 1, sizeof(*own));
		for (size_t i = 0; i < a->ninputs; i++)
			state_ident_of(a->inputs[i].path, 0, a->inputs[i].bytes, &own[i]);
		ids = own;
	}
	struct state_parts p = {
		.inputs = a->inputs, .ids = (struct state_ident *)ids,
		.ninputs = a->ninputs,
		.distinct_texts = a->distinct_texts, .parsed_texts = a->parsed_texts,
		.entries = st->entries, .calls = st->calls, .filtered = st->filtered,
		.merged_plans = st->merged_plans, .lone_durations = st->lone_durations,
		.plans_cut = st->plans_cut, .plans_cut_lost = st->plans_cut_lost,
		.first_ts = st->first_ts, .last_ts = st->last_ts,
		.agg = a->agg, .events = a->events, .traces = a->traces,
		.snapshots = a->snapshots,
	};
	/* A --state run's partial is temporary until its commit. */
	if (opts->state_dir)
		state_temp_add(opts->save);
	int rc = state_write(opts->save, &p, opts, &a->save_error);
	free(own);
	return rc;
}

/* ---- states as inputs ---- */

size_t state_count_inputs(const char *const *paths, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0)
			continue;
		FILE *f = fopen(paths[i], "rb");
		if (!f)
			continue;
		char buf[STATE_MAGIC_LEN];
		size_t got = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (state_probe(buf, got))
			k++;
	}
	return k;
}

/* Where each input of the run came from, for the notes on duplicates. */
struct merged {
	struct state_ident *ids;
	const char **from;      /* the state file of each input (borrowed) */
	size_t n;
};

/* The input of m that overlaps id, or SIZE_MAX. */
static size_t overlapping(const struct merged *m, const struct state_ident *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (state_ident_overlaps(&m->ids[i], id))
			return i;
	return SIZE_MAX;
}

/* Whether p (read from path) holds inputs already merged: all of them
 * (true: it is skipped, and each such input of a says so), or some
 * (false with *err: a state is merged whole and this one cannot be
 * without counting those twice). */
static bool already_merged(struct analysis *a, const struct merged *m,
		const struct state_parts *p, const char *path, char **err)
{
	size_t dup = 0, first = SIZE_MAX;
	for (size_t i = 0; i < p->ninputs; i++) {
		size_t at = overlapping(m, &p->ids[i]);
		if (at != SIZE_MAX) {
			dup++;
			if (first == SIZE_MAX)
				first = i;
		}
	}
	if (dup == 0 || p->ninputs == 0)
		return false;
	if (dup < p->ninputs) {
		size_t at = overlapping(m, &p->ids[first]);
		*err = st_errorf("%s: it holds %s, already merged from %s, with other "
			"inputs; a state is merged whole, so it cannot be merged without "
			"counting that input twice", path, p->inputs[first].path, m->from[at]);
		return false;
	}
	for (size_t i = 0; i < p->ninputs; i++) {
		size_t at = overlapping(m, &p->ids[i]);
		parse_report_add_note(&a->inputs[at], st_errorf("already merged from %s; its copy in %s "
			"skipped", m->from[at], path));
	}
	return true;
}

/* Moves p's inputs to the end of a's. */
static void take_inputs(struct analysis *a, struct merged *m,
		struct state_parts *p, const char *path)
{
	size_t n = a->ninputs + p->ninputs;
	a->inputs = xrealloc(a->inputs, (n ? n : 1) * sizeof(*a->inputs));
	m->ids = xrealloc(m->ids, (n ? n : 1) * sizeof(*m->ids));
	m->from = xrealloc(m->from, (n ? n : 1) * sizeof(*m->from));
	for (size_t i = 0; i < p->ninputs; i++) {
		a->inputs[a->ninputs + i] = p->inputs[i];
		m->ids[m->n + i] = p->ids[i];
		m->from[m->n + i] = path;
		memset(&p->inputs[i], 0, sizeof(p->inputs[i]));
	}
	a->ninputs = m->n = n;
}

/* The sinks a loaded state is read into, and merged from. */

static void fresh_parts(struct state_parts *p)
{
	memset(p, 0, sizeof(*p));
	p->agg = agg_new();
	p->events = events_new(NULL);
	p->traces = traces_new(NULL);
	p->snapshots = snapshots_new(NULL);
}

static void free_parts(struct state_parts *p)
{
	agg_free(p->agg);
	events_free(p->events);
	traces_free(p->traces);
	snapshots_free(p->snapshots);
	state_parts_release(p);
}

/* opts with the filters a state was made with. */
static void with_filters(struct pgsift_options *o, const struct state_filters *f)
{
	o->since_ms = f->since_ms;
	o->until_ms = f->until_ms;
	o->since_tod = f->since_tod;
	o->until_tod = f->until_tod;
	const char ***lists[5] = { &o->dbs, &o->users, &o->apps, &o->include,
		&o->exclude };
	for (size_t k = 0; k < 5; k++)
		*lists[k] = (const char **)f->lists[k];
}

/* Whether the report lists a snapshot: its rows name inputs by number,
 * which a join would move. */
static bool has_snapshot_input(const struct analysis *a)
{
	for (size_t i = 0; i < a->ninputs; i++)
		if (a->inputs[i].format && strstr(a->inputs[i].format, "-csv"))
			return true;
	return false;
}

/* Adds piece src (read right after dst's bytes) into dst, src's lines
 * numbered after dst's. */
static void join_input(struct input_report *dst, struct input_report *src)
{
	uint64_t base = dst->lines;
	dst->bytes += src->bytes;
	dst->lines += src->lines;
	dst->unreadable = dst->unreadable && src->unreadable;
	if (strcmp(dst->format, "empty") == 0)
		dst->format = src->format;
	parse_report_join(dst, src, base);
}

/* --state: the partials' pieces of one log, one after the other, shown as
 * one input (ids: one per input of a, their ranges). */
static void join_pieces(struct analysis *a, const struct state_ident *ids)
{
	if (has_snapshot_input(a))
		return;
	struct state_ident *joined = xcalloc(a->ninputs ? a->ninputs : 1, sizeof(*joined));
	size_t n = 0;
	free(a->place_joined);
	a->place_joined = xcalloc(a->ninputs ? a->ninputs : 1, sizeof(*a->place_joined));
	a->nplaces_joined = a->ninputs;
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct state_ident *id = &ids[i];
		size_t k = 0;
		for (; k < n; k++)
			if (id->ino && joined[k].dev == id->dev && joined[k].ino == id->ino &&
					(joined[k].head_len != id->head_len ||
					 joined[k].head_hash == id->head_hash) &&
					joined[k].end == id->start && id->start > 0)
				break;
		if (k < n) {
			a->place_joined[i] = (struct place_join){ k, a->inputs[k].lines };
			join_input(&a->inputs[k], &a->inputs[i]);
			joined[k].end = id->end;
			joined[k].head_len = id->head_len;
			joined[k].head_hash = id->head_hash;
			continue;
		}
		a->place_joined[i] = (struct place_join){ n, 0 };
		a->inputs[n] = a->inputs[i];
		joined[n++] = *id;
	}
	for (size_t i = n; i < a->ninputs; i++)
		memset(&a->inputs[i], 0, sizeof(a->inputs[i]));
	a->ninputs = n;
	free(joined);
}

enum analysis_status state_merge_run(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis *a,
		const struct traces_limits *tl)
{
	struct sink into[RUN_NSINKS];
	struct merged m = { 0 };
	struct state_filters filters = { 0 };
	struct state_parts p;
	struct filter *filter = NULL;
	enum analysis_status rc = ANALYSIS_BAD_OPTION;
	size_t nread = 0;

	run_sinks_open(a, into, tl);
	a->inputs = xcalloc(1, sizeof(*a->inputs));
	a->ninputs = 0;
	for (size_t i = 0; i < n; i++) {
		fresh_parts(&p);
		if (state_read(paths[i], &p, a->ninputs, &a->error) != 0) {
			free_parts(&p);
			goto out;
		}
		if (nread++ == 0) {
			filters = p.filters;
			memset(&p.filters, 0, sizeof(p.filters));
		} else if (!state_filters_equal(&filters, &p.filters)) {
			a->error = st_errorf("%s: made with other filters (--since, --until, "
				"--db, --user, --app, --include, --exclude) than %s; states "
				"merge when they were made with the same", paths[i], paths[0]);
			free_parts(&p);
			goto out;
		}
		bool skip = already_merged(a, &m, &p, paths[i], &a->error);
		if (a->error) {
			free_parts(&p);
			goto out;
		}
		if (!skip) {
			take_inputs(a, &m, &p, paths[i]);
			a->distinct_texts += p.distinct_texts;
			a->parsed_texts += p.parsed_texts;
			/* The statements sink's merge is the agg's and the
			 * stats' (ingest.h). */
			agg_merge(a->agg, p.agg);
			ingest_add_stats(into[RUN_STATEMENTS].state, &(struct ingest_stats){
				.entries = p.entries, .calls = p.calls, .filtered = p.filtered,
				.merged_plans = p.merged_plans,
				.lone_durations = p.lone_durations,
				.plans_cut = p.plans_cut, .plans_cut_lost = p.plans_cut_lost,
				.first_ts = p.first_ts,
				.last_ts = p.last_ts });
			into[RUN_EVENTS].ops->merge(into[RUN_EVENTS].state, p.events);
			into[RUN_TRACES].ops->merge(into[RUN_TRACES].state, p.traces);
			into[RUN_SNAPSHOTS].ops->merge(into[RUN_SNAPSHOTS].state, p.snapshots);
		}
		free_parts(&p);
	}

	/* The finish applies the filters the states were made with (spans,
	 * pg_stat_statements rows are filtered there). */
	struct pgsift_options fo = *opts;
	with_filters(&fo, &filters);
	char *err = NULL;
	filter = filter_new(&fo, &err);
	if (!filter) {
		a->error = err;
		goto out;
	}
	if (opts->save)         /* a->save_error says */
		state_save_run(&fo, a, ingest_stats(into[RUN_STATEMENTS].state), m.ids);
	run_sinks_finish(a, into, &fo, filter);
	into[RUN_STATEMENTS].state = NULL;
	if (opts->state_dir)
		join_pieces(a, m.ids);
	rc = ANALYSIS_OK;
out:
	filter_free(filter);
	ingest_free(into[RUN_STATEMENTS].state);   /* NULL once finished */
	state_filters_release(&filters);
	free(m.ids);
	free(m.from);
	return rc;
}
