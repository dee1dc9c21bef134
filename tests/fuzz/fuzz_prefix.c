/* fuzz_prefix.c: libFuzzer harness for the log_line_prefix compiler and
 * matchers (analyzer/logline/prefix*.c), built by `make fuzz`.
 *
 * The input's first line is a setting (as --prefix gives it), the rest
 * log lines, each copied to a buffer of its exact size. A setting that
 * compiles is matched against every line twice: by prefix_match() and by
 * prefix_match_memo() along the stream, which prefix.h promises gives
 * exactly the same results (fields, and slices at the same place); the
 * harness aborts on any difference. Then detection and the suggestion run
 * on the lines, and what they give must compile, as the stderr parser
 * compiles it. The seeds pair the settings of the project's real logs
 * with their lines (tests/fuzz/seeds_inputs.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *line, size_t len)
{
	fprintf(stderr, "prefix: %s on line \"%.*s\"\n", what, (int)len, line);
	abort();
}

static bool same_slice(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || a.ptr == b.ptr);
}

static bool same_fields(const struct prefix_fields *a, const struct prefix_fields *b)
{
	const struct slice *sa[] = { &a->tz, &a->user, &a->db, &a->app, &a->host,
		&a->session, &a->remote, &a->command, &a->sqlstate, &a->vxid, &a->xid,
		&a->backend_type, &a->query_id };
	const struct slice *sb[] = { &b->tz, &b->user, &b->db, &b->app, &b->host,
		&b->session, &b->remote, &b->command, &b->sqlstate, &b->vxid, &b->xid,
		&b->backend_type, &b->query_id };
	for (size_t i = 0; i < sizeof(sa) / sizeof(sa[0]); i++)
		if (!same_slice(*sa[i], *sb[i]))
			return false;
	return a->ts_ms == b->ts_ms && a->tz_known == b->tz_known && a->pid == b->pid &&
		a->leader_pid == b->leader_pid && a->line_no == b->line_no &&
		a->session_start_ms == b->session_start_ms && a->severity == b->severity &&
		a->sev_off == b->sev_off && a->msg_off == b->msg_off &&
		a->nfields == b->nfields;
}

static void match_lines(const struct prefix *p, const char *text, size_t len)
{
	struct prefix_memo *m = prefix_memo_new(p);
	size_t off = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char *line = malloc(n ? n : 1);
		if (!line)
			abort();
		memcpy(line, text + off, n);
		struct prefix_fields f1, f2;
		memset(&f1, 0, sizeof(f1));
		memset(&f2, 0, sizeof(f2));
		bool ok1 = prefix_match(p, line, n, &f1);
		bool ok2 = prefix_match_memo(m, line, n, &f2);
		if (ok1 != ok2)
			fail("the memo and the matcher disagree on a match", line, n);
		if (ok1 && !same_fields(&f1, &f2))
			fail("the memo and the matcher found different fields", line, n);
		if (ok1 && (f1.msg_off > n || f1.sev_off > f1.msg_off))
			fail("a message offset past the line", line, n);
		free(line);
		off += n + 1;
	}
	prefix_memo_free(m);
}

static void must_compile(const char *spec, const char *who)
{
	char err[256];
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "prefix: %s gave \"%s\", which does not compile: %s\n",
				who, spec, err);
		abort();
	}
	prefix_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t slen = nl ? (size_t)(nl - data) : size;
	if (memchr(data, 0, slen))
		return 0;       /* a setting is a C string */
	char *spec = malloc(slen + 1);
	char *text = malloc(size - slen ? size - slen : 1);
	char err[256];
	if (!spec || !text)
		abort();
	memcpy(spec, data, slen);
	spec[slen] = 0;
	size_t tlen = nl ? size - slen - 1 : 0;
	memcpy(text, data + slen + (nl ? 1 : 0), tlen);
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	if (p) {
		if (strcmp(prefix_spec(p), spec) != 0)
			fail("the setting is not kept as given", spec, slen);
		match_lines(p, text, tlen);
		prefix_free(p);
	} else if (!err[0]) {
		fail("refused without a reason", spec, slen);
	}
	const char *found = prefix_detect(text, tlen, NULL, NULL);
	if (found)
		must_compile(found, "detection");
	char suggested[1024];
	if (prefix_suggest(text, tlen, suggested, sizeof(suggested)))
		must_compile(suggested, "the suggestion");
	free(spec);
	free(text);
	return 0;
}
