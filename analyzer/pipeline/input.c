/* input.c: the line reader. Raw bytes come from a file descriptor or a
 * memory buffer, go through zlib or zstd when the first bytes say so (or
 * libarchive's bzip2 and xz filters: zlib and zstd are called directly,
 * being the common case, and faster without libarchive's copy), and land
 * in one window buffer where lines are split in place.
 *
 * The window holds decompressed bytes buf[0..end). pos is where the next
 * line starts; scan is how far we already know there is no newline, so a
 * long line is searched once, not once per refill. A refill keeps the bytes
 * from the mark (or from the last line returned, for lr_unread()), moves
 * them to buf[0], grows the window when that leaves less than one chunk
 * free, and appends what the source yields. Offsets, not pointers, are
 * stored, so nothing dangles when the window moves. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>
#include <zstd.h>

#include "input.h"
#include "input_archive.h"
#include "progress.h"
#include "util.h"

#define LR_CHUNK_DEFAULT ((size_t)1 << 20)
#define LR_NO_MARK SIZE_MAX
#define LR_LONG_KEPT 16

struct line_reader {
	/* Source: fd >= 0, else the memory buffer mem[0..mem_len). */
	int fd;
	bool own_fd;
	uint64_t left;                  /* bytes of the file still to read */
	bool limited;                   /* a range of the file (lr_open_range) */
	bool view;                      /* buf is the caller's: never written */
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	/* The first bytes, read at open to pick the decoder, handed out first. */
	unsigned char magic[4];
	size_t magic_len, magic_pos;

	enum input_compression comp;
	size_t chunk;
	unsigned char *in;              /* compressed input, chunk bytes */
	bool in_eof;                    /* the source has nothing more */
	z_stream z;
	bool z_ready, z_member_done;
	ZSTD_DStream *zd;
	ZSTD_inBuffer zin;
	size_t zlast;                   /* last ZSTD_decompressStream hint; 0 = frame done */
	struct archive *ar;             /* bzip2 or xz, as a raw stream */
	bool member;                    /* ar is at a member of an archive */
	char *archive;                  /* member: the archive's path */
	struct stat archive_st;         /* member: the archive when opened */

	char *buf;
	size_t cap, end, pos, scan, mark;
	uint64_t base;                  /* stream offset of buf[0] */
	bool eof;                       /* no more bytes will come into the window */

	/* Lines longer than LR_LINE_MAX, skipped: how many, and the numbers
	 * of the first LR_LONG_KEPT. */
	uint64_t nlong, long_lines[LR_LONG_KEPT];
	size_t cur_off, cur_len;        /* the line last returned */
	size_t prev_end;                /* end of the line returned before it */
	bool unread;
	uint64_t lineno, bytes_in, bytes_out;

	bool failed;
	char err[160];
};

__attribute__((format(printf, 2, 3)))
static void lr_fail(struct line_reader *lr, const char *fmt, ...)
{
	va_list ap;
	if (lr->failed)
		return;         /* the first problem is the one worth reporting */
	va_start(ap, fmt);
	vsnprintf(lr->err, sizeof lr->err, fmt, ap);
	va_end(ap);
	lr->failed = true;
	lr->eof = true;
}

/* Reads up to n bytes from the file or memory. Returns the count, 0 at
 * end of input, -1 on a read error (message set). */
static ssize_t source_read(struct line_reader *lr, void *dst, size_t n)
{
	if (lr->fd < 0) {
		size_t k = lr->mem_len - lr->mem_pos;
		if (k > n)
			k = n;
		if (k > 0)
			memcpy(dst, lr->mem + lr->mem_pos, k);
		lr->mem_pos += k;
		lr->bytes_in += k;
		return (ssize_t)k;
	}
	if (lr->limited && n > lr->left)
		n = (size_t)lr->left;
	if (n == 0)
		return 0;
	for (;;) {
		ssize_t r = read(lr->fd, dst, n);
		if (r >= 0) {
			lr->bytes_in += (uint64_t)r;
			input_bytes_add((uint64_t)r);
			if (lr->limited)
				lr->left -= (uint64_t)r;
			return r;
		}
		if (errno != EINTR) {
			lr_fail(lr, "read error: %s", strerror(errno));
			return -1;
		}
	}
}

