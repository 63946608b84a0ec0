"""Setting and ending an absence, and what each starts: when it is set the owner's open
items are offered to whoever now acts for them (one card per item, through the outbox
like any delivery, with the owner's name on it); when it ends, by itself or cleared, the
cards are redrawn (the stand-in's buttons go) and new items route to the owner again.
Due times are never touched: the SLA clock keeps running. Every step is audited with
both names (`away`, `delegated`, `back`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import EventKind, OutboxKind, Status
from storage.driver_writes import insert_if_absent
from storage.models import Absence, Recommendation
from workflows.audit import record_event
from workflows.errors import InvalidInput, NotPermitted
from workflows.outbox import OFFERED_FOR, enqueue_many, outbox_row
from workflows.ownership.absences import Away, absences, ends_at, may_set, stand_in, view


def set_absence(
    session: Session,
    *,
    config: Config,
    now: datetime,
    actor_id: str | None,
    person_id: str,
    until: date,
    delegate_id: str | None,
) -> Away:
    """Set (or replace) `person_id`'s absence; refused with a sentence saying why. Their
    open items are offered to whoever acts for them now, unless that person already had
    them from the absence this one replaces."""
    if person_id not in config.people_by_id:
        raise InvalidInput("person", f"nobody called '{person_id}' is in the configuration")
    if not may_set(config, actor_id=actor_id, person_id=person_id):
        raise NotPermitted(f"only {person_id} or their manager may set their absence")
    if delegate_id is not None and delegate_id not in config.people_by_id:
        raise InvalidInput("delegate", f"nobody called '{delegate_id}' is in the configuration")
    if delegate_id == person_id:
        raise InvalidInput("delegate", "the delegate must be someone else")
    end = ends_at(config, person_id=person_id, until=until)
    if end <= now:
        raise InvalidInput("until", f"{until.isoformat()} has passed: give the last day away")
    # Two of the same command at once: the first creates the row, the second waits for
    # it and then replaces it under the row lock, so the offers are made once.
    created = bool(
        insert_if_absent(
            session,
            Absence,
            {
                "person_id": person_id,
                "until": until,
                "ends_at": end,
                "delegate_id": delegate_id,
                "set_by": actor_id or "cli",
                "set_at": now,
            },
        )
    )
    row = session.get(Absence, person_id, with_for_update=True, populate_existing=True)
    assert row is not None
    before = absences(session, now=now)
    if created:  # what this call wrote is not a previous absence
        before.pop(person_id, None)
    row.until, row.ends_at, row.delegate_id = until, end, delegate_id
    row.set_by, row.set_at = actor_id or "cli", now
    record_event(
        session,
        kind=EventKind.AWAY,
        at=now,
        actor_id=actor_id,
        person_id=person_id,
        delegate_id=delegate_id,
        until=until.isoformat(),
    )
    away = view(row)
    offer_open_items(
        session, now=now, actor_id=actor_id, before=before, after={**before, person_id: away}
    )
    return away


def offer_open_items(
    session: Session,
    *,
    now: datetime,
    actor_id: str | None,
    before: Mapping[str, Away],
    after: Mapping[str, Away],
) -> int:
    """Offer each open item of the owner whose absence changed (`after` holds it) to its
    stand-in: a delivery to them (the card, drawn for them, says for whom) and a
    `delegated` event naming both. Returns how many were offered."""
    changed = [p for p, a in after.items() if before.get(p) != a]
    if not changed:
        return 0
    recs = session.execute(
        select(Recommendation.id, Recommendation.owner_id, Recommendation.backup_id)
        .where(Recommendation.status == Status.OPEN, Recommendation.owner_id.in_(changed))
        .order_by(Recommendation.id)
    ).all()
    rows = []
    for rec_id, owner, backup in recs:
        taker = stand_in(after, person_id=owner, backup=backup)
        had = stand_in(before, person_id=owner, backup=backup) if owner in before else owner
        if taker is None or taker in (owner, had):
            continue
        absence = after[owner]
        rows.append(
            outbox_row(
                kind=OutboxKind.DELIVER,
                key=f"offer:{rec_id}:{taker}:{int(absence.ends_at.timestamp())}",
                now=now,
                recommendation_id=rec_id,
                person_id=taker,
                payload={"purpose": "owner", OFFERED_FOR: owner},
            )
        )
        record_event(
            session,
            kind=EventKind.DELEGATED,
            at=now,
            recommendation_id=rec_id,
            actor_id=actor_id,
            owner=owner,
            delegate=taker,
            until=absence.until.isoformat(),
            how="offered",
        )
    enqueue_many(session, rows)
    return len(rows)


def _redraw_items_of(session: Session, *, person_id: str, now: datetime, why: str) -> None:
    """The owner is back: every card of their open items is redrawn, so a stand-in's
    card no longer offers what they may no longer do."""
    ids = session.scalars(
        select(Recommendation.id).where(
            Recommendation.status == Status.OPEN, Recommendation.owner_id == person_id
        )
    ).all()
    enqueue_many(
        session,
        [
            outbox_row(
                kind=OutboxKind.REFRESH,
                key=f"refresh:back:{rec_id}:{why}",
                now=now,
                recommendation_id=rec_id,
            )
            for rec_id in ids
        ],
    )


def clear_absence(
    session: Session, *, config: Config, now: datetime, actor_id: str | None, person_id: str
) -> bool:
    """End `person_id`'s absence now; False if they were not away."""
    if not may_set(config, actor_id=actor_id, person_id=person_id):
        raise NotPermitted(f"only {person_id} or their manager may end their absence")
    row = session.get(Absence, person_id)
    if row is None:
        return False
    record_event(
        session,
        kind=EventKind.BACK,
        at=now,
        actor_id=actor_id,
        person_id=person_id,
        delegate_id=row.delegate_id,
        reason="cleared",
    )
    _redraw_items_of(session, person_id=person_id, now=now, why=f"{int(now.timestamp())}")
    session.delete(row)
    return True


def end_expired(session: Session, *, now: datetime) -> list[Away]:
    """Delete and audit the absences whose end has passed: the absence ends by itself
    (readers already ignore it at its end; this keeps the trail saying when, with both
    names, and redraws the stand-in's cards). Rows another replica is ending are
    skipped (PostgreSQL), so each end is audited once."""
    rows = session.scalars(
        select(Absence).where(Absence.ends_at <= now).with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        record_event(
            session,
            kind=EventKind.BACK,
            at=now,
            person_id=row.person_id,
            delegate_id=row.delegate_id,
            reason=f"absence ended after {row.until.isoformat()}",
        )
        _redraw_items_of(
            session, person_id=row.person_id, now=now, why=f"{int(row.ends_at.timestamp())}"
        )
    ended = [view(r) for r in rows]
    if rows:
        session.execute(delete(Absence).where(Absence.person_id.in_([r.person_id for r in rows])))
    return ended
