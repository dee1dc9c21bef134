/* check_verbosity.c: log_error_verbosity, log_statement and reformatted
 * duration lines, on logs a real server writes.
 *
 * One throwaway PostgreSQL runs the same small workload (statements over
 * log_min_duration_statement in the simple, extended and prepared
 * protocols, a sort spilling to a temporary file, four errors, a lock
 * wait, three refused connections and a bad startup packet) once per
 * phase, each logged to its own stderr, csvlog and jsonlog files:
 *   default   log_error_verbosity = default (the reference)
 *   verbose   verbose: "LOG:  00000: duration: ..." and LOCATION lines
 *   terse     terse: no DETAIL, HINT, QUERY nor CONTEXT lines
 *   both      verbose, with log_statement = 'all': every text logged
 *             first, then a bare "duration: X ms" line
 * Every form of every phase must give the reference's figures: calls per
 * group, temporary files, lock waits, errors by severity and message,
 * connections, and no record skipped. The verbose stderr log is also read
 * as syslog (its lines wrapped the way the server's syslog output and
 * rsyslog write them) and with its blanks folded as log shippers do. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "testutil.h"
#include "util.h"

/* The workload; $1 is the output directory. */
static const char script[] =
	"set -eu\n"
	"out=$1\n"
	"pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)\n"
	"work=$(mktemp -d /tmp/pgsift-verbosity.XXXXXX)\n"
	"port=$((20000 + RANDOM % 20000))\n"
	"run_pg() { if [ \"$(id -u)\" = 0 ]; then runuser -u postgres -- \"$@\"; else \"$@\"; fi; }\n"
	"finish() { run_pg \"$pgbin/pg_ctl\" -D \"$work/data\" -m immediate stop >/dev/null 2>&1 || true; rm -rf \"$work\"; }\n"
	"trap finish EXIT\n"
	"[ \"$(id -u)\" != 0 ] || chown postgres \"$work\"\n"
	"run_pg \"$pgbin/initdb\" -D \"$work/data\" -U postgres -A trust >/dev/null\n"
	"cat >>\"$work/data/postgresql.conf\" <<CONF\n"
	"listen_addresses = '127.0.0.1'\n"
	"port = $port\n"
	"unix_socket_directories = '$work'\n"
	"logging_collector = on\n"
	"log_directory = '$work/log'\n"
	"log_destination = 'stderr,csvlog,jsonlog'\n"
	"log_line_prefix = '%m [%p] %q%u@%d '\n"
	"log_min_duration_statement = 0\n"
	"log_connections = on\n"
	"log_disconnections = on\n"
	"log_lock_waits = on\n"
	"log_temp_files = 0\n"
	"deadlock_timeout = '100ms'\n"
	"include = 'phase.conf'\n"
	"CONF\n"
	"cat >\"$work/data/pg_hba.conf\" <<HBA\n"
	"local all nobody reject\n"
	"local all all trust\n"
	"host all postgres 127.0.0.1/32 trust\n"
	"host all pwuser 127.0.0.1/32 scram-sha-256\n"
	"HBA\n"
	"printf '%s\\n' '\\set id random(1, 1000)' 'SELECT v FROM t WHERE id = :id;' >\"$work/q.pgbench\"\n"
	"chmod 644 \"$work/q.pgbench\"\n"
	"sql() { run_pg \"$pgbin/psql\" -h \"$work\" -p \"$port\" -U postgres -d postgres -X -q \"$@\"; }\n"
	"phase() {\n"
	"	name=$1; shift\n"
	"	printf '%s\\n' \"log_filename = '$name'\" \"$@\" >\"$work/data/phase.conf\"\n"
	"	run_pg \"$pgbin/pg_ctl\" -D \"$work/data\" -w -l \"$work/server.log\" start >/dev/null\n"
	"	sql -f - >/dev/null 2>&1 <<'SQL'\n"
	"DROP TABLE IF EXISTS t;\n"
	"CREATE TABLE t (id int PRIMARY KEY, v text);\n"
	"INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g;\n"
	"SELECT count(*) FROM t WHERE v LIKE 'a%';\n"
	"SET work_mem = '64kB';\n"
	"SELECT v FROM t, generate_series(1, 20) ORDER BY v DESC LIMIT 1;\n"
	"SELECT 1/0;\n"
	"INSERT INTO t VALUES (1, 'dup');\n"
	"SELEC 1;\n"
	"SELECT nosuch FROM t;\n"
	"SQL\n"
	"	for mode in simple extended prepared; do\n"
	"		run_pg \"$pgbin/pgbench\" -h \"$work\" -p \"$port\" -U postgres -n -M $mode -t 5 -f \"$work/q.pgbench\" postgres >/dev/null 2>&1\n"
	"	done\n"
	/* The holder lets go only once the other UPDATE has waited past
	 * deadlock_timeout, which starts once the holder has its row (the
	 * activity view is read afresh each time round): a lock
	 * wait on a loaded machine too, and the same statements each time. */
	"	sql -c \"BEGIN; UPDATE t SET v = 'x' WHERE id = 2; DO \\$\\$ BEGIN FOR i IN 1..400 LOOP PERFORM pg_stat_clear_snapshot(); EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'); PERFORM pg_sleep(0.05); END LOOP; PERFORM pg_sleep(0.4); END \\$\\$; COMMIT;\" >/dev/null &\n"
	"	sql -c \"DO \\$\\$ BEGIN FOR i IN 1..400 LOOP PERFORM pg_stat_clear_snapshot(); EXIT WHEN EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.query LIKE 'BEGIN; UPDATE t%' AND l.locktype = 'transactionid'); PERFORM pg_sleep(0.05); END LOOP; END \\$\\$\" -c \"UPDATE t SET v = 'y' WHERE id = 2\" >/dev/null\n"
	"	wait\n"
	"	run_pg \"$pgbin/psql\" -h \"$work\" -p \"$port\" -U nobody -d postgres -X -c 'SELECT 1' >/dev/null 2>&1 || true\n"
	"	PGPASSWORD=wrong run_pg \"$pgbin/psql\" -h 127.0.0.1 -p \"$port\" -U pwuser -d postgres -X -c 'SELECT 1' >/dev/null 2>&1 || true\n"
	"	run_pg \"$pgbin/psql\" -h 127.0.0.1 -p \"$port\" -U postgres -d nosuchdb -X -c 'SELECT 1' >/dev/null 2>&1 || true\n"
	"	( exec 3<>/dev/tcp/127.0.0.1/$port; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; sleep 0.2 ) || true\n"
	"	run_pg \"$pgbin/pg_ctl\" -D \"$work/data\" -w stop >/dev/null\n"
	"	for ext in '' .csv .json; do cp \"$work/log/$name$ext\" \"$out/$name${ext:-.log}\"; done\n"
	"}\n"
	"phase default\n"
	"phase verbose \"log_error_verbosity = verbose\"\n"
	"phase terse \"log_error_verbosity = terse\"\n"
	"phase both \"log_error_verbosity = verbose\" \"log_statement = 'all'\"\n"
	"phase durations \"log_min_duration_statement = -1\" \"log_duration = on\"\n";

