"""Slack: the escalation channel's daily line per person of what waits on them, posted
once per person and business day through the normal delivery path (issue 27)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.slack import SlackWorld


def waiting_lines(world: SlackWorld) -> list[str]:
    posts = world.fake.replies_to("chat.postMessage")
    return [
        p["text"]
        for p, _ in posts
        if p["channel"] == "sop-decisions" and p["text"].startswith("Waiting on")
    ]


def test_one_line_per_person_per_business_day(world: SlackWorld) -> None:
    world.ingest()  # Monday 09:00, Ana's, due 17:00, escalates to Ben at 17:00
    for _ in range(4):
        world.runtime.advance_clock(timedelta(hours=1))
    assert waiting_lines(world) == ["Waiting on Ana Lopez: 1 item"]
    for _ in range(20):  # through the evening to Tuesday 09:00
        world.runtime.advance_clock(timedelta(hours=1))
    assert waiting_lines(world) == [
        "Waiting on Ana Lopez: 1 item",
        "Waiting on Ana Lopez: 1 item (1 overdue)",
        "Waiting on Ben Okafor: 1 item (1 escalation)",
    ]
