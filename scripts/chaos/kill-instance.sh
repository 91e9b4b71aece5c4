#!/usr/bin/env bash
# One of two instances behind haproxy is killed (SIGKILL) in the middle of the rush: the
# holds it was writing, the streams it served and the webhooks it was handling are cut. The
# other carries on; recovery is the time from the restart until the killed one is ready again.
source "$(dirname "$0")/common.sh"
pair_under_rush
say "$fault: SIGKILL to one instance"
kill -9 "$server_pid"
sleep 5
PUBLIC_URL=$url APP_PORT=$port_a REDIS_URL=$redis_url "$district" serve >>"$log" 2>&1 &
server_pid=$!
finish "$(seconds_until_ok "http://127.0.0.1:$port_a/readyz")"
