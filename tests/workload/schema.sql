-- schema.sql: the shop the workload runs against (psql variable :scale).
-- Sizes at scale 1: 5,000 customers, 50,000 products, 100,000 orders,
-- 200,000 order items. order_items.order_id and orders.customer_id have no
-- index on purpose: those are the missing indexes the workload plants.
CREATE EXTENSION pg_stat_statements;
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL, name text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE products  (id bigserial PRIMARY KEY, name text NOT NULL, category text NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE orders    (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id), status text NOT NULL, total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE order_items (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id), product_id bigint NOT NULL REFERENCES products(id), qty int NOT NULL);
INSERT INTO customers (email, name, created_at) SELECT 'user'||g||'@example.com', 'Customer '||g, now() - g * interval '1 minute' FROM generate_series(1, 5000*:scale) g;
INSERT INTO products (name, category, price, created_at) SELECT 'Product '||g, 'cat'||(g % 40), (g % 500) + 0.99, now() - g * interval '1 hour' FROM generate_series(1, 50000*:scale) g;
INSERT INTO orders (customer_id, status, total, created_at) SELECT 1 + (g % (5000*:scale)), (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4], (g % 900) + 0.5, now() - g * interval '10 seconds' FROM generate_series(1, 100000*:scale) g;
INSERT INTO order_items (order_id, product_id, qty) SELECT 1 + (g % (100000*:scale)), 1 + (g % (50000*:scale)), 1 + g % 3 FROM generate_series(1, 200000*:scale) g;
-- orders_status_idx is used by the OLTP count; products_name_idx is never
-- used; customers_email_idx2 is an exact copy of customers_email_idx.
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX products_name_idx ON products (name);
CREATE INDEX customers_email_idx ON customers (email);
CREATE INDEX customers_email_idx2 ON customers (email);
ANALYZE;
