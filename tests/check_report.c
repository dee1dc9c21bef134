/* check_report.c: the report writers against golden files, plus the JSON
 * contract, Markdown table safety and the P95 bands.
 *
 * The goldens live in tests/golden/report.{md,json,txt}, under
 * $PGSIFT_ROOT (set by `make test`, "." otherwise). After a deliberate
 * change to a writer, regenerate them and review the diff by eye:
 *
 *     PGSIFT_UPDATE_GOLDEN=1 CK_RUN_SUITE=report PGSIFT_ROOT=. \
 *         ./build/check_pgsift
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "report.h"
#include "strbuf.h"
#include "testutil.h"
#include "timeutil.h"

/* 2024-05-01T10:00:00Z */
#define T0 INT64_C(1714557600000)

/* ---- a small analysis, built by hand ---- */

struct fixture {
	struct analysis a;
	struct input_report in[2];
	struct group g[3];
	struct group *order[3];
	struct name_count names[3][3][2];       /* group, dbs/users/apps, up to 2 */
	struct pgsift_options opts;
};

static struct fixture fx;

static void set_names(struct name_counts *nc, struct name_count *store,
		const char *n1, uint64_t c1, const char *n2, uint64_t c2)
{
	uint32_t n = 0;
	if (n1)
		store[n++] = (struct name_count){ n1, c1 };
	if (n2)
		store[n++] = (struct name_count){ n2, c2 };
	*nc = (struct name_counts){ store, n, 2, 0 };
}

static void add_example(struct group *g, int64_t ts, double ms,
		const char *query, const char *params,
		const char *db, const char *user, const char *app)
{
	struct example *e = agg_example_add(g);
	e->ts_ms = ts;
	e->duration_ms = ms;
	agg_example_set_query(g, e, query, strlen(query));
	e->params = params ? xstrdup(params) : NULL;
	e->db = db;
	e->user = user;
	e->app = app;
}

/* Examples are stored against their group's query text: a test that
 * changes the text stores them again. */
static void set_query(struct group *g, const char *query)
{
	struct strbuf old[AGG_EXAMPLES] = { STRBUF_INIT };
	for (unsigned k = 0; k < g->nexamples; k++)
		agg_example_query(g, &g->examples[k], &old[k]);
	g->query = query;
	for (unsigned k = 0; k < g->nexamples; k++) {
		agg_example_set_query(g, &g->examples[k], old[k].buf, old[k].len);
		sb_release(&old[k]);
	}
}

static void add_timed(struct group *g, const double *ms, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double d = ms[i];
		if (g->timed_calls == 0 || d < g->min_ms)
			g->min_ms = d;
		if (g->timed_calls == 0 || d > g->max_ms)
			g->max_ms = d;
		g->timed_calls++;
		g->calls++;
		g->total_ms += d;
		sketch_add(&g->sketch, d);
	}
}

/* ---- events, from lines of tests/data/events/events.log ---- */

