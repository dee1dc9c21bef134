/* report_md_findings.c: the Markdown "What to fix first" section: the
 * findings, most severe first, then by what each change saves after the
 * ones above it (findings_rank()), each in one line (severity, kind,
 * time at stake and its share of the run, what it saves when findings
 * above share its statements, what was found) with its change to make
 * below it. The JSON report has the full evidence. */
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "report_md.h"
#include "text_escape.h"

/* Plain text with Markdown's inline syntax escaped, on one line, controls
 * shown escaped (text_escape.h). */
static void md_text(FILE *out, const char *s)
{
	size_t n = strlen(s);
	char esc[TESC_UNIT_MAX];

	for (size_t i = 0; i < n;) {
		const char *o;
		size_t olen, k = tesc_unit(s + i, n - i, TESC_SPACE, esc, &o, &olen);
		if (o == s + i && k == 1 && strchr("\\`*_[]<>|#", s[i]))
			fputc('\\', out);
		fwrite(o, 1, olen, out);
		i += k;
	}
}

void md_finding_stakes(FILE *out, const struct analysis *a, size_t i)
{
	const struct finding *f = findings_at(a->findings, i);
	size_t ranks[4], nr = finding_shares(a->findings, i, ranks, 4);
	char ms[64];

	if (f->impact_ms > 0) {
		fprintf(out, " (%s ms", md_fmt_ms(f->impact_ms, ms, sizeof(ms)));
		if (a->total_ms > 0)
			fprintf(out, ", %.1f%% of all time", 100.0 * f->impact_ms / a->total_ms);
		/* Overlap said where it is: "#1 and #3 share its
		 * statements: saves 12.5 ms more". */
		if (nr) {
			fputs("; ", out);
			for (size_t k = 0; k < nr; k++)
				fprintf(out, "%s#%zu", k == 0 ? "" : k + 1 == nr ?
						" and " : ", ", ranks[k]);
			fprintf(out, " share%s its statements: saves %s ms more",
					nr == 1 ? "s" : "",
					md_fmt_ms(f->saves_ms, ms, sizeof(ms)));
		} else {
			/* Less than its own statements' total: say so
			 * when it shows. */
			char sv[64];
			md_fmt_ms(f->impact_ms, ms, sizeof(ms));
			if (strcmp(md_fmt_ms(f->saves_ms, sv, sizeof(sv)), ms) != 0)
				fprintf(out, "; saves %s ms", sv);
		}
		fputs(")", out);
	}
	const char *one_off = json_string_value(json_object_get(f->evidence,
			"one_off_statement"));
	if (one_off)
		fprintf(out, " (one-off: %s, no application work; ranked "
				"last, `--all-kinds` ranks it as found)",
				strcmp(one_off, "write") == 0 ? "a bulk load run once" :
				strcmp(one_off, "ddl") == 0 ? "DDL" : one_off);
}

void md_finding_counts(const struct analysis *a, size_t count[3])
{
	count[0] = count[1] = count[2] = 0;
	for (size_t i = 0; i < findings_count(a->findings); i++) {
		enum finding_severity s = findings_at(a->findings, i)->severity;
		if ((size_t)s < 3)
			count[s]++;
	}
}

void md_write_findings(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	size_t n = findings_count(a->findings);
	if (n == 0)
		return;
	size_t top = opts && opts->top ? opts->top : 20;
	size_t count[3];
	(void)sb;

	md_finding_counts(a, count);
	fputs("## What to fix first\n\n", out);
	fprintf(out, "%zu finding%s: %zu critical, %zu warning, %zu info. "
		"Time at stake is the total time of the statements a change would "
		"help. Most severe first, then by what each change saves after the "
		"ones above it: a statement's time is counted once, so where "
		"findings share statements the later ones save less.\n\n",
		n, n == 1 ? "" : "s", count[FS_CRITICAL], count[FS_WARNING], count[FS_INFO]);
	for (size_t i = 0; i < n && i < top; i++) {
		const struct finding *f = findings_at(a->findings, i);
		fprintf(out, "**%zu. %s** `%s`", i + 1, finding_severity_name(f->severity),
			finding_kind_name(f->kind));
		md_finding_stakes(out, a, i);
		fputs(": ", out);
		md_text(out, f->title);
		fputs("\n\n", out);
		if (f->suggestion)
			md_code_block(out, "sql", f->suggestion, 4096);
	}
	if (n > top)
		fprintf(out, "%zu more finding%s in the JSON report (`-f json`).\n\n", n - top,
			md_s(n - top));
}
