/* report_load.h: a saved pgsift JSON report read back into the report model.
 *
 * A `pgsift report -f json` document (schema 1, CONTRACT.md) is an input
 * like the others: report_load() reads it (plain, gzip or zstd, "-" for
 * standard input) into a struct analysis holding what the writers read
 * (inputs, window, totals, groups with their figures and histogram,
 * typed findings, events, traces, snapshots, a `check` verdict as saved).
 * The TUI, --baseline, --input-format report-json and `merge` use it. A
 * loaded group has no sketch: its figures are in g->stats (agg.h). */
#ifndef PGSIFT_REPORT_LOAD_H
#define PGSIFT_REPORT_LOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

struct events;
struct traces;
struct snapshots;

/* Confidence (0-100, like a parser's probe) that buf, the first bytes of
 * an input, starts a pgsift JSON report: '{', then "schema": 1, then
 * "tool": {"name": "pgsift", the order pgsift writes them in. */
int report_load_probe(const char *buf, size_t len);
/* True when root is a whole pgsift report: an object with "schema": 1
 * and "tool": {"name": "pgsift"}. */
bool report_is_json_report(const json_t *root);

/* Reads the report at path ("-": standard input). Returns the model (the
 * caller frees it with analysis_free()), or NULL with a message for the
 * user in *err ("path: ..."; the caller frees it): unreadable, not JSON
 * (with the line), truncated, another schema or tool. */
struct analysis *report_load(const char *path, char **err);
/* Examples of a saved report's groups left in its file until asked for:
 * the TUI shows them in one group's detail, and they are half a big
 * report (and more of its model). */
struct report_examples;
struct group;
/* report_load(), but a plain file's group examples are checked and left
 * in it: *later is then set (the caller frees it with
 * report_examples_free(), before the model), else NULL and the model is
 * whole. */
struct analysis *report_load_later(const char *path, char **err,
		struct report_examples **later);
/* Reads g's examples (g of the model loaded with later) into it, once;
 * true when done or nothing was left, false when the file changed since
 * (g then has those it could read). later NULL: true. */
bool report_examples_load(struct report_examples *later, struct analysis *a,
		struct group *g);
/* NULL is a no-op. */
void report_examples_free(struct report_examples *later);
/* The same from a parsed document (borrowed); origin names it in
 * messages. */
struct analysis *report_load_json(const json_t *root, const char *origin,
		char **err);

/* ---- each family's part (events_load.c, traces_load.c,
 * snapshots_load.c); the results belong to the caller ---- */
/* a: the model being read, its inputs already (places of examples). */
struct events *events_load_json(const json_t *events, const struct analysis *a);
struct traces *traces_load_json(const json_t *traces);
struct snapshots *snapshots_load_json(const json_t *snapshots);

/* Member readers the loaders share: absent, null or mistyped members
 * give the default (0, NAN, NULL, TS_NONE, false). */
uint64_t rl_uint(const json_t *o, const char *key);
double rl_num(const json_t *o, const char *key);
const char *rl_str(const json_t *o, const char *key);
/* A copy the caller frees, or NULL. */
char *rl_strdup(const json_t *o, const char *key);
int64_t rl_ts(const json_t *o, const char *key);
bool rl_fp(const json_t *o, const char *key, uint64_t *fp);
bool rl_bool(const json_t *o, const char *key);

#endif
