/* snapshots_ages.c: the transaction ID ages of databases and relations,
 * from the last snapshot of the pg_database and pg_class age views (the
 * wraparound_risk finding reads them: findings_events.c). */
#include <stdlib.h>
#include <string.h>

#include "snapshots_int.h"
#include "strbuf.h"

static int cmp_age(const void *pa, const void *pb)
{
	const struct snap_age *x = pa, *y = pb;
	if (x->database != y->database)
		return x->database ? -1 : 1;
	if (x->xid_age != y->xid_age)
		return x->xid_age > y->xid_age ? -1 : 1;
	return strcmp(x->name, y->name);
}

void snap_build_ages(struct snapshots *sn)
{
	static const enum stat_view views[] = { STAT_DB_AGE, STAT_REL_AGE };
	size_t cap = sn->ndelta[STAT_DB_AGE] + sn->ndelta[STAT_REL_AGE];
	free(sn->ages);
	sn->ages = cap ? xcalloc(cap, sizeof(*sn->ages)) : NULL;
	sn->nages = 0;
	struct strbuf sb = STRBUF_INIT;
	for (size_t v = 0; v < ARRAY_SIZE(views); v++) {
		for (size_t i = 0; i < sn->ndelta[views[v]]; i++) {
			const struct snap_delta *d = &sn->delta[views[v]][i];
			const char *name = d->last->text[A_NAME];
			if (!name || !snap_has(d, A_XID_AGE))
				continue;
			const char *schema = d->last->text[A_SCHEMA];
			sb_reset(&sb);
			/* A regclass is qualified already when it needs to be. */
			if (schema && views[v] == STAT_REL_AGE && !strchr(name, '.')) {
				sb_append(&sb, schema, strlen(schema));
				sb_putc(&sb, '.');
			}
			sb_append(&sb, name, strlen(name));
			sn->ages[sn->nages++] = (struct snap_age){
				.name = snap_keep(sn, sb.buf),
				.database = views[v] == STAT_DB_AGE,
				.xid_age = snap_num(d, A_XID_AGE),
				.mxid_age = snap_num(d, A_MXID_AGE),
				.freeze_max_age = snap_num(d, A_FREEZE_MAX),
				.mxid_freeze_max_age = snap_num(d, A_MXID_FREEZE_MAX),
			};
		}
	}
	sb_release(&sb);
	if (sn->nages > 1)
		qsort(sn->ages, sn->nages, sizeof(*sn->ages), cmp_age);
}

size_t snapshots_ages(const struct snapshots *sn, const struct snap_age **out)
{
	*out = sn ? sn->ages : NULL;
	return sn ? sn->nages : 0;
}
