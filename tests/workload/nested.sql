-- nested.sql: statements pg_stat_statements counts as nested (toplevel
-- false) under the top-level call the log times: the function's lookup
-- runs 4 times, each inside one "SELECT customer_name(...)" (fast: no
-- auto_explain plan of its own; under the 5 repeats of an N+1 loop). Its
-- time is the caller's already.
SET application_name = 'nested';
CREATE FUNCTION customer_name(c bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n text;
BEGIN
	SELECT name INTO n FROM customers WHERE id = c;
	RETURN n;
END $$;
SELECT customer_name(1);
SELECT customer_name(2);
SELECT customer_name(3);
SELECT customer_name(4);
