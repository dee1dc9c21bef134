/* check_main.c: runs every test suite. Suites live in tests/check_<module>.c;
 * they are declared weak here so that the runner links while a module's
 * tests are still being written, and says which suites it ran. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SUITES(X) \
	X(arena) X(sketch) X(normalize) X(fingerprint) X(input) X(timeutil) \
	X(prefix) X(pgmsg) X(ingest) X(stderr) X(syslog) X(csvlog) X(jsonlog) X(agg) X(events) X(events_sessions) X(report) \
	X(cli) X(forms) X(e2e) X(plan) X(gates) X(baseline) \
	X(traces) X(sentry) X(otlp) X(snapshots) X(snapshots_e2e) X(tui) X(tui_e2e) \
	X(advice) X(advice_live) X(golden) X(report_load) X(report_input)

#define X(name) Suite *suite_##name(void) __attribute__((weak));
SUITES(X)
#undef X

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int n = 0;
#define X(name) if (suite_##name) { srunner_add_suite(sr, suite_##name()); n++; }
	SUITES(X)
#undef X
	if (n == 0) {
		fprintf(stderr, "check_pgsift: no test suites linked\n");
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
