-- plan_times.sql: plans whose times are easy to read wrong, run near the end
-- of the workload (psql variable :scale) by application 'stock':
-- - foreign-key checks: stock_moves (300,000 rows at scale 1) references
--   warehouses; its seed INSERT spends most of its time in the checks, after
--   the plan tree. auto_explain.log_triggers is on for this session.
-- - a parallel sequential scan (parallel costs at 0): three statements, each
--   a Gather of two workers, which pg_stat_user_tables counts three times.
-- - a DELETE of 5 warehouses: ON DELETE CASCADE looks for their moves, and
--   stock_moves.warehouse_id has no index (a scan of it per warehouse).
-- - CREATE INDEX at maintenance_work_mem 1MB spills to a temporary file.
SET application_name = 'stock';
SET auto_explain.log_triggers = on;
CREATE TABLE warehouses (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE stock_moves (id bigserial PRIMARY KEY, warehouse_id int NOT NULL REFERENCES warehouses ON DELETE CASCADE, qty int NOT NULL, moved_at timestamptz NOT NULL);
INSERT INTO warehouses SELECT g, 'Warehouse ' || g FROM generate_series(1, 50) g;
INSERT INTO stock_moves (warehouse_id, qty, moved_at) SELECT 1 + g % 50, g % 97, now() - g * interval '1 minute' FROM generate_series(1, 300000*:scale) g;
ANALYZE warehouses, stock_moves;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*), avg(qty) FROM stock_moves WHERE qty % 7 = 3;
SELECT count(*), avg(qty) FROM stock_moves WHERE qty % 7 = 4;
SELECT count(*), avg(qty) FROM stock_moves WHERE qty % 7 = 5;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DELETE FROM warehouses WHERE id > 45;
SET maintenance_work_mem = '1MB';
SET max_parallel_maintenance_workers = 0;
CREATE INDEX stock_moves_moved_idx ON stock_moves (moved_at, qty);
