"""The Teams world (tests.support.teams) as the `world` of these tests, its fake Bot
Connector as `connector` (every card it received is checked against the Adaptive Card
schema on teardown)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.support.teams import TeamsWorld, checked_connector, teams_world


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    with checked_connector() as fake:
        yield fake


@pytest.fixture
def world(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    with teams_world(db_url, config, clock, connector) as world:
        yield world


@pytest.fixture
def delivered(world: TeamsWorld) -> tuple[int, str]:
    """Ana installed the app and received one recommendation: (its id, the card's id)."""
    return world.delivered("ana")
