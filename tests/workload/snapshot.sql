-- snapshot.sql: the three statistics views as CSV files, named by the psql
-- variables statements_csv, indexes_csv and tables_csv. The columns are the
-- views' own, plus when the snapshot was taken and what pgsift needs
-- besides: the database name, relation sizes, the index definition.
\o :statements_csv
COPY (SELECT now() AS captured_at, s.*, d.datname FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid) TO STDOUT WITH CSV HEADER;
\o :indexes_csv
COPY (SELECT now() AS captured_at, i.*, pg_relation_size(i.indexrelid) AS index_bytes, pg_get_indexdef(i.indexrelid) AS indexdef FROM pg_stat_user_indexes i) TO STDOUT WITH CSV HEADER;
\o :tables_csv
COPY (SELECT now() AS captured_at, t.*, pg_relation_size(t.relid) AS table_bytes FROM pg_stat_user_tables t) TO STDOUT WITH CSV HEADER;
\o
