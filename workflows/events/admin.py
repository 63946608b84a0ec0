"""What an operator does with subscriptions: see where each stands, send a signed test,
and replay from a position (the cursor moves back; the deliverer re-sends from there)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.event_settings import Webhook
from storage.models import FeedEvent, WebhookCursor
from workflows.audit import record_event
from workflows.events.feed import BadCursor, decode_cursor
from workflows.events.kinds import EventsAudit
from workflows.events.sequencer import head_position
from workflows.events.webhooks import Attempt, Subscription, post

TEST_TYPE = "webhook.test"  # not in the catalogue: receivers may ignore it


@dataclass(frozen=True)
class HookStatus:
    name: str
    url: str
    events: list[str]
    position: int | None  # None: never started
    behind: int
    delivered: int
    failed: int
    last_error: str | None
    next_attempt_at: datetime | None


def hook_statuses(session: Session, hooks: list[Webhook]) -> list[HookStatus]:
    cursors = {c.name: c for c in session.scalars(select(WebhookCursor))}
    head = head_position(session)
    out = []
    for hook in hooks:
        c = cursors.get(hook.name)
        position = c.position if c else None
        out.append(
            HookStatus(
                name=hook.name,
                url=hook.url,
                events=hook.events or ["*"],
                position=position,
                behind=head - position if position is not None else 0,
                delivered=c.delivered if c else 0,
                failed=c.failed if c else 0,
                last_error=c.last_error if c else None,
                next_attempt_at=c.next_attempt_at if c else None,
            )
        )
    return out


def first_position(session: Session, *, since: str) -> int:
    """The first position to re-send: a feed cursor (the event after it), a position
    number, or an ISO date-time (the first event at or after it)."""
    if since.isdigit():
        return max(1, int(since))
    if since.startswith("sb1."):
        return decode_cursor(since) + 1
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        raise BadCursor(f"'{since}' is neither a position, a cursor nor a date-time") from None
    if moment.tzinfo is None:
        raise BadCursor(f"'{since}' needs a time zone, e.g. {since}+00:00")
    found = session.scalar(select(func.min(FeedEvent.position)).where(FeedEvent.at >= moment))
    return found if found is not None else head_position(session) + 1


def replay(session: Session, *, hook: Webhook, since: str, now: datetime) -> int:
    """Move the hook's cursor back so delivery resumes at the first position of `since`;
    answers that position. Already-delivered events go again, with the same ids."""
    start = first_position(session, since=since)
    if session.get(WebhookCursor, hook.name) is None:
        session.add(WebhookCursor(name=hook.name, position=0, attempts=0, delivered=0, failed=0))
        session.flush()
    session.execute(
        update(WebhookCursor)
        .where(WebhookCursor.name == hook.name)
        .values(position=start - 1, attempts=0, failing_since=None, next_attempt_at=None)
    )
    record_event(
        session, kind=EventsAudit.WEBHOOK_REPLAYED, at=now, subscription=hook.name, since=start
    )
    return start


def send_test(client: httpx.Client, sub: Subscription, *, now: datetime) -> Attempt:
    body = {
        "type": TEST_TYPE,
        "timestamp": now.isoformat(),
        "data": {"subscription": sub.hook.name},
    }
    raw = json.dumps(body, separators=(",", ":")).encode()
    return post(
        client,
        sub,
        msg_id=f"evt_test_{uuid.uuid4().hex[:12]}_{int(time.time())}",
        body=raw,
        now=now,
    )
