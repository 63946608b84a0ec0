"""Reassign through its modal; the App Home queue (sorted by due time, same buttons,
refreshed after each change); and `/sopbot help|queue|readiness|report|interview`."""

from __future__ import annotations

from adapters.slack.home import HOME_QUEUE_LIMIT
from adapters.slack.ids import ActionId, BlockId, CallbackId
from adapters.slack.payloads import ButtonValue
from core.config import Config
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, button_in, selected, typed, view_submission


def test_reassign_modal_hands_over(world: SlackWorld, config: Config) -> None:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.REASSIGN),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    view = world.fake.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == CallbackId.REASSIGN
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    people = [o["value"] for o in inputs[BlockId.TO]["element"]["options"]]
    assert "carl" in people and "ana" not in people
    assert inputs[BlockId.NOTE]["optional"] is False  # a reason is required

    no_reason = world.slack.interactive(
        view_submission(
            user_id="U0ANA", view=view, values=selected(BlockId.TO, ActionId.TO_INPUT, "carl")
        )
    )
    assert no_reason.json()["errors"].keys() == {BlockId.NOTE}

    values = selected(BlockId.TO, ActionId.TO_INPUT, "carl") | typed(
        BlockId.NOTE, ActionId.NOTE_INPUT, "Carl runs the DC-NORTH transfers"
    )
    done = world.slack.interactive(view_submission(user_id="U0ANA", view=view, values=values))
    assert done.status_code == 200 and "errors" not in done.text
    assert world.fake.wait_for("chat.update", where=lambda p: p["ts"] == dm.ts)
    world.runtime.outbox.drain()
    to_carl = world.dm_to("U0CARL")
    assert "Handed over to you by Ana Lopez" in str(to_carl.blocks)
    assert (
        ButtonValue.model_validate_json(
            button_in(to_carl.blocks, ActionId.ACCEPT)["value"]
        ).recommendation_id
        == rec_id
    )


def test_home_tab_lists_the_queue_by_due_time_and_refreshes(world: SlackWorld) -> None:
    later = world.ingest(title="later one", respond_by="2026-12-02T12:00:00+00:00")
    sooner = world.ingest(title="sooner one", respond_by="2026-11-30T15:00:00+00:00")
    world.fake.reset()
    event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home"}
    assert world.slack.event(event).status_code == 200
    view = world.fake.wait_for("views.publish")[0]
    assert view["user_id"] == "U0ANA" and view["view"]["type"] == "home"
    text = str(view["view"]["blocks"])
    assert text.index("sooner one") < text.index("later one")
    accepts = [
        e
        for b in view["view"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.ACCEPT
    ]
    assert [ButtonValue.model_validate_json(e["value"]).recommendation_id for e in accepts] == [
        sooner,
        later,
    ]

    # Accept from the Home tab: no message to update, the Home tab is republished.
    click = block_actions(user_id="U0ANA", button=accepts[0], home_view_id="V0HOME")
    assert world.slack.interactive(click).status_code == 200
    republished = world.fake.wait_for("views.publish", 2)[-1]
    assert "sooner one" not in str(republished["view"]) and "later one" in str(republished["view"])
    assert world.decisions(sooner) == 1
    world.runtime.outbox.drain()  # the DM copy is updated by the outbox refresh
    assert world.fake.wait_for("chat.update")


def test_a_home_tab_with_more_open_than_it_holds_says_how_many_and_where(
    world: SlackWorld,
) -> None:
    for n in range(HOME_QUEUE_LIMIT + 3):
        world.ingest(title=f"item {n:02d}", respond_by=f"2026-12-02T{n % 10:02d}:30:00+00:00")
    world.fake.reset()
    event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home"}
    assert world.slack.event(event).status_code == 200
    blocks = world.fake.wait_for("views.publish")[0]["view"]["blocks"]
    accepts = [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.ACCEPT
    ]
    assert len(accepts) == HOME_QUEUE_LIMIT
    count = blocks[1]["elements"][0]["text"]
    assert f"*{HOME_QUEUE_LIMIT + 3} open*" in count
    assert f"the {HOME_QUEUE_LIMIT} due soonest are shown" in count
    assert "`/sopbot queue`" in count


def test_slash_command(world: SlackWorld) -> None:
    world.ingest()
    help_answer = world.command("U0ANA", "help")
    assert help_answer["response_type"] == "ephemeral"
    assert "queue: your open recommendations" in str(help_answer["blocks"])
    empty = world.command("U0ANA", "")
    assert empty["blocks"] == help_answer["blocks"]
    queue = world.command("U0ANA", "queue")
    assert "SKU-4711" in str(queue["blocks"])
    assert button_in(queue["blocks"], ActionId.ACCEPT)
    assert "Interview templates" in world.command("U0ANA", "interview")["text"]
    readiness = world.command("U0ANA", "readiness")
    assert "Not ready to go live" in str(readiness) and "1. ownership: FAIL" in str(readiness)
    report = world.command("U0ANA", "report")
    assert "Override review" in str(report) and "1 received" in str(report)
    unknown = world.command("U0ANA", "frobnicate")
    assert "I don't know the command 'frobnicate'" in str(unknown["blocks"])
