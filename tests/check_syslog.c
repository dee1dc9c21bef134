/* check_syslog.c: the syslog parser on pgBadger's real syslog fixture and
 * on a real rsyslogd's files.
 * tests/data/syslog-excerpt.log is the first 21 lines of
 * ../shared/corpus/pgbadger/pg-syslog.1.zst, verbatim; the errors cases
 * damage it one line at a time. tests/data/syslog-live.bsd and .rfc5424
 * are lines 108-142 of the default phase of tests/workload/pg-syslog.sh
 * (rsyslogd's traditional and RFC 5424 files of one run, verbatim): six
 * psql sessions at once, their pieces between each other's. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analysis.h"
#include "parse_testutil.h"
#include "parser.h"
#include "strbuf.h"
#include "timeutil.h"
#include "testutil.h"
#include "util.h"

/* Runs text through the core's driver as stdin ("-": no file date to
 * fall back on), with --year year (0: find it). The format is detected,
 * as in a real run, and must be syslog. */
static void run(const char *text, size_t len, int year, struct run *r)
{
	struct driver_cfg cfg = { .popts = { .year = year } };
	struct line_reader *lr = lr_open_mem(text, len);
	run_input(&cfg, "-", lr, REC_LOG_ENTRY, r);
	lr_close(lr);
	ck_assert(r->opened);
	ck_assert_str_eq(r->report.format, "syslog");
}

static char *read_data(const char *name, size_t *len)
{
	char path[4096];
	const char *root = getenv("PGSIFT_ROOT");
	snprintf(path, sizeof(path), "%s/tests/data/%s", root ? root : ".", name);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = xmalloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static char *read_excerpt(size_t *len)
{
	return read_data("syslog-excerpt.log", len);
}

/* The lines of text (1-based) in the order order gives, as a new buffer
 * of *len bytes (the caller frees it). */
static char *reordered(const char *text, size_t len, const unsigned *order,
		size_t n, size_t *out_len)
{
	const char *lines[64];
	size_t lens[64], nl = 0;
	for (const char *p = text, *end = text + len; p < end && nl < 64;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		lines[nl] = p;
		lens[nl++] = e ? (size_t)(e - p) : (size_t)(end - p);
		p = e ? e + 1 : end;
	}
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_le(order[i], nl);
		sb_append(&sb, lines[order[i] - 1], lens[order[i] - 1]);
		sb_putc(&sb, '\n');
	}
	*out_len = sb.len;
	return sb.buf;
}

