# pg-server.sh: sourced by the workload scripts that start a throwaway
# server (pg-workload.sh, pg-prefixes.sh). They set pgbin, work (the
# server's directory: data/, its socket, server.log) and port first.
#   run_pg CMD...  runs CMD as 'postgres' when root (initdb refuses root)
#   pg_start       starts the server; a random port may be taken (another
#                  server, a test's on a busy machine): it tries another, up
#                  to five times (the last "port =" line of the
#                  configuration wins), and shows the log's end when none
#                  works
#   finish         stops the server and removes work (for trap ... EXIT)

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
