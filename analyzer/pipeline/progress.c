/* progress.c: how much of the inputs has been read, for a progress bar
 * (analysis.h's progress hook).
 *
 * One counter for the process: the readers (input.c's source_read(),
 * split_pieces.c's pread()s) add what they read to it, and one thread of
 * analysis_run() looks at it every PROGRESS_EVERY_MS and calls the hook.
 * A counter per run would have to travel through every lr_open() of the
 * parsers and state loaders; the CLI and the TUI run one analysis at a
 * time, and a second run at once only makes both bars run ahead. An atomic
 * add per read of a chunk (64 KiB and more) costs nothing measurable. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "input.h"
#include "progress.h"
#include "util.h"

#define PROGRESS_EVERY_MS 100

static _Atomic uint64_t bytes_read;

void input_bytes_add(uint64_t n)
{
	atomic_fetch_add_explicit(&bytes_read, n, memory_order_relaxed);
}

uint64_t input_bytes_read(void)
{
	return atomic_load_explicit(&bytes_read, memory_order_relaxed);
}

struct progress_watch {
	analysis_progress_fn *fn;
	void *ctx;
	uint64_t base;          /* the counter when the run started */
	uint64_t total;         /* 0: unknown */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

/* The bytes paths[0..n) hold as stored (compressed files as they are: the
 * readers count what they read from disk); 0 when one of them cannot be
 * sized beforehand (standard input, a pipe). */
static uint64_t inputs_size(const char *const *paths, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		const char *sep = strstr(paths[i], INPUT_MEMBER_SEP);
		struct stat st;
		uint64_t size;
		int64_t mtime;
		if (strcmp(paths[i], "-") == 0)
			return 0;
		if (sep) {
			char *archive = xstrndup(paths[i], (size_t)(sep - paths[i]));
			bool ok = input_archive_member_stat(archive,
				sep + strlen(INPUT_MEMBER_SEP), &size, &mtime);
			free(archive);
			if (!ok)
				return 0;
			total += size;
		} else if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode)) {
			total += (uint64_t)st.st_size;
		} else {
			return 0;
		}
	}
	return total;
}

static uint64_t done_of(const struct progress_watch *w)
{
	uint64_t done = input_bytes_read() - w->base;
	return w->total && done > w->total ? w->total : done;
}

static void *watch_main(void *arg)
{
	struct progress_watch *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_EVERY_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
		if (!w->stop)
			w->fn(w->ctx, done_of(w), w->total);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct progress_watch *progress_start(analysis_progress_fn *fn, void *ctx,
		const char *const *paths, size_t n)
{
	if (!fn)
		return NULL;
	struct progress_watch *w = xcalloc(1, sizeof(*w));
	w->fn = fn;
	w->ctx = ctx;
	w->base = input_bytes_read();
	w->total = inputs_size(paths, n);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	fn(ctx, 0, w->total);
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		/* No bar then: the analysis itself does not need it. */
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void progress_stop(struct progress_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->fn(w->ctx, done_of(w), w->total);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
