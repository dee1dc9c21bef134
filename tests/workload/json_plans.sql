-- json_plans.sql: the last statements, with auto_explain writing JSON plans:
-- one more order_items lookup (the 121st) and one more OFFSET page.
SET auto_explain.log_format = 'json';
SET application_name = 'orders-page';
SELECT id, status, total FROM orders WHERE customer_id = 42 ORDER BY created_at DESC;
SELECT oi.product_id, oi.qty FROM order_items oi WHERE oi.order_id = 4242;
SELECT id, name, price FROM products ORDER BY created_at LIMIT 50 OFFSET 40000;
