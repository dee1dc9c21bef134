/* state_file.c: a state as a file (see state.h).
 *
 * Layout: "PGSIFTST", the format version (u32), the pgsift version that
 * wrote it (string), the payload's length (u64), then the payload as one
 * zstd frame: the run's filters, counters and inputs, then the parts of
 * the sinks in the pipeline's order (agg, events, traces, snapshots), then
 * an end mark. Numbers are little-endian. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <xxhash.h>
#include <zstd.h>

#include "analysis.h"
#include "input_overlap.h"
#include "parser.h"
#include "report.h"
#include "state.h"
#include "timeutil.h"
#include "util.h"

#define END_MARK 0x444E4553u    /* "SEND" */
/* A payload larger than this is not a state this pgsift wrote. */
#define PAYLOAD_MAX ((uint64_t)1 << 40)

/* ---- identity ---- */

/* Bytes the ladder's hash k covers: 1, 4, 16, 64 KB. */
static size_t ladder_len(size_t k)
{
	return (size_t)1024 << (2 * k);
}

bool state_ident_of(const char *path, uint64_t start, uint64_t end,
		struct state_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->start = start;
	id->end = end;
	if (strcmp(path, "-") == 0)
		return false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const char *member = fd < 0 ? strstr(path, INPUT_MEMBER_SEP) : NULL;
	if (member) {
		/* A file of an archive (ARCHIVE::FILE): its archive's device,
		 * and for the rest its name, size and time as the archive gives
		 * them, so that an archive made again with the same files (the
		 * month so far, say) is seen to hold files already read. */
		const char *sep = member;
		while ((member = strstr(member + 1, INPUT_MEMBER_SEP)))
			sep = member;
		char *archive = xstrndup(path, (size_t)(sep - path));
		const char *name = sep + strlen(INPUT_MEMBER_SEP);
		struct stat ast;
		uint64_t size;
		int64_t mtime;
		bool ok = stat(archive, &ast) == 0 &&
			input_archive_member_stat(archive, name, &size, &mtime);
		free(archive);
		if (!ok)
			return false;
		uint64_t key[2] = { size, (uint64_t)mtime };
		id->dev = (uint64_t)ast.st_dev;
		id->ino = XXH3_64bits(name, strlen(name)) | 1;
		id->size = size;
		id->head_hash = XXH3_64bits(key, sizeof(key));
		return true;
	}
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = fstat(fd, &st) == 0;
	if (ok) {
		static char buf[STATE_HEAD_BYTES];
		size_t got = 0;
		for (ssize_t r; got < sizeof(buf); got += (size_t)r)
			if ((r = read(fd, buf + got, sizeof(buf) - got)) <= 0)
				break;
		id->dev = (uint64_t)st.st_dev;
		id->ino = (uint64_t)st.st_ino;
		id->size = (uint64_t)st.st_size;
		id->head_len = got;
		id->head_hash = XXH3_64bits(buf, got);
		for (size_t k = 0; k < STATE_LADDER; k++)
			if (got >= ladder_len(k))
				id->ladder[k] = XXH3_64bits(buf, ladder_len(k));
		id->prefix_len = (uint32_t)(got < STATE_PREFIX_BYTES ? got : STATE_PREFIX_BYTES);
		memcpy(id->prefix, buf, id->prefix_len);
	}
	close(fd);
	return ok;
}

bool state_ident_overlaps(const struct state_ident *a, const struct state_ident *b)
{
	if (!a->ino || a->dev != b->dev || a->ino != b->ino)
		return false;
	/* A file rewritten in place, or a new file on a freed inode, keeps
	 * the inode: its first bytes tell, compared over the longest length
	 * both heads have, so a file that grew is still the same one. */
	if (a->head_len == b->head_len && a->head_hash != b->head_hash)
		return false;
	size_t k = STATE_LADDER;
	while (k > 0 && !(a->head_len >= ladder_len(k - 1) && b->head_len >= ladder_len(k - 1)))
		k--;
	if (k > 0 && a->ladder[k - 1] != b->ladder[k - 1])
		return false;
	uint32_t n = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;
	if (memcmp(a->prefix, b->prefix, n) != 0)
		return false;
	return a->start < b->end && b->start < a->end;
}

