"""`readiness.changed`: the go-live check is computed, not stored, so a change is noticed
by looking. The watcher compares the gates' pass/fail with the last `readiness_changed`
audit row and appends a new one when they differ: the audit row is the fact, and the
sequencer publishes it like every other."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from storage.models import Event
from workflows.audit import record_event
from workflows.events.kinds import EventsAudit
from workflows.readiness import check_readiness


def _state(session: Session, *, config: Config, now: datetime) -> dict[str, Any]:
    readiness = check_readiness(session, config=config, now=now)
    gates = [
        {"id": g.id, "name": g.name, "hard": g.hard, "passed": g.passed} for g in readiness.gates
    ]
    return {"ready": readiness.ready, "gates": gates}


def record_readiness_change(session: Session, *, config: Config, now: datetime) -> bool:
    """Append a `readiness_changed` audit row when the gates differ from the last one."""
    state = _state(session, config=config, now=now)
    last = session.scalar(
        select(Event.data)
        .where(Event.kind == EventsAudit.READINESS_CHANGED)
        .order_by(Event.id.desc())
        .limit(1)
    )
    if last is not None and {k: last.get(k) for k in state} == state:
        return False
    record_event(session, kind=EventsAudit.READINESS_CHANGED, at=now, **state)
    return True
