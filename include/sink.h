/* sink.h: the pipeline: a driver pulls records from a parser and hands
 * them to a list of sinks.
 *
 * For each input the driver (analyzer/pipeline/driver.c) opens it, picks
 * its parser from the registry, and pulls its records one by one. A
 * window and filter stage settles each record once (record.h's struct
 * record_verdict: is it in --since/--until, do its names pass --db/--user/
 * --app), the window of an input being resolved on its first time stamp;
 * then every sink that takes that kind of record gets it. A sink that
 * establishes statement executions (the statements sink, ingest.h) hands
 * each call to the sinks that want calls, through the same list
 * (sinks_call), not through setters.
 *
 * A sink is an ops table and a state. Each worker has its own list, one
 * state per sink; at the end the workers' states are merged, sink by sink,
 * into the run's (merge), which is what later issues rely on to split one
 * input across workers and to merge saved states from many runs. Then
 * each merged sink may finish: settle what needs every input (spans are
 * filtered on the run's first span and become calls; pg_stat_statements
 * rows become groups), in the list's order, before the groups are sorted
 * and the analysis passes (analysis.h) add findings. */
#ifndef PGSIFT_SINK_H
#define PGSIFT_SINK_H

#include <stddef.h>

#include "agg.h"
#include "parser.h"
#include "record.h"

#define REC_BIT(kind) (1u << (kind))

struct analysis;
struct filter;
struct pgsift_options;
struct sinks;

/* What a merged sink's finish gets. */
struct sink_finish {
	struct analysis *a;             /* the run's result, inputs and agg */
	const struct pgsift_options *opts;
	const struct filter *filter;    /* compiled from opts */
	const struct sinks *sinks;      /* the merged sinks, for calls */
};

/* What a sink remembers of one backend's records while a worker reading a
 * later range of an input decides where the backend joins (joins op). */
struct join_memo {
	uint64_t a, b;
	int64_t c;
};

struct sink_ops {
	const char *name;       /* for people */
	unsigned kinds;         /* REC_BIT()s of the records it takes, 0: none */
	/* A record of input number input (borrowed: copy what is kept), with
	 * its verdict settled. */
	void (*consume)(void *state, size_t input, const struct record *r);
	/* A call another sink established (borrowed); NULL: wants none. */
	void (*call)(void *state, const struct call *c);
	/* The end of input number input: per-input state is settled. */
	void (*end_input)(void *state, size_t input);
	/* Moves everything of src into dst (same ops); src stays valid. */
	void (*merge)(void *dst, void *src);
	/* After the merge, on the run's state; NULL: nothing to settle. */
	void (*finish)(void *state, const struct sink_finish *f);
	/* Frees the state; NULL is a no-op. */
	void (*free)(void *state);
	/* Whether r concerns every backend (a server restart ends every
	 * session). One input cut across workers gives each backend's records
	 * to one of them (driver_split.c): such a record then also goes to
	 * the others, as a copy (r->copy) that only the sinks saying true
	 * here get. NULL: none does. */
	bool (*server_wide)(const struct record *r);
	/* One input read in ranges, each by its own worker and sinks
	 * (driver_range.c): whether r, the next record of its backend in a
	 * range after the first, can be the first of that backend this state
	 * counts. It can when nothing r and the backend's later records do
	 * here depends on the backend's records before the range, given the
	 * ones of the range before r, which m remembers (this sink's own
	 * memo, zeroed at the range's start; updated here whether or not r
	 * joins). The records before r go where the backend's earlier ones
	 * went, in file order, and come here first as shadows (r->shadow):
	 * a sink sets from them what the backend's later records read, and
	 * counts nothing (and makes no calls of them). NULL: the sink keeps
	 * nothing per backend of the records it takes; it gets no shadows. */
	bool (*joins)(void *state, struct join_memo *m, const struct record *r);
	/* This state is to get a later range of one input: what it begins of
	 * a backend may go on from what another state holds (hand_over).
	 * NULL: nothing to do. */
	void (*begin_range)(void *state);
	/* Backend pid's records went to from (same ops) up to the first of
	 * them this state got (pid <= 0: every backend logged without one):
	 * joins what from holds open of it with what this state began of it,
	 * which goes on here. Called in file order of the ranges, before any
	 * end_input. NULL: nothing to join. */
	void (*hand_over)(void *state, void *from, int64_t pid);
};

struct sink {
	const struct sink_ops *ops;
	void *state;
};

/* A worker's sinks, in the order they get each record, call and end of
 * input (and are merged). */
struct sinks {
	struct sink *v;
	size_t n;
};

/* Hands c (borrowed) to every sink of s that wants calls, but the one
 * whose state is from (its maker). */
void sinks_call(const struct sinks *s, const void *from, const struct call *c);

/* ---- the driver ---- */

struct driver_cfg {
	const char *input_format;       /* a parser id, NULL: detect */
	struct parse_options popts;     /* what the parsers may read */
	const struct filter *filter;    /* NULL: every record passes */
	/* Sample each input's log entries (input_overlap.h): only worth
	 * its cost when there are several inputs to tell apart. */
	bool sample_entries;
};

/* Runs one input through the registry into sinks: path is opened ("-" is
 * stdin) unless lr is given (then it is read and left open: the caller
 * closes it; path only names it). The input's format is cfg's or detected
 * from its first bytes. Fills *r (zeroed by the caller; its strings are
 * then r's, see parse_report_release()): format, counts, problems, notes. */
void driver_run_input(const struct driver_cfg *cfg, const char *path,
		struct line_reader *lr, size_t input, const struct sinks *sinks,
		struct input_report *r);

/* Runs paths[0..n) on jobs workers (1: on the calling thread), worker k
 * feeding workers[k]; an input is handled whole by one worker. reports[i]
 * (zeroed by the caller) gets input i's report. */
void driver_run_all(const struct driver_cfg *cfg, const char *const *paths,
		size_t n, struct input_report *reports, const struct sinks *workers,
		unsigned jobs);

#endif
