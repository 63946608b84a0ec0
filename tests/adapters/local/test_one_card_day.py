"""A day of the demo with the clock running through reminders and two escalation
levels: each person has one card per recommendation (top-level post) and at most one
short follow-up per reminder or escalation under it (issue 27)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import demo_settings, seed
from bot.demo_context import seed_rules
from bot.runtime import Runtime, build_runtime
from core.clock import AdjustableClock
from core.domain import EventKind
from storage.models import Event
from tests.support.data import MONDAY_9
from tests.support.web import local_chat_of


@pytest.fixture
def demo_day(tmp_path: Path) -> Iterator[Runtime]:
    (tmp_path / "demo").mkdir()
    runtime = build_runtime(
        demo_settings(tmp_path / "demo"), clock=AdjustableClock(MONDAY_9, frozen=True)
    )
    seed_rules(runtime)
    seed(runtime)
    runtime.outbox.drain()
    # Through a working day and the next morning, an hour at a time (reminders at 50% and
    # 90%, escalation levels 1 and 2 of the 4h and 8h types).
    for _ in range(30):
        runtime.advance_clock(timedelta(hours=1))
    yield runtime
    runtime.stop()


def test_one_card_per_item_per_person_over_a_day(demo_day: Runtime) -> None:
    chat = local_chat_of(demo_day)
    posts = [
        p for p in chat.all_posts() if p.message.recommendation_id is not None and not p.is_channel
    ]
    cards = Counter((p.message.recommendation_id, p.to) for p in posts if p.reply_to is None)
    follow_ups = Counter((p.message.recommendation_id, p.to) for p in posts if p.reply_to)
    with demo_day.database.transaction() as session:
        steps = Counter(
            (e.recommendation_id, e.data.get("to"))
            for e in session.scalars(select(Event).where(Event.kind == EventKind.DELIVERED))
            if e.data.get("purpose") in ("reminder", "escalation")
        )
    most = max(cards.values())
    print(
        f"\ntop-level posts per recommendation per person: max {most}, "
        f"mean {sum(cards.values()) / len(cards):.2f} over {len(cards)} pairs; "
        f"follow-ups {sum(follow_ups.values())}, clock steps {sum(steps.values())}"
    )
    assert sum(steps.values()) >= 10  # the day did remind and escalate
    assert most == 1, cards.most_common(5)
    for pair, count in follow_ups.items():
        assert count <= steps[pair], pair
    # the escalation channel: one compact entry per item, updated in place
    entries = Counter(
        p.message.recommendation_id
        for p in chat.channel_posts()
        if p.message.recommendation_id is not None
    )
    print(f"channel entries: {sum(entries.values())} for {len(entries)} items")
    assert entries and max(entries.values()) == 1
    # beside them, one line a day per person with something waiting (Monday, Tuesday)
    lines = Counter(
        (p.message.header.split(":")[0], p.sent_at.date())
        for p in chat.channel_posts()
        if p.message.recommendation_id is None
    )
    print(f"daily lines: {sum(lines.values())}")
    assert all(name.startswith("Waiting on ") for name, _day in lines)
    assert lines and max(lines.values()) == 1 and len({day for _, day in lines}) == 2
    assert all(p.message.buttons == [] for p in chat.channel_posts())
