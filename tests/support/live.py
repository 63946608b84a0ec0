"""A real HTTP server on a free loopback port, in a thread: tests talk to sopbot the way
Slack, Teams, the AI system and a browser do."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TICK_SECONDS = 0.005

# One TLS context for every test client. httpx builds a context per client (and per
# `httpx.post`), loading the system's CA bundle each time: 55-80 ms, about a third of a
# Teams test. The servers are plain HTTP on loopback, so the context is never used.
LOOPBACK_TLS = ssl.create_default_context()


class _QuickServer(uvicorn.Server):
    """uvicorn's server with its shutdown waits turned into waits on progress: uvicorn
    checks `should_exit` every 0.1 s and then sleeps a fixed 0.1 s for connections to
    close, which every test serving sopbot paid on its way out. The steps and their
    order are uvicorn's (close the listeners, ask connections to close, wait for them and
    for running tasks, then the lifespan shutdown); only the polling is shorter."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await asyncio.sleep(TICK_SECONDS)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + 10
        while self.server_state.connections or self.server_state.tasks:
            if time.monotonic() > deadline:
                for task in self.server_state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(TICK_SECONDS)
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


class LiveServer:
    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # log_config=None: uvicorn's own logging setup (dictConfig, ~20 ms) would run
        # again for every server; its loggers reach pytest's capture either way.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            log_config=None,
            lifespan="on",
        )
        self.server = _QuickServer(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(TICK_SECONDS)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def serving(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()
