/* report_md_events.c: the Markdown sections on what the log says besides
 * statements (see report_md.h).
 *
 * The timeline is a bar chart of the calls in Mermaid, which GitHub and
 * GitLab draw, then a block of Unicode bars, one column per minute (or per
 * few minutes on a long window), which reads at a glance in any viewer
 * (and where Mermaid is not drawn), followed by the busiest minutes as a
 * table. The other sections are
 * tables and lists in the style of the rankings; statements are masked
 * unless --show-literals, and every log text is in a code span or block. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "report_md.h"
#include "timeutil.h"

#define CHART_COLUMNS 120       /* bars per row, at most */
#define MERMAID_COLUMNS 60      /* bars of the Mermaid chart, at most */
#define BUSIEST 5               /* minutes listed under the chart */
#define CELL_CHARS 60           /* log text in a table cell */
#define NAMES_LISTED 10
#define DEFAULT_TOP 20

/* ---- small formatting ---- */

/* "2024-05-01 10:00" (UTC) of an epoch time, "2024-05-01 10:00:05" for
 * buckets narrower than a minute (width w); "-" when unknown. */
static const char *fmt_minute(int64_t ms, int64_t w, char *out, size_t outlen)
{
	char iso[32];
	if (ms == TS_NONE) {
		snprintf(out, outlen, "-");
		return out;
	}
	ts_format_iso(ms, iso);
	snprintf(out, outlen, "%.10s %.*s", iso, w < MS_PER_MIN ? 8 : 5, iso + 11);
	return out;
}

