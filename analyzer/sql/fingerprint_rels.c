/* fingerprint_rels.c: the relation names libpg_query's fingerprint leaves
 * out, so that statements on different tables never share a group.
 *
 * libpg_query (15-4.0, src/pg_query_fingerprint_defs.c, RangeVar) hashes
 * a relation's name with every run of two or more digits removed, so that
 * t_11, t_12 and t_123 (and orders_2024, orders_2025) are all "t_" and
 * "orders_", and it leaves the name out altogether for a temporary
 * relation (relpersistence 't'). Schema and catalog names, column
 * references, functions and types it hashes whole. pg_stat_statements
 * keeps those statements apart (its queryid hashes relation OIDs), and a
 * report that merges them cannot be joined with it.
 *
 * Reading the names back from libpg_query's tree would parse each
 * distinct statement twice (pg_query_fingerprint's parse is 71% of the
 * instructions on the bench's high-cardinality log); instead one pass over
 * the normalized text, about 3% of that parse, finds the names that stand
 * where a relation stands (after FROM, JOIN, INTO, UPDATE, TABLE, ON, ...
 * and after a comma of a FROM list) and mixes those libpg_query shortened
 * (a run of digits in the last part) or dropped (after TEMP or TEMPORARY),
 * schema-qualified as written, in order of appearance. A statement
 * without such a name gets 0: its fingerprint stays libpg_query's. A name
 * taken there by mistake (a column after ON, a function after FROM) is
 * one libpg_query hashes whole already, so it can only split what is
 * split anyway; an alias, which libpg_query ignores, is never at such a
 * place. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <xxhash.h>

#include "fingerprint_int.h"

#define MAX_DEPTH 64
#define PART_MAX 63             /* the server cuts a name there (NAMEDATALEN - 1) */
#define NAME_MAX_LEN 256        /* three parts and their dots, and more */

/* Letters, digits, '_', '$' and every byte of a multibyte character: a
 * table, because this pass reads every byte of every distinct statement. */
#define ONES16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char WORD[256] = {
	['$'] = 1, ['_'] = 1,
	['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['A'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['a'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x80] = ONES16, ONES16, ONES16, ONES16, ONES16, ONES16, ONES16, ONES16,
};
#undef ONES16

