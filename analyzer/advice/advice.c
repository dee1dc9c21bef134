/* advice.c: the advice pass (see advice.h): parses every group's worst
 * plan once, and the statements of the groups that have one, runs the
 * modules, then adds slow_query findings for the groups in the alert and
 * critical bands, pointing at the findings that would help them.
 *
 * A statement is parsed only where its advice can matter: every module's
 * advice but offset_pagination needs a plan, and offset_pagination needs
 * OFFSET in the text. Parsing every group (libpg_query's JSON, then
 * jansson) was most of the run's time on logs of many distinct statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "strbuf.h"
#include "util.h"

void advice_limits_init(struct advice_limits *l)
{
	l->min_table_rows = 10000;
	l->removed_share = 0.5;
	l->min_removed = 1000;
	l->min_offset = 1000;
	l->unbounded_rows = 1000;
	l->misestimate = 10;
	l->min_misestimate_rows = 100;
	l->min_heap_fetches = 1000;
}

static bool has_slow_finding(const struct adv_ctx *c, uint64_t fp)
{
	for (size_t i = 0; i < findings_count(c->a->findings); i++) {
		const struct finding *f = findings_at(c->a->findings, i);
		if (f->kind == FK_slow_query && f->has_fingerprint && f->fingerprint == fp)
			return true;
	}
	return false;
}

static void slow_query_run(struct adv_ctx *c)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		struct adv_item *it = &c->items[i];
		struct group *g = it->g;
		enum band b = adv_band(c, g);
		if (b < BAND_ALERT || g->timed_calls == 0 || has_slow_finding(c, g->fingerprint))
			continue;
		double p95 = group_pct(g, 0.95);
		struct finding *f = adv_add(c, FK_slow_query, g->total_ms, b, g->calls,
			"P95 %.0f ms over %llu call%s (%s band): %.120s", p95,
			(unsigned long long)g->calls, g->calls == 1 ? "" : "s",
			report_band_name(b), g->query);
		finding_set_fingerprint(f, g->fingerprint);
		json_t *gj = adv_group_json(c, g);
		json_object_update(f->evidence, gj);
		json_decref(gj);
		json_object_set_new(f->evidence, "max_ms", json_real(g->max_ms));
		sb_reset(&sb);
		adv_plan_where(it, &sb, f->evidence);
		for (size_t k = 0; k < it->nhelped; k++) {
			char line[640];
			snprintf(line, sizeof(line), "\n-- see the %s finding: %s",
				finding_kind_name(it->helped_by[k]->kind), it->helped_by[k]->title);
			sb_append(&sb, line, strlen(line));
		}
		finding_set_suggestion(f, "%s", sb.buf);
	}
	sb_release(&sb);
}

/* A statement whose advice was skipped is a problem of the input it was
 * first logged in, at that line: the statement still counts. */
static void say_skipped(struct analysis *a, const struct group *g, const char *why)
{
	size_t input = (size_t)(g->first_pos >> 40);
	if (!g->first_pos || input >= a->ninputs)
		return;
	struct input_report *r = &a->inputs[input];
	char msg[160];
	snprintf(msg, sizeof(msg), "a statement counted without advice: %s", why);
	parse_report_problem(r, input_line(r, g->first_pos & ((1ull << 40) - 1)), msg);
}

void advice_run(struct analysis *a, const struct pgsift_options *o,
		const struct advice_limits *l)
{
	struct adv_ctx c = { .a = a, .o = o, .l = l };
	c.items = xcalloc(a->ngroups ? a->ngroups : 1, sizeof(*c.items));
	for (size_t i = 0; i < a->ngroups; i++) {
		struct adv_item *it = &c.items[c.n++];
		it->g = a->groups[i];
		if (it->g->plan_json) {
			char err[256];
			it->plan = plan_parse(it->g->plan_json, strlen(it->g->plan_json), err, sizeof(err));
		}
		if (it->plan)
			it->q = adv_item_parse(it);
	}
	adv_page_run(&c);
	adv_index_run(&c);
	adv_writes_run(&c);
	adv_plan_run(&c);
	adv_stats_run(&c);
	adv_events_run(&c);
	slow_query_run(&c);
	for (size_t i = 0; i < c.n; i++) {
		if (c.items[i].skipped)
			say_skipped(a, c.items[i].g, c.items[i].skipped);
		adv_query_free(c.items[i].q);
		plan_free(c.items[i].plan);
		free(c.items[i].helped_by);
	}
	free(c.items);
	adv_writes_free(&c);
	for (size_t i = 0; i < c.nproposed; i++)
		free(c.proposed[i]);
	free(c.proposed);
}

void advice_pass(struct analysis *a, const struct pgsift_options *o)
{
	struct advice_limits l;
	advice_limits_init(&l);
	if (o->min_offset > 0)
		l.min_offset = (int64_t)o->min_offset;
	if (o->unbounded_rows > 0)
		l.unbounded_rows = o->unbounded_rows;
	advice_run(a, o, &l);
}
