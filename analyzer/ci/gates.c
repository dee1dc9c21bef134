/* gates.c: the rule language and the verdict of `pgsift check` (see
 * gates.h). The config file is read in gates_config.c. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "baseline.h"
#include "fingerprint.h"
#include "gates.h"
#include "report.h"
#include "timeutil.h"

#define DESCRIBE_QUERY_CHARS 80

static const char *const metric_names[] = {
#define X(id, name) name,
	GATE_METRIC_LIST(X)
#undef X
};

static const char *const metric_labels[] = {
	[GM_P50] = "P50", [GM_P95] = "P95", [GM_P99] = "P99", [GM_MEAN] = "mean",
	[GM_MAX] = "max", [GM_TOTAL] = "total", [GM_CALLS] = "calls",
};

static bool is_duration_metric(enum gate_metric m)
{
	return m <= GM_TOTAL;
}

bool gate_rule_needs_baseline(const struct gate_rule *r)
{
	return r->metric == GM_NEW_FINGERPRINT || r->metric == GM_REGRESSION;
}

/* ---- parsing ---- */

#define EXPECT_RULE "expected p50, p95, p99, mean, max or total (>DURATION), " \
	"calls>N, severity>=LEVEL, finding=KIND, new-fingerprint or regression>N%"

static bool fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

/* A number without sign ("500", "0.5", "1e3"); *end past it. */
static bool parse_number(const char *s, double *v, const char **end)
{
	char *e;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return false;
	errno = 0;
	*v = strtod(s, &e);
	if (e == s || errno || !isfinite(*v))
		return false;
	*end = e;
	return true;
}

static bool parse_duration(const char *s, double *ms)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", MS_PER_SEC }, { "sec", MS_PER_SEC },
		{ "min", MS_PER_MIN }, { "h", MS_PER_HOUR },
	};
	const char *end;
	double v;
	if (!parse_number(s, &v, &end))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(end, units[i].unit) == 0) {
			*ms = v * units[i].scale;
			return true;
		}
	return false;
}

