/* prefix.c: log_line_prefix compiled to tokens, and severities.
 *
 * A spec compiles to literal runs and fields, each field's first
 * occurrence owning its value, and then the memo plan (prefix_memo.c).
 * prefix_match.c matches lines against the tokens; prefix_memo.c answers
 * most lines from remembered matches instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix_int.h"
#include "timeutil.h"

#define MAX_SPEC 1024
#define MAX_WIDTH 1024

/* Longest values of the free-text fields. Names are at most NAMEDATALEN-1
 * (63) bytes in a stock server; the caps leave room for builds that raise
 * it while bounding the search on lines that do not match. */
#define CAP_NAME 128
#define CAP_HOST 270

/* ---- severities ---- */

static const char *const sev_names[] = {
#define X(id, name) [id] = name,
	SEVERITY_LIST(X)
#undef X
};

const char *severity_name(enum severity s)
{
	if (s <= SEV_NONE || s >= SEV_COUNT)
		return "";
	return sev_names[s];
}

size_t severity_parse(const char *s, size_t len, enum severity *sev)
{
	return sev_parse(s, len, sev);
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

static bool is_time_esc(char c)
{
	return c == 't' || c == 'm' || c == 'n';
}

/* Each token's next literal byte, the owners, the field counts, then
 * the memo plan. */
static void plan(struct prefix *p)
{
	uint64_t seen = 0;
	unsigned nf = 0;

	for (size_t i = 0; i < p->ntok; i++) {
		struct token *t = &p->toks[i];
		p->nfields_at[i] = (unsigned char)nf;
		if (i + 1 < p->ntok && p->toks[i + 1].kind == TK_LIT)
			t->next = p->lits[p->toks[i + 1].lit_off];
		if (t->kind == TK_LIT || t->kind == TK_STOP)
			continue;
		nf++;
		/* The first of several occurrences wins; %t %m %n share one. */
		char key = is_time_esc(t->esc) ? 't' : t->esc;
		unsigned bit = key >= 'a' ? (unsigned)(key - 'a') : (unsigned)(key - 'A') + 26;
		if (seen & (1ULL << bit))
			continue;
		seen |= 1ULL << bit;
		p->owner[p->nowner++] = (unsigned char)i;
	}
	p->nfields_at[p->ntok] = (unsigned char)nf;
	prefix_memo_plan(p);
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
	plan(p);
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

