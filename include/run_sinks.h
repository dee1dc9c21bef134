/* run_sinks.h: a run's own sinks, into which the workers' sinks
 * (analysis.c) or saved states (state_run.c) are merged, and their finish.
 *
 * The same list, in the same order, as each worker's pipeline (sink.h):
 * statements, events, traces, snapshots. */
#ifndef PGSIFT_RUN_SINKS_H
#define PGSIFT_RUN_SINKS_H

#include "sink.h"

enum run_sink { RUN_STATEMENTS, RUN_EVENTS, RUN_TRACES, RUN_SNAPSHOTS, RUN_NSINKS };

struct analysis;
struct filter;
struct pgsift_options;
struct traces_limits;

/* Makes a's sinks in into: the statements sink over a->agg, and a's
 * events, traces (with tl) and snapshots. */
void run_sinks_open(struct analysis *a, struct sink into[RUN_NSINKS],
		const struct traces_limits *tl);
/* Finishes them in order (spans become calls, pg_stat_statements rows
 * join their groups) with opts and filter, sets a's window and count of
 * calls filtered out from the statements sink's stats, and frees that
 * sink (the others are a's). */
void run_sinks_finish(struct analysis *a, struct sink into[RUN_NSINKS],
		const struct pgsift_options *opts, const struct filter *filter);

#endif
