/* prefix_detect.c: finding a log's log_line_prefix from its first lines.
 *
 * prefix_detect() scores a table of the prefixes distributions and tools
 * set up on the lines; prefix_suggest() builds one from a line's shape
 * when none fits. Both only call the compiler and matcher (prefix.c,
 * prefix_match.c) through prefix.h. */
#include <string.h>

#include "prefix.h"
#include "timeutil.h"

#define NOMATCH ((size_t)-1)

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

static size_t count_digits(const char *s, size_t avail)
{
	size_t n = 0;
	while (n < avail && is_digit(s[n]))
		n++;
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
	struct prefix_fields f;
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
				if (cp[c] && prefix_match(cp[c], s, l, &f)) {
					score[c]++;
					fields[c] += f.nfields;
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
		size_t z = prefix_zone_len(t + n + 1, avail - n - 1, ':');
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
