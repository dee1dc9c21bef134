/* cli_messages.c: what pgsift says on standard error: usage errors, what
 * became of each input (notes, problems, skipped lines) and check's
 * verdict. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "exit_status.h"
#include "strbuf.h"
#include "text_escape.h"

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pgsift: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'pgsift --help'.\n", stderr);
	return EXIT_USAGE;
}

/* "pgsift: PATH[:LINE]: MESSAGE" on standard error, a terminal's: what
 * comes from the logs (a file name, a quoted line) shown escaped as in
 * the reports (text_escape.h). */
void cli_message(const char *path, unsigned long long line, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	if (!path)
		path = "-";
	sb_append(&sb, "pgsift: ", 8);
	tesc_append(&sb, path, strlen(path), TESC_SPACE);
	if (line) {
		char num[32];
		sb_append(&sb, num, (size_t)snprintf(num, sizeof(num), ":%llu", line));
	}
	sb_append(&sb, ": ", 2);
	tesc_append(&sb, msg, strlen(msg), TESC_SPACE);
	sb_putc(&sb, '\n');
	fputs(sb.buf, stderr);
	sb_release(&sb);
}

/* Message m of t (report_msgs_build()): as it is, or, when it is said
 * the same way (but for its figures) of more than REPORT_REPEATS_LISTED
 * inputs, once where it first comes: "pgsift: a.log, b.log, c.log and
 * 9,997 more inputs: NOTE". 10,000 inputs of one server would otherwise
 * say 10,000 times which log_line_prefix they have. */
static bool print_repeated(const struct analysis *a, const struct report_msgs *t,
		size_t m, struct strbuf *sb)
{
	const struct report_repeat *g = &t->rep[m];
	if (g->count > REPORT_REPEATS_LISTED && g->rank != 0)
		return false;
	report_msgs_where(t, a, m, sb);
	cli_message(sb->buf, 0, t->texts[m]);
	if (g->count > REPORT_REPEATS_LISTED && t->differs[m])
		fputs("pgsift: (figures of the first; the JSON report has each "
			"input's)\n", stderr);
	return true;
}

/* The text of a skipped line under its problem (said: printed), as
 * compilers show a source line: "   3 | pg_ctl: could not start server".
 * Returns whether it was shown. */
static bool print_text(const struct input_report *r, const struct report_msgs *t,
		size_t m, bool said)
{
	const struct problem *p = NULL;
	const char *text = NULL;
	for (size_t k = 0; k < r->nkept && !p; k++)
		if (r->problems[k].message == t->texts[m]) {
			p = &r->problems[k];
			text = r->skipped_text[k];
		}
	if (!said || !text)
		return false;
	struct strbuf sb = STRBUF_INIT;
	char num[32];
	sb_append(&sb, num, (size_t)snprintf(num, sizeof(num), "%8llu | ",
		(unsigned long long)input_line(r, p->line)));
	tesc_append(&sb, text, strlen(text), TESC_SPACE);
	sb_putc(&sb, '\n');
	fputs(sb.buf, stderr);
	sb_release(&sb);
	return true;
}

/* How many lines of r were skipped, and how many of them are shown
 * above with their text. */
static void print_skipped(const struct input_report *r, uint64_t shown)
{
	char msg[192];
	unsigned long long n = (unsigned long long)r->skipped;
	if (shown >= r->skipped)
		snprintf(msg, sizeof(msg), "%llu line%s skipped (not log records), "
			"shown above", n, n == 1 ? "" : "s");
	else if (shown)
		snprintf(msg, sizeof(msg), "%llu lines skipped (not log records): "
			"%llu shown above, and %llu more skipped line%s", n,
			(unsigned long long)shown, n - shown, n - shown == 1 ? "" : "s");
	else
		snprintf(msg, sizeof(msg), "%llu line%s skipped (not log records)",
			n, n == 1 ? "" : "s");
	cli_message(r->path, 0, msg);
}

void cli_input_messages(const struct analysis *a, bool quiet)
{
	struct report_msgs notes, problems;
	struct strbuf sb = STRBUF_INIT;
	char msg[128];
	size_t mn = 0, mp = 0;

	if (a->loaded_from)
		return;         /* the saved run's messages: in the report itself */
	report_msgs_build(&notes, a, false);
	report_msgs_build(&problems, a, true);
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *r = &a->inputs[i];
		for (; mn < notes.n && notes.input_of[mn] == i; mn++)
			if (!quiet)
				print_repeated(a, &notes, mn, &sb);
		uint64_t shown = 0;
		for (; mp < problems.n && problems.input_of[mp] == i; mp++) {
			bool said = print_repeated(a, &problems, mp, &sb);
			shown += print_text(r, &problems, mp, said);
		}
		if (r->nproblems > r->nkept) {
			snprintf(msg, sizeof(msg), "%llu more problems not shown",
				(unsigned long long)(r->nproblems - r->nkept));
			cli_message(r->path, 0, msg);
		}
		if (r->skipped)
			print_skipped(r, shown);
	}
	report_msgs_free(&problems);
	report_msgs_free(&notes);
	sb_release(&sb);
}

/* Says on standard error which gates failed (always) or that all passed. */
void cli_verdict(const struct check_result *c, bool quiet)
{
	char line[1024];
	for (size_t i = 0; i < c->n; i++) {
		const struct gate_result *r = &c->results[i];
		if (r->failed)
			fprintf(stderr, "pgsift: gate failed: %s: %s\n", r->rule.text,
				gate_result_describe(r, line, sizeof(line)));
	}
	if (c->failed)
		fputs("pgsift: check failed\n", stderr);
	else if (!quiet)
		fprintf(stderr, "pgsift: check passed (%zu gate%s%s)\n", c->n,
			c->n == 1 ? "" : "s", c->default_rules ? ": severity>=critical" : "");
}
