"""A fake Slack Web API: a small threaded HTTP server on a free loopback port.

Slack itself is never reachable from tests, so the adapter's `WebClient` is pointed here
through `SLACK_API_URL` (`FakeSlackApi.url`). It records every call as
`(method, params)` and answers like Slack does, and can be told to answer 429 with a
Retry-After header, a 5xx, or a Slack `ok: false` error for the next N calls of a method,
so retry and fallback paths run against real HTTP; it can also answer a method slowly.
`storm(...)` makes a share of the calls of some methods fail at random (seeded): 429 with
Retry-After, 500, or a timeout (the answer never comes in time; either the call was
lost before Slack did anything, or Slack posted the message and only the answer was
lost). Every call's outcome is kept in `outcomes`, stamped with `stamp()` (a test's
clock), so tests can count what Slack really holds and when each attempt came.
It is an ordinary HTTP server, so it can also be shared with code running in other
threads or processes.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import LoopbackServer

Params = dict[str, Any]


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    error: str | None
    hang: float = 0.0  # a timeout: answer nothing for this long
    processed: bool = False  # a timeout after Slack did the work (only the answer is lost)


TIMEOUT = 0  # the `status` of a timeout fault (no HTTP answer in time)


@dataclass
class Outcome:
    """One call as Slack saw it: `status` 200/429/500, TIMEOUT for no answer in time;
    `held` says whether Slack did the work (a posted message exists)."""

    method: str
    params: Params
    status: int
    held: bool
    retry_after: float | None = None
    stamp: Any = None


@dataclass
class _Storm:
    methods: frozenset[str]
    rate: float
    faults: Sequence[_Failure]
    rng: random.Random
    left: int
    counts: dict[str, int] = field(default_factory=dict)


class FakeSlackApi:
    """Records Web API calls and answers them; see the module docstring."""

    def __init__(self, *, users_by_email: dict[str, str] | None = None) -> None:
        self.calls: list[tuple[str, Params]] = []
        self.replies: list[tuple[str, Params, dict[str, Any]]] = []  # successful answers
        self.users_by_email: dict[str, str] = dict(users_by_email or {})
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._storm: _Storm | None = None
        self.outcomes: list[Outcome] = []
        self.stamp: Callable[[], Any] = lambda: None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        # channel -> the messages posted there, oldest first (conversations.history)
        self.history: dict[str, list[dict[str, Any]]] = {}
        # channels the bot was never invited to: posts there are refused not_in_channel
        self.outside: set[str] = set()
        self._http = LoopbackServer()
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

        self.url = f"http://127.0.0.1:{self._http.start(Handler)}/api/"
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        retry_after: float | None = None,
        count: int = 1,
        *,
        error: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` with HTTP `status` (429 carries
        Retry-After); with status 200 and `error`, answer `{"ok": false, "error": ...}`."""
        with self._lock:
            queue = self._failures.setdefault(method, [])
            queue.extend(_Failure(status, retry_after, error) for _ in range(count))

    def lose_answers(self, method: str, *, hang: float, count: int = 1) -> None:
        """Do the work of the next `count` calls of `method` (a posted message exists),
        then answer nothing for `hang` seconds: the client times out and never learns."""
        with self._lock:
            queue = self._failures.setdefault(method, [])
            queue.extend(
                _Failure(TIMEOUT, None, None, hang=hang, processed=True) for _ in range(count)
            )

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every later call of `method` only after `seconds` (a slow Slack)."""
        with self._lock:
            self._delays[method] = seconds

    def storm(
        self,
        methods: Iterable[str],
        *,
        rate: float,
        retry_after: float = 1.0,
        long_retry_after: float | None = None,
        hang: float = 1.0,
        seed: int = 0,
        limit: int = 10_000,
    ) -> None:
        """From now on a share `rate` of the calls of `methods` fail, chosen by a seeded
        random draw, evenly among: 429 with `retry_after` (and, if given, 429 with
        `long_retry_after`), 500, a timeout lost before Slack did anything, and a
        timeout after Slack did the work; each timeout answers nothing for `hang`
        seconds. At most `limit` calls fail; `calm()` ends the storm."""
        faults = [
            _Failure(429, retry_after, None),
            _Failure(500, None, None),
            _Failure(TIMEOUT, None, None, hang=hang),
            _Failure(TIMEOUT, None, None, hang=hang, processed=True),
        ]
        if long_retry_after is not None:
            faults.append(_Failure(429, long_retry_after, None))
        with self._lock:
            self._storm = _Storm(frozenset(methods), rate, faults, random.Random(seed), limit)

    def calm(self) -> dict[str, int]:
        """End the storm; returns how many faults of each kind it injected."""
        with self._lock:
            storm, self._storm = self._storm, None
        return dict(storm.counts) if storm else {}

    def held(self, method: str) -> list[Params]:
        """The calls of `method` whose work Slack did (for chat.postMessage: the messages
        that exist), including those whose answer was lost in a timeout."""
        with self._lock:
            return [o.params for o in self.outcomes if o.method == method and o.held]

    def calls_to(self, method: str) -> list[Params]:
        with self._lock:
            return [params for name, params in self.calls if name == method]

    def replies_to(self, method: str) -> list[tuple[Params, dict[str, Any]]]:
        """(params, answer) of the calls of `method` that succeeded, e.g. to learn the
        channel and ts Slack gave a posted message."""
        with self._lock:
            return [(params, reply) for name, params, reply in self.replies if name == method]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.replies.clear()
            self._failures.clear()
            self._delays.clear()
            self.outcomes.clear()
            self.history.clear()
            self._storm = None

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 10.0,
        where: Callable[[Params], bool] | None = None,
    ) -> list[Params]:
        """Block until at least `count` matching calls arrived (work after a Slack ack
        happens in a background thread); returns the matching calls either way."""
        deadline = time.monotonic() + timeout

        def matching() -> list[Params]:
            return [p for name, p in self.calls if name == method and (where is None or where(p))]

        with self._changed:
            while len(matching()) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return matching()

    # -- the server side -------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        method = parts.path.rsplit("/", 1)[-1]
        params: Params = dict(parse_qsl(parts.query))
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if body:
            if "json" in (request.headers.get("Content-Type") or ""):
                params.update(json.loads(body))
            else:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        with self._changed:
            self.calls.append((method, params))
            queue = self._failures.get(method) or []
            failure = queue.pop(0) if queue else self._stormy(method)
            delay = self._delays.get(method, 0.0)
            stamp = self.stamp()
            self._changed.notify_all()
        if delay:
            time.sleep(delay)
        if failure is not None and failure.status == TIMEOUT:
            self._time_out(request, method, params, failure, stamp)
            return
        if failure is not None:
            with self._lock:
                self.outcomes.append(
                    Outcome(
                        method,
                        params,
                        failure.status,
                        held=False,
                        retry_after=failure.retry_after,
                        stamp=stamp,
                    )
                )
        if failure is not None and failure.status != 200:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(int(failure.retry_after))
            error = failure.error or ("ratelimited" if failure.status == 429 else "fatal_error")
            self._reply(request, failure.status, {"ok": False, "error": error}, headers)
            return
        if failure is not None:
            self._reply(request, 200, {"ok": False, "error": failure.error or "fatal_error"})
            return
        answer = self._answer(method, params)
        with self._lock:
            self.outcomes.append(
                Outcome(method, params, 200, held=bool(answer.get("ok")), stamp=stamp)
            )
            if answer.get("ok"):
                self.replies.append((method, params, answer))
        self._reply(request, 200, answer)

    def _stormy(self, method: str) -> _Failure | None:
        """The storm's draw for this call (under the lock)."""
        storm = self._storm
        if storm is None or method not in storm.methods or storm.left <= 0:
            return None
        if storm.rng.random() >= storm.rate:
            return None
        storm.left -= 1
        failure = storm.rng.choice(storm.faults)
        kind = "timeout" if failure.status == TIMEOUT else str(failure.status)
        if failure.processed:
            kind += " (after the work)"
        elif failure.retry_after is not None:
            kind += f" (Retry-After {failure.retry_after:g})"
        storm.counts[kind] = storm.counts.get(kind, 0) + 1
        return failure

    def _time_out(
        self,
        request: BaseHTTPRequestHandler,
        method: str,
        params: Params,
        failure: _Failure,
        stamp: Any,
    ) -> None:
        """No answer in time: the work is done (or not), then the connection is closed
        after `hang` seconds without a response, by when the client has given up."""
        held = False
        if failure.processed:
            answer = self._answer(method, params)
            held = bool(answer.get("ok"))
        with self._lock:
            self.outcomes.append(Outcome(method, params, TIMEOUT, held=held, stamp=stamp))
        time.sleep(failure.hang)
        request.close_connection = True

    def _answer(self, method: str, params: Params) -> dict[str, Any]:
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        channel = str(params.get("channel", ""))
        if method == "chat.postMessage" and channel in self.outside:
            return {"ok": False, "error": "not_in_channel"}
        if method == "conversations.info":
            member = channel not in self.outside
            return {"ok": True, "channel": {"id": channel, "is_member": member}}
        if method == "chat.postMessage":
            if channel.startswith(("U", "W")):  # a DM to a user lands in their D channel
                channel = "D" + channel[1:]
            posted: dict[str, Any] = {
                "type": "message",
                "text": params.get("text", ""),
                "ts": ts,
                "bot_id": "B0BOT",
            }
            metadata = params.get("metadata")
            if isinstance(metadata, str):  # a form-encoded call sends it as JSON text
                metadata = json.loads(metadata)
            if metadata:
                posted["metadata"] = metadata
            if params.get("thread_ts"):
                posted["thread_ts"] = str(params["thread_ts"])
            with self._lock:
                self.history.setdefault(channel, []).append(posted)
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": params.get("text", ""), "ts": ts},
            }
        if method == "conversations.open":
            users = str(params.get("users", ""))
            if not users.startswith(("U", "W")) or "," in users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": "D" + users[1:], "is_im": True}}
        if method == "conversations.history":
            return self._history(params)
        if method == "conversations.replies":
            return self._thread(params)
        if method == "chat.update":
            return {
                "ok": True,
                "channel": channel,
                "ts": params.get("ts"),
                "text": params.get("text", ""),
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method.startswith("views."):
            view = params.get("view")
            if isinstance(view, str):
                view = json.loads(view)
            return {
                "ok": True,
                "view": {"id": f"V{ts.replace('.', '')}", "hash": ts, **(view or {})},
            }
        if method == "users.lookupByEmail":
            user_id = self.users_by_email.get(str(params.get("email", "")).lower())
            if user_id is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": user_id, "profile": {"email": params["email"]}}}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "sopbot",
                "team_id": "T0FAKE",
                "user_id": "U0BOT",
                "bot_id": "B0BOT",
            }
        return {"ok": True}

    def _history(self, params: Params) -> dict[str, Any]:
        """Newest first, `limit` per page, the cursor an offset; metadata only when asked
        for with include_all_metadata, as Slack does."""
        with self._lock:
            posted = list(reversed(self.history.get(str(params.get("channel", "")), [])))
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = posted[start : start + limit]
        if str(params.get("include_all_metadata", "")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(posted)
        cursor = str(start + limit) if more else ""
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": cursor},
        }

    def _thread(self, params: Params) -> dict[str, Any]:
        """A thread's replies oldest first (the parent itself is not kept here), `limit`
        per page, metadata only with include_all_metadata, as Slack does."""
        thread = str(params.get("ts", ""))
        with self._lock:
            posted = [
                m
                for m in self.history.get(str(params.get("channel", "")), [])
                if m.get("thread_ts") == thread
            ]
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = posted[start : start + limit]
        if str(params.get("include_all_metadata", "")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(posted)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)
