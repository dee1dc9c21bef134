/* driver_split.c: one plain input on every core, with the answer of one.
 *
 * The file is cut into pieces at record starts (the parser's
 * record_start), the pieces are parsed on jobs threads, and each record
 * goes to the shard of its backend (pid): jobs applier threads, each with
 * its own sinks, take their records piece after piece, in file order. So
 * every backend's records reach one ingest, one events and one traces
 * state in the order the server wrote them, and what the sinks keep per
 * backend (a plan waiting for its duration line, a message waiting for its
 * DETAIL, an open session or lock wait, a run of N+1 calls) is never cut:
 * nothing per backend is carried across a cut, because no cut separates a
 * backend from its past. What depends on the order across backends (the
 * peak of sessions open at once, what was seen first) the sinks settle
 * from each record's line number, which is the file's, not the piece's.
 *
 * Memory stays bounded: at most PIECES_IN_FLIGHT pieces are parsed ahead
 * of the slowest applier, and a piece's copied records are freed once
 * every shard has applied them. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver_int.h"
#include "parser.h"
#include "recbatch.h"
#include "timeutil.h"
#include "util.h"

/* Pieces: 1 MB at most (memory in flight; 256 KB pieces cost a context
 * switch each, 4 MB ones page faults), at least 64 KB, about eight
 * per thread on small inputs so that shards stay busy. A test hook,
 * PGSIFT_SPLIT_PIECE=BYTES, sets the size, to cut small real logs in many
 * places. */
#define PIECE_MAX ((uint64_t)1 << 20)
#define PIECE_MIN ((uint64_t)64 << 10)
/* Bytes read at a nominal cut to find a record start; a record longer
 * than this just moves the cut to the next piece. */
#define CUT_SCAN ((size_t)1 << 20)

/* ---- which shard applies a backend's records ---- */

/* A backend goes to the shard with the fewest records so far when it is
 * first seen, and stays there. A hash of the pid put three of the four
 * busy backends of a pooled log on one shard of two (the other idled);
 * pools are a few backends doing everything, so balance by load. */
struct pidmap {
	int64_t *pid;                   /* 0: free; open addressing */
	unsigned char *shard;
	size_t cap, used;
};

/* A parse thread's memory of the assignments it has looked up. */
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

/* A piece's bytes and its records per shard, which point into them. */
struct slot {
	char *text;
	size_t cap;
	struct recbatch *batch;         /* one per shard */
};

struct piece {
	uint64_t off, len;
	struct slot *slot;
	struct input_report rep;        /* its counts and problems, lines from 1 */
	uint64_t lines, bytes;
	bool ready;                     /* parsed */
	unsigned left;                  /* shards still to apply it */
};

struct split {
	const struct driver_cfg *cfg;
	const struct parser *parser;
	void *tmpl;                     /* the parser state opened on the whole input */
	const char *path;
	int fd;
	uint64_t size;
	uint64_t longest;               /* piece */
	size_t input;
	const struct sinks *shards;
	unsigned nshards;
	struct driver_window w;         /* resolved before the pieces start */
	struct piece *p;
	size_t n;
	/* Buffers are reused: piece i is read into slot i % in_flight, free
	 * by then (its pieces are applied), so that after the first pieces
	 * no page is faulted in again: with fresh buffers per piece, or the
	 * file mapped, page faults doubled -j 2's CPU time (measured). */
	struct slot *slots;
	size_t next_parse;              /* next piece to parse; under lock */
	size_t applied;                 /* pieces every shard has applied */
	size_t in_flight;               /* pieces parsed ahead at most */
	struct pidmap pids;             /* under lock */
	uint64_t *load;                 /* records routed to each shard; under lock */
	pthread_mutex_t lock;
	pthread_cond_t changed;         /* a piece parsed or applied */
};

static uint64_t piece_size(uint64_t size, unsigned jobs)
{
	const char *hook = getenv("PGSIFT_SPLIT_PIECE");
	if (hook && *hook) {
		uint64_t v = strtoull(hook, NULL, 10);
		return v ? v : 1;
	}
	uint64_t s = size / ((uint64_t)jobs * 8);
	if (s > PIECE_MAX)
		s = PIECE_MAX;
	if (s < PIECE_MIN)
		s = PIECE_MIN;
	return s;
}

/* The first record start at or after the line that follows byte at - 1
 * (at itself when it starts a line), or UINT64_MAX when none is found
 * within CUT_SCAN bytes. */
