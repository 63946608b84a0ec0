"""A webhook receiver on 127.0.0.1 that checks every request with the `standardwebhooks`
library (not sopbot's code) and can be told to be down (connection refused), failing
(503) or rate limiting (429 with Retry-After)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support.live import free_port


@dataclass
class Receiver:
    secret: str  # the one secret this receiver holds (rotation: either of the two)
    port: int = field(default_factory=free_port)
    answer: int = 200  # what to answer a valid request with
    retry_after: str | None = None
    answers: dict[str, int] = field(default_factory=dict)  # per webhook-id, before `answer`
    received: list[dict[str, Any]] = field(default_factory=list)  # verified, answered 2xx
    raw: list[bytes] = field(default_factory=list)  # the bodies of `received`, as sent
    refused: list[str] = field(default_factory=list)  # verified, answered non-2xx
    forged: int = 0  # failed verification
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/sopbot"

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            self.forged += 1
            return 401, {}
        answer = self.answers.get(headers["webhook-id"], self.answer)
        if not 200 <= answer < 300:
            self.refused.append(headers["webhook-id"])
            extra = {"Retry-After": self.retry_after} if self.retry_after else {}
            return answer, extra
        self.received.append({"id": headers["webhook-id"], **payload})
        self.raw.append(body)
        return answer, {}

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra = receiver.handle(headers, body)
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        return [event["id"] for event in self.received]


@contextmanager
def receiving(secret: str) -> Iterator[Receiver]:
    receiver = Receiver(secret)
    receiver.up()
    try:
        yield receiver
    finally:
        receiver.down()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
