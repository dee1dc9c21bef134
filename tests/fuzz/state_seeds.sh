#!/bin/sh
# state_seeds.sh PGSIFT DIR: seeds for fuzz_state.c from real states: small
# real evidence saved with --save (and a --state partial), each as a whole
# file (first byte 0) and as its payload (first byte 1).
set -e
bin=$1 out=$2 tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
d=tests/data
"$bin" report -q -o /dev/null --save "$tmp/plans.state" $d/plans/workload.log
"$bin" report -q -o /dev/null --save "$tmp/snap.state" \
	$d/snapshots/pg_stat_statements_before.csv $d/snapshots/pg_stat_statements_after.csv \
	$d/snapshots/pg_stat_user_indexes_before.csv $d/snapshots/pg_stat_user_indexes_after.csv
"$bin" report -q -o /dev/null --save "$tmp/traces.state" \
	$d/traces/rails-span-envelope.txt $d/traces/otlp.ndjson
zstd -dcq $d/forms/postgresql.log.zst | head -n 3000 > "$tmp/pg.log"
"$bin" report -q -o /dev/null --save "$tmp/forms.state" "$tmp/pg.log"
"$bin" report -q -o /dev/null --state "$tmp/s" "$tmp/pg.log"
cp "$tmp"/s/partial-*.state "$tmp/partial.state"
for s in "$tmp"/*.state; do
	name=$(basename "$s" .state)
	{ printf '\000'; cat "$s"; } > "$out/seed-file-$name"
	# The payload: past the magic (8), format (4), version (4 + its
	# length) and the payload's length (8).
	vlen=$(od -An -tu4 -j12 -N4 "$s" | tr -d ' ')
	{ printf '\001'; tail -c +$((8 + 4 + 4 + vlen + 8 + 1)) "$s" | zstd -dcq; } \
		> "$out/seed-payload-$name"
done
