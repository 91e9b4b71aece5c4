#!/usr/bin/env python3
"""A gateway and this service agree on every payment: each one the gateway took (a succeeded
PaymentIntent at Stripe, a captured order at Razorpay) is a payment here that succeeded, so
`district check` holds it to a confirmed booking or a refund, and each one that succeeded here
was taken at the gateway; no two payments here name one gateway payment. What the gateway
refunded of each (in full or in part) must be so here too. Each payment of ours must have one
order at Razorpay at most (a create retried while Razorpay hung finds the first by its
receipt). Prints each disagreement, and exits 1 if there is any.

The sandbox gateway keeps its books in our database (`sandbox_*` tables, with no keys to
ours), so for it they are read there (API_URL is not used).

Usage: gateway_paid.py stripe|razorpay|sandbox API_URL DATABASE_URL, with STRIPE_SECRET_KEY or
RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET set as the servers have them.
"""
import base64
import json
import os
import subprocess
import sys
import urllib.request
from collections import Counter

# The states of a payment that took the money, on either side.
TAKEN = {"paid", "partially_refunded", "refunded"}


def refund_state(amount, back):
    """A succeeded payment of `amount`, given `back` by its succeeded refunds (as our API shows
    it, and as Stripe's refunds say)."""
    return "refunded" if back >= amount else "partially_refunded" if back else "paid"


def read(url, authorization):
    request = urllib.request.Request(url, headers={"Authorization": authorization})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def stripe_all(base, what):
    """Every object of a Stripe list, page by page."""
    key = f"Bearer {os.environ['STRIPE_SECRET_KEY']}"
    after = None
    while True:
        page = read(f"{base}/v1/{what}?limit=100"
                    + (f"&starting_after={after}" if after else ""), key)
        yield from page["data"]
        if not page.get("has_more") or not page["data"]:
            return
        after = page["data"][-1]["id"]


def stripe(base):
    """Each PaymentIntent: "paid" when it succeeded, "partially_refunded" or "refunded" by the
    refunds of it that succeeded."""
    refunded = Counter()
    for refund in stripe_all(base, "refunds"):
        if refund.get("status") == "succeeded":
            refunded[refund.get("payment_intent")] += refund["amount"]
    for intent in stripe_all(base, "payment_intents"):
        state = intent.get("status")
        if state == "succeeded":
            state = refund_state(intent["amount"], refunded[intent["id"]])
        yield intent["id"], state


def razorpay_all(base, what):
    """Every item of a Razorpay collection, page by page."""
    keys = f"{os.environ['RAZORPAY_KEY_ID']}:{os.environ['RAZORPAY_KEY_SECRET']}"
    key = "Basic " + base64.b64encode(keys.encode()).decode()
    skip = 0
    while True:
        page = read(f"{base}/v1/{what}?count=100&skip={skip}", key)
        yield from page["items"]
        if len(page["items"]) < 100:
            return
        skip += 100


def razorpay(base):
    """Each payment's order: "paid" when captured, "partially_refunded" or "refunded"."""
    for payment in razorpay_all(base, "payments"):
        state = payment["status"]
        if state == "captured":
            state = "partially_refunded" if payment.get("amount_refunded") else "paid"
        yield payment["order_id"], state


def sandbox(database):
    """Each charge in the sandbox's books: "paid" once it settled (a delayed card's only after
    its delay), "partially_refunded" or "refunded" by the sandbox's refunds of it."""
    for row in psql(database, """
            SELECT 'sbx_' || replace(c.payment_id::text, '-', ''),
                   CASE WHEN c.status = 'succeeded' AND c.settles_at > now() THEN 'pending'
                        ELSE c.status END,
                   c.amount_minor,
                   (SELECT coalesce(sum(amount_minor), 0) FROM sandbox_refunds
                     WHERE payment_id = c.payment_id)
              FROM sandbox_charges c"""):
        ref, state, amount, back = row
        yield ref, refund_state(int(amount), int(back)) if state == "succeeded" else state


def psql(database, query):
    """The rows of `query`, each a list of its columns as text."""
    out = subprocess.run(["psql", "-qAtX", database, "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.split()]


def orders_twice(base):
    """Our payments (an order's receipt) with more than one order at Razorpay."""
    receipts = Counter(order["receipt"] for order in razorpay_all(base, "orders"))
    return [f"payment {r} has {n} orders at razorpay" for r, n in receipts.items() if n > 1]


def main():
    gateway, base, database = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
    pairs = psql(database, f"""
        SELECT p.gateway_ref, p.status, p.amount_minor,
               (SELECT coalesce(sum(amount_minor), 0) FROM refunds
                 WHERE payment_id = p.id AND status = 'succeeded')
          FROM payments p
         WHERE p.gateway = '{gateway}' AND p.gateway_ref IS NOT NULL""")
    here = {ref: refund_state(int(amount), int(back)) if status == "succeeded" else status
            for ref, status, amount, back in pairs}
    there = {}
    books = {"stripe": lambda: stripe(base), "razorpay": lambda: razorpay(base),
             "sandbox": lambda: sandbox(database)}
    for ref, state in books[gateway]():
        if there.get(ref) not in TAKEN:
            there[ref] = state
    named = Counter(ref for ref, *_ in pairs)
    wrong = [f"{n} payments here name {r}" for r, n in named.items() if n > 1]
    wrong += [f"{r} was taken at {gateway} but is {here.get(r, 'unknown')} here"
              for r, state in there.items() if state in TAKEN and here.get(r) not in TAKEN]
    wrong += [f"{r} succeeded here but is {there.get(r, 'unknown')} at {gateway}"
              for r, state in here.items() if state in TAKEN and there.get(r) not in TAKEN]
    wrong += [f"{r} is {state} at {gateway} but {here[r]} here" for r, state in there.items()
              if state in TAKEN and here.get(r) in TAKEN and here[r] != state]
    if gateway == "razorpay":
        wrong += orders_twice(base)
    for line in wrong:
        print(line)
    taken = sum(state in TAKEN for state in there.values())
    print(f"{taken} taken at {gateway}, {sum(s in TAKEN for s in here.values())} here, "
          f"{len(wrong)} disagreeing")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
