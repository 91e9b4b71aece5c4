#!/usr/bin/env python3
"""Razorpay for the fault scripts (no implementation of its API installs from a registry; the
tests have theirs in server/tests/support/razorpay.rs): orders, their payments and refunds over
Basic-auth JSON as Razorpay answers them, webhooks signed as Razorpay signs them and sent again
until they are accepted, and Razorpay Checkout's side (/_checkout/ORDER pays the order with
a card and answers what Checkout hands the page: the payment id and its signature).
Everything fails as the mode file says (fault_mode.py).

Keys come from RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET and RAZORPAY_WEBHOOK_SECRET, as the
servers have them.

Usage: razorpay_standin.py PORT MODE_FILE HOOK
"""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import uuid

from aiohttp import ClientSession, ClientTimeout, web

import fault_mode

# The test card every gateway here declines (app::payment::test_cards::DECLINED).
DECLINED = "4000000000000002"
SERVER_ERROR = {"error": {"code": "SERVER_ERROR",
                          "description": "Razorpay is failing (fault script)"}}


def new_id(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:14]}"


def sign(secret, message):
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def refused(status, description):
    error = {"error": {"code": "BAD_REQUEST_ERROR", "description": description}}
    return web.json_response(error, status=status)


def collection(items):
    return web.json_response({"entity": "collection", "count": len(items), "items": items})


class Books:
    """Everything Razorpay has recorded, in the order it happened."""

    def __init__(self):
        self.orders = {}
        self.payments = []
        self.refunds = {}
        self.by_key = {}

    def paid(self, order):
        return next((p for p in self.payments
                     if p["order_id"] == order and p["status"] in ("captured", "refunded")), None)


async def send(app, event, payload):
    """Signs and sends an event, again until it is accepted (as Razorpay retries), unless the
    mode loses it."""
    body = json.dumps({"entity": "event", "event": event, "payload": payload})
    headers = {
        "content-type": "application/json",
        "x-razorpay-event-id": new_id("evt"),
        "x-razorpay-signature": sign(os.environ["RAZORPAY_WEBHOOK_SECRET"], body),
    }

    order = (payload.get("payment", {}).get("entity", {}).get("order_id")
             or payload.get("refund", {}).get("entity", {}).get("payment_id"))
    path = f"/webhook/{event}/{order}"

    async def delivered():
        for _ in range(10):
            try:
                async with app["session"].post(app["hook"], data=body, headers=headers) as answer:
                    if answer.status < 300:
                        heard(app, event, order, path)
                        return answer.status
            except Exception:
                pass
            await asyncio.sleep(1)
        fault_mode.note("gave-up", path)
        return 0

    await fault_mode.webhook(app["mode"], path, delivered)


def heard(app, event, order, path):
    """Notes a payment's failed attempt accepted after its order's captured one ("crossed")."""
    accepted = app["accepted"].setdefault(order, set())
    if event == "payment.failed" and "payment.captured" in accepted:
        fault_mode.note("crossed", path)
    accepted.add(event)


def later(app, event, payload):
    task = asyncio.create_task(send(app, event, payload))
    app["sending"].add(task)
    task.add_done_callback(app["sending"].discard)


@web.middleware
async def faulty(request, handler):
    """Every call answered as the mode says; the API's calls only with the account's key."""
    if request.path.startswith("/v1/"):
        keys = f"{os.environ['RAZORPAY_KEY_ID']}:{os.environ['RAZORPAY_KEY_SECRET']}"
        expected = "Basic " + base64.b64encode(keys.encode()).decode()
        if request.headers.get("authorization") != expected:
            return refused(401, "Authentication failed")
    return await fault_mode.call(request, request.app["mode"], SERVER_ERROR,
                                 lambda: handler(request))


def page(request, items):
    """`count` items (10 unless asked) after `skip`, newest first."""
    count, skip = int(request.query.get("count", 10)), int(request.query.get("skip", 0))
    return collection(list(reversed(items))[skip:skip + count])


async def orders(request):
    receipt = request.query.get("receipt")
    found = [o for o in request.app["books"].orders.values()
             if receipt is None or o["receipt"] == receipt]
    return page(request, found)


