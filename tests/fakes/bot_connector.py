"""A fake Bot Connector service: what Teams' `serviceUrl` points at, on a free loopback
port in a thread.

Microsoft is never reachable from tests, so activities POSTed to sopbot carry
`serviceUrl = FakeBotConnector.url` and botbuilder's connector client calls this server
for sends (`POST /v3/conversations/{id}/activities`), replies
(`POST .../activities/{activityId}`), updates (`PUT .../activities/{activityId}`), new
conversations (`POST /v3/conversations`) and member look-ups
(`GET /v3/conversations/{id}/members/{memberId}`, answered from `members`). Every call
is recorded; `fail_next(n, status=429, retry_after=...)` makes the next n write calls
fail like a throttled Teams does; `storm(rate=...)` makes a seeded random share of the
write calls fail with 429 (Retry-After), 500 or a timeout (no answer for `hang` seconds:
lost before the connector did anything, or after it posted the activity). `held()` is
what Teams really shows: the activities posted, including those whose answer was lost."""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from tests.fakes.loopback import LoopbackServer

CONVERSATION = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)")
ACTIVITY = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)/activities(?:/(?P<id>[^/]+))?$")
MEMBER = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)/members/(?P<member>[^/]+)$")


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: dict[str, Any] | None
    headers: dict[str, str]
    status: int = 200
    response_id: str | None = None  # the id the fake gave a sent activity
    held: bool = False  # the connector did the work (a send/reply: the activity exists)

    @property
    def kind(self) -> str:
        """send | reply | update | create | member | other"""
        if self.method == "POST" and self.path == "/v3/conversations":
            return "create"
        if MEMBER.match(self.path):
            return "member"
        if ACTIVITY.match(self.path):
            if self.method == "PUT":
                return "update"
            return "reply" if self.activity_id else "send"
        return "other"

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card this call carries, if any."""
        for attachment in (self.body or {}).get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")
        return None

    @property
    def text(self) -> str:
        """Everything readable in the call: the activity text and the card's text."""
        parts = [(self.body or {}).get("text") or ""]
        if self.card is not None:
            parts.append(json.dumps(self.card, ensure_ascii=False))
        return "\n".join(parts)


TIMEOUT = 0  # the `status` of a call that got no answer in time


@dataclass
class _Failure:
    status: int
    retry_after: str | None
    hang: float = 0.0
    processed: bool = False  # a timeout after the activity was posted


