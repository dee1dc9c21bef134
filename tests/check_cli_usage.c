/* check_cli_usage.c: usage errors that name the value (an unknown input
 * format with the registry's list, standard input twice, a window that
 * ends before it starts, a gates config's bad key or value with its
 * FILE:LINE), the note that a terminal on standard input is waited for,
 * and skipped lines shown with their text (file:line, escaped) and a
 * summary whose counts add up. Inputs are real server output:
 * tests/data/workload-excerpt.log (a pg-workload run), pgBadger's
 * pg_rawcsv.log (a server that failed to start, pg_ctl's lines in it) and
 * the log of a server started by tests/workload/pg-skipped.sh. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_cli.h"
#include "parser.h"
#include "testutil.h"
#include "util.h"

#define LOG "tests/data/workload-excerpt.log"

static void expect_usage(const char *args, const char *path, const char *says)
{
	struct cli c;
	cli_run(&c, args, path);
	ck_assert_msg(c.status == 2, "%s: %d", args, c.status);
	ck_assert_str_eq(c.out, "");
	ck_assert_msg(strncmp(c.err, "pgsift: ", 8) == 0 && strstr(c.err, says),
		"%s: '%s' lacks '%s'", args, c.err, says);
	cli_free(&c);
}

/* The bad value, then every format the registry has. */
START_TEST(test_input_format)
{
	static const char *const cmds[] = { "report", "check", "tui" };
	char args[128];
	snprintf(args, sizeof(args), "%s --input-format bogus %%s", cmds[_i]);
	struct cli c;
	cli_run(&c, args, LOG);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "pgsift: unknown input format 'bogus' "
		"(--input-format); one of: stderr, syslog, "));
	for (size_t i = 0; parser_registry[i]; i++) {
		char item[64];
		snprintf(item, sizeof(item), " %s%s", parser_registry[i]->id,
			parser_registry[i + 1] ? "," : "\n");
		ck_assert_msg(strstr(c.err, item) != NULL, "lacks '%s': %s", item, c.err);
	}
	cli_free(&c);
}
END_TEST

static const struct {
	const char *args, *says;
} refused[] = {
	{ "report - -", "standard input ('-') is given 2 times: it can be read once" },
	{ "report %s - -f json -", "standard input ('-') is given 2 times" },
	{ "report --since 2026-11-22T14:00 --until 2026-11-22T13:00 %s",
		"--since is later than --until" },
	{ "check --since 2026-11-22T13:45:49Z --until 2026-11-22T13:45:48Z %s",
		"--since is later than --until" },
	{ "report --since 14:00 --until 13:59 %s", "--since is later than --until (times of one day)" },
	{ "tui --since 14:00 --until 13:59 %s", "--since is later than --until" },
};

START_TEST(test_refused)
{
	expect_usage(refused[_i].args, LOG, refused[_i].says);
}
END_TEST

/* A window that starts where it ends is a window. */
START_TEST(test_window_ok)
{
	struct cli c;
	cli_run(&c, "report -q -f json --since 2026-11-22T13:45:48Z "
		"--until 2026-11-22T13:45:48Z %s", LOG);
	ck_assert_int_eq(c.status, 0);
	cli_free(&c);
}
END_TEST

/* A terminal on standard input (script(1) makes one; ^D typed into it
 * ends the input) is said to be waited for, unless -q. */
START_TEST(test_terminal_stdin)
{
	if (system("command -v script >/dev/null 2>&1") != 0) {
		tu_skip("cli_usage terminal_stdin", "no script(1) (util-linux)");
		return;
	}
	for (int quiet = 0; quiet < 2; quiet++) {
		char *cmd;
		int status;
		if (asprintf(&cmd, "cd '%s' && printf '\\004' | timeout 20 script -qec "
				"\"'%s' report %s-f json - >/dev/null\" /dev/null", tu_root(),
				tu_bin(), quiet ? "-q " : "") < 0)
			abort();
		char *out = tu_run(cmd, &status);
		ck_assert_msg(status == 0, "%d: %s", status, out);
		bool said = strstr(out, "pgsift: reading standard input, a terminal: "
			"waiting for input (^D ends it)") != NULL;
		ck_assert_msg(said == !quiet, "quiet %d: '%s'", quiet, out);
		free(out);
		free(cmd);
	}
}
END_TEST

