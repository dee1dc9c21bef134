/* driver_range.c: one plain input on every core, with the answer of one.
 *
 * The file is cut at record starts into one range per worker, and each
 * worker reads its range straight through, as -j 1 reads a file, into its
 * own sinks: no record crosses cores, so two workers take half the time
 * of one (a 1 GB log cut in two halves given as two inputs: 0.58 s
 * against 1.10 s, the same CPU time).
 *
 * What a sink keeps per backend (a plan waiting for its duration line, a
 * statement waiting for its duration, an N+1 run) makes a backend's
 * records depend on the ones before them, which for a later range another
 * worker read. So a later range's worker holds each backend's records
 * back until the first one from which on nothing depends on the backend's
 * past (every sink's joins op agrees: a statement after a call, a new
 * backend...); its sinks get the held ones as shadows, to set what the
 * later records read. Once every worker is done, the held records go, in
 * file order, to the sinks that got the backend's earlier records (its
 * holder), as if read there, and the sinks hand over what they still hold
 * open of the backend (hand_over: an N+1 run going on) to the range where
 * it goes on. Order across backends (what came first, the peak of
 * sessions) the sinks settle from each record's place: a range's lines
 * are numbered in it, after the ranges before (RANGE_LINE).
 *
 * A backend that never joins in a range (one statement looping with its
 * plan, say) has all its records there held: still the answer of one
 * reader, with less of the range read in parallel. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver_int.h"
#include "input_overlap.h"
#include "recbatch.h"
#include "split_int.h"
#include "timeutil.h"
#include "util.h"

/* Lines of range k are numbered k << INPUT_RANGE_SHIFT (parser.h) plus
 * their line in it: 16 G lines a range, 64 ranges within CALL_POS's 40
 * bits of line; input_line() gives the file's line back. */
#define RANGE_MAX 64
#define RANGE_LINE(k, line) (((uint64_t)(k) << INPUT_RANGE_SHIFT) | (line))

/* The sinks with a joins op that a backend's records are asked of. */
#define JOIN_SINKS_MAX 8
/* What a later range costs more per byte than the first (cut_ranges()). */
#define RANGE_LATER_COST 0.046

/* A backend seen in a later range. */
struct rpid {
	int64_t pid;                    /* 0: free slot; -1 for all without one */
	bool joined;
	size_t *held;                   /* its held records: places in the batch */
	size_t nheld, capheld;
	struct join_memo memo[JOIN_SINKS_MAX];
};

struct ranges;

struct range {
	struct ranges *rs;
	unsigned k;
	uint64_t off, len;
	const struct sinks *sinks;
	struct input_report rep;        /* lines from 1 */
	uint64_t lines, bytes;
	/* Held records (and copies of server-wide ones for the ranges
	 * before), in file order, their lines those of the range. */
	struct recbatch held;
	const struct sink_ops *wide[JOIN_SINKS_MAX];    /* with server_wide */
	unsigned nwide;
	struct rpid *pids;              /* open addressing */
	size_t cap, used;
	int64_t *joined;                /* pids that joined here, in order */
	size_t njoined, capjoined;
	/* The last backends looked up, by a hash of the pid: most records
	 * are of a few busy backends (a lookup in pids was 3% of the time). */
	struct {
		int64_t pid;
		struct rpid *rp;
	} recent[256];
	pthread_t thread;
};

struct ranges {
	const struct driver_cfg *cfg;
	const struct parser *parser;
	void *tmpl;
	const char *path;
	size_t input;
	struct driver_window w;         /* resolved before the workers start */
	struct range *v;
	unsigned n;
	/* Which range's sinks hold each backend, while the held records go
	 * back (open addressing; pid 0 free). */
	int64_t *hpid;
	unsigned char *hrange;
	size_t hcap, hused;
};

static int64_t backend_of(const struct record *rec)
{
	return rec->u.log.pid > 0 ? rec->u.log.pid : -1;
}

