/* prefix_infer.c: a log_line_prefix read off one line, field by field.
 *
 * The text before a line's severity is read piece by piece by shape: a
 * time stamp is %m or %t (or %n for epoch seconds), "[digits]" [%p] then
 * [%l], "00000" or "42P01" %e, a 64-bit number %Q, "65a502d0.1f4" %c,
 * "3/42" %v, "host(port)" or "[local]" %r, an address %h, "x@y" %u@%d,
 * a backend type %b, and "key=value" / key="value" pairs by the value's
 * shape, then the key's words (user, db, app, client, pid, ...). What no
 * shape explains stays literal. prefix_detect.c scores what this builds
 * against the whole sample. */
#include <string.h>

#include "prefix.h"
#include "prefix_infer_int.h"
#include "prefix_int.h"
#include "timeutil.h"

/* A severity further into a line than this does not end a prefix (the
 * longest real ones, Heroku's, are about 300 bytes). */
#define SEV_WITHIN 600

/* ---- inference: a prefix from one line's shape ---- */

struct sugg {
	char *out;
	size_t cap, n;
	bool overflow;
	unsigned fields;
	bool have_p, have_l;
	bool plain_sev;         /* LOG, INFO or DEBUG: SQLSTATE "00000" or "08P01" */
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
	if (strstr(esc, "%p"))
		g->have_p = true;
	if (strstr(esc, "%l"))
		g->have_l = true;
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
		|| s[i - 1] == '[' || s[i - 1] == '(' || s[i - 1] == '<'
		|| s[i - 1] == '"' || s[i - 1] == '|' || s[i - 1] == ']'
		|| s[i - 1] == '-';
}

/* A byte that may follow a whole value: not part of a longer word. */
static bool value_end(const char *t, size_t n, size_t avail)
{
	return n == avail || !(is_alpha(t[n]) || is_digit(t[n]) || t[n] == '.'
		|| t[n] == '_');
}

/* The SQLSTATE classes PostgreSQL defines, for telling "%e" from a
 * number. A LOG, INFO or DEBUG line carries "00000" or a class such as
 * "08P01": on it five digits that do not start with 0 are a process id
 * ("23456" was read as %e and the pids of a log were lost). */
static bool sqlstate_like(const char *t, size_t avail, bool plain_sev)
{
	static const char classes[] = "0001020308090A0B0F0L0P0Z"
		"2021222324252627282B2D2F" "3438393B3D3F" "4042445354555758"
		"72F0HVP0XX";
	unsigned digits = 0;
	if (avail < 5 || !value_end(t, 5, avail))
		return false;
	for (size_t i = 0; i < 5; i++) {
		if (is_digit(t[i]))
			digits++;
		else if (t[i] < 'A' || t[i] > 'Z')
			return false;
	}
	if (digits < 2 || (plain_sev && digits == 5 && t[0] != '0'))
		return false;
	for (size_t c = 0; c + 1 < sizeof(classes); c += 2)
		if (t[0] == classes[c] && t[1] == classes[c + 1])
			return true;
	return false;
}

/* A time stamp at t with its zone: its length, 0 when none; *esc the
 * escape its shape says. */
static size_t time_shape(const char *t, size_t avail, const char **esc)
{
	int64_t ms;
	size_t n = ts_parse_wallclock(t, avail, &ms);
	if (n == 0 || n >= avail || t[n] != ' ')
		return 0;
	/* ':' as the next byte: "+03:" is taken as "+03" then ':'. */
	size_t z = prefix_zone_len(t + n + 1, avail - n - 1, ':');
	if (z == 0)
		return 0;
	*esc = n > 19 ? "%m" : "%t";
	return n + 1 + z;
}

/* "65a502d0.1f4": a session id (%c); the first part is a start time in
 * hex, 8 digits since 1978. */
static size_t session_shape(const char *t, size_t avail)
{
	size_t a = count_hex(t, avail);
	if (a < 6 || a > 8 || a >= avail || t[a] != '.')
		return 0;
	size_t b = count_hex(t + a + 1, avail - a - 1);
	if (b == 0 || b > 8 || !value_end(t, a + 1 + b, avail))
		return 0;
	return a + 1 + b;
}

