# pg-server.sh: sourced by the workload scripts that start a throwaway
# server (pg-workload.sh, pg-prefixes.sh, and through pg_throwaway
# pg-hostile.sh, pg-terminal.sh, pg-wraparound.sh). They set pgbin, work (the
# server's directory: data/, its socket, server.log) and port first.
#   run_pg CMD...  runs CMD as 'postgres' when root (initdb refuses root)
#   pg_start       starts the server; a random port may be taken (another
#                  server, a test's on a busy machine): it tries another, up
#                  to five times (the last "port =" line of the
#                  configuration wins), and shows the log's end when none
#                  works
#   finish         stops the server and removes work (for trap ... EXIT)
#   pg_throwaway NAME  for the scripts that need nothing else first
#                  (pg-hostile.sh, pg-terminal.sh, pg-wraparound.sh): sets
#                  pgbin (exit 2 without server binaries), work
#                  (/tmp/pgsift-NAME.*, removed on exit) and port, runs
#                  initdb, and writes the settings they share: no TCP, the
#                  socket in work, the logging collector writing
#                  data/log/postgresql with the prefix '%m [%p] %q%u@%d/%a ';
#                  the caller appends its own and calls pg_start

run_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	local tries=0
	until run_pg "$pgbin/pg_ctl" -D "$work/data" -w -l "$work/server.log" start >/dev/null; do
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			tail -n 20 "$work/server.log" >&2
			return 2
		fi
		port=$((20000 + RANDOM % 20000))
		echo "port = $port" >>"$work/data/postgresql.conf"
	done
}

finish() {
	run_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$work"
}

pg_throwaway() {
	pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
	if [ ! -x "$pgbin/postgres" ]; then
		echo "pg-$1: no PostgreSQL server binaries (set PGBIN)" >&2
		exit 2
	fi
	work=$(mktemp -d "/tmp/pgsift-$1.XXXXXX")
	port=$((20000 + RANDOM % 20000))
	trap finish EXIT
	[ "$(id -u)" != 0 ] || chown postgres "$work"
	run_pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
	cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql'
log_line_prefix = '%m [%p] %q%u@%d/%a '
CONF
}