START_TEST(test_pieces)
{
	size_t len;
	char *text = read_excerpt(&len);
	struct run g;
	run(text, len, 0, &g);
	/* 21 lines: [3-1]+[3-2] is one message, [7-1]..[7-8] another. */
	ck_assert_uint_eq(g.n, 21 - 1 - 7);
	ck_assert_uint_eq(g.report.skipped, 0);
	ck_assert_str_eq(g.g[2].s[S_MESSAGE], "ending log output to stderr");
	ck_assert_str_eq(g.g[2].s[S_HINT], "Future log output will go to log destination \"syslog\".");
	/* The year comes from "shut down at 2019-02-11 13:14:59 CET". */
	char iso[32];
	ts_format_iso(g.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2019-02-11T13:15:39.000Z");
	ck_assert(strstr(g.report.notes[1], "2019, from a date in its messages") != NULL);
	/* The psql query's eight pieces, tabs restored from "#011". */
	size_t q = 0;
	while (q < g.n && !strstr(g.g[q].s[S_MESSAGE], "SELECT d.datname"))
		q++;
	ck_assert_uint_lt(q, g.n);
	ck_assert(strstr(g.g[q].s[S_MESSAGE], "as \"Name\",\n\t       pg_catalog.pg_get_userbyid(d.datdba)") != NULL);
	ck_assert(strstr(g.g[q].s[S_MESSAGE], "\n\tORDER BY 1;") != NULL);
	ck_assert_int_eq(g.g[q].pid, 10819);
	ck_assert_uint_eq(g.g[q].line, 11);
	run_free(&g);

	/* --year wins. */
	run(text, len, 2020, &g);
	ts_format_iso(g.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2020-02-11T13:15:39.000Z");
	run_free(&g);
	free(text);
}
END_TEST

/* A line longer than the server's 900-byte syslog limit arrives in pieces
 * with no tab: they join without a newline. (Made from a real line by
 * splitting it where the server would; no server here logs to syslog.) */
START_TEST(test_long_line_split)
{
	struct strbuf sb = STRBUF_INIT, q = STRBUF_INIT;
	sb_append(&q, "SELECT 1", 8);
	while (q.len < 1500)
		sb_append(&q, " + 1", 4);
	const char *head = "Feb 11 13:15:40 test-pc postgres[10819]: ";
	const char *pfx = "db=postgres,user=postgres,app=psql,client=[local] LOG:  duration: 1.000 ms  statement: ";
	struct strbuf first = STRBUF_INIT;
	sb_append(&first, pfx, strlen(pfx));
	sb_append(&first, q.buf, q.len);
	size_t cut = 895;
	sb_append(&sb, head, strlen(head));
	sb_append(&sb, "[7-1] ", 6);
	sb_append(&sb, first.buf, cut);
	sb_putc(&sb, '\n');
	sb_append(&sb, head, strlen(head));
	sb_append(&sb, "[7-2] ", 6);
	sb_append(&sb, first.buf + cut, first.len - cut);
	sb_putc(&sb, '\n');
	struct run g;
	run(sb.buf, sb.len, 2019, &g);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.g[0].s[S_MESSAGE], first.buf + strlen(pfx) - strlen("duration: 1.000 ms  statement: "));
	run_free(&g);
	sb_release(&sb);
	sb_release(&q);
	sb_release(&first);
}
END_TEST

/* rsyslog with an RFC 3339 template writes the date with its year and
 * zone. (The first lines of the real fixture with the BSD date rewritten
 * that way: no server here logs to syslog.) */
START_TEST(test_iso_dates)
{
	size_t len;
	char *text = read_excerpt(&len);
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* "Feb 11 13:15:39 " -> "2019-02-11T13:15:39.250+01:00 " */
		sb_append(&sb, "2019-02-11T", 11);
		sb_append(&sb, p + 7, 8);
		sb_append(&sb, ".250+01:00", 10);
		sb_append(&sb, p + 15, n - 15);
		sb_putc(&sb, '\n');
		p = nl ? nl + 1 : end;
	}
	struct run g;
	run(sb.buf, sb.len, 0, &g);
	ck_assert_uint_eq(g.n, 21 - 1 - 7);
	ck_assert_uint_eq(g.report.skipped, 0);
	char iso[32];
	ts_format_iso(g.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2019-02-11T12:15:39.250Z");
	ck_assert_str_eq(g.g[2].s[S_HINT], "Future log output will go to log destination \"syslog\".");
	run_free(&g);
	sb_release(&sb);
	free(text);
}
END_TEST

/* BSD dates with a fraction of a second ("Feb 11 13:15:39.123456 ", as
 * rsyslog writes them with high precision on): the real excerpt with each
 * date so written gives the same messages, 123 ms later. */
START_TEST(test_fractional_bsd_dates)
{
	size_t len;
	char *text = read_excerpt(&len);
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		sb_append(&sb, p, 15);
		sb_append(&sb, ".123456", 7);
		sb_append(&sb, p + 15, n - 15);
		sb_putc(&sb, '\n');
		p = nl ? nl + 1 : end;
	}
	struct run g, plain;
	run(sb.buf, sb.len, 0, &g);
	run(text, len, 0, &plain);
	ck_assert_uint_eq(g.n, plain.n);
	ck_assert_uint_eq(g.report.skipped, 0);
	for (size_t i = 0; i < g.n; i++) {
		ck_assert_int_eq(g.g[i].ts_ms, plain.g[i].ts_ms + 123);
		ck_assert_str_eq(g.g[i].s[S_MESSAGE], plain.g[i].s[S_MESSAGE]);
	}
	run_free(&g);
	run_free(&plain);
	sb_release(&sb);
	free(text);
}
END_TEST

/* The real excerpt with other processes' lines moved between the pieces
 * of two messages, as a busy server's syslog output has them: the same
 * messages, each process's in its order, nothing skipped. */