static void kind_list(char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (int k = 0; k < FK_COUNT && o < outlen; k++) {
		int n = snprintf(out + o, outlen - o, "%s%s", k ? ", " : "",
			finding_kind_name((enum finding_kind)k));
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* "p95>500ms&calls>=10": the rule holds only on groups of 10 calls or
 * more (a one-off seed INSERT is no latency problem). Cuts the condition
 * off buf into out->min_calls. */
static bool split_min_calls(char *buf, struct gate_rule *out, char *err,
		size_t errlen)
{
	char *amp = strchr(buf, '&');
	if (!amp)
		return true;
	*amp = '\0';
	const char *p = amp + 1;
	bool ge = strncmp(p, "calls>=", 7) == 0;
	if (!ge && strncmp(p, "calls>", 6) != 0)
		return fail(err, errlen, "expected calls>=N after '&', as in "
			"p95>500ms&calls>=10");
	p += ge ? 7 : 6;
	double v;
	const char *end;
	if (!*p || strspn(p, "0123456789") != strlen(p) || !parse_number(p, &v, &end) ||
			v >= 1e15)
		return fail(err, errlen, "expected a whole number of calls after "
			"'&calls%s', like p95>500ms&calls>=10", ge ? ">=" : ">");
	out->min_calls = (uint64_t)v + (ge ? 0 : 1);
	size_t idlen = strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789");
	for (int m = GM_P50; m <= GM_CALLS; m++)
		if (strlen(metric_names[m]) == idlen && strncmp(buf, metric_names[m], idlen) == 0)
			return true;
	return fail(err, errlen, "'&calls>=N' is for the rules on groups (p50, p95, "
		"p99, mean, max, total, calls), not '%.*s'", (int)idlen, buf);
}

bool gate_rule_parse(const char *text, struct gate_rule *out, char *err,
		size_t errlen)
{
	char buf[GATE_RULE_MAX];
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	/* Spaces do not matter ("p95 > 500 ms"); case does not either. */
	for (const char *p = text; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (n + 1 >= sizeof(buf))
			return fail(err, errlen, "a rule is at most %d characters",
				GATE_RULE_MAX - 1);
		buf[n++] = (char)tolower((unsigned char)*p);
	}
	buf[n] = '\0';
	if (n == 0)
		return fail(err, errlen, "empty rule: %s", EXPECT_RULE);
	memcpy(out->text, buf, n + 1);
	if (!split_min_calls(buf, out, err, errlen))
		return false;

	size_t idlen = strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789-_");
	int m;
	for (m = 0; m < GM_COUNT; m++)
		if (strlen(metric_names[m]) == idlen &&
				strncmp(buf, metric_names[m], idlen) == 0)
			break;
	if (m == GM_COUNT)
		return fail(err, errlen, "unknown measure '%.*s': %s", (int)idlen,
			buf, EXPECT_RULE);
	out->metric = (enum gate_metric)m;
	const char *p = buf + idlen;
	if (out->metric == GM_NEW_FINGERPRINT) {
		if (*p)
			return fail(err, errlen, "expected nothing after new-fingerprint");
		return true;
	}

	if (p[0] == '>' && p[1] == '=') {
		out->op = GOP_GE;
		p += 2;
	} else if (p[0] == '>') {
		out->op = GOP_GT;
		p++;
	} else if (p[0] == '=' && (out->metric == GM_SEVERITY || out->metric == GM_FINDING)) {
		out->op = GOP_EQ;
		p++;
	} else if (out->metric == GM_FINDING) {
		return fail(err, errlen, "expected '=' after finding, as in finding=n_plus_one");
	} else if (out->metric == GM_SEVERITY) {
		return fail(err, errlen, "expected '>=', '>' or '=' after severity, as in severity>=critical");
	} else {
		return fail(err, errlen, "expected '>' or '>=' after %s", metric_names[m]);
	}
	if (out->metric == GM_FINDING && out->op != GOP_EQ)
		return fail(err, errlen, "expected '=' after finding, as in finding=n_plus_one");

	const char *end;
	switch (out->metric) {
	case GM_CALLS:
		if (!*p || strspn(p, "0123456789") != strlen(p) ||
				!parse_number(p, &out->value, &end))
			return fail(err, errlen, "expected a whole number of calls after "
				"'%s', like calls>10000", out->op == GOP_GE ? ">=" : ">");
		return true;
	case GM_SEVERITY:
		for (int s = FS_INFO; s <= FS_CRITICAL; s++)
			if (strcmp(p, finding_severity_name((enum finding_severity)s)) == 0) {
				out->severity = (enum finding_severity)s;
				return true;
			}
		return fail(err, errlen, "expected info, warning or critical after "
			"the comparison, like severity>=critical");
	case GM_FINDING: {
		out->kind = finding_kind_from_name(p);
		if (out->kind != FK_COUNT)
			return true;
		char kinds[512];
		kind_list(kinds, sizeof(kinds));
		return fail(err, errlen, "expected a finding kind after '=' (%s)", kinds);
	}
	case GM_REGRESSION:
		if (!parse_number(p, &out->value, &end) || strcmp(end, "%") != 0)
			return fail(err, errlen, "expected a percentage after '%s', "
				"like regression>25%%", out->op == GOP_GE ? ">=" : ">");
		return true;
	default:
		break;
	}
	if (!is_duration_metric(out->metric) || !parse_duration(p, &out->value))
		return fail(err, errlen, "expected a duration after '%s', like "
			"%s>500ms, 1s or 2min (a bare number is ms)",
			out->op == GOP_GE ? ">=" : ">", metric_names[m]);
	return true;
}

/* ---- evaluation ---- */

static bool compare(double v, enum gate_op op, double limit)
{
	switch (op) {
	case GOP_GT: return v > limit;
	case GOP_GE: return v >= limit;
	case GOP_EQ: return v == limit;
	}
	return false;
}

/* The figure a rule reads from a group; false when the group has none
 * (latencies of a group logged without durations). */
static bool group_value(const struct group *g, enum gate_metric m, double *v)
{
	if (m != GM_TOTAL && m != GM_CALLS && !g->timed_calls)
		return false;
	switch (m) {
	case GM_P50: *v = group_pct(g, 0.50); return true;
	case GM_P95: *v = group_pct(g, 0.95); return true;
	case GM_P99: *v = group_pct(g, 0.99); return true;
	case GM_MEAN: *v = group_mean(g); return true;
	case GM_MAX: *v = g->max_ms; return true;
	case GM_TOTAL: *v = g->total_ms; return true;
	case GM_CALLS: *v = (double)g->calls; return true;
	default: return false;
	}
}

static void eval_groups(struct gate_result *r, const struct analysis *a)
{
	bool any = false;
	for (size_t i = 0; i < a->ngroups; i++) {
		const struct group *g = a->groups[i];
		double v;
		if (g->calls < r->rule.min_calls || !group_value(g, r->rule.metric, &v))
			continue;
		if (compare(v, r->rule.op, r->rule.value))
			r->matches++;
		if (!any || v > r->value) {
			r->value = v;
			r->group = g;
			any = true;
		}
	}
}

static void eval_findings(struct gate_result *r, const struct analysis *a,
		const struct baseline *b)
{
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		const struct finding *f = findings_at(a->findings, i);
		bool hit = r->rule.metric == GM_FINDING ? f->kind == r->rule.kind :
			compare((double)f->severity, r->rule.op, (double)r->rule.severity);
		if (!hit)
			continue;
		/* A problem the baseline already had is not news. */
		if (b && f->kind != FK_regression && baseline_has_finding(b, f)) {
			r->known++;
			continue;
		}
		if (r->matches++ == 0)
			r->finding = f;         /* the list is sorted: the worst */
	}
}

static void eval_regressions(struct gate_result *r, const struct baseline_diff *d)
{
	for (size_t i = 0; i < d->nregressions; i++) {
		const struct baseline_regression *x = &d->regressions[i];
		double v = -INFINITY;
		if (x->p95_grew && x->p95_pct > v)
			v = x->p95_pct;
		if (x->total_grew && x->total_pct > v)
			v = x->total_pct;
		if (compare(v, r->rule.op, r->rule.value)) {
			if (r->matches++ == 0 || v > r->value) {
				r->value = v;
				r->group = x->group;
			}
		}
	}
}

struct check_result *check_result_new(struct baseline *baseline,
		struct baseline_diff *diff)
{
	struct check_result *c = xcalloc(1, sizeof(*c));
	c->baseline = baseline;
	c->diff = diff;
	return c;
}

void gates_eval(struct check_result *c, const struct gate_rule *rules,
		size_t n, const struct analysis *a)
{
	struct gate_rule def;
	char err[256];
	struct baseline *baseline = c->baseline;
	struct baseline_diff *diff = c->diff;

	free(c->results);
	c->failed = false;
	if (n == 0) {
		if (!gate_rule_parse(GATE_DEFAULT_RULE, &def, err, sizeof(err)))
			abort();
		rules = &def;
		n = 1;
		c->default_rules = true;
	}
	c->results = xcalloc(n, sizeof(*c->results));
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		struct gate_result *r = &c->results[i];
		r->rule = rules[i];
		switch (r->rule.metric) {
		case GM_SEVERITY:
		case GM_FINDING:
			eval_findings(r, a, baseline);
			break;
		case GM_NEW_FINGERPRINT:
			if (diff) {
				r->matches = diff->nadded;
				r->group = diff->nadded ? diff->added[0] : NULL;
			}
			break;
		case GM_REGRESSION:
			if (diff)
				eval_regressions(r, diff);
			break;
		default:
			eval_groups(r, a);
			break;
		}
		r->failed = r->matches > 0;
		if (r->failed)
			c->failed = true;
	}
}

