/* report_load_int.h: what report_load*.c share; nothing else includes it. */
#ifndef PGSIFT_REPORT_LOAD_INT_H
#define PGSIFT_REPORT_LOAD_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "analysis.h"

/* Reads every group of a saved report into a->agg and sets a->groups
 * (in the saved order) and a->ngroups. False when a group has no valid
 * fingerprint. */
bool rl_load_groups(struct analysis *a, const json_t *groups);
/* Sets a->groups to order (n groups read in the saved order) when no two
 * saved groups were merged, else to the agg's order; order stays the
 * caller's. */
void rl_groups_order(struct analysis *a, struct group **order, size_t n);
/* report_load_json() for a model whose groups are read already (pre,
 * owned: freed on an error); root's "groups" is then not read again. */
struct analysis *rl_load_root(const json_t *root, const char *origin, char **err,
		struct analysis *pre);
/* A group's examples left in the file (checked JSON, not read): their
 * array's offset and length; a group saved twice has two. */
struct rl_example_span {
	struct group *g;
	size_t off, len;
	bool done;
};

struct rl_spans {
	struct rl_example_span *v;
	size_t n, cap;
};

/* The fast path of report_load() (report_load_scan.c) on the whole text
 * (len bytes): the model, or NULL with a message in *err (as
 * report_load_json() gives), or NULL with *unsure when the text holds
 * anything it leaves to jansson (invalid JSON included). With later, the
 * groups' examples are checked but left in the text, their spans added
 * to later (in the saved order). With mapped,
 * text is a private file mapping (page-aligned) whose pages it gives
 * back (MADV_DONTNEED) once read, so they stop counting in memory. */
struct analysis *rl_scan_report(const char *text, size_t len, const char *origin,
		char **err, bool *unsure, bool mapped, struct rl_spans *later);
/* Reads the examples array in text (len bytes, from a span of later)
 * into g, as the fast path would have; false when it is not what the
 * scan found there (the file changed). */
bool rl_scan_examples(const char *text, size_t len, struct analysis *a, struct group *g);

#endif
