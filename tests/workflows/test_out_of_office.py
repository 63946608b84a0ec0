"""Out of office through chat on Slack, Teams and the web chat (issue 24): `away until
... delegate @dora` routes Ana's new items to Dora, audited with both names; the absence
ends by itself and her items route back to her; `away off` ends it early."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from core.clock import AdjustableClock
from core.config import Config
from core.domain import EventKind
from storage.models import Event, Recommendation
from tests.fakes.slack_api import FakeSlackApi
from tests.support import web
from tests.support.slack import USERS_BY_EMAIL, slack_world
from tests.support.teams import checked_connector, teams_world

Say = Callable[[str], None]


@contextmanager
def on_slack(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[tuple[Runtime, Say]]:
    with (
        FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake,
        slack_world(db_url, config, clock, fake) as world,
    ):
        yield world.runtime, lambda text: world.command("U0ANA", text) and None


@contextmanager
def on_teams(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[tuple[Runtime, Say]]:
    with checked_connector() as connector, teams_world(db_url, config, clock, connector) as world:
        world.install("ana")

        def say(text: str) -> None:
            assert world.say("ana", text).status_code in (200, 201, 202)

        yield world.runtime, say


@contextmanager
def on_web(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[tuple[Runtime, Say]]:
    with web.web_runtime(db_url, config, clock) as runtime, web.web_client(runtime) as http:

        def say(text: str) -> None:
            assert http.post("/chat/ana/command", data={"text": text}).status_code in (200, 303)

        yield runtime, say


PLATFORMS = {"slack": on_slack, "teams": on_teams, "web": on_web}


def owner_of(runtime: Runtime, **overrides: Any) -> str:
    rec_id = web.ingest(runtime, **overrides)
    with runtime.database.transaction() as session:
        return session.get(Recommendation, rec_id).owner_id


def events(runtime: Runtime, kind: EventKind) -> list[Event]:
    with runtime.database.transaction() as session:
        found = session.scalars(select(Event).where(Event.kind == kind.value)).all()
        session.expunge_all()
        return list(found)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_away_routes_to_the_delegate_and_back_when_it_ends(
    platform: str, db_url: str, config: Config, clock: AdjustableClock
) -> None:
    with PLATFORMS[platform](db_url, config, clock) as (runtime, say):
        assert owner_of(runtime) == "ana"
        say("away until 2026-12-04 delegate @dora")
        [away] = events(runtime, EventKind.AWAY)
        assert away.actor_id == "ana"
        assert (away.data["person_id"], away.data["delegate_id"]) == ("ana", "dora")
        # New items go to Dora; the audit trail names Ana and Dora.
        assert owner_of(runtime) == "dora"
        with runtime.database.transaction() as session:
            route = session.scalars(
                select(Recommendation.route).order_by(Recommendation.id.desc())
            ).first()
        assert "ana away until 2026-12-04" in route and "delegated to dora" in route
        # Friday 4 December is her last day away; on Saturday she is back by itself.
        clock.advance(timedelta(days=4, hours=15))  # Fri 23:00 UTC: Sat 00:00 Berlin
        assert owner_of(runtime) == "ana"
        # `away off` ends a new absence early, audited.
        say("away until 2026-12-31")
        assert owner_of(runtime, type="stockout_risk") != "ana"
        say("away off")
        assert owner_of(runtime) == "ana"
        back = [e.data.get("person_id") for e in events(runtime, EventKind.BACK)]
        assert back == ["ana", "ana"]


def test_only_the_person_or_their_manager_may_set_it(
    db_url: str, config: Config, clock: AdjustableClock
) -> None:
    with on_web(db_url, config, clock) as (runtime, _say):
        with web.web_client(runtime) as http:
            http.post("/chat/carl/command", data={"text": "away @ana until 2026-12-04"})
            assert events(runtime, EventKind.AWAY) == []
            http.post("/chat/ben/command", data={"text": "away @ana until 2026-12-04"})
        [away] = events(runtime, EventKind.AWAY)
        assert (away.actor_id, away.data["person_id"]) == ("ben", "ana")
        assert owner_of(runtime) != "ana"
