#!/usr/bin/env bash
# Regenerates tests/data/plans/jit.log from a real PostgreSQL server built
# with LLVM JIT (Debian's postgresql-15 has it: lib/llvmjit.so): auto_explain
# plans with their "JIT" summary, each statement logged in text then in JSON
# form (ANALYZE, BUFFERS, timing):
#   1. a small aggregate with jit_above_cost, jit_inline_above_cost and
#      jit_optimize_above_cost at 0: compiling takes nearly all the time;
#   2. an aggregate over 5M rows at the default costs, serial: JIT is
#      chosen by the planner's own costs and is a small share;
#   3. the same with two parallel workers, jit_above_cost lowered to 50000
#      for the cheaper parallel plan, VERBOSE: the summary adds up the
#      workers' and each worker's JIT is shown under the Gather.
# Each statement runs twice a session; the second run is the one kept.
# usage: tests/data/plans/make-jit.sh [OUTFILE]   (runs as postgres when root)
set -euo pipefail
OUT=$(realpath -m "${1:-$(dirname "$0")/jit.log}")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
[ -e "$PGBIN/../lib/llvmjit.so" ] || { echo "no llvmjit.so: this server has no JIT" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pgjit.XXXXXX)
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
jit = on
max_parallel_workers_per_gather = 0
autovacuum = off
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -U postgres -X -q -v ON_ERROR_STOP=1 -d postgres)
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE TABLE readings (id bigint PRIMARY KEY, sensor int NOT NULL, kind int NOT NULL, value numeric(10,2) NOT NULL);
INSERT INTO readings SELECT g, g % 5000, g % 7, (g % 1000) / 10.0 FROM generate_series(1, 5000000) g;
VACUUM ANALYZE readings;
SQL
ALLZERO="SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;"
SMALL="SELECT sum(sensor * 2 + kind) FROM readings WHERE id < 2000;"
BIG="SELECT kind, count(*), sum(value), avg(sensor * 2 + kind) FROM readings WHERE value > 1 GROUP BY kind;"
PAR="SET max_parallel_workers_per_gather = 2; SET jit_above_cost = 50000; SET auto_explain.log_verbose = on;"
A=$(wc -c < "$WORK/server.log")
for stmt in "$ALLZERO $SMALL" "$BIG" "$PAR $BIG"; do
  for fmt in text json; do
    printf 'SET application_name = %s;\n%s\n%s\nSET auto_explain.log_min_duration = 0;\n%s\n' \
      "jit_$fmt" "SET auto_explain.log_format = $fmt;" "$stmt" "${stmt##*; }" | "${PSQL[@]}" >/dev/null
  done
done
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
python3 -c 'import sys; f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2])); sys.stdout.buffer.write(f.read())' \
  "$WORK/server.log" "$A" | awk '/^[0-9]/ { keep = / plan:$/ } keep' > "$OUT"
echo "wrote $(grep -c ' plan:$' "$OUT") plans to $OUT"