static char *dir;       /* the phases' logs; NULL: no server */
static int made;        /* tu_run_workload()'s codes: 1, -1, -2 */

static void make_logs(void)
{
	char tmpl[] = "/tmp/pgsift-vlogs.XXXXXX";
	made = -1;
	if (access("/usr/lib/postgresql", F_OK) != 0)
		return;
	dir = xstrdup(mkdtemp(tmpl));
	char *sh = tu_write_temp(script, sizeof(script) - 1);
	char cmd[1024];
	int status;
	snprintf(cmd, sizeof(cmd), "bash '%s' '%s' >&2", sh, dir);
	free(tu_run(cmd, &status));
	tu_remove(sh);
	made = status == 0 ? 1 : -2;
}

static void remove_logs(void)
{
	if (!dir)
		return;
	char cmd[512];
	int status;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(tu_run(cmd, &status));
	free(dir);
	dir = NULL;
}

static bool have_logs(const char *who)
{
	if (made == -1 && !tu_have_server(who))
		return false;
	ck_assert_msg(made == 1, "the verbosity workload failed (its output is above)");
	return true;
}

/* The JSON report of path, read with the options opts. */
static json_t *report(const char *path, const char *opts)
{
	char cmd[2048];
	int status;
	snprintf(cmd, sizeof(cmd), "'%s' report -q -j 1 -f json %s '%s'", tu_bin(), opts, path);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s: exit %d", path, status);
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s", path, err.text);
	free(out);
	return j;
}

