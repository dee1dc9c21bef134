/* prefix.c: log_line_prefix compiled to tokens, matched without regexes.
 *
 * A spec compiles to literal runs and fields. Fields with a shape
 * (timestamps, numbers, the session id, ...) are parsed by that shape;
 * free-text fields (%u %d %a %h %r %b %i) end where the next literal
 * occurs, and when what follows does not fit, the next occurrence is
 * tried (application names may hold the delimiter). A match is accepted
 * only when a severity keyword ("LOG:  ") follows the prefix, which is
 * what makes that search safe. Matching allocates nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"
#include "timeutil.h"

#define MAX_TOKENS 48
#define MAX_SPEC 1024
#define MAX_WIDTH 1024
#define NOMATCH ((size_t)-1)
/* Ends tried for free-text fields per line. Real lines need a handful; a
 * hostile one (a spec with many free fields, a line full of their
 * delimiters) would otherwise cost the product of its candidates. */
#define MATCH_BUDGET 4096

/* Longest values of the free-text fields. Names are at most NAMEDATALEN-1
 * (63) bytes in a stock server; the caps leave room for builds that raise
 * it while bounding the search on lines that do not match. */
#define CAP_NAME 128
#define CAP_HOST 270

enum tok_kind { TK_LIT, TK_FREE, TK_FIXED, TK_STOP };

struct token {
	unsigned char kind;
	char esc;               /* the escape letter; 0 for literals */
	bool left;              /* "%-10u": padded on the right */
	unsigned short width;   /* padding width, 0 when none */
	unsigned short cap;     /* free text: longest value */
	unsigned lit_off, lit_len;
};

struct prefix {
	char *spec;
	char *lits;
	struct token toks[MAX_TOKENS];
	size_t ntok;
	bool has_h;
};

/* What one token matched. */
struct tval {
	size_t off, len;
	int64_t num;            /* numbers; times as UTC epoch ms */
	size_t zoff, zlen;      /* times: the zone text */
	bool tz_known;
};

struct mstate {
	const struct prefix *p;
	const char *line;
	size_t len;
	size_t end_tok;         /* tokens before this one matched */
	size_t sev_off, msg_off;
	enum severity sev;
	int budget;             /* free-text ends left to try */
	struct tval v[MAX_TOKENS];
};

/* ---- severities ---- */

static const struct {
	const char *name;
	unsigned char len;
	enum severity sev;
} severities[] = {
#define X(id, name) { name, sizeof(name) - 1, id },
	SEVERITY_LIST(X)
#undef X
};

const char *severity_name(enum severity s)
{
	for (size_t i = 0; i < ARRAY_SIZE(severities); i++)
		if (severities[i].sev == s)
			return severities[i].name;
	return "";
}

size_t severity_parse(const char *s, size_t len, enum severity *sev)
{
	if (len < 4 || s[0] < 'C' || s[0] > 'W')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(severities); i++) {
		size_t n = severities[i].len;
		if (s[0] != severities[i].name[0] || len <= n
				|| memcmp(s, severities[i].name, n) != 0)
			continue;
		/* The server writes DEBUG1..DEBUG5 as "DEBUG"; some tools keep
		 * the digit. */
		if (severities[i].sev == SEV_DEBUG && s[n] >= '1' && s[n] <= '5')
			n++;
		if (n >= len || s[n] != ':')
			return 0;
		n++;
		if (n < len) {
			if (s[n] != ' ')
				return 0;
			/* The server writes two spaces; a third belongs to the
			 * message (an indented statement). */
			n++;
			if (n < len && s[n] == ' ')
				n++;
		}
		if (sev)
			*sev = severities[i].sev;
		return n;
	}
	return 0;
}

/* ---- compiling ---- */

