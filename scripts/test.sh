#!/usr/bin/env bash
# The whole suite: unit and integration tests against real PostgreSQL and Redis, then the
# end-to-end tests in Chromium against the built server.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

scripts/bootstrap.sh --test
scripts/services.sh

say "building the site (server + wasm + css)"
cargo leptos build --split

# sqlx::test creates a throwaway database per test on this server.
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district_test}
export APP_ENV=test
target/debug/district migrate >/dev/null

log=target/test-output.log
: >"$log"

status=0
say "the deployment files, offline"
scripts/check_deploy.py 2>&1 | tee -a "$log" || status=$?

say "unit and integration tests"
# The same flags cargo-leptos builds with, so the build above is reused.
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=district \
  cargo test -p app -p server --features app/ssr 2>&1 | tee -a "$log" || status=$?

# End-to-end and the API fuzzing only on a sound build; either way the suite ends with its
# one closing line.
[ "$status" -ne 0 ] || scripts/e2e.sh 2>&1 | tee -a "$log" || status=$?
[ "$status" -ne 0 ] || scripts/schemathesis.sh 2>&1 | tee -a "$log" || status=$?

awk '/^test result:/ { p += $4; f += $6; s += $8 }
     /^ +[0-9]+ passed \(/ { p += $1 }
     /^ +[0-9]+ failed$/ { f += $1 }
     /^ +[0-9]+ (skipped|did not run)$/ { s += $1 }
     END { printf "district: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