/* Each key of the gates config with a bad value: FILE:LINE and the key. */
static const struct {
	const char *text, *at;
} configs[] = {
	{ "# gates\nfail-on = p95>soon\n", ":2: bad rule 'p95>soon'" },
	{ "fail-on = calls>1\n\nbaseline = nowhere.json\n", ":3: baseline " },
	{ "baseline = " LOG "\n", ":1: baseline " },
	{ "include = ^(SELECT\n", ":1: include: bad pattern '^(SELECT'" },
	{ "top = 3\nexclude = [a-\n", ":2: exclude: bad pattern '[a-'" },
	{ "top = none\n", ":1: top takes a positive number, not 'none'" },
	{ "regression-min-ms = fast\n", ":1: regression-min-ms takes a duration" },
	{ "regression-min-total-ms = -1\n", ":1: regression-min-total-ms takes a duration" },
	{ "regression-min-calls = 0\n", ":1: regression-min-calls takes a positive number" },
	{ "fail-on\n", ":1: expected 'key = value'" },
	{ "baseline = \n", ":1: 'baseline' has no value" },
	{ "fail_on = calls>1\n", ":1: unknown key 'fail_on'" },
};

START_TEST(test_config)
{
	char *conf = tu_write_temp(configs[_i].text, strlen(configs[_i].text));
	char *args, *at;
	/* The baseline that is a log, not a report, by its absolute path. */
	if (asprintf(&args, "check --config %%s %s", LOG) < 0 ||
			asprintf(&at, "pgsift: %s%s", conf, configs[_i].at) < 0)
		abort();
	if (strstr(configs[_i].text, "baseline = " LOG)) {
		char *text;
		if (asprintf(&text, "baseline = %s/%s\n", tu_root(), LOG) < 0)
			abort();
		FILE *f = fopen(conf, "w");
		fputs(text, f);
		fclose(f);
		free(text);
	}
	expect_usage(args, conf, at);
	free(args);
	free(at);
	tu_remove(conf);
}
END_TEST

/* pg_ctl's two lines in a server's log: each with its file:line, its
 * text under it, and the count. */
START_TEST(test_skipped_text)
{
	char *path = tu_data_path("cli_usage skipped_text",
		"../shared/corpus/pgbadger/pg_rawcsv.log");
	if (!path)
		return;
	struct cli c;
	cli_run(&c, "report -q -o /dev/null %s", path);
	ck_assert_int_eq(c.status, 3);
	char *want;
	if (asprintf(&want, "pgsift: %1$s:3: not a log line (does not start with the "
			"log_line_prefix and a severity)\n"
			"       3 | pg_ctl: could not start server\n"
			"pgsift: %1$s:4: not a log line (does not start with the "
			"log_line_prefix and a severity)\n"
			"       4 | Examine the log output.\n"
			"pgsift: %1$s: 2 lines skipped (not log records), shown above\n",
			path) < 0)
		abort();
	ck_assert_str_eq(c.err, want);
	free(want);
	cli_free(&c);
	free(path);
}
END_TEST

/* Many skipped lines, one with an escape sequence: the first ones shown
 * with their text (escaped), then "and N more skipped lines", N exact:
 * the shown and the rest make the report's count, whether the log is
 * read by one reader or cut across three. */
START_TEST(test_skipped_many)
{
	char *log = tu_slurp(LOG), *args;
	ck_assert_ptr_nonnull(log);
	struct { char *s; size_t n; } b = { NULL, 0 };
	FILE *m = open_memstream(&b.s, &b.n);
	for (int copy = 0; copy < 40; copy++) {
		fputs(log, m);
		fprintf(m, "pg_ctl: could not start server %d \033[31m\n", copy);
	}
	fclose(m);
	char *path = tu_write_temp(b.s, b.n);
	for (int jobs = 1; jobs <= 3; jobs += 2) {
		struct cli c, j;
		if (asprintf(&args, "report -q -j %d -f json %%s", jobs) < 0)
			abort();
		cli_run(&j, args, path);
		free(args);
		json_t *root = json_loads(j.out, 0, NULL);
		ck_assert_ptr_nonnull(root);
		unsigned long long skipped = (unsigned long long)json_integer_value(json_object_get(
			json_array_get(json_object_get(root, "inputs"), 0), "skipped"));
		json_decref(root);
		ck_assert_uint_eq(skipped, 40);
		if (asprintf(&args, "report -q -j %d -o /dev/null %%s", jobs) < 0)
			abort();
		cli_run(&c, args, path);
		free(args);
		ck_assert_int_eq(c.status, 3);
		unsigned long long shown = 0;
		for (const char *p = c.err; (p = strstr(p, " | pg_ctl: could not start server ")); p++) {
			ck_assert_msg(strncmp(strchr(p, '\n') - 8, "\\x1b[31m", 8) == 0, "%.80s", p);
			shown++;
		}
		ck_assert_uint_eq(shown, 10);
		char *want;
		if (asprintf(&want, "pgsift: %s: %llu lines skipped (not log records): %llu "
				"shown above, and %llu more skipped lines\n", path, skipped, shown,
				skipped - shown) < 0)
			abort();
		ck_assert_msg(strstr(c.err, want) != NULL, "-j %d: %s", jobs, c.err);
		ck_assert_ptr_null(strchr(c.err, '\033'));
		free(want);
		cli_free(&c);
		cli_free(&j);
	}
	tu_remove(path);
	free(b.s);
	free(log);
}
END_TEST

