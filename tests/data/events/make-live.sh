#!/usr/bin/env bash
# Writes the sessions and autovacuum log that tests/check_events_live.c
# reads, from a real PostgreSQL server it starts (own data directory,
# socket and random port; removed on exit):
#   - 10 TCP probes that connect and close before their startup packet
#     (what a load balancer's health check does): "connection received"
#     and nothing more from each backend
#   - a connection storm with slow authentication: STORM clients (default
#     32) connect at once and answer the password request after 1 s (each
#     20 ms after the one before), then run SELECT 1 and leave: every
#     backend is alive at once, though few are authorized at once
#   - an autovacuum cancelled by a conflicting lock: a table whose
#     autovacuum crawls (cost limit 1, delay 100 ms), LOCK TABLE while the
#     worker scans it ("canceling autovacuum task", CONTEXT "while
#     scanning block N of relation ..." then "automatic vacuum of table")
# OUTDIR gets postgresql.log (stderr, prefix '%m [%p] %q%u@%d/%a ') and
# postgresql.json (jsonlog, the same records; PostgreSQL 15 and later).
# usage: tests/data/events/make-live.sh OUTDIR   (runs the server as postgres
# when root; PGBIN as in tests/workload/pg-workload.sh; exit 2 without one)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: make-live.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
STORM=${STORM:-32}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$PGBIN/postgres" ]; then
	echo "make-live: no PostgreSQL server binaries (set PGBIN)" >&2
	exit 2
fi
# jsonlog came with PostgreSQL 15.
VER=$("$PGBIN/postgres" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/')
DEST=stderr
[ "$VER" -ge 15 ] && DEST=stderr,jsonlog
WORK=$(mktemp -d /tmp/pgsift-evlive.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
password_encryption = 'scram-sha-256'
max_connections = $((STORM + 20))
logging_collector = on
log_destination = '$DEST'
log_directory = 'log'
log_filename = 'postgresql'
log_line_prefix = '%m [%p] %q%u@%d/%a '
log_connections = on
log_disconnections = on
log_autovacuum_min_duration = 0
autovacuum_naptime = 1
deadlock_timeout = '100ms'
CONF
cat >"$WORK/data/pg_hba.conf" <<HBA
local all all trust
host shop storm 127.0.0.1/32 password
host all all 127.0.0.1/32 trust
HBA
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/startup.log" start >/dev/null
PSQL=(as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE shop" >/dev/null

# Health checks: connect, send nothing, close.
for _ in $(seq 10); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT"; sleep 0.05; exec 3>&-) || true
done
sleep 0.5

# The storm: STORM clients connect at once and each takes its time to
# answer the server's password request (1 s once all have been asked,
# and 20 ms more than the client before it), then runs SELECT 1 and
# leaves. Written against the
# protocol (v3) so that the delay sits inside authentication.
"${PSQL[@]}" -c "CREATE ROLE storm LOGIN PASSWORD 'secret'" >/dev/null
python3 - "$PORT" "$STORM" <<'PY'
import socket, struct, sys, threading, time
port, n = int(sys.argv[1]), int(sys.argv[2])
def msg(sock):
    head = b""
    while len(head) < 5:
        head += sock.recv(5 - len(head))
    kind, size = head[:1], struct.unpack("!i", head[1:])[0] - 4
    body = b""
    while len(body) < size:
        body += sock.recv(size - len(body))
    return kind, body
def until_ready(sock):
    while True:
        kind, body = msg(sock)
        if kind == b"E":
            raise SystemExit("server error: %r" % body)
        if kind == b"Z":
            return
def client(i, errors):
    try:
        s = socket.create_connection(("127.0.0.1", port))
        params = b"user\0storm\0database\0shop\0application_name\0storm\0\0"
        s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        kind, body = msg(s)
        assert kind == b"R" and struct.unpack("!i", body[:4])[0] == 3, (kind, body)
        # Every backend has started before any goes on.
        ready.wait(60)
        time.sleep(1.0 + 0.02 * i)
        pw = b"secret\0"
        s.sendall(b"p" + struct.pack("!i", 4 + len(pw)) + pw)
        until_ready(s)
        q = b"SELECT 1\0"
        s.sendall(b"Q" + struct.pack("!i", 4 + len(q)) + q)
        until_ready(s)
        s.sendall(b"X" + struct.pack("!i", 4))
        s.close()
    except Exception as e:
        errors.append(e)
errors = []
ready = threading.Barrier(n)
threads = [threading.Thread(target=client, args=(i, errors)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if errors:
    raise SystemExit("make-live: storm client failed: %r" % errors[0])
PY

# An autovacuum that crawls, then a lock that cancels it.
"${PSQL[@]}" -d shop >/dev/null <<'SQL'
CREATE TABLE t (id int, pad text) WITH (autovacuum_vacuum_threshold = 0,
	autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_limit = 1,
	autovacuum_vacuum_cost_delay = 100, autovacuum_analyze_threshold = 1000000000);
INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 50000) g;
DELETE FROM t WHERE id % 2 = 0;
SQL
for _ in $(seq 300); do
	n=$("${PSQL[@]}" -d shop -At -c "SELECT count(*) FROM pg_stat_activity
		WHERE backend_type = 'autovacuum worker' AND query LIKE '%public.t%'")
	[ "$n" != 0 ] && break
	sleep 0.1
done
[ "$n" != 0 ] || { echo "make-live: autovacuum never started on t" >&2; exit 1; }
sleep 0.2
"${PSQL[@]}" -d shop -c "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(0.2); COMMIT" >/dev/null
# Messages no rule of pgsift reads: a configuration reload (a kind it
# knowingly leaves out) and a LOG line of the application's own (a kind it
# does not know), each to be counted and placed (check_events_live.c).
"${PSQL[@]}" -d shop -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.2
"${PSQL[@]}" -d shop -c "DO \$\$ BEGIN RAISE LOG 'pgsift probe %', 42; END \$\$" >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -w stop >/dev/null
cp "$WORK/data/log/postgresql" "$OUT/postgresql.log"
[ "$DEST" = stderr ] || cp "$WORK/data/log/postgresql.json" "$OUT/postgresql.json"
