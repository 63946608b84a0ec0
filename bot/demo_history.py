"""The demo's past: a quarter of decided recommendations with what actually happened
(bot/data/demo_history.json), so the override review, the calibration and the
track-record line on each sample show real numbers in `sopbot demo`.

Each item is a recommendation payload plus `history`: how many days ago it arrived,
how it was decided (and how many business hours that took) and the actual value. It is
routed by the demo matrix like a live one and written as it would have been stored."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from core.domain import DecisionKind, EventKind, Status
from core.recommendation import RecommendationIn
from storage.models import Decision, Event, Outcome, Recommendation
from workflows.intake import CONTENT_COLUMNS
from workflows.ownership import route

HISTORY_PATH = Path(__file__).parent / "data" / "demo_history.json"
FEED_LAG, ENTRY_LAG = timedelta(minutes=9), timedelta(minutes=4)  # a healthy feed
# The stored content of an item, but its times: the past's come from `history` below.
_TIMES = ("event_time", "recorded_time", "respond_by")
_COLUMNS = tuple(name for name in CONTENT_COLUMNS if name not in _TIMES)


def _rows(runtime: Runtime, raw: dict[str, Any]) -> tuple[Recommendation, dict[str, Any]]:
    past = raw.pop("history")
    item = RecommendationIn.model_validate(raw)
    calendars = runtime.services.calendars
    arrived = runtime.clock.now() - timedelta(days=past["days_ago"])
    received = calendars.for_person(None).next_open(arrived)
    routing = route(config=runtime.config, calendars=calendars, rec=item, received_at=received)
    calendar = calendars.for_person(routing.owner)
    decided = calendar.add(received, timedelta(hours=past["decision"]["hours"]))
    rec = Recommendation(
        **{name: getattr(item, name) for name in _COLUMNS},
        source=item.source,
        external_id=item.external_id,
        revision=1,
        drivers=[],
        links=[],
        content_hash=hashlib.sha256(item.model_dump_json().encode()).hexdigest(),
        event_time=received - FEED_LAG,
        recorded_time=received - FEED_LAG + ENTRY_LAG,
        received_at=received,
        status=Status.DECIDED,
        tier=routing.tier,
        owner_id=routing.owner,
        backup_id=routing.backup,
        route=routing.route,
        due_at=routing.due_at,
        reminders_sent=0,
        escalation_level=1 if decided > routing.due_at else 0,
        decided_at=decided,
    )
    return rec, {**past, "received": received, "decided": decided}


def seed_history(runtime: Runtime) -> int:
    """Write the demo's past (once, into an empty demo database)."""
    items = json.loads(HISTORY_PATH.read_text(encoding="utf-8"))
    with runtime.database.transaction() as session:
        for raw in items:
            rec, past = _rows(runtime, raw)
            session.add(rec)
            session.flush()
            decision = past["decision"]
            override = decision["kind"] == DecisionKind.OVERRIDE
            session.add_all(
                [
                    Event(
                        recommendation_id=rec.id,
                        kind=EventKind.RECEIVED,
                        at=past["received"],
                        data={"source": rec.source, "owner": rec.owner_id, "demo_history": True},
                    ),
                    Decision(
                        recommendation_id=rec.id,
                        automatic=False,
                        kind=decision["kind"],
                        actor_id=rec.owner_id,
                        role="owner",
                        reason_code=decision.get("reason_code"),
                        note=decision.get("note"),
                        value=decision.get("value"),
                        channel="local",
                        decided_at=past["decided"],
                    ),
                    Event(
                        recommendation_id=rec.id,
                        actor_id=rec.owner_id,
                        at=past["decided"],
                        kind=EventKind.OVERRIDDEN if override else EventKind.ACCEPTED,
                        data={},
                    ),
                    Outcome(
                        recommendation_id=rec.id,
                        actual_value=past["outcome"]["actual_value"],
                        recorded_at=past["decided"] + timedelta(days=2),
                    ),
                ]
            )
    return len(items)
