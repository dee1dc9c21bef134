/* report_json_groups.c: the JSON report's GROUP objects (CONTRACT.md).
 *
 * Written with json_emit, not built as jansson trees: groups are the
 * bulk of a report (hundreds of thousands on a busy log with many
 * distinct texts), and the trees cost more than the analysis itself
 * (json_emit.c says how much). The layout is jansson's, byte for byte, as
 * when they were trees: the goldens prove it. Members beyond the contract
 * are only ever added. Groups past the detail limit (report_json_int.h)
 * leave out their histogram and timeline and keep one example. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_emit.h"
#include "report.h"
#include "report_json_int.h"
#include "sketch_hist.h"
#include "timeutil.h"

/* Milliseconds to 3 decimals (microseconds, what the server logs). */
static void put_ms(struct jemit *e, double ms)
{
	if (!isfinite(ms))
		jemit_null(e);
	else
		jemit_real(e, round(ms * 1000) / 1000);
}

/* A time stamp in ISO 8601, or null when unknown. */
static void put_ts(struct jemit *e, int64_t ms)
{
	char buf[32];

	if (ms == TS_NONE) {
		jemit_null(e);
		return;
	}
	ts_format_iso(ms, buf);
	jemit_str(e, buf);
}

static int cmp_name_count(const void *pa, const void *pb)
{
	const struct name_count *x = pa, *y = pb;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* {name: calls}, busiest first (the order names reach an agg depends on
 * the workers, so it is not kept). Names that only differ in invalid bytes
 * collapse into one key after cleaning, where the first of them stands;
 * their calls add up (as a jansson object did it). */
static void put_names(struct jemit *e, const struct name_counts *nc,
		struct rj_scratch *s)
{
	struct name_count *v = xmalloc((nc->n ? nc->n : 1) * sizeof(*v));
	bool clean = true;

	if (nc->n)
		memcpy(v, nc->v, nc->n * sizeof(*v));
	qsort(v, nc->n, sizeof(*v), cmp_name_count);
	for (uint32_t i = 0; i < nc->n; i++) {
		if (!v[i].name)
			v[i].name = "";
		clean = clean && jemit_utf8_valid(v[i].name);
	}
	jemit_open(e, '{');
	if (clean) {
		for (uint32_t i = 0; i < nc->n; i++) {
			jemit_key(e, v[i].name);
			jemit_uint(e, v[i].count);
		}
	} else {
		/* Rare (invalid bytes in a name): clean copies, merged. */
		char **keys = xmalloc((nc->n ? nc->n : 1) * sizeof(*keys));
		for (uint32_t i = 0; i < nc->n; i++)
			keys[i] = xstrdup(jemit_utf8_clean(v[i].name, &s->tmp));
		for (uint32_t i = 0; i < nc->n; i++) {
			if (!keys[i])
				continue;
			uint64_t n = v[i].count;
			for (uint32_t k = i + 1; k < nc->n; k++) {
				if (keys[k] && strcmp(keys[k], keys[i]) == 0) {
					n += v[k].count;
					free(keys[k]);
					keys[k] = NULL;
				}
			}
			jemit_key(e, keys[i]);
			jemit_uint(e, n);
			free(keys[i]);
		}
		free(keys);
	}
	jemit_close(e);
	free(v);
}

static void put_example(struct jemit *e, const struct group *g,
		const struct example *x, const struct pgsift_options *opts,
		struct rj_scratch *s)
{
	jemit_open(e, '{');
	jemit_key(e, "ts");
	put_ts(e, x->ts_ms);
	jemit_key(e, "duration_ms");
	if (g->timed_calls)
		put_ms(e, x->duration_ms);
	else
		jemit_null(e);
	/* With literals, the query as logged and its parameters apart (the
	 * Markdown shows them joined, see report_example_text()). */
	jemit_key(e, "query");
	if (opts->show_literals)
		agg_example_query(g, x, &s->text);
	else
		report_example_text(g, x, false, &s->text);
	jemit_str(e, s->text.buf);
	/* A name the log line did not carry is null, not "". */
	jemit_key(e, "db");
	jemit_str(e, x->db && x->db[0] ? x->db : NULL);
	jemit_key(e, "user");
	jemit_str(e, x->user && x->user[0] ? x->user : NULL);
	jemit_key(e, "app");
	jemit_str(e, x->app && x->app[0] ? x->app : NULL);
	if (opts->show_literals) {
		jemit_key(e, "params");
		jemit_str(e, x->params);
	}
	/* Where to open the raw log: the line its call started on, and the
	 * backend that ran it (null when the input did not say). */
	char place[4096];
	jemit_key(e, "place");
	jemit_str(e, x->pos && analysis_place(s->a, x->pos, place, sizeof(place)) ?
		place : NULL);
	jemit_key(e, "pid");
	if (x->pid >= 0)
		jemit_uint(e, (uint64_t)x->pid);
	else
		jemit_null(e);
	jemit_close(e);
}

/* Plan strings that hold the statement's literals (its text, conditions):
 * masked like the examples unless --show-literals. */
static const char *const plan_literal_keys[] = {
	"Query Text", "Filter", "Index Cond", "Recheck Cond", "Join Filter",
	"Hash Cond", "Merge Cond", "One-Time Filter", "TID Cond", "Cache Key",
	"Query Parameters",
};

static void mask_plan(json_t *node)
{
	const char *key;
	json_t *v;
	size_t i;
	struct strbuf sb = STRBUF_INIT;
	if (json_is_array(node)) {
		json_array_foreach(node, i, v)
			mask_plan(v);
		return;
	}
	if (!json_is_object(node))
		return;
	json_object_foreach(node, key, v) {
		if (json_is_object(v) || json_is_array(v)) {
			mask_plan(v);
			continue;
		}
		if (!json_is_string(v))
			continue;
		for (size_t k = 0; k < sizeof(plan_literal_keys) / sizeof(plan_literal_keys[0]); k++) {
			if (strcmp(key, plan_literal_keys[k]) == 0) {
				fp_normalize(json_string_value(v), json_string_length(v), &sb);
				json_string_setn(v, sb.buf ? sb.buf : "", sb.len);
				break;
			}
		}
	}
	sb_release(&sb);
}

void report_plan_mask(json_t *plan)
{
	mask_plan(plan);
}

/* The worst plan, as EXPLAIN JSON (the only nested JSON of a group; few
 * groups have one, so jansson dumps it). A plan that does not parse is
 * dropped rather than passed on as text: readers expect EXPLAIN JSON or
 * null. Returns whether there was one, or -1 when it could not be dumped
 * (ENOMEM). */
static int put_plan(struct jemit *e, const struct group *g,
		const struct pgsift_options *opts)
{
	json_t *plan = g->plan_json ? json_loads(g->plan_json, 0, NULL) : NULL;

	if (!plan) {
		jemit_null(e);
		return 0;
	}
	if (!opts->show_literals)
		mask_plan(plan);
	char *text = json_dumps(plan, JSON_EMIT_JANSSON_FLAGS);
	json_decref(plan);
	if (!text)
		return -1;
	jemit_dumped(e, text);
	free(text);
	return 1;
}

/* Latency histogram (1-2-5 bins, as sketch_hist_json() has them: empty
 * bins trimmed at both ends), null without timed calls. */
static void put_histogram(struct jemit *e, const struct group *g)
{
	uint64_t counts[SKETCH_HIST_BINS];
	int first = 0, last = SKETCH_HIST_BINS - 1;

	if (!group_histogram(g, counts)) {
		jemit_null(e);
		return;
	}
	while (first < last && counts[first] == 0)
		first++;
	while (last > first && counts[last] == 0)
		last--;
	if (counts[first] == 0) {
		jemit_null(e);
		return;
	}
	jemit_open(e, '[');
	for (int i = first; i <= last; i++) {
		jemit_open(e, '{');
		jemit_key(e, "upto_ms");
		if (i < SKETCH_HIST_BINS - 1)
			jemit_real(e, sketch_hist_limit((unsigned)i));
		else
			jemit_null(e);
		jemit_key(e, "count");
		jemit_uint(e, counts[i]);
		jemit_close(e);
	}
	jemit_close(e);
}

/* The group's non-empty buckets, or null without time-stamped calls. */
static void put_timeline(struct jemit *e, const struct agg_timeline *t)
{
	if (t->n == 0) {
		jemit_null(e);
		return;
	}
	jemit_open(e, '{');
	jemit_key(e, "bucket_s");
	jemit_uint(e, (uint64_t)(t->width_ms / 1000));
	jemit_key(e, "buckets");
	jemit_open(e, '[');
	for (uint32_t i = 0; i < t->n; i++) {
		jemit_open(e, '{');
		jemit_key(e, "start");
		put_ts(e, t->b[i].start_ms);
		jemit_key(e, "calls");
		jemit_uint(e, t->b[i].calls);
		jemit_key(e, "total_ms");
		put_ms(e, t->b[i].total_ms);
		jemit_close(e);
	}
	jemit_close(e);
	jemit_close(e);
}

/* A latency of a timed group, else null (no duration was ever logged:
 * latencies are unknown, not zero). */
static void put_latency(struct jemit *e, const char *key, bool timed, double ms)
{
	jemit_key(e, key);
	if (timed)
		put_ms(e, ms);
	else
		jemit_null(e);
}

int rj_write_group(struct strbuf *out, const struct group *g,
		const struct pgsift_options *opts, bool detail,
		struct rj_scratch *s)
{
	struct jemit e;
	char fp[17];
	bool timed = g->timed_calls > 0;
	const char *name;

	jemit_init(&e, out, RJ_GROUP_DEPTH);
	jemit_open(&e, '{');
	fp_format(g->fingerprint, fp);
	jemit_key(&e, "fingerprint");
	jemit_str(&e, fp);
	jemit_key(&e, "query");
	jemit_str(&e, g->query ? g->query : "");
	jemit_key(&e, "calls");
	jemit_uint(&e, g->calls);
	jemit_key(&e, "total_ms");
	put_ms(&e, g->total_ms);
	put_latency(&e, "mean_ms", timed, timed ? group_mean(g) : 0);
	put_latency(&e, "min_ms", timed, g->min_ms);
	put_latency(&e, "max_ms", timed, g->max_ms);
	put_latency(&e, "p50_ms", timed, timed ? group_pct(g, 0.50) : 0);
	put_latency(&e, "p95_ms", timed, timed ? group_pct(g, 0.95) : 0);
	put_latency(&e, "p99_ms", timed, timed ? group_pct(g, 0.99) : 0);

	jemit_key(&e, "sources");
	jemit_open(&e, '[');
	for (unsigned i = 0; (name = source_name(i)) != NULL; i++)
		if (g->sources & (1u << i))
			jemit_str(&e, name);
	jemit_close(&e);

	jemit_key(&e, "databases");
	put_names(&e, &g->dbs, s);
	jemit_key(&e, "users");
	put_names(&e, &g->users, s);
	jemit_key(&e, "applications");
	put_names(&e, &g->apps, s);
	jemit_key(&e, "first_seen");
	put_ts(&e, g->first_ts);
	jemit_key(&e, "last_seen");
	put_ts(&e, g->last_ts);

	unsigned nex = g->nexamples < AGG_EXAMPLES ? g->nexamples : AGG_EXAMPLES;
	if (!detail && nex > RJ_THIN_EXAMPLES(opts))
		nex = RJ_THIN_EXAMPLES(opts);
	jemit_key(&e, "examples");
	jemit_open(&e, '[');
	for (unsigned i = 0; i < nex; i++)
		put_example(&e, g, &g->examples[i], opts, s);
	jemit_close(&e);

	jemit_key(&e, "plan");
	int plan = put_plan(&e, g, opts);
	if (plan < 0)
		return -1;

	jemit_key(&e, "timed_calls");
	jemit_uint(&e, g->timed_calls);
	jemit_key(&e, "prep_ms");
	put_ms(&e, g->prep_ms);
	jemit_key(&e, "prep_count");
	jemit_uint(&e, g->prep_count);
	jemit_key(&e, "lexical_fingerprint");
	jemit_bool(&e, g->lexical);
	bool one_off;
	jemit_key(&e, "kind");
	jemit_str(&e, stmt_kind_name(group_kind(g, &one_off)));
	jemit_key(&e, "one_off");
	jemit_bool(&e, one_off);
	jemit_key(&e, "plan_ms");
	if (plan)
		put_ms(&e, g->plan_ms);
	else
		jemit_null(&e);
	if (detail) {
		jemit_key(&e, "histogram");
		put_histogram(&e, g);
		jemit_key(&e, "timeline");
		put_timeline(&e, &g->timeline);
	}
	/* Calls under names past the per-group limit (AGG_MAX_NAMES). */
	if (g->dbs.other || g->users.other || g->apps.other) {
		jemit_key(&e, "other_names_calls");
		jemit_open(&e, '{');
		jemit_key(&e, "databases");
		jemit_uint(&e, g->dbs.other);
		jemit_key(&e, "users");
		jemit_uint(&e, g->users.other);
		jemit_key(&e, "applications");
		jemit_uint(&e, g->apps.other);
		jemit_close(&e);
	}
	jemit_close(&e);
	return 0;
}

void rj_scratch_release(struct rj_scratch *s)
{
	sb_release(&s->tmp);
	sb_release(&s->text);
}