static size_t pid_home(int64_t pid, size_t cap)
{
	return (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
}

static struct rpid *rpid_get(struct range *rg, int64_t pid)
{
	/* Hashed: pids of one server often share their low bits. */
	size_t c = (size_t)((uint64_t)pid * 0x9E3779B97F4A7C15ull >> 56);
	if (rg->recent[c].pid == pid && rg->recent[c].rp)
		return rg->recent[c].rp;
	if (2 * (rg->used + 1) > rg->cap) {
		memset(rg->recent, 0, sizeof(rg->recent));     /* slots move */
		struct rpid *old = rg->pids;
		size_t oldcap = rg->cap;
		rg->cap = oldcap ? 2 * oldcap : 256;
		rg->pids = xcalloc(rg->cap, sizeof(*rg->pids));
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].pid)
				continue;
			size_t j = pid_home(old[i].pid, rg->cap);
			while (rg->pids[j].pid)
				j = (j + 1) & (rg->cap - 1);
			rg->pids[j] = old[i];
		}
		free(old);
	}
	size_t i = pid_home(pid, rg->cap);
	while (rg->pids[i].pid && rg->pids[i].pid != pid)
		i = (i + 1) & (rg->cap - 1);
	if (!rg->pids[i].pid) {
		rg->pids[i].pid = pid;
		rg->used++;
	}
	rg->recent[c].pid = pid;
	rg->recent[c].rp = &rg->pids[i];
	return &rg->pids[i];
}

/* Feeds rg's sinks the held record at place pos as a shadow. */
static void feed_shadow(const struct range *rg, size_t pos)
{
	struct record rec;
	if (!recbatch_next(&rg->held, &pos, &rec, NULL))
		return;
	rec.u.log.line = RANGE_LINE(rg->k, rec.u.log.line);
	rec.shadow = true;
	driver_feed(rg->sinks, rg->rs->input, &rec);
}

static void hold(struct range *rg, struct rpid *rp, const struct record *rec,
		uint64_t line)
{
	struct record r = *rec;
	r.u.log.line = line;
	if (rp) {
		if (rp->nheld == rp->capheld) {
			rp->capheld = rp->capheld ? 2 * rp->capheld : 8;
			rp->held = xrealloc(rp->held, rp->capheld * sizeof(*rp->held));
		}
		rp->held[rp->nheld++] = rg->held.len;
	}
	recbatch_add(&rg->held, &r, NULL, 0);
}

/* rp's backend joins at the record about to be fed: the sinks get its
 * held records first, as shadows. */
static void join(struct range *rg, struct rpid *rp)
{
	for (size_t i = 0; i < rp->nheld; i++)
		feed_shadow(rg, rp->held[i]);
	free(rp->held);
	rp->held = NULL;
	rp->nheld = rp->capheld = 0;
	rp->joined = true;
	if (rg->njoined == rg->capjoined) {
		rg->capjoined = rg->capjoined ? 2 * rg->capjoined : 64;
		rg->joined = xrealloc(rg->joined, rg->capjoined * sizeof(*rg->joined));
	}
	rg->joined[rg->njoined++] = rp->pid;
}

/* A record of a later range: fed now if its backend joined (at it or
 * before), else held. A server-wide one (a restart) also reaches the
 * ranges before, at its place among their held records. */
