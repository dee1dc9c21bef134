/* plan_text_props.c: the property lines of auto_explain's text form, such
 * as "Sort Method: external merge  Disk: 2048kB" or "Buffers: shared
 * hit=12", read into the fields and key names of the JSON form. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "util.h"

struct tp {
	struct plan *p;
	struct strbuf sb;       /* scratch */
	bool io_split;
};

static const char *dup(struct tp *t, const char *s, size_t len)
{
	return plan_strndup(t->p, s, len);
}

/* A count, bare, with its unit ("25kB") or followed by a remark
 * ("4096 (originally 1024)"). */
static bool integer(const char *s, int64_t *out)
{
	double d;
	if (!pt_number(&s, &d))
		return false;
	*out = clamp_i64(d);
	return *s == '\0' || strcmp(s, "kB") == 0 || strcmp(s, " ms") == 0 || *s == ' ';
}

/* A literal that JSON takes as a number as it is. */
static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (isdigit((unsigned char)*s))
		while (isdigit((unsigned char)*s))
			s++;
	else
		return false;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

/* "time=1.0..2.0 rows=5 loops=1" (time= only with timing) and then close. */
bool plan_text_actual(const char *p, char close, struct plan_node *n)
{
	double a = 0, b = 0, r, l;
	bool timing = pt_starts(p, "time=");
	if (timing) {
		p += 5;
		if (!pt_number(&p, &a) || !pt_starts(p, "..") || (p += 2, !pt_number(&p, &b)) || *p++ != ' ')
			return false;
	}
	if (!pt_starts(p, "rows=") || (p += 5, !pt_number(&p, &r))
			|| !pt_starts(p, " loops=") || (p += 7, !pt_number(&p, &l)) || *p != close
			|| (close && p[1]))
		return false;
	n->has_timing = timing;
	if (timing) {
		n->actual_startup_ms = a;
		n->actual_total_ms = b;
	}
	n->has_actual = true;
	n->actual_rows = r;
	n->actual_loops = l;
	return true;
}

/* ---- property lines ---- */

/* Splits "a, b(c, d), 'e, f'" at its top-level commas into a list. */
static const char **split_list(struct tp *t, const char *v, size_t *count)
{
	size_t n = 1, depth = 0;
	char quote = 0;
	for (const char *p = v; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '(' || *p == '[') {
			depth++;
		} else if ((*p == ')' || *p == ']') && depth) {
			depth--;
		} else if (*p == ',' && p[1] == ' ' && depth == 0) {
			n++;
		}
	}
	const char **items = plan_new_list(t->p, n);
	size_t i = 0;
	const char *start = v;
	depth = 0;
	quote = 0;
	for (const char *p = v;; p++) {
		if (!*p || (!quote && depth == 0 && *p == ',' && p[1] == ' ')) {
			items[i++] = dup(t, start, (size_t)(p - start));
			if (!*p)
				break;
			start = p + 2;
			p++;
		} else if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '(' || *p == '[') {
			depth++;
		} else if ((*p == ')' || *p == ']') && depth) {
			depth--;
		}
	}
	*count = i;
	return items;
}

static void extra_string(struct tp *t, struct plan_extra **list, const char *key, const char *v)
{
	sb_reset(&t->sb);
	plan_json_quote(&t->sb, v, strlen(v));
	plan_add_extra(t->p, list, key, t->sb.buf, t->sb.len);
}

static void extra_number(struct tp *t, struct plan_node *n, const char *key, const char *v)
{
	int64_t x;
	char tmp[32];
	if (!integer(v, &x))
		return;
	snprintf(tmp, sizeof(tmp), "%lld", (long long)x);
	plan_add_extra(t->p, &n->extras, key, tmp, strlen(tmp));
}