static json_t *at(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);
	return b ? json_object_get(v, b) : v;
}

static void add_line(struct strbuf *sb, const char *what, const char *s, json_int_t n)
{
	char line[1024];
	snprintf(line, sizeof(line), "%s%s%s %lld\n", what, *s ? " " : "", s, (long long)n);
	sb_append(sb, line, strlen(line));
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines of sb sorted, as a new string (the caller frees it). */
static char *sorted(struct strbuf *sb)
{
	char *text = xstrndup(sb->buf ? sb->buf : "", sb->len), *save = NULL;
	char *lines[512];
	size_t n = 0;
	for (char *l = strtok_r(text, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), cmp_lines);
	struct strbuf out = { 0 };
	for (size_t i = 0; i < n; i++) {
		sb_append(&out, lines[i], strlen(lines[i]));
		sb_append(&out, "\n", 1);
	}
	free(text);
	char *s = xstrndup(out.buf ? out.buf : "", out.len);
	sb_release(&out);
	return s;
}

/* What must not depend on how the server wrote its log: the figures of a
 * report, as sorted text lines. Untimed calls (log_statement texts that
 * failed) are left out with untimed; sqlstates with states. */
static char *figures(json_t *j, bool untimed, bool states)
{
	struct strbuf sb = { 0 };
	json_t *in = json_array_get(at(j, "inputs", NULL), 0), *v;
	size_t i;
	const char *k;
	add_line(&sb, "skipped", "", json_integer_value(at(in, "skipped", NULL)));
	add_line(&sb, "problems", "", json_integer_value(at(in, "problems_total", NULL)));
	json_array_foreach(at(j, "groups", NULL), i, v) {
		json_int_t calls = json_integer_value(at(v, untimed ? "calls" : "timed_calls", NULL));
		if (calls)
			add_line(&sb, "group", json_string_value(at(v, "query", NULL)), calls);
	}
	json_t *ev = at(j, "events", NULL);
	add_line(&sb, "temp files", "", json_integer_value(at(at(ev, "temp_files", NULL), "count", NULL)));
	add_line(&sb, "temp bytes", "", json_integer_value(at(at(ev, "temp_files", NULL), "bytes", NULL)));
	add_line(&sb, "lock waits", "", json_integer_value(at(at(ev, "totals", NULL), "lock_waits", NULL)));
	json_array_foreach(at(ev, "errors", NULL), i, v) {
		char key[600];
		json_t *st = at(v, "sqlstate", NULL);
		snprintf(key, sizeof(key), "%s %s %s", json_string_value(at(v, "severity", NULL)),
			states && json_is_string(st) ? json_string_value(st) : "-",
			json_string_value(at(v, "message", NULL)));
		add_line(&sb, "error", key, json_integer_value(at(v, "count", NULL)));
	}
	json_t *c = at(ev, "connections", NULL);
	json_object_foreach(c, k, v)
		if (json_is_integer(v) && strcmp(k, "peak_sessions") != 0)
			add_line(&sb, "connections", k, json_integer_value(v));
	json_object_foreach(at(c, "failures", NULL), k, v)
		add_line(&sb, "refused", k, json_integer_value(v));
	char *s = sorted(&sb);
	sb_release(&sb);
	return s;
}

static char *path_of(const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static char *figures_of_with(const char *name, bool untimed, bool states,
		const char *opts)
{
	char *p = path_of(name);
	json_t *j = report(p, opts);
	char *s = figures(j, untimed, states);
	json_decref(j);
	free(p);
	return s;
}

static char *figures_of(const char *name, bool untimed, bool states)
{
	return figures_of_with(name, untimed, states, "");
}

static void assert_same(const char *want, const char *got, const char *what)
{
	if (strcmp(want, got) != 0)
		fprintf(stderr, "%s differs from the default verbosity's stderr log:\n"
			"--- want\n%s--- got\n%s", what, want, got);
	ck_assert_msg(strcmp(want, got) == 0, "%s: line %d differs", what,
		tu_first_diff_line(want, got));
}

/* The forms of each verbosity give the figures of the default one. */
START_TEST(test_forms)
{
	static const struct {
		const char *file;
		bool states;    /* compare sqlstates with the default csvlog's */
	} forms[] = {
		{ "verbose.log", true }, { "verbose.csv", true }, { "verbose.json", true },
		{ "terse.log", false }, { "terse.csv", true }, { "terse.json", true },
		{ "default.csv", true }, { "default.json", true },
	};
	if (!have_logs("verbosity forms"))
		return;
	char *want = figures_of("default.log", true, false);
	char *want_states = figures_of("default.csv", true, true);
	/* The workload's facts, so that equal figures are not equally empty. */
	ck_assert_ptr_nonnull(strstr(want, "group SELECT v FROM t WHERE id = $1 15\n"));
	ck_assert_ptr_nonnull(strstr(want, "temp files 1\n"));
	ck_assert_ptr_nonnull(strstr(want, "lock waits 1\n"));
	ck_assert_ptr_nonnull(strstr(want, "error ERROR - division by zero 1\n"));
	ck_assert_ptr_nonnull(strstr(want, "refused hba_reject 1\n"));
	/* The HTTP request to the server's port, refused at LOG. */
	ck_assert_msg(strstr(want, "refused bad_startup_packet 1\n"), "%s", want);
	ck_assert_ptr_nonnull(strstr(want_states, "error ERROR 22012 division by zero 1\n"));
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		char *got = figures_of(forms[i].file, true, forms[i].states);
		assert_same(forms[i].states ? want_states : want, got, forms[i].file);
		free(got);
	}
	free(want);
	free(want_states);
}
END_TEST

/* log_statement = 'all' with verbose: each text, then its bare duration. */
START_TEST(test_log_statement)
{
	if (!have_logs("verbosity log_statement"))
		return;
	char *want = figures_of("default.csv", false, true);
	static const char *const files[] = { "both.log", "both.csv", "both.json" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *got = figures_of(files[i], false, true);
		assert_same(want, got, files[i]);
		free(got);
	}
	free(want);
}
END_TEST

/* log_duration alone: bare durations, no text to tie them to. They are
 * no calls, but each is counted (totals.durations_without_statement) and
 * said in the Markdown, in every form. */
START_TEST(test_lone_durations)
{
	if (!have_logs("verbosity lone durations"))
		return;
	char *path = path_of("durations.log");
	char *text = tu_slurp(path);
	json_int_t lines = 0;
	for (const char *p = text; (p = strstr(p, "LOG:  duration: ")); p++)
		lines++;
	free(text);
	free(path);
	ck_assert_msg(lines > 20, "only %lld duration lines logged", (long long)lines);
	static const char *const files[] = { "durations.log", "durations.csv",
		"durations.json" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = path_of(files[i]);
		json_t *j = report(p, "");
		json_t *lone = at(j, "totals", "durations_without_statement");
		ck_assert_msg(json_integer_value(lone) == lines,
			"%s: %lld durations without their statement, the log has %lld",
			files[i], (long long)json_integer_value(lone), (long long)lines);
		ck_assert_int_eq(json_integer_value(at(j, "totals", "queries")), 0);
		json_decref(j);
		char *cmd, *md;
		int st;
		if (asprintf(&cmd, "'%s' report -q '%s'", tu_bin(), p) < 0)
			abort();
		md = tu_run(cmd, &st);
		ck_assert_msg(strstr(md, "Durations without their statement: "),
			"%s: the Markdown does not say them", files[i]);
		free(md);
		free(cmd);
		free(p);
	}
}
END_TEST

/* Writes text to dir/name. */
static void write_file(const char *name, const char *text, size_t len)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(p);
}

