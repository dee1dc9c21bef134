/* report_text_events.c: the text report's "Events" section: what the log
 * says besides statements, a few lines each, as the Markdown's event
 * sections say it at length (report_md_events.c): lock waits and who
 * blocked, deadlocks, errors, temporary files, connections, checkpoints
 * and autovacuum. Each line only when something was seen; statements
 * masked unless --show-literals, cut to the line's width. */
#include <string.h>

#include "events.h"
#include "prefix.h"
#include "report_md.h"
#include "report_text.h"
#include "timeutil.h"

#define LISTED 5                /* rows of each list */

static void put_statement(FILE *out, const char *s, bool literals,
		size_t width, struct strbuf *sb)
{
	events_statement_text(s, literals, sb);
	text_put_cut(out, sb->buf ? sb->buf : "", width);
}

static bool lock_waits(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, size_t width, struct strbuf *sb)
{
	const struct ev_totals *t = events_totals(ev);
	size_t n;
	const struct ev_lock_wait *w = events_lock_waits(ev, &n);
	char b[2][64];

	if (!t->lock_waits)
		return false;
	fprintf(out, "lock waits: %s, %s ms waited in all\n",
		md_fmt_count(t->lock_waits, b[0], sizeof(b[0])),
		md_fmt_ms(t->lock_wait_ms, b[1], sizeof(b[1])));
	for (size_t i = 0; i < n && i < LISTED; i++) {
		int k = fprintf(out, "  %s ms, pid %lld, %s", md_fmt_ms(w[i].wait_ms, b[0],
			sizeof(b[0])), (long long)w[i].pid, w[i].lock ? w[i].lock : "?");
		if (w[i].root_pid > 0)
			k += fprintf(out, ", blocked by pid %lld%s", (long long)w[i].root_pid,
				w[i].root_idle ? " (idle in transaction)" : "");
		if (w[i].statement) {
			fputs(": ", out);
			put_statement(out, w[i].statement, opts->show_literals,
				width > (size_t)k + 22 ? width - (size_t)k - 2 : 20, sb);
		}
		fputc('\n', out);
	}
	return true;
}

static bool deadlocks(FILE *out, const struct events *ev,
		const struct pgsift_options *opts, size_t width, struct strbuf *sb)
{
	size_t n;
	const struct ev_deadlock *d = events_deadlocks(ev, &n);
	char ts[32];

	if (!n)
		return false;
	fprintf(out, "deadlocks: %zu\n", n);
	for (size_t i = 0; i < n && i < LISTED; i++) {
		if (d[i].ts_ms != TS_NONE)
			ts_format_iso(d[i].ts_ms, ts);
		fprintf(out, "  %s, %u process%s, pid %lld aborted",
			d[i].ts_ms != TS_NONE ? ts : "no time stamp", d[i].nprocs,
			d[i].nprocs == 1 ? "" : "es",
			(long long)d[i].victim_pid);
		for (uint32_t k = 0; k < d[i].nprocs; k++) {
			if (d[i].procs[k].pid != d[i].victim_pid || !d[i].procs[k].statement)
				continue;
			fputs(": ", out);
			put_statement(out, d[i].procs[k].statement, opts->show_literals,
				width > 60 ? width - 50 : 20, sb);
		}
		fputc('\n', out);
	}
	return true;
}

static bool errors(FILE *out, const struct events *ev, size_t width)
{
	const struct ev_totals *t = events_totals(ev);
	size_t n;
	const struct ev_error *e = events_errors(ev, &n);
	char b[64];

	if (!t->errors && !t->warnings)
		return false;
	fprintf(out, "errors: %s", md_fmt_count(t->errors, b, sizeof(b)));
	fprintf(out, ", warnings: %s, in %zu kind%s\n", md_fmt_count(t->warnings, b,
		sizeof(b)), n, md_s(n));
	for (size_t i = 0; i < n && i < LISTED; i++) {
		int k = fprintf(out, "  %8s  %-7s %-5s ", md_fmt_count(e[i].count, b, sizeof(b)),
			severity_name(e[i].severity), e[i].sqlstate[0] ? e[i].sqlstate : "-");
		text_put_cut(out, e[i].message, width > (size_t)k + 20 ? width - (size_t)k : 20);
		fputc('\n', out);
	}
	if (n > LISTED)
		fprintf(out, "  (%zu more kind%s)\n", n - LISTED, md_s(n - LISTED));
	return true;
}

