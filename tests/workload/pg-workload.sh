#!/usr/bin/env bash
# pg-workload.sh: the evidence pgsift's live tests read, made by a real
# PostgreSQL. It starts a throwaway server (own data directory, socket
# directory and random port; removed on exit), logs every statement with
# auto_explain and pg_stat_statements on, drives a shop workload with
# problems planted in it, and writes to OUTDIR what a team would hand over
# after an incident:
#   postgresql.log, postgresql.csv, postgresql.json   the same log in stderr,
#                                                     csvlog and jsonlog form
#   pg_stat_{statements,user_indexes,user_tables}_{before,after}.csv
#
# usage: tests/workload/pg-workload.sh [-s SCALE] [-x EXTRA.sql] OUTDIR
#   -s SCALE      multiplies data and statement counts (default 1: about
#                 80,000 stderr lines, under a minute on 2 cores)
#   -x EXTRA.sql  run on the loaded schema before the workload, stopping at
#                 the first error (exit 3): e.g. the indexes pgsift proposed
#   PGBIN         the server's bin directory (default: the newest
#                 /usr/lib/postgresql/*/bin); exit 2 when there is none.
# As root, the server and its clients run as the 'postgres' user.
#
# Planted facts at SCALE 1 (the tests check them; keep them in step):
# - schema.sql: customers 5,000 rows, products 50,000, orders 100,000,
#   order_items 200,000; no index on orders.customer_id nor on
#   order_items.order_id.
# - oltp.pgbench, prepared protocol, 4 clients x 2,000 transactions: the
#   three statements 8,000 calls each (customers by id, products by id,
#   count(*) of new orders through orders_status_idx).
# - by_customer.pgbench, simple protocol, 2 clients x 50: orders by
#   customer_id, 100 calls, each a sequential scan (missing index).
# - an N+1 loop from application 'orders-page': 10 times one
#   "SELECT id FROM orders WHERE customer_id = ... LIMIT 12" then 12
#   "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = ..."
#   (sequential scans, missing index); with the one in json_plans.sql, 121
#   order_items lookups in all.
# - catalogue.sql: 4 OFFSET pages of products (5 with json_plans.sql's) and
#   two unbounded listings (all orders, all order_items).
# - reports.sql, work_mem 64kB: two sorts spilling to temporary files (the
#   deeper OFFSET pages, the orders listing and the schema's INSERTs spill
#   too); IN lists of 3 and 7 items (one fingerprint, 2 calls) and an
#   = ANY array.
# - a lock wait: 'billing' holds a row of orders for 0.5 s while another
#   UPDATE of it waits (log_lock_waits, deadlock_timeout 100ms).
# - errors.sql: 3 errors (syntax, unique violation, unknown column).
# - dead tuples: a third of products updated, no vacuum ('repricer').
# - indexes: products_name_idx never used; customers_email_idx2 an exact
#   duplicate of customers_email_idx.
# - auto_explain (20 ms, ANALYZE, BUFFERS, nested) logs text plans, then
#   JSON plans for json_plans.sql's three statements.
# - plan_times.sql, application 'stock': stock_moves (300,000 rows)
#   references warehouses; its seed INSERT's foreign-key checks take most of
#   its time, outside the plan tree (log_triggers on); three parallel
#   scans of it (Gather, two workers: 9 sequential scans as the server
#   counts them); a DELETE of 5 warehouses cascading without an index on
#   stock_moves.warehouse_id; CREATE INDEX at maintenance_work_mem 1MB
#   spilling (maintenance_work_mem advice).
# - blocking.sh: a chain of lock waits ('batch-close', idle in its
#   transaction on orders row 2, blocks 'invoicer', which holds row 3 that
#   'shipping' waits for); 'report-export' idle 0.8 s in a transaction; a
#   deadlock between two 'transfer' sessions (one ERROR more); a
#   'bulk-load' of five 5,000-row INSERTs, each followed by a WAL switch,
#   under max_wal_size 32MB: checkpoints started by "wal" and the server's
#   "too frequently" warning.
# - nested.sql ('nested'): 4 calls of customer_name() (too few for an N+1
#   loop), each running one "SELECT name FROM customers WHERE id = c" that
#   pg_stat_statements counts as nested (toplevel false); the seed INSERT ... SELECTs, ANALYZE, the
#   CREATE INDEXes and the final CHECKPOINT are one-off statements, and the
#   'billing' texts ("SET ...; BEGIN; UPDATE ...; COMMIT") multi-statement
#   ones; the log spans under a minute.
# - index_advice.sql: shipments (autovacuum off) analyzed at 2,000 rows,
#   then 60,000 more, and 2 joins of them misestimated (stale statistics,
#   'shipping'); stock_moves filtered on (warehouse_id, qty) and (qty,
#   warehouse_id), plans logged: one index for both ('stock').
#   fulfilment.pgbench: 300 UPDATEs of orders.status by id, the statement
#   blocking.sh runs 4 times more (indexed by orders_status_idx: none
#   HOT); merge.pgbench: 20 UPDATEs of
#   orders.customer_id (the missing index's column), both 'fulfilment'.
# - settings.pgbench, extended protocol, 2 clients x 400 ('storefront'): the
#   same settings row (id 1) and the same customer (id 42), 800 calls each.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scale=1 extra=
usage() { echo "usage: pg-workload.sh [-s SCALE] [-x EXTRA.sql] OUTDIR" >&2; exit 2; }
while getopts s:x: opt; do
	case $opt in
	s) scale=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