/* Whether a line of the log (its text after "] ") is a part of the
 * message before it. */
static bool is_part(const char *line)
{
	static const char *const parts[] = { "DETAIL:  ", "HINT:  ", "CONTEXT:  ",
		"STATEMENT:  ", "QUERY:  ", "LOCATION:  " };
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		const char *p = strstr(line, parts[i]);
		if (p && p < line + 80)
			return true;
	}
	return false;
}

/* The verbose log as the server's syslog output reaches a file: one
 * message (its part lines and continuation lines included) per sequence
 * number, each of its lines a numbered piece, tabs written as "#011" by
 * rsyslog, under a BSD header with the backend's pid. */
START_TEST(test_syslog)
{
	if (!have_logs("verbosity syslog"))
		return;
	char *p = path_of("verbose.log");
	char *text = tu_slurp(p);
	free(p);
	ck_assert_ptr_nonnull(text);
	struct strbuf sb = { 0 };
	char head[128] = "", *save = NULL;
	unsigned seq = 0, piece = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] != '\t' && !is_part(l)) {
			/* "2026-12-06 00:30:03.478 UTC [8578] ...": the pid. */
			const char *pid = strchr(l, '[');
			ck_assert_ptr_nonnull(pid);
			snprintf(head, sizeof(head), "Dec  6 %.8s pghost postgres[%.*s]: ",
				l + 11, (int)strcspn(pid + 1, "]"), pid + 1);
			seq++;
			piece = 0;
		}
		char num[32];
		snprintf(num, sizeof(num), "[%u-%u] ", seq, ++piece);
		sb_append(&sb, head, strlen(head));
		sb_append(&sb, num, strlen(num));
		if (l[0] == '\t') {
			sb_append(&sb, "#011", 4);
			l++;
		}
		sb_append(&sb, l, strlen(l));
		sb_append(&sb, "\n", 1);
	}
	write_file("verbose.syslog", sb.buf, sb.len);
	sb_release(&sb);
	free(text);

	char *want = figures_of("default.csv", true, true);
	/* Which prefix explains these lines is prefix detection's business
	 * (it prefers the timestamp-free ones after a syslog header). */
	char *got = figures_of_with("verbose.syslog", true, true,
		"--prefix '%m [%p] %q%u@%d '");
	assert_same(want, got, "verbose.syslog");
	free(got);
	free(want);
}
END_TEST

