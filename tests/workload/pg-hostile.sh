#!/usr/bin/env bash
# pg-hostile.sh: a real server logging what issue 16 found pgsift could not
# take, for tests/check_hostile.c. It starts a throwaway server (own
# directory and random port, removed on exit) with log_statement = 'all'
# and auto_explain (every statement, ANALYZE), then runs, application
# 'hostile':
#   - a join of two set-returning functions declared ROWS 1e12: its plan's
#     estimate is 1e24 rows, past 2^63 ("rows=1000000000000000000000000"),
#     logged in text and then in JSON form;
#   - 450 subqueries nested, each with a LIMIT (which keeps it a node): a
#     plan 451 nodes deep, in text and in JSON form;
#   - SELECT a+a+...+a with 50,000 terms and an OFFSET (the advice parses
#     it), at max_stack_depth 7MB so that the server plans it;
#   - a statement of 65 MiB (one string literal): one log line longer than
#     pgsift's 64 MiB limit (log_statement's line; the duration line and
#     the plan repeat it);
# each followed by SELECT 1 to show the statements after it still count.
# The log is written to OUTDIR/postgresql.log (stderr form).
#
# usage: tests/workload/pg-hostile.sh OUTDIR
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin); exit 2 when there is none.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: pg-hostile.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

. "$here/pg-server.sh"
pg_throwaway hostile
cat >>"$work/data/postgresql.conf" <<CONF
log_statement = 'all'
log_min_duration_statement = 0
shared_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
CONF
pg_start || exit 2

sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -X -q -d postgres "$@"; }
gen=$(mktemp "$work/gen.XXXXXX.sql")
[ "$(id -u)" != 0 ] || chown postgres "$gen"
{
	echo "SET application_name = 'hostile';"
	echo "CREATE FUNCTION hostile_rows() RETURNS SETOF int LANGUAGE sql ROWS 1e12 AS 'SELECT 1';"
	echo "CREATE TABLE hostile_t (a int);"
	echo "INSERT INTO hostile_t VALUES (1);"
	for fmt in text json; do
		echo "SET auto_explain.log_format = $fmt;"
		echo "SELECT count(*) FROM hostile_rows() a, hostile_rows() b;"
		echo "SELECT 1;"
		printf 'SELECT * FROM '
		for _ in $(seq 1 450); do printf '(SELECT * FROM '; done
		printf 'hostile_t'
		for i in $(seq 1 450); do printf ' LIMIT %d) s%d' $((1000 + i)) "$i"; done
		echo ";"
		echo "SELECT 1;"
	done
	echo "SET auto_explain.log_format = text;"
	echo "SET max_stack_depth = '7MB';"
	printf 'SELECT a'
	for _ in $(seq 2 50000); do printf '+a'; done
	echo " FROM (SELECT 1 AS a) t OFFSET 10;"
	echo "SELECT 1;"
	printf "SELECT length('"
	head -c $((65 << 20)) /dev/zero | tr '\0' 'x'
	echo "');"
	echo "SELECT 1;"
} >"$gen"
sql -f "$gen" >/dev/null 2>&1   # the 50,000 terms: stack depth limit exceeded
# The logging collector writes a 65 MiB message after the statement
# returns; a loaded machine took long enough that the server stopped with
# the log cut at 128 MiB. A last statement's line, logged after the rest,
# says it is all there (a minute at most).
sql -c "SELECT now() AS pg_hostile_done" >/dev/null 2>&1
for _ in $(seq 600); do
	grep -q "pg_hostile_done" "$work/data/log/postgresql" 2>/dev/null && break
	sleep 0.1
done
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null

cp "$work/data/log/postgresql" "$out/postgresql.log"
chmod 644 "$out/postgresql.log"
echo "pg-hostile: $(wc -l <"$out/postgresql.log") lines in $out/postgresql.log"