/* "1 minute", "5 minutes", "6 hours", "1 day", "2 weeks". */
static const char *fmt_span(int64_t ms, char *out, size_t outlen)
{
	static const struct { int64_t ms; const char *one, *many; } units[] = {
		{ MS_PER_WEEK, "week", "weeks" }, { MS_PER_DAY, "day", "days" },
		{ MS_PER_HOUR, "hour", "hours" }, { MS_PER_MIN, "minute", "minutes" },
		{ MS_PER_SEC, "second", "seconds" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (ms % units[i].ms)
			continue;
		int64_t n = ms / units[i].ms;
		snprintf(out, outlen, "%lld %s", (long long)n,
				n == 1 ? units[i].one : units[i].many);
		return out;
	}
	snprintf(out, outlen, "%lld s", (long long)(ms / MS_PER_SEC));
	return out;
}

static const char *fmt_ts(int64_t ms, char *out)
{
	if (ms == TS_NONE) {
		snprintf(out, 32, "-");
		return out;
	}
	ts_format_iso(ms, out);
	return out;
}

/* "1 deadlock", "2 deadlocks" (the count formatted into out). */
static const char *count_of(uint64_t n, const char *one, const char *many,
		char *out, size_t outlen)
{
	char num[32];
	snprintf(out, outlen, "%s %s", md_fmt_count(n, num, sizeof(num)),
			n == 1 ? one : many);
	return out;
}

static size_t top_of(const struct pgsift_options *opts)
{
	return opts->top ? opts->top : DEFAULT_TOP;
}

/* ---- timeline ---- */

enum series { S_CALLS, S_TOTAL, S_P95, S_ERRORS, S_LOCKS, S_TEMP, S_COUNT };

static const char *const series_label[S_COUNT] = {
	"calls", "total ms", "P95 ms", "errors", "lock waits", "temp bytes",
};

/* Column values: sums over the buckets of the column; for P95 the
 * highest of theirs. */
static double bucket_value(const struct ev_bucket *b, enum series s)
{
	switch (s) {
	case S_CALLS: return (double)b->calls;
	case S_TOTAL: return b->total_ms;
	case S_P95: return b->timed_calls ? sketch_quantile(&b->latency, 0.95) : 0;
	case S_ERRORS: return (double)b->errors;
	case S_LOCKS: return (double)b->lock_waits;
	case S_TEMP: return (double)b->temp_bytes;
	case S_COUNT: break;
	}
	return 0;
}

static void chart_row(FILE *out, const double *col, size_t ncol,
		enum series s)
{
	static const char *const bars[] = { "\xe2\x96\x81", "\xe2\x96\x82",
		"\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
		"\xe2\x96\x87", "\xe2\x96\x88" };
	char b[64];
	double max = 0;

	for (size_t i = 0; i < ncol; i++)
		if (col[i] > max)
			max = col[i];
	fprintf(out, "%-11s ", series_label[s]);
	for (size_t i = 0; i < ncol; i++) {
		if (!(col[i] > 0)) {
			fputc(' ', out);
			continue;
		}
		int level = (int)ceil(col[i] / max * 8);
		fputs(bars[level < 1 ? 0 : level > 8 ? 7 : level - 1], out);
	}
	if (s == S_TOTAL || s == S_P95)
		md_fmt_ms(max, b, sizeof(b));
	else if (s == S_TEMP)
		md_fmt_bytes((uint64_t)max, b, sizeof(b));
	else
		md_fmt_count((uint64_t)max, b, sizeof(b));
	fprintf(out, "  max %s\n", b);
}

static int cmp_busiest(const void *pa, const void *pb)
{
	const struct ev_bucket *x = *(const struct ev_bucket *const *)pa;
	const struct ev_bucket *y = *(const struct ev_bucket *const *)pb;
	if (x->total_ms != y->total_ms)
		return x->total_ms > y->total_ms ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return x->start_ms < y->start_ms ? -1 : x->start_ms > y->start_ms;
}

static void busiest(FILE *out, const struct ev_timeline *t, const char *unit)
{
	const struct ev_bucket **v = xmalloc(t->n * sizeof(*v));
	size_t n = 0;
	char c[7][64];

	for (size_t i = 0; i < t->n; i++)
		if (t->b[i].calls)
			v[n++] = &t->b[i];
	if (n) {
		qsort(v, n, sizeof(*v), cmp_busiest);
		fprintf(out, "Busiest %ss (by total time):\n\n", unit);
		fprintf(out, "| %s (UTC) | calls | total (ms) | P95 (ms) | errors "
				"| lock waits | temp bytes |\n"
				"| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
				unit);
		for (size_t i = 0; i < n && i < BUSIEST; i++) {
			const struct ev_bucket *b = v[i];
			fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n",
					fmt_minute(b->start_ms, t->width_ms, c[0], sizeof(c[0])),
					md_fmt_count(b->calls, c[1], sizeof(c[1])),
					md_fmt_ms(b->total_ms, c[2], sizeof(c[2])),
					b->timed_calls ? md_fmt_ms(bucket_value(b, S_P95),
						c[3], sizeof(c[3])) : "-",
					md_fmt_count(b->errors, c[4], sizeof(c[4])),
					md_fmt_count(b->lock_waits, c[5], sizeof(c[5])),
					md_fmt_bytes(b->temp_bytes, c[6], sizeof(c[6])));
		}
		fputc('\n', out);
	}
	free(v);
}

/* The calls per column as a bar chart GitHub draws (Mermaid's
 * xychart-beta), before the text chart that every other viewer shows.
 * At most MERMAID_COLUMNS bars, so that their time labels stay legible. */
static void mermaid_calls(FILE *out, const struct ev_timeline *t, bool days)
{
	size_t per = (t->n + MERMAID_COLUMNS - 1) / MERMAID_COLUMNS;
	size_t ncol = (t->n + per - 1) / per;
	char span[32], at[32];

	fmt_span(t->width_ms * (int64_t)per, span, sizeof(span));
	fprintf(out, "```mermaid\nxychart-beta\n    title \"Calls per %s (UTC)\"\n"
			"    x-axis [", strncmp(span, "1 ", 2) == 0 ? span + 2 : span);
	for (size_t k = 0; k < ncol; k++) {
		fmt_minute(t->b[k * per].start_ms, t->width_ms, at, sizeof(at));
		fprintf(out, "%s\"%s\"", k ? ", " : "", days ? at + 5 : at + 11);
	}
	fputs("]\n    y-axis \"calls\"\n    bar [", out);
	for (size_t k = 0; k < ncol; k++) {
		uint64_t calls = 0;
		for (size_t i = k * per; i < t->n && i < (k + 1) * per; i++)
			calls += t->b[i].calls;
		fprintf(out, "%s%llu", k ? ", " : "", (unsigned long long)calls);
	}
	fputs("]\n```\n\n", out);
}