static const struct {
	int64_t at;             /* ms after T0 */
	int64_t pid;
	enum severity sev;
	const char *sqlstate, *app, *text;
} fx_lines[] = {
	{ 100, 4649, SEV_LOG, "00000", "[unknown]", "connection received: host=127.0.0.1 port=51140" },
	{ 110, 4649, SEV_LOG, "00000", "[unknown]", "connection authorized: user=postgres database=shop application_name=psql" },
	{ 120, 4653, SEV_LOG, "00000", "[unknown]", "connection received: host=[local]" },
	{ 130, 4653, SEV_LOG, "00000", "[unknown]", "connection authorized: user=postgres database=shop application_name=psql" },
	{ 300000, 4649, SEV_LOG, "00000", "batch", "process 4649 still waiting for ShareLock on transaction 733 after 102.673 ms" },
	{ 300000, 4649, SEV_DETAIL, "00000", "batch", "Process holding the lock: 4640. Wait queue: 4649." },
	{ 300000, 4649, SEV_CONTEXT, "00000", "batch", "while updating tuple (0,3) in relation \"acct\"" },
	{ 300000, 4649, SEV_STATEMENT, "00000", "batch", "SET application_name='batch'; UPDATE acct SET v = 20 WHERE id = 1;" },
	{ 300100, 4653, SEV_LOG, "00000", "batch", "process 4653 still waiting for ExclusiveLock on tuple (0,3) of relation 16387 of database 16384 after 103.516 ms" },
	{ 300100, 4653, SEV_DETAIL, "00000", "batch", "Process holding the lock: 4649. Wait queue: 4653." },
	{ 300100, 4653, SEV_STATEMENT, "00000", "batch", "SET application_name='batch'; UPDATE acct SET v = 30 WHERE id = 1;" },
	{ 300395, 4649, SEV_LOG, "00000", "batch", "process 4649 acquired ShareLock on transaction 733 after 497.618 ms" },
	{ 300395, 4649, SEV_CONTEXT, "00000", "batch", "while updating tuple (0,3) in relation \"acct\"" },
	{ 300395, 4649, SEV_STATEMENT, "00000", "batch", "SET application_name='batch'; UPDATE acct SET v = 20 WHERE id = 1;" },
	{ 300395, 4653, SEV_LOG, "00000", "batch", "process 4653 acquired ExclusiveLock on tuple (0,3) of relation 16387 of database 16384 after 398.742 ms" },
	{ 300395, 4653, SEV_STATEMENT, "00000", "batch", "SET application_name='batch'; UPDATE acct SET v = 30 WHERE id = 1;" },
	{ 360000, 4609, SEV_ERROR, "40P01", "teller-b", "deadlock detected" },
	{ 360000, 4609, SEV_DETAIL, "40P01", "teller-b", "Process 4609 waits for ShareLock on transaction 731; blocked by process 4564.\n"
		"Process 4564 waits for ShareLock on transaction 732; blocked by process 4609.\n"
		"Process 4609: SET application_name='teller-b'; BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;\n"
		"Process 4564: SET application_name='teller-a'; BEGIN; UPDATE acct SET v = v + 1 WHERE id = 1; SELECT pg_sleep(0.3); UPDATE acct SET v = v + 1 WHERE id = 2; COMMIT;" },
	{ 360000, 4609, SEV_HINT, "40P01", "teller-b", "See server log for query details." },
	{ 360000, 4609, SEV_STATEMENT, "40P01", "teller-b", "SET application_name='teller-b'; BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;" },
	{ 1800000, 4711, SEV_LOG, "00000", "reports", "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.0\", size 393216" },
	{ 1800000, 4711, SEV_STATEMENT, "00000", "reports", "SELECT id, v FROM churn ORDER BY v DESC, id;" },
	{ 1800100, 4711, SEV_LOG, "00000", "reports", "temporary file: path \"base/pgsql_tmp/pgsql_tmp4711.1\", size 393216" },
	{ 1800100, 4711, SEV_STATEMENT, "00000", "reports", "SELECT id, v FROM churn ORDER BY v DESC, id;" },
	{ 1860000, 4711, SEV_ERROR, "23505", "errors", "duplicate key value violates unique constraint \"acct_pkey\"" },
	{ 1860000, 4711, SEV_DETAIL, "23505", "errors", "Key (id)=(1) already exists." },
	{ 1860000, 4711, SEV_STATEMENT, "23505", "errors", "INSERT INTO acct VALUES (1, 0);" },
	{ 1860001, 4711, SEV_ERROR, "23505", "errors", "duplicate key value violates unique constraint \"acct_pkey\"" },
	{ 1860001, 4711, SEV_DETAIL, "23505", "errors", "Key (id)=(2) already exists." },
	{ 1860001, 4711, SEV_STATEMENT, "23505", "errors", "INSERT INTO acct VALUES (2, 0);" },
	{ 1860002, 4711, SEV_ERROR, "42601", "errors", "syntax error at or near \"SELEC\" at character 1" },
	{ 1860002, 4711, SEV_STATEMENT, "42601", "errors", "SELEC 1;" },
	{ 1860003, 4711, SEV_WARNING, "25P01", "errors", "there is no transaction in progress" },
	{ 1920000, 4724, SEV_FATAL, "28P01", "[unknown]", "password authentication failed for user \"pw\"" },
	{ 1920000, 4724, SEV_DETAIL, "28P01", "[unknown]", "Connection matched pg_hba.conf line 2: \"host shop pw 127.0.0.1/32 scram-sha-256\"" },
	{ 2700000, 4534, SEV_LOG, "00000", "", "checkpoint starting: immediate force wait" },
	{ 2700073, 4534, SEV_LOG, "00000", "", "checkpoint complete: wrote 1221 buffers (7.5%); 1 WAL file(s) added, 0 removed, 0 recycled; write=0.029 s, sync=0.022 s, total=0.073 s; sync files=323, longest=0.001 s, average=0.001 s; distance=9403 kB, estimate=9403 kB" },
	{ 3000000, 5202, SEV_LOG, "00000", "", "automatic vacuum of table \"shop.public.churn\": index scans: 1\n"
		"pages: 0 removed, 133 remain, 133 scanned (100.00% of total)\n"
		"tuples: 10000 removed, 20000 remain, 0 are dead but not yet removable\n"
		"removable cutoff: 754, which was 0 XIDs old when operation ended\n"
		"index scan needed: 89 pages from table (66.92% of total) had 10000 dead item identifiers removed\n"
		"index \"churn_pkey\": pages: 111 in total, 0 newly deleted, 0 currently deleted, 0 reusable\n"
		"avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s\n"
		"buffer usage: 517 hits, 0 misses, 0 dirtied\n"
		"WAL usage: 422 records, 0 full page images, 93596 bytes\n"
		"system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.01 s" },
	{ 3000010, 5202, SEV_LOG, "00000", "", "automatic analyze of table \"shop.public.churn\"\n"
		"avg read rate: 0.000 MB/s, avg write rate: 0.000 MB/s\n"
		"buffer usage: 242 hits, 0 misses, 0 dirtied\n"
		"system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.02 s" },
	{ 3599000, 4649, SEV_LOG, "00000", "psql", "disconnection: session time: 0:59:58.890 user=postgres database=shop host=127.0.0.1 port=51140" },
	{ 3599100, 4653, SEV_LOG, "00000", "psql", "disconnection: session time: 0:00:00.408 user=postgres database=shop host=[local]" },
};

static struct slice cslice(const char *s)
{
	return slice_make(s, strlen(s));
}

