/* report_md_stats.c: the Markdown "Statistics" section: what the
 * snapshots of pg_stat_statements, pg_stat_user_indexes,
 * pg_stat_user_tables and pg_statio_user_tables say for their window
 * (last minus first snapshot) or, with one snapshot, since the last
 * statistics reset. Only when snapshots were given. */
#include <stdio.h>

#include "report_md.h"
#include "snapshots.h"
#include "timeutil.h"

#define MD_STATS_MAX_ROWS 100   /* tables and indexes listed */

static void view_line(FILE *out, const struct snapshots *sn, enum stat_view v)
{
	const struct snap_view_info *vi = snapshots_view(sn, v);
	char b1[32], b2[32], n[32];
	if (!vi || !vi->snapshots)
		return;
	fprintf(out, "- `%s`: %zu snapshot%s, %s row%s", snapshots_view_name(v),
		vi->snapshots, vi->snapshots == 1 ? "" : "s",
		md_fmt_count(vi->rows, n, sizeof(n)), md_s(vi->rows));
	if (vi->diffed) {
		fputs("; figures are the difference between the first", out);
		if (vi->first_ts != TS_NONE && vi->last_ts != TS_NONE) {
			ts_format_iso(vi->first_ts, b1);
			ts_format_iso(vi->last_ts, b2);
			fprintf(out, " (%s) and the last (%s)", b1, b2);
		} else {
			fputs(" and the last (in the order given)", out);
		}
	} else {
		fputs("; figures are cumulative since the statistics were last reset", out);
	}
	fputs("\n", out);
}