static void route(struct range *rg, struct record *rec)
{
	const struct sinks *sinks = rg->sinks;
	uint64_t local = rec->u.log.line;
	rec->u.log.line = RANGE_LINE(rg->k, local);
	struct rpid *rp = rpid_get(rg, backend_of(rec));
	if (!rp->joined) {
		bool all = true;
		for (size_t i = 0, m = 0; i < sinks->n; i++) {
			const struct sink_ops *ops = sinks->v[i].ops;
			if (!ops->joins)
				continue;
			if (m >= JOIN_SINKS_MAX) {
				all = false;    /* more than thought of: never joins */
				continue;
			}
			all &= ops->joins(sinks->v[i].state, &rp->memo[m++], rec);
		}
		if (all)
			join(rg, rp);
	}
	bool wide = false;
	for (unsigned i = 0; i < rg->nwide && !wide; i++)
		wide = rg->wide[i]->server_wide(rec);
	if (rp->joined) {
		driver_feed(sinks, rg->rs->input, rec);
		if (wide) {
			struct record c = *rec;
			c.copy = true;
			hold(rg, NULL, &c, local);
		}
		return;
	}
	hold(rg, rp, rec, local);
	if (wide) {
		struct record c = *rec;
		c.copy = true;
		driver_feed(sinks, rg->rs->input, &c);
	}
}

static void *range_main(void *arg)
{
	struct range *rg = arg;
	struct ranges *rs = rg->rs;
	const struct parser *p = rs->parser;
	struct input_report *rep = &rg->rep;
	struct parse_ctx ctx = { .path = rs->path, .opts = &rs->cfg->popts,
		.report = rep };
	char err[256];
	ctx.lr = lr_open_range(rs->path, rg->off, rg->len, err, sizeof(err));
	if (!ctx.lr) {
		parse_problem(&ctx, 0, "%s", err);
		rep->unreadable = true;
		return NULL;
	}
	struct driver_window w = rs->w;
	const struct sinks *sinks = rg->sinks;
	for (size_t i = 0; i < sinks->n && rg->nwide < JOIN_SINKS_MAX; i++)
		if (sinks->v[i].ops->server_wide)
			rg->wide[rg->nwide++] = sinks->v[i].ops;
	if (rg->k > 0)
		for (size_t i = 0; i < sinks->n; i++)
			if (sinks->v[i].ops->begin_range)
				sinks->v[i].ops->begin_range(sinks->v[i].state);
	void *st = p->fork(rs->tmpl, &ctx);
	struct record rec;
	while (st) {
		memset(&rec, 0, sizeof(rec));
		rec.u.log.pid = rec.u.log.leader_pid = -1;
		if (p->next(st, &rec) <= 0)
			break;
		rep->records++;
		if (rec.kind == REC_LOG_ENTRY && rs->cfg->sample_entries)
			input_sample_entry(rep, &rec.u.log);
		driver_settle(&w, &rec);
		if (rg->k == 0)
			driver_feed(sinks, rs->input, &rec);
		else
			route(rg, &rec);
	}
	if (st)
		p->close(st);
	parse_long_lines(&ctx);
	if (lr_error(ctx.lr)) {
		parse_problem(&ctx, lr_lineno(ctx.lr), "%s", lr_error(ctx.lr));
		rep->truncated = true;
	}
	rg->lines = lr_lineno(ctx.lr);
	rg->bytes = lr_bytes_in(ctx.lr);
	lr_close(ctx.lr);
	return NULL;
}

/* ---- after the workers: held records to their holders ---- */

static unsigned char *holder(struct ranges *rs, int64_t pid)
{
	if (2 * (rs->hused + 1) > rs->hcap) {
		int64_t *old = rs->hpid;
		unsigned char *oldr = rs->hrange;
		size_t oldcap = rs->hcap;
		rs->hcap = oldcap ? 2 * oldcap : 256;
		rs->hpid = xcalloc(rs->hcap, sizeof(*rs->hpid));
		rs->hrange = xcalloc(rs->hcap, sizeof(*rs->hrange));
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i])
				continue;
			size_t j = pid_home(old[i], rs->hcap);
			while (rs->hpid[j])
				j = (j + 1) & (rs->hcap - 1);
			rs->hpid[j] = old[i];
			rs->hrange[j] = oldr[i];
		}
		free(old);
		free(oldr);
	}
	size_t i = pid_home(pid, rs->hcap);
	while (rs->hpid[i] && rs->hpid[i] != pid)
		i = (i + 1) & (rs->hcap - 1);
	if (!rs->hpid[i]) {
		rs->hpid[i] = pid;
		rs->hrange[i] = 0;      /* the first range's sinks, by default */
		rs->hused++;
	}
	return &rs->hrange[i];
}

