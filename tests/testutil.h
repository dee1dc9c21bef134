/* testutil.h: helpers shared by the test suites. */
#ifndef PGSIFT_TESTUTIL_H
#define PGSIFT_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/* Skipped tests. Check counts a test that returns early as passed, so a
 * test that cannot run calls tu_skip() and returns: it says so on stderr
 * and appends "who<TAB>why" to the file PGSIFT_SKIP_LOG names. The runner
 * sets that variable (a file, because Check runs each test in a child
 * process) and after Check's summary prints how many tests were skipped,
 * grouped by why. who names the test (and what it lacked, when that
 * differs from test to test); why is the same words for the same cause. */
void tu_skip(const char *who, const char *why);

/* For the runner: tu_skip_begin() makes the log and sets PGSIFT_SKIP_LOG;
 * tu_skip_end() prints "N tests skipped:" and the reasons to out ("0 tests
 * skipped." when none was), removes the log and returns N. */
void tu_skip_begin(void);
unsigned tu_skip_end(FILE *out);

/* The corpora in ../shared beside the source tree: a clone of the project
 * alone has none. */
#define TU_NO_SHARED "no ../shared/corpus beside the source tree"
/* Debian's postgresql package puts them there. */
#define TU_NO_SERVER "no PostgreSQL server binaries under /usr/lib/postgresql " \
	"(install postgresql and postgresql-contrib)"

/* The path of rel under the source tree (caller frees). A rel under
 * ../shared/ gives NULL when ../shared/corpus is absent: the test was
 * skipped through tu_skip (who, naming rel) and must return. */
char *tu_data_path(const char *who, const char *rel);

/* True when PostgreSQL's server binaries are installed; otherwise the
 * test was skipped through tu_skip(who, TU_NO_SERVER) and must return. */
bool tu_have_server(const char *who);

/* Real-server runs of tests/workload/pg-workload.sh (SCALE 1), whose
 * header lists the facts it plants.
 *
 * tu_run_workload() writes one run's files into out, running extra_sql
 * (a file, or NULL) on the loaded schema first. tu_shared_workload()
 * returns the directory of the plain run, made once per test process on
 * the first call (from a suite's unchecked fixture, in the runner's
 * process) and shared by every suite that only reads it; it is removed
 * when the runner exits. Both return a status: 1 ran, -1 no server
 * binaries, -2 the run failed (the script said why on stderr). Fixtures
 * call them; a test seeing -1 skips with tu_skip(who, TU_NO_SERVER). */
int tu_run_workload(const char *out, const char *extra_sql);
const char *tu_shared_workload(int *status);

/* The whole file at path, NUL-terminated (caller frees); NULL when it
 * cannot be opened. */
char *tu_slurp(const char *path);
/* 1-based number of the first line where a and b differ. */
int tu_first_diff_line(const char *a, const char *b);

/* A JSON report (text) parsed, without the counters of the run's own
 * normalizer caches (totals.distinct_texts, parsed_texts: a text seen by
 * two workers or two runs counts in each), for comparing runs. */
struct json_t;
struct json_t *tu_report_json(const char *text);
/* j as canonical text (keys sorted, one indent), j released. */
char *tu_json_text(struct json_t *j);

/* A JSON report's queries and total time, then each group's fingerprint,
 * calls, min and max, as text (the caller frees it): what a merge of
 * partial runs must share with one run. */
char *tu_report_figures(const char *json_text);
/* Removes every "first_at" member (a place, "path:line", which names the
 * input: reports of one log read under two names differ there only)
 * from j, at any depth. */
void tu_json_drop_places(struct json_t *j);

/* JSON reports for the schema check (make test). When PGSIFT_SCHEMA_SPOOL
 * names a directory, tu_spool_begin() (the runner calls it first) writes
 * a wrapper of the binary into DIR/bin/pgsift and points PGSIFT_BIN at it,
 * so that every run of pgsift a test makes (through tu_bin(), system(),
 * scripts, PATH) goes through it. The wrapper execs the binary unchanged
 * unless the command is report, check or merge; then it keeps a copy in DIR
 * of each JSON document the run wrote (standard output with -f json, any
 * -o FILE that holds one) with the command beside it (.cmd), for
 * tests/schema_check.py to validate against doc/report.schema.json.
 * Without the variable it does nothing. */
void tu_spool_begin(void);
/* A report a writer rendered in the test's own process (no binary run):
 * kept in the spool as well when text is a JSON document; who names the
 * test's helper, for the check's message. Nothing without the spool. */
void tu_spool_report(const char *who, const char *text);

#endif
