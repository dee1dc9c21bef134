/* model_events.c: findings, events and the timeline as lines. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "model.h"
#include "pooler.h"
#include "prefix.h"
#include "sketch.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

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
	/* Under 72 columns the title has too little room beside the columns:
	 * it goes under them, and the rest is indented less. */
	bool narrow = width < 72;
	int ind = narrow ? 3 : 32;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct tui_finding *f = &r->findings[i];
		tt_fmt_ms(f->impact, imp, sizeof(imp));
		enum tstyle st = f->rank == 2 ? TS_CRIT : f->rank == 1 ? TS_WARN : TS_NORMAL;
		if (narrow) {
			tlines_add(out, st, TL_FINDING, i, "%2zu %s %s %s", i + 1,
				or_dash(f->severity), or_dash(f->kind), imp);
			tlines_wrap_as(out, st, TL_FINDING, i, or_dash(f->title), width - 1, ind, ind);
		} else {
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
		}
		char what[512];
		if (f->table)
			snprintf(what, sizeof(what), "table %s%s", f->table,
				f->group >= 0 ? " \xc2\xb7 Enter: its group" : " \xc2\xb7 Enter: its statements");
		else if (f->group >= 0)
			snprintf(what, sizeof(what), "group %s \xc2\xb7 Enter: detail", or_dash(f->fingerprint));
		else
			what[0] = '\0';
		if (what[0])
			tlines_wrap_as(out, TS_DIM, TL_FINDING, i, what, width - 1, ind, ind);
		if (f->suggestion)
			tlines_wrap_as(out, TS_NORMAL, TL_FINDING, i, f->suggestion, width - 1, ind, ind);
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

static void name_map(struct tlines *out, const char *label, const struct ev_counts *nc)
{
	char buf[1024];
	size_t j = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < nc->n; i++) {
		int w = snprintf(buf + j, sizeof(buf) - j, "%s%s %llu", j ? ", " : "",
			nc->v[i].name ? nc->v[i].name : "", (unsigned long long)nc->v[i].count);
		if (w < 0 || (size_t)w >= sizeof(buf) - j)
			break;
		j += (size_t)w;
	}
	if (j)
		tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %-15s %s", label, buf);
}

static void group_ref(const struct tui_report *r, struct tlines *out, bool has_fp,
		uint64_t fp, enum tstyle st, const char *fmt_prefix, const char *text)
{
	long gi = has_fp ? tui_report_group_of(r, fp) : -1;
	tlines_add(out, st, gi >= 0 ? TL_GROUP : TL_TEXT, gi >= 0 ? (size_t)gi : 0,
		"%s%s", fmt_prefix, text);
}

/* A statement kept with an event as the reports show it (masked unless
 * --show-literals), in sb; NULL when none was logged. */
static const char *event_statement(const struct tui_report *r, const char *s, struct strbuf *sb)
{
	if (!s)
		return NULL;
	events_statement_text(s, tui_show_literals(r), sb);
	return sb->buf ? sb->buf : "";
}

static void iso_or_dash(int64_t ms, char out[32])
{
	if (ms == TS_NONE)
		snprintf(out, 32, "-");
	else
		ts_format_iso(ms, out);
}

/* pgBouncer's part (pooler.h), when a pgBouncer log was read. */
static void pooler_build(const struct pooler *p, struct tlines *out)
{
	char line[256], a[32], b[32];
	if (!p)
		return;
	snprintf(line, sizeof(line), "pgBouncer (%llu logins, %llu failed, %llu sessions, "
		"peak %llu clients, %llu servers)", (unsigned long long)p->logins,
		(unsigned long long)p->login_failed, (unsigned long long)p->sessions,
		(unsigned long long)p->peak_clients, (unsigned long long)p->peak_servers);
	title(out, line);
	name_map(out, "by database", &p->by_database);
	name_map(out, "by user", &p->by_user);
	name_map(out, "by client", &p->by_client);
	name_map(out, "clients closed", &p->client_closes);
	for (size_t i = 0; i < p->nerrors; i++)
		tlines_add(out, TS_WARN, TL_TEXT, 0, "  %6llu  %-20s %s",
			(unsigned long long)p->errors[i].count,
			pooler_error_name(p->errors[i].kind), p->errors[i].message);
	const struct pooler_stats *st = &p->stats;
	if (!st->lines)
		return;
	tt_fmt_count(st->xacts, a, sizeof(a));
	tt_fmt_count(st->queries, b, sizeof(b));
	tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  stats: %s transactions, %s queries in "
		"%llu lines; busiest %.0f queries/s", a, b, (unsigned long long)st->lines,
		st->peak_queries_s);
}

