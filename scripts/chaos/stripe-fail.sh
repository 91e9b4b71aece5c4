#!/usr/bin/env bash
# Stripe failing under the rush: every moviegoer pays by card through Stripe (localstripe,
# behind stripe_proxy.py), which is 1 s late for 8 s, then takes every call but never answers
# it for 8 s (cards are charged, nobody hears), then answers every call with a 500 for 8 s;
# its webhooks are lost while it fails. Moviegoers tap Pay again until it goes through. Every
# intent Stripe took must end as a succeeded payment here (stripe_paid.py), so `district
# check` holds it to a confirmed booking or a refund: the lost webhooks are made up for by the
# server looking the payments up.
source "$(dirname "$0")/common.sh"
mode_file=target/chaos/stripe-fail.mode
echo pass >"$mode_file"
stripe_port=$(free_port)
localstripe --port "$stripe_port" --from-scratch >>"$log" 2>&1 &
stripe_pid=$!
proxy_port=$(free_port)
proxy=http://127.0.0.1:$proxy_port
proxy_pid=""
cleanup_extra() { stop "$proxy_pid"; stop "$stripe_pid"; }
settled_extra() { python3 scripts/chaos/stripe_paid.py "http://127.0.0.1:$stripe_port" "$DATABASE_URL"; }
for _ in $(seq 100); do port_open 127.0.0.1 "$stripe_port" && break; sleep 0.1; done

export STRIPE_SECRET_KEY=sk_test_district STRIPE_PUBLISHABLE_KEY=pk_test_district
export STRIPE_WEBHOOK_SECRET=whsec_district_chaos STRIPE_API_BASE=$proxy
seed
start_redis
start_pair "$redis_url"
python3 scripts/chaos/stripe_proxy.py "$proxy_port" "http://127.0.0.1:$stripe_port" "$mode_file" \
  "$url/api/v1/payments/webhook/stripe" >"target/chaos/$fault.proxy.txt" 2>>"$log" &
proxy_pid=$!
for _ in $(seq 100); do port_open 127.0.0.1 "$proxy_port" && break; sleep 0.1; done
curl -fsS -o /dev/null -u sk_test_district: "http://127.0.0.1:$stripe_port/_config/webhooks/wh_district" \
  -d "url=$proxy/_hook" -d "secret=$STRIPE_WEBHOOK_SECRET" -d "events[]=payment_intent.succeeded" \
  -d "events[]=payment_intent.payment_failed" -d "events[]=charge.refunded" ||
  die "localstripe did not take the webhook"

rush_args=(--stripe "$proxy")
rush
sleep "$after"
for cut in slow timeout fail; do
  say "$fault: Stripe $cut for 8 s"
  echo "$cut" >"$mode_file"
  sleep 8
done
echo pass >"$mode_file"
say "$fault: $(sort "target/chaos/$fault.proxy.txt" | cut -d' ' -f1 | uniq -c | xargs)"
finish "-"
