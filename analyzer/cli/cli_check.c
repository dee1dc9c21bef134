/* cli_check.c: `pgsift check`'s rules (--fail-on), its config file and
 * how the two are merged before the analysis runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli_int.h"
#include "exit_status.h"

#define DEFAULT_CONFIG ".pgsift.conf"

/* Adds the rules of one --fail-on (RULE or RULE,RULE...). */
int cli_add_fail_on(struct check_setup *cs, const char *arg)
{
	char text[256], err[768];
	for (const char *p = arg;; ) {
		size_t n = strcspn(p, ",");
		snprintf(text, sizeof(text), "%.*s", (int)n, p);
		struct gate_rule r;
		if (!gate_rule_parse(text, &r, err, sizeof(err)))
			return cli_usage_error("--fail-on: bad rule '%s': %s", text, err);
		if (cs->nrules == CLI_MAX_RULES)
			return cli_usage_error("at most %d --fail-on rules", CLI_MAX_RULES);
		cs->rules[cs->nrules++] = r;
		if (!p[n])
			return EXIT_DONE;
		p += n + 1;
	}
}

/* Reads the config file (--config, else ./.pgsift.conf when there is
 * one) and merges it under the command line: --fail-on rules replace the
 * file's, --baseline and --top win, include/exclude patterns add up. */
static int check_config(struct cli_args *a)
{
	struct check_setup *cs = &a->cs;
	struct stat st;
	const char *path = cs->config;
	if (!path) {
		if (stat(DEFAULT_CONFIG, &st) != 0)
			return EXIT_DONE;
		path = DEFAULT_CONFIG;
		if (!a->quiet)
			fprintf(stderr, "pgsift: using %s\n", DEFAULT_CONFIG);
	}
	char *err = NULL;
	if (gates_config_load(path, &cs->cfg, &err) != 0) {
		fprintf(stderr, "pgsift: %s\nTry 'pgsift --help'.\n", err);
		free(err);
		return EXIT_USAGE;
	}
	if (cs->nrules == 0 && cs->cfg.nrules) {
		if (cs->cfg.nrules > CLI_MAX_RULES) {
			fprintf(stderr, "pgsift: %s: at most %d fail-on rules\n", path,
				CLI_MAX_RULES);
			return EXIT_USAGE;
		}
		memcpy(cs->rules, cs->cfg.rules, cs->cfg.nrules * sizeof(*cs->rules));
		cs->nrules = cs->cfg.nrules;
	}
	if (!cs->baseline && cs->cfg.baseline) {
		cs->baseline = cs->cfg.baseline;
		cs->baseline_line = cs->cfg.baseline_line;
	}
	for (size_t i = 0; i < cs->cfg.ninclude; i++)
		cli_strlist_add(&a->inc, cs->cfg.include[i]);
	for (size_t i = 0; i < cs->cfg.nexclude; i++)
		cli_strlist_add(&a->exc, cs->cfg.exclude[i]);
	if (!cs->top_given && cs->cfg.top)
		a->o.top = cs->cfg.top;
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
			return cli_usage_error("rule '%s' needs --baseline FILE (a report saved "
				"with 'pgsift report -f json -o FILE')", r->text);
		if (r->metric == GM_REGRESSION &&
				(!any_regression || r->value < cs->params.threshold_pct)) {
			cs->params.threshold_pct = r->value;
			any_regression = true;
		}
	}
	return EXIT_DONE;
}

int cli_check_setup(struct cli_args *a)
{
	int rc = check_config(a);
	if (rc == EXIT_DONE)
		rc = check_rules(&a->cs);
	return rc;
}
