# Shared helpers for the project's scripts.
set -euo pipefail

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

APT_UPDATED=""
# Installs Debian packages when running as root; otherwise says exactly what to run.
apt_install() {
  if ! is_root; then
    die "missing $*: run 'sudo apt-get install -y $*' and try again"
  fi
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "installing $* (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# host and port of a postgres:// or redis:// URL (defaults 127.0.0.1 and the given port).
url_host() { local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; rest=${rest%%\?*}; echo "${rest%%:*}"; }
url_port() {
  local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; rest=${rest%%\?*}
  if [[ $rest == *:* ]]; then echo "${rest##*:}"; else echo "$2"; fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Waits up to ten seconds for something to listen on 127.0.0.1:$1 ($2 names it), or dies.
wait_for_port() {
  for _ in $(seq 100); do port_open 127.0.0.1 "$1" && return 0; sleep 0.1; done
  die "$2 is not listening on port $1"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Seeds a fresh database at DATABASE_URL and serves the built server on APP_PORT, logging to
# $1; the server is stopped when the calling script exits.
serve_seeded() {
  local log=$1
  target/debug/district seed --fresh >/dev/null
  target/debug/district serve >"$log" 2>&1 &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
  wait_for_http "http://127.0.0.1:$APP_PORT/healthz" 60 "$SERVER_PID" \
    || { cat "$log"; die "the server did not start"; }
}

wait_for_http() {
  local url=$1 seconds=${2:-60} pid=${3:-}
  for _ in $(seq $((seconds * 10))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}
