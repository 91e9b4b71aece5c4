#!/usr/bin/env bash
# PostgreSQL's connections cut in the middle of the rush, through a proxy between both
# instances and the database (tcp_proxy.py): reset for 8 s, then black-holed for 8 s (nothing
# flows, nothing is closed), then slowed by 200 ms a chunk for 8 s. Recovery is the time from
# each cut's end until both instances are ready; the slowest of the three is the fault's.
source "$(dirname "$0")/common.sh"
mode_file=target/chaos/postgres-cut.mode
echo pass >"$mode_file"
proxy_port=$(free_port)
python3 scripts/chaos/tcp_proxy.py "$proxy_port" "$(url_host "$DATABASE_URL")" \
  "$(url_port "$DATABASE_URL" 5432)" "$mode_file" >>"$log" 2>&1 &
proxy_pid=$!
cleanup_extra() { stop "$proxy_pid"; }
wait_for_port "$proxy_port" "the PostgreSQL proxy"

# The instances reach PostgreSQL through the proxy; the seed and the checks go direct.
through_proxy=$(echo "$DATABASE_URL" | sed "s#@[^/]*/#@127.0.0.1:$proxy_port/#")
seed
start_redis
DATABASE_URL=$through_proxy start_pair "$redis_url"
rush
sleep "$after"

times=()
for cut in break blackhole slow; do
  say "$fault: $cut for 8 s"
  echo "$cut" >"$mode_file"
  sleep 8
  echo pass >"$mode_file"
  a=$(seconds_until_ok "http://127.0.0.1:$port_a/readyz")
  b=$(seconds_until_ok "http://127.0.0.1:$port_b/readyz")
  times+=("$cut $(printf '%s\n%s\n' "$a" "$b" | sort -n | tail -1)")
done
# summary.py puts the last unit on.
finish "$(IFS=,; echo "${times[*]}" | sed 's/,/ s, /g')"