/* Events as a worker would see them, merged into the analysis' own;
 * calls of the groups feed the timeline. */
static struct events *fixture_events(void)
{
	struct fp_cache *fp = fp_cache_new();
	struct events *w = events_new(fp), *ev = events_new(NULL);

	for (size_t i = 0; i < ARRAY_SIZE(fx_lines); i++) {
		struct log_entry e = {
			.ts_ms = T0 + fx_lines[i].at, .pid = fx_lines[i].pid,
			.leader_pid = -1, .severity = fx_lines[i].sev,
			.sqlstate = cslice(fx_lines[i].sqlstate),
			.app = cslice(fx_lines[i].app),
			.db = cslice(fx_lines[i].app[0] ? "shop" : ""),
			.user = cslice(fx_lines[i].app[0] ? "postgres" : ""),
			.message = cslice(fx_lines[i].text),
		};
		events_log(w, &e);
	}
	static const struct { int64_t at; double ms; } calls[] = {
		{ 1000, 250 }, { 1500, 120.5 }, { 2000, 2.5 }, { 60000, 300 },
		{ 900000, 80.25 }, { 1800000, 1500.125 }, { 3599250, 95 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		struct call c = { .ts_ms = T0 + calls[i].at, .timed = true,
			.duration_ms = calls[i].ms };
		events_call(w, &c);
	}
	events_end_input(w);
	events_merge(ev, w);
	events_free(w);
	fp_cache_free(fp);
	return ev;
}

static void fixture_build(void)
{
	struct group *g;

	memset(&fx, 0, sizeof(fx));
	options_init(&fx.opts);

	fx.in[0] = (struct input_report){
		.path = xstrdup("logs/postgresql-2024-05-01.log.zst"),
		.format = "stderr", .compression = INPUT_ZSTD,
		.bytes = 1234567, .lines = 40210, .records = 39876,
		.skipped = 3, .nproblems = 12, .nkept = 2,
	};
	fx.in[0].problems[0] = (struct problem){ 17,
		xstrdup("line is not a log record | prefix mismatch") };
	fx.in[0].problems[1] = (struct problem){ 0,
		xstrdup("zone `XYZ` unknown, taken as UTC") };
	fx.in[1] = (struct input_report){
		.path = xstrdup("-"), .format = "csvlog",
		.bytes = 2048, .lines = 12, .records = 12,
	};

	/* 1: slow and frequent, critical P95, a plan, prep time. */
	g = &fx.g[0];
	sketch_init(&g->sketch);
	g->fingerprint = UINT64_C(0x0123456789abcdef);
	g->query = "SELECT o.id, o.total FROM orders o WHERE o.customer_id = $1 "
		"AND o.created_at > $2 ORDER BY o.created_at DESC LIMIT $3";
	add_timed(g, (const double[]){ 120.5, 80.25, 300, 1500.125, 95 }, 5);
	g->first_ts = T0 + 1500;
	g->last_ts = T0 + 3599250;
	g->sources = SRC_BIT(SRC_LOG) | SRC_BIT(SRC_PLAN);
	g->prep_count = 4;
	g->prep_ms = 2.75;
	g->plan_json = xstrdup("{\"Plan\": {\"Node Type\": \"Seq Scan\", "
		"\"Relation Name\": \"orders\", \"Total Cost\": 1234.5}}");
	g->plan_ms = 1500.125;
	set_names(&g->dbs, fx.names[0][0], "shop", 4, "reports", 1);
	set_names(&g->users, fx.names[0][1], "web", 5, NULL, 0);
	set_names(&g->apps, fx.names[0][2], "api", 3, "", 2);
	add_example(g, T0 + 1800000, 1500.125,
		"SELECT o.id, o.total FROM orders o WHERE o.customer_id = 42 "
		"AND o.created_at > '2024-01-01' ORDER BY o.created_at DESC LIMIT 50",
		NULL, "shop", "web", "api");
	add_example(g, T0 + 60000, 300,
		"SELECT o.id, o.total FROM orders o WHERE o.customer_id = $1 "
		"AND o.created_at > $2 ORDER BY o.created_at DESC LIMIT $3",
		"$1 = '7', $2 = '2024-02-01', $3 = '10'", "reports", "web", "");

	/* 2: text that tries to break Markdown: pipes (one after a
	 * backslash), backticks, a newline, HTML. */
	g = &fx.g[1];
	sketch_init(&g->sketch);
	g->fingerprint = UINT64_C(0xfedcba9876543210);
	g->query = "SELECT a || b AS \"x`y\", c ``AS`` d, e \\| f <b>bold</b>\n"
		"FROM t WHERE g = $1";
	add_timed(g, (const double[]){ 250, 2.5 }, 2);
	g->first_ts = T0 + 1000;
	g->last_ts = T0 + 2000;
	g->sources = SRC_BIT(SRC_LOG);
	set_names(&g->dbs, fx.names[1][0], "shop|eu", 2, NULL, 0);
	set_names(&g->users, fx.names[1][1], "w`eb", 2, NULL, 0);
	set_names(&g->apps, fx.names[1][2], "psql", 2, NULL, 0);
	add_example(g, T0 + 1000, 250,
		"SELECT a || b AS \"x`y\" -- ```\nFROM t WHERE g = 'a|b'",
		NULL, "shop|eu", "w`eb", "psql");

	/* 3: logged without durations (log_statement = all). */
	g = &fx.g[2];
	sketch_init(&g->sketch);
	g->fingerprint = UINT64_C(0x00000000000000ff);
	g->lexical = true;
	g->query = "COPY big_table FROM STDIN";
	g->calls = 7;
	g->first_ts = g->last_ts = TS_NONE;
	g->sources = SRC_BIT(SRC_LOG);
	set_names(&g->dbs, fx.names[2][0], "shop", 7, NULL, 0);
	set_names(&g->users, fx.names[2][1], "loader", 7, NULL, 0);
	set_names(&g->apps, fx.names[2][2], "", 7, NULL, 0);

	for (size_t i = 0; i < 3; i++)
		fx.order[i] = &fx.g[i];
	fx.a = (struct analysis){
		.inputs = fx.in, .ninputs = 2,
		.window_start = T0 + 1000, .window_end = T0 + 3599250,
		.queries = 14, .total_ms = fx.g[0].total_ms + fx.g[1].total_ms,
		.groups = fx.order, .ngroups = 3,
		.distinct_texts = 3, .parsed_texts = 2,
		.events = fixture_events(),
	};
}

static void fixture_free(void)
{
	events_free(fx.a.events);
	for (size_t i = 0; i < ARRAY_SIZE(fx.in); i++) {
		free(fx.in[i].path);
		for (size_t k = 0; k < fx.in[i].nkept; k++)
			free(fx.in[i].problems[k].message);
	}
	for (size_t i = 0; i < ARRAY_SIZE(fx.g); i++) {
		struct group *g = &fx.g[i];
		sketch_release(&g->sketch);
		for (unsigned k = 0; k < g->nexamples; k++) {
			free(g->examples[k].rest);
			free(g->examples[k].params);
		}
		free(g->examples);
		free(g->plan_json);
	}
}

/* Runs a writer into memory; the text belongs to the caller. */
static char *render(const char *id, const struct analysis *a,
		const struct pgsift_options *opts)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct report_writer *w = report_find(id);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->write(f, a, opts), 0);
	ck_assert_int_eq(fclose(f), 0);
	tu_spool_report("check_report.c render", text);
	return text;
}

