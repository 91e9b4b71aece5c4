#!/usr/bin/env python3
"""The sandbox gateway's webhooks sent again, over HTTP, for a fault script. The sandbox
delivers each of its webhooks itself, in process, once it is due; a trigger the script adds
to its database copies each one it queues, with when it is due, into chaos_sandbox_webhooks.
This takes each copy once due and sends it again as the mode file says (fault_mode.py: in
`replay`, twice, each copy after a wait of its own of up to 3 s), signed as the sandbox signs
(`Sandbox-Signature: t=..,v1=..`). So every event arrives three times, copies crossing the
original and each other. A copy the server does not accept is noted "refused" with its status.

Usage: sandbox_replay.py MODE_FILE HOOK DATABASE_URL, with SANDBOX_WEBHOOK_SECRET set as the
servers have it.
"""
import asyncio
import hashlib
import hmac
import os
import sys
import time

from aiohttp import ClientSession, ClientTimeout

import fault_mode

TAKE = "DELETE FROM chaos_sandbox_webhooks WHERE deliver_at <= now() RETURNING encode(body, 'hex')"


def signed(secret, body):
    at = int(time.time())
    tag = hmac.new(secret, f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={tag}"


async def taken(database):
    """The webhooks queued since the last call (none if psql fails: they wait for the next)."""
    psql = await asyncio.create_subprocess_exec(
        "psql", "-qAtX", database, "-c", TAKE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await psql.communicate()
    rows = out.decode().split() if psql.returncode == 0 else []
    return [bytes.fromhex(row) for row in rows]


async def main():
    mode_file, hook, database = sys.argv[1:4]
    secret = os.environ["SANDBOX_WEBHOOK_SECRET"].encode()
    async with ClientSession(timeout=ClientTimeout(total=30)) as session:
        async def again(body):
            async def send():
                headers = {"Sandbox-Signature": signed(secret, body),
                           "Content-Type": "application/json"}
                try:
                    async with session.post(hook, data=body, headers=headers) as answer:
                        status = answer.status
                except Exception:
                    status = 502
                if not 200 <= status < 300:
                    fault_mode.note(f"refused {status}", "/webhook/sandbox")
                return status
            await fault_mode.webhook(mode_file, "/webhook/sandbox", send)

        sending = set()
        while True:
            for body in await taken(database):
                task = asyncio.ensure_future(again(body))
                sending.add(task)
                task.add_done_callback(sending.discard)
            await asyncio.sleep(0.2)


if __name__ == "__main__":
    asyncio.run(main())