/* "12/345": a virtual transaction id (%v). */
static size_t vxid_shape(const char *t, size_t avail)
{
	size_t a = count_digits(t, avail);
	if (a == 0 || a >= avail || t[a] != '/')
		return 0;
	size_t b = count_digits(t + a + 1, avail - a - 1);
	return b && value_end(t, a + 1 + b, avail) ? a + 1 + b : 0;
}

static bool is_host_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == ':' || c == '-'
		|| c == '_';
}

/* "10.0.0.1(5432)", "db.example(5432)" or "[local]": %r. */
static size_t remote_shape(const char *t, size_t avail)
{
	if (avail >= 7 && memcmp(t, "[local]", 7) == 0)
		return 7;
	size_t h = 0;
	while (h < avail && is_host_char(t[h]))
		h++;
	if (h == 0 || h >= avail || t[h] != '(')
		return 0;
	size_t d = count_digits(t + h + 1, avail - h - 1);
	if (d == 0 || h + d + 1 >= avail || t[h + d + 1] != ')')
		return 0;
	return h + d + 2;
}

/* "10.0.0.1" or "::1", "fe80::1": a client address (%h). */
static size_t addr_shape(const char *t, size_t avail)
{
	size_t n = 0, dots = 0, colons = 0;
	while (n < avail && (is_hex(t[n]) || t[n] == '.' || t[n] == ':')) {
		dots += t[n] == '.';
		colons += t[n] == ':';
		n++;
	}
	while (n && (t[n - 1] == ':' || t[n - 1] == '.')) {
		/* "10.0.0.1:" before a literal colon */
		dots -= t[n - 1] == '.';
		colons -= t[n - 1] == ':';
		n--;
	}
	/* IPv6 shortened ("::1") or in full (seven colons); "10:00:00" is
	 * a time. */
	bool v6 = colons >= 7 || (colons >= 2 && memmem(t, n, "::", 2));
	if (!value_end(t, n, avail) || (dots != 3 && !v6))
		return 0;
	if (dots == 3)
		for (size_t i = 0; i < n; i++)
			if (!is_digit(t[i]) && t[i] != '.')
				return 0;
	return n;
}

/* The backend types %b writes (pg_stat_activity.backend_type). */
static size_t backend_type_shape(const char *t, size_t avail)
{
	static const char *const types[] = {
		"client backend", "autovacuum worker", "autovacuum launcher",
		"background writer", "background worker", "checkpointer",
		"walwriter", "walsender", "walreceiver", "walsummarizer",
		"startup", "archiver", "postmaster", "logical replication launcher",
		"logical replication worker", "parallel worker",
		"standalone backend", "slotsync worker", "io worker",
	};
	for (size_t k = 0; k < ARRAY_SIZE(types); k++) {
		size_t n = strlen(types[k]);
		if (n <= avail && memcmp(t, types[k], n) == 0 && value_end(t, n, avail)
				&& (n == avail || t[n] != ' ' || n + 1 == avail))
			return n;
	}
	return 0;
}

/* Case-insensitive: whether key holds word. */
static bool key_has(const char *key, size_t kl, const char *word)
{
	size_t wl = strlen(word);
	for (size_t i = 0; i + wl <= kl; i++) {
		size_t j = 0;
		while (j < wl && (key[i + j] | 0x20) == word[j])
			j++;
		if (j == wl)
			return true;
	}
	return false;
}

/* The escape a "key=value" pair stands for, from the value's shape, then
 * the key's words; NULL when neither tells. */
