/* snapshots.c: placeholder until the snapshots module lands (issue 5). */
#include <stdlib.h>

#include "snapshots.h"
#include "util.h"

struct snapshots {
	struct fp_cache *fp;
};

struct snapshots *snapshots_new(struct fp_cache *fp)
{
	struct snapshots *sn = xcalloc(1, sizeof(*sn));
	sn->fp = fp;
	return sn;
}

void snapshots_free(struct snapshots *sn)
{
	free(sn);
}

void snapshots_row(struct snapshots *sn, size_t input, const struct stat_row *r)
{
	(void)sn;
	(void)input;
	(void)r;
}

void snapshots_end_input(struct snapshots *sn, size_t input)
{
	(void)sn;
	(void)input;
}

void snapshots_merge(struct snapshots *dst, struct snapshots *src)
{
	(void)dst;
	(void)src;
}

size_t snapshots_indexes(const struct snapshots *sn, const struct snap_index **out)
{
	(void)sn;
	*out = NULL;
	return 0;
}

int64_t snapshots_table_rows(const struct snapshots *sn, const char *table)
{
	(void)sn;
	(void)table;
	return -1;
}

void snapshots_pass(struct analysis *a, const struct pgsift_options *o)
{
	(void)a;
	(void)o;
}