case $scale in ''|*[!0-9]*|0) usage ;; esac
mkdir -p "$1"
out=$(cd "$1" && pwd)

pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$pgbin/postgres" ]; then
	echo "pg-workload: no PostgreSQL server binaries (install postgresql and postgresql-contrib, or set PGBIN)" >&2
	exit 2
fi

# Everything the server and its clients touch lives in one directory they
# own: the data, the socket, the SQL (copied: the source tree may not be
# readable by 'postgres').
work=$(mktemp -d /tmp/pgsift-pg.XXXXXX)
port=$((20000 + RANDOM % 20000))
. "$here/pg-server.sh"
trap finish EXIT
cp "$here"/*.sql "$here"/*.pgbench "$work/"
[ -z "$extra" ] || cp "$extra" "$work/extra.sql"
chmod 644 "$work"/*.sql "$work"/*.pgbench
[ "$(id -u)" != 0 ] || chown -R postgres "$work"

run_pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
# pgsift workload: every statement logged, in three forms
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql'
log_destination = 'stderr,csvlog,jsonlog'
log_line_prefix = '%m [%p] %q%u@%d/%a '
log_min_duration_statement = 0
log_connections = on
log_disconnections = on
log_lock_waits = on
log_temp_files = 0
log_checkpoints = on
log_autovacuum_min_duration = 0
deadlock_timeout = '100ms'
shared_preload_libraries = 'pg_stat_statements,auto_explain'
pg_stat_statements.track = all
auto_explain.log_min_duration = '20ms'
auto_explain.log_analyze = on
auto_explain.log_buffers = on
auto_explain.log_nested_statements = on
work_mem = '64kB'
CONF
pg_start || exit 2

# psql on the shop database; errors do not stop a script unless asked.
sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -X -q -v ON_ERROR_STOP=0 "$@"; }
bench() { run_pg "$pgbin/pgbench" -h "$work" -p "$port" -U postgres -n "$@" shop; }
snapshot() {
	sql -d shop -v ON_ERROR_STOP=1 \
		-v statements_csv="$work/pg_stat_statements_$1.csv" \
		-v indexes_csv="$work/pg_stat_user_indexes_$1.csv" \
		-v tables_csv="$work/pg_stat_user_tables_$1.csv" -f "$work/snapshot.sql"
}

sql -d postgres -c "CREATE DATABASE shop" >/dev/null
sql -d shop -v ON_ERROR_STOP=1 -v scale="$scale" -f "$work/schema.sql" >/dev/null
if [ -n "$extra" ]; then
	sql -d shop -v ON_ERROR_STOP=1 -f "$work/extra.sql" >/dev/null || exit 3
	sql -d shop -c "ANALYZE" >/dev/null
fi
sql -d shop -f "$work/reset.sql" >/dev/null
snapshot before

n=$((200 * scale))
# Background load while the rest runs: the OLTP lookups and the orders by
# customer.
bench -M prepared -c 4 -j 2 -t $((n * 10)) -f "$work/oltp.pgbench" >/dev/null 2>&1 &
oltp=$!
bench -M simple -c 2 -j 1 -t $((n / 4)) -f "$work/by_customer.pgbench" >/dev/null 2>&1 &
by_customer=$!

# The N+1 loop, as an ORM would send it: the orders of a customer, then
# the items of each order one query at a time. Seeded: the same ids on
# every run.
RANDOM=7
{
	echo "SET application_name = 'orders-page';"
	for ((loop = 0; loop < (n / 20 > 0 ? n / 20 : 1); loop++)); do
		echo "SELECT id FROM orders WHERE customer_id = $((RANDOM % (5000 * scale) + 1)) ORDER BY id LIMIT 12;"
		for ((k = 0; k < 12; k++)); do
			echo "SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = $(((RANDOM * 32768 + RANDOM) % (100000 * scale) + 1));"
		done
	done
} >"$work/nplus1.sql"
chmod 644 "$work/nplus1.sql"
sql -d shop -f "$work/nplus1.sql" >/dev/null

sql -d shop -f "$work/catalogue.sql" >/dev/null
sql -d shop -f "$work/reports.sql" >/dev/null

# The lock wait: the first session holds the row while the second asks.
sql -d shop -c "SET application_name='billing'; BEGIN; UPDATE orders SET status='paid' WHERE id = 1; SELECT pg_sleep(0.5); COMMIT;" >/dev/null &
holder=$!
sleep 0.1
sql -d shop -c "SET application_name='billing'; UPDATE orders SET status='shipped' WHERE id = 1;" >/dev/null
wait "$holder"

sql -d shop -f "$work/errors.sql" >/dev/null 2>&1
sql -d shop -c "SET application_name='repricer'; UPDATE products SET price = price + 1 WHERE id % 3 = 0;" >/dev/null
sql -d shop -f "$work/json_plans.sql" >/dev/null

# Plan times (plan_times.sql): foreign-key triggers, a parallel scan, a
# cascading DELETE without an index, a CREATE INDEX spilling.
sql -d shop -v scale="$scale" -f "$work/plan_times.sql" >/dev/null
# The event situations (blocking.sh): a chain of lock waits, idle in
# transaction, a deadlock, checkpoints too frequent.
. "$here/blocking.sh"
# Nested statements (rank): a function's lookup pg_stat_statements counts
# as nested, inside the calls the log times.
sql -d shop -f "$work/nested.sql" >/dev/null

# Index advice (index_advice.sql, *.pgbench):
# UPDATEs of indexed columns, a table changed heavily since its last
# analyze, and a storefront reading one settings row and one customer on
# every request.
sql -d shop -v scale="$scale" -f "$work/index_advice.sql" >/dev/null
PGAPPNAME=fulfilment bench -M simple -c 1 -t $((n * 3 / 2)) --random-seed=7 -f "$work/fulfilment.pgbench" >/dev/null 2>&1
PGAPPNAME=fulfilment bench -M simple -c 1 -t 20 --random-seed=7 -f "$work/merge.pgbench" >/dev/null 2>&1
PGAPPNAME=storefront bench -M extended -c 2 -j 1 -t $((n * 2)) -f "$work/settings.pgbench" >/dev/null 2>&1

wait "$oltp" "$by_customer"
snapshot after
sql -d shop -c "CHECKPOINT" >/dev/null
sleep 1         # the checkpoint's log line
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null

cp "$work/data/log/postgresql" "$out/postgresql.log"
cp "$work/data/log/postgresql.csv" "$work/data/log/postgresql.json" "$out/"
cp "$work"/pg_stat_*.csv "$out/"
chmod 644 "$out"/*
echo "pg-workload: $(ls "$out" | wc -l) files in $out ($(wc -l <"$out/postgresql.log") stderr log lines)"
