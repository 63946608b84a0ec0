"""The demo's open API answers only for loopback and `SOPBOT_CHAT_HOSTS`.

`sopbot demo` serves `/api/v1/...` without a token. A page on an attacker's name whose DNS
is rebound to 127.0.0.1 reaches it from the browser with its own name in `Host`: the
web chat's Host check (adapters.local.routes) refused that for `/chat` only, so the open
API could be posted to. With a token the API needs no such check (a browser cannot send
the token it does not have)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.local.routes import HOSTS_SETTING, allowed_hosts, host_name

API_PREFIX = "/api/v1/"


class OpenApiHosts:
    """ASGI middleware: an `/api/v1/...` request for a foreign Host gets 400, unread."""

    def __init__(self, app: ASGIApp, *, extra_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = allowed_hosts(extra_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope.get("headers", []) if k == b"host"), b"")
        if host_name(host.decode("latin-1")) in self.allowed:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "detail": (
                    "The open demo API answers only for 127.0.0.1, localhost and [::1]; add "
                    f"other names to {HOSTS_SETTING}, or set SOPBOT_API_TOKEN."
                )
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
