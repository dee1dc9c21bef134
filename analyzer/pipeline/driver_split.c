/* driver_split.c: one input on every core, with the answer of one.
 *
 * The input is cut into pieces at record starts (the parser's
 * record_start; split_pieces.c), the pieces are parsed on jobs workers,
 * and each record goes to the shard of its backend (pid): each worker,
 * with its own sinks, applies its shard's records piece after piece, in
 * file order. So every backend's records reach one ingest, one events and
 * one traces state in the order the server wrote them, and what the sinks
 * keep per backend (a plan waiting for its duration line, a message
 * waiting for its DETAIL, an open session or lock wait, a run of N+1
 * calls) is never cut:
 * nothing per backend is carried across a cut, because no cut separates a
 * backend from its past. What depends on the order across backends (the
 * peak of sessions open at once, what was seen first) the sinks settle
 * from each record's line number, which is the file's, not the piece's.
 *
 * Memory stays bounded: at most in_flight pieces are read ahead of the
 * slowest shard, in reused buffers. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input_overlap.h"
#include "split_int.h"
#include "timeutil.h"
#include "util.h"

/* ---- which shard applies a backend's records ---- */

/* A worker's memory of the assignments it has looked up. */
#define PIDCACHE 256
struct pidcache {
	int64_t pid[PIDCACHE];          /* 0: empty */
	unsigned char shard[PIDCACHE];
};