void events_build(const struct tui_report *r, int width, struct tlines *out)
{
	const struct events *ev = r->a->events;
	char a[32], b[32], ts[32], line[512];
	struct strbuf sb = STRBUF_INIT;
	size_t n;
	(void)width;
	if (!ev) {
		tlines_add(out, TS_DIM, TL_TEXT, 0, "No events in this report.");
		return;
	}

	const struct ev_lock_wait *lw = events_lock_waits(ev, &n);
	snprintf(line, sizeof(line), "Lock waits (%zu)", n);
	title(out, line);
	for (size_t i = 0; i < n; i++) {
		const struct ev_lock_wait *x = &lw[i];
		tt_fmt_ms(tt_ms3(x->wait_ms), a, sizeof(a));
		iso_or_dash(x->ts_ms, ts);
		snprintf(line, sizeof(line), "  %s  pid %lld waited %s for %s (%s)",
			ts, (long long)x->pid, a, or_dash(x->lock),
			events_lock_outcome_name(x->outcome));
		group_ref(r, out, x->has_fingerprint, x->fingerprint, TS_WARN, "", line);
		group_ref(r, out, x->has_fingerprint, x->fingerprint, TS_DIM, "      ",
			or_dash(event_statement(r, x->statement, &sb)));
	}

	const struct ev_deadlock *dl = events_deadlocks(ev, &n);
	snprintf(line, sizeof(line), "Deadlocks (%zu)", n);
	title(out, line);
	for (size_t i = 0; i < n; i++) {
		iso_or_dash(dl[i].ts_ms, ts);
		tlines_add(out, TS_CRIT, TL_TEXT, 0, "  %s", ts);
		for (uint32_t k = 0; k < dl[i].nprocs; k++)
			tlines_add(out, TS_DIM, TL_TEXT, 0, "      %s",
				or_dash(event_statement(r, dl[i].procs[k].statement, &sb)));
	}

	const struct ev_error *er = events_errors(ev, &n);
	snprintf(line, sizeof(line), "Errors (%zu kinds)", n);
	title(out, line);
	for (size_t i = 0; i < n; i++) {
		const struct ev_error *x = &er[i];
		tt_fmt_count((double)x->count, a, sizeof(a));
		snprintf(line, sizeof(line), "  %6s x %-7s %s %s", a, or_dash(severity_name(x->severity)),
			x->sqlstate, or_dash(x->message));
		group_ref(r, out, x->has_fingerprint, x->fingerprint, TS_WARN, "", line);
		if (x->example)
			group_ref(r, out, x->has_fingerprint, x->fingerprint, TS_DIM, "      ",
				event_statement(r, x->example, &sb));
	}

	const struct ev_temp_files *tf = events_temp_files(ev);
	tt_fmt_count((double)tf->count, a, sizeof(a));
	tt_fmt_bytes((double)tf->bytes, b, sizeof(b));
	snprintf(line, sizeof(line), "Temporary files (%s, %s)", a, b);
	title(out, line);
	for (size_t i = 0; i < tf->ngroups; i++) {
		const struct ev_temp_group *x = &tf->groups[i];
		tt_fmt_bytes((double)x->bytes, b, sizeof(b));
		snprintf(line, sizeof(line), "  %10s in %3.0f files  %s", b, (double)x->count,
			or_dash(x->query));
		group_ref(r, out, x->has_fingerprint, x->fingerprint, TS_NORMAL, "", line);
	}

	const struct ev_connections *cn = events_connections(ev);
	tt_fmt_count((double)events_connections_total(cn), a, sizeof(a));
	snprintf(line, sizeof(line), "Connections (%s, %llu failed, peak %llu sessions)", a,
		(unsigned long long)cn->failed, (unsigned long long)cn->peak_sessions);
	title(out, line);
	name_map(out, "by database", &cn->by_database);
	name_map(out, "by user", &cn->by_user);
	name_map(out, "by application", &cn->by_application);
	name_map(out, "by host", &cn->by_host);

	const struct ev_checkpoints *cp = events_checkpoints(ev);
	snprintf(line, sizeof(line), "Checkpoints (%llu, write %.3f s, sync %.3f s)",
		(unsigned long long)cp->count, tt_ms3(cp->write_s), tt_ms3(cp->sync_s));
	title(out, line);
	name_map(out, "by reason", &cp->by_reason);

	const struct ev_autovacuum *av = events_autovacuum(ev);
	snprintf(line, sizeof(line), "Autovacuum (%llu vacuums, %llu analyzes)",
		(unsigned long long)av->vacuum_count, (unsigned long long)av->analyze_count);
	title(out, line);
	for (size_t i = 0; i < av->ntables; i++) {
		const struct ev_vacuum_table *x = &av->tables[i];
		tt_fmt_ms(tt_ms3(x->total_ms), a, sizeof(a));
		tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %-30s %4llu vacuums %4llu analyzes %10llu removed %s",
			or_dash(x->table), (unsigned long long)x->vacuums,
			(unsigned long long)x->analyzes, (unsigned long long)x->removed_tuples, a);
	}
	pooler_build(events_pooler(ev), out);
	sb_release(&sb);
}

