/* state_resume.c: per-backend state open where a --state run stops (see
 * state.h).
 *
 * Two kinds, handled two ways:
 * - Short-lived state, completed by the next lines of its backend: an
 *   auto_explain plan or a statement text waiting for its duration line,
 *   a message waiting for its DETAIL/STATEMENT parts. The run stops before
 *   the oldest such record (its first byte is where the next run starts),
 *   so that the next run reads it again with what completes it. Where to
 *   stop is found by reading the last TAIL_BYTES of the appended range
 *   into throw-away sinks (twice or more when backends interleave: a
 *   record open at the new stop may be older still), so the run itself
 *   reads its range once.
 * - Long-lived state: sessions still open, lock waits not yet ended,
 *   explicit transactions not yet committed, and the N+1 runs a later call
 *   may go on. They are carried in DIR/files (the "carry", written with the
 *   state primitives) and opened again in the events and traces sinks
 *   before the next run reads: a disconnection then closes a session
 *   opened runs ago, the peak of sessions counts them from the input's
 *   start, a loop of calls is one run however many runs it spans. */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "../pipeline/ingest.h"
#include "fingerprint.h"
#include "input.h"
#include "sink.h"
#include "state.h"
#include "traces.h"
#include "util.h"

/* How far back from the end of the appended bytes an open record is
 * looked for; one further back is settled where the run stops, as at the
 * end of any input. A plan and its duration line are a few lines apart. */
#define TAIL_BYTES ((size_t)4 << 20)
/* Passes over the tail before the stop is taken as it is. */
#define MAX_PROBES 4

/* The offset in buf of line number line (1: the first). */
static size_t line_offset(const char *buf, size_t len, uint64_t line)
{
	size_t off = 0;
	for (uint64_t l = 1; l < line && off < len; l++) {
		const char *nl = memchr(buf + off, '\n', len - off);
		if (!nl)
			return len;
		off = (size_t)(nl - buf) + 1;
	}
	return off;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The line (in buf) of the oldest record still open once buf[0..len) is
 * read, 0 when none is. */
static uint64_t oldest_open(const struct driver_cfg *cfg, const char *path,
		const char *buf, size_t len)
{
	struct agg *agg = agg_new();
	struct fp_cache *fp = fp_cache_new();
	struct sink_ops ops[2] = { ingest_sink_ops, events_sink_ops };
	struct sink v[2] = {
		{ &ops[0], ingest_new(agg, fp, cfg->filter, NULL) },
		{ &ops[1], events_new(fp) },
	};
	struct sinks list = { v, 2 };
	struct input_report r = { 0 };
	/* What is open at the end is what is asked: nothing is settled. */
	ops[0].end_input = ops[1].end_input = NULL;
	struct line_reader *lr = lr_open_mem(buf, len);
	driver_run_input(cfg, path, lr, 0, &list, &r);
	lr_close(lr);
	uint64_t pos = min_u64(ingest_oldest_open(v[0].state),
		events_state_oldest_held(v[1].state));
	ingest_free(v[0].state);
	events_free(v[1].state);
	agg_free(agg);
	fp_cache_free(fp);
	parse_report_release(&r);
	return pos == UINT64_MAX ? 0 : pos & ((1ull << 40) - 1);
}

void state_plan_cut(struct state_plan *p, size_t i, const struct driver_cfg *cfg)
{
	const char *buf = p->buf[i];
	size_t len = p->len[i], tail = 0;
	if (len > TAIL_BYTES) {
		const char *nl = memchr(buf + len - TAIL_BYTES, '\n', TAIL_BYTES);
		tail = nl ? (size_t)(nl - buf) + 1 : len;
	}
	size_t stop = len;
	for (int k = 0; k < MAX_PROBES && stop > tail; k++) {
		uint64_t line = oldest_open(cfg, p->paths[i], buf + tail, stop - tail);
		if (line == 0)
			break;
		size_t at = tail + line_offset(buf + tail, stop - tail, line);
		/* The tail's first record may have begun before it: not a
		 * place to stop at unless the tail is the whole range. */
		if (at >= stop || (at == tail && tail > 0))
			break;
		stop = at;
	}
	p->len[i] = stop;
	p->ids[i].end = p->ids[i].start + stop;
}

void state_read_appended(struct state_plan *p, size_t i,
		const struct driver_cfg *cfg, size_t input, const struct sinks *s,
		struct events *ev, struct input_report *r)
{
	struct sink_ops held[8];
	const struct sink_ops *orig[8];
	size_t n = s->n < 8 ? s->n : 8;
	struct traces *tr = NULL;
	/* The sinks settle their ends below, once the open state is taken. */
	for (size_t k = 0; k < n; k++) {
		orig[k] = s->v[k].ops;
		held[k] = *orig[k];
		held[k].end_input = NULL;
		s->v[k].ops = &held[k];
		if (orig[k] == &traces_sink_ops)
			tr = s->v[k].state;
	}
	if (p->carry[i]) {
		struct st_in in = { (const unsigned char *)p->carry[i],
			(const unsigned char *)p->carry[i] + p->carry_len[i], false, NULL, 0 };
		if (!events_state_load_open(ev, &in, input) ||
				(tr && !traces_load_open(tr, &in)) || in.p != in.end) {
			r->notes = xrealloc(r->notes, (r->nnotes + 1) * sizeof(*r->notes));
			r->notes[r->nnotes++] = xstrdup("the sessions, lock waits, "
				"transactions and N+1 runs left open by the last run could "
				"not be read back: not carried");
		}
	}
	struct line_reader *lr = lr_open_mem(p->buf[i], p->len[i]);
	driver_run_input(cfg, p->paths[i], lr, input, s, r);
	lr_close(lr);
	struct st_out o = { STRBUF_INIT };
	events_state_save_open(ev, &o);
	if (tr)
		traces_save_open(tr, &o);
	else
		st_u64(&o, 0);
	free(p->carry[i]);
	p->carry[i] = NULL;
	p->carry_len[i] = 0;
	static const char none[32];     /* no session, wait, transaction, run */
	if (o.sb.len == sizeof(none) && memcmp(o.sb.buf, none, sizeof(none)) == 0) {
		sb_release(&o.sb);
	} else {
		p->carry[i] = o.sb.buf;
		p->carry_len[i] = o.sb.len;
	}
	for (size_t k = 0; k < n; k++) {
		s->v[k].ops = orig[k];
		if (orig[k]->end_input)
			orig[k]->end_input(s->v[k].state, input);
	}
}
