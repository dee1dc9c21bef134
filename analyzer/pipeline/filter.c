/* filter.c: run-wide filters (see filter.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "filter.h"
#include "timeutil.h"

struct filter {
	const char **dbs, **users, **apps;
	pcre2_code **include, **exclude;
	size_t ninclude, nexclude;
	int64_t since_ms, until_ms, since_tod, until_tod;
};

static pcre2_code **compile_all(const char **pats, size_t *n, char **err)
{
	*n = 0;
	if (!pats)
		return NULL;
	while (pats[*n])
		(*n)++;
	pcre2_code **out = xcalloc(*n + 1, sizeof(*out));
	for (size_t i = 0; i < *n; i++) {
		int code;
		PCRE2_SIZE off;
		out[i] = pcre2_compile((PCRE2_SPTR)pats[i], PCRE2_ZERO_TERMINATED,
			PCRE2_UTF | PCRE2_CASELESS, &code, &off, NULL);
		if (!out[i]) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			size_t len = strlen(pats[i]) + sizeof(msg) + 64;
			*err = xmalloc(len);
			snprintf(*err, len, "bad pattern '%s' at offset %zu: %s",
				pats[i], (size_t)off, (char *)msg);
			for (size_t k = 0; k < i; k++)
				pcre2_code_free(out[k]);
			free(out);
			return NULL;
		}
		pcre2_jit_compile(out[i], PCRE2_JIT_COMPLETE);
	}
	return out;
}

struct filter *filter_new(const struct pgsift_options *o, char **err)
{
	struct filter *f = xcalloc(1, sizeof(*f));
	*err = NULL;
	f->dbs = o->dbs;
	f->users = o->users;
	f->apps = o->apps;
	f->since_ms = o->since_ms;
	f->until_ms = o->until_ms;
	f->since_tod = o->since_tod;
	f->until_tod = o->until_tod;
	f->include = compile_all(o->include, &f->ninclude, err);
	if (*err)
		goto fail;
	f->exclude = compile_all(o->exclude, &f->nexclude, err);
	if (*err)
		goto fail;
	return f;
fail:
	filter_free(f);
	return NULL;
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->include && i < f->ninclude; i++)
		pcre2_code_free(f->include[i]);
	for (size_t i = 0; f->exclude && i < f->nexclude; i++)
		pcre2_code_free(f->exclude[i]);
	free(f->include);
	free(f->exclude);
	free(f);
}

static bool in_list(const char **list, struct slice s)
{
	if (!list || !list[0])
		return true;
	for (; *list; list++)
		if (strlen(*list) == s.len && memcmp(*list, s.ptr, s.len) == 0)
			return true;
	return false;
}

bool filter_names(const struct filter *f, struct slice db, struct slice user,
		struct slice app)
{
	return in_list(f->dbs, db) && in_list(f->users, user) && in_list(f->apps, app);
}

bool filter_names_present(const struct filter *f, struct slice db,
		struct slice user, struct slice app)
{
	return (!db.len || in_list(f->dbs, db)) && (!user.len || in_list(f->users, user))
		&& (!app.len || in_list(f->apps, app));
}

static bool any_match(pcre2_code **codes, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		/* Match data per call: the verdict is cached per distinct text by
		 * the caller, so this runs rarely, and it keeps workers apart. */
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(codes[i], NULL);
		int rc = pcre2_match(codes[i], (PCRE2_SPTR)s, len, 0, 0, md, NULL);
		pcre2_match_data_free(md);
		if (rc >= 0)
			return true;
	}
	return false;
}

bool filter_text(const struct filter *f, const char *norm, size_t len)
{
	if (f->ninclude && !any_match(f->include, f->ninclude, norm, len))
		return false;
	if (f->nexclude && any_match(f->exclude, f->nexclude, norm, len))
		return false;
	return true;
}

bool filter_has_window(const struct filter *f)
{
	return f->since_ms != TS_NONE || f->until_ms != TS_NONE
		|| f->since_tod >= 0 || f->until_tod >= 0;
}

void filter_window(const struct filter *f, int64_t first_ts, int offset_min,
		int64_t *since, int64_t *until)
{
	const int64_t day = MS_PER_DAY;
	*since = f->since_ms;
	*until = f->until_ms;
	if (first_ts == TS_NONE)
		return;
	int64_t local = first_ts + (int64_t)offset_min * MS_PER_MIN;
	int64_t midnight = (local >= 0 ? local / day : (local - day + 1) / day) * day
		- (int64_t)offset_min * MS_PER_MIN;
	if (f->since_tod >= 0)
		*since = midnight + f->since_tod;
	if (f->until_tod >= 0)
		*until = midnight + f->until_tod;
}
