/* check_cli.c: the pgsift binary's outside, as ../shared/CONTRACT.md and
 * the README set it: --help and --version on standard output with exit 0;
 * misuse exit 2 with a diagnostic and a one-line hint on standard error
 * and nothing on standard output; no input readable exit 2; malformed
 * input exit 3 with the report written and the problem named with its
 * line; a failed check gate exit 1. The inputs are real server lines from
 * tests/data/workload-excerpt.log (a pg-workload run), damaged where the
 * test needs them so. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_cli.h"
#include "testutil.h"
#include "util.h"

#define HINT "Try 'pgsift --help'.\n"

/* Four pgbench lookups and their parameters, verbatim. */
#define GOOD \
	"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench LOG:  duration: 0.068 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench DETAIL:  parameters: $1 = '4577'\n" \
	"2026-11-22 13:45:48.330 UTC [2433] postgres@shop/pgbench LOG:  duration: 0.079 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.330 UTC [2433] postgres@shop/pgbench DETAIL:  parameters: $1 = '520'\n" \
	"2026-11-22 13:45:48.332 UTC [2435] postgres@shop/pgbench LOG:  duration: 0.033 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.332 UTC [2435] postgres@shop/pgbench DETAIL:  parameters: $1 = '846'\n" \
	"2026-11-22 13:45:48.333 UTC [2434] postgres@shop/pgbench LOG:  duration: 0.111 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.333 UTC [2434] postgres@shop/pgbench DETAIL:  parameters: $1 = '1548'\n"

/* The same, with line 3 cut inside its prefix (a torn write). */
#define TORN \
	"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench LOG:  duration: 0.068 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.327 UTC [2432] postgres@shop/pgbench DETAIL:  parameters: $1 = '4577'\n" \
	"2026-11-22 13:45:48.33\n" \
	"2026-11-22 13:45:48.332 UTC [2435] postgres@shop/pgbench LOG:  duration: 0.033 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.332 UTC [2435] postgres@shop/pgbench DETAIL:  parameters: $1 = '846'\n" \
	"2026-11-22 13:45:48.333 UTC [2434] postgres@shop/pgbench LOG:  duration: 0.111 ms  execute P_0: SELECT id, email, name FROM customers WHERE id = $1;\n" \
	"2026-11-22 13:45:48.333 UTC [2434] postgres@shop/pgbench DETAIL:  parameters: $1 = '1548'\n"

#define count_lines cli_count_lines

/* ---- core: help and version ---- */

static const char *const help_args[] = { "--help", "-h", "help" };

START_TEST(test_help)
{
	struct cli c;
	cli_run(&c, help_args[_i], NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.err, "");
	ck_assert_msg(strncmp(c.out, "usage: pgsift report [OPTIONS] INPUT...", 39) == 0, "%.200s", c.out);
	/* The three commands, and the exit codes documented where users look. */
	ck_assert_ptr_nonnull(strstr(c.out, "pgsift check  [OPTIONS] INPUT..."));
	ck_assert_ptr_nonnull(strstr(c.out, "pgsift tui    [OPTIONS] INPUT..."));
	ck_assert_ptr_nonnull(strstr(c.out, "Exit status: 0 done; 1 a check gate failed; 2 usage error"));
	ck_assert_ptr_nonnull(strstr(c.out, "3 done, but some input was malformed or truncated"));
	cli_free(&c);
}
END_TEST

static const char *const version_args[] = { "--version", "report --version" };

START_TEST(test_version)
{
	struct cli c;
	cli_run(&c, version_args[_i], NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.err, "");
	unsigned maj, min, patch;
	char end;
	ck_assert_msg(sscanf(c.out, "pgsift %u.%u.%u%c", &maj, &min, &patch, &end) == 4 &&
		end == '\n' && count_lines(c.out) == 1, "'%s'", c.out);
	cli_free(&c);
}
END_TEST

/* --help's output is checked like any other stream: a full stdout is an
 * error, not a silent truncation. */
START_TEST(test_help_full_stdout)
{
	struct cli c;
	cli_run(&c, "--help >/dev/full", NULL);
	ck_assert_int_ne(c.status, 0);
	cli_free(&c);
}
END_TEST

/* ---- errors: misuse ---- */

