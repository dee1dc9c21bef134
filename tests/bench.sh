#!/bin/sh
# make bench: pgsift's speed and memory on every shape of real log the
# issue tracker has seen (issue 12), one core each.
#
# tests/bench/gen.py builds each log from a real server log of this tree
# (samples/, tests/data/forms/, tests/data/plans/: see their READMEs),
# repeating its lines with shifted timestamps and pids so every line keeps
# the server's form; the logs are cached in BENCH_DIR, named after the
# generator's hash. For each shape it runs `pgsift report -j 1 -f json` and
# prints MB/s, records/s, peak RSS and the distinct groups (the report's
# totals.fingerprints; a run under 10 s is made 3 times and the median time
# and the largest peak RSS printed); when pgbadger is installed it also times pgbadger
# on a BENCH_PGBADGER_MB slice (default 16: it reads about 1-3 MB/s) of
# the same log and prints the ratio.
# The low-cardinality log, and its gzip and zstd quarter, are also read
# with -j 2, and the speed-up printed (one big file on two cores: issue 13).
# It prints `grep -c duration:` on the low-cardinality log as the floor,
# and for the high-cardinality log libpg_query's own rate on its distinct
# statements (tests/bench/pgq_bound.c), the bound pgsift cannot beat there.
#
# Sizes (MB of log): BENCH_MB (low cardinality, default 1024; its first
# quarter is measured too, and gzip and zstd of that quarter),
# BENCH_HIGH_MB (default 384) with BENCH_HIGH_DISTINCT statements (default
# 200000), BENCH_PLANS_MB (each plan form, default 64), BENCH_CSV_MB and
# BENCH_JSON_MB (default 256). BENCH_SHAPES picks shapes (default: low high
# plans-text plans-json csvlog jsonlog gzip zstd tui).
# A pgsift from before issue 12 holds about 110 KB per distinct statement
# of the high shape (2.2 GB for 20,000): give it BENCH_HIGH_DISTINCT=20000
# BENCH_HIGH_MB=30, not the default, on a machine of less than 32 GB.
# Figures only: nothing here passes or fails on time.
set -eu
BIN=${1:?usage: bench.sh PGSIFT_BINARY}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MB=${BENCH_MB:-1024}
HIGH_MB=${BENCH_HIGH_MB:-384}
HIGH_N=${BENCH_HIGH_DISTINCT:-200000}
PLANS_MB=${BENCH_PLANS_MB:-64}
CSV_MB=${BENCH_CSV_MB:-256}
JSON_MB=${BENCH_JSON_MB:-256}
PGB_MB=${BENCH_PGBADGER_MB:-16}
SHAPES=${BENCH_SHAPES:-low high plans-text plans-json csvlog jsonlog gzip zstd tui}
DIR=${BENCH_DIR:-/tmp/pgsift-bench}
PREFIX='%m [%p] %q%u@%d/%a '
GEN="$ROOT/tests/bench/gen.py"
mkdir -p "$DIR"
# Cached logs are named after the generator, so a changed gen.py rebuilds them.
TAG=$(sha1sum "$GEN" | cut -c1-8)
HAVE_PGBADGER=0
if command -v pgbadger >/dev/null 2>&1; then
	HAVE_PGBADGER=1
else
	echo "bench: pgbadger not installed (apt-get install pgbadger) - no comparison"
fi

# wanted SHAPE: is SHAPE in BENCH_SHAPES?
wanted() {
	case " $SHAPES " in *" $1 "*) return 0 ;; esac
	return 1
}

# source NAME ZST_OR_PLAIN: the real log, decompressed once into DIR.
source_log() {
	case "$2" in
	*.zst) [ -s "$DIR/$1" ] || zstd -dqf "$2" -o "$DIR/$1" ;;
	*) cp "$2" "$DIR/$1" ;;
	esac
	echo "$DIR/$1"
}

# gen OUT SHAPE SOURCE MB [DISTINCT TEXTS]: build OUT unless cached.
gen() {
	out=$1
	shift
	if [ ! -s "$out" ]; then
		echo "bench: building $out ..."
		python3 "$GEN" "$@" > "$out.tmp"
		mv "$out.tmp" "$out"
	fi
}

