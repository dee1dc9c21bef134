/* check_html.c: the HTML report (-f html) on real evidence.
 *
 * The golden suite's inputs (a real server's log, snapshots, traces) are
 * written as HTML and read back by python3's html.parser with a strict
 * check (every tag closed in order, void elements aside), which also
 * finds: no resource from the network (src=, href= to http:, https: or
 * //), no link to an anchor the page lacks, every section, each finding's SQL as a block of its own, a
 * group's SVG chart. A real server (tests/workload/pg-workload.sh -x
 * tests/workload/html-hostile.sql) logs a statement with markup, a
 * terminal escape and a right-to-left override in it: the page shows it
 * escaped, its controls visible, and runs no script but its own. Then
 * Debian's chromium loads the page headless: no console error, and a
 * screenshot that is not blank, and a click on a header sorts its table. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../analyzer/output/report_html_int.h"
#include "testutil.h"

#define FULL_INPUTS \
	"samples/postgresql.log.zst " \
	"tests/data/snapshots/pg_stat_statements_before.csv " \
	"tests/data/snapshots/pg_stat_statements_after.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_before.csv " \
	"tests/data/snapshots/pg_stat_user_indexes_after.csv " \
	"tests/data/snapshots/pg_stat_user_tables_before.csv " \
	"tests/data/snapshots/pg_stat_user_tables_after.csv " \
	"tests/data/traces/rails-span-envelope.txt " \
	"tests/data/traces/otlp.ndjson"

/* argv: HTML [JSON]. Prints what is wrong, one a line; exit 0 when
 * nothing is. With JSON, each of the report's first 20 findings'
 * suggestion must be the text of one <pre>. */
static const char checker[] =
"import sys, json\n"
"from html.parser import HTMLParser\n"
"VOID = {'meta','br','hr','img','input','link','area','base','col','wbr',\n"
"        'rect','line','polyline','circle','path'}\n"
"SECTIONS = ['summary','fix','worst','p99','calls','timeline','events','details']\n"
"class P(HTMLParser):\n"
"    def __init__(s):\n"
"        super().__init__(convert_charrefs=True)\n"
"        s.stack=[]; s.err=[]; s.ids=set(); s.pres=[]; s.cur=None\n"
"        s.scripts=0; s.group_svgs=0; s.in_group=0; s.links=set()\n"
"    def handle_starttag(s, tag, attrs):\n"
"        a=dict(attrs)\n"
"        for k in ('src','href','action','srcset','poster','data'):\n"
"            v=(a.get(k) or '').strip().lower()\n"
"            if v.startswith(('http:','https:','//','ftp:')):\n"
"                s.err.append('network reference %s=%s' % (k, v))\n"
"        if tag in ('link','iframe','object','embed','img'):\n"
"            s.err.append('external-capable element <%s>' % tag)\n"
"        if 'id' in a: s.ids.add(a['id'])\n"
"        if (a.get('href') or '').startswith('#'): s.links.add(a['href'][1:])\n"
"        if tag=='script': s.scripts+=1\n"
"        if tag=='div' and a.get('class')=='group': s.in_group=len(s.stack)+1\n"
"        if tag=='svg' and s.in_group: s.group_svgs+=1\n"
"        if tag=='pre': s.cur=[]\n"
"        if tag not in VOID: s.stack.append((tag, s.getpos()))\n"
"    def handle_startendtag(s, tag, attrs):\n"
"        if tag not in VOID: s.err.append('self-closed <%s/> at %s' % (tag, s.getpos()))\n"
"    def handle_endtag(s, tag):\n"
"        if tag in VOID: return\n"
"        if not s.stack or s.stack[-1][0]!=tag:\n"
"            s.err.append('</%s> at %s closes %s' % (tag, s.getpos(), s.stack[-1:] ))\n"
"            return\n"
"        s.stack.pop()\n"
"        if tag=='div' and s.in_group and len(s.stack)<s.in_group: s.in_group=0\n"
"        if tag=='pre' and s.cur is not None: s.pres.append(''.join(s.cur)); s.cur=None\n"
"    def handle_data(s, d):\n"
"        if s.cur is not None: s.cur.append(d)\n"
"p=P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()\n"
"if p.stack: p.err.append('unclosed: %s' % p.stack)\n"
"for sec in SECTIONS:\n"
"    if sec not in p.ids: p.err.append('no section #'+sec)\n"
"for l in sorted(p.links-p.ids): p.err.append('link to no anchor: #'+l)\n"
"if p.scripts!=1: p.err.append('%d <script> elements, want 1' % p.scripts)\n"
"if p.group_svgs<1: p.err.append('no SVG in a group')\n"
"if len(sys.argv)>2:\n"
"    r=json.load(open(sys.argv[2]))\n"
"    n=0\n"
"    for f in r.get('findings', [])[:20]:\n"
"        sug=f.get('suggestion')\n"
"        if not sug: continue\n"
"        n+=1\n"
"        if sug not in p.pres: p.err.append('finding SQL not in a <pre>: '+sug[:60])\n"
"    if n==0: p.err.append('no finding with SQL in the JSON report')\n"
"for e in p.err: print(e)\n"
"sys.exit(1 if p.err else 0)\n";

