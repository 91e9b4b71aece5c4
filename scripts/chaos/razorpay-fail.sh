#!/usr/bin/env bash
# Razorpay failing under the rush: every moviegoer pays on Razorpay Checkout (the stand-in
# razorpay_standin.py), which hangs (orders are paid, nobody hears), then fails, then is slow
# (gateway_faults in common.sh). Moviegoers tap Pay again until it goes through, and hand
# Checkout's answer to the server, which asks Razorpay; one in ten of those who paid then
# cancels, and the refund must reach Razorpay through the faults, which come again once a
# refund is due. Razorpay and this service must agree on every payment (gateway_paid.py);
# recovery is the time from the faults' end until they do.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/razorpay.sh"
start_razorpay_pair
rush_args=(--razorpay "$standin" --refund-percent 10)
rush
gateway_faults
finish "$recovered"
