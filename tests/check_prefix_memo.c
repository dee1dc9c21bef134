/* check_prefix_memo.c: prefix_match_memo() gives exactly what
 * prefix_match() gives, field by field and slice by slice, on every line
 * of real logs, on sets of lines that differ in one thing each, and on
 * generated and mutated lines for many prefixes. A tcase of suite
 * "prefix" (check_prefix.c). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "prefix.h"
#include "testutil.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Check logs each passing ck_assert: the loops below test by hand and
 * only fail through it. */
#define CHECK(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

static struct prefix *compile_ok(const char *spec)
{
	char err[128] = "";
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	ck_assert_msg(p != NULL, "'%s' does not compile: %s", spec, err);
	return p;
}

/* Every field the same, slices by address: both must point into line. */
static void assert_same(const struct prefix_fields *a, const struct prefix_fields *b,
		const char *spec, const char *line, size_t len)
{
#define SAME(x) CHECK(a->x == b->x, "%s: " #x " %lld != %lld with '%s' on: %.*s", \
	"memo", (long long)a->x, (long long)b->x, spec, (int)len, line)
#define SAME_SLICE(x) CHECK(a->x.ptr == b->x.ptr && a->x.len == b->x.len, \
	"memo: " #x " '%.*s'@%td != '%.*s'@%td with '%s' on: %.*s", \
	(int)a->x.len, a->x.ptr, a->x.ptr - line, (int)b->x.len, b->x.ptr, \
	b->x.ptr - line, spec, (int)len, line)
	SAME(ts_ms); SAME(tz_known); SAME_SLICE(tz); SAME(pid); SAME(leader_pid);
	SAME(line_no); SAME(session_start_ms);
	SAME_SLICE(user); SAME_SLICE(db); SAME_SLICE(app); SAME_SLICE(host);
	SAME_SLICE(session); SAME_SLICE(remote); SAME_SLICE(command);
	SAME_SLICE(sqlstate); SAME_SLICE(vxid); SAME_SLICE(xid);
	SAME_SLICE(backend_type); SAME_SLICE(query_id);
	SAME(severity); SAME(sev_off); SAME(msg_off); SAME(nfields);
#undef SAME
#undef SAME_SLICE
}

/* Lines are matched in a copy of their own, without a terminator, made
 * while the previous copy is still allocated: a slice the memo took from
 * an earlier line cannot land at the same address by chance. */
struct memo_run {
	struct prefix *p;
	struct prefix_memo *m;
	char *prev;
	unsigned long lines, matched;
};

static void run_start(struct memo_run *r, const char *spec)
{
	memset(r, 0, sizeof(*r));
	r->p = compile_ok(spec);
	r->m = prefix_memo_new(r->p);
}

static void run_line(struct memo_run *r, const char *line, size_t len)
{
	char *copy = malloc(len ? len : 1);
	CHECK(copy != NULL, "out of memory");
	memcpy(copy, line, len);
	struct prefix_fields want, got;
	memset(&want, 0xa5, sizeof(want));
	memset(&got, 0x5a, sizeof(got));
	bool w = prefix_match(r->p, copy, len, &want);
	bool g = prefix_match_memo(r->m, copy, len, &got);
	const char *spec = prefix_spec(r->p);
	CHECK(w == g, "memo %s, full match %s, with '%s' on: %.*s",
		g ? "matched" : "did not match", w ? "did" : "did not", spec,
		(int)len, copy);
	if (w)
		assert_same(&want, &got, spec, copy, len);
	/* Without fields, from the memo now that it knows the line. */
	CHECK(prefix_match_memo(r->m, copy, len, NULL) == w,
		"memo without fields differs on: %.*s", (int)len, copy);
	r->lines++;
	r->matched += w;
	free(r->prev);
	r->prev = copy;
}

static void run_end(struct memo_run *r)
{
	free(r->prev);
	prefix_memo_free(r->m);
	prefix_free(r->p);
}

/* Real logs, every line, through a reader with small refills (lines move
 * about in its buffer). min_hits: the least share of matched lines (in
 * percent) the memo must answer, so that it is really what is tested. */
