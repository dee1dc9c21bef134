/* fuzz_parse.c: libFuzzer harness for every input format (parsers/)
 * through the core's own driver (driver_run_input()), built by `make fuzz`.
 *
 * The first byte picks the parser: below the registry's length, that
 * parser (as --input-format gives it); anything else, detection from the
 * content, as a run without --input-format does. The rest is the input,
 * read from memory by the driver's line reader. A sink of the harness
 * reads every byte of every record's slices, so that a slice past the
 * parser's buffer is caught by the sanitizers, and checks what the
 * driver's report promises: every kept problem is counted, has its text
 * and a line within the input. The seeds are the project's real logs, one piece per
 * format (tests/fuzz/seeds_inputs.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "parser.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned char sum;      /* keeps the reads below */

static void touch(struct slice s)
{
	if (s.len && !s.ptr)
		abort();
	for (size_t i = 0; i < s.len; i++)
		sum ^= (unsigned char)s.ptr[i];
}

static void touch_log(const struct log_entry *e)
{
	const struct slice v[] = { e->tz, e->user, e->db, e->app, e->host, e->session,
		e->sqlstate, e->query_id, e->backend_type, e->message, e->detail,
		e->hint, e->context, e->statement, e->internal_query };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		touch(v[i]);
}

static void touch_span(const struct span_record *s)
{
	const struct slice v[] = { s->trace_id, s->span_id, s->parent_id, s->op,
		s->description, s->transaction, s->db_system, s->hash, s->db,
		s->user, s->app };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		touch(v[i]);
}

static void consume(void *state, size_t input, const struct record *r)
{
	(void)state;
	(void)input;
	switch (r->kind) {
	case REC_LOG_ENTRY:
	case REC_POOLER:
		touch_log(&r->u.log);
		break;
	case REC_SPAN:
		touch_span(&r->u.span);
		break;
	case REC_STAT_ROW:
		for (size_t i = 0; i < r->u.row.ncols; i++) {
			touch(r->u.row.names[i]);
			touch(r->u.row.values[i]);
		}
		break;
	default:
		abort();        /* a record of no known kind */
	}
}

static const struct sink_ops toucher = {
	.name = "fuzz",
	.kinds = REC_BIT(REC_LOG_ENTRY) | REC_BIT(REC_SPAN) | REC_BIT(REC_STAT_ROW) |
		REC_BIT(REC_POOLER),
	.consume = consume,
};

static size_t nparsers(void)
{
	size_t n = 0;
	while (parser_registry[n])
		n++;
	return n;
}

static void check_report(const struct input_report *r)
{
	if (r->nkept > INPUT_MAX_PROBLEMS || r->nkept > r->nproblems)
		abort();        /* a problem kept without being counted */
	for (size_t i = 0; i < r->nkept; i++)
		if (!r->problems[i].message || r->problems[i].line > r->lines + 1)
			abort();        /* a problem past the input's lines */
	for (size_t i = 0; i < r->nnotes; i++)
		if (!r->notes[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t n = nparsers();
	struct driver_cfg cfg = { .input_format = data[0] < n ?
		parser_registry[data[0]]->id : NULL };
	/* An exact copy: a read past the input's end is caught. */
	char *buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	struct line_reader *lr = lr_open_mem(buf, size - 1);
	/* Small reads: records then cross the reader's refills (and the 1 MiB
	 * default costs more to allocate under ASan than a whole run). */
	lr_set_chunk_size(lr, 4096);
	struct sink sink = { .ops = &toucher };
	struct sinks sinks = { .v = &sink, .n = 1 };
	struct input_report r;
	memset(&r, 0, sizeof(r));
	driver_run_input(&cfg, "fuzz.log", lr, 0, &sinks, &r);
	check_report(&r);
	parse_report_release(&r);
	lr_close(lr);
	free(buf);
	return 0;
}
