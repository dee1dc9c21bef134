/* model_groups.c: the groups list: which groups show, in which order, and
 * their rows as text. Sorting works on an index array with the columns
 * already extracted, so 100,000 groups sort in milliseconds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "util.h"

static const struct {
	const char *name;
	int key;
} gcols[] = {
#define X(id, name, key) { name, key },
	GCOL_LIST(X)
#undef X
};

const char *gcol_name(enum gcol c)
{
	return c < GC_COUNT ? gcols[c].name : "?";
}

enum gcol gcol_from_key(int key)
{
	for (int i = 0; i < GC_COUNT; i++)
		if (gcols[i].key == key)
			return (enum gcol)i;
	return GC_COUNT;
}

static double col_value(const struct tui_group *g, enum gcol c)
{
	double v;
	switch (c) {
	case GC_CALLS: v = g->calls; break;
	case GC_TOTAL: v = g->total; break;
	case GC_MEAN: v = g->mean; break;
	case GC_P95: v = g->p95; break;
	case GC_P99: v = g->p99; break;
	case GC_MAX: v = g->max; break;
	case GC_P50: v = g->p50; break;
	case GC_MIN: v = g->min; break;
	default: v = 0; break;
	}
	return isfinite(v) ? v : -1;
}

/* qsort has no context argument in C11: the list being sorted is passed
 * through this variable, set only around the qsort call. */
static const struct tui_glist *sorting;

static int cmp_rows(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct tui_group *ga = &sorting->r->groups[a], *gb = &sorting->r->groups[b];
	int c;
	if (sorting->sort == GC_QUERY) {
		c = strcmp(tui_group_line(sorting->r, a), tui_group_line(sorting->r, b));
	} else {
		double va = col_value(ga, sorting->sort), vb = col_value(gb, sorting->sort);
		c = va < vb ? -1 : va > vb ? 1 : 0;
	}
	if (!sorting->ascending)
		c = -c;
	/* Ties keep the report's order (by total time). */
	return c ? c : (a < b ? -1 : a > b);
}

static bool name_in(const struct name_counts *nc, const char *name)
{
	for (uint32_t i = 0; i < nc->n; i++)
		if (nc->v[i].name && strcmp(nc->v[i].name, name) == 0)
			return true;
	return false;
}

static bool shown(const struct tui_glist *gl, const struct tui_group *g)
{
	if (gl->only && !gl->only[g - gl->r->groups])
		return false;
	if (gl->min_calls > 0 && !(g->calls >= gl->min_calls))
		return false;
	if (gl->search_re && !tt_regex_match(gl->search_re, g->query))
		return false;
	if (gl->filter_value) {
		const struct group *o = g->g;
		bool db = name_in(&o->dbs, gl->filter_value);
		bool user = name_in(&o->users, gl->filter_value);
		bool app = name_in(&o->apps, gl->filter_value);
		switch (gl->filter_field) {
		case GF_DB: return db;
		case GF_USER: return user;
		case GF_APP: return app;
		case GF_ANY: return db || user || app;
		}
	}
	return true;
}

static void rebuild(struct tui_glist *gl)
{
	gl->nrows = 0;
	for (size_t i = 0; i < gl->r->ngroups; i++)
		if (shown(gl, &gl->r->groups[i]))
			gl->rows[gl->nrows++] = i;
	sorting = gl;
	qsort(gl->rows, gl->nrows, sizeof(*gl->rows), cmp_rows);
	sorting = NULL;
}

void glist_init(struct tui_glist *gl, const struct tui_report *r)
{
	*gl = (struct tui_glist){ .r = r, .sort = GC_TOTAL };
	gl->hidden[GC_P50] = gl->hidden[GC_MIN] = true;
	gl->rows = xcalloc(r->ngroups ? r->ngroups : 1, sizeof(*gl->rows));
	rebuild(gl);
}

void glist_release(struct tui_glist *gl)
{
	free(gl->rows);
	free(gl->search);
	tt_regex_free(gl->search_re);
	free(gl->filter);
	free(gl->filter_value);
	free(gl->only);
	free(gl->only_what);
	*gl = (struct tui_glist){ 0 };
}

