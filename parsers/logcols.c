/* logcols.c: the fields the column forms of the server's log share (see
 * logcols_int.h). */
#include <string.h>

#include "logcols_int.h"
#include "logentry.h"
#include "timeutil.h"

int64_t logcols_int(struct slice s)
{
	if (s.len == 0 || s.len > 18)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return -1;
		v = v * 10 + (s.ptr[i] - '0');
	}
	return v;
}

enum severity logcols_severity(struct slice s)
{
	char tmp[16];
	enum severity sev = SEV_NONE;
	if (s.len == 0 || s.len >= sizeof(tmp))
		return SEV_NONE;
	memcpy(tmp, s.ptr, s.len);
	tmp[s.len] = ':';
	if (severity_parse(tmp, s.len + 1, &sev) == 0)
		return SEV_NONE;
	return sev;
}

struct slice logcols_host(struct slice from)
{
	size_t i = from.len;
	while (i > 0 && from.ptr[i - 1] >= '0' && from.ptr[i - 1] <= '9')
		i--;
	if (i > 1 && i < from.len && from.ptr[i - 1] == ':')
		return slice_make(from.ptr, i - 1);
	return from;
}

bool logcols_zone_time(struct logcols_zone *zc, struct parse_ctx *ctx,
		int64_t wall, const char *z, size_t zl, struct log_entry *e)
{
	if (zl != zc->len || memcmp(z, zc->name, zl) != 0) {
		if (zl > sizeof(zc->name))
			return false;
		memcpy(zc->name, z, zl);
		zc->len = zl;
		zc->off = 0;
		zc->ok = ts_zone_offset(z, zl, &zc->off);
		if (!zc->ok && !zc->noted) {
			parse_note(ctx, "time zone '%.*s' unknown: its times are taken as UTC",
				(int)zl, z);
			zc->noted = true;
		}
	}
	e->ts_ms = wall - (int64_t)zc->off * MS_PER_MIN;
	e->tz_known = zc->ok;
	e->tz = slice_make(z, zl);
	return true;
}
