/* model_events.c: findings, events and the timeline as lines. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "timeutil.h"
#include "util.h"

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void title(struct tlines *out, const char *t)
{
	tlines_add(out, TS_TITLE, TL_SECTION, 0, "\xe2\x94\x80\xe2\x94\x80 %s", t);
}

/* ---- findings ---- */

void findings_build(const struct tui_report *r, int width, struct tlines *out)
{
	char imp[32];
	if (!r->nfindings) {
		tlines_add(out, TS_DIM, TL_TEXT, 0, "No findings in this report.");
		return;
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct tui_finding *f = &r->findings[i];
		tt_fmt_ms(f->impact, imp, sizeof(imp));
		enum tstyle st = f->rank == 2 ? TS_CRIT : f->rank == 1 ? TS_WARN : TS_NORMAL;
		struct tlines head = { 0 };
		tlines_wrap(&head, st, or_dash(f->title), width - 42, 0);
		for (size_t k = 0; k < head.n; k++) {
			if (k == 0)
				tlines_add(out, st, TL_FINDING, i, "%2zu %-8s %-17s %9s  %s", i + 1,
					or_dash(f->severity), or_dash(f->kind), imp, head.v[k].text);
			else
				tlines_add(out, st, TL_FINDING, i, "%41s%s", "", head.v[k].text);
		}
		tlines_clear(&head);
		if (f->table)
			tlines_add(out, TS_DIM, TL_FINDING, i, "%32s table %s%s", "", f->table,
				f->group >= 0 ? " \xc2\xb7 Enter: its group" : " \xc2\xb7 Enter: its queries");
		else if (f->group >= 0)
			tlines_add(out, TS_DIM, TL_FINDING, i, "%32s group %s \xc2\xb7 Enter: detail", "",
				or_dash(f->fingerprint));
		if (f->suggestion) {
			struct tlines tmp = { 0 };
			tlines_wrap(&tmp, TS_NORMAL, f->suggestion, width - 1, 32);
			for (size_t k = 0; k < tmp.n; k++) {
				tlines_add(out, TS_NORMAL, TL_FINDING, i, "%s", tmp.v[k].text);
			}
			tlines_clear(&tmp);
		}
	}
}