void glist_sort(struct tui_glist *gl, enum gcol col)
{
	if (col >= GC_COUNT)
		return;
	if (col == gl->sort)
		gl->ascending = !gl->ascending;
	else
		gl->ascending = col == GC_QUERY;
	gl->sort = col;
	rebuild(gl);
}

bool glist_search(struct tui_glist *gl, const char *pattern, char *err, size_t errlen)
{
	void *re = NULL;
	if (pattern && *pattern) {
		re = tt_regex_new(pattern, err, errlen);
		if (!re)
			return false;
	}
	tt_regex_free(gl->search_re);
	free(gl->search);
	gl->search_re = re;
	gl->search = re ? xstrdup(pattern) : NULL;
	rebuild(gl);
	return true;
}

bool glist_filter(struct tui_glist *gl, const char *spec, char *err, size_t errlen)
{
	enum gfilter_field field = GF_ANY;
	const char *value = spec;
	if (spec && *spec) {
		static const struct { const char *prefix; enum gfilter_field f; } pre[] = {
			{ "db=", GF_DB }, { "database=", GF_DB }, { "user=", GF_USER },
			{ "app=", GF_APP }, { "application=", GF_APP },
		};
		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
			if (strncmp(spec, pre[i].prefix, strlen(pre[i].prefix)) == 0) {
				field = pre[i].f;
				value = spec + strlen(pre[i].prefix);
			}
		if (!*value) {
			snprintf(err, errlen, "filter needs a name: db=NAME, user=NAME, app=NAME or NAME");
			return false;
		}
	}
	free(gl->filter);
	free(gl->filter_value);
	gl->filter = spec && *spec ? xstrdup(spec) : NULL;
	gl->filter_value = spec && *spec ? xstrdup(value) : NULL;
	gl->filter_field = field;
	rebuild(gl);
	return true;
}

void glist_min_calls(struct tui_glist *gl, double n)
{
	gl->min_calls = n > 0 ? n : 0;
	rebuild(gl);
}

void glist_only(struct tui_glist *gl, const size_t *rows, size_t n, const char *what)
{
	free(gl->only);
	free(gl->only_what);
	gl->only = NULL;
	gl->only_what = NULL;
	if (n) {
		gl->only = xcalloc(gl->r->ngroups ? gl->r->ngroups : 1, sizeof(*gl->only));
		for (size_t i = 0; i < n; i++)
			if (rows[i] < gl->r->ngroups)
				gl->only[rows[i]] = true;
		gl->only_what = xstrdup(what ? what : "chosen");
	}
	rebuild(gl);
}

