/* split_pieces.c: where the pieces of a cut input come from (see
 * split_int.h): a plain file cut before the workers start, or a
 * compressed stream cut as it is decompressed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "split_int.h"
#include "util.h"

/* Pieces: 512 KB at most (paired runs on the 1 GB log, -j 2: 512 KB 0.90 s
 * against 0.93 s at 256 KB and 0.89-1.0 s at 1 MB; 4 MB ones fault pages
 * in), at least 64 KB, about eight per worker on small inputs so that
 * shards stay busy. A test hook,
 * PGSIFT_SPLIT_PIECE=BYTES, sets the size, to cut small real logs in many
 * places. */
#define PIECE_MAX ((uint64_t)512 << 10)
#define PIECE_MIN ((uint64_t)64 << 10)
/* CUT_SCAN (split_int.h): bytes read at a nominal cut to find a record
 * start; a record longer than this just moves the cut to the next piece. */
/* A stream's piece grows past its size until a record starts in it; past
 * this it is cut at a line start (one record of 64 MB is read as the
 * parser's own lines then, as a skipped line or a cut statement). */
#define STREAM_PIECE_MAX ((size_t)64 << 20)

uint64_t split_piece_size(uint64_t size, unsigned jobs)
{
	const char *hook = getenv("PGSIFT_SPLIT_PIECE");
	if (hook && *hook) {
		uint64_t v = strtoull(hook, NULL, 10);
		return v ? v : 1;
	}
	if (size == 0)
		return PIECE_MAX;
	uint64_t s = size / ((uint64_t)jobs * 8);
	if (s > PIECE_MAX)
		s = PIECE_MAX;
	if (s < PIECE_MIN)
		s = PIECE_MIN;
	return s;
}

void split_slot_reserve(struct slot *sl, size_t n)
{
	if (sl->cap >= n)
		return;
	sl->text = xrealloc(sl->text, n);
	sl->cap = n;
}

/* Appends a piece (zeroed); by the one thread that makes pieces. The
 * caller publishes it (n) under the lock. */
static struct piece *add_piece(struct split *sp, size_t i)
{
	size_t b = i / PIECE_BLOCK;
	if (b >= PIECE_BLOCKS)
		abort();        /* 64 G pieces: past any input */
	if (!sp->blocks[b])
		sp->blocks[b] = xcalloc(PIECE_BLOCK, sizeof(*sp->blocks[b]));
	struct piece *pc = &sp->blocks[b][i % PIECE_BLOCK];
	*pc = (struct piece){ .left = sp->nshards };
	return pc;
}

/* ---- a plain file ---- */

uint64_t split_find_cut(const struct split *sp, uint64_t at, char *buf)
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

void split_file_pieces(struct split *sp)
{
	char *buf = xmalloc(CUT_SCAN);
	uint64_t size = sp->size, piece = sp->piece, start = 0;
	for (uint64_t at = piece; at < size; at += piece) {
		if (at <= start)
			continue;
		uint64_t cut = split_find_cut(sp, at, buf);
		if (cut == UINT64_MAX || cut <= start || cut >= size)
			continue;
		struct piece *pc = add_piece(sp, sp->n++);
		pc->off = start;
		pc->len = cut - start;
		start = cut;
		if (at < cut)
			at = cut - cut % piece;
	}
	struct piece *pc = add_piece(sp, sp->n++);
	pc->off = start;
	pc->len = size - start;
	sp->all_in = true;
	free(buf);
}

bool split_read_piece(struct split *sp, struct piece *pc, struct parse_ctx *ctx)
{
	if (pc->filled)
		return true;
	struct slot *sl = pc->slot;
	split_slot_reserve(sl, (size_t)pc->len);
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
		input_bytes_add((uint64_t)n);
	}
	return true;
}

/* ---- a compressed stream ---- */

/* The start of the last record in text[0..len) after its first byte, or
 * 0 when none starts there. Looks at the last 64 KB first, then at more:
 * only the tail of a piece is scanned in the common case. */
static size_t last_record_start(const struct split *sp, const char *text,
		size_t len)
{
	for (size_t window = 64 * 1024; ; window *= 4) {
		size_t from = len > window ? len - window : 1;
		const char *nl = memchr(text + from - 1, '\n', len - from + 1);
		size_t found = 0;
		while (nl && (size_t)(nl - text) + 1 < len) {
			size_t at = (size_t)(nl - text) + 1;
			size_t k = sp->parser->record_start(sp->tmpl, text + at, len - at);
			if (k >= len - at)
				break;
			found = at + k;
			nl = memchr(text + found, '\n', len - found);
		}
		if (found || from == 1)
			return found;
	}
}

/* Waits until slot i % in_flight is free (piece i - in_flight applied). */
static void wait_slot(struct split *sp, size_t i)
{
	pthread_mutex_lock(&sp->lock);
	while (i >= sp->applied + sp->in_flight)
		pthread_cond_wait(&sp->changed, &sp->lock);
	pthread_mutex_unlock(&sp->lock);
}

void split_stream_pieces(struct split *sp, struct input_report *r)
{
	size_t target = (size_t)sp->piece;
	char *carry = NULL;
	size_t ncarry = 0, capcarry = 0;
	bool eof = false;
	for (size_t i = 0; !eof || ncarry; i++) {
		wait_slot(sp, i);
		struct slot *sl = &sp->slots[i % sp->in_flight];
		size_t want = target > ncarry ? target : ncarry + target / 4;
		split_slot_reserve(sl, want);
		if (ncarry)
			memcpy(sl->text, carry, ncarry);
		size_t len = ncarry, cut = 0;
		ncarry = 0;
		for (;;) {
			if (!eof) {
				size_t got = lr_read(sp->lr, sl->text + len, want - len);
				len += got;
				eof = len < want;
			}
			if (eof) {
				cut = len;
				break;
			}
			cut = last_record_start(sp, sl->text, len);
			if (cut)
				break;
			if (want >= STREAM_PIECE_MAX) {
				/* No record starts in 64 MB: cut at a line start. */
				const char *nl = memrchr(sl->text, '\n', len);
				cut = nl ? (size_t)(nl - sl->text) + 1 : len;
				break;
			}
			want *= 2;
			split_slot_reserve(sl, want);
		}
		if (len > cut) {
			if (capcarry < len - cut) {
				capcarry = len - cut;
				carry = xrealloc(carry, capcarry);
			}
			ncarry = len - cut;
			memcpy(carry, sl->text + cut, ncarry);
		}
		if (cut == 0 && eof)
			break;  /* an empty stream, or nothing after the last piece */
		struct piece *pc = add_piece(sp, i);
		pc->len = cut;
		pc->slot = sl;
		pc->filled = true;
		pthread_mutex_lock(&sp->lock);
		sp->n = i + 1;
		pthread_cond_broadcast(&sp->changed);
		pthread_mutex_unlock(&sp->lock);
	}
	free(carry);
	if (lr_error(sp->lr))
		r->truncated = true;
	pthread_mutex_lock(&sp->lock);
	sp->all_in = true;
	pthread_cond_broadcast(&sp->changed);
	pthread_mutex_unlock(&sp->lock);
}
