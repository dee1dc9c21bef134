#!/usr/bin/env bash
# pg-prefixes.sh: one real server log per log_line_prefix, for the prefix
# detection tests. It starts a throwaway server (own data directory, socket
# directory and random port; removed on exit) and, for each line of
# PREFIXES (a file, one log_line_prefix a line, verbatim), switches the
# setting and the log file with a reload, then runs the same small
# workload: two users (alice, bob) on two databases (shop, appdb) with
# applications 'web' and 'report job', over the socket and TCP, each
# statement logged with its duration, a division by zero (ERROR) and a
# connection to a missing database (FATAL), connections and disconnections
# logged. Prefix N's log (N from 1) is OUTDIR/pN.log.
#
# usage: tests/workload/pg-prefixes.sh PREFIXES OUTDIR
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin); exit 2 when there is none.
# As root, the server and its clients run as the 'postgres' user.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: pg-prefixes.sh PREFIXES OUTDIR" >&2; exit 2; }
prefixes=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$pgbin/postgres" ]; then
	echo "pg-prefixes: no PostgreSQL server binaries (install postgresql, or set PGBIN)" >&2
	exit 2
fi

work=$(mktemp -d /tmp/pgsift-pfx.XXXXXX)
port=$((20000 + RANDOM % 20000))
. "$(dirname "$0")/pg-server.sh"
trap finish EXIT
[ "$(id -u)" != 0 ] || chown postgres "$work"

run_pg "$pgbin/initdb" --no-sync -D "$work/data" -U postgres -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = 'log'
log_filename = 'p0.log'
log_min_duration_statement = 0
log_connections = on
log_disconnections = on
compute_query_id = on
fsync = off
CONF
pg_start || exit 2

# psql as user $1 on database $2 with application $3 (over TCP when $4 is
# "tcp"); failures are part of the workload.
sql() {
	local host=$work
	[ "${4:-}" != tcp ] || host=127.0.0.1
	PGAPPNAME=$3 run_pg env PGAPPNAME="$3" "$pgbin/psql" -h "$host" -p "$port" \
		-U "$1" -d "$2" -X -q -v ON_ERROR_STOP=0 "${@:5}" >/dev/null 2>&1 || true
}
admin() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }

admin -c "CREATE ROLE alice LOGIN" -c "CREATE ROLE bob LOGIN" \
	-c "CREATE DATABASE shop OWNER alice" -c "CREATE DATABASE appdb OWNER bob"

n=0
while IFS= read -r prefix || [ -n "$prefix" ]; do
	n=$((n + 1))
	q=${prefix//\'/\'\'}
	admin -c "ALTER SYSTEM SET log_line_prefix = '$q'" \
		-c "ALTER SYSTEM SET log_filename = 'p$n.log'" -c "SELECT pg_reload_conf()"
	sleep 0.2       # the logger switches files on the reload
	# Concurrent sessions, as on a real server: their lines interleave.
	sql alice shop web "" -c "SELECT count(*) FROM pg_class" -c "SELECT 1/0" \
		-c "SELECT relname FROM pg_class WHERE oid = 1259" &
	sql bob appdb "report job" tcp -c "SELECT count(*) FROM pg_class" -c "SELECT now()" &
	sql alice nodb web &
	sql alice shop web tcp -c "SELECT count(*) FROM pg_class" &
	wait
done <"$prefixes"
sleep 0.3
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
for ((i = 1; i <= n; i++)); do
	cp "$work/data/log/p$i.log" "$out/p$i.log"
done
chmod 644 "$out"/*.log
