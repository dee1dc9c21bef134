/* fuzz_analysis.c: libFuzzer harness for the whole analysis
 * (analysis_run(): detection, parsers, sinks, passes, findings, advice)
 * and every writer on its result, built by `make fuzz`.
 *
 * The first byte sets options a user may give (bit 0 --show-literals,
 * bit 1 --all-kinds, bit 2 every group with its members, bit 3 --top 3);
 * the rest is one input file, its format detected. Every writer must
 * succeed, and what the JSON writer writes must read with jansson: a
 * report that is not JSON loses everything in it. The seeds are the
 * project's real logs, traces and snapshots, in small pieces
 * (tests/fuzz/seeds_inputs.py). */
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static const char *const formats[] = { "md", "json", "text" };

static void write_all(const struct analysis *a, const struct pgsift_options *o)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f)
			abort();
		int rc = report_find(formats[i])->write(f, a, o);
		if (fclose(f) != 0 || rc != 0) {
			fprintf(stderr, "the %s writer failed\n", formats[i]);
			abort();
		}
		if (strcmp(formats[i], "json") == 0) {
			json_error_t err;
			json_t *root = json_loadb(buf, len, 0, &err);
			if (!root) {
				fprintf(stderr, "the JSON report does not read: %s at line %d\n",
						err.text, err.line);
				abort();
			}
			json_decref(root);
		}
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-analysis-%ld.log", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	o.show_literals = data[0] & 1;
	o.all_kinds = data[0] & 2;
	if (data[0] & 4)
		o.detail_groups = UINT_MAX;
	if (data[0] & 8)
		o.top = 3;
	const char *paths[] = { path };
	struct analysis *a = NULL;
	enum analysis_status st = analysis_run(&o, paths, 1, &a);
	if (!a)
		abort();        /* always set, even on error */
	if (st == ANALYSIS_OK || st == ANALYSIS_PARTIAL)
		write_all(a, &o);
	analysis_free(a);
	unlink(path);
	return 0;
}
