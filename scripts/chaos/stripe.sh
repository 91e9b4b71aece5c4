# Stripe for a fault script (sourced after common.sh): localstripe (a third-party
# implementation of Stripe's API) behind stripe_proxy.py at $proxy, which fails as $mode_file
# says, the servers paired with it, and `agree` checking that Stripe and the service agree on
# every payment.
stripe_pid=""
cleanup_extra() { stop "$stripe_pid"; }

start_stripe_pair() {
  local stripe_port proxy_port
  stripe_port=$(free_port)
  localstripe --port "$stripe_port" --from-scratch >>"$log" 2>&1 &
  stripe_pid=$!
  wait_for_port "$stripe_port" "localstripe"
  stripe_url=http://127.0.0.1:$stripe_port
  # The servers are told where the proxy will be; it starts once they run.
  proxy_port=$(free_port)
  proxy=http://127.0.0.1:$proxy_port
  export STRIPE_SECRET_KEY=sk_test_district STRIPE_PUBLISHABLE_KEY=pk_test_district
  export STRIPE_WEBHOOK_SECRET=whsec_district_chaos STRIPE_API_BASE=$proxy
  pair_with_gateway stripe_proxy.py "$proxy_port" stripe "$stripe_url"
  curl -fsS -o /dev/null -u "$STRIPE_SECRET_KEY:" "$stripe_url/_config/webhooks/wh_district" \
    -d "url=$proxy/_hook" -d "secret=$STRIPE_WEBHOOK_SECRET" -d "events[]=payment_intent.succeeded" \
    -d "events[]=payment_intent.payment_failed" -d "events[]=charge.refunded" ||
    die "localstripe did not take the webhook"
}
agree() { python3 scripts/chaos/gateway_paid.py stripe "$stripe_url" "$DATABASE_URL"; }
