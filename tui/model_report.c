/* model_report.c: a pgsift JSON report as the TUI's model: detection,
 * loading (saved file or fresh analysis) and column extraction. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "exit_status.h"
#include "fingerprint.h"
#include "input.h"
#include "model.h"
#include "sketch_hist.h"
#include "report.h"
#include "sketch.h"
#include "timeutil.h"
#include "util.h"

bool tui_is_report(const json_t *root)
{
	if (!json_is_object(root))
		return false;
	const json_t *schema = json_object_get(root, "schema");
	const json_t *tool = json_object_get(root, "tool");
	const char *name = json_string_value(json_object_get(tool, "name"));
	return json_is_integer(schema) && json_integer_value(schema) == 1 &&
		name && strcmp(name, "pgsift") == 0;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int sev_rank(const char *s)
{
	if (!s)
		return 0;
	return strcmp(s, "critical") == 0 ? 2 : strcmp(s, "warning") == 0 ? 1 : 0;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct tui_finding *a = pa, *b = pb;
	if (a->rank != b->rank)
		return b->rank - a->rank;
	double ia = isfinite(a->impact) ? a->impact : 0, ib = isfinite(b->impact) ? b->impact : 0;
	return ia < ib ? 1 : ia > ib ? -1 : 0;
}

/* Fingerprint lookup: an index of groups sorted by fingerprint, kept in a
 * static table per report would need state; a binary search over a copy
 * sorted once is enough, so it lives in the report. */
struct fp_index {
	const char *fp;
	size_t gi;
};

static int cmp_fp(const void *pa, const void *pb)
{
	return strcmp(((const struct fp_index *)pa)->fp, ((const struct fp_index *)pb)->fp);
}

/* The fingerprint index is kept after the findings array: allocated with
 * the report and freed with it. */
struct tui_report_priv {
	struct tui_report pub;
	struct fp_index *byfp;
	size_t nbyfp;
};

long tui_report_group_by_fp(const struct tui_report *r, const char *fp)
{
	const struct tui_report_priv *p = (const struct tui_report_priv *)r;
	if (!fp || !p->nbyfp)
		return -1;
	struct fp_index key = { .fp = fp };
	const struct fp_index *hit = bsearch(&key, p->byfp, p->nbyfp, sizeof(key), cmp_fp);
	return hit ? (long)hit->gi : -1;
}

struct tui_report *tui_report_new(json_t *root, const char *origin, char *err, size_t errlen)
{
	if (!tui_is_report(root)) {
		snprintf(err, errlen, "not a pgsift JSON report (needs \"schema\": 1 and tool pgsift)");
		json_decref(root);
		return NULL;
	}
	struct tui_report_priv *p = xcalloc(1, sizeof(*p));
	struct tui_report *r = &p->pub;
	r->root = root;
	r->origin = xstrdup(origin ? origin : "report");
	r->win_start = r->win_end = TS_NONE;

	const json_t *win = json_object_get(root, "window");
	tt_parse_ts(str(win, "start"), &r->win_start);
	tt_parse_ts(str(win, "end"), &r->win_end);
	const json_t *tot = json_object_get(root, "totals");
	r->total_ms = num(tot, "total_ms");
	r->queries = num(tot, "queries");

