/* parse_ctx.c: how parsers report on their input (see parser.h).
 *
 * Every count and message of an input goes through here, so that a
 * skipped line is always counted the same way (in skipped and, when it
 * comes with a reason, in nproblems) whichever parser met it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "parser.h"
#include "util.h"

static void add_problem(struct input_report *r, uint64_t line, const char *msg)
{
	r->nproblems++;
	if (r->nkept < INPUT_MAX_PROBLEMS) {
		r->problems[r->nkept].line = line;
		r->problems[r->nkept].message = xstrdup(msg);
		r->nkept++;
	}
}

static void add_problem_v(struct input_report *r, uint64_t line, const char *fmt,
		va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	add_problem(r, line, msg);
}

void parse_problem(struct parse_ctx *ctx, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_problem_v(ctx->report, line, fmt, ap);
	va_end(ap);
}

void parse_skip(struct parse_ctx *ctx, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	ctx->report->skipped++;
	va_start(ap, fmt);
	add_problem_v(ctx->report, line, fmt, ap);
	va_end(ap);
}

void parse_skipped(struct parse_ctx *ctx, uint64_t n)
{
	ctx->report->skipped += n;
}

void parse_note(struct parse_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct input_report *r = ctx->report;
	r->notes = xrealloc(r->notes, (r->nnotes + 1) * sizeof(*r->notes));
	r->notes[r->nnotes++] = xstrdup(msg);
}

void parse_report_release(struct input_report *r)
{
	if (!r)
		return;
	free(r->path);
	for (size_t k = 0; k < r->nkept; k++)
		free(r->problems[k].message);
	for (size_t k = 0; k < r->nnotes; k++)
		free(r->notes[k]);
	free(r->notes);
	r->path = NULL;
	r->notes = NULL;
	r->nkept = r->nnotes = 0;
}
