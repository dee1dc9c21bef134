/* filter.h: the --db/--user/--app, --include/--exclude and --since/--until
 * filters, compiled once per run and shared read-only by the workers. */
#ifndef PGSIFT_FILTER_H
#define PGSIFT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timeutil.h"
#include "util.h"

struct pgsift_options;
struct filter;

/* Compiles the options' filters. Returns NULL and an allocated message in
 * *err (the caller frees it) when a pattern is not valid PCRE2. */
struct filter *filter_new(const struct pgsift_options *o, char **err);
void filter_free(struct filter *f);

/* True when a call with these names passes --db, --user and --app. */
bool filter_names(const struct filter *f, struct slice db, struct slice user,
		struct slice app);
/* The same, but a name the entry does not carry passes: for server-wide
 * events (checkpoints, autovacuum) that have no database or user. */
bool filter_names_present(const struct filter *f, struct slice db,
		struct slice user, struct slice app);
/* True when a normalized text passes --include and --exclude. */
bool filter_text(const struct filter *f, const char *norm, size_t len);
/* The window in UTC epoch ms for an input whose first timestamp is
 * first_ts, written in a zone offset_min east of UTC (times of day are
 * read in the log's own zone, on its first day). TS_NONE: open. */
void filter_window(const struct filter *f, int64_t first_ts, int offset_min,
		int64_t *since, int64_t *until);
bool filter_has_window(const struct filter *f);
/* Whether ts lies in [since, until] as filter_window() gave them (TS_NONE:
 * open on that side): the one test of the window, for log entries in the
 * driver and for spans in the traces sink. */
static inline bool filter_in_window(int64_t since, int64_t until, int64_t ts)
{
	return (since == TS_NONE || ts >= since) && (until == TS_NONE || ts <= until);
}

#endif
