#!/usr/bin/env bash
# Regenerates tests/data/log_statement.log from a real PostgreSQL server:
# log_statement = 'all' with log_min_duration_statement = 0 (each text is
# logged first, then a bare "duration:" line) and auto_explain on every
# statement, over the simple and the extended protocol.
# usage: tests/data/make-log-statement.sh OUTFILE   (runs as postgres when root)
set -euo pipefail
OUT=$(realpath -m "$1")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgls.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
shared_preload_libraries = 'auto_explain'
log_line_prefix = '%m [%p] %q%u@%d/%a '
log_statement = 'all'
log_min_duration_statement = 0
auto_explain.log_min_duration = 0
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -U postgres -X -q)
"${PSQL[@]}" -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;" >/dev/null
"${PSQL[@]}" -c "SELECT v FROM t WHERE id = 7" >/dev/null
"${PSQL[@]}" -c "SELECT v
FROM t
WHERE id IN (1, 2, 3)" >/dev/null
printf 'SELECT v FROM t WHERE id = $1\n' > "$WORK/q.sql"
cat > "$WORK/x.sql" <<'PGB'
\set id random(1, 100)
SELECT v FROM t WHERE id = :id;
PGB
chmod 644 "$WORK/x.sql"
as_pg "$PGBIN/pgbench" -h "$WORK" -U postgres -n -M extended -t 2 -f "$WORK/x.sql" postgres >/dev/null 2>&1
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
grep -v -E 'database system|listening on|starting PostgreSQL|checkpoint|shutting down|received fast|aborting any|background worker|redirecting' "$WORK/server.log" > "$OUT" || true
echo "wrote $(wc -l < "$OUT") lines to $OUT"
