/* stmt_kind.c: the kind of a normalized statement (see stmt_kind.h).
 *
 * Read from leading keywords rather than libpg_query's parse tree: the
 * writers classify every group once, texts that did not parse (cut short,
 * not PostgreSQL's) need a kind too, and the first words settle it for all
 * but WITH (whose main statement follows its CTEs) and INSERT / COPY
 * (bulk or not), which a scan at parenthesis depth 0 settles. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "stmt_kind.h"
#include "util.h"

static const char *const kind_names[] = {
#define X(id, name, label) name,
	STMT_KIND_LIST(X)
#undef X
};

static const char *const kind_labels[] = {
#define X(id, name, label) label,
	STMT_KIND_LIST(X)
#undef X
};

const char *stmt_kind_name(enum stmt_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "other";
}

const char *stmt_kind_label(enum stmt_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_labels) ? kind_labels[k] : "not recognised";
}

/* A token of a normalized text: a word, a "quoted identifier" or one
 * other byte. */
struct tok {
	const char *s;
	size_t len;
	bool word;
};

/* The token at *p (advanced past it), within [.., end); false at the end. */
static bool next_tok(const char **p, const char *end, struct tok *t)
{
	const char *s = *p;
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s >= end)
		return false;
	t->s = s;
	t->word = false;
	if (isalpha((unsigned char)*s) || *s == '_') {
		while (s < end && (isalnum((unsigned char)*s) || *s == '_' || *s == '$'))
			s++;
		t->word = true;
	} else if (*s == '"') {
		for (s++; s < end; s++)
			if (*s == '"') {
				if (s + 1 < end && s[1] == '"')
					s++;
				else
					break;
			}
		if (s < end)
			s++;
	} else {
		s++;
	}
	t->len = (size_t)(s - t->s);
	*p = s;
	return true;
}

static bool is(const struct tok *t, const char *kw)
{
	return t->word && t->len == strlen(kw) && strncasecmp(t->s, kw, t->len) == 0;
}

static bool is_any(const struct tok *t, const char *const *kws)
{
	for (; *kws; kws++)
		if (is(t, *kws))
			return true;
	return false;
}

/* Whether w (upper case) is somewhere in [p, end), as any case: a byte
 * scan that spares the tokenizer the texts without it (most of them; on
 * 20,000 ORM statements of 1 KB the tokenizer alone cost 12% of a run). */
static bool has_text(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);
	for (; p + n <= end; p++)
		if ((*p & ~0x20) == *w && strncasecmp(p, w, n) == 0)
			return true;
	return false;
}

/* Whether a word of kws comes at depth 0 in [p, end). */
static bool has_top_word(const char *p, const char *end, const char *const *kws)
{
	struct tok t;
	bool any = false;
	for (const char *const *k = kws; *k && !any; k++)
		any = has_text(p, end, *k);
	if (!any)
		return false;
	int depth = 0;
	while (next_tok(&p, end, &t)) {
		if (t.len == 1 && *t.s == '(')
			depth++;
		else if (t.len == 1 && *t.s == ')')
			depth--;
		else if (depth == 0 && is_any(&t, kws))
			return true;
	}
	return false;
}

size_t stmt_first_len(const char *sql)
{
	const char *semi = strchr(sql, ';');
	if (!semi)
		return strlen(sql);     /* most texts: one statement */
	const char *p = sql, *end = semi + strlen(semi);
	struct tok t;
	int depth = 0;
	while (next_tok(&p, end, &t)) {
		if (t.len != 1)
			continue;
		if (*t.s == '(')
			depth++;
		else if (*t.s == ')')
			depth--;
		else if (*t.s == ';' && depth <= 0)
			return (size_t)(t.s - sql);
	}
	return (size_t)(end - sql);
}

static const char *const kw_maintenance[] = { "VACUUM", "ANALYZE", "ANALYSE",
	"CHECKPOINT", "REINDEX", "CLUSTER", "REFRESH", NULL };
static const char *const kw_ddl[] = { "ALTER", "DROP", "COMMENT", "GRANT",
	"REVOKE", "SECURITY", "IMPORT", "REASSIGN", "RENAME", NULL };
static const char *const kw_transaction[] = { "BEGIN", "START", "COMMIT",
	"END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", NULL };
static const char *const kw_utility[] = { "SET", "RESET", "SHOW", "DISCARD",
	"LISTEN", "UNLISTEN", "NOTIFY", "LOCK", "DECLARE", "FETCH", "MOVE",
	"CLOSE", "EXECUTE", "DEALLOCATE", "EXPLAIN", "DO", "CALL", "LOAD", NULL };
