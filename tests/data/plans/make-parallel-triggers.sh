#!/usr/bin/env bash
# Regenerates parallel.log, triggers.log and maintenance.log in
# tests/data/plans/ from a real PostgreSQL server (13+): the plans whose
# times are easy to read wrong, and the maintenance that spills.
#   parallel.log     a parallel sequential scan (leader and two workers),
#                    aggregated and not, in text then JSON form, plain then
#                    VERBOSE (per-worker figures): auto_explain plan entries
#   parallel_noleader.log  the aggregate again, VERBOSE, with
#                    parallel_leader_participation off (the workers alone)
#   parallel_tables_before.csv, parallel_tables_after.csv
#                    pg_stat_user_tables of that table around them all
#   triggers.log     foreign-key checks: an INSERT of many rows into a table
#                    referencing another (even account ids; the checks run
#                    after the plan, in RI_ConstraintTrigger_c_* triggers)
#                    and a DELETE of referenced rows (odd ids) whose
#                    referencing column has no index, each in text then
#                    JSON form (auto_explain.log_triggers; the triggers'
#                    own queries, nested statements, not logged)
#   maintenance.log  the whole stderr log of CREATE INDEX, REINDEX and
#                    CLUSTER at maintenance_work_mem = 1MB (log_temp_files =
#                    0: their temporary files), with their durations
# usage: tests/data/plans/make-parallel-triggers.sh [OUTDIR]  (as postgres when root)
set -euo pipefail
OUT=$(realpath -m "${1:-$(dirname "$0")}")
mkdir -p "$OUT"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgpartrig.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
shared_preload_libraries = 'auto_explain'
log_line_prefix = '%m [%p] %q%u@%d/%a '
auto_explain.log_min_duration = -1
auto_explain.log_analyze = on
auto_explain.log_buffers = on
auto_explain.log_triggers = on
auto_explain.log_nested_statements = on
jit = off
max_parallel_workers_per_gather = 2
parallel_setup_cost = 0
parallel_tuple_cost = 0
min_parallel_table_scan_size = 0
autovacuum = off
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -U postgres -X -q -v ON_ERROR_STOP=1 -d postgres)
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE TABLE readings (id int, sensor int NOT NULL, value float8 NOT NULL);
INSERT INTO readings SELECT g, g % 100, (g % 1000) / 10.0 FROM generate_series(1, 1000000) g;
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 20000) g;
CREATE TABLE payments (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE, amount numeric(10,2) NOT NULL);
INSERT INTO payments (account_id, amount) SELECT 1 + g % 20000, g % 500 FROM generate_series(1, 100000) g;
VACUUM ANALYZE;
SQL
logpos() { wc -c < "$WORK/server.log"; }
# Keeps the plan entries: their first line and the tab-continued lines after.
plans() { python3 -c 'import sys; f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2]));
sys.stdout.buffer.write(f.read(int(sys.argv[3]) - int(sys.argv[2])))' "$WORK/server.log" "$1" "$2" |
  awk '/^[0-9]/ { keep = / plan:$/ } keep' ; }
ON="SET auto_explain.log_min_duration = 0;"

# pg_stat_user_tables around the parallel statements: the server counts a
# sequential scan per process (leader and workers).
tables() { sleep 1; "${PSQL[@]}" -c "COPY (SELECT now() AS captured_at, t.*, pg_relation_size(t.relid) AS table_bytes FROM pg_stat_user_tables t WHERE relname = 'readings') TO STDOUT WITH CSV HEADER" > "$OUT/parallel_tables_$1.csv"; }
tables before
A=$(logpos)
for fmt in text json; do
  for verbose in off on; do
    printf '%s\n' "$ON SET auto_explain.log_format = $fmt; SET auto_explain.log_verbose = $verbose;" \
      "SELECT count(*), avg(value) FROM readings WHERE sensor % 7 = 3;" \
      "SELECT id, value FROM readings WHERE value > 99.5;" | "${PSQL[@]}" >/dev/null
  done
done
B0=$(logpos)
printf '%s\n' "$ON SET auto_explain.log_verbose = on; SET parallel_leader_participation = off;" \
  "SELECT count(*), avg(value) FROM readings WHERE sensor % 7 = 3;" | "${PSQL[@]}" >/dev/null
B=$(logpos)
tables after
for fmt in text json; do
  printf '%s\n' "$ON SET auto_explain.log_format = $fmt; SET auto_explain.log_nested_statements = off;" \
    "INSERT INTO payments (account_id, amount) SELECT 2 + 2 * (g % 10000), g % 300 FROM generate_series(1, 100000) g;" \
    "DELETE FROM accounts WHERE id % 400 = $([ $fmt = text ] && echo 1 || echo 3);" | "${PSQL[@]}" >/dev/null
done
C=$(logpos)
printf '%s\n' "SET log_min_duration_statement = 0; SET log_temp_files = 0; SET maintenance_work_mem = '1MB'; SET max_parallel_maintenance_workers = 0;" \
  "CREATE INDEX readings_value_idx ON readings (value, id);" \
  "REINDEX INDEX readings_value_idx;" \
  "CLUSTER readings USING readings_value_idx;" | "${PSQL[@]}" >/dev/null
D=$(logpos)
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
plans "$A" "$B0" > "$OUT/parallel.log"
plans "$B0" "$B" > "$OUT/parallel_noleader.log"
plans "$B" "$C" > "$OUT/triggers.log"
python3 -c 'import sys; f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2]));
sys.stdout.buffer.write(f.read(int(sys.argv[3]) - int(sys.argv[2])))' "$WORK/server.log" "$C" "$D" > "$OUT/maintenance.log"
for f in parallel parallel_noleader triggers; do echo "wrote $(grep -c ' plan:$' "$OUT/$f.log") plans to $OUT/$f.log"; done
echo "wrote $(grep -c 'temporary file' "$OUT/maintenance.log") temporary files to $OUT/maintenance.log"
