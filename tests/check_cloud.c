/* check_cloud.c: the cloud exports (parsers/gcp.c, azure.c, cloudwatch.c,
 * heroku.c) on real server lines.
 *
 * tests/data/cloud/make.sh ran a real server once per cloud with that
 * cloud's log_line_prefix (the same workload: concurrent sessions, a
 * multi-line statement, one over syslog's 900 bytes, auto_explain plans,
 * errors with DETAIL and STATEMENT lines, temporary files, a refused
 * database) and kept each log (NAME.log.zst); wrap.py wrapped its lines
 * in the cloud's documented form: one entry a line, newest first and
 * interleaved (gcloud), one a message with other services' entries among
 * them (a log sink), resource log records with and without the prefix in
 * the message, CloudWatch events and its S3 export, logplex lines cut as
 * the server's syslog output cuts them. Each wrapped file must give the
 * figures of the log it wraps; the other services' entries are counted
 * and named in a note, and broken entries are reported at their line. */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testutil.h"
#include "util.h"

static char *data(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/tests/data/cloud/%s", tu_root(), name) < 0)
		abort();
	return p;
}

/* The JSON report of path; *status gets the exit status. */
static json_t *report_of(const char *path, const char *opts, int *status)
{
	char *cmd;
	if (asprintf(&cmd, "'%s' report -q -j 1 -f json %s '%s' 2>/dev/null", tu_bin(), opts,
			path) < 0)
		abort();
	char *out = tu_run(cmd, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s", path, err.text);
	free(out);
	free(cmd);
	return j;
}

static json_t *at(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);
	return b ? json_object_get(v, b) : v;
}