int findings_write_suggestion(const struct tui_report *r, size_t fi, const char *path)
{
	if (fi >= r->nfindings || !r->findings[fi].suggestion) {
		errno = ENOENT;
		return -1;
	}
	const struct tui_finding *f = &r->findings[fi];
	FILE *fp = fopen(path, "a");
	if (!fp)
		return -1;
	/* Raw text, as the report has it: it is meant to be run. */
	fprintf(fp, "-- %s: %s\n%s\n", or_dash(f->kind), or_dash(f->title), f->suggestion);
	int rc = ferror(fp) ? -1 : 0;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

/* ---- events ---- */

static void name_map(struct tlines *out, const char *label, const json_t *map)
{
	char buf[1024];
	size_t j = 0;
	const char *k;
	const json_t *v;
	buf[0] = '\0';
	json_object_foreach((json_t *)map, k, v) {
		int w = snprintf(buf + j, sizeof(buf) - j, "%s%s %lld", j ? ", " : "", k,
			(long long)json_integer_value(v));
		if (w < 0 || (size_t)w >= sizeof(buf) - j)
			break;
		j += (size_t)w;
	}
	if (j)
		tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %-15s %s", label, buf);
}

static void group_ref(const struct tui_report *r, struct tlines *out, const char *fp,
		enum tstyle st, const char *fmt_prefix, const char *text)
{
	long gi = tui_report_group_by_fp(r, fp);
	tlines_add(out, st, gi >= 0 ? TL_GROUP : TL_TEXT, gi >= 0 ? (size_t)gi : 0,
		"%s%s", fmt_prefix, text);
}

void events_build(const struct tui_report *r, int width, struct tlines *out)
{
	const json_t *ev = json_object_get(r->root, "events");
	char a[32], b[32], line[512];
	size_t i;
	const json_t *x;
	(void)width;
	if (!json_is_object(ev)) {
		tlines_add(out, TS_DIM, TL_TEXT, 0, "No events in this report.");
		return;
	}

	const json_t *lw = json_object_get(ev, "lock_waits");
	snprintf(line, sizeof(line), "Lock waits (%zu)", json_array_size(lw));
	title(out, line);
	json_array_foreach(lw, i, x) {
		tt_fmt_ms(num(x, "wait_ms"), a, sizeof(a));
		snprintf(line, sizeof(line), "  %s  pid %.0f waited %s for %s (%s)",
			or_dash(str(x, "ts")), num(x, "pid"), a, or_dash(str(x, "lock")),
			or_dash(str(x, "outcome")));
		group_ref(r, out, str(x, "fingerprint"), TS_WARN, "", line);
		group_ref(r, out, str(x, "fingerprint"), TS_DIM, "      ", or_dash(str(x, "statement")));
	}

	const json_t *dl = json_object_get(ev, "deadlocks");
	snprintf(line, sizeof(line), "Deadlocks (%zu)", json_array_size(dl));
	title(out, line);
	json_array_foreach(dl, i, x) {
		tlines_add(out, TS_CRIT, TL_TEXT, 0, "  %s", or_dash(str(x, "ts")));
		size_t k;
		const json_t *s;
		json_array_foreach(json_object_get(x, "statements"), k, s)
			tlines_add(out, TS_DIM, TL_TEXT, 0, "      %s", or_dash(json_string_value(s)));
	}

	const json_t *er = json_object_get(ev, "errors");
	snprintf(line, sizeof(line), "Errors (%zu kinds)", json_array_size(er));
	title(out, line);
	json_array_foreach(er, i, x) {
		tt_fmt_count(num(x, "count"), a, sizeof(a));
		snprintf(line, sizeof(line), "  %6s x %-7s %s %s", a, or_dash(str(x, "severity")),
			str(x, "sqlstate") ? str(x, "sqlstate") : "", or_dash(str(x, "message")));
		group_ref(r, out, str(x, "fingerprint"), TS_WARN, "", line);
		if (str(x, "example"))
			group_ref(r, out, str(x, "fingerprint"), TS_DIM, "      ", str(x, "example"));
	}

	const json_t *tf = json_object_get(ev, "temp_files");
	tt_fmt_count(num(tf, "count"), a, sizeof(a));
	tt_fmt_bytes(num(tf, "bytes"), b, sizeof(b));
	snprintf(line, sizeof(line), "Temporary files (%s, %s)", a, b);
	title(out, line);
	json_array_foreach(json_object_get(tf, "by_group"), i, x) {
		tt_fmt_bytes(num(x, "bytes"), b, sizeof(b));
		snprintf(line, sizeof(line), "  %10s in %3.0f files  %s", b, num(x, "count"),
			or_dash(str(x, "query")));
		group_ref(r, out, str(x, "fingerprint"), TS_NORMAL, "", line);
	}

	const json_t *cn = json_object_get(ev, "connections");
	tt_fmt_count(num(cn, "total"), a, sizeof(a));
	snprintf(line, sizeof(line), "Connections (%s, %.0f failed, peak %.0f sessions)", a,
		num(cn, "failed"), num(cn, "peak_sessions"));
	title(out, line);
	name_map(out, "by database", json_object_get(cn, "by_database"));
	name_map(out, "by user", json_object_get(cn, "by_user"));
	name_map(out, "by application", json_object_get(cn, "by_application"));
	name_map(out, "by host", json_object_get(cn, "by_host"));

	const json_t *cp = json_object_get(ev, "checkpoints");
	snprintf(line, sizeof(line), "Checkpoints (%.0f, write %.3f s, sync %.3f s)",
		num(cp, "count"), num(cp, "write_s"), num(cp, "sync_s"));
	title(out, line);
	name_map(out, "by reason", json_object_get(cp, "by_reason"));

	const json_t *av = json_object_get(ev, "autovacuum");
	snprintf(line, sizeof(line), "Autovacuum (%.0f vacuums, %.0f analyzes)",
		num(av, "vacuum_count"), num(av, "analyze_count"));
	title(out, line);
	json_array_foreach(json_object_get(av, "by_table"), i, x) {
		tt_fmt_ms(num(x, "total_ms"), a, sizeof(a));
		tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %-30s %4.0f vacuums %4.0f analyzes %10.0f removed %s",
			or_dash(str(x, "table")), num(x, "vacuums"), num(x, "analyzes"),
			num(x, "removed_tuples"), a);
	}
}

/* ---- timeline ---- */