/* ---- golden files ---- */

static const char *const golden_ids[] = { "md", "json", "text" };
static const char *const golden_files[] = { "report.md", "report.json", "report.txt" };

START_TEST(test_golden)
{
	const char *update = getenv("PGSIFT_UPDATE_GOLDEN");
	char path[4096];

	fixture_build();
	char *got = render(golden_ids[_i], &fx.a, &fx.opts);
	snprintf(path, sizeof(path), "%s/tests/golden/%s",
			tu_root(), golden_files[_i]);
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
		fputs(got, f);
		ck_assert_int_eq(fclose(f), 0);
	}
	char *want = tu_slurp(path);
	ck_assert_msg(want != NULL, "cannot read %s (PGSIFT_ROOT unset?)", path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from the writer "
			"output from line %d on", path, tu_first_diff_line(got, want));
	free(want);
	free(got);
	fixture_free();
}
END_TEST

/* ---- JSON contract ---- */

/* obj has every key of keys[], in that relative order. */
static void assert_keys(json_t *obj, const char *what, const char *const *keys)
{
	ck_assert_msg(json_is_object(obj), "%s is not an object", what);
	size_t k = 0;
	for (void *it = json_object_iter(obj); it && keys[k];
			it = json_object_iter_next(obj, it))
		if (strcmp(json_object_iter_key(it), keys[k]) == 0)
			k++;
	for (size_t i = 0; keys[i]; i++)
		ck_assert_msg(json_object_get(obj, keys[i]) != NULL,
				"%s has no \"%s\"", what, keys[i]);
	ck_assert_msg(keys[k] == NULL, "%s: \"%s\" out of the contract's order",
			what, keys[k]);
}

static json_t *parse_json(const char *text)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	ck_assert_msg(root != NULL, "JSON does not parse: line %d: %s",
			err.line, err.text);
	return root;
}