static void add(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct strbuf *sb, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sb_append(sb, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	sb_putc(sb, '\n');
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What must not depend on the wrapper: calls and time per group, the
 * window, errors, temporary files, sessions and connections (peak: with
 * the peak of concurrent sessions), as sorted lines (the caller frees
 * them). */
static char *figures(json_t *j, bool peak)
{
	struct strbuf sb = { 0 };
	json_t *v, *ev = at(j, "events", NULL);
	size_t i;
	const char *k;
	add(&sb, "window %s %s", json_string_value(at(j, "window", "start")),
		json_string_value(at(j, "window", "end")));
	add(&sb, "queries %lld", (long long)json_integer_value(at(j, "totals", "queries")));
	json_array_foreach(at(j, "groups", NULL), i, v)
		add(&sb, "group %s calls %lld timed %lld total %.3f",
			json_string_value(at(v, "query", NULL)),
			(long long)json_integer_value(at(v, "calls", NULL)),
			(long long)json_integer_value(at(v, "timed_calls", NULL)),
			json_number_value(at(v, "total_ms", NULL)));
	json_array_foreach(at(ev, "errors", NULL), i, v)
		add(&sb, "error %s %s %lld", json_string_value(at(v, "severity", NULL)),
			json_string_value(at(v, "message", NULL)),
			(long long)json_integer_value(at(v, "count", NULL)));
	add(&sb, "temp files %lld bytes %lld",
		(long long)json_integer_value(at(at(ev, "temp_files", NULL), "count", NULL)),
		(long long)json_integer_value(at(at(ev, "temp_files", NULL), "bytes", NULL)));
	json_t *c = at(ev, "connections", NULL);
	add(&sb, "sessions %lld", (long long)json_integer_value(at(at(c, "sessions", NULL),
		"count", NULL)));
	json_object_foreach(c, k, v)
		if (json_is_integer(v) && (peak || strcmp(k, "peak_sessions") != 0))
			add(&sb, "connections %s %lld", k, (long long)json_integer_value(v));
	json_object_foreach(at(c, "failures", NULL), k, v)
		add(&sb, "refused %s %lld", k, (long long)json_integer_value(v));

	char *text = xstrndup(sb.buf ? sb.buf : "", sb.len), *save = NULL;
	char *lines[512];
	size_t n = 0;
	for (char *l = strtok_r(text, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_lines);
	sb_reset(&sb);
	for (i = 0; i < n; i++)
		add(&sb, "%s", lines[i]);
	char *s = xstrndup(sb.buf ? sb.buf : "", sb.len);
	free(text);
	sb_release(&sb);
	return s;
}

/* Azure's prefix '%t-%c-' has no pid: in its log the server's lines
 * carry none, and peak sessions are counted per pid; its records carry
 * processId. Its other figures must be the same. */
static const struct {
	const char *file, *log, *format;
	long long skipped;      /* other services' entries */
	const char *note;       /* in the note that counts them */
} forms[] = {
	{ "gcp.array.json", "gcp.log.zst", "gcp", 0, NULL },
	{ "gcp.ndjson", "gcp.log.zst", "gcp", 2,
		"2 entries of other services skipped (cloudaudit.googleapis.com/activity, syslog)" },
	{ "azure.json", "azure.log.zst", "azure", 1,
		"1 records of other services skipped (PostgreSQLFlexSessions)" },
	{ "azure.eventhub.json", "azure.log.zst", "azure", 0, NULL },
	{ "rds.filter.json", "rds.log.zst", "cloudwatch", 0, NULL },
	{ "rds.get.json", "rds.log.zst", "cloudwatch", 0, NULL },
	{ "rds.export.gz", "rds.log.zst", "cloudwatch-s3", 0, NULL },
	{ "heroku.log", "heroku.log.zst", "heroku", 29,
		"29 lines of other services skipped (heroku[router], app[web], app[heroku-postgres])" },
};

static bool has_note(json_t *in, const char *note)
{
	size_t i;
	json_t *v;
	json_array_foreach(at(in, "notes", NULL), i, v)
		if (strstr(json_string_value(v), note))
			return true;
	return false;
}

/* Each wrapped file gives its log's figures. */
START_TEST(test_forms)
{
	int st;
	char *log = data(forms[_i].log), *file = data(forms[_i].file);
	json_t *want_j = report_of(log, "", &st);
	ck_assert_int_eq(st, 0);
	bool peak = strcmp(forms[_i].format, "azure") != 0;
	char *want = figures(want_j, peak);
	/* The workload's facts, so that equal figures are not equally empty. */
	ck_assert_msg(strstr(want, "error ERROR division by zero 3\n"), "%s", want);
	ck_assert_msg(strstr(want, "error FATAL database \"?\" does not exist 3\n"), "%s", want);
	ck_assert_msg(strstr(want, "temp files 3 "), "%s", want);
	ck_assert_msg(strstr(want, "IN ($1 /*, ...*/) calls 3 timed 3"), "%s", want);
	ck_assert_msg(strstr(want, "group SELECT name FROM items WHERE id = $1 calls 3"), "%s", want);
	json_t *got_j = report_of(file, "", &st);
	json_t *in = json_array_get(at(got_j, "inputs", NULL), 0);
	ck_assert_msg(st == 0, "%s: exit %d", forms[_i].file, st);
	ck_assert_str_eq(json_string_value(at(in, "format", NULL)), forms[_i].format);
	ck_assert_int_eq(json_integer_value(at(in, "problems_total", NULL)), 0);
	ck_assert_int_eq(json_integer_value(at(in, "skipped", NULL)), forms[_i].skipped);
	ck_assert_int_eq(json_integer_value(at(in, "records", NULL)),
		json_integer_value(at(json_array_get(at(want_j, "inputs", NULL), 0), "records", NULL)));
	if (forms[_i].note)
		ck_assert_msg(has_note(in, forms[_i].note), "%s: no note \"%s\"",
			forms[_i].file, forms[_i].note);
	char *got = figures(got_j, peak);
	if (strcmp(want, got) != 0)
		fprintf(stderr, "%s differs from %s:\n--- want\n%s--- got\n%s",
			forms[_i].file, forms[_i].log, want, got);
	ck_assert_msg(strcmp(want, got) == 0, "%s: line %d differs", forms[_i].file,
		tu_first_diff_line(want, got));
	free(want);
	free(got);
	json_decref(want_j);
	json_decref(got_j);
	free(log);
	free(file);
}
END_TEST

/* The file's lines, with line n (1-based) replaced by with (NULL: kept),
 * its first cut lines only (0: all); the caller frees it. */
static char *edited(const char *name, unsigned n, const char *with, unsigned cut)
{
	char *p = data(name), *text = tu_slurp(p);
	ck_assert_ptr_nonnull(text);
	free(p);
	struct strbuf sb = { 0 };
	unsigned line = 1;
	for (const char *s = text; *s && (!cut || line <= cut); line++) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		if (line == n && with)
			sb_append(&sb, with, strlen(with));
		else
			sb_append(&sb, s, len);
		sb_putc(&sb, '\n');
		s += len + (nl != NULL);
	}
	free(text);
	char *out = xstrndup(sb.buf, sb.len);
	sb_release(&sb);
	return out;
}

static bool has_problem(json_t *in, long long line, const char *msg)
{
	size_t i;
	json_t *v;
	json_array_foreach(at(in, "problems", NULL), i, v)
		if (json_integer_value(at(v, "line", NULL)) == line
				&& strstr(json_string_value(at(v, "message", NULL)), msg))
			return true;
	return false;
}

static const struct {
	const char *file;
	unsigned line;          /* replaced by with */
	const char *with;
	unsigned cut;           /* lines kept, 0: all */
	const char *format;
	long long at;           /* the problem's line */
	const char *problem;
	long long lost;         /* records less than the whole file gives */
} broken[] = {
	{ "gcp.ndjson", 3, "{\"insertId\": \"x\", \"textPayload\": \"cut", 0, "gcp", 3,
		"entry is not valid JSON: a string runs past the end of line 3", 1 },
	{ "gcp.ndjson", 3, "{\"insertId\": \"x\", \"textPayload\": 12,}", 0, "gcp", 3,
		"entry is not valid JSON", 1 },
	{ "gcp.ndjson", 2, "{\"logName\": \"projects/p/logs/cloudsql.googleapis.com%2Fpostgres.log\", "
		"\"textPayload\": \"hello world\", \"timestamp\": \"2024-01-15T10:00:00Z\"}", 0, "gcp", 2,
		"not a server log line", 1 },
	{ "gcp.ndjson", 2, "{\"logName\": \"projects/p/logs/cloudsql.googleapis.com%2Fpostgres.log\"}",
		0, "gcp", 2, "without a textPayload nor a jsonPayload message", 1 },
	{ "azure.json", 2, "{\"category\": \"PostgreSQLLogs\", \"properties\": {\"processId\": 7}}",
		0, "azure", 2, "PostgreSQLLogs record without a properties.message", 1 },
	{ "azure.json", 4, "[1, 2]", 0, "azure", 4, "not a JSON entry", 1 },
	{ "gcp.array.json", 2, "  7, \"x\", [1], {", 0, "gcp", 2,
		"3 elements of the entries' array are no JSON object", 0 },
	{ "heroku.log", 3, "garbage from a pipe", 0, "heroku", 3, "not a logplex line", 1 },
	{ "heroku.log", 3, "2024-01-15T10:00:00+00:00 app[postgres.77]: [DATABASE] [5-2] \tFROM t",
		0, "heroku", 3, "continuation line without a message of its backend", 1 },
	{ "rds.filter.json", 0, NULL, 13, "cloudwatch", 10, "entry cut off by the end of the input", 0 },
	{ "rds.filter.json", 15, "            \"eventId\": \"000", 15, "cloudwatch", 10,
		"a string runs past the end of line 15", 0 },
};

/* A broken entry is reported at its line; the rest is read. */
START_TEST(test_broken)
{
	int st;
	char *whole = data(broken[_i].file);
	json_t *ref = report_of(whole, "", &st);
	long long records = json_integer_value(at(json_array_get(at(ref, "inputs", NULL), 0),
		"records", NULL));
	char *text = edited(broken[_i].file, broken[_i].line, broken[_i].with, broken[_i].cut);
	char *path = tu_write_temp(text, strlen(text));
	json_t *j = report_of(path, "", &st);
	json_t *in = json_array_get(at(j, "inputs", NULL), 0);
	ck_assert_msg(st == 3, "%s: exit %d", broken[_i].file, st);
	ck_assert_str_eq(json_string_value(at(in, "format", NULL)), broken[_i].format);
	ck_assert_msg(has_problem(in, broken[_i].at, broken[_i].problem),
		"%s: no problem \"%s\" at line %lld: %s", broken[_i].file, broken[_i].problem,
		broken[_i].at, json_dumps(at(in, "problems", NULL), 0));
	if (!broken[_i].cut)
		ck_assert_int_eq(json_integer_value(at(in, "records", NULL)),
			records - broken[_i].lost);
	else
		ck_assert_int_gt(json_integer_value(at(in, "records", NULL)), 0);
	json_decref(j);
	json_decref(ref);
	tu_remove(path);
	free(text);
	free(whole);
}
END_TEST

/* AlloyDB and Cloud SQL's structured entries: the line in jsonPayload's
 * message. The sink's file with each textPayload moved there gives the
 * log's figures. */
START_TEST(test_json_payload)
{
	int st;
	char *p = data("gcp.ndjson"), *text = tu_slurp(p), *save = NULL;
	struct strbuf sb = { 0 };
	ck_assert_ptr_nonnull(text);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *e = json_loads(l, 0, NULL);
		ck_assert_ptr_nonnull(e);
		json_t *t = json_object_get(e, "textPayload");
		if (t && json_object_get(e, "logName")
				&& strstr(json_string_value(json_object_get(e, "logName")), "postgres.log")) {
			json_object_set_new(e, "jsonPayload", json_pack("{sO}", "message", t));
			json_object_del(e, "textPayload");
		}
		char *d = json_dumps(e, JSON_COMPACT);
		sb_append(&sb, d, strlen(d));
		sb_putc(&sb, '\n');
		free(d);
		json_decref(e);
	}
	char *path = tu_write_temp(sb.buf, sb.len);
	char *log = data("gcp.log.zst");
	json_t *want_j = report_of(log, "", &st), *got_j = report_of(path, "", &st);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_null(strstr(sb.buf, "\"textPayload\": \"2026"));
	char *want = figures(want_j, true), *got = figures(got_j, true);
	ck_assert_str_eq(want, got);
	free(want);
	free(got);
	json_decref(want_j);
	json_decref(got_j);
	tu_remove(path);
	sb_release(&sb);
	free(log);
	free(text);
	free(p);
}
END_TEST

/* Entries the scanner leaves to jansson (an array in them, a key with an
 * escape) and a member given twice (the later wins) read the same. */
START_TEST(test_jansson_read)
{
	static const char *const heads[] = { "{\"split\": [1, {\"uid\": \"a\"}], ",
		"{\"k\\u0065y\": 1, ", "{\"logName\": \"projects/p/logs/syslog\", " };
	int st;
	char *p = data("gcp.ndjson"), *text = tu_slurp(p), *log = data("gcp.log.zst");
	ck_assert_ptr_nonnull(text);
	json_t *want_j = report_of(log, "", &st);
	char *want = figures(want_j, true);
	for (size_t h = 0; h < ARRAY_SIZE(heads); h++) {
		struct strbuf sb = { 0 };
		for (const char *l = text; *l;) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) + 1 : strlen(l);
			ck_assert(l[0] == '{');
			sb_append(&sb, heads[h], strlen(heads[h]));
			sb_append(&sb, l + 1, n - 1);
			l += n;
		}
		char *path = tu_write_temp(sb.buf, sb.len);
		json_t *got_j = report_of(path, "", &st);
		ck_assert_int_eq(st, 0);
		char *got = figures(got_j, true);
		ck_assert_msg(strcmp(want, got) == 0, "%s: line %d differs", heads[h],
			tu_first_diff_line(want, got));
		free(got);
		json_decref(got_j);
		tu_remove(path);
		sb_release(&sb);
	}
	free(want);
	json_decref(want_j);
	free(log);
	free(text);
	free(p);
}
END_TEST

