/* pgmsg_int.h: the logline family's private pieces of statement messages. */
#ifndef PGSIFT_PGMSG_INT_H
#define PGSIFT_PGMSG_INT_H

#include <stdbool.h>

#include "strbuf.h"
#include "util.h"

/* The top-level "Query Text" of the JSON plan body plan, read by a scan
 * of the text. True when the scan is sure of the answer: *out is then the
 * unescaped string written into sb, or an empty slice when the plan (a
 * valid JSON object) has no string "Query Text". False when only jansson
 * can tell (invalid, truncated or unusual JSON); sb may then be changed. */
bool pgmsg_json_query(struct slice plan, struct strbuf *sb, struct slice *out);

#endif