/* ---- filters ---- */

static void filters_save(struct st_out *o, const struct pgsift_options *opts)
{
	st_i64(o, opts->since_ms);
	st_i64(o, opts->until_ms);
	st_i64(o, opts->since_tod);
	st_i64(o, opts->until_tod);
	const char **lists[5] = { opts->dbs, opts->users, opts->apps,
		opts->include, opts->exclude };
	for (size_t k = 0; k < 5; k++) {
		size_t n = 0;
		while (lists[k] && lists[k][n])
			n++;
		st_u64(o, lists[k] ? n + 1 : 0);        /* 0: none given */
		for (size_t i = 0; i < n; i++)
			st_str(o, lists[k][i]);
	}
}

static bool filters_load(struct st_in *in, struct state_filters *f)
{
	f->since_ms = st_get_i64(in);
	f->until_ms = st_get_i64(in);
	f->since_tod = st_get_i64(in);
	f->until_tod = st_get_i64(in);
	for (size_t k = 0; k < 5 && !in->bad; k++) {
		size_t n = st_get_count(in, 4, 0);
		if (!n)
			continue;
		f->lists[k] = xcalloc(n, sizeof(char *));
		for (size_t i = 0; i + 1 < n && !in->bad; i++) {
			f->lists[k][i] = st_get_str(in, NULL);
			if (!f->lists[k][i])
				st_fail(in, "a filter without its text");
		}
	}
	return !in->bad;
}

void state_filters_release(struct state_filters *f)
{
	for (size_t k = 0; k < 5; k++) {
		for (size_t i = 0; f->lists[k] && f->lists[k][i]; i++)
			free(f->lists[k][i]);
		free(f->lists[k]);
		f->lists[k] = NULL;
	}
}

bool state_filters_equal(const struct state_filters *a, const struct state_filters *b)
{
	if (a->since_ms != b->since_ms || a->until_ms != b->until_ms ||
			a->since_tod != b->since_tod || a->until_tod != b->until_tod)
		return false;
	for (size_t k = 0; k < 5; k++) {
		char **x = a->lists[k], **y = b->lists[k];
		if (!x || !y) {
			if (x != y)
				return false;
			continue;
		}
		size_t i = 0;
		for (; x[i] && y[i]; i++)
			if (strcmp(x[i], y[i]) != 0)
				return false;
		if (x[i] || y[i])
			return false;
	}
	return true;
}

/* ---- inputs ---- */

static void inputs_save(struct st_out *o, const struct state_parts *p)
{
	st_u64(o, p->ninputs);
	for (size_t i = 0; i < p->ninputs; i++) {
		const struct input_report *r = &p->inputs[i];
		st_str(o, r->path);
		st_str(o, r->format);
		st_u32(o, (uint32_t)r->compression);
		st_u64(o, r->bytes);
		st_u64(o, r->lines);
		st_u64(o, r->records);
		st_u64(o, r->skipped);
		st_u64(o, r->nproblems);
		st_u64(o, r->nkept);
		for (size_t k = 0; k < r->nkept; k++) {
			st_u64(o, r->problems[k].line);
			st_str(o, r->problems[k].message);
		}
		st_u64(o, r->nnotes);
		for (size_t k = 0; k < r->nnotes; k++)
			st_str(o, r->notes[k]);
		st_u8(o, r->unreadable);
		st_u8(o, r->truncated);
		st_u64(o, r->sample ? r->sample->n : 0);
		for (unsigned k = 0; r->sample && k < r->sample->n; k++)
			st_u64(o, r->sample->h[k]);
		const struct state_ident *id = &p->ids[i];
		uint64_t v[] = { id->dev, id->ino, id->size, id->head_len,
			id->head_hash, id->start, id->end };
		for (size_t k = 0; k < ARRAY_SIZE(v); k++)
			st_u64(o, v[k]);
		for (size_t k = 0; k < STATE_LADDER; k++)
			st_u64(o, id->ladder[k]);
		st_bytes(o, id->prefix, id->prefix_len);
	}
}

