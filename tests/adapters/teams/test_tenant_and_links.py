"""Teams: who may speak for a configured person. With TEAMS_TENANT_ID set, activities
from any other tenant are refused before any work and audited; a second Teams account
claiming a person already linked (here through a roster e-mail its own directory admin
set) is refused and audited, never a silent relink; every link change is audited.
All through the real botbuilder adapter at /api/messages and the fake Bot Connector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.server import create_app
from core.clock import AdjustableClock
from core.config import DEMO_CONFIG_PATH, Config, load_config
from storage.models import Event
from tests.fakes.bot_connector import FakeBotConnector
from tests.support.live import serving
from tests.support.teams import TENANT, USERS, TeamsUser, TeamsWorld, teams_runtime
from workflows.chat.identities import get_link

FOREIGN = "tenant-elsewhere"
# An account in another tenant whose admin gave it ana's e-mail address in its roster.
MALLORY = TeamsUser(
    id="29:mallory-x", aad="aad-mallory-x", name="Ana Lopez", upn="ana.lopez@elsewhere.example"
)


def events(world: TeamsWorld, *kinds: str) -> list[dict[str, Any]]:
    with world.runtime.database.read() as session:
        rows = session.scalars(select(Event).where(Event.kind.in_(kinds)).order_by(Event.id))
        return [{"kind": e.kind, **e.data} for e in rows]


def teams_link(world: TeamsWorld, person_id: str) -> Any:
    return get_link(database=world.runtime.database, platform="teams", person_id=person_id)


def from_tenant(
    world: TeamsWorld,
    user: TeamsUser,
    kind: str,
    *,
    conversation_tenant: str,
    channel_tenant: str | None,
    **extra: Any,
) -> dict[str, Any]:
    activity = world.activity(user, kind, **extra)
    activity["conversation"]["tenantId"] = conversation_tenant
    activity["channelData"] = {"tenant": {"id": channel_tenant}} if channel_tenant else {}
    return activity


@pytest.fixture
def tenant_world(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    runtime = teams_runtime(
        db_url, config, clock, teams_app_type="MultiTenant", teams_tenant_id=TENANT
    )
    with serving(create_app(runtime, start_background=False)) as server:
        world = TeamsWorld(runtime, server.url, connector)
        connector.add_member(
            MALLORY.id,
            name=MALLORY.name,
            aadObjectId=MALLORY.aad,
            userPrincipalName=MALLORY.upn,
            email="ana@nordwind.example",
        )
        yield world
        world.http.close()
    runtime.stop()


@pytest.fixture
def open_world(world: TeamsWorld) -> TeamsWorld:
    """No TEAMS_TENANT_ID: every tenant is served, so only the link guard stands."""
    world.connector.add_member(
        MALLORY.id,
        name=MALLORY.name,
        aadObjectId=MALLORY.aad,
        userPrincipalName=MALLORY.upn,
        email="ana@nordwind.example",
    )
    return world


@pytest.mark.parametrize(
    ("conversation_tenant", "channel_tenant"),
    [
        (FOREIGN, FOREIGN),  # another tenant
        (TENANT, FOREIGN),  # the two disagree
        (FOREIGN, None),  # only one says, and it is another
    ],
)
def test_an_activity_from_another_tenant_is_refused_audited_and_does_nothing(
    tenant_world: TeamsWorld, conversation_tenant: str, channel_tenant: str | None
) -> None:
    for kind, extra in [("installationUpdate", {"action": "add"}), ("message", {"text": "queue"})]:
        activity = from_tenant(
            tenant_world,
            MALLORY,
            kind,
            conversation_tenant=conversation_tenant,
            channel_tenant=channel_tenant,
            **extra,
        )
        assert tenant_world.post(activity).status_code == 403
    assert tenant_world.connector.calls == []  # no member look-up, no reply
    assert teams_link(tenant_world, "ana") is None
    refused = events(tenant_world, "activity_refused", "linked", "link_refused")
    assert [(e["kind"], e["activity_type"], e["sender_aad"]) for e in refused] == [
        ("activity_refused", "installationUpdate", MALLORY.aad),
        ("activity_refused", "message", MALLORY.aad),
    ]
    assert refused[0]["reason"] == "tenant"
    tenant_world.ingest()
    tenant_world.deliver()  # ana is not reachable through the foreign conversation
    assert [c for c in tenant_world.connector.of_kind("send", "reply") if c.card] == []


def test_an_activity_without_a_tenant_is_refused_when_one_is_configured(
    tenant_world: TeamsWorld,
) -> None:
    activity = tenant_world.activity(USERS["ana"], "message", text="queue")
    del activity["conversation"]["tenantId"]
    activity["channelData"] = {}
    assert tenant_world.post(activity).status_code == 403
    assert [e["kind"] for e in events(tenant_world, "activity_refused")] == ["activity_refused"]


def test_the_configured_tenant_is_served(tenant_world: TeamsWorld) -> None:
    tenant_world.install("ana")
    rec_id = tenant_world.ingest()
    tenant_world.deliver()
    assert len(tenant_world.cards_to("ana")) == 1
    assert events(tenant_world, "activity_refused") == []
    assert "delivered" in [e["kind"] for e in tenant_world.recommendation(rec_id)["events"]]


def test_another_account_cannot_take_over_a_linked_person(open_world: TeamsWorld) -> None:
    open_world.install("ana")
    before = teams_link(open_world, "ana")
    assert before.external_id == USERS["ana"].aad
    for kind, extra in [
        ("installationUpdate", {"action": "add"}),
        ("message", {"text": "queue"}),
        ("installationUpdate", {"action": "remove"}),
    ]:
        activity = from_tenant(
            open_world, MALLORY, kind, conversation_tenant=FOREIGN, channel_tenant=FOREIGN, **extra
        )
        assert open_world.post(activity).status_code in (200, 201, 202)
    after = teams_link(open_world, "ana")
    assert after.external_id == USERS["ana"].aad
    assert after.data["reference"]["conversation"]["id"] == USERS["ana"].conversation
    [answer] = [
        c
        for c in open_world.connector.of_kind("send", "reply")
        if c.conversation_id == MALLORY.conversation
    ]
    assert "I don't know you yet" in (answer.body or {}).get("text", "")
    refused = events(open_world, "link_refused")
    assert len(refused) == 3 and {e["claimed_by"] for e in refused} == {MALLORY.aad}
    assert {e["held_by"] for e in refused} == {USERS["ana"].aad} and refused[0]["person"] == "ana"
    assert refused[0]["tenant"] == FOREIGN
    open_world.ingest()
    open_world.deliver()  # still to ana's own conversation, not the claimant's
    assert len(open_world.cards_to("ana")) == 1
    assert [
        c
        for c in open_world.connector.of_kind("send", "reply")
        if c.conversation_id == MALLORY.conversation and c.card
    ] == []


def test_every_link_change_is_audited_and_repeats_are_not(open_world: TeamsWorld) -> None:
    open_world.install("ana")  # a conversationUpdate and an installationUpdate
    open_world.say("ana", "help")
    linked = events(open_world, "linked")
    assert [(e["person"], e["change"], e["account"]) for e in linked] == [
        ("ana", "linked", USERS["ana"].aad)
    ]
    assert linked[0]["where"] == USERS["ana"].conversation and linked[0]["tenant"] == TENANT
    open_world.post(open_world.activity(USERS["ana"], "installationUpdate", action="remove"))
    linked = events(open_world, "linked")
    assert [e["change"] for e in linked] == ["linked", "removed"]
    assert teams_link(open_world, "ana").data == {}


@pytest.fixture
def renamed_world(
    db_url: str, tmp_path: Path, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    """sopbot.yml names ana's new Teams account by its AAD object id."""
    raw = yaml.safe_load(DEMO_CONFIG_PATH.read_text(encoding="utf-8"))
    for person in raw["people"]:
        if person["id"] == "ana":
            person["teams"] = NEW_ANA.aad
    path = tmp_path / "sopbot.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    runtime = teams_runtime(db_url, load_config(path), clock)
    with serving(create_app(runtime, start_background=False)) as server:
        world = TeamsWorld(runtime, server.url, connector)
        yield world
        world.http.close()
    runtime.stop()


NEW_ANA = TeamsUser(
    id="29:ana-new", aad="aad-ana-new", name="Ana Lopez", upn="ana@nordwind.example"
)


def test_only_the_configured_account_id_moves_a_link_and_that_is_audited(
    renamed_world: TeamsWorld,
) -> None:
    renamed_world.install("ana")  # the old account, matched by its roster e-mail
    assert teams_link(renamed_world, "ana").external_id == USERS["ana"].aad
    renamed_world.post(renamed_world.activity(NEW_ANA, "installationUpdate", action="add"))
    link = teams_link(renamed_world, "ana")
    assert link.external_id == NEW_ANA.aad
    assert link.data["reference"]["conversation"]["id"] == NEW_ANA.conversation
    changes = [(e["change"], e.get("previous")) for e in events(renamed_world, "linked")]
    assert changes == [("linked", None), ("account", USERS["ana"].aad)]
    assert events(renamed_world, "link_refused") == []
