/* main.c: pgsift's command line. Parses options, runs the analysis, picks
 * the report writer and maps results to exit codes; the only place (with
 * tui/) that talks to the user. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/ioctl.h>
#include <sys/stat.h>

#include "analysis.h"
#include "baseline.h"
#include "exit_status.h"
#include "gates.h"
#include "parser.h"
#include "report.h"
#include "state.h"
#include "strbuf.h"
#include "text_escape.h"
#include "timeutil.h"
#include "tui.h"

static const char usage_text[] =
"usage: pgsift report [OPTIONS] INPUT...   analyse inputs, write a report (Markdown by default)\n"
"       pgsift check  [OPTIONS] INPUT...   like report, then exit 1 when a gate fails (for CI)\n"
"       pgsift tui    [OPTIONS] INPUT...   analyse inputs (or reopen a JSON report) and browse them\n"
"       pgsift merge  [OPTIONS] STATE...   report on states saved with --save, as one run\n"
"       pgsift --help | --version\n"
"\n"
"An INPUT is a file or '-' for standard input, plain, gzip or zstd, or states\n"
"saved with --save (all inputs then are states: they are merged).\n"
"\n"
"Options:\n"
"  -f, --format FMT            report format: md (default), json, text, html\n"
"  -o, --output FILE           write there instead of standard output\n"
"      --prefix 'SPEC'         the server's log_line_prefix, verbatim (default: detected);\n"
"                              an input whose lines it fits is read as a stderr log\n"
"      --input-format FMT      force the input format (the list below; default: detected)\n"
"      --year N                the year of syslog dates, which carry none (default:\n"
"                              a date inside the log, else the file's)\n"
"      --since TIME, --until TIME\n"
"                              only events in this window (ISO 8601, or a time of day\n"
"                              read in the log's own zone on its first day)\n"
"      --db NAME, --user NAME, --app NAME\n"
"                              only these (repeatable)\n"
"      --include RE, --exclude RE\n"
"                              PCRE2 on the normalized query (repeatable, caseless)\n"
"      --top N                 rows per ranking (default 20)\n"
"      --detail-groups N|all   JSON: groups past the N with most time leave out\n"
"                              histogram, timeline and examples (default 5000)\n"
"      --bands W,A,C           P95 limits in ms of the warning, alert and critical\n"
"                              bands (default 100,500,1000)\n"
"      --show-literals         examples keep their literal values (default: masked)\n"
"      --all-kinds             rankings keep maintenance, DDL and one-off bulk loads\n"
"      --n1-min N, --n1-min-ms MS, --n1-gap-ms MS\n"
"                              N+1 loops: repeats (5), a span loop's time (50 ms),\n"
"                              most time between two calls of a log loop (1000 ms)\n"
"      --slow-span-ms MS       a SELECT span this slow or slower is slow (500)\n"
"      --offset-min N, --unbounded-rows N\n"
"                              advice: OFFSET worth flagging (1000); rows of a\n"
"                              SELECT without LIMIT worth flagging (1000)\n"
"  -j, --jobs N                worker threads (default: the number of cores)\n"
"      --save FILE             also write the run's mergeable state to FILE\n"
"                              (for 'pgsift merge'; report, check and merge)\n"
"      --state DIR             read only what was appended to each log since the\n"
"                              last run, keep it in DIR, and report on DIR's runs\n"
"                              (--since/--until choose them: a date, 7d, 24h, 90m)\n"
"  -q, --quiet                 no notes or progress on standard error\n"
"\n"
"check (and --baseline for report):\n"
"      --fail-on RULE          fail (exit 1) when RULE holds (repeatable, or RULE,RULE):\n"
"                              p50|p95|p99|mean|max|total>DURATION (500ms, 1s),\n"
"                              calls>N, severity>=info|warning|critical,\n"
"                              any per-group rule &calls>=N (p95>500ms&calls>=10),\n"
"                              finding=KIND, new-fingerprint, regression>N%\n"
"                              (default: severity>=critical)\n"
"      --config FILE           rules and settings (default: ./.pgsift.conf if present)\n"
"      --baseline FILE         compare with a saved 'pgsift report -f json' by\n"
"                              fingerprint: regressions, new and gone groups\n"
"      --annotations           GitHub Actions annotations on stderr for failed gates\n"
"                              and findings (the default when GITHUB_ACTIONS=true)\n"
"\n"
"Exit status: 0 done; 1 a check gate failed; 2 usage error or no input could be\n"
"read; 3 done, but some input was malformed or truncated (the report says where).\n";

/* The usage, then the input formats as the parser registry has them (one
 * list, so a new parser shows up here by itself). */
