/* check_cli_outputs.c: one analysis, several reports (-o repeatable):
 * each report's format from the -f given before its -o, else from its
 * name, else from an earlier -f; each the same bytes as the report of a
 * run of its own; every -o checked writable before the analysis starts
 * (exit 2 naming the path and why, nothing written, an existing file
 * left as it was); check appending to a GitHub step summary among other
 * outputs. The input is a real server log, tests/data/workload-excerpt.log
 * (a pg-workload run). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_cli.h"
#include "testutil.h"
#include "util.h"

#define LOG "tests/data/workload-excerpt.log"

static char *make_dir(void)
{
	char *d = xstrdup("/tmp/pgsift-cli-outputs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void remove_dir(char *d)
{
	char *cmd;
	if (asprintf(&cmd, "rm -rf '%s'", d) < 0)
		abort();
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(d);
}

/* The file dir/name, NUL-terminated (caller frees); NULL when absent. */
static char *slurp_in(const char *dir, const char *name)
{
	char *path, *text;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	text = tu_slurp(path);
	free(path);
	return text;
}

static const char *kind_of(const char *text)
{
	if (!text)
		return "absent";
	if (text[0] == '{')
		return "json";
	if (strncmp(text, "<!DOCTYPE html>", 15) == 0)
		return "html";
	if (strncmp(text, "# pgsift report", 15) == 0)
		return "md";
	return "text";
}

/* Four reports from one run, each byte for byte what a run of its own
 * writes to standard output. */
START_TEST(test_by_extension)
{
	static const struct { const char *name, *format; } outs[] = {
		{ "r.md", "md" }, { "r.json", "json" }, { "r.HTML", "html" },
		{ "r.txt", "text" }, { "r.markdown", "md" }, { "r.htm", "html" },
		{ "r.text", "text" },
	};
	char *d = make_dir(), *args;
	struct cli c;
	args = cli_subst("report -q -o @D/r.md -o @D/r.json -o @D/r.HTML "
		"-o @D/r.txt -o @D/r.markdown -o @D/r.htm -o @D/r.text " LOG, d);
	cli_run(&c, args, NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.out, "");
	ck_assert_str_eq(c.err, "");
	cli_free(&c);
	free(args);
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		struct cli alone;
		if (asprintf(&args, "report -q -f %s %s", outs[i].format, LOG) < 0)
			abort();
		cli_run(&alone, args, NULL);
		ck_assert_int_eq(alone.status, 0);
		char *text = slurp_in(d, outs[i].name);
		ck_assert_msg(text && strcmp(text, alone.out) == 0, "%s differs from "
			"-f %s alone (line %d)", outs[i].name, outs[i].format,
			text ? tu_first_diff_line(text, alone.out) : 0);
		free(text);
		free(args);
		cli_free(&alone);
	}
	remove_dir(d);
}
END_TEST

/* Which format each -o gets: its own -f (given since the last -o), else
 * its name, else an earlier -f, else md; one -o takes -f wherever it
 * stands, as before -o could be repeated. */
static const struct {
	const char *args;               /* @D: the directory */
	const char *names[3], *kinds[3];
} choices[] = {
	{ "-f json -o @D/out -f md -o @D/out2", { "out", "out2" }, { "json", "md" } },
	{ "-f text -o @D/a.json -o @D/b.html -o @D/c", { "a.json", "b.html", "c" },
		{ "text", "html", "text" } },
	{ "-o @D/a -o @D/b.json", { "a", "b.json" }, { "md", "json" } },
	{ "-o @D/x.md -f json", { "x.md" }, { "json" } },
	{ "-f html -o @D/x.md", { "x.md" }, { "html" } },
};

START_TEST(test_format_choice)
{
	char *d = make_dir(), *opts, *args;
	struct cli c;
	opts = cli_subst(choices[_i].args, d);
	if (asprintf(&args, "report -q %s %s", opts, LOG) < 0)
		abort();
	cli_run(&c, args, NULL);
	ck_assert_msg(c.status == 0, "%s: %d %s", args, c.status, c.err);
	ck_assert_str_eq(c.out, "");
	for (size_t i = 0; i < 3 && choices[_i].names[i]; i++) {
		char *text = slurp_in(d, choices[_i].names[i]);
		ck_assert_msg(strcmp(kind_of(text), choices[_i].kinds[i]) == 0,
			"%s: %s is %s", opts, choices[_i].names[i], kind_of(text));
		free(text);
	}
	cli_free(&c);
	free(opts);
	free(args);
	remove_dir(d);
}
END_TEST

/* An -o that cannot be written fails at once: exit 2, the path and why,
 * no report anywhere (not even the writable -o before it), and the input,
 * which does not exist, is never looked at. */
