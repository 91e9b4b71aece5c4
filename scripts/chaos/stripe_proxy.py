#!/usr/bin/env python3
"""Stripe for the fault scripts: localstripe (a third-party implementation of Stripe's API)
behind this proxy, which fails as the mode file says (fault_mode.py) and otherwise passes
everything on, once per Idempotency-Key as Stripe does.

Like the tests' proxy (server/tests/support/stripe.rs), it answers PaymentIntents in today's
shape, which localstripe's older one differs from. localstripe sends its webhooks here
(/_hook); they go on to HOOK.

Usage: stripe_proxy.py PORT MODE_FILE HOOK LOCALSTRIPE_URL
"""
import asyncio
import json
import sys

from aiohttp import ClientSession, ClientTimeout, web

import fault_mode

PASSED = {"authorization", "content-type", "stripe-signature", "idempotency-key", "stripe-version"}


def complete(intent):
    """A PaymentIntent as today's API answers it (as complete_intent in the tests' proxy does): the fields localstripe's older shape lacks
    added, and its latest charge by id (localstripe expands it, in a shape of its own)."""
    if isinstance(intent.get("latest_charge"), dict):
        intent["latest_charge"] = intent["latest_charge"]["id"]
    received = intent.get("amount", 0) if intent.get("status") == "succeeded" else 0
    defaults = {
        "amount_capturable": 0,
        "amount_received": received,
        "confirmation_method": "automatic",
        "payment_method_types": ["card"],
    }
    for field, value in defaults.items():
        if intent.get(field) is None:
            intent[field] = value


async def passed(request, url):
    headers = {k: v for k, v in request.headers.items() if k.lower() in PASSED}
    session = request.app["session"]
    async with session.request(request.method, url, headers=headers, data=await request.read()) as answer:
        return answer.status, await answer.read()


async def upstream(request):
    """localstripe's answer to the call, as (status, body), a PaymentIntent in today's shape."""
    status, body = await passed(request, request.app["upstream"] + request.path_qs)
    try:
        value = json.loads(body)
    except ValueError:
        return status, body
    if isinstance(value, dict) and value.get("object") == "payment_intent":
        complete(value)
    return status, json.dumps(value).encode()


async def once(request):
    """Stripe's idempotency, which localstripe lacks: a POST under an Idempotency-Key already
    used gets the first call's answer, and is not done again (a refund retried after a hung
    call refunds once). Unlike Stripe, a call with other parameters, or one made while the
    first is under way, also gets the first one's answer, not an error."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await upstream(request)
    kept = request.app["kept"]
    if key not in kept:
        kept[key] = asyncio.ensure_future(upstream(request))
    first = kept[key]
    try:
        return await asyncio.shield(first)
    except Exception:
        # Not done: a retry may do it (unless a retry under way already does).
        if kept.get(key) is first:
            del kept[key]
        raise


async def api(request):
    async def forwarded():
        status, body = await once(request)
        return web.Response(body=body, status=status, content_type="application/json")

    error = {"error": {"type": "api_error", "message": "Stripe is failing (fault script)"}}
    return await fault_mode.call(request, request.app["mode"], error, forwarded)


async def hook(request):
    async def send():
        try:
            status, _ = await passed(request, request.app["hook"])
        except Exception:
            status = 502
        return status

    return web.Response(status=await fault_mode.webhook(request.app["mode"], request.path, send))


async def start(app):
    app["session"] = ClientSession(timeout=ClientTimeout(total=60))


async def stop(app):
    await app["session"].close()


def main():
    port, mode_file, hook_url, base = sys.argv[1:5]
    app = web.Application()
    app["upstream"], app["mode"], app["hook"] = base.rstrip("/"), mode_file, hook_url
    app["kept"] = {}
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/_hook", hook)
    app.router.add_route("*", "/{tail:.*}", api)
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