static size_t pid_slot(int64_t pid, size_t mask)
{
	return (size_t)(((uint64_t)pid * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static void pidmap_grow(struct pidmap *m)
{
	struct pidmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 1024;
	m->pid = xcalloc(m->cap, sizeof(*m->pid));
	m->shard = xcalloc(m->cap, sizeof(*m->shard));
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.pid[i])
			continue;
		size_t j = pid_slot(old.pid[i], m->cap - 1);
		while (m->pid[j])
			j = (j + 1) & (m->cap - 1);
		m->pid[j] = old.pid[i];
		m->shard[j] = old.shard[i];
	}
	free(old.pid);
	free(old.shard);
}

/* The shard of pid's records (pid 0 stands for "not logged"). A backend
 * goes to the shard with the fewest records so far when it is first seen,
 * and stays there. A hash of the pid put three of the four busy backends
 * of a pooled log on one shard of two (the other idled); pools are a few
 * backends doing everything, so balance by load. */
static unsigned shard_of(struct split *sp, struct pidcache *pc, int64_t pid)
{
	if (pid <= 0)
		pid = 0x7fffffffffffffffLL;     /* one backend for all unknown */
	size_t c = (size_t)pid & (PIDCACHE - 1);
	if (pc->pid[c] == pid)
		return pc->shard[c];
	pthread_mutex_lock(&sp->lock);
	struct pidmap *m = &sp->pids;
	if (2 * (m->used + 1) > m->cap)
		pidmap_grow(m);
	size_t j = pid_slot(pid, m->cap - 1);
	while (m->pid[j] && m->pid[j] != pid)
		j = (j + 1) & (m->cap - 1);
	if (!m->pid[j]) {
		unsigned best = 0;
		for (unsigned k = 1; k < sp->nshards; k++)
			if (sp->load[k] < sp->load[best])
				best = k;
		m->pid[j] = pid;
		m->shard[j] = (unsigned char)best;
		m->used++;
		sp->load[best] += 1000;         /* a new backend weighs something */
	}
	unsigned s = m->shard[j];
	pthread_mutex_unlock(&sp->lock);
	pc->pid[c] = pid;
	pc->shard[c] = (unsigned char)s;
	return s;
}

/* ---- the workers: each parses pieces and applies its shard ---- */

/* A worker's parser: one state for all the pieces it parses, so that
 * what it learns (stderr's prefix memo of the busy backends) is not lost
 * every megabyte: a fresh state per piece cost 170 ms more prefix
 * matching on the 1 GB log. Parsers without a reset op get a fresh state
 * per piece. */
struct wparser {
	struct parse_ctx ctx;
	void *st;
};

static void parse_piece(struct split *sp, struct wparser *wp, struct piece *pc,
		struct pidcache *cache)
{
	const struct parser *p = sp->parser;
	struct input_report *rep = &pc->rep;
	struct parse_ctx *ctx = &wp->ctx;
	ctx->report = rep;
	if (!split_read_piece(sp, pc, ctx))
		return;
	ctx->lr = lr_open_view(pc->slot->text, (size_t)pc->len);
	if (wp->st && p->reset)
		p->reset(wp->st);
	else
		wp->st = p->fork(sp->tmpl, ctx);
	if (wp->st) {
		struct record rec;
		for (;;) {
			memset(&rec, 0, sizeof(rec));
			rec.u.log.pid = rec.u.log.leader_pid = -1;
			if (p->next(wp->st, &rec) <= 0)
				break;
			rep->records++;
			if (rec.kind == REC_LOG_ENTRY && sp->cfg->sample_entries)
				input_sample_entry(rep, &rec.u.log);
			driver_settle(&sp->w, &rec);
			unsigned home = shard_of(sp, cache, rec.u.log.pid);
			recbatch_add(&pc->slot->batch[home], &rec, pc->slot->text,
				(size_t)pc->len);
			if (!driver_server_wide(&sp->shards[0], &rec))
				continue;
			rec.copy = true;
			for (unsigned k = 0; k < sp->nshards; k++)
				if (k != home)
					recbatch_add(&pc->slot->batch[k], &rec, pc->slot->text,
						(size_t)pc->len);
		}
		if (!p->reset) {
			p->close(wp->st);
			wp->st = NULL;
		}
	}
	parse_long_lines(ctx);
	if (lr_error(ctx->lr)) {
		parse_problem(ctx, lr_lineno(ctx->lr), "%s", lr_error(ctx->lr));
		rep->truncated = true;
	}
	pc->lines = lr_lineno(ctx->lr);
	pc->bytes = lr_bytes_in(ctx->lr);
	lr_close(ctx->lr);
	ctx->lr = NULL;
}

/* Applies shard's records of the piece, whose lines start after base. */
static void apply_piece(struct split *sp, unsigned shard, struct piece *pc,
		uint64_t base)
{
	const struct sinks *sinks = &sp->shards[shard];
	struct recbatch *b = &pc->slot->batch[shard];
	struct record rec;
	size_t pos = 0;
	while (recbatch_next(b, &pos, &rec, pc->slot->text)) {
		rec.u.log.line += base;
		driver_feed(sinks, sp->input, &rec);
	}
	recbatch_clear(b);
}

struct worker {
	pthread_t thread;
	struct split *sp;
	unsigned shard;
};

/* N workers on N cores, each the applier of one shard and a parser of
 * pieces: it applies its shard's next piece as soon as it is parsed
 * (right after parsing it, the piece is still in this core's cache) and
 * otherwise parses the next piece. Separate parser and applier threads
 * (2N on N cores) spent 60% more CPU time in all. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct split *sp = w->sp;
	struct wparser wp = { .ctx = { .path = sp->path, .opts = &sp->cfg->popts } };
	struct pidcache *cache = xcalloc(1, sizeof(*cache));
	size_t next_apply = 0;
	uint64_t base = 0;              /* lines before piece next_apply */

	pthread_mutex_lock(&sp->lock);
	for (;;) {
		struct piece *pc = next_apply < sp->n ? split_piece(sp, next_apply) : NULL;
		if (pc && pc->ready) {
			pthread_mutex_unlock(&sp->lock);
			apply_piece(sp, w->shard, pc, base);
			base += pc->lines;
			next_apply++;
			pthread_mutex_lock(&sp->lock);
			if (--pc->left == 0) {
				while (sp->applied < sp->n &&
						split_piece(sp, sp->applied)->left == 0)
					sp->applied++;
				pthread_cond_broadcast(&sp->changed);
			}
		} else if (sp->next_parse < sp->n &&
				sp->next_parse < sp->applied + sp->in_flight) {
			size_t i = sp->next_parse++;
			struct piece *todo = split_piece(sp, i);
			todo->slot = &sp->slots[i % sp->in_flight];
			pthread_mutex_unlock(&sp->lock);
			parse_piece(sp, &wp, todo, cache);
			pthread_mutex_lock(&sp->lock);
			for (unsigned k = 0; k < sp->nshards; k++)
				sp->load[k] += todo->slot->batch[k].n;
			todo->ready = true;
			pthread_cond_broadcast(&sp->changed);
		} else if (sp->all_in && next_apply >= sp->n) {
			break;
		} else {
			pthread_cond_wait(&sp->changed, &sp->lock);
		}
	}
	pthread_mutex_unlock(&sp->lock);
	if (wp.st)
		sp->parser->close(wp.st);
	free(cache);
	const struct sinks *sinks = &sp->shards[w->shard];
	for (size_t i = 0; i < sinks->n; i++)
		if (sinks->v[i].ops->end_input)
			sinks->v[i].ops->end_input(sinks->v[i].state, sp->input);
	return NULL;
}

