#!/usr/bin/env bash
# Regenerates tests/data/events/xacts.log from a real PostgreSQL server:
# interleaved explicit transactions, for one file cut across workers
# (tests/check_split.c) to be cut inside many of them.
#   - pgbench clients (application "teller") each running BEGIN, UPDATEs of
#     one branch row (all clients: lock waits, logged past deadlock_timeout
#     1ms, with chains of holders), a pause inside the transaction (idle in
#     transaction), END;
#   - clients of application "reporter" whose transactions hold a row for
#     a few milliseconds between two statements.
# usage: tests/data/events/make-xacts.sh OUTFILE   (runs as postgres when root)
set -euo pipefail
OUT=$(realpath -m "$1")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgxa.XXXXXX)
PORT=${PGPORT_XACTS:-$((20000 + RANDOM % 20000))}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$WORK'
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql'
log_line_prefix = '%m [%p] %q%u@%d/%a '
log_min_duration_statement = 0
log_lock_waits = on
deadlock_timeout = '1ms'
autovacuum = off
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/startup.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -X -q)
"${PSQL[@]}" -c "CREATE DATABASE bank" >/dev/null
as_pg "$PGBIN/pgbench" -h "$WORK" -p "$PORT" -U postgres -i -s 1 -q bank >/dev/null 2>&1
cat >"$WORK/teller.sql" <<'SQL'
\set aid random(1, 100000)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
\sleep 2 ms
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = 1;
END;
SQL
cat >"$WORK/reporter.sql" <<'SQL'
\set tid random(1, 10)
BEGIN;
SELECT tbalance FROM pgbench_tellers WHERE tid = :tid FOR UPDATE;
\sleep 5 ms
UPDATE pgbench_tellers SET tbalance = tbalance + 1 WHERE tid = :tid;
COMMIT;
SQL
chmod 644 "$WORK"/*.sql
# Logged from here on only.
"${PSQL[@]}" -c "SELECT pg_rotate_logfile()" >/dev/null
sleep 0.3
: | as_pg tee "$WORK/data/log/postgresql" >/dev/null
PGAPPNAME=teller as_pg "$PGBIN/pgbench" -h "$WORK" -p "$PORT" -U postgres -n -c 5 -t 40 \
  -f "$WORK/teller.sql" bank >/dev/null 2>&1 &
A=$!
PGAPPNAME=reporter as_pg "$PGBIN/pgbench" -h "$WORK" -p "$PORT" -U postgres -n -c 2 -t 40 \
  -f "$WORK/reporter.sql" bank >/dev/null 2>&1
wait $A
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
cp "$WORK/data/log/postgresql" "$OUT"
chmod 644 "$OUT"
echo "wrote $(wc -l < "$OUT") lines to $OUT"