START_TEST(test_interleaved_fixture)
{
	/* [3-2] of 10808 after 10809's line; 10822's two lines between the
	 * pieces of 10819's query [7-1]..[7-8]. */
	static const unsigned order[] = { 1, 2, 3, 5, 4, 6, 7, 8, 9, 10, 11, 12, 13,
		20, 14, 15, 16, 21, 17, 18, 19 };
	size_t len, mlen;
	char *text = read_excerpt(&len);
	char *mixed = reordered(text, len, order, ARRAY_SIZE(order), &mlen);
	struct run plain, g;
	run(text, len, 0, &plain);
	run(mixed, mlen, 0, &g);
	ck_assert_uint_eq(g.n, plain.n);
	ck_assert_uint_eq(g.report.skipped, 0);
	ck_assert_uint_eq(g.report.nproblems, 0);
	/* In the order of first pieces: 10808's [3-x], whose HINT came after
	 * 10809's line, then 10809's message. */
	ck_assert_str_eq(g.g[2].s[S_MESSAGE], "ending log output to stderr");
	ck_assert_str_eq(g.g[2].s[S_HINT], "Future log output will go to log destination \"syslog\".");
	ck_assert_int_eq(g.g[3].pid, 10809);
	/* Every message of the plain run, the same, each process's in order. */
	for (size_t i = 0; i < plain.n; i++) {
		size_t k = 0, before = 0;
		while (k < g.n && !(g.g[k].pid == plain.g[i].pid
				&& strcmp(g.g[k].s[S_MESSAGE], plain.g[i].s[S_MESSAGE]) == 0))
			k++;
		ck_assert_msg(k < g.n, "message %zu lost: %s", i, plain.g[i].s[S_MESSAGE]);
		for (size_t j = 0; j < i; j++)
			before += plain.g[j].pid == plain.g[i].pid;
		for (size_t j = 0; j < k; j++)
			before -= g.g[j].pid == plain.g[i].pid;
		ck_assert_msg(before == 0, "message %zu out of its process's order", i);
	}
	run_free(&plain);
	run_free(&g);
	free(mixed);
	free(text);
}
END_TEST

/* The statement "SELECT id,\n       v\n  FROM t\n WHERE id IN (1, ..., 250)
 * ORDER BY v LIMIT 3;" the live excerpt's psql sessions run, in stderr
 * form (tab after each newline). */
static char *live_statement(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *head = "SELECT id,\n\t       v\n\t  FROM t\n\t WHERE id IN (";
	sb_append(&sb, head, strlen(head));
	for (int i = 1; i <= 250; i++) {
		char n[16];
		snprintf(n, sizeof(n), i > 1 ? ", %d" : "%d", i);
		sb_append(&sb, n, strlen(n));
	}
	const char *tail = ")\n\t ORDER BY v\n\t LIMIT 3;";
	sb_append(&sb, tail, strlen(tail));
	return sb.buf;
}

/* Checks the messages of the live excerpt, in whichever header form. */
static void assert_live(const struct run *g)
{
	/* 15 messages (one first piece each), rsyslogd's pam line a note. */
	ck_assert_uint_eq(g->n, 15);
	ck_assert_uint_eq(g->report.skipped, 0);
	ck_assert_uint_eq(g->report.nproblems, 0);
	char *stmt = live_statement();
	/* 8045's [16-x] and 8047's [10-x], pieces apart from each other's,
	 * each with a line split at the 900-byte limit (its next piece starts
	 * with the blank it was split at). */
	static const struct { size_t at; int pid; } q[] = { { 1, 8045 }, { 2, 8047 } };
	for (size_t i = 0; i < ARRAY_SIZE(q); i++) {
		ck_assert_int_eq(g->g[q[i].at].pid, q[i].pid);
		const char *m = g->g[q[i].at].s[S_MESSAGE];
		const char *st = strstr(m, "statement: ");
		ck_assert_ptr_nonnull(st);
		ck_assert_str_eq(st + strlen("statement: "), stmt);
	}
	/* 8047's temporary file, its STATEMENT five lines later. */
	ck_assert_int_eq(g->g[10].pid, 8047);
	ck_assert(strncmp(g->g[10].s[S_MESSAGE], "temporary file: ", 16) == 0);
	ck_assert_str_eq(g->g[10].s[S_STATEMENT],
		"SELECT v FROM t, generate_series(1, 20) ORDER BY v DESC LIMIT 1;");
	/* Its error with the long statement, split too. */
	ck_assert_int_eq(g->g[6].pid, 8047);
	ck_assert(strstr(g->g[6].s[S_STATEMENT], "182, 183, 184,") != NULL);
	/* The last line, whole on its own. */
	ck_assert_int_eq(g->g[14].pid, 8047);
	ck_assert(strstr(g->g[14].s[S_MESSAGE],
		"statement: SELECT v FROM t, generate_series(1, 20) ORDER BY v DESC LIMIT 1;") != NULL);
	free(stmt);
}

