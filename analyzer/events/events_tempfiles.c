/* events_tempfiles.c: temporary files, by the fingerprint of the
 * statement that wrote them.
 *
 * With log_temp_files the server logs each file when it is deleted:
 *   LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp2379.0", size 70000
 *   STATEMENT:  SELECT ...
 * Files logged without a statement (the statement is not always known
 * when the file goes) make a group of their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"

static const char *temp_key(const void *rows, size_t i)
{
	return ((const struct ev_temp_group *)rows)[i].key;
}

void ev_temp_free(struct events *ev)
{
	for (size_t i = 0; i < ev->temp.ngroups; i++)
		free(ev->temp.groups[i].query);
	free(ev->temp.groups);
	ev_index_free(ev->temp_index);
}

/* The group for key, created (taking query over) when missing. */
static struct ev_temp_group *group_of(struct events *ev, const char *key,
		uint64_t fp, bool has_fp, char **query)
{
	struct ev_temp_files *t = &ev->temp;
	if (!ev->temp_index)
		ev->temp_index = ev_index_new();
	size_t row = ev_index_find(ev->temp_index, key, strlen(key), t->groups,
			temp_key);
	if (row != SIZE_MAX)
		return &t->groups[row];
	if (t->ngroups == ev->captemp) {
		ev->captemp = ev->captemp ? 2 * ev->captemp : 8;
		t->groups = xrealloc(t->groups, ev->captemp * sizeof(*t->groups));
	}
	struct ev_temp_group *g = &t->groups[t->ngroups];
	*g = (struct ev_temp_group){ .fingerprint = fp, .has_fingerprint = has_fp,
		.query = *query };
	*query = NULL;
	snprintf(g->key, sizeof(g->key), "%s", key);
	ev_index_add(ev->temp_index, t->ngroups++, t->groups, temp_key);
	return g;
}

static void count(struct ev_temp_files *t, struct ev_temp_group *g,
		uint64_t files, uint64_t bytes, uint64_t max)
{
	g->count += files;
	g->bytes += bytes;
	if (max > g->max_bytes)
		g->max_bytes = max;
	t->count += files;
	t->bytes += bytes;
	if (max > t->max_bytes)
		t->max_bytes = max;
}

void ev_temp_message(struct events *ev, const struct ev_msg *m)
{
	const char *p = ev_find(m->text, "\", size ");
	if (!p)
		return;
	const char *end = m->text.ptr + m->text.len;
	uint64_t size;
	size_t n = ev_parse_u64(p, (size_t)(end - p), &size);
	if (!n || p + n != end)
		return;

	uint64_t fp = 0;
	char *query = NULL;
	char key[17] = "";
	bool has_fp = ev_fingerprint(ev, m->statement, &fp, &query);
	if (has_fp)
		fp_format(fp, key);
	struct ev_temp_group *g = group_of(ev, key, fp, has_fp, &query);
	free(query);
	count(&ev->temp, g, 1, size, size);
	ev_timeline_count(&ev->tl, m->e->ts_ms, EV_TL_TEMP_BYTES, size);
}

void ev_temp_merge(struct events *dst, struct events *src)
{
	struct ev_temp_files *s = &src->temp;
	for (size_t i = 0; i < s->ngroups; i++) {
		struct ev_temp_group *sg = &s->groups[i];
		struct ev_temp_group *g = group_of(dst, sg->key, sg->fingerprint,
				sg->has_fingerprint, &sg->query);
		count(&dst->temp, g, sg->count, sg->bytes, sg->max_bytes);
	}
	ev_temp_free(src);
	src->temp = (struct ev_temp_files){ 0 };
	src->captemp = 0;
	src->temp_index = NULL;
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct ev_temp_group *x = pa, *y = pb;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

void ev_temp_sort(struct events *ev)
{
	struct ev_temp_files *t = &ev->temp;
	if (t->ngroups == 0)
		return;
	qsort(t->groups, t->ngroups, sizeof(*t->groups), cmp_group);
	ev_index_rebuild(ev->temp_index, t->ngroups, t->groups, temp_key);
}
