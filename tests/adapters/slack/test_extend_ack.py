"""Issue #12: the Extend SLA modal's submission is acked without the database. Errors
the form alone shows (no reason, a time already past) stay next to their field; who may
extend and "later than the current due time" need the database, so they are checked
after the ack and told in an ephemeral note. Shown with the database held: the ack must
come back while nothing can be read (PostgreSQL) or written (SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.slack.ids import ActionId, BlockId
from tests.adapters.slack.test_snooze_extend import escalated
from tests.support.locks import answered_while_held
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, button_in, typed, view_submission


def extend_modal(world: SlackWorld) -> tuple[int, dict[str, Any]]:
    rec_id, ping = escalated(world)
    click = block_actions(
        user_id="U0BEN",
        button=button_in(ping.blocks, ActionId.EXTEND),
        channel=ping.channel,
        message_ts=ping.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    return rec_id, world.fake.wait_for("views.open")[0]["view"]


def values(when: datetime, reason: str | None) -> dict[str, Any]:
    due = {
        BlockId.DUE_AT: {
            ActionId.DUE_AT_INPUT: {
                "type": "datetimepicker",
                "selected_date_time": int(when.timestamp()),
            }
        }
    }
    return due | typed(BlockId.REASON, ActionId.REASON_INPUT, reason)


def test_the_extend_submission_is_acked_while_the_database_is_held(world: SlackWorld) -> None:
    rec_id, view = extend_modal(world)
    world.fake.reset()
    later = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    submission = view_submission(
        user_id="U0BEN", view=view, values=values(later, "Supplier confirms Tuesday")
    )
    acked = answered_while_held(world.runtime.database, lambda: world.slack.interactive(submission))
    assert acked.status_code == 200 and "errors" not in acked.text
    told = world.fake.wait_for("chat.postEphemeral")
    assert told[0]["user"] == "U0BEN" and told[0]["text"].startswith("SLA extended to")
    world.settled()
    world.runtime.outbox.drain()
    assert "extended the SLA" in str(world.dm_to("U0ANA").blocks)


def test_form_errors_stay_next_to_the_field_and_the_rest_is_told_after_the_ack(
    world: SlackWorld,
) -> None:
    _rec_id, view = extend_modal(world)
    world.fake.reset()
    now = world.runtime.services.clock.now()

    def submit(when: datetime, reason: str | None) -> dict[str, Any]:
        payload = view_submission(user_id="U0BEN", view=view, values=values(when, reason))
        response = answered_while_held(
            world.runtime.database, lambda: world.slack.interactive(payload)
        )
        assert response.status_code == 200
        return response.json() if response.content else {}

    assert submit(now + timedelta(days=1), None)["errors"].keys() == {BlockId.REASON}
    past = submit(now - timedelta(hours=1), "Supplier confirms Tuesday")
    assert past["errors"] == {BlockId.DUE_AT: "The new due time must be later than now."}
    world.settled()
    assert world.fake.calls_to("chat.postEphemeral") == []

    assert submit(now + timedelta(days=2), "Supplier confirms Thursday") == {}
    assert world.fake.wait_for("chat.postEphemeral")[0]["text"].startswith("SLA extended to")
    # Later than now, not than the due time just set: only the database knows, after the
    # ack (the modal has closed), so Ben is told in a note what to do.
    assert submit(now + timedelta(days=1), "Supplier confirms Wednesday") == {}
    note = world.fake.wait_for("chat.postEphemeral", 2)[1]
    assert note["user"] == "U0BEN"
    assert note["text"].startswith("The SLA was not extended: The new due time must be later")
    assert "Click Extend SLA again" in note["text"]
