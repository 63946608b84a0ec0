"""Every method of a path, answered as HTTP says: `OPTIONS` lists them all in `Allow`,
and a method the path does not take is a 405 whose `Allow` lists them all too.

Starlette answers for the first route whose path matches, so a path served by a GET
route and a POST route would name only one of the two, and OPTIONS would be a 405."""

from __future__ import annotations

import json

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _served(routes: list[BaseRoute], scope: Scope) -> bool:
    return any(route.matches(scope)[0] == Match.FULL for route in routes)


def _methods(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods some route takes at this path. Asked route by route (included
    routers are routes too), so prefixes and path converters count as in routing."""
    return {method for method in _METHODS if _served(routes, {**scope, "method": method})}


class MethodsOfPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        routes = list(getattr(scope.get("app"), "routes", []))
        methods = set() if _served(routes, scope) else _methods(routes, scope)
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"})).encode()
        if scope["method"] == "OPTIONS":
            await send(
                {"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        message = f"{scope['method']} is not allowed here; use {allow.decode()}"
        body = json.dumps({"detail": [{"field": "method", "message": message}]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [
                    (b"allow", allow),
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
