/* check_terminal.c: nothing from a log reaches a terminal as it is, and
 * what CI shows stays whole (issue 16's "Terminals and CI").
 *
 * "escape": the one escaping (text_escape.h), table-driven, and its
 * stream with a UTF-8 sequence split across writes.
 * "live": tests/workload/pg-terminal.sh has a real server log hostile
 * text (an OSC title and a clear-screen in an alias, the C1 CSI, a bidi
 * override, DEL, U+2028 and a raw 0x9B in literals, ESC in a role name,
 * a plan 200 levels deep); the Markdown, text and JSON reports and the
 * TUI's lines show all of it escaped, the same way; the JSON of the deep
 * plan stays small; the log compressed with `zstd --long=31` is read; a
 * NUL a crash left in a statement does not cut its example.
 * "ci": a step summary never passes 1 MiB; a note repeated over many
 * inputs is said once. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_emit.h"
#include "strbuf.h"
#include "testutil.h"
#include "text_escape.h"

#include "../tui/model.h"

#define PREFIX "'%m [%p] %q%u@%d/%a '"

/* ---- escape ---- */

static const struct { const char *in, *out; unsigned flags; } cases[] = {
	{ "plain text", "plain text", TESC_SPACE },
	{ "a\x1b]0;x\x07\x1b[2J", "a\\x1b]0;x\\x07\\x1b[2J", TESC_SPACE },
	{ "csi\xc2\x9b" "2J", "csi\\u009b2J", TESC_SPACE },
	{ "raw\x9b" "2J", "raw\\x9b2J", TESC_SPACE },
	{ "\xe2\x80\xae" "evil \xe2\x81\xa6 \xd8\x9c \xe2\x80\x8f", "\\u202eevil \\u2066 \\u061c \\u200f", TESC_SPACE },
	{ "l\xe2\x80\xa8s\xe2\x80\xa9", "l\\u2028s\\u2029", TESC_SPACE },
	{ "del\x7f", "del\\x7f", TESC_SPACE },
	{ "a\tb\nc\r\nd", "a b c  d", TESC_SPACE },
	{ "a\tb\nc\r\nd\re", "a\tb\nc\nd\\x0de", TESC_KEEP_NL | TESC_KEEP_TAB },
	{ "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", TESC_SPACE },
	{ "\xed\xa0\x80x\xc0\xaf", "\\xed\\xa0\\x80x\\xc0\\xaf", TESC_SPACE },
	{ "cut\xe2\x80", "cut\\xe2\\x80", TESC_SPACE },
	/* JSON: layout and escapes pass, DEL, C1 and bidi get JSON's form. */
	{ "{\n  \"a\": \"x\\u001B\x7f\xc2\x9b\xe2\x80\xae\xe2\x80\xa8\"\n}",
	  "{\n  \"a\": \"x\\u001B\\u007F\\u009B\\u202E\\u2028\"\n}", TESC_JSON },
};

START_TEST(test_escape)
{
	struct strbuf sb = STRBUF_INIT;
	tesc_append(&sb, cases[_i].in, strlen(cases[_i].in), cases[_i].flags);
	ck_assert_str_eq(sb.len ? sb.buf : "", cases[_i].out);
	ck_assert_int_eq(tesc_is_safe(cases[_i].in, strlen(cases[_i].in), cases[_i].flags),
			strcmp(cases[_i].in, cases[_i].out) == 0);
	sb_release(&sb);
}
END_TEST

/* The stream gets the text one byte per write: sequences split anywhere
 * come out as from one append. */
START_TEST(test_escape_stream)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(mem);
	FILE *f = tesc_stream(mem, TESC_KEEP_NL | TESC_KEEP_TAB);
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	static const char in[] = "caf\xc3\xa9\n\xe2\x80\xae\xf0\x9f\x98\x80\x1b[2J\xe2\x80";
	for (size_t i = 0; i < sizeof(in) - 1; i++)
		ck_assert_int_eq(fputc((unsigned char)in[i], f), (unsigned char)in[i]);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(fclose(mem), 0);
	ck_assert_str_eq(buf, "caf\xc3\xa9\n\\u202e\xf0\x9f\x98\x80\\x1b[2J\\xe2\\x80");
	free(buf);
}
END_TEST

