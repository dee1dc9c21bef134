#!/usr/bin/env bash
# pg-syslog.sh: a real PostgreSQL logging through syslog (rsyslogd) and to
# its own stderr and csvlog files at once, for tests/check_syslog_live.c.
#
# usage: tests/workload/pg-syslog.sh OUTDIR
# Writes, per phase (default, verbose, stamped; see the end):
#   PHASE.bsd      rsyslog's traditional file format ("Dec  6 03:12:30 host
#                  postgres[123]: [3-1] ...")
#   PHASE.rfc3339  RSYSLOG_FileFormat (RFC 3339 date, microseconds, zone)
#   PHASE.rfc5424  RSYSLOG_SyslogProtocol23Format ("<134>1 2026-... host
#                  postgres 123 - - [3-1] ...")
#   PHASE.log, PHASE.csv   the server's own stderr and csvlog files
# Exit 2 when there is no server, rsyslogd or unshare, or when not root
# (the reason on stderr), 1 when the run failed.
#
# PostgreSQL's syslog(3) writes to /dev/log, a path nobody can move. The
# script re-runs itself in a private mount namespace (unshare --mount) with
# its own /dev: a tmpfs with fresh device nodes, where its own rsyslogd
# makes the log socket. So it never touches the machine's /dev/log
# (absent here; another daemon's elsewhere), two runs at once do not meet,
# and no other program's messages reach the files. That takes root, which
# the server's tests have anyway (initdb then runs as 'postgres').
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: pg-syslog.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
skip() { echo "pg-syslog: skipped: $*" >&2; exit 2; }
[ -x "$pgbin/postgres" ] || skip "no PostgreSQL server binaries"
command -v rsyslogd >/dev/null || skip "no rsyslogd (Debian package rsyslog)"
[ "$(id -u)" = 0 ] || skip "not root: a private /dev/log takes a mount namespace"

# PGSIFT_SYSLOG_NS: the mount namespace the script was started in.
if [ -z "${PGSIFT_SYSLOG_NS:-}" ]; then
	unshare --mount --propagation private true 2>/dev/null || skip "unshare --mount is refused"
	PGSIFT_SYSLOG_NS=$(readlink /proc/self/ns/mnt) exec unshare --mount \
		--propagation private bash "$0" "$out"
fi
# Never the machine's own /dev: only inside a namespace made above.
if [ "$(readlink /proc/self/ns/mnt)" = "$PGSIFT_SYSLOG_NS" ]; then
	echo "pg-syslog: not in a private mount namespace; refusing to mount on /dev" >&2
	exit 1
fi
work=$(mktemp -d /tmp/pgsift-syslog.XXXXXX)
port=$((20000 + RANDOM % 20000))
. "$here/pg-server.sh"
rpid=
stop_rsyslog() {
	[ -n "$rpid" ] || return 0
	kill "$rpid" 2>/dev/null || true
	wait "$rpid" 2>/dev/null || true
	rpid=
}
cleanup() { stop_rsyslog; finish; }
trap cleanup EXIT
chown postgres "$work"

# The private /dev: a tmpfs with the few devices the server and its
# clients open, made afresh, and its own /dev/shm. Nothing of the real
# /dev is mounted below $work, so removing $work cannot reach it.
mount -t tmpfs -o mode=755 pgsift-dev /dev || skip "cannot mount a tmpfs on /dev"
mknod -m 666 /dev/null c 1 3 || skip "mknod refused"
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mkdir -m 1777 /dev/shm
mount -t tmpfs -o mode=1777 pgsift-shm /dev/shm

mkdir "$work/rsyslog"
cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work/rsyslog")
# No rate limit: it would drop a busy backend's lines.
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
action(type="omfile" file="$work/out.bsd" template="RSYSLOG_TraditionalFileFormat")
action(type="omfile" file="$work/out.rfc3339" template="RSYSLOG_FileFormat")
action(type="omfile" file="$work/out.rfc5424" template="RSYSLOG_SyslogProtocol23Format")
CONF
start_rsyslog() {
	rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" &
	rpid=$!
	for _ in $(seq 100); do
		[ -S /dev/log ] && return 0
		sleep 0.1
	done
	echo "pg-syslog: rsyslogd made no /dev/log" >&2
	return 1
}

run_pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = '$work/log'
log_destination = 'syslog,stderr,csvlog'
syslog_ident = 'postgres'
log_min_duration_statement = 0
log_connections = on
log_disconnections = on
log_temp_files = 0
include = 'phase.conf'
CONF

# Statements longer than the server's 900-byte syslog limit, on one line
# and on several (tab-led continuations), a sort spilling to a temporary
# file, and errors, from several backends at once.
inlist=$(seq -s ', ' 1 250)
cat >"$work/long.pgbench" <<SQL
\set id random(1, 1000)
SELECT count(*) FROM t WHERE id IN ($inlist) AND v <> 'nothing' AND id <> :id;
SELECT v FROM t WHERE id = :id;
SQL
cat >"$work/session.sql" <<SQL
SET work_mem = '64kB';
SELECT v FROM t, generate_series(1, 20) ORDER BY v DESC LIMIT 1;
SELECT id,
       v
  FROM t
 WHERE id IN ($inlist)
 ORDER BY v
 LIMIT 3;
SELECT 1/0;
SELECT nosuch FROM t WHERE id IN ($inlist);
SQL
chmod 644 "$work"/*.pgbench "$work"/*.sql
sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -d postgres -X -q "$@"; }

phase() {
	local name=$1
	shift
	printf '%s\n' "log_filename = '$name'" "$@" >"$work/data/phase.conf"
	rm -f "$work"/out.*
	start_rsyslog
	pg_start
	sql -c "DROP TABLE IF EXISTS t" -c "CREATE TABLE t (id int PRIMARY KEY, v text)" \
		-c "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g" >/dev/null 2>&1
	local pids=()
	for i in 1 2 3 4 5 6; do
		sql -f "$work/session.sql" -f "$work/session.sql" >/dev/null 2>&1 &
		pids+=($!)
	done
	run_pg "$pgbin/pgbench" -h "$work" -p "$port" -U postgres -n -c 6 -j 3 -t 40 \
		-f "$work/long.pgbench" postgres >/dev/null 2>&1
	run_pg "$pgbin/pgbench" -h "$work" -p "$port" -U postgres -n -C -c 4 -j 2 -t 10 \
		-f "$work/long.pgbench" postgres >/dev/null 2>&1
	wait "${pids[@]}" || true
	run_pg "$pgbin/pg_ctl" -D "$work/data" -w stop >/dev/null
	stop_rsyslog
	for form in bsd rfc3339 rfc5424; do cp "$work/out.$form" "$out/$name.$form"; done
	cp "$work/log/$name" "$out/$name.log"
	cp "$work/log/$name.csv" "$out/$name.csv"
}

# A prefix as syslog users write it (no time, no pid: the header has
# them), with default and verbose messages; then one with its own time.
phase default "log_line_prefix = 'user=%u,db=%d,app=%a,client=%h '"
phase verbose "log_line_prefix = 'user=%u,db=%d,app=%a,client=%h '" \
	"log_error_verbosity = verbose"
phase stamped "log_line_prefix = '%m [%p] %q%u@%d '" "log_error_verbosity = verbose"
