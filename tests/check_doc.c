/* check_doc.c: what ships beside the binary, checked against the binary:
 * the man page (doc/pgsift.1) renders without a warning and names every
 * command, long option and input format the binary's help prints; the bash
 * and zsh completions (doc/completion/) offer them; the JSON Schema of the
 * report (doc/report.schema.json) accepts the reports pgsift writes and
 * rejects a renamed, mistyped or misspelled member, naming where; make
 * install puts everything under PREFIX in DESTDIR and uninstall takes it
 * back. The lists are read from `pgsift --help` (and `pgsift help CMD`
 * where the binary has it) each time, never copied, so that an option
 * added to the CLI and not to these files fails here. */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exit_status.h"
#include "strbuf.h"
#include "testutil.h"
#include "util.h"

#define MAX_NAMES 256

struct names {
	char *v[MAX_NAMES];
	size_t n;
};

static void names_add(struct names *ns, const char *s, size_t len)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->v[i]) == len && memcmp(ns->v[i], s, len) == 0)
			return;
	ck_assert_uint_lt(ns->n, MAX_NAMES);
	ns->v[ns->n++] = xstrndup(s, len);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	ns->n = 0;
}

static bool have(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The commands of the usage lines ("pgsift CMD [OPTIONS] ..."). */
static void help_commands(const char *help, struct names *cmds)
{
	for (const char *p = help; (p = strstr(p, "pgsift ")) != NULL; p++) {
		const char *w = p + 7, *e = w;
		while (*e >= 'a' && *e <= 'z')
			e++;
		const char *after = e;
		while (*after == ' ')
			after++;
		if (e > w && strncmp(after, "[OPTIONS]", 9) == 0)
			names_add(cmds, w, (size_t)(e - w));
	}
}

/* `pgsift --help`, then `pgsift help CMD` of each command when the binary
 * has that command (it prints the command's own options). */
static char *help_text(struct names *cmds)
{
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof(cmd), "'%s' --help", tu_bin());
	char *help = tu_run(cmd, &st);
	ck_assert_msg(st == 0 && strstr(help, "--format"), "pgsift --help failed: %s", help);
	struct strbuf sb = STRBUF_INIT;
	sb_append(&sb, help, strlen(help));
	help_commands(help, cmds);
	ck_assert_msg(cmds->n >= 4, "no commands in pgsift --help");
	for (size_t i = 0; i < cmds->n; i++) {
		snprintf(cmd, sizeof(cmd), "'%s' help %s 2>/dev/null", tu_bin(), cmds->v[i]);
		char *more = tu_run(cmd, &st);
		if (st == 0)
			sb_append(&sb, more, strlen(more));
		free(more);
	}
	free(help);
	sb_append(&sb, "", 0);
	return sb.buf;
}

/* Every --long-option the help names. */
static void help_long_options(const char *help, struct names *opts)
{
	for (const char *p = help; (p = strstr(p, "--")) != NULL; p += 2) {
		if (p > help && is_name_char(p[-1]))
			continue;
		const char *e = p + 2;
		while (is_name_char(*e))
			e++;
		if (e - p > 3)
			names_add(opts, p + 2, (size_t)(e - p - 2));
	}
	ck_assert_msg(opts->n >= 20, "only %zu long options in the help", opts->n);
}

/* The ids of the list under "Input formats". */
static void help_input_formats(const char *help, struct names *fmts)
{
	const char *p = strstr(help, "\nInput formats");
	ck_assert_msg(p != NULL, "no input formats in pgsift --help");
	p = strchr(p + 1, '\n');
	while (p && strncmp(p, "\n  ", 3) == 0 && is_name_char(p[3])) {
		const char *w = p + 3, *e = w;
		while (is_name_char(*e))
			e++;
		names_add(fmts, w, (size_t)(e - w));
		p = strchr(e, '\n');
	}
	ck_assert_msg(fmts->n >= 10, "only %zu input formats in the help", fmts->n);
}

static char *doc_file(const char *rel)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tu_root(), rel);
	char *text = tu_slurp(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	return text;
}

/* s written in roff: every '-' escaped ("\-"), as the man page writes
 * options and names. */
