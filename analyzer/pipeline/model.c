/* model.c: the end of the model's life (struct analysis, analysis.h).
 *
 * Apart from analysis.c, which runs an analysis, because the loader of a
 * saved report (analyzer/output/report_load*.c) makes the same model and
 * frees it on failure, and analysis.c hands a saved report to that
 * loader: each now depends on this file, not on the other. */
#include <stdlib.h>

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
