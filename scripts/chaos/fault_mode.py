"""How a gateway stand-in in a fault script fails, as the mode file says (written whole by the
script, read on every call):

  pass     every call and webhook goes through;
  fail     every API call is answered 500; webhooks are lost;
  timeout  every API call is done but never answered (the connection is closed 40 s later):
           the gateway took the money, nobody heard; webhooks are lost;
  slow     every API call and webhook is 1 s late.

Each fault is one line on stdout: "failed", "hung" or "lost" and the path.
"""
import asyncio

from aiohttp import web

HANG = 40


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
    it: then 200, as if it had been sent."""
    now = mode(mode_file)
    if now in ("fail", "timeout"):
        note("lost", path)
        return 200
    if now == "slow":
        await asyncio.sleep(1)
    return await send()
