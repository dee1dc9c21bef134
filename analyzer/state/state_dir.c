/* state_dir.c: --state DIR (see state.h): what was read of each log, and
 * the partial state of every run.
 *
 * DIR/files holds one line per log read: device, inode, the length and
 * XXH3 hash of its first bytes, the offset where the next run starts, what
 * was left open there (state_resume.c), and the path (for people). A run
 * reads each plain log from that offset, saves what it read as
 * DIR/partial-FIRST-LAST-NOW.state (window in epoch ms), writes the new
 * DIR/files, then renames both with the signals that end a run held: a
 * run stopped before leaves DIR as it was (its temporary files removed by
 * the program's signal handler, state_temps_remove()). Only SIGKILL or a
 * crash between the two renames leaves a partial whose range the next
 * run reads again: the merge then finds the overlap and counts it once. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "state.h"
#include "timeutil.h"
#include "util.h"

struct seen {
	uint64_t dev, ino, head_len, head_hash, end;
	char *carry;            /* decoded (state_resume.c), or NULL */
	size_t carry_len;
};

static void seen_free(struct seen *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].carry);
	free(v);
}

/* " c:HEX" after the offset: what the run left open (state_resume.c),
 * as hex so that the index stays one line of text per log. */
static void carry_write(struct strbuf *sb, const char *carry, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (!carry || !len)
		return;
	sb_append(sb, " c:", 3);
	for (size_t i = 0; i < len; i++) {
		sb_putc(sb, hex[(unsigned char)carry[i] >> 4]);
		sb_putc(sb, hex[(unsigned char)carry[i] & 15]);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The carry at s (past the five numbers), or NULL when there is none or
 * it does not read as one. */
static char *carry_read(const char *s, size_t *len)
{
	while (*s == ' ')
		s++;
	*len = 0;
	if (strncmp(s, "c:", 2) != 0)
		return NULL;
	s += 2;
	size_t n = 0;
	while (hexval(s[n]) >= 0)
		n++;
	if (n == 0 || n % 2)
		return NULL;
	char *out = xmalloc(n / 2);
	for (size_t i = 0; i < n / 2; i++)
		out[i] = (char)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	*len = n / 2;
	return out;
}

/* DIR/files into *v (the caller's); a missing file is an empty list. */
static int read_index(const char *dir, struct seen **v, size_t *n, char **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/files", dir);
	*v = NULL;
	*n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		*err = st_errorf("%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		struct seen s = { 0 };
		int used = 0;
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNx64 " %" SCNu64 "%n",
				&s.dev, &s.ino, &s.head_len, &s.head_hash, &s.end, &used) != 5)
			continue;       /* not ours: a line a person added */
		s.carry = carry_read(line + used, &s.carry_len);
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = s;
	}
	free(line);
	fclose(f);
	return 0;
}

/* The hash of the first len bytes of fd's file (false: shorter). */
static bool head_hash(int fd, uint64_t len, uint64_t *h)
{
	static char buf[STATE_HEAD_BYTES];
	if (len > sizeof(buf))
		return false;
	ssize_t got = pread(fd, buf, (size_t)len, 0);
	if (got < 0 || (uint64_t)got != len)
		return false;
	*h = XXH3_64bits(buf, (size_t)len);
	return true;
}

static bool compressed(int fd)
{
	unsigned char m[4];
	if (pread(fd, m, 4, 0) != 4)
		return false;
	return (m[0] == 0x1f && m[1] == 0x8b) ||
		(m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd);
}

void state_plan_release(struct state_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->map[i])
			munmap(p->map[i], p->maplen[i]);
		free(p->notes[i]);
		if (p->carry)
			free(p->carry[i]);
	}
	free(p->carry);
	free(p->carry_len);
	free(p->map);
	free(p->maplen);
	free(p->buf);
	free(p->len);
	free(p->ids);
	free(p->notes);
	free(p->paths);
	free(p->whole);
	free(p->skip);
	memset(p, 0, sizeof(*p));
}

/* Plans the read of one log: from where the last run stopped, when it is
 * the same file (same inode and first bytes, not shorter), else from its
 * start, up to its last complete line. */