START_TEST(test_live_bsd)
{
	size_t len;
	char *text = read_data("syslog-live.bsd", &len);
	struct run g;
	run(text, len, 2026, &g);
	assert_live(&g);
	char iso[32];
	ts_format_iso(g.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2026-12-06T03:21:42.000Z");
	run_free(&g);
	free(text);
}
END_TEST

/* RFC 5424 as rsyslog's RSYSLOG_SyslogProtocol23Format writes it, with
 * its "<PRI>" and without (_i). */
START_TEST(test_live_rfc5424)
{
	size_t len;
	char *text = read_data("syslog-live.rfc5424", &len);
	if (_i == 1) {
		/* "<134>1 2026-..." -> "1 2026-..." */
		char *w = text;
		for (const char *p = text, *end = text + len; p < end;) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			const char *gt = memchr(p, '>', 6);
			ck_assert_ptr_nonnull(gt);
			size_t n = (size_t)(e - gt);
			memmove(w, gt + 1, n);
			w += n;
			p = e + 1;
		}
		len = (size_t)(w - text);
		ck_assert(memcmp(text, "1 2026-12-06T", 13) == 0);
	}
	struct run g;
	run(text, len, 0, &g);
	assert_live(&g);
	/* The header's own time, with its microseconds cut to milliseconds. */
	char iso[32];
	ts_format_iso(g.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2026-12-06T03:21:42.691Z");
	ck_assert_uint_eq(g.report.nnotes, 3);
	ck_assert(strstr(g.report.notes[2], "1 lines of other programs than 'postgres'") != NULL);
	run_free(&g);
	free(text);
}
END_TEST

/* ---- the year of BSD dates ---- */

/* The live excerpt with its dates rewritten: lines before split on
 * December 31, the others on January 1. */
static char *new_year_excerpt(size_t split, size_t *out_len)
{
	size_t len;
	char *text = read_data("syslog-live.bsd", &len);
	size_t line = 0;
	for (char *p = text, *end = text + len; p < end; line++) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		ck_assert(memcmp(p, "Dec  6 ", 7) == 0);
		memcpy(p, line < split ? "Dec 31" : "Jan  1", 6);
		p = e ? e + 1 : end;
	}
	*out_len = len;
	return text;
}

/* Runs text as if read from a file modified at mtime (its content comes
 * from memory; the file gives the parser its date), with --year year. */
static void run_dated(const char *text, size_t len, time_t mtime, int year,
		struct run *r)
{
	char *path = tu_write_temp("", 0);
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	struct driver_cfg cfg = { .popts = { .year = year } };
	struct line_reader *lr = lr_open_mem(text, len);
	run_input(&cfg, path, lr, REC_LOG_ENTRY, r);
	lr_close(lr);
	tu_remove(path);
	ck_assert(r->opened);
	ck_assert_str_eq(r->report.format, "syslog");
	ck_assert_uint_eq(r->n, 15);
}

static const char *iso_of(int64_t ms, char out[32])
{
	ts_format_iso(ms, out);
	return out;
}

/* A file modified on January 2 holding December 31 lines: the year
 * before; with January lines after them, the New Year inside the file.
 * A date earlier in the year than the file keeps the file's year. */
