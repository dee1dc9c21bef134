/* check_fleet.c: the README's fleet recipes ("Fleets: many hosts with GNU
 * parallel") run end to end: GNU parallel logs into "hosts" through
 * tests/fleet/ssh-standin (each host a directory of its own, with its own
 * real server logs), each host's pgsift saves a state, parallel's --return
 * brings it back with rsync, and `pgsift merge` of the states must equal
 * one `pgsift report` over all the logs.
 *
 * The command lines are the README's but for --ssh (the stand-in) and the
 * log directory: on a stand-in host, /var/log/postgresql would be this
 * machine's, so each host keeps its logs in log/ under its login
 * directory. Keep the two in step.
 *
 * Compared as tests/check_state.c compares a merge (parsed JSON, keys
 * sorted): the only members dropped are totals.distinct_texts and
 * totals.parsed_texts, which count the texts each run's normalizer cache
 * saw (a text seen on two hosts is counted by both runs). Input paths are
 * kept: the recipe links a directory named after the host to its logs, and
 * the one run reads the logs through links of the same names, so both name
 * each input "HOST/FILE".
 *
 * Skips, saying so, when parallel, rsync or perl is not installed. */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define NO_PARALLEL "GNU parallel, rsync or perl not installed (the fleet " \
	"recipe runs them; Debian packages parallel and rsync)"

/* Each host's job, as in the README: no old state can be returned for a
 * job that fails before pgsift writes one; HOST/ names the host's logs in
 * its state. */
#define HOST_JOB "'rm -f {}.state; ln -sfn log {} && " \
	"pgsift report -q -o /dev/null --save {}.state {}/postgresql-*'"
/* One job per host, pinned to it by its host group; the state returned to
 * fleet/HOST.state. */
#define HOST_RECIPE "parallel --will-cite --ssh %S --hgrp -S 1/db1,1/db2,1/db3 " \
	"--tag --joblog fleet/jobs --return fleet/./{}.state --cleanup " \
	HOST_JOB " ::: db1@db1 db2@db2 db3@db3"

static char dir[256];

static bool have_tools(const char *who)
{
	if (system("{ command -v parallel && command -v rsync && command -v perl; } "
		">/dev/null 2>&1") == 0)
		return true;
	tu_skip(who, NO_PARALLEL);
	return false;
}

/* A test directory: ctl/ (the machine parallel runs on), hosts/ (each
 * host's login directory, FLEET_ROOT), bin/pgsift (the binary under test,
 * first in PATH on every host). */
static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pgsift-fleet-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/ctl/fleet' '%s/hosts' '%s/bin' && "
		"ln -s '%s' '%s/bin/pgsift'", dir, dir, dir, tu_bin(), dir);
	int status;
	free(tu_run(cmd, &status));
	ck_assert_int_eq(status, 0);
}

static void remove_dir(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	int status;
	free(tu_run(cmd, &status));
}

/* Runs cmd in ctl/ with the hosts' environment ("%S" the stand-in, "%R"
 * the source tree, "%H" the hosts' directory); returns its standard output
 * (and error, with err), its status in *status. */
static char *run_in(int *status, bool err, const char *fmt)
{
	char cmd[8192], *o = cmd;
	o += snprintf(o, 1024, "cd '%s/ctl' && export FLEET_ROOT='%s/hosts' "
		"PATH='%s/bin':\"$PATH\" && { ", dir, dir, dir);
	for (const char *p = fmt; *p && o < cmd + sizeof(cmd) - 512; p++) {
		if (p[0] == '%' && p[1] == 'S') {
			o += sprintf(o, "'%s/tests/fleet/ssh-standin'", tu_root());
			p++;
		} else if (p[0] == '%' && p[1] == 'R') {
			o += sprintf(o, "'%s'", tu_root());
			p++;
		} else if (p[0] == '%' && p[1] == 'H') {
			o += sprintf(o, "'%s/hosts'", dir);
			p++;
		} else {
			*o++ = *p;
		}
	}
	strcpy(o, err ? "; } 2>&1" : "; }");
	return tu_run(cmd, status);
}

static char *run(int *status, const char *fmt)
{
	return run_in(status, false, fmt);
}

static void run_ok(const char *fmt)
{
	int status;
	char *out = run_in(&status, true, fmt);
	ck_assert_msg(status == 0, "exit %d: %s\n%s", status, fmt, out);
	free(out);
}

/* Real server logs on three hosts: one run's stderr, csvlog and jsonlog
 * forms, the sample log, a workload's events and a syslog excerpt. */
static void stock_hosts(void)
{
	run_ok("mkdir -p %H/db1/log %H/db2/log %H/db3/log && "
		"cp %R/tests/data/forms/postgresql.log.zst %H/db1/log/postgresql-forms.log.zst && "
		"cp %R/samples/postgresql.log.zst %H/db1/log/postgresql-sample.log.zst && "
		"cp %R/tests/data/forms/postgresql.csv.zst %H/db2/log/postgresql-forms.csv.zst && "
		"cp %R/tests/data/events/workload-events.log %H/db2/log/postgresql-events.log && "
		"cp %R/tests/data/forms/postgresql.json.zst %H/db3/log/postgresql-forms.json.zst && "
		"cp %R/tests/data/syslog-excerpt.log %H/db3/log/postgresql-syslog.log");
}

