/* run_sinks.c: a run's own sinks and their finish (see run_sinks.h). */
#include "analysis.h"
#include "events.h"
#include "ingest.h"
#include "pooler.h"
#include "run_sinks.h"
#include "snapshots.h"
#include "timeutil.h"
#include "traces.h"

void run_sinks_open(struct analysis *a, struct sink into[RUN_NSINKS],
		const struct traces_limits *tl)
{
	into[RUN_STATEMENTS] = (struct sink){ &ingest_sink_ops,
		ingest_new(a->agg, NULL, NULL, NULL) };
	into[RUN_EVENTS] = (struct sink){ &events_sink_ops, a->events = events_new(NULL) };
	into[RUN_TRACES] = (struct sink){ &traces_sink_ops, a->traces = traces_new(NULL) };
	into[RUN_SNAPSHOTS] = (struct sink){ &snapshots_sink_ops,
		a->snapshots = snapshots_new(NULL) };
	traces_set_limits(a->traces, tl);
}

void run_sinks_finish(struct analysis *a, struct sink into[RUN_NSINKS],
		const struct pgsift_options *opts, const struct filter *filter)
{
	struct sinks merged = { into, RUN_NSINKS };
	struct sink_finish fin = { .a = a, .opts = opts, .filter = filter,
		.sinks = &merged };
	for (size_t k = 0; k < RUN_NSINKS; k++)
		if (into[k].ops->finish)
			into[k].ops->finish(into[k].state, &fin);
	const struct ingest_stats *st = ingest_stats(into[RUN_STATEMENTS].state);
	a->filtered_out = st->filtered;
	a->lone_durations = st->lone_durations;
	a->plans_cut = st->plans_cut;
	a->plans_cut_lost = st->plans_cut_lost;
	a->window_start = st->first_ts;
	a->window_end = st->last_ts;
	/* A pgBouncer log's lines are part of the run's window. */
	const struct pooler *pl = events_pooler(a->events);
	if (pl && pl->first_ts != TS_NONE) {
		if (a->window_start == TS_NONE || pl->first_ts < a->window_start)
			a->window_start = pl->first_ts;
		if (a->window_end == TS_NONE || pl->last_ts > a->window_end)
			a->window_end = pl->last_ts;
	}
	ingest_free(into[RUN_STATEMENTS].state);
}