static uint64_t find_cut(const struct split *sp, uint64_t at, char *buf)
{
	uint64_t from = at - 1;         /* to see whether at starts a line */
	size_t want = (size_t)(sp->size - from < CUT_SCAN ? sp->size - from : CUT_SCAN);
	ssize_t n = pread(sp->fd, buf, want, (off_t)from);
	if (n <= 0)
		return UINT64_MAX;
	size_t got = (size_t)n;
	const char *nl = memchr(buf, '\n', got);
	if (!nl)
		return UINT64_MAX;
	size_t line = (size_t)(nl - buf) + 1;
	size_t k = sp->parser->record_start(sp->tmpl, buf + line, got - line);
	if (k >= got - line)
		return UINT64_MAX;
	return from + line + k;
}

/* Cuts [0, size) into pieces at record starts. */
static void make_pieces(struct split *sp, uint64_t piece)
{
	char *buf = xmalloc(CUT_SCAN);
	uint64_t size = sp->size;
	size_t cap = (size_t)(size / piece) + 2;
	sp->p = xcalloc(cap, sizeof(*sp->p));
	uint64_t start = 0;
	for (uint64_t at = piece; at < size && sp->n + 1 < cap; at += piece) {
		if (at <= start)
			continue;
		uint64_t cut = find_cut(sp, at, buf);
		if (cut == UINT64_MAX || cut <= start || cut >= size)
			continue;
		sp->p[sp->n++] = (struct piece){ .off = start, .len = cut - start };
		start = cut;
		if (at < cut)
			at = cut - cut % piece;
	}
	sp->p[sp->n++] = (struct piece){ .off = start, .len = size - start };
	for (size_t i = 0; i < sp->n; i++)
		if (sp->p[i].len > sp->longest)
			sp->longest = sp->p[i].len;
	free(buf);
}

/* Reads the piece into its slot's buffer; false on a read error
 * (reported). */
