/* input.h: streaming input with transparent decompression, split into lines.
 *
 * An input is a file path or "-" (standard input). Its first bytes decide
 * whether it is gzip (1f 8b), zstd (28 b5 2f fd) or plain; it is then
 * decompressed as it is read, never loaded whole. The line reader hands out
 * lines that point into its own buffer: no allocation per line.
 *
 * Records that span lines (a statement with tab-led continuation lines)
 * stay contiguous: lr_mark() pins the start of the current record, and the
 * reader keeps everything from the mark on when it refills its buffer, so a
 * parser can treat "header line + continuations" as one slice. */
#ifndef PGSIFT_INPUT_H
#define PGSIFT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum input_compression { INPUT_PLAIN, INPUT_GZIP, INPUT_ZSTD, INPUT_BZIP2, INPUT_XZ };

struct line_reader;

/* Opens path ("-" for stdin). On failure returns NULL and writes a
 * message (without the path) into err. The reader belongs to the caller:
 * free it with lr_close(). */
struct line_reader *lr_open(const char *path, char *err, size_t errlen);

/* Reads the plain bytes buf[0..len) in place, without a copy (a piece of
 * a file read into memory); buf must outlive the reader. */
struct line_reader *lr_open_view(const char *buf, size_t len);
/* Bytes [off, off + len) of the plain file at path, read as lr_open()
 * reads a file (line numbers count from the range's start). NULL with
 * err set when it cannot be opened. */
struct line_reader *lr_open_range(const char *path, uint64_t off, uint64_t len,
		char *err, size_t errlen);
/* Wraps an in-memory buffer (for tests and probes); buf must outlive the
 * reader. Compressed buffers are detected and decompressed like files. */
struct line_reader *lr_open_mem(const char *buf, size_t len);

void lr_close(struct line_reader *lr);
/* Closes the reader of an archive's member this thread keeps open for the
 * next member (lr_close() keeps it): at the end of a thread's inputs. */
void lr_release_parked(void);

/* The inputs paths[0..n) name, a directory standing for the regular
 * files under it in path order, an archive (tar, zip; compressed or not)
 * for its regular files in archive order, named ARCHIVE::MEMBER, which
 * lr_open() opens (input_paths.c): a new array of new strings in *out,
 * their count returned; free with input_paths_free(). */
#define INPUT_MEMBER_SEP "::"
/* The size and modification time (epoch s) the archive at path gives its
 * file member (input_archive.c); false when it has no such file. */
bool input_archive_member_stat(const char *path, const char *member,
		uint64_t *size, int64_t *mtime);
size_t input_paths_expand(const char *const *paths, size_t n, char ***out);
void input_paths_free(char **paths, size_t n);

enum input_compression lr_compression(const struct line_reader *lr);

/* Returns up to max bytes of decompressed data from the start of the
 * input without consuming them (for format and prefix detection). *len is
 * set to what is available; fewer bytes mean the input is that short (or
 * failed: see lr_error()). Call it before reading lines: once lr_next()
 * has dropped the first bytes it returns NULL with *len 0. It may move the
 * buffer, like a refill. */
const char *lr_peek(struct line_reader *lr, size_t max, size_t *len);

/* Test hook: sets how many bytes each read() asks for, which is also the
 * decompressor's input size and the least free room a refill makes
 * (default 1 MiB; at least 1). Small values make lines straddle refills.
 * Takes effect only before the first lr_peek() or lr_next(). */
void lr_set_chunk_size(struct line_reader *lr, size_t n);

/* Reads the next line. Returns true and sets *line / *len (without the
 * "\n" or "\r\n"); the line stays valid until the next lr_next() or
 * lr_peek(). Returns false at end of input or on an error (see
 * lr_error()), after every complete line and a last line without a
 * newline have been returned.
 *
 * A refill moves the bytes still needed (from the mark, or from the last
 * line) to the start of the buffer, growing it when they do not fit: the
 * bytes of a marked record stay intact and contiguous, but their address
 * may change, so re-fetch lr_marked() / lr_record() after every lr_next()
 * and never keep a pointer taken before it. */
bool lr_next(struct line_reader *lr, const char **line, size_t *len);

/* Reads up to n decompressed bytes into dst, from where lines would be
 * read next (not mixed with lr_next(): one or the other on a reader).
 * Returns the count; less than n at the end of input or on an error. */
size_t lr_read(struct line_reader *lr, char *dst, size_t n);
/* Pins the line last returned by lr_next() as the start of a record, until
 * lr_mark() on a later line or lr_unmark(). Everything from the mark on is
 * kept in memory, so unmark when the record is done. */
void lr_mark(struct line_reader *lr);
/* Returns the pinned start (the line marked), or NULL when none. */
const char *lr_marked(const struct line_reader *lr);
/* Returns lr_marked() and sets *len to the bytes from there to the end of
 * the last line returned and not pushed back (line breaks inside included,
 * the last one excluded); NULL and 0 when nothing is marked. Valid like
 * lr_marked(). */
const char *lr_record(const struct line_reader *lr, size_t *len);
void lr_unmark(struct line_reader *lr);

/* Pushes the line last returned back, so the next lr_next() returns it
 * again, same pointer and length, without counting it twice in
 * lr_lineno() (one line of look-ahead for parsers that read past a
 * record). A second call before lr_next() does nothing. */
void lr_unread(struct line_reader *lr);

/* Lines longer than this (newline excluded) are skipped, not returned:
 * their bytes are read and dropped, so that no input makes memory grow
 * past it (README, "Limits"). They count in lr_lineno(). */
#define LR_LINE_MAX ((size_t)64 << 20)
/* How many lines were skipped as longer than LR_LINE_MAX; *kept gets the
 * numbers of the first *nkept of them. */
uint64_t lr_long_lines(const struct line_reader *lr, const uint64_t **kept, size_t *nkept);

/* The line last returned by lr_next() (or pushed back), valid like it;
 * NULL before the first. */
const char *lr_line(const struct line_reader *lr, size_t *len);

/* 1-based number of the line last returned. */
uint64_t lr_lineno(const struct line_reader *lr);
/* Compressed (on-disk) bytes consumed so far, and decompressed bytes. */
uint64_t lr_bytes_in(const struct line_reader *lr);
uint64_t lr_bytes_out(const struct line_reader *lr);

/* NULL while all is well; else a message such as "truncated gzip stream
 * (ended after N bytes)" (N compressed bytes), "corrupt zstd data: ..." or
 * "read error: ...". Set as soon as the problem is met; lr_next() still
 * returns the lines decoded before it, then false. */
const char *lr_error(const struct line_reader *lr);

#endif
