#!/usr/bin/env bash
# pg-terminal.sh: a real server logging hostile text, for
# tests/check_terminal.c: what a client can make a log hold that a
# terminal would act on or that would reorder what a reader sees. It
# starts a throwaway server (own directory and random port, removed on
# exit) and writes OUTDIR/postgresql.log, .csv and .json (the same log in
# stderr, csvlog and jsonlog form).
#
# usage: tests/workload/pg-terminal.sh OUTDIR
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin); exit 2 when there is none.
#
# Planted (the test checks them):
# - a role whose name holds ESC [31m, connecting to a SQL_ASCII database
#   (the server takes any byte there), so the prefix's %u carries it;
# - a 4 s statement (pg_sleep) whose alias is an OSC title sequence, ESC
#   ] 0;x BEL ESC [2J, with literals holding the C1 CSI (U+009B), a bidi
#   override (U+202E), DEL, U+2028 and a raw 0x9B byte (not UTF-8);
# - the same statement 3 times more without the sleep, so that it is a
#   group of 4 calls with examples;
# - a plan nested 200 levels deep (scalar subqueries in scalar
#   subqueries), logged by auto_explain as JSON and as text.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: pg-terminal.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

. "$here/pg-server.sh"
pg_throwaway terminal
cat >>"$work/data/postgresql.conf" <<CONF
log_destination = 'stderr,csvlog,jsonlog'
log_min_duration_statement = 0
shared_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = 0
CONF
pg_start || exit 2

sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"; }
esc=$'\033' bel=$'\a' del=$'\177'
csi=$'\xc2\x9b' rlo=$'\xe2\x80\xae' ls=$'\xe2\x80\xa8' raw=$'\x9b'
role="ev${esc}[31mil"
sql -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE "$role" LOGIN SUPERUSER;
CREATE DATABASE term ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
SQL

hostile="1 AS \"${esc}]0;x${bel}${esc}[2J\", '${csi}2J' AS c1, '${rlo}evil' AS bidi, 'a${del}b' AS del, 'l${ls}s' AS sep, 'r${raw}w' AS raw"
{
	echo "SELECT pg_sleep(4), $hostile;"
	for i in 1 2 3; do echo "SELECT pg_sleep(0), $hostile;"; done
	# 200 nested scalar subqueries: each an InitPlan of the one above
	# (plans of 400 nodes and deeper, statements nested past 2,048 levels
	# of their parse tree get no plan or advice: README "Limits").
	q=1
	for ((i = 0; i < 200; i++)); do q="(SELECT $q)"; done
	echo "SET auto_explain.log_format = json;"
	echo "SELECT $q AS deep;"
	echo "SET auto_explain.log_format = text;"
	echo "SELECT $q AS deep;"
} >"$work/hostile.sql"
chmod 644 "$work/hostile.sql"
sql -U "$role" -d term -f "$work/hostile.sql" >/dev/null
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null

for ext in log csv json; do
	src=$work/data/log/postgresql
	[ "$ext" = log ] || src=$src.$ext
	cp "$src" "$out/postgresql.$ext"
	chmod 644 "$out/postgresql.$ext"
done
echo "pg-terminal: $(wc -l <"$out/postgresql.log") lines in $out/postgresql.log"
