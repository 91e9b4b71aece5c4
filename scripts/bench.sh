#!/usr/bin/env bash
# `make bench`: the hot paths on one instance, against what PostgreSQL itself can do.
#
# Holds (POST /api/v1/bookings/hold) in two scenarios, each beside the pgbench limit of
# bench/pg-limit run in the same round with the same client count; seat-map reads of a show of
# about 300 seats; the home, movie and seat-map pages, timed by the server's own histogram; and
# forgot-password's answer time with and without an account (scripts/forgot_timing.py).
#
# Uses its own database (BENCH_DATABASE_URL, default .../district_bench, reloaded with the demo
# data), a scratch database for the limit, and a private redis-server on a free port; the
# servers started here are stopped on exit, also on failure.
#
# The machine's speed drifts by a quarter or more over minutes, so targets are interleaved:
# each round measures every target once for every scenario and client count, and the report
# compares each hold figure with the limit of its own round. Tunables: BENCH_CLIENTS (32,256),
# BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_WARMUP (2), BENCH_DAYS (2), BENCH_READERS (64),
# BENCH_PAGE_CLIENTS (1,4: one page at a time, and four at once), BENCH_FORGOT_CALLS (300),
# BENCH_SKIP_BUILD=1.
#
# Then the flash sale (`district-bench rush`): BENCH_RUSH_USERS (10000) moviegoers arriving
# within BENCH_RUSH_WITHIN (5) seconds for one show, each going from their city's movies and
# the show's movie (read as BENCH_RUSH_BROWSE says: api, the REST calls of the apps, or pages)
# through the seat map to a paid ticket; the seat-map read storm (with Redis); and the steady state:
# BENCH_STEADY_USERS (3000) moviegoers arriving within BENCH_STEADY_WITHIN (30) seconds,
# spread over BENCH_STEADY_SHOWS (40) shows. Each on one instance and on two behind haproxy
# (from Debian), each with and without Redis.
#
# Last the live stream's fan-out (`district-bench fanout`): BENCH_FANOUT_STREAMS (2000) seat
# maps following one show while BENCH_FANOUT_CHANGES (400) changes are made, 50 a second, on
# one instance with and without Redis: the server's CPU per event sent to a map, and how long
# the last map waits for each change.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"
cd "$(dirname "$0")/.."

