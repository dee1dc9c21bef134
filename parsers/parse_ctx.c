/* parse_ctx.c: how parsers report on their input (see parser.h).
 *
 * Every count and message of an input goes through here, so that a
 * skipped line is always counted the same way (in skipped and, when it
 * comes with a reason, in nproblems) whichever parser met it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_overlap.h"
#include "parser.h"
#include "util.h"

static void add_problem(struct input_report *r, uint64_t line, const char *msg)
{
	r->nproblems++;
	if (r->nkept < INPUT_MAX_PROBLEMS) {
		r->problems[r->nkept].line = line;
		r->problems[r->nkept].message = xstrdup(msg);
		r->skipped_text[r->nkept] = NULL;
		r->nkept++;
	}
}

/* The skipped line's text with the problem just kept for it, when it is
 * the line the reader returned last (README: skipped lines are shown
 * with their text); cut at a UTF-8 boundary. */
static void keep_text(struct parse_ctx *ctx, uint64_t line, uint64_t kept_before)
{
	struct input_report *r = ctx->report;
	size_t n;
	const char *s;
	if (r->nkept == kept_before || !ctx->lr || lr_lineno(ctx->lr) != line ||
			!(s = lr_line(ctx->lr, &n)))
		return;
	bool cut = n > PROBLEM_TEXT_MAX;
	if (cut) {
		n = PROBLEM_TEXT_MAX;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	char *t = xmalloc(n + 4);
	memcpy(t, s, n);
	memcpy(t + n, cut ? "..." : "", cut ? 4 : 1);
	r->skipped_text[r->nkept - 1] = t;
}

static void add_problem_v(struct input_report *r, uint64_t line, const char *fmt,
		va_list ap) __attribute__((format(printf, 3, 0)));

static void add_problem_v(struct input_report *r, uint64_t line, const char *fmt,
		va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	add_problem(r, line, msg);
}

void parse_report_problem(struct input_report *r, uint64_t line, const char *msg)
{
	add_problem(r, line, msg);
}

uint64_t input_line(const struct input_report *r, uint64_t line)
{
	uint64_t k = line >> INPUT_RANGE_SHIFT;
	if (!r->range_lines || k == 0 || k >= r->nranges)
		return line;
	return r->range_lines[k] + (line & ((1ull << INPUT_RANGE_SHIFT) - 1));
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
	size_t kept = ctx->report->nkept;
	ctx->report->skipped++;
	va_start(ap, fmt);
	add_problem_v(ctx->report, line, fmt, ap);
	va_end(ap);
	keep_text(ctx, line, kept);
}

void parse_long_lines(struct parse_ctx *ctx)
{
	const uint64_t *kept;
	size_t nkept;
	uint64_t n = lr_long_lines(ctx->lr, &kept, &nkept);
	for (size_t i = 0; i < nkept; i++)
		parse_skip(ctx, kept[i], "a line longer than %zu MiB, skipped", LR_LINE_MAX >> 20);
	if (n > nkept) {
		ctx->report->skipped += n - nkept;
		ctx->report->nproblems += n - nkept;
	}
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
	parse_report_add_note(ctx->report, xstrdup(msg));
}

void parse_report_add_note(struct input_report *r, char *note)
{
	r->notes = xrealloc(r->notes, (r->nnotes + 1) * sizeof(*r->notes));
	r->notes[r->nnotes++] = note;
}

static bool has_note(const struct input_report *r, const char *note)
{
	for (size_t k = 0; k < r->nnotes; k++)
		if (strcmp(r->notes[k], note) == 0)
			return true;
	return false;
}

/* The text of note after a leading count ("12 lines of ..."), or NULL
 * when it has none; *n gets the count. */
static const char *after_count(const char *note, unsigned long long *n)
{
	char *end;
	if (*note < '0' || *note > '9')
		return NULL;
	*n = strtoull(note, &end, 10);
	return *end == ' ' ? end : NULL;
}

/* A counted note a later piece of the input also made ("N lines of other
 * programs ..."): its count goes into dst's, as one reader counts it.
 * Returns false when dst has none of its kind. */
static bool add_counted(struct input_report *dst, const char *note)
{
	unsigned long long a, b;
	const char *rest = after_count(note, &b);
	if (!rest)
		return false;
	for (size_t k = 0; k < dst->nnotes; k++) {
		const char *r = after_count(dst->notes[k], &a);
		if (!r || strcmp(r, rest) != 0)
			continue;
		char *sum;
		if (asprintf(&sum, "%llu%s", a + b, r) < 0)
			abort();
		free(dst->notes[k]);
		dst->notes[k] = sum;
		return true;
	}
	return false;
}

void parse_report_join(struct input_report *dst, struct input_report *src,
		uint64_t line_base)
{
	dst->records += src->records;
	dst->skipped += src->skipped;
	dst->nproblems += src->nproblems;
	for (size_t k = 0; k < src->nkept && dst->nkept < INPUT_MAX_PROBLEMS; k++) {
		struct problem *pb = &src->problems[k];
		dst->problems[dst->nkept].line = pb->line ? pb->line + line_base : 0;
		dst->skipped_text[dst->nkept] = src->skipped_text[k];
		src->skipped_text[k] = NULL;
		dst->problems[dst->nkept++].message = pb->message;
		pb->message = NULL;
	}
	for (size_t k = 0; k < src->nnotes; k++) {
		if (add_counted(dst, src->notes[k]) || has_note(dst, src->notes[k]))
			continue;
		parse_report_add_note(dst, src->notes[k]);
		src->notes[k] = NULL;
	}
	dst->truncated |= src->truncated;
	input_sample_join(dst, src);
	parse_report_release(src);
}

size_t parse_first_line(const char *buf, size_t len,
		bool (*starts)(void *arg, const char *line, size_t n), void *arg)
{
	size_t at = 0;
	const char *nl;
	while (at < len && (nl = memchr(buf + at, '\n', len - at))) {
		size_t n = (size_t)(nl - buf) - at;
		if (n && buf[at + n - 1] == '\r')
			n--;
		if (starts(arg, buf + at, n))
			return at;
		at = (size_t)(nl - buf) + 1;
	}
	return len;
}

static bool starts_object(void *arg, const char *line, size_t n)
{
	(void)arg;
	return n && line[0] == '{';
}

size_t parse_object_line_start(void *state, const char *buf, size_t len)
{
	(void)state;
	return parse_first_line(buf, len, starts_object, NULL);
}

void parse_report_release(struct input_report *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->range_lines);
	r->range_lines = NULL;
	r->nranges = 0;
	for (size_t k = 0; k < r->nkept; k++) {
		free(r->problems[k].message);
		free(r->skipped_text[k]);
		r->skipped_text[k] = NULL;
	}
	for (size_t k = 0; k < r->nnotes; k++)
		free(r->notes[k]);
	free(r->notes);
	free(r->sample);
	r->sample = NULL;
	r->path = NULL;
	r->notes = NULL;
	r->nkept = r->nnotes = 0;
}
