/* model.c: the end of the model's life (struct analysis, analysis.h), and
 * the places (file:line) of its records.
 *
 * Apart from analysis.c, which runs an analysis, because the loader of a
 * saved report (analyzer/output/report_load*.c) makes the same model and
 * frees it on failure, and analysis.c hands a saved report to that
 * loader: each now depends on this file, not on the other. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "analysis.h"
#include "events.h"
#include "findings.h"
#include "parser.h"
#include "snapshots.h"
#include "traces.h"

void analysis_free(struct analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ninputs; i++)
		parse_report_release(&a->inputs[i]);
	free(a->inputs);
	free(a->place_joined);
	free(a->error);
	free(a->save_error);
	agg_free(a->agg);
	events_free(a->events);
	traces_free(a->traces);
	snapshots_free(a->snapshots);
	findings_free(a->findings);
	json_decref(a->saved_check);
	free(a->loaded_from);
	free(a);
}

bool analysis_place(const struct analysis *a, uint64_t pos, char *out,
		size_t outlen)
{
	size_t input = (size_t)(pos >> 40);
	uint64_t base = 0;
	if (outlen)
		out[0] = '\0';
	if (pos && input < a->nplaces_joined) {
		base = a->place_joined[input].line_base;
		input = a->place_joined[input].input;
	}
	if (!pos || input >= a->ninputs || !a->inputs[input].path)
		return false;
	uint64_t line = base + input_line(&a->inputs[input], pos & ((1ull << 40) - 1));
	int n = snprintf(out, outlen, "%s:%" PRIu64, a->inputs[input].path, line);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen)
			out[0] = '\0';
		return false;
	}
	return true;
}

uint64_t analysis_place_pos(const struct analysis *a, const char *place)
{
	const char *colon = place ? strrchr(place, ':') : NULL;
	if (!colon)
		return 0;
	char *end;
	unsigned long long line = strtoull(colon + 1, &end, 10);
	if (*end || end == colon + 1 || line >= (1ull << 40))
		return 0;
	size_t plen = (size_t)(colon - place);
	for (size_t i = 0; i < a->ninputs; i++) {
		const char *path = a->inputs[i].path;
		if (path && strlen(path) == plen && memcmp(path, place, plen) == 0)
			return CALL_POS(i, line);
	}
	return 0;
}
