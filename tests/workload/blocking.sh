# blocking.sh: sourced by pg-workload.sh (its sql() and the shop database):
# the event situations a DBA looks for first, made by real sessions.
#   - a chain of lock waits: 'batch-close' updates orders row 2 and stays
#     idle in its transaction for 1 s; 'invoicer' updates row 3, then waits
#     for row 2; 'shipping' waits for row 3, held by 'invoicer'. The root
#     blocker is 'batch-close', its statement the UPDATE of row 2.
#   - idle in transaction: 'batch-close' above, and 'report-export'
#     (BEGIN; a count; 0.5 s in the client; a count; 0.3 s; COMMIT).
#   - a deadlock: two 'transfer' sessions update rows 4 and 5 in opposite
#     orders; one of them is aborted (deadlock_timeout 100ms).
#   - frequent checkpoints: max_wal_size at its minimum (32MB) and a
#     'bulk-load' write burst (repeated, up to 6 times, until the log shows
#     two checkpoints started by WAL), five INSERTs of 5,000 rows each followed by
#     a WAL segment switch (each switch completes a segment, and one
#     segment is all this max_wal_size allows between checkpoints) and
#     0.5 s for the checkpoint it asks for to run:
#     checkpoints started by "wal", and the server's "checkpoints are
#     occurring too frequently". work_mem is raised for it, so that the
#     burst spills no temporary file and stays a short write.
# The client sleeps (\! sleep) keep each session idle in its transaction
# without a statement running, as an application waiting on something
# else would.

sql -d shop >/dev/null <<'SQL' &
SET application_name = 'batch-close';
BEGIN;
UPDATE orders SET status = 'closing' WHERE id = 2;
\! sleep 1
COMMIT;
SQL
blk_a=$!
sleep 0.2
sql -d shop >/dev/null <<'SQL' &
SET application_name = 'invoicer';
BEGIN;
UPDATE orders SET status = 'invoiced' WHERE id = 3;
UPDATE orders SET status = 'invoiced' WHERE id = 2;
COMMIT;
SQL
blk_b=$!
sleep 0.2
sql -d shop >/dev/null <<'SQL' &
SET application_name = 'shipping';
UPDATE orders SET status = 'shipped' WHERE id = 3;
SQL
blk_c=$!
sql -d shop >/dev/null <<'SQL'
SET application_name = 'report-export';
BEGIN;
SELECT count(*) FROM customers;
\! sleep 0.5
SELECT count(*) FROM products;
\! sleep 0.3
COMMIT;
SQL
wait "$blk_a" "$blk_b" "$blk_c"

sql -d shop >/dev/null 2>&1 <<'SQL' &
SET application_name = 'transfer';
BEGIN;
UPDATE orders SET total = total + 1 WHERE id = 4;
\! sleep 0.3
UPDATE orders SET total = total - 1 WHERE id = 5;
COMMIT;
SQL
blk_a=$!
sleep 0.1
sql -d shop >/dev/null 2>&1 <<'SQL'
SET application_name = 'transfer';
BEGIN;
UPDATE orders SET total = total + 1 WHERE id = 5;
\! sleep 0.3
UPDATE orders SET total = total - 1 WHERE id = 4;
COMMIT;
SQL
wait "$blk_a"

# Bursts until the server has started two checkpoints for WAL: one burst
# does on an idle machine, but on a loaded one the first checkpoint may
# take 3 s, and a checkpoint asked for while one runs starts none. At
# most 6 bursts; the log tells (its own count is what the tests read).
wal_log="$work/data/log/postgresql"
wal_count() { grep -c 'checkpoint starting: wal' "$wal_log" 2>/dev/null || true; }
wal_before=$(wal_count)
sql -d shop >/dev/null <<'SQL'
ALTER SYSTEM SET max_wal_size = '32MB';
SELECT pg_reload_conf();
\! sleep 0.2
CREATE TABLE wal_burst (id int, pad text);
SQL
for burst in 1 2 3 4 5 6; do
	sql -d shop >/dev/null <<'SQL'
SET application_name = 'bulk-load';
SET work_mem = '16MB';
INSERT INTO wal_burst SELECT g, repeat('w', 200) FROM generate_series(1, 5000) g;
SELECT pg_switch_wal();
\! sleep 0.5
INSERT INTO wal_burst SELECT g, repeat('w', 200) FROM generate_series(1, 5000) g;
SELECT pg_switch_wal();
\! sleep 0.5
INSERT INTO wal_burst SELECT g, repeat('w', 200) FROM generate_series(1, 5000) g;
SELECT pg_switch_wal();
\! sleep 0.5
INSERT INTO wal_burst SELECT g, repeat('w', 200) FROM generate_series(1, 5000) g;
SELECT pg_switch_wal();
\! sleep 0.5
INSERT INTO wal_burst SELECT g, repeat('w', 200) FROM generate_series(1, 5000) g;
SELECT pg_switch_wal();
\! sleep 0.5
SQL
	[ $(( $(wal_count) - wal_before )) -ge 2 ] && break
done
sql -d shop >/dev/null <<'SQL'
DROP TABLE wal_burst;
ALTER SYSTEM RESET max_wal_size;
SELECT pg_reload_conf();
SQL