/* ---- timeline ---- */

int64_t tui_bucket_ms(int64_t width_ms)
{
	int64_t s = width_ms / 1000;
	return (s > 0 ? s : 60) * 1000;
}

bool tui_timeline_load(const struct tui_report *r, struct tui_timeline *t)
{
	*t = (struct tui_timeline){ 0 };
	const struct ev_timeline *tl = r->a->events ? events_timeline(r->a->events) : NULL;
	if (!tl || tl->n == 0)
		return false;
	t->bucket_s = (int)(tui_bucket_ms(tl->width_ms) / 1000);
	size_t n = tl->n;
	t->start = xcalloc(n, sizeof(*t->start));
	double **cols[] = { &t->calls, &t->total, &t->p95, &t->errors, &t->locks, &t->temp };
	for (size_t c = 0; c < 6; c++)
		*cols[c] = xcalloc(n, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		const struct ev_bucket *b = &tl->b[i];
		if (b->start_ms == TS_NONE)
			continue;
		t->start[t->n] = b->start_ms;
		t->calls[t->n] = (double)b->calls;
		t->total[t->n] = tt_ms3(b->total_ms);
		t->p95[t->n] = b->timed_calls ? tt_ms3(sketch_quantile(&b->latency, 0.95)) : 0;
		t->errors[t->n] = (double)b->errors;
		t->locks[t->n] = (double)b->lock_waits;
		t->temp[t->n] = (double)b->temp_bytes;
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
static bool group_calls_in(const struct agg_timeline *gt, int64_t from, int64_t to,
		double *calls, bool *share)
{
	int64_t w = tui_bucket_ms(gt->width_ms);
	bool any = false;
	*calls = 0;
	*share = false;
	for (uint32_t i = 0; i < gt->n; i++) {
		int64_t s = gt->b[i].start_ms;
		if (s == TS_NONE || s >= to || s + w <= from)
			continue;
		int64_t lo = s > from ? s : from, hi = s + w < to ? s + w : to;
		double c = (double)gt->b[i].calls;
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
	tlines_add(out, TS_HEADER, TL_TEXT, 0, "%.16s (%d s): %s %s \xc2\xb7 %s \xc2\xb7 P95 %s \xc2\xb7 %.0f %s \xc2\xb7 %.0f %s \xc2\xb7 temp %s",
		ts, t->bucket_s, a, tt_plural(t->calls[b], "call", "calls"), c, d,
		t->errors[b], tt_plural(t->errors[b], "error", "errors"),
		t->locks[b], tt_plural(t->locks[b], "lock wait", "lock waits"), e);

	/* Groups that ran then: exact from per-group timelines, else those
	 * whose first..last seen covers the bucket. */
	struct ran *ran = xcalloc(r->ngroups ? r->ngroups : 1, sizeof(*ran));
	size_t nr = 0;
	bool exact = false;
	for (size_t gi = 0; gi < r->ngroups; gi++) {
		const struct tui_group *g = &r->groups[gi];
		const struct agg_timeline *gt = &g->g->timeline;
		if (gt->n > 0) {
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
		snprintf(row, sizeof(row), "  %9s %-5s  P95 %9s  ", ran[i].share ? a : a + 1,
			tt_plural(ran[i].calls, "call", "calls"), c);
		tt_ellipsize(tui_group_line(r, ran[i].gi), width - tt_width(row) - 1, q, sizeof(q));
		tlines_add(out, TS_NORMAL, TL_GROUP, ran[i].gi, "%s%s", row, q);
	}
	free(ran);

	const struct events *ev = r->a->events;
	if (!ev)
		return;
	struct strbuf sb = STRBUF_INIT;
	size_t n;
	const struct ev_lock_wait *lw = events_lock_waits(ev, &n);
	for (size_t i = 0; i < n; i++) {
		const struct ev_lock_wait *x = &lw[i];
		if (x->ts_ms != TS_NONE && x->ts_ms >= from && x->ts_ms < to) {
			tt_fmt_ms(tt_ms3(x->wait_ms), a, sizeof(a));
			long gi = x->has_fingerprint ? tui_report_group_of(r, x->fingerprint) : -1;
			tlines_add(out, TS_WARN, gi >= 0 ? TL_GROUP : TL_TEXT, gi >= 0 ? (size_t)gi : 0,
				"  lock wait %s  %s: %s", a, or_dash(x->lock),
				or_dash(event_statement(r, x->statement, &sb)));
		}
	}
	const struct ev_error *er = events_errors(ev, &n);
	for (size_t i = 0; i < n; i++)
		if (er[i].first_ts != TS_NONE && er[i].last_ts != TS_NONE &&
		    er[i].first_ts < to && er[i].last_ts >= from)
			tlines_add(out, TS_WARN, TL_TEXT, 0, "  %s %s",
				or_dash(severity_name(er[i].severity)), or_dash(er[i].message));
	sb_release(&sb);
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