/* ---- live ---- */

static char live_dir[] = "/tmp/pgsift-term-XXXXXX";
static int live_status;         /* 1 ran, -1 no server, -2 failed */

static void live_setup(void)
{
	char cmd[4096];
	if (!mkdtemp(live_dir)) {
		live_status = -2;
		return;
	}
	if (access("/usr/lib/postgresql", X_OK) != 0) {
		live_status = -1;
		return;
	}
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/workload/pg-terminal.sh' '%s' >&2",
			tu_root(), live_dir);
	live_status = system(cmd) == 0 ? 1 : -2;
}

static void live_teardown(void)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", live_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_terminal: cannot remove %s\n", live_dir);
}

static bool live_ready(const char *who)
{
	if (!tu_have_server(who))
		return false;
	ck_assert_msg(live_status == 1, "pg-terminal.sh failed");
	return true;
}

/* pgsift ARGS over the live log (FILE under the live directory), its
 * standard output. */
static char *pgsift_live(const char *args, const char *file, int *status)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -j 1 --prefix %s %s '%s' "
			"2>/dev/null", live_dir, tu_bin(), PREFIX, args, file);
	return tu_run(cmd, status);
}

static bool is_format_control(unsigned c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
		(c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
		c == 0x061c || c == 0x2028 || c == 0x2029;
}

/* No byte a terminal acts on: no control but newline and tab, no DEL, no
 * C1 (as U+0080-U+009F or a raw byte: the text must be valid UTF-8), no
 * bidi control. */
static void assert_terminal_safe(const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char b = p[i];
		ck_assert_msg((b >= 0x20 && b != 0x7f) || b == '\n' || b == '\t',
				"%s: byte 0x%02x at %zu", what, b, i);
		if (b < 0x80) {
			i++;
			continue;
		}
		size_t k = jemit_utf8_seq(p + i, n - i);
		ck_assert_msg(k > 0, "%s: invalid UTF-8 at %zu", what, i);
		unsigned c = k == 2 ? (b & 0x1fu) << 6 | (p[i + 1] & 0x3fu) :
			k == 3 ? (b & 0x0fu) << 12 | (p[i + 1] & 0x3fu) << 6 | (p[i + 2] & 0x3fu) :
			0x10000;
		ck_assert_msg(!is_format_control(c), "%s: U+%04X at %zu", what, c, i);
		i += k;
	}
}

