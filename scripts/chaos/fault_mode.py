"""How a gateway stand-in in a fault script fails, as the mode file says (written whole by the
script, read on every call):

  pass     every call and webhook goes through;
  fail     every API call is answered 500; webhooks are lost;
  timeout  every API call is done but never answered (the connection is closed 40 s later):
           the gateway took the money, nobody heard; webhooks are lost;
  slow     every API call and webhook is 1 s late;
  replay   every webhook is sent twice, each copy after a wait of its own of up to 3 s, so
           copies and events cross each other.

Each fault is one line on stdout: "failed", "hung", "lost" or "replayed" and the path (a
stand-in may add its own words).
"""
import asyncio
import random

from aiohttp import web

HANG = 40
REPLAY_SPREAD = 3


def mode(path):
    try:
        with open(path) as f:
            return f.read().strip() or "pass"
    except OSError:
        return "pass"


def note(what, path):
    print(what, path, flush=True)


async def call(request, mode_file, error, handle):
    """Answers an API call through `handle` (a coroutine giving the answer), failing as the mode
    says; `error` is the gateway's own 500 body."""
    now = mode(mode_file)
    if now == "fail":
        note("failed", request.path)
        return web.json_response(error, status=500)
    if now == "slow":
        await asyncio.sleep(1)
    answer = await handle()
    if now == "timeout":
        note("hung", request.path)
        await asyncio.sleep(HANG)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=504)
    return answer


async def webhook(mode_file, path, send):
    """Sends a webhook through `send` (a coroutine giving its status), unless the mode loses
    it: then 200, as if it had been sent. Replayed, a copy's success if either had one."""
    now = mode(mode_file)
    if now in ("fail", "timeout"):
        note("lost", path)
        return 200
    if now == "replay":
        note("replayed", path)

        async def copy():
            await asyncio.sleep(random.uniform(0, REPLAY_SPREAD))
            return await send()

        statuses = await asyncio.gather(copy(), copy())
        return next((s for s in statuses if 200 <= s < 300), statuses[0])
    if now == "slow":
        await asyncio.sleep(1)
    return await send()
