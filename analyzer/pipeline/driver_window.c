/* driver_window.c: the window and filter stage of the driver (see
 * sink.h): settles each record's verdict once, before any sink sees it. */
#include <string.h>

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
	if (rec->kind == REC_LOG_ENTRY || rec->kind == REC_POOLER)
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
		if (rec->shadow && !ops->joins)
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

void driver_window_resolve(struct driver_window *w, const struct parser *p,
		void *tmpl, const char *path, const struct parse_options *opts,
		struct line_reader *lr)
{
	if (!w->filter)
		return;
	size_t len;
	const char *buf = lr_peek(lr, (size_t)1 << 20, &len);
	struct input_report scratch = { 0 };
	struct parse_ctx ctx = { .path = path, .opts = opts,
		.report = &scratch, .lr = lr_open_view(buf, len) };
	void *st = p->fork(tmpl, &ctx);
	struct record rec;
	while (st && !w->known) {
		memset(&rec, 0, sizeof(rec));
		rec.u.log.pid = rec.u.log.leader_pid = -1;
		if (p->next(st, &rec) <= 0)
			break;
		driver_settle(w, &rec);
	}
	if (st)
		p->close(st);
	lr_close(ctx.lr);
	parse_report_release(&scratch);
}
