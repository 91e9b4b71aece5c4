#!/usr/bin/env bash
# Instructions PostgreSQL runs per call of hold_seats_many(), counted by valgrind's callgrind:
# the same count for the same schema and data whatever else the machine is doing, so two
# versions of the write compare exactly, where timings drift by a quarter within minutes.
#
# Usage: bench/hold-seats/instructions.sh [calls=300]   (as root or postgres; needs valgrind)
#
# Makes a scratch cluster in a temporary directory with migrations/ and synthetic.sql, writes
# 1,500 calls of 8 holds to reach the replacing steady state of the many-shows scenario, then
# counts, in single-user mode (no client, synchronous_commit off, no autovacuum), 100 and
# `calls` calls of 8 holds and of 1 hold on copies of that cluster. Prints instructions per call
# and their split into a part per hold and a part per call. Takes about five minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-300}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 2; }
as_pg() { if [ "$(id -un)" = postgres ]; then bash -c "$1"; else su postgres -c "$1"; fi; }

work=$(mktemp -d); chmod 755 "$work"; chown postgres "$work" 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'as_pg "$bin/pg_ctl -D $work/base stop -m immediate" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
as_pg "$bin/initdb -D $work/base -A trust >/dev/null"
as_pg "$bin/pg_ctl -D $work/base -o '-p $port -k $work' -l $work/log start >/dev/null"
sql() { psql -qX -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
sleep 1
sql -c "CREATE DATABASE holds" postgres
for f in migrations/*.up.sql; do sql -f "$f" holds >/dev/null; done
sql -f bench/hold-seats/synthetic.sql -f bench/hold-seats/pairs.sql holds >/dev/null
sql holds >/dev/null <<'SQL'
CREATE TABLE bench_asks AS
SELECT pr.client / 8 AS g, pr.k, pr.p,
       array_agg(ROW(pr.user_id, pr.show_id, pr.seats, pr.prices, pr.seats, '{}'::uuid[], '',
                     6000, 1080)::hold_ask ORDER BY pr.client) AS asks
  FROM bench_pairs pr GROUP BY 1, 2, 3;
CREATE INDEX ON bench_asks (g, k, p);
ANALYZE bench_asks;
SQL

# One statement per line: a call of the asks of group g, show k, pair p (all 8, or the j-th).
script() {
  awk -v n="$1" -v one="$2" -v seed="$3" 'BEGIN { srand(seed); for (i = 0; i < n; i++) {
    g = int(rand() * 4); k = int(rand() * 13); p = int(rand() * 10); j = int(rand() * 8) + 1
    pick = one ? " WITH ORDINALITY a WHERE a.ordinality = " j " AND" : " a WHERE"
    printf "SELECT count(*) FROM hold_seats_many(ARRAY(SELECT ROW(a.user_id, a.show_id, a.seats, a.prices, a.watch, a.taken, upper(substr(md5(random()::text), 1, 8)), a.fee, a.tax)::hold_ask FROM bench_asks b, unnest(b.asks)%s b.g = %d AND b.k = %d AND b.p = %d), interval '\''10 minutes'\'', interval '\''0'\'', true, 1000) h;\n", pick, g, k, p } }'
}
script 1500 0 1 | sql -o /dev/null holds
as_pg "$bin/pg_ctl -D $work/base stop >/dev/null"

count() {  # count NAME CALLS ONE -> instructions
  local run=$work/$1
  cp -a "$work/base" "$run"
  script "$2" "$3" 7 >"$work/$1.sql"
  chmod 644 "$work/$1.sql"
  as_pg "valgrind --tool=callgrind --callgrind-out-file=$work/$1.out $bin/postgres --single \
    -D $run -c synchronous_commit=off -c autovacuum=off holds <$work/$1.sql >/dev/null 2>$work/$1.vg"
  ! grep -q ERROR "$work/$1.vg" || { grep ERROR "$work/$1.vg" | head -3 >&2; exit 1; }
  rm -rf "$run"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/$1.vg"
}
eight_few=$(count eight-few 100 0); eight=$(count eight "$calls" 0)
one_few=$(count one-few 100 1); one=$(count one "$calls" 1)
awk -v ef="$eight_few" -v e="$eight" -v of="$one_few" -v o="$one" -v n="$calls" 'BEGIN {
  per8 = (e - ef) / (n - 100); per1 = (o - of) / (n - 100); hold = (per8 - per1) / 7
  printf "instructions per call: 8 holds %.2fM, 1 hold %.2fM; per hold %.2fM, per call %.2fM\n",
         per8 / 1e6, per1 / 1e6, hold / 1e6, (per1 - hold) / 1e6 }'
