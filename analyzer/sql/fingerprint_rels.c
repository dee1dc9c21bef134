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
 * A second parse per distinct statement to read the tree back would about
 * double the parse cost; instead one pass over the normalized text finds
 * the names that stand where a relation stands (after FROM, JOIN, INTO,
 * UPDATE, TABLE, ON, ... and after a comma of a FROM list) and mixes
 * those libpg_query shortened (a run of digits in the last part) or
 * dropped (after TEMP or TEMPORARY), schema-qualified as written, in
 * order of appearance. A statement without such a name gets 0: its
 * fingerprint stays libpg_query's. A name taken there by mistake (a
 * column after ON, a function after FROM) is one libpg_query hashes whole
 * already, so it can only split what is split anyway; an alias, which
 * libpg_query ignores, is never at such a place. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <xxhash.h>

#include "fingerprint_int.h"

#define MAX_DEPTH 64
#define NAME_MAX_LEN 256        /* three parts of NAMEDATALEN 64, and dots */

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || (c & 0x80);
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

static bool word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (word_is(w, n, *list))
			return true;
	return false;
}

/* Words after which a relation's name may come; those that open a list
 * ("FROM a, b", "TRUNCATE a, b", "INHERITS (a, b)") are in LIST_KEYS too.
 * The others are modifiers between the keyword and the name ("DELETE FROM
 * ONLY t", "CREATE TEMP TABLE IF NOT EXISTS t"). */
static const char *const REL_KEYS[] = {
	"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "ONLY", "USING", "LOCK",
	"TRUNCATE", "REFERENCES", "PARTITION", "OF", "ON", "VACUUM", "ANALYZE",
	"ANALYSE", "COPY", "CLUSTER", "VIEW", "SEQUENCE", "INDEX", "IF", "NOT",
	"EXISTS", "CONCURRENTLY", "VERBOSE", "FULL", "FREEZE", "INHERITS",
	"LATERAL", "TEMP", "TEMPORARY", "UNLOGGED", "MATERIALIZED", "FOREIGN",
	NULL
};
static const char *const LIST_KEYS[] = {
	"FROM", "USING", "LOCK", "TRUNCATE", "VACUUM", "ANALYZE", "ANALYSE",
	"INHERITS", NULL
};
/* Words that end a FROM list at their depth. */
static const char *const END_KEYS[] = {
	"WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "OFFSET",
	"FETCH", "FOR", "UNION", "INTERSECT", "EXCEPT", "RETURNING", "SET",
	"VALUES", "SELECT", "DO", "WITH", NULL
};

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

/* Reads the name (a.b.c, parts quoted or not) at s[*i]: unquoted parts
 * folded to lower case and quotes dropped, as the server reads them.
 * Leaves *i after it. */
static void read_name(const char *s, size_t len, size_t *i, struct name *nm)
{
	nm->len = 0;
	for (;;) {
		nm->digit_run = false;
		size_t k = *i;
		if (k < len && s[k] == '"') {
			for (k++; k < len; k++) {
				if (s[k] == '"') {
					if (k + 1 < len && s[k + 1] == '"')
						k++;        /* "" inside a quoted name */
					else
						break;
				}
				if (is_digit(s[k]) && k > 0 && is_digit(s[k - 1]))
					nm->digit_run = true;
				if (nm->len < NAME_MAX_LEN)
					nm->text[nm->len++] = s[k];
			}
			k++;
		} else {
			for (; k < len && word_char(s[k]); k++) {
				if (is_digit(s[k]) && k > *i && is_digit(s[k - 1]))
					nm->digit_run = true;
				if (nm->len < NAME_MAX_LEN)
					nm->text[nm->len++] = s[k] >= 'A' && s[k] <= 'Z' ?
						(char)(s[k] + 32) : s[k];
			}
		}
		*i = k;
		if (k + 1 < len && s[k] == '.' && (s[k + 1] == '"' || (word_char(s[k + 1]) &&
				s[k + 1] != '$'))) {
			if (nm->len < NAME_MAX_LEN)
				nm->text[nm->len++] = '.';
			*i = k + 1;
			continue;
		}
		return;
	}
}

uint64_t fp_relations_signature(const char *norm, size_t len)
{
	if (!may_need(norm, len))
		return 0;
	bool list[MAX_DEPTH] = { false };
	unsigned depth = 0;
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
			}
			i++;
			continue;
		}
		if (c == ')') {
			if (depth > 0)
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
			depth = 0;
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
			if (word_in(w, n, REL_KEYS)) {
				if (word_in(w, n, LIST_KEYS))
					list[depth] = true;
				if (word_is(w, n, "TEMP") || word_is(w, n, "TEMPORARY"))
					temp = true;
				expect = true;
				i = e;
				continue;
			}
			if (word_in(w, n, END_KEYS)) {
				list[depth] = false;
				expect = false;
				i = e;
				continue;
			}
		}
		first = false;
		struct name nm;
		read_name(norm, len, &i, &nm);
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
