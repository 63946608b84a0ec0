"""The SLA clock under a frozen clock (tests.support.sla.World)."""

from __future__ import annotations

import pytest

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from tests.support.sla import World
from workflows.delivery.worker import OutboxWorker
from workflows.service import Services


@pytest.fixture
def world(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat, clock: AdjustableClock
) -> World:
    return World(services=services, outbox=outbox, chat=chat, clock=clock)
