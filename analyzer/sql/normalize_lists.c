/* normalize_lists.c: the IN / VALUES / ARRAY list collapsing behind
 * fp_normalize(). The lexer in normalize.c reports where elements and rows
 * end; their text is compared here, in the output, placeholder numbers
 * aside, and a list of one shape is cut back to its first element. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "fingerprint.h"
#include "normalize_int.h"
#include "util.h"

/* Is a '$' at a[i] the start of a placeholder (not part of an identifier)? */
static inline bool at_placeholder(const char *a, size_t n, size_t i)
{
	return a[i] == '$' && i + 1 < n && IS(a[i + 1], CH_DIGIT) &&
		(i == 0 || !IS(a[i - 1], CH_IDCONT));
}

/* Equal texts once placeholder numbers are ignored: "($1, $2)" and
 * "($3, $4)" are rows of one shape. */
static bool same_shape(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	while (i < an && j < bn) {
		if (at_placeholder(a, an, i) && at_placeholder(b, bn, j)) {
			for (i++; i < an && IS(a[i], CH_DIGIT); i++)
				;
			for (j++; j < bn && IS(b[j], CH_DIGIT); j++)
				;
			continue;
		}
		if (a[i] != b[j])
			return false;
		i++, j++;
	}
	return i == an && j == bn;
}

static bool has_placeholder(const char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (at_placeholder(a, n, i))
			return true;
	return false;
}

/* An IN / ARRAY element worth collapsing: placeholders, casts, rows and
 * nested arrays of them, nothing that computes ("$1 + x", a subquery). */
static bool simple_element(const char *a, size_t n)
{
	bool ph = false, cast = false;
	size_t i = 0;
	while (i < n) {
		char c = a[i];
		if (at_placeholder(a, n, i)) {
			for (i++; i < n && IS(a[i], CH_DIGIT); i++)
				;
			ph = true;
		} else if (c == ' ' || c == ',' || c == '(' || c == ')' ||
				c == '[' || c == ']') {
			i++;
		} else if (c == ':' && i + 1 < n && a[i + 1] == ':') {
			i += 2;
			cast = true;
		} else if (cast && (IS(c, CH_IDCONT) || c == '.' || c == '"')) {
			i++; /* a type name, possibly "character varying" */
		} else if (n - i > 5 && a[i + 5] == '[' &&
				word_is(slice_make(a + i, 5), "ARRAY")) {
			i += 5;
		} else if (n - i >= sizeof(FP_ELLIPSIS) - 2 &&
				memcmp(a + i, &FP_ELLIPSIS[1], sizeof(FP_ELLIPSIS) - 2) == 0) {
			i += sizeof(FP_ELLIPSIS) - 2;
		} else {
			return false;
		}
	}
	return ph;
}

/* The output ends with a list's first element followed by its others;
 * cut back to the first and mark the cut. Placeholder numbering resumes
 * after the first element so that the text stays consistent. */
void norm_collapse(struct norm *n, size_t first_end, unsigned first_ph)
{
	n->out->len = first_end;
	out_bytes(n->out, FP_ELLIPSIS, sizeof(FP_ELLIPSIS) - 1);
	n->ph = first_ph;
}

void norm_values_finish(struct norm *n, struct frame *f)
{
	if (f->v_ok && f->v_first_end != NO_POS)
		norm_collapse(n, f->v_first_end, f->v_first_ph);
	f->vstate = V_NONE;
	n->values_open--;
}

/* A VALUES row just closed (the output ends with its ')'). */
void norm_values_row_done(struct norm *n, struct frame *f)
{
	const char *b = n->out->buf;
	size_t end = n->out->len;
	if (f->v_first_end == NO_POS) {
		f->v_first_start = f->v_row_start;
		f->v_first_end = end;
		f->v_first_ph = n->ph;
		f->v_ok = has_placeholder(b + f->v_row_start, end - f->v_row_start);
	} else if (f->v_ok) {
		f->v_ok = same_shape(b + f->v_first_start, f->v_first_end - f->v_first_start,
				b + f->v_row_start, end - f->v_row_start);
	}
	f->vstate = V_AFTER_ROW;
}

/* "$12": the usual list element, checked without the general compare. */
static inline bool lone_placeholder(const char *a, size_t n)
{
	if (n < 2 || a[0] != '$')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!IS(a[i], CH_DIGIT))
			return false;
	return true;
}

/* An IN / ARRAY element ends here (at its ',' or the closing bracket). */
void norm_list_elem_done(struct norm *n, struct frame *f)
{
	if (!f->ok)
		return;
	const char *b = n->out->buf;
	size_t s = f->elem_start, e = n->out->len;
	if (s < e && b[s] == ' ')
		s++;
	if (f->first_end == NO_POS) {
		f->first_start = s;
		f->first_end = e;
		f->first_ph = n->ph;
		f->first_lone = lone_placeholder(b + s, e - s);
		f->ok = f->first_lone || simple_element(b + s, e - s);
	} else if (f->first_lone) {
		f->ok = lone_placeholder(b + s, e - s);
	} else {
		f->ok = same_shape(b + f->first_start, f->first_end - f->first_start,
				b + s, e - s);
	}
}

/* A token at the level of a VALUES list: after a row, anything but ','
 * ends the list. */
void norm_values_step(struct norm *n, enum tok kind)
{
	struct frame *f = top_frame(n);
	if (!f || f->vstate == V_NONE || f->vstate == V_IN_ROW)
		return;
	if (f->vstate == V_AFTER_ROW) {
		if (kind == T_COMMA)
			f->vstate = V_EXPECT_ROW;
		else
			norm_values_finish(n, f);
	} else if (kind != T_LPAREN) {
		/* DEFAULT VALUES, or not SQL: nothing was cut yet. */
		f->vstate = V_NONE;
		n->values_open--;
	}
}
