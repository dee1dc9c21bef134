#!/bin/sh
# seed.sh TARGET DIR PGSIFT: the seeds of one `make fuzz` target in DIR,
# all from the project's real test data (see each script named below).
set -e
t=$1 out=$2 bin=$3
mkdir -p "$out"
d=tests/data
case $t in
jsonlog)
	zstd -dcq $d/forms/postgresql.json.zst | awk 'NR % 400 == 1 || /\\/' | head -300 |
		split -l 1 - "$out/seed-" ;;
csvlog)
	zstd -dcq $d/forms/postgresql.csv.zst | awk 'NR % 200 == 1 || /""/' | head -300 |
		split -l 1 - "$out/seed-" ;;
json_emit|report_load)
	python3 tests/fuzz/seeds.py "$t" "$out" ;;
state)
	sh tests/fuzz/state_seeds.sh "$bin" "$out" ;;
parse|analysis|normalize|plan|prefix)
	python3 tests/fuzz/seeds_inputs.py "$t" "$out" ;;
*)
	echo "seed.sh: no seeds for $t" >&2
	exit 1 ;;
esac
