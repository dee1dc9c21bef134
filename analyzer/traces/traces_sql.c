/* traces_sql.c: SQL as SDKs report it, made to fingerprint like the
 * statement the server logs (see traces_sql_unscrub in traces.h).
 *
 * fp_normalize knows $n, not the drivers' placeholders: "id = %s" would
 * keep "% s" and "id = ?" a bare "?", and neither parses, so the span's
 * group would never meet the log's. A `?` is also PostgreSQL's jsonb
 * "has key" operator: it is a placeholder only where a value is expected
 * (after an operator, a comma, an opening parenthesis or a keyword such as
 * LIMIT), and never when | or & follows. MySQL backquoted identifiers
 * (Django and Rails on MySQL) become "quoted" ones so that the text
 * parses. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "traces.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Keywords after which a value comes. */
static bool value_keyword(const char *w, size_t n)
{
	static const char *const kw[] = {
		"LIMIT", "OFFSET", "IN", "AND", "OR", "NOT", "WHERE", "SELECT",
		"THEN", "ELSE", "WHEN", "BY", "VALUES", "SET", "IS", "LIKE",
		"ILIKE", "BETWEEN", "RETURNING", "ON", "CASE", "FETCH", "FIRST",
		"NEXT", "ANY", "ALL", "HAVING", "DISTINCT", "TO",
	};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i]) == n && strncasecmp(kw[i], w, n) == 0)
			return true;
	return false;
}

/* True when what out holds so far ends where a value is expected. */
static bool value_expected(const struct strbuf *out)
{
	size_t i = out->len;
	while (i && (out->buf[i - 1] == ' ' || out->buf[i - 1] == '\n'
			|| out->buf[i - 1] == '\t' || out->buf[i - 1] == '\r'))
		i--;
	if (i == 0)
		return true;
	char c = out->buf[i - 1];
	if (strchr("=<>(,+-*/%[|", c))
		return true;
	if (!ident_char(c))
		return false;
	size_t end = i;
	while (i && ident_char(out->buf[i - 1]))
		i--;
	return value_keyword(out->buf + i, end - i);
}

static void put_param(struct strbuf *out, unsigned *n)
{
	char tmp[16];
	int k = snprintf(tmp, sizeof(tmp), "$%u", ++*n);
	sb_append(out, tmp, (size_t)k);
}

/* Copies a quoted run from s[i] (the opening quote) through its closing
 * quote (doubled quotes stay inside); returns the index after it. */
static size_t copy_quoted(const char *s, size_t len, size_t i, char q,
		char as, struct strbuf *out)
{
	sb_putc(out, as);
	for (i++; i < len; i++) {
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				sb_putc(out, as == q ? q : s[i]);
				sb_putc(out, s[++i]);
				continue;
			}
			sb_putc(out, as);
			return i + 1;
		}
		if (q == '\'' && s[i] == '\\' && i + 1 < len) {
			sb_putc(out, s[i++]);   /* MySQL escapes; kept as written */
		}
		sb_putc(out, s[i]);
	}
	return i;
}

void traces_sql_unscrub(const char *sql, size_t len, struct strbuf *out)
{
	unsigned n = 0;
	sb_reset(out);
	sb_grow(out, len + 16);
	for (size_t i = 0; i < len;) {
		char c = sql[i];
		if (c == '\'' || c == '"') {
			i = copy_quoted(sql, len, i, c, c, out);
		} else if (c == '`') {
			i = copy_quoted(sql, len, i, '`', '"', out);
		} else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
			const char *nl = memchr(sql + i, '\n', len - i);
			size_t e = nl ? (size_t)(nl - sql) : len;
			sb_append(out, sql + i, e - i);
			i = e;
		} else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
			const char *e = memmem(sql + i + 2, len - i - 2, "*/", 2);
			size_t end = e ? (size_t)(e - sql) + 2 : len;
			sb_append(out, sql + i, end - i);
			i = end;
		} else if (c == '%' && i + 1 < len && sql[i + 1] == 's'
				&& (i + 2 >= len || !ident_char(sql[i + 2]))) {
			put_param(out, &n);
			i += 2;
		} else if (c == '%' && i + 1 < len && sql[i + 1] == '(') {
			const char *close = memchr(sql + i, ')', len - i);
			size_t k = close ? (size_t)(close - sql) : len;
			if (k + 1 < len && sql[k + 1] == 's') {
				put_param(out, &n);
				i = k + 2;
			} else {
				sb_putc(out, c);
				i++;
			}
		} else if (c == '?' && !(i + 1 < len && (sql[i + 1] == '|' || sql[i + 1] == '&'))
				&& value_expected(out)) {
			put_param(out, &n);
			i++;
		} else {
			sb_putc(out, c);
			i++;
		}
	}
}