/* Runs the checker on html (and json, may be NULL); fails the test with
 * what it printed. */
static void check_page(const char *html, const char *json)
{
	char *py = tu_write_temp(checker, strlen(checker));
	char cmd[8192];
	int status;
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' %s%s%s 2>&1", py, html,
			json ? "'" : "", json ? json : "", json ? "'" : "");
	char *out = tu_run(cmd, &status);
	ck_assert_msg(status == 0, "%s:\n%s", html, out);
	free(out);
	tu_remove(py);
}

static char *full_report(const char *format, int *status)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' check -q -j 1 -f %s "
			"--fail-on 'p95>50ms,severity>=critical' "
			"--baseline tests/golden/full-baseline.json " FULL_INPUTS
			" 2>/dev/null", tu_root(), tu_bin(), format);
	return tu_run(cmd, status);
}

START_TEST(test_full_page)
{
	int status;
	char *html = full_report("html", &status);
	ck_assert_int_eq(status, 1);    /* both gates fail, the report whole */
	char *json = full_report("json", &status);
	char *hp = tu_write_temp(html, strlen(html));
	char *jp = tu_write_temp(json, strlen(json));
	check_page(hp, jp);
	/* The timeline and a group's histogram are drawn. */
	ck_assert_ptr_nonnull(strstr(html, "<title>calls</title>"));
	ck_assert_ptr_nonnull(strstr(html, "calls per latency bin"));
	ck_assert_ptr_nonnull(strstr(html, "class=\"plan\""));
	/* Statements kept with events are masked like the groups' (the
	 * sample's duplicate-key error carries an e-mail address). */
	ck_assert_ptr_nonnull(strstr(html, "<h3>Errors</h3>"));
	ck_assert_msg(strstr(html, "dup@example.com") == NULL,
			"a literal from an error's statement");
	tu_remove(hp);
	tu_remove(jp);
	free(html);
	free(json);
}
END_TEST

/* A real server's log of sessions and autovacuum only (no statement
 * groups): the connections and their lengths are drawn. */
START_TEST(test_sessions_page)
{
	char cmd[4096];
	int status;
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' report -q -j 1 -f html "
			"tests/data/events/live.log", tu_root(), tu_bin());
	char *html = tu_run(cmd, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_nonnull(strstr(html, "<h3>Connections</h3>"));
	ck_assert_ptr_nonnull(strstr(html, "<title>sessions by length</title>"));
	ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
	free(html);
}
END_TEST

/* One workload run with the hostile statement, for both tests below. */
static char live_dir[] = "/tmp/pgsift-html-XXXXXX";
static int live_ready;

