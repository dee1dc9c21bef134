/* prefix_detect.c: finding a log's log_line_prefix from its first lines.
 *
 * Candidates come from two places: a table of the prefixes distributions,
 * clouds and tools set up, and prefixes inferred from the sampled lines
 * themselves (each line's text before its severity, read field by field by
 * shape in prefix_infer.c: a time stamp is %m or %t, "[digits]" [%p],
 * "user=x" user=%u, "x@y" %u@%d, "00000" %e, ...; a shorter inferred
 * prefix that another one extends gives the %q form that explains both). Every candidate is then
 * matched against the sample, and the one that explains the most lines
 * wins, then the one whose matches carried the most fields. A line only
 * counts when the user, database and application it yields look like
 * names: "%m [%p] %q%u@%d " fits a "%m [%p] [queryid=%Q] %q%u@%d " line
 * with the user "[queryid=12] postgres", which is no explanation of it.
 * prefix_suggest() reports the best inferred prefix when none fits well
 * enough. Both only call the compiler and matcher through prefix.h. */
#include <stdio.h>
#include <string.h>

#include "prefix.h"
#include "prefix_infer_int.h"

#define DETECT_LINES 200
/* Distinct prefixes inferred from one sample, and their longest form. */
#define MAX_INFERRED 24
#define SPEC_MAX 512
/* NAMEDATALEN - 1, doubled for builds that raise it. */
#define NAME_MAX_LEN 128

/* ---- the sample ---- */

/* The first DETECT_LINES non-empty lines that do not start with a tab
 * (continuations carry no prefix). */
struct sample {
	struct slice line[DETECT_LINES];
	unsigned n;
};

static void take_sample(const char *buf, size_t len, struct sample *sm)
{
	const char *s = buf, *end = buf + len;
	sm->n = 0;
	while (s < end && sm->n < DETECT_LINES) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		size_t l = (size_t)(e - s);
		if (l && s[l - 1] == '\r')
			l--;
		if (l && s[0] != '\t')
			sm->line[sm->n++] = slice_make(s, l);
		s = nl ? nl + 1 : end;
	}
}

/* ---- the table ---- */

/* Most common first: a log whose first lines all come from the postmaster
 * fits every "%q" prefix equally, and then the distribution default
 * wins. */
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
	/* The shapes the pganalyze collector reads (its recommended one
	 * first). */
	"%m [%p] %q[user=%u,db=%d,app=%a] ",
	"%m [%p] %q[user=%u,db=%d,app=%a,host=%h] ",
	"%m [%p][%v] : [%l-1] %q[app=%a] ",
	"%m [%p][%b][%v][%x] %q[user=%u,db=%d,app=%a] ",
	"%t [%p]: [%l-1] user=%u,db=%d - PG-%e ",
	"%t [%p]: [%l-1] [trx_id=%x] user=%u,db=%d ",
	"[%p]: [%l-1] db=%d,user=%u ",
	"%m %r %u %a [%c] [%p] ",
	"pid=%p,user=%u,db=%d,app=%a,client=%h ",
	"user=%u,db=%d,app=%a,client=%h ",
	"%p-%s-%c-%l-%h-%u-%d-%m ",
	"%t [%p] %q%u@%d %h ",
	" sql_error_code = %e ",                /* Heroku */
	" sql_error_code = %e time_ms = \"%m\" pid=\"%p\" proc_start_time=\"%s\" "
		"session_id=\"%c\" vtid=\"%v\" tid=\"%x\" log_line=\"%l\" "
		"%qdatabase=\"%d\" connection_source=\"%r\" user=\"%u\" "
		"application_name=\"%a\" ",
	"%t ",
	"%m ",
};

/* ---- scoring ---- */

static bool is_unknown(struct slice s)
{
	return s.len == 9 && memcmp(s.ptr, "[unknown]", 9) == 0;
}

/* Whether s reads as a role, database or application name: the server
 * writes those verbatim, but a value holding a space or brackets (roles
 * and databases), '=' or quotes is the rest of a prefix the candidate did
 * not explain. '@' is fine: Cloud SQL's IAM roles are e-mail addresses. */