	json_t *groups = json_object_get(root, "groups");
	size_t ng = json_is_array(groups) ? json_array_size(groups) : 0;
	r->groups = xcalloc(ng ? ng : 1, sizeof(*r->groups));
	p->byfp = xcalloc(ng ? ng : 1, sizeof(*p->byfp));
	for (size_t i = 0; i < ng; i++) {
		json_t *g = json_array_get(groups, i);
		if (!json_is_object(g))
			continue;
		struct tui_group *tg = &r->groups[r->ngroups];
		tg->obj = g;
		tg->fingerprint = str(g, "fingerprint");
		tg->query = str(g, "query");
		if (!tg->query)
			tg->query = "";
		tg->line = tt_sanitize(tg->query, true);
		tg->calls = num(g, "calls");
		tg->total = num(g, "total_ms");
		tg->mean = num(g, "mean_ms");
		tg->p50 = num(g, "p50_ms");
		tg->p95 = num(g, "p95_ms");
		tg->p99 = num(g, "p99_ms");
		tg->min = num(g, "min_ms");
		tg->max = num(g, "max_ms");
		tg->first_ms = tg->last_ms = TS_NONE;
		tt_parse_ts(str(g, "first_seen"), &tg->first_ms);
		tt_parse_ts(str(g, "last_seen"), &tg->last_ms);
		if (tg->fingerprint)
			p->byfp[p->nbyfp++] = (struct fp_index){ tg->fingerprint, r->ngroups };
		r->ngroups++;
	}
	qsort(p->byfp, p->nbyfp, sizeof(*p->byfp), cmp_fp);

	json_t *fs = json_object_get(root, "findings");
	size_t nf = json_is_array(fs) ? json_array_size(fs) : 0;
	r->findings = xcalloc(nf ? nf : 1, sizeof(*r->findings));
	for (size_t i = 0; i < nf; i++) {
		json_t *f = json_array_get(fs, i);
		if (!json_is_object(f))
			continue;
		struct tui_finding *tf = &r->findings[r->nfindings++];
		tf->obj = f;
		tf->kind = str(f, "kind");
		tf->severity = str(f, "severity");
		tf->title = str(f, "title");
		tf->fingerprint = str(f, "fingerprint");
		tf->table = str(f, "table");
		tf->suggestion = str(f, "suggestion");
		tf->rank = sev_rank(tf->severity);
		tf->impact = num(f, "impact_ms");
		tf->group = tui_report_group_by_fp(r, tf->fingerprint);
	}
	/* The report sorts them already; a stable re-sort keeps its order
	 * for ties and guards against hand-edited files. */
	for (size_t i = 1; i < r->nfindings; i++)
		for (size_t j = i; j > 0 && cmp_finding(&r->findings[j - 1], &r->findings[j]) > 0; j--) {
			struct tui_finding t = r->findings[j];
			r->findings[j] = r->findings[j - 1];
			r->findings[j - 1] = t;
		}

	return r;
}

void tui_report_free(struct tui_report *r)
{
	if (!r)
		return;
	struct tui_report_priv *p = (struct tui_report_priv *)r;
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].line);
	free(r->groups);
	free(r->findings);
	free(p->byfp);
	free(r->origin);
	json_decref(r->root);
	free(p);
}

enum tstyle tui_band_style(const struct tui_report *r, double p95)
{
	static const enum tstyle style[] = {
		[BAND_GOOD] = TS_GOOD, [BAND_WARNING] = TS_WARN,
		[BAND_ALERT] = TS_ALERT, [BAND_CRITICAL] = TS_CRIT,
	};
	return style[report_band(r ? r->opts : NULL, p95)];
}