bool timeline_load(const struct tui_report *r, struct tui_timeline *t)
{
	*t = (struct tui_timeline){ 0 };
	const json_t *tl = json_object_get(json_object_get(r->root, "events"), "timeline");
	const json_t *bs = json_object_get(tl, "buckets");
	if (!json_is_array(bs) || json_array_size(bs) == 0)
		return false;
	double bsz = num(tl, "bucket_s");
	t->bucket_s = isfinite(bsz) && bsz > 0 ? (int)bsz : 60;
	size_t n = json_array_size(bs);
	t->start = xcalloc(n, sizeof(*t->start));
	double **cols[] = { &t->calls, &t->total, &t->p95, &t->errors, &t->locks, &t->temp };
	static const char *const keys[] = { "calls", "total_ms", "p95_ms", "errors",
		"lock_waits", "temp_bytes" };
	for (size_t c = 0; c < 6; c++)
		*cols[c] = xcalloc(n, sizeof(double));
	size_t i;
	const json_t *b;
	json_array_foreach(bs, i, b) {
		int64_t ts;
		if (!tt_parse_ts(str(b, "start"), &ts))
			continue;
		t->start[t->n] = ts;
		for (size_t c = 0; c < 6; c++) {
			double v = num(b, keys[c]);
			(*cols[c])[t->n] = isfinite(v) ? v : 0;
		}
		t->n++;
	}
	return t->n > 0;
}

void timeline_release(struct tui_timeline *t)
{
	free(t->start);
	free(t->calls);
	free(t->total);
	free(t->p95);
	free(t->errors);
	free(t->locks);
	free(t->temp);
	*t = (struct tui_timeline){ 0 };
}

struct ran {
	size_t gi;
	double calls;
	bool share;             /* calls are a share of a wider group bucket */
};

/* Calls of a group's own "timeline" in [from, to). Its buckets and the
 * run's nest (same width ladder): narrower ones are summed; of a wider one
 * that holds the whole bucket, a share by time is taken (*share set).
 * Returns false when no bucket of the group touches [from, to). */
static bool group_calls_in(const json_t *gt, int64_t from, int64_t to,
		double *calls, bool *share)
{
	double bsz = num(gt, "bucket_s");
	int64_t w = (int64_t)(isfinite(bsz) && bsz > 0 ? bsz : 60) * 1000;
	bool any = false;
	size_t i;
	const json_t *x;
	*calls = 0;
	*share = false;
	json_array_foreach(json_object_get(gt, "buckets"), i, x) {
		int64_t s;
		if (!tt_parse_ts(str(x, "start"), &s) || s >= to || s + w <= from)
			continue;
		int64_t lo = s > from ? s : from, hi = s + w < to ? s + w : to;
		double c = num(x, "calls");
		if (!isfinite(c))
			continue;
		if (hi - lo < w) {
			c *= (double)(hi - lo) / (double)w;
			*share = true;
		}
		*calls += c;
		any = true;
	}
	return any;
}

static int cmp_ran(const void *pa, const void *pb)
{
	const struct ran *a = pa, *b = pb;
	return a->calls < b->calls ? 1 : a->calls > b->calls ? -1 : (a->gi > b->gi) - (a->gi < b->gi);
}

