-- catalogue.sql: OFFSET pagination deep into the products (4 pages), and
-- two listings without a LIMIT.
SET application_name = 'catalogue';
SELECT id, name, price FROM products ORDER BY created_at LIMIT 50 OFFSET 0;
SELECT id, name, price FROM products ORDER BY created_at LIMIT 50 OFFSET 10000;
SELECT id, name, price FROM products ORDER BY created_at LIMIT 50 OFFSET 30000;
SELECT id, name, price FROM products ORDER BY created_at LIMIT 50 OFFSET 45000;
SELECT * FROM orders ORDER BY created_at;
SELECT * FROM order_items WHERE qty > 0;