static const struct {
	const char *path, *spec;
	unsigned long lines;
	unsigned min_hits;
} memo_logs[] = {
	{ "samples/postgresql.log.zst", "%m [%p] %q%u@%d/%a ", 80512, 95 },
	{ "../shared/corpus/pgbadger/rds.log.zst", "%t:%r:%u@%d:[%p]:", 114604, 95 },
	{ "../shared/corpus/pgbadger/light.postgres.log.zst",
	  "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", 630, 40 },
	{ "../shared/corpus/pgbadger/pg_vacuums.log.gz",
	  "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ", 3544, 60 },
	{ "../shared/corpus/pgbadger/multiline_param.log", "%m [%p] user=%u,db=%d ", 12, 50 },
	{ "../shared/corpus/pgbadger/stmt_type.log", "%m [%p] ", 12, 0 },
	{ "../shared/corpus/pgbadger/pg_rawcsv.log", "%m [%p] ", 0, 0 },
	/* Other prefixes on the same lines: %d takes "shop/pgbench", or
	 * everything stops at %q, or nothing fits. */
	{ "samples/postgresql.log.zst", "%m [%p] %q%u@%d ", 80512, 95 },
	{ "samples/postgresql.log.zst", "%m [%p] %q%a ", 0, 0 },
	{ "samples/postgresql.log.zst", "%m [%p] %q%u@%d/%a %q", 0, 0 },
	{ "samples/postgresql.log.zst", "%t [%p] ", 0, 0 },
	{ "../shared/corpus/pgbadger/rds.log.zst", "%t:%h:%u@%d:[%p]:", 0, 0 },
	{ "../shared/corpus/pgbadger/light.postgres.log.zst", "%t [%p]: [%l-%l] %q", 0, 0 },
};

START_TEST(test_memo_logs)
{
	char err[256], *path = tu_data_path("prefix: memo_logs", memo_logs[_i].path);
	if (!path)
		return;
	struct line_reader *lr = lr_open(path, err, sizeof(err));
	ck_assert_msg(lr != NULL, "%s: %s", path, err);
	free(path);
	lr_set_chunk_size(lr, 4096);
	struct memo_run r;
	run_start(&r, memo_logs[_i].spec);
	const char *line;
	size_t len;
	while (lr_next(lr, &line, &len))
		if (len && line[0] != '\t')
			run_line(&r, line, len);
	lr_close(lr);
	if (memo_logs[_i].lines)
		ck_assert_uint_eq(r.matched, memo_logs[_i].lines);
	unsigned long hits = prefix_memo_hits(r.m) / 2;
	ck_assert_msg(hits * 100 >= r.matched * memo_logs[_i].min_hits,
		"memo answered %lu of %lu", hits, r.matched);
	run_end(&r);
}
END_TEST

/* Lines that differ from each other in one thing, for the prefixes
 * servers use: the user, database or application; where %q cuts; only
 * after the prefix; the severity; a %l or a time that grows a digit or
 * crosses a second, minute or day; seconds and fractions at their limits;
 * zones. Each set is fed in several orders. The memo must answer some
 * lines of every set but the last three: there the severity follows a
 * field, or %r's scan reads into a %l (kept as a hole all the same), or
 * a padded %r looks for its "(port)" past the prefix, where the second
 * line has one that makes it match otherwise. */
