#!/usr/bin/env bash
# pg-wraparound.sh: a real server close to transaction ID wraparound, for
# the tests of pgsift's wraparound_risk finding. It starts a throwaway
# server (own directory and random port, removed on exit), moves its next
# transaction ID to just past the point where the server starts warning
# (pg_resetwal -x; the commit log segment of that ID is created empty, as
# pg_resetwal's documentation says), then writes one table in a few
# transactions and lets autovacuum run:
#   - every new transaction ID logs WARNING: database "..." must be
#     vacuumed within N transactions (with its HINT);
#   - autovacuum logs "automatic aggressive vacuum to prevent wraparound
#     of table ..." for the tables it must freeze.
# The log is written to OUTDIR/postgresql.log (stderr form), and the ages of
# pg_database and pg_class at the end to OUTDIR/database-age.csv and
# OUTDIR/relation-age.csv.
#
# usage: tests/workload/pg-wraparound.sh OUTDIR
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin); exit 2 when there is none.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: pg-wraparound.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

. "$here/pg-server.sh"
pg_throwaway wraparound
cat >>"$work/data/postgresql.conf" <<CONF
log_min_duration_statement = 0
log_autovacuum_min_duration = 0
autovacuum_naptime = 1
autovacuum = off
CONF

# The server stops assigning IDs 3 million before wraparound and warns
# from 40 million before it (varsup.c): the next ID goes 10,000 past the
# warning point, counted from the oldest datfrozenxid of a new cluster.
frozen=$(run_pg "$pgbin/pg_controldata" -D "$work/data" | sed -n 's/^Latest checkpoint.s oldestXID: *//p')
next=$((frozen + 2147483647 - 40000000 + 10000))
seg=$(printf '%04X' $((next / 1048576)))
run_pg dd if=/dev/zero of="$work/data/pg_xact/$seg" bs=8192 count=32 status=none
run_pg "$pgbin/pg_resetwal" -x "$next" -D "$work/data" >/dev/null
pg_start || exit 2

sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -X -q "$@"; }
# The ages a DBA would snapshot (README: "Transaction ID ages"), as COPY
# writes them, every database's and the relations of one, taken before
# anything is frozen: autovacuum is off until then, and the snapshots'
# SELECTs take no transaction ID (the first one taken would start an
# anti-wraparound autovacuum even so).
sql -d postgres -c "COPY (SELECT datname, age(datfrozenxid), mxid_age(datminmxid),
	current_setting('autovacuum_freeze_max_age')::bigint AS autovacuum_freeze_max_age,
	now() AS captured_at FROM pg_database ORDER BY 1) TO STDOUT WITH (FORMAT csv, HEADER)" \
	>"$out/database-age.csv"
sql -d postgres -c "COPY (SELECT n.nspname AS schemaname, c.relname,
	age(c.relfrozenxid) AS xid_age, mxid_age(c.relminmxid) AS mxid_age, now() AS captured_at
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'm', 't') ORDER BY 3 DESC, 1, 2) TO STDOUT WITH (FORMAT csv, HEADER)" \
	>"$out/relation-age.csv"
sql -d postgres -c "ALTER SYSTEM SET autovacuum = on" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5

sql -d postgres >/dev/null 2>&1 <<'SQL'
SET application_name = 'ledger';
CREATE TABLE ledger (id int PRIMARY KEY, amount numeric);
INSERT INTO ledger VALUES (1, 10);
INSERT INTO ledger VALUES (2, 20);
UPDATE ledger SET amount = amount + 1 WHERE id = 1;
SQL
# Autovacuum wakes every second: give it time to freeze a few tables.
sleep 6
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null

cp "$work/data/log/postgresql" "$out/postgresql.log"
chmod 644 "$out/postgresql.log"
echo "pg-wraparound: $(grep -c 'must be vacuumed within' "$out/postgresql.log") warnings in $out/postgresql.log"