static bool word_char(char c)
{
	return WORD[(unsigned char)c];
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool word_is(const char *w, size_t n, const char *upper)
{
	size_t k = 0;
	for (; k < n && upper[k]; k++)
		if ((w[k] >= 'a' && w[k] <= 'z' ? w[k] - 32 : w[k]) != upper[k])
			return false;
	return k == n && upper[k] == '\0';
}

enum kw { KW_NONE, KW_REL, KW_LIST, KW_TEMP, KW_END };

struct keyword {
	const char *word;
	enum kw kind;
};

/* Words after which a relation's name may come (KW_REL); those that open
 * a list ("FROM a, b", "TRUNCATE a, b", "INHERITS (a, b)") are KW_LIST;
 * the others are modifiers between the keyword and the name ("DELETE FROM
 * ONLY t", "CREATE TEMP TABLE IF NOT EXISTS t"). KW_END words end a FROM
 * list at their depth. Looked up by first letter. */
#define K(w, k) { w, KW_##k }
static const struct keyword KW_A[] = { K("ANALYZE", LIST), K("ANALYSE", LIST), { 0 } };
static const struct keyword KW_C[] = { K("COPY", REL), K("CLUSTER", REL),
	K("CONCURRENTLY", REL), { 0 } };
static const struct keyword KW_D[] = { K("DO", END), { 0 } };
static const struct keyword KW_E[] = { K("EXISTS", REL), K("EXCEPT", END), { 0 } };
static const struct keyword KW_F[] = { K("FROM", LIST), K("FULL", REL), K("FREEZE", REL),
	K("FOREIGN", REL), K("FETCH", END), K("FOR", END), { 0 } };
static const struct keyword KW_G[] = { K("GROUP", END), { 0 } };
static const struct keyword KW_H[] = { K("HAVING", END), { 0 } };
static const struct keyword KW_I[] = { K("INTO", REL), K("INDEX", REL), K("IF", REL),
	K("INHERITS", LIST), K("INTERSECT", END), { 0 } };
static const struct keyword KW_J[] = { K("JOIN", REL), { 0 } };
static const struct keyword KW_L[] = { K("LOCK", LIST), K("LATERAL", REL), K("LIMIT", END), { 0 } };
static const struct keyword KW_M[] = { K("MATERIALIZED", REL), { 0 } };
static const struct keyword KW_N[] = { K("NOT", REL), { 0 } };
static const struct keyword KW_O[] = { K("ON", REL), K("ONLY", REL), K("OF", REL),
	K("ORDER", END), K("OFFSET", END), { 0 } };
static const struct keyword KW_P[] = { K("PARTITION", REL), { 0 } };
static const struct keyword KW_R[] = { K("REFERENCES", REL), K("RETURNING", END), { 0 } };
static const struct keyword KW_S[] = { K("SELECT", END), K("SET", END), K("SEQUENCE", REL), { 0 } };
static const struct keyword KW_T[] = { K("TABLE", REL), K("TRUNCATE", LIST), K("TEMP", TEMP),
	K("TEMPORARY", TEMP), { 0 } };
static const struct keyword KW_U[] = { K("UPDATE", REL), K("USING", LIST), K("UNLOGGED", REL),
	K("UNION", END), { 0 } };
static const struct keyword KW_V[] = { K("VACUUM", LIST), K("VIEW", REL), K("VERBOSE", REL),
	K("VALUES", END), { 0 } };
static const struct keyword KW_W[] = { K("WHERE", END), K("WINDOW", END), K("WITH", END), { 0 } };
#undef K
static const struct keyword *const BY_LETTER[26] = {
	KW_A, NULL, KW_C, KW_D, KW_E, KW_F, KW_G, KW_H, KW_I, KW_J, NULL, KW_L, KW_M,
	KW_N, KW_O, KW_P, NULL, KW_R, KW_S, KW_T, KW_U, KW_V, KW_W, NULL, NULL, NULL,
};

static enum kw keyword(const char *w, size_t n)
{
	if (n < 2 || n > 12)
		return KW_NONE;
	char c = w[0] >= 'a' && w[0] <= 'z' ? (char)(w[0] - 32) : w[0];
	if (c < 'A' || c > 'Z' || !BY_LETTER[c - 'A'])
		return KW_NONE;
	for (const struct keyword *k = BY_LETTER[c - 'A']; k->word; k++)
		if (word_is(w, n, k->word))
			return k->kind;
	return KW_NONE;
}

/* Cheap test first: most statements name no relation libpg_query cuts
 * short, and then the pass below is not needed. True when a quoted name,
 * or a word that does not start with a digit or '$', holds two digits in
 * a row, or a word starts with TEMP. */
static bool may_need(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (is_digit(s[i]) && is_digit(s[i - 1]))
					return true;
			continue;
		}
		if (!word_char(s[i]) || (i > 0 && word_char(s[i - 1])))
			continue;
		if (is_digit(s[i]) || s[i] == '$') {
			while (i + 1 < len && word_char(s[i + 1]))
				i++;
			continue;
		}
		if (i + 4 <= len && word_is(s + i, 4, "TEMP"))
			return true;
		for (i++; i < len && word_char(s[i]); i++)
			if (is_digit(s[i]) && is_digit(s[i - 1]))
				return true;
		i--;
	}
	return false;
}

struct name {
	char text[NAME_MAX_LEN];
	size_t len;
	bool digit_run;         /* in the last part */
};

/* Reads the name (a.b.c, parts quoted or not) at s[*i] into nm when keep:
 * unquoted parts folded to lower case and quotes dropped, as the server
 * reads them. Leaves *i after it. Most names are not kept (they stand
 * where no relation does), and only skipped: copying them all cost 12 M
 * instructions per 1,000 statements of the bench's high-cardinality log. */
static void read_name(const char *s, size_t len, size_t *i, struct name *nm, bool keep)
{
	nm->len = 0;
	for (;;) {
		nm->digit_run = false;
		size_t k = *i, part = nm->len;
		if (k < len && s[k] == '"' && !keep) {
			for (;;) {      /* to the closing quote, "" inside skipped */
				const char *q = memchr(s + k + 1, '"', len - k - 1);
				k = q ? (size_t)(q - s) + 1 : len;
				if (k >= len || s[k] != '"')
					break;
			}
		} else if (k < len && s[k] == '"') {
			for (k++; k < len; k++) {
				if (s[k] == '"') {
					if (k + 1 < len && s[k + 1] == '"')
						k++;        /* "" inside a quoted name */
					else
						break;
				}
				if (is_digit(s[k]) && is_digit(s[k - 1]))
					nm->digit_run = true;
				if (nm->len - part < PART_MAX && nm->len < NAME_MAX_LEN)
					nm->text[nm->len++] = s[k];
			}
			k++;
		} else if (!keep) {
			while (k < len && word_char(s[k]))
				k++;
		} else {
			for (; k < len && word_char(s[k]); k++) {
				if (is_digit(s[k]) && k > *i && is_digit(s[k - 1]))
					nm->digit_run = true;
				if (nm->len - part < PART_MAX && nm->len < NAME_MAX_LEN)
					nm->text[nm->len++] = s[k] >= 'A' && s[k] <= 'Z' ?
						(char)(s[k] + 32) : s[k];
			}
		}
		*i = k;
		if (k + 1 < len && s[k] == '.' && (s[k + 1] == '"' || (word_char(s[k + 1]) &&
				s[k + 1] != '$'))) {
			if (keep && nm->len < NAME_MAX_LEN)
				nm->text[nm->len++] = '.';
			*i = k + 1;
			continue;
		}
		return;
	}
}

