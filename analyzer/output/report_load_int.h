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

#endif
