#!/usr/bin/env bash
# pg-skipped.sh: a real server whose log holds lines that are not log
# records, for tests/check_cli_usage.c (skipped lines shown with their
# text). It starts a throwaway server (own directory and random port,
# removed on exit) and writes OUTDIR/postgresql.log.
#
# usage: tests/workload/pg-skipped.sh OUTDIR
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin); exit 2 when there is none.
#
# Planted (the test checks them): a program run by COPY ... TO PROGRAM
# writes 14 lines to its standard error, which is the server's: the
# logging collector writes them into the log as they are, without a
# prefix, as it does with what archive_command or a library prints. The
# first of them holds ESC [31m. Between them and around them the log has the
# server's own records (the COPY statement's duration among them).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: pg-skipped.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

. "$here/pg-server.sh"
pg_throwaway skipped
cat >>"$work/data/postgresql.conf" <<CONF
log_min_duration_statement = 0
CONF
pg_start || exit 2

sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"; }
cat >"$work/noisy.sh" <<'SH'
#!/bin/sh
# What a program the server runs says on its standard error.
printf 'noisy.sh: \033[31mred\033[0m\n' >&2
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	echo "noisy.sh: line $i of what the server's child printed" >&2
done
cat >/dev/null
SH
chmod 755 "$work/noisy.sh"
sql -U postgres -d postgres >/dev/null <<SQL
SELECT 1 AS before_noise;
COPY (SELECT g FROM generate_series(1, 3) g) TO PROGRAM '$work/noisy.sh';
SELECT 2 AS after_noise;
SQL
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
cp "$work/data/log/postgresql" "$out/postgresql.log"
chmod 644 "$out/postgresql.log"
echo "pg-skipped: $(wc -l <"$out/postgresql.log") lines in $out/postgresql.log"
