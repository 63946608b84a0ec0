"""Override: the button opens a modal at once (views.open with the click's trigger_id)
with reason codes from the configuration, a note, an alternative value and the
recommendation for context; the submission records the override and updates the message;
a missing note for a code that needs one is answered with `response_action: errors`."""

from __future__ import annotations

from adapters.slack.ids import ActionId, BlockId, CallbackId
from adapters.slack.payloads import ModalMetadata
from core.config import Config
from tests.support.slack import SlackWorld, open_override, override_values
from tests.support.slack_http import typed, view_submission


def test_override_modal_then_submission(world: SlackWorld, config: Config) -> None:
    rec_id, dm, view = open_override(world)
    assert view["type"] == "modal" and view["callback_id"] == CallbackId.OVERRIDE
    metadata = ModalMetadata.model_validate_json(view["private_metadata"])
    assert metadata == ModalMetadata(recommendation_id=rec_id, channel=dm.channel, message_ts=dm.ts)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    reason = inputs[BlockId.REASON_CODE]["element"]
    assert reason["type"] == "static_select"
    assert [o["value"] for o in reason["options"]] == [r.code for r in config.reason_codes]
    assert inputs[BlockId.NOTE]["element"]["multiline"] is True
    assert inputs[BlockId.VALUE]["element"]["type"] == "plain_text_input"  # "1,200" typable
    assert "Stockout risk: SKU-4711" in str(view["blocks"])  # the recommendation for context
    assert "Transfer 240 units" in str(view["blocks"])

    submit = view_submission(
        user_id="U0ANA",
        view=view,
        values=override_values("SUPPLIER_PATTERN", "Q4 over-promise", "200"),
    )
    response = world.slack.interactive(submit)
    assert response.status_code == 200
    assert not response.content or "errors" not in response.text

    updates = world.fake.wait_for("chat.update", where=lambda p: p["ts"] == dm.ts)
    assert updates
    text = str(updates[0]["blocks"])
    assert "Overridden by Ana Lopez" in text and "Known supplier pattern" in text
    assert "alternative value 200" in text and "Q4 over-promise" in text
    assert not [b for b in updates[0]["blocks"] if b["type"] == "actions"]
    assert world.decisions(rec_id) == 1


def test_missing_note_is_an_error_next_to_the_field(world: SlackWorld) -> None:
    rec_id, dm, view = open_override(world)
    submit = view_submission(
        user_id="U0ANA", view=view, values=override_values("SUPPLIER_PATTERN", None, "200")
    )
    response = world.slack.interactive(submit)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {BlockId.NOTE}
    assert "needs a note" in answer["errors"][BlockId.NOTE]
    assert world.decisions(rec_id) == 0
    assert world.fake.calls_to("chat.update") == []

    # No reason at all: the error sits next to the reason select.
    submit = view_submission(
        user_id="U0ANA", view=view, values=typed(BlockId.NOTE, ActionId.NOTE_INPUT, "a note")
    )
    answer = world.slack.interactive(submit).json()
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {BlockId.REASON_CODE}

    # A code without the note requirement goes through without one.
    ok = world.slack.interactive(
        view_submission(user_id="U0ANA", view=view, values=override_values("ALREADY_ACTIONED"))
    )
    assert ok.status_code == 200 and "errors" not in ok.text
    assert world.fake.wait_for("chat.update", where=lambda p: p["ts"] == dm.ts)
    assert world.decisions(rec_id) == 1