void check_result_free(struct check_result *c)
{
	if (!c)
		return;
	baseline_diff_free(c->diff);
	baseline_free(c->baseline);
	free(c->results);
	free(c);
}

/* ---- describing ---- */

static void put_query(char *out, size_t outlen, size_t *o, const char *q)
{
	size_t chars = 0;
	for (; q && *q && *o + 4 < outlen; q++) {
		unsigned char ch = (unsigned char)*q;
		if ((ch & 0xc0) != 0x80 && chars++ == DESCRIBE_QUERY_CHARS) {
			memcpy(out + *o, "\xe2\x80\xa6", 3);
			*o += 3;
			break;
		}
		out[(*o)++] = ch < 0x20 ? ' ' : (char)ch;
	}
	out[*o] = '\0';
}

const char *gate_result_describe(const struct gate_result *r, char *out,
		size_t outlen)
{
	const struct gate_rule *rule = &r->rule;
	int k = 0;
	size_t o;

	out[0] = '\0';
	switch (rule->metric) {
	case GM_SEVERITY:
	case GM_FINDING:
		k = snprintf(out, outlen, "%zu finding%s", r->matches,
			r->matches == 1 ? "" : "s");
		if (r->known && k >= 0 && (size_t)k < outlen)
			k += snprintf(out + k, outlen - (size_t)k,
				" (%zu more already in the baseline)", r->known);
		if (r->finding && k >= 0 && (size_t)k < outlen)
			k += snprintf(out + k, outlen - (size_t)k, "; first: %s",
				r->finding->title);
		return out;
	case GM_NEW_FINGERPRINT:
		k = snprintf(out, outlen, "%zu group%s not in the baseline",
			r->matches, r->matches == 1 ? "" : "s");
		break;
	case GM_REGRESSION:
		k = snprintf(out, outlen, "%zu group%s regressed", r->matches,
			r->matches == 1 ? "" : "s");
		if (r->group && k >= 0 && (size_t)k < outlen)
			k += snprintf(out + k, outlen - (size_t)k, "; worst +%.0f%%", r->value);
		break;
	default:
		k = snprintf(out, outlen, "%zu group%s", r->matches,
			r->matches == 1 ? "" : "s");
		if (r->group && k >= 0 && (size_t)k < outlen) {
			if (rule->metric == GM_CALLS)
				k += snprintf(out + k, outlen - (size_t)k, "; highest %.0f call%s",
					r->value, r->value == 1 ? "" : "s");
			else
				k += snprintf(out + k, outlen - (size_t)k, "; highest %s %.3f ms",
					metric_labels[rule->metric], r->value);
		}
		break;
	}
	if (r->group && k >= 0 && (size_t)k + 3 < outlen) {
		o = (size_t)k;
		memcpy(out + o, ": ", 3);
		o += 2;
		put_query(out, outlen, &o, r->group->query);
	}
	return out;
}