static const struct {
	const char *args;
	const char *says;       /* in the diagnostic line */
} misuse[] = {
	{ "", "no command given" },
	{ "frobnicate x.log", "unknown command 'frobnicate'" },
	{ "report", "no INPUT given" },
	{ "report --no-such-option %s", "unrecognized option '--no-such-option'" },
	{ "report %s -o", "option requires an argument" },
	{ "report -f xml %s", "unknown --format 'xml'" },
	{ "report --top abc %s", "--top takes a positive number, not 'abc'" },
	{ "report -j 0 %s", "--jobs takes a positive number" },
	{ "report --since yesterday %s", "--since takes an ISO 8601 time" },
	{ "check --fail-on 'p95>>' %s", "--fail-on: bad rule 'p95>>'" },
	{ "report --fail-on 'calls>1' %s", "--fail-on is for 'pgsift check'" },
	{ "report --input-format nope %s", "unknown input format 'nope' (--input-format); one of: stderr, syslog, csvlog" },
};

START_TEST(test_misuse)
{
	char *path = tu_write_temp(GOOD, strlen(GOOD));
	struct cli c;
	cli_run(&c, misuse[_i].args, path);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.out, "");
	/* The diagnostic, then the hint: no usage text poured out. */
	ck_assert_msg(strncmp(c.err, "pgsift: ", 8) == 0, "'%s'", c.err);
	ck_assert_msg(strstr(c.err, misuse[_i].says) != NULL, "'%s'", c.err);
	ck_assert_uint_eq(count_lines(c.err), 2);
	size_t len = strlen(c.err);
	ck_assert_str_eq(c.err + len - strlen(HINT), HINT);
	cli_free(&c);
	tu_remove(path);
}
END_TEST

/* ---- errors: inputs ---- */

/* No input could be read: exit 2, each unreadable one named, no report. */
static const char *const unreadable[] = {
	"report /nonexistent/pgsift.log",
	"report -f json /nonexistent/a.log /nonexistent/b.log",
};

START_TEST(test_unreadable)
{
	struct cli c;
	cli_run(&c, unreadable[_i], NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.out, "");
	ck_assert_msg(strncmp(c.err, "pgsift: /", 9) == 0, "'%s'", c.err);
	ck_assert_msg(strstr(c.err, "pgsift: no input could be read\n") != NULL, "'%s'", c.err);
	cli_free(&c);
}
END_TEST

/* One input readable and one not: the report is made from what could be
 * read, and says which input failed; exit 3. */
START_TEST(test_one_unreadable)
{
	char *path = tu_write_temp(GOOD, strlen(GOOD));
	struct cli c;
	cli_run(&c, "report -q -f json /nonexistent/a.log %s", path);
	ck_assert_int_eq(c.status, 3);
	ck_assert_ptr_nonnull(strstr(c.err, "pgsift: /nonexistent/a.log: cannot open"));
	json_t *r = json_loads(c.out, 0, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "totals"), "queries")), 4);
	json_decref(r);
	cli_free(&c);
	tu_remove(path);
}
END_TEST

/* A directory stands for the files under it, in path order, hidden ones
 * left out: the report of real logs given as their directory is the one
 * of the files given one by one. An empty directory is named. */
START_TEST(test_directory)
{
	char tmpl[] = "/tmp/pgsift-dir-XXXXXX";
	ck_assert(mkdtemp(tmpl) != NULL);
	char *cmd;
	int st;
	if (asprintf(&cmd, "cd '%s' && mkdir -p '%s/b/empty' && cp tests/data/plans/text.log "
			"'%s/b/z.log' && cp tests/data/log_statement.log '%s/a.log' && "
			"cp tests/data/plans/json.log '%s/.old.log'", tu_root(), tmpl, tmpl,
			tmpl, tmpl) < 0)
		abort();
	free(tu_run(cmd, &st));
	ck_assert_int_eq(st, 0);
	free(cmd);
	struct cli dir, files;
	char *args;
	cli_run(&dir, "report -q -j 1 -f json %s", tmpl);
	if (asprintf(&args, "report -q -j 1 -f json %s/a.log %s/b/z.log", tmpl, tmpl) < 0)
		abort();
	cli_run(&files, args, NULL);
	free(args);
	ck_assert_int_eq(dir.status, 0);
	ck_assert_str_eq(dir.out, files.out);
	cli_free(&dir);
	cli_free(&files);
	struct cli empty;
	cli_run(&empty, "report -q %s/b/empty", tmpl);
	ck_assert_int_eq(empty.status, 2);
	ck_assert_msg(strstr(empty.err, "/b/empty: a directory with no file in it"),
		"'%s'", empty.err);
	cli_free(&empty);
	if (asprintf(&cmd, "rm -rf '%s'", tmpl) < 0)
		abort();
	free(tu_run(cmd, &st));
	free(cmd);
}
END_TEST

