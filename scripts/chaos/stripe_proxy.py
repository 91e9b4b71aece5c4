#!/usr/bin/env python3
"""Stripe for the fault scripts: localstripe (a third-party implementation of Stripe's API)
behind this proxy, which fails as the mode file says and otherwise passes everything on.

  pass     every call and webhook goes through;
  fail     every API call is answered 500 (Stripe's api_error); webhooks are lost;
  timeout  every API call is done at localstripe but never answered (the connection is closed
           40 s later): Stripe took the card, nobody heard; webhooks are lost;
  slow     every API call and webhook is 1 s late.

Like the tests' proxy (server/tests/support/stripe.rs), it answers PaymentIntents in today's
shape, which localstripe's older one differs from. localstripe sends its webhooks here (/_hook); they go on
to HOOK. Each fault is one line on stdout: "failed", "hung" or "lost" and the path.

Usage: stripe_proxy.py PORT LOCALSTRIPE_URL MODE_FILE HOOK
"""
import asyncio
import json
import sys

from aiohttp import ClientSession, ClientTimeout, web

HANG = 40
PASSED = {"authorization", "content-type", "stripe-signature", "idempotency-key", "stripe-version"}


def mode(path):
    try:
        with open(path) as f:
            return f.read().strip() or "pass"
    except OSError:
        return "pass"


def note(what, path):
    print(what, path, flush=True)


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


async def api(request):
    now = mode(request.app["mode"])
    if now == "fail":
        note("failed", request.path)
        error = {"error": {"type": "api_error", "message": "Stripe is failing (fault script)"}}
        return web.json_response(error, status=500)
    if now == "slow":
        await asyncio.sleep(1)
    status, body = await passed(request, request.app["upstream"] + request.path_qs)
    if now == "timeout":
        note("hung", request.path)
        await asyncio.sleep(HANG)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=504)
    try:
        value = json.loads(body)
    except ValueError:
        return web.Response(body=body, status=status)
    if isinstance(value, dict) and value.get("object") == "payment_intent":
        complete(value)
    return web.json_response(value, status=status)


async def hook(request):
    now = mode(request.app["mode"])
    if now in ("fail", "timeout"):
        note("lost", request.path)
        return web.Response(status=200)
    if now == "slow":
        await asyncio.sleep(1)
    try:
        status, _ = await passed(request, request.app["hook"])
    except Exception:
        status = 502
    return web.Response(status=status)


async def start(app):
    app["session"] = ClientSession(timeout=ClientTimeout(total=60))


async def stop(app):
    await app["session"].close()


def main():
    port, upstream, mode_file, hook_url = sys.argv[1:5]
    app = web.Application()
    app["upstream"], app["mode"], app["hook"] = upstream.rstrip("/"), mode_file, hook_url
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/_hook", hook)
    app.router.add_route("*", "/{tail:.*}", api)
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