START_TEST(test_year_before_file_date)
{
	static const struct {
		size_t split;           /* lines on December 31 */
		const char *mtime;      /* the file's */
		int year;               /* --year, 0 none */
		const char *first, *last;
	} cases[] = {
		{ 35, "2027-01-02T08:00:00Z", 0, "2026-12-31T03:21:42", "2026-12-31T03:21:42" },
		{ 20, "2027-01-02T08:00:00Z", 0, "2026-12-31T03:21:42", "2027-01-01T03:21:42" },
		{ 35, "2026-12-31T03:30:00Z", 0, "2026-12-31T03:21:42", "2026-12-31T03:21:42" },
		/* Local time up to a day ahead of the file's UTC time. */
		{ 0, "2026-12-31T20:00:00Z", 0, "2027-01-01T03:21:42", "2027-01-01T03:21:42" },
		{ 20, "2030-06-01T00:00:00Z", 2026, "2026-12-31T03:21:42", "2027-01-01T03:21:42" },
	};
	char iso[32];
	size_t len;
	char *text = new_year_excerpt(cases[_i].split, &len);
	int64_t mtime_ms;
	ck_assert(ts_parse_cli(cases[_i].mtime, &mtime_ms, NULL));
	struct run g;
	run_dated(text, len, (time_t)(mtime_ms / 1000), cases[_i].year, &g);
	ck_assert_uint_eq(g.report.skipped, 0);
	ck_assert_msg(strncmp(iso_of(g.g[0].ts_ms, iso), cases[_i].first, 19) == 0,
		"case %d: first %s", _i, iso);
	ck_assert_msg(strncmp(iso_of(g.g[g.n - 1].ts_ms, iso), cases[_i].last, 19) == 0,
		"case %d: last %s", _i, iso);
	if (!cases[_i].year)
		ck_assert_msg(strstr(g.report.notes[1], "from the file's modification time, or")
			!= NULL, "%s", g.report.notes[1]);
	run_free(&g);
	free(text);
}
END_TEST

/* ---- limits ---- */

/* One message whose pieces keep coming while other processes log one
 * message between each two of them: past 4,096 messages held, the oldest
 * (the long one) is taken as whole early, that is said in a note, and its
 * later pieces are counted and reported as pieces without their first.
 * (The fixture's line shapes, repeated: no server writes 5,000 pieces.) */
START_TEST(test_held_bound)
{
	const char *head = "Feb 11 13:15:40 test-pc postgres[";
	const char *pfx = "db=postgres,user=postgres,app=psql,client=[local] ";
	struct strbuf sb = STRBUF_INIT;
	char line[512];
	unsigned seq[7] = { 0 };
	for (unsigned k = 1; k <= 5000; k++) {
		if (k == 1)
			snprintf(line, sizeof(line), "%s9000]: [1-1] %sLOG:  duration: 1.000 ms  statement: SELECT 1\n",
				head, pfx);
		else
			snprintf(line, sizeof(line), "%s9000]: [1-%u]  + 1\n", head, k);
		sb_append(&sb, line, strlen(line));
		unsigned p = k % 7;
		snprintf(line, sizeof(line), "%s%u]: [%u-1] %sLOG:  connection received: host=[local]\n",
			head, 100 + p, ++seq[p], pfx);
		sb_append(&sb, line, strlen(line));
	}
	struct run g;
	run(sb.buf, sb.len, 2019, &g);
	ck_assert_uint_eq(g.n, 5001);
	const char *m = g.g[0].s[S_MESSAGE];
	ck_assert(strncmp(m, "duration: 1.000 ms  statement: SELECT 1 + 1 + 1", 47) == 0);
	size_t joined = 0;
	for (const char *q = m; (q = strstr(q, " + 1")); q++)
		joined++;
	ck_assert_uint_gt(joined, 4000);
	ck_assert_uint_eq(g.report.skipped, 4999 - joined);
	ck_assert_str_eq(g.report.problems[0].message,
		"continuation piece of a message whose first piece is missing");
	int found = 0;
	for (size_t i = 0; i < g.report.nnotes; i++)
		found |= strstr(g.report.notes[i], "1 messages were taken as whole before their "
			"process logged its next one, 4096 being held at once") != NULL;
	ck_assert(found);
	run_free(&g);
	sb_release(&sb);
}
END_TEST

/* ---- errors ---- */

/* The real excerpt damaged at one line: cut to its first cut bytes, or
 * (cut 0) with text inserted before it. The excerpt has 21 lines and 13
 * messages; line 11 starts the psql query ([7-1], pieces to line 18). */
