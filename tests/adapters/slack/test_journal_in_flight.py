"""Issue 24: a live process never takes over its own clicks in flight. A click queued
behind a long burst (its journal row older than the lease) used to be taken over by its
own process and done twice: a snooze set again from the replay, an Accept answered
"already decided" to the person who had just decided. Now the process skips its own
work in flight and renews its claims, so no other process takes it either."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select, update

from adapters.slack.app import SlackAdapter
from adapters.slack.ids import ActionId
from adapters.slack.journal import wall_now
from adapters.slack.people import PLATFORM
from core.domain import EventKind
from storage.models import Event, PendingAction
from tests.adapters.slack.test_snooze_extend import choose, snooze_select
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, button_in
from workflows.decisions.journal import LEASE, take_abandoned, unfinished


def slack(world: SlackWorld) -> SlackAdapter:
    return next(a for a in world.runtime.adapters if isinstance(a, SlackAdapter))


def held(world: SlackWorld) -> threading.Event:
    """Both work threads busy until the event is set (a long burst ahead of the click)."""
    gate = threading.Event()
    for _ in range(2):
        slack(world).after._work.submit(gate.wait, 30)
    return gate


def journaled(world: SlackWorld) -> None:
    """Wait until the click is in the journal, then age its claim past the lease."""
    for _ in range(500):
        if unfinished(database=world.runtime.database, platform=PLATFORM):
            break
        time.sleep(0.01)
    with world.runtime.database.transaction() as session:
        session.execute(update(PendingAction).values(claimed_at=wall_now() - LEASE * 2))


def events(world: SlackWorld, kind: EventKind, rec_id: int) -> int:
    with world.runtime.database.read() as session:
        rows = session.scalars(
            select(Event).where(Event.kind == kind, Event.recommendation_id == rec_id)
        )
        return len(list(rows))


def test_a_slow_accept_is_not_taken_over_by_its_own_process(world: SlackWorld) -> None:
    rec_id = world.ingest()
    ping = world.dm_to("U0ANA")
    adapter = slack(world)
    gate = held(world)
    click = block_actions(
        user_id="U0ANA",
        button=button_in(ping.blocks, ActionId.ACCEPT),
        channel=ping.channel,
        message_ts=ping.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    journaled(world)
    taken = adapter.journal.take_over(adapter.handlers.redo)
    gate.set()
    world.settled()
    assert taken == 0
    assert world.decisions(rec_id) == 1
    told = [p["text"] for p in world.fake.calls_to("chat.postEphemeral")]
    assert not [t for t in told if "Already decided" in t], told
    assert unfinished(database=world.runtime.database, platform=PLATFORM) == []


def test_a_slow_snooze_is_set_once(world: SlackWorld) -> None:
    rec_id = world.ingest()
    world.runtime.advance_clock(timedelta(hours=4, minutes=30))  # past the 50% reminder
    reminder = world.dm_to("U0ANA")
    adapter = slack(world)
    gate = held(world)
    click = choose("U0ANA", snooze_select(reminder.blocks), 0, reminder.channel, reminder.ts)
    assert world.slack.interactive(click).status_code == 200
    journaled(world)
    adapter.journal.take_over(adapter.handlers.redo)
    gate.set()
    world.settled()
    assert events(world, EventKind.SNOOZED, rec_id) == 1


def test_claims_in_flight_are_renewed_so_no_other_process_takes_them(world: SlackWorld) -> None:
    world.ingest()
    ping = world.dm_to("U0ANA")
    adapter = slack(world)
    gate = held(world)
    click = block_actions(
        user_id="U0ANA",
        button=button_in(ping.blocks, ActionId.ACCEPT),
        channel=ping.channel,
        message_ts=ping.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    journaled(world)  # as if the queue had been slow for longer than a lease
    try:
        assert adapter.journal.renew() == 1  # what the takeover loop does every 30 s
        database = world.runtime.database
        assert (
            take_abandoned(database=database, platform=PLATFORM, owner="other", now=wall_now())
            == []
        )
        later = wall_now() + LEASE + timedelta(seconds=1)  # a process that stops renewing
        assert (
            len(take_abandoned(database=database, platform=PLATFORM, owner="other", now=later)) == 1
        )
    finally:
        gate.set()
        world.settled()
