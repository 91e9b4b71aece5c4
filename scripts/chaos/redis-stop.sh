#!/usr/bin/env bash
# Redis stops for 20 s in the middle of the rush, under two instances sharing it (the waiting
# room, the seat filter, the live fan-out, the rate limits). Holds must go on through
# PostgreSQL alone; recovery is the time from Redis's return until both instances are ready.
source "$(dirname "$0")/common.sh"
pair_under_rush
say "$fault: stopping Redis for 20 s"
kill -9 "$redis_pid"; redis_pid=""
sleep 20
start_redis "$redis_port"
a=$(seconds_until_ok "http://127.0.0.1:$port_a/readyz")
b=$(seconds_until_ok "http://127.0.0.1:$port_b/readyz")
finish "$(printf '%s\n%s\n' "$a" "$b" | sort -n | tail -1)"
