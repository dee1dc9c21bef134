/* cli_options.c: argv into a struct cli_args: each option's value read
 * and checked, and the checks that need them all (an option given to a
 * command that has no use for it, standard input twice, a window that
 * ends before it starts). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_int.h"
#include "exit_status.h"
#include "parser.h"
#include "state.h"
#include "strbuf.h"
#include "timeutil.h"

enum long_only {
	OPT_PREFIX = 256, OPT_INPUT_FORMAT, OPT_SINCE, OPT_UNTIL, OPT_DB, OPT_USER,
	OPT_APP, OPT_INCLUDE, OPT_EXCLUDE, OPT_TOP, OPT_SHOW_LITERALS, OPT_BANDS,
	OPT_YEAR, OPT_ALL_KINDS, OPT_N1_MIN, OPT_N1_MIN_MS, OPT_N1_GAP_MS, OPT_SLOW_SPAN_MS,
	OPT_OFFSET_MIN, OPT_UNBOUNDED_ROWS, OPT_HELP, OPT_VERSION, OPT_FAIL_ON, OPT_CONFIG, OPT_BASELINE,
	OPT_DETAIL_GROUPS, OPT_SAVE, OPT_STATE, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_ANNOTATIONS,
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "db", required_argument, NULL, OPT_DB },
	{ "user", required_argument, NULL, OPT_USER },
	{ "app", required_argument, NULL, OPT_APP },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "detail-groups", required_argument, NULL, OPT_DETAIL_GROUPS },
	{ "show-literals", no_argument, NULL, OPT_SHOW_LITERALS },
	{ "all-kinds", no_argument, NULL, OPT_ALL_KINDS },
	{ "bands", required_argument, NULL, OPT_BANDS },
	{ "year", required_argument, NULL, OPT_YEAR },
	{ "n1-min", required_argument, NULL, OPT_N1_MIN },
	{ "n1-min-ms", required_argument, NULL, OPT_N1_MIN_MS },
	{ "n1-gap-ms", required_argument, NULL, OPT_N1_GAP_MS },
	{ "slow-span-ms", required_argument, NULL, OPT_SLOW_SPAN_MS },
	{ "offset-min", required_argument, NULL, OPT_OFFSET_MIN },
	{ "unbounded-rows", required_argument, NULL, OPT_UNBOUNDED_ROWS },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "annotations", no_argument, NULL, OPT_ANNOTATIONS },
	{ "save", required_argument, NULL, OPT_SAVE },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* The long name of option val, for messages. */
static const char *option_name(int val)
{
	for (const struct option *o = long_options; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

void cli_strlist_add(struct strlist *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 2) * sizeof(*l->v));
	if (!l->v) {
		fputs("pgsift: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static bool parse_uint(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 1000000 || s[0] == '-')
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_bands(const char *s, double bands[3])
{
	char *end;
	for (int i = 0; i < 3; i++) {
		bands[i] = strtod(s, &end);
		if (end == s || bands[i] < 0 || (i && bands[i] < bands[i - 1]))
			return false;
		if (i < 2) {
			if (*end != ',')
				return false;
			s = end + 1;
		}
	}
	return *end == '\0';
}

/* "7d", "24h", "90m": now minus that many days, hours or minutes. */
static bool relative_time(const char *s, int64_t *ms)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-' || !end[0] || end[1] || n > 1000000)
		return false;
	int64_t unit = end[0] == 'd' ? 86400000 : end[0] == 'h' ? 3600000 :
		end[0] == 'm' ? 60000 : 0;
	if (!unit)
		return false;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	*ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - (int64_t)n * unit;
	return true;
}

/* --since or --until (which names it) into *ms or *tod. */
static int parse_time(int which, const char *arg, int64_t *ms, int64_t *tod)
{
	int64_t t;
	if (relative_time(arg, ms))
		return EXIT_DONE;
	if (!ts_parse_cli(arg, ms, &t))
		return cli_usage_error("--%s takes an ISO 8601 time or a time of day, not '%s'",
			option_name(which), arg);
	if (*ms == TS_NONE)
		*tod = t;
	return EXIT_DONE;
}

/* A threshold option taking a positive number of ms or rows. */
static int parse_threshold(struct pgsift_options *o, int c, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v > 0))
		return cli_usage_error("--%s takes a positive number, not '%s'",
			option_name(c), arg);
	if (c == OPT_N1_MIN_MS)
		o->n1_min_loop_ms = v;
	else if (c == OPT_N1_GAP_MS)
		o->n1_max_gap_ms = v;
	else if (c == OPT_SLOW_SPAN_MS)
		o->slow_span_ms = v;
	else if (c == OPT_OFFSET_MIN)
		o->min_offset = v;
	else
		o->unbounded_rows = v;
	return EXIT_DONE;
}