# slice FILE KIND: the first BENCH_PGBADGER_MB of FILE (whole lines), for
# pgbadger, which is too slow for the full log; KIND gz or zst recompresses.
slice() {
	s="$DIR/slice-$(basename "$1").$PGB_MB"
	case "$2" in
	gz) s="$s.gz" ;;
	zst) s="$s.zst" ;;
	esac
	if [ ! -s "$s" ]; then
		case "$2" in
		gz) gzip -dc "$1" | head -c $((PGB_MB * 1048576)) | sed '$d' | gzip -c > "$s" ;;
		zst) zstd -dc "$1" | head -c $((PGB_MB * 1048576)) | sed '$d' | zstd -q -c > "$s" ;;
		*) head -c $((PGB_MB * 1048576)) "$1" | sed '$d' > "$s" ;;
		esac
	fi
	echo "$s"
}

# run FILE LABEL PGBADGER_FORMAT [LOG_BYTES [KIND]]: timed pgsift runs,
# its figures on one line, then pgbadger's on a slice (none: no pgbadger). LOG_BYTES is the
# uncompressed size of a compressed FILE: MB/s is always MB of log.
run() {
	file=$1 label=$2 pgbf=$3
	bytes=${4:-$(stat -L -c %s "$file")}
	kind=${5:-plain}
	cat "$file" > /dev/null    # warm page cache: measure pgsift, not the disk
	# One run under 10 s can be noisy (a shared machine): run it 3 times,
	# take the median time and the largest peak RSS.
	all="" rss_kb=0 n=0
	while :; do
		/usr/bin/time -f '%e %M' -o "$DIR/time.txt" \
			"$BIN" report -j "${RUN_JOBS:-1}" -q -f json -o "$DIR/report.json" "$file" || [ $? -eq 3 ]
		# time writes "Command exited with non-zero status 3" first when
		# an input had problems (the plans log is cut inside its last plan).
		tail -n 1 "$DIR/time.txt" > "$DIR/time1.txt"
		read -r secs kb < "$DIR/time1.txt"
		all="$all $secs" n=$((n + 1))
		[ "$kb" -gt "$rss_kb" ] && rss_kb=$kb
		[ $n -lt 3 ] && awk "BEGIN { exit !($secs < 10) }" || break
	done
	secs=$(printf '%s\n' $all | sort -n | sed -n "$(((n + 1) / 2))p")
	LAST_SECS=$secs
	pgb=""
	if [ $HAVE_PGBADGER = 1 ] && [ "$pgbf" != none ]; then
		s=$(slice "$file" "$kind")
		case "$kind" in
		plain) sbytes=$(stat -L -c %s "$s") ;;
		gz) sbytes=$(gzip -dc "$s" | wc -c) ;;
		zst) sbytes=$(zstd -dc "$s" | wc -c) ;;
		esac
		if [ "$pgbf" = stderr ]; then
			set -- -f stderr --prefix "$PREFIX"
		else
			set -- -f "$pgbf"
		fi
		t0=$(date +%s.%N)
		pgbadger -q -j 1 "$@" -o "$DIR/pgbadger.json" "$s" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		pgb="$sbytes $t0 $t1"
	fi
	python3 - "$label" "$bytes" "$secs" "$rss_kb" "$DIR/report.json" $pgb <<'PY'
import json, sys
label, b, s, rss = sys.argv[1], int(sys.argv[2]), max(float(sys.argv[3]), 0.01), int(sys.argv[4])
rep = json.load(open(sys.argv[5]))
rec = sum(i["records"] for i in rep["inputs"])
groups = rep["totals"]["fingerprints"]
mbs = b / 2**20 / s
line = (f"bench: {label:<24} {b/2**20:6.0f} MB {s:7.2f} s {mbs:7.1f} MB/s {rec/s:9.0f} rec/s"
        f"  RSS {rss/1024:7.1f} MB  {groups:6d} groups")
if len(sys.argv) > 6:
    pb, t0, t1 = int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
    pmbs = pb / 2**20 / max(t1 - t0, 0.01)
    line += f"  pgbadger {pmbs:.1f} MB/s on {pb/2**20:.0f} MB ({mbs/pmbs:.0f}x)"
print(line, flush=True)
PY
}

