#!/usr/bin/env bash
# Regenerates tests/data/traces/cascade.log from a real PostgreSQL server:
# one DELETE of 8 warehouses whose stock moves go with them (ON DELETE
# CASCADE, no index on the referencing column), with auto_explain's
# log_nested_statements on: the foreign key's trigger runs its own
#   DELETE FROM ONLY "public"."moves" WHERE $1 OPERATOR(pg_catalog.=) "warehouse_id"
# once per warehouse, each a sequential scan, each logged as a plan of its
# own before the DELETE's. After a SELECT of the same session, that is the
# shape of an N+1 loop, which it is not (check_traces.c).
# usage: tests/data/traces/make-cascade.sh [OUTDIR]  (as postgres when root)
set -euo pipefail
OUT=$(realpath -m "${1:-$(dirname "$0")}")
mkdir -p "$OUT"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgcascade.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
shared_preload_libraries = 'auto_explain'
log_line_prefix = '%m [%p] %q%u@%d/%a '
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
auto_explain.log_nested_statements = on
jit = off
autovacuum = off
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -U postgres -X -q -v ON_ERROR_STOP=1 -d postgres)
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE TABLE warehouses (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO warehouses SELECT g, 'warehouse ' || g FROM generate_series(1, 40) g;
CREATE TABLE moves (id serial PRIMARY KEY, warehouse_id int NOT NULL REFERENCES warehouses ON DELETE CASCADE, qty int NOT NULL);
INSERT INTO moves (warehouse_id, qty) SELECT 1 + g % 40, g % 97 FROM generate_series(1, 400000) g;
VACUUM ANALYZE;
SQL
start=$(wc -c < "$WORK/server.log")
"${PSQL[@]}" >/dev/null <<'SQL'
SET application_name = 'stock';
SELECT count(*) FROM warehouses WHERE id > 32;
DELETE FROM warehouses WHERE id > 32;
SQL
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w stop >/dev/null
tail -c +$((start + 1)) "$WORK/server.log" | grep -v -e 'received fast shutdown' \
	-e 'aborting any active' -e 'background worker' -e 'shutting down' \
	-e 'checkpoint' -e 'database system is shut down' > "$OUT/cascade.log"
n=$(grep -c 'Query Text: DELETE FROM ONLY' "$OUT/cascade.log" || true)
[ "$n" = 8 ] || { echo "make-cascade: $n cascaded DELETEs logged, not 8" >&2; exit 1; }
