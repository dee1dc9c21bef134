/* check_input.c: the line reader on plain, gzip and zstd input, with small
 * chunk sizes so that lines and marked records straddle refills. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "input.h"
#include "strbuf.h"
#include "util.h"

/* ---- building inputs ---- */

enum enc { ENC_PLAIN, ENC_GZIP, ENC_GZIP_MULTI, ENC_ZSTD, ENC_ZSTD_MULTI, ENC_COUNT };
static const char *const enc_names[ENC_COUNT] = {
	"plain", "gzip", "gzip multi-member", "zstd", "zstd multi-frame",
};

static void gzip_append(struct strbuf *out, const char *src, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	size_t bound = deflateBound(&z, n);
	sb_grow(out, bound);
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->buf + out->len;
	z.avail_out = (uInt)bound;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len += bound - z.avail_out;
	deflateEnd(&z);
}

static void zstd_append(struct strbuf *out, const char *src, size_t n)
{
	size_t bound = ZSTD_compressBound(n);
	sb_grow(out, bound);
	size_t r = ZSTD_compress(out->buf + out->len, bound, src, n, 3);
	ck_assert_msg(!ZSTD_isError(r), "ZSTD_compress: %s", ZSTD_getErrorName(r));
	out->len += r;
}

/* Encodes src; the multi kinds cut it into parts pieces at arbitrary
 * bytes (mid-line too) and compress each on its own. */
static void encode(struct strbuf *out, enum enc e, const char *src, size_t n, size_t parts)
{
	void (*append)(struct strbuf *, const char *, size_t) = NULL;

	sb_reset(out);
	sb_grow(out, 1);
	switch (e) {
	case ENC_PLAIN: sb_append(out, src, n); return;
	case ENC_GZIP: parts = 1; /* fall through */
	case ENC_GZIP_MULTI: append = gzip_append; break;
	case ENC_ZSTD: parts = 1; /* fall through */
	case ENC_ZSTD_MULTI: append = zstd_append; break;
	default: ck_abort();
	}
	for (size_t k = 0; k < parts; k++)
		append(out, src + n * k / parts, n * (k + 1) / parts - n * k / parts);
}

static enum input_compression enc_comp(enum enc e)
{
	return e == ENC_PLAIN ? INPUT_PLAIN
	     : e == ENC_GZIP || e == ENC_GZIP_MULTI ? INPUT_GZIP : INPUT_ZSTD;
}

/* A log-like text: short and long lines, empty lines, tab continuations, a
 * NUL byte inside a line. Ends with a newline. */
static void sample_text(struct strbuf *sb, int lines)
{
	char tmp[256];
	sb_reset(sb);
	for (int k = 0; k < lines; k++) {
		int n = snprintf(tmp, sizeof tmp,
				 "2024-05-01 10:%02d:%02d.%03d UTC [%d] app@db LOG:  duration: %d.%03d ms  statement: SELECT %d",
				 k / 60 % 60, k % 60, k * 7 % 1000, 1000 + k % 13, k % 97, k % 1000, k);
		sb_append(sb, tmp, (size_t)n);
		for (int pad = 0; pad < k % 17; pad++)
			sb_append(sb, " , x", 4);
		sb_putc(sb, '\n');
		if (k % 5 == 0)
			sb_append(sb, "\tFROM t\n\tWHERE a = 1\n", 21);
		if (k % 11 == 0)
			sb_putc(sb, '\n');
		if (k % 37 == 0)
			sb_append(sb, "nul\0inside\n", 11);
		if (k == lines / 2)
			for (int j = 0; j < 3000; j++)
				sb_putc(sb, j == 2999 ? '\n' : (char)('a' + j % 26));
	}
}

/* Reads every line, appending each plus "\n" to out. Returns the count. */
static uint64_t collect(struct line_reader *lr, struct strbuf *out)
{
	const char *line;
	size_t len;
	uint64_t n = 0;

	sb_reset(out);
	sb_grow(out, 1);
	while (lr_next(lr, &line, &len)) {
		sb_append(out, line, len);
		sb_putc(out, '\n');
		n++;
		ck_assert_uint_eq(lr_lineno(lr), n);
	}
	return n;
}

