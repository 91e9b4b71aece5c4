# What every fault script shares: the servers' settings, the rush in the background, the
# recovery clock and the final check. Sourced by scripts/chaos/<fault>.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../servers.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

fault=$(basename "$0" .sh)
district=target/release/district
bench=target/release/district-bench
mkdir -p target/chaos
log=target/chaos/$fault.log
: >"$log"
results=target/chaos/$fault.jsonl
: >"$results"
users=${CHAOS_USERS:-3000}
within=${CHAOS_WITHIN:-30}
after=${CHAOS_AFTER:-2}
# Holds are swept every 2 s and an event claimed by an instance that died is claimed again
# when its lease (60 s) runs out: what a fault leaves behind must be cleared by then.
lag=${CHAOS_LAG_SECONDS:-10}
settle=${CHAOS_SETTLE_SECONDS:-120}

admin_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district}
export DATABASE_URL=${admin_url%/*}/district_chaos
unset REDIS_URL DATABASE_REPLICA_URL RUST_LOG
export APP_ENV=development APP_HOST=127.0.0.1 LEPTOS_OUTPUT_NAME=district LEPTOS_ENV=PROD
export JWT_SECRET=district-chaos-jwt-secret-0123456789abcdef
export RATE_LIMIT_ENABLED=false AUTO_MIGRATE=false EMAIL_VERIFICATION_REQUIRED=true
export MAX_LIVE_HOLDS=1000 HOLD_TIME_BUDGET=24h SEAT_STREAMS_PER_CLIENT=100000
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cleanup_extra() { :; }
cleanup() { stop "${rush_pid:-}"; stop_all; stop "$redis_pid"; stop "${gateway_pid:-}"; cleanup_extra; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh copy of the demo data.
# Two days: a rush takes a show three hours away or more, which late in the day is tomorrow.
seed() { "$district" seed --fresh --days 2 >/dev/null; }

# The flash sale against $url in the background, with the fault's own $rush_args; sets
# rush_pid.
rush_args=()
rush() {
  PUBLIC_URL=$url "$bench" rush --url "$url" --label "$fault" --results "$results" \
    --users "$users" --within "$within" "${rush_args[@]}" >>"target/chaos/$fault.rush.txt" 2>&1 &
  rush_pid=$!
}

# Two instances sharing a private Redis behind haproxy, on a fresh copy of the demo data.
pair() {
  seed
  start_redis
  start_pair "$redis_url"
}

# The pair, the rush running against them and $after seconds into it.
pair_under_rush() {
  pair
  rush
  sleep "$after"
}

# The pair with a gateway stand-in: the script scripts/chaos/$1, listening on port $2, given
# its mode file, where gateway $3's webhooks go (the balancer, known only now) and the rest of
# the arguments. What it notes goes to $fault.faults.txt. Sets gateway_pid.
pair_with_gateway() {
  local script=$1 port=$2 gateway=$3
  shift 3
  pair
  python3 "scripts/chaos/$script" "$port" "$mode_file" "$url/api/v1/payments/webhook/$gateway" \
    "$@" >"target/chaos/$fault.faults.txt" 2>>"$log" &
  gateway_pid=$!
  wait_for_port "$port" "$script"
}

# A gateway stand-in's mode (scripts/chaos/fault_mode.py), written whole so that it is never
# read half-written.
mode_file=target/chaos/$fault.mode
set_mode() { echo "$1" >"$mode_file.new" && mv "$mode_file.new" "$mode_file"; }
set_mode pass
# The gateway's part in what must clear: it and the service agree on every payment (a script
# that makes a gateway fail defines it).
agree() { :; }

# $after seconds into the rush, while the first moviegoers pay, the gateway takes every call
# but never answers it, then fails every call, then is slow, 8 s each; its webhooks are lost
# while it hangs or fails. It does it all again once a moviegoer's refund is due (they cancel
# only once paid), so that the refunds issued meanwhile meet the faults too. Sets
# $recovered: the seconds (to a tenth) from the faults' end until it and the service agree
# ("never" past $settle).
gateway_faults() {
  sleep "$after"
  gateway_fails
  [ "$(seconds_until 60 0.2 refund_due)" != never ] || die "$fault: no refund came due"
  say "$fault: a refund is due; again"
  gateway_fails
  recovered=$(seconds_until "$settle" 1 agree)
}
gateway_fails() {
  for cut in timeout fail slow; do
    say "$fault: the gateway is $cut for 8 s"
    set_mode "$cut"
    sleep 8
  done
  set_mode pass
}
# A psql that fails is no refund.
refund_due() {
  local due
  due=$(psql -qtAX "$DATABASE_URL" -c "SELECT count(*) FROM refunds WHERE reason = 'cancelled_by_user'") &&
    [ "$due" -gt 0 ]
}

# Seconds (to a tenth) until the command after $1 and $2 succeeds, run every $2 seconds, or
# "never" past $1 seconds.
seconds_until() {
  local most=$1 every=$2 began ms
  shift 2
  began=$(date +%s%N)
  until "$@" >/dev/null 2>&1; do
    ms=$(( ($(date +%s%N) - began) / 1000000 ))
    if [ "$ms" -gt $((most * 1000)) ]; then echo "never"; return 0; fi
    sleep "$every"
  done
  ms=$(( ($(date +%s%N) - began) / 1000000 ))
  printf '%d.%d\n' $((ms / 1000)) $((ms % 1000 / 100))
}

# Seconds (to a tenth) until $1 answers 200, polling every 100 ms, at most $2 seconds.
seconds_until_ok() { seconds_until "${2:-120}" 0.1 curl -fsS -o /dev/null --max-time 1 "$1"; }

# Waits for the rush; then the invariants must hold at once, and what the fault left behind
# (holds past their deadline, events not relayed) must clear by itself within $settle
# seconds. Adds the fault's line to the summary.
finish() {
  local recovered=$1 rush_status=0 verdict="hold" began settled=""
  wait "$rush_pid" || rush_status=$?
  rush_pid=""
  cat "target/chaos/$fault.rush.txt" >&2
  # What a gateway stand-in did, by kind ("failed", "hung", "lost", ...).
  if [ -f "target/chaos/$fault.faults.txt" ]; then
    say "$fault: $(cut -d' ' -f1 "target/chaos/$fault.faults.txt" | sort | uniq -c | xargs)"
  fi
  local check=target/chaos/$fault.check.txt
  if [ "$rush_status" != 0 ] || ! "$district" check >"$check" 2>&1; then
    verdict="**broken** ($check)"
  else
    began=$(date +%s)
    until "$district" check --lag-seconds "$lag" >"$check" 2>&1 && agree >>"$check" 2>&1; do
      if [ $(( $(date +%s) - began )) -gt "$settle" ]; then verdict="**not cleared** ($check)"; break; fi
      sleep 2
    done
    settled=$(( $(date +%s) - began ))
  fi
  python3 scripts/chaos/summary.py "$results" "$fault" "$recovered" "$verdict" "$settled" \
    >>target/chaos/summary.md
  [ "$verdict" = hold ]
}