static const char *const kw_write[] = { "INSERT", "UPDATE", "DELETE",
	"MERGE", "TRUNCATE", NULL };
static const char *const kw_main[] = { "SELECT", "INSERT", "UPDATE", "DELETE",
	"MERGE", "VALUES", "TABLE", NULL };

/* The kind of the statement in [p, end), the main one of a WITH. */
static enum stmt_kind kind_one(const char *p, const char *end, bool *bulk)
{
	struct tok t = { 0 };
	bool any;
	*bulk = false;
	while ((any = next_tok(&p, end, &t)) && t.len == 1 && *t.s == '(')
		;                       /* "(SELECT ...) UNION ..." */
	if (!any)
		return SK_OTHER;
	if (is(&t, "WITH")) {
		/* The main statement: the first statement word at depth 0. */
		int depth = 0;
		while (next_tok(&p, end, &t)) {
			if (t.len == 1 && *t.s == '(')
				depth++;
			else if (t.len == 1 && *t.s == ')')
				depth--;
			else if (depth == 0 && is_any(&t, kw_main))
				break;
		}
		if (!t.word || !is_any(&t, kw_main))
			return SK_READ;
	}
	/* SELECT ... INTO new_table (rare; CREATE TABLE AS says it) is
	 * taken for a read: looking for INTO in every SELECT cost 2% of a
	 * run on 20,000 ORM statements. */
	if (is(&t, "SELECT") || is(&t, "VALUES") || is(&t, "TABLE"))
		return SK_READ;
	if (is(&t, "INSERT")) {
		static const char *const sel[] = { "SELECT", NULL };
		*bulk = has_top_word(p, end, sel);
		return SK_WRITE;
	}
	if (is(&t, "COPY")) {
		static const char *const from[] = { "FROM", NULL };
		*bulk = has_top_word(p, end, from);
		return *bulk ? SK_WRITE : SK_READ;
	}
	if (is_any(&t, kw_write))
		return SK_WRITE;
	if (is(&t, "CREATE")) {
		/* CREATE [UNIQUE] INDEX is maintenance; CREATE TABLE ... AS a
		 * bulk load. */
		struct tok u;
		const char *q = p;
		while (next_tok(&q, end, &u) && u.word) {
			if (is(&u, "INDEX"))
				return SK_MAINTENANCE;
			if (is(&u, "TABLE")) {
				static const char *const as[] = { "AS", NULL };
				*bulk = has_top_word(q, end, as);
				break;
			}
			if (!is(&u, "UNIQUE") && !is(&u, "OR") && !is(&u, "REPLACE") &&
					!is(&u, "TEMP") && !is(&u, "TEMPORARY") &&
					!is(&u, "UNLOGGED") && !is(&u, "GLOBAL") && !is(&u, "LOCAL"))
				break;
		}
		return SK_DDL;
	}
	if (is_any(&t, kw_maintenance))
		return SK_MAINTENANCE;
	if (is_any(&t, kw_ddl))
		return SK_DDL;
	if (is(&t, "PREPARE")) {
		struct tok u;
		const char *q = p;
		return next_tok(&q, end, &u) && is(&u, "TRANSACTION") ?
			SK_TRANSACTION : SK_UTILITY;
	}
	if (is_any(&t, kw_transaction))
		return SK_TRANSACTION;
	if (is_any(&t, kw_utility))
		return SK_UTILITY;
	return SK_OTHER;
}

enum stmt_kind stmt_kind_of(const char *sql, bool *bulk)
{
	bool b = false, first_bulk = false;
	enum stmt_kind first = SK_OTHER;
	const char *p = sql ? sql : "";
	for (bool at_first = true; *p; at_first = false) {
		size_t n = stmt_first_len(p);
		enum stmt_kind k = kind_one(p, p + n, &b);
		if (at_first) {
			first = k;
			first_bulk = b;
		}
		/* "SET application_name = $1; UPDATE ...": the UPDATE's. */
		if (k != SK_TRANSACTION && k != SK_UTILITY && k != SK_OTHER) {
			if (bulk)
				*bulk = b;
			return k;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	if (bulk)
		*bulk = first_bulk;
	return first;
}

bool stmt_kind_one_off(enum stmt_kind k, bool bulk, uint64_t calls)
{
	return k == SK_MAINTENANCE || k == SK_DDL || (bulk && calls <= 1);
}