/* bzip2 and xz (libarchive's filters) read as gzip and zstd are: a real
 * log gives the report of its plain form; cut short, exit 3 naming the
 * file. An archive of files (tar, tar.gz, zip) is read file by file, each
 * input named ARCHIVE::FILE, with the report of the files themselves; on
 * standard input it is refused with a message saying what to do, not
 * read as text. */
START_TEST(test_more_compressions)
{
	char tmpl[] = "/tmp/pgsift-comp-XXXXXX";
	ck_assert(mkdtemp(tmpl) != NULL);
	char *cmd;
	int st;
	if (asprintf(&cmd, "cd '%s' && zstd -dqf tests/data/forms/postgresql.log.zst -o '%s/p.log' "
			"&& bzip2 -k '%s/p.log' && xz -k -T1 '%s/p.log' && head -c 200000 "
			"'%s/p.log.xz' > '%s/cut.xz' && tar cf '%s/p.tar' -C '%s' p.log && "
			"gzip -k '%s/p.tar' && python3 -c 'import sys, zipfile; "
			"zipfile.ZipFile(sys.argv[1], \"w\").write(sys.argv[2], \"p.log\")' "
			"'%s/p.zip' '%s/p.log'", tu_root(), tmpl, tmpl, tmpl, tmpl, tmpl,
			tmpl, tmpl, tmpl, tmpl, tmpl) < 0)
		abort();
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "%s: %s", cmd, out);
	free(out);
	free(cmd);
	struct cli plain;
	char *args;
	if (asprintf(&args, "report -q -j 1 -f json %s/p.log", tmpl) < 0)
		abort();
	cli_run(&plain, args, NULL);
	free(args);
	ck_assert_int_eq(plain.status, 0);
	json_t *want = tu_report_json(plain.out);
	static const char *const packed[] = { "p.log.bz2", "p.log.xz" };
	for (size_t i = 0; i < ARRAY_SIZE(packed); i++) {
		struct cli c;
		if (asprintf(&args, "report -q -j 1 -f json %s/%s", tmpl, packed[i]) < 0)
			abort();
		cli_run(&c, args, NULL);
		free(args);
		ck_assert_int_eq(c.status, 0);
		json_t *got = tu_report_json(c.out);
		/* The same but for the input's path, size and compression. */
		json_object_del(got, "inputs");
		tu_json_drop_places(got);
		json_t *w = json_deep_copy(want);
		json_object_del(w, "inputs");
		tu_json_drop_places(w);
		ck_assert_msg(json_equal(w, got), "%s differs from the plain log", packed[i]);
		json_decref(w);
		json_decref(got);
		cli_free(&c);
	}
	cli_free(&plain);
	struct cli cut;
	if (asprintf(&args, "report -q -j 1 %s/cut.xz", tmpl) < 0)
		abort();
	cli_run(&cut, args, NULL);
	free(args);
	ck_assert_int_eq(cut.status, 3);
	ck_assert_msg(strstr(cut.err, "cut.xz:") && strstr(cut.err, "truncated or corrupt xz"),
		"'%s'", cut.err);
	cli_free(&cut);
	static const char *const archives[] = { "p.tar", "p.tar.gz", "p.zip" };
	for (size_t i = 0; i < ARRAY_SIZE(archives); i++) {
		struct cli c;
		if (asprintf(&args, "report -q -j 1 -f json %s/%s", tmpl, archives[i]) < 0)
			abort();
		cli_run(&c, args, NULL);
		free(args);
		ck_assert_int_eq(c.status, 0);
		json_t *got = tu_report_json(c.out);
		json_t *in = json_array_get(json_object_get(got, "inputs"), 0);
		char *name;
		if (asprintf(&name, "%s/%s::p.log", tmpl, archives[i]) < 0)
			abort();
		ck_assert_str_eq(json_string_value(json_object_get(in, "path")), name);
		free(name);
		json_object_del(got, "inputs");
		tu_json_drop_places(got);
		json_t *w = json_deep_copy(want);
		json_object_del(w, "inputs");
		tu_json_drop_places(w);
		ck_assert_msg(json_equal(w, got), "%s differs from the plain log", archives[i]);
		json_decref(w);
		json_decref(got);
		cli_free(&c);
		if (asprintf(&args, "report -q - < %s/%s", tmpl, archives[i]) < 0)
			abort();
		cli_run(&c, args, NULL);
		free(args);
		ck_assert_int_eq(c.status, 2);
		ck_assert_msg(strstr(c.err, i == 2 ? "a zip archive" : "a tar archive"),
			"%s on standard input: '%s'", archives[i], c.err);
		cli_free(&c);
	}
	/* --state: an archive's files are finished files, read once. */
	json_int_t q[2];
	for (int run = 0; run < 2; run++) {
		struct cli c;
		if (asprintf(&args, "report -q -j 1 -f json --state %s/st %s/p.tar.gz",
				tmpl, tmpl) < 0)
			abort();
		cli_run(&c, args, NULL);
		free(args);
		ck_assert_int_eq(c.status, 0);
		json_t *j = json_loads(c.out, 0, NULL);
		q[run] = json_integer_value(json_object_get(json_object_get(j, "totals"),
			"queries"));
		json_decref(j);
		cli_free(&c);
	}
	ck_assert_int_gt(q[0], 0);
	ck_assert_int_eq(q[1], q[0]);
	json_decref(want);
	if (asprintf(&cmd, "rm -rf '%s'", tmpl) < 0)
		abort();
	free(tu_run(cmd, &st));
	free(cmd);
}
END_TEST

