#!/usr/bin/env bash
# Regenerates tests/data/events/events.log from a real PostgreSQL server:
# the log events pgsift's events module reads, each provoked on purpose.
#   - a deadlock between two sessions (log_lock_waits, deadlock_timeout 100ms)
#   - lock waits: on a transaction, on a tuple (three sessions on one row),
#     on a relation held by two sessions at once, one ended by lock_timeout
#   - errors and a warning, with their SQLSTATE (%e in the prefix)
#   - temporary files (work_mem 64kB), checkpoints, autovacuum and analyze
#   - connections, sessions, and failed connections: unknown database and
#     role, wrong password, no pg_hba.conf entry, reserved slots, too many
#     clients
# With --more, writes another log instead (tests/data/events/events-more.log):
#   - connections over SSL and a replication connection
#   - checkpoints requested by WAL volume (max_wal_size 32MB), close enough
#     for "checkpoints are occurring too frequently"
# usage: tests/data/events/make-events.sh [--more] OUTFILE   (runs as postgres when root)
set -euo pipefail
MORE=
if [ "${1:-}" = --more ]; then MORE=1; shift; fi
OUT=$(realpath -m "$1")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgev.XXXXXX)
PORT=${PGPORT_EVENTS:-$((20000 + RANDOM % 20000))}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
max_connections = 8
superuser_reserved_connections = 3
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql'
log_line_prefix = '%m [%p] %e %q%u@%d/%a '
log_min_duration_statement = 0
log_connections = on
log_disconnections = on
log_lock_waits = on
deadlock_timeout = '100ms'
log_temp_files = 0
log_checkpoints = on
log_autovacuum_min_duration = 0
autovacuum_naptime = 1
autovacuum_max_workers = 1
work_mem = '64kB'
CONF
if [ -n "$MORE" ]; then
  openssl req -new -x509 -days 2 -nodes -subj "/CN=localhost" \
    -keyout "$WORK/data/server.key" -out "$WORK/data/server.crt" >/dev/null 2>&1
  chmod 600 "$WORK/data/server.key"
  [ "$(id -u)" = 0 ] && chown postgres "$WORK/data/server.key" "$WORK/data/server.crt"
  cat >>"$WORK/data/postgresql.conf" <<CONF
