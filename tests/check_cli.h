/* check_cli.h: running the pgsift binary from the cli suites
 * (tests/check_cli*.c), its exit status and both streams kept. */
#ifndef PGSIFT_CHECK_CLI_H
#define PGSIFT_CHECK_CLI_H

struct cli {
	int status;
	char *out, *err;
};

/* Runs "pgsift ARGS" in the source tree; %s in args is replaced by path
 * (quoted; NULL: none). Standard input is /dev/null unless args
 * redirects it. cli_run_env() puts env ("NAME=VALUE ...", shell words)
 * before the command. Free with cli_free(). */
void cli_run(struct cli *c, const char *args, const char *path);
void cli_run_env(struct cli *c, const char *env, const char *args, const char *path);
void cli_free(struct cli *c);

/* text with each "@D" replaced by with (caller frees). */
char *cli_subst(const char *text, const char *with);

/* How many lines s has (newlines). */
size_t cli_count_lines(const char *s);

#endif
