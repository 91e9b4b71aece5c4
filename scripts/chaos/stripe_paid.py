#!/usr/bin/env python3
"""Stripe and this service agree on every card payment: each PaymentIntent Stripe
(localstripe) says succeeded is a payment here that succeeded, so `district check` holds it
to a confirmed booking or a refund, and each payment that succeeded here succeeded at Stripe.
Prints each one they disagree on, and exits 1 if there is any.

Usage: STRIPE_SECRET_KEY=... stripe_paid.py LOCALSTRIPE_URL DATABASE_URL
"""
import json
import os
import subprocess
import sys
import urllib.request


def intents(base):
    """Every PaymentIntent at Stripe, page by page."""
    after = None
    while True:
        url = f"{base}/v1/payment_intents?limit=100" + (f"&starting_after={after}" if after else "")
        key = os.environ["STRIPE_SECRET_KEY"]
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            page = json.load(answer)
        yield from page["data"]
        if not page.get("has_more") or not page["data"]:
            return
        after = page["data"][-1]["id"]


def main():
    base, database = sys.argv[1].rstrip("/"), sys.argv[2]
    rows = subprocess.run(
        ["psql", "-qAtX", database, "-c",
         "SELECT gateway_ref, status FROM payments WHERE gateway = 'stripe' AND gateway_ref IS NOT NULL"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    here = dict(row.split("|", 1) for row in rows)
    there = {i["id"]: i.get("status") for i in intents(base)}
    paid_there = [i for i, status in there.items() if status == "succeeded"]
    paid_here = [i for i, status in here.items() if status == "succeeded"]
    wrong = [f"{i} succeeded at Stripe but is {here.get(i, 'unknown')} here"
             for i in paid_there if here.get(i) != "succeeded"]
    wrong += [f"{i} succeeded here but is {there.get(i, 'unknown')} at Stripe"
              for i in paid_here if there.get(i) != "succeeded"]
    for line in wrong:
        print(line)
    print(f"{len(paid_there)} paid at Stripe, {len(paid_here)} here, {len(wrong)} disagreeing")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