/* The format's static name: a parser's id, or the driver's own words. */
static const char *format_name(const char *s)
{
	static const char *const own[] = { "unknown", "empty" };
	if (!s)
		return NULL;
	const struct parser *p = parser_find(s);
	if (p)
		return p->id;
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (strcmp(s, own[i]) == 0)
			return own[i];
	return NULL;
}

static bool input_load(struct st_in *in, struct input_report *r,
		struct state_ident *id)
{
	r->path = st_get_str(in, NULL);
	size_t len;
	const char *fmt = st_get_ref(in, &len);
	char name[64];
	snprintf(name, sizeof(name), "%.*s", fmt ? (int)(len < 63 ? len : 63) : 0,
		fmt ? fmt : "");
	r->format = format_name(name);
	uint32_t comp = st_get_u32(in);
	r->bytes = st_get_u64(in);
	r->lines = st_get_u64(in);
	r->records = st_get_u64(in);
	r->skipped = st_get_u64(in);
	r->nproblems = st_get_u64(in);
	size_t nkept = st_get_count(in, 12, INPUT_MAX_PROBLEMS);
	for (size_t k = 0; k < nkept && !in->bad; k++) {
		r->problems[k].line = st_get_u64(in);
		r->problems[k].message = st_get_str(in, NULL);
		r->nkept++;
		if (!r->problems[k].message)
			r->problems[k].message = xstrdup("");
	}
	size_t nnotes = st_get_count(in, 4, 0);
	if (nnotes)
		r->notes = xcalloc(nnotes, sizeof(*r->notes));
	for (size_t k = 0; k < nnotes && !in->bad; k++) {
		char *s = st_get_str(in, NULL);
		r->notes[r->nnotes++] = s ? s : xstrdup("");
	}
	r->unreadable = st_get_bool(in);
	r->truncated = st_get_bool(in);
	size_t nsample = st_get_count(in, 8, INPUT_SAMPLE_K);
	if (nsample && !in->bad) {
		r->sample = xcalloc(1, sizeof(*r->sample));
		/* A set again: ascending and distinct, whatever the file says. */
		for (size_t k = 0; k < nsample && !in->bad; k++) {
			uint64_t h = st_get_u64(in);
			if (k && h <= r->sample->h[k - 1])
				return st_fail(in, "an input's sample out of order");
			r->sample->h[r->sample->n++] = h;
		}
	}
	uint64_t *v[] = { &id->dev, &id->ino, &id->size, &id->head_len,
		&id->head_hash, &id->start, &id->end };
	for (size_t k = 0; k < ARRAY_SIZE(v); k++)
		*v[k] = st_get_u64(in);
	for (size_t k = 0; k < STATE_LADDER; k++)
		id->ladder[k] = st_get_u64(in);
	size_t plen;
	const char *prefix = st_get_ref(in, &plen);
	if (!in->bad && ((!prefix && plen) || plen > STATE_PREFIX_BYTES))
		return st_fail(in, "an input's first bytes past their limit");
	if (in->bad)
		return false;
	if (plen)
		memcpy(id->prefix, prefix, plen);
	id->prefix_len = (uint32_t)plen;
	if (!r->path)
		return st_fail(in, "an input without its path");
	if (!r->format)
		return st_fail(in, "an input of an unknown format");
	if (comp > INPUT_ZSTD)
		return st_fail(in, "an input of an unknown compression");
	r->compression = (enum input_compression)comp;
	return true;
}

/* ---- write ---- */

static void payload(struct st_out *o, const struct state_parts *p,
		const struct pgsift_options *opts)
{
	filters_save(o, opts);
	st_u64(o, p->distinct_texts);
	st_u64(o, p->parsed_texts);
	st_u64(o, p->entries);
	st_u64(o, p->calls);
	st_u64(o, p->filtered);
	st_u64(o, p->merged_plans);
	st_u64(o, p->lone_durations);
	st_u64(o, p->plans_cut);
	st_u64(o, p->plans_cut_lost);
	st_i64(o, p->first_ts);
	st_i64(o, p->last_ts);
	inputs_save(o, p);
	agg_state_save(p->agg, o);
	events_state_save(p->events, o);
	traces_state_save(p->traces, o);
	snapshots_state_save(p->snapshots, o);
	st_u32(o, END_MARK);
}

