/* check_timeutil.c: log timestamps, zones, command-line times, ISO output. */
#include <check.h>
#include <string.h>

#include "timeutil.h"

/* ---- core ---- */

static const struct {
	const char *in;
	size_t consumed;
	int64_t ms;             /* wall clock taken as UTC */
} wall_cases[] = {
	{ "2026-11-22 13:45:43.008 UTC", 23, 1795355143008 },
	{ "2017-09-06 08:41:41 UTC", 19, 1504687301000 },
	{ "2017-09-06 08:41:41", 19, 1504687301000 },
	{ "2000-02-29 23:59:59.999", 23, 951868799999 },
	{ "1969-12-31 23:59:59.999", 23, -1 },
	{ "2024-05-01 10:00:00.5Z", 21, 1714557600500 },
	{ "2024-05-01 10:00:00.123456 UTC", 26, 1714557600123 },
	{ "2024-05-01 10:00:00.12", 22, 1714557600120 },
	{ "1970-01-01 00:00:00.000", 23, 0 },
	{ "2016-12-31 23:59:60", 19, 1483228800000 },   /* leap second */
	{ "2024-05-01 10:00:00.x", 19, 1714557600000 }, /* '.' not a fraction */
};

START_TEST(test_wallclock)
{
	int64_t ms = 42;
	size_t n = ts_parse_wallclock(wall_cases[_i].in, strlen(wall_cases[_i].in), &ms);
	ck_assert_msg(n == wall_cases[_i].consumed, "%s: consumed %zu",
		wall_cases[_i].in, n);
	ck_assert_int_eq(ms, wall_cases[_i].ms);
}
END_TEST

static const struct {
	const char *zone;
	bool known;
	int offset;
} zone_cases[] = {
	{ "UTC", true, 0 }, { "GMT", true, 0 }, { "CET", true, 60 },
	{ "CEST", true, 120 }, { "EET", true, 120 }, { "EEST", true, 180 },
	{ "MSK", true, 180 }, { "WET", true, 0 }, { "WEST", true, 60 },
	{ "BST", true, 60 }, { "IST", true, 330 }, { "JST", true, 540 },
	{ "KST", true, 540 }, { "AEST", true, 600 }, { "AEDT", true, 660 },
	{ "EST", true, -300 }, { "EDT", true, -240 }, { "CST", true, -360 },
	{ "CDT", true, -300 }, { "MST", true, -420 }, { "MDT", true, -360 },
	{ "PST", true, -480 }, { "PDT", true, -420 }, { "HST", true, -600 },
	{ "AKST", true, -540 }, { "AKDT", true, -480 }, { "NZST", true, 720 },
	{ "NZDT", true, 780 }, { "SAST", true, 120 }, { "BRT", true, -180 },
	{ "ART", true, -180 }, { "ChST", true, 600 },
	{ "+03", true, 180 }, { "-03", true, -180 }, { "-03:30", true, -210 },
	{ "+0530", true, 330 }, { "+05:45", true, 345 }, { "+5", true, 300 },
	{ "-00", true, 0 },
	{ "XYZT", false, 0 }, { "utc", false, 0 }, { "", false, 0 },
	{ "+", false, 0 }, { "+3:30", false, 0 }, { "+0560", false, 0 },
	{ "+25", false, 0 }, { "+03:3", false, 0 }, { "CETX", false, 0 },
	{ "Europe/Paris", false, 0 },
};

START_TEST(test_zone)
{
	int off = 9999;
	const char *z = zone_cases[_i].zone;
	bool known = ts_zone_offset(z, strlen(z), &off);
	ck_assert_msg(known == zone_cases[_i].known, "zone '%s'", z);
	if (known)
		ck_assert_int_eq(off, zone_cases[_i].offset);
	else
		ck_assert_int_eq(off, 9999);
	/* The second lookup comes from the cache and must agree. */
	off = 9999;
	ck_assert(ts_zone_offset(z, strlen(z), &off) == known);
	if (known)
		ck_assert_int_eq(off, zone_cases[_i].offset);
}
END_TEST

static const struct {
	int y;
	unsigned m, d;
	int64_t days;
} civil_cases[] = {
	{ 1970, 1, 1, 0 }, { 2000, 3, 1, 11017 }, { 1969, 12, 31, -1 },
	{ 2024, 2, 29, 19782 }, { 1, 1, 1, -719162 }, { 9999, 12, 31, 2932896 },
	{ 1600, 2, 29, -135081 },
};

