/* report_load_int.h: what report_load*.c share; nothing else includes it. */
#ifndef PGSIFT_REPORT_LOAD_INT_H
#define PGSIFT_REPORT_LOAD_INT_H

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "analysis.h"
#include "strbuf.h"

/* Reads every group of a saved report into a->agg and sets a->groups
 * (in the saved order) and a->ngroups. False when a group has no valid
 * fingerprint. */
bool rl_load_groups(struct analysis *a, const json_t *groups);
/* a's inputs from the report's "inputs" array, once (a no-op when a has
 * them): read before the groups, whose examples name their places in
 * them ("path:line"). */
void rl_load_inputs(struct analysis *a, const json_t *inputs);
/* Sets a->groups to order (n groups read in the saved order) when no two
 * saved groups were merged, else to the agg's order; order stays the
 * caller's. */
void rl_groups_order(struct analysis *a, struct group **order, size_t n);
/* report_load_json() for a model whose groups are read already (pre,
 * owned: freed on an error); root's "groups" is then not read again. */
struct analysis *rl_load_root(const json_t *root, const char *origin, char **err,
		struct analysis *pre);

/* A group's examples left in the file (checked JSON, not read): their
 * array's offset and length; a group saved twice has two. */
struct rl_example_span {
	struct group *g;
	size_t off, len;
	bool done;
};

struct rl_spans {
	struct rl_example_span *v;
	size_t n, cap;
};

/* The fast path of report_load() (report_load_scan.c) on the whole text
 * (len bytes): the model, or NULL with a message in *err (as
 * report_load_json() gives), or NULL with *unsure when the text holds
 * anything it leaves to jansson (invalid JSON included). With later, the
 * groups' examples are checked but left in the text, their spans added
 * to later (in the saved order). With mapped, text is a private file
 * mapping (page-aligned) whose pages it gives back (MADV_DONTNEED) once
 * read, so that they stop counting in memory. */
struct analysis *rl_scan_report(const char *text, size_t len, const char *origin,
		char **err, bool *unsure, bool mapped, struct rl_spans *later);
/* The scan itself (report_load_scan.c): the groups into *groups_out and every
 * other top-level member into *rest, for rl_load_root(); false when the
 * text holds anything left to jansson. Both are set either way, for the
 * caller to free. */
bool rl_scan_document(const char *text, size_t len, bool mapped,
		struct rl_spans *later, struct analysis **groups_out, json_t **rest);
/* Reads the examples array in text (len bytes, from a span of later)
 * into g, as the fast path would have; false when it is not what the
 * scan found there (the file changed). */
bool rl_scan_examples(const char *text, size_t len, struct analysis *a, struct group *g);

/* ---- JSON tokens as jansson reads them (report_load_tok.c) ---- */

/* jansson's JSON_PARSER_MAX_DEPTH is 2048: past this, let it decide. */
#define RL_SCAN_MAX_DEPTH 512

struct rl_scan {
	const char *p, *end;
	const char *base;               /* the text's start */
	struct rl_spans *later;         /* examples left in the file, or NULL: read them */
	const char *released;   /* a mapping's pages before this are given back; else NULL */
	struct strbuf tmp;      /* decoded strings of the current group, each NUL-ended */
	int depth;
};

/* A scalar member as read: what rl_uint, rl_num, rl_str, rl_ts and
 * rl_bool see in the jansson value. */
struct rl_val {
	char type;              /* 0 absent, 's' string, 'i' integer, 'r' real, 't' true, 'o' other */
	size_t off;             /* 's': offset of the text in tmp */
	long long i;
	double d;
};

static inline void rl_skip_ws(struct rl_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static inline bool rl_take(struct rl_scan *s, char c)
{
	rl_skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

static inline bool rl_at(const struct rl_scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

/* A string at s->p (its opening quote) decoded into tmp, NUL-ended; its
 * offset in *off. False for anything left to jansson. */
bool rl_scan_string(struct rl_scan *s, size_t *off);
/* Object members: call with *first true at '{' (consumed here); returns 1
 * with the key's offset in tmp and s->p at the value, 0 at the end, -1
 * on what is left to jansson. */
int rl_next_member(struct rl_scan *s, bool *first, size_t *key);
/* Array elements, like rl_next_member. */
int rl_next_element(struct rl_scan *s, bool *first);
/* Any value (s->p at it): a scalar into *v, an object or array checked
 * and passed over (type 'o'). */
bool rl_scan_value(struct rl_scan *s, struct rl_val *v);
/* Any value checked and passed over, its strings not kept. */
bool rl_skip_value(struct rl_scan *s);
/* Index of the key decoded at off among names[0..n), n when none; the
 * search starts at *hint, after the last key found. */
size_t rl_find_key(const struct rl_scan *s, size_t off, const char *const *names,
		size_t n, size_t *hint);
/* Reads the members named in keys (NULL-ended) of the object at s->p
 * into vals, others passed over; a value that is not an object leaves
 * them absent, as json_object_get on it would. False on a duplicate. */
bool rl_scan_flat(struct rl_scan *s, const char *const *keys, struct rl_val *vals);

/* The values as rl_uint, rl_num, rl_str and rl_ts read them. */
static inline const char *rl_v_str(const struct rl_scan *s, const struct rl_val *v)
{
	return v->type == 's' ? s->tmp.buf + v->off : NULL;
}

static inline double rl_v_num(const struct rl_val *v)
{
	return v->type == 'i' ? (double)v->i : v->type == 'r' ? v->d : NAN;
}

static inline double rl_v_num0(const struct rl_val *v)
{
	double d = rl_v_num(v);
	return isnan(d) ? 0 : d;
}

static inline uint64_t rl_v_uint(const struct rl_val *v)
{
	if (v->type == 'i')
		return v->i > 0 ? (uint64_t)v->i : 0;
	if (v->type == 'r' && v->d > 0)
		return v->d < 18446744073709551616.0 ? (uint64_t)v->d : UINT64_MAX;
	return 0;
}

int64_t rl_v_ts(const struct rl_scan *s, const struct rl_val *v);

/* Whether the key decoded at off in tmp is name. */
static inline bool rl_key_is(const struct rl_scan *s, size_t off, const char *name)
{
	return strcmp(s->tmp.buf + off, name) == 0;
}

#endif