static void roff_escape(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	for (; *s && o + 3 < outlen; s++) {
		if (*s == '-')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
}

/* needle occurs in text, not followed by more of a name (--n1-min is not
 * found in --n1-min-ms). */
static bool has_word(const char *text, const char *needle, bool roff)
{
	size_t len = strlen(needle);
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
		const char *after = p + len;
		if (roff && after[0] == '\\' && after[1] == '-')
			continue;
		if (!is_name_char(*after))
			return true;
	}
	return false;
}

/* ---- the man page ---- */

START_TEST(test_man_renders)
{
	if (!have("groff")) {
		tu_skip("doc: man page renders", "no groff (install groff-base)");
		return;
	}
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof(cmd), "groff -man -Tutf8 -ww -z '%s/doc/pgsift.1' 2>&1", tu_root());
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == 0 && out[0] == '\0', "groff warns on doc/pgsift.1:\n%s", out);
	free(out);
	if (!have("man")) {
		tu_skip("doc: man -l", "no man (install man-db)");
		return;
	}
	snprintf(cmd, sizeof(cmd), "MANWIDTH=80 LC_ALL=C.UTF-8 man -l '%s/doc/pgsift.1' 2>&1",
		tu_root());
	out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "man -l failed:\n%s", out);
	static const char *const sections[] = { "NAME", "SYNOPSIS", "DESCRIPTION",
		"COMMANDS", "OPTIONS", "INPUT FORMATS", "EXIT STATUS", "ENVIRONMENT",
		"FILES", "EXAMPLES", "SEE ALSO" };
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		char head[64];
		snprintf(head, sizeof(head), "\n%s\n", sections[i]);
		ck_assert_msg(strstr(out, head), "no section %s in the rendered page", sections[i]);
	}
	free(out);
}
END_TEST

START_TEST(test_man_covers_help)
{
	struct names cmds = { 0 }, opts = { 0 }, fmts = { 0 };
	char *help = help_text(&cmds), *man = doc_file("doc/pgsift.1");
	char want[320], esc[256];

	help_long_options(help, &opts);
	help_input_formats(help, &fmts);
	for (size_t i = 0; i < cmds.n; i++) {
		snprintf(want, sizeof(want), ".B pgsift %s\n", cmds.v[i]);
		ck_assert_msg(strstr(man, want), "doc/pgsift.1: no SYNOPSIS line for the command %s",
			cmds.v[i]);
	}
	for (size_t i = 0; i < opts.n; i++) {
		snprintf(want, sizeof(want), "--%s", opts.v[i]);
		roff_escape(want, esc, sizeof(esc));
		ck_assert_msg(has_word(man, esc, true),
			"doc/pgsift.1 does not describe %s, which pgsift --help prints", want);
	}
	const char *section = strstr(man, "\n.SH INPUT FORMATS\n");
	ck_assert_ptr_nonnull(section);
	for (size_t i = 0; i < fmts.n; i++) {
		roff_escape(fmts.v[i], esc, sizeof(esc));
		snprintf(want, sizeof(want), "\n.B %s\n", esc);
		ck_assert_msg(strstr(section, want),
			"doc/pgsift.1: INPUT FORMATS lacks %s, which pgsift --help lists", fmts.v[i]);
	}
	/* Every status of exit_status.h, under EXIT STATUS. */
	static const int codes[] = { EXIT_DONE, EXIT_GATE, EXIT_USAGE, EXIT_MALFORMED };
	section = strstr(man, "\n.SH EXIT STATUS\n");
	ck_assert_ptr_nonnull(section);
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		snprintf(want, sizeof(want), "\n.TP\n.B %d\n", codes[i]);
		ck_assert_msg(strstr(section, want), "doc/pgsift.1: no exit status %d", codes[i]);
	}
	names_free(&cmds);
	names_free(&opts);
	names_free(&fmts);
	free(help);
	free(man);
}
END_TEST

/* ---- completions ---- */

/* Runs the bash completion function on each line of cases (the words of
 * a command line, the last the one being completed, "" for an empty
 * one); with_lib: under bash-completion's library (_init_completion,
 * _filedir), else plain bash. Returns "words -> replies" lines. */