/* The report of args (a JSON one) without its inputs and places, which
 * name the files: its figures only. */
static json_t *figures_of(const char *args, int want_status)
{
	struct cli c;
	cli_run(&c, args, NULL);
	ck_assert_msg(c.status == want_status, "%s: exit %d: %s", args, c.status, c.err);
	json_t *j = tu_report_json(c.out);
	json_object_del(j, "inputs");
	tu_json_drop_places(j);
	cli_free(&c);
	return j;
}

/* A compressed tar of many logs is read member after member, each read on
 * from where the one before it ended (input.c), in any order asked: the
 * figures are those of the same files in a directory, at -j 1 and -j 2,
 * and with the members named one by one in reverse order (each then
 * found from the archive's start again). */
START_TEST(test_archive_many)
{
	char tmpl[] = "/tmp/pgsift-tar-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	char *cmd;
	int st;
	/* 81 files of 1,000 records each, cut where a record starts. */
	if (asprintf(&cmd, "mkdir '%s/logs' && zstd -dcq '%s/tests/data/forms/postgresql.log.zst' | "
			"awk -v d='%s/logs' '/^20[0-9][0-9]-/ { if (++c %% 1000 == 0) n++ } "
			"{ f = sprintf(\"%%s/f%%03d.log\", d, n); print > f; if (f != last) { "
			"if (last) close(last); last = f } }' && cd '%s/logs' && "
			"tar czf ../logs.tar.gz $(ls) && ls | wc -l", tmpl, tu_root(), tmpl,
			tmpl) < 0)
		abort();
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "%s: %s", cmd, out);
	ck_assert_int_gt(atoi(out), 50);
	free(out);
	free(cmd);
	char *args;
	if (asprintf(&args, "report -q -j 1 -f json %s/logs", tmpl) < 0)
		abort();
	json_t *want = figures_of(args, 0);
	free(args);
	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		if (asprintf(&args, "report -q -j %u -f json %s/logs.tar.gz", jobs, tmpl) < 0)
			abort();
		json_t *got = figures_of(args, 0);
		ck_assert_msg(json_equal(want, got), "%s differs from the directory", args);
		json_decref(got);
		free(args);
	}
	json_decref(want);
	/* Reverse order: the directory's files and the archive's members. */
	if (asprintf(&cmd, "cd '%s/logs' && ls -r | tr '\\n' ' '", tmpl) < 0)
		abort();
	char *names = tu_run(cmd, &st);
	free(cmd);
	struct strbuf files = STRBUF_INIT, members = STRBUF_INIT;
	for (char *n = strtok(names, " "); n; n = strtok(NULL, " ")) {
		char one[4096];
		int k = snprintf(one, sizeof(one), " %s/logs/%s", tmpl, n);
		sb_append(&files, one, (size_t)k);
		k = snprintf(one, sizeof(one), " %s/logs.tar.gz::%s", tmpl, n);
		sb_append(&members, one, (size_t)k);
	}
	free(names);
	if (asprintf(&args, "report -q -j 1 -f json%s", files.buf) < 0)
		abort();
	want = figures_of(args, 0);
	free(args);
	if (asprintf(&args, "report -q -j 1 -f json%s", members.buf) < 0)
		abort();
	json_t *got = figures_of(args, 0);
	ck_assert_msg(json_equal(want, got), "members in reverse differ from the files");
	json_decref(got);
	json_decref(want);
	free(args);
	sb_release(&files);
	sb_release(&members);
	if (asprintf(&cmd, "rm -rf '%s'", tmpl) < 0)
		abort();
	free(tu_run(cmd, &st));
	free(cmd);
}
END_TEST

