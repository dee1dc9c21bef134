-- index_advice.sql: what index and statistics advice must weigh, run near
-- the end of the workload (psql variable :scale):
-- - write cost: merge.pgbench moves the orders of a customer to another
--   (customers merged), setting orders.customer_id, the missing index's
--   column; fulfilment.pgbench updates orders.status.
-- - stale statistics ('shipping'): shipments, autovacuum off for it, is
--   analyzed at 2,000 delivered rows, then gets 60,000 pending ones; a join
--   of its pending rows with orders is planned for 1 row.
-- - one index for two statements ('stock', plans logged): stock_moves
--   (plan_times.sql's) filtered by warehouse_id and qty, and by qty and
--   warehouse_id: (warehouse_id, qty) serves both.
-- - a settings table and its rows, read by settings.pgbench.
SET application_name = 'shipping';
CREATE TABLE shipments (id bigserial PRIMARY KEY, order_id bigint NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()) WITH (autovacuum_enabled = off);
INSERT INTO shipments (order_id, status) SELECT 1 + g * 13 % (100000*:scale), 'delivered' FROM generate_series(1, 2000) g;
ANALYZE shipments;
INSERT INTO shipments (order_id, status) SELECT 1 + g * 7 % (100000*:scale), 'pending' FROM generate_series(1, 60000*:scale) g;
SELECT o.customer_id, count(*) FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.status = 'pending' GROUP BY o.customer_id ORDER BY count(*) DESC LIMIT 10;
SELECT o.customer_id, count(*) FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.status = 'pending' GROUP BY o.customer_id ORDER BY count(*) DESC LIMIT 10;
SET application_name = 'stock';
SET auto_explain.log_min_duration = 0;
SELECT count(*) FROM stock_moves WHERE warehouse_id = 7 AND qty = 5;
SELECT sum(id) FROM stock_moves WHERE qty = 3 AND warehouse_id = 9;
RESET auto_explain.log_min_duration;
CREATE TABLE settings (id int PRIMARY KEY, name text NOT NULL, value jsonb NOT NULL);
INSERT INTO settings SELECT g, 'shop ' || g, jsonb_build_object('currency', 'EUR', 'tax', 0.2) FROM generate_series(1, 20) g;
