/* plan_testutil.h: the plan bodies of tests/data/plans/ (real auto_explain
 * output; its README says how each file was made), shared by check_plan.c,
 * check_plan_times.c and check_plan_errors.c. Header-only, as the other
 * *_testutil.h (the Makefile links tests/check_*.c and tests/testutil.c
 * only); static inline, so a suite that does not call one of them gets no
 * unused-function warning. */
#ifndef PGSIFT_PLAN_TESTUTIL_H
#define PGSIFT_PLAN_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

/* ---- plan bodies of the saved logs ---- */

static inline char *slurp(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/plans/%s", tu_root(), name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(&sb, buf, n);
	fclose(f);
	*len = sb.len;
	return sb.buf;
}

/* The idx-th plan body of a log, as the ingest hands it over: from a stderr
 * log the lines after a "plan:" line less their leading tab, from a jsonlog
 * the message after "plan:\n". Returns NULL past the last; caller frees. */
static inline char *body(const char *name, int idx)
{
	size_t len;
	char *text = slurp(name, &len);
	struct strbuf out = STRBUF_INIT;
	bool jsonlog = strstr(name, ".json") != NULL, found = false;
	int seen = -1;
	for (char *line = text; line && *line && !found;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (jsonlog) {
			json_t *rec = json_loads(line, 0, NULL);
			const char *msg = json_string_value(json_object_get(rec, "message"));
			const char *b = msg ? strstr(msg, "plan:\n") : NULL;
			if (b && ++seen == idx) {
				sb_append(&out, b + 6, strlen(b + 6));
				found = true;
			}
			json_decref(rec);
		} else if (line[0] != '\t' && strstr(line, " plan:") && ++seen == idx) {
			for (char *l = nl ? nl + 1 : NULL; l && *l == '\t';) {
				char *e = strchr(l, '\n');
				sb_append(&out, l + 1, e ? (size_t)(e - l) : strlen(l + 1));
				l = e ? e + 1 : NULL;
			}
			found = true;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	if (!found) {
		sb_release(&out);
		return NULL;
	}
	/* The last line of a body has no newline, as in the log message. */
	while (out.len && out.buf[out.len - 1] == '\n')
		out.buf[--out.len] = '\0';
	return out.buf ? out.buf : xstrdup("");
}

static inline struct plan *load(const char *name, int idx)
{
	char *b = body(name, idx), err[256] = "";
	ck_assert_msg(b != NULL, "%s has no plan %d", name, idx);
	struct plan *p = plan_parse(b, strlen(b), err, sizeof(err));
	ck_assert_msg(p != NULL, "%s plan %d: %s", name, idx, err);
	free(b);
	return p;
}

static inline int count_plans(const char *name)
{
	int n = 0;
	for (char *b; (b = body(name, n)); n++)
		free(b);
	return n;
}

/* The i-th node in walk order. */
static inline const struct plan_node *nth(const struct plan *p, int i)
{
	const struct plan_node *n = p->root;
	while (n && i-- > 0)
		n = plan_node_next(n);
	ck_assert_msg(n != NULL, "no node %d", i);
	return n;
}

#define ck_str(a, b) ck_assert_msg(((a) == NULL && (b) == NULL) || ((a) && (b) \
	&& strcmp((a), (b)) == 0), "%s: \"%s\" != \"%s\"", #a, (a) ? (a) : "NULL", (b) ? (b) : "NULL")

#endif