static uint64_t count_char(const char *p, size_t n, char c)
{
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

static void assert_same(const struct strbuf *got, const char *want, size_t n)
{
	ck_assert_msg(got->len == n, "got %zu bytes, want %zu", got->len, n);
	for (size_t i = 0; i < n; i++)
		if (got->buf[i] != want[i])
			ck_abort_msg("first difference at byte %zu", i);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* A fresh path in the temporary directory; the caller unlinks it. */
static void temp_path(char *path, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, size, "%s/check_input.%ld.%s", dir && *dir ? dir : "/tmp",
		 (long)getpid(), name);
}

/* ---- core ---- */

static const size_t chunk_sizes[] = { 0, 1, 3, 64, 4096 };     /* 0: default */
#define N_CHUNKS ARRAY_SIZE(chunk_sizes)

/* Every encoding at every chunk size gives the same lines. */
START_TEST(test_encodings_same_lines)
{
	enum enc e = (enum enc)(_i / (int)N_CHUNKS);
	size_t chunk = chunk_sizes[_i % (int)N_CHUNKS];
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT, got = STRBUF_INIT;

	sample_text(&text, chunk == 1 ? 300 : 1200);
	encode(&data, e, text.buf, text.len, 7);
	struct line_reader *lr = lr_open_mem(data.buf, data.len);
	if (chunk)
		lr_set_chunk_size(lr, chunk);
	ck_assert_int_eq(lr_compression(lr), enc_comp(e));
	uint64_t n = collect(lr, &got);
	ck_assert_msg(lr_error(lr) == NULL, "%s: %s", enc_names[e], lr_error(lr));
	assert_same(&got, text.buf, text.len);
	ck_assert_uint_eq(n, count_char(text.buf, text.len, '\n'));
	ck_assert_uint_eq(lr_bytes_in(lr), data.len);
	ck_assert_uint_eq(lr_bytes_out(lr), text.len);
	lr_close(lr);
	sb_release(&text);
	sb_release(&data);
	sb_release(&got);
}
END_TEST

#define S(lit) lit, sizeof lit - 1
static const struct {
	const char *in;
	size_t len;
	const char *want;       /* lines, each followed by "\n" */
	size_t want_len;
	uint64_t lines;
} shape_cases[] = {
	{ S(""), S(""), 0 },
	{ S("\n"), S("\n"), 1 },
	{ S("\n\n\n"), S("\n\n\n"), 3 },
	{ S("abc"), S("abc\n"), 1 },
	{ S("a\nb"), S("a\nb\n"), 2 },
	{ S("a\r\nb\r\n\r\nc"), S("a\nb\n\nc\n"), 4 },
	{ S("x\ry\r\n\r"), S("x\ry\n\r\n"), 2 },  /* only a "\r" before "\n" goes */
	{ S("\r\n"), S("\n"), 1 },
	{ S("one\n\ntwo\n"), S("one\n\ntwo\n"), 3 },
	{ S("nul\0byte\n"), S("nul\0byte\n"), 1 },
};
#undef S

/* CRLF, missing final newline, empty input and empty lines, at chunk
 * sizes 1 and 2 too, so "\r" and "\n" land in different reads. */
START_TEST(test_line_shapes)
{
	size_t c = (size_t)_i % ARRAY_SIZE(shape_cases);
	size_t chunk = (size_t)_i / ARRAY_SIZE(shape_cases);   /* 0 = default, 1, 2 */
	struct strbuf got = STRBUF_INIT;
	struct line_reader *lr = lr_open_mem(shape_cases[c].in, shape_cases[c].len);

	if (chunk)
		lr_set_chunk_size(lr, chunk);
	uint64_t n = collect(lr, &got);
	ck_assert_msg(n == shape_cases[c].lines, "case %zu: %llu lines", c,
		      (unsigned long long)n);
	assert_same(&got, shape_cases[c].want, shape_cases[c].want_len);
	ck_assert_ptr_null(lr_error(lr));
	const char *line;
	size_t len;
	ck_assert(!lr_next(lr, &line, &len));   /* and stays at the end */
	lr_close(lr);
	sb_release(&got);
}
END_TEST

START_TEST(test_unread)
{
	static const char text[] = "first\nsecond\r\nthird";
	struct line_reader *lr = lr_open_mem(text, sizeof text - 1);
	const char *line, *again;
	size_t len, len2;

	lr_set_chunk_size(lr, 2);
	lr_unread(lr);                  /* nothing read yet: no-op */
	ck_assert(lr_next(lr, &line, &len));
	ck_assert(lr_next(lr, &line, &len));
	ck_assert_uint_eq(lr_lineno(lr), 2);
	lr_unread(lr);
	lr_unread(lr);                  /* one line of push-back only */
	ck_assert_uint_eq(lr_lineno(lr), 2);
	ck_assert(lr_next(lr, &again, &len2));
	ck_assert_ptr_eq(again, line);
	ck_assert_uint_eq(len2, len);
	ck_assert_uint_eq(lr_lineno(lr), 2);
	ck_assert_mem_eq(again, "second", 6);
	ck_assert(lr_next(lr, &line, &len));
	ck_assert_uint_eq(lr_lineno(lr), 3);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(line, "third", 5);
	ck_assert(!lr_next(lr, &line, &len));
	lr_unread(lr);                  /* the last line, after the end */
	ck_assert(lr_next(lr, &line, &len));
	ck_assert_mem_eq(line, "third", 5);
	ck_assert(!lr_next(lr, &line, &len));
	ck_assert_uint_eq(lr_lineno(lr), 3);
	lr_close(lr);
}
END_TEST

/* Records of a header and two tab-led lines, read the way a parser does:
 * mark the header, read continuations, unread the next header. */
static void build_records(struct strbuf *sb, int n)
{
	char tmp[128];
	sb_reset(sb);
	for (int k = 0; k < n; k++) {
		int len = snprintf(tmp, sizeof tmp, "H%d %.*s\n\tcont a %d %.*s\n\tcont b %d\n",
				   k, k % 23, "......................", k, k % 7, "xxxxxxx", k);
		sb_append(sb, tmp, (size_t)len);
	}
}

static const size_t mark_chunks[] = { 1, 2, 3, 5, 7, 16, 61, 4096 };
#define N_MARK_CHUNKS ARRAY_SIZE(mark_chunks)
static const enum enc mark_encs[] = { ENC_PLAIN, ENC_GZIP_MULTI, ENC_ZSTD_MULTI };

START_TEST(test_mark_across_refills)
{
	size_t chunk = mark_chunks[(size_t)_i % N_MARK_CHUNKS];
	enum enc e = mark_encs[(size_t)_i / N_MARK_CHUNKS];
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT;
	const char *line, *want = NULL;
	size_t len;
	int records = 0, moves = 0;

	build_records(&text, 400);
	encode(&data, e, text.buf, text.len, 5);
	struct line_reader *lr = lr_open_mem(data.buf, data.len);
	lr_set_chunk_size(lr, chunk);
	want = text.buf;
	while (lr_next(lr, &line, &len)) {
		ck_assert_msg(len > 0 && line[0] == 'H', "record %d: no header", records);
		lr_mark(lr);
		ck_assert_ptr_eq(lr_marked(lr), line);
		const char *start = lr_marked(lr);
		int conts = 0;
		while (lr_next(lr, &line, &len)) {
			if (lr_marked(lr) != start)
				moves++;
			start = lr_marked(lr);
			if (len == 0 || line[0] != '\t') {
				lr_unread(lr);
				break;
			}
			conts++;
		}
		ck_assert_int_eq(conts, 2);
		size_t rlen;
		const char *rec = lr_record(lr, &rlen);
		ck_assert_ptr_eq(rec, lr_marked(lr));
		const char *want_end = strstr(want, "\n\tcont b ");
		want_end = strchr(want_end + 1, '\n');
		ck_assert_uint_eq(rlen, (size_t)(want_end - want));
		ck_assert_mem_eq(rec, want, rlen);
		want = want_end + 1;
		records++;
	}
	ck_assert_ptr_null(lr_error(lr));
	ck_assert_int_eq(records, 400);
	if (chunk < 64)
		ck_assert_msg(moves > 0, "no record moved: the test straddles nothing");
	lr_unmark(lr);
	ck_assert_ptr_null(lr_marked(lr));
	ck_assert_ptr_null(lr_record(lr, &len));
	lr_close(lr);
	sb_release(&text);
	sb_release(&data);
}
END_TEST

START_TEST(test_record_after_unread_of_marked_line)
{
	static const char text[] = "H1\n\tc\nH2\n";
	struct line_reader *lr = lr_open_mem(text, sizeof text - 1);
	const char *line;
	size_t len, rlen;

	ck_assert(lr_next(lr, &line, &len));
	lr_mark(lr);
	ck_assert(lr_record(lr, &rlen) == line && rlen == 2);
	lr_unread(lr);
	ck_assert(lr_record(lr, &rlen) != NULL && rlen == 0);
	ck_assert(lr_next(lr, &line, &len));
	ck_assert(lr_next(lr, &line, &len));
	ck_assert(lr_record(lr, &rlen) && rlen == 5);
	ck_assert_mem_eq(lr_record(lr, &rlen), "H1\n\tc", 5);
	lr_close(lr);
}
END_TEST

START_TEST(test_peek)
{
	enum enc e = (enum enc)_i;
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT, got = STRBUF_INIT;
	const char *p;
	size_t len;

	sample_text(&text, 3000);
	ck_assert_uint_gt(text.len, 256 * 1024);
	encode(&data, e, text.buf, text.len, 3);
	struct line_reader *lr = lr_open_mem(data.buf, data.len);
	p = lr_peek(lr, 10, &len);
	ck_assert_uint_eq(len, 10);
	ck_assert_mem_eq(p, text.buf, 10);
	p = lr_peek(lr, 256 * 1024, &len);
	ck_assert_uint_eq(len, 256 * 1024);
	ck_assert_mem_eq(p, text.buf, len);
	/* Peeking consumed nothing. */
	collect(lr, &got);
	assert_same(&got, text.buf, text.len);
	ck_assert_ptr_null(lr_peek(lr, 10, &len));      /* the start is gone */
	ck_assert_uint_eq(len, 0);
	lr_close(lr);

	/* Shorter than asked: all of it. */
	lr = lr_open_mem(data.buf, data.len);
	p = lr_peek(lr, text.len + 100, &len);
	ck_assert_uint_eq(len, text.len);
	ck_assert_mem_eq(p, text.buf, len);
	lr_close(lr);
	sb_release(&text);
	sb_release(&data);
	sb_release(&got);
}
END_TEST

START_TEST(test_peek_small_chunks_then_lines)
{
	static const char text[] = "line one\nline two\n";
	struct line_reader *lr = lr_open_mem(text, sizeof text - 1);
	const char *p, *line;
	size_t len;

	lr_set_chunk_size(lr, 3);
	p = lr_peek(lr, 12, &len);
	ck_assert_uint_eq(len, 12);
	ck_assert_mem_eq(p, "line one\nlin", 12);
	ck_assert(lr_next(lr, &line, &len) && len == 8);
	ck_assert(lr_next(lr, &line, &len) && len == 8);
	ck_assert_mem_eq(line, "line two", 8);
	ck_assert(!lr_next(lr, &line, &len));
	lr_close(lr);

	lr = lr_open_mem("", 0);
	p = lr_peek(lr, 100, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 0);
	lr_close(lr);
}
END_TEST

/* "-" reads standard input: here a pipe fed in small writes by a child. */
START_TEST(test_stdin_pipe)
{
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT, got = STRBUF_INIT;
	int fds[2], saved;
	char err[128];

	sample_text(&text, 2000);
	encode(&data, ENC_GZIP_MULTI, text.buf, text.len, 4);
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < data.len; ) {
			size_t n = data.len - off < 777 ? data.len - off : 777;
			ssize_t w = write(fds[1], data.buf + off, n);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	saved = dup(STDIN_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);

	struct line_reader *lr = lr_open("-", err, sizeof err);
	ck_assert_msg(lr != NULL, "%s", err);
	ck_assert_int_eq(lr_compression(lr), INPUT_GZIP);
	collect(lr, &got);
	ck_assert_ptr_null(lr_error(lr));
	assert_same(&got, text.buf, text.len);
	ck_assert_uint_eq(lr_bytes_in(lr), data.len);
	lr_close(lr);

	ck_assert_int_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sb_release(&text);
	sb_release(&data);
	sb_release(&got);
}
END_TEST

/* ---- compression ---- */

/* The first bytes decide, not the name. */
START_TEST(test_detect_by_content)
{
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT, got = STRBUF_INIT;
	char path[512], err[128];
	static const struct { enum enc e; const char *name; } files[] = {
		{ ENC_GZIP, "postgresql.log" },
		{ ENC_ZSTD, "postgresql.log.gz" },
		{ ENC_PLAIN, "postgresql.log.zst" },
	};

	sample_text(&text, 500);
	for (size_t k = 0; k < ARRAY_SIZE(files); k++) {
		encode(&data, files[k].e, text.buf, text.len, 1);
		temp_path(path, sizeof path, files[k].name);
		write_file(path, data.buf, data.len);
		struct line_reader *lr = lr_open(path, err, sizeof err);
		ck_assert_msg(lr != NULL, "%s", err);
		ck_assert_int_eq(lr_compression(lr), enc_comp(files[k].e));
		collect(lr, &got);
		ck_assert_ptr_null(lr_error(lr));
		assert_same(&got, text.buf, text.len);
		ck_assert_uint_eq(lr_bytes_in(lr), data.len);
		lr_close(lr);
		unlink(path);
	}
	sb_release(&text);
	sb_release(&data);
	sb_release(&got);
}
END_TEST

/* Compressed empty payloads, gzip zero padding, a leading skippable zstd
 * frame, and plain data shorter than a magic number. */
START_TEST(test_compression_edges)
{
	struct strbuf data = STRBUF_INIT, got = STRBUF_INIT;
	struct line_reader *lr;

	encode(&data, ENC_GZIP, "", 0, 1);
	lr = lr_open_mem(data.buf, data.len);
	ck_assert_uint_eq(collect(lr, &got), 0);
	ck_assert_ptr_null(lr_error(lr));
	lr_close(lr);

	encode(&data, ENC_ZSTD, "", 0, 1);
	lr = lr_open_mem(data.buf, data.len);
	ck_assert_int_eq(lr_compression(lr), INPUT_ZSTD);
	ck_assert_uint_eq(collect(lr, &got), 0);
	ck_assert_ptr_null(lr_error(lr));
	lr_close(lr);

	encode(&data, ENC_GZIP, "a\nb\n", 4, 1);
	sb_append(&data, "\0\0\0\0\0\0\0\0", 8);
	gzip_append(&data, "c\n", 2);
	sb_append(&data, "\0\0\0", 3);
	lr = lr_open_mem(data.buf, data.len);
	lr_set_chunk_size(lr, 5);
	ck_assert_uint_eq(collect(lr, &got), 3);
	ck_assert_ptr_null(lr_error(lr));
	assert_same(&got, "a\nb\nc\n", 6);
	lr_close(lr);

	static const char skippable[] = "\x50\x2a\x4d\x18\x03\x00\x00\x00pad";
	sb_reset(&data);
	sb_append(&data, skippable, sizeof skippable - 1);
	zstd_append(&data, "x\ny\n", 4);
	lr = lr_open_mem(data.buf, data.len);
	ck_assert_int_eq(lr_compression(lr), INPUT_ZSTD);
	ck_assert_uint_eq(collect(lr, &got), 2);
	ck_assert_ptr_null(lr_error(lr));
	lr_close(lr);

	lr = lr_open_mem("\x1f", 1);
	ck_assert_int_eq(lr_compression(lr), INPUT_PLAIN);
	ck_assert_uint_eq(collect(lr, &got), 1);
	lr_close(lr);

	lr = lr_open_mem(NULL, 0);
	ck_assert_uint_eq(collect(lr, &got), 0);
	ck_assert_ptr_null(lr_error(lr));
	lr_close(lr);
	sb_release(&data);
	sb_release(&got);
}
END_TEST

/* ---- limits ---- */

/* A 5 MB line, then a short one, with and without a final newline. */
START_TEST(test_long_line)
{
	static const enum enc encs[] = { ENC_PLAIN, ENC_GZIP, ENC_ZSTD };
	enum enc e = encs[_i % 3];
	size_t chunk = _i / 3 == 0 ? 0 : 4096;
	const size_t big = 5u << 20;
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT;
	const char *line;
	size_t len;

	sb_grow(&text, big + 16);
	for (size_t k = 0; k < big; k++)
		text.buf[k] = (char)(' ' + k % 90);
	text.len = big;
	sb_append(&text, "\nend", 4);
	for (int final_nl = 0; final_nl < 2; final_nl++) {
		if (final_nl)
			sb_putc(&text, '\n');
		encode(&data, e, text.buf, text.len, 1);
		struct line_reader *lr = lr_open_mem(data.buf, data.len);
		if (chunk)
			lr_set_chunk_size(lr, chunk);
		ck_assert(lr_next(lr, &line, &len));
		ck_assert_uint_eq(len, big);
		ck_assert(memcmp(line, text.buf, big) == 0);
		ck_assert(lr_next(lr, &line, &len));
		ck_assert_uint_eq(len, 3);
		ck_assert_mem_eq(line, "end", 3);
		ck_assert(!lr_next(lr, &line, &len));
		ck_assert_ptr_null(lr_error(lr));
		ck_assert_uint_eq(lr_lineno(lr), 2);
		lr_close(lr);
	}
	sb_release(&text);
	sb_release(&data);
}
END_TEST

/* A marked record far bigger than the window: 3 MB of continuations. */
START_TEST(test_big_marked_record)
{
	struct strbuf text = STRBUF_INIT;
	const char *line;
	size_t len, rlen;
	int conts = 0;

	sb_append(&text, "HEAD\n", 5);
	for (int k = 0; k < 30000; k++) {
		char tmp[128];
		int n = snprintf(tmp, sizeof tmp, "\t%05d %s\n", k,
				 "continuation continuation continuation continuation continuation");
		sb_append(&text, tmp, (size_t)n);
	}
	size_t rec_len = text.len - 1;
	sb_append(&text, "NEXT\n", 5);
	ck_assert_uint_gt(rec_len, 2u << 20);

	struct line_reader *lr = lr_open_mem(text.buf, text.len);
	lr_set_chunk_size(lr, 4096);
	ck_assert(lr_next(lr, &line, &len));
	lr_mark(lr);
	while (lr_next(lr, &line, &len) && line[0] == '\t')
		conts++;
	ck_assert_int_eq(conts, 30000);
	ck_assert_mem_eq(line, "NEXT", 4);
	lr_unread(lr);
	const char *rec = lr_record(lr, &rlen);
	ck_assert_uint_eq(rlen, rec_len);
	ck_assert(memcmp(rec, text.buf, rec_len) == 0);
	lr_unmark(lr);
	ck_assert(lr_next(lr, &line, &len));
	ck_assert_mem_eq(line, "NEXT", 4);
	ck_assert(!lr_next(lr, &line, &len));
	lr_close(lr);
	sb_release(&text);
}
END_TEST

START_TEST(test_many_empty_lines)
{
	const size_t n = 200000;
	char *text = malloc(n);
	const char *line;
	size_t len;
	uint64_t k = 0;

	memset(text, '\n', n);
	struct line_reader *lr = lr_open_mem(text, n);
	lr_set_chunk_size(lr, 1000);
	while (lr_next(lr, &line, &len)) {
		ck_assert_uint_eq(len, 0);
		k++;
	}
	ck_assert_uint_eq(k, n);
	lr_close(lr);
	free(text);
}
END_TEST

/* ---- errors ---- */

/* Cuts a compressed stream short. All complete lines before the cut come
 * out intact, then maybe a partial line (a prefix of the real one), then
 * false with the error. */
static const struct { enum enc e; size_t chunk; unsigned cut_permille; } trunc_cases[] = {
	{ ENC_GZIP, 0, 500 }, { ENC_GZIP, 0, 999 }, { ENC_GZIP, 7, 300 },
	{ ENC_GZIP_MULTI, 0, 900 }, { ENC_GZIP, 0, 1 },
	{ ENC_ZSTD, 0, 500 }, { ENC_ZSTD, 0, 999 }, { ENC_ZSTD, 7, 300 },
	{ ENC_ZSTD_MULTI, 0, 900 }, { ENC_ZSTD, 0, 1 },
};

START_TEST(test_truncated)
{
	enum enc e = trunc_cases[_i].e;
	struct strbuf text = STRBUF_INIT, data = STRBUF_INIT;
	const char *line;
	size_t len, off = 0;
	char want_err[128];
	uint64_t complete = 0;

	sample_text(&text, 8000);      /* zstd decodes whole 128 KiB blocks */
	encode(&data, e, text.buf, text.len, 4);
	size_t cut = data.len * trunc_cases[_i].cut_permille / 1000;
	if (cut < 6)
		cut = 6;        /* past the magic: the format is still known */
	struct line_reader *lr = lr_open_mem(data.buf, cut);
	if (trunc_cases[_i].chunk)
		lr_set_chunk_size(lr, trunc_cases[_i].chunk);
	while (lr_next(lr, &line, &len)) {
		const char *nl = memchr(text.buf + off, '\n', text.len - off);
		size_t want = (size_t)(nl - (text.buf + off));
		ck_assert_msg(len <= want, "line %llu too long",
			      (unsigned long long)lr_lineno(lr));
		ck_assert(memcmp(line, text.buf + off, len) == 0);
		if (len < want) {       /* the partial line is the last */
			ck_assert(!lr_next(lr, &line, &len));
			break;
		}
		off += want + 1;
		complete++;
	}
	ck_assert_ptr_nonnull(lr_error(lr));
	snprintf(want_err, sizeof want_err, "truncated %s stream (ended after %zu bytes)",
		 enc_comp(e) == INPUT_GZIP ? "gzip" : "zstd", cut);
	ck_assert_str_eq(lr_error(lr), want_err);
	ck_assert_uint_eq(lr_bytes_in(lr), cut);
	if (trunc_cases[_i].cut_permille >= 300)
		ck_assert_uint_gt(complete, 100);
	lr_close(lr);
	sb_release(&text);
	sb_release(&data);
}
END_TEST

/* A multi-frame or multi-member input cut exactly between two parts is a
 * shorter, valid input: no error. */
START_TEST(test_cut_between_parts)
{
	struct strbuf data = STRBUF_INIT, got = STRBUF_INIT;

	for (int z = 0; z < 2; z++) {
		sb_reset(&data);
		(z ? zstd_append : gzip_append)(&data, "one\ntwo\n", 8);
		size_t first = data.len;
		(z ? zstd_append : gzip_append)(&data, "three\n", 6);
		struct line_reader *lr = lr_open_mem(data.buf, first);
		ck_assert_uint_eq(collect(lr, &got), 2);
		ck_assert_ptr_null(lr_error(lr));
		lr_close(lr);
	}
	sb_release(&data);
	sb_release(&got);
}
END_TEST

START_TEST(test_corrupt)
{
	struct strbuf data = STRBUF_INIT, got = STRBUF_INIT;
	struct line_reader *lr;
	static const char prefix_z[] = "corrupt zstd data: ", prefix_g[] = "corrupt gzip data: ";

	/* Garbage after a good frame: the frame's lines, then the error. */
	zstd_append(&data, "one\ntwo\n", 8);
	sb_append(&data, "garbage!", 8);
	lr = lr_open_mem(data.buf, data.len);
	ck_assert_uint_eq(collect(lr, &got), 2);
	ck_assert_ptr_nonnull(lr_error(lr));
	ck_assert_msg(strncmp(lr_error(lr), prefix_z, sizeof prefix_z - 1) == 0 &&
		      strlen(lr_error(lr)) > sizeof prefix_z, "%s", lr_error(lr));
	lr_close(lr);

	/* A reserved bit in the frame header. */
	sb_reset(&data);
	zstd_append(&data, "one\n", 4);
	data.buf[4] |= 0x08;
	lr = lr_open_mem(data.buf, data.len);
	ck_assert_uint_eq(collect(lr, &got), 0);
	ck_assert_ptr_nonnull(lr_error(lr));
	ck_assert(strncmp(lr_error(lr), prefix_z, sizeof prefix_z - 1) == 0);
	lr_close(lr);

	static const char bad_gzip[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff";
	lr = lr_open_mem(bad_gzip, sizeof bad_gzip - 1);
	ck_assert_int_eq(lr_compression(lr), INPUT_GZIP);
	ck_assert_uint_eq(collect(lr, &got), 0);
	ck_assert_ptr_nonnull(lr_error(lr));
	ck_assert_msg(strncmp(lr_error(lr), prefix_g, sizeof prefix_g - 1) == 0, "%s",
		      lr_error(lr));
	lr_close(lr);
	sb_release(&data);
	sb_release(&got);
}
END_TEST

START_TEST(test_open_errors)
{
	char err[128], path[512];

	err[0] = '\0';
	ck_assert_ptr_null(lr_open("/nonexistent/pgsift/postgresql.log", err, sizeof err));
	ck_assert_str_eq(err, "cannot open: No such file or directory");

	err[0] = '\0';
	/* A directory reaches the reader only when it holds no file (the
	 * files under one are the inputs: input_paths.c). */
	ck_assert_ptr_null(lr_open("/", err, sizeof err));
	ck_assert_str_eq(err, "a directory with no file in it (the files under "
		"a directory are read)");

	temp_path(path, sizeof path, "empty.log");
	write_file(path, "", 0);
	struct line_reader *lr = lr_open(path, err, sizeof err);
	ck_assert_ptr_nonnull(lr);
	const char *line;
	size_t len;
	ck_assert(!lr_next(lr, &line, &len));
	ck_assert_ptr_null(lr_error(lr));
	ck_assert_uint_eq(lr_lineno(lr), 0);
	lr_close(lr);
	unlink(path);
	lr_close(NULL);
}
END_TEST

Suite *suite_input(void);
Suite *suite_input(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_encodings_same_lines, 0, (int)(ENC_COUNT * N_CHUNKS));
	tcase_add_loop_test(tc, test_line_shapes, 0,
			    (int)(3 * (ARRAY_SIZE(shape_cases))));
	tcase_add_test(tc, test_unread);
	tcase_add_loop_test(tc, test_mark_across_refills, 0,
			    (int)(N_MARK_CHUNKS * (ARRAY_SIZE(mark_encs))));
	tcase_add_test(tc, test_record_after_unread_of_marked_line);
	tcase_add_loop_test(tc, test_peek, 0, ENC_COUNT);
	tcase_add_test(tc, test_peek_small_chunks_then_lines);
	tcase_add_test(tc, test_stdin_pipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("compression");
	tcase_add_test(tc, test_detect_by_content);
	tcase_add_test(tc, test_compression_edges);
	tcase_add_test(tc, test_cut_between_parts);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_long_line, 0, 6);
	tcase_add_test(tc, test_big_marked_record);
	tcase_add_test(tc, test_many_empty_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_truncated, 0,
			    (int)(ARRAY_SIZE(trunc_cases)));
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_open_errors);
	suite_add_tcase(s, tc);
	return s;
}