# speedup FILE WHAT: -j 2 against -j 1 on FILE, in alternating pairs (so
# that a machine whose speed drifts moves both alike): the median of the
# pairs' ratios, and their spread.
speedup() {
	python3 - "$BIN" "$1" "$2" <<'PY'
import statistics, subprocess, sys, time
bin, path, what = sys.argv[1:4]
def secs(jobs):
    t = time.perf_counter()
    subprocess.run([bin, "report", "-j", str(jobs), "-q", "-f", "json", "-o", "/dev/null", path],
                   check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t
r = sorted(secs(1) / secs(2) for _ in range(5))
print(f"bench: -j 2 on {what}: {statistics.median(r):.2f}x the speed of -j 1"
      f" (median of 5 paired runs, {r[0]:.2f}-{r[-1]:.2f}x)", flush=True)
PY
}

STDERR_SRC=$(source_log sample.log "$ROOT/samples/postgresql.log.zst")
BIG="$DIR/low-$MB-$TAG.log"
QUARTER="$DIR/low-$MB-$TAG-quarter.log"
if wanted low || wanted gzip || wanted zstd; then
	gen "$BIG" stderr "$STDERR_SRC" "$MB"
	[ -s "$QUARTER" ] || head -c $((MB * 1048576 / 4)) "$BIG" | sed '$d' > "$QUARTER"
fi

if wanted low; then
	run "$QUARTER" "low cardinality (1/4)" none    # same slice as the next
	run "$BIG" "low cardinality" stderr
	# Issue 13's measure: one big file on two cores (-j 2) against one.
	RUN_JOBS=2 run "$BIG" "low cardinality, -j 2" none
	speedup "$BIG" "one $MB MB file"
	# The floor: reading the log and finding each entry, nothing more.
	cat "$BIG" > /dev/null
	/usr/bin/time -f '%e' -o "$DIR/time.txt" grep -c duration: "$BIG" > "$DIR/grep.txt"
	python3 - "$(stat -L -c %s "$BIG")" "$(cat "$DIR/time.txt")" "$(cat "$DIR/grep.txt")" <<'PY'
import sys
b, s, n = int(sys.argv[1]), max(float(sys.argv[2]), 0.01), int(sys.argv[3])
print(f"bench: {'floor: grep -c duration:':<24} {b/2**20:6.0f} MB {s:7.2f} s {b/2**20/s:7.1f} MB/s {n/s:9.0f} lines/s  ({n} lines)")
PY
fi

if wanted high; then
	HIGH="$DIR/high-$HIGH_MB-$HIGH_N-$TAG.log"
	TEXTS="$DIR/high-$HIGH_MB-$HIGH_N-$TAG.texts"
	[ -s "$HIGH" ] && [ -s "$TEXTS" ] || rm -f "$HIGH"
	gen "$HIGH" high "$STDERR_SRC" "$HIGH_MB" "$HIGH_N" "$TEXTS"
	run "$HIGH" "high cardinality" stderr
	# libpg_query alone on the same distinct statements: pgsift fingerprints
	# each distinct text once (and parses some for advice), so this bounds it.
	if cc -std=c11 -O2 -o "$DIR/pgq_bound" "$ROOT/tests/bench/pgq_bound.c" -lpg_query 2>"$DIR/cc.txt"; then
		"$DIR/pgq_bound" "$TEXTS" > "$DIR/bound.txt"
		python3 - "$(stat -L -c %s "$HIGH")" "$LAST_SECS" $(cat "$DIR/bound.txt") <<'PY'
import sys
b, s = int(sys.argv[1]), max(float(sys.argv[2]), 0.01)
n, fp, parse, failed = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
bound = n / fp + n / parse
print(f"bench: libpg_query alone on the {n} distinct statements: pg_query_fingerprint {fp:.0f}/s,"
      f" pg_query_parse {parse:.0f}/s ({failed} failed)")
print(f"bench: {'bound: both once each':<24} {b/2**20:6.0f} MB {bound:7.2f} s {b/2**20/bound:7.1f} MB/s;"
      f" pgsift took {s/bound:.2f}x the bound ({s/(n/fp):.2f}x fingerprinting alone)")
PY
	else
		echo "bench: libpg_query bound skipped: cannot build tests/bench/pgq_bound.c: $(head -1 "$DIR/cc.txt")"
	fi
fi

if wanted plans-text; then
	F="$DIR/plans-text-$PLANS_MB-$TAG.log"
	gen "$F" plans "$ROOT/tests/data/plans/text.log" "$PLANS_MB"
	run "$F" "auto_explain text plans" stderr
fi
if wanted plans-json; then
	F="$DIR/plans-json-$PLANS_MB-$TAG.log"
	gen "$F" plans "$ROOT/tests/data/plans/json.log" "$PLANS_MB"
	run "$F" "auto_explain JSON plans" stderr
fi
if wanted csvlog; then
	F="$DIR/csvlog-$CSV_MB-$TAG.csv"
	gen "$F" csvlog "$(source_log forms.csv "$ROOT/tests/data/forms/postgresql.csv.zst")" "$CSV_MB"
	run "$F" "csvlog" csv
	speedup "$F" "the csvlog file"
fi
if wanted jsonlog; then
	# The workload's jsonlog holds its auto_explain JSON plans too.
	F="$DIR/jsonlog-$JSON_MB-$TAG.json"
	gen "$F" jsonlog "$(source_log forms.json "$ROOT/tests/data/forms/postgresql.json.zst")" "$JSON_MB"
	run "$F" "jsonlog (with plans)" jsonlog
	speedup "$F" "the jsonlog file"
fi
QBYTES=$( [ -s "$QUARTER" ] && stat -L -c %s "$QUARTER" || echo 0)
if wanted gzip; then
	[ -s "$QUARTER.gz" ] || gzip -c < "$QUARTER" > "$QUARTER.gz"
	run "$QUARTER.gz" "gzip (low 1/4)" stderr "$QBYTES" gz
	RUN_JOBS=2 run "$QUARTER.gz" "gzip (low 1/4), -j 2" none "$QBYTES" gz
	speedup "$QUARTER.gz" "the gzip file"
fi
if wanted zstd; then
	[ -s "$QUARTER.zst" ] || zstd -q -c < "$QUARTER" > "$QUARTER.zst"
	run "$QUARTER.zst" "zstd (low 1/4)" stderr "$QBYTES" zst
	RUN_JOBS=2 run "$QUARTER.zst" "zstd (low 1/4), -j 2" none "$QBYTES" zst
	speedup "$QUARTER.zst" "the zstd file"
fi

# tui: `pgsift tui` on BENCH_TUI_DISTINCT (default 100000) distinct ORM
# statements in BENCH_TUI_MB (default 192) of log, and on its saved JSON
# report: seconds to load the report or analyse the log, seconds from then
# to the first screen, peak RSS. Run in a pseudo-terminal (script(1)) with
# the test hook PGSIFT_TUI_FIRST_SCREEN, which quits after the first draw
# and prints those figures. The report is made by this binary each run.
if wanted tui; then
	TUI_MB=${BENCH_TUI_MB:-192}
	TUI_N=${BENCH_TUI_DISTINCT:-100000}
	TLOG="$DIR/tui-$TUI_MB-$TUI_N-$TAG.log"
	gen "$TLOG" high "$STDERR_SRC" "$TUI_MB" "$TUI_N"
	if ! command -v script >/dev/null 2>&1; then
		echo "bench: tui skipped: no script(1) (util-linux) for a pseudo-terminal"
	else
		"$BIN" report -j 1 -q -f json -o "$DIR/tui-report.json" "$TLOG" || [ $? -eq 3 ]
		for f in "$DIR/tui-report.json" "$TLOG"; do
			cat "$f" > /dev/null
			rm -f "$DIR/tui.txt"
			PGSIFT_TUI_FIRST_SCREEN=1 TERM=xterm script -qec \
				"'$BIN' tui -j 1 '$f' 2>'$DIR/tui.txt'" /dev/null > /dev/null || true
			case "$f" in *.json) what="saved report" ;; *) what="log" ;; esac
			python3 - "$what" "$(stat -L -c %s "$f")" "$DIR/tui.txt" "$DIR/tui-report.json" <<'PY'
import json, re, sys
what, b, out = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read()
m = re.search(r"load ([0-9.]+) s, first screen ([0-9.]+) s after it, peak RSS ([0-9]+) KB", out)
groups = json.load(open(sys.argv[4]))["totals"]["fingerprints"]
if not m:
    print(f"bench: tui, {what}: no first screen ({out.strip()[:200]})")
else:
    load, first, rss = float(m[1]), float(m[2]), int(m[3])
    step = "open" if what == "saved report" else "analysis"
    print(f"bench: {'tui, ' + what:<24} {b/2**20:6.0f} MB  {step} {load:6.2f} s  first screen"
          f" {first:5.2f} s after it  RSS {rss/1024:7.1f} MB  {groups:6d} groups")
PY
		done
	fi
fi