/* "12.3" (a percentage), or "-" when there is nothing to divide. */
static const char *pct(double part, double total, char *buf, size_t n)
{
	if (part < 0 || total <= 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f", 100 * part / total);
	return buf;
}

static const char *cnt(int64_t v, char *buf, size_t n)
{
	if (v < 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	return md_fmt_count((uint64_t)v, buf, n);
}

static void md_statements(FILE *out, const struct snapshots *sn, size_t top,
		struct strbuf *sb)
{
	const struct snap_stmt *s;
	size_t n = snapshots_statements(sn, &s);
	if (!n)
		return;
	char c[8][64];
	fputs("### Statements (`pg_stat_statements`)\n\n"
	      "| # | fingerprint | query | calls | calls in logs | total ms | mean ms "
	      "| rows/call | hit % | temp blks/call |\n"
	      "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n", out);
	for (size_t i = 0; i < n && i < top; i++) {
		char hex[17];
		fp_format(s[i].fingerprint, hex);
		fprintf(out, "| %zu | `%s` | ", i + 1, hex);
		md_code(out, s[i].query, 80, true, sb);
		double temp = s[i].temp_written >= 0 ? s[i].temp_read + s[i].temp_written : -1;
		snprintf(c[4], sizeof(c[4]), "%.1f", s[i].rows / s[i].calls);
		if (temp >= 0)
			snprintf(c[6], sizeof(c[6]), "%.1f", temp / s[i].calls);
		else
			snprintf(c[6], sizeof(c[6]), "-");
		fprintf(out, " | %s | %s | %s | %s | %s | %s | %s |\n",
			md_fmt_count((uint64_t)s[i].calls, c[0], sizeof(c[0])),
			s[i].in_logs ? md_fmt_count(s[i].log_calls, c[1], sizeof(c[1])) : "-",
			md_fmt_ms(s[i].total_ms, c[2], sizeof(c[2])),
			md_fmt_ms(s[i].total_ms / s[i].calls, c[3], sizeof(c[3])),
			c[4],
			s[i].blks_hit < 0 ? "-" : pct(s[i].blks_hit, s[i].blks_hit + s[i].blks_read,
				c[5], sizeof(c[5])), c[6]);
	}
	fputc('\n', out);
	if (n > top)
		fprintf(out, "%zu more statement%s in the JSON report (`-f json`).\n\n", n - top,
			md_s(n - top));
}

static void md_tables(FILE *out, const struct snapshots *sn, struct strbuf *sb)
{
	const struct snap_table *t;
	size_t n = snapshots_tables(sn, &t);
	if (!n)
		return;
	char c[10][64];
	fputs("### Tables\n\n"
	      "| table | rows | seq scans | rows read by seq scans | index scans "
	      "| dead tuples | dead % | last vacuum | heap hit % |\n"
	      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n", out);
	for (size_t i = 0; i < n && i < MD_STATS_MAX_ROWS; i++) {
		fputs("| ", out);
		sb_reset(sb);
		char name[512];
		snprintf(name, sizeof(name), "%s%s%s", t[i].schema ? t[i].schema : "",
			t[i].schema ? "." : "", t[i].name);
		md_code(out, name, 0, true, sb);
		int64_t live = t[i].n_live_tup > 0 ? t[i].n_live_tup :
			t[i].rows_estimate > 0 ? t[i].rows_estimate : 0;
		const char *vac = t[i].last_autovacuum ? t[i].last_autovacuum : t[i].last_vacuum;
		fprintf(out, " | %s | %s | %s | %s | %s | %s | ",
			cnt(t[i].rows_estimate, c[0], sizeof(c[0])),
			cnt(t[i].seq_scan, c[1], sizeof(c[1])),
			cnt(t[i].seq_tup_read, c[2], sizeof(c[2])),
			cnt(t[i].idx_scan, c[3], sizeof(c[3])),
			cnt(t[i].n_dead_tup, c[4], sizeof(c[4])),
			t[i].n_dead_tup < 0 ? "-" : pct((double)t[i].n_dead_tup,
				(double)live + (double)t[i].n_dead_tup, c[5], sizeof(c[5])));
		if (vac)
			md_code(out, vac, 0, true, sb);
		else
			fputs("-", out);
		fprintf(out, " | %s |\n", t[i].heap_blks_read < 0 ? "-" :
			pct((double)t[i].heap_blks_hit, (double)(t[i].heap_blks_hit +
				t[i].heap_blks_read), c[6], sizeof(c[6])));
	}
	fputc('\n', out);
}

static void md_indexes(FILE *out, const struct snapshots *sn, struct strbuf *sb)
{
	const struct snap_index *x;
	size_t n = snapshots_indexes(sn, &x);
	if (!n)
		return;
	char c[4][64];
	fputs("### Indexes\n\n"
	      "| index | table | bytes | scans | scans ever | unique |\n"
	      "| --- | --- | ---: | ---: | ---: | --- |\n", out);
	for (size_t i = 0; i < n && i < MD_STATS_MAX_ROWS; i++) {
		fputs("| ", out);
		md_code(out, x[i].name, 0, true, sb);
		fputs(" | ", out);
		md_code(out, x[i].table, 0, true, sb);
		fprintf(out, " | %s | %s | %s | %s |\n",
			cnt(x[i].bytes, c[0], sizeof(c[0])),
			cnt(x[i].scans, c[1], sizeof(c[1])),
			cnt(x[i].scans_ever, c[2], sizeof(c[2])),
			x[i].primary ? "primary key" : x[i].unique ? "yes" : "no");
	}
	fputc('\n', out);
}

void md_write_stats(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	const struct snapshots *sn = a->snapshots;
	if (!snapshots_given(sn))
		return;
	size_t top = opts && opts->top ? opts->top : 20;
	fputs("## Statistics\n\n", out);
	for (int v = STAT_PGSS; v <= STAT_VIEW_LAST; v++)
		view_line(out, sn, (enum stat_view)v);
	const char *const *notes;
	size_t nn = snapshots_notes(sn, &notes);
	for (size_t i = 0; i < nn; i++) {
		fprintf(out, "- Note: %s\n", notes[i]);
	}
	fputc('\n', out);
	md_statements(out, sn, top, sb);
	md_tables(out, sn, sb);
	md_indexes(out, sn, sb);
}
