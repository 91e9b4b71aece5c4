"""A TCP proxy that a file steers, for cutting PostgreSQL's connections under load.

usage: tcp_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT MODE_FILE

The file holds one word, read every 50 ms (missing or empty: pass):
  pass       forward both ways
  break      reset every open connection and every new one
  blackhole  forward nothing: bytes wait, as across a partitioned network, and flow on when
             the file says pass again
  slow       delay every chunk by 200 ms each way
"""

import asyncio
import socket
import struct
import sys

listen_port, target_host, target_port, mode_file = sys.argv[1:5]
mode = "pass"
open_writers = set()


def reset(writer):
    """Closes with a TCP reset, as a dropped connection looks to its ends."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.close()


async def watch():
    global mode
    while True:
        try:
            with open(mode_file) as f:
                wanted = f.read().strip() or "pass"
        except FileNotFoundError:
            wanted = "pass"
        if wanted != mode:
            mode = wanted
            print(f"proxy: {mode}", flush=True)
            if mode == "break":
                for writer in list(open_writers):
                    reset(writer)
        await asyncio.sleep(0.05)


async def pump(reader, writer, other):
    try:
        while data := await reader.read(65536):
            while mode == "blackhole":
                await asyncio.sleep(0.05)
            if mode == "slow":
                await asyncio.sleep(0.2)
            if mode == "break":
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    reset(writer)
    reset(other)


async def handle(client_reader, client_writer):
    if mode == "break":
        reset(client_writer)
        return
    try:
        server_reader, server_writer = await asyncio.open_connection(target_host, int(target_port))
    except OSError:
        reset(client_writer)
        return
    ends = {client_writer, server_writer}
    open_writers.update(ends)
    await asyncio.gather(
        pump(client_reader, server_writer, client_writer),
        pump(server_reader, client_writer, server_writer),
    )
    open_writers.difference_update(ends)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(listen_port), backlog=1024)
    asyncio.create_task(watch())
    async with server:
        await server.serve_forever()


asyncio.run(main())