ssl = on
max_wal_size = '32MB'
min_wal_size = '32MB'
checkpoint_timeout = '1h'
CONF
fi
# Unix socket: trust; TCP: a password for "pw", nothing for database "closed".
cat >"$WORK/data/pg_hba.conf" <<HBA
local all all trust
local replication all trust
host shop pw 127.0.0.1/32 scram-sha-256
host shop all 127.0.0.1/32 trust
host postgres all 127.0.0.1/32 trust
HBA
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/startup.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -X -q)
"${PSQL[@]}" -c "CREATE DATABASE shop" >/dev/null
"${PSQL[@]}" -c "CREATE ROLE app LOGIN; CREATE ROLE pw LOGIN PASSWORD 'secret'" >/dev/null
"${PSQL[@]}" -d shop >/dev/null <<'SQL'
CREATE TABLE acct (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO acct VALUES (1, 0), (2, 0);
CREATE TABLE churn (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO churn SELECT g, 0 FROM generate_series(1, 20000) g;
GRANT ALL ON acct, churn TO app;
SQL
sq() { "${PSQL[@]}" -d shop -c "$1" >/dev/null 2>&1 || true; }

if [ -n "$MORE" ]; then
  # SSL and replication connections.
  as_pg "$PGBIN/psql" "host=127.0.0.1 port=$PORT user=app dbname=shop sslmode=require application_name=secure" -X -c "SELECT 1" >/dev/null
  as_pg "$PGBIN/psql" "host=$WORK port=$PORT user=postgres replication=database dbname=shop" -X -c "IDENTIFY_SYSTEM" >/dev/null
  # About 150MB of WAL against max_wal_size 32MB.
  sq "SET application_name='loader'; CREATE TABLE bulk AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 1000000) g;"
  sleep 1
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
  cp "$WORK/data/log/postgresql" "$OUT"
  chmod 644 "$OUT"
  echo "wrote $(wc -l < "$OUT") lines to $OUT"
  exit 0
fi

# A deadlock: each session updates the row the other holds.
sq "SET application_name='teller-a'; BEGIN; UPDATE acct SET v = v + 1 WHERE id = 1; SELECT pg_sleep(0.3); UPDATE acct SET v = v + 1 WHERE id = 2; COMMIT;" &
A=$!
sleep 0.1
sq "SET application_name='teller-b'; BEGIN; UPDATE acct SET v = v - 1 WHERE id = 2; SELECT pg_sleep(0.3); UPDATE acct SET v = v - 1 WHERE id = 1; COMMIT;"
wait $A

# Three sessions on one row: the second waits for the first's transaction,
# the third for the tuple lock the second holds.
sq "SET application_name='batch'; BEGIN; UPDATE acct SET v = 10 WHERE id = 1; SELECT pg_sleep(0.6); COMMIT;" &
A=$!
sleep 0.1
sq "SET application_name='batch'; UPDATE acct SET v = 20 WHERE id = 1;" &
B=$!
sleep 0.1
sq "SET application_name='batch'; UPDATE acct SET v = 30 WHERE id = 1;"
wait $A $B

# A relation held by two readers while a third wants it exclusively.
sq "SET application_name='reader'; BEGIN; SELECT count(*) FROM acct; SELECT pg_sleep(0.5); COMMIT;" &
A=$!
sq "SET application_name='reader'; BEGIN; SELECT count(*) FROM acct; SELECT pg_sleep(0.5); COMMIT;" &
B=$!
sleep 0.15
sq "SET application_name='migrate'; LOCK TABLE acct IN ACCESS EXCLUSIVE MODE;"
wait $A $B

# A wait ended by lock_timeout.
sq "SET application_name='batch'; BEGIN; UPDATE acct SET v = 40 WHERE id = 2; SELECT pg_sleep(0.5); COMMIT;" &
A=$!
sleep 0.1
sq "SET application_name='impatient'; SET lock_timeout = '250ms'; UPDATE acct SET v = 50 WHERE id = 2;"
wait $A

# Errors, a warning, a statement timeout; temporary files.
"${PSQL[@]}" -d shop >/dev/null 2>&1 <<'SQL' || true
SET application_name = 'errors';
SELECT 1/0;
INSERT INTO acct VALUES (1, 0);
INSERT INTO acct VALUES (2, 0);
SELEC 1;
COMMIT;
SET statement_timeout = '50ms';
SELECT pg_sleep(1);
RESET statement_timeout;
SET application_name = 'reports';
SELECT id, v FROM churn ORDER BY v DESC, id;
SELECT id, v FROM churn ORDER BY v, id DESC;
SQL

# Failed connections.
as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -X -d nosuchdb -c "SELECT 1" >/dev/null 2>&1 || true
as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U nosuchrole -X -d shop -c "SELECT 1" >/dev/null 2>&1 || true
PGPASSWORD=wrong as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U pw -X -d shop -c "SELECT 1" >/dev/null 2>&1 || true
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U app -X -d template1 -c "SELECT 1" >/dev/null 2>&1 || true
# 5 of max_connections 8 are left to non-superusers: fill them, then ask
# for one more as app (reserved slots), then fill up (too many clients).
for i in 1 2 3 4 5; do
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U app -X -d shop -c "SELECT pg_sleep(2)" >/dev/null 2>&1 &
done
sleep 0.8
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U app -X -d shop -c "SELECT 1" >/dev/null 2>&1 || true
for i in 1 2 3; do
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X -d shop -c "SELECT pg_sleep(1)" >/dev/null 2>&1 &
done
sleep 0.5
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X -d shop -c "SELECT 1" >/dev/null 2>&1 || true
wait

# Dead tuples for autovacuum, then a checkpoint.
sq "SET application_name='churner'; UPDATE churn SET v = v + 1 WHERE id % 2 = 0;"
sleep 4
sq "CHECKPOINT"
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
cp "$WORK/data/log/postgresql" "$OUT"
chmod 644 "$OUT"
echo "wrote $(wc -l < "$OUT") lines to $OUT"