START_TEST(test_live_reports)
{
	if (!live_ready("terminal: reports"))
		return;
	static const char *const human[] = { "-f md", "-f text", "-f md --show-literals",
		"-f text --show-literals", "-f html --show-literals" };
	int status;
	for (size_t i = 0; i < sizeof(human) / sizeof(human[0]); i++) {
		char *out = pgsift_live(human[i], "postgresql.log", &status);
		ck_assert_int_eq(status, 0);
		assert_terminal_safe(human[i], out);
		/* The alias of the slow statement, in its finding and tables
		 * (cut short in text's). */
		ck_assert_msg(strstr(out, "\\x1b]0;x\\x07\\x1b") != NULL ||
				strstr(out, "\\x1b\\]0;x\\x07\\x1b") != NULL ||
				(strstr(human[i], "text") && strstr(out, "\"\\x1b")) ||
				strstr(out, "\\x1b</span>]0;x<span class=\"ctl\">\\x07</span>") != NULL,
				"%s", human[i]);
		if (strstr(human[i], "md")) {
			ck_assert(strstr(out, "`ev\\x1b[31mil`") != NULL);      /* the role */
			ck_assert(strstr(out, "`slow_query`") != NULL);
		}
		if (strstr(human[i], "md --show-literals")) {
			ck_assert(strstr(out, "'\\u009b2J'") != NULL);
			ck_assert(strstr(out, "'\\u202eevil'") != NULL);
			ck_assert(strstr(out, "'a\\x7fb'") != NULL);
			ck_assert(strstr(out, "'l\\u2028s'") != NULL);
			ck_assert(strstr(out, "'r\\x9bw'") != NULL);
		}
		/* HTML escapes as text_escape.c does (TESC_HTML), each control
		 * marked up: U+2028 and a byte that is not UTF-8 too. */
		if (strstr(human[i], "html")) {
			ck_assert(strstr(out, "&#39;<span class=\"ctl\">\\u202e</span>evil&#39;") != NULL);
			ck_assert(strstr(out, "&#39;l<span class=\"ctl\">\\u2028</span>s&#39;") != NULL);
			ck_assert(strstr(out, "&#39;r<span class=\"ctl\">\\x9b</span>w&#39;") != NULL);
		}
		free(out);
	}

	/* JSON: valid, and DEL, C1, bidi controls and U+2028 escaped too. */
	char *js = pgsift_live("-f json --show-literals", "postgresql.log", &status);
	ck_assert_int_eq(status, 0);
	for (const char *p = js; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 ? (unsigned char)*p != 0x7f : *p == '\n',
				"JSON byte 0x%02x", (unsigned char)*p);
	ck_assert(strstr(js, "\\u009B2J") != NULL);
	ck_assert(strstr(js, "\\u202Eevil") != NULL);
	ck_assert(strstr(js, "a\\u007Fb") != NULL);
	ck_assert(strstr(js, "l\\u2028s") != NULL);
	ck_assert(strstr(js, "\\u001B]0;x\\u0007") != NULL);
	json_error_t err;
	json_t *root = json_loads(js, 0, &err);
	ck_assert_msg(root != NULL, "%s at %d", err.text, err.position);
	json_decref(root);

	/* The TUI, on the saved report: the groups list, the detail and the
	 * findings. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/saved.json", live_dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(js, f);
	ck_assert_int_eq(fclose(f), 0);
	free(js);
	struct tui_report *r = NULL;
	char msg[256];
	ck_assert_int_eq(tui_report_probe_file(path, true, &r, msg, sizeof(msg)), 1);
	struct tlines l = { 0 };
	size_t plan_line;
	bool seen = false;
	for (size_t gi = 0; gi < r->ngroups; gi++) {
		const char *line = tui_group_line(r, gi);
		assert_terminal_safe("TUI group line", line);
		seen |= strstr(line, "\\x1b]0;x\\x07\\x1b[2J") != NULL;
		tlines_clear(&l);
		detail_build(r, gi, 100, &l, &plan_line);
		for (size_t k = 0; k < l.n; k++)
			assert_terminal_safe("TUI detail", l.v[k].text);
	}
	ck_assert(seen);
	tlines_clear(&l);
	findings_build(r, 100, &l);
	seen = false;
	for (size_t k = 0; k < l.n; k++) {
		assert_terminal_safe("TUI findings", l.v[k].text);
		seen |= strstr(l.v[k].text, "\\x1b") != NULL;
	}
	ck_assert(seen);
	tlines_clear(&l);
	tui_report_free(r);
}
END_TEST

/* The plan 200 levels deep (about 600 levels of JSON): in the report,
 * with no line indented past JEMIT_INDENT_MAX levels, so its size grows
 * with the plan's, not with its square (34 MB for 1,000 levels before). */
START_TEST(test_live_deep_plan)
{
	if (!live_ready("terminal: deep plan"))
		return;
	int status;
	char *js = pgsift_live("-f json", "postgresql.log", &status);
	ck_assert_int_eq(status, 0);
	size_t maxindent = 0, spaces = 0;
	for (const char *p = js; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		size_t k = strspn(p, " ");
		spaces += k;
		if (k > maxindent)
			maxindent = k;
	}
	ck_assert_uint_le(maxindent, 2 * JEMIT_INDENT_MAX);
	ck_assert_uint_gt(maxindent, 2 * JEMIT_INDENT_MAX - 4);
	json_t *root = json_loads(js, 0, NULL);
	ck_assert_ptr_nonnull(root);
	size_t i, deep = 0;
	json_t *g;
	json_array_foreach(json_object_get(root, "groups"), i, g) {
		const char *q = json_string_value(json_object_get(g, "query"));
		if (q && strstr(q, "AS deep") && json_is_object(json_object_get(g, "plan")))
			deep++;
	}
	ck_assert_uint_ge(deep, 1);
	ck_assert_msg(strlen(js) < 4u << 20, "%zu bytes, %zu of indent", strlen(js), spaces);
	json_decref(root);
	free(js);
}
END_TEST

/* The same log through `zstd --long=31` from a pipe (the frame then asks
 * for a 2 GiB window): read, with the same figures as the plain log. */
START_TEST(test_live_zstd_long)
{
	if (!live_ready("terminal: zstd --long=31"))
		return;
	char cmd[8192];
	int status;
	snprintf(cmd, sizeof(cmd), "cd '%s' && zstd -q --long=31 -c < postgresql.log > long.zst "
			"&& zstd -lv long.zst 2>&1 | grep -c 'Window Size: 2.00 GiB'", live_dir);
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0 && atoi(out) == 1, "zstd: %s", out);
	free(out);
	char *plain = pgsift_live("-f json", "postgresql.log", &status);
	ck_assert_int_eq(status, 0);
	char *z = pgsift_live("-f json", "long.zst", &status);
	ck_assert_int_eq(status, 0);
	char *a = tu_report_figures(plain), *b = tu_report_figures(z);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(z);
	free(plain);
}
END_TEST

