"""Webhook delivery: each subscription is a durable cursor over the feed (the outbox of
issue #28), sent in position order by one replica at a time.

At least once: the cursor moves only after the receiver answered 2xx and is saved after
each batch, so a crash or a lost lease re-sends at most the unsaved part of one batch
(receivers de-duplicate on `webhook-id`). In order per recommendation, because a
subscription is sent in one order: an event that keeps failing holds the ones behind it
until it succeeds or its retry period ends. Timeouts, connection errors, 408, 429 (with
Retry-After) and 5xx are retried with backoff for the hook's `retry_for`; then, and at
once for any other status, the event is marked failed (audited, counted) and the cursor
moves on. Once a subscription has failed past its period, each later event gets one
attempt until the receiver answers again."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.event_settings import Webhook
from storage.models import WebhookCursor
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.events.bodies import bodies_after, event_id
from workflows.events.kinds import EventsAudit
from workflows.events.privacy import EventPeople, event_people
from workflows.events.sequencer import head_position
from workflows.events.signing import secrets_for, signed_headers

RETRYABLE = frozenset({408, 429})
FIRST_BACKOFF, MAX_BACKOFF, MAX_RETRY_AFTER = 5.0, 900.0, 3600.0


@dataclass(frozen=True)
class Subscription:
    hook: Webhook
    keys: list[bytes]


def subscriptions(hooks: list[Webhook], environ: Mapping[str, str]) -> list[Subscription]:
    """Every configured hook with its keys; SecretError names the first bad entry."""
    return [Subscription(hook, secrets_for(hook, environ)) for hook in hooks]


@dataclass(frozen=True)
class Attempt:
    ok: bool
    retryable: bool
    error: str | None = None
    retry_after: float | None = None


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def post(
    client: httpx.Client, sub: Subscription, *, msg_id: str, body: bytes, now: datetime
) -> Attempt:
    """One signed POST; the timestamp is the attempt's, as the specification wants."""
    headers = signed_headers(sub.keys, msg_id=msg_id, timestamp=int(time.time()), body=body)
    try:
        response = client.post(
            sub.hook.url, content=body, headers=headers, timeout=sub.hook.timeout_seconds
        )
    except httpx.HTTPError as exc:
        return Attempt(False, True, f"{type(exc).__name__}: {exc}"[:300])
    status = response.status_code
    if 200 <= status < 300:
        return Attempt(True, False)
    retryable = status in RETRYABLE or status >= 500
    wait = _retry_after(response.headers.get("retry-after"), now) if status == 429 else None
    return Attempt(False, retryable, f"HTTP {status}", wait)


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    seconds = min(FIRST_BACKOFF * 2 ** max(0, attempts - 1), MAX_BACKOFF)
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, MAX_RETRY_AFTER))
    return timedelta(seconds=seconds)


