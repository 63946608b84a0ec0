"""The digest tier: low-confidence items and overflow beyond the daily cap of direct
messages reach the owner once a day, at the start of their business day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.chat import DeliveryError
from core.domain import OutboxKind, Tier
from core.messages import ButtonAction
from storage.models import OutboxItem
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.decisions.service import record_accept
from workflows.digest.compose import PAGE_ITEMS


def digest_rows(world: World) -> int:
    with world.services.database.transaction() as session:
        query = (
            select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == OutboxKind.DIGEST)
        )
        return session.scalar(query) or 0


def test_low_confidence_items_arrive_in_one_digest_next_morning(world: World) -> None:
    first, second = world.ingest(make_rec(confidence=0.3), make_rec(confidence=0.4, sku="SKU-9"))
    assert world.received("ana") == []
    assert world.rec(first.id).next_action_at == berlin(2026, 12, 1, 8, 0)  # Tuesday opening
    assert world.at(berlin(2026, 12, 1, 7, 59)).steps == []
    world.at(berlin(2026, 12, 1, 8, 0))
    [digest] = world.received("ana")
    assert digest.header == "Your daily digest: 2 recommendations"
    assert len(digest.items) == 2
    for item in digest.items:
        assert [b.action for b in item.buttons] == [
            ButtonAction.ACCEPT,
            ButtonAction.OVERRIDE,
            ButtonAction.REASSIGN,
        ]
        assert "Low confidence: listed in the digest" in item.context
    # The same sweep again, or a replica's, adds nothing: one digest per (owner, day).
    assert world.at(berlin(2026, 12, 1, 8, 0)).steps == []
    assert digest_rows(world) == 1 and len(world.received("ana")) == 1
    # An item from the digest is decided like any other; the digest changes in place.
    record_accept(world.services, recommendation_id=second.id, actor_id="ana", channel="local")
    world.outbox.drain()
    [digest] = world.received("ana")
    decided = next(i for i in digest.items if i.recommendation_id == second.id)
    still_open = next(i for i in digest.items if i.recommendation_id == first.id)
    assert decided.buttons == [] and decided.status.startswith("Accepted by Ana Lopez")
    assert len(still_open.buttons) == 3


def test_digest_key_is_per_owner_and_local_date(world: World) -> None:
    world.ingest(make_rec(confidence=0.3))
    world.at(berlin(2026, 12, 1, 8, 0))
    world.clock.set(berlin(2026, 12, 1, 9, 0))
    [late] = world.ingest(make_rec(confidence=0.3))
    assert world.rec(late.id).next_action_at == berlin(2026, 12, 2, 8, 0)
    world.at(berlin(2026, 12, 2, 8, 0))
    assert digest_rows(world) == 2
    assert [len(m.items) for m in world.received("ana")] == [1, 1]


def test_items_that_missed_a_sent_digest_wait_for_the_next_one(world: World) -> None:
    [first] = world.ingest(make_rec(confidence=0.3))
    world.at(berlin(2026, 12, 1, 8, 0))
    world.clock.set(berlin(2026, 11, 30, 10, 0))
    [straggler] = world.ingest(make_rec(confidence=0.3))  # due for the digest already sent
    world.at(berlin(2026, 12, 1, 8, 30))
    assert len(world.received("ana")) == 1
    assert world.rec(straggler.id).next_action_at == berlin(2026, 12, 2, 8, 0)
    world.at(berlin(2026, 12, 2, 8, 0))
    assert [len(m.items) for m in world.received("ana")] == [1, 1]
    assert first.id != straggler.id


def test_daily_cap_overflows_into_the_digest(world: World) -> None:
    cap = world.services.config.digest.daily_direct_cap  # 15 in the demo configuration
    assert cap == 15
    results = world.ingest(*[make_rec(sku=f"SKU-{n}") for n in range(cap + 3)])
    assert len(world.received("ana")) == cap
    overflow = results[cap:]
    for result in overflow:
        stored = world.rec(result.id)
        assert stored.tier == Tier.DIRECT and stored.digest_on == date(2026, 12, 1)
    world.at(berlin(2026, 12, 1, 8, 0))
    digest = world.received("ana")[-1]
    assert digest.header == "Your daily digest: 3 recommendations"
    assert "Listed in the digest: your daily limit of direct messages was reached" in (
        digest.items[0].context
    )
    # A new day: direct messages flow again.
    world.ingest(make_rec())
    assert world.received("ana")[-1].header.startswith("Stockout risk")


def test_over_the_cap_changes_the_announcement_never_the_escalation(world: World) -> None:
    """A confident recommendation listed in the digest because its owner hit the daily
    cap keeps its reminders and its escalation."""
    cap = world.services.config.digest.daily_direct_cap
    assert cap is not None
    results = world.ingest(*[make_rec(sku=f"SKU-{n}") for n in range(cap + 1)])
    over = results[-1]
    assert len(world.received("ana")) == cap
    world.at(berlin(2026, 11, 30, 13, 0))  # half the SLA: the reminders
    reminded = [m for m in world.received("ana") if m.recommendation_id == over.id]
    assert [m.header.split(":")[0] for m in reminded] == ["Reminder"]
    world.at(berlin(2026, 11, 30, 17, 1))  # past due: the manager is told
    escalated = [m for m in world.received("ben") if m.recommendation_id == over.id]
    assert [m.header.split(":")[0] for m in escalated] == ["Escalated"]


def test_a_long_digest_is_sent_in_parts_listing_every_item_once(world: World) -> None:
    results = world.ingest(*[make_rec(confidence=0.3, sku=f"SKU-{n}") for n in range(25)])
    world.at(berlin(2026, 12, 1, 8, 0))
    parts = world.received("ana")
    assert [len(p.items) for p in parts] == [PAGE_ITEMS, PAGE_ITEMS, 5]
    assert {p.header for p in parts} == {"Your daily digest: 25 recommendations"}
    assert [p.context[1] for p in parts] == ["Part 1 of 3", "Part 2 of 3", "Part 3 of 3"]
    listed = [item.recommendation_id for p in parts for item in p.items]
    assert sorted(listed) == sorted(r.id for r in results)  # every item, once
    assert all(item.buttons for p in parts for item in p.items)  # each with its actions
    # Later the same day and the next: nothing new, the day's digest was sent once.
    assert world.at(berlin(2026, 12, 1, 12, 0)).steps == []
    world.at(berlin(2026, 12, 2, 8, 0))
    assert len(world.received("ana")) == 3 and digest_rows(world) == 1


def test_a_digest_retried_after_a_failed_part_sends_only_the_rest(world: World) -> None:
    results = world.ingest(*[make_rec(confidence=0.3, sku=f"SKU-{n}") for n in range(15)])
    world.at(berlin(2026, 12, 1, 8, 0), deliver=False)
    original = world.chat.send
    calls = []

    def second_part_fails(**kwargs: object) -> object:
        calls.append(kwargs)
        if len(calls) == 2:
            raise DeliveryError("Slack server error (HTTP 503)", transient=True)
        return original(**kwargs)  # type: ignore[arg-type]

    world.chat.send = second_part_fails  # type: ignore[method-assign]
    assert world.outbox.run_once().retried == 1
    world.clock.advance(timedelta(minutes=5))
    world.outbox.drain()
    parts = world.received("ana")
    assert [len(p.items) for p in parts] == [PAGE_ITEMS, 5]
    listed = [item.recommendation_id for p in parts for item in p.items]
    assert sorted(listed) == sorted(r.id for r in results)


def test_a_digest_that_fails_for_good_is_audited_and_reaches_the_backup(world: World) -> None:
    results = world.ingest(*[make_rec(confidence=0.3, sku=f"SKU-{n}") for n in range(3)])
    world.chat.unreachable.add("ana")
    world.at(berlin(2026, 12, 1, 8, 0))
    for result in results:
        assert "delivery_failed" in [e.kind for e in world.events(result.id)]
    to_backup = world.received("dora")
    assert sorted(m.recommendation_id for m in to_backup) == sorted(r.id for r in results)
    assert {m.context[0] for m in to_backup} == {"Could not reach Ana Lopez; sent to you instead."}
