/* plan_int.h: what the plan*.c files share; nothing else includes it.
 *
 * plan.c (the hub) hands a body to the reader of its form and writes plans
 * out. plan_json.c reads the JSON form by plan_fields.c's table of keys;
 * plan_text.c rebuilds the tree of the text form and hands each property
 * line to plan_text_props.c, which turns it into fields. Below them all,
 * plan_model.c builds plans in their arena, walks them and quotes JSON. */
#ifndef PGSIFT_PLAN_INT_H
#define PGSIFT_PLAN_INT_H

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "strbuf.h"

/* ---- plan_model.c: building a plan in its arena ---- */

struct plan *plan_new(void);
struct plan_node *plan_node_new(struct plan *p);
void plan_add_child(struct plan *p, struct plan_node *parent, struct plan_node *child);
void plan_add_worker(struct plan *p, struct plan_node *n, struct plan_node *w);
struct plan_trigger *plan_add_trigger(struct plan *p);
/* Appends an extra (json is copied), unless the list has one of that key
 * already or the JSON form gives that key a meaning of its own: the JSON
 * written must read back the same. */
void plan_add_extra(struct plan *p, struct plan_extra **list, const char *key,
		const char *json, size_t jsonlen);
char *plan_strndup(struct plan *p, const char *s, size_t len);
const char **plan_new_list(struct plan *p, size_t n);
/* Sets depth, parent links and counts once the tree is built. */
void plan_finish(struct plan *p);
/* Appends s as a JSON string literal (invalid UTF-8 becomes U+FFFD). */
void plan_json_quote(struct strbuf *sb, const char *s, size_t len);

/* ---- the readers, which plan_parse() chooses between ---- */

struct plan *plan_parse_text(const char *body, size_t len, char *err, size_t errlen);
struct plan *plan_parse_json(const char *body, size_t len, char *err, size_t errlen);

/* ---- plan_fields.c: the JSON keys the model has a field for ---- */

enum plan_field_kind { PF_STR, PF_NUM, PF_I64, PF_INT, PF_BOOL, PF_TRI, PF_LIST, PF_SKIP };

struct plan_field {
	const char *key;
	enum plan_field_kind kind;
	long off;               /* of the value in struct plan_node */
	long flag, flag2;       /* of bools set when the key is seen, or -1;
	                           for a list, flag is where its length goes */
};

/* The field that key is read into, or NULL when it is not one. */
const struct plan_field *plan_field_find(const char *key);
/* True for the keys the JSON reader reads into fields or structure. */
bool plan_json_reserved(const char *key);

/* ---- the text form (plan_text_props.c) ---- */

/* Reads a property line (indentation removed; changed in place) of a node
 * or worker into n; sets *io_split when it names shared and local I/O
 * timings apart (PostgreSQL 17 on). Lines it does not know are kept as
 * extras, or ignored when they are not "Label: value". */
void plan_text_property(struct plan *p, struct plan_node *n, char *line, bool *io_split);
/* Reads a line after the plan tree: a trigger, "Planning Time: ...",
 * "Settings: ...". */
void plan_text_plan_line(struct plan *p, char *line);
/* Reads a line of the plan's "JIT:" block ("Functions: 5", "Options: ...",
 * "Timing: ...") into p->jit. */
void plan_text_jit_line(struct plan *p, const char *line);
/* Reads "time=1.0..2.0 rows=5 loops=1" (time= only with timing) ending in
 * close into n; false when it does not read that way. */
bool plan_text_actual(const char *s, char close, struct plan_node *n);

/* ---- small string helpers of both text readers ---- */

static inline bool pt_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* s starts with word, followed by the end or a space: the rest, or NULL. */
static inline const char *pt_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(s, w, n) != 0 || (s[n] != '\0' && s[n] != ' '))
		return NULL;
	return s + n;
}

/* A decimal number as EXPLAIN prints it; *pp moves past it. */
static inline bool pt_number(const char **pp, double *out)
{
	const char *p = *pp;
	if (!isdigit((unsigned char)*p) && !(*p == '-' && isdigit((unsigned char)p[1])))
		return false;
	char *end;
	*out = strtod(p, &end);
	*pp = end;
	return true;
}

static inline const char *pt_rfind(const char *s, const char *needle)
{
	const char *last = NULL;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		last = p;
	return last;
}

#endif
