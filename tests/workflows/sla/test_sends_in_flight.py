"""How many outbox sends may be under way at once (`SOPBOT_OUTBOX_SENDS_IN_FLIGHT`): one by
default, so a crash costs at most the one message in flight; more only when asked for,
and then each recipient's messages still go one at a time, in order. Both databases."""

from __future__ import annotations

import threading
import time

import pytest

from bot.settings import Settings
from core.chat import InMemoryChat, MessageRef, SendKey
from core.config import Person
from core.messages import Message
from tests.support.data import make_rec
from tests.support.sla import World
from workflows.delivery.worker import OutboxWorker


class CountingChat(InMemoryChat):
    """Each send takes a while and the most sends seen under way at once is kept."""

    def __init__(self, *, finds: bool = False) -> None:
        super().__init__(finds=finds)
        self.lock = threading.Lock()
        self.under_way = 0
        self.most = 0

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        with self.lock:
            self.under_way += 1
            self.most = max(self.most, self.under_way)
        time.sleep(0.02)
        try:
            return super().send(person=person, message=message, key=key)
        finally:
            with self.lock:
                self.under_way -= 1


@pytest.mark.parametrize(("in_flight", "most"), [(1, 1), (4, 2)])
def test_sends_under_way_stay_within_what_the_deployment_allows(
    world: World, in_flight: int, most: int
) -> None:
    recs = [
        make_rec(sku=f"SKU-{n}", title=f"SKU-{n} bearing", site="PLANT-2" if n % 2 else "DC-NORTH")
        for n in range(12)
    ]
    world.ingest(*recs, deliver=False)
    chat = CountingChat()
    worker = OutboxWorker(
        database=world.services.database,
        config=world.services.config,
        chat=chat,
        clock=world.clock,
        sends_in_flight=in_flight,
    )
    worker.drain()
    owners = {sent.to for sent in chat.sent}
    assert len(owners) == 2 and len(chat.sent) == 12  # two recipients, every message once
    assert chat.most == most
    for person in owners:  # each recipient's messages in the order they were claimed
        skus = [int(m.header.split("SKU-")[1].split()[0]) for m in chat.to(person)]
        assert skus == sorted(skus) and len(set(skus)) == 6


def test_sends_the_platform_finds_again_are_not_held_to_one(world: World) -> None:
    """A send the platform finds again (a Slack DM by its mark) costs no copy when the
    worker dies, so the one-in-flight bound does not hold it back; each recipient's
    messages still go one at a time, in claim order, and a crash bound still holds for
    what cannot be found (channel copies: tests/workflows/sla/test_clock.py)."""
    recs = [
        make_rec(sku=f"SKU-{n}", title=f"SKU-{n} bearing", site="PLANT-2" if n % 2 else "DC-NORTH")
        for n in range(12)
    ]
    world.ingest(*recs, deliver=False)
    chat = CountingChat(finds=True)
    worker = OutboxWorker(
        database=world.services.database, config=world.services.config, chat=chat, clock=world.clock
    )
    worker.drain()
    assert len(chat.sent) == 12 and chat.most == 2  # both recipients at once
    for person in {sent.to for sent in chat.sent}:
        skus = [int(m.header.split("SKU-")[1].split()[0]) for m in chat.to(person)]
        assert skus == sorted(skus) and len(set(skus)) == 6


def test_the_setting_is_read_and_bounded() -> None:
    assert Settings.from_env({}).outbox_sends_in_flight == 1
    assert Settings.from_env({"SOPBOT_OUTBOX_SENDS_IN_FLIGHT": "4"}).outbox_sends_in_flight == 4
    with pytest.raises(ValueError, match="outbox_sends_in_flight"):
        Settings.from_env({"SOPBOT_OUTBOX_SENDS_IN_FLIGHT": "0"})
