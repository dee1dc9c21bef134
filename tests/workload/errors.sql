-- errors.sql: three statements the server rejects (a syntax error, a
-- unique violation, an unknown column); the unique index between them
-- succeeds and makes the violation.
SELEC id FROM orders;
CREATE UNIQUE INDEX customers_id_uniq ON customers (id);
INSERT INTO customers (id, email) VALUES (1, 'dup@example.com');
SELECT nope FROM customers WHERE id = 1;
