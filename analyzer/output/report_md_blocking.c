/* report_md_blocking.c: the Markdown sections on who blocked whom, the
 * sessions idle in their transactions, and transaction ID wraparound
 * (events.h: events_blockers, events_idle, events_wraparound); the lines
 * on checkpoints forced by WAL go in report_md_events.c's section. */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "fingerprint.h"
#include "report_md.h"
#include "timeutil.h"

#define CELL_CHARS 120
#define DEFAULT_TOP 20

static const char *fmt_ts(int64_t ms, char *out)
{
	if (ms == TS_NONE) {
		snprintf(out, 32, "-");
		return out;
	}
	ts_format_iso(ms, out);
	return out;
}

static const char *query_of(const struct analysis *a, bool has_fp, uint64_t fp)
{
	for (size_t i = 0; has_fp && i < a->ngroups; i++)
		if (a->groups[i]->fingerprint == fp)
			return a->groups[i]->query;
	return NULL;
}

static size_t top_of(const struct pgsift_options *opts)
{
	return opts->top ? opts->top : DEFAULT_TOP;
}

static void md_statement(FILE *out, const struct analysis *a, bool known,
		bool has_fp, uint64_t fp, struct strbuf *sb)
{
	const char *q = known ? query_of(a, has_fp, fp) : NULL;
	if (q) {
		md_code(out, q, CELL_CHARS, true, sb);
	} else if (known && has_fp) {
		char hex[17];
		fp_format(fp, hex);
		fprintf(out, "`%s`", hex);
	} else {
		fputs(known ? "-" : "(its statements were not logged)", out);
	}
}

static void md_blockers(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	size_t n;
	const struct ev_blocker *b = events_blockers(a->events, &n);
	char c[4][64];
	if (!n)
		return;
	fputs("### Who blocks whom\n\n"
	      "The root blockers: sessions that held the locks others waited for, "
	      "directly or through a session that itself waited (a chain), while "
	      "waiting for nothing. Their statement is the one running when the "
	      "first wait was logged, else the last one of their transaction "
	      "(then they were idle in it).\n\n"
	      "| caused (ms) | waits | chain | pid | application | state | since "
	      "| lock | statement |\n"
	      "| ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- |\n", out);
	struct ev_blocking_dropped d = events_blocking_dropped(a->events);
	for (size_t i = 0; i < n && i < top_of(opts); i++) {
		fprintf(out, "| %s | %s | %u | %lld | ",
			md_fmt_ms(b[i].wait_ms, c[0], sizeof(c[0])),
			md_fmt_count(b[i].waits, c[1], sizeof(c[1])), b[i].depth,
			(long long)b[i].pid);
		if (b[i].app)
			md_code(out, b[i].app, CELL_CHARS, true, sb);
		else
			fputs("-", out);
		fprintf(out, " | %s | %s | ", !b[i].known ? "-" :
			b[i].idle ? "idle in transaction" : "running",
			fmt_ts(b[i].xact_ts, c[2]));
		md_code(out, b[i].lock ? b[i].lock : "", CELL_CHARS, true, sb);
		fputs(" | ", out);
		md_statement(out, a, b[i].known, b[i].has_fingerprint,
			b[i].fingerprint, sb);
		fputs(" |\n", out);
	}
	if (d.holds)
		fprintf(out, "\nThe %s shortest transactions past the 50,000 "
			"longest kept were not looked at for holders.\n",
			md_fmt_count(d.holds, c[0], sizeof(c[0])));
	fputc('\n', out);
}

static void md_idle(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	size_t n;
	const struct ev_idle_app *r = events_idle(a->events, &n);
	char c[5][64];
	if (!n)
		return;
	fprintf(out, "## Idle in transaction\n\n"
		"Time between the end of a statement and the start of the next "
		"inside a backend's explicit transaction (BEGIN ... COMMIT or "
		"ROLLBACK), from the log's time stamps and durations; gaps of "
		"%.0f ms and more are counted.\n\n"
		"| application | transactions | idle (ms) | gaps | longest (ms) "
		"| at | pid | after |\n"
		"| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |\n",
		EV_IDLE_GAP_MS);
	struct ev_blocking_dropped d = events_blocking_dropped(a->events);
	for (size_t i = 0; i < n && i < top_of(opts); i++) {
		fputs("| ", out);
		if (r[i].app[0])
			md_code(out, r[i].app, CELL_CHARS, true, sb);
		else
			fputs("-", out);
		fprintf(out, " | %s | %s | %s | %s | %s | %lld | ",
			md_fmt_count(r[i].xacts, c[0], sizeof(c[0])),
			md_fmt_ms(r[i].idle_ms, c[1], sizeof(c[1])),
			md_fmt_count(r[i].gaps, c[2], sizeof(c[2])),
			md_fmt_ms(r[i].max_ms, c[3], sizeof(c[3])),
			fmt_ts(r[i].max_ts, c[4]), (long long)r[i].max_pid);
		md_statement(out, a, true, r[i].has_fingerprint, r[i].fingerprint, sb);
		fputs(" |\n", out);
	}
	if (d.idle_xacts)
		fprintf(out, "\n%s transaction%s of applications past the first "
			"%d %s not listed.\n", md_fmt_count(d.idle_xacts, c[0],
				sizeof(c[0])), md_s(d.idle_xacts), EV_NAMES_MAX,
				d.idle_xacts == 1 ? "is" : "are");
	fputc('\n', out);
}

static void md_wraparound(FILE *out, const struct analysis *a)
{
	const struct ev_wraparound *w = events_wraparound(a->events);
	char c[2][64];
	if (!w->warnings && !w->refusals && !w->failsafe)
		return;
	fputs("## Transaction ID wraparound\n\n", out);
	if (w->warnings) {
		fprintf(out, "- \"must be vacuumed\" warnings: %s",
			md_fmt_count(w->warnings, c[0], sizeof(c[0])));
		if (w->min_left != UINT64_MAX)
			fprintf(out, "; the fewest transactions left: %s%s%s",
				md_fmt_count(w->min_left, c[1], sizeof(c[1])),
				w->db ? ", database " : "", w->db ? w->db : "");
		fputc('\n', out);
	}
	if (w->refusals)
		fprintf(out, "- Commands refused to avoid wraparound data loss: %s\n",
			md_fmt_count(w->refusals, c[0], sizeof(c[0])));
	if (w->failsafe)
		fprintf(out, "- Vacuums that skipped index cleanup as a failsafe "
			"(vacuum_failsafe_age passed): %s\n",
			md_fmt_count(w->failsafe, c[0], sizeof(c[0])));
	fprintf(out, "- From %s to %s\n\n", fmt_ts(w->first_ts, c[0]),
		fmt_ts(w->last_ts, c[1]));
}

void md_write_blockers(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	if (a->events)
		md_blockers(out, a, opts, sb);
}

void md_write_idle(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	if (a->events)
		md_idle(out, a, opts, sb);
}

void md_write_wraparound(FILE *out, const struct analysis *a)
{
	if (a->events)
		md_wraparound(out, a);
}
