/* traces_load.c: the "traces" object of a saved JSON report read back
 * into a struct traces (see report_load.h): the span counts and the
 * database time per transaction, which is what the writers read. The
 * spans themselves are not saved. */
#include <math.h>
#include <string.h>

#include "report_load.h"
#include "traces_int.h"

struct traces *traces_load_json(const json_t *o)
{
	struct traces *tr = traces_new(NULL);
	const json_t *arr = json_object_get(o, "transactions");
	size_t i;
	const json_t *t;

	tr->nread = rl_uint(o, "spans");
	tr->nqueries = rl_uint(o, "db_spans");
	tr->txns = xcalloc(json_array_size(arr) + 1, sizeof(*tr->txns));
	json_array_foreach(arr, i, t) {
		struct traces_txn *x = &tr->txns[tr->ntxns++];
		const char *name = rl_str(t, "name");
		double db = rl_num(t, "db_ms"), txn = rl_num(t, "txn_ms");
		x->name = tr_strdup(tr, name ? name : "", name ? strlen(name) : 0);
		x->count = rl_uint(t, "count");
		x->db_spans = rl_uint(t, "db_spans");
		x->db_ms = isnan(db) ? 0 : db;
		x->txn_ms = isnan(txn) ? 0 : txn;
		x->loops = rl_uint(t, "n_plus_one");
	}
	return tr;
}