static void plan_one(struct state_plan *p, size_t i, const char *path,
		const struct seen *seen, size_t nseen, const struct driver_cfg *cfg)
{
	struct state_ident *id = &p->ids[i];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && strstr(path, INPUT_MEMBER_SEP) &&
			state_ident_of(path, 0, 0, id)) {
		/* A file of an archive: a finished file, read whole once, then
		 * skipped while its archive is unchanged. */
		p->skip[i] = false;
		for (size_t k = 0; k < nseen; k++)
			if (seen[k].dev == id->dev && seen[k].ino == id->ino &&
					seen[k].head_hash == id->head_hash)
				p->skip[i] = true;
		p->whole[i] = !p->skip[i];
		return;
	}
	if (fd < 0 || fstat(fd, &st) != 0) {
		p->whole[i] = true;     /* the driver says why it cannot be read */
		if (fd >= 0)
			close(fd);
		return;
	}
	state_ident_of(path, 0, (uint64_t)st.st_size, id);
	uint64_t start = 0;
	for (size_t k = 0; k < nseen; k++) {
		const struct seen *s = &seen[k];
		uint64_t h;
		if (s->dev != id->dev || s->ino != id->ino)
			continue;
		if ((uint64_t)st.st_size < s->end || !head_hash(fd, s->head_len, &h) ||
				h != s->head_hash) {
			p->notes[i] = st_errorf("rotated, truncated or replaced since the last "
				"run: read from its start");
			break;
		}
		start = s->end;
		if (s->carry) {
			p->carry[i] = xmalloc(s->carry_len);
			memcpy(p->carry[i], s->carry, s->carry_len);
			p->carry_len[i] = s->carry_len;
		}
	}
	if (compressed(fd)) {
		/* Compressed logs are finished files: read whole, once. */
		p->whole[i] = start == 0;
		if (start)
			p->skip[i] = true;
		id->start = 0;
		close(fd);
		return;
	}
	/* Up to the last complete line: the one being written waits. */
	uint64_t end = (uint64_t)st.st_size;
	if (end > start) {
		size_t maplen = (size_t)end;
		char *m = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			while (end > start && m[end - 1] != '\n')
				end--;
			p->map[i] = m;
			p->maplen[i] = maplen;
			p->buf[i] = m + start;
			p->len[i] = (size_t)(end - start);
		} else {
			end = start;
		}
	}
	id->start = start;
	id->end = end;
	close(fd);
	if (end > start)
		state_plan_cut(p, i, cfg);
	p->skip[i] = id->end <= start;
}

int state_plan_make(const char *dir, const char *const *paths, size_t n,
		const struct driver_cfg *cfg, struct state_plan *p, char **err)
{
	struct seen *seen;
	size_t nseen;
	memset(p, 0, sizeof(*p));
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		*err = st_errorf("--state %s: %s", dir, strerror(errno));
		return -1;
	}
	if (read_index(dir, &seen, &nseen, err) != 0)
		return -1;
	p->n = n;
	p->paths = xcalloc(n ? n : 1, sizeof(*p->paths));
	p->ids = xcalloc(n ? n : 1, sizeof(*p->ids));
	p->map = xcalloc(n ? n : 1, sizeof(*p->map));
	p->maplen = xcalloc(n ? n : 1, sizeof(*p->maplen));
	p->buf = xcalloc(n ? n : 1, sizeof(*p->buf));
	p->len = xcalloc(n ? n : 1, sizeof(*p->len));
	p->notes = xcalloc(n ? n : 1, sizeof(*p->notes));
	p->whole = xcalloc(n ? n : 1, sizeof(*p->whole));
	p->skip = xcalloc(n ? n : 1, sizeof(*p->skip));
	p->carry = xcalloc(n ? n : 1, sizeof(*p->carry));
	p->carry_len = xcalloc(n ? n : 1, sizeof(*p->carry_len));
	for (size_t i = 0; i < n; i++) {
		p->paths[i] = paths[i];
		plan_one(p, i, paths[i], seen, nseen, cfg);
	}
	seen_free(seen, nseen);
	return 0;
}