/* Range k's held records go, in file order, to their backends' holders;
 * then the backends that joined in k go on there. */
static void give_back(struct ranges *rs, unsigned k)
{
	struct range *rg = &rs->v[k];
	size_t pos = 0;
	struct record rec;
	while (recbatch_next(&rg->held, &pos, &rec, NULL)) {
		rec.u.log.line = RANGE_LINE(k, rec.u.log.line);
		unsigned h = rec.copy ? k : *holder(rs, backend_of(&rec));
		if (!rec.copy)
			driver_feed(rs->v[h].sinks, rs->input, &rec);
		if (rec.copy || driver_server_wide(rg->sinks, &rec)) {
			rec.copy = true;
			for (unsigned j = 0; j < k; j++)
				if (j != h)
					driver_feed(rs->v[j].sinks, rs->input, &rec);
		}
	}
	recbatch_release(&rg->held);
	for (size_t i = 0; i < rg->njoined; i++) {
		unsigned char *h = holder(rs, rg->joined[i]);
		const struct sinks *from = rs->v[*h].sinks, *to = rg->sinks;
		for (size_t s = 0; s < to->n; s++)
			if (to->v[s].ops->hand_over)
				to->v[s].ops->hand_over(to->v[s].state,
					from->v[s].state, rg->joined[i]);
		*h = (unsigned char)k;
	}
}

static void range_release(struct range *rg)
{
	for (size_t i = 0; i < rg->cap; i++)
		free(rg->pids[i].held);
	free(rg->pids);
	free(rg->joined);
	recbatch_release(&rg->held);
}

/* The places to cut at that the test hook PGSIFT_SPLIT_AT gives
 * ("BYTE,BYTE,...", ascending: to cut real logs exactly between two
 * records that belong together), at most n - 1; returns how many. */
