/* cli_help.c: pgsift's help: all of it (--help), or one command's
 * (`pgsift help COMMAND`, `COMMAND --help`, `COMMAND -h`): its usage
 * line, the options it takes, examples, and for tui the keys, generated
 * from tui/keys.h's list as the TUI's own help view is. Every option is
 * written once, in opts[], with the commands that take it. */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "exit_status.h"
#include "parser.h"
#include "../../tui/keys.h"

enum {
	R = 1 << CMD_REPORT, C = 1 << CMD_CHECK, T = 1 << CMD_TUI, M = 1 << CMD_MERGE,
	READ = R | C | T,               /* options that read logs */
	OUT = R | C | M,                /* options of written reports */
	ALL = R | C | T | M,
};

static const struct command_info {
	const char *name, *operands, *what;
} commands[CMD_COUNT] = {
#define X(id, name, operands, what) [id] = { name, operands, what },
	CLI_COMMANDS(X)
#undef X
};

int cli_command_find(const char *name)
{
	for (int i = 0; i < CMD_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return i;
	return -1;
}

const char *cli_command_name(int cmd)
{
	return cmd >= 0 && cmd < CMD_COUNT ? commands[cmd].name : "?";
}

/* An option's lines of help, and the commands that take it; section
 * starts a heading before it (in the full help). */
static const struct {
	unsigned cmds;
	const char *section;
	const char *text;
} opts[] = {
	{ OUT, "Options:\n",
"  -f, --format FMT            report format: md (default), json, text, html\n" },
	{ OUT, NULL,
"  -o, --output FILE           write there instead of standard output; repeat it\n"
"                              for several reports of one analysis, each in the\n"
"                              format of the -f given just before it, else of its\n"
"                              name (.md .markdown .json .html .htm .txt .text),\n"
"                              else of an earlier -f, else md. Each FILE is checked\n"
"                              writable before the analysis starts\n" },
	{ READ, NULL,
"      --prefix 'SPEC'         the server's log_line_prefix, verbatim (default: detected);\n"
"                              an input whose lines it fits is read as a stderr log\n" },
	{ READ, NULL,
"      --input-format FMT      force the input format (the list below; default: detected)\n" },
	{ READ, NULL,
"      --year N                the year of syslog dates, which carry none (default:\n"
"                              a date inside the log, else the file's)\n" },
	{ R | C | T, NULL,
"      --since TIME, --until TIME\n"
"                              only events in this window (ISO 8601, or a time of day\n"
"                              read in the log's own zone on its first day)\n" },
	{ READ, NULL,
"      --db NAME, --user NAME, --app NAME\n"
"                              only these (repeatable)\n" },
	{ READ, NULL,
"      --include RE, --exclude RE\n"
"                              PCRE2 on the normalized query (repeatable, caseless)\n" },
	{ ALL, NULL,
"      --top N                 rows per ranking (default 20)\n" },
	{ OUT, NULL,
"      --detail-groups N|all   JSON: groups past the N with most time leave out\n"
"                              histogram, timeline and examples (default 5000)\n" },
	{ ALL, NULL,
"      --bands W,A,C           P95 limits in ms of the warning, alert and critical\n"
"                              bands (default 100,500,1000)\n" },
	{ ALL, NULL,
"      --show-literals         examples keep their literal values (default: masked)\n" },
	{ ALL, NULL,
"      --all-kinds             rankings keep maintenance, DDL and one-off bulk loads\n" },
	{ ALL, NULL,
"      --n1-min N, --n1-min-ms MS, --n1-gap-ms MS\n"
"                              N+1 loops: repeats (5), a span loop's time (50 ms),\n"
"                              most time between two calls of a log loop (1000 ms)\n" },
	{ ALL, NULL,
"      --slow-span-ms MS       a SELECT span this slow or slower is slow (500)\n" },
	{ ALL, NULL,
"      --offset-min N, --unbounded-rows N\n"
"                              advice: OFFSET worth flagging (1000); rows of a\n"
"                              SELECT without LIMIT worth flagging (1000)\n" },
	{ ALL, NULL,
"  -j, --jobs N                worker threads (default: the number of cores)\n" },
	{ OUT, NULL,
"      --save FILE             also write the run's mergeable state to FILE\n"
"                              (for 'pgsift merge'; report, check and merge)\n" },
	{ R | C, NULL,
"      --state DIR             read only what was appended to each log since the\n"
"                              last run, keep it in DIR, and report on DIR's runs\n"
"                              (--since/--until choose them: a date, 7d, 24h, 90m)\n" },
	{ ALL, NULL,
"  -q, --quiet                 no notes or progress on standard error\n" },
	{ OUT, NULL,
"      --progress, --no-progress\n"
"                              a progress bar on standard error (bytes read, MB/s,\n"
"                              time left): by default when it is a terminal and\n"
"                              the inputs are large or the run lasts over a second\n" },
	{ ALL, NULL,
"  -h, --help                  this help (after a command: that command's)\n" },
	{ C, "\ncheck (and --baseline for report):\n",
"      --fail-on RULE          fail (exit 1) when RULE holds (repeatable, or RULE,RULE):\n"
"                              p50|p95|p99|mean|max|total>DURATION (500ms, 1s),\n"
"                              calls>N, severity>=info|warning|critical,\n"
"                              any per-group rule &calls>=N (p95>500ms&calls>=10),\n"
"                              finding=KIND, new-fingerprint, regression>N%\n"
"                              (default: severity>=critical)\n" },
	{ C, NULL,
"      --config FILE           rules and settings (default: ./.pgsift.conf if present)\n" },
	{ C, NULL,
"      --annotations           GitHub Actions annotations on stderr for failed gates\n"
"                              and findings (the default when GITHUB_ACTIONS=true)\n" },
	{ OUT, NULL,
"      --baseline FILE         compare with a saved 'pgsift report -f json' by\n"
"                              fingerprint: regressions, new and gone groups\n" },
};

static const char inputs_text[] =
"An INPUT is a file or '-' for standard input, plain, gzip or zstd, or states\n"
"saved with --save (all inputs then are states: they are merged).\n";

static const char exit_text[] =
"Exit status: 0 done; 1 a check gate failed; 2 usage error or no input could be\n"
"read; 3 done, but some input was malformed or truncated (the report says where).\n";

static const char *const examples[CMD_COUNT] = {
	[CMD_REPORT] =
"  pgsift report postgresql.log                  Markdown on standard output\n"
"  pgsift report -o run.md -o run.json -o run.html logs/\n"
"                                                three reports of one analysis\n"
"  pgsift report -f text --since 14:00 --db shop postgresql.log.gz\n",
	[CMD_CHECK] =
"  pgsift check --fail-on 'p95>500ms' --fail-on finding=n_plus_one test.log\n"
"  pgsift check --baseline ci/base.json --fail-on 'regression>25%' \\\n"
"      -o \"$GITHUB_STEP_SUMMARY\" -o run.json test.log\n",
	[CMD_TUI] =
"  pgsift tui postgresql.log\n"
"  pgsift tui run.json                           reopen a saved JSON report\n",
	[CMD_MERGE] =
"  pgsift report --save mon.state -o mon.md mon.log\n"
"  pgsift merge -o week.md --save week.state mon.state tue.state\n",
};

/* The TUI's keys, from the one list its help view is made from. */
static void print_keys(FILE *out)
{
	fputs("\nKeys:\n", out);
#define X(id, k1, k2, shown, help) fprintf(out, "  %-10s %s\n", shown, help);
	REQ_LIST(X)
#undef X
}

static void print_formats(FILE *out)
{
	fputs("\nInput formats (--input-format), detected from the first bytes when not given:\n", out);
	for (size_t i = 0; parser_registry[i]; i++)
		fprintf(out, "  %-13s %s\n", parser_registry[i]->id, parser_registry[i]->name);
}

void cli_help_print(FILE *out, int cmd)
{
	if (cmd < 0) {
		for (int i = 0; i < CMD_COUNT; i++)
			fprintf(out, "%s pgsift %-6s [OPTIONS] %-10s %s\n", i ? "      " : "usage:",
				commands[i].name, commands[i].operands, commands[i].what);
		fputs("       pgsift help [COMMAND] | --help | --version\n\n", out);
	} else {
		fprintf(out, "usage: pgsift %s [OPTIONS] %s\n\n%c%s.\n\n", commands[cmd].name,
			commands[cmd].operands, commands[cmd].what[0] - 'a' + 'A',
			commands[cmd].what + 1);
	}
	fputs(inputs_text, out);
	fputc('\n', out);
	bool started = false;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (cmd >= 0 && !(opts[i].cmds & (1u << cmd)))
			continue;
		if (!started)
			fputs("Options:\n", out);
		else if (opts[i].section && strcmp(opts[i].section, "Options:\n") != 0)
			fputs(opts[i].section, out);
		started = true;
		fputs(opts[i].text, out);
	}
	if (cmd >= 0) {
		fputs("\nExamples:\n", out);
		fputs(examples[cmd], out);
	}
	if (cmd == CMD_TUI)
		print_keys(out);
	fputc('\n', out);
	fputs(exit_text, out);
	if (cmd != CMD_MERGE)
		print_formats(out);
	if (cmd < 0)
		fputs("\n'pgsift help COMMAND' or 'pgsift COMMAND --help': one command's "
			"help.\n", out);
}

int cli_close_stdout(void)
{
	bool failed = ferror(stdout) != 0;
	if (fclose(stdout) != 0)
		failed = true;
	return failed ? EXIT_USAGE : EXIT_DONE;
}

int cli_help_command(int argc, char **argv)
{
	if (argc > 3)
		return cli_usage_error("%s", "'pgsift help' takes one COMMAND at most");
	int cmd = -1;
	if (argc == 3) {
		cmd = cli_command_find(argv[2]);
		if (cmd < 0) {
			fprintf(stderr, "pgsift: help: unknown command '%s'; the commands:",
				argv[2]);
			for (int i = 0; i < CMD_COUNT; i++)
				fprintf(stderr, " %s", commands[i].name);
			fputs("\nTry 'pgsift --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	cli_help_print(stdout, cmd);
	return cli_close_stdout();
}
