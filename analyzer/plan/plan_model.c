/* plan_model.c: the plan model: building a plan in its arena (for the
 * readers), walking it and reading its nodes (for everyone), and quoting
 * strings as JSON (for the readers and the writer). It sits below plan.c
 * and the readers, so that none of them calls a file that calls it back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "plan_int.h"
#include "strbuf.h"
#include "util.h"

/* ---- building ---- */

struct plan *plan_new(void)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	p->arena = arena_new();
	if (!p->arena)
		abort();
	p->query_text = "";
	return p;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	arena_free(p->arena);
	free(p);
}

char *plan_strndup(struct plan *p, const char *s, size_t len)
{
	return arena_strndup(p->arena, s, len);
}

const char **plan_new_list(struct plan *p, size_t n)
{
	return arena_alloc(p->arena, (n ? n : 1) * sizeof(const char *));
}

struct plan_node *plan_node_new(struct plan *p)
{
	struct plan_node *n = arena_alloc(p->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->workers_planned = n->workers_launched = -1;
	n->inner_unique = -1;
	n->worker_number = -1;
	return n;
}

/* Arrays grow by doubling inside the arena; the old copy stays behind, which
 * costs little next to plans' usual few children. */
static void push(struct plan *p, struct plan_node ***arr, size_t *n, struct plan_node *x)
{
	if ((*n & (*n - 1)) == 0) {
		size_t cap = *n ? *n * 2 : 2;
		struct plan_node **a = arena_alloc(p->arena, cap * sizeof(*a));
		if (*n)
			memcpy(a, *arr, *n * sizeof(*a));
		*arr = a;
	}
	(*arr)[(*n)++] = x;
}

void plan_add_child(struct plan *p, struct plan_node *parent, struct plan_node *child)
{
	child->parent = parent;
	push(p, &parent->children, &parent->nchildren, child);
}

void plan_add_worker(struct plan *p, struct plan_node *n, struct plan_node *w)
{
	w->parent = n;
	push(p, &n->workers, &n->nworkers, w);
}

struct plan_trigger *plan_add_trigger(struct plan *p)
{
	size_t n = p->ntriggers;
	if ((n & (n - 1)) == 0) {
		struct plan_trigger *a = arena_alloc(p->arena, (n ? n * 2 : 2) * sizeof(*a));
		if (n)
			memcpy(a, p->triggers, n * sizeof(*a));
		p->triggers = a;
	}
	struct plan_trigger *t = &p->triggers[p->ntriggers++];
	memset(t, 0, sizeof(*t));
	return t;
}

void plan_add_extra(struct plan *p, struct plan_extra **list, const char *key,
		const char *json, size_t jsonlen)
{
	if (plan_json_reserved(key))
		return;
	for (; *list; list = &(*list)->next)
		if (strcmp((*list)->key, key) == 0)
			return;
	struct plan_extra *e = arena_alloc(p->arena, sizeof(*e));
	e->key = plan_strndup(p, key, strlen(key));
	e->json = plan_strndup(p, json, jsonlen);
	e->next = NULL;
	*list = e;
}

static void finish_node(struct plan *p, struct plan_node *n, unsigned depth)
{
	n->depth = depth;
	p->nnodes++;
	if (n->has_buffers)
		p->has_buffers = true;
	for (size_t i = 0; i < n->nworkers; i++) {
		n->workers[i]->depth = depth;
		if (n->workers[i]->has_buffers)
			p->has_buffers = true;
	}
	for (size_t i = 0; i < n->nchildren; i++) {
		n->children[i]->parent = n;
		finish_node(p, n->children[i], depth + 1);
	}
}

void plan_finish(struct plan *p)
{
	p->nnodes = 0;
	if (!p->root)
		return;
	p->root->parent = NULL;
	finish_node(p, p->root, 0);
	/* "(never executed)" does not say whether times were taken; EXPLAIN
	 * JSON writes zero times for such nodes when they were. */
	bool timing = false;
	for (const struct plan_node *n = p->root; n && !timing; n = plan_node_next(n))
		timing = n->has_timing;
	for (const struct plan_node *n = p->root; n; n = plan_node_next(n))
		if (n->never_executed)
			((struct plan_node *)n)->has_timing = timing;
}

/* ---- walking ---- */

static int walk(const struct plan_node *n, plan_visit_fn fn, void *arg)
{
	int r = fn(n, arg);
	for (size_t i = 0; r == 0 && i < n->nchildren; i++)
		r = walk(n->children[i], fn, arg);
	return r;
}

int plan_walk(const struct plan *p, plan_visit_fn fn, void *arg)
{
	return p && p->root ? walk(p->root, fn, arg) : 0;
}

const struct plan_node *plan_node_next(const struct plan_node *n)
{
	if (!n || n->worker_number >= 0)
		return NULL;
	if (n->nchildren)
		return n->children[0];
	for (; n->parent; n = n->parent) {
		const struct plan_node *up = n->parent;
		for (size_t i = 0; i + 1 < up->nchildren; i++)
			if (up->children[i] == n)
				return up->children[i + 1];
	}
	return NULL;
}

const struct plan_node *plan_find(const struct plan *p, const char *node_type)
{
	for (const struct plan_node *n = p ? p->root : NULL; n; n = plan_node_next(n))
		if (n->node_type && strcmp(n->node_type, node_type) == 0)
			return n;
	return NULL;
}

/* The Gather or Gather Merge n runs under, or NULL: its workers and the
 * leader run the nodes below it at once. */
static const struct plan_node *gather_of(const struct plan_node *n)
{
	for (const struct plan_node *p = n->parent; p; p = p->parent)
		if (p->node_type && strncmp(p->node_type, "Gather", 6) == 0)
			return p;
	return NULL;
}

double plan_node_processes(const struct plan_node *n)
{
	const struct plan_node *g = n->worker_number < 0 ? gather_of(n) : NULL;
	if (!g || g->single_copy || g->workers_launched <= 0)
		return 1;
	/* The leader runs the nodes below too (parallel_leader_participation)
	 * unless, by the workers' own figures (VERBOSE), they ran every loop
	 * of the node the Gather reads. */
	double procs = g->workers_launched + 1;
	const struct plan_node *top = g->nchildren ? g->children[0] : NULL;
	if (top && top->nworkers > 0 && top->has_actual) {
		double loops = 0;
		for (size_t i = 0; i < top->nworkers; i++)
			loops += top->workers[i]->actual_loops;
		if (loops >= top->actual_loops)
			procs = g->workers_launched;
	}
	return procs;
}

double plan_node_total_ms(const struct plan_node *n)
{
	if (!n->has_actual || !n->has_timing)
		return 0;
	/* EXPLAIN gives a parallel node's time per loop, its loops summed over
	 * the processes, which ran side by side: "loops=3" under a Gather of
	 * two workers is one pass of each, and took the time of one pass. */
	return n->actual_total_ms * n->actual_loops / plan_node_processes(n);
}

double plan_node_self_ms(const struct plan_node *n)
{
	double t = plan_node_total_ms(n);
	for (size_t i = 0; i < n->nchildren; i++)
		t -= plan_node_total_ms(n->children[i]);
	return t > 0 ? t : 0;
}

double plan_node_rows(const struct plan_node *n)
{
	return n->has_actual ? n->actual_rows * n->actual_loops : 0;
}

double plan_node_misestimate(const struct plan_node *n)
{
	if (!n->has_actual || !n->has_costs)
		return 1;
	double a = n->actual_rows < 1 ? 1 : n->actual_rows;
	double e = n->plan_rows < 1 ? 1 : n->plan_rows;
	return a > e ? a / e : e / a;
}

bool plan_node_sort_spilled(const struct plan_node *n)
{
	if (n->sort_space_type && strcmp(n->sort_space_type, "Disk") == 0)
		return true;
	for (size_t i = 0; i < n->nworkers; i++)
		if (plan_node_sort_spilled(n->workers[i]))
			return true;
	return false;
}

const char *plan_node_extra(const struct plan_node *n, const char *key)
{
	for (const struct plan_extra *e = n->extras; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->json;
	return NULL;
}

/* ---- quoting ---- */

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t want;
	unsigned min;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		want = 2, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		want = 3, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		want = 4, min = 0x10000;
	else
		return 0;
	if (n < want)
		return 0;
	unsigned cp = s[0] & (0x3f >> (want - 1));
	for (size_t i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return want;
}

void plan_json_quote(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	sb_putc(sb, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			sb_putc(sb, '\\');
			sb_putc(sb, (char)c);
		} else if (c == '\n') {
			sb_append(sb, "\\n", 2);
		} else if (c == '\t') {
			sb_append(sb, "\\t", 2);
		} else if (c == '\r') {
			sb_append(sb, "\\r", 2);
		} else if (c < 0x20) {
			char tmp[8];
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			sb_append(sb, tmp, 6);
		} else if (c >= 0x80) {
			size_t k = utf8_len(u + i, len - i);
			if (k == 0) {
				sb_append(sb, "\xef\xbf\xbd", 3);
				i++;
				continue;
			}
			sb_append(sb, s + i, k);
			i += k;
			continue;
		} else {
			sb_putc(sb, (char)c);
		}
		i++;
	}
	sb_putc(sb, '"');
}