static void live_setup(void)
{
	if (!mkdtemp(live_dir))
		abort();
	char sql[4096], out[4096], cmd[8192];
	snprintf(sql, sizeof(sql), "%s/hostile.sql", live_dir);
	snprintf(cmd, sizeof(cmd), "cp '%s/tests/workload/html-hostile.sql' '%s'",
			tu_root(), sql);
	if (system(cmd) != 0 || chmod(live_dir, 0755) != 0)
		abort();
	snprintf(out, sizeof(out), "%s/run", live_dir);
	live_ready = tu_run_workload(out, sql);
}

static void live_teardown(void)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", live_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_html: could not remove %s\n", live_dir);
}

START_TEST(test_hostile_statement)
{
	if (live_ready == -1) {
		tu_skip("html: hostile statement", TU_NO_SERVER);
		return;
	}
	ck_assert_int_eq(live_ready, 1);
	static const char *const extra[] = { "--include script", "" };
	for (size_t i = 0; i < 2; i++) {
		char cmd[8192], page[4096];
		int status;
		snprintf(page, sizeof(page), "%s/hostile-%zu.html", live_dir, i);
		snprintf(cmd, sizeof(cmd), "'%s' report -q -j 1 -f html %s -o '%s' "
				"'%s/run/postgresql.log'", tu_bin(), extra[i], page, live_dir);
		free(tu_run(cmd, &status));
		ck_assert_int_eq(status, 0);
		check_page(page, NULL);
		char *html = tu_slurp(page);
		ck_assert_ptr_nonnull(html);
		ck_assert_msg(strstr(html, "<script>alert") == NULL, "markup from the log");
		ck_assert_msg(strchr(html, '\033') == NULL, "a raw escape byte");
		ck_assert_msg(strstr(html, "\xe2\x80\xae") == NULL, "a raw bidi override");
		if (i == 0)
			ck_assert_msg(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"
					"<span class=\"ctl\">\\x1b</span>[2J"
					"<span class=\"ctl\">\\u202e</span>evil") != NULL,
					"the statement, escaped and visible, is missing");
		free(html);
	}
}
END_TEST

/* Chromium's console messages on stderr with --enable-logging: a line
 * with "CONSOLE" (console.error and uncaught exceptions) or "Uncaught". */