/* ---- JSON ---- */

json_t *check_result_json(const struct check_result *c)
{
	json_t *o = json_object(), *rules = json_array();
	char hex[17];

	json_object_set_new(o, "failed", json_boolean(c->failed));
	json_object_set_new(o, "default_rules", json_boolean(c->default_rules));
	for (size_t i = 0; i < c->n; i++) {
		const struct gate_result *r = &c->results[i];
		json_t *jr = json_pack("{s:s, s:b, s:I, s:I}", "rule", r->rule.text,
			"failed", r->failed, "matches", (json_int_t)r->matches,
			"known", (json_int_t)r->known);
		uint64_t fp = 0;
		bool has = false;
		if (r->group) {
			fp = r->group->fingerprint;
			has = true;
		} else if (r->finding && r->finding->has_fingerprint) {
			fp = r->finding->fingerprint;
			has = true;
		}
		if (has) {
			fp_format(fp, hex);
			json_object_set_new(jr, "fingerprint", json_string(hex));
		} else {
			json_object_set_new(jr, "fingerprint", json_null());
		}
		json_object_set_new(jr, "value", r->group ? json_real(r->value) : json_null());
		json_array_append_new(rules, jr);
	}
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "baseline", c->baseline && c->diff ?
		baseline_diff_json(c->baseline, c->diff) : json_null());
	return o;
}
