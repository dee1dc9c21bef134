#!/usr/bin/env bash
# Cuts tests/data/events/workload-events.log out of a log written by
# ../shared/corpus/pg-workload.sh (prefix '%m [%p] %q%u@%d/%a '): every
# entry but the statements ("duration: ..." with their plans and
# continuation lines) and their DETAIL parameters, verbatim.
# usage: tests/data/events/cut-workload.sh WORKLOAD_DIR/postgresql.log OUTFILE
set -euo pipefail
awk '
/^20[0-9][0-9]-[0-9][0-9]-/ { drop = ($0 ~ /LOG:  duration: / || $0 ~ /DETAIL:  parameters: /) }
!drop { print }' "$1" > "$2"
echo "wrote $(wc -l < "$2") lines to $2"
