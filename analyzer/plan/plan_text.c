/* plan_text.c: reads plans in auto_explain's text form into the plan model.
 *
 * The text form is EXPLAIN's: a node's first line carries its name, target
 * and figures; its properties follow two columns right of where its name
 * starts, then its children ("->  " at that same column), some under a label
 * ("SubPlan 1", "InitPlan 1 (returns $0)", "CTE x") with the arrow two
 * columns further. A stack of open nodes and their columns is enough to
 * rebuild the tree. Property lines are turned into the fields and key names
 * of the JSON form, so both forms of a plan give the same model. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "util.h"

struct line {
	char *s;                /* content after the indentation, NUL-terminated */
	size_t indent;
};

struct frame {
	struct plan_node *n;
	size_t col;             /* where the node's name starts */
	const char *label;      /* a pending "SubPlan 1" for the next child */
	size_t nplain;          /* children without a label so far */
	struct plan_node *worker; /* the "Worker N:" section being read */
	size_t jit_indent;      /* of a worker's "JIT:" line while in its block, or 0 */
};

struct tp {
	struct plan *p;
	struct line *lines;
	size_t nlines;
	struct frame *stack;
	size_t depth, cap;
	bool io_split;          /* some timing named shared or local apart */
	char *err;
	size_t errlen;
	bool failed;
	struct strbuf sb;
};

static bool fail(struct tp *t, size_t lineno, const char *msg)
{
	if (!t->failed)
		snprintf(t->err, t->errlen, "text plan, line %zu: %s", lineno + 1, msg);
	t->failed = true;
	return false;
}

static const char *dup(struct tp *t, const char *s, size_t len)
{
	return plan_strndup(t->p, s, len);
}

/* ---- the first line of a node ---- */

/* Reads the trailing "  (cost=...) (actual ...)" of a node line into n
 * (when not NULL) and cuts it off. Returns false when the line has none or
 * it is cut short. */
static bool parse_figures(char *s, struct plan_node *n)
{
	struct plan_node scratch;
	if (!n)
		n = &scratch;
	const char *p;
	char *cut = (char *)pt_rfind(s, "  (cost=");
	double a, b, r, w;
	if (cut) {
		p = cut + 8;
		if (!pt_number(&p, &a) || !pt_starts(p, "..") || (p += 2, !pt_number(&p, &b))
				|| !pt_starts(p, " rows=") || (p += 6, !pt_number(&p, &r))
				|| !pt_starts(p, " width=") || (p += 7, !pt_number(&p, &w)) || *p++ != ')')
			return false;
		n->has_costs = true;
		n->startup_cost = a;
		n->total_cost = b;
		n->plan_rows = r;
		n->plan_width = clamp_int(w);
	} else {
		cut = (char *)pt_rfind(s, " (actual ");
		if (!cut)
			cut = (char *)pt_rfind(s, " (never executed)");
		if (!cut)
			return false;
		p = cut;
	}
	if (strcmp(p, " (never executed)") == 0) {
		n->never_executed = true;
	} else if (pt_starts(p, " (actual ")) {
		if (!plan_text_actual(p + 9, ')', n))
			return false;
	} else if (*p) {
		return false;
	}
	*cut = '\0';
	return true;
}

/* An identifier as quote_identifier() writes it; *pp moves past it. */
static const char *ident(struct tp *t, const char **pp)
{
	const char *p = *pp;
	if (*p == '"') {
		sb_reset(&t->sb);
		for (p++; *p; p++) {
			if (*p == '"') {
				if (p[1] != '"')
					break;
				p++;
			}
			sb_putc(&t->sb, *p);
		}
		*pp = *p ? p + 1 : p;
		return dup(t, t->sb.buf ? t->sb.buf : "", t->sb.len);
	}
	const char *start = p;
	while (*p && *p != ' ' && *p != '.')
		p++;
	*pp = p;
	return p > start ? dup(t, start, (size_t)(p - start)) : NULL;
}

