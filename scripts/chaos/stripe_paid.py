#!/usr/bin/env python3
"""Money across the boundary: every PaymentIntent that Stripe (localstripe) says succeeded is
a payment here that succeeded, so `district check` holds it to a confirmed booking or a
refund. Prints each one that is not, and exits 1 if there is any.

Usage: stripe_paid.py LOCALSTRIPE_URL DATABASE_URL
"""
import json
import subprocess
import sys
import urllib.request


def intents(base):
    """Every PaymentIntent at Stripe, page by page."""
    after = None
    while True:
        url = f"{base}/v1/payment_intents?limit=100" + (f"&starting_after={after}" if after else "")
        request = urllib.request.Request(url, headers={"Authorization": "Bearer sk_test_district"})
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
    paid = [i for i in intents(base) if i.get("status") == "succeeded"]
    stranded = [i["id"] for i in paid if here.get(i["id"]) != "succeeded"]
    for intent in stranded:
        print(f"{intent} succeeded at Stripe but is {here.get(intent, 'unknown')} here")
    print(f"{len(paid)} paid at Stripe, {len(stranded)} not succeeded here")
    sys.exit(1 if stranded else 0)


if __name__ == "__main__":
    main()