START_TEST(test_browser)
{
	int status;
	char *found = tu_run("command -v chromium 2>/dev/null", &status);
	bool have = status == 0 && found[0];
	free(found);
	if (!have) {
		tu_skip("html: headless browser", "chromium is not installed "
				"(.ci/deps installs it)");
		return;
	}
	char dir[] = "/tmp/pgsift-html-browser-XXXXXX", cmd[8192];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *html = full_report("html", &status);
	char page[4096], probe[4096];
	snprintf(page, sizeof(page), "%s/report.html", dir);
	FILE *f = fopen(page, "w");
	ck_assert_ptr_nonnull(f);
	fputs(html, f);
	ck_assert_int_eq(fclose(f), 0);
	/* The same page with a probe after the report's own script: clicks
	 * the calls header of the first ranking twice and says in the title
	 * whether the rows went ascending, then descending. */
	snprintf(probe, sizeof(probe), "%s/probe.html", dir);
	f = fopen(probe, "w");
	ck_assert_ptr_nonnull(f);
	char *end = strstr(html, "</body>");
	ck_assert_ptr_nonnull(end);
	fwrite(html, 1, (size_t)(end - html), f);
	fputs("<script>\n"
	      "var t=document.querySelector('#worst+table'),th=t.querySelectorAll('th')[2];\n"
	      "function col(){return [].map.call(t.tBodies[0].rows,function(r){\n"
	      " return parseFloat(r.cells[2].dataset.v);});}\n"
	      "function sorted(v,d){for(var i=1;i<v.length;i++)\n"
	      " if(d*(v[i]-v[i-1])<0)return false;return v.length>1&&v[0]!==v[v.length-1];}\n"
	      "th.click();var up=sorted(col(),1);th.click();var down=sorted(col(),-1);\n"
	      "document.title='probe '+(up&&down?'sorted':'unsorted');\n"
	      "</script>\n", f);
	fputs(end, f);
	ck_assert_int_eq(fclose(f), 0);
	free(html);

	/* A profile of its own, so that runs never share state. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && timeout 120 chromium --headless=new "
			"--disable-gpu --no-sandbox --user-data-dir='%s/profile' "
			"--enable-logging=stderr --v=0 --dump-dom 'file://%s' "
			"2>'%s/stderr' >'%s/dom'; grep -E 'CONSOLE|Uncaught' '%s/stderr'",
			dir, dir, page, dir, dir, dir);
	char *errors = tu_run(cmd, &status);
	ck_assert_msg(errors[0] == '\0', "console errors:\n%s", errors);
	free(errors);
	snprintf(cmd, sizeof(cmd), "%s/dom", dir);
	char *dom = tu_slurp(cmd);
	ck_assert_ptr_nonnull(dom);
	ck_assert_msg(strstr(dom, "</svg>") != NULL, "the loaded page has no chart");
	free(dom);

	snprintf(cmd, sizeof(cmd), "cd '%s' && timeout 120 chromium --headless=new "
			"--disable-gpu --no-sandbox --user-data-dir='%s/profile' "
			"--enable-logging=stderr --v=0 --dump-dom 'file://%s' 2>'%s/stderr2'",
			dir, dir, probe, dir);
	dom = tu_run(cmd, &status);
	ck_assert_msg(strstr(dom, "<title>probe sorted</title>") != NULL,
			"clicking a header does not sort the table");
	free(dom);
	snprintf(cmd, sizeof(cmd), "grep -E 'CONSOLE|Uncaught' '%s/stderr2'", dir);
	errors = tu_run(cmd, &status);
	ck_assert_msg(errors[0] == '\0', "console errors when sorting:\n%s", errors);
	free(errors);

	snprintf(cmd, sizeof(cmd), "cd '%s' && timeout 120 chromium --headless=new "
			"--disable-gpu --no-sandbox --user-data-dir='%s/profile' "
			"--screenshot='%s/shot.png' --window-size=1280,2000 'file://%s' "
			">/dev/null 2>&1", dir, dir, dir, page);
	free(tu_run(cmd, &status));
	snprintf(cmd, sizeof(cmd), "%s/shot.png", dir);
	struct stat st;
	ck_assert_msg(stat(cmd, &st) == 0, "no screenshot");
	/* A blank 1280x2000 PNG is a few KB; the page's tables, text and
	 * bars make it hundreds. */
	ck_assert_msg(st.st_size > 50000, "screenshot of %lld bytes: blank?",
			(long long)st.st_size);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Every class html_escape() shows differently, and text it leaves be
 * (a newline, a tab, UTF-8 that is no control: "é", an em dash, whose
 * bytes start like the bidi controls'). */
START_TEST(test_escape)
{
	static const char in[] = "<a href='x'>&\"\n\t\x01\x7f|\xc2\x85|"
		"\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x80\xae"
		"\xe2\x81\xa6\xe2\x81\xa9|\xc3\xa9\xe2\x80\x94";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	html_escape(f, in, sizeof(in) - 1);
	html_text(f, NULL);
	ck_assert_int_eq(fclose(f), 0);
#define C(x) "<span class=\"ctl\">" x "</span>"
	ck_assert_str_eq(buf, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\n\t"
			C("\\x01") C("\\x7f") "|" C("\\u0085") "|"
			C("\\u061c") C("\\u200e") C("\\u200f") C("\\u202a")
			C("\\u202e") C("\\u2066") C("\\u2069")
			"|\xc3\xa9\xe2\x80\x94");
#undef C
	free(buf);
}
END_TEST

Suite *suite_html(void);
Suite *suite_html(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("escape");
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("page");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_full_page);
	tcase_add_test(tc, test_sessions_page);
	tcase_add_test(tc, test_browser);
	suite_add_tcase(s, tc);

	tc = tcase_create("live");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, live_setup, live_teardown);
	tcase_add_test(tc, test_hostile_statement);
	suite_add_tcase(s, tc);
	return s;
}