static void print_help(FILE *out)
{
	fputs(usage_text, out);
	fputs("\nInput formats (--input-format), detected from the first bytes when not given:\n", out);
	for (size_t i = 0; parser_registry[i]; i++)
		fprintf(out, "  %-13s %s\n", parser_registry[i]->id, parser_registry[i]->name);
}

/* Standard output closed, for --help and --version: a write that failed
 * on the way (a full disk past the first buffer) is an error too. */
static int close_stdout(void)
{
	bool failed = ferror(stdout) != 0;
	if (fclose(stdout) != 0)
		failed = true;
	return failed ? EXIT_USAGE : EXIT_DONE;
}

enum long_only {
	OPT_PREFIX = 256, OPT_INPUT_FORMAT, OPT_SINCE, OPT_UNTIL, OPT_DB, OPT_USER,
	OPT_APP, OPT_INCLUDE, OPT_EXCLUDE, OPT_TOP, OPT_SHOW_LITERALS, OPT_BANDS,
	OPT_YEAR, OPT_ALL_KINDS, OPT_N1_MIN, OPT_N1_MIN_MS, OPT_N1_GAP_MS, OPT_SLOW_SPAN_MS,
	OPT_OFFSET_MIN, OPT_UNBOUNDED_ROWS, OPT_HELP, OPT_VERSION, OPT_FAIL_ON, OPT_CONFIG, OPT_BASELINE,
	OPT_DETAIL_GROUPS, OPT_SAVE, OPT_STATE, OPT_ANNOTATIONS,
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

/* A growing NULL-terminated list of option values (borrowed from argv). */
struct strlist {
	const char **v;
	size_t n;
};

static void strlist_add(struct strlist *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 2) * sizeof(*l->v));
	if (!l->v) {
		fputs("pgsift: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pgsift: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'pgsift --help'.\n", stderr);
	return EXIT_USAGE;
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

/* "pgsift: PATH[:LINE]: MESSAGE" on standard error, a terminal's: what
 * comes from the logs (a file name, a quoted line) shown escaped as in
 * the reports (text_escape.h). */
static void print_message(const char *path, unsigned long long line, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	if (!path)
		path = "-";
	sb_append(&sb, "pgsift: ", 8);
	tesc_append(&sb, path, strlen(path), TESC_SPACE);
	if (line) {
		char num[32];
		sb_append(&sb, num, (size_t)snprintf(num, sizeof(num), ":%llu", line));
	}
	sb_append(&sb, ": ", 2);
	tesc_append(&sb, msg, strlen(msg), TESC_SPACE);
	sb_putc(&sb, '\n');
	fputs(sb.buf, stderr);
	sb_release(&sb);
}

/* Message m of t (report_msgs_build()): as it is, or, when it is said
 * the same way (but for its figures) of more than REPORT_REPEATS_LISTED
 * inputs, once where it first comes: "pgsift: a.log, b.log, c.log and
 * 9,997 more inputs: NOTE". 10,000 inputs of one server would otherwise
 * say 10,000 times which log_line_prefix they have. */
static void print_repeated(const struct analysis *a, const struct report_msgs *t,
		size_t m, struct strbuf *sb)
{
	const struct report_repeat *g = &t->rep[m];
	if (g->count > REPORT_REPEATS_LISTED && g->rank != 0)
		return;
	report_msgs_where(t, a, m, sb);
	print_message(sb->buf, 0, t->texts[m]);
	if (g->count > REPORT_REPEATS_LISTED && t->differs[m])
		fputs("pgsift: (figures of the first; the JSON report has each "
			"input's)\n", stderr);
}

static void print_input_messages(const struct analysis *a, bool quiet)
{
	struct report_msgs notes, problems;
	struct strbuf sb = STRBUF_INIT;
	char msg[128];
	size_t mn = 0, mp = 0;

	if (a->loaded_from)
		return;         /* the saved run's messages: in the report itself */
	report_msgs_build(&notes, a, false);
	report_msgs_build(&problems, a, true);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *r = &a->inputs[i];
		for (; mn < notes.n && notes.input_of[mn] == i; mn++)
			if (!quiet)
				print_repeated(a, &notes, mn, &sb);
		for (; mp < problems.n && problems.input_of[mp] == i; mp++)
			print_repeated(a, &problems, mp, &sb);
		if (r->nproblems > r->nkept) {
			snprintf(msg, sizeof(msg), "%llu more problems not shown",
				(unsigned long long)(r->nproblems - r->nkept));
			print_message(r->path, 0, msg);
		}
		if (r->skipped) {
			snprintf(msg, sizeof(msg), "%llu lines skipped (not log records)",
				(unsigned long long)r->skipped);
			print_message(r->path, 0, msg);
		}
	}
	report_msgs_free(&problems);
	report_msgs_free(&notes);
	sb_release(&sb);
}

