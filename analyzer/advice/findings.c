/* findings.c: the list of findings (see findings.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "util.h"

struct findings {
	struct finding **v;
	size_t n, cap;
};

static const char *const kind_names[] = {
#define X(name) #name,
	FINDING_KIND_LIST(X)
#undef X
};

static const char *const severity_names[] = {
#define X(id, name) name,
	FINDING_SEVERITY_LIST(X)
#undef X
};

const char *finding_kind_name(enum finding_kind k)
{
	return k < FK_COUNT ? kind_names[k] : "unknown";
}

const char *finding_severity_name(enum finding_severity s)
{
	return (size_t)s < ARRAY_SIZE(severity_names) ? severity_names[s] : "info";
}

enum finding_kind finding_kind_from_name(const char *name)
{
	for (int k = 0; k < FK_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (enum finding_kind)k;
	return FK_COUNT;
}

struct findings *findings_new(void)
{
	return xcalloc(1, sizeof(struct findings));
}

static void loop_release(struct finding_loop *l)
{
	free(l->repeated_query);
	free(l->source_query);
	free(l->where);
	free(l->names);
	free(l->example);
	memset(l, 0, sizeof(*l));
}

static void finding_free(struct finding *f)
{
	loop_release(&f->loop);
	free(f->title);
	free(f->table);
	free(f->index);
	for (char **c = f->columns; c && *c; c++)
		free(*c);
	free(f->columns);
	free(f->suggestion);
	json_decref(f->evidence);
	free(f);
}

void findings_free(struct findings *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++)
		finding_free(fs->v[i]);
	free(fs->v);
	free(fs);
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	char *s = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	return s;
}

struct finding *findings_add(struct findings *fs, enum finding_kind kind,
		enum finding_severity severity, double impact_ms,
		const char *title_fmt, ...)
{
	struct finding *f = xcalloc(1, sizeof(*f));
	va_list ap;
	va_start(ap, title_fmt);
	f->title = vformat(title_fmt, ap);
	va_end(ap);
	f->kind = kind;
	f->severity = severity;
	f->impact_ms = impact_ms;
	f->saves_ms = impact_ms;
	f->evidence = json_object();
	if (!f->evidence)
		abort();
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	fs->v[fs->n++] = f;
	return f;
}

void finding_set_fingerprint(struct finding *f, uint64_t fp)
{
	f->has_fingerprint = true;
	f->fingerprint = fp;
}

void finding_set_table(struct finding *f, const char *table)
{
	free(f->table);
	f->table = table ? xstrdup(table) : NULL;
}

void finding_set_index(struct finding *f, const char *index)
{
	free(f->index);
	f->index = index ? xstrdup(index) : NULL;
}

void finding_add_column(struct finding *f, const char *column)
{
	size_t n = 0;
	while (f->columns && f->columns[n])
		n++;
	f->columns = xrealloc(f->columns, (n + 2) * sizeof(*f->columns));
	f->columns[n] = xstrdup(column);
	f->columns[n + 1] = NULL;
}

void finding_set_suggestion(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(f->suggestion);
	f->suggestion = vformat(fmt, ap);
	va_end(ap);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct finding *a = *(const struct finding *const *)pa;
	const struct finding *b = *(const struct finding *const *)pb;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->saves_ms != b->saves_ms)
		return a->saves_ms > b->saves_ms ? -1 : 1;
	if (a->impact_ms != b->impact_ms)
		return a->impact_ms > b->impact_ms ? -1 : 1;
	return strcmp(a->title, b->title);
}

void findings_sort(struct findings *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_finding);
}

size_t findings_count(const struct findings *fs)
{
	return fs ? fs->n : 0;
}

struct finding *findings_at(const struct findings *fs, size_t i)
{
	return i < fs->n ? fs->v[i] : NULL;
}

void findings_merge(struct findings *dst, struct findings *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n == dst->cap) {
			dst->cap = dst->cap ? dst->cap * 2 : 16;
			dst->v = xrealloc(dst->v, dst->cap * sizeof(*dst->v));
		}
		dst->v[dst->n++] = src->v[i];
	}
	src->n = 0;
}

static uint64_t ev_uint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) > 0 ?
		(uint64_t)json_integer_value(v) : 0;
}

static char *ev_text(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return xstrdup(s ? s : "");
}

static char *ev_joined(json_t *arr)
{
	size_t i, len = 0;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		len += (s ? strlen(s) : 0) + 2;
	}
	char *out = xmalloc(len + 1), *p = out;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (i) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		if (s) {
			memcpy(p, s, strlen(s));
			p += strlen(s);
		}
	}
	*p = '\0';
	return out;
}

/* The evidence keys are those traces_findings.c writes. */
static void loop_from_evidence(struct finding_loop *l, json_t *ev)
{
	json_t *r = json_object_get(ev, "repeats");
	const char *seen = json_string_value(json_object_get(ev, "seen_in"));

	loop_release(l);
	l->set = true;
	l->from_log = seen && strcmp(seen, "log") == 0;
	l->occurrences = ev_uint(ev, "occurrences");
	l->repeats_min = ev_uint(r, "min");
	l->repeats_median = ev_uint(r, "median");
	l->repeats_max = ev_uint(r, "max");
	l->repeated_query = ev_text(ev, "repeated_query");
	l->source_query = ev_text(ev, "source_query");
	l->where = ev_text(ev, l->from_log ? "application" : "parent");
	l->names = ev_joined(json_object_get(ev, l->from_log ? "applications" :
			"transactions"));
	/* The kind of example follows the key present, as the report shows. */
	l->from_trace_example = json_object_get(ev, "example_trace") != NULL;
	l->example = ev_text(ev, l->from_trace_example ? "example_trace" :
			"example_backend");
}

void findings_finish(struct findings *fs)
{
	for (size_t i = 0; fs && i < fs->n; i++) {
		struct finding *f = fs->v[i];
		if (f->kind == FK_n_plus_one)
			loop_from_evidence(&f->loop, f->evidence);
	}
}
