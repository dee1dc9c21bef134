/* report_html_events.c: the HTML report's events: what the log says
 * besides statements (lock waits, deadlocks, temporary files, errors,
 * connections), each as a sortable table, only when the log had some.
 * The Markdown report says more about each (report_md_events.c); this
 * page shows what a reader scans for after an incident. */
#include <string.h>

#include "events.h"
#include "report_html_int.h"
#include "report_md.h"
#include "strbuf.h"
#include "timeutil.h"

#define ROWS_MAX 50             /* rows per table */

static void when(FILE *out, int64_t ts)
{
	char b[32];
	if (ts == TS_NONE) {
		fputs("<td>-</td>", out);
		return;
	}
	ts_format_iso(ts, b);
	fprintf(out, "<td>%s</td>", b);
}

static void code_cell(FILE *out, const char *s)
{
	fputs("<td class=\"q\">", out);
	html_text(out, s ? s : "");
	fputs("</td>", out);
}

/* A statement as logged: its literals masked unless --show-literals, as
 * the other reports show it (events_statement_text()). */
static void statement_cell(FILE *out, const char *s, bool show_literals,
		struct strbuf *sb)
{
	if (!s) {
		code_cell(out, "");
		return;
	}
	events_statement_text(s, show_literals, sb);
	code_cell(out, sb->buf ? sb->buf : "");
}

static void lock_waits(FILE *out, const struct events *ev, bool lit,
		struct strbuf *sb)
{
	size_t n;
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	const struct ev_totals *t = events_totals(ev);
	char b[64];

