/* report_load.c: a saved JSON report read into the report model (see
 * report_load.h): the document, its inputs, window, totals and findings;
 * report_load_groups.c reads the groups, the families their parts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "findings.h"
#include "input.h"
#include "report.h"
#include "report_load.h"
#include "report_load_int.h"
#include "pooler.h"
#include "snapshots.h"
#include "strbuf.h"
#include "timeutil.h"
#include "traces.h"

/* ---- recognising a report ---- */

bool report_is_json_report(const json_t *root)
{
	const json_t *schema = json_object_get(root, "schema");
	const char *name = rl_str(json_object_get(root, "tool"), "name");
	return json_is_object(root) && json_is_integer(schema) &&
		json_integer_value(schema) == 1 && name && strcmp(name, "pgsift") == 0;
}

/* The next token at *p past blanks, if it is lit. */
static bool take(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	while (*p < end && strchr(" \t\r\n", **p))
		(*p)++;
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

int report_load_probe(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	if (!take(&p, end, "{") || !take(&p, end, "\"schema\"") ||
			!take(&p, end, ":") || !take(&p, end, "1") ||
			!take(&p, end, ","))
		return 0;
	/* A schema-1 document of another tool is not ours. */
	if (!take(&p, end, "\"tool\"") || !take(&p, end, ":") ||
			!take(&p, end, "{") || !take(&p, end, "\"name\"") ||
			!take(&p, end, ":") || !take(&p, end, "\"pgsift\""))
		return 0;
	return 100;
}

/* ---- the parts ---- */

static enum input_compression compression_of(const char *s)
{
	if (s && strcmp(s, "gzip") == 0)
		return INPUT_GZIP;
	if (s && strcmp(s, "zstd") == 0)
		return INPUT_ZSTD;
	if (s && strcmp(s, "bzip2") == 0)
		return INPUT_BZIP2;
	if (s && strcmp(s, "xz") == 0)
		return INPUT_XZ;
	return INPUT_PLAIN;
}

static void load_input(struct analysis *a, struct input_report *in,
		const json_t *o)
{
	const char *fmt = rl_str(o, "format");
	const json_t *probs = json_object_get(o, "problems");
	const json_t *notes = json_object_get(o, "notes");
	size_t i;
	const json_t *v;

	in->path = xstrdup(rl_str(o, "path") ? rl_str(o, "path") : "");
	/* The format string outlives the report in the agg's strings. */
	fmt = fmt ? fmt : "unknown";
	in->format = agg_intern(a->agg, fmt, strlen(fmt));
	in->compression = compression_of(rl_str(o, "compression"));
	in->bytes = rl_uint(o, "bytes");
	in->lines = rl_uint(o, "lines");
	in->records = rl_uint(o, "records");
	in->skipped = rl_uint(o, "skipped");
	json_array_foreach(probs, i, v) {
		if (in->nkept == INPUT_MAX_PROBLEMS)
			break;
		struct problem *p = &in->problems[in->nkept++];
		p->line = rl_uint(v, "line");
		p->message = xstrdup(rl_str(v, "message") ? rl_str(v, "message") : "");
	}
	/* Reports of before "problems_total" kept every problem they had. */
	in->nproblems = json_object_get(o, "problems_total") ?
		rl_uint(o, "problems_total") : in->nkept;
	in->unreadable = rl_bool(o, "unreadable");
	in->truncated = rl_bool(o, "truncated");
	in->notes = xcalloc(json_array_size(notes) + 1, sizeof(*in->notes));
	json_array_foreach(notes, i, v)
		if (json_is_string(v))
			in->notes[in->nnotes++] = xstrdup(json_string_value(v));
}

void rl_load_inputs(struct analysis *a, const json_t *inputs)
{
	size_t i;
	const json_t *v;

	if (a->inputs)
		return;
	a->inputs = xcalloc(json_array_size(inputs) + 1, sizeof(*a->inputs));
	json_array_foreach(inputs, i, v)
		load_input(a, &a->inputs[a->ninputs++], v);
}

static void load_columns(struct finding *f, const json_t *cols)
{
	size_t i;
	const json_t *v;
	json_array_foreach(cols, i, v)
		if (json_is_string(v))
			finding_add_column(f, json_string_value(v));
}

static enum finding_severity severity_of(const char *s)
{
	for (int k = FS_INFO; k <= FS_CRITICAL; k++)
		if (s && strcmp(s, finding_severity_name((enum finding_severity)k)) == 0)
			return (enum finding_severity)k;
	return FS_INFO;
}

/* Findings of a kind this pgsift does not know (a newer one's) have no
 * place in the enum: they are left out. */
static void load_findings(struct analysis *a, const json_t *arr)
{
	size_t i;
	const json_t *o;
	uint64_t fp;

	json_array_foreach(arr, i, o) {
		const char *kind = rl_str(o, "kind");
		enum finding_kind k = kind ? finding_kind_from_name(kind) : FK_COUNT;
		if (k == FK_COUNT)
			continue;
		double impact = rl_num(o, "impact_ms");
		struct finding *f = findings_add(a->findings, k,
			severity_of(rl_str(o, "severity")), isnan(impact) ? 0 : impact,
			"%s", rl_str(o, "title") ? rl_str(o, "title") : "");
		if (rl_fp(o, "fingerprint", &fp))
			finding_set_fingerprint(f, fp);
		finding_set_table(f, rl_str(o, "table"));
		finding_set_index(f, rl_str(o, "index"));
		load_columns(f, json_object_get(o, "columns"));
		if (rl_str(o, "suggestion"))
			finding_set_suggestion(f, "%s", rl_str(o, "suggestion"));
		double saves = rl_num(o, "saves_ms");
		f->saves_ms = isnan(saves) ? f->impact_ms : saves;
		json_t *ev = json_object_get(o, "evidence");
		if (json_is_object(ev)) {
			json_decref(f->evidence);
			f->evidence = json_deep_copy(ev);
			if (!f->evidence)
				abort();
		}
	}
	/* Saved in the list's order already; no re-sort, which could swap
	 * findings whose impact only differs past the saved decimals. */
	findings_finish(a->findings);
}

static char *message(const char *origin, const char *why)
{
	char *s;
	if (asprintf(&s, "%s: %s", origin, why) < 0)
		abort();
	return s;
}

struct analysis *report_load_json(const json_t *root, const char *origin,
		char **err)
{
	return rl_load_root(root, origin, err, NULL);
}

struct analysis *rl_load_root(const json_t *root, const char *origin, char **err,
		struct analysis *pre)
{
	const json_t *schema = json_object_get(root, "schema");
	const char *tool = rl_str(json_object_get(root, "tool"), "name");
	const json_t *groups = json_object_get(root, "groups");

	struct analysis *a = pre;

	*err = NULL;
	if (!json_is_object(root) || !json_is_integer(schema)) {
		*err = message(origin, "not a pgsift JSON report (no \"schema\"; "
			"save one with 'pgsift report -f json -o FILE')");
		goto fail;
	}
	if (json_integer_value(schema) != 1) {
		*err = message(origin, "a JSON report of another schema than 1");
		goto fail;
	}
	/* A document without "tool" (hand-made, trimmed by a script) is
	 * read; one that names another tool is not ours. */
	if (json_object_get(root, "tool") && (!tool || strcmp(tool, "pgsift") != 0)) {
		*err = message(origin, "a JSON report of another tool than pgsift");
		goto fail;
	}
	if (!json_is_array(groups)) {
		*err = message(origin, "a JSON report without a \"groups\" array");
		goto fail;
	}

	if (!a) {
		a = xcalloc(1, sizeof(*a));
		a->agg = agg_new();
		a->findings = findings_new();
		rl_load_inputs(a, json_object_get(root, "inputs"));
		if (!rl_load_groups(a, groups)) {
			*err = message(origin, "a group without a 16-hex-digit \"fingerprint\"");
			goto fail;
		}
	}
	rl_load_inputs(a, json_object_get(root, "inputs"));

	const json_t *win = json_object_get(root, "window");
	a->window_start = rl_ts(win, "start");
	a->window_end = rl_ts(win, "end");

	const json_t *tot = json_object_get(root, "totals");
	a->queries = rl_uint(tot, "queries");
	a->total_ms = isnan(rl_num(tot, "total_ms")) ? 0 : rl_num(tot, "total_ms");
	a->filtered_out = rl_uint(tot, "filtered_out");
	a->lone_durations = rl_uint(tot, "durations_without_statement");
	a->plans_cut = rl_uint(tot, "plans_cut_short");
	a->plans_cut_lost = rl_uint(tot, "plans_cut_short_without_text");
	a->distinct_texts = rl_uint(tot, "distinct_texts");
	a->parsed_texts = rl_uint(tot, "parsed_texts");
	a->saved_detail_groups = rl_uint(tot, "detail_groups");

	load_findings(a, json_object_get(root, "findings"));
	const json_t *ev = json_object_get(root, "events");
	if (json_is_object(ev))
		a->events = events_load_json(ev, a);
	const json_t *pl = json_object_get(root, "pooler");
	if (json_is_object(pl) && a->events)
		pooler_load_json(a->events, pl);
	const json_t *sn = json_object_get(root, "snapshots");
	if (json_is_object(sn))
		a->snapshots = snapshots_load_json(sn);
	const json_t *tr = json_object_get(root, "traces");
	if (json_is_object(tr))
		a->traces = traces_load_json(tr);
	/* The gates' verdict is kept as saved: it is written back, never
	 * judged again. */
	const json_t *check = json_object_get(root, "check");
	if (json_is_object(check))
		a->saved_check = json_deep_copy(check);
	return a;
fail:
	analysis_free(a);
	return NULL;
}

/* The whole decompressed input, through the line reader (so that gzip,
 * zstd and "-" work as for every input); NULL with *err on failure. */
static char *read_all(const char *path, size_t *len, char **err)
{
	char msg[512];
	struct line_reader *lr = lr_open(path, msg, sizeof(msg));
	struct strbuf sb = STRBUF_INIT;
	const char *line;
	size_t n;

	if (!lr) {
		*err = message(path, msg);
		return NULL;
	}
	while (lr_next(lr, &line, &n)) {
		sb_append(&sb, line, n);
		sb_putc(&sb, '\n');
	}
	if (lr_error(lr)) {
		*err = message(path, lr_error(lr));
		sb_release(&sb);
		sb.buf = NULL;
	} else {
		sb_append(&sb, "", 0);
		*len = sb.len;
	}
	lr_close(lr);
	return sb.buf;
}

/* A plain regular file mapped whole, or NULL (compressed, empty, not a
 * regular file, unreadable: the line reader takes it and says why). For a
 * 430 MB report, the line reader's copy line by line and its doubling
 * buffer cost a tenth of the load and a third more memory; a mapping
 * costs no copy, and the scanner gives its pages back as it goes. */
static const char *map_plain(const char *path, size_t *len, int *fdp)
{
	struct stat st;
	const char *map = NULL;
	int fd = strcmp(path, "-") == 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);

	*fdp = -1;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		goto out;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		goto out;
	map = m;
	size_t n = (size_t)st.st_size;
	if ((n >= 2 && memcmp(map, "\x1f\x8b", 2) == 0) ||
			(n >= 4 && memcmp(map, "\x28\xb5\x2f\xfd", 4) == 0)) {
		munmap(m, n);
		map = NULL;
		goto out;
	}
	madvise(m, n, MADV_SEQUENTIAL);
	*len = n;
	*fdp = fd;
	return map;
out:
	close(fd);
	return map;
}

