#!/usr/bin/env bash
# `make lighthouse`: Lighthouse 12 (npm) with its mobile profile, driving Debian's Chromium, on
# the release build: the home, movie, seat-map, checkout and e-ticket pages of the demo
# customer's session (scripts/lighthouse.py). Reports land in target/lighthouse.
#
# Uses its own database (LIGHTHOUSE_DATABASE_URL, default .../district_lighthouse, reloaded
# with the demo data). LIGHTHOUSE_SKIP_BUILD=1 reuses the release build.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"
cd "$(dirname "$0")/.."

admin_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district}
export DATABASE_URL=${LIGHTHOUSE_DATABASE_URL:-${admin_url%/*}/district_lighthouse}
export APP_ENV=development APP_HOST=127.0.0.1 LEPTOS_OUTPUT_NAME=district LEPTOS_ENV=PROD
export RATE_LIMIT_ENABLED=false RUST_LOG=warn
unset REDIS_URL DATABASE_REPLICA_URL

scripts/services.sh
[ -x /usr/bin/chromium ] || apt_install chromium
tools=${XDG_CACHE_HOME:-$HOME/.cache}/district/lighthouse
lighthouse=$tools/node_modules/.bin/lighthouse
if [ ! -x "$lighthouse" ]; then
  say "installing Lighthouse 12 from npm"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error lighthouse@12.8.2
fi

if [ -z "${LIGHTHOUSE_SKIP_BUILD:-}" ]; then
  say "building the release site and server"
  LEPTOS_ENV=PROD cargo leptos build --release --precompress --split
fi
district=target/release/district
[ -x "$district" ] || die "missing $district (build it first)"
# The site must be the one this binary names (a debug build, as `make test` makes, replaces it).
wasm=target/site/pkg/district.$(sed -n 's/^wasm: //p' target/release/hash.txt 2>/dev/null).wasm
[ -f "$wasm" ] || die "target/site is not the release build's; run without LIGHTHOUSE_SKIP_BUILD"

mkdir -p target/lighthouse
log=target/lighthouse/server.log
: >"$log"
"$district" seed --fresh >/dev/null
trap 'stop "$server_pid"' EXIT
start_server ""
say "Lighthouse on $url"
CHROME_PATH=/usr/bin/chromium python3 scripts/lighthouse.py "$url" "$lighthouse" target/lighthouse

say "release assets, bytes as sent (target/site/pkg)"
python3 scripts/asset_sizes.py target/site/pkg
