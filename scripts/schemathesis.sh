#!/usr/bin/env bash
# The REST API fuzzed from its own OpenAPI document by schemathesis (PyPI): the built server on
# a freshly seeded database, once as a customer and once as a theater admin. It fails on any
# 5xx, any status code the document does not list, and any answer that breaks its schema.
# Bounded: SCHEMATHESIS_EXAMPLES cases per operation (default 25).
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

[ "$(schemathesis --version 2>/dev/null)" = "schemathesis, version 4.32.5" ] \
  || python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"

port=$(free_port)
log=target/schemathesis-server.log
export APP_ENV=test APP_HOST=127.0.0.1 APP_PORT=$port RUST_LOG=${RUST_LOG:-warn}
export DATABASE_URL=${SCHEMATHESIS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/district_fuzz}
export PUBLIC_URL="http://127.0.0.1:$port"
export MAIL_DIR="$PWD/target/schemathesis-mail" POSTER_DIR="$PWD/target/schemathesis-posters"
# The fuzzer sends thousands of requests from one address: limits would answer most of them.
export RATE_LIMIT_ENABLED=false

say "seeding a fresh database for the fuzzer"
serve_seeded "$log"

token() {
  curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"${DEMO_PASSWORD:-district-demo}\"}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# One worker: with two, the fuzzer's own code generation has crashed (a race in Python's AST
# compiler), failing a run in which every request passed.
status=0
for who in customer@demo.district.test theater.admin@demo.district.test; do
  say "schemathesis as $who"
  schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --header "Authorization: Bearer $(token "$who")" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed 1 --workers 1 \
    --request-timeout 10 --report junit --report-dir "target/schemathesis/${who%%@*}" \
    || status=$?
done
if grep -n "panicked" "$log"; then
  die "the server panicked under the fuzzer (see $log)"
fi
exit "$status"
