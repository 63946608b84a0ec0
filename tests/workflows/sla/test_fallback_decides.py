"""Whoever a recommendation is sent to as a delivery fallback may decide it (issue #11):
the owner and the backup cannot be reached, the override reviewer (Finn here, on no
escalation chain of the type) gets it and may Accept; someone unrelated is refused, and
Finn may not decide a recommendation that never fell back to him. Both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config, load_config
from core.domain import Role
from core.messages import ButtonAction
from storage.db import Database
from tests.support.data import ROOT, make_rec
from tests.support.sla import World
from workflows.decisions.service import record_accept
from workflows.delivery.worker import OutboxWorker
from workflows.errors import NotPermitted
from workflows.service import build_services


@pytest.fixture
def finn_reviews(tmp_path: Path) -> Config:
    text = (ROOT / "core" / "data" / "demo.yml").read_text()
    path = tmp_path / "config.yml"
    path.write_text(text.replace("override_reviewer: greta", "override_reviewer: finn"))
    config = load_config(path)
    assert config.override_reviewer == "finn"
    return config


def test_the_delivery_fallback_recipient_may_decide(
    database: Database, finn_reviews: Config, clock: AdjustableClock
) -> None:
    services = build_services(database=database, config=finn_reviews, clock=clock)
    chat = InMemoryChat(unreachable=["ana", "dora"])  # the owner and her backup
    world = World(
        services=services,
        chat=chat,
        clock=clock,
        outbox=OutboxWorker(database=database, config=finn_reviews, chat=chat, clock=clock),
    )
    [rec, other] = world.ingest(make_rec(), make_rec(type="supplier_delay", site=None))
    [to_finn] = world.received("finn")
    assert to_finn.recommendation_id == rec.id
    assert any(line.startswith("Could not reach") for line in to_finn.context)
    assert ButtonAction.ACCEPT in {b.action for b in to_finn.buttons}
    with pytest.raises(NotPermitted):
        record_accept(services, recommendation_id=rec.id, actor_id="eve", channel="api")
    with pytest.raises(NotPermitted):  # Carl's, delivered to Carl: nothing fell back to Finn
        record_accept(services, recommendation_id=other.id, actor_id="finn", channel="api")
    decided = record_accept(services, recommendation_id=rec.id, actor_id="finn", channel="api")
    assert decided.role == Role.REVIEWER
    assert world.rec(rec.id).decisions[0].on_behalf_of == "ana"