/* A torn line: exit 3, the report complete with what was read, the
 * problem named with its line on standard error and in the report. */
START_TEST(test_malformed)
{
	char *path = tu_write_temp(TORN, strlen(TORN));
	struct cli c;
	cli_run(&c, "report -q -f json %s", path);
	ck_assert_int_eq(c.status, 3);
	char *want;
	if (asprintf(&want, "pgsift: %s:3: ", path) < 0)
		abort();
	ck_assert_msg(strstr(c.err, want) != NULL, "'%s'", c.err);
	free(want);
	json_t *r = json_loads(c.out, 0, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "totals"), "queries")), 3);
	json_t *in = json_array_get(json_object_get(r, "inputs"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(in, "skipped")), 1);
	json_t *p = json_array_get(json_object_get(in, "problems"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "line")), 3);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(p, "message")));
	json_decref(r);
	cli_free(&c);

	/* The Markdown report too is written before the exit 3. */
	cli_run(&c, "report -q %s", path);
	ck_assert_int_eq(c.status, 3);
	ck_assert_ptr_nonnull(strstr(c.out, "# pgsift report"));
	cli_free(&c);
	tu_remove(path);
}
END_TEST

/* The same lines, whole, on standard input: exit 0. */
START_TEST(test_stdin)
{
	char *path = tu_write_temp(GOOD, strlen(GOOD));
	struct cli c;
	cli_run(&c, "report -q -f json - < %s", path);
	ck_assert_int_eq(c.status, 0);
	json_t *r = json_loads(c.out, 0, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "totals"), "queries")), 4);
	json_decref(r);
	cli_free(&c);
	tu_remove(path);
}
END_TEST

/* ---- core: the check gate ---- */

static const struct {
	const char *args;
	int status;
	const char *says;       /* on standard error, or NULL */
} gates[] = {
	/* The four lookups are one group of 4 calls. */
	{ "check -q -o /dev/null --fail-on 'calls>3' %s", 1, "pgsift: gate failed: calls>3" },
	{ "check -q -o /dev/null --fail-on 'calls>4' %s", 0, NULL },
	{ "check -q -o /dev/null --fail-on 'max>100ms' %s", 0, NULL },
	{ "check -q -o /dev/null --fail-on 'max>0.1ms' %s", 1, "pgsift: gate failed: max>0.1ms" },
	/* The default gate, severity>=critical, holds on four fast lookups. */
	{ "check -q -o /dev/null %s", 0, NULL },
};

START_TEST(test_gate)
{
	char *path = tu_write_temp(GOOD, strlen(GOOD));
	struct cli c;
	cli_run(&c, gates[_i].args, path);
	ck_assert_msg(c.status == gates[_i].status, "exit %d: %s", c.status, c.err);
	if (gates[_i].says)
		ck_assert_msg(strstr(c.err, gates[_i].says) != NULL, "'%s'", c.err);
	else
		ck_assert_str_eq(c.err, "");
	cli_free(&c);
	tu_remove(path);
}
END_TEST

/* A failed gate on malformed input: the gate's exit 1 wins over 3, since
 * a CI job must fail either way and 1 says why. */
START_TEST(test_gate_on_malformed)
{
	char *path = tu_write_temp(TORN, strlen(TORN));
	struct cli c;
	cli_run(&c, "check -q -o /dev/null --fail-on 'calls>1' %s", path);
	ck_assert_int_eq(c.status, 1);
	cli_free(&c);
	cli_run(&c, "check -q -o /dev/null --fail-on 'calls>3' %s", path);
	ck_assert_int_eq(c.status, 3);
	cli_free(&c);
	tu_remove(path);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *suite_cli(void);
Suite *suite_cli(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_help, 0, N(help_args));
	tcase_add_loop_test(tc, test_version, 0, N(version_args));
	tcase_add_test(tc, test_help_full_stdout);
	tcase_add_test(tc, test_stdin);
	tcase_add_loop_test(tc, test_gate, 0, N(gates));
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_misuse, 0, N(misuse));
	tcase_add_loop_test(tc, test_unreadable, 0, N(unreadable));
	tcase_add_test(tc, test_one_unreadable);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_more_compressions);
	tcase_add_test(tc, test_archive_many);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_gate_on_malformed);
	suite_add_tcase(s, tc);
	return s;
}