static bool is_hex16(const char *s)
{
	if (!s || strlen(s) != 16)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

START_TEST(test_json_contract)
{
	static const char *const top[] = { "schema", "tool", "inputs", "window",
		"totals", "groups", "findings", "events", NULL };
	static const char *const tool[] = { "name", "version", NULL };
	static const char *const input[] = { "path", "format", "bytes",
		"records", "skipped", "problems", NULL };
	static const char *const problem[] = { "line", "message", NULL };
	static const char *const window[] = { "start", "end", NULL };
	static const char *const totals[] = { "queries", "total_ms",
		"fingerprints", NULL };
	static const char *const group[] = { "fingerprint", "query", "calls",
		"total_ms", "mean_ms", "min_ms", "max_ms", "p50_ms", "p95_ms",
		"p99_ms", "sources", "databases", "users", "applications",
		"first_seen", "last_seen", "examples", "plan", NULL };
	static const char *const example[] = { "ts", "duration_ms", "query",
		"db", "user", "app", NULL };
	static const char *const events[] = { "lock_waits", "deadlocks",
		"temp_files", "errors", "connections", "checkpoints",
		"autovacuum", NULL };
	static const char *const temp_files[] = { "count", "bytes", "by_group", NULL };
	static const char *const connections[] = { "total", "failed",
		"peak_sessions", "by_database", "by_user", "by_application",
		"by_host", NULL };
	static const char *const checkpoints[] = { "count", "by_reason",
		"write_s", "sync_s", NULL };
	static const char *const autovacuum[] = { "vacuum_count",
		"analyze_count", "by_table", NULL };
	static const char *const lock_wait[] = { "ts", "pid", "wait_ms", "lock",
		"statement", "fingerprint", "blocker_pids", NULL };
	static const char *const deadlock[] = { "ts", "pids", "statements", NULL };
	static const char *const temp_group[] = { "fingerprint", "count",
		"bytes", NULL };
	static const char *const error[] = { "severity", "sqlstate", "message",
		"count", "example", NULL };
	static const char *const vacuum_table[] = { "table", "vacuums",
		"analyzes", "removed_tuples", "total_ms", NULL };
	static const char *const bucket[] = { "start", "calls", "total_ms",
		"p95_ms", "errors", "lock_waits", "temp_bytes", NULL };

	fixture_build();
	char *text = render("json", &fx.a, &fx.opts);
	json_t *root = parse_json(text);

	assert_keys(root, "report", top);
	ck_assert_ptr_null(json_object_get(root, "snapshots"));
	ck_assert_int_eq(json_integer_value(json_object_get(root, "schema")), 1);
	json_t *t = json_object_get(root, "tool");
	assert_keys(t, "tool", tool);
	ck_assert_str_eq(json_string_value(json_object_get(t, "name")), "pgsift");
	ck_assert_str_eq(json_string_value(json_object_get(t, "version")),
			PGSIFT_VERSION);

	json_t *ins = json_object_get(root, "inputs");
	ck_assert_int_eq(json_array_size(ins), 2);
	json_t *in0 = json_array_get(ins, 0);
	assert_keys(in0, "input", input);
	ck_assert_int_eq(json_integer_value(json_object_get(in0, "bytes")), 1234567);
	json_t *probs = json_object_get(in0, "problems");
	ck_assert_int_eq(json_array_size(probs), 2);
	assert_keys(json_array_get(probs, 0), "problem", problem);
	ck_assert_int_eq(json_integer_value(json_object_get(
			json_array_get(probs, 0), "line")), 17);
	ck_assert(json_is_null(json_object_get(json_array_get(probs, 1), "line")));

	json_t *w = json_object_get(root, "window");
	assert_keys(w, "window", window);
	ck_assert_str_eq(json_string_value(json_object_get(w, "start")),
			"2024-05-01T10:00:01.000Z");
	assert_keys(json_object_get(root, "totals"), "totals", totals);
	ck_assert_int_eq(json_integer_value(json_object_get(
			json_object_get(root, "totals"), "fingerprints")), 3);

	json_t *groups = json_object_get(root, "groups");
	ck_assert_int_eq(json_array_size(groups), 3);
	double prev = 1e300;
	for (size_t i = 0; i < 3; i++) {
		json_t *g = json_array_get(groups, i);
		assert_keys(g, "group", group);
		ck_assert(is_hex16(json_string_value(json_object_get(g, "fingerprint"))));
		double total = json_number_value(json_object_get(g, "total_ms"));
		ck_assert(total <= prev);
		prev = total;
		ck_assert(json_is_array(json_object_get(g, "sources")));
		ck_assert(json_is_object(json_object_get(g, "databases")));
		json_t *ex = json_object_get(g, "examples");
		for (size_t k = 0; k < json_array_size(ex); k++) {
			assert_keys(json_array_get(ex, k), "example", example);
			ck_assert_ptr_null(json_object_get(json_array_get(ex, k),
					"params"));
		}
	}
	json_t *g0 = json_array_get(groups, 0);
	ck_assert_str_eq(json_string_value(json_object_get(g0, "fingerprint")),
			"0123456789abcdef");
	ck_assert(json_number_value(json_object_get(g0, "p95_ms")) == 1500.125);
	ck_assert(json_number_value(json_object_get(g0, "mean_ms")) == 419.175);
	ck_assert_str_eq(json_string_value(json_object_get(
			json_object_get(json_object_get(g0, "plan"), "Plan"),
			"Node Type")), "Seq Scan");
	ck_assert_int_eq(json_integer_value(json_object_get(
			json_object_get(g0, "databases"), "reports")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(
			json_object_get(g0, "sources"), 1)), "plan");
	/* No durations: latencies are null, not 0. */
	json_t *g2 = json_array_get(groups, 2);
	static const char *const lat[] = { "mean_ms", "min_ms", "max_ms",
		"p50_ms", "p95_ms", "p99_ms" };
	for (size_t k = 0; k < ARRAY_SIZE(lat); k++)
		ck_assert_msg(json_is_null(json_object_get(g2, lat[k])),
				"%s of an untimed group is not null", lat[k]);
	ck_assert(json_is_null(json_object_get(g2, "first_seen")));
	ck_assert(json_is_null(json_object_get(g2, "plan")));

	ck_assert(json_is_array(json_object_get(root, "findings")));
	ck_assert_int_eq(json_array_size(json_object_get(root, "findings")), 0);
	json_t *ev = json_object_get(root, "events");
	assert_keys(ev, "events", events);
	ck_assert(json_is_array(json_object_get(ev, "lock_waits")));
	ck_assert(json_is_array(json_object_get(ev, "deadlocks")));
	ck_assert(json_is_array(json_object_get(ev, "errors")));
	assert_keys(json_object_get(ev, "temp_files"), "temp_files", temp_files);
	assert_keys(json_object_get(ev, "connections"), "connections", connections);
	assert_keys(json_object_get(ev, "checkpoints"), "checkpoints", checkpoints);
	assert_keys(json_object_get(ev, "autovacuum"), "autovacuum", autovacuum);
	json_t *lw = json_array_get(json_object_get(ev, "lock_waits"), 0);
	assert_keys(lw, "lock wait", lock_wait);
	ck_assert_int_eq(json_integer_value(json_object_get(lw, "pid")), 4649);
	ck_assert(json_number_value(json_object_get(lw, "wait_ms")) == 497.618);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(lw,
			"blocker_pids"), 0)), 4640);
	ck_assert(is_hex16(json_string_value(json_object_get(lw, "fingerprint"))));
	/* Masked by default, like every example. */
	ck_assert_str_eq(json_string_value(json_object_get(lw, "statement")),
			"SET application_name = $1; UPDATE acct SET v = $2 WHERE id = $3");
	json_t *dl = json_array_get(json_object_get(ev, "deadlocks"), 0);
	assert_keys(dl, "deadlock", deadlock);
	ck_assert_int_eq(json_array_size(json_object_get(dl, "pids")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(dl, "statements")), 2);
	json_t *tg = json_array_get(json_object_get(json_object_get(ev,
			"temp_files"), "by_group"), 0);
	assert_keys(tg, "temp group", temp_group);
	ck_assert_int_eq(json_integer_value(json_object_get(tg, "bytes")), 786432);
	json_t *er = json_array_get(json_object_get(ev, "errors"), 0);
	assert_keys(er, "error", error);
	ck_assert_str_eq(json_string_value(json_object_get(er, "sqlstate")), "23505");
	ck_assert_int_eq(json_integer_value(json_object_get(er, "count")), 2);
	json_t *cn = json_object_get(ev, "connections");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cn,
			"failures"), "password_failed")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cn,
			"by_host"), "[local]")), 1);
	assert_keys(json_array_get(json_object_get(json_object_get(ev,
			"autovacuum"), "by_table"), 0), "table", vacuum_table);
	json_t *tl = json_object_get(ev, "timeline");
	ck_assert_int_eq(json_integer_value(json_object_get(tl, "bucket_s")), 60);
	ck_assert_int_eq(json_array_size(json_object_get(tl, "buckets")), 60);
	assert_keys(json_array_get(json_object_get(tl, "buckets"), 0), "bucket",
			bucket);

	json_decref(root);
	free(text);
	fixture_free();
}
END_TEST

