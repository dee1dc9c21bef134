-- reset.sql: the statistics start from zero once the schema is in place.
SELECT pg_stat_statements_reset();
SELECT pg_stat_reset();
