/* main.c: pgsift's command line: which command, then the analysis and
 * what it gives mapped to exit codes; the only place (with tui/) that
 * talks to the user. The parts live beside it (cli_int.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "baseline.h"
#include "cli_int.h"
#include "exit_status.h"
#include "gates.h"
#include "report.h"
#include "state.h"
#include "tui.h"

/* SIGINT, SIGTERM, SIGHUP during --save or --state: the temporary files
 * go, then the signal does what it would have done. */
static void on_signal(int sig)
{
	state_temps_remove();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Someone who typed `pgsift report -` at a prompt sees why nothing
 * happens. */
static void say_waiting(const struct cli_args *a)
{
	if (a->quiet || !isatty(STDIN_FILENO))
		return;
	for (size_t i = 0; i < a->ninputs; i++)
		if (strcmp(a->inputs[i], "-") == 0) {
			fputs("pgsift: reading standard input, a terminal: waiting for "
				"input (^D ends it)\n", stderr);
			return;
		}
}

/* report, check, merge: one analysis, its reports written, the status. */
static int run_report(struct cli_args *a)
{
	struct baseline *base = NULL;
	struct check_setup *cs = &a->cs;
	bool check = a->cmd == CMD_CHECK;

	int rc = cli_outputs_check(a);
	if (rc != EXIT_DONE)
		return rc;
	if (cs->baseline) {
		char *err = NULL;
		base = baseline_load(cs->baseline, &err);
		if (!base) {
			if (cs->baseline_line)
				fprintf(stderr, "pgsift: %s:%u: baseline %s\n", cs->config ?
					cs->config : ".pgsift.conf", cs->baseline_line, err);
			else
				fprintf(stderr, "pgsift: --baseline %s\n", err);
			free(err);
			return EXIT_USAGE;
		}
	}
	if (a->o.save || a->o.state_dir) {
		const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
		for (size_t i = 0; i < 3; i++)
			if (signal(sigs[i], on_signal) == SIG_IGN)
				signal(sigs[i], SIG_IGN);       /* nohup, a background job */
	}
	say_waiting(a);
	struct cli_progress *bar = cli_progress_start(a, stderr);
	struct analysis *an;
	enum analysis_status st = analysis_run(&a->o, a->inputs, a->ninputs, &an);
	cli_progress_end(bar);
	rc = EXIT_DONE;
	if (st == ANALYSIS_BAD_OPTION) {
		rc = cli_usage_error("%s", an->error ? an->error : "bad option");
		goto out;
	}
	cli_input_messages(an, a->quiet);
	if (st == ANALYSIS_SAVE_FAILED) {
		fprintf(stderr, "pgsift: --save: %s\n", an->save_error);
		rc = EXIT_USAGE;
		goto out;
	}
	if (st == ANALYSIS_NO_INPUT) {
		fputs("pgsift: no input could be read\n", stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	if (base || check) {
		struct baseline_diff *diff = base ? baseline_compare(base, an, &a->o, &cs->params) : NULL;
		an->check = check_result_new(base, diff);
		base = NULL;
		if (check)
			gates_eval(an->check, cs->rules, cs->nrules, an);
	}
	if (cli_outputs_write(a, an) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (st == ANALYSIS_PARTIAL)
		rc = EXIT_MALFORMED;
	if (check) {
		cli_verdict(an->check, a->quiet);
		const char *gha = getenv("GITHUB_ACTIONS");
		if (cs->annotations || (gha && strcmp(gha, "true") == 0))
			gates_annotate(stderr, an->check, an);
		/* A failed gate is what CI must see, malformed input or not. */
		if (an->check->failed)
			rc = EXIT_GATE;
	}
out:
	check_result_free(an->check);
	an->check = NULL;
	analysis_free(an);
	baseline_free(base);
	return rc;
}

int main(int argc, char **argv)
{
	static struct cli_args a;       /* static: 64 rules */

	if (argc < 2)
		return cli_usage_error("%s", "no command given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		cli_help_print(stdout, -1);
		return cli_close_stdout();
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("pgsift %s\n", PGSIFT_VERSION);
		return cli_close_stdout();
	}
	if (strcmp(cmd, "help") == 0)
		return cli_help_command(argc, argv);
	if (cli_command_find(cmd) < 0)
		return cli_usage_error("unknown command '%s'", cmd);

	int rc = cli_parse(&a, argc, argv);
	if (rc < 0) {
		if (a.cmd == CMD_TUI) {
			say_waiting(&a);
			rc = tui_run(&a.o, a.inputs, a.ninputs);
		} else {
			rc = run_report(&a);
		}
	}
	cli_args_release(&a);
	return rc;
}