START_TEST(test_json_literals)
{
	fixture_build();
	fx.opts.show_literals = true;
	char *text = render("json", &fx.a, &fx.opts);
	json_t *root = parse_json(text);
	json_t *ex = json_object_get(json_array_get(json_object_get(root,
			"groups"), 0), "examples");

	json_t *e1 = json_array_get(ex, 1);
	ck_assert_str_eq(json_string_value(json_object_get(e1, "params")),
			"$1 = '7', $2 = '2024-02-01', $3 = '10'");
	ck_assert(json_is_null(json_object_get(json_array_get(ex, 0), "params")));
	ck_assert(strstr(json_string_value(json_object_get(json_array_get(ex, 0),
			"query")), "customer_id = 42") != NULL);
	/* An app that was not logged is null in an example. */
	ck_assert(json_is_null(json_object_get(e1, "app")));
	json_decref(root);
	free(text);
	fixture_free();
}
END_TEST

/* Bytes that are not UTF-8 must not make the document invalid. */
START_TEST(test_json_bad_utf8)
{
	fixture_build();
	set_query(&fx.g[0], "SELECT '\xe9t\xe9' FROM caf\xc3\xa9 \xed\xa0\x80");
	fx.names[0][0][1].name = "r\xff";
	char *text = render("json", &fx.a, &fx.opts);
	json_t *root = parse_json(text);
	json_t *g0 = json_array_get(json_object_get(root, "groups"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(g0, "query")),
			"SELECT '\xef\xbf\xbdt\xef\xbf\xbd' FROM caf\xc3\xa9 "
			"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(g0,
			"databases"), "r\xef\xbf\xbd")), 1);
	json_decref(root);
	free(text);
	fixture_free();
}
END_TEST

START_TEST(test_json_empty)
{
	struct analysis a = { .window_start = TS_NONE, .window_end = TS_NONE };
	struct pgsift_options o;

	options_init(&o);
	char *text = render("json", &a, &o);
	json_t *root = parse_json(text);
	ck_assert(json_is_null(json_object_get(json_object_get(root, "window"),
			"start")));
	ck_assert_int_eq(json_array_size(json_object_get(root, "groups")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(root, "inputs")), 0);
	json_t *ev = json_object_get(root, "events");
	ck_assert_int_eq(json_array_size(json_object_get(ev, "lock_waits")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ev,
			"connections"), "total")), 0);
	ck_assert(json_is_object(json_object_get(json_object_get(ev,
			"connections"), "by_host")));
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(ev,
			"timeline"), "buckets")), 0);
	json_decref(root);
	free(text);
	for (size_t i = 0; i < ARRAY_SIZE(golden_ids); i++)
		free(render(golden_ids[i], &a, &o));
}
END_TEST

