#!/usr/bin/env bash
# Every webhook delivered twice and out of order, throughout the rush: moviegoers pay on
# Razorpay Checkout (razorpay_standin.py), three in ten after the bank declined their first
# card, and each webhook is sent twice, each copy after a wait of its own of up to 3 s
# (fault_mode.py's replay), so copies cross and an order's failed attempt can arrive after
# its captured one; one in ten of those who paid cancel, so refunds' webhooks are replayed
# too. No payment may confirm twice, or be undone by a stale failure; Razorpay and this
# service must agree on every payment (gateway_paid.py).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/razorpay.sh"
set_mode replay
start_razorpay_pair
rush_args=(--razorpay "$standin" --declined-percent 30 --refund-percent 10)
rush
finish "-"