	if (n == 0)
		return;
	fprintf(out, "<h3>Lock waits</h3>\n<p>%llu wait%s, %s ms in total; the "
			"longest:</p>\n", (unsigned long long)t->lock_waits, md_s(t->lock_waits),
			md_fmt_ms(t->lock_wait_ms, b, sizeof(b)));
	fputs("<table class=\"sort\"><thead><tr><th>when</th><th>pid</th>"
	      "<th>wait (ms)</th><th>outcome</th><th>lock</th><th>statement</th>"
	      "</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < n && i < ROWS_MAX; i++) {
		fputs("<tr>", out);
		when(out, w[i].ts_ms);
		fprintf(out, "<td class=\"n\" data-v=\"%lld\">%lld</td>"
				"<td class=\"n\" data-v=\"%.3f\">%s</td><td>%s</td>",
				(long long)w[i].pid, (long long)w[i].pid, w[i].wait_ms,
				md_fmt_ms(w[i].wait_ms, b, sizeof(b)),
				events_lock_outcome_name(w[i].outcome));
		code_cell(out, w[i].lock);
		statement_cell(out, w[i].statement, lit, sb);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void deadlocks(FILE *out, const struct events *ev, bool lit,
		struct strbuf *sb)
{
	size_t n;
	const struct ev_deadlock *d = events_deadlocks(ev, &n);

	if (n == 0)
		return;
	fprintf(out, "<h3>Deadlocks</h3>\n<p>%zu deadlock%s.</p>\n", n, md_s(n));
	fputs("<table><thead><tr><th>when</th><th>victim</th><th>pid</th>"
	      "<th>waits for</th><th>lock</th><th>statement</th></tr></thead>"
	      "<tbody>\n", out);
	for (size_t i = 0; i < n && i < ROWS_MAX; i++)
		for (uint32_t k = 0; k < d[i].nprocs; k++) {
			const struct ev_deadlock_proc *p = &d[i].procs[k];
			fputs("<tr>", out);
			when(out, k == 0 ? d[i].ts_ms : TS_NONE);
			fprintf(out, "<td>%s</td><td class=\"n\">%lld</td><td class=\"n\">"
					"%lld</td>", p->pid == d[i].victim_pid ? "yes" : "",
					(long long)p->pid, (long long)p->blocked_by);
			code_cell(out, p->lock);
			statement_cell(out, p->statement, lit, sb);
			fputs("</tr>\n", out);
		}
	fputs("</tbody></table>\n", out);
}

static void temp_files(FILE *out, const struct events *ev)
{
	const struct ev_temp_files *t = events_temp_files(ev);
	char b[64];

	if (t->count == 0)
		return;
	fprintf(out, "<h3>Temporary files</h3>\n<p>%s file%s, %llu byte%s in "
			"total.</p>\n", md_fmt_count(t->count, b, sizeof(b)), md_s(t->count),
			(unsigned long long)t->bytes, md_s(t->bytes));
	fputs("<table class=\"sort\"><thead><tr><th>files</th><th>bytes</th>"
	      "<th>largest</th><th>query</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < t->ngroups && i < ROWS_MAX; i++) {
		const struct ev_temp_group *g = &t->groups[i];
		fprintf(out, "<tr><td class=\"n\" data-v=\"%llu\">%llu</td>"
				"<td class=\"n\" data-v=\"%llu\">%llu</td>"
				"<td class=\"n\" data-v=\"%llu\">%llu</td>",
				(unsigned long long)g->count, (unsigned long long)g->count,
				(unsigned long long)g->bytes, (unsigned long long)g->bytes,
				(unsigned long long)g->max_bytes,
				(unsigned long long)g->max_bytes);
		code_cell(out, g->query ? g->query : "(no statement logged)");
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void errors(FILE *out, const struct events *ev, bool lit,
		struct strbuf *sb)
{
	size_t n;
	const struct ev_error *e = events_errors(ev, &n);
	const struct ev_totals *t = events_totals(ev);

	if (n == 0)
		return;
	fprintf(out, "<h3>Errors</h3>\n<p>%llu error%s, %llu warning%s",
			(unsigned long long)t->errors, md_s(t->errors),
			(unsigned long long)t->warnings, md_s(t->warnings));
	if (t->errors_dropped)
		fprintf(out, "; %llu not grouped (past the limit of groups)",
				(unsigned long long)t->errors_dropped);
	fputs(".</p>\n<table class=\"sort\"><thead><tr><th>count</th>"
	      "<th>severity</th><th>SQLSTATE</th><th>first</th><th>message</th>"
	      "<th>statement</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < n && i < ROWS_MAX; i++) {
		fprintf(out, "<tr><td class=\"n\" data-v=\"%llu\">%llu</td><td>%s</td>"
				"<td>", (unsigned long long)e[i].count,
				(unsigned long long)e[i].count, severity_name(e[i].severity));
		html_text(out, e[i].sqlstate);
		fputs("</td>", out);
		when(out, e[i].first_ts);
		code_cell(out, e[i].message);
		statement_cell(out, e[i].example, lit, sb);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (n > ROWS_MAX)
		fprintf(out, "<p>%zu more error group%s in the JSON report.</p>\n",
				n - ROWS_MAX, md_s(n - ROWS_MAX));
}

static void connections(FILE *out, const struct events *ev)
{
	const struct ev_connections *c = events_connections(ev);
	uint64_t total = events_connections_total(c);

	if (total == 0 && c->sessions == 0)
		return;
	fprintf(out, "<h3>Connections</h3>\n<p>%llu attempt%s, %llu authorized, "
			"%llu refused; %llu session%s ended, at most %llu open at once.</p>\n",
			(unsigned long long)total, md_s(total), (unsigned long long)c->authorized,
			(unsigned long long)c->failed, (unsigned long long)c->sessions,
			md_s(c->sessions),
			(unsigned long long)c->peak_sessions);
	if (c->sessions == 0)
		return;
	/* Session lengths in EV_SESSION_BOUNDS' buckets, the last open. */
	static const int bounds[] = EV_SESSION_BOUNDS;
	double v[EV_SESSION_BUCKETS];
	char xl[EV_SESSION_BUCKETS][16];
	for (int i = 0; i < EV_SESSION_BUCKETS; i++) {
		v[i] = (double)c->session_hist[i];
		if (i < (int)ARRAY_SIZE(bounds))
			snprintf(xl[i], sizeof(xl[i]), "\xe2\x89\xa4%d s", bounds[i]);
		else
			snprintf(xl[i], sizeof(xl[i]), "more");
	}
	html_svg_bars(out, v, EV_SESSION_BUCKETS, 420, 70, "b",
			"sessions by length", xl);
}

void html_write_events(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts)
{
	struct strbuf sb = STRBUF_INIT;
	bool lit = opts->show_literals;

	fputs("<h2 id=\"events\">Events</h2>\n", out);
	if (!a->events) {
		fputs("<p>No events (a saved report).</p>\n", out);
		return;
	}
	const struct ev_totals *t = events_totals(a->events);
	fprintf(out, "<p>Lock waits %llu, deadlocks %llu, errors %llu, warnings "
			"%llu, temporary files %llu.</p>\n",
			(unsigned long long)t->lock_waits, (unsigned long long)t->deadlocks,
			(unsigned long long)t->errors, (unsigned long long)t->warnings,
			(unsigned long long)events_temp_files(a->events)->count);
	lock_waits(out, a->events, lit, &sb);
	deadlocks(out, a->events, lit, &sb);
	temp_files(out, a->events);
	errors(out, a->events, lit, &sb);
	connections(out, a->events);
	sb_release(&sb);
}
