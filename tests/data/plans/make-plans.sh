#!/usr/bin/env bash
# Regenerates the auto_explain excerpts in tests/data/plans/ from a real
# PostgreSQL server (13+, with contrib): a small shop schema, then statements
# chosen for their plan shapes (hash, merge and nested-loop joins, bitmap and
# index-only scans, sorts and hashes spilling to disk, parallel workers,
# Memoize, CTE, SubPlan, InitPlan, "never executed", triggers, quoted names,
# a multi-line query text, VERBOSE, JIT and settings). Only the plan entries
# are kept.
#   text.log   auto_explain text format, ANALYZE, BUFFERS, timing
#   json.log   some of them in JSON format
#   pairs.log  each statement of a smaller set, warm, serial, timing off,
#              logged in text then in JSON form (both give the same model)
# usage: tests/data/plans/make-plans.sh [OUTDIR]   (runs as postgres when root)
set -euo pipefail
OUT=$(realpath -m "${1:-$(dirname "$0")}")
mkdir -p "$OUT"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/pgplans.XXXXXX)
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
track_io_timing = on
work_mem = '64kB'
jit = off
max_parallel_workers_per_gather = 2
parallel_setup_cost = 10
parallel_tuple_cost = 0.001
min_parallel_table_scan_size = 0
autovacuum = off
CONF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -U postgres -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" >/dev/null <<'SQL'
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, region text NOT NULL);
CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, category text NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, status text NOT NULL, total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders, product_id int NOT NULL REFERENCES products, qty int NOT NULL);
CREATE TABLE "Order Notes" (id serial PRIMARY KEY, order_id int NOT NULL, note text);
INSERT INTO customers SELECT g, 'Customer ' || g, 'r' || (g % 7) FROM generate_series(1, 2000) g;
INSERT INTO products SELECT g, 'Product ' || g, 'cat' || (g % 20), (g % 300) + 0.5 FROM generate_series(1, 5000) g;
INSERT INTO orders SELECT g, 1 + g % 2000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4], (g % 700) + 0.25, timestamptz '2026-01-01' + g * interval '7 minutes' FROM generate_series(1, 40000) g;
INSERT INTO order_items SELECT g, 1 + g % 40000, 1 + (g * 7) % 5000, 1 + g % 3 FROM generate_series(1, 80000) g;
INSERT INTO "Order Notes" (order_id, note) SELECT g, 'note ' || g FROM generate_series(1, 500) g;
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX orders_created_idx ON orders (created_at);
CREATE FUNCTION touch_total() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.total := NEW.total; RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch_total();
ANALYZE;
SQL

# Statements, one per line or ';'-terminated block; each is run as it is.
cat >"$WORK/statements.sql" <<'SQL'
SELECT c.region, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name LIKE 'Customer 1%' GROUP BY c.region;
SELECT o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 4;
SELECT count(*) FROM orders WHERE customer_id BETWEEN 100 AND 900;
SELECT id, name, price FROM products ORDER BY price DESC, name;
SELECT id FROM customers ORDER BY name LIMIT 10;
SELECT count(*) FROM order_items WHERE qty = 2;
SELECT id, total FROM orders WHERE status = 'paid' ORDER BY total DESC, id LIMIT 100;
SELECT id FROM orders WHERE id < 3000;
SELECT count(*) FROM order_items oi JOIN customers c ON c.id = oi.qty WHERE oi.order_id < 2000;
SELECT customer_id, count(*) FROM orders GROUP BY customer_id;
WITH big AS MATERIALIZED (SELECT customer_id, sum(total) AS s FROM orders GROUP BY customer_id) SELECT a.customer_id FROM big a JOIN big b ON b.customer_id = a.customer_id + 1 WHERE a.s > 5000;
SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE c.id < 6;
SELECT id, total FROM orders WHERE total > (SELECT avg(total) FROM orders) ORDER BY id LIMIT 5;
SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = -1;
SELECT p.id FROM products p WHERE NOT EXISTS (SELECT 1 FROM order_items oi WHERE oi.product_id = p.id);
SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.status = 'new' WHERE c.region = 'r3' ORDER BY c.id LIMIT 20;
SELECT id FROM customers EXCEPT SELECT customer_id FROM orders WHERE status = 'new';
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s) UNION ALL SELECT id, name FROM customers WHERE id < 3;
SELECT g, g * 2 FROM generate_series(1, 5) g;
SELECT id, rank() OVER (PARTITION BY region ORDER BY id) FROM customers WHERE id < 50;
SELECT DISTINCT region FROM customers;
SELECT n.note, o.status FROM "Order Notes" n JOIN orders o ON o.id = n.order_id WHERE n.id < 20;
SELECT id,
       total
  FROM orders
 WHERE created_at > '2026-03-01'
   AND customer_id = 42;
