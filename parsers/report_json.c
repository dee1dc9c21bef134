/* report_json.c: a saved pgsift JSON report (`pgsift report -f json`) as
 * an input format, "report-json".
 *
 * A report is not a stream of records: it is the finished model, which
 * the one loader (report_load.h) reads whole. So this entry is for
 * detection and --input-format only; analysis_run() sees an input this
 * probe claims and returns the loaded model instead of running the
 * driver (analysis.c). The driver reaches open() only for a report it
 * could not hand over: one on standard input that was not announced
 * with --input-format report-json (standard input cannot be read twice). */
#include <stddef.h>

#include "parser.h"
#include "report_load.h"

static void *report_json_open(struct parse_ctx *ctx)
{
	parse_problem(ctx, 0, "a saved pgsift report on standard input needs "
		"--input-format report-json");
	return NULL;
}

static int report_json_next(void *state, struct record *out)
{
	(void)state;
	(void)out;
	return 0;
}

static void report_json_close(void *state)
{
	(void)state;
}

const struct parser parser_report_json = {
	.id = "report-json", .name = "pgsift JSON report (schema 1)",
	.probe = report_load_probe,
	.open = report_json_open, .next = report_json_next, .close = report_json_close,
};
