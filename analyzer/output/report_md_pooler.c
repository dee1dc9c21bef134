/* report_md_pooler.c: the Markdown report's "pgBouncer" section: logins
 * and sessions, pooler errors by kind, closes by reason and the stats
 * lines as a timeline (see pooler.h). */
#include <stdlib.h>
#include <string.h>

#include "pooler.h"
#include "report_md.h"
#include "timeutil.h"

#define TIMELINE_ROWS 24        /* a screen's worth; neighbours joined past it */
#define REASONS_LISTED 8

static const char *fmt_ts(int64_t ms, char *out)
{
	if (ms == TS_NONE)
		snprintf(out, 32, "-");
	else
		ts_format_iso(ms, out);
	return out;
}

/* A rate or a size without decimals: "12,345". */
static const char *fmt_whole(double v, char *out, size_t outlen)
{
	return md_fmt_count(v > 0 ? (uint64_t)(v + 0.5) : 0, out, outlen);
}

static void md_list(FILE *out, const char *label, const struct ev_counts *nc,
		struct strbuf *sb)
{
	md_name_counts(out, label, nc, REASONS_LISTED, "more", sb);
}

static void md_summary(FILE *out, const struct pooler *p)
{
	char c[6][64];

	fprintf(out, "- Lines read: %s; logins %s (%s failed), client sessions "
			"closed %s",
			md_fmt_count(p->lines, c[0], sizeof(c[0])),
			md_fmt_count(p->logins, c[1], sizeof(c[1])),
			md_fmt_count(p->login_failed, c[2], sizeof(c[2])),
			md_fmt_count(p->sessions, c[3], sizeof(c[3])));
	if (p->sessions)
		fprintf(out, ", length (s) mean %s, max %s",
				md_fmt_ms(p->session_total_s / (double)p->sessions,
					c[4], sizeof(c[4])),
				md_fmt_ms(p->session_max_s, c[5], sizeof(c[5])));
	fputc('\n', out);
	if (p->peak_clients)
		fprintf(out, "- Peak clients at once: %s, at %s\n",
				md_fmt_count(p->peak_clients, c[0], sizeof(c[0])),
				fmt_ts(p->peak_clients_ts, c[1]));
	if (p->server_connections)
		fprintf(out, "- Server connections opened: %s; peak at once %s\n",
				md_fmt_count(p->server_connections, c[0], sizeof(c[0])),
				md_fmt_count(p->peak_servers, c[1], sizeof(c[1])));
	const struct pooler_stats *s = &p->stats;
	if (s->lines) {
		fprintf(out, "- Stats lines: %s over %s s: %s transactions, %s "
				"queries, %s B in, %s B out\n",
				md_fmt_count(s->lines, c[0], sizeof(c[0])),
				fmt_whole(s->seconds, c[1], sizeof(c[1])),
				fmt_whole(s->xacts, c[2], sizeof(c[2])),
				fmt_whole(s->queries, c[3], sizeof(c[3])),
				fmt_whole(s->bytes_in, c[4], sizeof(c[4])),
				fmt_whole(s->bytes_out, c[5], sizeof(c[5])));
		fprintf(out, "- Average transaction %s us, query %s us; clients "
				"waited %s s in all; busiest %s queries/s at %s\n",
				fmt_whole(s->xacts > 0 ? s->xact_us_sum / s->xacts : 0,
					c[0], sizeof(c[0])),
				fmt_whole(s->queries > 0 ? s->query_us_sum / s->queries : 0,
					c[1], sizeof(c[1])),
				md_fmt_ms(s->wait_s, c[2], sizeof(c[2])),
				fmt_whole(s->peak_queries_s, c[3], sizeof(c[3])),
				fmt_ts(s->peak_ts, c[4]));
	}
}

static void md_rows(FILE *out, const struct pooler *p, size_t top,
		struct strbuf *sb)
{
	char c[6][64];

