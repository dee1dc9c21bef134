/* advice_plan_time.c: where a group's worst plan spent its time, for the
 * slow_query finding and for the modules that must not point at a node
 * that is not where the time went.
 *
 * auto_explain logs a plan with the duration of the whole execution, but
 * the plan tree's root holds only what its nodes did: AFTER ROW triggers
 * (foreign-key checks among them) fire once the tree is done, and their
 * time is in the duration only. With auto_explain.log_triggers on, the
 * plan lists them ("Trigger for constraint ...: time=... calls=..." or a
 * "Triggers" array). Sending the rows to the client is outside the tree
 * too. The shares here are of the duration, so that a ModifyTable whose
 * checks took most of the statement is not said to hold most of it. Node
 * times are wall times (plan_node_total_ms()): under a Gather, the
 * workers' loops ran at once. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "advice_int.h"

/* Below this share of the duration, time outside the tree is the timers'
 * disagreement (and executor start and end), not worth a line. */
#define OUTSIDE_NOTE_SHARE 0.20
#define OUTSIDE_NOTE_MIN_MS 1.0
/* Below this share, a node is not named when the time outside was. */
#define HOT_NOTE_SHARE 0.05

double adv_plan_duration(const struct adv_item *it, const char **from)
{
	const struct plan *p = it->plan;
	if (p->has_execution_time && p->execution_ms > 0) {
		*from = "execution_time";
		return p->execution_ms;
	}
	if (it->g->plan_ms > 0) {
		*from = "auto_explain_duration";
		return it->g->plan_ms;
	}
	*from = "top_node_total_time";
	return plan_node_total_ms(p->root);
}

static double trigger_ms(const struct plan *p)
{
	double ms = 0;
	for (size_t i = 0; i < p->ntriggers; i++)
		if (p->triggers[i].has_time)
			ms += p->triggers[i].time_ms;
	return ms;
}

static bool is_modify(const struct plan_node *n)
{
	return n->node_type && strcmp(n->node_type, "ModifyTable") == 0;
}

double adv_plan_trigger_share(const struct adv_item *it)
{
	if (!it->plan || !it->plan->root)
		return 0;
	const char *from;
	double dur = adv_plan_duration(it, &from);
	double tree = plan_node_total_ms(it->plan->root), trig = trigger_ms(it->plan);
	if (tree <= 0 || dur <= 0)
		return 0;
	if (trig > 0)
		return trig >= dur ? 1 : trig / dur;
	return is_modify(it->plan->root) && dur > tree ? (dur - tree) / dur : 0;
}

/* ALTER TABLE builds an index for a primary key or unique constraint. */
const char *adv_maintenance_of(const char *q)
{
	static const char *const cmds[] = { "CREATE INDEX", "CREATE UNIQUE INDEX", "REINDEX",
		"CLUSTER", "VACUUM", "ALTER TABLE" };
	while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '(')
		q++;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		size_t n = strlen(cmds[i]);
		if (strncasecmp(q, cmds[i], n) != 0 || (q[n] && q[n] != ' ' && q[n] != ';'))
			continue;
		if (i == 5 && !strcasestr(q, "PRIMARY KEY") && !strcasestr(q, "UNIQUE"))
			return NULL;
		return cmds[i];
	}
	return NULL;
}

struct hot {
	const struct plan_node *node;
	double self_ms;
};

static int find_hot(const struct plan_node *n, void *arg)
{
	struct hot *h = arg;
	double ms = plan_node_self_ms(n);
	if (ms > h->self_ms) {
		h->self_ms = ms;
		h->node = n;
	}
	return 0;
}

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	char line[768];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_append(sb, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* What to do about foreign-key checks that took the time: the side of the
 * constraint the statement is on decides. A check trigger (the statement
 * writes the referencing table) looks each new key up in the referenced
 * table's unique index; an action trigger (it deletes or updates
 * referenced rows) looks for referencing rows, with a scan of the whole
 * referencing table per row when no index leads with its columns. */
static void fk_advice(const struct plan *p, const struct plan_trigger *t, struct strbuf *sb)
{
	const char *op = p->root->operation ? p->root->operation : "";
	bool action = (t->name && strncmp(t->name, "RI_ConstraintTrigger_a_", 23) == 0) ||
		(!t->name && strcmp(op, "Delete") == 0);
	if (action) {
		sb_printf(sb, "\n-- each %s row of %s looks for its referencing rows (%s): "
			"without an index on the referencing columns that is a scan of the "
			"referencing table per row; index them:\n"
			"SELECT conrelid::regclass, pg_get_constraintdef(oid) FROM pg_constraint "
			"WHERE conname = '%s';\n"
			"-- CREATE INDEX CONCURRENTLY ON <that table> (<its columns>);",
			strcmp(op, "Update") == 0 ? "updated" : "deleted",
			p->root->relation_name ? p->root->relation_name : "the table",
			t->constraint_name, t->constraint_name);
	} else {
		sb_printf(sb, "\n-- each new row's key is looked up in the referenced table (%s), "
			"%.0f us a row: for bulk loads, add the constraint after the load "
			"(ALTER TABLE ... ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT "
			"checks all rows in one query)",
			t->constraint_name, t->calls > 0 ? 1000 * t->time_ms / t->calls : 0);
	}
}

