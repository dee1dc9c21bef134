/* analysis.h: the core's entry point: options and inputs in, results out.
 *
 * analysis_run() builds a pipeline of sinks per worker (sink.h:
 * statements, events, traces, snapshots), has the driver run every input
 * through its parser into them (one input per worker, up to --jobs at
 * once), merges the workers' sinks, lets them finish, sorts the groups
 * once and runs the passes (findings, advice). It never prints: messages
 * for the user come back in the input reports (problems, notes) and the
 * returned status. */
#ifndef PGSIFT_ANALYSIS_H
#define PGSIFT_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "input.h"
#include "parser.h"

/* Default P95 band limits in ms (--bands W,A,C): warning, alert, critical. */
#define BANDS_DEFAULT_WARNING_MS 100
#define BANDS_DEFAULT_ALERT_MS 500
#define BANDS_DEFAULT_CRITICAL_MS 1000

/* The progress hook: done bytes of the inputs read of total (their size
 * as stored, compressed files as they are; 0 when unknown: standard
 * input). Called from a thread of analysis_run() of its own, never two
 * calls at once: at the start, every 100 ms, and once at the end. */
typedef void analysis_progress_fn(void *ctx, uint64_t done, uint64_t total);

struct pgsift_options {
	const char *prefix;             /* --prefix, or NULL to detect */
	const char *input_format;       /* --input-format, or NULL to detect */
	int64_t since_ms, until_ms;     /* TS_NONE when not given */
	int64_t since_tod, until_tod;   /* time of day in ms, -1 when not given */
	const char **dbs, **users, **apps;      /* NULL-terminated, or NULL */
	const char **include, **exclude;        /* PCRE2 patterns, NULL-terminated */
	unsigned top;                   /* rows per ranking */
	/* --detail-groups: JSON groups written with every member (see
	 * REPORT_DETAIL_GROUPS); 0: that default, UINT_MAX: all. */
	unsigned detail_groups;
	bool show_literals;
	/* --all-kinds: the rankings keep maintenance, DDL and one-off bulk
	 * loads (stmt_kind_one_off()), which they leave out by default. */
	bool all_kinds;
	unsigned jobs;                  /* 0: number of cores */
	double bands[3];                /* P95 band limits: warning, alert, critical (ms) */
	int year;                       /* --year for syslog dates, 0: find it */
	/* CI (gates.h): the Markdown report's size limit in bytes, 0: 1 MiB
	 * (less when appending to a GitHub step summary that has text). */
	size_t md_max_bytes;
	/* -f text: the columns of a line (the terminal's, which the CLI
	 * passes when standard output is one); 0: $COLUMNS, else 100. */
	unsigned text_width;
	/* Detection thresholds; 0 keeps the documented default. */
	unsigned n1_min_repeats;        /* --n1-min: repeats in an N+1 loop (5) */
	double n1_min_loop_ms;          /* --n1-min-ms: a span loop's time (50) */
	double n1_max_gap_ms;           /* --n1-gap-ms: log loops, between calls (1000) */
	double slow_span_ms;            /* --slow-span-ms: a slow SELECT span (500) */
	double min_offset;              /* --offset-min: OFFSET worth flagging (1000) */
	double unbounded_rows;          /* --unbounded-rows: rows of a SELECT without LIMIT (1000) */
	const char *save;               /* --save FILE: the merged state (state.h), or NULL */
	const char *state_dir;          /* --state DIR (state.h), or NULL */
	/* The saved inputs' identities (state.h's struct state_ident, one per
	 * input); NULL: found from their paths, read whole. */
	const struct state_ident *save_ids;
	analysis_progress_fn *progress;        /* NULL: none */
	void *progress_ctx;
};

void options_init(struct pgsift_options *o);

enum analysis_status {
	ANALYSIS_OK = 0,
	ANALYSIS_PARTIAL,       /* done, but some input was malformed or truncated */
	ANALYSIS_NO_INPUT,      /* no input could be read */
	ANALYSIS_BAD_OPTION,    /* e.g. an --include that is not a valid PCRE2 */
	ANALYSIS_SAVE_FAILED,   /* --save could not be written: save_error says why */
};

struct analysis {
	struct input_report *inputs;
	size_t ninputs;
	/* --state: the pieces one log was read in by several runs, joined
	 * into one input (state_run.c). A place (CALL_POS) naming input k <
	 * nplaces_joined names place_joined[k].input, its line after
	 * place_joined[k].line_base lines. NULL: places name inputs as they
	 * are. */
	struct place_join { size_t input; uint64_t line_base; } *place_joined;
	size_t nplaces_joined;
	int64_t window_start, window_end;       /* TS_NONE when no timestamp */
	uint64_t queries;                       /* calls over all groups */
	double total_ms;
	struct group **groups;                  /* sorted by total_ms desc */
	size_t ngroups;
	uint64_t filtered_out;                  /* calls dropped by the filters */
	uint64_t lone_durations;                /* ingest.h's: durations without a statement */
	uint64_t plans_cut, plans_cut_lost;     /* ingest.h's: JSON plans cut short */
	size_t distinct_texts;                  /* normalized texts seen */
	size_t parsed_texts;                    /* of them, parsed by libpg_query */
	char *error;                            /* for ANALYSIS_BAD_OPTION */
	char *save_error;                       /* --save failed (state.h); owned */
	struct agg *agg;
	struct events *events;                  /* lock waits, errors, timeline... */
	struct findings *findings;              /* sorted by severity, then impact */
	struct traces *traces;                  /* spans and N+1 loops */
	struct snapshots *snapshots;            /* statistics views */
	/* `check` (gates.h): the gates' verdict and the baseline comparison,
	 * set and freed by the CLI (check_result_free() before
	 * analysis_free()); NULL otherwise. */
	struct check_result *check;
	/* A loaded report's "check" object (report_load.h), written back as
	 * saved when check is NULL; owned. */
	struct json_t *saved_check;
	/* The saved report this model was loaded from (report_load.h), or
	 * NULL for a fresh analysis; owned. Its inputs' notes and problems
	 * are the saved run's, shown in the report, not said again. */
	char *loaded_from;
	/* A loaded report's totals.detail_groups: its groups past that many
	 * lack the members the JSON writer leaves out; 0 when none do. */
	size_t saved_detail_groups;
};

/* A pass over the merged analysis (N+1 detection, advice, ...): it may add
 * findings and annotate groups. analysis.c runs them in its list's order. */
typedef void analysis_pass_fn(struct analysis *a, const struct pgsift_options *o);

/* Analyses paths[0..n). *out is always set to a result the caller frees
 * with analysis_free(), even on error. */
enum analysis_status analysis_run(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis **out);
void analysis_free(struct analysis *a);
/* "path:line" in the file of a place (CALL_POS) in a's inputs, into out;
 * false (out "") when the place is unknown or does not fit. */
bool analysis_place(const struct analysis *a, uint64_t pos, char *out,
		size_t outlen);
/* The place (CALL_POS) that "path:line" names in a's inputs (a saved
 * report read back); 0 when none. */
uint64_t analysis_place_pos(const struct analysis *a, const char *place);

#endif