/* " on [schema.]object [alias]": where the object's name goes depends on the
 * node type, as in EXPLAIN's ExplainTargetRel(). */
static void parse_target(struct tp *t, struct plan_node *n, const char *p)
{
	if (!pt_starts(p, " on "))
		return;
	p += 4;
	const char *schema = NULL, *obj = ident(t, &p), *alias = NULL;
	if (*p == '.') {
		p++;
		schema = obj;
		obj = ident(t, &p);
	}
	if (*p == ' ') {
		p++;
		alias = ident(t, &p);
	}
	const char *type = n->node_type;
	n->schema = schema;
	if (strcmp(type, "Values Scan") == 0 || strcmp(type, "Subquery Scan") == 0) {
		n->alias = obj;
		return;
	}
	n->alias = alias ? alias : obj;
	if (strcmp(type, "Function Scan") == 0)
		n->function_name = obj;
	else if (strcmp(type, "CTE Scan") == 0 || strcmp(type, "WorkTable Scan") == 0)
		n->cte_name = obj;
	else if (strcmp(type, "Named Tuplestore Scan") == 0 || strcmp(type, "Table Function Scan") == 0) {
		sb_reset(&t->sb);
		plan_json_quote(&t->sb, obj ? obj : "", obj ? strlen(obj) : 0);
		plan_add_extra(t->p, &n->extras, type[0] == 'N' ? "Tuplestore Name"
			: "Table Function Name", t->sb.buf, t->sb.len);
	} else
		n->relation_name = obj;
}

static const char *const join_types[] = {
	"Right Semi", "Right Anti", "Left", "Full", "Right", "Semi", "Anti",
};

/* "Hash Left Join" is a Hash Join of type Left; "Hash" alone is no join,
 * nor "Merge Append". */
static const char *match_join(struct plan_node *n, const char *s)
{
	const char *r, *type, *jt = NULL, *end = NULL;
	if ((r = pt_word(s, "Nested Loop")))
		type = "Nested Loop";
	else if ((r = pt_word(s, "Hash")))
		type = "Hash Join";
	else if ((r = pt_word(s, "Merge")))
		type = "Merge Join";
	else
		return NULL;
	if (*r == ' ') {
		if ((end = pt_word(r + 1, "Join")))
			jt = "Inner";
		for (size_t k = 0; !jt && k < ARRAY_SIZE(join_types); k++) {
			const char *q = pt_word(r + 1, join_types[k]);
			if (q && *q == ' ' && (end = pt_word(q + 1, "Join")))
				jt = join_types[k];
		}
	}
	if (!jt) {
		if (type[0] != 'N')
			return NULL;
		jt = "Inner";
		end = r;
	}
	n->node_type = type;
	n->join_type = jt;
	return end;
}