struct analysis *rl_scan_report(const char *text, size_t len, const char *origin,
		char **err, bool *unsure, bool mapped, struct rl_spans *later)
{
	struct analysis *groups = NULL, *out = NULL;
	json_t *rest = NULL;

	*err = NULL;
	*unsure = !rl_scan_document(text, len, mapped, later, &groups, &rest);
	if (!*unsure) {
		out = rl_load_root(rest, origin, err, groups);
		groups = NULL;          /* rl_load_root() frees it on failure */
	}
	json_decref(rest);
	analysis_free(groups);
	return out;
}

/* A saved report's examples left in its file (report_load_later). */
struct report_examples {
	int fd;
	struct rl_spans spans;
};

bool report_examples_load(struct report_examples *later, struct analysis *a,
		struct group *g)
{
	bool ok = true;
	for (size_t i = 0; later && i < later->spans.n; i++) {
		struct rl_example_span *sp = &later->spans.v[i];
		if (sp->g != g || sp->done)
			continue;
		sp->done = true;
		char *buf = xmalloc(sp->len + 1);
		ssize_t n = pread(later->fd, buf, sp->len, (off_t)sp->off);
		ok = ok && n == (ssize_t)sp->len && rl_scan_examples(buf, sp->len, a, g);
		free(buf);
	}
	return ok;
}