/* Writes path (a temporary file, registered) with text, synced. */
static int write_file(const char *path, const char *text, size_t len, char **err)
{
	state_temp_add(path);
	FILE *f = fopen(path, "w");
	if (!f) {
		*err = st_errorf("%s: %s", path, strerror(errno));
		state_temp_forget(path);
		return -1;
	}
	errno = 0;
	bool ok = fwrite(text, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
	int saved = errno;
	if (fclose(f) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok)
		return 0;
	*err = st_errorf("%s: %s", path, strerror(saved ? saved : EIO));
	unlink(path);
	state_temp_forget(path);
	return -1;
}

/* A test hook: the milliseconds a commit waits, its files written, before
 * it renames them (tests/check_state.c kills the run there). */
static void test_pause(void)
{
	const char *ms = getenv("PGSIFT_STATE_TEST_PAUSE_MS");
	if (ms && *ms) {
		struct timespec t = { atol(ms) / 1000, (atol(ms) % 1000) * 1000000L };
		nanosleep(&t, NULL);
	}
}

int state_plan_commit(const char *dir, const struct state_plan *p,
		const char *partial_tmp, const char *partial, char **err)
{
	struct seen *seen;
	size_t nseen;
	if (read_index(dir, &seen, &nseen, err) != 0) {
		unlink(partial_tmp);
		state_temp_forget(partial_tmp);
		return -1;
	}
	struct strbuf sb = STRBUF_INIT;
	char line[8192];
	/* The files this run read replace their lines; the others stay. */
	for (size_t k = 0; k < nseen; k++) {
		bool replaced = false;
		for (size_t i = 0; i < p->n && !replaced; i++)
			replaced = p->ids[i].ino && p->ids[i].dev == seen[k].dev &&
				p->ids[i].ino == seen[k].ino;
		if (replaced)
			continue;
		int len = snprintf(line, sizeof(line), "%" PRIu64 " %" PRIu64 " %" PRIu64
			" %016" PRIx64 " %" PRIu64, seen[k].dev, seen[k].ino,
			seen[k].head_len, seen[k].head_hash, seen[k].end);
		sb_append(&sb, line, (size_t)len);
		carry_write(&sb, seen[k].carry, seen[k].carry_len);
		sb_putc(&sb, '\n');
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct state_ident *id = &p->ids[i];
		if (!id->ino)
			continue;
		int len = snprintf(line, sizeof(line), "%" PRIu64 " %" PRIu64 " %" PRIu64
			" %016" PRIx64 " %" PRIu64, id->dev, id->ino, id->head_len,
			id->head_hash, p->whole[i] ? id->size : id->end);
		sb_append(&sb, line, (size_t)len);
		carry_write(&sb, p->carry[i], p->carry_len[i]);
		sb_putc(&sb, ' ');
		sb_append(&sb, p->paths[i], strlen(p->paths[i]));
		sb_putc(&sb, '\n');
	}
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/files", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int rc = write_file(tmp, sb.buf ? sb.buf : "", sb.len, err);
	sb_release(&sb);
	seen_free(seen, nseen);
	if (rc != 0) {
		unlink(partial_tmp);
		state_temp_forget(partial_tmp);
		return -1;
	}
	test_pause();
	/* Both renames or none: a signal waits until they are done. */
	sigset_t hold, was;
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hold, &was);
	if (rename(partial_tmp, partial) != 0) {
		*err = st_errorf("%s: %s", partial, strerror(errno));
		unlink(partial_tmp);
		unlink(tmp);
		rc = -1;
	} else if (rename(tmp, path) != 0) {
		*err = st_errorf("%s: %s", path, strerror(errno));
		unlink(tmp);
		unlink(partial);
		rc = -1;
	}
	state_temp_forget(partial_tmp);
	state_temp_forget(tmp);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	return rc;
}

char *state_partial_name(const char *dir, int64_t first_ts, int64_t last_ts)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return st_errorf("%s/partial-%" PRId64 "-%" PRId64 "-%lld%09ld.state", dir,
		first_ts == TS_NONE ? (int64_t)0 : first_ts,
		last_ts == TS_NONE ? (int64_t)0 : last_ts,
		(long long)now.tv_sec, now.tv_nsec);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_partials(const char *dir, int64_t since, int64_t until,
		char ***out, size_t *n, char **err)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		*err = st_errorf("--state %s: %s", dir, strerror(errno));
		return -1;
	}
	for (struct dirent *e; (e = readdir(d)); ) {
		int64_t first, last;
		long long made;
		char tail[16];
		if (sscanf(e->d_name, "partial-%" SCNd64 "-%" SCNd64 "-%lld.%15s",
				&first, &last, &made, tail) != 4 || strcmp(tail, "state") != 0)
			continue;       /* temporary files of an interrupted run, ... */
		/* A partial is taken whole when its window meets the period. */
		if ((since != TS_NONE && last < since) || (until != TS_NONE && first > until))
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = st_errorf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_str);
	return 0;
}