#define MEMO_SETS_UNANSWERED 3
static const char *const memo_sets[][16] = {
	{ "%m [%p] %q%u@%d/%a ",
	  "2026-11-22 13:45:42.696 UTC [2375] [unknown]@[unknown]/[unknown] LOG:  connection received: host=[local]",
	  "2026-11-22 13:45:42.697 UTC [2375] postgres@postgres/[unknown] LOG:  connection authorized: user=postgres",
	  "2026-11-22 13:45:42.769 UTC [2375] postgres@postgres/psql LOG:  duration: 65.863 ms  statement: CREATE DATABASE shop",
	  "2026-11-22 13:45:42.769 UTC [2375] postgres@shop/psql LOG:  duration: 65.863 ms  statement: CREATE DATABASE shop",
	  "2026-11-22 13:45:42.769 UTC [2375] alice@postgres/psql LOG:  duration: 65.863 ms  statement: CREATE DATABASE shop",
	  "2026-11-22 13:45:42.770 UTC [2375] postgres@postgres/psql DETAIL:  parameters: $1 = 'x'",
	  "2026-11-22 13:45:42.770 UTC [2375] postgres@postgres/psql STATEMENT:",
	  "2026-11-22 13:45:42.770 UTC [2375] postgres@postgres/psql LOG:",
	  "2026-11-22 13:45:42.770 UTC [2375] postgres@postgres/psql LOG: x",
	  "2026-11-22 13:45:42.770 UTC [2375] postgres@postgres/my app/v2 LOG:  x",
	  "2026-11-22 13:45:56.100 UTC [2370] LOG:  checkpoint starting: immediate force wait",
	  "2026-11-22 13:45:56.100 UTC [2370] LOG:  a@b/c LOG:  x",
	  "2026-11-22 13:45:56.1 UTC [2370] LOG:  x",
	  "2026-11-22 13:45:60.123456 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-22 13:45:61.123 UTC [2375] postgres@postgres/psql LOG:  x" },
	{ "%m [%p] %q%u@%d/%a ",
	  "2026-11-22 13:59:59.999 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-22 14:00:00.000 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-22 23:59:59.999 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.0001234 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 CET [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 XYZT [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 +03 [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 +03:30 [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 UTC [2375] postgres@postgres/psql LOGGING:  x",
	  "2026-11-23 00:00:00.000 UTC [2375] postgres@postgres/psql  LOG:  x",
	  "2026-02-30 00:00:00.000 UTC [2375] postgres@postgres/psql LOG:  x",
	  "2026-11-23 00:00:00.000 UTC [23750] postgres@postgres/psql LOG:  x" },
	{ "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	  "2017-09-06 08:41:41 UTC [36]: [9-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  a",
	  "2017-09-06 08:41:41 UTC [36]: [10-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  b",
	  "2017-09-06 08:41:41 UTC [36]: [11-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 DETAIL:  c",
	  "2017-09-06 08:41:42 UTC [37]: [11-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  d",
	  "2017-09-06 08:41:42 UTC [36]: [12-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.12 LOG:  e",
	  "2017-09-06 08:41:42 UTC [36]: [13-1] user=postgres,db=postgres,app=a,b,client=x,client=10.1.1.1 LOG:  f",
	  "2017-09-06 08:41:42 UTC [36]: [14-1] user=,db=,app=,client= LOG:  g",
	  "2017-09-06 08:41:42 UTC [36]: [-1] user=,db=,app=,client= LOG:  g",
	  "2017-09-06 08:41:42 UTC [36]: [1234567890123456789-1] user=,db=,app=,client= LOG:  g",
	  "2017-09-06 08:41:42.5 UTC [36]: [15-1] user=,db=,app=,client= LOG:  g" },
	{ "%t:%r:%u@%d:[%p]:",
	  "2020-03-11 20:40:43 CET::@:[12760]:LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
	  "2020-03-11 20:40:44 CET:[local]:postgres@template1:[12774]:LOG:  duration: 0.027 ms  statement: ",
	  "2020-03-11 20:40:44 CET:[local]:postgres@template1:[12774]:LOG:  duration: 0.028 ms  statement: ",
	  "2020-03-11 20:40:50 CET:192.168.1.201(50906):gilles@pgbench:[12795]:FATAL:  no pg_hba.conf entry",
	  "2020-03-11 20:40:51 CET:192.168.1.201(50906):gilles@pgbench:[12795]:LOG:  x",
	  "2020-03-11 20:40:51 CET:192.168.1.201(50907):gilles@pgbench:[12795]:LOG:  x",
	  "2020-03-11 20:40:44 CET:::1(50910):postgres@db:[12774]:LOG:  x",
	  "2024-01-15 10:00:00 +03:10.0.0.1(5432):u@d:[9]:LOG:  x",
	  "2024-01-15 10:00:01 +03:10.0.0.1(5432):u@d:[9]:LOG:  x" },
	{ "%t [%p-%l] %q%u@%d ",
	  "2015-03-01 10:00:00 CET [1234-1] postgres@shop LOG:  x",
	  "2015-03-01 10:00:00 CET [1234-2] postgres@shop LOG:  x",
	  "2015-03-01 10:00:01 CET [1200-3] LOG:  checkpoint starting: time",
	  "2015-03-01 10:00:01 CET [1200-4] LOG:  checkpoint complete",
	  "2015-03-01 10:00:02 CET [1234-3] postgres@shop STATEMENT:  SELECT 1" },
	{ "< %m >",
	  "< 2024-01-15 10:00:00.123 UTC >ERROR:  x",
	  "< 2024-01-15 10:00:00.124 UTC >LOG:  y",
	  "< 2024-01-15 10:00:00.124 UTC > LOG:  y" },
	{ "%n [%p] %l ",
	  "1705312800.123 [77] 1 LOG:  x",
	  "1705312800.5 [77] 2 LOG:  x",
	  "1705312801 [77] 10 LOG:  x",
	  "1705312801.1234 [78] 11 ERROR:  x" },
	{ "%-10u %8p %-6d|%5l|%-9a|%3P|",
	  "bob            4242 shop  |    7|psql     |   |LOG:  x",
	  "bob            4242 shop  |    8|psql     |   |LOG:  x",
	  "a_very_long_user_name  1234567 a_long_database|123456|application name|   |LOG:  x" },
	{ "%m [%p] %c %x %v %e %Q %P %s %i [%b] ",
	  "2024-01-15 10:00:00.250 UTC [4242] 65a502d0.1092 0 3/45 42P01 -123 4200 2024-01-15 09:00:00 UTC SELECT [client backend] ERROR:  x",
	  "2024-01-15 10:00:00.251 UTC [4242] 65a502d0.1092 0 3/45 42P01 -123 4200 2024-01-15 09:00:00 UTC SELECT [client backend] LOG:  x",
	  "2024-01-15 10:00:00.252 UTC [4242] 65a502d0.1092 77 3/46 00000 5 4200 2024-01-15 09:00:00 UTC INSERT [client backend] LOG:  x",
	  "2024-01-15 10:00:00.253 UTC [4242] 65a502d0.1092 0  00000 5  2024-01-15 09:00:00 UTC  [autovacuum worker] LOG:  x",
	  "2024-01-15 10:00:00.254 UTC [4242] 65a502d0.1092 0 -7/8 00000 5 4200 2024-01-15 09:00:00 UTC  [a [b] c] LOG:  x" },
	{ "%m %c",
	  "2024-01-15 10:00:00.250 UTC 65a502d0.1092LOG:  x",
	  "2024-01-15 10:00:00.251 UTC 65a502d0.1092ERROR:  x",
	  "2024-01-15 10:00:00.251 UTC 65a502d0.1092FATAL:  x" },
	{ "%m %v-%l %h %l %r:%l ",
	  "2024-01-15 10:00:00.250 UTC 3/4-5 db1 6 10.0.0.1(5432):7 LOG:  x",
	  "2024-01-15 10:00:00.251 UTC -6 db1 7 10.0.0.1(5432):8 LOG:  x",
	  "2024-01-15 10:00:00.252 UTC 3/4-7 db1.x 8 [local]:9 LOG:  x" },
	{ "%t %-20r %5h|%l ",
	  "2024-01-15 10:00:00 UTC 10.0.0.1                 db1|5 LOG:  x",
	  "2024-01-15 10:00:01 UTC 10.0.0.1                 db1|6 LOG:  x (5)     h|7 ERROR:  z" },
};

static uint64_t rng_state;

static unsigned rng(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

START_TEST(test_memo_sets)
{
	const char *const *set = memo_sets[_i];
	unsigned n = 0, order[16];
	while (n < 15 && set[n + 1])
		n++;
	struct memo_run r;
	run_start(&r, set[0]);
	rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	for (int round = 0; round < 40; round++) {
		for (unsigned i = 0; i < n; i++)
			order[i] = i;
		for (unsigned i = n; i > 1; i--) {
			unsigned j = rng(i), t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		/* Each line, then maybe again (a hit on the same entry). */
		for (unsigned i = 0; i < n; i++) {
			const char *l = set[1 + order[i]];
			run_line(&r, l, strlen(l));
			if (rng(3) == 0)
				run_line(&r, l, strlen(l));
		}
	}
	ck_assert_uint_gt(r.matched, 0);
	if (_i < N(memo_sets) - MEMO_SETS_UNANSWERED)
		ck_assert_uint_gt(prefix_memo_hits(r.m), 0);
	run_end(&r);
}
END_TEST

/* Generated lines: for each spec, a few backends (the values of the
 * fields that stay, drawn from `shape`) writing lines whose timestamp,
 * %l and severity change (drawn from the shared generator). */
static const char *const fuzz_specs[] = {
	"%m [%p] %q%u@%d/%a ",
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t:%r:%u@%d:[%p]:",
	"%t [%p-%l] %q%u@%d ",
	"%m [%p] ",
	"%t-%c-",
	"< %m >",
	"%n [%p] %l ",
	"%-10u %8p %-6d|%5l|%-9a|%3P|",
	"%m [%p] %c %x %v %e %Q %P %s %i [%b] ",
	"%m %c",
	"%m %v-%l %h %l %r:%l ",
	"%m%l %u@%d %q%t ",
	"%t %-20r %5h|%l ",
	"%m [%p] %q%u@%d/%a %q",
	"%m [%p] %u %q%d ",
	"%t %h:%p:%l ",
	"%t %r%l ",
	"%n.%l %u ",
	"%m %e%l ",
	"%t %Q-%l ",
	"%a%u%d ",
	"%u%%%d ",
	"%s %l %m ",
	"%l|%m ",
	"",
	"x%q%l ",
};

static const char *const gen_names[] = {
	"postgres", "shop", "[unknown]", "my app", "a@b", "x/y", "", "client backend",
	"SELECT", "a,b", "user=z", "LOG", "12", "a:b",
};
static const char *const gen_hosts[] = {
	"10.0.0.1", "[local]", "db1.example.com", "::1", "", "10.0.0.1(5432)",
	"::1(50910)", "h-1_2",
};
static const char *const gen_zones[] = { "UTC", "CET", "+03", "-03:30", "XYZT", "+0530" };
static const char *const gen_sevs[] = {
	"LOG:  ", "ERROR:  ", "DETAIL:  ", "STATEMENT:  ", "DEBUG2:  ", "LOG:", "LOG: ",
	"HINT:   ", "LOCATION:  ",
};
static const char *const gen_msgs[] = {
	"x", "duration: 1.0 ms  statement: SELECT 1", "a@b/c LOG:  y", "checkpoint",
	"",
};

static uint64_t shape_state;

static unsigned shape(unsigned n)
{
	shape_state ^= shape_state << 13;
	shape_state ^= shape_state >> 7;
	shape_state ^= shape_state << 17;
	return (unsigned)(shape_state % n);
}

/* A line for spec from backend b, into out (cap bytes, not terminated);
 * returns its length. */
static size_t gen_line(const char *spec, unsigned b, char *out, size_t cap)
{
	char val[64];
	size_t n = 0;
	shape_state = 0x9e3779b97f4a7c15ULL * (b + 1) + strlen(spec);
	bool stop = shape(3) == 0;
	for (const char *s = spec; *s && n + 80 < cap; s++) {
		if (*s != '%') {
			out[n++] = *s;
			continue;
		}
		bool left = *++s == '-';
		s += left;
		int width = 0;
		while (*s >= '0' && *s <= '9')
			width = width * 10 + (*s++ - '0');
		unsigned sec = rng(62), ms = rng(1000);
		switch (*s) {
		case '%': snprintf(val, sizeof(val), "%%"); break;
		case 'q':
			if (stop)
				goto sev;
			val[0] = '\0';
			break;
		case 't': case 's':
			snprintf(val, sizeof(val), "2024-01-15 1%u:%02u:%02u %s", shape(2),
				rng(3), sec, gen_zones[shape(N(gen_zones))]);
			break;
		case 'm':
			snprintf(val, sizeof(val), "2024-01-15 10:%02u:%02u.%0*u %s", rng(3), sec,
				rng(8) ? 3 : 1 + (int)rng(7), rng(8) ? ms : rng(10), gen_zones[shape(N(gen_zones))]);
			break;
		case 'n': snprintf(val, sizeof(val), "1705312%03u.%03u", rng(1000), ms); break;
		case 'p': snprintf(val, sizeof(val), "%u", 1 + shape(99999)); break;
		case 'P': snprintf(val, sizeof(val), "%s", shape(2) ? "" : "4200"); break;
		case 'l': snprintf(val, sizeof(val), "%u", rng(4) ? 1 + rng(120) : rng(100000)); break;
		case 'x': snprintf(val, sizeof(val), "%u", shape(2) ? 0 : rng(5000)); break;
		case 'v': snprintf(val, sizeof(val), "%s", (const char *[]){ "3/45", "", "-1/0" }[shape(3)]); break;
		case 'e': snprintf(val, sizeof(val), "%s", (const char *[]){ "42P01", "00000", "XX000" }[rng(3)]); break;
		case 'Q': snprintf(val, sizeof(val), "%d", (int)shape(3) - 1); break;
		case 'c': snprintf(val, sizeof(val), "65a502d0.%x", 4096 + shape(4096)); break;
		case 'h': case 'r':
			snprintf(val, sizeof(val), "%s", gen_hosts[shape(N(gen_hosts))]);
			break;
		default:
			snprintf(val, sizeof(val), "%s", gen_names[shape(N(gen_names))]);
			break;
		}
		n += (size_t)snprintf(out + n, cap - n, left ? "%-*s" : "%*s", width, val);
	}
sev:
	n += (size_t)snprintf(out + n, cap - n, "%s%s", gen_sevs[rng(N(gen_sevs))],
		gen_msgs[rng(N(gen_msgs))]);
	return n < cap ? n : cap - 1;
}

/* A few bytes replaced, inserted or removed, mostly in the prefix, or a
 * cut. */
static const char fuzz_bytes[] = " @/:.,-_[]()=+%0123456789aAfFzZLOGERDUTCBIN\t";

static void mutate(char *buf, size_t *len, size_t cap)
{
	unsigned ops = 1 + rng(3);
	for (unsigned k = 0; k < ops; k++) {
		size_t n = *len;
		/* Mostly within the prefix and the severity. */
		size_t at = n ? (rng(4) ? rng(n < 80 ? (unsigned)n : 80) : rng((unsigned)n)) : 0;
		char c = fuzz_bytes[rng(sizeof(fuzz_bytes) - 1)];
		switch (rng(5)) {
		case 0: case 1:
			if (n)
				buf[at] = c;
			break;
		case 2:
			if (n + 1 < cap) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = c;
				(*len)++;
			}
			break;
		case 3:
			if (n) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				(*len)--;
			}
			break;
		default:
			*len = at;
			break;
		}
	}
}

START_TEST(test_memo_fuzz)
{
	struct memo_run r;
	char buf[512];
	run_start(&r, fuzz_specs[_i]);
	rng_state = 0x2545f4914f6cdd1dULL * (uint64_t)(_i + 1);
	for (int iter = 0; iter < 4000; iter++) {
		size_t len = gen_line(fuzz_specs[_i], rng(6), buf, sizeof(buf));
		run_line(&r, buf, len);
		for (unsigned v = rng(6) == 0 ? 1 + rng(3) : 0; v > 0; v--) {
			size_t n = len;
			mutate(buf, &n, sizeof(buf));
			run_line(&r, buf, n);
		}
	}
	ck_assert_uint_gt(r.matched, 0);
	run_end(&r);
}
END_TEST

/* severity_parse() against the loop over SEVERITY_LIST it replaced. */
static size_t severity_parse_ref(const char *s, size_t len, enum severity *sev)
{
	static const struct { const char *name; enum severity sev; } names[] = {
#define X(id, name) { name, id },
		SEVERITY_LIST(X)
#undef X
	};
	if (len < 4 || s[0] < 'C' || s[0] > 'W')
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].name);
		if (s[0] != names[i].name[0] || len <= n || memcmp(s, names[i].name, n) != 0)
			continue;
		if (names[i].sev == SEV_DEBUG && s[n] >= '1' && s[n] <= '5')
			n++;
		if (n >= len || s[n] != ':')
			return 0;
		n++;
		if (n < len) {
			if (s[n] != ' ')
				return 0;
			n++;
			if (n < len && s[n] == ' ')
				n++;
		}
		*sev = names[i].sev;
		return n;
	}
	return 0;
}

