"""What every API request passes before any work is done on it: the body size limit,
the bearer token of the right scope, and a JSON body every store can hold.

The order matters: the size is checked while the body streams in (nothing over the
limit is buffered), the token before the body is parsed (a stranger learns nothing
about the payload rules), and the JSON is refused whole when any value in it could not
be stored (nothing half-written)."""

from __future__ import annotations

import json
import re
import secrets
from enum import StrEnum
from typing import Any

from fastapi import Depends, params
from fastapi.security import HTTPBearer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.settings import Settings
from core.limits import text_problem, unstorable_strings

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BODY_LABEL = "5 MB"
# A JSON escape that may decode to a NUL or a UTF-16 surrogate, or such a character
# itself (a UTF-8 body may carry an encoded surrogate): only then is the decoded body
# walked for strings no store can take. Searched in the decoded text, so a body in
# UTF-16 or UTF-32 (JSON allows them) is checked like a UTF-8 one.
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|[\x00\ud800-\udfff]")


class ApiError(Exception):
    """An answer in the API's error shape: `{"detail": [{"field", "message", "index"?}]}`."""

    def __init__(self, status: int, detail: list[dict[str, Any]]) -> None:
        self.status = status
        self.detail = detail


def api_error(status: int, message: str, field: str | None = None) -> ApiError:
    return ApiError(
        status, [{"field": field, "message": message} if field else {"message": message}]
    )


def _too_large() -> bytes:
    detail = [
        {
            "field": "body",
            "message": f"the body is over the {MAX_BODY_LABEL} limit; send smaller batches",
        }
    ]
    return json.dumps({"detail": detail}).encode()


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: a request body over MAX_BODY_BYTES gets a 413 before it is read
    whole, whether it announces its length (Content-Length) or streams without one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > MAX_BODY_BYTES):
                await self._refuse(send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    @staticmethod
    async def _refuse(send: Send) -> None:
        body = _too_large()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class Scope_(StrEnum):
    """What a request needs its token to allow."""

    READ = "read"
    INGEST = "ingest"
    DECIDE = "decide"


class TokenCheck:
    """`SOPBOT_API_TOKEN` reads, ingests and records outcomes; `SOPBOT_DECISION_TOKEN`
    (optional) is the only one that may take decisions, and may read. Outside the demo
    nothing is open: with no token configured the API answers 401 naming the variable,
    and with no decision token it takes no decisions at all."""

    def __init__(self, settings: Settings) -> None:
        self._ingest = _secret(settings.api_token)
        self._decide = _secret(settings.decision_token)
        self._open = settings.api_open_for_demo

    def check(self, request: Request, needed: Scope_) -> None:
        presented = _bearer(request)
        if presented is None and self._open:
            return  # `sopbot demo`: a local rehearsal, every call allowed
        if self._ingest is None and self._decide is None:
            raise api_error(
                401,
                "the API is closed: set SOPBOT_API_TOKEN on the server and "
                "send it as 'Authorization: Bearer <token>'",
            )
        if presented is None:
            raise api_error(401, "missing bearer token: send 'Authorization: Bearer <token>'")
        is_ingest = self._ingest is not None and secrets.compare_digest(presented, self._ingest)
        is_decide = self._decide is not None and secrets.compare_digest(presented, self._decide)
        if not (is_ingest or is_decide):
            raise api_error(401, "invalid bearer token")
        if needed == Scope_.DECIDE and not is_decide:
            if self._decide is None:
                raise api_error(
                    403,
                    "the API takes no decisions: set SOPBOT_DECISION_TOKEN "
                    "on the server to allow them",
                )
            raise api_error(
                403,
                "this token may not take decisions; use the decision token (SOPBOT_DECISION_TOKEN)",
            )
        if needed == Scope_.INGEST and not is_ingest:
            raise api_error(
                403,
                "the decision token may not write recommendations or "
                "outcomes; use SOPBOT_API_TOKEN",
            )


# The two bearer tokens as OpenAPI security schemes. As dependencies they only show in
# /openapi.json which token(s) a route takes (auto_error off: ScopeGuard checks).
INGEST_BEARER = HTTPBearer(
    scheme_name="ingestToken",
    description="SOPBOT_API_TOKEN: reads, and writes recommendations and outcomes",
    auto_error=False,
)
DECISION_BEARER = HTTPBearer(
    scheme_name="decisionToken",
    description="SOPBOT_DECISION_TOKEN: takes decisions as a named person, and reads",
    auto_error=False,
)
_SCHEMES = {
    Scope_.READ: (INGEST_BEARER, DECISION_BEARER),  # either one
    Scope_.INGEST: (INGEST_BEARER,),
    Scope_.DECIDE: (DECISION_BEARER,),
}


class ScopeGuard:
    """A route's dependency: the token of `scope`, then query parameters every store
    can hold (they reach SQL as text, like a body's strings). Async: a sync dependency
    would cost a thread-pool hop on every request. It runs before the route reads any
    body, so a stranger gets 401 whatever the payload."""

    def __init__(self, scope: Scope_) -> None:
        self.scope = scope

    def dependencies(self) -> list[params.Depends]:
        """A route's `dependencies`: this check, and the schemes /openapi.json names."""
        return [Depends(self), *(Depends(scheme) for scheme in _SCHEMES[self.scope])]

    async def __call__(self, request: Request) -> None:
        tokens: TokenCheck = request.app.state.api.tokens  # bot.api_state
        tokens.check(request, self.scope)
        refuse_unstorable_query(request)


def refuse_unstorable_query(request: Request) -> None:
    """A 422 naming each query parameter (name or value) with a NUL or a lone
    surrogate, which PostgreSQL refuses in text (a 500 if it got that far)."""
    problems = []
    for name, value in request.query_params.multi_items():
        problem = text_problem(name) or text_problem(value)
        if problem:
            problems.append({"field": name, "message": problem})
    if problems:
        raise ApiError(422, problems)


def _secret(value: Any) -> bytes | None:
    return value.get_secret_value().encode() if value is not None else None


def _bearer(request: Request) -> bytes | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip().encode()


def _field(path: tuple[str | int, ...], batch: bool) -> tuple[int | None, str]:
    index = path[0] if batch and path and isinstance(path[0], int) else None
    rest = path[1:] if index is not None else path
    name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in rest)
    return index, name.replace(".[", "[") or "body"


def require_json(request: Request) -> None:
    """Writes take JSON only: a `text/plain` form post from another site (no CORS
    preflight) must not reach the ingestion path."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise api_error(
            415, "send the body as JSON with 'Content-Type: application/json'", "content-type"
        )


async def read_json(request: Request) -> Any:
    """The body as JSON every store can hold, or a 415/422 naming what is wrong."""
    require_json(request)
    raw = await request.body()
    return parse_json(raw)


def parse_json(raw: bytes) -> Any:
    try:
        # Decoded as json.loads would (UTF-8, -16 or -32, surrogates passed through to
        # be refused below by field), so the NUL check sees the characters, not bytes.
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
        data = json.loads(text)  # NaN/Infinity decode; the models refuse them by field
    except RecursionError:
        raise api_error(422, "the body is nested too deeply", "body") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise api_error(422, f"the body is not valid JSON: {exc}", "body") from None
    if _SUSPECT.search(text):
        batch = isinstance(data, list)
        problems = []
        for path, message in unstorable_strings(data):
            index, name = _field(path, batch)
            problem: dict[str, Any] = {"field": name, "message": message}
            if index is not None:
                problem["index"] = index
            problems.append(problem)
        if problems:
            raise ApiError(422, problems)
    return data
