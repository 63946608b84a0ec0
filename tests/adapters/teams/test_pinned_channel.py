"""Issue 24, multi-tenant Teams: the escalation channel is pinned (the configuration's
channel id, or the first channel of its name), never moved by an incoming activity; and
a MultiTenant bot serves only TEAMS_TENANT_ID and TEAMS_ALLOWED_TENANTS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from tests.adapters.teams.test_delivery import notice
from tests.adapters.teams.test_tenant_and_links import FOREIGN, MALLORY, events, from_tenant
from tests.fakes.bot_connector import FakeBotConnector
from tests.support.live import serving
from tests.support.teams import TENANT, USERS, TeamsWorld, teams_runtime

GENERAL = "19:general@thread.tacv2"


def channel_install(
    world: TeamsWorld, channel_id: str, name: str, tenant: str = TENANT
) -> dict[str, Any]:
    return world.activity(
        USERS["ana"],
        "installationUpdate",
        action="add",
        conversation={"id": channel_id, "conversationType": "channel", "tenantId": tenant},
        channelData={
            "team": {"id": f"{channel_id}-team", "name": "Some team"},
            "channel": {"id": channel_id, "name": name},
            "tenant": {"id": tenant},
        },
    )


def posted_to(world: TeamsWorld, channel: str, text: str) -> str:
    teams = world.teams
    teams.chat.post_to_channel(channel=channel, message=notice(text))
    [call] = [c for c in world.connector.of_kind("send", "reply") if text in c.text]
    return call.conversation_id


def test_a_later_channel_of_the_same_name_does_not_move_the_escalation_channel(
    world: TeamsWorld,
) -> None:
    assert world.post(channel_install(world, GENERAL, "sop-decisions")).status_code < 300
    squatter = channel_install(world, "19:squat@thread.tacv2", "SOP-Decisions")
    assert world.post(squatter).status_code < 300
    assert posted_to(world, "sop-decisions", "Escalation one") == GENERAL
    # Nor is any channel that spoke last a fallback for a name never installed.
    other = channel_install(world, "19:random@thread.tacv2", "random")
    assert world.post(other).status_code < 300
    with pytest.raises(Exception, match="not installed in a Teams channel"):
        world.teams.chat.post_to_channel(channel="escalations", message=notice("x"))
    # A channel id in the configuration pins that channel exactly.
    assert posted_to(world, "19:squat@thread.tacv2", "Escalation two") == "19:squat@thread.tacv2"


@pytest.fixture
def allowed_world(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    runtime = teams_runtime(
        db_url, config, clock, teams_app_type="MultiTenant", teams_allowed_tenants=(TENANT,)
    )
    with serving(create_app(runtime, start_background=False)) as server:
        yield TeamsWorld(runtime, server.url, connector)
    runtime.stop()


def test_allowed_tenants_are_served_and_others_refused(allowed_world: TeamsWorld) -> None:
    foreign = from_tenant(
        allowed_world,
        MALLORY,
        "installationUpdate",
        conversation_tenant=FOREIGN,
        channel_tenant=FOREIGN,
        action="add",
    )
    assert allowed_world.post(foreign).status_code == 403
    squat = channel_install(allowed_world, "19:squat@thread.tacv2", "sop-decisions", FOREIGN)
    assert allowed_world.post(squat).status_code == 403
    assert [e["kind"] for e in events(allowed_world, "activity_refused")] == [
        "activity_refused"
    ] * 2
    allowed_world.install("ana")
    allowed_world.ingest()
    allowed_world.deliver()
    assert len(allowed_world.cards_to("ana")) == 1