void md_write_timeline(FILE *out, const struct analysis *a)
{
	if (!a->events)
		return;
	const struct ev_timeline *t = events_timeline(a->events);
	bool any[S_COUNT] = { false };
	for (size_t i = 0; i < t->n; i++)
		for (int s = 0; s < S_COUNT; s++)
			any[s] |= bucket_value(&t->b[i], (enum series)s) > 0;
	if (!any[S_CALLS] && !any[S_ERRORS] && !any[S_LOCKS] && !any[S_TEMP])
		return;

	size_t per = (t->n + CHART_COLUMNS - 1) / CHART_COLUMNS;
	size_t ncol = (t->n + per - 1) / per;
	double *col = xcalloc(ncol, sizeof(*col));
	char unit[32], span[32], col_span[32], first[32], last[32];
	int64_t w = t->width_ms;
	if (w % MS_PER_HOUR == 0)
		snprintf(unit, sizeof(unit), w == MS_PER_HOUR ? "hour" : "%d-hour period",
				(int)(w / MS_PER_HOUR));
	else if (w % MS_PER_MIN == 0)
		snprintf(unit, sizeof(unit), w == MS_PER_MIN ? "minute" : "%d-minute period",
				(int)(w / MS_PER_MIN));
	else
		snprintf(unit, sizeof(unit), w == MS_PER_SEC ? "second" : "%d-second period",
				(int)(w / MS_PER_SEC));
	fmt_span(w, span, sizeof(span));
	fmt_span(w * (int64_t)per, col_span, sizeof(col_span));

	bool days = t->b[t->n - 1].start_ms - t->b[0].start_ms >= MS_PER_DAY;
	fputs("## Timeline\n\n", out);
	fmt_minute(t->b[0].start_ms, w, first, sizeof(first));
	fmt_minute(t->b[t->n - 1].start_ms, w, last, sizeof(last));
	if (any[S_CALLS])
		mermaid_calls(out, t, days);
	fprintf(out, "From %s to %s UTC, in %zu %s of %s; one column per %s%s. "
			"Each row is scaled to its own maximum, shown on the right."
			"\n\n```text\n", first, last, t->n,
			t->n == 1 ? "bucket" : "buckets", span,
			/* "one column per minute", "... per 5 minutes" */
			strncmp(col_span, "1 ", 2) == 0 ? col_span + 2 : col_span,
			per > 1 ? " (P95: the highest of its buckets)" : "");
	for (int s = 0; s < S_COUNT; s++) {
		bool calls_row = s == S_CALLS || s == S_TOTAL || s == S_P95;
		if (calls_row ? !any[S_CALLS] : !any[s])
			continue;
		for (size_t k = 0; k < ncol; k++) {
			col[k] = 0;
			for (size_t i = k * per; i < t->n && i < (k + 1) * per; i++) {
				double v = bucket_value(&t->b[i], (enum series)s);
				col[k] = s == S_P95 ? fmax(col[k], v) : col[k] + v;
			}
		}
		chart_row(out, col, ncol, (enum series)s);
	}
	/* Where the columns start and end: "10:00", or "11-22 10:00" when
	 * the window is longer than a day. */
	const char *l1 = days ? first + 5 : first + 11;
	const char *l2 = days ? last + 5 : last + 11;
	fprintf(out, "%-11s ^%s", "", l1);
	if (ncol > strlen(l1) + strlen(l2) + 4)
		fprintf(out, "%*s^%s", (int)(ncol - strlen(l1) - 2), "", l2);
	fputs("\n```\n\n", out);
	free(col);
	busiest(out, t, unit);
}

/* ---- lock waits and deadlocks ---- */

