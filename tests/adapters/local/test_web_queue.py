"""The web chat's Queue tab with a full queue: all 60 open items listed (it used to stop
at 20, and its counter said 20), each card with its own Accept."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.runtime import Runtime
from tests.support.data import make_rec
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch


@pytest.mark.parametrize("count", [20, 60])
def test_the_queue_tab_lists_every_open_item(
    runtime: Runtime, client: httpx.Client, count: int
) -> None:
    raw = [make_rec(title=f"Item {n}", sku=f"SKU-{n}") for n in range(count)]
    result = ingest(runtime.services, items=validate_batch(config=runtime.config, raw_items=raw))
    ids = {r.id for r in (result if isinstance(result, list) else result.items)}
    queue = client.get("/chat/ana/updates", params={"view": "queue"}).json()
    shown = {int(n) for n in re.findall(r'id="q-(\d+)"', queue["html"])}
    assert shown == ids
    assert queue["counts"]["queue"] == count
    accepts = re.findall(r'data-action="accept"', queue["html"])
    assert len(accepts) == count, len(accepts)
