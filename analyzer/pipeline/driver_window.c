/* driver_window.c: the window and filter stage of the driver (see
 * sink.h): settles each record's verdict once, before any sink sees it. */
#include "driver_int.h"
#include "filter.h"
#include "timeutil.h"

static void settle_log(struct driver_window *w, const struct log_entry *e,
		struct record_verdict *v)
{
	if (!w->filter) {
		*v = (struct record_verdict){ true, true, true };
		return;
	}
	if (e->ts_ms != TS_NONE && !w->known) {
		int off = 0;
		if (e->tz_known)
			ts_zone_offset(e->tz.ptr, e->tz.len, &off);
		filter_window(w->filter, e->ts_ms, off, &w->since, &w->until);
		w->known = true;
	}
	v->in_window = e->ts_ms == TS_NONE
		|| filter_in_window(w->since, w->until, e->ts_ms);
	v->names = filter_names(w->filter, e->db, e->user, e->app);
	v->names_present = v->names
		|| filter_names_present(w->filter, e->db, e->user, e->app);
}

void driver_settle(struct driver_window *w, struct record *rec)
{
	if (rec->kind == REC_LOG_ENTRY)
		settle_log(w, &rec->u.log, &rec->v);
	else
		rec->v = (struct record_verdict){ true, true, true };
}

void driver_feed(const struct sinks *sinks, size_t input, const struct record *rec)
{
	unsigned bit = REC_BIT(rec->kind);
	for (size_t i = 0; i < sinks->n; i++) {
		const struct sink_ops *ops = sinks->v[i].ops;
		if (!(ops->kinds & bit))
			continue;
		if (rec->copy && !(ops->server_wide && ops->server_wide(rec)))
			continue;
		ops->consume(sinks->v[i].state, input, rec);
	}
}

bool driver_server_wide(const struct sinks *sinks, const struct record *rec)
{
	for (size_t i = 0; i < sinks->n; i++)
		if (sinks->v[i].ops->server_wide && sinks->v[i].ops->server_wide(rec))
			return true;
	return false;
}