/* A real server's log with 14 lines its child wrote to stderr
 * (tests/workload/pg-skipped.sh): the first 10 shown, each under its
 * reason with the file's own text of that line (escaped: the first holds
 * ESC [31m), then the 4 more; the count is the JSON report's. */
START_TEST(test_skipped_live)
{
	if (!tu_have_server("cli_usage skipped_live"))
		return;
	char dir[] = "/tmp/pgsift-cli-skipped-XXXXXX", *cmd, *path;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	if (asprintf(&cmd, "bash '%s/tests/workload/pg-skipped.sh' '%s' >&2", tu_root(),
			dir) < 0 || asprintf(&path, "%s/postgresql.log", dir) < 0)
		abort();
	ck_assert_msg(system(cmd) == 0, "pg-skipped.sh failed");
	free(cmd);
	struct cli c, j;
	cli_run(&j, "report -q -f json %s", path);
	json_t *root = json_loads(j.out, 0, NULL);
	ck_assert_ptr_nonnull(root);
	json_int_t skipped = json_integer_value(json_object_get(
		json_array_get(json_object_get(root, "inputs"), 0), "skipped"));
	json_decref(root);
	cli_free(&j);
	ck_assert_int_eq(skipped, 14);
	cli_run(&c, "report -q -o /dev/null %s", path);
	ck_assert_int_eq(c.status, 3);
	char *log = tu_slurp(path);
	unsigned shown = 0;
	for (const char *p = c.err; (p = strstr(p, "\n ")); p++) {
		unsigned long no;
		int at;
		ck_assert_int_eq(sscanf(p + 1, " %lu | %n", &no, &at), 1);
		const char *text = p + 1 + at, *end = strchr(text, '\n');
		/* The file's line no, as shown. */
		const char *line = log;
		for (unsigned long k = 1; k < no; k++)
			line = strchr(line, '\n') + 1;
		size_t n = (size_t)(strchr(line, '\n') - line);
		if (shown == 0) {
			static const char shows[] = "noisy.sh: \\x1b[31mred\\x1b[0m\n",
				holds[] = "noisy.sh: \033[31mred\033[0m\n";
			ck_assert_int_eq(strncmp(text, shows, sizeof(shows) - 1), 0);
			ck_assert_int_eq(strncmp(line, holds, sizeof(holds) - 1), 0);
		} else {
			ck_assert_msg((size_t)(end - text) == n && strncmp(text, line, n) == 0,
				"line %lu: '%.*s' is not '%.*s'", no, (int)(end - text), text,
				(int)n, line);
		}
		shown++;
	}
	ck_assert_uint_eq(shown, 10);
	char *want;
	if (asprintf(&want, "pgsift: %s: 14 lines skipped (not log records): 10 "
			"shown above, and 4 more skipped lines\n", path) < 0)
		abort();
	ck_assert_msg(strstr(c.err, want) != NULL, "%s", c.err);
	free(want);
	free(log);
	cli_free(&c);
	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		abort();
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(path);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *suite_cli_usage(void);
Suite *suite_cli_usage(void)
{
	Suite *s = suite_create("cli_usage");
	TCase *tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_input_format, 0, 3);
	tcase_add_loop_test(tc, test_refused, 0, N(refused));
	tcase_add_test(tc, test_window_ok);
	tcase_add_loop_test(tc, test_config, 0, N(configs));
	suite_add_tcase(s, tc);
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_terminal_stdin);
	tcase_add_test(tc, test_skipped_text);
	tcase_add_test(tc, test_skipped_many);
	tcase_add_test(tc, test_skipped_live);
	suite_add_tcase(s, tc);
	return s;
}
