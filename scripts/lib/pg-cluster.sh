# Sourced by the PostgreSQL benchmarks: starts a throwaway cluster (as the postgres user when run as
# root) with pg_stat_statements on a free loopback port, removed on exit. Sets $pg_dir, $pg_port,
# $pg_bin and URLPOLL_PG_URL (database "bench"), and defines pg_q SQL and pg_server_cpu.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/urlpoll-bench-pg-XXXX)
pg_as() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$pg_dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg_as "$pg_bin/initdb" -D "$pg_dir/data" --auth=trust -U urlpoll --no-sync -E UTF8 >/dev/null
pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/log" \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c track_functions=all ${BENCH_PG_OPTS:-}" start >/dev/null
trap 'pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null; rm -rf "$pg_dir"' EXIT
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U urlpoll bench
export URLPOLL_PG_URL="postgres://urlpoll@127.0.0.1:$pg_port/bench?sslmode=disable"
pg_q() { psql "postgres://urlpoll@127.0.0.1:$pg_port/bench" -qAtc "$1"; }
pg_q "CREATE EXTENSION pg_stat_statements"
# The server's CPU in ticks (1/100 s): the postmaster's own and its reaped children's (every backend that ended).
pg_server_cpu() { awk '{print $14+$15+$16+$17}' "/proc/$(head -1 "$pg_dir/data/postmaster.pid")/stat"; }