static void extra_list(struct tp *t, struct plan_node *n, const char *key, const char *v)
{
	size_t count;
	const char **items = split_list(t, v, &count);
	struct strbuf out = STRBUF_INIT;
	sb_putc(&out, '[');
	for (size_t i = 0; i < count; i++) {
		if (i)
			sb_putc(&out, ',');
		plan_json_quote(&out, items[i], strlen(items[i]));
	}
	sb_putc(&out, ']');
	plan_add_extra(t->p, &n->extras, key, out.buf, out.len);
	sb_release(&out);
}

/* The "Label: value  Label: value" pieces of lines like "Buckets: 1024
 * Batches: 1  Memory Usage: 9kB". Returns the number of pieces. */
struct pair {
	const char *label, *value;
};

static size_t split_pairs(char *s, struct pair *out, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		char *sep = strstr(s, "  ");
		if (sep)
			*sep = '\0';
		char *colon = strstr(s, ": ");
		if (colon) {
			*colon = '\0';
			out[n].label = s;
			out[n++].value = colon + 2;
		}
		if (!sep)
			break;
		for (s = sep + 1; *s == ' '; s++)
			;
	}
	return n;
}

/* "4096 (originally 1024)" */
static void originally(const char *v, int64_t *now, int64_t *orig)
{
	double d;
	if (!pt_number(&v, &d))
		return;
	*now = *orig = clamp_i64(d);
	if (pt_starts(v, " (originally ") && (v += 13, pt_number(&v, &d)))
		*orig = clamp_i64(d);
}

static void parse_pairs_line(struct tp *t, struct plan_node *n, char *s)
{
	struct pair pr[8];
	size_t np = split_pairs(s, pr, ARRAY_SIZE(pr));
	const char *first = np ? pr[0].label : "";
	for (size_t i = 0; i < np; i++) {
		const char *l = pr[i].label, *v = pr[i].value;
		int64_t x = 0;
		bool num = integer(v, &x);
		if (strcmp(l, "Sort Method") == 0) {
			n->sort_method = dup(t, v, strlen(v));
		} else if (strcmp(first, "Sort Method") == 0 && (strcmp(l, "Memory") == 0
				|| strcmp(l, "Disk") == 0)) {
			n->sort_space_type = l[0] == 'D' ? "Disk" : "Memory";
			n->sort_space_kb = x;
		} else if (strcmp(l, "Buckets") == 0) {
			n->has_hash = true;
			originally(v, &n->hash_buckets, &n->orig_hash_buckets);
		} else if (strcmp(l, "Batches") == 0 && n->has_hash) {
			originally(v, &n->hash_batches, &n->orig_hash_batches);
		} else if (strcmp(l, "Batches") == 0 && num) {
			n->has_hashagg = true;
			n->hashagg_batches = x;
		} else if (strcmp(l, "Planned Partitions") == 0 && num) {
			n->planned_partitions = x;
		} else if (strcmp(l, "Disk Usage") == 0 && num) {
			n->disk_usage_kb = x;
		} else if (strcmp(l, "Memory Usage") == 0 && num) {
			n->has_peak_memory = true;
			n->peak_memory_kb = x;
		} else if (strcmp(first, "Hits") == 0) {
			char key[32];
			snprintf(key, sizeof(key), "Cache %s", l);
			extra_number(t, n, key, v);
		} else if (strcmp(l, "Storage") == 0) {
			extra_string(t, &n->extras, l, v);
		} else if (num) {
			extra_number(t, n, l, v);
		}
	}
}

/* "Full-sort Groups: 1  Sort Method: quicksort  Average Memory: 25kB  Peak
 * Memory: 25kB", written as the object EXPLAIN JSON has in its place. */