static char *bash_complete(const char *cases, bool with_lib)
{
	char script[] = "/tmp/pgsift-comp-XXXXXX";
	int fd = mkstemp(script);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "%s. '%s/doc/completion/pgsift.bash'\n"
		"cd '%s'\n"
		"while IFS= read -r line; do\n"
		"\teval \"COMP_WORDS=($line)\"\n"
		"\tCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
		"\tCOMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
		"\tCOMPREPLY=()\n"
		"\t_pgsift pgsift \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
		"\techo \"$line -> ${COMPREPLY[*]} \"\n"
		"done\n",
		with_lib ? ". /usr/share/bash-completion/bash_completion\n" : "",
		tu_root(), tu_root());
	ck_assert_int_eq(fclose(f), 0);
	char *in = tu_write_temp(cases, strlen(cases));
	char cmd[512];
	int st;
	snprintf(cmd, sizeof(cmd), "bash --norc --noprofile '%s' < '%s' 2>&1", script, in);
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "bash completion failed:\n%s", out);
	unlink(script);
	tu_remove(in);
	return out;
}

/* The replies of the line for words, as " r1 r2 ... " (the caller frees). */
static char *replies(const char *out, const char *words)
{
	char head[512];
	snprintf(head, sizeof(head), "%s -> ", words);
	const char *p = strstr(out, head);
	ck_assert_msg(p != NULL, "no completion of '%s' in:\n%s", words, out);
	p += strlen(head);
	const char *e = strchr(p, '\n');
	char *r = xmalloc((size_t)(e - p) + 2);
	r[0] = ' ';
	memcpy(r + 1, p, (size_t)(e - p));
	r[e - p + 1] = '\0';
	return r;
}

static void assert_offers(const char *out, const char *words, const char *want)
{
	char *r = replies(out, words), w[256];
	snprintf(w, sizeof(w), " %s ", want);
	ck_assert_msg(strstr(r, w), "completing '%s' does not offer %s:%s", words, want, r);
	free(r);
}

/* _i 0: with bash-completion's library, 1: plain bash. */
START_TEST(test_bash_completion)
{
	bool with_lib = _i == 0;
	struct stat sb;
	if (!have("bash")) {
		tu_skip("doc: bash completion", "no bash");
		return;
	}
	if (with_lib && stat("/usr/share/bash-completion/bash_completion", &sb) != 0) {
		tu_skip("doc: bash completion", "no bash-completion (install bash-completion)");
		return;
	}
	struct names cmds = { 0 }, opts = { 0 }, fmts = { 0 };
	char *help = help_text(&cmds);
	help_long_options(help, &opts);
	help_input_formats(help, &fmts);

	char *out = bash_complete("pgsift rep\n"
		"pgsift ''\n"
		"pgsift report --input-format ''\n"
		"pgsift report --input-format cs\n"
		"pgsift check -f ''\n"
		"pgsift report --format=j\n"
		"pgsift report --input-format = cs\n"
		"pgsift report --\n"
		"pgsift report samples/postgresql.l\n"
		"pgsift help ch\n", with_lib);
	assert_offers(out, "pgsift rep", "report");
	char *r = replies(out, "pgsift rep");
	ck_assert_str_eq(r, " report ");
	free(r);
	for (size_t i = 0; i < cmds.n; i++)
		assert_offers(out, "pgsift ''", cmds.v[i]);
	assert_offers(out, "pgsift ''", "--version");
	for (size_t i = 0; i < fmts.n; i++)
		assert_offers(out, "pgsift report --input-format ''", fmts.v[i]);
	r = replies(out, "pgsift report --input-format cs");
	ck_assert_str_eq(r, " csvlog ");
	free(r);
	static const char *const formats[] = { "md", "json", "text", "html" };
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		assert_offers(out, "pgsift check -f ''", formats[i]);
	assert_offers(out, "pgsift report --format=j", "json");
	/* Plain bash breaks words at '=' */
	assert_offers(out, "pgsift report --input-format = cs", "csvlog");
	for (size_t i = 0; i < opts.n; i++) {
		char o[128];
		if (strcmp(opts.v[i], "version") == 0)  /* before a command only */
			continue;
		snprintf(o, sizeof(o), "--%s", opts.v[i]);
		assert_offers(out, "pgsift report --", o);
	}
	assert_offers(out, "pgsift report samples/postgresql.l", "samples/postgresql.log.zst");
	assert_offers(out, "pgsift help ch", "check");
	free(out);
	names_free(&cmds);
	names_free(&opts);
	names_free(&fmts);
	free(help);
}
END_TEST