static bool read_piece(struct split *sp, struct piece *pc, struct parse_ctx *ctx)
{
	struct slot *sl = pc->slot;
	if (sl->cap < pc->len) {
		free(sl->text);
		sl->text = xmalloc((size_t)sp->longest);
		sl->cap = (size_t)sp->longest;
	}
	size_t done = 0;
	while (done < pc->len) {
		ssize_t n = pread(sp->fd, sl->text + done, (size_t)pc->len - done,
				(off_t)(pc->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			parse_problem(ctx, 0, "read error at byte %llu: %s",
				(unsigned long long)(pc->off + done),
				n < 0 ? strerror(errno) : "the file shrank while read");
			pc->rep.truncated = true;
			return false;
		}
		done += (size_t)n;
	}
	return true;
}

/* The shard of pid's records (pid 0 stands for "not logged"). */
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
	pc->slot = &sp->slots[(size_t)(pc - sp->p) % sp->in_flight];
	if (!read_piece(sp, pc, ctx))
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
	while (next_apply < sp->n) {
		struct piece *pc = &sp->p[next_apply];
		if (pc->ready) {
			pthread_mutex_unlock(&sp->lock);
			apply_piece(sp, w->shard, pc, base);
			base += pc->lines;
			next_apply++;
			pthread_mutex_lock(&sp->lock);
			if (--pc->left == 0) {
				while (sp->applied < sp->n && sp->p[sp->applied].left == 0)
					sp->applied++;
				pthread_cond_broadcast(&sp->changed);
			}
		} else if (sp->next_parse < sp->n &&
				sp->next_parse < sp->applied + sp->in_flight) {
			struct piece *todo = &sp->p[sp->next_parse++];
			pthread_mutex_unlock(&sp->lock);
			parse_piece(sp, &wp, todo, cache);
			pthread_mutex_lock(&sp->lock);
			for (unsigned k = 0; k < sp->nshards; k++)
				sp->load[k] += todo->slot ? todo->slot->batch[k].n : 0;
			todo->ready = true;
			pthread_cond_broadcast(&sp->changed);
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

/* ---- the pieces' reports into the input's ---- */

static bool has_note(const struct input_report *r, const char *note)
{
	for (size_t i = 0; i < r->nnotes; i++)
		if (strcmp(r->notes[i], note) == 0)
			return true;
	return false;
}

/* Adds the piece's report to r, its lines moved by base. */
static void join_report(struct input_report *r, struct input_report *pr,
		uint64_t base)
{
	r->records += pr->records;
	r->skipped += pr->skipped;
	r->nproblems += pr->nproblems;
	for (size_t i = 0; i < pr->nkept; i++) {
		struct problem *pb = &pr->problems[i];
		if (r->nkept < INPUT_MAX_PROBLEMS) {
			r->problems[r->nkept].line = pb->line ? pb->line + base : 0;
			r->problems[r->nkept++].message = pb->message;
			pb->message = NULL;
		}
	}
	for (size_t i = 0; i < pr->nnotes; i++) {
		if (has_note(r, pr->notes[i]))
			continue;
		r->notes = xrealloc(r->notes, (r->nnotes + 1) * sizeof(*r->notes));
		r->notes[r->nnotes++] = pr->notes[i];
		pr->notes[i] = NULL;
	}
	r->truncated |= pr->truncated;
	r->unreadable |= pr->unreadable;
	parse_report_release(pr);
}

/* The --since/--until window, resolved on the input's first time stamp
 * before the pieces start (-j 1 resolves it on the same record). */
static void resolve_window(struct split *sp)
{
	if (!sp->cfg->filter)
		return;
	for (size_t i = 0; i < sp->n && !sp->w.known; i++) {
		struct input_report scratch = { 0 };
		struct parse_ctx ctx = { .path = sp->path, .opts = &sp->cfg->popts,
			.report = &scratch };
		struct piece *pc = &sp->p[i];
		pc->slot = &sp->slots[0];
		if (!read_piece(sp, pc, &ctx)) {
			parse_report_release(&scratch);
			break;
		}
		ctx.lr = lr_open_view(pc->slot->text, (size_t)pc->len);
		void *st = sp->parser->fork(sp->tmpl, &ctx);
		struct record rec;
		while (st && !sp->w.known) {
			memset(&rec, 0, sizeof(rec));
			rec.u.log.pid = rec.u.log.leader_pid = -1;
			if (sp->parser->next(st, &rec) <= 0)
				break;
			driver_settle(&sp->w, &rec);
		}
		if (st)
			sp->parser->close(st);
		lr_close(ctx.lr);
		parse_report_release(&scratch);
	}
}

static void run_threads(struct split *sp)
{
	unsigned j = sp->nshards;
	struct worker *w = xcalloc(j, sizeof(*w));
	for (size_t i = 0; i < sp->n; i++)
		sp->p[i].left = j;
	for (unsigned k = 0; k < j; k++) {
		w[k] = (struct worker){ .sp = sp, .shard = k };
		pthread_create(&w[k].thread, NULL, worker_main, &w[k]);
	}
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
	uint64_t piece = piece_size(size, jobs);
	if (size < 2 * piece)
		return false;
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	if (!lr)
		return false;
	const struct parser *p = NULL;
	if (lr_compression(lr) == INPUT_PLAIN) {
		size_t len;
		const char *buf = lr_peek(lr, 256 * 1024, &len);
		p = cfg->input_format ? parser_find(cfg->input_format)
			: parser_detect(buf, len);
	}
	if (!p || !p->fork || !p->record_start) {
		lr_close(lr);
		return false;
	}

	/* The template: opened on the whole input, as -j 1 opens it, so it
	 * detects and notes the same; the pieces are its forks. */
	struct parse_ctx ctx = { .path = path, .opts = &cfg->popts, .report = r,
		.lr = lr };
	r->path = xstrdup(path);
	r->format = p->id;
	r->compression = INPUT_PLAIN;
	struct split sp = { .cfg = cfg, .parser = p, .path = path, .input = input,
		.shards = shards, .nshards = jobs, .in_flight = 2 * (size_t)jobs + 2,
		.w = { .filter = cfg->filter, .since = TS_NONE, .until = TS_NONE } };
	sp.tmpl = p->open(&ctx);
	if (!sp.tmpl) {
		r->unreadable = true;
		r->bytes = lr_bytes_in(lr);
		lr_close(lr);
		return true;
	}
	sp.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (sp.fd < 0) {
		parse_problem(&ctx, 0, "cannot open: %s", strerror(errno));
		r->unreadable = true;
		goto done;
	}
	sp.size = size;
	make_pieces(&sp, piece);
	sp.slots = xcalloc(sp.in_flight, sizeof(*sp.slots));
	sp.load = xcalloc(jobs, sizeof(*sp.load));
	for (size_t i = 0; i < sp.in_flight; i++)
		sp.slots[i].batch = xcalloc(jobs, sizeof(*sp.slots[i].batch));
	resolve_window(&sp);
	pthread_mutex_init(&sp.lock, NULL);
	pthread_cond_init(&sp.changed, NULL);
	run_threads(&sp);
	pthread_cond_destroy(&sp.changed);
	pthread_mutex_destroy(&sp.lock);

	uint64_t base = 0;
	for (size_t i = 0; i < sp.n; i++) {
		join_report(r, &sp.p[i].rep, base);
		base += sp.p[i].lines;
		r->bytes += sp.p[i].bytes;
	}
	r->lines = base;
	free(sp.p);
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
	close(sp.fd);
done:
	p->close(sp.tmpl);
	lr_close(lr);
	return true;
}
