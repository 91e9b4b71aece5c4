#!/usr/bin/env bash
# `make bench`: throughput and latency of seat holds (POST /api/v1/bookings/hold) on one
# instance, against the same conditional write run straight on PostgreSQL.
#
# Uses its own database (BENCH_DATABASE_URL, default .../district_bench, reloaded with the demo
# data) and, for the Redis runs, a private redis-server on a free port; both servers started
# here are stopped on exit, also on failure. Tunables: BENCH_CLIENTS (32,256),
# BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_DAYS (2), BENCH_SKIP_BUILD=1.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

admin_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district}
export DATABASE_URL=${BENCH_DATABASE_URL:-${admin_url%/*}/district_bench}
clients=${BENCH_CLIENTS:-32,256}
seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-2}
days=${BENCH_DAYS:-2}

# The server and the bench read the same settings.
unset REDIS_URL DATABASE_REPLICA_URL KAFKA_BROKERS
export APP_ENV=development APP_HOST=127.0.0.1 LEPTOS_OUTPUT_NAME=district
export JWT_SECRET=${JWT_SECRET:-district-bench-jwt-secret-0123456789abcdef}
export RATE_LIMIT_ENABLED=false AUTO_MIGRATE=false EMAIL_VERIFICATION_REQUIRED=true
export DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-32}
# The server's own log settings (one line per request) unless BENCH_RUST_LOG says otherwise.
if [ -n "${BENCH_RUST_LOG:-}" ]; then export RUST_LOG=$BENCH_RUST_LOG; else unset RUST_LOG; fi

server_pid="" redis_pid=""
stop() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() { stop "$server_pid"; stop "$redis_pid"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/services.sh

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  say "building the release binaries"
  cargo build --release -p server --features app/ssr --bin district --bin district-bench
fi
district=target/release/district
bench=target/release/district-bench
[ -x "$district" ] && [ -x "$bench" ] || die "missing $district or $bench (build them first)"

say "loading the demo data ($days days) into $DATABASE_URL"
"$district" seed --fresh --days "$days" >/dev/null

results=target/bench/results.jsonl
mkdir -p target/bench
: >"$results"
log=target/bench/server.log
: >"$log"

run_bench() {
  "$bench" run --duration "$seconds" --warmup "$warmup" --results "$results" "$@"
}

# One fresh server for every scenario and client count, so that no run inherits another's
# seat claims (the in-process filter keeps them in the server's memory).
http_runs() {
  local label=$1 scenario count
  for scenario in many-shows hot-show; do
    for count in ${clients//,/ }; do
      start_server
      run_bench --target http --url "$url" --server-pid "$server_pid" --label "$label" \
        --scenarios "$scenario" --clients "$count"
      stop "$server_pid"; server_pid=""
    done
  done
}

# Starts the server on a free port with the current environment; sets server_pid and url.
start_server() {
  local port
  port=$(free_port)
  APP_PORT=$port "$district" serve >>"$log" 2>&1 &
  server_pid=$!
  url=http://127.0.0.1:$port
  wait_for_http "$url/healthz" 60 "$server_pid" || die "the server did not start (see $log)"
}

say "ceiling: engine::claim_seats straight on PostgreSQL"
run_bench --target postgres --label "PostgreSQL ceiling" --clients "$clients" --header

say "engine::hold in process: no HTTP, no seat filter"
run_bench --target engine --label "engine, no filter" --clients "$clients"

say "HTTP, no Redis: seat claims in the server's memory"
http_runs "HTTP, memory filter"

command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >target/bench/redis.log 2>&1 &
redis_pid=$!
for _ in $(seq 50); do port_open 127.0.0.1 "$redis_port" && break; sleep 0.1; done
port_open 127.0.0.1 "$redis_port" || die "redis-server did not start (see target/bench/redis.log)"
export REDIS_URL=redis://127.0.0.1:$redis_port

say "HTTP, Redis"
http_runs "HTTP, Redis"

echo
say "results ($(nproc) cores; $seconds s measured after $warmup s warm-up; DATABASE_MAX_CONNECTIONS=$DATABASE_MAX_CONNECTIONS)"
"$bench" report --results "$results"