static const struct {
	const char *name;
	unsigned at;
	size_t cut;
	const char *insert;
	size_t messages;        /* returned */
	uint64_t skipped;
	uint64_t line;          /* of the first problem */
	const char *says;
	uint64_t last_line;     /* of the last message: the run went on */
} damage[] = {
	/* A torn write inside the syslog header. */
	{ "header torn", 6, 0, "Feb 11 13:15:4", 13, 1, 6, "not a syslog line", 22 },
	/* The pid is not a number: not postgres's syslog line. */
	{ "pid damaged", 7, 0, "Feb 11 13:15:39 test-pc postgres[10x16]: [5-1] db=[unknown],user=[unknown],app=[unknown],client=[local] LOG:  connection received: host=[local]",
	  13, 1, 7, "not a syslog line", 22 },
	/* The query's first piece cut inside the log_line_prefix: that
	 * message is lost, with its continuation pieces, and said once. */
	{ "prefix cut short", 11, 66, NULL, 12, 1, 11,
	  "syslog message does not start with the log_line_prefix and a severity", 21 },
	/* Its third piece torn in the header: the pieces after it have lost
	 * their first piece, each is said. */
	{ "piece torn", 13, 29, NULL, 13, 6, 13, "not a syslog line", 21 },
	/* A continuation whose first piece never came. */
	{ "orphan piece", 21, 0, "Feb 11 13:15:41 test-pc postgres[10822]: [9-2] #011 AND 1 = 1",
	  13, 1, 21, "continuation piece of a message whose first piece is missing", 22 },
};

/* Returns the excerpt with damage[i] done to it (caller frees). */
static char *damaged(int i, size_t *len)
{
	size_t n;
	char *text = read_excerpt(&n);
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *end = text + n;
	for (unsigned line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (line == damage[i].at && damage[i].insert) {
			sb_append(&sb, damage[i].insert, strlen(damage[i].insert));
			sb_putc(&sb, '\n');
		}
		if (line == damage[i].at && damage[i].cut)
			l = damage[i].cut;
		sb_append(&sb, p, l);
		sb_putc(&sb, '\n');
		p = nl ? nl + 1 : end;
	}
	free(text);
	*len = sb.len;
	return sb.buf;
}

START_TEST(test_damaged)
{
	size_t len;
	char *text = damaged(_i, &len);
	struct run g;
	run(text, len, 0, &g);
	ck_assert_msg(g.n == damage[_i].messages, "%s: %zu messages", damage[_i].name, g.n);
	ck_assert_uint_eq(g.report.skipped, damage[_i].skipped);
	ck_assert_uint_eq(g.report.nproblems, damage[_i].skipped);
	ck_assert_uint_eq(g.report.problems[0].line, damage[_i].line);
	ck_assert_msg(strcmp(g.report.problems[0].message, damage[_i].says) == 0,
		"%s: '%s'", damage[_i].name, g.report.problems[0].message);
	/* The run goes on to the last line, with the year still found. */
	ck_assert_uint_eq(g.g[g.n - 1].line, damage[_i].last_line);
	ck_assert_str_eq(g.g[g.n - 1].s[S_MESSAGE], "connection authorized: user=postgres database=postgres");
	char iso[32];
	ts_format_iso(g.g[0].ts_ms, iso);
	ck_assert_str_eq(iso, "2019-02-11T13:15:39.000Z");
	run_free(&g);

	/* The core's whole run: the input is partial, the problem kept. */
	enum analysis_status st;
	struct analysis *a = tu_analyse_text(text, NULL, &st);
	ck_assert_int_eq(st, ANALYSIS_PARTIAL);
	ck_assert_str_eq(a->inputs[0].format, "syslog");
	ck_assert_uint_eq(a->inputs[0].skipped, damage[_i].skipped);
	ck_assert_uint_eq(a->inputs[0].problems[0].line, damage[_i].line);
	analysis_free(a);
	free(text);
}
END_TEST

Suite *suite_syslog(void);
Suite *suite_syslog(void)
{
	Suite *s = suite_create("syslog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_pieces);
	tcase_add_test(tc, test_long_line_split);
	tcase_add_test(tc, test_iso_dates);
	tcase_add_test(tc, test_fractional_bsd_dates);
	tcase_add_test(tc, test_interleaved_fixture);
	tcase_add_test(tc, test_live_bsd);
	tcase_add_loop_test(tc, test_live_rfc5424, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("year");
	tcase_add_loop_test(tc, test_year_before_file_date, 0, 5);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_held_bound);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_damaged, 0, (int)(sizeof(damage) / sizeof(damage[0])));
	suite_add_tcase(s, tc);
	return s;
}
