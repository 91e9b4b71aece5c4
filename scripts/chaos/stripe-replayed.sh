#!/usr/bin/env bash
# Stripe's webhooks delivered twice and out of order, throughout the rush: every moviegoer pays
# by card through Stripe (localstripe, behind stripe_proxy.py), which sends each webhook twice,
# each copy after a wait of its own of up to 3 s (fault_mode.py's replay). One in ten of those
# who paid cancel; localstripe sends no webhook for a refund, so refunds settle by the server
# asking Stripe. No payment may confirm twice; Stripe and this service must agree on every
# payment, refunds included (gateway_paid.py).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/stripe.sh"
set_mode replay
start_stripe_pair
rush_args=(--stripe "$proxy" --refund-percent 10)
rush
finish "-"
