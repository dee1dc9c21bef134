/* gates.h: `pgsift check`'s gates: a small rule language, its config file
 * and the verdict.
 *
 * The CLI parses rules (--fail-on, or `fail-on =` lines of a config file)
 * with gate_rule_parse(), runs the analysis (and the baseline comparison,
 * baseline.h), then gates_eval() says for each rule whether it holds and
 * on what (the worst group or finding); a rule that holds fails the check.
 * The verdict is stored in the analysis (analysis->check) for the writers,
 * which show it first. Nothing here prints.
 *
 * Rules:  p50|p95|p99|mean|max|total >|>= DURATION   (500ms, 1s, 2min; bare: ms)
 *         calls >|>= N
 *         any of the above & calls >|>= N (only groups with that many calls)
 *         severity >=|>|= info|warning|critical
 *         finding=KIND                  (a finding kind: n_plus_one, ...)
 *         new-fingerprint               (needs a baseline)
 *         regression>N%                 (needs a baseline) */
#ifndef PGSIFT_GATES_H
#define PGSIFT_GATES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "findings.h"

struct analysis;
struct baseline;
struct baseline_diff;
struct group;

#define GATE_RULE_MAX 64        /* bytes of a rule's text kept */
#define GATE_DEFAULT_RULE "severity>=critical"

/* What a rule looks at. The per-group metrics come first, in X order. */
#define GATE_METRIC_LIST(X) \
	X(GM_P50, "p50") X(GM_P95, "p95") X(GM_P99, "p99") X(GM_MEAN, "mean") \
	X(GM_MAX, "max") X(GM_TOTAL, "total") X(GM_CALLS, "calls") \
	X(GM_SEVERITY, "severity") X(GM_FINDING, "finding") \
	X(GM_NEW_FINGERPRINT, "new-fingerprint") X(GM_REGRESSION, "regression")

enum gate_metric {
#define X(id, name) id,
	GATE_METRIC_LIST(X)
#undef X
	GM_COUNT
};

enum gate_op { GOP_GT, GOP_GE, GOP_EQ };

struct gate_rule {
	enum gate_metric metric;
	enum gate_op op;
	double value;                   /* ms, calls, percent */
	enum finding_severity severity; /* GM_SEVERITY */
	enum finding_kind kind;         /* GM_FINDING */
	uint64_t min_calls;             /* per-group rules ("&calls>=N"): groups
					 * with fewer calls are left out; 0: none */
	char text[GATE_RULE_MAX];       /* as written, spaces removed */
};

/* Parses one rule. Returns true, or false with a message in err saying
 * what was expected ("expected a duration like 500ms or 1s after '>'"). */
bool gate_rule_parse(const char *text, struct gate_rule *out, char *err,
		size_t errlen);
/* True for rules that compare with a baseline (new-fingerprint, regression). */
bool gate_rule_needs_baseline(const struct gate_rule *r);

/* The policy read from a config file. Strings belong to the config. */
struct gates_config {
	struct gate_rule *rules;        /* `fail-on = RULE[, RULE...]` */
	size_t nrules;
	char *baseline;                 /* `baseline = PATH`, relative to the file */
	unsigned baseline_line;         /* the file's line that set it */
	char **include, **exclude;      /* NULL-terminated, or NULL */
	size_t ninclude, nexclude;
	unsigned top;                   /* `top = N`, 0: not set */
	double regression_min_ms;       /* `regression-min-ms`, -1: not set */
	double regression_min_total_ms; /* `regression-min-total-ms`, -1: not set */
	long regression_min_calls;      /* `regression-min-calls`, -1: not set */
};

/* Reads a config file of `key = value` lines (# comments). Returns 0, or
 * -1 with "PATH:LINE: message" (or "PATH: reason") in *err, which the
 * caller frees; c is filled either way and released with
 * gates_config_release(). */
int gates_config_load(const char *path, struct gates_config *c, char **err);
void gates_config_release(struct gates_config *c);

/* One rule's verdict. Pointers are borrowed from the analysis. */
struct gate_result {
	struct gate_rule rule;
	bool failed;                    /* the rule holds */
	size_t matches;                 /* groups or findings it holds on */
	size_t known;                   /* findings left out: already in the baseline */
	const struct group *group;      /* the worst group, or NULL */
	const struct finding *finding;  /* the worst finding, or NULL */
	double value;                   /* the worst group's figure (ms, calls, %) */
};

/* The verdict of `check`, and what it compared with. */
struct check_result {
	struct gate_result *results;    /* NULL: not evaluated (a report) */
	size_t n;
	bool failed;                    /* some rule holds */
	bool default_rules;             /* no rule was given */
	struct baseline *baseline;      /* owned, or NULL */
	struct baseline_diff *diff;     /* owned, or NULL */
};

/* A verdict to fill: it takes ownership of baseline and diff (either may
 * be NULL). Free it with check_result_free() before the analysis. */
struct check_result *check_result_new(struct baseline *baseline,
		struct baseline_diff *diff);
/* Evaluates rules[0..n) (n == 0: the default rule) on a finished analysis
 * and c's baseline comparison, filling c->results and c->failed. */
void gates_eval(struct check_result *c, const struct gate_rule *rules,
		size_t n, const struct analysis *a);
/* NULL is a no-op. */
void check_result_free(struct check_result *c);

/* One line on what a rule held on, in plain text ("2 groups; worst: P95
 * 1,234.6 ms, SELECT ..."), written into out (outlen bytes). */
const char *gate_result_describe(const struct gate_result *r, char *out,
		size_t outlen);

/* The verdict as GitHub Actions workflow commands, one a line, to out
 * (the CLI passes standard error when GITHUB_ACTIONS=true or with
 * --annotations): `::error title=...::...` for each failed gate and each
 * critical finding, `::warning ...` for each warning finding (findings
 * the baseline had left out), at most ten of each level as GitHub shows.
 * Nothing when c is not a check. Returns 0, or -1 on a write error. */
int gates_annotate(FILE *out, const struct check_result *c,
		const struct analysis *a);

/* The verdict as JSON: {"failed", "rules": [{"rule", "failed", "matches",
 * "known", "fingerprint", "value"}], "baseline": ...}; a new reference. */
json_t *check_result_json(const struct check_result *c);

#endif
