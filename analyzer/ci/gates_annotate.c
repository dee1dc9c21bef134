/* gates_annotate.c: `pgsift check`'s verdict as GitHub Actions workflow
 * commands (see gates.h), which GitHub shows as annotations on the run
 * and the pull request: an error for each failed gate and each critical
 * finding, a warning for each warning finding.
 *
 * GitHub reads these commands from a step's output, one a line; values
 * are escaped as its toolkit does (%25 %0D %0A in the message, and %3A
 * %2C too in a property such as title=), so that no text from a log can
 * end the command early or start another. Controls are shown escaped
 * first (text_escape.h), as in every other output. GitHub shows at most
 * ten errors and ten warnings of a step: past that, findings are counted
 * in one last line of their level instead of written. */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "baseline.h"
#include "findings.h"
#include "gates.h"
#include "strbuf.h"
#include "text_escape.h"

#define ANNOTATIONS_SHOWN 10    /* of each level, GitHub's limit per step */

/* s as a command's message (property false) or property value. */
static void put_escaped(FILE *out, const char *s, bool property)
{
	struct strbuf sb = STRBUF_INIT;

	tesc_append(&sb, s ? s : "", s ? strlen(s) : 0, TESC_KEEP_NL | TESC_KEEP_TAB);
	for (size_t i = 0; i < sb.len; i++) {
		char ch = sb.buf[i];
		if (ch == '%')
			fputs("%25", out);
		else if (ch == '\r')
			fputs("%0D", out);
		else if (ch == '\n')
			fputs("%0A", out);
		else if (property && ch == ':')
			fputs("%3A", out);
		else if (property && ch == ',')
			fputs("%2C", out);
		else
			fputc(ch, out);
	}
	sb_release(&sb);
}

static void command(FILE *out, const char *level, const char *title,
		const char *message)
{
	fprintf(out, "::%s title=", level);
	put_escaped(out, title, true);
	fputs("::", out);
	put_escaped(out, message, false);
	fputc('\n', out);
}

/* A finding worth an annotation: of level sev, and not one the baseline
 * had already (which the gates do not count either). */
static bool news(const struct check_result *c, const struct finding *f,
		enum finding_severity sev)
{
	return f->severity == sev && !(c->baseline && f->kind != FK_regression &&
		baseline_has_finding(c->baseline, f));
}

/* The findings of one severity, in at most `room` lines: the last says
 * how many more there are when they do not all fit. */
static void findings_at_level(FILE *out, const struct check_result *c,
		const struct analysis *a, enum finding_severity sev, size_t room)
{
	const char *level = sev == FS_CRITICAL ? "error" : "warning";
	size_t n = findings_count(a->findings), total = 0, shown = 0;
	char title[192];
	struct strbuf msg = STRBUF_INIT;

	for (size_t i = 0; i < n; i++)
		total += news(c, findings_at(a->findings, i), sev);
	size_t fit = total <= room ? total : room ? room - 1 : 0;
	for (size_t i = 0; i < n && shown < fit; i++) {
		const struct finding *f = findings_at(a->findings, i);
		if (!news(c, f, sev))
			continue;
		shown++;
		snprintf(title, sizeof(title), "pgsift: %s finding %s",
			finding_severity_name(sev), finding_kind_name(f->kind));
		sb_reset(&msg);
		sb_append(&msg, f->title, strlen(f->title));
		if (f->suggestion) {
			static const char sep[] = "\nSuggestion:\n";
			sb_append(&msg, sep, sizeof(sep) - 1);
			sb_append(&msg, f->suggestion, strlen(f->suggestion));
		}
		command(out, level, title, msg.buf);
	}
	if (shown < total && room) {
		snprintf(title, sizeof(title), "pgsift: %zu more %s finding%s", total - shown,
			finding_severity_name(sev), total - shown == 1 ? "" : "s");
		command(out, level, title, "See the report (pgsift report -f md, "
			"or the job summary) for all of them.");
	}
	sb_release(&msg);
}

int gates_annotate(FILE *out, const struct check_result *c,
		const struct analysis *a)
{
	char title[GATE_RULE_MAX + 64], line[1024];
	size_t errors = 0;

	if (!c || !c->results)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct gate_result *r = &c->results[i];
		if (!r->failed)
			continue;
		snprintf(title, sizeof(title), "pgsift: gate %s failed", r->rule.text);
		command(out, "error", title, gate_result_describe(r, line, sizeof(line)));
		errors++;
	}
	findings_at_level(out, c, a, FS_CRITICAL,
		errors < ANNOTATIONS_SHOWN ? ANNOTATIONS_SHOWN - errors : 0);
	findings_at_level(out, c, a, FS_WARNING, ANNOTATIONS_SHOWN);
	return ferror(out) ? -1 : 0;
}
