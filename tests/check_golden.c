/* check_golden.c: a whole report, in every format, against golden files.
 *
 * One `pgsift check` over the project's own real-server evidence: the
 * sample log, statistics snapshots before and after, a Sentry envelope and
 * an OpenTelemetry export, a baseline report and two gates, so every part
 * of the report (groups, findings, events, traces, statistics, baseline
 * comparison, verdict) is in one file per format. They were written before
 * the pipeline and model were reshaped, so a change of output shows up
 * here. PGSIFT_UPDATE_GOLDEN=1 rewrites them (review the diff). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testutil.h"

#define FULL_INPUTS \
	"samples/postgresql.log.zst " \
	"tests/data/snapshots/pg_stat_statements_before.csv " \
	"tests/data/snapshots/pg_stat_statements_after.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_before.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_after.csv " \
	"tests/data/snapshots/pg_stat_user_tables_before.csv " \
	"tests/data/snapshots/pg_stat_user_tables_after.csv " \
	"tests/data/traces/rails-span-envelope.txt " \
	"tests/data/traces/otlp.ndjson"

static const char *const formats[] = { "md", "json", "text" };
static const char *const files[] = { "full.md", "full.json", "full.txt" };

START_TEST(test_full_report)
{
	const char *update = getenv("PGSIFT_UPDATE_GOLDEN");
	char cmd[4096], path[4096];
	int status;

	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' check -q -j 1 -f %s "
			"--fail-on 'p95>50ms,severity>=critical' "
			"--baseline tests/golden/full-baseline.json " FULL_INPUTS
			" 2>/dev/null", tu_root(), tu_bin(), formats[_i]);
	char *got = tu_run(cmd, &status);
	/* Both gates fail on this evidence: exit 1, the report complete. */
	ck_assert_int_eq(status, 1);
	snprintf(path, sizeof(path), "%s/tests/golden/%s", tu_root(), files[_i]);
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
		fputs(got, f);
		ck_assert_int_eq(fclose(f), 0);
	}
	char *want = tu_slurp(path);
	ck_assert_msg(want != NULL, "cannot read %s", path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from `pgsift check -f %s` "
			"from line %d on", path, formats[_i], tu_first_diff_line(got, want));
	free(want);
	free(got);
}
END_TEST

Suite *suite_golden(void);
Suite *suite_golden(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("full");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_full_report, 0,
			(int)(sizeof(formats) / sizeof(formats[0])));
	suite_add_tcase(s, tc);
	return s;
}
