#!/usr/bin/env bash
# What the outbox relay costs PostgreSQL per event, through the relay's own outbox_claim() and
# outbox_settle() on a scratch database built from the migrations. Two measures a round:
# - drain: EVENTS booking.held events written (as holds write them), then one relay drains
#   them 200 a pass;
# - rush: for SECONDS, from a table analyzed while empty (as after a quiet hour), 8 clients
#   write events while 2 relays (two instances) claim, spend 10 ms in their consumers, and
#   settle; events written and relayed a second.
# Both print the WAL written per event relayed (in the rush, the writes' WAL included), which
# does not drift with the machine's speed as time does, and how many of the updates were HOT
# (rewritten on their page, no index entry).
#
# Usage: PGHOST=127.0.0.1 PGUSER=postgres bench/outbox-relay/run.sh [EVENTS=40000] [ROUNDS=3] [SECONDS=10]
# MIGRATIONS=DIR builds the database from another set of migrations (an earlier commit's).
set -euo pipefail
cd "$(dirname "$0")/../.."
events=${1:-40000}
rounds=${2:-3}
seconds=${3:-10}
batch=200
db=district_outbox_bench
dir=bench/outbox-relay
export PGOPTIONS="-c client_min_messages=warning"
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }
fresh() {
  sql -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" postgres
  for f in "${MIGRATIONS:-migrations}"/*.up.sql; do sql -f "$f" "$db" >/dev/null; done
}
# Statistics taken now, counters zeroed, a checkpoint; prints where the WAL stands.
reset() {
  sql -c "VACUUM ANALYZE outbox_events" -c "SELECT pg_stat_reset()" -c "CHECKPOINT" "$db" >/dev/null
  sql -c "SELECT pg_current_wal_lsn()" "$db"
}
# The WAL since $1 per event relayed, the share of updates that were HOT, the events left
# undelivered.
tally() {
  sleep 1 # the statistics reach pg_stat_user_tables within a second
  sql -c "SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$1')
                       / greatest(count(*) FILTER (WHERE published_at IS NOT NULL), 1))
                 || ' WAL bytes an event relayed, '
                 || (SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables
                      WHERE relname = 'outbox_events') || ' updates HOT, '
                 || count(*) FILTER (WHERE published_at IS NULL) || ' undelivered'
            FROM outbox_events" "$db"
}
relay() { pgbench -n -M prepared -D batch=$batch "$@" -f $dir/pass.pgb "$db"; }
for round in $(seq "$rounds"); do
  fresh
  pgbench -n -c 4 -j 2 -t $((events / 4)) -f $dir/event.pgb "$db" >/dev/null
  start=$(reset)
  ms=$(relay -D work=0 -c 1 -t $((events / batch)) | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
  per=$(awk "BEGIN { printf \"%.1f\", $ms * 1000 / $batch }")
  echo "round $round, drain: $ms ms a pass of $batch, $per us an event, $(tally "$start")"

  fresh
  # Statistics as autovacuum leaves them after a quiet hour: the table empty.
  start=$(reset)
  relay -D work=10 -c 2 -j 2 -T "$seconds" >/dev/null &
  relays=$!
  pgbench -n -M prepared -c 8 -j 2 -T "$seconds" -f $dir/event.pgb "$db" >/dev/null
  wait "$relays"
  written=$(sql -c "SELECT count(*) FROM outbox_events" "$db")
  relayed=$(sql -c "SELECT count(*) FROM outbox_events WHERE published_at IS NOT NULL" "$db")
  echo "round $round, rush: $((written / seconds)) events written and $((relayed / seconds)) relayed a second, $(tally "$start")"
done
sql -c "DROP DATABASE $db" postgres
