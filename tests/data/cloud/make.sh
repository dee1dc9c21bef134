#!/usr/bin/env bash
# make.sh: the real server logs the cloud parsers' tests wrap, and their
# wrapped forms. It starts a throwaway server (tests/workload/pg-server.sh)
# and, for each cloud, switches log_line_prefix to that cloud's setting and
# the log file with a reload, then runs the same workload: sessions over
# the socket and TCP, concurrent and interleaving, every statement logged
# with its duration, a multi-line statement, a statement longer than
# syslog's 900 bytes, auto_explain plans (text, tab-led lines), a unique
# violation (ERROR with DETAIL and STATEMENT), a division by zero, a sort
# spilling to a temp file, a connection to a missing database (FATAL),
# connections and disconnections. Then wrap.py wraps each log's lines in
# its cloud's form. From the source tree:
#
#     tests/data/cloud/make.sh        (rewrites the files here)
#
# The real logs (NAME.log.zst, from the first line written with the cloud's
# prefix to the last: the reload's own lines come with the previous one)
# stay the reference: check_cloud.c requires the same figures from each
# wrapped file as from the log it wraps.
#   gcp     Cloud SQL's '%m [%p]: [%l-1] db=%d,user=%u '
#   azure   Azure's '%t-%c-'
#   rds     RDS's '%t:%r:%u@%d:[%p]:'
#   heroku  '%m [%p] sql_error_code = %e ': wrap.py takes the time and pid
#           into logplex's header and keeps Heroku's ' sql_error_code = %e '
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$pgbin/postgres" ] || { echo "make.sh: no PostgreSQL server binaries" >&2; exit 2; }
work=$(mktemp -d /tmp/pgsift-cloud.XXXXXX)
port=$((20000 + RANDOM % 20000))
. "$here/../../workload/pg-server.sh"
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
log_temp_files = 0
fsync = off
CONF
pg_start || exit 2

sql() {
	local host=$work
	[ "${4:-}" != tcp ] || host=127.0.0.1
	run_pg env PGAPPNAME="$3" "$pgbin/psql" -h "$host" -p "$port" \
		-U "$1" -d "$2" -X -q -v ON_ERROR_STOP=0 "${@:5}" >/dev/null 2>&1 || true
}
admin() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }

admin -c "CREATE ROLE alice LOGIN" -c "CREATE ROLE bob LOGIN" \
	-c "CREATE DATABASE shop OWNER alice" -c "CREATE DATABASE appdb OWNER bob"
sql alice shop setup "" -c "CREATE TABLE items (id int PRIMARY KEY, name text)" \
	-c "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g"

long="SELECT count(*) FROM items WHERE id IN ($(seq -s ', ' 1 400))"
for name in gcp azure rds heroku; do
	case $name in
	gcp) prefix='%m [%p]: [%l-1] db=%d,user=%u ' ;;
	azure) prefix='%t-%c-' ;;
	rds) prefix='%t:%r:%u@%d:[%p]:' ;;
	heroku) prefix='%m [%p] sql_error_code = %e ' ;;
	esac
	admin -c "ALTER SYSTEM SET log_line_prefix = '$prefix'" \
		-c "ALTER SYSTEM SET log_filename = '$name.log'" -c "SELECT pg_reload_conf()"
	sleep 0.3
	for round in 1 2 3; do
		sql alice shop web "" -c "SELECT name
  FROM items
 WHERE id = $round" -c "SELECT 1/0" -c "INSERT INTO items VALUES (1, 'again')" \
			-c "SELECT relname FROM pg_class WHERE oid = 1259" &
		sql bob appdb "report job" tcp -c "SELECT count(*) FROM pg_class" -c "SELECT now()" &
		sql alice shop web tcp -c "SET work_mem = '64kB'" \
			-c "SELECT g FROM generate_series(1, 50000) g ORDER BY g DESC LIMIT 1" -c "$long" &
		sql postgres shop admin "" -c "LOAD 'auto_explain'" \
			-c "SET auto_explain.log_min_duration = 0" \
			-c "SELECT i.name FROM items i JOIN items j ON j.id = i.id WHERE i.id < 10" &
		sql alice nodb web &
		wait
	done
done
sleep 0.5
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
for name in gcp azure rds heroku; do
	cat "$work/data/log/$name.log" >"$here/$name.raw"
done
python3 "$here/wrap.py"
rm -f "$here"/*.raw
