/* state.h: a run's mergeable state on disk (--save, `pgsift merge`,
 * --state DIR).
 *
 * A state is what the sinks hold once the workers are merged and before
 * they finish (sink.h): each sink writes its part with the primitives
 * below into one buffer (its family's *_state.c), state_file.c frames it
 * (magic, format version, pgsift version, zstd) and writes it to a
 * temporary file that is renamed over the target. Loading reads each part
 * into a fresh sink state, which the run merges with the sinks' own merge
 * (the path -j takes), then finishes as for a run over the logs.
 *
 * The reader is for hostile bytes: every read is bounds-checked, every
 * count checked against what is left before anything is allocated, and
 * the first failure sticks (st_in.bad) so that a part reads to its end
 * and the caller reports one message naming the file. */
#ifndef PGSIFT_STATE_H
#define PGSIFT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "strbuf.h"

/* The first bytes of a state file, and the one format version this pgsift
 * reads and writes (STATE_FORMAT; bump it when any part's layout
 * changes). */
#define STATE_MAGIC "PGSIFTST"
#define STATE_MAGIC_LEN 8
#define STATE_FORMAT 11

/* ---- writing: little-endian, length-prefixed ---- */

struct st_out {
	struct strbuf sb;
};

void st_u8(struct st_out *o, uint8_t v);
void st_u32(struct st_out *o, uint32_t v);
void st_u64(struct st_out *o, uint64_t v);
void st_i64(struct st_out *o, int64_t v);
void st_f64(struct st_out *o, double v);
/* A string (NULL and "" differ: NULL is length 0xFFFFFFFF). */
void st_str(struct st_out *o, const char *s);
void st_bytes(struct st_out *o, const char *s, size_t len);

/* ---- reading: every call is safe past the end or after a failure ---- */

struct st_in {
	const unsigned char *p, *end;
	bool bad;
	const char *why;        /* static text: what was wrong, first failure */
	/* Added to every place (CALL_POS) read: the state's inputs are
	 * numbered after those merged before it. */
	uint64_t pos_shift;
};

/* A message in a new string (the caller frees it), as asprintf. */
char *st_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Marks in bad with why (the first one is kept); returns false. */
bool st_fail(struct st_in *in, const char *why);
uint8_t st_get_u8(struct st_in *in);
uint32_t st_get_u32(struct st_in *in);
uint64_t st_get_u64(struct st_in *in);
int64_t st_get_i64(struct st_in *in);
double st_get_f64(struct st_in *in);
bool st_get_bool(struct st_in *in);
/* A copy (malloc'ed, the caller's) of a string: NULL for a NULL one or
 * after a failure. *len gets its length when len is not NULL. */
char *st_get_str(struct st_in *in, size_t *len);
/* A string in place (not NUL-terminated; NULL for a NULL one): valid as
 * long as the buffer. */
const char *st_get_ref(struct st_in *in, size_t *len);
/* A count of elements of at least min_size bytes each, checked against
 * what is left (and against max when not 0): 0 after a failure. */
size_t st_get_count(struct st_in *in, size_t min_size, size_t max);

/* ---- the sketch, shared by the parts (sketch.h) ---- */

struct sketch;
void st_sketch(struct st_out *o, const struct sketch *s);
/* Into s (initialised, empty); checks its invariants. */
bool st_get_sketch(struct st_in *in, struct sketch *s);

/* ---- a whole state file (state_file.c) ---- */

struct input_report;
struct pgsift_options;

/* What identifies an input across runs: the file (device, inode), a hash
 * of its first head_len bytes (at most STATE_HEAD_BYTES) and the byte
 * range [start, end) of it that was read. dev and ino are 0 for standard
 * input, which is never taken for another. */
#define STATE_HEAD_BYTES 65536
#define STATE_PREFIX_BYTES 256
#define STATE_LADDER 4          /* hashes of the first 1, 4, 16 and 64 KB */

struct state_ident {
	uint64_t dev, ino, size;
	uint64_t head_len, head_hash;
	uint64_t start, end;
	/* To tell a file that grew from another file on a reused inode: the
	 * first bytes themselves, and hashes of the first 1, 4, 16 and 64 KB
	 * (0 past the head read), compared at the longest length both have. */
	uint64_t ladder[STATE_LADDER];
	uint32_t prefix_len;
	char prefix[STATE_PREFIX_BYTES];
};