void adv_plan_where(const struct adv_item *it, struct strbuf *sb, json_t *evidence)
{
	const struct plan *p = it->plan;
	struct hot h = { 0 };
	double tree = p && p->root ? plan_node_total_ms(p->root) : 0;
	if (p)
		plan_walk(p, find_hot, &h);
	if (!h.node || tree <= 0) {
		const char *maint = adv_maintenance_of(it->g->query);
		if (maint && !p)
			sb_printf(sb, "-- %s has no plan: auto_explain logs none for maintenance "
				"commands", maint);
		else
			sb_printf(sb, "-- no plan was logged for it: load auto_explain "
				"(auto_explain.log_min_duration, log_analyze) to see where the time goes");
		return;
	}
	const char *from;
	double dur = adv_plan_duration(it, &from);
	if (dur < tree)
		dur = tree;             /* the timers differ by a hair */
	double outside = dur - tree, trig = trigger_ms(p);
	json_object_set_new(evidence, "plan_time", json_pack("{s:f, s:f, s:f, s:s}",
		"duration_ms", dur, "plan_tree_ms", tree, "outside_tree_ms", round(outside * 1000) / 1000,
		"duration_from", from));
	const struct plan_trigger *top = NULL;
	if (p->ntriggers) {
		json_t *arr = json_array();
		for (size_t i = 0; i < p->ntriggers; i++) {
			const struct plan_trigger *t = &p->triggers[i];
			json_array_append_new(arr, json_pack("{s:s?, s:s?, s:s?, s:f, s:f}",
				"name", t->name, "constraint", t->constraint_name,
				"relation", t->relation, "time_ms", t->has_time ? t->time_ms : 0,
				"calls", t->calls));
			if (t->has_time && (!top || t->time_ms > top->time_ms))
				top = t;
		}
		json_object_set_new(evidence, "triggers", arr);
	}
	const char *sep = "";
	if (outside >= OUTSIDE_NOTE_SHARE * dur && outside >= OUTSIDE_NOTE_MIN_MS) {
		sb_printf(sb, "-- %.0f%% of its worst plan's %.0f ms is outside the plan tree "
			"(whose root took %.0f ms)", 100 * outside / dur, dur, tree);
		if (top && trig > 0) {
			sb_printf(sb, ", in triggers:");
			for (size_t i = 0; i < p->ntriggers; i++) {
				const struct plan_trigger *t = &p->triggers[i];
				if (!t->has_time)
					continue;
				sb_printf(sb, "\n--   %s%s%s%s%s: %.0f ms, %.0f calls", t->name ? t->name : "trigger",
					t->constraint_name ? " for constraint " : "",
					t->constraint_name ? t->constraint_name : "",
					t->relation ? " on " : "", t->relation ? t->relation : "",
					t->time_ms, t->calls);
			}
			if (top->constraint_name)
				fk_advice(p, top, sb);
		} else if (is_modify(p->root)) {
			sb_printf(sb, ": AFTER triggers, foreign-key checks among them, run after "
				"it (auto_explain.log_triggers = on shows them)");
		} else if (plan_node_rows(p->root) > 0) {
			sb_printf(sb, ": sending its %.0f rows to the client", plan_node_rows(p->root));
		}
		sep = "\n";
	}
	double share = h.self_ms / dur;
	json_object_set_new(evidence, "hot_node", json_pack("{s:s?, s:s?, s:f, s:f}",
		"node_type", h.node->node_type, "relation", h.node->relation_name,
		"self_ms", h.self_ms, "share", share));
	if (*sep && share < HOT_NOTE_SHARE)
		return;         /* the tree is not where the time went */
	sb_printf(sb, "%s-- %.0f%% of its worst plan's time is in %s%s%s", sep, 100 * share,
		h.node->node_type ? h.node->node_type : "a node",
		h.node->relation_name ? " on " : "",
		h.node->relation_name ? h.node->relation_name : "");
	/* A Result without children reads no table: its time is a function
	 * the statement calls, which no index or work_mem speeds up. */
	if (!h.node->node_type || strcmp(h.node->node_type, "Result") != 0 || h.node->nchildren)
		return;
	if (strcasestr(it->g->query, "pg_sleep"))
		sb_printf(sb, ": pg_sleep(), the statement waits on purpose; inside a "
			"transaction every lock taken before it is held that long (take the "
			"sleep out, or do it after COMMIT)");
	else
		sb_printf(sb, ": a function the statement calls (a Result reads no table): "
			"look at the function, not at indexes");
}