static const struct {
	const char *outs;               /* @D: the directory */
	const char *says;
} unwritable[] = {
	{ "-o /nonexistent/dir/r.md", "-o /nonexistent/dir/r.md: No such file or directory" },
	{ "-o @D/ok.md -o /nonexistent/r.json", "-o /nonexistent/r.json: No such file or directory" },
	{ "-o " LOG "/r.md", "-o " LOG "/r.md: Not a directory" },
	{ "-o @D/ok.md -o tests/data", "-o tests/data: Is a directory" },
};

START_TEST(test_unwritable)
{
	char *d = make_dir(), *outs, *args;
	struct cli c;
	outs = cli_subst(unwritable[_i].outs, d);
	if (asprintf(&args, "report %s /nonexistent/in.log", outs) < 0)
		abort();
	cli_run(&c, args, NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.out, "");
	ck_assert_msg(strncmp(c.err, "pgsift: ", 8) == 0 &&
		strstr(c.err, unwritable[_i].says), "%s", c.err);
	ck_assert_msg(!strstr(c.err, "in.log"), "the analysis ran: %s", c.err);
	char *ok = slurp_in(d, "ok.md");
	ck_assert_ptr_null(ok);
	cli_free(&c);
	free(outs);
	free(args);
	remove_dir(d);
}
END_TEST

/* A run that fails leaves an existing -o file as it was. */
START_TEST(test_existing_kept)
{
	char *d = make_dir(), *args;
	struct cli c;
	if (asprintf(&args, "report -o %s/keep.md /nonexistent/in.log", d) < 0)
		abort();
	char *path;
	if (asprintf(&path, "%s/keep.md", d) < 0)
		abort();
	FILE *f = fopen(path, "w");
	fputs("keep\n", f);
	fclose(f);
	cli_run(&c, args, NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "no input could be read"));
	char *text = tu_slurp(path);
	ck_assert_str_eq(text, "keep\n");
	free(text);
	free(path);
	free(args);
	cli_free(&c);
	remove_dir(d);
}
END_TEST

static const struct {
	const char *args;
	const char *says;
} refused[] = {
	{ "report -o a.md -o b.md -f json %s", "-f json after the last of several -o" },
	{ "report -o /tmp/a.md -o /tmp/a.md %s", "-o /tmp/a.md is given twice" },
	{ "report -o - -o - %s", "-o - (standard output) is given twice" },
	{ "report -f json -o a.json -f xml -o b %s", "unknown --format 'xml'" },
	{ "tui -o a.md %s", "-o is for 'pgsift report', 'check' and 'merge'" },
	{ "report -o '' %s", "-o takes a file name ('-' for standard output)" },
};

START_TEST(test_refused)
{
	struct cli c;
	cli_run(&c, refused[_i].args, LOG);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.out, "");
	ck_assert_msg(strstr(c.err, refused[_i].says) != NULL, "%s", c.err);
	ck_assert_uint_eq(cli_count_lines(c.err), 2);
	cli_free(&c);
}
END_TEST

/* check appends its Markdown to GitHub's step summary, as it does with
 * one -o, and writes the JSON beside it from the same run. */
START_TEST(test_check_summary)
{
	char *d = make_dir(), *args, *env, *path;
	struct cli c;
	if (asprintf(&path, "%s/summary.md", d) < 0 ||
			asprintf(&env, "GITHUB_STEP_SUMMARY='%s'", path) < 0 ||
			asprintf(&args, "check -q --fail-on 'calls>1000000' -o '%s' -o %s/run.json %s",
				path, d, LOG) < 0)
		abort();
	FILE *f = fopen(path, "w");
	fputs("# an earlier step\n", f);
	fclose(f);
	cli_run_env(&c, env, args, NULL);
	ck_assert_msg(c.status == 0, "%d %s", c.status, c.err);
	char *md = tu_slurp(path), *json = slurp_in(d, "run.json");
	ck_assert_msg(strncmp(md, "# an earlier step\n#", 19) == 0, "%.200s", md);
	json_t *j = json_loads(json, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "schema")), 1);
	ck_assert_ptr_nonnull(json_object_get(j, "check"));
	json_decref(j);
	free(md);
	free(json);
	free(path);
	free(env);
	free(args);
	cli_free(&c);
	remove_dir(d);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *suite_cli_outputs(void);
Suite *suite_cli_outputs(void)
{
	Suite *s = suite_create("cli_outputs");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_by_extension);
	tcase_add_loop_test(tc, test_format_choice, 0, N(choices));
	tcase_add_test(tc, test_check_summary);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_unwritable, 0, N(unwritable));
	tcase_add_test(tc, test_existing_kept);
	tcase_add_loop_test(tc, test_refused, 0, N(refused));
	suite_add_tcase(s, tc);
	return s;
}
