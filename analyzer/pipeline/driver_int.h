/* driver_int.h: what the driver's files share (driver.c runs inputs
 * whole, driver_split.c cuts one plain input across threads,
 * driver_window.c settles verdicts); nothing else includes it. */
#ifndef PGSIFT_DRIVER_INT_H
#define PGSIFT_DRIVER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sink.h"

/* The --since/--until window of one input, resolved on its first time
 * stamp (times of day are read on that day, in the log's own zone). */
struct driver_window {
	const struct filter *filter;    /* NULL: everything passes */
	bool known;
	int64_t since, until;
};

/* Sets rec's verdict; resolves w on the first time stamp it sees. */
void driver_settle(struct driver_window *w, struct record *rec);
/* Resolves w on the first time stamp of the input lr reads (peeked at:
 * lr is not moved), parsed by a fork of tmpl, the state p opened on it,
 * before the input is read in pieces or ranges. */
void driver_window_resolve(struct driver_window *w, const struct parser *p,
		void *tmpl, const char *path, const struct parse_options *opts,
		struct line_reader *lr);
/* Hands rec to every sink of sinks that takes its kind. */
void driver_feed(const struct sinks *sinks, size_t input, const struct record *rec);
/* Whether a sink of sinks takes rec as concerning every backend. */
bool driver_server_wide(const struct sinks *sinks, const struct record *rec);
/* "tar" or "zip" when buf (decompressed) starts an archive of files, which
 * read as text would give garbage records and lose the first one; NULL
 * otherwise. */
const char *driver_archive_kind(const char *buf, size_t len);
/* The parser of an input (lr, peeked at) that can be cut across workers
 * (driver_range.c, driver_split.c): one with fork and record_start ops;
 * NULL for the others, and for an archive of files. */
const struct parser *driver_cut_parser(const struct driver_cfg *cfg,
		struct line_reader *lr);
/* The parser for ctx's input: cfg's, or detected from its first bytes.
 * *stop: nothing to parse (an empty or unreadable input, reported). */
const struct parser *driver_pick_parser(const struct driver_cfg *cfg,
		struct parse_ctx *ctx, bool *stop);
/* Runs the plain file at path, input number input, cut into pieces parsed
 * on jobs threads, each backend's records applied in file order by one of
 * jobs shards (shards[k]: its sinks). Returns false, having read nothing
 * and reported nothing, when the input is not one that can be cut (then
 * the caller runs it whole); else fills *r as driver_run_input() would. */
bool driver_split_input(const struct driver_cfg *cfg, const char *path,
		size_t input, const struct sinks *shards, unsigned jobs,
		struct input_report *r);

/* Runs the plain file at path, input number input, cut into jobs ranges,
 * range k read by a thread into workers[k] (driver_range.c). Returns false,
 * having read nothing and reported nothing, when the input is not one
 * that can be cut (then the caller runs it another way); else fills *r
 * as driver_run_input() would. */
bool driver_range_input(const struct driver_cfg *cfg, const char *path,
		size_t input, const struct sinks *workers, unsigned jobs,
		struct input_report *r);

#endif
