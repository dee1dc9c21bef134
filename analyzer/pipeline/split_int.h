/* split_int.h: what driver_split.c (the workers) and split_pieces.c
 * (where the pieces come from) share; nothing else includes it.
 *
 * One input is cut into pieces at record starts. A plain file's pieces
 * are known before the workers start and each is read (pread) by the
 * worker that parses it; a compressed stream is decompressed on the
 * calling thread, which hands out each piece's bytes as they come. */
#ifndef PGSIFT_SPLIT_INT_H
#define PGSIFT_SPLIT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "driver_int.h"
#include "parser.h"
#include "recbatch.h"

/* A piece's bytes and its records per shard, which point into them.
 * Piece i uses slot i % in_flight: free by then (its piece applied), so
 * that after the first pieces no page is faulted in again (with fresh
 * buffers per piece, or the file mapped, page faults doubled -j 2's CPU
 * time here: about 15 us each on this virtual machine). */
struct slot {
	char *text;
	size_t cap;
	struct recbatch *batch;         /* one per shard */
};

struct piece {
	uint64_t off, len;              /* in the file; off unused for a stream */
	struct slot *slot;
	bool filled;                    /* slot->text holds it (a stream's) */
	struct input_report rep;        /* its counts and problems, lines from 1 */
	uint64_t lines, bytes;
	bool ready;                     /* parsed */
	unsigned left;                  /* shards still to apply it */
};

/* Pieces live in blocks that never move: workers keep pointers to them
 * while the stream adds more. */
#define PIECE_BLOCK 1024
#define PIECE_BLOCKS 65536

struct pidmap {
	int64_t *pid;                   /* 0: free; open addressing */
	unsigned char *shard;
	size_t cap, used;
};

struct split {
	const struct driver_cfg *cfg;
	const struct parser *parser;
	void *tmpl;                     /* the parser state opened on the whole input */
	const char *path;
	size_t input;
	const struct sinks *shards;
	unsigned nshards;
	struct driver_window w;         /* resolved before the pieces are applied */
	/* The source: a plain file read by the workers (fd >= 0), or the
	 * stream lr, read on the calling thread. */
	int fd;
	uint64_t size;
	struct line_reader *lr;
	uint64_t piece;                 /* target size */
	struct piece **blocks;          /* PIECE_BLOCKS pointers */
	size_t n;                       /* pieces known; under lock */
	bool all_in;                    /* no more pieces will come; under lock */
	struct slot *slots;             /* in_flight of them */
	size_t next_parse;              /* next piece to parse; under lock */
	size_t applied;                 /* pieces every shard has applied */
	size_t in_flight;               /* pieces filled or parsed ahead at most */
	struct pidmap pids;             /* under lock */
	uint64_t *load;                 /* records routed to each shard; under lock */
	pthread_mutex_t lock;
	pthread_cond_t changed;         /* a piece filled, parsed or applied */
};

/* Piece i (i < n). */
static inline struct piece *split_piece(const struct split *sp, size_t i)
{
	return &sp->blocks[i / PIECE_BLOCK][i % PIECE_BLOCK];
}

/* ---- split_pieces.c ---- */

/* Piece size for an input of size bytes (0: a stream) on jobs workers. */
uint64_t split_piece_size(uint64_t size, unsigned jobs);
/* The first record start of the plain file sp->fd at or after the line
 * that follows byte at - 1 (at itself when it starts a line; at > 0), or
 * UINT64_MAX when none is found within CUT_SCAN bytes; buf holds
 * CUT_SCAN bytes. Uses sp's parser, tmpl, fd and size. */
#define CUT_SCAN ((size_t)1 << 20)
uint64_t split_find_cut(const struct split *sp, uint64_t at, char *buf);
/* Cuts the plain file [0, sp->size) into pieces at record starts, all
 * known before the workers start (sp->n, all_in). */
void split_file_pieces(struct split *sp);
/* Makes the slot's buffer hold at least n bytes. */
void split_slot_reserve(struct slot *sl, size_t n);
/* Reads a plain file's piece into its slot's buffer; false on a read
 * error (reported in ctx). A stream's piece is there already. */
bool split_read_piece(struct split *sp, struct piece *pc, struct parse_ctx *ctx);
/* On the calling thread, while the workers run: decompresses sp->lr into
 * pieces cut at record starts, handing each out as it is filled, then
 * sets all_in. Reports a stream error in r. */
void split_stream_pieces(struct split *sp, struct input_report *r);

#endif
