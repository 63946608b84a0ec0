"""Issue #12: acked Slack work is durable. After the ack and before the work, a click is
written to the journal (workflows.decisions.journal) and cleared when its work is done;
a click a process acked and never did (it died) is taken over by another process once
the dead one's lease has run out, and done exactly once. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from adapters.slack.app import SlackAdapter
from adapters.slack.ids import ActionId
from adapters.slack.journal import wall_now
from adapters.slack.people import PLATFORM
from storage.models import PendingAction
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, button_in
from workflows.decisions.journal import LEASE, MAX_ATTEMPTS, Pending, journal, unfinished


def slack(world: SlackWorld) -> SlackAdapter:
    return next(a for a in world.runtime.adapters if isinstance(a, SlackAdapter))


def accept_click(world: SlackWorld, user_id: str = "U0ANA") -> tuple[int, dict]:
    rec_id = world.ingest()
    ping = world.dm_to("U0ANA")
    click = block_actions(
        user_id=user_id,
        button=button_in(ping.blocks, ActionId.ACCEPT),
        channel=ping.channel,
        message_ts=ping.ts,
    )
    return rec_id, click


def left_by_a_process_gone(
    world: SlackWorld, click: dict, *, age: timedelta, key: str = "action:U0ANA:gone"
) -> None:
    journal(
        database=world.runtime.database,
        platform=PLATFORM,
        owner="gone",
        now=wall_now() - age,
        entries=[Pending(key=key, kind="accept", payload={"body": click})],
    )


def test_a_click_is_journaled_until_its_work_is_done(world: SlackWorld) -> None:
    rec_id, click = accept_click(world)
    assert world.slack.interactive(click).status_code == 200
    world.settled()
    assert world.decisions(rec_id) == 1
    assert unfinished(database=world.runtime.database, platform=PLATFORM) == []


def test_a_click_acked_by_a_process_gone_is_done_by_another_once(world: SlackWorld) -> None:
    rec_id, click = accept_click(world)
    world.fake.reset()
    left_by_a_process_gone(world, click, age=LEASE + timedelta(seconds=1))
    adapter = slack(world)
    assert adapter.journal.take_over(adapter.handlers.redo) == 1
    world.settled()
    assert world.decisions(rec_id) == 1
    [update] = world.fake.calls_to("chat.update")
    assert "Accepted by Ana Lopez" in str(update["blocks"])
    assert unfinished(database=world.runtime.database, platform=PLATFORM) == []
    assert adapter.journal.take_over(adapter.handlers.redo) == 0  # nothing is done twice

    # The same click delivered again (or taken over again): still one decision.
    assert world.slack.interactive(click).status_code == 200
    world.settled()
    assert world.decisions(rec_id) == 1


def test_a_live_process_keeps_its_clicks_and_a_failing_one_is_dropped(world: SlackWorld) -> None:
    rec_id, click = accept_click(world)
    left_by_a_process_gone(world, click, age=LEASE / 2)  # its process may still be at it
    adapter = slack(world)
    assert adapter.journal.take_over(adapter.handlers.redo) == 0
    assert len(unfinished(database=world.runtime.database, platform=PLATFORM)) == 1
    assert world.decisions(rec_id) == 0

    broken = dict(click, actions=[dict(click["actions"][0], value="not a button value")])
    left_by_a_process_gone(world, broken, age=LEASE * 2, key="action:U0ANA:broken")
    for _ in range(MAX_ATTEMPTS):  # each takeover fails (the work raises), the row stays
        with world.runtime.database.transaction() as session:  # its claim ages at once
            session.execute(
                update(PendingAction)
                .where(PendingAction.key == "action:U0ANA:broken")
                .values(claimed_at=wall_now() - LEASE * 2)
            )
        adapter.journal.take_over(adapter.handlers.redo)
        world.settled()
    keys = [p.key for p in unfinished(database=world.runtime.database, platform=PLATFORM)]
    assert keys == ["action:U0ANA:gone"]  # the broken one was dropped after its attempts