void timeline_bucket_lines(const struct tui_report *r, const struct tui_timeline *t,
		size_t b, int width, struct tlines *out)
{
	char ts[32], a[32], c[32], d[32], e[32];
	if (b >= t->n)
		return;
	int64_t from = t->start[b], to = from + (int64_t)t->bucket_s * 1000;
	ts_format_iso(from, ts);
	tt_fmt_count(t->calls[b], a, sizeof(a));
	tt_fmt_ms(t->total[b], c, sizeof(c));
	tt_fmt_ms(t->p95[b], d, sizeof(d));
	tt_fmt_bytes(t->temp[b], e, sizeof(e));
	tlines_add(out, TS_HEADER, TL_TEXT, 0, "%.16s (%d s): %s calls \xc2\xb7 %s \xc2\xb7 P95 %s \xc2\xb7 %.0f errors \xc2\xb7 %.0f lock waits \xc2\xb7 temp %s",
		ts, t->bucket_s, a, c, d, t->errors[b], t->locks[b], e);

	/* Groups that ran then: exact from per-group timelines, else those
	 * whose first..last seen covers the bucket. */
	struct ran *ran = xcalloc(r->ngroups ? r->ngroups : 1, sizeof(*ran));
	size_t nr = 0;
	bool exact = false;
	for (size_t gi = 0; gi < r->ngroups; gi++) {
		const struct tui_group *g = &r->groups[gi];
		const json_t *gt = json_object_get(g->obj, "timeline");
		if (json_is_array(json_object_get(gt, "buckets"))) {
			double n;
			bool share;
			exact = true;
			if (group_calls_in(gt, from, to, &n, &share))
				ran[nr++] = (struct ran){ gi, n, share };
		} else if (g->first_ms != TS_NONE && g->first_ms < to && g->last_ms >= from) {
			ran[nr++] = (struct ran){ gi, g->calls, false };
		}
	}
	qsort(ran, nr, sizeof(*ran), cmp_ran);
	tlines_add(out, TS_TITLE, TL_SECTION, 0, exact ? "\xe2\x94\x80\xe2\x94\x80 Ran in this bucket (%zu groups, by calls then)" :
		"\xe2\x94\x80\xe2\x94\x80 Active then (%zu groups whose first..last seen covers it; total calls shown)", nr);
	for (size_t i = 0; i < nr; i++) {
		char row[128], q[1024];
		const struct tui_group *g = &r->groups[ran[i].gi];
		tt_fmt_count(ran[i].calls, a + 1, sizeof(a) - 1);
		a[0] = '~';     /* a share of a wider bucket: an estimate */
		tt_fmt_ms(g->p95, c, sizeof(c));
		snprintf(row, sizeof(row), "  %9s calls  P95 %9s  ", ran[i].share ? a : a + 1, c);
		tt_ellipsize(g->line, width - tt_width(row) - 1, q, sizeof(q));
		tlines_add(out, TS_NORMAL, TL_GROUP, ran[i].gi, "%s%s", row, q);
	}
	free(ran);

	const json_t *ev = json_object_get(r->root, "events");
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(ev, "lock_waits"), i, x) {
		int64_t s;
		if (tt_parse_ts(str(x, "ts"), &s) && s >= from && s < to) {
			tt_fmt_ms(num(x, "wait_ms"), a, sizeof(a));
			long gi = tui_report_group_by_fp(r, str(x, "fingerprint"));
			tlines_add(out, TS_WARN, gi >= 0 ? TL_GROUP : TL_TEXT, gi >= 0 ? (size_t)gi : 0,
				"  lock wait %s  %s: %s", a, or_dash(str(x, "lock")), or_dash(str(x, "statement")));
		}
	}
	json_array_foreach(json_object_get(ev, "errors"), i, x) {
		int64_t s, e2;
		if (tt_parse_ts(str(x, "first_seen"), &s) && tt_parse_ts(str(x, "last_seen"), &e2) &&
		    s < to && e2 >= from)
			tlines_add(out, TS_WARN, TL_TEXT, 0, "  %s %s", or_dash(str(x, "severity")),
				or_dash(str(x, "message")));
	}
}

void timeline_chart(const struct tui_timeline *t, size_t cur, int width, int height,
		struct tlines *out)
{
	size_t cols = (size_t)(width > 20 ? width - 11 : 10);
	size_t first = 0;
	if (t->n > cols) {
		first = cur >= cols / 2 ? cur - cols / 2 : 0;
		if (first + cols > t->n)
			first = t->n - cols;
	}
	size_t last = first + cols < t->n ? first + cols : t->n;
	double max = 0;
	for (size_t k = first; k < last; k++)
		if (t->calls[k] > max)
			max = t->calls[k];
	char label[32], *line = xmalloc(cols * 3 + 64);
	for (int row = height - 1; row >= 0; row--) {
		if (row == height - 1)
			tt_fmt_count(max, label, sizeof(label));
		else if (row == 0)
			snprintf(label, sizeof(label), "0");
		else
			label[0] = '\0';
		size_t j = (size_t)sprintf(line, "%9s \xe2\x94\x82", label);
		for (size_t k = first; k < last; k++) {
			int level = max > 0 ? (int)(t->calls[k] / max * height * 8 + 0.5) - row * 8 : 0;
			if (t->calls[k] > 0 && row == 0 && level < 1)
				level = 1;
			if (level <= 0) {
				line[j++] = ' ';
			} else {
				if (level > 8)
					level = 8;
				line[j++] = '\xe2';
				line[j++] = '\x96';
				line[j++] = (char)(0x80 + level);
			}
		}
		line[j] = '\0';
		tlines_add(out, TS_BAR, TL_TEXT, 0, "%s", line);
	}
	size_t j = (size_t)sprintf(line, "%9s \xe2\x94\x94", "calls");
	for (size_t k = first; k < last; k++) {
		if (k == cur) {
			memcpy(line + j, "\xe2\x96\xb2", 3);
			j += 3;
		} else {
			line[j++] = ' ';
		}
	}
	line[j] = '\0';
	tlines_add(out, TS_HOT, TL_TEXT, 0, "%s", line);
	char a[32], b[32], c[32];
	ts_format_iso(t->start[first], a);
	ts_format_iso(t->start[last - 1], b);
	ts_format_iso(t->start[cur < t->n ? cur : 0], c);
	tlines_add(out, TS_DIM, TL_TEXT, 0, "%10s %.5s .. %.5s  cursor %.16s (%zu of %zu, %d s each; Left/Right move)",
		"", a + 11, b + 11, c, cur + 1, t->n, t->bucket_s);
	free(line);
}
