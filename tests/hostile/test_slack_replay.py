"""A signed Slack request sent again (a replay inside the five-minute window, or Slack's
own retry with X-Slack-Retry-Num) is processed once: one decision, one message update,
no second answer. Outside the window, or with a bad signature, it is refused with 401."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.ids import ActionId, BlockId
from tests.hostile.slack_helpers import decisions, event_kinds, quiet
from tests.support.slack import SlackWorld, open_override, override_values
from tests.support.slack_http import (
    TEAM,
    block_actions,
    button_in,
    selected,
    typed,
    view_submission,
)

FORM = "application/x-www-form-urlencoded"


def slack_command_body(user_id: str, text: str, *, response_url: str) -> str:
    """The form body Slack posts for `/sopbot text` (one trigger_id: one invocation)."""
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": "C0OPS",
            "user_id": user_id,
            "command": "/sopbot",
            "text": text,
            "api_app_id": "A0SOPBOT",
            "response_url": response_url,
            "trigger_id": "4242.13345224609.8ed1a2f0c9",
        }
    )


def accept_click(world: SlackWorld) -> tuple[int, dict[str, Any]]:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    world.fake.reset()
    return rec_id, click


@pytest.mark.parametrize("retry_headers", [False, True])
def test_a_replayed_click_is_processed_once(slack_world: SlackWorld, retry_headers: bool) -> None:
    rec_id, click = accept_click(slack_world)
    stamp = time.time()
    first = slack_world.slack.interactive(click, timestamp=stamp)
    # Byte for byte the same request: same body, same timestamp, same signature.
    retries = [1, 2] if retry_headers else [None, None]
    replays = [slack_world.slack.interactive(click, timestamp=stamp, retry_num=n) for n in retries]
    assert [r.status_code for r in [first, *replays]] == [200, 200, 200]
    quiet(slack_world)
    assert len(decisions(slack_world, rec_id)) == 1
    assert len(slack_world.fake.calls_to("chat.update")) == 1
    assert slack_world.fake.calls_to("chat.postEphemeral") == []  # no "already decided"
    assert event_kinds(slack_world, rec_id).count("accepted") == 1


def test_a_replay_outside_the_window_or_re_signed_wrongly_is_refused(
    slack_world: SlackWorld,
) -> None:
    rec_id, click = accept_click(slack_world)
    stale = slack_world.slack.interactive(click, timestamp=time.time() - 5 * 60 - 30)
    forged = slack_world.slack.interactive(click, forged=True)
    assert [stale.status_code, forged.status_code] == [401, 401]
    assert "Traceback" not in stale.text + forged.text
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []
    assert slack_world.fake.calls == []


@pytest.mark.parametrize("form", ["override", "reassign"])
def test_a_replayed_modal_submission_is_processed_once(slack_world: SlackWorld, form: str) -> None:
    rec_id, _dm, view = open_override(slack_world)
    if form == "reassign":
        view = {**view, "callback_id": "sopbot_reassign_modal"}
        values = selected(BlockId.TO, ActionId.TO_INPUT, "carl") | typed(
            BlockId.NOTE, ActionId.NOTE_INPUT, "Carl knows this supplier"
        )
    else:
        values = override_values("ALREADY_ACTIONED")
    submission = view_submission(user_id="U0ANA", view=view, values=values)
    slack_world.fake.reset()
    stamp = time.time()
    answers = [slack_world.slack.interactive(submission, timestamp=stamp) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("errors" not in a.text for a in answers)
    quiet(slack_world)
    kinds = event_kinds(slack_world, rec_id)
    if form == "override":
        assert len(decisions(slack_world, rec_id)) == 1
        assert kinds.count("overridden") == 1
    else:
        assert decisions(slack_world, rec_id) == []
        assert kinds.count("reassigned") == 1
    assert len(slack_world.fake.calls_to("chat.update")) == 1
    assert slack_world.fake.calls_to("chat.postEphemeral") == []  # no second answer
    assert "refused" not in " ".join(kinds)


def test_a_replayed_slash_command_is_answered_once(slack_world: SlackWorld) -> None:
    """`/sopbot queue` sent three times byte for byte: one answer through its response_url."""
    slack_world.ingest()
    url = slack_world.fake.url.replace("/api/", "/commands/T0FAKE/1/") + "replayed"
    body = slack_command_body("U0ANA", "queue", response_url=url)
    stamp = time.time()
    answers = [slack_world.slack.post(body, FORM, timestamp=stamp) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert slack_world.fake.wait_for("replayed")
    quiet(slack_world)
    assert len(slack_world.fake.calls_to("replayed")) == 1
