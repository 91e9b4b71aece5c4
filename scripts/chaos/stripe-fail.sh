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
source "$(dirname "$0")/stripe.sh"
start_stripe_pair
rush_args=(--stripe "$proxy" --refund-percent 10)
rush
gateway_faults
finish "$recovered"
