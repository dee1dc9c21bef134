/* view_help.c: the keys, generated from the request list (keys.h) that
 * also binds them, so the help cannot drift from what the keys do. */
#include "view.h"

static void help_open(struct view *v, size_t arg)
{
	(void)arg;
	view_lines_open(v, sizeof(struct view_lines));
}

static void build_help(struct tlines *out)
{
	tlines_add(out, TS_TITLE, TL_SECTION, 0, "\xe2\x94\x80\xe2\x94\x80 Keys");
#define X(id, k1, k2, shown, help) tlines_add(out, TS_NORMAL, TL_TEXT, 0, "  %-12s %s", shown, help);
	REQ_LIST(X)
#undef X
	tlines_add(out, TS_DIM, TL_TEXT, 0, "%s", "");
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  In a prompt (it starts empty): Enter accepts, Esc cancels, ^U clears, Up/Down earlier answers.");
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  Colours are off when NO_COLOR is set; text from logs is shown with");
	tlines_add(out, TS_DIM, TL_TEXT, 0, "  control characters as \\xHH and \\uHHHH, never sent to the terminal.");
}

static size_t help_lines(struct view *v)
{
	struct view_lines *vl = view_lines_of(v);
	if (view_lines_stale(v)) {
		view_lines_begin(v, true);
		build_help(&vl->l);
		view_lines_end(v);
	}
	return vl->l.n;
}

const struct view_ops view_help = {
	.name = "help",
	.open = help_open,
	.lines = help_lines,
	.column_data = view_lines_column_data,
	.request = view_lines_request,
	.status = view_lines_status,
	.done = view_lines_done,
};