/* ---- check: rules, config file, baseline ---- */

#define DEFAULT_CONFIG ".pgsift.conf"
#define MAX_RULES 64

struct check_setup {
	struct gate_rule rules[MAX_RULES];      /* --fail-on, else the config's */
	size_t nrules;
	const char *config;             /* --config */
	const char *baseline;           /* --baseline */
	bool annotations;               /* --annotations, or GITHUB_ACTIONS=true */
	bool top_given;
	struct gates_config cfg;
	struct baseline_params params;
};

/* Adds the rules of one --fail-on (RULE or RULE,RULE...). */
static int add_fail_on(struct check_setup *cs, const char *arg)
{
	char text[256], err[768];
	for (const char *p = arg;; ) {
		size_t n = strcspn(p, ",");
		snprintf(text, sizeof(text), "%.*s", (int)n, p);
		struct gate_rule r;
		if (!gate_rule_parse(text, &r, err, sizeof(err)))
			return usage_error("--fail-on: bad rule '%s': %s", text, err);
		if (cs->nrules == MAX_RULES)
			return usage_error("at most %d --fail-on rules", MAX_RULES);
		cs->rules[cs->nrules++] = r;
		if (!p[n])
			return EXIT_DONE;
		p += n + 1;
	}
}

/* Reads the config file (--config, else ./.pgsift.conf when there is
 * one) and merges it under the command line: --fail-on rules replace the
 * file's, --baseline and --top win, include/exclude patterns add up. */
static int check_config(struct check_setup *cs, struct pgsift_options *o,
		struct strlist *inc, struct strlist *exc, bool quiet)
{
	struct stat st;
	const char *path = cs->config;
	if (!path) {
		if (stat(DEFAULT_CONFIG, &st) != 0)
			return EXIT_DONE;
		path = DEFAULT_CONFIG;
		if (!quiet)
			fprintf(stderr, "pgsift: using %s\n", DEFAULT_CONFIG);
	}
	char *err = NULL;
	if (gates_config_load(path, &cs->cfg, &err) != 0) {
		fprintf(stderr, "pgsift: %s\nTry 'pgsift --help'.\n", err);
		free(err);
		return EXIT_USAGE;
	}
	if (cs->nrules == 0 && cs->cfg.nrules) {
		if (cs->cfg.nrules > MAX_RULES) {
			fprintf(stderr, "pgsift: %s: at most %d fail-on rules\n", path, MAX_RULES);
			return EXIT_USAGE;
		}
		memcpy(cs->rules, cs->cfg.rules, cs->cfg.nrules * sizeof(*cs->rules));
		cs->nrules = cs->cfg.nrules;
	}
	if (!cs->baseline)
		cs->baseline = cs->cfg.baseline;
	for (size_t i = 0; i < cs->cfg.ninclude; i++)
		strlist_add(inc, cs->cfg.include[i]);
	for (size_t i = 0; i < cs->cfg.nexclude; i++)
		strlist_add(exc, cs->cfg.exclude[i]);
	if (!cs->top_given && cs->cfg.top)
		o->top = cs->cfg.top;
	if (cs->cfg.regression_min_ms >= 0)
		cs->params.min_ms = cs->cfg.regression_min_ms;
	if (cs->cfg.regression_min_total_ms >= 0)
		cs->params.min_total_ms = cs->cfg.regression_min_total_ms;
	if (cs->cfg.regression_min_calls >= 0)
		cs->params.min_calls = (uint64_t)cs->cfg.regression_min_calls;
	return EXIT_DONE;
}

