"""Teams' escalation channel (issue 27): one compact entry per escalated item, without
buttons, updated in place (not posted again) when it escalates further and when someone
decides; and the daily line per person of what waits on them, once per business day.
Through the real botbuilder adapter and a fake Bot Connector."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.teams.test_pinned_channel import GENERAL, channel_install
from tests.fakes.bot_connector import Call
from tests.support.cards import card_actions, texts
from tests.support.teams import TeamsWorld
from workflows.decisions.service import record_accept


def channel_posts(world: TeamsWorld) -> list[Call]:
    return [c for c in world.connector.of_kind("send", "reply") if c.conversation_id == GENERAL]


def entries(world: TeamsWorld) -> list[Call]:
    return [c for c in channel_posts(world) if "Waiting on" not in c.text]


def waiting_lines(world: TeamsWorld) -> list[Call]:
    return [c for c in channel_posts(world) if "Waiting on" in c.text]


def hours(world: TeamsWorld, count: int) -> None:
    for _ in range(count):
        world.runtime.advance_clock(timedelta(hours=1))


def test_one_entry_per_item_updated_in_place(world: TeamsWorld) -> None:
    assert world.post(channel_install(world, GENERAL, "sop-decisions")).status_code < 300
    for key in ("ana", "ben"):
        world.install(key)
    first = world.ingest(sku="SKU-1")  # Monday 09:00: due 17:00, Ben at 17:00, Greta Tue 12:00
    second = world.ingest(sku="SKU-2", title="SKU-2 seal kit at DC-NORTH")
    world.deliver()
    hours(world, 8)  # Monday 17:00: level 1 for both
    assert len(entries(world)) == 2
    by_item = {c.response_id: c for c in entries(world)}
    for entry in by_item.values():
        assert card_actions(entry.card) == []  # read-only: the channel decides nothing
        assert "Ben Okafor" in texts(entry.card) and "level 1" in texts(entry.card)
    hours(world, 19)  # Tuesday 12:00: level 2 (Greta) for both
    record_accept(world.runtime.services, recommendation_id=first, actor_id="ben", channel="api")
    world.deliver()
    assert len(entries(world)) == 2, "escalating again or deciding posts nothing new"
    now = {
        activity: world.connector.card_of(activity) for activity in by_item if activity is not None
    }
    [decided] = [c for c in now.values() if "Accepted by Ben Okafor" in texts(c)]
    [waiting] = [c for c in now.values() if "Accepted" not in texts(c)]
    assert "level 2" in texts(waiting) and "Greta Lindqvist" in texts(waiting)
    assert "SKU-2" in texts(waiting) and "SKU-2" not in texts(decided)
    for activity in by_item:
        assert world.updates_of(activity), "each entry was updated in place"
    assert second  # the second item stays open
    lines = [texts(c.card) if c.card else c.text for c in waiting_lines(world)]  # quoted: whole
    assert len(lines) == 3  # Monday: Ana; Tuesday: Ana and Ben, once each
    assert sum('"Waiting on Ana Lopez: 2 items"' in line for line in lines) == 1
    assert sum('"Waiting on Ana Lopez: 2 items (2 overdue)"' in line for line in lines) == 1
    assert sum('"Waiting on Ben Okafor: 2 items (2 escalations)"' in line for line in lines) == 1
