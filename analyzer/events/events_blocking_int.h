/* events_blocking_int.h: what events_blocking.c (transactions, idle time,
 * who blocked whom) shares with events_blocking_range.c (transactions
 * that go on across a cut: a later range of one input, or the next
 * --state run). */
#ifndef PGSIFT_EVENTS_BLOCKING_INT_H
#define PGSIFT_EVENTS_BLOCKING_INT_H

#include "events_int.h"

/* Shorter transactions cannot have made anyone wait long enough to be
 * logged (log_lock_waits logs after deadlock_timeout, 1 s by default;
 * rarely set under 10 ms); a statement as long is kept as a hold too. */
#define EV_HOLD_MIN_MS 10.0

/* What a statement does to a transaction. */
enum xkind { X_OTHER, X_BEGIN, X_END };

/* A backend's open explicit transaction, or (in a later range's state,
 * blocking.heads) its "head": the backend's calls in the range before
 * its first BEGIN or end of a transaction, gathered as if a transaction
 * were open since before the range, for hand_over to add to the one the
 * earlier state holds open, if any. */
struct xact {
	int64_t pid;                    /* 0: free slot */
	size_t app;                     /* row in idle apps */
	int64_t last_end;
	uint64_t last_fp;
	bool last_has_fp;
	double idle_ms, max_ms;
	uint64_t gaps;
	int64_t max_ts;
	uint64_t max_fp;
	bool max_has_fp;
	struct ev_hold h;
	/* Heads only. */
	uint8_t head;                   /* enum head_state */
	uint32_t ncalls;                /* calls gathered */
	uint32_t nloose;                /* of them, kept as holds outside a transaction */
	int64_t first_end;              /* of the first call */
	double first_dur;
	int64_t end_ts;                 /* HEAD_END: the end's time */
	int64_t idle_us;                /* the gaps between its calls */
};

enum head_state {
	HEAD_OPEN = 1,                  /* no BEGIN nor end seen yet */
	HEAD_END,                       /* ended by a COMMIT, END, ROLLBACK... */
	HEAD_BEGIN,                     /* a BEGIN came first: any earlier one ends */
	HEAD_SETTLED,                   /* handed over, or in no range */
};

/* Open addressing by pid. */
struct xtab {
	struct xact *x;
	size_t nx, used;
};

struct ev_blocking {
	struct xtab open;               /* open transactions */
	struct xtab heads;              /* a later range's heads, by pid */
	bool ranged;                    /* this state reads a later range */
	struct ev_hold *holds;
	size_t nholds, capholds;
	struct ev_idle_app *apps;
	size_t napps, capapps;
	struct ev_index *app_index;
	struct ev_blocker *blockers;    /* settled by ev_blocking_sort() */
	size_t nblockers;
	struct ev_blocking_dropped dropped;
};

struct ev_blocking *ev_blk_of(struct events *ev);
struct xact *ev_xtab_find(struct xtab *t, int64_t pid);
/* A new slot for pid (not in t), zeroed but for pid and max_ts. */
struct xact *ev_xtab_new(struct xtab *t, int64_t pid);
void ev_xtab_delete(struct xtab *t, struct xact *x);
void ev_xtab_free(struct xtab *t);
/* The row of application name (len bytes) in b's idle apps, SIZE_MAX
 * when there are too many. */
size_t ev_blk_app_row(struct ev_blocking *b, const char *name, size_t len);
void ev_blk_push_hold(struct ev_blocking *b, struct ev_hold *h);
void ev_blk_hold_stmt(struct ev_hold *h, uint64_t fp, bool has_fp,
		int64_t start, int64_t end);
/* Closes x (of b.open) at end: its idle time goes to its application,
 * and it is kept as a hold when long enough. */
void ev_blk_close(struct ev_blocking *b, struct xact *x, int64_t end);
/* One gap of gap ms after a statement ending at last_end (fp). */
void ev_blk_gap(struct xact *x, double gap, int64_t last_end, uint64_t fp,
		bool has_fp);

/* events_blocking_range.c: a call of c->pid (of kind k, run over [start,
 * end]) in a later range's state while the backend has no transaction
 * open there. Returns true when its head took it, false when it is
 * handled as any call (the head is over). */
bool ev_blk_head_call(struct ev_blocking *b, const struct call *c,
		enum xkind k, int64_t start, int64_t end, uint64_t fp, bool has_fp);

#endif
