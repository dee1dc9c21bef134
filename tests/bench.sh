#!/bin/sh
# make bench: pgsift's speed and memory on a large real-shaped log.
#
# Builds BENCH_MB (default 1024) of log with ../shared/corpus/amplify.py
# from samples/postgresql.log.zst (a real pg-workload.sh log), runs
# `pgsift report -j 1` on it and on its first quarter, and prints MB/s,
# records/s and peak RSS for both (peak RSS must not grow with the input).
# When pgbadger is installed it runs it on a BENCH_PGBADGER_MB slice
# (default 64) of the same log and prints the speed ratio.
# Figures only: nothing here passes or fails on time.
set -eu
BIN=${1:?usage: bench.sh PGSIFT_BINARY}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MB=${BENCH_MB:-1024}
PGB_MB=${BENCH_PGBADGER_MB:-64}
DIR=${BENCH_DIR:-/tmp/pgsift-bench}
PREFIX='%m [%p] %q%u@%d/%a '
mkdir -p "$DIR"
SRC="$DIR/source.log"
BIG="$DIR/bench-$MB.log"
zstd -dqf "$ROOT/samples/postgresql.log.zst" -o "$SRC"
AMPLIFY="$ROOT/../shared/corpus/amplify.py"
if [ ! -s "$BIG" ] && [ ! -f "$AMPLIFY" ]; then
	echo "bench: skipped: $AMPLIFY is not beside the source tree (it builds the big log)" >&2
	exit 0
fi
if [ ! -s "$BIG" ]; then
	echo "bench: building $MB MB of log in $BIG ..."
	python3 "$AMPLIFY" "$SRC" "$MB" > "$BIG"
fi
QUARTER="$DIR/bench-$MB-quarter.log"
head -c $((MB * 1024 * 1024 / 4)) "$BIG" | sed '$d' > "$QUARTER"

# run FILE LABEL: one timed pgsift run, figures on one line.
run() {
	bytes=$(stat -c %s "$1")
	cat "$1" > /dev/null    # warm page cache: measure pgsift, not the disk
	/usr/bin/time -f '%e %M' -o "$DIR/time.txt" \
		"$BIN" report -j 1 -q -f json -o "$DIR/report.json" "$1" || [ $? -eq 3 ]
	read -r secs rss_kb < "$DIR/time.txt"
	records=$(python3 -c 'import json,sys; print(sum(i["records"] for i in json.load(open(sys.argv[1]))["inputs"]))' "$DIR/report.json")
	python3 - "$2" "$bytes" "$secs" "$rss_kb" "$records" <<'PY'
import sys
label, b, s, rss, rec = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = max(s, 0.01)
print(f"bench: {label:<22} {b/2**20:8.0f} MB in {s:6.2f} s  {b/2**20/s:7.1f} MB/s  {rec/s:10.0f} records/s  peak RSS {rss/1024:6.1f} MB")
PY
}
run "$QUARTER" "pgsift -j 1 (quarter)"
run "$BIG" "pgsift -j 1"
PGSIFT_MBS=$(awk -v b="$(stat -c %s "$BIG")" '{print b/1048576/($1 > 0.01 ? $1 : 0.01)}' "$DIR/time.txt")

if command -v pgbadger >/dev/null 2>&1; then
	SLICE="$DIR/bench-pgbadger-$PGB_MB.log"
	head -c $((PGB_MB * 1024 * 1024)) "$BIG" | sed '$d' > "$SLICE"
	start=$(date +%s.%N)
	pgbadger -q -j 1 -f stderr --prefix "$PREFIX" -o "$DIR/pgbadger.json" "$SLICE" >/dev/null 2>&1 || true
	end=$(date +%s.%N)
	python3 - "$(stat -c %s "$SLICE")" "$start" "$end" "$PGSIFT_MBS" <<'PY'
import sys
b, t0, t1, ours = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
mbs = b / 2**20 / max(t1 - t0, 0.01)
print(f"bench: pgbadger -j 1 on {b/2**20:.0f} MB: {mbs:.1f} MB/s; pgsift is {ours/mbs:.0f}x faster")
PY
else
	echo "bench: pgbadger not installed (apt-get install pgbadger) - no comparison"
fi
