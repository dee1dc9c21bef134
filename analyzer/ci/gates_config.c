/* gates_config.c: `pgsift check`'s config file (see gates.h).
 *
 *     # .pgsift.conf: the gates of this repository
 *     fail-on = p95>500ms, regression>25%
 *     fail-on = finding=n_plus_one
 *     baseline = ci/pgsift-baseline.json   # relative to this file
 *     include = ^SELECT
 *     top = 20
 *     regression-min-ms = 1
 *     regression-min-total-ms = 1000
 *     regression-min-calls = 10
 *
 * One `key = value` per line; '#' starts a comment (outside a value's
 * quotes, so a pattern may keep a '#' by quoting the value in "..."). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gates.h"
#include "util.h"

#define CONFIG_MAX_LINE 4096

static int config_error(char **err, const char *path, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int config_error(char **err, const char *path, unsigned line,
		const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int rc = line ? asprintf(err, "%s:%u: %s", path, line, msg) :
		asprintf(err, "%s: %s", path, msg);
	if (rc < 0)
		abort();
	return -1;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void list_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/* PATH as written when absolute, else joined to the config file's folder. */
static char *relative_to(const char *config_path, const char *path)
{
	const char *slash = strrchr(config_path, '/');
	if (path[0] == '/' || !slash)
		return xstrdup(path);
	char *out;
	if (asprintf(&out, "%.*s/%s", (int)(slash - config_path), config_path, path) < 0)
		abort();
	return out;
}

static bool parse_ms(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno || !isfinite(*v) || *v < 0)
		return false;
	if (strcmp(end, "ms") == 0 || *end == '\0')
		return true;
	if (strcmp(end, "s") == 0) {
		*v *= 1000;
		return true;
	}
	return false;
}

/* include and exclude are compiled as --include would compile them
 * (pipeline/filter.c), so that a bad one is named with its line here and
 * not later without it. */
static int check_pattern(const char *key, const char *value, const char *path,
		unsigned line, char **err)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED,
		PCRE2_UTF | PCRE2_CASELESS, &code, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(code, msg, sizeof(msg));
	return config_error(err, path, line, "%s: bad pattern '%s' at offset %zu: %s",
		key, value, (size_t)off, (const char *)msg);
}

/* Splits a value at commas into rules. */
static int add_rules(struct gates_config *c, char *value, const char *path,
		unsigned line, char **err)
{
	char msg[768];
	for (char *save = NULL, *tok = strtok_r(value, ",", &save); tok;
			tok = strtok_r(NULL, ",", &save)) {
		struct gate_rule r;
		char *t = trim(tok);
		if (!gate_rule_parse(t, &r, msg, sizeof(msg)))
			return config_error(err, path, line, "bad rule '%s': %s", t, msg);
		c->rules = xrealloc(c->rules, (c->nrules + 1) * sizeof(*c->rules));
		c->rules[c->nrules++] = r;
	}
	return 0;
}

static int set_key(struct gates_config *c, const char *key, char *value,
		const char *path, unsigned line, char **err)
{
	if (strcmp(key, "fail-on") == 0)
		return add_rules(c, value, path, line, err);
	if (strcmp(key, "baseline") == 0) {
		/* Read by the CLI (baseline_load()), which names this line when
		 * it cannot be: baseline_line. */
		free(c->baseline);
		c->baseline = relative_to(path, value);
		c->baseline_line = line;
		return 0;
	}
	if (strcmp(key, "include") == 0 || strcmp(key, "exclude") == 0) {
		if (check_pattern(key, value, path, line, err) != 0)
			return -1;
		if (key[0] == 'i')
			list_add(&c->include, &c->ninclude, value);
		else
			list_add(&c->exclude, &c->nexclude, value);
		return 0;
	}
	if (strcmp(key, "top") == 0 || strcmp(key, "regression-min-calls") == 0) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(value, &end, 10);
		if (errno || end == value || *end || v == 0 || v > 1000000 || value[0] == '-')
			return config_error(err, path, line, "%s takes a positive number, not '%s'",
				key, value);
		if (key[0] == 't')
			c->top = (unsigned)v;
		else
			c->regression_min_calls = (long)v;
		return 0;
	}
	if (strcmp(key, "regression-min-ms") == 0 ||
			strcmp(key, "regression-min-total-ms") == 0) {
		double v;
		if (!parse_ms(value, &v))
			return config_error(err, path, line,
				"%s takes a duration in ms (or with s), not '%s'", key, value);
		if (strcmp(key, "regression-min-ms") == 0)
			c->regression_min_ms = v;
		else
			c->regression_min_total_ms = v;
		return 0;
	}
	return config_error(err, path, line, "unknown key '%s' (fail-on, baseline, "
		"include, exclude, top, regression-min-ms, regression-min-total-ms, "
		"regression-min-calls)", key);
}

/* Cuts a line at its comment and unquotes a "..." value in place. */
static char *value_of(char *v)
{
	v = trim(v);
	if (v[0] == '"') {
		char *close = strchr(v + 1, '"');
		if (close) {
			*close = '\0';
			return v + 1;
		}
	}
	char *hash = strchr(v, '#');
	if (hash)
		*hash = '\0';
	return trim(v);
}

int gates_config_load(const char *path, struct gates_config *c, char **err)
{
	char buf[CONFIG_MAX_LINE];
	unsigned line = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->regression_min_ms = c->regression_min_total_ms = -1;
	c->regression_min_calls = -1;
	*err = NULL;
	FILE *f = fopen(path, "r");
	if (!f)
		return config_error(err, path, 0, "%s", strerror(errno));
	while (rc == 0 && fgets(buf, sizeof(buf), f)) {
		line++;
		size_t n = strlen(buf);
		if (n == sizeof(buf) - 1 && buf[n - 1] != '\n') {
			rc = config_error(err, path, line, "line longer than %d bytes",
				CONFIG_MAX_LINE - 2);
			break;
		}
		char *s = trim(buf);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = config_error(err, path, line, "expected 'key = value', like "
				"'fail-on = p95>500ms'");
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = value_of(eq + 1);
		if (*value == '\0') {
			rc = config_error(err, path, line, "'%s' has no value", key);
			break;
		}
		rc = set_key(c, key, value, path, line, err);
	}
	if (rc == 0 && ferror(f))
		rc = config_error(err, path, line + 1, "read error");
	fclose(f);
	return rc;
}

void gates_config_release(struct gates_config *c)
{
	free(c->rules);
	free(c->baseline);
	for (size_t i = 0; i < c->ninclude; i++)
		free(c->include[i]);
	for (size_t i = 0; i < c->nexclude; i++)
		free(c->exclude[i]);
	free(c->include);
	free(c->exclude);
	memset(c, 0, sizeof(*c));
}