static int tok_class(char c, unsigned short *cap)
{
	switch (c) {
	case 'u': case 'd': case 'a': case 'b': case 'i':
		*cap = CAP_NAME;
		return TK_FREE;
	case 'h': case 'r':
		*cap = CAP_HOST;
		return TK_FREE;
	case 'p': case 'P': case 't': case 'm': case 'n': case 'e':
	case 'c': case 'l': case 's': case 'v': case 'x': case 'Q':
		return TK_FIXED;
	case 'q':
		return TK_STOP;
	default:
		return -1;
	}
}

static bool add_token(struct prefix *p, struct token t, char *err, size_t errlen)
{
	if (p->ntok == MAX_TOKENS) {
		snprintf(err, errlen, "too many escapes and literals (at most %d)",
			MAX_TOKENS);
		return false;
	}
	p->toks[p->ntok++] = t;
	return true;
}

/* Appends byte c to the literal being built, starting one if needed. */
static bool add_lit_byte(struct prefix *p, size_t *nlit, char c, char *err,
		size_t errlen)
{
	struct token *last = p->ntok ? &p->toks[p->ntok - 1] : NULL;
	if (!last || last->kind != TK_LIT) {
		struct token t = { .kind = TK_LIT, .lit_off = (unsigned)*nlit };
		if (!add_token(p, t, err, errlen))
			return false;
		last = &p->toks[p->ntok - 1];
	}
	p->lits[(*nlit)++] = c;
	last->lit_len++;
	return true;
}

struct prefix *prefix_compile(const char *spec, char *err, size_t errlen)
{
	size_t slen = strlen(spec), nlit = 0;
	if (slen > MAX_SPEC) {
		snprintf(err, errlen, "log_line_prefix longer than %d bytes", MAX_SPEC);
		return NULL;
	}
	struct prefix *p = xcalloc(1, sizeof(*p));
	p->spec = xstrdup(spec);
	p->lits = xmalloc(slen + 1);

	for (size_t i = 0; i < slen; i++) {
		if (spec[i] != '%') {
			if (!add_lit_byte(p, &nlit, spec[i], err, errlen))
				goto fail;
			continue;
		}
		size_t at = i++;
		struct token t = { 0 };
		if (i < slen && spec[i] == '-') {
			t.left = true;
			i++;
		}
		unsigned width = 0;
		while (i < slen && spec[i] >= '0' && spec[i] <= '9') {
			width = width * 10 + (unsigned)(spec[i] - '0');
			if (width > MAX_WIDTH) {
				snprintf(err, errlen, "padding too wide at offset %zu", at);
				goto fail;
			}
			i++;
		}
		if (i == slen) {
			snprintf(err, errlen, "lone %% at the end");
			goto fail;
		}
		char c = spec[i];
		if (c == '%') {
			if (!add_lit_byte(p, &nlit, '%', err, errlen))
				goto fail;
			continue;
		}
		int kind = tok_class(c, &t.cap);
		if (kind < 0) {
			snprintf(err, errlen, "unknown escape %%%c at offset %zu", c, at);
			goto fail;
		}
		t.kind = (unsigned char)kind;
		t.esc = c;
		t.width = kind == TK_STOP ? 0 : (unsigned short)width;
		if (t.cap < t.width)
			t.cap = t.width;
		if (!add_token(p, t, err, errlen))
			goto fail;
		if (c == 'h')
			p->has_h = true;
	}
	return p;
fail:
	prefix_free(p);
	return NULL;
}

void prefix_free(struct prefix *p)
{
	if (!p)
		return;
	free(p->spec);
	free(p->lits);
	free(p);
}

const char *prefix_spec(const struct prefix *p)
{
	return p->spec;
}

/* ---- matching ---- */

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

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

static size_t count_digits(const char *s, size_t avail)
{
	size_t n = 0;
	while (n < avail && is_digit(s[n]))
		n++;
	return n;
}