/* Like source_read(), but the magic bytes read at open come first. */
static ssize_t raw_read(struct line_reader *lr, void *dst, size_t n)
{
	if (lr->magic_pos < lr->magic_len) {
		size_t k = lr->magic_len - lr->magic_pos;
		if (k > n)
			k = n;
		memcpy(dst, lr->magic + lr->magic_pos, k);
		lr->magic_pos += k;
		return (ssize_t)k;
	}
	return source_read(lr, dst, n);
}

static struct line_reader *lr_alloc(void)
{
	struct line_reader *lr = xcalloc(1, sizeof *lr);
	lr->fd = -1;
	lr->chunk = LR_CHUNK_DEFAULT;
	lr->mark = LR_NO_MARK;
	return lr;
}

static void lr_free(struct line_reader *lr);
static struct line_reader *unpark(const char *archive);
static bool seek_member(struct line_reader *lr, const char *member, int *r);

/* libarchive's read callback: the raw bytes, the magic ones first. */
static la_ssize_t archive_pull(struct archive *a, void *arg, const void **buf)
{
	struct line_reader *lr = arg;
	ssize_t r = raw_read(lr, lr->in, LR_CHUNK_DEFAULT);
	if (r < 0) {
		archive_set_error(a, EIO, "%s", lr->err);
		return -1;
	}
	*buf = lr->in;
	return r;
}

/* A bzip2 or xz stream read through libarchive's filters as one raw
 * entry. */
static bool archive_start(struct line_reader *lr)
{
	lr->in = xmalloc(LR_CHUNK_DEFAULT);    /* archive_pull() reads this much */
	lr->ar = archive_read_new();
	if (!lr->ar)
		abort();        /* out of memory */
	archive_read_support_filter_bzip2(lr->ar);
	archive_read_support_filter_xz(lr->ar);
	archive_read_support_format_raw(lr->ar);
	struct archive_entry *e;
	if (archive_read_open(lr->ar, lr, NULL, archive_pull, NULL) != ARCHIVE_OK ||
			archive_read_next_header(lr->ar, &e) != ARCHIVE_OK) {
		lr_fail(lr, "cannot start the %s decoder: %s",
			lr->comp == INPUT_BZIP2 ? "bzip2" : "xz",
			archive_error_string(lr->ar) ? archive_error_string(lr->ar) : "?");
		return false;
	}
	return true;
}

/* Reads the first bytes and sets up the decoder they call for. Returns
 * false with the message set when that fails. */
