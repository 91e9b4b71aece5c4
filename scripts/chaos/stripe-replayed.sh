#!/usr/bin/env bash
# Stripe's webhooks delivered twice and out of order, throughout the rush: every moviegoer pays
# by card through Stripe (localstripe, behind stripe_proxy.py), which sends each webhook twice,
# each copy after a wait of its own of up to 3 s (fault_mode.py's replay); one in ten of those
# who paid cancel, so refunds' webhooks (`charge.refunded`) are replayed too. No payment may
# confirm twice and no refund settle twice; Stripe and this service must agree on every
# payment (gateway_paid.py).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/stripe.sh"
set_mode replay
start_stripe_pair
rush_args=(--stripe "$proxy" --refund-percent 10)
rush
finish "-"
