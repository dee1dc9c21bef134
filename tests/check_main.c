/* check_main.c: runs every test suite. Suites live in tests/check_<module>.c,
 * each exporting Suite *suite_<module>(void); they are listed here by name,
 * so a listed suite that does not exist fails to link. After Check's
 * summary the runner prints how many tests were skipped and why (see
 * tu_skip): Check itself counts them as passed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#define SUITES(X) \
	X(arena) X(sketch) X(normalize) X(fingerprint) X(input) X(timeutil) \
	X(relations) \
	X(prefix) X(pgmsg) X(ingest) X(stderr) X(syslog) X(csvlog) X(jsonlog) X(agg) X(events) X(events_sessions) X(events_live) X(events_blocking) X(report) \
	X(cli) X(cli_outputs) X(cli_help) X(cli_usage) X(cli_progress) X(forms) X(e2e) X(plan) X(gates) X(baseline) \
	X(traces) X(sentry) X(otlp) X(snapshots) X(snapshots_e2e) X(tui) X(tui_e2e) X(tui_keys) \
	X(prefix_live) \
	X(syslog_live) \
	X(cnpg) \
	X(cloud) \
	X(advice) X(advice_live) X(index_advice) X(golden) X(report_load) X(report_input) X(json_emit) X(report_detail) \
	X(split) X(state) X(merge_cli) X(fleet) X(verbosity) \
	X(pgbouncer) X(pgbouncer_live) \
	X(terminal) \
	X(rank_live) \
	X(hostile) \
	X(html) \
	X(progress) \
	X(plan_times) X(plan_errors) \
	X(doc) \
	X(md_outputs)

#define X(name) Suite *suite_##name(void);
SUITES(X)
#undef X

int main(void)
{
	tu_spool_begin();      /* before any suite reads PGSIFT_BIN */
	SRunner *sr = srunner_create(NULL);
#define X(name) srunner_add_suite(sr, suite_##name());
	SUITES(X)
#undef X
	tu_skip_begin();
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fflush(stdout);
	tu_skip_end(stdout);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
