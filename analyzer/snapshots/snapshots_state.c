/* snapshots_state.c: collected statistics snapshots in a saved state (see
 * state.h): every input's rows, before the pass differences them. */
#include <stdlib.h>
#include <string.h>

#include "snapshots_int.h"
#include "state.h"
#include "util.h"

static void row_save(struct st_out *o, const struct snap_row *r)
{
	st_str(o, r->key);
	for (size_t k = 0; k < SNAP_MAXCOLS; k++) {
		st_str(o, r->text[k]);
		st_f64(o, r->num[k]);
	}
	st_u32(o, r->has);
	st_u64(o, r->fp);
	st_u8(o, r->lexical);
	st_str(o, r->norm);
}

void snapshots_state_save(const struct snapshots *sn, struct st_out *o)
{
	st_u64(o, sn->nin);
	for (size_t i = 0; i < sn->nin; i++) {
		const struct snap_input *in = sn->in[i];
		st_u64(o, in->input);
		st_u32(o, (uint32_t)in->view);
		st_i64(o, in->captured_at);
		for (size_t k = 0; k < SNAP_MAXCOLS; k++)
			st_u32(o, (uint32_t)in->colmap[k]);
		st_u32(o, (uint32_t)in->captured_col);
		st_u64(o, in->ncols_header);
		st_u64(o, in->n);
		for (size_t k = 0; k < in->n; k++)
			row_save(o, &in->rows[k]);
	}
}

static bool row_load(struct st_in *in, struct snap_row *r, enum stat_view view)
{
	r->key = st_get_str(in, NULL);
	for (size_t k = 0; k < SNAP_MAXCOLS; k++) {
		r->text[k] = st_get_str(in, NULL);
		r->num[k] = st_get_f64(in);
	}
	r->has = st_get_u32(in);
	r->fp = st_get_u64(in);
	r->lexical = st_get_bool(in);
	r->norm = st_get_str(in, NULL);
	if (in->bad)
		return false;
	if (!r->key)
		return st_fail(in, "a snapshot row without its key");
	if (view == STAT_PGSS && !r->norm)
		r->norm = xstrdup("");
	return true;
}

static void input_drop(struct snap_input *si)
{
	for (size_t i = 0; i < si->n; i++) {
		struct snap_row *r = &si->rows[i];
		free(r->key);
		free(r->norm);
		for (size_t k = 0; k < SNAP_MAXCOLS; k++)
			free(r->text[k]);
	}
	free(si->rows);
	free(si);
}

static bool input_load(struct snapshots *sn, struct st_in *in,
		size_t input_base, size_t ninputs)
{
	struct snap_input *si = xcalloc(1, sizeof(*si));
	uint64_t input = st_get_u64(in);
	uint32_t view = st_get_u32(in);
	si->captured_at = st_get_i64(in);
	for (size_t k = 0; k < SNAP_MAXCOLS; k++)
		si->colmap[k] = (int)st_get_u32(in);
	si->captured_col = (int)st_get_u32(in);
	si->ncols_header = st_get_u64(in);
	size_t n = st_get_count(in, 4 + SNAP_MAXCOLS * 12 + 25, 0);
	if (!in->bad && (view < STAT_PGSS || view > STAT_VIEW_LAST))
		st_fail(in, "a snapshot of an unknown view");
	if (!in->bad && input >= ninputs)
		st_fail(in, "a snapshot of an input the state does not list");
	si->view = (enum stat_view)view;
	si->input = input_base + (size_t)input;
	if (n && !in->bad) {
		si->rows = xcalloc(n, sizeof(*si->rows));
		si->cap = n;
	}
	for (size_t k = 0; k < n && !in->bad; k++)
		if (row_load(in, &si->rows[si->n++], si->view) == false)
			break;
	if (in->bad) {
		input_drop(si);
		return false;
	}
	if (sn->nin == sn->capin) {
		sn->capin = sn->capin ? sn->capin * 2 : 8;
		sn->in = xrealloc(sn->in, sn->capin * sizeof(*sn->in));
	}
	sn->in[sn->nin++] = si;
	return true;
}

bool snapshots_state_load(struct snapshots *sn, struct st_in *in,
		size_t input_base, size_t ninputs)
{
	size_t n = st_get_count(in, 8 + 4 + 8 + SNAP_MAXCOLS * 4 + 4 + 16, 0);
	for (size_t i = 0; i < n && !in->bad; i++)
		input_load(sn, in, input_base, ninputs);
	return !in->bad;
}