/* The JSON report text without the runs' own counters, and without the
 * input whose path is drop (NULL: none), as canonical text. */
static char *canonical(const char *text, const char *drop)
{
	json_t *j = tu_report_json(text);
	json_t *inputs = json_object_get(j, "inputs");
	for (size_t i = 0; drop && i < json_array_size(inputs); i++) {
		const char *p = json_string_value(json_object_get(json_array_get(inputs, i), "path"));
		if (p && strcmp(p, drop) == 0)
			json_array_remove(inputs, i--);
	}
	return tu_json_text(j);
}

/* The merge's JSON equals the one run's (the merge's input drop left out). */
static void same_json(const char *whole_cmd, const char *merge_cmd, int merge_status,
		const char *drop)
{
	int s1, s2;
	char *whole = run(&s1, whole_cmd);
	char *merged = run(&s2, merge_cmd);
	ck_assert_int_eq(s1, 0);
	ck_assert_int_eq(s2, merge_status);
	ck_assert_msg(strlen(whole) > 1000, "no report: %s", whole_cmd);
	char *a = canonical(whole, NULL), *b = canonical(merged, drop);
	if (strcmp(a, b) != 0) {
		int n = tu_first_diff_line(a, b);
		const char *la = a, *lb = b;
		for (int i = 1; i < n; i++) {
			la = strchr(la, '\n') + 1;
			lb = strchr(lb, '\n') + 1;
		}
		ck_abort_msg("merged JSON differs from the one run's from line %d on:\n"
			"one run: %.200s\nmerged:  %.200s", n, la, lb);
	}
	free(a);
	free(b);
	free(whole);
	free(merged);
}

/* One job per host reading its own logs; only the states travel. */
START_TEST(test_host_local)
{
	if (!have_tools("fleet: host_local"))
		return;
	make_dir();
	stock_hosts();
	run_ok(HOST_RECIPE);
	int status;
	char *out = run(&status, "ls fleet; ls %H/db1 %H/db2 %H/db3; cut -f 2,7 fleet/jobs | sort");
	/* The states came back and were removed from the hosts (--cleanup);
	 * the logs stayed where they were; each job ran on its own host. */
	char want[1024];
	snprintf(want, sizeof(want), "db1.state\ndb2.state\ndb3.state\njobs\n"
		"%s/hosts/db1:\ndb1\nlog\n\n%s/hosts/db2:\ndb2\nlog\n\n%s/hosts/db3:\ndb3\nlog\n"
		"Host\tExitval\ndb1\t0\ndb2\t0\ndb3\t0\n", dir, dir, dir);
	ck_assert_str_eq(out, want);
	free(out);
	/* The one run reads the same logs through links named as the hosts'. */
	run_ok("for h in db1 db2 db3; do ln -s %H/$h/log $h; done");
	same_json("pgsift report -q -j 1 -f json db1/* db2/* db3/*",
		"pgsift merge -q -f json fleet/*.state", 0, NULL);
	/* Rolled up into one state first. */
	run_ok("pgsift merge -q -o /dev/null --save fleet.state fleet/*.state");
	same_json("pgsift report -q -j 1 -f json db1/* db2/* db3/*",
		"pgsift merge -q -f json fleet.state", 0, NULL);
	remove_dir();
}
END_TEST

/* A host whose logs are missing: the recipe's exit status is parallel's
 * count of failed jobs (1), --tag names the host on standard error, and
 * the merge still reports the others, listing the host's unreadable input
 * (exit 3, as report for an input that could not be read). */
START_TEST(test_host_fails)
{
	if (!have_tools("fleet: host_fails"))
		return;
	make_dir();
	stock_hosts();
	run_ok("rm -r %H/db2/log");
	int status;
	char *out = run_in(&status, true, HOST_RECIPE);
	ck_assert_msg(status == 1, "exit %d:\n%s", status, out);
	ck_assert_msg(strstr(out, "db2\tpgsift: db2/postgresql-*: cannot open"), "%s", out);
	free(out);
	out = run(&status, "cut -f 2,7 fleet/jobs | sort");
	ck_assert_str_eq(out, "Host\tExitval\ndb1\t0\ndb2\t2\ndb3\t0\n");
	free(out);
	run_ok("for h in db1 db3; do ln -s %H/$h/log $h; done");
	same_json("pgsift report -q -j 1 -f json db1/* db3/*",
		"pgsift merge -q -f json fleet/*.state 2>/dev/null", 3, "db2/postgresql-*");
	out = run_in(&status, true, "pgsift merge -o /dev/null fleet/*.state");
	ck_assert_msg(strstr(out, "db2/postgresql-*: cannot open"), "%s", out);
	free(out);
	/* Or without it: the others alone, exit 0. */
	same_json("pgsift report -q -j 1 -f json db1/* db3/*",
		"pgsift merge -q -f json fleet/db1.state fleet/db3.state", 0, NULL);
	remove_dir();
}
END_TEST

