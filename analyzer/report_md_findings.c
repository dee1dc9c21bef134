/* report_md_findings.c: the Markdown "What to fix first" section: the
 * findings, most severe and costly first, each in one line with its change
 * to make. The JSON report has the full evidence. */
#include <stdio.h>

#include "findings.h"
#include "report_md.h"

void md_write_findings(FILE *out, const struct analysis *a,
		const struct pgsift_options *opts, struct strbuf *sb)
{
	size_t n = findings_count(a->findings);
	if (n == 0)
		return;
	size_t top = opts && opts->top ? opts->top : 20;
	char ms[64], human[64];

	fputs("## What to fix first\n\n", out);
	for (size_t i = 0; i < n && i < top; i++) {
		const struct finding *f = findings_at(a->findings, i);
		fprintf(out, "%zu. **%s** `%s`: ", i + 1, finding_severity_name(f->severity),
			finding_kind_name(f->kind));
		md_code(out, f->title, 0, false, sb);
		if (f->impact_ms > 0)
			fprintf(out, " (%s ms%s)", md_fmt_ms(f->impact_ms, ms, sizeof(ms)),
				md_fmt_human(f->impact_ms, human, sizeof(human)));
		fputs("\n", out);
		if (f->suggestion) {
			fputs("\n", out);
			md_code_block(out, "sql", f->suggestion, 4096);
		}
		fputs("\n", out);
	}
	if (n > top)
		fprintf(out, "%zu more findings in the JSON report (`-f json`).\n\n", n - top);
}
