#!/usr/bin/env bash
# Makes sure PostgreSQL (and Redis, when REDIS_URL is set) answers. Where no PostgreSQL is
# installed at all it installs and starts Debian's (as root); otherwise it says what to do.
source "$(dirname "$0")/lib.sh"

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district}
pg_host=$(url_host "$DATABASE_URL"); pg_port=$(url_port "$DATABASE_URL" 5432)

start_local_postgres() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  [ -n "$version" ] || return 1
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start
}

# Development set-up: the postgres role over TCP on loopback without a password.
trust_loopback() {
  local version hba
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  grep -q '^host all all 127.0.0.1/32 trust' "$hba" && return 0
  say "allowing local TCP connections without a password (development only)"
  sed -i '/^# TYPE/a host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
}

if ! port_open "$pg_host" "$pg_port"; then
  case "$pg_host" in
    127.0.0.1|localhost|::1)
      if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        is_root || die "PostgreSQL is not installed. Run 'sudo apt-get install -y postgresql', start it, and make $DATABASE_URL reachable."
        apt_install postgresql
        trust_loopback
      fi
      is_root || die "PostgreSQL is installed but not running on $pg_host:$pg_port. Start it (e.g. 'sudo pg_ctlcluster <version> main start')."
      start_local_postgres || die "could not start PostgreSQL"
      for _ in $(seq 50); do port_open "$pg_host" "$pg_port" && break; sleep 0.2; done
      ;;
  esac
  port_open "$pg_host" "$pg_port" || die "PostgreSQL at $pg_host:$pg_port is not reachable (DATABASE_URL)"
fi

if [ -n "${REDIS_URL:-}" ]; then
  r_host=$(url_host "$REDIS_URL"); r_port=$(url_port "$REDIS_URL" 6379)
  if ! port_open "$r_host" "$r_port"; then
    command -v redis-server >/dev/null || apt_install redis-server
    case "$r_host" in
      127.0.0.1|localhost)
        say "starting redis-server on port $r_port"
        redis-server --daemonize yes --bind 127.0.0.1 --port "$r_port" --save "" --appendonly no >/dev/null
        for _ in $(seq 50); do port_open "$r_host" "$r_port" && break; sleep 0.1; done ;;
    esac
    port_open "$r_host" "$r_port" || die "Redis at $r_host:$r_port is not reachable (REDIS_URL)"
  fi
fi