/* A crash can leave NULs in a log. One in the middle of the slow
 * statement's text: its example keeps the whole text, the NUL shown as
 * \x00. */
START_TEST(test_live_nul)
{
	if (!live_ready("terminal: NUL"))
		return;
	char cmd[8192];
	int status;
	snprintf(cmd, sizeof(cmd), "cd '%s' && python3 -c \"import sys; b = open('postgresql.log', 'rb').read(); "
			"i = b.index(b'statement: SELECT pg_sleep(4)') + 20; "
			"open('nul.log', 'wb').write(b[:i] + bytes(1) + b[i:])\"", live_dir);
	ck_assert_int_eq(system(cmd), 0);
	char *js = pgsift_live("-f json --show-literals", "nul.log", &status);
	ck_assert_int_eq(status, 0);
	ck_assert_msg(strstr(js, "SELECT pg\\\\x00_sleep(4), 1 AS \\\"\\u001B]0;x") != NULL,
			"%.2000s", strstr(js, "pg_s") ? strstr(js, "pg_s") : js);
	ck_assert(strstr(js, "'r\xef\xbf\xbdw' AS raw;") != NULL);
	free(js);
	char *md = pgsift_live("-f md --show-literals", "nul.log", &status);
	ck_assert_int_eq(status, 0);
	assert_terminal_safe("md with a NUL", md);
	ck_assert(strstr(md, "SELECT pg\\x00_sleep(4), 1 AS \"\\x1b]0;x") != NULL);
	free(md);
}
END_TEST

/* ---- ci ---- */