/* ---- Markdown ---- */

/* Cell separators in a GFM table row: pipes not escaped by a backslash
 * (GFM lets a backslash escape any ASCII punctuation, "\\" included). */
static int count_pipes(const char *s, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && ispunct((unsigned char)s[i + 1]))
			i++;
		else if (s[i] == '|')
			n++;
	}
	return n;
}

/* Every table row has as many cells as its header; returns the number of
 * tables seen. */
static int check_tables(const char *md)
{
	int tables = 0, want = -1, lineno = 0;

	for (const char *p = md; *p; ) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len > 0 && p[0] == '|') {
			int n = count_pipes(p, len);
			if (want < 0) {
				want = n;
				tables++;
			}
			ck_assert_msg(n == want, "table row at line %d has %d "
					"separators, its header %d: %.*s", lineno,
					n, want, (int)len, p);
		} else {
			want = -1;
		}
		p += len + (nl != NULL);
	}
	return tables;
}

START_TEST(test_md_tables)
{
	fixture_build();
	char *md = render("md", &fx.a, &fx.opts);

	ck_assert_int_eq(check_tables(md), 11);
	/* The tricky query, in a cell: pipes escaped, the backslash before
	 * a pipe doubled, a fence longer than its backtick run. */
	ck_assert_ptr_nonnull(strstr(md, "| ```SELECT a \\|\\| b AS \"x`y\", "
			"c ``AS`` d, e \\\\\\| f <b>bold</b> FROM t WHERE g = $1``` |"));
	/* In details, the full text in a fence of three. */
	ck_assert_ptr_nonnull(strstr(md, "```sql\nSELECT a || b AS \"x`y\", c "
			"``AS`` d, e \\| f <b>bold</b>\nFROM t WHERE g = $1\n```\n"));
	/* Untimed group: latencies and band are "-". */
	ck_assert_ptr_nonnull(strstr(md, "| 3 | 0.000 | 7 | - | - | - | - | - | - | "));
	free(md);

	/* With literals, the example keeps its values and parameters, and an
	 * example with a ``` inside gets a longer fence. */
	fx.opts.show_literals = true;
	md = render("md", &fx.a, &fx.opts);
	ck_assert_int_eq(check_tables(md), 11);
	ck_assert_ptr_nonnull(strstr(md, "LIMIT $3\n-- parameters: $1 = '7', "
			"$2 = '2024-02-01', $3 = '10'\n```\n"));
	ck_assert_ptr_nonnull(strstr(md, "````sql\nSELECT a || b AS \"x`y\" -- "
			"```\nFROM t WHERE g = 'a|b'\n````\n"));
	free(md);
	fixture_free();
}
END_TEST

/* Code spans that start or end with a backtick are padded; long text is
 * cut on a character boundary. */
START_TEST(test_md_code_spans)
{
	fixture_build();
	set_query(&fx.g[0], "`weird` ident");
	set_query(&fx.g[1], "SELECT 'é' FROM \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 WHERE x = $1 AND "
		"y = $2 AND z = $3 AND w = $4 AND v = $5 AND u = $6");
	char *md = render("md", &fx.a, &fx.opts);
	ck_assert_ptr_nonnull(strstr(md, "| `` `weird` ident `` |"));
	ck_assert_ptr_nonnull(strstr(md, "AND u = $6\n```"));          /* details: whole */
	ck_assert_ptr_nonnull(strstr(md, "AND w = $4 AND v =\xe2\x80\xa6` |"));
	ck_assert_int_eq(check_tables(md), 11);
	free(md);
	fixture_free();
}
END_TEST

/* Event sections appear only with something to say; statements keep
 * their literals with --show-literals. */
START_TEST(test_md_events)
{
	static const char *const sections[] = { "## Timeline", "## Lock waits",
		"## Deadlocks", "## Temporary files", "## Errors",
		"## Connections and sessions", "## Checkpoints", "## Autovacuum" };
	struct analysis a = { .window_start = TS_NONE, .window_end = TS_NONE };
	struct pgsift_options o;

	options_init(&o);
	a.events = events_new(NULL);
	char *md = render("md", &a, &o);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		ck_assert_ptr_null(strstr(md, sections[i]));
	free(md);
	events_free(a.events);

	/* Only a checkpoint. */
	size_t k = 0;
	while (strncmp(fx_lines[k].text, "checkpoint complete", 19) != 0)
		k++;
	struct events *w = events_new(NULL);
	struct log_entry e = { .ts_ms = T0, .pid = 4534, .leader_pid = -1,
		.severity = SEV_LOG, .message = cslice(fx_lines[k].text) };
	events_log(w, &e);
	a.events = events_new(NULL);
	events_merge(a.events, w);
	events_free(w);
	md = render("md", &a, &o);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		ck_assert_msg((strstr(md, sections[i]) != NULL) ==
				(strcmp(sections[i], "## Checkpoints") == 0),
				"%s", sections[i]);
	free(md);
	events_free(a.events);

	fixture_build();
	fx.opts.show_literals = true;
	md = render("md", &fx.a, &fx.opts);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		ck_assert_ptr_nonnull(strstr(md, sections[i]));
	ck_assert_ptr_nonnull(strstr(md, "| `SET application_name='batch'; "
			"UPDATE acct SET v = 20 WHERE i\xe2\x80\xa6` |"));
	ck_assert_ptr_nonnull(strstr(md, "-- process 4564\nSET application_name="
			"'teller-a'; BEGIN;"));
	free(md);
	fixture_free();
}
END_TEST

