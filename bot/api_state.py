"""What an API route reads from the app serving it. The routers are built once per
process and shared by every app (building one cost ~130 ms of FastAPI route analysis,
and the test suite builds hundreds); each app carries its own services, meter and
tokens in `app.state.api`, set by `bot.server.create_app`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from bot.api_guards import TokenCheck
from bot.metrics import PrometheusMeter
from bot.settings import Settings
from workflows.events import EventPeopleSource
from workflows.service import Services


@dataclass(frozen=True)
class ApiState:
    services: Services
    meter: PrometheusMeter
    tokens: TokenCheck
    # privacy.people_in_events: pseudonyms (default) or ids, never names (docs/events.md).
    event_people: EventPeopleSource


def attach_api_state(
    app: FastAPI, *, services: Services, settings: Settings, meter: PrometheusMeter
) -> None:
    app.state.api = ApiState(
        services=services,
        meter=meter,
        tokens=TokenCheck(settings),
        event_people=EventPeopleSource(services.database, services.config, services.clock.now),
    )


async def api_state(request: Request) -> ApiState:
    """Async, like every dependency here: a sync one costs a thread-pool hop."""
    return request.app.state.api


Api = Annotated[ApiState, Depends(api_state)]
