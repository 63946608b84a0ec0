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
