/* prefix_match.c: a line matched against a compiled prefix, without
 * regexes.
 *
 * Fields with a shape (timestamps, numbers, the session id, ...) are
 * parsed by that shape; free-text fields (%u %d %a %h %r %b %i) end where
 * the next literal occurs, and when what follows does not fit, the next
 * occurrence is tried (application names may hold the delimiter). A match
 * is accepted only when a severity keyword ("LOG:  ") follows the prefix,
 * which is what makes that search safe. Matching allocates nothing. It
 * sits below prefix.c and prefix_memo.c, which both build on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix_int.h"
#include "timeutil.h"

/* Ends tried for free-text fields per line. Real lines need a handful; a
 * hostile one (a spec with many free fields, a line full of their
 * delimiters) would otherwise cost the product of its candidates. */
#define MATCH_BUDGET 4096

const unsigned short prefix_slice_of[128] = {
	['t'] = FIELD(tz), ['m'] = FIELD(tz), ['n'] = FIELD(tz),
	['u'] = FIELD(user), ['d'] = FIELD(db), ['a'] = FIELD(app),
	['h'] = FIELD(host), ['r'] = FIELD(remote), ['b'] = FIELD(backend_type),
	['i'] = FIELD(command), ['e'] = FIELD(sqlstate), ['c'] = FIELD(session),
	['v'] = FIELD(vxid), ['x'] = FIELD(xid), ['Q'] = FIELD(query_id),
};

/* ---- matching ---- */

/* Literals are mostly one to three bytes: a loop beats a call to memcmp. */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
	if (n > 8)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Value of the n (at most 18) digits at s. */
