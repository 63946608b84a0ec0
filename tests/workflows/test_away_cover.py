"""Out of office, what happens to the owner's open items (issue 24): they are offered to
the delegate (one card each, through the outbox, saying for whom), due times stay, the
delegate decides on the owner's behalf while the absence lasts and not after, nobody
else gains a right, and the SLA sweep ends the absence by itself, audited once.

Hand-checked times: MONDAY_9 is Mon 30 Nov 2026 09:00 Berlin (08:00 UTC); a stockout
risk (8 business hours, 08:00-17:00) received then is due Mon 17:00 Berlin = 16:00 UTC.
`until 2026-12-18` ends at Sat 19 Dec 00:00 Berlin = Fri 18 Dec 23:00 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.domain import EventKind, OutboxKind
from storage.models import Absence, Decision, Event, OutboxItem, Recommendation
from tests.support.data import make_rec
from tests.support.intake import ingest
from workflows.decisions.service import record_accept
from workflows.delivery.worker import OutboxWorker
from workflows.errors import NotPermitted
from workflows.ownership import set_absence
from workflows.service import Services
from workflows.sla.sweep import sweep

DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
ENDS = datetime(2026, 12, 18, 23, 0, tzinfo=UTC)


def ingest_for_ana(services: Services, count: int) -> list[int]:
    results = ingest(services, *(make_rec() for _ in range(count)))
    return [r.id for r in results]


def away(services: Services, *, delegate: str | None, until: date = date(2026, 12, 18)) -> None:
    with services.database.transaction() as session:
        set_absence(
            session,
            config=services.config,
            now=services.clock.now(),
            actor_id="ana",
            person_id="ana",
            until=until,
            delegate_id=delegate,
        )


def events(services: Services, kind: EventKind) -> list[Event]:
    with services.database.transaction() as session:
        found = session.scalars(select(Event).where(Event.kind == kind.value).order_by(Event.id))
        return list(found)


def decision(services: Services, rec_id: int) -> Decision:
    with services.database.transaction() as session:
        found = session.scalars(select(Decision).where(Decision.recommendation_id == rec_id))
        return found.one()


def sweep_at(services: Services, moment: datetime):
    return sweep(
        database=services.database,
        config=services.config,
        calendars=services.calendars,
        now=moment,
    )


def test_open_items_are_offered_to_the_delegate_once_with_the_owner_on_them(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat, clock: AdjustableClock
) -> None:
    decided, first, second = ingest_for_ana(services, 3)
    outbox.drain()
    record_accept(services, recommendation_id=decided, actor_id="ana", channel="api")
    clock.advance(timedelta(hours=1))
    away(services, delegate="finn")

    offered = events(services, EventKind.DELEGATED)
    assert [e.recommendation_id for e in offered] == [first, second]  # not the decided one
    for event in offered:
        assert event.actor_id == "ana"
        assert event.data == {
            "owner": "ana",
            "delegate": "finn",
            "until": "2026-12-18",
            "how": "offered",
        }
    with services.database.transaction() as session:
        rows = session.scalars(
            select(OutboxItem).where(OutboxItem.person_id == "finn").order_by(OutboxItem.id)
        ).all()
        assert [(r.kind, r.recommendation_id) for r in rows] == [
            (OutboxKind.DELIVER, first),
            (OutboxKind.DELIVER, second),
        ]
        assert all(r.payload == {"purpose": "owner", "offered_for": "ana"} for r in rows)
        # The SLA clock keeps running: due times and owner untouched.
        for rec_id in (first, second):
            rec = session.get(Recommendation, rec_id)
            assert (rec.owner_id, rec.due_at) == ("ana", DUE)

    outbox.drain()
    cards = chat.to("finn")
    assert sorted(m.recommendation_id for m in cards) == [first, second]
    for card in cards:
        assert card.state[-1] == "For Ana Lopez, away until 18 Dec"
        assert [b.label for b in card.buttons] == ["Accept", "Override", "Reassign"]
        assert all(b.on_behalf for b in card.buttons if b.label != "Reassign")
    # Ana's own cards do not say it; nobody else got anything.
    assert not any("away until" in " ".join(m.state + m.context) for m in chat.to("ana"))

    # The same delegate, a later end: nothing offered again. A new delegate: offered.
    away(services, delegate="finn", until=date(2026, 12, 20))
    assert len(events(services, EventKind.DELEGATED)) == 2
    away(services, delegate="eve", until=date(2026, 12, 20))
    outbox.drain()
    assert sorted(m.recommendation_id for m in chat.to("eve")) == [first, second]
    assert len(chat.to("finn")) == 2
    assert "For Ana Lopez, away until 20 Dec" in chat.to("eve")[0].state


def test_the_delegate_decides_on_the_owners_behalf_only_while_she_is_away(
    services: Services, outbox: OutboxWorker, clock: AdjustableClock
) -> None:
    first, second, third = ingest_for_ana(services, 3)
    outbox.drain()
    # Before the absence Finn (neither owner, backup, manager nor lead) may not decide.
    with pytest.raises(NotPermitted):
        record_accept(services, recommendation_id=first, actor_id="finn", channel="api")
    away(services, delegate="finn")

    record_accept(services, recommendation_id=first, actor_id="finn", channel="slack")
    made = decision(services, first)
    assert (made.actor_id, made.role, made.on_behalf_of) == ("finn", "delegate", "ana")
    [accepted] = events(services, EventKind.ACCEPTED)
    assert accepted.actor_id == "finn"
    assert (accepted.data["role"], accepted.data["on_behalf_of"]) == ("delegate", "ana")

    # Carl is neither owner, delegate, manager nor lead: still refused, and audited.
    with pytest.raises(NotPermitted):
        record_accept(services, recommendation_id=second, actor_id="carl", channel="api")
    refused = events(services, EventKind.DECISION_REFUSED)
    assert [(e.actor_id, e.recommendation_id) for e in refused] == [
        ("finn", first),
        ("carl", second),
    ]

    # Fri 18 Dec 22:59 UTC is still her last day (23:59 Berlin): Finn may.
    clock.set(ENDS - timedelta(minutes=1))
    record_accept(services, recommendation_id=second, actor_id="finn", channel="api")
    # From the midnight after it, read as ended even before any sweep: Finn may not.
    clock.set(ENDS)
    with pytest.raises(NotPermitted):
        record_accept(services, recommendation_id=third, actor_id="finn", channel="api")
    record_accept(services, recommendation_id=third, actor_id="ana", channel="api")
    assert decision(services, third).role == "owner"


def test_a_delegate_who_is_also_the_backup_keeps_the_backups_right_after(
    services: Services, outbox: OutboxWorker, clock: AdjustableClock
) -> None:
    """Dora is the stockout backup: while Ana is away she decides as the delegate; after,
    as the backup (the other permission still allows it)."""
    first, second = ingest_for_ana(services, 2)
    away(services, delegate="dora")
    record_accept(services, recommendation_id=first, actor_id="dora", channel="api")
    assert decision(services, first).role == "delegate"
    clock.set(ENDS)
    record_accept(services, recommendation_id=second, actor_id="dora", channel="api")
    made = decision(services, second)
    assert (made.role, made.on_behalf_of) == ("backup", "ana")


def test_the_sweep_ends_the_absence_by_itself_once_and_routing_goes_back(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat, clock: AdjustableClock
) -> None:
    [open_item] = ingest_for_ana(services, 1)
    away(services, delegate="finn", until=date(2026, 12, 4))
    outbox.drain()
    [card] = chat.to("finn")
    assert card.buttons
    # Sat 5 Dec 00:00 Berlin = Fri 4 Dec 23:00 UTC.
    end = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    assert sweep_at(services, end - timedelta(seconds=1)).ended == []
    assert events(services, EventKind.BACK) == []

    report = sweep_at(services, end)
    assert [a.person_id for a in report.ended] == ["ana"]
    [back] = events(services, EventKind.BACK)
    assert back.at == end
    assert back.data == {
        "person_id": "ana",
        "delegate_id": "finn",
        "reason": "absence ended after 2026-12-04",
    }
    with services.database.transaction() as session:
        assert session.get(Absence, "ana") is None
    assert sweep_at(services, end + timedelta(minutes=5)).ended == []
    assert len(events(services, EventKind.BACK)) == 1  # audited once

    # Finn's card is redrawn without the buttons he no longer may press.
    clock.set(end)
    outbox.drain()
    [card] = chat.to("finn")
    assert card.buttons == [] and not any(
        "away until" in line for line in card.state + card.context
    )
    # New items route to Ana again.
    [new] = ingest(services, make_rec())
    with services.database.transaction() as session:
        assert session.get(Recommendation, new.id).owner_id == "ana"
        assert session.get(Recommendation, open_item).owner_id == "ana"