	if (!p->nrows)
		return;
	fputs("\n| database | user | client | logins | failed | sessions "
			"| mean s | max s | errors |\n"
			"| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n", out);
	for (size_t i = 0; i < p->nrows && i < top; i++) {
		const struct pooler_row *r = &p->rows[i];
		const char *parts[] = { r->db, r->user, r->client };
		fputs("|", out);
		for (size_t j = 0; j < 3; j++) {
			fputc(' ', out);
			md_code(out, parts[j][0] ? parts[j] : "-", 64, true, sb);
			fputs(" |", out);
		}
		fprintf(out, " %s | %s | %s | %s | %s | %s |\n",
				md_fmt_count(r->logins, c[0], sizeof(c[0])),
				md_fmt_count(r->login_failed, c[1], sizeof(c[1])),
				md_fmt_count(r->sessions, c[2], sizeof(c[2])),
				md_fmt_ms(r->sessions ? r->total_s / (double)r->sessions : 0,
					c[3], sizeof(c[3])),
				md_fmt_ms(r->max_s, c[4], sizeof(c[4])),
				md_fmt_count(r->errors, c[5], sizeof(c[5])));
	}
	if (p->nrows > top || p->rows_other)
		fprintf(out, "\n%zu more rows not shown%s.\n",
				p->nrows > top ? p->nrows - top : 0,
				p->rows_other ? "; logins past the row limit are counted "
				"in the totals only" : "");
}

static void md_errors(FILE *out, const struct pooler *p, size_t top,
		struct strbuf *sb)
{
	char c[4][64];

	if (!p->nerrors)
		return;
	fprintf(out, "\n### pgBouncer errors\n\n%s WARNING, ERROR or FATAL lines.\n\n"
			"| kind | level | message | count | first | last |\n"
			"| --- | --- | --- | ---: | --- | --- |\n",
			md_fmt_count(p->errors_total, c[0], sizeof(c[0])));
	for (size_t i = 0; i < p->nerrors && i < top; i++) {
		const struct pooler_error *r = &p->errors[i];
		fprintf(out, "| `%s` | %s | ", pooler_error_name(r->kind),
				severity_name(r->severity));
		md_code(out, r->message, 120, true, sb);
		fprintf(out, " | %s | %s | %s |\n",
				md_fmt_count(r->count, c[0], sizeof(c[0])),
				fmt_ts(r->first_ts, c[1]), fmt_ts(r->last_ts, c[2]));
	}
	if (p->nerrors > top)
		fprintf(out, "\n%zu more kind%s not shown.\n", p->nerrors - top,
				md_s(p->nerrors - top));
	if (p->errors_dropped)
		fprintf(out, "\n%s error%s past the group limit %s counted, not grouped.\n",
				md_fmt_count(p->errors_dropped, c[0], sizeof(c[0])),
				md_s(p->errors_dropped), p->errors_dropped == 1 ? "is" : "are");
}

static void md_stats_timeline(FILE *out, const struct pooler_stats *s)
{
	struct pooler_point rows[TIMELINE_ROWS];
	char c[9][64];

	size_t n = pooler_timeline_rows(s, TIMELINE_ROWS, rows);
	if (!n)
		return;
	fprintf(out, "\n### pgBouncer stats timeline\n\n%s"
			"| until | seconds | xacts/s | queries/s | in B/s | out B/s "
			"| xact us | query us | wait us/s |\n"
			"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
			n < s->n ? "Neighbouring lines joined (rates averaged over "
			"their time).\n\n" : "");
	for (size_t i = 0; i < n; i++) {
		const struct pooler_point *pt = &rows[i];
		fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				fmt_ts(pt->ts_ms, c[0]),
				md_fmt_ms(pt->period_s, c[1], sizeof(c[1])),
				fmt_whole(pt->xacts_s, c[2], sizeof(c[2])),
				fmt_whole(pt->queries_s, c[3], sizeof(c[3])),
				fmt_whole(pt->in_bps, c[4], sizeof(c[4])),
				fmt_whole(pt->out_bps, c[5], sizeof(c[5])),
				fmt_whole(pt->xact_us, c[6], sizeof(c[6])),
				fmt_whole(pt->query_us, c[7], sizeof(c[7])),
				fmt_whole(pt->wait_us, c[8], sizeof(c[8])));
	}
}

void md_write_pooler(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct pooler *p = events_pooler(a->events);
	if (!p)
		return;
	size_t top = opts && opts->top ? opts->top : 20;
	fputs("## pgBouncer\n\n", out);
	md_summary(out, p);
	md_list(out, "Logins by database", &p->by_database, sb);
	md_list(out, "Logins by user", &p->by_user, sb);
	md_list(out, "Logins by client", &p->by_client, sb);
	md_list(out, "Clients closed because", &p->client_closes, sb);
	md_list(out, "Server connections closed because", &p->server_closes, sb);
	md_rows(out, p, top, sb);
	md_errors(out, p, top, sb);
	md_stats_timeline(out, &p->stats);
	fputc('\n', out);
}
