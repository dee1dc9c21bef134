/* testutil.h: helpers shared by the test suites. */
#ifndef PGSIFT_TESTUTIL_H
#define PGSIFT_TESTUTIL_H

#include <stddef.h>

#include "analysis.h"

/* Writes text to a new temporary file; returns its path (caller frees and
 * unlinks with tu_remove()). */
char *tu_write_temp(const char *text, size_t len);
void tu_remove(char *path);

/* Runs the analysis on text as one input, with o (NULL: defaults, one job). */
struct analysis *tu_analyse_text(const char *text, const struct pgsift_options *o,
		enum analysis_status *st);

/* The group whose normalized query contains needle, or NULL. */
struct group *tu_find_group(const struct analysis *a, const char *needle);

/* The source tree (PGSIFT_ROOT, set by make test) and the pgsift binary
 * (PGSIFT_BIN). */
const char *tu_root(void);
const char *tu_bin(void);

/* Runs a shell command; its standard output is returned (caller frees)
 * and its exit status stored in *status. */
char *tu_run(const char *cmd, int *status);

#endif