START_TEST(test_days_from_civil)
{
	ck_assert_int_eq(ts_days_from_civil(civil_cases[_i].y, civil_cases[_i].m,
		civil_cases[_i].d), civil_cases[_i].days);
}
END_TEST

static const struct {
	int64_t ms;
	const char *iso;
} iso_cases[] = {
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ 1795355143008, "2026-11-22T13:45:43.008Z" },
	{ 1583955650000, "2020-03-11T19:40:50.000Z" },
	{ -1, "1969-12-31T23:59:59.999Z" },
	{ 951868799999, "2000-02-29T23:59:59.999Z" },
	{ 253402300799999, "9999-12-31T23:59:59.999Z" },
	{ -62135596800000, "0001-01-01T00:00:00.000Z" },
};

START_TEST(test_format_iso)
{
	char out[32];
	memset(out, 'x', sizeof(out));
	ts_format_iso(iso_cases[_i].ms, out);
	ck_assert_str_eq(out, iso_cases[_i].iso);
	ck_assert_uint_eq(strlen(out), 24);
}
END_TEST

static const struct {
	const char *in;
	int64_t ms, tod;
} cli_cases[] = {
	{ "2024-05-01", 1714521600000, -1 },
	{ "2024-05-01T10:00", 1714557600000, -1 },
	{ "2024-05-01T10:00:00", 1714557600000, -1 },
	{ "2024-05-01 10:00:00.5Z", 1714557600500, -1 },
	{ "2024-05-01T10:00:00+02:00", 1714550400000, -1 },
	{ "2024-05-01T10:00:00+0200", 1714550400000, -1 },
	{ "2024-05-01T10:00+02", 1714550400000, -1 },
	{ "2024-05-01T10:00:00Z", 1714557600000, -1 },
	{ "2024-05-01 10:00:00 UTC", 1714557600000, -1 },
	{ "2024-05-01 12:00:00 CEST", 1714557600000, -1 },
	{ "2024-01-15T10:00:00.123-03:30", 1705325400123, -1 },
	{ "14:05", TS_NONE, 50700000 },
	{ "14:05:30", TS_NONE, 50730000 },
	{ "00:00", TS_NONE, 0 },
	{ "23:59:59.5", TS_NONE, 86399500 },
};

START_TEST(test_cli)
{
	int64_t ms = 42, tod = 42;
	ck_assert_msg(ts_parse_cli(cli_cases[_i].in, &ms, &tod), "%s", cli_cases[_i].in);
	ck_assert_int_eq(ms, cli_cases[_i].ms);
	ck_assert_int_eq(tod, cli_cases[_i].tod);
}
END_TEST

/* ---- limits ---- */

static const char *const bad_wall[] = {
	"", "2024-05-01", "2024-05-01 10:00", "2024-02-30 10:00:00",
	"2023-02-29 10:00:00", "2024-13-01 10:00:00", "2024-00-10 10:00:00",
	"2024-05-00 10:00:00", "2024-05-01 24:00:00", "2024-05-01 10:60:00",
	"2024-05-01 10:00:61", "2024-05-01T10:00:00", "2024/05/01 10:00:00",
	"2024-05-01 10:00:00.1234567", "24-05-01 10:00:00", "2024-5-01 10:00:00",
	"x2024-05-01 10:00:00", "2024-05-01 1:00:00", "1900-02-29 00:00:00",
};

START_TEST(test_bad_wallclock)
{
	int64_t ms = 42;
	ck_assert_msg(ts_parse_wallclock(bad_wall[_i], strlen(bad_wall[_i]), &ms) == 0,
		"'%s' parsed", bad_wall[_i]);
	ck_assert_int_eq(ms, 42);
}
END_TEST

/* The date cache must not leak a previous date into the next one, nor
 * read past len. */