static const char *pair_escape(const char *key, size_t kl, const char *v,
		size_t vl)
{
	static const struct {
		const char *word, *esc;
	} words[] = {
		{ "sqlstate", "%e" }, { "error_code", "%e" }, { "errcode", "%e" },
		{ "queryid", "%Q" }, { "query_id", "%Q" },
		{ "vxid", "%v" }, { "vtid", "%v" }, { "virtual", "%v" },
		{ "xid", "%x" }, { "tid", "%x" }, { "trx", "%x" },
		{ "session", "%c" }, { "line", "%l" }, { "leader", "%P" },
		{ "pid", "%p" }, { "proc", "%p" }, { "backend", "%b" },
		{ "type", "%b" }, { "command", "%i" }, { "cmd", "%i" },
		{ "tag", "%i" }, { "app", "%a" }, { "database", "%d" },
		{ "db", "%d" }, { "user", "%u" }, { "usr", "%u" },
		{ "role", "%u" }, { "login", "%u" }, { "client", "%h" },
		{ "host", "%h" }, { "remote", "%r" }, { "source", "%r" },
		{ "addr", "%h" }, { "ip", "%h" }, { "code", "%e" },
	};
	const char *esc;
	if (vl && time_shape(v, vl + 1, &esc) == vl)
		return key_has(key, kl, "start") ? "%s" : esc;
	if (vl && session_shape(v, vl) == vl)
		return "%c";
	/* "[local]" is what %h and %r both write for a socket: the key
	 * decides. */
	if (vl && remote_shape(v, vl) == vl
			&& !(vl == 7 && (key_has(key, kl, "host") || key_has(key, kl, "client"))))
		return "%r";
	if (vl && vxid_shape(v, vl) == vl)
		return "%v";
	for (size_t k = 0; k < ARRAY_SIZE(words); k++)
		if (key_has(key, kl, words[k].word))
			return words[k].esc;
	return NULL;
}

/* "key=value", "key = value" or key="value" at t: the escape for the value
 * written in its place; the length read, 0 when t is no such pair. */
static size_t sg_pair(struct sugg *g, const char *t, size_t avail)
{
	size_t k = 0;
	while (k < avail && (is_alpha(t[k]) || t[k] == '_'))
		k++;
	if (k == 0)
		return 0;
	size_t eq = k;
	if (eq + 2 < avail && t[eq] == ' ' && t[eq + 1] == '=' && t[eq + 2] == ' ')
		eq += 3;
	else if (eq < avail && t[eq] == '=')
		eq++;
	else
		return 0;
	bool quoted = eq < avail && t[eq] == '"';
	size_t v = eq + quoted, e = v;
	if (quoted) {
		const char *q = memchr(t + v, '"', avail - v);
		if (!q)
			return 0;
		e = (size_t)(q - t);
	} else if (avail - v >= 9 && memcmp(t + v, "[unknown]", 9) == 0) {
		e = v + 9;
	} else if (avail - v >= 7 && memcmp(t + v, "[local]", 7) == 0) {
		e = v + 7;
	} else {
		while (e < avail && t[e] != ',' && t[e] != ' ' && t[e] != ']'
				&& t[e] != ')' && t[e] != '|')
			e++;
	}
	const char *esc = pair_escape(t, k, t + v, e - v);
	if (!esc)
		return 0;
	sg_put(g, t, v);
	sg_field(g, esc);
	if (quoted) {
		sg_put(g, "\"", 1);
		e++;
	}
	return e;
}

/* "user@db", "user@db/app" at t (n bytes up to a space, ':' or ','); a
 * value may be "[unknown]", other brackets around the pair stay
 * literal. Before the severity it takes %q: the postmaster's lines end
 * there, as with Debian's "%q%u@%d". */
static size_t sg_user_at_db(struct sugg *g, const char *t, size_t avail)
{
	size_t n = 0;
	while (n < avail && t[n] != ' ' && t[n] != ':' && t[n] != ',')
		n++;
	const char *at = memchr(t, '@', n);
	if (!at)
		return 0;
	if (t[0] == '[' && (n < 9 || memcmp(t, "[unknown]", 9) != 0))
		return 0;
	if (t[n - 1] == ']' && (n < 9 || memcmp(t + n - 9, "[unknown]", 9) != 0))
		n--;
	bool app = memchr(at, '/', n - (size_t)(at - t)) != NULL;
	if (n < avail && t[n] == ' ' && n + 1 == avail)
		sg_put(g, "%q", 2);
	sg_put(g, app ? "%u@%d/%a" : "%u@%d", app ? 8 : 5);
	g->fields += app ? 3 : 2;
	return n;
}

/* One piece of the prefix text at s[i..end) turned into an escape;
 * returns its length, 0 when it is plain text. */