static unsigned hook_cuts(uint64_t *at, unsigned n)
{
	const char *s = getenv("PGSIFT_SPLIT_AT");
	unsigned got = 0;
	while (s && *s && got + 1 < n) {
		char *end;
		uint64_t v = strtoull(s, &end, 10);
		if (end == s)
			break;
		if (v > 0 && (!got || v > at[got - 1]))
			at[got++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	return got;
}

/* Cuts [0, size) at record starts into at most n ranges, near equal
 * sizes; returns how many. */
static unsigned cut_ranges(struct ranges *rs, int fd, uint64_t size, unsigned n)
{
	struct split sp = { .parser = rs->parser, .tmpl = rs->tmpl, .fd = fd,
		.size = size };
	char *buf = xmalloc(CUT_SCAN);
	uint64_t at[RANGE_MAX];
	unsigned nat = hook_cuts(at, n);
	/* A later range costs its worker more per byte than the first
	 * (records held and routed, transactions' heads): measured per thread
	 * with callgrind on the 40 MB low-cardinality bench log at -j 2,
	 * 4.6% more instructions for equal halves (288.0M and 301.2M), 3-5% on
	 * csvlog and jsonlog. The first range gets that much more, so that
	 * the workers end together: cut k at size (k + e) / (n + e). */
	if (!nat)
		for (unsigned k = 1; k < n; k++)
			at[nat++] = (uint64_t)((double)size * (k + RANGE_LATER_COST) /
					(n + RANGE_LATER_COST));
	unsigned got = 0;
	uint64_t start = 0;
	for (unsigned k = 0; k < nat; k++) {
		if (at[k] <= start || at[k] >= size)
			continue;
		uint64_t cut = split_find_cut(&sp, at[k], buf);
		if (cut == UINT64_MAX || cut <= start || cut >= size)
			continue;
		rs->v[got].off = start;
		rs->v[got++].len = cut - start;
		start = cut;
	}
	rs->v[got].off = start;
	rs->v[got++].len = size - start;
	free(buf);
	return got;
}

bool driver_range_input(const struct driver_cfg *cfg, const char *path,
		size_t input, const struct sinks *workers, unsigned jobs,
		struct input_report *r)
{
	char err[256];
	struct stat sb;
	/* Ranges of 64 KB at least, unless the test hook that cuts small
	 * real logs in many places is set (split_pieces.c). */
	const char *hook = getenv("PGSIFT_SPLIT_PIECE");
	uint64_t least = hook && *hook ? 1 : (uint64_t)64 << 10;
	if (jobs < 2 || strcmp(path, "-") == 0 || stat(path, &sb) != 0 ||
			!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size < jobs * least)
		return false;
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	if (!lr)
		return false;
	const struct parser *p = lr_compression(lr) == INPUT_PLAIN
		? driver_cut_parser(cfg, lr) : NULL;
	if (!p) {
		lr_close(lr);
		return false;
	}
	unsigned n = jobs < RANGE_MAX ? jobs : RANGE_MAX;

	/* The template: opened on the whole input, as -j 1 opens it, so it
	 * detects and notes the same; the ranges are its forks. */
	struct parse_ctx ctx = { .path = path, .opts = &cfg->popts, .report = r,
		.lr = lr };
	r->path = xstrdup(path);
	r->format = p->id;
	r->compression = INPUT_PLAIN;
	struct ranges rs = { .cfg = cfg, .parser = p, .path = path, .input = input,
		.w = { .filter = cfg->filter, .since = TS_NONE, .until = TS_NONE } };
	rs.tmpl = p->open(&ctx);
	if (!rs.tmpl) {
		r->unreadable = true;
		r->bytes = lr_bytes_in(lr);
		lr_close(lr);
		return true;
	}
	rs.v = xcalloc(n, sizeof(*rs.v));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		parse_problem(&ctx, 0, "cannot open: %s", strerror(errno));
		r->unreadable = true;
		goto done;
	}
	rs.n = cut_ranges(&rs, fd, (uint64_t)sb.st_size, n);
	close(fd);
	driver_window_resolve(&rs.w, p, rs.tmpl, path, &cfg->popts, lr);

	for (unsigned k = 0; k < rs.n; k++) {
		rs.v[k].rs = &rs;
		rs.v[k].k = k;
		rs.v[k].sinks = &workers[k];
		pthread_create(&rs.v[k].thread, NULL, range_main, &rs.v[k]);
	}
	for (unsigned k = 0; k < rs.n; k++)
		pthread_join(rs.v[k].thread, NULL);
	for (unsigned k = 1; k < rs.n; k++)
		give_back(&rs, k);
	for (unsigned k = 0; k < rs.n; k++) {
		const struct sinks *sinks = rs.v[k].sinks;
		for (size_t i = 0; i < sinks->n; i++)
			if (sinks->v[i].ops->end_input)
				sinks->v[i].ops->end_input(sinks->v[i].state, input);
	}

	uint64_t base = 0;
	r->range_lines = xcalloc(rs.n, sizeof(*r->range_lines));
	r->nranges = rs.n;
	for (unsigned k = 0; k < rs.n; k++) {
		struct range *rg = &rs.v[k];
		r->range_lines[k] = base;
		r->unreadable |= rg->rep.unreadable;
		parse_report_join(r, &rg->rep, base);
		base += rg->lines;
		r->bytes += rg->bytes;
		range_release(rg);
	}
	r->lines = base;
	free(rs.hpid);
	free(rs.hrange);
done:
	free(rs.v);
	p->close(rs.tmpl);
	lr_close(lr);
	return true;
}
