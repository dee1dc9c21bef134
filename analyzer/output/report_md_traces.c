/* report_md_traces.c: the Markdown "N+1 loops" section (every n_plus_one
 * finding, from traces and logs, with its numbers and the query to write
 * instead) and database time per transaction name, when spans were read. */
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "report_md.h"
#include "traces.h"

/* The transactions or applications of a loop, comma-separated. */
static void names_cell(FILE *out, const char *names)
{
	struct strbuf tmp = STRBUF_INIT;
	md_code(out, names ? names : "", 60, true, &tmp);
	sb_release(&tmp);
}

static void md_loops(FILE *out, const struct analysis *a, size_t top,
		struct strbuf *sb)
{
	size_t n = 0;
	for (size_t i = 0; i < findings_count(a->findings); i++)
		if (findings_at(a->findings, i)->kind == FK_n_plus_one)
			n++;
	if (!n)
		return;
	char ms[64];
	fputs("## N+1 loops\n\n"
		"A query run once per row of the query before it, in one request "
		"(traces) or one backend (logs).\n\n"
		"| # | seen in | repeated query | after | where | loops | repeats min / median / max | time ms | transactions / applications |\n"
		"| ---: | --- | --- | --- | --- | ---: | ---: | ---: | --- |\n", out);
	size_t k = 0;
	for (size_t i = 0; i < findings_count(a->findings) && k < top; i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (f->kind != FK_n_plus_one)
			continue;
		const struct finding_loop *l = &f->loop;
		fprintf(out, "| %zu | %s | ", ++k, l->from_log ? "log" : "trace");
		md_code(out, l->repeated_query ? l->repeated_query : "", 60, true, sb);
		fputs(" | ", out);
		md_code(out, l->source_query ? l->source_query : "", 40, true, sb);
		fputs(" | ", out);
		md_code(out, l->where ? l->where : "", 40, true, sb);
		fprintf(out, " | %llu | %llu / %llu / %llu | %s | ",
			(unsigned long long)l->occurrences,
			(unsigned long long)l->repeats_min,
			(unsigned long long)l->repeats_median,
			(unsigned long long)l->repeats_max,
			md_fmt_ms(f->impact_ms, ms, sizeof(ms)));
		names_cell(out, l->names);
		fputs(" |\n", out);
	}
	fputs("\n", out);
	k = 0;
	for (size_t i = 0; i < findings_count(a->findings) && k < top; i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (f->kind != FK_n_plus_one)
			continue;
		fprintf(out, "**%zu.** Example: %s `%s`.\n\n", ++k,
			f->loop.from_trace_example ? "trace" : "backend",
			f->loop.example ? f->loop.example : "");
		if (f->suggestion)
			md_code_block(out, "sql", f->suggestion, 4096);
		fputs("\n", out);
	}
	if (n > top)
		fprintf(out, "%zu more loop%s in the JSON report (`-f json`).\n\n", n - top,
			md_s(n - top));
}

static void md_transactions(FILE *out, const struct analysis *a, size_t top,
		struct strbuf *sb)
{
	size_t n;
	const struct traces_txn *t = traces_transactions(a->traces, &n);
	uint64_t spans, db;
	traces_counts(a->traces, &spans, &db);
	if (!n)
		return;
	char c1[32], c2[32], ms[64], tx[64];
	fprintf(out, "## Database time per transaction\n\n%s span%s read, %s of them database "
		"quer%s.\n\n", md_fmt_count(spans, c1, sizeof(c1)), md_s(spans),
		md_fmt_count(db, c2, sizeof(c2)), db == 1 ? "y" : "ies");
	fputs("| transaction | count | db spans | db time ms | transaction time ms | db share | N+1 loops |\n"
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n", out);
	for (size_t i = 0; i < n && i < top; i++) {
		fputs("| ", out);
		md_code(out, t[i].name, 60, true, sb);
		fprintf(out, " | %s | %s | %s | %s | ", md_fmt_count(t[i].count, c1, sizeof(c1)),
			md_fmt_count(t[i].db_spans, c2, sizeof(c2)), md_fmt_ms(t[i].db_ms, ms, sizeof(ms)),
			t[i].txn_ms > 0 ? md_fmt_ms(t[i].txn_ms, tx, sizeof(tx)) : "-");
		if (t[i].txn_ms > 0)
			fprintf(out, "%.0f %%", 100.0 * t[i].db_ms / t[i].txn_ms);
		else
			fputs("-", out);
		fprintf(out, " | %llu |\n", (unsigned long long)t[i].loops);
	}
	if (n > top)
		fprintf(out, "\n%zu more transaction%s in the JSON report (`-f json`).\n", n - top,
			md_s(n - top));
	fputs("\n", out);
}

void md_write_traces(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	size_t top = opts && opts->top ? opts->top : 20;
	md_loops(out, a, top, sb);
	if (a->traces)
		md_transactions(out, a, top, sb);
}