/* Runs the workers; a stream's pieces are made on this thread meanwhile. */
static void run_threads(struct split *sp, struct input_report *r)
{
	unsigned j = sp->nshards;
	struct worker *w = xcalloc(j, sizeof(*w));
	for (unsigned k = 0; k < j; k++) {
		w[k] = (struct worker){ .sp = sp, .shard = k };
		pthread_create(&w[k].thread, NULL, worker_main, &w[k]);
	}
	if (sp->fd < 0)
		split_stream_pieces(sp, r);
	for (unsigned k = 0; k < j; k++)
		pthread_join(w[k].thread, NULL);
	free(w);
}

bool driver_split_input(const struct driver_cfg *cfg, const char *path,
		size_t input, const struct sinks *shards, unsigned jobs,
		struct input_report *r)
{
	char err[256];
	struct stat sb;
	if (jobs < 2 || strcmp(path, "-") == 0 || stat(path, &sb) != 0 ||
			!S_ISREG(sb.st_mode))
		return false;
	uint64_t size = (uint64_t)sb.st_size;
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	if (!lr)
		return false;
	bool plain = lr_compression(lr) == INPUT_PLAIN;
	uint64_t piece = split_piece_size(plain ? size : 0, jobs);
	/* The size first: the format is known only after decompressing the
	 * first bytes, which the caller does again for an input not cut. */
	const struct parser *p = plain && size < 2 * piece ? NULL : driver_cut_parser(cfg, lr);
	if (!p) {
		lr_close(lr);
		return false;
	}

	/* The template: opened on the whole input, as -j 1 opens it, so it
	 * detects and notes the same; the pieces are its forks. */
	struct parse_ctx ctx = { .path = path, .opts = &cfg->popts, .report = r,
		.lr = lr };
	r->path = xstrdup(path);
	r->format = p->id;
	r->compression = lr_compression(lr);
	struct split sp = { .cfg = cfg, .parser = p, .path = path, .input = input,
		.shards = shards, .nshards = jobs, .in_flight = (size_t)jobs + 1,
		.fd = -1, .size = size, .piece = piece,
		.w = { .filter = cfg->filter, .since = TS_NONE, .until = TS_NONE } };
	sp.tmpl = p->open(&ctx);
	if (!sp.tmpl) {
		r->unreadable = true;
		r->bytes = lr_bytes_in(lr);
		lr_close(lr);
		return true;
	}
	sp.blocks = xcalloc(PIECE_BLOCKS, sizeof(*sp.blocks));
	if (plain) {
		sp.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (sp.fd < 0) {
			parse_problem(&ctx, 0, "cannot open: %s", strerror(errno));
			r->unreadable = true;
			goto done;
		}
		split_file_pieces(&sp);
	} else {
		sp.lr = lr;
	}
	sp.slots = xcalloc(sp.in_flight, sizeof(*sp.slots));
	sp.load = xcalloc(jobs, sizeof(*sp.load));
	for (size_t i = 0; i < sp.in_flight; i++)
		sp.slots[i].batch = xcalloc(jobs, sizeof(*sp.slots[i].batch));
	driver_window_resolve(&sp.w, p, sp.tmpl, path, &cfg->popts, lr);
	pthread_mutex_init(&sp.lock, NULL);
	pthread_cond_init(&sp.changed, NULL);
	run_threads(&sp, r);
	pthread_cond_destroy(&sp.changed);
	pthread_mutex_destroy(&sp.lock);

	uint64_t base = 0;
	for (size_t i = 0; i < sp.n; i++) {
		struct piece *pc = split_piece(&sp, i);
		r->unreadable |= pc->rep.unreadable;
		parse_report_join(r, &pc->rep, base);
		base += pc->lines;
		r->bytes += pc->bytes;
	}
	r->lines = base;
	if (!plain) {
		r->bytes = lr_bytes_in(lr);
		if (lr_error(lr))
			parse_problem(&ctx, base, "%s", lr_error(lr));
	}
	for (size_t i = 0; i < sp.in_flight; i++) {
		for (unsigned k = 0; k < jobs; k++)
			recbatch_release(&sp.slots[i].batch[k]);
		free(sp.slots[i].batch);
		free(sp.slots[i].text);
	}
	free(sp.slots);
	free(sp.load);
	free(sp.pids.pid);
	free(sp.pids.shard);
	if (sp.fd >= 0)
		close(sp.fd);
done:
	for (size_t b = 0; b < PIECE_BLOCKS && sp.blocks[b]; b++)
		free(sp.blocks[b]);
	free(sp.blocks);
	p->close(sp.tmpl);
	lr_close(lr);
	return true;
}