/* --prefix is the server's setting inside the wrapper, as for stderr. */
START_TEST(test_prefix_given)
{
	int st;
	char *file = data("heroku.log");
	json_t *j = report_of(file, "--prefix ' sql_error_code = %e '", &st);
	json_t *in = json_array_get(at(j, "inputs", NULL), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(json_string_value(at(in, "format", NULL)), "heroku");
	ck_assert_int_eq(json_integer_value(at(in, "problems_total", NULL)), 0);
	ck_assert_int_gt(json_integer_value(at(j, "totals", "queries")), 20);
	json_decref(j);
	/* A prefix that does not fit: every line is reported, none read. */
	j = report_of(file, "--prefix '%m [%p] '", &st);
	in = json_array_get(at(j, "inputs", NULL), 0);
	ck_assert_int_eq(st, 3);
	ck_assert_int_eq(json_integer_value(at(in, "records", NULL)), 0);
	ck_assert_msg(has_problem(in, 1, "not a server log line"), "%s",
		json_dumps(at(in, "problems", NULL), 0));
	json_decref(j);
	free(file);
}
END_TEST

/* Azure's records may carry a message's DETAIL in a field of their own
 * (properties.detail) instead of a record: the Event Hub batch with its
 * DETAIL records folded into the record before them gives the log's
 * figures. */
START_TEST(test_azure_detail)
{
	int st;
	char *p = data("azure.eventhub.json"), *log = data("azure.log.zst");
	json_t *doc = json_load_file(p, 0, NULL), *r, *kept = json_array(), *last = NULL;
	ck_assert_ptr_nonnull(doc);
	size_t i, folded = 0;
	json_array_foreach(json_object_get(doc, "records"), i, r) {
		json_t *pr = json_object_get(r, "properties");
		if (last && strcmp(json_string_value(json_object_get(pr, "errorLevel")), "DETAIL") == 0
				&& json_equal(json_object_get(pr, "processId"),
					json_object_get(json_object_get(last, "properties"), "processId"))) {
			json_object_set(json_object_get(last, "properties"), "detail",
				json_object_get(pr, "message"));
			folded++;
			continue;
		}
		json_array_append(kept, r);
		last = r;
	}
	ck_assert_uint_ge(folded, 3);
	json_object_set_new(doc, "records", kept);
	char *text = json_dumps(doc, 0);
	char *path = tu_write_temp(text, strlen(text));
	json_t *want_j = report_of(log, "", &st), *got_j = report_of(path, "", &st);
	ck_assert_int_eq(st, 0);
	char *want = figures(want_j, false), *got = figures(got_j, false);
	ck_assert_msg(strcmp(want, got) == 0, "line %d differs:\n%s---\n%s",
		tu_first_diff_line(want, got), want, got);
	free(want);
	free(got);
	json_decref(want_j);
	json_decref(got_j);
	tu_remove(path);
	free(text);
	json_decref(doc);
	free(log);
	free(p);
}
END_TEST

/* A sink gathering two instances' logs says so in a note. */
START_TEST(test_instances)
{
	int st;
	char *text = edited("gcp.ndjson", 0, NULL, 0), *p;
	for (unsigned n = 0; n < 10 && (p = strstr(text, "shop-prod:shop-db\"")); n++)
		memcpy(p + 10, "shop-dx", 7);
	char *path = tu_write_temp(text, strlen(text));
	json_t *j = report_of(path, "", &st);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(has_note(json_array_get(at(j, "inputs", NULL), 0), "entries of 2 "
		"instances (shop-prod:shop-dx, shop-prod:shop-db) read as one server's log"),
		"%s", json_dumps(at(json_array_get(at(j, "inputs", NULL), 0), "notes", NULL), 0));
	json_decref(j);
	tu_remove(path);
	free(text);
}
END_TEST

/* An export holding no line of the server's says so, by its name. */
START_TEST(test_no_server_lines)
{
	int st;
	char *text = edited("gcp.ndjson", 0, NULL, 5);
	text[strlen(text) - 1] = '\0';
	char *audit = strrchr(text, '\n') + 1;     /* line 5: the audit log's */
	ck_assert_ptr_nonnull(strstr(audit, "cloudaudit"));
	char *path = tu_write_temp(audit, strlen(audit)), *cmd;
	if (asprintf(&cmd, "'%s' report -q -j 1 --input-format gcp '%s' 2>&1 >/dev/null",
			tu_bin(), path) < 0)
		abort();
	char *out = tu_run(cmd, &st);
	ck_assert_int_eq(st, 2);
	ck_assert_msg(strstr(out, "no line of the server's log in the entries' textPayload "
		"among its first entries"), "%s", out);
	free(out);
	free(cmd);
	tu_remove(path);
	free(text);
}
END_TEST

Suite *suite_cloud(void);
Suite *suite_cloud(void)
{
	Suite *s = suite_create("cloud");
	TCase *tc = tcase_create("forms");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_forms, 0, (int)ARRAY_SIZE(forms));
	tcase_add_test(tc, test_json_payload);
	tcase_add_test(tc, test_jansson_read);
	tcase_add_test(tc, test_azure_detail);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_broken, 0, (int)ARRAY_SIZE(broken));
	tcase_add_test(tc, test_prefix_given);
	tcase_add_test(tc, test_no_server_lines);
	tcase_add_test(tc, test_instances);
	suite_add_tcase(s, tc);
	return s;
}
