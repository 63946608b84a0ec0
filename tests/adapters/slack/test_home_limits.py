"""The Home tab at maximum field lengths: twelve open items with every text at its
longest fill more than Slack's 100 blocks per view, so the tab shows the entries that
fit whole (each with its buttons), and its header counts exactly those."""

from __future__ import annotations

import json

from adapters.slack.blocks import VIEW_MAX_BLOCKS
from adapters.slack.home import HOME_QUEUE_LIMIT
from adapters.slack.ids import ActionId
from adapters.slack.modals import home_view
from adapters.slack.payloads import ButtonValue
from core.messages import Section
from tests.adapters.slack.test_blocks import rec_message
from tests.support.data import longest_rec
from tests.support.slack import SlackWorld


def test_a_home_tab_of_longest_entries_fits_and_counts_what_it_shows(world: SlackWorld) -> None:
    ids = [
        world.ingest(**longest_rec(n, respond_by=f"2026-12-02T{n % 10:02d}:{n:02d}:00+00:00"))
        for n in range(HOME_QUEUE_LIMIT)
    ]
    world.fake.reset()
    event = {"type": "app_home_opened", "user": "U0ANA", "channel": "D0ANA", "tab": "home"}
    assert world.slack.event(event).status_code == 200
    blocks = world.fake.wait_for("views.publish")[0]["view"]["blocks"]
    assert len(blocks) <= VIEW_MAX_BLOCKS
    assert "more blocks not shown" not in json.dumps(blocks)
    shown = [
        ButtonValue.model_validate_json(e["value"]).recommendation_id
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.ACCEPT
    ]
    headers = [b for b in blocks if b["type"] == "section" and "title" in json.dumps(b)[:200]]
    assert len(headers) == len(shown) > 0  # no entry without its buttons
    assert set(shown) <= set(ids)
    count = blocks[1]["elements"][0]["text"]
    if len(shown) < HOME_QUEUE_LIMIT:
        assert f"*{HOME_QUEUE_LIMIT} open*; the {len(shown)} due soonest are shown" in count
    else:
        assert count.startswith(f"{HOME_QUEUE_LIMIT} open, soonest due first")


def test_entries_of_any_size_are_measured_not_assumed() -> None:
    """Entries of 5 to 14 blocks (a status, up to eight sections of history, rules and
    interview answers): the tab takes them whole while they fit and says so."""
    messages = [
        rec_message(
            recommendation_id=n,
            header=f"Item {n}",
            status="Overdue by 2h" if n % 2 else None,
            sections=[Section(title=f"S{k}", lines=["x" * 500]) for k in range(n % 9)],
        )
        for n in range(1, 15)
    ]
    blocks = home_view(messages, total=20).to_dict()["blocks"]
    assert len(blocks) <= VIEW_MAX_BLOCKS
    assert "more blocks not shown" not in json.dumps(blocks)
    entries = [b for b in blocks if b["type"] == "section" and "*Item " in json.dumps(b)]
    actions = [b for b in blocks if b["type"] == "actions"]
    assert 0 < len(actions) == len(entries) < len(messages)
    count = blocks[1]["elements"][0]["text"]
    assert f"*20 open*; the {len(entries)} due soonest are shown" in count
    # The next entry would not have fit: nothing that fits is left out.
    drawn = home_view(messages[: len(entries) + 1], total=20).to_dict()["blocks"]
    assert len([b for b in drawn if b["type"] == "actions"]) == len(entries)