/* Fills *id for the file at path (stat and its first bytes), range
 * [start, end). false when it cannot be read (then *id is zeroed). */
bool state_ident_of(const char *path, uint64_t start, uint64_t end,
		struct state_ident *id);
/* Whether a and b are the same file and their ranges overlap. */
bool state_ident_overlaps(const struct state_ident *a, const struct state_ident *b);

/* The filters a run was made with (--since... --exclude): a merge applies
 * them again where a sink's finish does (spans, pg_stat_statements rows),
 * and states made with different filters are not merged. */
struct state_filters {
	int64_t since_ms, until_ms, since_tod, until_tod;
	char **lists[5];        /* dbs, users, apps, include, exclude;
				 * NULL-terminated, or NULL; owned */
};

/* What a state holds besides the sinks, and the sinks to write or fill. */
struct state_parts {
	struct input_report *inputs;    /* loaded: owned by the caller */
	struct state_ident *ids;        /* one per input; loaded: the caller's */
	size_t ninputs;
	uint64_t distinct_texts, parsed_texts;
	/* The statements sink's counters (ingest.h's struct ingest_stats). */
	uint64_t entries, calls, filtered, merged_plans, lone_durations;
	uint64_t plans_cut, plans_cut_lost;
	int64_t first_ts, last_ts;
	struct state_filters filters;
	struct agg *agg;
	struct events *events;
	struct traces *traces;
	struct snapshots *snapshots;
};

/* Writes p (its filters taken from o) to path through path.tmp and a
 * rename, so that an interrupted write leaves path as it was. Returns 0,
 * or -1 with *err (the caller's) saying why, naming the file. */
int state_write(const char *path, const struct state_parts *p,
		const struct pgsift_options *o, char **err);
/* Reads path into p, whose sinks are fresh (agg_new(), events_new(NULL),
 * traces_new(NULL), snapshots_new(NULL)); snapshot input numbers are
 * shifted by input_base. Fills p->inputs, p->ids and p->filters (the
 * caller's, also on failure: state_parts_release()). Returns 0, or -1
 * with *err naming the file and what is wrong with it. */
int state_read(const char *path, struct state_parts *p, size_t input_base,
		char **err);
/* Frees what state_read() gave p besides the sinks. */
void state_parts_release(struct state_parts *p);
void state_filters_release(struct state_filters *f);
/* Whether two runs' filters are the same. */
bool state_filters_equal(const struct state_filters *a, const struct state_filters *b);
/* Whether the first bytes of a file are a state's. */
bool state_probe(const char *buf, size_t len);

/* ---- states in a run (state_run.c) ---- */

struct ingest_stats;
struct traces_limits;

/* --save: writes a's merged sinks (before their finish) and inputs to
 * opts->save; ids identify the inputs (NULL: read whole, found from their
 * paths). Returns 0, or -1 with a->save_error set. */
int state_save_run(const struct pgsift_options *opts, struct analysis *a,
		const struct ingest_stats *st, const struct state_ident *ids);
/* How many of paths[0..n) are state files (by their first bytes). */
size_t state_count_inputs(const char *const *paths, size_t n);
/* A run over states: merges them, one at a time, into a (fresh: agg and
 * findings made), writes opts->save when given, and finishes the sinks;
 * the caller then sorts the groups and runs the passes. A state whose
 * inputs were all merged already is skipped (a note on those inputs). On
 * failure a->error (or a->save_error) says why. */
enum analysis_status state_merge_run(const struct pgsift_options *opts,
		const char *const *paths, size_t n, struct analysis *a,
		const struct traces_limits *tl);

/* ---- --state DIR (state_dir.c) ---- */

/* What a run reads of each log: plain logs from where the last run
 * stopped (map: the file mapped, buf/len: the new complete lines in it),
 * compressed ones whole or not at all. */
struct state_plan {
	size_t n;
	const char **paths;     /* borrowed */
	struct state_ident *ids;        /* the range each will have read */
	char **map;             /* mmap()ed file, or NULL */
	size_t *maplen;
	const char **buf;
	size_t *len;
	bool *whole;            /* read by path, from the start */
	bool *skip;             /* nothing new */
	char **notes;           /* why it is read from its start, or NULL; owned */
	/* The sessions and lock waits open where the last run stopped
	 * (events_state_save_open()), or NULL; after the run, those open
	 * where it stopped; owned. */
	char **carry;
	size_t *carry_len;
};