static int64_t digits_value(const char *s, size_t n)
{
	int64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

size_t prefix_zone_len(const char *s, size_t avail, char next)
{
	size_t n = 0;
	if (avail == 0)
		return 0;
	if (is_alpha(s[0])) {
		while (n < avail && is_alpha(s[n]))
			n++;
		return n <= 8 ? n : 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return 0;
	n = 1 + count_digits(s + 1, avail - 1);
	if (n == 1 || n > 5)
		return 0;
	if (n == 3 && next != ':' && n + 2 < avail && s[n] == ':'
			&& is_digit(s[n + 1]) && is_digit(s[n + 2]))
		n += 3;
	return n;
}

/* "YYYY-MM-DD HH:MM:SS[.fff] ZONE" for %t %m %s at line[pos]. */
static size_t match_time(const char *line, size_t len, size_t pos, char esc,
		char next, struct tval *v)
{
	const char *s = line + pos;
	size_t avail = len - pos;
	int64_t wall;
	size_t n = ts_parse_wallclock(s, avail, &wall);
	if (n == 0 || (esc == 'm') != (n > 19))
		return NOMATCH;
	if (n >= avail || s[n] != ' ')
		return NOMATCH;
	size_t z = prefix_zone_len(s + n + 1, avail - n - 1, next);
	if (z == 0)
		return NOMATCH;
	int off = 0;
	v->zoff = pos + n + 1;
	v->zlen = z;
	v->tz_known = ts_zone_offset(s + n + 1, z, &off);
	v->zmin = off;
	v->num = wall - (int64_t)off * MS_PER_MIN;
	return n + 1 + z;
}

/* The value of a shaped field at line[pos], padding excluded. */
size_t prefix_match_shape(const char *line, size_t len, size_t pos,
		const struct token *t, struct tval *v)
{
	const char *s = line + pos;
	size_t avail = len - pos, n, k;

	switch (t->esc) {
	case 't': case 'm': case 's':
		return match_time(line, len, pos, t->esc, t->next, v);
	case 'p': case 'l': case 'P':
		n = count_digits(s, avail);
		if (n > 18 || (n == 0 && t->esc != 'P'))
			return NOMATCH;
		v->num = n ? digits_value(s, n) : -1;
		return n;
	case 'x':
		n = count_digits(s, avail);
		return n ? n : NOMATCH;
	case 'Q':
		k = avail && s[0] == '-';
		n = count_digits(s + k, avail - k);
		return n ? k + n : NOMATCH;
	case 'n':
		n = count_digits(s, avail);
		if (n == 0 || n > 15)
			return NOMATCH;
		v->num = digits_value(s, n) * 1000;
		if (n + 1 < avail && s[n] == '.' && is_digit(s[n + 1])) {
			k = count_digits(s + n + 1, avail - n - 1);
			int frac = 0;
			for (size_t i = 0; i < 3; i++)
				frac = frac * 10 + (i < k ? s[n + 1 + i] - '0' : 0);
			v->num += frac;
			n += 1 + k;
		}
		v->tz_known = true;
		v->zmin = 0;
		v->zoff = pos;
		v->zlen = 0;
		return n;
	case 'c':
		n = count_hex(s, avail);
		if (n == 0 || n >= avail || s[n] != '.')
			return NOMATCH;
		k = count_hex(s + n + 1, avail - n - 1);
		return k ? n + 1 + k : NOMATCH;
	case 'v':
		/* "backend/local xid"; empty outside a backend. */
		k = avail && s[0] == '-';
		n = count_digits(s + k, avail - k);
		if (n == 0)
			return 0;
		n += k;
		if (n >= avail || s[n] != '/')
			return 0;
		k = count_digits(s + n + 1, avail - n - 1);
		return k ? n + 1 + k : 0;
	case 'e':
		if (avail < 5)
			return NOMATCH;
		for (n = 0; n < 5; n++)
			if (!is_digit(s[n]) && !(s[n] >= 'A' && s[n] <= 'Z'))
				return NOMATCH;
		return 5;
	default:
		return NOMATCH;
	}
}

static size_t match_fixed(struct mstate *m, size_t ti, const struct token *t,
		size_t pos)
{
	struct tval *v = &m->v[ti];
	size_t start = pos;
	if (t->width && !t->left)
		while (pos < m->len && m->line[pos] == ' ' && pos - start < t->width)
			pos++;
	size_t n = prefix_match_shape(m->line, m->len, pos, t, v);
	if (n == NOMATCH)
		return NOMATCH;
	v->off = pos;
	v->len = n;
	pos += n;
	if (t->width && t->left)
		while (pos < m->len && m->line[pos] == ' ' && pos - start < t->width)
			pos++;
	return pos - start;
}

static bool match_from(struct mstate *m, size_t ti, size_t pos);

static bool match_end(struct mstate *m, size_t ti, size_t pos)
{
	enum severity sev;
	size_t n = sev_parse(m->line + pos, m->len - pos, &sev);
	if (n == 0)
		return false;
	m->end_tok = ti;
	m->sev = sev;
	m->sev_off = pos;
	m->msg_off = pos + n;
	return true;
}

/* An end tried failed: the memo may not learn from this match. */
static inline bool tried(struct mstate *m, bool ok)
{
	m->dirty |= !ok;
	return ok;
}

static inline bool is_host_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == ':' || c == '-'
		|| c == '_' || c == '%' || c == '[' || c == ']' || c == '('
		|| c == ')';
}

/* %r's usual shapes: "[local]", or a host then "(port)". */
static size_t remote_end(const char *s, size_t avail)
{
	if (avail >= 7 && memcmp(s, "[local]", 7) == 0)
		return 7;
	const char *q = memchr(s, '(', avail);
	if (!q)
		return NOMATCH;
	size_t i = (size_t)(q - s) + 1;
	size_t n = count_digits(s + i, avail - i);
	if (n == 0 || i + n >= avail || s[i + n] != ')')
		return NOMATCH;
	return i + n + 1;
}

/* Tries each end for the free-text token ti, shortest first. */
static bool match_free(struct mstate *m, size_t ti, const struct token *t,
		size_t pos)
{
	const struct prefix *p = m->p;
	struct tval *v = &m->v[ti];
	size_t lo = pos + t->width, hi = pos + t->cap;
	if (lo > m->len)
		return false;
	if (hi > m->len)
		hi = m->len;
	if ((t->esc == 'h' || t->esc == 'r') && t->width == 0) {
		/* Host names, addresses, "(port)" and "[local]" only. */
		size_t e = pos;
		while (e < hi && is_host_char(m->line[e]))
			e++;
		hi = e;
		if (hi < lo)
			return false;
	}
	v->off = pos;
	v->reach = hi;          /* the host scan's end, or as far as %r looks */

	if (t->esc == 'r') {
		size_t e = remote_end(m->line + pos, hi - pos);
		if (e != NOMATCH && pos + e >= lo && pos + e <= hi && --m->budget > 0) {
			v->len = e;
			if (tried(m, match_from(m, ti + 1, pos + e)))
				return true;
		}
	}

	if (t->next) {
		const struct token *nx = &p->toks[ti + 1];
		const char *lit = p->lits + nx->lit_off;
		size_t ll = nx->lit_len;
		if (lo + ll > m->len)
			return false;
		/* The literal may start anywhere in [lo, last]. */
		size_t last = hi + ll <= m->len ? hi : m->len - ll;
		for (size_t e = lo; e <= last;) {
			const char *q = memchr(m->line + e, lit[0], last - e + 1);
			if (!q)
				return false;
			e = (size_t)(q - m->line);
			if (bytes_eq(q + 1, lit + 1, ll - 1)) {
				if (--m->budget <= 0)
					return false;
				v->len = e - pos;
				if (tried(m, match_from(m, ti + 2, e + ll)))
					return true;
			}
			e++;
		}
		return false;
	}
	for (size_t e = lo; e <= hi; e++) {
		if (--m->budget <= 0)
			return false;
		v->len = e - pos;
		if (ti + 1 == p->ntok) {
			if (tried(m, match_end(m, ti + 1, e)))
				return true;
		} else if (tried(m, match_from(m, ti + 1, e))) {
			return true;
		}
	}
	return false;
}

static bool match_from(struct mstate *m, size_t ti, size_t pos)
{
	const struct prefix *p = m->p;
	for (; ti < p->ntok; ti++) {
		const struct token *t = &p->toks[ti];
		size_t n;
		switch (t->kind) {
		case TK_LIT:
			if (m->len - pos < t->lit_len
					|| !bytes_eq(m->line + pos, p->lits + t->lit_off, t->lit_len))
				return false;
			pos += t->lit_len;
			break;
		case TK_FIXED:
			n = match_fixed(m, ti, t, pos);
			if (n == NOMATCH)
				return false;
			pos += n;
			break;
		case TK_STOP:
			/* Session processes write the rest; the postmaster and the
			 * other auxiliary processes stop here. */
			if (tried(m, match_from(m, ti + 1, pos)))
				return true;
			return match_end(m, ti, pos);
		default:
			return match_free(m, ti, t, pos);
		}
	}
	return match_end(m, ti, pos);
}

static struct slice tval_slice(const struct mstate *m, const struct token *t,
		const struct tval *v)
{
	const char *s = m->line + v->off;
	size_t n = v->len;
	if (t->width) {
		while (n && s[0] == ' ') {
			s++;
			n--;
		}
		while (n && s[n - 1] == ' ')
			n--;
	}
	return slice_make(s, n);
}

/* Host part of a %r value: "10.0.0.1(5432)" -> "10.0.0.1". */
static struct slice remote_host(struct slice r)
{
	if (r.len && r.ptr[r.len - 1] == ')') {
		for (size_t i = r.len - 1; i-- > 0;)
			if (r.ptr[i] == '(')
				return slice_make(r.ptr, i);
	}
	return r;
}

void prefix_fill_fields(const struct mstate *m, struct prefix_fields *f)
{
	const struct prefix *p = m->p;

	/* A copy of a template is cheaper than a zeroing loop, per line. */
	static const struct prefix_fields empty = {
		.ts_ms = TS_NONE, .tz = SLICE_EMPTY, .pid = -1, .line_no = -1,
		.leader_pid = -1, .session_start_ms = TS_NONE,
		.user = SLICE_EMPTY, .db = SLICE_EMPTY, .app = SLICE_EMPTY,
		.host = SLICE_EMPTY, .session = SLICE_EMPTY, .remote = SLICE_EMPTY,
		.command = SLICE_EMPTY, .sqlstate = SLICE_EMPTY, .vxid = SLICE_EMPTY,
		.xid = SLICE_EMPTY, .backend_type = SLICE_EMPTY,
		.query_id = SLICE_EMPTY,
	};
	copy_fields(f, &empty);
	f->severity = m->sev;
	f->sev_off = m->sev_off;
	f->msg_off = m->msg_off;
	f->nfields = p->nfields_at[m->end_tok];
	for (size_t k = 0; k < p->nowner && p->owner[k] < m->end_tok; k++) {
		const struct token *t = &p->toks[p->owner[k]];
		const struct tval *v = &m->v[p->owner[k]];
		struct slice s = tval_slice(m, t, v);
		switch (t->esc) {
		case 't': case 'm': case 'n':
			f->ts_ms = v->num;
			f->tz_known = v->tz_known;
			f->tz = slice_make(m->line + v->zoff, v->zlen);
			break;
		case 's': f->session_start_ms = v->num; break;
		case 'p': f->pid = v->num; break;
		case 'l': f->line_no = v->num; break;
		case 'P': f->leader_pid = v->num; break;
		default:
			*field_slice(f, prefix_slice_of[(unsigned char)t->esc]) = s;
			if (t->esc == 'r' && !p->has_h)
				f->host = remote_host(s);
			break;
		}
	}
}

bool prefix_match_state(const struct prefix *p, const char *line, size_t len,
		struct mstate *m)
{
	m->p = p;
	m->line = line;
	m->len = len;
	m->budget = MATCH_BUDGET;
	m->dirty = false;
	return match_from(m, 0, 0);
}

bool prefix_match(const struct prefix *p, const char *line, size_t len,
		struct prefix_fields *f)
{
	struct mstate m;
	if (!prefix_match_state(p, line, len, &m))
		return false;
	if (f)
		prefix_fill_fields(&m, f);
	return true;
}