static bool name_like(struct slice s, bool app)
{
	if (is_unknown(s))
		return true;
	if (s.len > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (c == '=' || c == '"')
			return false;
		if (!app && (c == ' ' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

static bool plausible(const struct prefix_fields *f)
{
	return name_like(f->user, false) && name_like(f->db, false)
		&& name_like(f->app, true);
}

struct score {
	unsigned lines;         /* lines explained */
	unsigned long fields;   /* escapes those matches went through */
	unsigned repeats;       /* escapes the spec has twice ("%e|%e") */
};

/* Escapes written twice: no server's prefix repeats one, so of two specs
 * explaining the same lines the one with fewer is meant ("%p|%e" read
 * "23456|00000" as well as "%e|%e" did). */
static unsigned spec_repeats(const char *spec)
{
	bool seen[128] = { false };
	unsigned r = 0;
	for (size_t i = 0; spec[i]; i++) {
		if (spec[i] != '%' || !spec[i + 1])
			continue;
		i++;
		while (spec[i] == '-' || (spec[i] >= '0' && spec[i] <= '9'))
			i++;                    /* "%-10u": padding */
		unsigned char c = (unsigned char)spec[i];
		if (!c)
			break;
		if (c == '%' || c >= 128)
			continue;
		r += seen[c];
		seen[c] = true;
	}
	return r;
}

static struct score score_spec(const char *spec, const struct sample *sm)
{
	struct score sc = { 0, 0, spec_repeats(spec) };
	struct prefix_fields f;
	char err[128];
	struct prefix *p = prefix_compile(spec, err, sizeof(err));
	if (!p)
		return sc;
	for (unsigned i = 0; i < sm->n; i++)
		if (prefix_match(p, sm->line[i].ptr, sm->line[i].len, &f)
				&& plausible(&f)) {
			sc.lines++;
			sc.fields += f.nfields;
		}
	prefix_free(p);
	return sc;
}

static bool better(struct score a, struct score b)
{
	if (a.lines != b.lines)
		return a.lines > b.lines;
	if (a.fields != b.fields)
		return a.fields > b.fields;
	return a.repeats < b.repeats;
}

/* ---- the inferred candidates ---- */

struct inferred {
	char spec[MAX_INFERRED][SPEC_MAX];
	unsigned n;
};

static void infer_add(struct inferred *in, const char *spec)
{
	for (unsigned k = 0; k < in->n; k++)
		if (strcmp(in->spec[k], spec) == 0)
			return;
	if (in->n < MAX_INFERRED && strlen(spec) < SPEC_MAX)
		memcpy(in->spec[in->n++], spec, strlen(spec) + 1);
}

/* Each sampled line's prefix; then, where one extends another ("%m [%p] "
 * from the postmaster, "%m [%p] [user=%u,db=%d] " from a session), the
 * %q form that explains both. */
static void infer_all(const struct sample *sm, struct inferred *in)
{
	char spec[SPEC_MAX];
	unsigned fields;
	in->n = 0;
	for (unsigned i = 0; i < sm->n; i++)
		if (prefix_infer_line(sm->line[i].ptr, sm->line[i].len, spec, sizeof(spec),
				&fields))
			infer_add(in, spec);
	unsigned n = in->n;
	for (unsigned a = 0; a < n; a++) {
		size_t al = strlen(in->spec[a]);
		for (unsigned b = 0; b < n; b++) {
			const char *sb = in->spec[b];
			if (a == b || strncmp(sb, in->spec[a], al) != 0 || !sb[al]
					|| strstr(sb, "%q"))
				continue;
			int w = snprintf(spec, sizeof(spec), "%.*s%%q%s", (int)al, sb, sb + al);
			if (w > 0 && (size_t)w < sizeof(spec))
				infer_add(in, spec);
		}
	}
}

/* ---- detection ---- */

const char *prefix_detect(const char *buf, size_t len, unsigned *matched,
		unsigned *tried)
{
	static _Thread_local char found[SPEC_MAX];
	struct sample sm;
	struct inferred in;
	struct score best = { 0, 0, 0 };
	const char *spec = NULL;

	take_sample(buf, len, &sm);
	infer_all(&sm, &in);
	/* The table first: an inferred prefix replaces a table one only
	 * when it explains more. */
	for (size_t c = 0; c < ARRAY_SIZE(candidates); c++) {
		struct score sc = score_spec(candidates[c], &sm);
		if (sc.lines && better(sc, best)) {
			best = sc;
			spec = candidates[c];
		}
	}
	for (unsigned k = 0; k < in.n; k++) {
		if (!prefix_inferred_ok(in.spec[k]))
			continue;
		struct score sc = score_spec(in.spec[k], &sm);
		if (sc.lines && better(sc, best)) {
			best = sc;
			spec = in.spec[k];
		}
	}
	if (matched)
		*matched = best.lines;
	if (tried)
		*tried = sm.n;
	if (!spec || 2 * best.lines < sm.n)
		return NULL;
	memmove(found, spec, strlen(spec) + 1);
	return found;
}

bool prefix_fits(const char *spec, const char *buf, size_t len)
{
	struct sample sm;
	take_sample(buf, len, &sm);
	struct score sc = score_spec(spec, &sm);
	return sc.lines && 2 * sc.lines >= sm.n;
}

/* ---- suggestion ---- */

bool prefix_suggest(const char *buf, size_t len, char *out, size_t outlen)
{
	struct sample sm;
	struct inferred in;
	struct score best = { 0, 0, 0 };
	const char *spec = NULL;

	take_sample(buf, len, &sm);
	infer_all(&sm, &in);
	for (unsigned k = 0; k < in.n; k++) {
		struct score sc = score_spec(in.spec[k], &sm);
		if (!spec || better(sc, best)) {
			best = sc;
			spec = in.spec[k];
		}
	}
	if (!spec || strlen(spec) >= outlen)
		return false;
	memcpy(out, spec, strlen(spec) + 1);
	return true;
}