/* Log shippers that fold runs of blanks leave one space between "ms" and
 * "statement:". */
START_TEST(test_folded_blanks)
{
	static const char *const logs[] = { "default.log", "verbose.log", "both.log" };
	if (!have_logs("verbosity folded blanks"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(logs); i++) {
		char *p = path_of(logs[i]);
		char *text = tu_slurp(p);
		free(p);
		ck_assert_ptr_nonnull(text);
		size_t folded = 0;
		/* "ms  statement:" -> "ms statement:", and the same before parse,
		 * bind, execute and plan. */
		for (char *q = text; (q = strstr(q, " ms  ")); q += 3) {
			memmove(q + 3, q + 4, strlen(q + 4) + 1);
			folded++;
		}
		ck_assert_uint_gt(folded, 10);
		char name[64];
		snprintf(name, sizeof(name), "folded-%s", logs[i]);
		write_file(name, text, strlen(text));
		free(text);
		bool log_statement = i == 2;
		char *want = figures_of(logs[i], !log_statement, i != 0);
		char *got = figures_of(name, !log_statement, i != 0);
		assert_same(want, got, name);
		free(got);
		free(want);
	}
}
END_TEST

Suite *suite_verbosity(void);
Suite *suite_verbosity(void)
{
	Suite *s = suite_create("verbosity");
	TCase *tc = tcase_create("core");
	tcase_add_unchecked_fixture(tc, make_logs, remove_logs);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_log_statement);
	tcase_add_test(tc, test_lone_durations);
	tcase_add_test(tc, test_syslog);
	tcase_add_test(tc, test_folded_blanks);
	suite_add_tcase(s, tc);
	return s;
}
