/* check_report_input.c: a saved JSON report as an input of the pgsift
 * binary (parsers/report_json.c, the hand-over in analysis.c): detected
 * or forced, plain or compressed, on standard input, written back in
 * every format, refused together with other inputs. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define INPUTS "samples/postgresql.log.zst tests/data/snapshots/*.csv tests/data/traces/otlp.ndjson"

static char saved[256], fresh_md[256], fresh_text[256];

/* Runs a shell command in the source tree; its output (stdout, and
 * stderr too when merged by the command) comes back, the exit code in
 * *code. */
static char *run(int *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *run(int *code, const char *fmt, ...)
{
	char body[4096], cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && P='%s' && %s", tu_root(), tu_bin(), body);
	return tu_run(cmd, code);
}

/* One saved report of the full evidence, and the fresh run's Markdown
 * and text, made once per test process. */
static void setup(void)
{
	int code;
	snprintf(saved, sizeof(saved), "/tmp/pgsift-ri-%d.json", (int)getpid());
	snprintf(fresh_md, sizeof(fresh_md), "/tmp/pgsift-ri-%d.md", (int)getpid());
	snprintf(fresh_text, sizeof(fresh_text), "/tmp/pgsift-ri-%d.txt", (int)getpid());
	free(run(&code, "\"$P\" report -q -f json -o %s " INPUTS " && \"$P\" report -q -o %s " INPUTS
		" && \"$P\" report -q -f text -o %s " INPUTS, saved, fresh_md, fresh_text));
	ck_assert_int_eq(code, 0);
}

static void teardown(void)
{
	unlink(saved);
	unlink(fresh_md);
	unlink(fresh_text);
}

/* The model loaded from the report writes the report again, and the
 * Markdown and text of the analysis it came from. */
START_TEST(written_back)
{
	static const struct { const char *args; const char *want; } cases[] = {
		{ "-f json ", "json" },
		{ "-f json --input-format report-json ", "json" },
		{ "-f text ", "text" },
		{ "", "md" },
	};
	char *want_json = tu_slurp(saved), *want_md = tu_slurp(fresh_md), *want_text = tu_slurp(fresh_text);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[512];
		int code;
		snprintf(args, sizeof(args), "%s%s", cases[i].args, saved);
		char *out = run(&code, "\"$P\" report -q %s", args);
		ck_assert_msg(code == 0, "%s: exit %d", args, code);
		const char *want = strcmp(cases[i].want, "json") == 0 ? want_json :
			strcmp(cases[i].want, "md") == 0 ? want_md : want_text;
		ck_assert_msg(strcmp(out, want) == 0, "%s: not the same output", args);
		free(out);
	}
	free(want_json);
	free(want_md);
	free(want_text);
}
END_TEST

/* Compressed, and on standard input when announced. */
START_TEST(compressed_and_stdin)
{
	char *want = tu_slurp(saved);
	int code;
	char *out = run(&code, "gzip -c %s > %s.gz && \"$P\" report -q -f json %s.gz; rc=$?; rm -f %s.gz; exit $rc",
		saved, saved, saved, saved);
	ck_assert_int_eq(code, 0);
	ck_assert(strcmp(out, want) == 0);
	free(out);
	out = run(&code, "\"$P\" report -q -f json --input-format report-json - < %s", saved);
	ck_assert_int_eq(code, 0);
	ck_assert(strcmp(out, want) == 0);
	free(out);
	/* Undeclared, standard input cannot be peeked at and read again. */
	out = run(&code, "\"$P\" report -q -f json - < %s 2>&1 >/dev/null", saved);
	ck_assert_int_eq(code, 2);
	ck_assert_msg(strstr(out, "needs --input-format report-json") != NULL, "%s", out);
	free(out);
	free(want);
}
END_TEST

/* Until reports can be merged, one comes alone: exit 2, naming it. */
START_TEST(refused_with_others)
{
	int code;
	char *out = run(&code, "\"$P\" report -q samples/postgresql.log.zst %s 2>&1 >/dev/null", saved);
	ck_assert_int_eq(code, 2);
	ck_assert_msg(strstr(out, saved) && strstr(out, "read on its own"), "%s", out);
	free(out);
	out = run(&code, "\"$P\" tui samples/postgresql.log.zst %s 2>&1 >/dev/null </dev/null", saved);
	ck_assert_int_eq(code, 2);
	ck_assert_msg(strstr(out, saved) && strstr(out, "read on its own"), "%s", out);
	free(out);
	out = run(&code, "\"$P\" report -q --input-format report-json %s %s 2>&1 >/dev/null", saved, saved);
	ck_assert_int_eq(code, 2);
	free(out);
}
END_TEST

/* A filter cannot apply to saved totals: refused, not ignored. And the
 * saved run's notes are not said again on standard error. */
START_TEST(filters_refused_notes_quiet)
{
	int code;
	char *out = run(&code, "\"$P\" report --db shop %s 2>&1 >/dev/null", saved);
	ck_assert_int_eq(code, 2);
	ck_assert_msg(strstr(out, saved) && strstr(out, "finished result"), "%s", out);
	free(out);
	out = run(&code, "\"$P\" report --since 2020-01-01T00:00:00 %s 2>&1 >/dev/null", saved);
	ck_assert_int_eq(code, 2);
	free(out);
	out = run(&code, "\"$P\" report %s 2>&1 >/dev/null", saved);
	ck_assert_int_eq(code, 0);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(broken_report)
{
	int code;
	char *out = run(&code, "head -c 2000 %s > %s.cut && \"$P\" report -q %s.cut 2>&1 >/dev/null; rc=$?; "
		"rm -f %s.cut; exit $rc", saved, saved, saved, saved);
	ck_assert_int_eq(code, 2);
	ck_assert_msg(strstr(out, "truncated JSON report") != NULL, "%s", out);
	free(out);
	/* Forced on something else: said, exit 2. */
	out = run(&code, "\"$P\" report -q --input-format report-json tests/data/snapshots/README 2>&1 >/dev/null");
	ck_assert_int_eq(code, 2);
	ck_assert_msg(strstr(out, "not JSON") != NULL, "%s", out);
	free(out);
}
END_TEST

/* check judges the loaded model: the sample has critical findings. */
START_TEST(check_of_saved)
{
	int code;
	char *out = run(&code, "\"$P\" check -q -f json --fail-on 'severity>=critical' %s 2>/dev/null", saved);
	ck_assert_int_eq(code, 1);
	ck_assert(strstr(out, "\"check\"") != NULL);
	free(out);
}
END_TEST

Suite *suite_report_input(void);
Suite *suite_report_input(void)
{
	Suite *s = suite_create("report_input");
	TCase *tc = tcase_create("core");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, written_back);
	tcase_add_test(tc, compressed_and_stdin);
	tcase_add_test(tc, refused_with_others);
	tcase_add_test(tc, filters_refused_notes_quiet);
	tcase_add_test(tc, broken_report);
	tcase_add_test(tc, check_of_saved);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
