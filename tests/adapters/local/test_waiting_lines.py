"""The web chat: the escalation channel's daily line per person of what waits on them,
shown in the Channel view, once per person and business day (issue 27)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from adapters.local import LocalChat
from bot.runtime import Runtime
from tests.support.web import ingest


def waiting_lines(chat: LocalChat) -> list[str]:
    headers = [p.message.header for p in chat.channel_posts()]
    return [h for h in headers if h.startswith("Waiting on")]


def test_one_line_per_person_per_business_day(
    runtime: Runtime, local_chat: LocalChat, client: httpx.Client
) -> None:
    ingest(runtime)  # Monday 09:00, Ana's, due 17:00, escalates to Ben at 17:00
    for _ in range(24):  # to Tuesday 09:00, an hour at a time
        runtime.advance_clock(timedelta(hours=1))
    assert waiting_lines(local_chat) == [
        "Waiting on Ana Lopez: 1 item",
        "Waiting on Ana Lopez: 1 item (1 overdue)",
        "Waiting on Ben Okafor: 1 item (1 escalation)",
    ]
    page = client.get("/chat/carl", params={"view": "channel"}).text
    assert "Waiting on Ben Okafor: 1 item (1 escalation)" in page
