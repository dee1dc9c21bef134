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

/* Real-server runs of ../shared/corpus/pg-workload.sh (SCALE 1).
 *
 * tu_run_workload() writes one run's files into out, running extra_sql
 * (a file, or NULL) on the loaded schema first. tu_shared_workload()
 * returns the directory of the plain run, made once per test process on
 * the first call (from a suite's unchecked fixture, in the runner's
 * process) and shared by every suite that only reads it; it is removed
 * when the runner exits. Both return a status: 1 ran, -1 no server
 * binaries (said on stderr, naming who skips), -2 the run failed. */
int tu_run_workload(const char *who, const char *out, const char *extra_sql);
const char *tu_shared_workload(const char *who, int *status);

#endif