@dataclass
class _Storm:
    rate: float
    faults: list[_Failure]
    rng: random.Random
    left: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class FakeBotConnector:
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # member id -> account
    calls: list[Call] = field(default_factory=list)
    # GET path -> JSON answered as is (the Bot Framework's OpenID documents, bot_auth.py)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._failures: list[_Failure] = []
        self._storm: _Storm | None = None
        self.activities: dict[str, dict[str, Any]] = {}  # activity id -> latest body
        self._http = LoopbackServer()
        self._port: int | None = None

    # --- control ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._port is not None, "start() first"
        return f"http://127.0.0.1:{self._port}/"

    def start(self) -> FakeBotConnector:
        self._port = self._http.start(_handler(self))
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> FakeBotConnector:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self, count: int = 1, *, status: int = 429, retry_after: str | None = "0"
    ) -> None:
        """The next `count` write calls (send, reply, update, create) answer `status`."""
        with self._lock:
            self._failures.extend(_Failure(status, retry_after) for _ in range(count))

    def storm(
        self,
        *,
        rate: float,
        retry_after: str = "1",
        hang: float = 1.0,
        seed: int = 0,
        limit: int = 10_000,
    ) -> None:
        """A share `rate` of the later write calls fail (seeded draw), evenly among 429
        with `retry_after`, 500, a timeout before the work and a timeout after it."""
        faults = [
            _Failure(429, retry_after),
            _Failure(500, None),
            _Failure(TIMEOUT, None, hang=hang),
            _Failure(TIMEOUT, None, hang=hang, processed=True),
        ]
        with self._lock:
            self._storm = _Storm(rate, faults, random.Random(seed), limit)

    def calm(self) -> dict[str, int]:
        """End the storm; returns how many faults of each kind it injected."""
        with self._lock:
            storm, self._storm = self._storm, None
        return dict(storm.counts) if storm else {}

    def held(self, *kinds: str) -> list[Call]:
        """Calls of `kinds` whose work the connector did (answered or not)."""
        with self._lock:
            return [c for c in self.calls if c.kind in kinds and c.held]

    def _stormy(self) -> _Failure | None:
        storm = self._storm
        if storm is None or storm.left <= 0 or storm.rng.random() >= storm.rate:
            return None
        storm.left -= 1
        failure = storm.rng.choice(storm.faults)
        kind = "timeout" if failure.status == TIMEOUT else str(failure.status)
        kind += " (after the work)" if failure.processed else ""
        storm.counts[kind] = storm.counts.get(kind, 0) + 1
        return failure

    def add_member(self, member_id: str, **account: Any) -> None:
        self.members[member_id] = {"id": member_id, **account}

    # --- queries ----------------------------------------------------------------------

    def of_kind(self, *kinds: str, ok: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind in kinds and (not ok or c.status < 300)]

    def cards(self) -> list[dict[str, Any]]:
        """Every card sent, replied or updated successfully, in order."""
        return [c.card for c in self.of_kind("send", "reply", "update") if c.card is not None]

    def card_of(self, activity_id: str) -> dict[str, Any]:
        """The card an activity shows now (after any updates)."""
        body = self.activities[activity_id]
        return next(a["content"] for a in body.get("attachments") or [])

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # --- serving ----------------------------------------------------------------------

    def _answer(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str], float]:
        """(status, body, headers, hang): a TIMEOUT status answers nothing for `hang` s."""
        with self._lock:
            self.calls.append(call)
            failure = None
            if call.kind in ("send", "reply", "update", "create"):
                failure = self._failures.pop(0) if self._failures else self._stormy()
            if failure is not None and failure.status == TIMEOUT:
                if failure.processed:
                    self._work(call)
                call.status = TIMEOUT
                return TIMEOUT, {}, {}, failure.hang
            if failure is not None:
                call.status = failure.status
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                return failure.status, {"error": {"code": "Throttled"}}, headers, 0.0
            return (*self._work(call), 0.0)

    def _work(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        """What the connector does for the call (under the lock)."""
        if call.kind in ("send", "reply"):
            new_id = f"activity-{next(self._ids)}"
            call.response_id = new_id
            self.activities[new_id] = call.body or {}
            call.held = True
            return 201, {"id": new_id}, {}
        if call.kind == "update":
            if call.activity_id not in self.activities:
                call.status = 404
                return 404, {"error": {"code": "ActivityNotFound"}}, {}
            self.activities[call.activity_id] = call.body or {}
            call.held = True
            return 200, {"id": call.activity_id}, {}
        if call.kind == "create":
            return (
                201,
                {
                    "id": f"a:conversation-{next(self._ids)}",
                    "activityId": f"activity-{next(self._ids)}",
                },
                {},
            )
        if call.method == "GET" and call.path in self.documents:
            return 200, self.documents[call.path], {}
        if call.kind == "member":
            match = MEMBER.match(call.path)
            assert match is not None
            member = self.members.get(unquote(match["member"]))
            if member is None:
                call.status = 404
                return 404, {"error": {"code": "MemberNotFound"}}, {}
            return 200, member, {}
        call.status = 404
        return 404, {"error": {"code": "NotFound"}}, {}


def _handler(fake: FakeBotConnector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            path = self.path.split("?", 1)[0]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            match = ACTIVITY.match(path) or CONVERSATION.match(path)
            groups = {k: unquote(v) for k, v in (match.groupdict() if match else {}).items() if v}
            call = Call(
                method=self.command,
                path=path,
                conversation_id=groups.get("conversation"),
                activity_id=groups.get("id"),
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            status, payload, headers, hang = fake._answer(call)
            if status == TIMEOUT:  # nothing comes back in time; then the connection closes
                time.sleep(hang)
                self.close_connection = True
                return
            call.status = status
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