/* Real completion in an interactive zsh under zsh/zpty: keys typed, what
 * the terminal shows read back (escapes left out) until it holds what is
 * wanted, 20 s at most a case. */
static const char zsh_pty_script[] =
	"zmodload zsh/zpty || exit 2\n"
	"setopt extendedglob\n"
	"# Output of the pty until it holds $1 (20 s at most), escapes left out.\n"
	"upto() {\n"
	"\tlocal acc= chunk text\n"
	"\tinteger i\n"
	"\tfor (( i = 0; i < 200; i++ )); do\n"
	"\t\twhile zpty -r -t z chunk; do acc+=$chunk; done\n"
	"\t\ttext=${${acc//$'\\e'\\[[0-9;?]#[a-zA-Z]/}//[$'\\r\\a\\b']/}\n"
	"\t\t[[ $text == *$1* ]] && break\n"
	"\t\tsleep 0.1\n"
	"\tdone\n"
	"\tprint -r -- \"$text\"\n"
	"}\n"
	"zpty z zsh -f -i\n"
	"zpty -w z 'PROMPT=\"Z\"\"P> \"; fpath=(%s/doc/completion $fpath); autoload -Uz compinit; compinit -u -D; pgsift() {}'\n"
	"upto 'ZP> ' >/dev/null\n"
	"for keys want in 'pgsift rep'$'\\t' 'pgsift report ' \\\n"
	"\t\t'pgsift report --input-format c'$'\\t\\t' 'csvlog' \\\n"
	"\t\t'pgsift report --sh'$'\\t' '--show-literals ' \\\n"
	"\t\t'pgsift check -f '$'\\t\\t' 'text'; do\n"
	"\tzpty -w -n z \"$keys\"\n"
	"\tprint -r -- \"=== $keys\"\n"
	"\tupto \"$want\"\n"
	"\tzpty -w -n z $'\\x03'\n"
	"\tupto 'ZP> ' >/dev/null\n"
	"done\n"
	"zpty -d z\n";

/* zsh: the file parses, and with the completion system's functions
 * replaced by ones printing their arguments, the commands, every long
 * option and every input format are offered. */
START_TEST(test_zsh_completion)
{
	if (!have("zsh")) {
		tu_skip("doc: zsh completion", "no zsh (install zsh)");
		return;
	}
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof(cmd), "zsh -n '%s/doc/completion/_pgsift' 2>&1", tu_root());
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "zsh -n doc/completion/_pgsift:\n%s", out);
	free(out);

	snprintf(cmd, sizeof(cmd), "zsh -f -c '"
		"_describe() { print -rl -- \"${(@P)${@[-1]}}\" }; "
		"_arguments() { print -rl -- \"$@\" }; "
		"print; words=(pgsift re); CURRENT=2; source %s/doc/completion/_pgsift; "
		"print -- ----; "
		"words=(pgsift report --input-format \"\"); CURRENT=4; _pgsift; "
		"print -- ----; _pgsift_input_formats' 2>&1", tu_root());
	out = tu_run(cmd, &st);
	ck_assert_msg(st == 0, "the zsh completion failed:\n%s", out);

	struct names cmds = { 0 }, opts = { 0 }, fmts = { 0 };
	char *help = help_text(&cmds), want[256];
	help_long_options(help, &opts);
	help_input_formats(help, &fmts);
	char *second = strstr(out, "\n----\n");
	ck_assert_ptr_nonnull(second);
	char *third = strstr(second + 1, "\n----\n");
	ck_assert_ptr_nonnull(third);
	for (size_t i = 0; i < cmds.n; i++) {
		snprintf(want, sizeof(want), "\n%s:", cmds.v[i]);
		ck_assert_msg(strstr(out, want) && strstr(out, want) < second,
			"zsh does not offer the command %s:\n%s", cmds.v[i], out);
	}
	*third = '\0';
	for (size_t i = 0; i < opts.n; i++) {
		snprintf(want, sizeof(want), "--%s", opts.v[i]);
		ck_assert_msg(has_word(second, want, false) ||
			strcmp(opts.v[i], "version") == 0,
			"zsh does not offer %s after a command", want);
	}
	ck_assert_msg(has_word(out, "--version", false), "zsh does not offer --version");
	for (size_t i = 0; i < fmts.n; i++) {
		snprintf(want, sizeof(want), "\n%s:", fmts.v[i]);
		ck_assert_msg(strstr(third + 1, want), "zsh does not offer the input format %s",
			fmts.v[i]);
	}
	names_free(&cmds);
	names_free(&opts);
	names_free(&fmts);
	free(help);
	free(out);

	if (system("zsh -f -c 'zmodload zsh/zpty' >/dev/null 2>&1") != 0) {
		tu_skip("doc: zsh completion in a terminal", "no zsh/zpty module");
		return;
	}
	char script[] = "/tmp/pgsift-zpty-XXXXXX";
	int fd = mkstemp(script);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, zsh_pty_script, tu_root());
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "timeout 120 zsh -f '%s' 2>&1", script);
	out = tu_run(cmd, &st);
	unlink(script);
	ck_assert_msg(st == 0, "zsh under zpty failed (%d):\n%s", st, out);
	static const char *const shown[] = {
		"pgsift report \n",                    /* pgsift rep<Tab> */
		"cnpg ", "csvlog ",                     /* --input-format c<Tab><Tab> */
		"pgsift report --show-literals \n",    /* --sh<Tab> */
		"html  json  md    text",               /* check -f <Tab><Tab> */
	};
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		ck_assert_msg(strstr(out, shown[i]), "zsh did not show \"%s\":\n%s",
			shown[i], out);
	free(out);
}
END_TEST

