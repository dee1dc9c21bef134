/* advice_schema.c: what the advice modules know of tables and indexes,
 * and how they write an index: identifiers and CREATE INDEX statements,
 * indexes that exist (snapshots' definitions, index conditions in plans)
 * or were proposed already in this run, unique columns and table sizes.
 * advice_index.c and advice_page.c both propose indexes, and
 * advice_plan.c quotes identifiers, so this sits below all three. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice_int.h"
#include "snapshots.h"
#include "strbuf.h"
#include "util.h"

static bool plain_ident(const char *s)
{
	if (!*s || !(islower((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '$'))
			return false;
	return true;
}

void adv_ident(struct strbuf *sb, const char *name)
{
	const char *dot = strchr(name, '.');
	if (dot && !strchr(dot + 1, '.')) {
		char *schema = xstrndup(name, (size_t)(dot - name));
		adv_ident(sb, schema);
		free(schema);
		sb_putc(sb, '.');
		adv_ident(sb, dot + 1);
		return;
	}
	if (plain_ident(name)) {
		sb_append(sb, name, strlen(name));
		return;
	}
	sb_putc(sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			sb_putc(sb, '"');
		sb_putc(sb, *p);
	}
	sb_putc(sb, '"');
}

/* "created_at DESC" -> "created_at", len. */
static size_t col_name_len(const char *col)
{
	const char *sp = strchr(col, ' ');
	return sp ? (size_t)(sp - col) : strlen(col);
}

void adv_index_sql(struct strbuf *sb, const char *table, const char *const *cols, size_t n)
{
	const char *dot = strrchr(table, '.');
	char name[64];
	size_t len = (size_t)snprintf(name, sizeof(name), "%s", dot ? dot + 1 : table);
	for (size_t i = 0; i < n && len < sizeof(name); i++)
		len += (size_t)snprintf(name + len, sizeof(name) - len, "_%.*s",
			(int)col_name_len(cols[i]), cols[i]);
	if (len > sizeof(name) - 5)
		len = sizeof(name) - 5;
	snprintf(name + len, sizeof(name) - len, "_idx");
	const char *pre = "CREATE INDEX CONCURRENTLY ";
	sb_append(sb, pre, strlen(pre));
	adv_ident(sb, name);
	sb_append(sb, " ON ", 4);
	adv_ident(sb, table);
	sb_append(sb, " (", 2);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_append(sb, ", ", 2);
		char *c = xstrndup(cols[i], col_name_len(cols[i]));
		adv_ident(sb, c);
		free(c);
		sb_append(sb, cols[i] + col_name_len(cols[i]), strlen(cols[i] + col_name_len(cols[i])));
	}
	sb_append(sb, ");", 2);
}

/* The first column of an index condition: "(id < $1)" -> id. */
static bool cond_lead(const char *cond, char *out, size_t outlen)
{
	const char *p = cond;
	while (*p == '(' || *p == ' ')
		p++;
	size_t n = 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.')
		n++;
	if (n == 0 || n >= outlen)
		return false;
	const char *dot = memchr(p, '.', n);
	if (dot) {
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

size_t adv_indexdef_columns(const char *def, char cols[][64], size_t max)
{
	if (strstr(def, " WHERE "))
		return 0;
	const char *p = strchr(def, '(');
	if (!p)
		return 0;
	p++;
	size_t n = 0;
	while (*p && *p != ')' && n < max) {
		while (*p == ' ')
			p++;
		size_t len = 0;
		bool quoted = *p == '"';
		if (quoted) {
			p++;
			while (p[len] && p[len] != '"')
				len++;
		} else if (*p == '(') {
			len = 0;        /* an expression */
		} else {
			while (isalnum((unsigned char)p[len]) || p[len] == '_' || p[len] == '$')
				len++;
		}
		snprintf(cols[n], 64, "%.*s", (int)(len < 63 ? len : 63), p);
		n++;
		int depth = 0;
		for (; *p; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && depth-- == 0)
				break;
			else if (*p == ',' && depth == 0) {
				p++;
				break;
			}
		}
	}
	return n;
}

struct lead_arg {
	const char *table, *col;
	const char *found;
};

static int find_lead(const struct plan_node *n, void *arg)
{
	struct lead_arg *la = arg;
	if (!n->index_name || !n->index_cond)
		return 0;
	const char *rel = n->relation_name;
	const char *schema = n->schema;
	if (!rel && n->parent) {
		rel = n->parent->relation_name;
		schema = n->parent->schema;
	}
	char lead[128];
	if (rel && adv_same_table(la->table, schema, rel) && cond_lead(n->index_cond, lead, sizeof(lead)) &&
			strcmp(lead, la->col) == 0) {
		la->found = n->index_name;
		return 1;
	}
	return 0;
}

const char *adv_index_existing(const struct adv_ctx *c, const char *table,
		const char *const *cols, size_t n)
{
	const struct snap_index *ix;
	size_t nix = snapshots_indexes(c->a->snapshots, &ix);
	for (size_t i = 0; i < nix; i++) {
		if (!ix[i].indexdef || !adv_same_table(table, ix[i].schema, ix[i].table))
			continue;
		char icols[16][64];
		size_t ni = adv_indexdef_columns(ix[i].indexdef, icols, 16);
		size_t k = 0;
		while (k < n && k < ni && strlen(icols[k]) == col_name_len(cols[k]) &&
				strncmp(icols[k], cols[k], col_name_len(cols[k])) == 0)
			k++;
		if (k == n)
			return ix[i].name;
	}
	if (n != 1)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		struct lead_arg la = { .table = table, .col = cols[0] };
		if (c->items[i].plan && plan_walk(c->items[i].plan, find_lead, &la))
			return la.found;
	}
	return NULL;
}