/* Checks that the rules can be evaluated and sets the regression
 * threshold: the smallest regression>N% rule, else 25%. */
static int check_rules(struct check_setup *cs)
{
	bool any_regression = false;
	for (size_t i = 0; i < cs->nrules; i++) {
		const struct gate_rule *r = &cs->rules[i];
		if (gate_rule_needs_baseline(r) && !cs->baseline)
			return usage_error("rule '%s' needs --baseline FILE (a report saved "
				"with 'pgsift report -f json -o FILE')", r->text);
		if (r->metric == GM_REGRESSION &&
				(!any_regression || r->value < cs->params.threshold_pct)) {
			cs->params.threshold_pct = r->value;
			any_regression = true;
		}
	}
	return EXIT_DONE;
}

/* Says on standard error which gates failed (always) or that all passed. */
static void print_verdict(const struct check_result *c, bool quiet)
{
	char line[1024];
	for (size_t i = 0; i < c->n; i++) {
		const struct gate_result *r = &c->results[i];
		if (r->failed)
			fprintf(stderr, "pgsift: gate failed: %s: %s\n", r->rule.text,
				gate_result_describe(r, line, sizeof(line)));
	}
	if (c->failed)
		fputs("pgsift: check failed\n", stderr);
	else if (!quiet)
		fprintf(stderr, "pgsift: check passed (%zu gate%s%s)\n", c->n,
			c->n == 1 ? "" : "s", c->default_rules ? ": severity>=critical" : "");
}

/* GitHub gives each step an empty summary file and expects commands to
 * append to it (>>): writing there appends, and the Markdown report's size
 * limit is what is left of GitHub's 1 MiB, however little (GitHub drops a
 * summary past it). Any other -o file is overwritten. */
static const char *output_mode(const char *path, struct pgsift_options *o)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	struct stat st;
	if (!summary || !*summary || strcmp(summary, path) != 0)
		return "w";
	const size_t limit = (size_t)1 << 20;
	size_t used = stat(path, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
	if (used >= limit) {
		fprintf(stderr, "pgsift: %s already holds %zu bytes, GitHub's 1 MiB "
			"or more: the report is left out of it\n", path, used);
		return NULL;
	}
	o->md_max_bytes = limit - used;
	if (used + 4096 > limit)
		fprintf(stderr, "pgsift: %s already holds %zu bytes of GitHub's 1 MiB: "
			"the Markdown report is cut to the %zu left\n", path, used,
			limit - used);
	return "a";
}