/* ---- the JSON Schema ---- */

static bool have_jsonschema(const char *who)
{
	if (system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0)
		return true;
	tu_skip(who, "no python3 jsonschema (install python3-jsonschema)");
	return false;
}

/* Runs tests/schema_check.py on paths; its output (the caller frees). */
static char *schema_check(const char *paths, int *st)
{
	char cmd[16384];
	snprintf(cmd, sizeof(cmd), "cd '%s' && python3 tests/schema_check.py "
		"doc/report.schema.json %s 2>&1", tu_root(), paths);
	return tu_run(cmd, st);
}

/* The writer's goldens and a report of a real server's log the binary
 * writes now (a check report, so that "check" is there too). */
START_TEST(test_schema_accepts)
{
	if (!have_jsonschema("doc: schema accepts the reports"))
		return;
	char dir[] = "/tmp/pgsift-schema-XXXXXX", cmd[8192];
	int st;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' check -q -f json -o '%s/run.json' "
		"--fail-on 'p95>1s' samples/postgresql.log.zst 2>&1", tu_root(), tu_bin(), dir);
	char *out = tu_run(cmd, &st);
	ck_assert_msg(st == EXIT_DONE || st == EXIT_GATE, "pgsift check failed (%d): %s", st, out);
	free(out);
	snprintf(cmd, sizeof(cmd), "tests/golden/full.json tests/golden/report.json '%s/run.json'",
		dir);
	out = schema_check(cmd, &st);
	ck_assert_msg(st == 0 && strstr(out, "3 reports checked"), "schema_check: %s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A change to tests/golden/full.json the schema must reject, and what its
 * message must hold. */
static const struct {
	const char *what, *path, *key;
	int change;             /* 0 rename key, 1 value as a string, 2 set text */
	const char *text, *want;
} breaks[] = {
	{ "a renamed member", "groups.0", "calls", 0, "call_count",
		"at $.groups[0]: 'calls' is a required property" },
	{ "a mistyped member", "totals", "queries", 1, NULL,
		"at $.totals.queries: " },
	{ "a misspelled finding kind", "findings.0", "kind", 2, "missing_indexes",
		"at $.findings[0].kind: 'missing_indexes' is not one of" },
	{ "a malformed fingerprint", "groups.1", "fingerprint", 2, "12ab",
		"at $.groups[1].fingerprint: '12ab' does not match" },
	{ "a member beyond the contract", "events.temp_files", "bytes", 0, "byte",
		"at $.events.temp_files: Additional properties are not allowed ('byte' was unexpected)" },
};

static json_t *at_path(json_t *j, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *part = strtok_r(buf, ".", &save); part && j;
			part = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(part, NULL, 10)) :
			json_object_get(j, part);
	return j;
}

