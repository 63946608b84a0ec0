"""What tests feed sopbot: a valid recommendation payload, the repository root, and the
moments the SLA tests start from."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent.parent
# A Monday 09:00 in Berlin: inside business hours, so SLAs start counting at once.
MONDAY_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def make_rec(**overrides: object) -> dict[str, object]:
    """A valid recommendation payload; tests override what they care about."""
    base: dict[str, object] = {
        "external_id": f"ext-{uuid.uuid4().hex[:8]}",
        "source": "planner-ai",
        "type": "stockout_risk",
        "title": "SKU-4711 bearing 6204-2RS at DC-NORTH",
        "action": "Transfer 240 units from DC-SOUTH to DC-NORTH by Wednesday",
        "sku": "SKU-4711",
        "site": "DC-NORTH",
        "quantity": 240,
        "unit": "pcs",
        "confidence": 0.82,
        "interval_low": 180,
        "interval_high": 310,
        "drivers": [
            {"factor": "Open sales orders", "weight": 0.45, "detail": "3 large orders this week"},
            {"factor": "Inbound PO late", "weight": 0.3},
        ],
        "event_time": "2026-11-30T07:02:00+00:00",
        "recorded_time": "2026-11-30T07:40:00+00:00",
    }
    base.update(overrides)
    return base


def longest_rec(n: int = 0, **overrides: object) -> dict[str, object]:
    """A recommendation with every text at the longest `RecommendationIn` accepts (title
    300, action 2,000, scopes 100, unit 40, 20 drivers of 300 + 500, 10 links of 300 +
    2,000): what a message must fit its platform's limits with. Texts are words, so a
    renderer wraps them as it would real text; `n` tells items apart."""

    def text(length: int, word: str = "long") -> str:
        words = (f"{n:03d} " + f"{word} " * length)[:length]
        return words[:-1] + "x" if words.endswith(" ") else words  # exactly `length`

    return make_rec(
        title=text(300, "title"),
        action=text(2000, "action"),
        sku=text(100, "sku"),
        site=text(100, "site"),
        supplier=text(100, "supplier"),
        customer=text(100, "customer"),
        product_family=text(100, "family"),
        unit=text(40, "unit"),
        drivers=[
            {"factor": text(300, f"factor{d}"), "weight": 0.05, "detail": text(500, "detail")}
            for d in range(20)
        ],
        links=[
            {"label": text(300, f"link{k}"), "url": "https://erp.example/" + "p" * 1980}
            for k in range(10)
        ],
        **overrides,
    )
