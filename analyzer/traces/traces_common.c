/* traces_common.c: helpers the traces modules share (see traces_int.h):
 * strings in the traces' arena and loop occurrences.
 *
 * Apart from the span store (traces.c) so that the modules it calls
 * (traces_logloop.c) call down into here, never back into it. */
#include <stdlib.h>
#include <string.h>

#include "traces_int.h"
#include "util.h"

const char *tr_strdup(struct traces *tr, const char *s, size_t len)
{
	if (!len)
		return "";
	return arena_strndup(tr->arenas[0], s, len);
}

struct loop_occ *tr_add_occ(struct traces *tr)
{
	if (tr->nocc == tr->occ_cap) {
		tr->occ_cap = tr->occ_cap ? tr->occ_cap * 2 : 16;
		tr->occ = xrealloc(tr->occ, tr->occ_cap * sizeof(*tr->occ));
	}
	struct loop_occ *o = &tr->occ[tr->nocc++];
	memset(o, 0, sizeof(*o));
	return o;
}
