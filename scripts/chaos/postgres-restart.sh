#!/usr/bin/env bash
# PostgreSQL restarts (fast shutdown: every connection cut, in-flight transactions rolled
# back) in the middle of the rush. A private server on a free port, as the postgres user; never
# the machine's shared one. Recovery is the time from the restart until the instance is ready.
source "$(dirname "$0")/common.sh"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/district-chaos-pg.XXXXXX)
chown postgres "$pg_dir"
pg_port=$(free_port)
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
pg_ctl() { as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w "$@" >/dev/null; }
pg_ctl -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200" start
cleanup_extra() { pg_ctl -m immediate stop 2>/dev/null || true; rm -rf "$pg_dir"; }
export DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/district_chaos
seed
start_redis
start_server "$redis_url"
rush
sleep "$after"
say "$fault: restarting PostgreSQL"
pg_ctl -m fast restart
finish "$(seconds_until_ok "$url/readyz")"
