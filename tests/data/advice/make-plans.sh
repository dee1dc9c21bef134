#!/usr/bin/env bash
# Regenerates tests/data/advice/plans.log from a real PostgreSQL server:
# auto_explain (ANALYZE, BUFFERS) on statements chosen to show what the
# advice pass looks for: a join key without an index scanned again per outer
# row, correlated columns the planner misestimates, index-only scans that
# fetch heap pages, lossy bitmap blocks, a hash join in batches and a hash
# aggregate on disk (work_mem 64kB), parallel workers planned but not
# launched, JIT, OFFSET pages over the extended protocol, a tiny table.
# usage: tests/data/advice/make-plans.sh OUTFILE   (runs as postgres when root)
set -euo pipefail
OUT=$(realpath -m "$1")
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgadv.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
shared_preload_libraries = 'auto_explain'
log_line_prefix = '%m [%p] %q%u@%d/%a '
log_min_duration_statement = 0
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
auto_explain.log_buffers = on
work_mem = '64kB'
autovacuum = off
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -U postgres -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" >/dev/null <<'SQL'
SET auto_explain.log_min_duration = -1;
CREATE TABLE accounts (id bigint PRIMARY KEY, region text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint NOT NULL, kind int NOT NULL, subkind int NOT NULL, at timestamptz NOT NULL, payload text);
CREATE TABLE tiny (id int PRIMARY KEY, code text NOT NULL);
INSERT INTO accounts SELECT g, 'r' || (g % 20), now() - g * interval '1 minute' FROM generate_series(1, 20000) g;
INSERT INTO events SELECT g, 1 + g % 20000, g % 100, g % 100, now() - g * interval '1 second', repeat('x', 40) FROM generate_series(1, 200000) g;
INSERT INTO tiny SELECT g, 'c' || g FROM generate_series(1, 50) g;
CREATE INDEX events_kind_idx ON events (kind);
ANALYZE;
-- pages changed after the vacuum: index-only scans must visit the heap
UPDATE events SET payload = 'y' WHERE kind < 50;
SQL
"${PSQL[@]}" >/dev/null <<'SQL'
SET application_name = 'advice';
SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_material = off;
SELECT a.id, e.at FROM accounts a JOIN events e ON e.account_id = a.id WHERE a.region = 'r7' AND a.id < 60;
RESET enable_hashjoin; RESET enable_mergejoin; RESET enable_material;
SELECT e.kind, count(*) FROM events e JOIN accounts a ON a.id = e.account_id WHERE e.kind = 3 AND e.subkind = 3 GROUP BY e.kind ORDER BY 2;
SELECT kind FROM events WHERE kind BETWEEN 10 AND 40;
SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_seqscan = off;
SELECT count(payload) FROM events WHERE kind < 60;
RESET enable_indexscan; RESET enable_indexonlyscan; RESET enable_seqscan;
SELECT a.region, e.kind, e.payload FROM events e JOIN accounts a ON a.id = e.account_id WHERE e.subkind < 90;
SELECT account_id, kind, count(*) FROM events GROUP BY account_id, kind;
SET max_parallel_workers = 0; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SELECT count(*) FROM events WHERE payload LIKE '%z%';
RESET max_parallel_workers; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SET auto_explain.log_format = 'json'; SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;
SELECT sum(kind * 2 + subkind) FROM events WHERE id < 2000;
RESET jit; RESET jit_above_cost; RESET jit_inline_above_cost; RESET jit_optimize_above_cost; RESET auto_explain.log_format;
SELECT code FROM tiny WHERE code = 'c7';
SELECT id, at FROM events WHERE account_id = 17 AND at > now() - interval '30 days' ORDER BY at;
SQL
cat > "$WORK/page.sql" <<'PGB'
\set off random(20000, 30000)
SELECT id, kind FROM events WHERE subkind = 5 ORDER BY at DESC LIMIT 20 OFFSET :off;
PGB
chmod 644 "$WORK/page.sql"
as_pg "$PGBIN/pgbench" -h "$WORK" -U postgres -n -M extended -t 3 -f "$WORK/page.sql" postgres >/dev/null 2>&1
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
grep -v -E 'database system|listening on|starting PostgreSQL|checkpoint|shutting down|received fast|aborting any|background worker|redirecting' "$WORK/server.log" > "$OUT" || true
echo "wrote $(wc -l < "$OUT") lines to $OUT"