static void parse_sort_groups(struct tp *t, struct plan_node *n, char *s)
{
	struct pair pr[8];
	size_t np = split_pairs(s, pr, ARRAY_SIZE(pr));
	if (np == 0 || !json_number(pr[0].value))
		return;
	struct strbuf o = STRBUF_INIT;
	char tmp[96];
	sb_append(&o, "{\"Group Count\":", 15);
	sb_append(&o, pr[0].value, strlen(pr[0].value));
	for (int pass = 0; pass < 3; pass++) {
		const char *space = pass == 1 ? "Memory" : "Disk"; /* in EXPLAIN's order */
		int64_t avg = -1, peak = -1;
		for (size_t i = 1; i < np; i++) {
			if (pass == 0 && pt_starts(pr[i].label, "Sort Method")) {
				size_t count;
				const char **m = split_list(t, pr[i].value, &count);
				sb_append(&o, ",\"Sort Methods Used\":[", 22);
				for (size_t k = 0; k < count; k++) {
					if (k)
						sb_putc(&o, ',');
					plan_json_quote(&o, m[k], strlen(m[k]));
				}
				sb_putc(&o, ']');
			} else if (pass && strstr(pr[i].label, space)) {
				integer(pr[i].value, pt_starts(pr[i].label, "Peak") ? &peak : &avg);
			}
		}
		if (pass && (avg >= 0 || peak >= 0)) {
			snprintf(tmp, sizeof(tmp), ",\"Sort Space %s\":{\"Average Sort Space Used\":%lld,"
				"\"Peak Sort Space Used\":%lld}", space, (long long)avg, (long long)peak);
			sb_append(&o, tmp, strlen(tmp));
		}
	}
	sb_putc(&o, '}');
	plan_add_extra(t->p, &n->extras, pr[0].label, o.buf, o.len);
	sb_release(&o);
}

/* "shared hit=1 read=2, local ..., temp read=3 written=4" */
static void parse_buffers(struct plan_node *n, const char *v)
{
	struct plan_buffers *b = &n->buffers;
	int64_t *hit = NULL, *read = NULL, *dirtied = NULL, *written = NULL;
	n->has_buffers = true;
	while (*v) {
		while (*v == ' ' || *v == ',')
			v++;
		if (pt_starts(v, "shared"))
			hit = &b->shared_hit, read = &b->shared_read, dirtied = &b->shared_dirtied,
			written = &b->shared_written;
		else if (pt_starts(v, "local"))
			hit = &b->local_hit, read = &b->local_read, dirtied = &b->local_dirtied,
			written = &b->local_written;
		else if (pt_starts(v, "temp"))
			hit = dirtied = NULL, read = &b->temp_read, written = &b->temp_written;
		const char *eq = strchr(v, '=');
		const char *sp = strpbrk(v, " ,");
		if (eq && (!sp || eq < sp)) {
			const char *val = eq + 1;
			double d = 0;
			pt_number(&val, &d);
			int64_t *dst = pt_starts(v, "hit") ? hit : pt_starts(v, "read") ? read
				: pt_starts(v, "dirtied") ? dirtied : pt_starts(v, "written") ? written : NULL;
			if (dst)
				*dst = clamp_i64(d);
		}
		if (!sp)
			break;
		v = sp;
	}
}

/* "shared/local read=0.1 write=0.2, temp read=0.3" (up to PostgreSQL 16),
 * "shared read=... , local ..." (17 on), "read=0.1" (before 15). */
static void parse_io(struct tp *t, struct plan_node *n, const char *v)
{
	struct plan_io *io = &n->io;
	double *rd = &io->shared_read_ms, *wr = &io->shared_write_ms;
	n->has_io_timing = true;
	while (*v) {
		while (*v == ' ' || *v == ',')
			v++;
		if (pt_starts(v, "shared/local"))
			rd = &io->shared_read_ms, wr = &io->shared_write_ms;
		else if (pt_word(v, "shared"))
			rd = &io->shared_read_ms, wr = &io->shared_write_ms, t->io_split = true;
		else if (pt_word(v, "local"))
			rd = &io->local_read_ms, wr = &io->local_write_ms, t->io_split = true;
		else if (pt_word(v, "temp"))
			rd = &io->temp_read_ms, wr = &io->temp_write_ms;
		else if (pt_starts(v, "read=") || pt_starts(v, "write=")) {
			const char *val = strchr(v, '=') + 1;
			pt_number(&val, v[0] == 'r' ? rd : wr);
		}
		const char *sp = strpbrk(v, " ,");
		if (!sp)
			break;
		v = sp;
	}
}