bool adv_unique_column(const struct adv_ctx *c, const char *table, char *out, size_t outlen)
{
	const struct snap_index *ix;
	size_t nix = snapshots_indexes(c->a->snapshots, &ix);
	for (int want_primary = 1; want_primary >= 0; want_primary--)
		for (size_t i = 0; i < nix; i++) {
			if (!ix[i].indexdef || !(want_primary ? ix[i].primary : ix[i].unique) ||
					!adv_same_table(table, ix[i].schema, ix[i].table))
				continue;
			char icols[2][64];
			if (adv_indexdef_columns(ix[i].indexdef, icols, 2) == 1 && icols[0][0]) {
				snprintf(out, outlen, "%s", icols[0]);
				return true;
			}
		}
	return false;
}

static char *index_key(const char *table, const char *const *cols, size_t n, bool close)
{
	struct strbuf sb = STRBUF_INIT;
	sb_append(&sb, table, strlen(table));
	sb_append(&sb, " (", 2);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_append(&sb, ", ", 2);
		sb_append(&sb, cols[i], strlen(cols[i]));
	}
	if (close)
		sb_putc(&sb, ')');
	return sb.buf;
}

bool adv_index_proposed(struct adv_ctx *c, const char *table,
		const char *const *cols, size_t n, bool record)
{
	char *key = index_key(table, cols, n, false);
	size_t len = strlen(key);
	for (size_t i = 0; i < c->nproposed; i++) {
		const char *p = c->proposed[i];
		if (strncmp(p, key, len) == 0 && (p[len] == ')' || p[len] == ',')) {
			free(key);
			return true;
		}
	}
	free(key);
	if (record) {
		c->proposed = xrealloc(c->proposed, (c->nproposed + 1) * sizeof(*c->proposed));
		c->proposed[c->nproposed++] = index_key(table, cols, n, true);
	}
	return false;
}

struct rows_arg {
	const char *table;
	double rows;
};

static int find_rows(const struct plan_node *n, void *arg)
{
	struct rows_arg *ra = arg;
	if (!n->node_type || strcmp(n->node_type, "Seq Scan") != 0 || !n->has_actual ||
			n->never_executed || !adv_same_table(ra->table, n->schema, n->relation_name))
		return 0;
	double per_loop = n->actual_rows + n->rows_removed_by_filter;
	double rows = n->parallel_aware ? per_loop * n->actual_loops : per_loop;
	if (rows > ra->rows)
		ra->rows = rows;
	return 0;
}

double adv_table_rows(const struct adv_ctx *c, const char *table, const char **source)
{
	int64_t r = snapshots_table_rows(c->a->snapshots, table);
	if (r >= 0) {
		*source = "snapshot";
		return (double)r;
	}
	struct rows_arg ra = { .table = table, .rows = -1 };
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].plan)
			plan_walk(c->items[i].plan, find_rows, &ra);
	*source = ra.rows >= 0 ? "plan (rows a sequential scan read)" : "unknown";
	return ra.rows;
}