static int write_report(const struct report_writer *w, const char *path,
		const struct analysis *a, struct pgsift_options *o)
{
	FILE *out = stdout;
	if (path && strcmp(path, "-") != 0) {
		const char *mode = output_mode(path, o);
		if (!mode)
			return 0;
		out = fopen(path, mode);
		if (!out) {
			fprintf(stderr, "pgsift: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	struct winsize ws;      /* -f text fits the terminal it is written to */
	if (out == stdout && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		o->text_width = ws.ws_col;
	int rc = w->write(out, a, o);
	if (rc == 0 && ferror(out))
		rc = -1;
	if (fclose(out) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "pgsift: writing %s: %s\n", path ? path : "standard output",
			strerror(errno ? errno : EIO));
	return rc;
}

/* SIGINT, SIGTERM, SIGHUP during --save or --state: the temporary files
 * go, then the signal does what it would have done. */
static void on_signal(int sig)
{
	state_temps_remove();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	struct pgsift_options o;
	static struct check_setup cs;   /* static: 64 rules */
	struct baseline *base = NULL;
	struct strlist dbs = { 0 }, users = { 0 }, apps = { 0 }, inc = { 0 }, exc = { 0 };
	const char *format = "md", *output = NULL;
	bool quiet = false;
	int64_t tod;

	options_init(&o);
	baseline_params_init(&cs.params);
	if (argc < 2)
		return usage_error("%s", "no command given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		print_help(stdout);
		return close_stdout();
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("pgsift %s\n", PGSIFT_VERSION);
		return close_stdout();
	}
	if (strcmp(cmd, "report") != 0 && strcmp(cmd, "check") != 0 &&
			strcmp(cmd, "tui") != 0 && strcmp(cmd, "merge") != 0)
		return usage_error("unknown command '%s'", cmd);

	optind = 2;
	argv[0] = (char *)"pgsift";     /* getopt's messages start like ours */
	int c;
	while ((c = getopt_long(argc, argv, "f:o:j:q", long_options, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'j':
			if (!parse_uint(optarg, &o.jobs) || o.jobs == 0)
				return usage_error("--jobs takes a positive number, not '%s'", optarg);
			break;
		case OPT_PREFIX: o.prefix = optarg; break;
		case OPT_INPUT_FORMAT: o.input_format = optarg; break;
		case OPT_SINCE:
			if (relative_time(optarg, &o.since_ms))
				break;
			if (!ts_parse_cli(optarg, &o.since_ms, &tod))
				return usage_error("--since takes an ISO 8601 time or a time of day, not '%s'", optarg);
			if (o.since_ms == TS_NONE)
				o.since_tod = tod;
			break;
		case OPT_UNTIL:
			if (relative_time(optarg, &o.until_ms))
				break;
			if (!ts_parse_cli(optarg, &o.until_ms, &tod))
				return usage_error("--until takes an ISO 8601 time or a time of day, not '%s'", optarg);
			if (o.until_ms == TS_NONE)
				o.until_tod = tod;
			break;
		case OPT_DB: strlist_add(&dbs, optarg); break;
		case OPT_USER: strlist_add(&users, optarg); break;
		case OPT_APP: strlist_add(&apps, optarg); break;
		case OPT_INCLUDE: strlist_add(&inc, optarg); break;
		case OPT_EXCLUDE: strlist_add(&exc, optarg); break;
		case OPT_TOP:
			if (!parse_uint(optarg, &o.top) || o.top == 0)
				return usage_error("--top takes a positive number, not '%s'", optarg);
			cs.top_given = true;
			break;
		case OPT_DETAIL_GROUPS:
			if (strcmp(optarg, "all") == 0)
				o.detail_groups = UINT_MAX;
			else if (!parse_uint(optarg, &o.detail_groups) || o.detail_groups == 0)
				return usage_error("--detail-groups takes a positive number or 'all', not '%s'", optarg);
			break;
		case OPT_FAIL_ON: {
			int rc = add_fail_on(&cs, optarg);
			if (rc != EXIT_DONE)
				return rc;
			break;
		}
		case OPT_CONFIG: cs.config = optarg; break;
		case OPT_BASELINE: cs.baseline = optarg; break;
		case OPT_ANNOTATIONS: cs.annotations = true; break;
		case OPT_SAVE: o.save = optarg; break;
		case OPT_STATE: o.state_dir = optarg; break;
		case OPT_SHOW_LITERALS: o.show_literals = true; break;
		case OPT_ALL_KINDS: o.all_kinds = true; break;
		case OPT_BANDS:
			if (!parse_bands(optarg, o.bands))
				return usage_error("--bands takes three increasing limits in ms like 100,500,1000, not '%s'", optarg);
			break;
		case OPT_N1_MIN:
			if (!parse_uint(optarg, &o.n1_min_repeats) || o.n1_min_repeats < 2)
				return usage_error("--n1-min takes a number of repeats of 2 or more, not '%s'", optarg);
			break;
		case OPT_N1_MIN_MS:
		case OPT_N1_GAP_MS:
		case OPT_SLOW_SPAN_MS:
		case OPT_OFFSET_MIN:
		case OPT_UNBOUNDED_ROWS: {
			char *end;
			double v = strtod(optarg, &end);
			if (end == optarg || *end || !(v > 0))
				return usage_error("--%s takes a positive number, not '%s'",
					option_name(c), optarg);
			if (c == OPT_N1_MIN_MS)
				o.n1_min_loop_ms = v;
			else if (c == OPT_N1_GAP_MS)
				o.n1_max_gap_ms = v;
			else if (c == OPT_SLOW_SPAN_MS)
				o.slow_span_ms = v;
			else if (c == OPT_OFFSET_MIN)
				o.min_offset = v;
			else
				o.unbounded_rows = v;
			break;
		}
		case OPT_YEAR: {
			unsigned y;
			if (!parse_uint(optarg, &y) || y < 1970 || y > 9999)
				return usage_error("--year takes a year like 2024, not '%s'", optarg);
			o.year = (int)y;
			break;
		}
		case OPT_HELP:
			print_help(stdout);
			return close_stdout();
		case OPT_VERSION:
			printf("pgsift %s\n", PGSIFT_VERSION);
			return close_stdout();
		default:
			fputs("Try 'pgsift --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	bool check = strcmp(cmd, "check") == 0;
	if (!check && (cs.nrules || cs.config))
		return usage_error("--%s is for 'pgsift check'", cs.nrules ? "fail-on" : "config");
	if (strcmp(cmd, "tui") == 0 && cs.baseline)
		return usage_error("%s", "--baseline is for 'pgsift check' and 'pgsift report'");
	if (strcmp(cmd, "tui") == 0 && o.save)
		return usage_error("%s", "--save is for 'pgsift report', 'check' and 'merge'");
	if (strcmp(cmd, "merge") == 0 && optind < argc) {
		size_t n = (size_t)(argc - optind);
		if (state_count_inputs((const char *const *)argv + optind, n) != n)
			return usage_error("%s", "'pgsift merge' takes states saved with "
				"'pgsift report --save FILE' (some INPUT is not one)");
	}
	if (check) {
		int rc = check_config(&cs, &o, &inc, &exc, quiet);
		if (rc == EXIT_DONE)
			rc = check_rules(&cs);
		if (rc != EXIT_DONE) {
			gates_config_release(&cs.cfg);
			return rc;
		}
	}
	cs.params.top = o.top;
	o.dbs = dbs.v;
	o.users = users.v;
	o.apps = apps.v;
	o.include = inc.v;
	o.exclude = exc.v;

	if (strcmp(cmd, "tui") == 0) {
		if (optind >= argc)
			return usage_error("%s", "no INPUT given (logs, or a saved JSON report)");
		return tui_run(&o, (const char *const *)argv + optind, (size_t)(argc - optind));
	}
	const struct report_writer *w = report_find(format);
	if (!w)
		return usage_error("unknown --format '%s' (md, json, text or html)", format);
	if (optind >= argc && !o.state_dir)
		return usage_error("%s", "no INPUT given (a file, or '-' for standard input)");
	if (cs.baseline) {
		char *err = NULL;
		base = baseline_load(cs.baseline, &err);
		if (!base) {
			fprintf(stderr, "pgsift: --baseline %s\n", err);
			free(err);
			gates_config_release(&cs.cfg);
			free(dbs.v);
			free(users.v);
			free(apps.v);
			free(inc.v);
			free(exc.v);
			return EXIT_USAGE;
		}
	}

	if (o.save || o.state_dir) {
		const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
		for (size_t i = 0; i < 3; i++)
			if (signal(sigs[i], on_signal) == SIG_IGN)
				signal(sigs[i], SIG_IGN);       /* nohup, a background job */
	}
	struct analysis *a;
	enum analysis_status st = analysis_run(&o, (const char *const *)argv + optind,
		(size_t)(argc - optind), &a);
	int rc = EXIT_DONE;
	if (st == ANALYSIS_BAD_OPTION) {
		rc = usage_error("%s", a->error ? a->error : "bad option");
		goto out;
	}
	print_input_messages(a, quiet);
	if (st == ANALYSIS_SAVE_FAILED) {
		fprintf(stderr, "pgsift: --save: %s\n", a->save_error);
		rc = EXIT_USAGE;
		goto out;
	}
	if (st == ANALYSIS_NO_INPUT) {
		fputs("pgsift: no input could be read\n", stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	if (base || check) {
		struct baseline_diff *diff = base ? baseline_compare(base, a, &o, &cs.params) : NULL;
		a->check = check_result_new(base, diff);
		base = NULL;
		if (check)
			gates_eval(a->check, cs.rules, cs.nrules, a);
	}
	if (write_report(w, output, a, &o) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (st == ANALYSIS_PARTIAL)
		rc = EXIT_MALFORMED;
	if (check) {
		print_verdict(a->check, quiet);
		const char *gha = getenv("GITHUB_ACTIONS");
		if (cs.annotations || (gha && strcmp(gha, "true") == 0))
			gates_annotate(stderr, a->check, a);
		/* A failed gate is what CI must see, malformed input or not. */
		if (a->check->failed)
			rc = EXIT_GATE;
	}
out:
	check_result_free(a->check);
	a->check = NULL;
	analysis_free(a);
	baseline_free(base);
	gates_config_release(&cs.cfg);
	free(dbs.v);
	free(users.v);
	free(apps.v);
	free(inc.v);
	free(exc.v);
	return rc;
}