UPDATE orders SET total = total + 0 WHERE id <= 3;
INSERT INTO order_items VALUES (900001, 1, 1, 1) ON CONFLICT (id) DO NOTHING;
SELECT * FROM orders WHERE id < 100 FOR UPDATE;
SELECT id FROM orders WHERE created_at > '2026-02-01' ORDER BY created_at, total LIMIT 10;
SET enable_hashjoin = off; SELECT count(*) FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.id < 500; RESET enable_hashjoin;
SET max_parallel_workers_per_gather = 0; SET enable_hashjoin = off; SET enable_mergejoin = off; SELECT count(*) FROM order_items oi JOIN customers c ON c.id = oi.qty WHERE oi.order_id < 2000;
SET max_parallel_workers_per_gather = 0; SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.status = 'new';
SET max_parallel_workers_per_gather = 0; SELECT c.id, n.note FROM customers c LEFT JOIN "Order Notes" n ON n.order_id = c.id WHERE c.id < 1000;
SET max_parallel_workers_per_gather = 0; SELECT count(*) FROM customers c JOIN products p ON p.price < c.id WHERE c.id < 30;
SELECT 1 WHERE now() > '2000-01-01';
SELECT unnest(ARRAY[1, 2, 3]);
SET auto_explain.log_verbose = on; SELECT count(*) FROM order_items WHERE qty = 3;
SET auto_explain.log_verbose = on; SELECT c.name, o.total FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = 7; RESET auto_explain.log_verbose;
SET jit = on; SET jit_above_cost = 0; SET auto_explain.log_settings = on; SELECT sum(total) FROM orders WHERE id < 1000;
SQL
# Those logged in JSON form, with timing (the pairs below have none).
cat >"$WORK/json.sql" <<'SQL'
SELECT c.region, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name LIKE 'Customer 1%' GROUP BY c.region;
SELECT customer_id, count(*) FROM orders GROUP BY customer_id;
WITH big AS MATERIALIZED (SELECT customer_id, sum(total) AS s FROM orders GROUP BY customer_id) SELECT a.customer_id FROM big a JOIN big b ON b.customer_id = a.customer_id + 1 WHERE a.s > 5000;
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s) UNION ALL SELECT id, name FROM customers WHERE id < 3;
UPDATE orders SET total = total + 0 WHERE id <= 3;
INSERT INTO order_items VALUES (900001, 1, 1, 1) ON CONFLICT (id) DO NOTHING;
SELECT id FROM orders WHERE created_at > '2026-02-01' ORDER BY created_at, total LIMIT 10;
SET auto_explain.log_verbose = on; SELECT count(*) FROM order_items WHERE qty = 3;
SET jit = on; SET jit_above_cost = 0; SET auto_explain.log_settings = on; SELECT sum(total) FROM orders WHERE id < 1000;
SQL
# The smaller set logged in both forms, warm and without timing.
cat >"$WORK/pairs.sql" <<'SQL'
SELECT c.region, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name LIKE 'Customer 1%' GROUP BY c.region;
SELECT o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id < 4;
SELECT count(*) FROM orders WHERE customer_id BETWEEN 100 AND 900;
SELECT id, name, price FROM products ORDER BY price DESC, name;
SELECT id FROM orders WHERE id < 3000;
SELECT count(*) FROM order_items oi JOIN customers c ON c.id = oi.qty WHERE oi.order_id < 2000;
SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c WHERE c.id < 6;
SELECT id, total FROM orders WHERE total > (SELECT avg(total) FROM orders) ORDER BY id LIMIT 5;
SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = -1;
SELECT n.note, o.status FROM "Order Notes" n JOIN orders o ON o.id = n.order_id WHERE n.id < 20;
SET max_parallel_workers_per_gather = 0; SET enable_hashjoin = off; SET enable_mergejoin = off; SELECT count(*) FROM order_items oi JOIN customers c ON c.id = oi.qty WHERE oi.order_id < 2000;
SET max_parallel_workers_per_gather = 0; SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.status = 'new';
SET max_parallel_workers_per_gather = 0; SELECT count(*) FROM customers c JOIN products p ON p.price < c.id WHERE c.id < 30;
SQL

run() { # FILE PRELUDE: runs each statement of FILE in its own session with PRELUDE
  local file=$1 prelude=$2
  python3 - "$file" <<'PY' | while IFS= read -r -d '' stmt; do
import sys
text = open(sys.argv[1]).read()
buf = ""
for line in text.splitlines(keepends=True):
    buf += line
    if line.rstrip().endswith(";"):
        sys.stdout.write(buf.strip() + "\0"); buf = ""
PY
    printf '%s\n%s\n' "$prelude" "$stmt" | "${PSQL[@]}" -d postgres >/dev/null
  done
}
logpos() { wc -c < "$WORK/server.log"; }
ON="SET auto_explain.log_min_duration = 0;"
A=$(logpos)
run "$WORK/statements.sql" "$ON SET auto_explain.log_format = text;"
B=$(logpos)
run "$WORK/json.sql" "$ON SET auto_explain.log_format = json;"
C=$(logpos)
# Each statement runs twice a session, so that the second run, the one kept,
# finds caches warm and counts the same buffers in both forms; parallel
# workers would share rows differently from run to run.
PAIR="$ON SET auto_explain.log_timing = off; SET max_parallel_workers_per_gather = 0;"
while IFS= read -r stmt; do
  for fmt in text json; do
    printf '%s\n%s\n%s\n' "$PAIR SET auto_explain.log_format = $fmt;" "$stmt" "$stmt" | "${PSQL[@]}" -d postgres >/dev/null
  done
done < "$WORK/pairs.sql"
D=$(logpos)
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null
# Keeps the plan entries: their first line and the tab-continued lines after.
plans() { python3 -c 'import sys; f = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2]));
sys.stdout.buffer.write(f.read(int(sys.argv[3]) - int(sys.argv[2])))' "$WORK/server.log" "$1" "$2" |
  awk '/^[0-9]/ { keep = / plan:$/ } keep' ; }
plans "$A" "$B" > "$OUT/text.log"
plans "$B" "$C" > "$OUT/json.log"
# pairs: the second of each session's two plans
plans "$C" "$D" | awk '/^[0-9]/ { n++ } (n % 2) == 0' > "$OUT/pairs.log"
for f in text json pairs; do echo "wrote $(grep -c ' plan:$' "$OUT/$f.log") plans to $OUT/$f.log"; done