bool glist_columns(struct tui_glist *gl, const char *spec, char *err, size_t errlen)
{
	bool hidden[GC_COUNT];
	memcpy(hidden, gl->hidden, sizeof(hidden));
	if (!spec || !*spec) {
		memset(hidden, 0, sizeof(hidden));
		hidden[GC_P50] = hidden[GC_MIN] = true;
	}
	char *copy = xstrdup(spec ? spec : ""), *save = NULL;
	bool ok = true;
	for (char *w = strtok_r(copy, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
		int c = 0;
		while (c < GC_QUERY && strcasecmp(w, gcols[c].name) != 0)
			c++;
		if (c == GC_QUERY) {
			snprintf(err, errlen, "no column '%s': calls total mean p50 p95 p99 max min", w);
			ok = false;
			break;
		}
		hidden[c] = !hidden[c];
	}
	free(copy);
	if (ok)
		memcpy(gl->hidden, hidden, sizeof(hidden));
	return ok;
}

void glist_cell(const struct tui_glist *gl, size_t gi, enum gcol c, char *out, size_t n)
{
	const struct tui_group *g = &gl->r->groups[gi];
	if (c == GC_CALLS)
		tt_fmt_count(g->calls, out, n);
	else if (c < GC_QUERY)
		tt_fmt_ms(col_value(g, c) < 0 ? NAN : col_value(g, c), out, n);
	else
		snprintf(out, n, "%s", tui_group_line(gl->r, gi));
}

long glist_find_row(const struct tui_glist *gl, size_t gi)
{
	for (size_t i = 0; i < gl->nrows; i++)
		if (gl->rows[i] == gi)
			return (long)i;
	return -1;
}

/* Columns: calls, total, mean, P95, P99, max (9 columns each, 8 on
 * narrow screens), then the query. */
#define NUMW (width < 100 ? 8 : 9)

void glist_row(const struct tui_glist *gl, long gi, int width, char *out, size_t n)
{
	char cells[6][32];
	int qw = width - 6 * (NUMW + 1);
	if (qw < 8)
		qw = 8;
	size_t qn = (size_t)qw * 4 + 8;
	char *q = xmalloc(qn);
	if (gi < 0) {
		for (int c = 0; c < 6; c++) {
			const char *arrow = gl->sort == (enum gcol)c ?
				(gl->ascending ? "\xe2\x96\xb2" : "\xe2\x96\xbc") : "";
			snprintf(cells[c], sizeof(cells[c]), "%s%s", arrow, gcol_name((enum gcol)c));
		}
		snprintf(q, qn, "%squery", gl->sort == GC_QUERY ? (gl->ascending ? "\xe2\x96\xb2" : "\xe2\x96\xbc") : "");
	} else {
		const struct tui_group *g = &gl->r->groups[gi];
		tt_fmt_count(g->calls, cells[0], sizeof(cells[0]));
		tt_fmt_ms(g->total, cells[1], sizeof(cells[1]));
		tt_fmt_ms(g->mean, cells[2], sizeof(cells[2]));
		tt_fmt_ms(g->p95, cells[3], sizeof(cells[3]));
		tt_fmt_ms(g->p99, cells[4], sizeof(cells[4]));
		tt_fmt_ms(g->max, cells[5], sizeof(cells[5]));
		tt_ellipsize(tui_group_line(gl->r, (size_t)gi), qw, q, qn);
	}
	/* Right-align numbers by display width (the arrows are one column
	 * but three bytes). */
	size_t j = 0;
	out[0] = '\0';
	for (int c = 0; c < 6 && j < n; c++) {
		int pad = NUMW - tt_width(cells[c]);
		int w = snprintf(out + j, n - j, "%*s%s ", pad > 0 ? pad : 0, "", cells[c]);
		if (w < 0)
			break;
		j += (size_t)w;
	}
	if (j < n)
		snprintf(out + j, n - j, "%s", q);
	free(q);
}

void glist_status(const struct tui_glist *gl, char *out, size_t n)
{
	char shown_s[32], all_s[32];
	tt_fmt_count((double)gl->nrows, shown_s, sizeof(shown_s));
	tt_fmt_count((double)gl->r->ngroups, all_s, sizeof(all_s));
	int w = snprintf(out, n, "%s of %s groups \xc2\xb7 sort %s %s", shown_s, all_s,
		gcol_name(gl->sort), gl->ascending ? "\xe2\x86\x91" : "\xe2\x86\x93");
	if (w < 0 || (size_t)w >= n)
		return;
	size_t j = (size_t)w;
	if (gl->search) {
		w = snprintf(out + j, n - j, " \xc2\xb7 /%s/", gl->search);
		if (w < 0 || (size_t)w >= n - j)
			return;
		j += (size_t)w;
	}
	if (gl->filter) {
		w = snprintf(out + j, n - j, " \xc2\xb7 filter %s", gl->filter);
		if (w < 0 || (size_t)w >= n - j)
			return;
		j += (size_t)w;
	}
	if (gl->min_calls > 0) {
		w = snprintf(out + j, n - j, " \xc2\xb7 calls \xe2\x89\xa5 %.0f", gl->min_calls);
		if (w < 0 || (size_t)w >= n - j)
			return;
		j += (size_t)w;
	}
	if (gl->only_what)
		snprintf(out + j, n - j, " \xc2\xb7 %s's statements", gl->only_what);
}