static bool lr_start(struct line_reader *lr)
{
	const unsigned char *m = lr->magic;

	while (lr->magic_len < sizeof lr->magic) {
		ssize_t r = source_read(lr, lr->magic + lr->magic_len,
					sizeof lr->magic - lr->magic_len);
		if (r < 0)
			return false;
		if (r == 0)
			break;
		lr->magic_len += (size_t)r;
	}
	if (lr->magic_len >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		lr->comp = INPUT_GZIP;
	else if (lr->magic_len == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f &&
		 m[3] == 0xfd)
		lr->comp = INPUT_ZSTD;
	else if (lr->magic_len == 4 && (m[0] & 0xf0) == 0x50 && m[1] == 0x2a &&
		 m[2] == 0x4d && m[3] == 0x18)
		lr->comp = INPUT_ZSTD;  /* a skippable frame first */
	else if (lr->magic_len >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
		lr->comp = INPUT_BZIP2;
	else if (lr->magic_len == 4 && m[0] == 0xfd && m[1] == '7' && m[2] == 'z' &&
		 m[3] == 'X')
		lr->comp = INPUT_XZ;

	if (lr->comp == INPUT_GZIP) {
		if (inflateInit2(&lr->z, 16 + MAX_WBITS) != Z_OK) {
			lr_fail(lr, "cannot start the gzip decoder");
			return false;
		}
		lr->z_ready = true;
	} else if (lr->comp == INPUT_BZIP2 || lr->comp == INPUT_XZ) {
		return archive_start(lr);
	} else if (lr->comp == INPUT_ZSTD) {
		lr->zd = ZSTD_createDStream();
		/* Frames made with `zstd --long=31` (a window of up to 2 GiB)
		 * are refused by default past 128 MiB; accept them: the decoder
		 * then holds up to the window's size (README, "Speed and
		 * memory"). */
		if (!lr->zd || ZSTD_isError(ZSTD_initDStream(lr->zd)) ||
				ZSTD_isError(ZSTD_DCtx_setParameter(lr->zd,
					ZSTD_d_windowLogMax, 31))) {
			lr_fail(lr, "cannot start the zstd decoder");
			return false;
		}
		lr->zlast = 1;  /* a frame has begun: ending now is a truncation */
	}
	return true;
}

/* The compression of the archive ar's bytes, for the report. */
static enum input_compression archive_filter(struct archive *ar)
{
	switch (archive_filter_code(ar, 0)) {
	case ARCHIVE_FILTER_GZIP: return INPUT_GZIP;
	case ARCHIVE_FILTER_ZSTD: return INPUT_ZSTD;
	case ARCHIVE_FILTER_BZIP2: return INPUT_BZIP2;
	case ARCHIVE_FILTER_XZ: return INPUT_XZ;
	default: return INPUT_PLAIN;
	}
}

/* "ARCHIVE::MEMBER" (input_paths_expand() names an archive's files so):
 * the archive is opened and read up to the member, which is then read as
 * a file is. */
static struct line_reader *lr_open_member(const char *path, char *err, size_t errlen)
{
	const char *sep = NULL;
	for (const char *p = strstr(path, INPUT_MEMBER_SEP); p;
			p = strstr(p + 1, INPUT_MEMBER_SEP))
		sep = p;
	char *archive = xstrndup(path, (size_t)(sep - path));
	const char *member = sep + strlen(INPUT_MEMBER_SEP);
	int r;
	struct line_reader *lr = unpark(archive);
	if (lr) {
		if (seek_member(lr, member, &r)) {
			free(archive);
			return lr;
		}
		lr_free(lr);    /* before it, or not there: from the start */
	}
	lr = lr_alloc();
	lr->archive = archive;
	lr->fd = open(archive, O_RDONLY | O_CLOEXEC);
	if (lr->fd < 0 || fstat(lr->fd, &lr->archive_st) != 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	lr->own_fd = true;
	lr->in = xmalloc(LR_CHUNK_DEFAULT);
	lr->ar = input_archive_new();
	lr->member = true;
	if (archive_read_open(lr->ar, lr, NULL, archive_pull, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "cannot read the archive: %s",
			archive_error_string(lr->ar) ? archive_error_string(lr->ar) : "?");
		goto fail;
	}
	if (seek_member(lr, member, &r)) {
		lr->comp = archive_filter(lr->ar);
		return lr;
	}
	snprintf(err, errlen, "%s", r == ARCHIVE_EOF ? "no such file in the archive"
		: archive_error_string(lr->ar) ? archive_error_string(lr->ar) : "cannot read the archive");
fail:
	lr_free(lr);
	return NULL;
}

struct line_reader *lr_open(const char *path, char *err, size_t errlen)
{
	struct line_reader *lr = lr_alloc();

	if (strcmp(path, "-") == 0) {
		lr->fd = STDIN_FILENO;
	} else {
		lr->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (lr->fd < 0 && errno == ENOENT && strstr(path, INPUT_MEMBER_SEP)) {
			lr_close(lr);
			return lr_open_member(path, err, errlen);
		}
		if (lr->fd < 0) {
			snprintf(err, errlen, "cannot open: %s", strerror(errno));
			goto fail;
		}
		lr->own_fd = true;
	}
	struct stat st;
	if (lr->fd != STDIN_FILENO && fstat(lr->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "a directory with no file in it (the files "
			"under a directory are read)");
		goto fail;
	}
		/* Fails harmlessly on pipes; on files it doubles the kernel's readahead. */
	(void)posix_fadvise(lr->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (!lr_start(lr)) {
		snprintf(err, errlen, "%s", lr->err);
		goto fail;
	}
	return lr;
fail:
	lr_close(lr);
	return NULL;
}

struct line_reader *lr_open_range(const char *path, uint64_t off, uint64_t len,
		char *err, size_t errlen)
{
	struct line_reader *lr = lr_alloc();

	lr->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (lr->fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	lr->own_fd = true;
	if (lseek(lr->fd, (off_t)off, SEEK_SET) < 0) {
		snprintf(err, errlen, "cannot seek to byte %llu: %s",
			(unsigned long long)off, strerror(errno));
		goto fail;
	}
	(void)posix_fadvise(lr->fd, (off_t)off, (off_t)len, POSIX_FADV_SEQUENTIAL);
	lr->limited = true;
	lr->left = len;
	lr->comp = INPUT_PLAIN;        /* the caller cut a plain file */
	return lr;
fail:
	lr_close(lr);
	return NULL;
}

struct line_reader *lr_open_view(const char *buf, size_t len)
{
	struct line_reader *lr = lr_alloc();

	/* Every byte is in the window from the start and no refill comes,
	 * so nothing ever writes to buf. */
	lr->view = true;
	lr->buf = (char *)buf;
	lr->cap = lr->end = len;
	lr->eof = true;
	lr->bytes_in = lr->bytes_out = len;
	return lr;
}

struct line_reader *lr_open_mem(const char *buf, size_t len)
{
	struct line_reader *lr = lr_alloc();

	lr->mem = (const unsigned char *)buf;
	lr->mem_len = buf ? len : 0;
	(void)lr_start(lr);     /* a failure stays in lr_error() */
	return lr;
}

static void lr_free(struct line_reader *lr)
{
	if (!lr)
		return;
	free(lr->archive);
	if (lr->z_ready)
		inflateEnd(&lr->z);
	ZSTD_freeDStream(lr->zd);
	if (lr->ar)
		archive_read_free(lr->ar);
	if (lr->own_fd)
		close(lr->fd);
	free(lr->in);
	if (!lr->view)
		free(lr->buf);
	free(lr);
}

/* ---- members of an archive, read on from where the last one ended ----
 * Each input of an archive (ARCHIVE::MEMBER) is opened by its name; read
 * from the archive's start, a compressed tar of N files was decompressed
 * N/2 times over (812 logs in a 451 kB tar.gz: 5.7 s against 0.8 s for
 * the same files in a directory). So the reader of a member, once closed,
 * is kept open at its place (one per thread: workers take the inputs in
 * their order), and the next member asked for of the same archive, later
 * in it, is reached by reading on. A member before it (or another
 * archive, or the file changed) opens the archive afresh. */

static __thread struct line_reader *parked;

void lr_release_parked(void)
{
	lr_free(parked);
	parked = NULL;
}

void lr_close(struct line_reader *lr)
{
	if (!lr)
		return;
	if (!lr->member || lr->failed || !lr->archive) {
		lr_free(lr);
		return;
	}
	lr_release_parked();
	parked = lr;
}

/* The reader parked at archive (as it is on disk now), made ready for
 * another member; NULL when none. */
static struct line_reader *unpark(const char *archive)
{
	struct line_reader *lr = parked;
	struct stat st;
	if (!lr || strcmp(lr->archive, archive) != 0 || stat(archive, &st) != 0 ||
			st.st_dev != lr->archive_st.st_dev ||
			st.st_ino != lr->archive_st.st_ino ||
			st.st_size != lr->archive_st.st_size ||
			st.st_mtim.tv_sec != lr->archive_st.st_mtim.tv_sec ||
			st.st_mtim.tv_nsec != lr->archive_st.st_mtim.tv_nsec)
		return NULL;
	parked = NULL;
	/* What it read of the last member goes; the archive stays where
	 * it is (the next header skips the rest of that member). */
	lr->end = lr->pos = lr->scan = 0;
	lr->mark = LR_NO_MARK;
	lr->base = 0;
	lr->eof = false;
	lr->cur_off = lr->cur_len = lr->prev_end = 0;
	lr->unread = false;
	lr->lineno = lr->bytes_in = lr->bytes_out = 0;
	return lr;
}

/* Reads headers on from ar's place to member: true when there. */
static bool seek_member(struct line_reader *lr, const char *member, int *r)
{
	struct archive_entry *e;
	while ((*r = archive_read_next_header(lr->ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (name && strcmp(name, member) == 0)
			return true;
	}
	return false;
}

void lr_set_chunk_size(struct line_reader *lr, size_t n)
{
	if (!lr->buf)
		lr->chunk = n > 0 ? n : 1;
}

enum input_compression lr_compression(const struct line_reader *lr)
{
	return lr->comp;
}

/* Decodes gzip into buf[end..cap). Members follow one another (gzip -c a
 * >> b, pigz, bgzip); zero bytes between or after them are padding, as
 * gzip itself allows. Returns the bytes written; sets eof when done. */
static size_t fill_gzip(struct line_reader *lr)
{
	z_stream *z = &lr->z;
	size_t room = lr->cap - lr->end;
	uInt start;

	z->next_out = (Bytef *)lr->buf + lr->end;
	z->avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
	start = z->avail_out;
	while (z->avail_out > 0 && !lr->eof) {
		if (z->avail_in == 0 && !lr->in_eof) {
			if (z->avail_out < start)
				break;  /* hand over what we have before reading on */
			ssize_t r = raw_read(lr, lr->in, lr->chunk);
			if (r < 0)
				break;
			if (r == 0)
				lr->in_eof = true;
			z->next_in = lr->in;
			z->avail_in = (uInt)r;
		}
		if (lr->z_member_done) {
			while (z->avail_in > 0 && *z->next_in == 0) {
				z->next_in++;
				z->avail_in--;
			}
			if (z->avail_in == 0) {
				if (lr->in_eof)
					lr->eof = true;
				continue;
			}
			inflateReset(z);
			lr->z_member_done = false;
		}
		int ret = inflate(z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			lr->z_member_done = true;
		} else if (ret == Z_BUF_ERROR && z->avail_in == 0) {
			/* No progress without more input: at the end that is a
			 * member cut short. */
			if (lr->in_eof)
				lr_fail(lr, "truncated gzip stream (ended after %llu bytes)",
					(unsigned long long)lr->bytes_in);
		} else if (ret != Z_OK) {
			lr_fail(lr, "corrupt gzip data: %s", z->msg ? z->msg : zError(ret));
		}
	}
	return start - z->avail_out;
}

/* Decodes zstd into buf[end..cap); ZSTD_decompressStream walks from one
 * frame into the next by itself. Returns the bytes written; sets eof when
 * done. */
static size_t fill_zstd(struct line_reader *lr)
{
	ZSTD_outBuffer out = { lr->buf + lr->end, lr->cap - lr->end, 0 };

	while (out.pos < out.size && !lr->eof) {
		if (lr->zin.pos == lr->zin.size && !lr->in_eof) {
			if (out.pos > 0)
				break;
			ssize_t r = raw_read(lr, lr->in, lr->chunk);
			if (r < 0)
				break;
			if (r == 0)
				lr->in_eof = true;
			lr->zin = (ZSTD_inBuffer){ lr->in, (size_t)r, 0 };
		}
		size_t in_before = lr->zin.pos, out_before = out.pos;
		size_t ret = ZSTD_decompressStream(lr->zd, &out, &lr->zin);
		if (ZSTD_isError(ret)) {
			lr_fail(lr, "corrupt zstd data: %s", ZSTD_getErrorName(ret));
			break;
		}
		if (lr->zin.pos != in_before || out.pos != out_before) {
			lr->zlast = ret;
			continue;
		}
		/* No progress. The hint of the last call that made some tells
		 * whether the input stopped between frames or inside one (a call
		 * between frames with no input asks for a header: not a cut). */
		if (lr->zin.pos < lr->zin.size)
			lr_fail(lr, "corrupt zstd data: decoder stalled");
		else if (lr->in_eof && lr->zlast != 0)
			lr_fail(lr, "truncated zstd stream (ended after %llu bytes)",
				(unsigned long long)lr->bytes_in);
		else if (lr->in_eof)
			lr->eof = true;
	}
	return out.pos;
}

/* Decodes a bzip2 or xz stream (libarchive) into buf[end..cap). */
static size_t fill_archive(struct line_reader *lr)
{
	la_ssize_t r = archive_read_data(lr->ar, lr->buf + lr->end, lr->cap - lr->end);
	if (r < 0) {
		lr_fail(lr, "truncated or corrupt %s: %s",
			lr->member ? "archive" : lr->comp == INPUT_BZIP2 ? "bzip2 stream"
				: "xz stream",
			archive_error_string(lr->ar) ? archive_error_string(lr->ar) : "?");
		return 0;
	}
	if (r == 0)
		lr->eof = true;
	return (size_t)r;
}

static size_t fill_plain(struct line_reader *lr)
{
	ssize_t r = raw_read(lr, lr->buf + lr->end, lr->chunk);
	if (r <= 0) {
		lr->eof = true;
		return 0;
	}
	return (size_t)r;
}

/* Drops buf[0..keep) and moves the rest to the start. */
static void lr_drop(struct line_reader *lr, size_t keep)
{
	memmove(lr->buf, lr->buf + keep, lr->end - keep);
	lr->end -= keep;
	lr->pos -= keep;
	lr->scan -= keep;
	if (lr->mark != LR_NO_MARK)
		lr->mark -= keep;
	lr->cur_off = lr->cur_off > keep ? lr->cur_off - keep : 0;
	lr->prev_end = lr->prev_end > keep ? lr->prev_end - keep : 0;
	lr->base += keep;
}

/* Appends decoded bytes to the window after dropping buf[0..keep).
 * Returns false when nothing more will come (end of input or error). */
static bool lr_refill(struct line_reader *lr, size_t keep)
{
	size_t got = 0;

	if (lr->eof)
		return false;
	if (!lr->buf) {
		lr->cap = 2 * lr->chunk;
		lr->buf = xmalloc(lr->cap);
		if (lr->comp != INPUT_PLAIN && !lr->in)
			lr->in = xmalloc(lr->chunk);
	}
	if (keep > 0)
		lr_drop(lr, keep);
	if (lr->cap - lr->end < lr->chunk) {
		size_t cap = lr->cap;
		while (cap - lr->end < lr->chunk)
			cap *= 2;
		lr->buf = xrealloc(lr->buf, cap);
		lr->cap = cap;
	}
	switch (lr->member ? INPUT_XZ : lr->comp) {
	case INPUT_PLAIN: got = fill_plain(lr); break;
	case INPUT_GZIP: got = fill_gzip(lr); break;
	case INPUT_ZSTD: got = fill_zstd(lr); break;
	case INPUT_BZIP2:
	case INPUT_XZ: got = fill_archive(lr); break;   /* and members */
	}
	lr->end += got;
	lr->bytes_out += got;
	if (got == 0)
		lr->eof = true;         /* every fill yields bytes unless it is done */
	return got > 0;
}

const char *lr_peek(struct line_reader *lr, size_t max, size_t *len)
{
	if (lr->base != 0) {
		*len = 0;
		return NULL;
	}
	while (lr->end < max && lr_refill(lr, 0))
		;
	*len = lr->end < max ? lr->end : max;
	return lr->buf ? lr->buf : "";
}

/* Hands out buf[pos..stop); stop is the newline, or end for a last line
 * without one. */
static bool lr_deliver(struct line_reader *lr, size_t stop,
		       const char **line, size_t *len)
{
	size_t start = lr->pos, n = stop - start;

	if (stop < lr->end) {
		lr->pos = stop + 1;
		if (n > 0 && lr->buf[stop - 1] == '\r')
			n--;
	} else {
		lr->pos = stop;
	}
	lr->scan = lr->pos;
	lr->prev_end = lr->cur_off + lr->cur_len;
	lr->cur_off = start;
	lr->cur_len = n;
	lr->lineno++;
	*line = lr->buf + start;
	*len = n;
	return true;
}

/* The line at pos is longer than LR_LINE_MAX: drops it up to and with its
 * newline (or the end of input), counting it as a line, so that memory
 * stays bounded whatever the input (a 300 MB line took 2.1 GB; /dev/zero
 * read with a forced format grew until allocation failed). What is marked
 * before it stays. */
static void note_long(struct line_reader *lr)
{
	lr->lineno++;
	if (lr->nlong < LR_LONG_KEPT)
		lr->long_lines[lr->nlong] = lr->lineno;
	lr->nlong++;
}

static void skip_long(struct line_reader *lr)
{
	note_long(lr);
	for (;;) {
		lr->end = lr->scan = lr->pos;
		if (!lr_refill(lr, lr->mark != LR_NO_MARK ? lr->mark : lr->cur_off))
			return;
		const char *nl = memchr(lr->buf + lr->pos, '\n', lr->end - lr->pos);
		if (nl) {
			lr->pos = lr->scan = (size_t)(nl - lr->buf) + 1;
			return;
		}
	}
}

uint64_t lr_long_lines(const struct line_reader *lr, const uint64_t **kept, size_t *nkept)
{
	*kept = lr->long_lines;
	*nkept = lr->nlong < LR_LONG_KEPT ? lr->nlong : LR_LONG_KEPT;
	return lr->nlong;
}

bool lr_next(struct line_reader *lr, const char **line, size_t *len)
{
	if (lr->unread) {
		lr->unread = false;
		*line = lr->buf + lr->cur_off;
		*len = lr->cur_len;
		return true;
	}
	for (;;) {
		if (lr->scan < lr->end) {
			const char *nl = memchr(lr->buf + lr->scan, '\n', lr->end - lr->scan);
			size_t stop = nl ? (size_t)(nl - lr->buf) : 0;
			if (nl && stop - lr->pos > LR_LINE_MAX) {
				/* Whole in the window already (a piece read in
				 * memory): skipped all the same, for the same result. */
				note_long(lr);
				lr->pos = lr->scan = stop + 1;
				continue;
			}
			if (nl)
				return lr_deliver(lr, stop, line, len);
			lr->scan = lr->end;
		}
		if (lr->end - lr->pos > LR_LINE_MAX) {
			skip_long(lr);
			continue;
		}
		/* The mark is never after the last line, which is kept too so
		 * that lr_unread() works even after the end was met. */
		if (!lr_refill(lr, lr->mark != LR_NO_MARK ? lr->mark : lr->cur_off)) {
			if (lr->pos == lr->end)
				return false;
			return lr_deliver(lr, lr->end, line, len);
		}
	}
}

size_t lr_read(struct line_reader *lr, char *dst, size_t n)
{
	size_t got = 0;
	while (got < n) {
		if (lr->pos < lr->end) {
			size_t k = lr->end - lr->pos;
			if (k > n - got)
				k = n - got;
			memcpy(dst + got, lr->buf + lr->pos, k);
			lr->pos += k;
			lr->scan = lr->cur_off = lr->prev_end = lr->pos;
			lr->cur_len = 0;
			got += k;
			continue;
		}
		if (!lr_refill(lr, lr->pos))
			break;
	}
	return got;
}

void lr_mark(struct line_reader *lr)
{
	if (lr->lineno > 0)
		lr->mark = lr->cur_off;
}

const char *lr_marked(const struct line_reader *lr)
{
	return lr->mark != LR_NO_MARK ? lr->buf + lr->mark : NULL;
}

const char *lr_record(const struct line_reader *lr, size_t *len)
{
	size_t stop;

	if (lr->mark == LR_NO_MARK) {
		*len = 0;
		return NULL;
	}
	stop = lr->unread ? lr->prev_end : lr->cur_off + lr->cur_len;
	*len = stop > lr->mark ? stop - lr->mark : 0;
	return lr->buf + lr->mark;
}

void lr_unmark(struct line_reader *lr)
{
	lr->mark = LR_NO_MARK;
}

void lr_unread(struct line_reader *lr)
{
	if (lr->lineno > 0)
		lr->unread = true;
}

const char *lr_line(const struct line_reader *lr, size_t *len)
{
	if (lr->lineno == 0 || !lr->buf) {
		*len = 0;
		return NULL;
	}
	*len = lr->cur_len;
	return lr->buf + lr->cur_off;
}

uint64_t lr_lineno(const struct line_reader *lr)
{
	return lr->lineno;
}

uint64_t lr_bytes_in(const struct line_reader *lr)
{
	return lr->bytes_in;
}

uint64_t lr_bytes_out(const struct line_reader *lr)
{
	return lr->bytes_out;
}

const char *lr_error(const struct line_reader *lr)
{
	return lr->failed ? lr->err : NULL;
}