START_TEST(test_schema_rejects)
{
	if (!have_jsonschema("doc: schema rejects a broken report"))
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/golden/full.json", tu_root());
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	ck_assert_msg(doc != NULL, "%s: %s", path, e.text);
	json_t *o = at_path(doc, breaks[_i].path);
	ck_assert_msg(json_is_object(o), "no %s in full.json", breaks[_i].path);
	json_t *v = json_incref(json_object_get(o, breaks[_i].key));
	ck_assert_ptr_nonnull(v);
	switch (breaks[_i].change) {
	case 0:
		json_object_del(o, breaks[_i].key);
		json_object_set(o, breaks[_i].text, v);
		break;
	case 1: {
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		json_object_set_new(o, breaks[_i].key, json_string(s));
		free(s);
		break;
	}
	default:
		json_object_set_new(o, breaks[_i].key, json_string(breaks[_i].text));
	}
	json_decref(v);
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	char *broken = tu_write_temp(text, strlen(text));
	free(text);
	int st;
	char *out = schema_check(broken, &st);
	ck_assert_msg(st == 1, "%s passed the schema (%d): %s", breaks[_i].what, st, out);
	char want[1024];
	snprintf(want, sizeof(want), "%s: %s", broken, breaks[_i].want);
	ck_assert_msg(strstr(out, want), "%s: the message lacks \"%s\":\n%s",
		breaks[_i].what, want, out);
	free(out);
	tu_remove(broken);
}
END_TEST

/* ---- make install ---- */

START_TEST(test_install)
{
	if (!have("make")) {
		tu_skip("doc: make install", "no make");
		return;
	}
	char dir[] = "/tmp/pgsift-install-XXXXXX", cmd[16384], bin[4096];
	int st;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(realpath(tu_bin(), bin));
	/* The binary under test, as it is (-o: not rebuilt), and none of the
	 * make running the tests' flags. */
	static const char *const steps[] = { "install", "uninstall" };
	static const char *const files[] = { "bin/pgsift", "share/man/man1/pgsift.1",
		"share/bash-completion/completions/pgsift",
		"share/zsh/vendor-completions/_pgsift" };
	for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
		snprintf(cmd, sizeof(cmd), "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C '%s' "
			"-o '%s' BIN='%s' DESTDIR='%s' PREFIX=/opt/pgsift %s 2>&1",
			tu_root(), bin, bin, dir, steps[s]);
		char *out = tu_run(cmd, &st);
		ck_assert_msg(st == 0, "make %s failed: %s", steps[s], out);
		free(out);
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			char path[8192];
			struct stat sb;
			snprintf(path, sizeof(path), "%s/opt/pgsift/%s", dir, files[i]);
			bool there = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
			ck_assert_msg(there == (s == 0), "make %s: %s %s", steps[s], path,
				there ? "is still there" : "is missing");
			if (there && i == 0)
				ck_assert_msg(sb.st_mode & S_IXUSR, "%s is not executable", path);
		}
		if (s == 0) {
			snprintf(cmd, sizeof(cmd), "'%s/opt/pgsift/bin/pgsift' --version", dir);
			out = tu_run(cmd, &st);
			ck_assert_msg(st == 0 && strncmp(out, "pgsift ", 7) == 0,
				"the installed pgsift: %s", out);
			free(out);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_doc(void);
Suite *suite_doc(void)
{
	Suite *s = suite_create("doc");
	TCase *tc = tcase_create("man");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_man_renders);
	tcase_add_test(tc, test_man_covers_help);
	suite_add_tcase(s, tc);
	tc = tcase_create("completion");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bash_completion, 0, 2);
	tcase_add_test(tc, test_zsh_completion);
	suite_add_tcase(s, tc);
	tc = tcase_create("schema");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_schema_accepts);
	tcase_add_loop_test(tc, test_schema_rejects, 0, (int)ARRAY_SIZE(breaks));
	suite_add_tcase(s, tc);
	tc = tcase_create("install");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_install);
	suite_add_tcase(s, tc);
	return s;
}