async def create_order(request):
    asked = await request.json()
    if not isinstance(asked.get("amount"), int) or asked.get("currency") != "INR":
        return refused(400, "amount and currency are required")
    order = {"id": new_id("order"), "entity": "order", "amount": asked["amount"],
             "currency": "INR", "receipt": asked.get("receipt"), "notes": asked.get("notes"),
             "status": "created"}
    request.app["books"].orders[order["id"]] = order
    return web.json_response(order)


async def order_payments(request):
    order = request.match_info["id"]
    return collection([p for p in request.app["books"].payments if p["order_id"] == order])


async def payments(request):
    return page(request, request.app["books"].payments)


async def refund(request):
    books, payment = request.app["books"], request.match_info["id"]
    key = request.headers.get("x-refund-idempotency")
    # Read first: from the key's check to the refund's record nothing may wait, or two retries
    # with one key could both refund.
    asked = await request.json()
    if key in books.by_key:
        return web.json_response(books.by_key[key])
    paid = next((p for p in books.payments if p["id"] == payment and p["status"] == "captured"), None)
    if paid is None:
        return refused(400, "The payment has not been captured")
    amount = asked.get("amount")
    if not isinstance(amount, int) or amount <= 0 or paid["amount_refunded"] + amount > paid["amount"]:
        return refused(400, "The refund amount is invalid")
    issued = {"id": new_id("rfnd"), "entity": "refund", "amount": amount, "currency": "INR",
              "payment_id": payment, "status": "processed"}
    books.refunds[issued["id"]] = issued
    if key:
        books.by_key[key] = issued
    paid["amount_refunded"] += amount
    if paid["amount_refunded"] == paid["amount"]:
        paid["status"] = "refunded"
    later(request.app, "refund.processed", {"refund": {"entity": issued}})
    return web.json_response(issued)


async def refund_of(request):
    found = request.app["books"].refunds.get(request.match_info["id"])
    return web.json_response(found) if found else refused(404, "The id provided does not exist")


async def checkout(request):
    """The moviegoer pays the order on Razorpay Checkout with `card`: the payment is captured
    and its webhook sent; the page gets the payment id and its signature. The declining test
    card's attempt fails, and so says its webhook; Checkout lets the moviegoer try again on the
    same order. An order already paid is refused, as Checkout refuses it."""
    books, order = request.app["books"], request.match_info["order"]
    card = (await request.post()).get("card", "")
    if order not in books.orders:
        return refused(400, "The id provided does not exist")
    if books.paid(order):
        return refused(400, "Order is already paid")
    found = books.orders[order]
    declined = card == DECLINED
    payment = {"id": new_id("pay"), "entity": "payment", "order_id": order,
               "amount": found["amount"], "currency": "INR",
               "status": "failed" if declined else "captured", "captured": not declined,
               "amount_refunded": 0,
               "error_description": "Payment was declined by the bank." if declined else None}
    books.payments.append(payment)
    event = "payment.failed" if declined else "payment.captured"
    later(request.app, event, {"payment": {"entity": payment}})
    if declined:
        error = {"error": {"code": "BAD_REQUEST_ERROR", "reason": "payment_failed",
                           "description": payment["error_description"],
                           "metadata": {"order_id": order, "payment_id": payment["id"]}}}
        return web.json_response(error, status=400)
    found["status"] = "paid"
    signature = sign(os.environ["RAZORPAY_KEY_SECRET"], f"{order}|{payment['id']}")
    return web.json_response({"razorpay_payment_id": payment["id"], "razorpay_order_id": order,
                              "razorpay_signature": signature})


async def start(app):
    app["session"] = ClientSession(timeout=ClientTimeout(total=30))


async def stop(app):
    await app["session"].close()


def main():
    port, mode_file, hook_url = sys.argv[1:4]
    app = web.Application(middlewares=[faulty])
    app["books"], app["mode"], app["hook"] = Books(), mode_file, hook_url
    # Webhooks on their way, and the events accepted for each order.
    app["sending"], app["accepted"] = set(), {}
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/v1/orders", orders)
    app.router.add_post("/v1/orders", create_order)
    app.router.add_get("/v1/orders/{id}/payments", order_payments)
    app.router.add_get("/v1/payments", payments)
    app.router.add_post("/v1/payments/{id}/refund", refund)
    app.router.add_get("/v1/refunds/{id}", refund_of)
    app.router.add_post("/_checkout/{order}", checkout)
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
