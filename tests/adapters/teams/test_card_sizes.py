"""Teams takes a message of about 28 KB: a digest part and a queue page of ten entries
with every text at its longest (tests.support.data.longest_rec) stay under it, each
entry clipped with "…" and its full card one click away ("Override…" opens it).
Measured as the activity's JSON, as it goes on the wire. Both databases."""

from __future__ import annotations

import json

from botbuilder.schema import Activity

from adapters.teams.activities import card_activity
from adapters.teams.redraw import queue_card
from core.messages import Message
from tests.support.data import longest_rec
from tests.support.intake import ingest
from workflows.chat.inbox import queue_page
from workflows.digest.compose import PAGE_ITEMS
from workflows.service import Services

TEAMS_MAX_BYTES = 28 * 1024


def wire_size(activity: Activity | dict) -> int:
    payload = activity if isinstance(activity, dict) else activity.serialize()
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def test_longest_digest_parts_and_queue_pages_fit_teams(services: Services) -> None:
    ingest(services, *[longest_rec(n) for n in range(PAGE_ITEMS + 2)])
    owner = "ana"  # the demo's stock-out risks at DC-NORTH
    page = queue_page(services, person_id=owner)
    assert len(page.items) == PAGE_ITEMS
    digest = Message(header="Your daily digest: 12 waiting", items=page.items)
    sizes = {
        "digest part": wire_size(card_activity(digest)),
        "queue page": wire_size({"attachments": [{"content": queue_card(page)}]}),
    }
    print(sizes)
    assert all(size < TEAMS_MAX_BYTES for size in sizes.values()), sizes
    text = json.dumps(queue_card(page), ensure_ascii=False)
    assert "\u2026" in text and "Override\u2026" in text
