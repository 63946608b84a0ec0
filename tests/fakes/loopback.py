"""A threaded HTTP server on a free loopback port, started and stopped for a fake of a
cloud API (Slack Web API, Bot Connector): the serving part they all share."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLL_SECONDS = 0.01


class LoopbackServer:
    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    def start(self, handler: type[BaseHTTPRequestHandler]) -> int:
        """Serve `handler` in a daemon thread; returns the port."""
        server = self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        # A short poll: `shutdown()` waits for the loop to notice, and the default half
        # second was paid by every test that stopped a fake.
        poll = {"poll_interval": POLL_SECONDS}
        threading.Thread(target=server.serve_forever, kwargs=poll, daemon=True).start()
        return server.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