int state_write(const char *path, const struct state_parts *p,
		const struct pgsift_options *opts, char **err)
{
	struct st_out body = { STRBUF_INIT }, head = { STRBUF_INIT };
	char *tmp = NULL, *z = NULL;
	FILE *f = NULL;
	int rc = -1;

	payload(&body, p, opts);
	sb_append(&head.sb, STATE_MAGIC, STATE_MAGIC_LEN);
	st_u32(&head, STATE_FORMAT);
	st_str(&head, PGSIFT_VERSION);
	st_u64(&head, body.sb.len);
	size_t cap = ZSTD_compressBound(body.sb.len);
	z = xmalloc(cap);
	/* With a checksum of the content: a damaged state is refused, not read
	 * as other numbers (damaged literals decompress without an error). */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t zlen = cc ? ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1) : 0;
	if (cc && !ZSTD_isError(zlen))
		zlen = ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	if (cc && !ZSTD_isError(zlen))
		zlen = ZSTD_compress2(cc, z, cap, body.sb.buf, body.sb.len);
	ZSTD_freeCCtx(cc);
	if (!cc)
		abort();        /* only memory fails it */
	if (ZSTD_isError(zlen)) {
		*err = st_errorf("%s: compressing the state: %s", path, ZSTD_getErrorName(zlen));
		goto out;
	}
	tmp = st_errorf("%s.tmp", path);
	state_temp_add(tmp);
	f = fopen(tmp, "wb");
	if (!f) {
		*err = st_errorf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(head.sb.buf, 1, head.sb.len, f) != head.sb.len ||
			fwrite(z, 1, zlen, f) != zlen || fflush(f) != 0 ||
			fsync(fileno(f)) != 0) {
		*err = st_errorf("%s: %s", tmp, strerror(errno ? errno : EIO));
		goto out;
	}
	int closed = fclose(f);
	f = NULL;
	if (closed != 0) {
		*err = st_errorf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		*err = st_errorf("%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc != 0 && tmp)
		unlink(tmp);
	if (tmp)
		state_temp_forget(tmp);
	free(tmp);
	free(z);
	sb_release(&body.sb);
	sb_release(&head.sb);
	return rc;
}

/* ---- read ---- */

bool state_probe(const char *buf, size_t len)
{
	return len >= STATE_MAGIC_LEN && memcmp(buf, STATE_MAGIC, STATE_MAGIC_LEN) == 0;
}

/* The whole file into *buf (the caller's). */
static int slurp(const char *path, char **buf, size_t *len, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = st_errorf("%s: %s", path, strerror(errno));
		return -1;
	}
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_append(&sb, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		*err = st_errorf("%s: %s", path, strerror(errno ? errno : EIO));
		sb_release(&sb);
		return -1;
	}
	/* An empty file is a buffer too: the reader's bounds are pointers. */
	*buf = sb.buf ? sb.buf : xcalloc(1, 1);
	*len = sb.len;
	return 0;
}

/* The payload of the zstd frame at in's cursor, exactly want bytes. The
 * output grows as the frame yields, so a length in a corrupt header
 * costs no more memory than the frame really holds. */
static char *inflate_payload(struct st_in *in, uint64_t want)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	if (!ds)
		abort();
	ZSTD_inBuffer zi = { in->p, (size_t)(in->end - in->p), 0 };
	size_t cap = want < ((size_t)1 << 20) ? (size_t)want + 1 : (size_t)1 << 20;
	char *out = xmalloc(cap);
	size_t used = 0, ret = 1;
	for (;;) {
		if (used == cap) {
			if (cap > want)
				break;  /* more than the header said */
			cap = cap * 2 > want + 1 ? (size_t)want + 1 : cap * 2;
			out = xrealloc(out, cap);
		}
		ZSTD_outBuffer zo = { out, cap, used };
		size_t before = zi.pos;
		ret = ZSTD_decompressStream(ds, &zo, &zi);
		if (ZSTD_isError(ret) || (zo.pos == used && zi.pos == before))
			break;  /* damaged, or the input ended inside the frame */
		used = zo.pos;
		if (ret == 0)
			break;
	}
	ZSTD_freeDStream(ds);
	if (ret != 0 || used != want) {
		free(out);
		st_fail(in, ret != 0 && !ZSTD_isError(ret) ? "cut short"
			: "its compressed data is damaged");
		return NULL;
	}
	return out;
}

