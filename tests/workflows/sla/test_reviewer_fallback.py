"""An owner without a manager: the escalation goes to the override reviewer (Finn here,
not otherwise on the chain), and whoever an escalation is sent to may decide it (one
rule for both). Both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config, load_config
from core.domain import Role
from storage.db import Database
from tests.support.data import ROOT, berlin, make_rec
from tests.support.sla import World
from workflows.decisions.service import record_accept
from workflows.delivery.worker import OutboxWorker
from workflows.service import build_services

ANA = "{id: ana, name: Ana Lopez, email: ana@nordwind.example, slack: U0ANA, "


@pytest.fixture
def no_manager_config(tmp_path: Path) -> Config:
    text = (ROOT / "core" / "data" / "demo.yml").read_text()
    assert text.count(ANA + "teams: ana@nordwind.example, manager: ben, ") == 1
    path = tmp_path / "config.yml"
    text = text.replace(
        ANA + "teams: ana@nordwind.example, manager: ben, ", ANA + "teams: ana@nordwind.example, "
    )
    path.write_text(text.replace("override_reviewer: greta", "override_reviewer: finn"))
    config = load_config(path)
    assert config.people_by_id["ana"].manager is None and config.override_reviewer == "finn"
    return config


def test_the_reviewer_an_escalation_falls_back_to_may_decide_it(
    database: Database, no_manager_config: Config, clock: AdjustableClock
) -> None:
    services = build_services(database=database, config=no_manager_config, clock=clock)
    chat = InMemoryChat()
    world = World(
        services=services,
        chat=chat,
        clock=clock,
        outbox=OutboxWorker(database=database, config=no_manager_config, chat=chat, clock=clock),
    )
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 17, 1))  # past due
    [escalated] = [m for m in world.received("finn") if m.recommendation_id == rec.id]
    assert escalated.header.startswith("Escalated")
    assert {b.action.value for b in escalated.buttons} >= {"accept", "override"}
    decided = record_accept(services, recommendation_id=rec.id, actor_id="finn", channel="api")
    assert decided.role == Role.ESCALATION
