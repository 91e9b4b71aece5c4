#!/usr/bin/env bash
# End-to-end tests: a freshly seeded database, the built server on a free port, Playwright
# driving Debian's Chromium.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

# One end-to-end run at a time on a machine: they share the e2e database.
exec 9>"${TMPDIR:-/tmp}/district-e2e.lock"
flock 9

port=$(free_port)
log=target/e2e-server.log
export APP_ENV=test APP_HOST=127.0.0.1 APP_PORT=$port RUST_LOG=${RUST_LOG:-warn}
export DATABASE_URL=${E2E_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district_e2e}
export PUBLIC_URL="http://127.0.0.1:$port"
# Outgoing mail lands here as files, so the tests can follow the links.
export MAIL_DIR="$PWD/target/e2e-mail"
rm -rf "$MAIL_DIR"
# Posters the tests upload.
export POSTER_DIR="$PWD/target/e2e-posters"

say "seeding a fresh end-to-end database"
serve_seeded "$log"

say "end-to-end tests in Chromium (server on port $port)"
status=0
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test "$@") || status=$?
# A panic in the server fails the run even when every page looked fine.
if grep -n "panicked" "$log"; then
  die "the server panicked during the end-to-end tests (see $log)"
fi
exit "$status"