/* Whether the word after s[at] (spaces skipped) is TABLE, VIEW, SEQUENCE
 * or RECURSIVE: "CREATE TEMP TABLE t", not "SELECT temp FROM t". */
static bool before_relation_kind(const char *s, size_t len, size_t at)
{
	while (at < len && s[at] == ' ')
		at++;
	size_t e = at;
	while (e < len && word_char(s[e]))
		e++;
	return word_is(s + at, e - at, "TABLE") || word_is(s + at, e - at, "VIEW") ||
		word_is(s + at, e - at, "SEQUENCE") || word_is(s + at, e - at, "RECURSIVE");
}

uint64_t fp_relations_signature(const char *norm, size_t len)
{
	if (!may_need(norm, len))
		return 0;
	bool list[MAX_DEPTH] = { false };
	unsigned depth = 0, beyond = 0;        /* beyond: levels past MAX_DEPTH */
	bool expect = false, temp = false, first = true;
	uint64_t sig = 0;
	size_t i = 0;
	while (i < len) {
		char c = norm[i];
		if (c == '\'') {        /* a literal the normalizer left */
			for (i++; i < len && norm[i] != '\''; i++)
				;
			i++;
			continue;
		}
		if (c == '(') {
			if (depth + 1 < MAX_DEPTH) {
				depth++;
				/* "FROM (a JOIN b ...)", "INHERITS (a, b)": names
				 * inside; a subquery's SELECT clears it. */
				list[depth] = expect;
			} else {
				beyond++;
			}
			i++;
			continue;
		}
		if (c == ')') {
			if (beyond > 0)
				beyond--;
			else if (depth > 0)
				depth--;
			expect = false;
			i++;
			continue;
		}
		if (c == ',') {
			expect = list[depth];
			i++;
			continue;
		}
		if (c == ';') {
			memset(list, 0, sizeof(list));
			depth = beyond = 0;
			expect = temp = false;
			first = true;
			i++;
			continue;
		}
		if (c != '"' && (!word_char(c) || is_digit(c) || c == '$')) {
			if (word_char(c))       /* a number or $n */
				while (i < len && word_char(norm[i]))
					i++;
			else
				i++;
			continue;
		}
		size_t start = i;
		if (c != '"') {
			size_t e = i;
			while (e < len && word_char(norm[e]))
				e++;
			const char *w = norm + start;
			size_t n = e - start;
			if (first && (word_is(w, n, "FETCH") || word_is(w, n, "MOVE")))
				return 0;       /* a cursor's name, which libpg_query ignores */
			first = false;
			enum kw kind = keyword(w, n);
			if (kind == KW_TEMP && !expect && !before_relation_kind(norm, len, e))
				kind = KW_NONE;         /* a column named temp */
			if (kind == KW_END) {
				list[depth] = false;
				expect = false;
				i = e;
				continue;
			}
			if (kind != KW_NONE) {
				if (kind == KW_LIST)
					list[depth] = true;
				if (kind == KW_TEMP)
					temp = true;
				expect = true;
				i = e;
				continue;
			}
		}
		first = false;
		struct name nm;
		read_name(norm, len, &i, &nm, expect);
		if (expect && (nm.digit_run || temp)) {
			uint64_t h = XXH3_64bits(nm.text, nm.len);
			sig = (sig + h) * 0x100000001b3ULL;
		}
		if (expect)
			temp = false;
		expect = false;
	}
	if (!sig)
		return 0;
	/* splitmix64's finalizer, as for the set operations */
	sig += 0x9e3779b97f4a7c15ULL;
	sig = (sig ^ (sig >> 30)) * 0xbf58476d1ce4e5b9ULL;
	sig = (sig ^ (sig >> 27)) * 0x94d049bb133111ebULL;
	return sig ^ (sig >> 31);
}
