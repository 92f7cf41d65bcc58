"""The raw baseline of `bench.load`: a bare `websockets` server that broadcasts.

    .venv/bin/python -m bench.raw_ws --port P

`/listen`: a client that receives (a first frame on connection, as the app sends the full
state first, then every broadcast). `/control`: each message `N` broadcasts one frame of N bytes
to every listener. `/ping`: accepted and closed (readiness). Nothing else: the floor that the
app's fan-out is compared with, in the same process tree, with the same clients.
"""

import argparse
import asyncio

from websockets.asyncio.server import ServerConnection, broadcast, serve

listeners: set[ServerConnection] = set()


async def handler(sock: ServerConnection) -> None:
    path = sock.request.path if sock.request else ""
    if path == "/listen":
        listeners.add(sock)
        try:
            await sock.send("ready")
            await sock.wait_closed()
        finally:
            listeners.discard(sock)
    elif path == "/control":
        async for message in sock:
            broadcast(listeners, "x" * min(int(message), 1_000_000))


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None,
                     max_size=2**20):
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.raw_ws")
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