admin_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district}
export DATABASE_URL=${BENCH_DATABASE_URL:-${admin_url%/*}/district_bench}
limit_db=district_pg_limit
clients=${BENCH_CLIENTS:-32,256}
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-5}
warmup=${BENCH_WARMUP:-2}
days=${BENCH_DAYS:-2}
readers=${BENCH_READERS:-64}
page_clients=${BENCH_PAGE_CLIENTS:-1,4}

# The server and the bench read the same settings.
unset REDIS_URL DATABASE_REPLICA_URL
export APP_ENV=development APP_HOST=127.0.0.1 LEPTOS_OUTPUT_NAME=district LEPTOS_ENV=PROD
export JWT_SECRET=${JWT_SECRET:-district-bench-jwt-secret-0123456789abcdef}
export RATE_LIMIT_ENABLED=false AUTO_MIGRATE=false EMAIL_VERIFICATION_REQUIRED=true
# Each bench user holds seats on many shows at once, by design.
export MAX_LIVE_HOLDS=1000 HOLD_TIME_BUDGET=24h
export DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-32}
# The server's own log settings (one line per request) unless BENCH_RUST_LOG says otherwise.
if [ -n "${BENCH_RUST_LOG:-}" ]; then export RUST_LOG=$BENCH_RUST_LOG; else unset RUST_LOG; fi

cleanup() { stop "$server_pid"; stop "$second_pid"; stop "$lb_pid"; stop "$redis_pid"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/services.sh
command -v pgbench >/dev/null || apt_install postgresql-client
command -v redis-server >/dev/null || apt_install redis-server
command -v haproxy >/dev/null || apt_install haproxy
# Thousands of moviegoers at once hold as many sockets on both ends.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  say "building the release site and binaries"
  LEPTOS_ENV=PROD cargo leptos build --release --precompress --split
  cargo build --release -p server --features app/ssr --bin district-bench
fi
district=target/release/district
bench=target/release/district-bench
[ -x "$district" ] && [ -x "$bench" ] || die "missing $district or $bench (build them first)"

say "loading the demo data ($days days) into $DATABASE_URL"
"$district" seed --fresh --days "$days" >/dev/null

pg_host=$(url_host "$DATABASE_URL"); pg_port=$(url_port "$DATABASE_URL" 5432)
pg_user=$(echo "$DATABASE_URL" | sed -n 's#^[a-z]*://\([^:@/]*\).*#\1#p')
psql_admin() { psql -qX -h "$pg_host" -p "$pg_port" -U "${pg_user:-postgres}" "$@"; }
say "loading the pgbench limit's tables into $limit_db"
psql_admin -c "DROP DATABASE IF EXISTS $limit_db WITH (FORCE)" postgres >/dev/null 2>&1
psql_admin -c "CREATE DATABASE $limit_db" postgres
psql_admin -f bench/pg-limit/schema.sql "$limit_db" >/dev/null 2>&1

mkdir -p target/bench
results=target/bench/results.jsonl
: >"$results"
log=target/bench/server.log
: >"$log"

run_bench() {
  env ${with_redis:+REDIS_URL=$with_redis} \
    "$bench" run --duration "$seconds" --warmup "$warmup" --results "$results" \
    --limit-db "$limit_db" "$@"
}

# One run over HTTP on a fresh server, so that no run inherits another's seat claims (the
# in-process filter keeps them in the server's memory; the bench clears Redis's itself).
http_run() {
  local label=$1 redis=$2; shift 2
  start_server "$redis"
  with_redis=$redis run_bench --target http --url "$url" --server-pid "$server_pid" --label "$label" "$@"
  stop "$server_pid"; server_pid=""
}

start_redis

for round in $(seq "$rounds"); do
  for scenario in many-shows hot-show; do
    for count in ${clients//,/ }; do
      say "round $round/$rounds: $scenario, $count clients"
      each=(--round "$round" --scenarios "$scenario" --clients "$count")
      run_bench --target limit --label "PostgreSQL limit (pgbench)" "${each[@]}"
      run_bench --target engine --label "engine, no filter" "${each[@]}"
      http_run "HTTP, memory filter" "" "${each[@]}"
      http_run "HTTP, Redis" "$redis_url" "${each[@]}"
    done
  done
  say "round $round/$rounds: seat-map reads ($readers clients) and pages ($page_clients clients)"
  http_run "HTTP, Redis" "$redis_url" --round "$round" --scenarios seat-map --clients "$readers"
  http_run "HTTP, memory" "" --round "$round" --scenarios seat-map --clients "$readers"
  for count in ${page_clients//,/ }; do
    http_run "HTTP, Redis" "$redis_url" --round "$round" --scenarios pages --clients "$count"
  done
done
psql_admin -c "DROP DATABASE IF EXISTS $limit_db WITH (FORCE)" postgres >/dev/null 2>&1

rush_results=target/bench/rush.jsonl
: >"$rush_results"
browse=${BENCH_RUSH_BROWSE:-api}
steady_users=${BENCH_STEADY_USERS:-3000}
steady_within=${BENCH_STEADY_WITHIN:-30}
steady_shows=${BENCH_STEADY_SHOWS:-40}
# Every moviegoer's stream comes from this one address.
export SEAT_STREAMS_PER_CLIENT=100000
for instances in 1 2; do
  for redis in "$redis_url" ""; do
    setup="1 instance"
    [ "$instances" = 1 ] || setup="2 instances, haproxy"
    setup="$setup, ${redis:+Redis}"
    [ -n "$redis" ] || setup="${setup}memory"
    say "flash sale: ${BENCH_RUSH_USERS:-10000} moviegoers within ${BENCH_RUSH_WITHIN:-5} s ($setup)"
    if [ "$instances" = 1 ]; then start_server "$redis"; else start_pair "$redis"; fi
    [ -z "$redis" ] || redis-cli -p "$redis_port" flushall >/dev/null
    PUBLIC_URL=$url "$bench" rush --url "$url" --label "$setup" --results "$rush_results" \
      --users "${BENCH_RUSH_USERS:-10000}" --within "${BENCH_RUSH_WITHIN:-5}" --browse "$browse"
    if [ -n "$redis" ]; then
      with_redis=$redis run_bench --target http --url "$url" --server-pid "$server_pid" \
        --label "$setup" --round 1 --scenarios seat-map --clients "$readers"
    fi
    say "steady state: $steady_users moviegoers for $steady_shows shows within $steady_within s ($setup)"
    PUBLIC_URL=$url "$bench" rush --url "$url" --label "steady state, $setup" \
      --results "$rush_results" --shows "$steady_shows" --users "$steady_users" \
      --within "$steady_within" --browse "$browse"
    stop_all
  done
done

fanout_results=target/bench/fanout.jsonl
: >"$fanout_results"
for redis in "$redis_url" ""; do
  setup="1 instance, ${redis:+Redis}"
  [ -n "$redis" ] || setup="${setup}memory"
  say "stream fan-out: ${BENCH_FANOUT_STREAMS:-2000} maps, ${BENCH_FANOUT_CHANGES:-400} changes ($setup)"
  start_server "$redis"
  PUBLIC_URL=$url "$bench" fanout --url "$url" --label "$setup" --results "$fanout_results" \
    --server-pid "$server_pid" --streams "${BENCH_FANOUT_STREAMS:-2000}" \
    --changes "${BENCH_FANOUT_CHANGES:-400}"
  stop "$server_pid"; server_pid=""
done

say "forgot-password: the same answer time with and without an account"
start_server ""
python3 scripts/forgot_timing.py "$url" customer@demo.district.test "${BENCH_FORGOT_CALLS:-300}" \
  | tee target/bench/forgot.txt
stop "$server_pid"; server_pid=""

echo
say "results ($(nproc) cores; $rounds rounds of $seconds s measured after $warmup s warm-up; DATABASE_MAX_CONNECTIONS=$DATABASE_MAX_CONNECTIONS)"
"$bench" report --results "$results"