START_TEST(test_severity_ref)
{
	static const char *const parts[] = {
		"DEBUG", "DETAIL", "DEB", "DET", "LOG", "LOCATION", "LOC", "INFO",
		"NOTICE", "WARNING", "ERROR", "FATAL", "PANIC", "HINT", "QUERY",
		"CONTEXT", "STATEMENT", "STATE", "X", "1", "5", "9", ":", " ", "  ",
		"x", "", "G", "B",
	};
	char buf[64];
	rng_state = 0x123456789abcdefULL;
	for (int iter = 0; iter < 200000; iter++) {
		size_t n = 0;
		for (unsigned k = 1 + rng(4); k > 0; k--) {
			const char *p = parts[rng(N(parts))];
			size_t l = strlen(p);
			if (n + l < sizeof(buf)) {
				memcpy(buf + n, p, l);
				n += l;
			}
		}
		char *copy = malloc(n ? n : 1);
		memcpy(copy, buf, n);
		enum severity a = SEV_NONE, b = SEV_NONE;
		size_t got = severity_parse(copy, n, &a), want = severity_parse_ref(copy, n, &b);
		CHECK(got == want && (!got || a == b), "'%.*s': %zu, want %zu",
			(int)n, buf, got, want);
		free(copy);
	}
}
END_TEST

TCase *prefix_memo_tcase(void);
TCase *prefix_memo_tcase(void)
{
	TCase *tc = tcase_create("memo");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_memo_logs, 0, N(memo_logs));
	tcase_add_loop_test(tc, test_memo_sets, 0, N(memo_sets));
	tcase_add_loop_test(tc, test_memo_fuzz, 0, N(fuzz_specs));
	tcase_add_test(tc, test_severity_ref);
	return tc;
}
