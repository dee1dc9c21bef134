-- reports.sql: two sorts larger than work_mem (64kB: they spill to disk),
-- IN lists of 3 and 7 items (one fingerprint), and an = ANY array.
SET application_name = 'reports';
SELECT category, name, price FROM products ORDER BY price DESC, name;
SELECT customer_id, sum(total) FROM orders GROUP BY customer_id ORDER BY 2 DESC LIMIT 20;
SELECT id, name FROM products WHERE id IN (1, 2, 3);
SELECT id, name FROM products WHERE id IN (4, 5, 6, 7, 8, 9, 10);
SELECT id, name FROM products WHERE id = ANY('{11,12,13}'::bigint[]);
