/* report_repeats.c: messages repeated over many inputs, told once (see
 * report.h). 10,000 inputs of one server each say "log_line_prefix ...
 * detected (N of N lines fit)": one line with the count and the first
 * few files says it all, where 10,000 lines bury everything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "strbuf.h"
#include "util.h"

struct keyed {
	char *key;      /* the text, each run of digits as one '#'; owned */
	size_t index;
};

static char *mask_digits(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			while (s[1] >= '0' && s[1] <= '9')
				s++;
			sb_putc(&sb, '#');
		} else {
			sb_putc(&sb, *s);
		}
	}
	return sb.buf ? sb.buf : xstrdup("");
}

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Sorted by key, then by position: each run of one key is one message,
 * its members in input order. Only a message said of more than
 * REPORT_REPEATS_LISTED inputs is told once; one input's own repeats
 * (ten lines it could not read) are each told as they are. */
static void group_repeats(struct report_msgs *t)
{
	struct keyed *k = xmalloc((t->n ? t->n : 1) * sizeof(*k));

	for (size_t i = 0; i < t->n; i++)
		k[i] = (struct keyed){ mask_digits(t->texts[i] ? t->texts[i] : ""), i };
	qsort(k, t->n, sizeof(*k), cmp_keyed);
	for (size_t i = 0; i < t->n;) {
		size_t j = i, inputs = 0;
		for (; j < t->n && strcmp(k[j].key, k[i].key) == 0; j++)
			if (j == i || t->input_of[k[j].index] != t->input_of[k[j - 1].index]) {
				if (inputs < REPORT_REPEATS_LISTED)
					t->listed[k[i].index * REPORT_REPEATS_LISTED + inputs] = k[j].index;
				inputs++;
			}
		for (size_t m = i; m < j; m++) {
			struct report_repeat *r = &t->rep[k[m].index];
			bool told_once = inputs > REPORT_REPEATS_LISTED;
			r->first = told_once ? k[i].index : k[m].index;
			r->count = told_once ? inputs : 1;
			r->rank = told_once ? m - i : 0;
			if (told_once && strcmp(t->texts[k[m].index], t->texts[r->first]) != 0)
				t->differs[r->first] = true;
		}
		i = j;
	}
	for (size_t i = 0; i < t->n; i++)
		free(k[i].key);
	free(k);
}

void report_msgs_build(struct report_msgs *t, const struct analysis *a,
		bool problems)
{
	size_t n = 0, m = 0;

	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		n += problems ? (in->nkept < INPUT_MAX_PROBLEMS ? in->nkept :
				INPUT_MAX_PROBLEMS) : in->nnotes;
	}
	size_t room = n ? n : 1;
	t->texts = xmalloc(room * sizeof(*t->texts));
	t->input_of = xmalloc(room * sizeof(*t->input_of));
	t->line_of = xcalloc(room, sizeof(*t->line_of));
	t->listed = xmalloc(room * REPORT_REPEATS_LISTED * sizeof(*t->listed));
	t->differs = xcalloc(room, sizeof(*t->differs));
	t->rep = xmalloc(room * sizeof(*t->rep));
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct input_report *in = &a->inputs[i];
		size_t k, kept = in->nkept < INPUT_MAX_PROBLEMS ? in->nkept :
			INPUT_MAX_PROBLEMS;
		for (k = 0; problems && k < kept; k++, m++) {
			t->texts[m] = in->problems[k].message ? in->problems[k].message : "";
			t->line_of[m] = in->problems[k].line;
			t->input_of[m] = i;
		}
		for (k = 0; !problems && k < in->nnotes; k++, m++) {
			t->texts[m] = in->notes[k] ? in->notes[k] : "";
			t->input_of[m] = i;
		}
	}
	t->n = m;
	group_repeats(t);
}

void report_msgs_free(struct report_msgs *t)
{
	free(t->rep);
	free(t->differs);
	free(t->listed);
	free(t->line_of);
	free(t->input_of);
	free(t->texts);
	memset(t, 0, sizeof(*t));
}

static void append_where(struct strbuf *sb, const struct report_msgs *t,
		const struct analysis *a, size_t m)
{
	const char *p = a->inputs[t->input_of[m]].path;
	char num[32];

	if (!p)
		p = "-";
	sb_append(sb, p, strlen(p));
	if (t->line_of[m])
		sb_append(sb, num, (size_t)snprintf(num, sizeof(num), ":%llu",
				(unsigned long long)t->line_of[m]));
}

void report_msgs_where(const struct report_msgs *t, const struct analysis *a,
		size_t m, struct strbuf *sb)
{
	const struct report_repeat *g = &t->rep[m];
	char more[64];

	sb_reset(sb);
	if (g->count <= REPORT_REPEATS_LISTED) {
		append_where(sb, t, a, m);
		return;
	}
	for (size_t k = 0; k < REPORT_REPEATS_LISTED; k++) {
		if (k)
			sb_append(sb, ", ", 2);
		append_where(sb, t, a, t->listed[g->first * REPORT_REPEATS_LISTED + k]);
	}
	size_t rest = g->count - REPORT_REPEATS_LISTED;
	sb_append(sb, more, (size_t)snprintf(more, sizeof(more), " and %zu more input%s",
			rest, rest == 1 ? "" : "s"));
}
