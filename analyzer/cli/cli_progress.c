/* cli_progress.c: the progress bar on standard error while the analysis
 * reads its inputs: "pgsift: 312.5 of 1,024.0 MB (30%)  85.3 MB/s  0:08
 * left", one line redrawn with \r from analysis.h's progress hook (a
 * thread of the core's, every 100 ms) and erased at the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"

/* A run this large, or this long, gets the bar by default: a small log
 * is read before the bar would say anything. */
#define AUTO_BYTES ((uint64_t)64 << 20)
#define AUTO_SECONDS 1.0

struct cli_progress {
	FILE *out;
	bool tty;               /* redraw in place, erase at the end */
	bool forced;            /* --progress: from the first call */
	bool shown;             /* something drawn */
	double start;
	uint64_t done, total;   /* the last call's */
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* MB with a thousands separator: "1,024.0". */
static void fmt_mb(uint64_t bytes, char *buf, size_t len)
{
	uint64_t tenths = (bytes * 10 + 524288) / 1048576;
	uint64_t whole = tenths / 10;
	if (whole >= 1000)
		snprintf(buf, len, "%llu,%03llu.%llu", (unsigned long long)(whole / 1000),
			(unsigned long long)(whole % 1000), (unsigned long long)(tenths % 10));
	else
		snprintf(buf, len, "%llu.%llu", (unsigned long long)whole,
			(unsigned long long)(tenths % 10));
}

static void draw(struct cli_progress *p, double elapsed)
{
	char done[32], total[32], line[160];
	double rate = elapsed > 0 ? (double)p->done / 1048576.0 / elapsed : 0;
	fmt_mb(p->done, done, sizeof(done));
	int n;
	if (p->total) {
		uint64_t d = p->done < p->total ? p->done : p->total;
		fmt_mb(p->total, total, sizeof(total));
		n = snprintf(line, sizeof(line), "pgsift: %s of %s MB (%u%%)",
			done, total, (unsigned)(d * 100 / p->total));
		/* No rate before a byte is read: "0.0 MB/s" says nothing. */
		if (rate > 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  %.1f MB/s", rate);
		if (rate > 0 && d < p->total) {
			double left = (double)(p->total - d) / 1048576.0 / rate;
			unsigned s = left > 359999 ? 359999 : (unsigned)(left + 0.5);
			if (s >= 3600)
				n += snprintf(line + n, sizeof(line) - (size_t)n, "  %u:%02u:%02u left",
					s / 3600, s / 60 % 60, s % 60);
			else
				n += snprintf(line + n, sizeof(line) - (size_t)n, "  %u:%02u left",
					s / 60, s % 60);
		}
	} else {
		n = snprintf(line, sizeof(line), "pgsift: %s MB read", done);
		if (rate > 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  %.1f MB/s", rate);
	}
	/* \r and the erase to the end of the line: a shorter line leaves no
	 * tail of the last one. */
	fprintf(p->out, "\r%s%s", line, p->tty ? "\033[K" : "");
	fflush(p->out);
	p->shown = true;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	double elapsed = now_s() - p->start;
	p->done = done;
	p->total = total;
	if (p->forced || p->shown || total > AUTO_BYTES || elapsed > AUTO_SECONDS)
		draw(p, elapsed);
}

struct cli_progress *cli_progress_start(struct cli_args *a, FILE *out)
{
	bool tty = isatty(fileno(out));
	if (a->progress == CLI_PROGRESS_OFF ||
			(a->progress == CLI_PROGRESS_AUTO && (a->quiet || !tty)))
		return NULL;
	/* Someone typing the input: a bar of "0.0 MB read" would only be in
	 * their way. */
	if (a->progress == CLI_PROGRESS_AUTO && isatty(STDIN_FILENO))
		for (size_t i = 0; i < a->ninputs; i++)
			if (strcmp(a->inputs[i], "-") == 0)
				return NULL;
	struct cli_progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;    /* no bar is no harm */
	p->out = out;
	p->tty = tty;
	p->forced = a->progress == CLI_PROGRESS_ON;
	p->start = now_s();
	a->o.progress = on_progress;
	a->o.progress_ctx = p;
	return p;
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p)
		return;
	if (p->shown) {
		/* A terminal gets its line back; anything else (--progress into a
		 * file or a pipe) keeps the last figures on a line of their own. */
		fputs(p->tty ? "\r\033[K" : "\n", p->out);
		fflush(p->out);
	}
	free(p);
}