/* ---- shared helpers ---- */

static const struct {
	double p95;
	enum band want;
} band_cases[] = {
	{ 0, BAND_GOOD }, { 99.9, BAND_GOOD }, { 99.9999, BAND_GOOD },
	{ 100, BAND_WARNING }, { 499.999, BAND_WARNING },
	{ 500, BAND_ALERT }, { 999.9, BAND_ALERT }, { 1000, BAND_ALERT },
	{ 1000.1, BAND_CRITICAL }, { 1e9, BAND_CRITICAL },
};

START_TEST(test_band_defaults)
{
	struct pgsift_options o;

	options_init(&o);
	ck_assert_int_eq(report_band(&o, band_cases[_i].p95), band_cases[_i].want);
	/* Unset limits fall back to the same defaults. */
	ck_assert_int_eq(report_band(NULL, band_cases[_i].p95), band_cases[_i].want);
}
END_TEST

START_TEST(test_band_custom)
{
	struct pgsift_options o;

	options_init(&o);
	o.bands[0] = 10;
	o.bands[1] = 20;
	o.bands[2] = 30;
	ck_assert_int_eq(report_band(&o, 9.99), BAND_GOOD);
	ck_assert_int_eq(report_band(&o, 10), BAND_WARNING);
	ck_assert_int_eq(report_band(&o, 20), BAND_ALERT);
	ck_assert_int_eq(report_band(&o, 30), BAND_ALERT);
	ck_assert_int_eq(report_band(&o, 30.01), BAND_CRITICAL);
	ck_assert_str_eq(report_band_name(BAND_GOOD), "good");
	ck_assert_str_eq(report_band_name(BAND_WARNING), "warning");
	ck_assert_str_eq(report_band_name(BAND_ALERT), "alert");
	ck_assert_str_eq(report_band_name(BAND_CRITICAL), "critical");
}
END_TEST

START_TEST(test_helpers)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_ptr_eq(report_find("md"), &report_markdown);
	ck_assert_ptr_eq(report_find("json"), &report_json);
	ck_assert_ptr_eq(report_find("text"), &report_text);
	ck_assert_ptr_null(report_find("xml"));
	ck_assert_ptr_null(report_find(NULL));

	fixture_build();
	ck_assert(group_mean(&fx.g[0]) == 2095.875 / 5);
	ck_assert(group_mean(&fx.g[2]) == 0);
	ck_assert(group_pct(&fx.g[0], 0.5) == 120.5);
	ck_assert(group_pct(&fx.g[2], 0.99) == 0);

	const struct example *e = &fx.g[0].examples[1];
	report_example_text(&fx.g[0], e, true, &sb);
	ck_assert_str_eq(sb.buf, "SELECT o.id, o.total FROM orders o WHERE "
		"o.customer_id = $1 AND o.created_at > $2 ORDER BY o.created_at "
		"DESC LIMIT $3\n-- parameters: $1 = '7', $2 = '2024-02-01', $3 = '10'");
	report_example_text(&fx.g[0], &fx.g[0].examples[0], false, &sb);
	ck_assert_ptr_null(strstr(sb.buf, "42"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "customer_id = $1"));
	report_example_text(&fx.g[0], &fx.g[0].examples[0], true, &sb);
	ck_assert_ptr_null(strstr(sb.buf, "-- parameters"));
	sb_release(&sb);
	fixture_free();
}
END_TEST

/* ---- errors ---- */

static ssize_t failing_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	(void)buf;
	(void)size;
	errno = ENOSPC;
	return -1;
}

START_TEST(test_write_error)
{
	cookie_io_functions_t io = { .write = failing_write };

	fixture_build();
	FILE *f = fopencookie(NULL, "w", io);
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_eq(report_find(golden_ids[_i])->write(f, &fx.a, &fx.opts), -1);
	fclose(f);
	fixture_free();
}
END_TEST

Suite *suite_report(void);
Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_loop_test(tc, test_golden, 0, ARRAY_SIZE(golden_ids));
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_contract);
	tcase_add_test(tc, test_json_literals);
	tcase_add_test(tc, test_json_bad_utf8);
	tcase_add_test(tc, test_json_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("markdown");
	tcase_add_test(tc, test_md_tables);
	tcase_add_test(tc, test_md_code_spans);
	tcase_add_test(tc, test_md_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_band_defaults, 0, ARRAY_SIZE(band_cases));
	tcase_add_test(tc, test_band_custom);
	tcase_add_test(tc, test_helpers);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_write_error, 0, ARRAY_SIZE(golden_ids));
	suite_add_tcase(s, tc);
	return s;
}
