"""`sopbot demo` without a browser: the samples it seeds and the app it serves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.demo import prepare_demo, seed
from bot.runtime import Runtime
from bot.server import create_app
from core.clock import as_utc
from core.domain import Tier
from storage.models import Recommendation
from tests.support.live import LOOPBACK_TLS, serving

LIVE = Recommendation.external_id.not_like("hist-%")  # the samples, not the demo's past


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Runtime, int]]:
    runtime, count = prepare_demo(tmp_path / "demo")
    yield runtime, count
    runtime.stop()


def test_seed_covers_every_type_and_tier(demo: tuple[Runtime, int]) -> None:
    runtime, count = demo
    with runtime.database.transaction() as session:
        recs = list(session.scalars(select(Recommendation).where(LIVE)))
    assert 20 <= count <= 40
    assert len(recs) == count
    assert {r.type for r in recs} == set(runtime.config.recommendation_types)
    tiers = [r.tier for r in recs]
    assert tiers.count(Tier.DIGEST) >= 1
    assert tiers.count(Tier.AUTO) >= 1
    assert tiers.count(Tier.DIRECT) >= 10
    assert len({r.site for r in recs}) >= 3
    assert len({r.supplier for r in recs if r.supplier}) >= 3
    assert len({r.customer for r in recs if r.customer}) >= 3
    assert len({r.owner_id for r in recs}) >= 4  # routes spread the work
    assert sum(1 for r in recs if r.owner_id == "ana" and r.tier == Tier.DIRECT) >= 2


def test_seed_times_are_relative_to_now_and_seeding_is_once(demo: tuple[Runtime, int]) -> None:
    runtime, _count = demo
    now = runtime.clock.now()
    with runtime.database.transaction() as session:
        recs = list(session.scalars(select(Recommendation).where(LIVE)))
    newest = max(as_utc(r.recorded_time) for r in recs if r.recorded_time)
    assert now - timedelta(minutes=10) < newest <= now
    assert all(as_utc(r.event_time) <= as_utc(r.recorded_time) for r in recs)
    assert seed(runtime) == 0


def test_demo_app_serves_the_web_chat(demo: tuple[Runtime, int]) -> None:
    runtime, _count = demo
    # No background worker: the test's drain is the only one, so nothing it should send is
    # still in another worker's hands when the page is read.
    app = create_app(runtime, start_background=False)
    with serving(app) as server, httpx.Client(base_url=server.url, verify=LOOPBACK_TLS) as client:
        home = client.get("/", follow_redirects=True)
        assert home.status_code == 200
        assert str(home.url).endswith("/chat/ana")
        assert "Ana Lopez" in home.text and "Greta Lindqvist" in home.text
        assert "+1 business hour" in home.text
        runtime.outbox.drain()
        page = client.get("/chat/ana")
        assert "Stockout risk: SKU-4711 bearing 6204-2RS at DC-NORTH" in page.text
        assert client.get("/chat/static/app.js").status_code == 200
        recs = client.get("/api/v1/recommendations", params={"owner": "ana"}).json()["items"]
        assert recs
