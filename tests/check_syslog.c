/* check_syslog.c: the syslog parser on pgBadger's real syslog fixture.
 * tests/data/syslog-excerpt.log is the first 21 lines of
 * ../shared/corpus/pgbadger/pg-syslog.1.zst, verbatim; the errors cases
 * damage it one line at a time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static char *read_excerpt(size_t *len)
{
	char path[4096];
	const char *root = getenv("PGSIFT_ROOT");
	snprintf(path, sizeof(path), "%s/tests/data/syslog-excerpt.log", root ? root : ".");
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = xmalloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
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
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_damaged, 0, (int)(sizeof(damage) / sizeof(damage[0])));
	suite_add_tcase(s, tc);
	return s;
}
