/* cli_int.h: the parts of pgsift's command line, shared by analyzer/cli's
 * files only.
 *
 * main.c dispatches: cli_options.c turns argv into a struct cli_args,
 * cli_check.c adds check's rules and config, cli_outputs.c checks every
 * -o before the analysis and writes the reports after it, cli_progress.c
 * draws the progress bar while it runs, cli_messages.c says on standard
 * error what became of each input, cli_help.c holds the help texts. */
#ifndef PGSIFT_CLI_INT_H
#define PGSIFT_CLI_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"
#include "baseline.h"
#include "gates.h"
#include "report.h"

/* X(id, name, operands, what it does): the commands, in the order
 * --help lists them. */
#define CLI_COMMANDS(X) \
	X(CMD_REPORT, "report", "INPUT...", "analyse inputs, write a report (Markdown by default)") \
	X(CMD_CHECK, "check", "INPUT...", "like report, then exit 1 when a gate fails (for CI)") \
	X(CMD_TUI, "tui", "INPUT...", "analyse inputs (or reopen a JSON report) and browse them") \
	X(CMD_MERGE, "merge", "STATE...", "report on states saved with --save, as one run")

enum cli_command {
#define X(id, name, operands, what) id,
	CLI_COMMANDS(X)
#undef X
	CMD_COUNT
};

/* The command named name, or -1. */
int cli_command_find(const char *name);
const char *cli_command_name(int cmd);

/* A growing NULL-terminated list of option values (borrowed from argv). */
struct strlist {
	const char **v;
	size_t n;
};
void cli_strlist_add(struct strlist *l, const char *s);

#define CLI_MAX_RULES 64

struct check_setup {
	struct gate_rule rules[CLI_MAX_RULES];  /* --fail-on, else the config's */
	size_t nrules;
	const char *config;             /* --config */
	const char *baseline;           /* --baseline, else the config's */
	unsigned baseline_line;         /* the config's line of it, 0: --baseline */
	bool annotations;               /* --annotations, or GITHUB_ACTIONS=true */
	bool top_given;
	struct gates_config cfg;
	struct baseline_params params;
};

/* One -o: its path ("-": standard output) and the writer chosen for it. */
struct cli_output {
	const char *path;
	const char *format;             /* -f given for it, or NULL */
	const char *sticky;             /* the last -f before it, or NULL */
	const struct report_writer *w;
};

#define CLI_MAX_OUTPUTS 16

enum cli_progress_mode { CLI_PROGRESS_AUTO, CLI_PROGRESS_ON, CLI_PROGRESS_OFF };

struct cli_args {
	int cmd;
	struct pgsift_options o;
	struct check_setup cs;
	struct strlist dbs, users, apps, inc, exc;
	struct cli_output outs[CLI_MAX_OUTPUTS];
	size_t nouts;
	const char *format;             /* the last -f */
	bool format_after;              /* a -f came after the last -o */
	bool quiet;
	enum cli_progress_mode progress;
	const char *const *inputs;
	size_t ninputs;
};

/* Reads argv into a (set to defaults first). Returns -1 to go on, else
 * the exit status to return (help printed, or a usage error said). */
int cli_parse(struct cli_args *a, int argc, char **argv);
void cli_args_release(struct cli_args *a);

/* check: its config file and rules (cli_check.c); EXIT_DONE or a status. */
int cli_check_setup(struct cli_args *a);
int cli_add_fail_on(struct check_setup *cs, const char *arg);

/* -o (cli_outputs.c): each output's writer, from its -f, else its
 * extension, else the last -f before it, else Markdown; then each path
 * checked writable. EXIT_DONE or EXIT_USAGE (said). */
int cli_outputs_resolve(struct cli_args *a);
int cli_outputs_check(const struct cli_args *a);
/* Writes every report of a; 0, or -1 when one could not be written
 * (said; the others are still written). */
int cli_outputs_write(struct cli_args *a, const struct analysis *an);

/* The progress bar (cli_progress.c): hooked into a->o when it is wanted
 * (stderr a terminal, or --progress; never with -q or --no-progress). */
struct cli_progress;
struct cli_progress *cli_progress_start(struct cli_args *a, FILE *out);
/* Erases the bar (a terminal) or ends its line; frees p (NULL: nothing). */
void cli_progress_end(struct cli_progress *p);

/* Messages on standard error (cli_messages.c). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_message(const char *path, unsigned long long line, const char *msg);
void cli_input_messages(const struct analysis *an, bool quiet);
void cli_verdict(const struct check_result *c, bool quiet);

/* Help (cli_help.c): all of it (cmd -1) or one command's, on out. */
void cli_help_print(FILE *out, int cmd);
/* `pgsift help [COMMAND]`: the exit status. */
int cli_help_command(int argc, char **argv);
/* Standard output closed after help or the version: EXIT_USAGE when a
 * write failed on the way. */
int cli_close_stdout(void);

#endif