static void md_lock_waits(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct ev_totals *tot = events_totals(ev);
	size_t n;
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	struct strbuf text = STRBUF_INIT;
	char c[4][64];

	if (!tot->lock_waits)
		return;
	fputs("## Lock waits\n\n", out);
	fprintf(out, "%s (logged after deadlock_timeout), %s ms "
			"waited in total%s.", count_of(tot->lock_waits, "lock wait",
				"lock waits", c[0], sizeof(c[0])), md_fmt_ms(tot->lock_wait_ms, c[1],
				sizeof(c[1])), md_fmt_human(tot->lock_wait_ms, c[2],
				sizeof(c[2])));
	if (n < tot->lock_waits)
		fprintf(out, " The %zu longest are kept.", n);
	fputs(" The longest:\n\n| waited (ms) | at | pid | lock | blocked by "
	      "| outcome | statement |\n| ---: | --- | ---: | --- | --- | --- "
	      "| --- |\n", out);
	for (size_t i = 0; i < n && i < top_of(opts); i++) {
		fprintf(out, "| %s | %s | %lld | ", md_fmt_ms(w[i].wait_ms, c[0],
				sizeof(c[0])), fmt_ts(w[i].ts_ms, c[1]),
				(long long)w[i].pid);
		md_code(out, w[i].lock, CELL_CHARS, true, sb);
		fputs(" | ", out);
		for (uint32_t k = 0; k < w[i].nblockers; k++)
			fprintf(out, "%s%lld", k ? ", " : "",
					(long long)w[i].blockers[k]);
		fprintf(out, "%s | %s | ", w[i].nblockers ? "" : "-",
				events_lock_outcome_name(w[i].outcome));
		if (w[i].statement) {
			events_statement_text(w[i].statement, opts->show_literals, &text);
			md_code(out, text.buf, CELL_CHARS, true, sb);
		} else {
			fputs("-", out);
		}
		fputs(" |\n", out);
	}
	fputc('\n', out);
	sb_release(&text);
}

static void md_deadlocks(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	size_t n;
	const struct ev_deadlock *d = events_deadlocks(ev, &n);
	const struct ev_totals *tot = events_totals(ev);
	struct strbuf text = STRBUF_INIT, block = STRBUF_INIT;
	char c[32];

	if (!tot->deadlocks)
		return;
	fputs("## Deadlocks\n\n", out);
	fprintf(out, "%s%s.\n\n", count_of(tot->deadlocks, "deadlock",
			"deadlocks", c, sizeof(c)),
			n < tot->deadlocks ? "; the earliest are listed" : "");
	for (size_t i = 0; i < n && i < top_of(opts); i++) {
		fprintf(out, "### Deadlock %zu: %s", i + 1, fmt_ts(d[i].ts_ms, c));
		if (d[i].db) {
			fputs(", database ", out);
			md_code(out, d[i].db, 0, false, sb);
		}
		fputs("\n\n", out);
		sb_reset(&block);
		for (uint32_t k = 0; k < d[i].nprocs; k++) {
			const struct ev_deadlock_proc *p = &d[i].procs[k];
			bool victim = p->pid == d[i].victim_pid;
			fprintf(out, "- Process %lld", (long long)p->pid);
			if (p->lock) {
				fputs(" waits for ", out);
				md_code(out, p->lock, 0, false, sb);
			}
			if (p->blocked_by >= 0)
				fprintf(out, ", blocked by process %lld",
						(long long)p->blocked_by);
			fputs(victim ? "; its statement was canceled\n" : "\n", out);
			char head[64];
			snprintf(head, sizeof(head), "%s-- process %lld%s\n",
					k ? "\n" : "", (long long)p->pid,
					victim ? " (canceled)" : "");
			sb_append(&block, head, strlen(head));
			if (p->statement) {
				events_statement_text(p->statement, opts->show_literals,
						&text);
				sb_append(&block, text.buf, text.len);
			} else {
				sb_append(&block, "-- (statement not logged)", 25);
			}
		}
		fputc('\n', out);
		md_code_block(out, "sql", block.buf ? block.buf : "", 0);
	}
	sb_release(&text);
	sb_release(&block);
}

/* ---- temporary files and errors ---- */

