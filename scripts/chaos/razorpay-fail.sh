#!/usr/bin/env bash
# Razorpay failing under the rush: every moviegoer pays on Razorpay Checkout (the stand-in
# razorpay_standin.py), which hangs (orders are paid, nobody hears), then fails, then is slow
# (gateway_faults in common.sh). Moviegoers tap Pay again until it goes through, and hand
# Checkout's answer to the server, which asks Razorpay. Razorpay and this service must agree
# on every payment (gateway_paid.py); recovery is the time from the fault's end until they do.
source "$(dirname "$0")/common.sh"
standin_pid=""
cleanup_extra() { stop "$standin_pid"; }

# The servers are told where Razorpay will be; it starts once the balancer's address (where
# it sends the webhooks) is known.
standin_port=$(free_port)
standin=http://127.0.0.1:$standin_port
export RAZORPAY_KEY_ID=rzp_test_district RAZORPAY_KEY_SECRET=district_chaos_key_secret
export RAZORPAY_WEBHOOK_SECRET=district_chaos_razorpay_webhook RAZORPAY_API_BASE=$standin
agree() { python3 scripts/chaos/gateway_paid.py razorpay "$standin" "$DATABASE_URL"; }
seed
start_redis
start_pair "$redis_url"
python3 scripts/chaos/razorpay_standin.py "$standin_port" "$mode_file" \
  "$url/api/v1/payments/webhook/razorpay" >"target/chaos/$fault.faults.txt" 2>>"$log" &
standin_pid=$!
wait_for_port "$standin_port" "the Razorpay stand-in"

rush_args=(--razorpay "$standin")
rush
gateway_faults
finish "$recovered"
