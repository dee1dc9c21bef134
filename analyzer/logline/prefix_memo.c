/* prefix_memo.c: prefix_match_memo(), the full match's results from
 * remembered lines.
 *
 * Consecutive lines of a backend share their prefix but for the
 * timestamp and %l. The memo keeps the last few matched lines as the
 * bytes between those fields (holes) and the fields found: a line that
 * holds the same bytes there needs only its holes and its severity
 * parsed. memo_store() says why that gives what the full match would. */
#include <stdlib.h>
#include <string.h>

#include "prefix_int.h"
#include "timeutil.h"

/* Lines remembered, and bytes remembered per line. */
#define MEMO_ENTRIES 16
#define MEMO_BYTES 240
/* Bytes kept of a line an entry answered, holes included. */
#define LAST_BYTES 256

/* The last minute and second a memo parsed: pure functions of the bytes
 * they are keyed on, so reusing them changes no result. */
struct tcache {
	bool have_minute, have_second;
	char minute[17];        /* "YYYY-MM-DD HH:MM:" */
	char second[19];        /* "YYYY-MM-DD HH:MM:SS" */
	int64_t minute_ms, second_ms;
};

static inline uint64_t load8(const char *s)
{
	uint64_t x;
	memcpy(&x, s, 8);
	return x;
}

/* Byte runs of a few dozen bytes: eight at a time, the last eight
 * overlapping the others, no call. */
static inline bool run_eq(const char *a, const char *b, size_t n)
{
	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	for (size_t i = 0; i + 8 < n; i += 8)
		if (load8(a + i) != load8(b + i))
			return false;
	return load8(a + n - 8) == load8(b + n - 8);
}

/* ---- the plan ---- */

/* Whether token i, a field that changes on every line (%t %m %n %l),
 * can be a memo hole: no token before it may have read into it. Shaped
 * fields stop at the byte after them, so one literal in between
 * suffices, but for %v (which reads on past an empty value); free text
 * stops at its literal, and %h/%r's scans are checked per line. */
static bool hole_fits(const struct prefix *p, size_t i, const bool *is_hole)
{
	size_t j = i;
	while (j > 0 && p->toks[j - 1].kind == TK_STOP)
		j--;
	if (j == 0 || is_hole[j - 1])
		return true;
	if (p->toks[j - 1].kind != TK_LIT)
		return false;
	j--;
	while (j > 0 && p->toks[j - 1].kind == TK_STOP)
		j--;
	if (j == 0 || is_hole[j - 1])
		return true;
	const struct token *t = &p->toks[j - 1];
	return t->kind == TK_FREE || (t->esc != 'v' && t->esc != 'n');
}

static void add_slot(struct prefix *p, unsigned field, unsigned seg)
{
	p->slots[p->nslot++] = (struct slot){ .field = (unsigned short)field,
		.seg = (unsigned char)seg };
}

void prefix_memo_plan(struct prefix *p)
{
	bool is_hole[MAX_TOKENS] = { false };

	for (size_t i = 0; i < p->ntok; i++) {
		const struct token *t = &p->toks[i];
		bool lit_next = i + 1 < p->ntok && p->toks[i + 1].kind == TK_LIT;
		p->seg_of[i] = p->nhole;
		/* A %t/%m hole is the wall clock alone: its zone stays in the
		 * next segment, ended by the first byte of a literal. */
		if (t->kind == TK_FIXED && t->width == 0 && p->nhole < MAX_HOLES
				&& (t->esc == 'n' || t->esc == 'l'
					|| ((t->esc == 't' || t->esc == 'm') && lit_next))
				&& hole_fits(p, i, is_hole)) {
			is_hole[i] = true;
			p->hole[p->nhole++] = (unsigned char)i;
		}
	}
	p->time_hole = p->line_hole = -1;
	for (unsigned k = 0; k < p->nowner; k++) {
		const struct token *t = &p->toks[p->owner[k]];
		unsigned seg = p->seg_of[p->owner[k]];
		if (is_hole[p->owner[k]] && t->esc == 'l') {
			p->line_hole = (signed char)seg;
			continue;
		}
		if (is_hole[p->owner[k]]) {
			p->time_hole = (signed char)seg;
			seg += t->esc != 'n';
		}
		if (prefix_slice_of[(unsigned char)t->esc])
			add_slot(p, prefix_slice_of[(unsigned char)t->esc], seg);
		if (t->esc == 'r' && !p->has_h)
			add_slot(p, FIELD(host), seg);
	}
	/* The severity must follow a literal: a field right before it
	 * would read its first byte, which the memo does not compare. */
	p->memo_ok = p->ntok > 0 && p->toks[p->ntok - 1].kind == TK_LIT;
}

