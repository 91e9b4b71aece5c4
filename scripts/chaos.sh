#!/usr/bin/env bash
# `make test-chaos`: faults during a running flash sale, one script per fault (scripts/chaos/):
# Redis stopped, an instance killed, PostgreSQL restarted or cut off through a proxy, the
# gateway declining and slow, Stripe and Razorpay failing, hanging and losing their webhooks,
# every gateway's webhooks (Stripe's, Razorpay's, the sandbox's) delivered again and out of
# order.
# Each starts its own servers (and, where it breaks one, its own Redis or PostgreSQL on a free
# port), runs `district-bench rush` against them, injects its fault, measures how long the
# service takes to be ready again, and then checks the data with `district check`: no seat
# sold twice, every succeeded payment a confirmed booking or a refund (at once), and no hold
# past its deadline or event unrelayed (cleared by itself, timed). Summary in
# target/chaos/summary.md.
#
# CHAOS_USERS (3000) moviegoers arrive within CHAOS_WITHIN (30) seconds; the fault comes
# CHAOS_AFTER (2) seconds in. CHAOS_ONLY=name runs one script; CHAOS_SKIP_BUILD=1 reuses the
# release binaries.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

scripts/services.sh
command -v haproxy >/dev/null || apt_install haproxy
command -v redis-server >/dev/null || apt_install redis-server
# Stripe's stand-in for the Stripe scripts and aiohttp for the gateways' come with the test tools.
command -v localstripe >/dev/null || scripts/bootstrap.sh --test
if [ -z "${CHAOS_SKIP_BUILD:-}" ]; then
  say "building the release binaries"
  cargo build --release -p server --features app/ssr --bin district --bin district-bench
fi
mkdir -p target/chaos
summary=target/chaos/summary.md
{
  echo "| fault | moviegoers | bought | refunded | failed trips | ready again in | left-overs cleared in | invariants |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
} >"$summary"
status=0
for script in scripts/chaos/*-*.sh; do
  name=$(basename "$script" .sh)
  [ -n "${CHAOS_ONLY:-}" ] && [ "$CHAOS_ONLY" != "$name" ] && continue
  say "chaos: $name"
  if ! bash "$script"; then
    status=1
    grep -q "^| $name |" "$summary" || echo "| $name | | | | | | | **failed** (target/chaos/$name.log) |" >>"$summary"
  fi
done
echo
cat "$summary"
exit $status