/* Value of the n (at most 18) digits at s. */
static int64_t digits_value(const char *s, size_t n)
{
	int64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static size_t count_hex(const char *s, size_t avail)
{
	size_t n = 0;
	while (n < avail && is_hex(s[n]))
		n++;
	return n;
}

/* The first byte of the literal after token ti, or 0 at the end. */
static char next_lit_byte(const struct prefix *p, size_t ti)
{
	if (ti + 1 < p->ntok && p->toks[ti + 1].kind == TK_LIT)
		return p->lits[p->toks[ti + 1].lit_off];
	return 0;
}

/* The zone after a timestamp: an abbreviation ("CET", "ChST") or an
 * offset ("+03", "-0330", "+05:30"). An offset takes ":MM" only when the
 * prefix does not go on with ':' ("%t:%r" logs "+03:10.0.0.1(...)"). */
static size_t zone_len(const char *s, size_t avail, char next)
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

/* "YYYY-MM-DD HH:MM:SS[.fff] ZONE" for %t %m %s. */
static size_t match_time(struct mstate *m, size_t ti, char esc, size_t pos,
		struct tval *v)
{
	const char *s = m->line + pos;
	size_t avail = m->len - pos;
	int64_t wall;
	size_t n = ts_parse_wallclock(s, avail, &wall);
	if (n == 0 || (esc == 'm') != (n > 19))
		return NOMATCH;
	if (n >= avail || s[n] != ' ')
		return NOMATCH;
	size_t z = zone_len(s + n + 1, avail - n - 1, next_lit_byte(m->p, ti));
	if (z == 0)
		return NOMATCH;
	int off = 0;
	v->zoff = pos + n + 1;
	v->zlen = z;
	v->tz_known = ts_zone_offset(s + n + 1, z, &off);
	v->num = wall - (int64_t)off * 60000;
	return n + 1 + z;
}

/* The value of a shaped field at pos, padding excluded. */
static size_t match_shape(struct mstate *m, size_t ti, char esc, size_t pos,
		struct tval *v)
{
	const char *s = m->line + pos;
	size_t avail = m->len - pos, n, k;

	switch (esc) {
	case 't': case 'm': case 's':
		return match_time(m, ti, esc, pos, v);
	case 'p': case 'l': case 'P':
		n = count_digits(s, avail);
		if (n > 18 || (n == 0 && esc != 'P'))
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
	size_t n = match_shape(m, ti, t->esc, pos, v);
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
	size_t n = severity_parse(m->line + pos, m->len - pos, &sev);
	if (n == 0)
		return false;
	m->end_tok = ti;
	m->sev = sev;
	m->sev_off = pos;
	m->msg_off = pos + n;
	return true;
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

	if (t->esc == 'r') {
		size_t e = remote_end(m->line + pos, hi - pos);
		if (e != NOMATCH && pos + e >= lo && pos + e <= hi && --m->budget > 0) {
			v->len = e;
			if (match_from(m, ti + 1, pos + e))
				return true;
		}
	}

	if (ti + 1 < p->ntok && p->toks[ti + 1].kind == TK_LIT) {
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
				if (match_from(m, ti + 2, e + ll))
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
			if (match_end(m, ti + 1, e))
				return true;
		} else if (match_from(m, ti + 1, e)) {
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
			if (match_from(m, ti + 1, pos))
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

static void fill_fields(const struct mstate *m, struct prefix_fields *f)
{
	const struct prefix *p = m->p;
	uint64_t seen = 0;

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
	*f = empty;
	f->severity = m->sev;
	f->sev_off = m->sev_off;
	f->msg_off = m->msg_off;
	for (size_t i = 0; i < m->end_tok; i++) {
		const struct token *t = &p->toks[i];
		if (t->kind == TK_LIT || t->kind == TK_STOP)
			continue;
		/* The first of several occurrences wins; %t %m %n share one. */
		char key = t->esc == 'm' || t->esc == 'n' ? 't' : t->esc;
		unsigned bit = key >= 'a' ? (unsigned)(key - 'a') : (unsigned)(key - 'A') + 26;
		if (seen & (1ULL << bit))
			continue;
		seen |= 1ULL << bit;
		const struct tval *v = &m->v[i];
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
		case 'u': f->user = s; break;
		case 'd': f->db = s; break;
		case 'a': f->app = s; break;
		case 'h': f->host = s; break;
		case 'r':
			f->remote = s;
			if (!p->has_h)
				f->host = remote_host(s);
			break;
		case 'b': f->backend_type = s; break;
		case 'i': f->command = s; break;
		case 'e': f->sqlstate = s; break;
		case 'c': f->session = s; break;
		case 'v': f->vxid = s; break;
		case 'x': f->xid = s; break;
		case 'Q': f->query_id = s; break;
		default: break;
		}
	}
}

static bool match_line(const struct prefix *p, const char *line, size_t len,
		struct mstate *m)
{
	m->p = p;
	m->line = line;
	m->len = len;
	m->budget = MATCH_BUDGET;
	return match_from(m, 0, 0);
}

bool prefix_match(const struct prefix *p, const char *line, size_t len,
		struct prefix_fields *f)
{
	struct mstate m;
	if (!match_line(p, line, len, &m))
		return false;
	if (f)
		fill_fields(&m, f);
	return true;
}

/* Fields a match went through (fewer when it stopped at %q). */
static unsigned matched_fields(const struct mstate *m)
{
	unsigned n = 0;
	for (size_t i = 0; i < m->end_tok; i++)
		n += m->p->toks[i].kind == TK_FREE || m->p->toks[i].kind == TK_FIXED;
	return n;
}

/* ---- detection ---- */

/* Most common first. Ties in lines matched go to the candidate whose
 * matches went through more fields (the more specific one), then to the
 * earlier one: a log whose first lines all come from the postmaster fits
 * every "%q" prefix equally, and then the distribution default wins. */
static const char *const candidates[] = {
	"%m [%p] %q%u@%d ",                     /* Debian/Ubuntu default */
	"%m [%p] %q%u@%d/%a ",
	"%m [%p] ",                             /* PostgreSQL 10+ default */
	"%t [%p] ",
	"%t [%p] %q%u@%d ",
	"%t [%p-%l] %q%u@%d ",                  /* older Debian/Ubuntu */
	"%m [%p-%l] %q%u@%d ",
	"%t [%p]: [%l-1] ",                     /* pgBadger's advice */
	"%m [%p]: [%l-1] ",
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ",
	"%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ",
	"%m [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ",
	"%t [%p]: [%l-1] user=%u,db=%d ",
	"%t [%p]: [%l-1] db=%d,user=%u ",
	"%t [%p]: [%l-1] db=%d ",
	"%t [%p]: user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: db=%d,user=%u,app=%a,client=%h ",
	"%m [%p]: [%l-1] db=%d,user=%u ",       /* Google Cloud SQL */
	"%m [%p] user=%u,db=%d ",
	"%m [%p] user=%u,db=%d,app=%a,client=%h ",
	"%m [%p] db=%d,user=%u,app=%a,client=%h ",
	"%t:%r:%u@%d:[%p]:",                    /* Amazon RDS */
	"%m:%r:%u@%d:[%p]:",
	"%t-%c-",                               /* Azure */
	"< %m >",                               /* old Red Hat packages */
	"%m %u %d [%p] ",
	"%m [%p] %u@%d ",
	"%t ",
	"%m ",
};

#define DETECT_LINES 200

const char *prefix_detect(const char *buf, size_t len, unsigned *matched,
		unsigned *tried)
{
	enum { NC = ARRAY_SIZE(candidates) };
	struct prefix *cp[NC];
	unsigned score[NC] = { 0 };
	unsigned long fields[NC] = { 0 };
	struct mstate m;
	unsigned n = 0;
	char err[128];

	for (size_t c = 0; c < NC; c++)
		cp[c] = prefix_compile(candidates[c], err, sizeof(err));

	const char *s = buf, *end = buf + len;
	while (s < end && n < DETECT_LINES) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		size_t l = (size_t)(e - s);
		if (l && s[l - 1] == '\r')
			l--;
		if (l && s[0] != '\t') {
			n++;
			for (size_t c = 0; c < NC; c++)
				if (cp[c] && match_line(cp[c], s, l, &m)) {
					score[c]++;
					fields[c] += matched_fields(&m);
				}
		}
		s = nl ? nl + 1 : end;
	}

	size_t best = NC;
	for (size_t c = 0; c < NC; c++) {
		if (!cp[c] || score[c] == 0)
			continue;
		if (best == NC || score[c] > score[best]
				|| (score[c] == score[best] && fields[c] > fields[best]))
			best = c;
	}
	unsigned bs = best < NC ? score[best] : 0;
	for (size_t c = 0; c < NC; c++)
		prefix_free(cp[c]);
	if (matched)
		*matched = bs;
	if (tried)
		*tried = n;
	if (best == NC || 2 * bs < n)
		return NULL;
	return candidates[best];
}

/* ---- suggestion ---- */

struct sugg {
	char *out;
	size_t cap, n;
	bool overflow;
	unsigned fields;
	bool have_p;
};

static void sg_put(struct sugg *g, const char *s, size_t n)
{
	if (g->n + n >= g->cap) {
		g->overflow = true;
		return;
	}
	memcpy(g->out + g->n, s, n);
	g->n += n;
	g->out[g->n] = '\0';
}

static void sg_field(struct sugg *g, const char *esc)
{
	sg_put(g, esc, strlen(esc));
	g->fields++;
}

static void sg_lit(struct sugg *g, char c)
{
	if (c == '%')
		sg_put(g, "%%", 2);
	else
		sg_put(g, &c, 1);
}

static bool word_start(const char *s, size_t i)
{
	return i == 0 || s[i - 1] == ' ' || s[i - 1] == ',' || s[i - 1] == ':'
		|| s[i - 1] == '[' || s[i - 1] == '(' || s[i - 1] == '<';
}

static const struct {
	const char *key, *esc;
} sg_keys[] = {
	{ "user=", "%u" }, { "usr=", "%u" }, { "db=", "%d" },
	{ "database=", "%d" }, { "app=", "%a" }, { "application=", "%a" },
	{ "client=", "%h" }, { "host=", "%h" }, { "remote=", "%r" },
	{ "pid=", "%p" }, { "session=", "%c" }, { "sqlstate=", "%e" },
	{ "xid=", "%x" }, { "vxid=", "%v" }, { "line=", "%l" },
};

/* One piece of the prefix text at s[i..end) turned into an escape;
 * returns its length, 0 when it is plain text. */
static size_t sg_piece(struct sugg *g, const char *s, size_t i, size_t end)
{
	const char *t = s + i;
	size_t avail = end - i, n;
	int64_t ms;

	if ((i == 0 || !is_digit(s[i - 1]))
			&& (n = ts_parse_wallclock(t, avail, &ms)) > 0
			&& n < avail && t[n] == ' ') {
		/* ':' as the next byte: "+03:" is taken as "+03" then ':'. */
		size_t z = zone_len(t + n + 1, avail - n - 1, ':');
		if (z) {
			sg_field(g, n > 19 ? "%m" : "%t");
			return n + 1 + z;
		}
	}
	if (!word_start(s, i))
		return 0;
	if (t[0] == '[') {
		size_t d = count_digits(t + 1, avail - 1);
		if (d && 1 + d < avail && t[1 + d] == ']') {
			sg_field(g, g->have_p ? "[%l" : "[%p");
			sg_put(g, "]", 1);
			g->have_p = true;
			return d + 2;
		}
		if (d && 1 + d < avail && t[1 + d] == '-') {
			size_t d2 = count_digits(t + 2 + d, avail - 2 - d);
			if (d2 && 2 + d + d2 < avail && t[2 + d + d2] == ']') {
				if (g->have_p) {
					/* pgBadger's "[%l-1]": the "-1" is literal. */
					sg_field(g, "[%l-");
					sg_put(g, t + 2 + d, d2);
				} else {
					sg_field(g, "[%p-");
					sg_field(g, "%l");
				}
				sg_put(g, "]", 1);
				g->have_p = true;
				return 3 + d + d2;
			}
		}
		if (avail >= 7 && memcmp(t, "[local]", 7) == 0) {
			sg_field(g, "%r");
			return 7;
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(sg_keys); k++) {
		size_t kl = strlen(sg_keys[k].key);
		if (avail < kl || memcmp(t, sg_keys[k].key, kl) != 0)
			continue;
		n = kl;
		while (n < avail && t[n] != ',' && t[n] != ' ' && t[n] != ']')
			n++;
		sg_put(g, t, kl);
		sg_field(g, sg_keys[k].esc);
		return n;
	}
	/* "user@db", "user@db/app", "host(port)". A value may be
	 * "[unknown]"; other brackets around the pair stay literal. */
	n = 0;
	while (n < avail && t[n] != ' ' && t[n] != ':' && t[n] != ',')
		n++;
	const char *at = memchr(t, '@', n);
	if (at && t[0] == '[' && (n < 9 || memcmp(t, "[unknown]", 9) != 0))
		return 0;
	if (at && t[n - 1] == ']' && (n < 9 || memcmp(t + n - 9, "[unknown]", 9) != 0))
		n--;
	if (at) {
		/* Followed by the severity: the postmaster's lines end before
		 * it, as with Debian's "%q%u@%d". */
		bool app = memchr(at, '/', n - (size_t)(at - t)) != NULL;
		if (i + n + 1 == end && t[n] == ' ')
			sg_put(g, "%q", 2);
		sg_put(g, app ? "%u@%d/%a" : "%u@%d", app ? 8 : 5);
		g->fields += app ? 3 : 2;
		return n;
	}
	size_t h = 0;
	while (h < avail && (is_hex(t[h]) || t[h] == '.' || t[h] == ':'))
		h++;
	if (h && h < avail && t[h] == '(') {
		size_t d = count_digits(t + h + 1, avail - h - 1);
		if (d && h + d + 1 < avail && t[h + d + 1] == ')') {
			sg_field(g, "%r");
			return h + d + 2;
		}
	}
	return 0;
}

/* Where the severity starts in line, or NOMATCH. */
static size_t find_severity(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (line[i] < 'C' || line[i] > 'W')
			continue;
		if (i && (is_alpha(line[i - 1]) || is_digit(line[i - 1])))
			continue;
		if (severity_parse(line + i, len - i, NULL))
			return i;
	}
	return NOMATCH;
}

static bool sg_build(const char *line, size_t len, char *out, size_t outlen,
		unsigned *fields)
{
	size_t end = find_severity(line, len);
	if (end == NOMATCH)
		return false;
	struct sugg g = { .out = out, .cap = outlen };
	if (outlen == 0)
		return false;
	out[0] = '\0';
	for (size_t i = 0; i < end;) {
		size_t n = sg_piece(&g, line, i, end);
		if (n == 0)
			sg_lit(&g, line[i++]);
		else
			i += n;
	}
	if (g.overflow)
		return false;
	char err[128];
	struct prefix *p = prefix_compile(out, err, sizeof(err));
	bool ok = p && prefix_match(p, line, len, NULL);
	prefix_free(p);
	*fields = g.fields;
	return ok;
}

bool prefix_suggest(const char *buf, size_t len, char *out, size_t outlen)
{
	char cand[512];
	unsigned best = 0, n = 0;
	bool found = false;
	const char *s = buf, *end = buf + len;

	while (s < end && n < DETECT_LINES) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		size_t l = (size_t)(e - s);
		if (l && s[l - 1] == '\r')
			l--;
		if (l && s[0] != '\t') {
			unsigned fields = 0;
			n++;
			if (sg_build(s, l, cand, sizeof(cand), &fields)
					&& (!found || fields > best)
					&& strlen(cand) < outlen) {
				memcpy(out, cand, strlen(cand) + 1);
				best = fields;
				found = true;
			}
		}
		s = nl ? nl + 1 : end;
	}
	return found;
}