/* ---- the memo ---- */

/* One remembered line: its bytes outside the holes, split in segments
 * (segment k lies before hole k, the last one before the severity), and
 * its fields, slices kept as offsets into their segment. */
struct memo_entry {
	unsigned short seg_off[MAX_HOLES + 1], seg_len[MAX_HOLES + 1];
	unsigned short rel[MAX_SLOTS];
	int64_t zshift;         /* wall clock minus ts_ms (the zone's offset) */
	struct prefix_fields f;
	char bytes[MEMO_BYTES];
	/* A line this entry answered: its bytes before the severity
	 * (last_len of them, 0: none yet), where its slots lay, and its
	 * holes' values. A line holding the same bytes there gets the same
	 * answer with nothing parsed: most lines repeat the line before
	 * (same backend, same millisecond). */
	unsigned short last_len;
	unsigned short last_off[MAX_SLOTS];
	int64_t last_ts, last_lno;
	char last[LAST_BYTES];
};

struct prefix_memo {
	const struct prefix *p;
	unsigned used;
	unsigned long hits;
	/* Entries most recently used first: the backends that are busy. */
	unsigned char order[MEMO_ENTRIES];
	struct tcache tc;
	/* Eight bytes of each entry's first compared segment (bytes 8-15
	 * when it has them: where "%m [%p] " has the pid), to skip most
	 * entries without touching them. */
	struct {
		uint64_t bytes, mask;
		size_t off;
	} tag[MEMO_ENTRIES];
	struct memo_entry e[MEMO_ENTRIES];
};

struct prefix_memo *prefix_memo_new(const struct prefix *p)
{
	struct prefix_memo *mm = xcalloc(1, sizeof(*mm));
	mm->p = p;
	return mm;
}

void prefix_memo_free(struct prefix_memo *mm)
{
	free(mm);
}

unsigned long prefix_memo_hits(const struct prefix_memo *mm)
{
	return mm->hits;
}

/* Why answering from the memo is exact. The full match is a depth-first
 * search that returns its first success. When no tried end failed
 * (!dirty), that success took the first candidate at every choice, and
 * each first candidate depends only on bytes up to the literal that ends
 * it (free text), the byte after the value (shaped fields; hole_fits()
 * keeps that byte out of the holes, prefix_memo_plan() wants a literal
 * before the severity), or how far %h/%r looked (their host scan, a
 * padded %r's search for "(port)"), which must stay inside its segment
 * (checked here). So on a line whose segments hold the same bytes, whose holes
 * parse with the same code, and whose severity parses after them, the
 * search takes the same path and succeeds at once: the fields are the
 * remembered ones, moved with the holes, plus the holes' own values. A
 * %t/%m hole covers the wall clock only; its zone, in the next segment,
 * is then the remembered one too. */
static void memo_store(struct prefix_memo *mm, const struct mstate *m,
		const struct prefix_fields *f)
{
	const struct prefix *p = mm->p;
	size_t start[MAX_HOLES + 1], end[MAX_HOLES + 1], total = 0, at = 0;

	if (!p->memo_ok || m->dirty || m->end_tok != p->ntok)
		return;
	for (unsigned k = 0; k <= p->nhole; k++) {
		start[k] = at;
		if (k < p->nhole) {
			const struct tval *v = &m->v[p->hole[k]];
			char esc = p->toks[p->hole[k]].esc;
			end[k] = v->off;
			at = esc == 't' || esc == 'm' ? v->zoff - 1 : v->off + v->len;
		} else {
			end[k] = m->sev_off;
		}
		total += end[k] - start[k];
	}
	if (total > MEMO_BYTES)
		return;
	for (size_t i = 0; i < p->ntok; i++) {
		const struct token *t = &p->toks[i];
		if (t->kind == TK_FREE && (t->esc == 'h' || t->esc == 'r')
				&& m->v[i].reach >= end[p->seg_of[i]])
			return;
	}

	/* The least recently used entry goes; the new one comes first. */
	unsigned victim = mm->used < MEMO_ENTRIES ? mm->used++ : mm->order[MEMO_ENTRIES - 1];
	memmove(mm->order + 1, mm->order, mm->used - 1);
	mm->order[0] = (unsigned char)victim;

	unsigned from = p->nhole && p->hole[0] == 0;
	unsigned char mask[8] = { 0 };
	char tag[8] = { 0 };
	size_t n = end[from] - start[from], off = n < 16 ? n : 16;
	off = off < 8 ? 0 : off - 8;
	n = n - off < 8 ? n - off : 8;
	memset(mask, 0xff, n);
	memcpy(tag, m->line + start[from] + off, n);
	memcpy(&mm->tag[victim].bytes, tag, 8);
	memcpy(&mm->tag[victim].mask, mask, 8);
	mm->tag[victim].off = off;

	struct memo_entry *e = &mm->e[victim];
	at = 0;
	for (unsigned k = 0; k <= p->nhole; k++) {
		e->seg_off[k] = (unsigned short)at;
		e->seg_len[k] = (unsigned short)(end[k] - start[k]);
		memcpy(e->bytes + at, m->line + start[k], e->seg_len[k]);
		at += e->seg_len[k];
	}
	e->last_len = 0;
	e->zshift = 0;
	if (p->time_hole >= 0)
		e->zshift = (int64_t)m->v[p->hole[p->time_hole]].zmin * MS_PER_MIN;
	copy_fields(&e->f, f);
	for (unsigned j = 0; j < p->nslot; j++) {
		const struct slot *s = &p->slots[j];
		const char *ptr = field_slice(&e->f, s->field)->ptr;
		e->rel[j] = (unsigned short)(ptr - (m->line + start[s->seg]));
	}
}

