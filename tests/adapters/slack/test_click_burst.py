"""A burst: 100 signed clicks sent at once over real HTTP to the real app, two per
recommendation (the owner and their backup racing each other). Every click is answered
200; each recommendation is decided exactly once (the database's unique key), by
whoever came first; the other clicker is told who that was; the clicked messages are
updated in place. No timing is asserted here: bench/clicks.py measures the acks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.slack.ids import ActionId
from adapters.slack.payloads import ButtonValue
from core.config import Config
from storage.models import ChatMessage, Decision
from tests.support.data import make_rec
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch

RECOMMENDATIONS = 50
CLICKERS = ("U0ANA", "U0DORA")  # the owner of a DC-NORTH stockout risk, and the backup


@pytest.fixture
def config(config: Config) -> Config:
    """The demo configuration without its daily cap: all 50 reach Ana directly."""
    return config.model_copy(
        update={"digest": config.digest.model_copy(update={"daily_direct_cap": None})}
    )


def deliver(world: SlackWorld) -> list[tuple[int, str, str]]:
    """50 recommendations for Ana, delivered: (id, DM channel, message ts)."""
    raw = [world_rec(n) for n in range(RECOMMENDATIONS)]
    ingest(world.runtime.services, items=validate_batch(config=world.runtime.config, raw_items=raw))
    world.runtime.outbox.drain()
    world.settled()
    with world.runtime.database.read() as session:
        rows = session.execute(
            select(ChatMessage.recommendation_id, ChatMessage.channel, ChatMessage.message_id)
            .where(ChatMessage.purpose == "owner")
            .order_by(ChatMessage.recommendation_id)
        ).all()
    assert len(rows) == RECOMMENDATIONS
    return [(r[0], r[1], r[2]) for r in rows]


def world_rec(n: int) -> dict[str, Any]:
    return make_rec(title=f"SKU-{n} at DC-NORTH", sku=f"SKU-{n}")


def click(user_id: str, rec_id: int, channel: str, ts: str, n: int) -> dict[str, Any]:
    button = {
        "action_id": ActionId.ACCEPT.value,
        "text": {"type": "plain_text", "text": "Accept"},
        "value": ButtonValue(recommendation_id=rec_id).dump(),
    }
    return block_actions(
        user_id=user_id,
        button=button,
        channel=channel,
        message_ts=ts,
        action_ts=f"1764489600.{n:06d}",
    )


def test_a_hundred_concurrent_clicks_are_all_answered_and_decide_once(
    world: SlackWorld,
) -> None:
    delivered = deliver(world)
    world.fake.reset()
    clicks = [
        click(user, rec_id, channel, ts, n * 2 + i)
        for n, (rec_id, channel, ts) in enumerate(delivered)
        for i, user in enumerate(CLICKERS)
    ]
    assert len(clicks) == 100
    with ThreadPoolExecutor(max_workers=len(clicks)) as pool:
        statuses = list(
            pool.map(lambda payload: world.slack.interactive(payload).status_code, clicks)
        )
    assert statuses == [200] * len(clicks)

    world.settled()
    with world.runtime.database.read() as session:
        per_rec = dict(
            session.execute(
                select(Decision.recommendation_id, func.count()).group_by(
                    Decision.recommendation_id
                )
            ).all()
        )
    assert per_rec == {rec_id: 1 for rec_id, _channel, _ts in delivered}
    told = [p["text"] for p in world.fake.calls_to("chat.postEphemeral")]
    assert len(told) == RECOMMENDATIONS, "every second clicker is told, nobody else"
    assert all(
        t.startswith("Already decided") and ("by Ana Lopez" in t or "by Dora Novak" in t)
        for t in told
    ), told[:3]
    updated = {p["ts"] for p in world.fake.calls_to("chat.update")}
    assert updated >= {ts for _rec, _channel, ts in delivered}