/* One option c with its optarg: EXIT_DONE, or the status to exit with. */
static int take_option(struct cli_args *a, int c, const char *arg)
{
	struct pgsift_options *o = &a->o;
	switch (c) {
	case 'f':
		a->format = arg;
		a->format_after = true;
		return EXIT_DONE;
	case 'o':
		if (!*arg)
			return cli_usage_error("%s", "-o takes a file name ('-' for standard output)");
		if (a->nouts == CLI_MAX_OUTPUTS)
			return cli_usage_error("at most %d -o outputs", CLI_MAX_OUTPUTS);
		a->outs[a->nouts].path = arg;
		a->outs[a->nouts].format = a->format_after ? a->format : NULL;
		a->outs[a->nouts].sticky = a->format;
		a->nouts++;
		a->format_after = false;
		return EXIT_DONE;
	case 'q': a->quiet = true; return EXIT_DONE;
	case 'j':
		if (!parse_uint(arg, &o->jobs) || o->jobs == 0)
			return cli_usage_error("--jobs takes a positive number, not '%s'", arg);
		return EXIT_DONE;
	case OPT_PREFIX: o->prefix = arg; return EXIT_DONE;
	case OPT_INPUT_FORMAT: o->input_format = arg; return EXIT_DONE;
	case OPT_SINCE: return parse_time(c, arg, &o->since_ms, &o->since_tod);
	case OPT_UNTIL: return parse_time(c, arg, &o->until_ms, &o->until_tod);
	case OPT_DB: cli_strlist_add(&a->dbs, arg); return EXIT_DONE;
	case OPT_USER: cli_strlist_add(&a->users, arg); return EXIT_DONE;
	case OPT_APP: cli_strlist_add(&a->apps, arg); return EXIT_DONE;
	case OPT_INCLUDE: cli_strlist_add(&a->inc, arg); return EXIT_DONE;
	case OPT_EXCLUDE: cli_strlist_add(&a->exc, arg); return EXIT_DONE;
	case OPT_TOP:
		if (!parse_uint(arg, &o->top) || o->top == 0)
			return cli_usage_error("--top takes a positive number, not '%s'", arg);
		a->cs.top_given = true;
		return EXIT_DONE;
	case OPT_DETAIL_GROUPS:
		if (strcmp(arg, "all") == 0)
			o->detail_groups = UINT_MAX;
		else if (!parse_uint(arg, &o->detail_groups) || o->detail_groups == 0)
			return cli_usage_error("--detail-groups takes a positive number or 'all', not '%s'", arg);
		return EXIT_DONE;
	case OPT_FAIL_ON: return cli_add_fail_on(&a->cs, arg);
	case OPT_CONFIG: a->cs.config = arg; return EXIT_DONE;
	case OPT_BASELINE: a->cs.baseline = arg; return EXIT_DONE;
	case OPT_ANNOTATIONS: a->cs.annotations = true; return EXIT_DONE;
	case OPT_SAVE: o->save = arg; return EXIT_DONE;
	case OPT_STATE: o->state_dir = arg; return EXIT_DONE;
	case OPT_SHOW_LITERALS: o->show_literals = true; return EXIT_DONE;
	case OPT_ALL_KINDS: o->all_kinds = true; return EXIT_DONE;
	case OPT_PROGRESS: a->progress = CLI_PROGRESS_ON; return EXIT_DONE;
	case OPT_NO_PROGRESS: a->progress = CLI_PROGRESS_OFF; return EXIT_DONE;
	case OPT_BANDS:
		if (!parse_bands(arg, o->bands))
			return cli_usage_error("--bands takes three increasing limits in ms like 100,500,1000, not '%s'", arg);
		return EXIT_DONE;
	case OPT_N1_MIN:
		if (!parse_uint(arg, &o->n1_min_repeats) || o->n1_min_repeats < 2)
			return cli_usage_error("--n1-min takes a number of repeats of 2 or more, not '%s'", arg);
		return EXIT_DONE;
	case OPT_N1_MIN_MS:
	case OPT_N1_GAP_MS:
	case OPT_SLOW_SPAN_MS:
	case OPT_OFFSET_MIN:
	case OPT_UNBOUNDED_ROWS:
		return parse_threshold(o, c, arg);
	case OPT_YEAR: {
		unsigned y;
		if (!parse_uint(arg, &y) || y < 1970 || y > 9999)
			return cli_usage_error("--year takes a year like 2024, not '%s'", arg);
		o->year = (int)y;
		return EXIT_DONE;
	}
	default:
		fputs("Try 'pgsift --help'.\n", stderr);
		return EXIT_USAGE;
	}
}