int tui_report_probe_file(const char *path, bool force, struct tui_report **out,
		char *err, size_t errlen)
{
	*out = NULL;
	/* Standard input cannot be read twice: only a forced report-json
	 * reads it as a report; otherwise it goes to the analysis. */
	if (strcmp(path, "-") == 0 && !force)
		return 0;
	char lerr[256];
	struct line_reader *lr = lr_open(path, lerr, sizeof(lerr));
	if (!lr) {
		if (force) {
			snprintf(err, errlen, "%s: %s", path, lerr);
			return -1;
		}
		return 0;       /* the analysis reports it */
	}
	size_t len;
	const char *head = lr_peek(lr, 4096, &len);
	size_t k = 0;
	while (head && k < len && (head[k] == ' ' || head[k] == '\n' || head[k] == '\r' || head[k] == '\t'))
		k++;
	bool looks = head && k < len && head[k] == '{' && memmem(head, len, "\"schema\"", 8);
	if (!looks && !force) {
		lr_close(lr);
		return 0;
	}
	struct { char *p; size_t n, cap; } b = { 0 };
	const char *line;
	size_t ll;
	while (lr_next(lr, &line, &ll)) {
		if (b.n + ll + 2 > b.cap) {
			b.cap = (b.n + ll + 2) * 2;
			b.p = xrealloc(b.p, b.cap);
		}
		memcpy(b.p + b.n, line, ll);
		b.n += ll;
		b.p[b.n++] = '\n';
	}
	int rc = 0;
	if (lr_error(lr)) {
		snprintf(err, errlen, "%s: %s", path, lr_error(lr));
		rc = -1;
		goto out;
	}
	json_error_t jerr;
	json_t *root = json_loadb(b.p ? b.p : "", b.n, 0, &jerr);
	if (!root || !tui_is_report(root)) {
		json_decref(root);
		if (force) {
			snprintf(err, errlen, "%s: not a pgsift JSON report%s%s", path,
				root ? "" : ": ", root ? "" : jerr.text);
			rc = -1;
		}
		goto out;       /* e.g. a jsonlog: analyse it */
	}
	*out = tui_report_new(root, path, err, errlen);
	rc = *out ? 1 : -1;
out:
	free(b.p);
	lr_close(lr);
	return rc;
}

void tui_histogram_json(json_t *group, const struct sketch *s)
{
	json_t *arr = sketch_histogram(s);
	if (arr)
		json_object_set_new(group, "histogram", arr);
}

struct tui_report *tui_report_analyse(const struct pgsift_options *o,
		const char *const *paths, size_t n, char *err, size_t errlen,
		struct tlines *diag)
{
	struct analysis *a = NULL;
	struct tui_report *r = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum analysis_status st = analysis_run(o, paths, n, &a);

	if (st == ANALYSIS_BAD_OPTION) {
		snprintf(err, errlen, "%s", a->error ? a->error : "bad option");
		goto out;
	}
	for (size_t i = 0; diag && i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		for (size_t k = 0; k < in->nnotes; k++)
			tlines_add(diag, TS_DIM, TL_TEXT, 0, "%s: %s", in->path, in->notes[k]);
		for (size_t k = 0; k < in->nkept; k++)
			tlines_add(diag, TS_WARN, TL_TEXT, 0, "%s:%llu: %s", in->path,
				(unsigned long long)in->problems[k].line, in->problems[k].message);
	}
	if (st == ANALYSIS_NO_INPUT) {
		snprintf(err, errlen, "no input could be read");
		goto out;
	}
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		snprintf(err, errlen, "open_memstream: %s", strerror(errno));
		goto out;
	}
	int wrc = report_json.write(mem, a, o);
	if (fclose(mem) != 0 || wrc != 0) {
		snprintf(err, errlen, "writing the report: %s", strerror(errno ? errno : ENOMEM));
		goto out;
	}
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "reading the report back: %s", jerr.text);
		goto out;
	}
	/* Histograms come from the sketches, which the report does not carry;
	 * a report that has them already (from the core) keeps its own. */
	json_t *groups = json_object_get(root, "groups");
	for (size_t i = 0; i < a->ngroups && i < json_array_size(groups); i++) {
		json_t *g = json_array_get(groups, i);
		char hex[17];
		fp_format(a->groups[i]->fingerprint, hex);
		const char *fp = json_string_value(json_object_get(g, "fingerprint"));
		if (fp && strcmp(fp, hex) == 0 && !json_object_get(g, "histogram"))
			tui_histogram_json(g, &a->groups[i]->sketch);
	}
	char origin[64];
	if (n == 1)
		snprintf(origin, sizeof(origin), "%.60s", paths[0]);
	else
		snprintf(origin, sizeof(origin), "%zu inputs", n);
	r = tui_report_new(root, origin, err, errlen);
	if (r)
		r->opts = o;
	if (r && st == ANALYSIS_PARTIAL)
		r->status = EXIT_MALFORMED;
out:
	free(buf);
	analysis_free(a);
	return r;
}
