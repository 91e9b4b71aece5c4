#!/bin/sh
# First start of the compose primary (docker-entrypoint-initdb.d): the role the replica clones
# and streams with. The server restarts after these scripts, so the pg_hba.conf line applies.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
