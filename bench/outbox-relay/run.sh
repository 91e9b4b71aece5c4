#!/usr/bin/env bash
# What the outbox relay costs PostgreSQL per event: EVENTS booking.held events written (as holds
# write them), then drained by one relay, 200 a time, through the relay's own outbox_claim and
# outbox_settle. Prints the time per pass, per event, and the WAL written per event, which does
# not drift with the machine's speed as time does.
#
# Usage: PGHOST=127.0.0.1 PGUSER=postgres bench/outbox-relay/run.sh [EVENTS=40000] [ROUNDS=3]
# MIGRATIONS=DIR builds the database from another set of migrations (an earlier commit's).
set -euo pipefail
cd "$(dirname "$0")/../.."
events=${1:-40000}
rounds=${2:-3}
db=district_outbox_bench
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }
for round in $(seq "$rounds"); do
  sql -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres 2>/dev/null
  for f in "${MIGRATIONS:-migrations}"/*.up.sql; do sql -f "$f" "$db" >/dev/null; done
  pgbench -n -c 4 -j 2 -t $((events / 4)) -f bench/outbox-relay/event.pgb "$db" >/dev/null
  sql -c "VACUUM ANALYZE outbox_events" -c "CHECKPOINT" "$db"
  start=$(sql -c "SELECT pg_current_wal_lsn()" "$db")
  out=$(pgbench -n -M prepared -c 1 -t $((events / 200)) -f bench/outbox-relay/pass.pgb "$db")
  sql "$db" <<SQL
SELECT format('round $round: %s ms a pass of 200, %s us an event, %s WAL bytes an event, %s left',
              round($(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'), 2),
              round($(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p') * 1000 / 200, 1),
              round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$start') / count(*)),
              count(*) FILTER (WHERE published_at IS NULL))
  FROM outbox_events;
SQL
done
sql -c "DROP DATABASE $db" postgres