/* "unknown input format 'x'; one of: a, b, c" from the parser registry. */
static int bad_input_format(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; parser_registry[i]; i++) {
		if (i)
			sb_append(&sb, ", ", 2);
		sb_append(&sb, parser_registry[i]->id, strlen(parser_registry[i]->id));
	}
	int rc = cli_usage_error("unknown input format '%s' (--input-format); one of: %s",
		name, sb.buf);
	sb_release(&sb);
	return rc;
}

/* The checks that need every option and the inputs. */
static int check_args(struct cli_args *a)
{
	const struct pgsift_options *o = &a->o;
	if (a->cmd != CMD_CHECK && (a->cs.nrules || a->cs.config))
		return cli_usage_error("--%s is for 'pgsift check'",
			a->cs.nrules ? "fail-on" : "config");
	if (a->cmd == CMD_TUI && a->cs.baseline)
		return cli_usage_error("%s", "--baseline is for 'pgsift check' and 'pgsift report'");
	if (a->cmd == CMD_TUI && o->save)
		return cli_usage_error("%s", "--save is for 'pgsift report', 'check' and 'merge'");
	if (a->cmd == CMD_TUI && a->nouts)
		return cli_usage_error("%s", "-o is for 'pgsift report', 'check' and 'merge'");
	if (o->input_format && !parser_find(o->input_format))
		return bad_input_format(o->input_format);
	if (o->since_ms != TS_NONE && o->until_ms != TS_NONE && o->since_ms > o->until_ms)
		return cli_usage_error("--since is later than --until: the window "
			"would hold nothing");
	if (o->since_tod >= 0 && o->until_tod >= 0 && o->since_tod > o->until_tod)
		return cli_usage_error("--since is later than --until (times of one "
			"day): the window would hold nothing");
	size_t nstdin = 0;
	for (size_t i = 0; i < a->ninputs; i++)
		nstdin += strcmp(a->inputs[i], "-") == 0;
	if (nstdin > 1)
		return cli_usage_error("standard input ('-') is given %zu times: it "
			"can be read once", nstdin);
	if (a->cmd == CMD_MERGE && a->ninputs &&
			state_count_inputs(a->inputs, a->ninputs) != a->ninputs)
		return cli_usage_error("%s", "'pgsift merge' takes states saved with "
			"'pgsift report --save FILE' (some INPUT is not one)");
	if (a->ninputs == 0 && a->cmd == CMD_TUI)
		return cli_usage_error("%s", "no INPUT given (logs, or a saved JSON report)");
	if (a->ninputs == 0 && !o->state_dir)
		return cli_usage_error("%s", "no INPUT given (a file, or '-' for standard input)");
	return EXIT_DONE;
}

int cli_parse(struct cli_args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	options_init(&a->o);
	baseline_params_init(&a->cs.params);
	a->cmd = cli_command_find(argv[1]);
	optind = 2;
	argv[0] = (char *)"pgsift";     /* getopt's messages start like ours */
	int c;
	while ((c = getopt_long(argc, argv, "f:o:j:qh", long_options, NULL)) != -1) {
		int rc;
		if (c == OPT_HELP || c == 'h') {
			cli_help_print(stdout, a->cmd);
			return cli_close_stdout();
		}
		if (c == OPT_VERSION) {
			printf("pgsift %s\n", PGSIFT_VERSION);
			return cli_close_stdout();
		}
		if ((rc = take_option(a, c, optarg)) != EXIT_DONE)
			return rc;
	}
	a->inputs = (const char *const *)argv + optind;
	a->ninputs = (size_t)(argc - optind);
	int rc = check_args(a);
	if (rc == EXIT_DONE && a->cmd != CMD_TUI)
		rc = cli_outputs_resolve(a);
	if (rc == EXIT_DONE && a->cmd == CMD_CHECK)
		rc = cli_check_setup(a);
	if (rc != EXIT_DONE)
		return rc;
	a->cs.params.top = a->o.top;
	a->o.dbs = a->dbs.v;
	a->o.users = a->users.v;
	a->o.apps = a->apps.v;
	a->o.include = a->inc.v;
	a->o.exclude = a->exc.v;
	return -1;
}

void cli_args_release(struct cli_args *a)
{
	gates_config_release(&a->cs.cfg);
	free(a->dbs.v);
	free(a->users.v);
	free(a->apps.v);
	free(a->inc.v);
	free(a->exc.v);
}
