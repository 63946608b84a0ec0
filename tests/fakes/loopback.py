"""A threaded HTTP server on a free loopback port, started and stopped for a fake of a
cloud API (Slack Web API, Bot Connector): the serving part they all share."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    def start(self, handler: type[BaseHTTPRequestHandler]) -> int:
        """Serve `handler` in a daemon thread; returns the port."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
