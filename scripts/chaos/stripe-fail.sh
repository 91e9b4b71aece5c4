#!/usr/bin/env bash
# Stripe failing under the rush: every moviegoer pays by card through Stripe (localstripe,
# behind stripe_proxy.py), which hangs (cards are charged, nobody hears), then fails, then is
# slow (gateway_faults in common.sh). Moviegoers tap Pay again until it goes through; one
# in ten of those who paid then cancels, and the refund must reach Stripe through the faults,
# which come again once a refund is due.
# Stripe and this service must agree on every payment (gateway_paid.py), so `district check`
# holds each one Stripe took to a confirmed booking or a refund; recovery is the time from
# the faults' end until they agree.
source "$(dirname "$0")/common.sh"
stripe_pid=""
cleanup_extra() { stop "$stripe_pid"; }

stripe_port=$(free_port)
localstripe --port "$stripe_port" --from-scratch >>"$log" 2>&1 &
stripe_pid=$!
wait_for_port "$stripe_port" "localstripe"
agree() { python3 scripts/chaos/gateway_paid.py stripe "http://127.0.0.1:$stripe_port" "$DATABASE_URL"; }

# The servers are told where the proxy will be; it starts once they run.
proxy_port=$(free_port)
proxy=http://127.0.0.1:$proxy_port
export STRIPE_SECRET_KEY=sk_test_district STRIPE_PUBLISHABLE_KEY=pk_test_district
export STRIPE_WEBHOOK_SECRET=whsec_district_chaos STRIPE_API_BASE=$proxy
pair_with_gateway stripe_proxy.py "$proxy_port" stripe "http://127.0.0.1:$stripe_port"
curl -fsS -o /dev/null -u "$STRIPE_SECRET_KEY:" "http://127.0.0.1:$stripe_port/_config/webhooks/wh_district" \
  -d "url=$proxy/_hook" -d "secret=$STRIPE_WEBHOOK_SECRET" -d "events[]=payment_intent.succeeded" \
  -d "events[]=payment_intent.payment_failed" -d "events[]=charge.refunded" ||
  die "localstripe did not take the webhook"

rush_args=(--stripe "$proxy" --refund-percent 10)
rush
gateway_faults
finish "$recovered"
