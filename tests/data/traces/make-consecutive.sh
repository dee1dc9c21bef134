#!/usr/bin/env bash
# make-consecutive.sh: a real trace of queries that wait for each other
# (consecutive-dashboard.*, for check_traces.c's consecutive_queries case).
#
# No Sentry fixture of the corpus has consecutive independent queries past
# Sentry's thresholds, so this makes one from a real server: a throwaway
# PostgreSQL (tests/workload/pg-server.sh) logs every statement with its
# duration; three "GET /dashboard/" requests each run, in one session,
# a lookup of the user (WHERE id = 42) and then three reports of the
# events table that read no earlier result (no WHERE, no parameter). The
# log is kept (consecutive-dashboard.log) and each session becomes one
# Sentry transaction event (consecutive-dashboard.ndjson): its root span
# (http.server), a view span, and a db span per statement whose end is the
# log line's time and whose start is that minus the logged duration.
#
# usage: tests/data/traces/make-consecutive.sh   (from the source tree)
#   PGBIN   the server's bin directory (default: the newest
#           /usr/lib/postgresql/*/bin)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$pgbin/postgres" ] || { echo "make-consecutive: no PostgreSQL server binaries" >&2; exit 2; }
work=$(mktemp -d /tmp/pgsift-consec.XXXXXX)
port=$((20000 + RANDOM % 20000))
. "$here/../../workload/pg-server.sh"
trap finish EXIT
[ "$(id -u)" != 0 ] || chown postgres "$work"

run_pg "$pgbin/initdb" --no-sync -D "$work/data" -U postgres -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = 'log'
log_filename = 'dashboard.log'
log_line_prefix = '%m [%p] %q%u@%d/%a '
log_min_duration_statement = 0
max_parallel_workers_per_gather = 0
fsync = off
CONF
pg_start || exit 2
sql() { run_pg "$pgbin/psql" -h "$work" -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

sql -d postgres -c "CREATE DATABASE app" >/dev/null
sql -d app >/dev/null <<'SQL'
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;
INSERT INTO events (kind, created_at) SELECT (ARRAY['view','click','buy'])[1 + g % 3], now() - g * interval '1 second' FROM generate_series(1, 1500000) g;
VACUUM ANALYZE;
SQL
for i in 1 2 3; do
	sql -d app -c "SET application_name = 'dashboard'" \
		-c "SELECT id, email FROM users WHERE id = 42" \
		-c "SELECT count(*) FROM events" \
		-c "SELECT kind, count(*) FROM events GROUP BY kind" \
		-c "SELECT max(created_at) FROM events" >/dev/null
done
run_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
grep "@app/dashboard" "$work/data/log/dashboard.log" >"$here/consecutive-dashboard.log"

python3 - "$here/consecutive-dashboard.log" "$here/consecutive-dashboard.ndjson" <<'PY'
import datetime, hashlib, json, re, sys
line_re = re.compile(r"^(\S+ \S+) UTC \[(\d+)\] \S+ LOG:  duration: ([0-9.]+) ms  statement: (.*)$")
sessions = {}
for line in open(sys.argv[1]):
    m = line_re.match(line.rstrip("\n"))
    if not m or m.group(4).startswith("SET "):
        continue
    end = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    sessions.setdefault(m.group(2), []).append((end - float(m.group(3)) / 1000, end, m.group(4)))
def hid(*parts, n=16):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]
with open(sys.argv[2], "w") as out:
    for pid, stmts in sessions.items():
        trace, root, view = hid("trace", pid, n=32), hid("root", pid), hid("view", pid)
        start, end = stmts[0][0] - 0.002, stmts[-1][1] + 0.002
        spans = [{"span_id": view, "parent_span_id": root, "trace_id": trace,
                  "op": "function", "description": "dashboard.views.index",
                  "start_timestamp": start + 0.001, "timestamp": end - 0.001}]
        for k, (s, e, q) in enumerate(stmts):
            spans.append({"span_id": hid("db", pid, str(k)), "parent_span_id": view,
                          "trace_id": trace, "op": "db", "description": q,
                          "start_timestamp": s, "timestamp": e})
        ev = {"event_id": hid("event", pid, n=32), "type": "transaction",
              "transaction": "/dashboard/", "start_timestamp": start, "timestamp": end,
              "contexts": {"trace": {"trace_id": trace, "span_id": root, "op": "http.server"}},
              "spans": spans}
        out.write(json.dumps(ev) + "\n")
PY
echo "make-consecutive: $(wc -l <"$here/consecutive-dashboard.ndjson") transactions"