@dataclass(kw_only=True, eq=False)
class WebhookDeliverer(WorkflowContext):
    """The `events` timer job's second half (after the sequencer)."""

    subscriptions: list[Subscription]
    client: httpx.Client
    lease: timedelta = timedelta(seconds=60)
    batch: int = 200
    owner: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _people: EventPeople | None = field(default=None, init=False)

    def people(self) -> EventPeople:
        """People in the bodies, as the feed shows them (resolved once)."""
        if self._people is None:
            self._people = event_people(self.database, config=self.config, now=self.clock.now())
        return self._people

    def ensure_cursors(self) -> None:
        """A new subscription starts at the feed's head: it hears what happens from now
        on (`sopbot webhooks replay NAME --since` sends older events)."""
        for sub in self.subscriptions:
            with self.database.transaction() as session:
                if session.get(WebhookCursor, sub.hook.name) is not None:
                    continue
                try:
                    with session.begin_nested():
                        session.add(_new_cursor(sub.hook.name, head_position(session)))
                except IntegrityError:
                    pass  # another replica created it first

    def run_once(self) -> int:
        self.ensure_cursors()
        return sum(self._deliver(sub) for sub in self.subscriptions)

    def _claim(self, name: str) -> WebhookCursor | None:
        now = self.clock.now()
        with self.database.transaction() as session:
            claimed = session.execute(
                update(WebhookCursor)
                .where(
                    WebhookCursor.name == name,
                    (WebhookCursor.lease_until.is_(None))
                    | (WebhookCursor.lease_until < now)
                    | (WebhookCursor.lease_owner == self.owner),
                )
                .values(lease_until=now + self.lease, lease_owner=self.owner)
            ).rowcount
            if claimed != 1:
                return None
            return session.scalars(select(WebhookCursor).where(WebhookCursor.name == name)).one()

    def _deliver(self, sub: Subscription) -> int:
        cursor = self._claim(sub.hook.name)
        if cursor is None:
            return 0
        sent, started = 0, time.monotonic()
        try:
            while time.monotonic() - started < self.lease.total_seconds() / 2:
                now = self.clock.now()
                if cursor.next_attempt_at is not None and cursor.next_attempt_at > now:
                    break
                with self.database.read() as session:
                    rows = bodies_after(
                        session,
                        after=cursor.position,
                        types=sub.hook.events,
                        limit=self.batch,
                        people=self.people(),
                    )
                failures: list[dict[str, Any]] = []
                held = False
                for row in rows:
                    held = not self._send(sub, cursor, row, failures)
                    if held:
                        break
                    sent += 1
                if not self._save(cursor, failures) or held or len(rows) < self.batch:
                    break
        finally:
            self._release(sub.hook.name)
        return sent

    def _send(
        self, sub: Subscription, cursor: WebhookCursor, row: tuple[int, str, str], failures: list
    ) -> bool:
        """Send one event (position, type, stored body); False when it must be retried
        later (the cursor holds)."""
        now = self.clock.now()
        position, type_, body = row
        result = post(self.client, sub, msg_id=event_id(position), body=body.encode(), now=now)
        if result.ok:
            cursor.position, cursor.delivered = position, cursor.delivered + 1
            cursor.attempts, cursor.failing_since, cursor.next_attempt_at = 0, None, None
            cursor.last_error = None
            return True
        cursor.last_error = result.error
        failing_since = cursor.failing_since or now
        if result.retryable:
            cursor.failing_since = failing_since
            if now - failing_since < sub.hook.retry_for:
                cursor.attempts += 1
                cursor.next_attempt_at = now + backoff(cursor.attempts, result.retry_after)
                return False
        failures.append(
            {
                "subscription": sub.hook.name,
                "event_id": event_id(position),
                "type": type_,
                "error": result.error,
                "attempts": cursor.attempts + 1,
            }
        )
        cursor.position, cursor.failed = position, cursor.failed + 1
        cursor.attempts, cursor.next_attempt_at = 0, None
        return True

    def _save(self, cursor: WebhookCursor, failures: list[dict[str, Any]]) -> bool:
        """Write the cursor back if the lease is still ours; False when it was lost."""
        now = self.clock.now()
        with self.database.transaction() as session:
            saved = session.execute(
                update(WebhookCursor)
                .where(WebhookCursor.name == cursor.name, WebhookCursor.lease_owner == self.owner)
                .values(
                    position=cursor.position,
                    attempts=cursor.attempts,
                    failing_since=cursor.failing_since,
                    next_attempt_at=cursor.next_attempt_at,
                    last_error=cursor.last_error,
                    delivered=cursor.delivered,
                    failed=cursor.failed,
                    lease_until=now + self.lease,
                )
            ).rowcount
            if saved != 1:
                return False  # another replica holds it now; its own cursor state wins
            for failure in failures:
                record_event(session, kind=EventsAudit.WEBHOOK_FAILED, at=now, **failure)
        return True

    def _release(self, name: str) -> None:
        with self.database.transaction() as session:
            session.execute(
                update(WebhookCursor)
                .where(WebhookCursor.name == name, WebhookCursor.lease_owner == self.owner)
                .values(lease_until=None, lease_owner=None)
            )


def _new_cursor(name: str, position: int) -> WebhookCursor:
    return WebhookCursor(name=name, position=position, attempts=0, delivered=0, failed=0)