static size_t file_size(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/* GitHub drops a step summary past 1 MiB: one already holding 1,040,001
 * bytes gets the report cut to what is left, with a last line saying so;
 * a full one gets nothing, said on standard error. */
START_TEST(test_summary_cap)
{
	static const size_t before[] = { 1040001, 1048000, (size_t)1 << 20, 1100000 };
	char dir[] = "/tmp/pgsift-summary-XXXXXX", path[256], cmd[8192];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		for (size_t i = 0; i < before[k]; i++)
			fputc(i % 80 == 79 ? '\n' : 'x', f);
		ck_assert_int_eq(fclose(f), 0);
		snprintf(cmd, sizeof(cmd), "cd '%s' && GITHUB_STEP_SUMMARY='%s' '%s' check -q -j 1 "
			"-f md -o '%s' --fail-on 'calls>1000000' samples/postgresql.log.zst 2>&1",
			tu_root(), path, tu_bin(), path);
		int status;
		char *err = tu_run(cmd, &status);
		ck_assert_int_eq(status, 0);
		size_t after = file_size(path);
		ck_assert_msg(after <= ((size_t)1 << 20 > before[k] ? (size_t)1 << 20 : before[k]),
				"%zu bytes before, %zu after", before[k], after);
		char *text = tu_slurp(path);
		if (before[k] < (size_t)1 << 20) {
			ck_assert_uint_gt(after, before[k]);
			ck_assert_msg(strstr(text + before[k], "> **Cut here**") ||
					strstr(text + before[k], "> **Left out**"), "%s", text + before[k]);
			ck_assert(text[after - 1] == '\n');
		} else {
			ck_assert_uint_eq(after, before[k]);
			ck_assert(strstr(err, "the report is left out of it") != NULL);
		}
		if (before[k] == 1040001)
			ck_assert(strstr(text + before[k], "# pgsift report\n") != NULL);
		free(text);
		free(err);
	}
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A real log read as five inputs: its log_line_prefix note is said once,
 * with the first three and "2 more inputs". */
START_TEST(test_repeated_notes)
{
	char dir[] = "/tmp/pgsift-notes-XXXXXX", cmd[8192];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cd '%s' && for i in 1 2 3 4 5; do cp '%s/tests/data/workload-excerpt.log' "
			"log$i.log; done && '%s' report -j 1 -f md -o report.md log*.log 2>&1 >/dev/null",
			dir, tu_root(), tu_bin());
	int status;
	char *err = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	size_t notes = 0;
	for (const char *p = err; (p = strstr(p, "log_line_prefix")) != NULL; p++)
		notes++;
	ck_assert_msg(notes == 1, "%s", err);
	ck_assert_msg(strstr(err, "pgsift: log1.log, log2.log, log3.log and 2 more inputs: "
			"log_line_prefix '%m [%p] %q%u@%d/%a ' detected") != NULL, "%s", err);
	free(err);
	/* The TUI's list of what the run said: the same one line. */
	const char *paths[5];
	char names[5][256];
	for (int i = 0; i < 5; i++) {
		snprintf(names[i], sizeof(names[i]), "%s/log%d.log", dir, i + 1);
		paths[i] = names[i];
	}
	struct pgsift_options o;
	options_init(&o);
	o.jobs = 1;
	struct tlines diag = { 0 };
	char msg[256];
	struct tui_report *r = tui_report_analyse(&o, paths, 5, msg, sizeof(msg), &diag);
	ck_assert_msg(r != NULL, "%s", msg);
	notes = 0;
	for (size_t k = 0; k < diag.n; k++)
		if (strstr(diag.v[k].text, "log_line_prefix")) {
			notes++;
			ck_assert(strstr(diag.v[k].text, "log3.log and 2 more inputs: ") != NULL);
		}
	ck_assert_uint_eq(notes, 1);
	tlines_clear(&diag);
	tui_report_free(r);

	/* Three inputs: each says it, as before. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -j 1 -f md -o report.md log1.log "
			"log2.log log3.log 2>&1 >/dev/null | grep -c 'pgsift: log.\\.log: log_line_prefix'",
			dir, tu_bin());
	err = tu_run(cmd, &status);
	ck_assert_int_eq(atoi(err), 3);
	free(err);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_terminal(void);
Suite *suite_terminal(void)
{
	Suite *s = suite_create("terminal");
	TCase *tc = tcase_create("escape");
	tcase_add_loop_test(tc, test_escape, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_escape_stream);
	suite_add_tcase(s, tc);

	tc = tcase_create("live");
	tcase_add_unchecked_fixture(tc, live_setup, live_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_live_reports);
	tcase_add_test(tc, test_live_deep_plan);
	tcase_add_test(tc, test_live_zstd_long);
	tcase_add_test(tc, test_live_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("ci");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_summary_cap);
	tcase_add_test(tc, test_repeated_notes);
	suite_add_tcase(s, tc);
	return s;
}