static size_t sg_piece(struct sugg *g, const char *s, size_t i, size_t end)
{
	const char *t = s + i;
	size_t avail = end - i, n;
	const char *esc;

	if ((i == 0 || !is_digit(s[i - 1])) && (n = time_shape(t, avail, &esc))) {
		sg_field(g, esc);
		return n;
	}
	if (!word_start(s, i))
		return 0;
	if (t[0] == '[') {
		size_t d = count_digits(t + 1, avail - 1);
		if (d && 1 + d < avail && t[1 + d] == ']') {
			sg_field(g, g->have_p ? "[%l" : "[%p");
			sg_put(g, "]", 1);
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
				return 3 + d + d2;
			}
		}
	}
	if ((n = remote_shape(t, avail))) {
		sg_field(g, "%r");
		return n;
	}
	if ((n = sg_pair(g, t, avail)))
		return n;
	if ((n = sg_user_at_db(g, t, avail)))
		return n;
	if ((n = session_shape(t, avail))) {
		sg_field(g, "%c");
		return n;
	}
	if ((n = vxid_shape(t, avail))) {
		sg_field(g, "%v");
		return n;
	}
	if (sqlstate_like(t, avail, g->plain_sev)) {
		sg_field(g, "%e");
		return 5;
	}
	if ((n = addr_shape(t, avail))) {
		sg_field(g, "%h");
		return n;
	}
	if ((n = backend_type_shape(t, avail))) {
		sg_field(g, "%b");
		return n;
	}
	/* An epoch time stamp with milliseconds (%n). */
	n = count_digits(t, avail);
	if (n >= 9 && n <= 11 && n + 1 < avail && t[n] == '.' && is_digit(t[n + 1])) {
		size_t f = count_digits(t + n + 1, avail - n - 1);
		if (value_end(t, n + 1 + f, avail)) {
			sg_field(g, "%n");
			return n + 1 + f;
		}
	}
	/* A query id: 64 bits, signed, rarely short but 0. */
	n = avail && t[0] == '-';
	n += count_digits(t + n, avail - n);
	if (n >= 8 && value_end(t, n, avail)) {
		sg_field(g, "%Q");
		return n;
	}
	/* A lone number: the process id, then the line number. */
	n = count_digits(t, avail);
	if (n && n <= 7 && !(g->have_p && g->have_l) && n < avail
			&& (t[n] == ' ' || t[n] == ']' || t[n] == ':' || t[n] == ','
				|| t[n] == '-' || t[n] == '|')) {
		sg_field(g, g->have_p ? "%l" : "%p");
		return n;
	}
	return 0;
}

/* Where the severity starts in line, or NOMATCH. */
static size_t find_severity(const char *line, size_t len)
{
	if (len > SEV_WITHIN)
		len = SEV_WITHIN;
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

/* The prefix line's shape says, into out; false when the line has no
 * severity or what was built does not match it. */
bool prefix_infer_line(const char *line, size_t len, char *out, size_t outlen,
		unsigned *fields)
{
	/* A JSON document is not a prefixed line, whatever it quotes. */
	if (len && line[0] == '{')
		return false;
	size_t end = find_severity(line, len);
	if (end == NOMATCH || outlen == 0)
		return false;
	enum severity sev = SEV_NONE;
	severity_parse(line + end, len - end, &sev);
	struct sugg g = { .out = out, .cap = outlen,
		.plain_sev = sev == SEV_LOG || sev == SEV_INFO || sev == SEV_DEBUG };
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

/* Whether an inferred prefix may be detected: its literal text holds no
 * word but keys ("user=", "sql_error_code = ") and pgBadger's "[%l-1]".
 * Any other word or number was copied from the line it came from (a host
 * name, a pid the shapes did not place), and one line proves nothing; it
 * is still good enough for a suggestion. */
bool prefix_inferred_ok(const char *spec)
{
	for (size_t i = 0; spec[i];) {
		if (spec[i] == '%') {
			i += spec[i + 1] ? 2 : 1;
			continue;
		}
		if (!is_alpha(spec[i]) && !is_digit(spec[i])) {
			i++;
			continue;
		}
		size_t w = i;
		while (is_alpha(spec[w]) || is_digit(spec[w]) || spec[w] == '_')
			w++;
		bool key = spec[w] == '=' || (spec[w] == ' ' && spec[w + 1] == '=');
		bool line_one = w - i == 1 && spec[i] == '1' && i >= 3
			&& memcmp(spec + i - 3, "%l-", 3) == 0;
		if (!key && !line_one)
			return false;
		i = w;
	}
	return true;
}
