/* driver.c: pulls each input's records through the window and filter
 * stage into the sinks, on worker threads (see sink.h).
 *
 * Inputs are independent, so each one is handled whole by one worker
 * with its own sinks (no locks on the hot path); analysis.c merges the
 * workers' sinks at the end. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "sink.h"
#include "timeutil.h"
#include "util.h"

#define PEEK_BYTES (256 * 1024)

void sinks_call(const struct sinks *s, const void *from, const struct call *c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].ops->call && s->v[i].state != from)
			s->v[i].ops->call(s->v[i].state, c);
}

/* ---- the window and filter stage ---- */

/* The --since/--until window of one input, resolved on its first time
 * stamp (times of day are read on that day, in the log's own zone). */
struct window {
	const struct filter *filter;    /* NULL: everything passes */
	bool known;
	int64_t since, until;
};

static void settle_log(struct window *w, const struct log_entry *e,
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

static void settle(struct window *w, struct record *rec)
{
	if (rec->kind == REC_LOG_ENTRY)
		settle_log(w, &rec->u.log, &rec->v);
	else
		rec->v = (struct record_verdict){ true, true, true };
}

/* ---- one input ---- */

static const struct parser *pick_parser(const struct driver_cfg *cfg,
		struct parse_ctx *ctx, bool *stop)
{
	struct input_report *r = ctx->report;
	*stop = false;
	if (cfg->input_format)
		return parser_find(cfg->input_format);
	size_t len;
	const char *buf = lr_peek(ctx->lr, PEEK_BYTES, &len);
	const struct parser *p = parser_detect(buf, len);
	if (len == 0 && lr_error(ctx->lr)) {
		parse_problem(ctx, 0, "%s", lr_error(ctx->lr));
		r->unreadable = r->truncated = true;
		*stop = true;
	} else if (!p && len == 0) {
		/* An empty input is not an error: it holds nothing. */
		r->format = "empty";
		*stop = true;
	}
	return p;
}

static void pull(const struct parser *p, void *state, struct window *w,
		size_t input, const struct sinks *sinks, struct input_report *r)
{
	struct record rec;
	for (;;) {
		/* Parsers fill what their format has; the rest stays empty. */
		memset(&rec, 0, sizeof(rec));
		rec.u.log.pid = rec.u.log.leader_pid = -1;
		if (p->next(state, &rec) <= 0)
			break;
		r->records++;
		settle(w, &rec);
		unsigned bit = REC_BIT(rec.kind);
		for (size_t i = 0; i < sinks->n; i++)
			if (sinks->v[i].ops->kinds & bit)
				sinks->v[i].ops->consume(sinks->v[i].state, input, &rec);
	}
}

void driver_run_input(const struct driver_cfg *cfg, const char *path,
		struct line_reader *lr, size_t input, const struct sinks *sinks,
		struct input_report *r)
{
	struct parse_ctx ctx = { .path = path, .opts = &cfg->popts, .report = r,
		.lr = lr };
	struct window w = { .filter = cfg->filter, .since = TS_NONE, .until = TS_NONE };
	char err[256];
	bool stop;

	r->path = xstrdup(path);
	r->format = "unknown";
	if (!lr) {
		ctx.lr = lr_open(path, err, sizeof(err));
		if (!ctx.lr) {
			parse_problem(&ctx, 0, "%s", err);
			r->unreadable = true;
			return;
		}
	}
	r->compression = lr_compression(ctx.lr);
	const struct parser *p = pick_parser(cfg, &ctx, &stop);
	if (stop)
		goto done;
	if (!p) {
		parse_problem(&ctx, 0, "format not recognised (pass --input-format)");
		r->unreadable = true;
		goto done;
	}
	r->format = p->id;
	void *state = p->open(&ctx);
	if (!state) {
		r->unreadable = true;
		goto done;
	}
	pull(p, state, &w, input, sinks, r);
	p->close(state);
	for (size_t i = 0; i < sinks->n; i++)
		if (sinks->v[i].ops->end_input)
			sinks->v[i].ops->end_input(sinks->v[i].state, input);
	if (lr_error(ctx.lr)) {
		parse_problem(&ctx, lr_lineno(ctx.lr), "%s", lr_error(ctx.lr));
		r->truncated = true;
	}
done:
	r->lines = lr_lineno(ctx.lr);
	r->bytes = lr_bytes_in(ctx.lr);
	if (!lr)
		lr_close(ctx.lr);
}

/* ---- workers ---- */

struct shared {
	const struct driver_cfg *cfg;
	const char *const *paths;
	struct input_report *reports;
	size_t n;
	size_t next;            /* next input to take; under lock */
	pthread_mutex_t lock;
};

struct worker {
	pthread_t thread;
	struct shared *shared;
	const struct sinks *sinks;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->shared;
	for (;;) {
		pthread_mutex_lock(&sh->lock);
		size_t idx = sh->next++;
		pthread_mutex_unlock(&sh->lock);
		if (idx >= sh->n)
			break;
		driver_run_input(sh->cfg, sh->paths[idx], NULL, idx, w->sinks,
			&sh->reports[idx]);
	}
	return NULL;
}

void driver_run_all(const struct driver_cfg *cfg, const char *const *paths,
		size_t n, struct input_report *reports, const struct sinks *workers,
		unsigned jobs)
{
	struct shared sh = { .cfg = cfg, .paths = paths, .reports = reports, .n = n };
	struct worker *w = xcalloc(jobs ? jobs : 1, sizeof(*w));

	pthread_mutex_init(&sh.lock, NULL);
	for (unsigned i = 0; i < jobs; i++) {
		w[i].shared = &sh;
		w[i].sinks = &workers[i];
	}
	if (jobs <= 1) {
		w[0].shared = &sh;
		w[0].sinks = &workers[0];
		worker_main(&w[0]);     /* no thread: simpler to debug and profile */
	} else {
		for (unsigned i = 0; i < jobs; i++)
			pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		for (unsigned i = 0; i < jobs; i++)
			pthread_join(w[i].thread, NULL);
	}
	pthread_mutex_destroy(&sh.lock);
	free(w);
}