/* One job per file: the logs are here, parallel sends each to a worker
 * (--transferfile), which saves its state; the files' paths are the same
 * there, so the merge equals the one run here, paths included. A worker's
 * copy is removed after its job (--cleanup) and the next copy often gets
 * its inode: the short syslog excerpt among them must not be taken for
 * the log that had the inode before (input identity: first bytes). */
START_TEST(test_per_file)
{
	if (!have_tools("fleet: per_file"))
		return;
	make_dir();
	run_ok("cp %R/tests/data/forms/postgresql.*.zst . && "
		"cp %R/samples/postgresql.log.zst sample.log.zst && "
		"zstd -q %R/tests/data/syslog-excerpt.log -o syslog-excerpt.zst && "
		"parallel --will-cite --ssh %S -S 1/w1,1/w2 --joblog jobs "
		"--transferfile {} --return {}.state --cleanup "
		"'pgsift report -q -o /dev/null --save {}.state {}' ::: *.zst");
	int status;
	char *out = run(&status, "ls; ls -A %H/w1 %H/w2 | grep -v : | grep . ; "
		"cut -f 2 jobs | sort -u");
	/* Both workers had jobs, and kept no file (--cleanup). */
	ck_assert_str_eq(out, "fleet\njobs\npostgresql.csv.zst\npostgresql.csv.zst.state\n"
		"postgresql.json.zst\npostgresql.json.zst.state\npostgresql.log.zst\n"
		"postgresql.log.zst.state\nsample.log.zst\nsample.log.zst.state\n"
		"syslog-excerpt.zst\nsyslog-excerpt.zst.state\nHost\nw1\nw2\n");
	free(out);
	same_json("pgsift report -q -j 1 -f json *.zst",
		"pgsift merge -q -f json *.state", 0, NULL);
	remove_dir();
}
END_TEST


/* Daily runs, with the hosts in a file as the README has them for many
 * hosts (one login with a user name): each host keeps its own --state
 * DIR, so a day's job reads only what its logs gained and returns the
 * state of all its partials. After two days the merge has the whole logs'
 * calls, totals and min/max (per-backend state open at a run's end is
 * settled there: see "Runs that resume"); the first day's states cannot
 * be merged with the second's, which hold them. */
START_TEST(test_daily_state)
{
	if (!have_tools("fleet: daily_state"))
		return;
	make_dir();
	run_ok("mkdir -p %H/db1/log %H/db2/log && "
		"zstd -dcq %R/tests/data/forms/postgresql.log.zst > db1.full && "
		"zstd -dcq %R/samples/postgresql.log.zst > db2.full && "
		"head -c 150000 db1.full > %H/db1/log/postgresql-16-main.log && "
		"head -c 90000 db2.full > %H/db2/log/postgresql-16-main.log && "
		"printf 'db1\\npostgres@db2\\n' > fleet.hosts && "
		"sed 's|^|1/|' fleet.hosts > fleet.slf");
#define DAILY_RECIPE(DAY) "awk -F@ '{ print $NF \"@\" $0 }' fleet.hosts | " \
	"parallel --will-cite --ssh %S --hgrp --slf fleet.slf --tag " \
	"--return " DAY "/./{}.state --cleanup " \
	"'rm -f {}.state; ln -sfn log {} && pgsift report -q --state pgsift-state " \
	"-o /dev/null --save {}.state {}/postgresql-*'"
	run_ok(DAILY_RECIPE("day1"));
	run_ok("tail -c +150001 db1.full >> %H/db1/log/postgresql-16-main.log && "
		"tail -c +90001 db2.full >> %H/db2/log/postgresql-16-main.log");
	run_ok(DAILY_RECIPE("day2"));
	int s1, s2;
	char *out = run(&s1, "ls %H/db1/pgsift-state %H/db2/pgsift-state | grep -c '^partial-'");
	ck_assert_int_eq(atoi(out), 4);
	free(out);
	char *whole = run(&s1, "pgsift report -q -f json db1.full db2.full");
	char *merged = run(&s2, "pgsift merge -q -f json day2/*.state");
	ck_assert_int_eq(s1, 0);
	ck_assert_int_eq(s2, 0);
	char *a = tu_report_figures(whole), *b = tu_report_figures(merged);
	ck_assert_msg(strcmp(a, b) == 0, "two days of states differ from the whole "
		"logs from line %d on", tu_first_diff_line(a, b));
	free(a);
	free(b);
	free(whole);
	free(merged);
	out = run_in(&s1, true, "pgsift merge -q -o /dev/null day1/db1.state day2/db1.state");
	ck_assert_int_eq(s1, 2);
	ck_assert_msg(strstr(out, "counting that input twice"), "%s", out);
	free(out);
	remove_dir();
}
END_TEST

Suite *suite_fleet(void);
Suite *suite_fleet(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("recipe");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_host_local);
	tcase_add_test(tc, test_host_fails);
	tcase_add_test(tc, test_per_file);
	tcase_add_test(tc, test_daily_state);
	suite_add_tcase(s, tc);
	return s;
}
