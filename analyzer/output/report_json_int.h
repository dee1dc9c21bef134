/* report_json_int.h: the parts of the JSON report writer shared by its
 * files (report_json.c writes the document, report_json_groups.c the
 * groups in it). */
#ifndef PGSIFT_REPORT_JSON_INT_H
#define PGSIFT_REPORT_JSON_INT_H

#include <stdbool.h>

#include "analysis.h"
#include "strbuf.h"

/* A group is a member of the top-level "groups" array: at depth 2. */
#define RJ_GROUP_DEPTH 2
/* Examples a group past the detail limit keeps (the slowest first): with
 * literals masked none, as an example's query is then nearly always the
 * group's own (and on 20,000 distinct statements one example each was a
 * third of the report); with --show-literals the slowest, whose values
 * are what the user asked for. */
#define RJ_THIN_EXAMPLES(opts) ((opts)->show_literals ? 1u : 0u)

/* Buffers reused from group to group. */
struct rj_scratch {
	struct strbuf tmp;              /* cleaned names */
	struct strbuf text;             /* an example's query as shown */
	const struct analysis *a;       /* the groups' inputs: places */
};

#define RJ_SCRATCH_INIT(a) { STRBUF_INIT, STRBUF_INIT, (a) }

/* Appends GROUP g to out, laid out as jansson would dump it in the
 * "groups" array (its first line unindented: the caller puts the comma,
 * new line and indent before it). detail false leaves out the histogram
 * and timeline and keeps RJ_THIN_EXAMPLES examples. Returns 0, or -1
 * when the group's plan could not be dumped (ENOMEM). */
int rj_write_group(struct strbuf *out, const struct group *g,
		const struct pgsift_options *opts, bool detail,
		struct rj_scratch *s);
void rj_scratch_release(struct rj_scratch *s);

#endif