void state_parts_release(struct state_parts *p)
{
	for (size_t i = 0; i < p->ninputs; i++)
		parse_report_release(&p->inputs[i]);
	free(p->inputs);
	free(p->ids);
	p->inputs = NULL;
	p->ids = NULL;
	p->ninputs = 0;
	state_filters_release(&p->filters);
}

int state_read(const char *path, struct state_parts *p, size_t input_base,
		char **err)
{
	char *file = NULL, *body = NULL;
	size_t flen;
	int rc = -1;

	if (slurp(path, &file, &flen, err) != 0)
		return -1;
	struct st_in in = { (const unsigned char *)file,
		(const unsigned char *)file + flen, false, NULL, 0 };
	if (!state_probe(file, flen)) {
		*err = st_errorf("%s: not a pgsift state (it does not start with %s)",
			path, STATE_MAGIC);
		goto out;
	}
	in.p += STATE_MAGIC_LEN;
	uint32_t format = st_get_u32(&in);
	size_t vlen;
	const char *version = st_get_ref(&in, &vlen);
	if (!in.bad && format != STATE_FORMAT) {
		*err = st_errorf("%s: a state of format %u, written by pgsift %.*s; "
			"this pgsift (%s) reads format %d only", path, format,
			version ? (int)(vlen < 32 ? vlen : 32) : 1, version ? version : "?",
			PGSIFT_VERSION, STATE_FORMAT);
		goto out;
	}
	uint64_t want = st_get_u64(&in);
	if (!in.bad && want > PAYLOAD_MAX)
		st_fail(&in, "a payload length past any state");
	if (!in.bad)
		body = inflate_payload(&in, want);
	if (body) {
		in = (struct st_in){ (const unsigned char *)body,
			(const unsigned char *)body + want, false, NULL,
			(uint64_t)input_base << 40 };
		filters_load(&in, &p->filters);
		p->distinct_texts = st_get_u64(&in);
		p->parsed_texts = st_get_u64(&in);
		p->entries = st_get_u64(&in);
		p->calls = st_get_u64(&in);
		p->filtered = st_get_u64(&in);
		p->merged_plans = st_get_u64(&in);
		p->lone_durations = st_get_u64(&in);
		p->plans_cut = st_get_u64(&in);
		p->plans_cut_lost = st_get_u64(&in);
		p->first_ts = st_get_i64(&in);
		p->last_ts = st_get_i64(&in);
		size_t n = st_get_count(&in, 100, 0);
		p->inputs = xcalloc(n ? n : 1, sizeof(*p->inputs));
		p->ids = xcalloc(n ? n : 1, sizeof(*p->ids));
		for (size_t i = 0; i < n && !in.bad; i++) {
			p->ninputs++;
			input_load(&in, &p->inputs[i], &p->ids[i]);
		}
		if (!in.bad && agg_state_load(p->agg, &in) &&
				events_state_load(p->events, &in) &&
				traces_state_load(p->traces, &in) &&
				snapshots_state_load(p->snapshots, &in, input_base, p->ninputs) &&
				st_get_u32(&in) != END_MARK)
			st_fail(&in, "no end mark");
		if (!in.bad && in.p != in.end)
			st_fail(&in, "bytes past its end");
	}
	if (in.bad) {
		*err = st_errorf("%s: not a readable pgsift state: %s", path,
			in.why ? in.why : "damaged");
		goto out;
	}
	rc = 0;
out:
	free(body);
	free(file);
	return rc;
}