static const char *match_type(struct tp *t, struct plan_node *n, const char *s)
{
	static const char *const simple[] = {
		"Index Only Scan", "Index Scan", "Bitmap Index Scan", "Bitmap Heap Scan",
		"Seq Scan", "Sample Scan", "Tid Range Scan", "Tid Scan", "Subquery Scan",
		"Function Scan", "Table Function Scan", "Values Scan", "CTE Scan",
		"Named Tuplestore Scan", "WorkTable Scan", "Gather Merge", "Gather",
		"Merge Append", "Append", "Recursive Union", "BitmapAnd", "BitmapOr",
		"Result", "ProjectSet", "Materialize", "Memoize", "Incremental Sort",
		"Sort", "Group", "WindowAgg", "Unique", "LockRows", "Limit", "Hash",
	};
	static const struct { const char *text, *strategy; } aggs[] = {
		{ "Aggregate", "Plain" }, { "GroupAggregate", "Sorted" },
		{ "HashAggregate", "Hashed" }, { "MixedAggregate", "Mixed" },
	};
	const char *r;
	if ((r = match_join(n, s)))
		return r;
	const char *mode = "Simple", *q = s;
	if (pt_starts(q, "Partial "))
		mode = "Partial", q += 8;
	else if (pt_starts(q, "Finalize "))
		mode = "Finalize", q += 9;
	for (size_t i = 0; i < ARRAY_SIZE(aggs); i++)
		if ((r = pt_word(q, aggs[i].text))) {
			n->node_type = "Aggregate";
			n->strategy = aggs[i].strategy;
			n->partial_mode = mode;
			return r;
		}
	if ((r = pt_word(s, "SetOp")) || (r = pt_word(s, "HashSetOp"))) {
		n->node_type = "SetOp";
		n->strategy = s[0] == 'H' ? "Hashed" : "Sorted";
		if (*r == ' ')
			n->command = dup(t, r + 1, strlen(r + 1));
		return r + strlen(r);
	}
	static const char *const ops[] = { "Insert", "Update", "Delete", "Merge" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if ((r = pt_word(s, ops[i])) && (*r == '\0' || pt_starts(r, " on "))) {
			n->node_type = "ModifyTable";
			n->operation = ops[i];
			return r;
		}
	if (pt_starts(s, "Foreign ")) {
		for (size_t i = 0; i < 3; i++)
			if ((r = pt_word(s + 8, ops[i]))) {
				n->node_type = "Foreign Scan";
				n->operation = ops[i];
				return r;
			}
		if ((r = pt_word(s + 8, "Scan"))) {
			n->node_type = "Foreign Scan";
			n->operation = "Select";
			return r;
		}
	}
	if (pt_starts(s, "Custom Scan (") && (r = strchr(s, ')'))) {
		n->node_type = "Custom Scan";
		n->custom_provider = dup(t, s + 13, (size_t)(r - s - 13));
		return r + 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(simple); i++)
		if ((r = pt_word(s, simple[i]))) {
			n->node_type = simple[i];
			return r;
		}
	/* A node type this reader does not know: its name is what comes before
	 * the target, if any. */
	const char *end = strstr(s, " on ");
	const char *u = strstr(s, " using ");
	if (!end || (u && u < end))
		end = u;
	if (!end)
		end = s + strlen(s);
	n->node_type = dup(t, s, (size_t)(end - s));
	return end;
}

static bool parse_node_line(struct tp *t, struct plan_node *n, char *s, size_t lineno)
{
	bool has_figures = strstr(s, "(cost=") || strstr(s, "(actual ") || strstr(s, "(never executed)");
	if (!parse_figures(s, n) && has_figures)
		return fail(t, lineno, "a plan node's figures are cut short");
	const char *p = s;
	if (pt_starts(p, "Parallel "))
		n->parallel_aware = true, p += 9;
	if (pt_starts(p, "Async "))
		n->async_capable = true, p += 6;
	if (!*p)
		return fail(t, lineno, "a plan node without a name");
	p = match_type(t, n, p);
	const char *type = n->node_type;
	if (strcmp(type, "Index Scan") == 0 || strcmp(type, "Index Only Scan") == 0) {
		n->scan_direction = "Forward";
		if (pt_starts(p, " Backward"))
			n->scan_direction = "Backward", p += 9;
		if (pt_starts(p, " using ")) {
			p += 7;
			n->index_name = ident(t, &p);
		}
	} else if (strcmp(type, "Bitmap Index Scan") == 0) {
		if (pt_starts(p, " on ")) {
			p += 4;
			n->index_name = ident(t, &p);
		}
		return true;
	}
	parse_target(t, n, p);
	return true;
}

/* ---- the tree ---- */

static bool next_is_arrow_at(const struct tp *t, size_t i, size_t indent)
{
	for (i++; i < t->nlines; i++)
		if (t->lines[i].s[0])
			return t->lines[i].indent == indent && pt_starts(t->lines[i].s, "->  ");
	return false;
}

static void push(struct tp *t, struct plan_node *n, size_t col)
{
	if (t->depth == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->stack = xrealloc(t->stack, t->cap * sizeof(*t->stack));
	}
	t->stack[t->depth++] = (struct frame){ n, col, NULL, 0, NULL, 0 };
}

static const char *relationship(struct frame *f)
{
	const char *pt = f->n->node_type;
	if (f->label)
		return pt_starts(f->label, "InitPlan") || pt_starts(f->label, "CTE ") ? "InitPlan" : "SubPlan";
	if (strcmp(pt, "Append") == 0 || strcmp(pt, "Merge Append") == 0
			|| strcmp(pt, "BitmapAnd") == 0 || strcmp(pt, "BitmapOr") == 0)
		return "Member";
	if (strcmp(pt, "Subquery Scan") == 0)
		return "Subquery";
	return f->nplain++ == 0 ? "Outer" : f->nplain == 2 ? "Inner" : "Member";
}

static bool child_line(struct tp *t, size_t i)
{
	struct line *ln = &t->lines[i];
	while (t->depth > 1 && t->stack[t->depth - 1].col + 2 > ln->indent)
		t->depth--;
	struct frame *f = &t->stack[t->depth - 1];
	bool labelled = f->label && f->col + 4 == ln->indent;
	if (f->col + 2 != ln->indent && !labelled)
		return fail(t, i, "a plan node where none can be");
	struct plan_node *c = plan_node_new(t->p);
	if (!parse_node_line(t, c, ln->s + 4, i))
		return false;
	c->parent_relationship = relationship(f);
	if (labelled) {
		c->subplan_name = f->label;
		f->label = NULL;
	}
	plan_add_child(t->p, f->n, c);
	f->worker = NULL;
	push(t, c, ln->indent + 4);
	return true;
}

static void property_line(struct tp *t, size_t i)
{
	struct line *ln = &t->lines[i];
	while (t->depth > 1 && t->stack[t->depth - 1].col + 2 > ln->indent)
		t->depth--;
	struct frame *f = &t->stack[t->depth - 1];
	char *s = ln->s;
	if (f->col + 2 < ln->indent) {
		/* Deeper lines continue a worker's section; others are skipped,
		 * and so is a worker's "JIT:" block (VERBOSE), as the JSON
		 * reader skips a worker's "JIT": the plan's summary counts it. */
		if (f->jit_indent && ln->indent > f->jit_indent)
			return;
		f->jit_indent = strcmp(s, "JIT:") == 0 ? ln->indent : 0;
		if (f->worker && !f->jit_indent)
			plan_text_property(t->p, f->worker, s, &t->io_split);
		return;
	}
	f->jit_indent = 0;
	if (f->col + 2 != ln->indent)
		return;
	if (next_is_arrow_at(t, i, ln->indent + 2)) {
		f->label = dup(t, s, strlen(s));
		return;
	}
	f->worker = NULL;
	if (pt_starts(s, "Worker ") && isdigit((unsigned char)s[7])) {
		char *p = s + 7;
		struct plan_node *w = plan_node_new(t->p);
		w->worker_number = (int)strtol(p, &p, 10);
		if (*p == ':')
			p++;
		while (*p == ' ')
			p++;
		plan_add_worker(t->p, f->n, w);
		f->worker = w;
		if (*p)
			plan_text_property(t->p, w, p, &t->io_split);
		return;
	}
	plan_text_property(t->p, f->n, s, &t->io_split);
}

static bool is_node_line(char *s)
{
	char *copy = xstrdup(s);
	bool ok = parse_figures(copy, NULL);
	free(copy);
	return ok;
}

static void split_lines(struct tp *t, char *text)
{
	size_t cap = 64;
	t->lines = xmalloc(cap * sizeof(*t->lines));
	for (char *p = text; p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		size_t len = strlen(p);
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			p[--len] = '\0';
		size_t indent = strspn(p, " ");
		if (t->nlines == cap) {
			cap *= 2;
			t->lines = xrealloc(t->lines, cap * sizeof(*t->lines));
		}
		t->lines[t->nlines++] = (struct line){ p + indent, indent };
		p = nl ? nl + 1 : NULL;
	}
}

/* The line index of the root node, after reading the query text; or nlines. */
static size_t read_query_text(struct tp *t)
{
	if (!pt_starts(t->lines[0].s, "Query Text: "))
		return t->lines[0].indent == 0 && is_node_line(t->lines[0].s) ? 0 : t->nlines;
	size_t root = 1;
	while (root < t->nlines && (t->lines[root].indent != 0 || !is_node_line(t->lines[root].s)))
		root++;
	if (root == t->nlines)
		return root;
	size_t last = root - 1;
	/* PostgreSQL 16 logs the parameters of the query on a line of their own. */
	if (last > 0 && t->lines[last].indent == 0 && pt_starts(t->lines[last].s, "Query Parameters: ")) {
		const char *v = t->lines[last].s + 18;
		sb_reset(&t->sb);
		plan_json_quote(&t->sb, v, strlen(v));
		plan_add_extra(t->p, &t->p->extras, "Query Parameters", t->sb.buf, t->sb.len);
		last--;
	}
	/* Lines were cut in place; the query text is rebuilt from them. */
	sb_reset(&t->sb);
	for (size_t i = 0; i <= last; i++) {
		const char *s = t->lines[i].s - t->lines[i].indent;
		if (i == 0)
			s = t->lines[0].s + 12;
		else
			sb_putc(&t->sb, '\n');
		sb_append(&t->sb, s, strlen(s));
	}
	t->p->query_text = dup(t, t->sb.buf ? t->sb.buf : "", t->sb.len);
	return root;
}

struct plan *plan_parse_text(const char *body, size_t len, char *err, size_t errlen)
{
	struct tp t = { .p = plan_new(), .err = err, .errlen = errlen, .sb = STRBUF_INIT };
	char *text = xstrndup(body, len);
	split_lines(&t, text);
	size_t root = read_query_text(&t);
	if (root == t.nlines)
		fail(&t, 0, pt_starts(t.lines[0].s, "Query Text: ") ? "no plan node after the query text"
			: "not a plan: neither \"Query Text:\" nor a plan node");
	else {
		t.p->root = plan_node_new(t.p);
		if (parse_node_line(&t, t.p->root, t.lines[root].s, root))
			push(&t, t.p->root, 0);
	}
	bool in_block = false, in_jit = false;
	for (size_t i = root + 1; !t.failed && i < t.nlines; i++) {
		struct line *ln = &t.lines[i];
		if (!ln->s[0])
			continue;
		if (ln->indent == 0) {
			/* "JIT:" and "Planning:" open blocks of their own lines; only
			 * JIT's is read. */
			in_block = ln->s[strlen(ln->s) - 1] == ':';
			in_jit = strcmp(ln->s, "JIT:") == 0;
			if (in_jit)
				t.p->has_jit = true;
			else if (!in_block)
				plan_text_plan_line(t.p, ln->s);
		} else if (in_block) {
			if (in_jit)
				plan_text_jit_line(t.p, ln->s);
		} else if (pt_starts(ln->s, "->  ")) {
			child_line(&t, i);
		} else {
			property_line(&t, i);
		}
	}
	free(t.stack);
	free(t.lines);
	free(text);
	sb_release(&t.sb);
	if (t.failed) {
		plan_free(t.p);
		return NULL;
	}
	plan_finish(t.p);
	/* The text form names shared and local timings apart from PostgreSQL 17
	 * on; without such a name the server was older. */
	for (const struct plan_node *c = t.p->root; c; c = plan_node_next(c)) {
		struct plan_node *n = (struct plan_node *)c;
		n->io_lumped = n->has_io_timing && !t.io_split;
		for (size_t k = 0; k < n->nworkers; k++)
			n->workers[k]->io_lumped = n->workers[k]->has_io_timing && !t.io_split;
	}
	return t.p;
}
