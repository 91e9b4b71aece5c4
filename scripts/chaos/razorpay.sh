# Razorpay for a fault script (sourced after common.sh): the servers paired with Razorpay's
# stand-in (razorpay_standin.py) at $standin, which fails as $mode_file says, and `agree`
# checking that it and the service agree on every payment.

# The servers are told where Razorpay will be; it starts once they run.
start_razorpay_pair() {
  local port
  port=$(free_port)
  standin=http://127.0.0.1:$port
  export RAZORPAY_KEY_ID=rzp_test_district RAZORPAY_KEY_SECRET=district_chaos_key_secret
  export RAZORPAY_WEBHOOK_SECRET=district_chaos_razorpay_webhook RAZORPAY_API_BASE=$standin
  pair_with_gateway razorpay_standin.py "$port" razorpay
}
agree() { python3 scripts/chaos/gateway_paid.py razorpay "$standin" "$DATABASE_URL"; }
