#!/usr/bin/env bash
# pgbouncer-workload.sh: a real pgBouncer log and the log of the server
# behind it, for the pooler tests. It starts a throwaway PostgreSQL (own
# data directory, socket directory and random port; removed on exit) and
# a pgBouncer in front of it (its own ini, auth_type trust with an
# auth_file, stats_period 1 s, connections and disconnections logged),
# then drives through the pooler:
#   - pgbench (select-only, 4 clients, 3 s) on database shop as alice;
#   - a login to a database the pooler does not know (nodb);
#   - max_client_conn exceeded: more sessions at once than it allows;
#   - a query_wait_timeout: database tiny has a pool of one server
#     connection, held by one session while another waits past 2 s;
#   - a server login that fails: database dead points at a database the
#     server does not have (the next client waits past query_wait_timeout).
# OUTDIR gets pgbouncer.log, server.log, and show_stats.txt (the pooler's
# own SHOW STATS at the end, unaligned, '|' between columns) and
# pgbench.txt (pgbench's summary).
#
# usage: tests/workload/pgbouncer-workload.sh OUTDIR
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin); exit 2 when there is none, or no
#           pgbouncer.
# As root, the servers and their clients run as the 'postgres' user.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: pgbouncer-workload.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$pgbin/postgres" ]; then
	echo "pgbouncer-workload: no PostgreSQL server binaries (install postgresql, or set PGBIN)" >&2
	exit 2
fi
bouncer=$(command -v pgbouncer || true)
[ -n "$bouncer" ] || bouncer=/usr/sbin/pgbouncer
if [ ! -x "$bouncer" ]; then
	echo "pgbouncer-workload: no pgbouncer (install pgbouncer)" >&2
	exit 2
fi

work=$(mktemp -d /tmp/pgsift-bouncer.XXXXXX)
port=$((20000 + RANDOM % 20000))
bport=$((40000 + RANDOM % 20000))
. "$(dirname "$0")/pg-server.sh"
stop_all() {
	if [ -f "$work/pgbouncer.pid" ]; then
		kill "$(cat "$work/pgbouncer.pid")" 2>/dev/null || true
		sleep 0.3
	fi
	finish
}
trap stop_all EXIT
[ "$(id -u)" != 0 ] || chown postgres "$work"

run_pg "$pgbin/initdb" --no-sync -D "$work/data" -U postgres -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
log_min_duration_statement = 0
log_connections = on
log_disconnections = on
fsync = off
CONF
pg_start || exit 2
admin() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }
admin -c "CREATE ROLE alice LOGIN" -c "CREATE DATABASE shop OWNER alice"
run_pg "$pgbin/pgbench" -i -s 1 -q -h "$work" -p "$port" -U alice shop >/dev/null 2>&1

# The pooler: one port tried after another, as pg_start does.
cat >"$work/users.txt" <<USERS
"alice" ""
"postgres" ""
USERS
start_bouncer() {
	cat >"$work/pgbouncer.ini" <<INI
[databases]
shop = host=127.0.0.1 port=$port dbname=shop
tiny = host=127.0.0.1 port=$port dbname=shop pool_size=1
dead = host=127.0.0.1 port=$port dbname=gone
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
auth_type = trust
auth_file = $work/users.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
default_pool_size = 8
max_client_conn = 12
query_wait_timeout = 2
server_login_retry = 5
stats_period = 1
log_connections = 1
log_disconnections = 1
log_pooler_errors = 1
INI
	[ "$(id -u)" != 0 ] || chown postgres "$work/pgbouncer.ini" "$work/users.txt"
	run_pg "$bouncer" -d "$work/pgbouncer.ini"
}
tries=0
until start_bouncer && sleep 0.5 && [ -f "$work/pgbouncer.pid" ]; do
	tries=$((tries + 1))
	if [ $tries -ge 5 ]; then
		tail -n 20 "$work/pgbouncer.log" >&2 || true
		exit 2
	fi
	bport=$((40000 + RANDOM % 20000))
done

bsql() {        # user db SQL...: through the pooler, failures are part of it
	local u=$1 d=$2
	shift 2
	run_pg "$pgbin/psql" -h 127.0.0.1 -p "$bport" -U "$u" -d "$d" -X -q "$@" >/dev/null 2>&1 || true
}

sleep 1.2       # a first stats line or two with nothing in them
run_pg "$pgbin/pgbench" -n -S -c 4 -j 2 -T 3 -h 127.0.0.1 -p "$bport" -U alice shop \
	>"$out/pgbench.txt" 2>&1
bsql alice nodb -c "SELECT 1"
# 15 sessions at once against max_client_conn 12: some are refused.
for i in $(seq 15); do bsql alice shop -c "SELECT pg_sleep(1.5)" & done
wait
# One session holds tiny's only server connection; the next waits past 2 s.
bsql alice tiny -c "SELECT pg_sleep(3.5)" &
sleep 0.5
bsql alice tiny -c "SELECT 2"
wait
bsql alice dead -c "SELECT 1"
bsql alice dead -c "SELECT 1"
sleep 1.2
run_pg "$pgbin/psql" -h 127.0.0.1 -p "$bport" -U postgres -d pgbouncer -X -A -F '|' \
	-c "SHOW STATS" >"$out/show_stats.txt" 2>&1 || true
sleep 1.2
kill "$(cat "$work/pgbouncer.pid")"
sleep 0.5
rm -f "$work/pgbouncer.pid"
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
cp "$work/pgbouncer.log" "$out/pgbouncer.log"
cp "$work/server.log" "$out/server.log"