/* ts_parse_wallclock(), first trying the memo's second, then its minute:
 * then only what follows is parsed, exactly as timeutil.c does. */
static size_t wallclock(struct tcache *tc, const char *s, size_t avail,
		int64_t *ms)
{
	int64_t base;
	size_t n = 19, i, nd;
	int frac = 0;

	if (avail < 19)
		return ts_parse_wallclock(s, avail, ms);
	if (tc->have_second && run_eq(s, tc->second, 19)) {
		base = tc->second_ms;
	} else if (tc->have_minute && run_eq(s, tc->minute, 17)
			&& is_digit(s[17]) && is_digit(s[18])
			&& (s[17] - '0') * 10 + (s[18] - '0') <= 60) {
		base = tc->minute_ms + ((s[17] - '0') * 10 + (s[18] - '0')) * 1000;
		memcpy(tc->second, s, 19);
		tc->second_ms = base;
		tc->have_second = true;
	} else {
		char m[19];
		n = ts_parse_wallclock(s, avail, ms);
		memcpy(m, s, 17);
		m[17] = m[18] = '0';
		if (n >= 19 && ts_parse_wallclock(m, sizeof(m), &base) == sizeof(m)) {
			memcpy(tc->minute, s, 17);
			tc->minute_ms = base;
			tc->have_minute = true;
		}
		return n;
	}
	/* Milliseconds, then any other fraction (up to 6 digits). */
	if (avail > 23 && s[19] == '.' && is_digit(s[20]) && is_digit(s[21])
			&& is_digit(s[22]) && !is_digit(s[23])) {
		frac = (s[20] - '0') * 100 + (s[21] - '0') * 10 + (s[22] - '0');
		n = 23;
	} else if (n + 1 < avail && s[n] == '.' && is_digit(s[n + 1])) {
		for (i = n + 1, nd = 0; i < avail && is_digit(s[i]); i++, nd++)
			if (nd < 3)
				frac = frac * 10 + (s[i] - '0');
		if (nd > 6)
			return 0;
		for (; nd < 3; nd++)
			frac *= 10;
		n = i;
	}
	*ms = base + frac;
	return n;
}

/* Hole k's value at line[pos], by the full match's own code. */
static inline size_t parse_hole(struct prefix_memo *mm, unsigned k,
		const char *line, size_t len, size_t pos, struct tval *v)
{
	const struct token *t = &mm->p->toks[mm->p->hole[k]];
	if (t->esc != 't' && t->esc != 'm')
		return prefix_match_shape(line, len, pos, t, v);
	size_t n = wallclock(&mm->tc, line + pos, len - pos, &v->num);
	if (n == 0 || (t->esc == 'm') != (n > 19))
		return NOMATCH;
	return n;
}

/* The severity at line[pos] and, in f when not NULL, e's fields with it:
 * what every answer from e starts with. 0 when no severity is there.
 * Forced inline: it is on two lines in three, and a call cost 0.5% of a
 * low-cardinality run's instructions. */
