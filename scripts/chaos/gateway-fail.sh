#!/usr/bin/env bash
# The gateway failing and slow throughout the rush: three payers in ten have their first card
# declined (and pay again with a good one), three in ten are confirmed only after the
# sandbox gateway's 10 s delay, and one in ten of those who paid cancel for a refund. No
# payment may confirm a booking it did not pay for, and every one that succeeded must end in
# a confirmed booking or its refund.
source "$(dirname "$0")/common.sh"
rush_args=(--declined-percent 30 --delayed-percent 30 --refund-percent 10)
pair_under_rush
finish "-"
