/* report_load_fields.c: typed readers of a saved report's members (see
 * report_load.h), below the loader and the families' *_load.c, which all
 * use them: a missing or mistyped member reads as "unknown" (NaN, NULL,
 * TS_NONE, 0, false), never as an error. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fingerprint.h"
#include "report_load.h"
#include "timeutil.h"
#include "util.h"

uint64_t rl_uint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	/* A real past 2^64 would be undefined behaviour to cast: saturate. */
	if (json_is_real(v) && json_real_value(v) > 0)
		return json_real_value(v) < 18446744073709551616.0 ?
			(uint64_t)json_real_value(v) : UINT64_MAX;
	return 0;
}

double rl_num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rl_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

char *rl_strdup(const json_t *o, const char *key)
{
	const char *s = rl_str(o, key);
	return s ? xstrdup(s) : NULL;
}

int64_t rl_ts(const json_t *o, const char *key)
{
	const char *s = rl_str(o, key);
	int64_t ms, tod;
	if (!s || !ts_parse_cli(s, &ms, &tod) || ms == TS_NONE)
		return TS_NONE;
	return ms;
}

bool rl_fp(const json_t *o, const char *key, uint64_t *fp)
{
	const char *s = rl_str(o, key);
	return s && strlen(s) == 16 && fp_parse(s, fp);
}

bool rl_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}