static bool temp_files(FILE *out, const struct events *ev, size_t width)
{
	const struct ev_temp_files *t = events_temp_files(ev);
	char b[3][64];

	if (!t || !t->count)
		return false;
	fprintf(out, "temporary files: %s, %s (largest %s)\n",
		md_fmt_count(t->count, b[0], sizeof(b[0])),
		md_fmt_bytes(t->bytes, b[1], sizeof(b[1])),
		md_fmt_bytes(t->max_bytes, b[2], sizeof(b[2])));
	for (size_t i = 0; i < t->ngroups && i < LISTED; i++) {
		const struct ev_temp_group *g = &t->groups[i];
		int k = fprintf(out, "  %10s in %s file%s: ", md_fmt_bytes(g->bytes, b[0], sizeof(b[0])),
			md_fmt_count(g->count, b[1], sizeof(b[1])), g->count == 1 ? "" : "s");
		text_put_cut(out, g->query ? g->query : "(no statement logged)",
			width > (size_t)k + 20 ? width - (size_t)k : 20);
		fputc('\n', out);
	}
	return true;
}

static bool connections(FILE *out, const struct events *ev)
{
	const struct ev_connections *c = events_connections(ev);
	char b[5][64];

	if (!c || !events_connections_total(c))
		return false;
	fprintf(out, "connections: %s received, %s authorized, %s refused, %s "
		"sessions ended, at most %s open at once\n",
		md_fmt_count(c->received, b[0], sizeof(b[0])),
		md_fmt_count(c->authorized, b[1], sizeof(b[1])),
		md_fmt_count(c->failed, b[2], sizeof(b[2])),
		md_fmt_count(c->sessions, b[3], sizeof(b[3])),
		md_fmt_count(c->peak_sessions, b[4], sizeof(b[4])));
	for (int f = 0; f < EV_FAILURE_COUNT; f++)
		if (c->failures[f])
			fprintf(out, "  refused: %s %s\n", md_fmt_count(c->failures[f], b[0],
				sizeof(b[0])), events_failure_name((enum ev_failure)f));
	return true;
}

static bool checkpoints(FILE *out, const struct events *ev)
{
	const struct ev_checkpoints *c = events_checkpoints(ev);
	char b[4][64];

	if (!c || (!c->count && !c->too_frequent))
		return false;
	fprintf(out, "checkpoints: %s, %s s writing in all (longest %s s), %s buffer%s",
		md_fmt_count(c->count, b[0], sizeof(b[0])),
		md_fmt_ms(c->total_s, b[1], sizeof(b[1])),
		md_fmt_ms(c->max_total_s, b[2], sizeof(b[2])),
		md_fmt_count(c->buffers, b[3], sizeof(b[3])), md_s(c->buffers));
	if (c->too_frequent)
		fprintf(out, "; %s \"too frequent\" warning%s",
			md_fmt_count(c->too_frequent, b[0], sizeof(b[0])), md_s(c->too_frequent));
	if (c->wal_started)
		fprintf(out, "; %s started by WAL size",
			md_fmt_count(c->wal_started, b[0], sizeof(b[0])));
	fputc('\n', out);
	return true;
}

static bool autovacuum(FILE *out, const struct events *ev, size_t width)
{
	const struct ev_autovacuum *v = events_autovacuum(ev);
	char b[3][64];

	if (!v || (!v->vacuum_count && !v->analyze_count))
		return false;
	fprintf(out, "autovacuum: %s vacuum%s, %s analyze%s\n",
		md_fmt_count(v->vacuum_count, b[0], sizeof(b[0])), md_s(v->vacuum_count),
		md_fmt_count(v->analyze_count, b[1], sizeof(b[1])), md_s(v->analyze_count));
	for (size_t i = 0; i < v->ntables && i < LISTED; i++) {
		const struct ev_vacuum_table *t = &v->tables[i];
		int k = fprintf(out, "  %10s ms, %s vacuum%s, %s analyze%s: ",
			md_fmt_ms(t->total_ms, b[0], sizeof(b[0])),
			md_fmt_count(t->vacuums, b[1], sizeof(b[1])), t->vacuums == 1 ? "" : "s",
			md_fmt_count(t->analyzes, b[2], sizeof(b[2])), t->analyzes == 1 ? "" : "s");
		text_put_cut(out, t->table, width > (size_t)k + 20 ? width - (size_t)k : 20);
		fputc('\n', out);
	}
	return true;
}

void text_write_events(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	const struct events *ev = a->events;
	if (!ev)
		return;
	text_heading(out, "Events");
	bool any = lock_waits(out, ev, opts, width, &sb);
	any |= deadlocks(out, ev, opts, width, &sb);
	any |= errors(out, ev, width);
	any |= temp_files(out, ev, width);
	any |= connections(out, ev);
	any |= checkpoints(out, ev);
	any |= autovacuum(out, ev, width);
	if (!any)
		fputs("nothing logged besides statements\n", out);
	sb_release(&sb);
}