static void parse_heap_blocks(struct plan_node *n, const char *v)
{
	const char *p;
	double d;
	if ((p = strstr(v, "exact=")) && (p += 6, pt_number(&p, &d)))
		n->exact_heap_blocks = clamp_i64(d);
	if ((p = strstr(v, "lossy=")) && (p += 6, pt_number(&p, &d)))
		n->lossy_heap_blocks = clamp_i64(d);
}

static void parse_wal(struct tp *t, struct plan_node *n, const char *v)
{
	static const struct { const char *text, *key; } keys[] = {
		{ "records=", "WAL Records" }, { "fpi=", "WAL FPI" }, { "bytes=", "WAL Bytes" },
		{ "buffers full=", "WAL Buffers Full" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(v, keys[i].text);
		if (p) {
			char num[32];
			p += strlen(keys[i].text);
			size_t k = strspn(p, "0123456789");
			snprintf(num, sizeof(num), "%.*s", (int)(k < 30 ? k : 30), p);
			extra_number(t, n, keys[i].key, num);
		}
	}
}

/* Properties that keep their text as a JSON string even when it looks like
 * a number. */
static const char *const string_props[] = {
	"Cache Key", "Cache Mode", "One-Time Filter", "Order By", "TID Cond",
	"Conflict Resolution", "Run Condition", "Window", "Function Call",
	"Table Function Call", "Sampling", "Repeatable Seed",
};

/* Whether v, a JSON number, is an integer that no 64-bit integer holds
 * (more than 18 digits): jansson, and most JSON readers, refuse it as an
 * integer, so it is written as a double with an exponent. */
static bool past_int64(const char *v)
{
	const char *p = v + (*v == '-');
	size_t n = strspn(p, "0123456789");
	return !p[n] && n > 18;
}

static void generic(struct tp *t, struct plan_extra **list, const char *l, const char *v)
{
	bool str = false;
	for (size_t i = 0; i < ARRAY_SIZE(string_props); i++)
		if (strcmp(l, string_props[i]) == 0)
			str = true;
	if (!str && json_number(v) && past_int64(v)) {
		char d[40];
		snprintf(d, sizeof(d), "%.17g", strtod(v, NULL));
		plan_add_extra(t->p, list, l, d, strlen(d));
	} else if (!str && (json_number(v) || strcmp(v, "true") == 0 ||
			strcmp(v, "false") == 0)) {
		plan_add_extra(t->p, list, l, v, strlen(v));
	} else {
		extra_string(t, list, l, v);
	}
}

static void parse_property(struct tp *t, struct plan_node *n, char *s)
{
	if (pt_starts(s, "actual ")) {     /* a worker's figures */
		plan_text_actual(s + 7, '\0', n);
		return;
	}
	char *colon = strstr(s, ": ");
	if (!colon)
		return;
	*colon = '\0';
	const char *l = s, *v = colon + 2;
	static const struct { const char *label; long off; } strs[] = {
		{ "Filter", (long)offsetof(struct plan_node, filter) },
		{ "Index Cond", (long)offsetof(struct plan_node, index_cond) },
		{ "Recheck Cond", (long)offsetof(struct plan_node, recheck_cond) },
		{ "Hash Cond", (long)offsetof(struct plan_node, hash_cond) },
		{ "Merge Cond", (long)offsetof(struct plan_node, merge_cond) },
		{ "Join Filter", (long)offsetof(struct plan_node, join_filter) },
	}, nums[] = {
		{ "Rows Removed by Filter", (long)offsetof(struct plan_node, rows_removed_by_filter) },
		{ "Rows Removed by Join Filter", (long)offsetof(struct plan_node, rows_removed_by_join_filter) },
		{ "Rows Removed by Index Recheck", (long)offsetof(struct plan_node, rows_removed_by_index_recheck) },
		{ "Heap Fetches", (long)offsetof(struct plan_node, heap_fetches) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		if (strcmp(l, strs[i].label) == 0) {
			*(const char **)((char *)n + strs[i].off) = dup(t, v, strlen(v));
			return;
		}
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
		if (strcmp(l, nums[i].label) == 0) {
			pt_number(&v, (double *)((char *)n + nums[i].off));
			return;
		}
	if (strcmp(l, "Sort Key") == 0)
		n->sort_key = split_list(t, v, &n->nsort_key);
	else if (strcmp(l, "Group Key") == 0 && !n->group_key)
		n->group_key = split_list(t, v, &n->ngroup_key);
	else if (strcmp(l, "Presorted Key") == 0 || strcmp(l, "Output") == 0
			|| strcmp(l, "Conflict Arbiter Indexes") == 0 || strcmp(l, "Group Key") == 0
			|| strcmp(l, "Hash Key") == 0)
		extra_list(t, n, l, v);
	else if (strcmp(l, "Workers Planned") == 0 || strcmp(l, "Workers Launched") == 0) {
		double d = 0;
		pt_number(&v, &d);
		*(l[8] == 'P' ? &n->workers_planned : &n->workers_launched) = clamp_int(d);
	} else if (strcmp(l, "Single Copy") == 0)
		n->single_copy = strcmp(v, "true") == 0;
	else if (strcmp(l, "Inner Unique") == 0)
		n->inner_unique = strcmp(v, "true") == 0;
	else if (strcmp(l, "Buffers") == 0)
		parse_buffers(n, v);
	else if (strcmp(l, "I/O Timings") == 0)
		parse_io(t, n, v);
	else if (strcmp(l, "Heap Blocks") == 0)
		parse_heap_blocks(n, v);
	else if (strcmp(l, "WAL") == 0)
		parse_wal(t, n, v);
	else if (strcmp(l, "Full-sort Groups") == 0 || strcmp(l, "Pre-sorted Groups") == 0) {
		*colon = ':';
		parse_sort_groups(t, n, s);
	} else if (strcmp(l, "Sort Method") == 0 || strcmp(l, "Buckets") == 0
			|| strcmp(l, "Batches") == 0 || strcmp(l, "Planned Partitions") == 0
			|| strcmp(l, "Hits") == 0 || strcmp(l, "Storage") == 0) {
		*colon = ':';
		parse_pairs_line(t, n, s);
	} else
		generic(t, &n->extras, l, v);
}

/* ---- plan-level lines ---- */

/* "Trigger name for constraint c on rel: time=1.0 calls=2" */
static void parse_trigger(struct tp *t, char *s)
{
	char *stats = (char *)pt_rfind(s, ": ");
	if (!stats)
		return;
	*stats = '\0';
	const char *v = stats + 2;
	struct plan_trigger *tr = plan_add_trigger(t->p);
	const char *p;
	if ((p = strstr(v, "time=")) && (p += 5, pt_number(&p, &tr->time_ms)))
		tr->has_time = true;
	if ((p = strstr(v, "calls=")))
		p += 6, pt_number(&p, &tr->calls);
	char *name = s + 7;             /* after "Trigger" */
	char *on = strstr(name, " on ");
	if (on) {
		*on = '\0';
		tr->relation = dup(t, on + 4, strlen(on + 4));
	}
	char *con = strstr(name, " for constraint ");
	if (con) {
		*con = '\0';
		tr->constraint_name = dup(t, con + 16, strlen(con + 16));
	}
	if (*name == ' ')
		tr->name = dup(t, name + 1, strlen(name + 1));
}

/* "work_mem = '64kB', jit = 'off'" as the object EXPLAIN JSON writes, or
 * NULL when it does not read that way. */
static bool settings_json(const char *v, struct strbuf *o)
{
	sb_putc(o, '{');
	for (bool first = true; *v; first = false) {
		const char *eq = strstr(v, " = '");
		if (!eq)
			return false;
		if (!first)
			sb_putc(o, ',');
		plan_json_quote(o, v, (size_t)(eq - v));
		sb_putc(o, ':');
		struct strbuf val = STRBUF_INIT;
		const char *p = eq + 4;
		for (; *p; p++) {
			if (*p == '\'') {
				if (p[1] != '\'')
					break;
				p++;
			}
			sb_putc(&val, *p);
		}
		plan_json_quote(o, val.buf ? val.buf : "", val.len);
		sb_release(&val);
		if (*p != '\'')
			return false;
		v = p + 1;
		if (*v && !pt_starts(v, ", "))
			return false;
		if (*v)
			v += 2;
	}
	sb_putc(o, '}');
	return true;
}

static void parse_plan_line(struct tp *t, char *s)
{
	if (pt_starts(s, "Trigger ")) {
		parse_trigger(t, s);
		return;
	}
	char *colon = strstr(s, ": ");
	if (!colon)
		return;
	*colon = '\0';
	const char *v = colon + 2;
	double d;
	if (strcmp(s, "Planning Time") == 0 && pt_number(&v, &d)) {
		t->p->has_planning_time = true;
		t->p->planning_ms = d;
	} else if (strcmp(s, "Execution Time") == 0 && pt_number(&v, &d)) {
		t->p->has_execution_time = true;
		t->p->execution_ms = d;
	} else if (strcmp(s, "Settings") == 0) {
		struct strbuf o = STRBUF_INIT;
		if (settings_json(v, &o))
			plan_add_extra(t->p, &t->p->extras, s, o.buf, o.len);
		else
			extra_string(t, &t->p->extras, s, v);
		sb_release(&o);
	} else {
		generic(t, &t->p->extras, s, v);
	}
}

/* ---- the "JIT:" block ---- */

/* "Inlining false, Optimization false, Expressions true, Deforming true" */
static bool jit_option(const char *v, const char *name)
{
	const char *p = strstr(v, name);
	return p && pt_starts(p + strlen(name), " true");
}

/* "name 1.234 ms" in "Generation 1.234 ms (Deform 0.1 ms), Inlining ..." */
static bool jit_time(const char *v, const char *name, double *out)
{
	const char *p = strstr(v, name);
	if (!p || p[strlen(name)] != ' ')
		return false;
	p += strlen(name) + 1;
	return pt_number(&p, out);
}

void plan_text_jit_line(struct plan *p, const char *line)
{
	struct plan_jit *j = &p->jit;
	double d;
	if (pt_starts(line, "Functions: ")) {
		const char *v = line + 11;
		if (pt_number(&v, &d))
			j->functions = clamp_i64(d);
	} else if (pt_starts(line, "Options: ")) {
		const char *v = line + 9;
		j->inlining = jit_option(v, "Inlining");
		j->optimization = jit_option(v, "Optimization");
		j->expressions = jit_option(v, "Expressions");
		j->deforming = jit_option(v, "Deforming");
	} else if (pt_starts(line, "Timing: ")) {
		const char *v = line + 8;
		j->has_timing = jit_time(v, "Total", &j->total_ms);
		jit_time(v, "Generation", &j->generation_ms);
		j->has_deform = jit_time(v, "(Deform", &j->deform_ms);
		jit_time(v, "Inlining", &j->inlining_ms);
		jit_time(v, "Optimization", &j->optimization_ms);
		jit_time(v, "Emission", &j->emission_ms);
	}
}

void plan_text_property(struct plan *p, struct plan_node *n, char *line, bool *io_split)
{
	struct tp t = { p, STRBUF_INIT, false };
	parse_property(&t, n, line);
	if (t.io_split)
		*io_split = true;
	sb_release(&t.sb);
}

void plan_text_plan_line(struct plan *p, char *line)
{
	struct tp t = { p, STRBUF_INIT, false };
	parse_plan_line(&t, line);
	sb_release(&t.sb);
}