struct driver_cfg;
struct events;
struct sinks;

/* Plans the reading of paths[0..n) against DIR/files (DIR made when
 * missing), each plain log up to where the run stops (state_plan_cut();
 * cfg is the run's). Returns 0, or -1 with *err (the caller's). */
int state_plan_make(const char *dir, const char *const *paths, size_t n,
		const struct driver_cfg *cfg, struct state_plan *p, char **err);
/* Commits a run: renames its partial (written to partial_tmp) to
 * partial, and records in DIR/files what p read, both written first and
 * renamed last with SIGINT, SIGTERM and SIGHUP held, so that DIR is either
 * as before (the temporary files removed: on failure here, by
 * state_temps_remove() on a signal) or as after. Returns 0, or -1 with
 * *err (the caller's). */
int state_plan_commit(const char *dir, const struct state_plan *p,
		const char *partial_tmp, const char *partial, char **err);

/* Temporary files being written (state_write(), a --state run's partial
 * before its commit): a signal handler of the program calls
 * state_temps_remove() (async-signal-safe) before it dies. */
void state_temp_add(const char *path);
void state_temp_forget(const char *path);
void state_temps_remove(void);
void state_plan_release(struct state_plan *p);
/* state_resume.c: moves plain log i's stop (p->len[i], p->ids[i].end)
 * back to the first byte of the oldest record still open there (a plan or
 * a statement waiting for its duration line, a message waiting for its
 * parts), so that the next run reads it again with what completes it. */
void state_plan_cut(struct state_plan *p, size_t i, const struct driver_cfg *cfg);
/* Reads plain log i's planned bytes into s as input number input: first
 * opens in ev (s's events sink) the sessions and lock waits the last run
 * left open, and at the end takes those open now into p->carry[i] before
 * the sinks settle the end of the input. Fills *r as driver_run_input(). */
void state_read_appended(struct state_plan *p, size_t i,
		const struct driver_cfg *cfg, size_t input, const struct sinks *s,
		struct events *ev, struct input_report *r);
/* DIR/partial-FIRST-LAST-NOW.state for a run of that window (the
 * caller's string). */
char *state_partial_name(const char *dir, int64_t first_ts, int64_t last_ts);
/* The partials of DIR whose window meets [since, until] (TS_NONE: open),
 * oldest first, into *out (the caller's, strings too). */
int state_partials(const char *dir, int64_t since, int64_t until,
		char ***out, size_t *n, char **err);

/* ---- the parts each sink family writes and reads ---- */

struct agg;
struct events;
struct traces;
struct snapshots;

/* Every group of a (sketches, examples, worst plan, timeline, names). */
void agg_state_save(struct agg *a, struct st_out *o);
/* Groups into a (a fresh agg); false with in->why on a bad part. */
bool agg_state_load(struct agg *a, struct st_in *in);

void events_state_save(const struct events *ev, struct st_out *o);
/* The place (CALL_POS) of the oldest message held for its parts,
 * UINT64_MAX when none. */
uint64_t events_state_oldest_held(const struct events *ev);
/* Sends held messages on, then writes the sessions and lock waits open in
 * ev, and takes the waits out of it: the run that sees them end keeps
 * them. */
void events_state_save_open(struct events *ev, struct st_out *o);
/* Opens in ev, before input number input is read, what
 * events_state_save_open() wrote: the input's peak of sessions counts
 * those sessions from its start. */
bool events_state_load_open(struct events *ev, struct st_in *in, size_t input);
/* Into ev (events_new(NULL), nothing fed): its rows as a merge reads them. */
bool events_state_load(struct events *ev, struct st_in *in);

/* Spans (not yet calls) and loop occurrences. */
void traces_state_save(const struct traces *tr, struct st_out *o);
bool traces_state_load(struct traces *tr, struct st_in *in);

/* Snapshot rows; their input numbers are shifted by input_base. */
void snapshots_state_save(const struct snapshots *sn, struct st_out *o);
bool snapshots_state_load(struct snapshots *sn, struct st_in *in,
		size_t input_base, size_t ninputs);

#endif