static void md_temp_files(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct ev_temp_files *t = events_temp_files(ev);
	char c[4][64];

	if (!t->count)
		return;
	fputs("## Temporary files\n\n", out);
	fprintf(out, "%s, %s in total (%s bytes); the largest %s.\n\n"
			"| files | total | largest | query |\n"
			"| ---: | ---: | ---: | --- |\n",
			count_of(t->count, "file", "files", c[0], sizeof(c[0])),
			md_fmt_bytes(t->bytes, c[1], sizeof(c[1])),
			md_fmt_count(t->bytes, c[2], sizeof(c[2])),
			md_fmt_bytes(t->max_bytes, c[3], sizeof(c[3])));
	for (size_t i = 0; i < t->ngroups && i < top_of(opts); i++) {
		const struct ev_temp_group *g = &t->groups[i];
		fprintf(out, "| %s | %s | %s | ",
				md_fmt_count(g->count, c[0], sizeof(c[0])),
				md_fmt_bytes(g->bytes, c[1], sizeof(c[1])),
				md_fmt_bytes(g->max_bytes, c[2], sizeof(c[2])));
		if (g->query)
			md_code(out, g->query, 80, true, sb);
		else
			fputs("(no statement logged)", out);
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

static void md_errors(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct ev_totals *tot = events_totals(ev);
	size_t n;
	const struct ev_error *r = events_errors(ev, &n);
	struct strbuf text = STRBUF_INIT;
	char c[3][64];

	if (!tot->errors && !tot->warnings)
		return;
	fputs("## Errors\n\n", out);
	fprintf(out, "%s (ERROR, FATAL, PANIC) and %s, in %s by severity, "
			"SQLSTATE and message (numbers and quoted names masked).",
			count_of(tot->errors, "error", "errors", c[0], sizeof(c[0])),
			count_of(tot->warnings, "warning", "warnings", c[1],
				sizeof(c[1])),
			count_of(n, "group", "groups", c[2], sizeof(c[2])));
	if (tot->errors_dropped)
		fprintf(out, " %s more were past the limit of groups.",
				md_fmt_count(tot->errors_dropped, c[2], sizeof(c[2])));
	fputs("\n\n| count | severity | SQLSTATE | message | example |\n"
	      "| ---: | --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < n && i < top_of(opts); i++) {
		fprintf(out, "| %s | %s | %s | ",
				md_fmt_count(r[i].count, c[0], sizeof(c[0])),
				severity_name(r[i].severity),
				r[i].sqlstate[0] ? r[i].sqlstate : "-");
		md_code(out, r[i].message, 80, true, sb);
		fputs(" | ", out);
		if (r[i].example) {
			events_statement_text(r[i].example, opts->show_literals, &text);
			md_code(out, text.buf, CELL_CHARS, true, sb);
		} else {
			fputs("-", out);
		}
		fputs(" |\n", out);
	}
	fputc('\n', out);
	sb_release(&text);
}

/* ---- connections, checkpoints, autovacuum ---- */

static void md_counts(FILE *out, const char *label, const struct ev_counts *nc,
		struct strbuf *sb)
{
	md_name_counts(out, label, nc, NAMES_LISTED, "under other names", sb);
}

static void md_connections(FILE *out, const struct events *ev,
		struct strbuf *sb)
{
	const struct ev_connections *k = events_connections(ev);
	char c[6][64];

	if (!events_connections_total(k) && !k->sessions)
		return;
	fputs("## Connections and sessions\n\n", out);
	fprintf(out, "- Connections: %s (received %s, authorized %s), %s refused\n",
			md_fmt_count(events_connections_total(k), c[0], sizeof(c[0])),
			md_fmt_count(k->received, c[1], sizeof(c[1])),
			md_fmt_count(k->authorized, c[2], sizeof(c[2])),
			md_fmt_count(k->failed, c[3], sizeof(c[3])));
	if (k->failed) {
		fputs("- Refused: ", out);
		bool first = true;
		for (unsigned i = 0; i < EV_FAILURE_COUNT; i++) {
			if (!k->failures[i])
				continue;
			fprintf(out, "%s`%s` (%s)", first ? "" : ", ",
					events_failure_name(i), md_fmt_count(
						k->failures[i], c[0], sizeof(c[0])));
			first = false;
		}
		fputc('\n', out);
	}
	if (k->peak_sessions)
		fprintf(out, "- Peak concurrent sessions: %s, at %s\n",
				md_fmt_count(k->peak_sessions, c[0], sizeof(c[0])),
				fmt_ts(k->peak_ts, c[1]));
	if (k->sessions) {
		fprintf(out, "- Sessions: %s; length (s) mean %s, P50 %s, P95 %s, "
				"max %s\n", md_fmt_count(k->sessions, c[0], sizeof(c[0])),
				md_fmt_ms(k->session_total_s / (double)k->sessions,
					c[1], sizeof(c[1])),
				md_fmt_ms(sketch_quantile(&k->session_ms, 0.5) / 1000,
					c[2], sizeof(c[2])),
				md_fmt_ms(sketch_quantile(&k->session_ms, 0.95) / 1000,
					c[3], sizeof(c[3])),
				md_fmt_ms(k->session_max_s, c[4], sizeof(c[4])));
		/* The ranges of EV_SESSION_BOUNDS; empty ones left out. */
		static const char *const ranges[EV_SESSION_BUCKETS] = {
			"< 1 s", "1-10 s", "10 s-1 min", "1-10 min", "10 min-1 h",
			"1-8 h", ">= 8 h" };
		const char *sep = "- Session lengths: ";
		for (size_t i = 0; i < EV_SESSION_BUCKETS; i++) {
			if (!k->session_hist[i])
				continue;
			fprintf(out, "%s%s: %s", sep, ranges[i], md_fmt_count(
					k->session_hist[i], c[1], sizeof(c[1])));
			sep = ", ";
		}
		fputc('\n', out);
	}
	md_counts(out, "By database", &k->by_database, sb);
	md_counts(out, "By user", &k->by_user, sb);
	md_counts(out, "By application", &k->by_application, sb);
	md_counts(out, "By host", &k->by_host, sb);
	fputc('\n', out);
}

static void md_checkpoints(FILE *out, const struct events *ev,
		struct strbuf *sb)
{
	const struct ev_checkpoints *k = events_checkpoints(ev);
	char c[8][64];

	if (!k->count && !k->by_reason.n && !k->too_frequent)
		return;
	fputs("## Checkpoints\n\n", out);
	fprintf(out, "- Completed: %s", md_fmt_count(k->count, c[0], sizeof(c[0])));
	if (k->restartpoints)
		fprintf(out, " (%s)", count_of(k->restartpoints, "restartpoint",
				"restartpoints", c[0], sizeof(c[0])));
	fputc('\n', out);
	md_counts(out, "Started by", &k->by_reason, sb);
	if (k->count)
		fprintf(out, "- Time (s): write %s, sync %s, total %s, longest %s\n"
				"- Buffers written: %s; WAL files added %s, removed %s, "
				"recycled %s\n",
				md_fmt_ms(k->write_s, c[0], sizeof(c[0])),
				md_fmt_ms(k->sync_s, c[1], sizeof(c[1])),
				md_fmt_ms(k->total_s, c[2], sizeof(c[2])),
				md_fmt_ms(k->max_total_s, c[3], sizeof(c[3])),
				md_fmt_count(k->buffers, c[4], sizeof(c[4])),
				md_fmt_count(k->wal_added, c[5], sizeof(c[5])),
				md_fmt_count(k->wal_removed, c[6], sizeof(c[6])),
				md_fmt_count(k->wal_recycled, c[7], sizeof(c[7])));
	if (k->wal_intervals)
		fprintf(out, "- Started because WAL reached max_wal_size: %s, "
				"%.1f s after the checkpoint before on average, the "
				"shortest %.1f s\n", md_fmt_count(k->wal_started, c[0],
					sizeof(c[0])), k->wal_interval_s /
				(double)k->wal_intervals, k->wal_interval_min_s);
	if (k->too_frequent) {
		fprintf(out, "- \"checkpoints are occurring too frequently\": "
				"logged %s", count_of(k->too_frequent, "time",
					"times", c[0], sizeof(c[0])));
		if (k->min_apart_s >= 0)
			fprintf(out, ", the closest %.0f s apart", k->min_apart_s);
		fputs(" (consider a larger max_wal_size)\n", out);
	}
	fputc('\n', out);
}

static void md_autovacuum(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct ev_autovacuum *k = events_autovacuum(ev);
	char c[6][64];

	if (!k->vacuum_count && !k->analyze_count && !k->ntables)
		return;
	fputs("## Autovacuum\n\n", out);
	fprintf(out, "%s and %s on %s. By time spent:\n\n"
			"| table | vacuums | analyzes | removed tuples | total (ms) "
			"| max (ms) | notes |\n"
			"| --- | ---: | ---: | ---: | ---: | ---: | --- |\n",
			count_of(k->vacuum_count, "automatic vacuum",
				"automatic vacuums", c[0], sizeof(c[0])),
			count_of(k->analyze_count, "automatic analyze",
				"automatic analyzes", c[1], sizeof(c[1])),
			count_of(k->ntables, "table", "tables", c[2], sizeof(c[2])));
	for (size_t i = 0; i < k->ntables && i < top_of(opts); i++) {
		const struct ev_vacuum_table *t = &k->tables[i];
		fputs("| ", out);
		md_code(out, t->table, CELL_CHARS, true, sb);
		fprintf(out, " | %s | %s | %s | %s | %s | ",
				md_fmt_count(t->vacuums, c[0], sizeof(c[0])),
				md_fmt_count(t->analyzes, c[1], sizeof(c[1])),
				md_fmt_count(t->removed_tuples, c[2], sizeof(c[2])),
				md_fmt_ms(t->total_ms, c[3], sizeof(c[3])),
				md_fmt_ms(t->max_ms, c[4], sizeof(c[4])));
		const char *sep = "";
		static const char *const what[] = { "aggressive",
			"to prevent wraparound", "canceled" };
		uint64_t v[] = { t->aggressive, t->wraparound, t->canceled };
		for (size_t j = 0; j < ARRAY_SIZE(v); j++) {
			if (!v[j])
				continue;
			fprintf(out, "%s%s %s", sep, md_fmt_count(v[j], c[5],
					sizeof(c[5])), what[j]);
			sep = ", ";
		}
		fputs(*sep ? " |\n" : "- |\n", out);
	}
	fputc('\n', out);
}

/* ---- what no rule reads ---- */

static void md_others(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct ev_totals *tot = events_totals(a->events);
	size_t n;
	const struct ev_error *r = events_others(a->events, &n);
	char c[3][64], place[4096];
	uint64_t known = 0;

	if (!tot->others)
		return;
	for (size_t i = 0; i < n; i++)
		if (events_other_known(&r[i]))
			known += r[i].count;
	fputs("## Messages pgsift does not read\n\n", out);
	fprintf(out, "%s of LOG or a lower severity that are no statement, plan "
			"or event pgsift reads, in %s by severity and message (numbers "
			"and quoted names masked); %s of kinds pgsift knowingly leaves "
			"out (README, \"Messages pgsift does not read\").",
			count_of(tot->others, "message", "messages", c[0], sizeof(c[0])),
			count_of(n, "kind", "kinds", c[1], sizeof(c[1])),
			md_fmt_count(known, c[2], sizeof(c[2])));
	if (tot->others_dropped)
		fprintf(out, " %s more were past the limit of kinds.",
				md_fmt_count(tot->others_dropped, c[2], sizeof(c[2])));
	fputs("\n\n| count | severity | message | about | first at |\n"
	      "| ---: | --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < n && i < top_of(opts); i++) {
		const char *about = events_other_known(&r[i]);
		fprintf(out, "| %s | %s | ",
				md_fmt_count(r[i].count, c[0], sizeof(c[0])),
				r[i].severity ? severity_name(r[i].severity) : "-");
		md_code(out, r[i].message, 80, true, sb);
		fprintf(out, " | %s | ", about ? about : "not known to pgsift");
		if (analysis_place(a, r[i].first_pos, place, sizeof(place)))
			md_code(out, place, CELL_CHARS, true, sb);
		else
			fputs("-", out);
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

void md_write_events(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct events *ev = a->events;
	if (!ev)
		return;
	md_lock_waits(out, ev, opts, sb);
	md_write_blockers(out, a, opts, sb);
	md_deadlocks(out, ev, opts, sb);
	md_write_idle(out, a, opts, sb);
	md_temp_files(out, ev, opts, sb);
	md_errors(out, ev, opts, sb);
	md_connections(out, ev, sb);
	md_checkpoints(out, ev, sb);
	md_write_wraparound(out, a);
	md_autovacuum(out, ev, opts, sb);
	md_others(out, a, opts, sb);
}
