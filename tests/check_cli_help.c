/* check_cli_help.c: one command's help (`pgsift help COMMAND`,
 * `pgsift COMMAND --help`, `pgsift COMMAND -h`): its usage line, its own
 * options and no other command's, examples, exit 0 with nothing on
 * standard error; `help tui` lists every key of tui/keys.h's list;
 * `help bogus` names it and lists the commands (exit 2); the full --help
 * keeps every option (the man page and the completions are made from
 * it). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_cli.h"
#include "testutil.h"
#include "../tui/keys.h"

static const char *const forms[] = { "help @D", "@D --help", "@D -h" };

static const struct {
	const char *cmd, *operands;
	const char *has[4], *lacks[4];
} cmds[] = {
	{ "report", "INPUT...", { "-o, --output FILE", "--baseline FILE", "--progress", "--since" },
		{ "--fail-on", "--config", "Keys:" } },
	{ "check", "INPUT...", { "--fail-on RULE", "--config FILE", "--baseline FILE", "-o, --output" },
		{ "Keys:" } },
	{ "tui", "INPUT...", { "--since", "--prefix", "Keys:", "--include RE" },
		{ "-o, --output", "--save FILE", "--fail-on", "--baseline" } },
	{ "merge", "STATE...", { "--save FILE", "-o, --output", "--top N" },
		{ "--since", "--prefix", "--db NAME", "Keys:" } },
};

START_TEST(test_command_help)
{
	int cmd = _i / 3;
	char *args, *usage;
	struct cli c;
	args = cli_subst(forms[_i % 3], cmds[cmd].cmd);
	if (asprintf(&usage, "usage: pgsift %s [OPTIONS] %s\n", cmds[cmd].cmd,
				cmds[cmd].operands) < 0)
		abort();
	cli_run(&c, args, NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.err, "");
	ck_assert_msg(strncmp(c.out, usage, strlen(usage)) == 0, "%s: %.200s", args, c.out);
	ck_assert_ptr_nonnull(strstr(c.out, "\nExamples:\n  pgsift "));
	ck_assert_ptr_nonnull(strstr(c.out, "Exit status: 0 done;"));
	for (size_t i = 0; i < 4 && cmds[cmd].has[i]; i++)
		ck_assert_msg(strstr(c.out, cmds[cmd].has[i]) != NULL, "%s lacks %s", args,
			cmds[cmd].has[i]);
	for (size_t i = 0; i < 4 && cmds[cmd].lacks[i]; i++)
		ck_assert_msg(strstr(c.out, cmds[cmd].lacks[i]) == NULL, "%s has %s", args,
			cmds[cmd].lacks[i]);
	cli_free(&c);
	free(args);
	free(usage);
}
END_TEST

/* Every request of the TUI's key list, as its help view shows it. */
START_TEST(test_tui_keys)
{
	struct cli c;
	char line[256];
	cli_run(&c, "help tui", NULL);
	ck_assert_int_eq(c.status, 0);
	const char *keys = strstr(c.out, "\nKeys:\n");
	ck_assert_ptr_nonnull(keys);
#define X(id, k1, k2, shown, help) \
	snprintf(line, sizeof(line), "\n  %-10s %s\n", shown, help); \
	ck_assert_msg(strstr(keys, line) != NULL, "no key line '%s'", line);
	REQ_LIST(X)
#undef X
	cli_free(&c);
}
END_TEST

static const struct {
	const char *args, *says;
} bad[] = {
	{ "help bogus", "pgsift: help: unknown command 'bogus'; the commands: report check tui merge\n" },
	{ "help report tui", "pgsift: 'pgsift help' takes one COMMAND at most\n" },
};

START_TEST(test_bad)
{
	struct cli c;
	cli_run(&c, bad[_i].args, NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.out, "");
	ck_assert_msg(strncmp(c.err, bad[_i].says, strlen(bad[_i].says)) == 0, "%s", c.err);
	cli_free(&c);
}
END_TEST

/* The full help keeps every option, the new ones included, and says how
 * to get one command's. */
START_TEST(test_full)
{
	static const char *const all[] = {
		"-f, --format", "-o, --output", "--prefix", "--input-format", "--year",
		"--since", "--until", "--db", "--user", "--app", "--include", "--exclude",
		"--top", "--detail-groups", "--bands", "--show-literals", "--all-kinds",
		"--n1-min", "--n1-min-ms", "--n1-gap-ms", "--slow-span-ms", "--offset-min",
		"--unbounded-rows", "-j, --jobs", "--save", "--state", "-q, --quiet",
		"--progress, --no-progress", "-h, --help", "--fail-on", "--config",
		"--baseline", "pgsift help [COMMAND]", "'pgsift help COMMAND'",
	};
	struct cli c;
	cli_run(&c, "--help", NULL);
	ck_assert_int_eq(c.status, 0);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ck_assert_msg(strstr(c.out, all[i]) != NULL, "--help lacks %s", all[i]);
	cli_free(&c);
}
END_TEST

Suite *suite_cli_help(void);
Suite *suite_cli_help(void)
{
	Suite *s = suite_create("cli_help");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_command_help, 0, (int)(3 * sizeof(cmds) / sizeof(cmds[0])));
	tcase_add_test(tc, test_tui_keys);
	tcase_add_test(tc, test_full);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	return s;
}
