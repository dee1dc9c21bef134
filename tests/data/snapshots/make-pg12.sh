#!/bin/sh
# Makes the PostgreSQL 12 column set of pg_stat_statements (total_time,
# min_time, ... and no plan, WAL, JIT or toplevel columns) from the real
# PostgreSQL 15 exports next to this script, by renaming and dropping
# columns; the values are untouched. Writes pg12_statements_{before,after}.csv.
set -eu
cd "$(dirname "$0")"
for w in before after; do
python3 - "pg_stat_statements_$w.csv" "pg12_statements_$w.csv" <<'PY'
import csv, sys
# PostgreSQL 12's view, in its order, with the extra columns the dump adds.
PG12 = ["captured_at", "userid", "dbid", "queryid", "query", "calls",
        "total_time", "min_time", "max_time", "mean_time", "stddev_time",
        "rows", "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied",
        "shared_blks_written", "local_blks_hit", "local_blks_read",
        "local_blks_dirtied", "local_blks_written", "temp_blks_read",
        "temp_blks_written", "blk_read_time", "blk_write_time", "datname"]
RENAMED = {c.replace("_exec_time", "_time"): c for c in
           ["total_exec_time", "min_exec_time", "max_exec_time",
            "mean_exec_time", "stddev_exec_time"]}
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as o:
    r = csv.DictReader(f)
    w = csv.writer(o, lineterminator="\n")
    w.writerow(PG12)
    for row in r:
        w.writerow([row[RENAMED.get(c, c)] for c in PG12])
PY
done
