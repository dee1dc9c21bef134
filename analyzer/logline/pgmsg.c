/* pgmsg.c: statement messages of PostgreSQL logs (see pgmsg.h). */
#include <jansson.h>
#include <string.h>

#include "pgmsg.h"
#include "pgmsg_int.h"

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t len, const char *lit, size_t n)
{
	return len >= n && memcmp(p, lit, n) == 0;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* (double)v, through a signed conversion when it fits: x86-64 has no
 * unsigned one, and both round the same integer the same way. */
static inline double to_double(uint64_t v)
{
	return v < (1ull << 63) ? (double)(int64_t)v : (double)v;
}

size_t pgmsg_parse_ms(const char *s, size_t len, double *ms)
{
	size_t i = 0;
	uint64_t whole = 0, frac = 0, scale = 1;
	while (i < len && is_digit(s[i]))
		whole = whole * 10 + (uint64_t)(s[i++] - '0');
	if (i == 0)
		return 0;
	/* The server writes milliseconds with three decimals: read those at
	 * once (the loop below gives the same frac and scale). */
	if (i + 4 <= len && s[i] == '.' && is_digit(s[i + 1]) && is_digit(s[i + 2])
			&& is_digit(s[i + 3]) && (i + 4 == len || !is_digit(s[i + 4]))) {
		frac = (uint64_t)((s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10
			+ (s[i + 3] - '0'));
		*ms = to_double(whole) + (double)(int64_t)frac / 1000.0;
		return i + 4;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && is_digit(s[i])) {
			if (scale < 1000000000ull) {
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				scale *= 10;
			}
			i++;
		}
	}
	*ms = to_double(whole) + to_double(frac) / to_double(scale);
	return i;
}

/* After "execute " / "parse " / "bind ": skips "NAME: " (the statement
 * name may be "<unnamed>" or "S_1/C_2"); returns the text after it. */
static bool skip_stmt_name(const char **p, size_t *len)
{
	const char *colon = memchr(*p, ':', *len);
	if (!colon || (size_t)(colon - *p) + 1 >= *len || colon[1] != ' ')
		return false;
	size_t used = (size_t)(colon - *p) + 2;
	*p += used;
	*len -= used;
	return true;
}

static void parse_statement_part(const char *p, size_t len, struct pgmsg *m)
{
	if (starts(p, len, LIT("statement: "))) {
		m->kind = MSG_STATEMENT;
		m->text = slice_make(p + 11, len - 11);
	} else if (starts(p, len, LIT("execute "))) {
		p += 8;
		len -= 8;
		if (starts(p, len, LIT("fetch from "))) {
			p += 11;
			len -= 11;
		}
		if (skip_stmt_name(&p, &len)) {
			m->kind = MSG_EXECUTE;
			m->text = slice_make(p, len);
		}
	} else if (starts(p, len, LIT("parse ")) || starts(p, len, LIT("bind "))) {
		size_t skip = p[0] == 'p' ? 6 : 5;
		p += skip;
		len -= skip;
		if (skip_stmt_name(&p, &len)) {
			m->kind = MSG_PREPARE;
			m->text = slice_make(p, len);
		}
	}
}

void pgmsg_parse(const struct log_entry *e, struct pgmsg *m)
{
	memset(m, 0, sizeof(*m));
	m->text = SLICE_EMPTY;  /* never a NULL pointer, even when empty */
	const char *p = e->message.ptr;
	size_t len = e->message.len;

	if (e->severity == SEV_DETAIL) {
		if (starts(p, len, LIT("parameters: "))) {
			m->kind = MSG_PARAMS;
			m->text = slice_make(p + 12, len - 12);
		}
		return;
	}
	if (e->severity != SEV_LOG)
		return;
	if (starts(p, len, LIT("duration: "))) {
		size_t n = pgmsg_parse_ms(p + 10, len - 10, &m->duration_ms);
		if (n == 0)
			return;
		p += 10 + n;
		len -= 10 + n;
		if (!starts(p, len, LIT(" ms")))
			return;
		p += 3;
		len -= 3;
		m->has_duration = true;
		/* The server writes two spaces before "statement:", "plan:",
		 * ... (tested first: a loop cost 0.7% of a run's instructions);
		 * log shippers that fold runs of blanks leave one, and some
		 * leave blanks at the end of a bare duration. */
		size_t sp = 2;
		if (len <= 2 || p[0] != ' ' || p[1] != ' ' || p[2] == ' ') {
			sp = 0;
			while (sp < len && (p[sp] == ' ' || p[sp] == '\r'))
				sp++;
			if (sp == len) {
				m->kind = MSG_DURATION;
				return;
			}
			if (sp == 0)
				return;
		}
		p += sp;
		len -= sp;
		if (starts(p, len, LIT("plan:"))) {
			m->kind = MSG_PLAN;
			p += 5;
			len -= 5;
			/* The body starts on the next line. */
			while (len && (*p == '\n' || *p == '\t' || *p == ' ' || *p == '\r')) {
				p++;
				len--;
			}
			m->text = slice_make(p, len);
			m->json_plan = len && *p == '{';
			return;
		}
		parse_statement_part(p, len, m);
		return;
	}
	parse_statement_part(p, len, m);
}

struct slice pgmsg_clean(struct slice s, bool tab_continued, struct strbuf *sb)
{
	if (!tab_continued || !memchr(s.ptr, '\n', s.len))
		return s;
	sb_reset(sb);
	sb_grow(sb, s.len);
	const char *p = s.ptr, *end = s.ptr + s.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			sb_append(sb, p, (size_t)(end - p));
			break;
		}
		sb_append(sb, p, (size_t)(nl - p) + 1);
		p = nl + 1;
		if (p < end && *p == '\t')
			p++;
	}
	return slice_make(sb->buf, sb->len);
}

/* A text plan's node lines carry "(cost=" or "(actual"; a query text's
 * lines are unlikely to. */
static bool is_plan_line(const char *p, size_t len)
{
	return memmem(p, len, LIT("  (cost=")) || memmem(p, len, LIT("  (actual "))
		|| memmem(p, len, LIT("(never executed)"));
}

struct slice pgmsg_plan_query(struct slice plan, bool json, struct strbuf *sb)
{
	if (json) {
		struct slice out;
		if (pgmsg_json_query(plan, sb, &out))
			return out;
		/* What the scan is not sure of, jansson decides (pgmsg_json.c). */
		json_error_t err;
		json_t *root = json_loadb(plan.ptr, plan.len, 0, &err);
		if (!root && json_error_code(&err) == json_error_numeric_overflow)
			root = json_loadb(plan.ptr, plan.len, JSON_DECODE_INT_AS_REAL, &err);
		out = SLICE_EMPTY;
		json_t *qt = root ? json_object_get(root, "Query Text") : NULL;
		if (qt && json_is_string(qt)) {
			sb_reset(sb);
			sb_append(sb, json_string_value(qt), json_string_length(qt));
			out = slice_make(sb->buf, sb->len);
		}
		json_decref(root);
		return out;
	}
	const char *p = plan.ptr, *end = plan.ptr + plan.len;
	if (!starts(p, plan.len, LIT("Query Text: ")))
		return SLICE_EMPTY;
	p += 12;
	const char *q = p;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		if (!nl)
			return slice_make(p, (size_t)(end - p));
		const char *next = nl + 1, *next_end = memchr(next, '\n', (size_t)(end - next));
		if (!next_end)
			next_end = end;
		if (is_plan_line(next, (size_t)(next_end - next)))
			return slice_make(p, (size_t)(nl - p));
		q = next;
	}
	return slice_make(p, (size_t)(end - p));
}