static inline __attribute__((always_inline)) size_t answer_from(const struct memo_entry *e, const char *line,
		size_t len, size_t pos, struct prefix_fields *f)
{
	enum severity sev;
	size_t n = sev_parse(line + pos, len - pos, &sev);
	if (n == 0 || !f)
		return n;
	copy_fields(f, &e->f);
	f->severity = sev;
	f->sev_off = pos;
	f->msg_off = pos + n;
	return n;
}

/* Whether line fits entry e, the holes before hole `from` parsed into hv
 * and ending at pos; fills f (when not NULL) if so, and then keeps line
 * as e's last. */
static bool memo_try(struct prefix_memo *mm, struct memo_entry *e,
		unsigned from, const char *line, size_t len, size_t pos,
		struct tval *hv, struct prefix_fields *f)
{
	const struct prefix *p = mm->p;
	size_t start[MAX_HOLES + 1], n;

	start[0] = 0;
	for (unsigned k = from; k <= p->nhole; k++) {
		n = e->seg_len[k];
		if (len - pos < n || !run_eq(line + pos, e->bytes + e->seg_off[k], n))
			return false;
		start[k] = pos;
		pos += n;
		if (k < p->nhole) {
			n = parse_hole(mm, k, line, len, pos, &hv[k]);
			if (n == NOMATCH)
				return false;
			pos += n;
		}
	}
	if (answer_from(e, line, len, pos, f) == 0)
		return false;
	if (!f)
		return true;
	for (unsigned j = 0; j < p->nslot; j++) {
		const struct slot *s = &p->slots[j];
		size_t off = start[s->seg] + e->rel[j];
		field_slice(f, s->field)->ptr = line + off;
		e->last_off[j] = (unsigned short)off;
	}
	if (p->time_hole >= 0)
		f->ts_ms = hv[p->time_hole].num - e->zshift;
	if (p->line_hole >= 0)
		f->line_no = hv[p->line_hole].num;
	e->last_len = 0;
	if (pos <= LAST_BYTES) {
		memcpy(e->last, line, pos);
		e->last_len = (unsigned short)pos;
		e->last_ts = f->ts_ms;
		e->last_lno = f->line_no;
	}
	return true;
}

/* memo_try() for a line whose bytes before the severity are e's last
 * line's: the holes hold the same bytes, so parse to the same values. */
static bool memo_repeat(struct prefix_memo *mm, const struct memo_entry *e,
		const char *line, size_t len, struct prefix_fields *f)
{
	const struct prefix *p = mm->p;
	size_t pos = e->last_len;

	if (pos == 0 || len < pos || !run_eq(line, e->last, pos))
		return false;
	if (answer_from(e, line, len, pos, f) == 0)
		return false;
	if (!f)
		return true;
	for (unsigned j = 0; j < p->nslot; j++)
		field_slice(f, p->slots[j].field)->ptr = line + e->last_off[j];
	if (p->time_hole >= 0)
		f->ts_ms = e->last_ts;
	if (p->line_hole >= 0)
		f->line_no = e->last_lno;
	return true;
}

bool prefix_match_memo(struct prefix_memo *mm, const char *line, size_t len,
		struct prefix_fields *f)
{
	const struct prefix *p = mm->p;
	struct tval hv[MAX_HOLES];
	struct prefix_fields tmp;
	struct mstate m;

	if (mm->used && memo_repeat(mm, &mm->e[mm->order[0]], line, len, f)) {
		mm->hits++;
		return true;
	}
	if (mm->used) {
		/* A hole at the very start (the timestamp) is the same for
		 * every entry: parse it once. */
		unsigned from = 0;
		size_t pos = 0;
		if (p->nhole && p->hole[0] == 0) {
			pos = parse_hole(mm, 0, line, len, 0, &hv[0]);
			from = 1;
		}
		/* The entry that answered last, then the others whose tag
		 * fits. */
		for (unsigned k = 0; pos != NOMATCH && k < mm->used; k++) {
			unsigned i = mm->order[k];
			size_t at = pos + mm->tag[i].off;
			bool other = k && at + 8 <= len
				&& (load8(line + at) & mm->tag[i].mask) != mm->tag[i].bytes;
			if (!other && memo_try(mm, &mm->e[i], from, line, len, pos, hv, f)) {
				if (k) {
					memmove(mm->order + 1, mm->order, k);
					mm->order[0] = (unsigned char)i;
				}
				mm->hits++;
				return true;
			}
		}
	}
	if (!prefix_match_state(p, line, len, &m))
		return false;
	if (!f)
		f = &tmp;
	prefix_fill_fields(&m, f);
	memo_store(mm, &m, f);
	return true;
}