void report_examples_free(struct report_examples *later)
{
	if (!later)
		return;
	close(later->fd);
	free(later->spans.v);
	free(later);
}

/* report_load(), leaving the examples in the file when later is set
 * and the fast path reads a plain file. */
static struct analysis *load(const char *path, char **err, struct report_examples **later)
{
	size_t len = 0;
	json_error_t jerr;
	struct analysis *a = NULL;
	char *text = NULL;
	bool unsure;
	int fd;
	struct rl_spans spans = { 0 };

	*err = NULL;
	const char *map = map_plain(path, &len, &fd);
	if (map) {
		a = rl_scan_report(map, len, path, err, &unsure, true, later ? &spans : NULL);
		munmap((void *)map, len);
		if (!unsure && a && spans.n) {
			*later = xcalloc(1, sizeof(**later));
			(*later)->fd = fd;
			(*later)->spans = spans;
			return a;
		}
		close(fd);
		free(spans.v);
		if (!unsure)
			return a;
		/* Left to jansson: read it again, whole, below. */
	}
	text = read_all(path, &len, err);
	if (!text)
		return NULL;
	if (!map) {
		a = rl_scan_report(text, len, path, err, &unsure, false, NULL);
		if (!unsure)
			goto out;
	}
	json_t *root = json_loadb(text, len, 0, &jerr);
	/* The text is not needed once parsed: free it before the model is
	 * built, so the peak is the JSON tree and the model, not all three. */
	free(text);
	text = NULL;
	if (!root) {
		/* A document that stops short is the common case: say so. */
		bool cut = json_error_code(&jerr) == json_error_premature_end_of_input;
		if (asprintf(err, "%s:%d: %s: %s", path, jerr.line, cut ?
				"truncated JSON report" : "not JSON", jerr.text) < 0)
			abort();
		goto out;
	}
	a = report_load_json(root, path, err);
	json_decref(root);
out:
	free(text);
	return a;
}

struct analysis *report_load(const char *path, char **err)
{
	return load(path, err, NULL);
}

struct analysis *report_load_later(const char *path, char **err,
		struct report_examples **later)
{
	*later = NULL;
	return load(path, err, later);
}