START_TEST(test_date_cache)
{
	static const char *const seq[] = {
		"2024-05-01 10:00:00", "2024-05-02 10:00:00", "2024-05-01 10:00:00",
		"2024-02-30 10:00:00", "2024-05-01 10:00:00",
	};
	static const int64_t want[] = {
		1714557600000, 1714644000000, 1714557600000, 0, 1714557600000,
	};
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		int64_t ms = 0;
		size_t n = ts_parse_wallclock(seq[i], strlen(seq[i]), &ms);
		ck_assert_uint_eq(n, want[i] ? 19 : 0);
		ck_assert_int_eq(ms, want[i]);
	}
	/* A cached date followed by too few bytes. */
	int64_t ms = 0;
	ck_assert_uint_eq(ts_parse_wallclock("2024-05-01 10:00:00", 18, &ms), 0);
	ck_assert_uint_eq(ts_parse_wallclock("2024-05-01 10:00:00.5", 20, &ms), 19);
}
END_TEST

START_TEST(test_leap_years)
{
	for (int y = 1890; y < 2110; y++) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int64_t d1 = ts_days_from_civil(y, 3, 1), d0 = ts_days_from_civil(y, 2, 28);
		ck_assert_int_eq(d1 - d0, leap ? 2 : 1);
		ck_assert_int_eq(ts_days_from_civil(y + 1, 1, 1) - ts_days_from_civil(y, 1, 1),
			leap ? 366 : 365);
	}
}
END_TEST

/* Every day of 1900..2100 formats back to the date it came from. */
START_TEST(test_iso_roundtrip)
{
	for (int64_t day = ts_days_from_civil(1900, 1, 1);
			day < ts_days_from_civil(2100, 1, 1); day += 7) {
		char out[32], in[32];
		int64_t ms = day * 86400000 + 45296789, back = 0;
		ts_format_iso(ms, out);
		memcpy(in, out, 24);
		in[10] = ' ';
		in[23] = '\0';
		ck_assert_uint_eq(ts_parse_wallclock(in, 23, &back), 23);
		ck_assert_int_eq(back, ms);
	}
}
END_TEST

/* ---- errors ---- */

static const char *const bad_cli[] = {
	"", "yesterday", "2024", "2024-05", "2024-13-01", "2024-05-01T",
	"2024-05-01T25:00", "2024-05-01T10", "2024-05-01T10:00:00+", "2024-05-01X",
	"2024-05-01T10:00:00 Mars", "14", "14:5", "25:00", "14:05:30 UTC",
	"2024-05-01T10:00:00.1234567", "2024-05-01T10:00:00+02:00 ",
};

START_TEST(test_bad_cli)
{
	int64_t ms = 42, tod = 42;
	ck_assert_msg(!ts_parse_cli(bad_cli[_i], &ms, &tod), "'%s' accepted", bad_cli[_i]);
}
END_TEST

/* The timeline ladder: each width divides the next, and doubles past a week. */
START_TEST(test_ladder)
{
	static const int64_t want[] = {
		1000, 5000, 15000, 60000, 300000, 900000, 3600000, 21600000, 86400000, 604800000,
		1209600000, 2419200000,
	};
	int64_t w = TS_LADDER_FIRST_MS;
	ck_assert_int_eq(w, want[0]);
	for (size_t i = 1; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t next = ts_ladder_next(w);
		ck_assert_int_eq(next, want[i]);
		ck_assert_int_eq(next % w, 0);
		w = next;
	}
}
END_TEST

Suite *suite_timeutil(void);
Suite *suite_timeutil(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_wallclock, 0, sizeof(wall_cases) / sizeof(wall_cases[0]));
	tcase_add_loop_test(tc, test_zone, 0, sizeof(zone_cases) / sizeof(zone_cases[0]));
	tcase_add_loop_test(tc, test_days_from_civil, 0, sizeof(civil_cases) / sizeof(civil_cases[0]));
	tcase_add_loop_test(tc, test_format_iso, 0, sizeof(iso_cases) / sizeof(iso_cases[0]));
	tcase_add_loop_test(tc, test_cli, 0, sizeof(cli_cases) / sizeof(cli_cases[0]));
	tcase_add_test(tc, test_ladder);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_bad_wallclock, 0, sizeof(bad_wall) / sizeof(bad_wall[0]));
	tcase_add_test(tc, test_date_cache);
	tcase_add_test(tc, test_leap_years);
	tcase_add_test(tc, test_iso_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_cli, 0, sizeof(bad_cli) / sizeof(bad_cli[0]));
	suite_add_tcase(s, tc);
	return s;
}
