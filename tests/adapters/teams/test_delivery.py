"""Install -> stored reference -> proactive delivery, the fallback when a person cannot
be reached, and throttling, all over real HTTP against the fake Bot Connector."""

from __future__ import annotations

import time

from tests.support.cards import texts
from tests.support.teams import USERS, TeamsWorld
from workflows.views.message import notice_message as notice


def test_install_stores_reference_then_recommendation_is_delivered_proactively(
    world: TeamsWorld,
) -> None:
    world.install("ana")
    welcome = [c for c in world.connector.of_kind("reply", "send") if "Hi Ana" in c.text]
    assert len(welcome) == 1  # one welcome, though Teams sent two install activities
    rec_id = world.ingest()
    world.deliver()
    [call] = world.cards_to("ana")
    assert call.conversation_id == USERS["ana"].conversation
    card = texts(call.card)
    for expected in (
        "Stockout risk: SKU-4711",
        "Transfer 240 units",
        "Accept",
        "Override",
        "Reassign",
        "Due ",
        "Why",
        "Open sales orders",
    ):
        assert expected in card
    events = [e["kind"] for e in world.recommendation(rec_id)["events"]]
    assert "delivered" in events


def test_unreachable_owner_is_recorded_and_falls_back_to_the_backup(world: TeamsWorld) -> None:
    world.install("dora")  # ana never installed the app: no conversation to use
    rec_id = world.ingest()
    world.deliver()
    assert world.cards_to("ana") == []
    [call] = world.cards_to("dora")
    assert "Could not reach Ana Lopez; sent to you instead." in texts(call.card)
    events = world.recommendation(rec_id)["events"]
    failed = [e for e in events if e["kind"] == "delivery_failed"]
    assert len(failed) == 1 and failed[0]["data"]["to"] == "ana", events


def test_throttled_send_is_retried_with_backoff_honouring_retry_after(world: TeamsWorld) -> None:
    world.install("ana")
    world.connector.clear()
    world.connector.fail_next(2, status=429, retry_after="0.3")
    world.ingest()
    started = time.monotonic()
    world.deliver()
    elapsed = time.monotonic() - started
    sends = world.connector.of_kind("send", "reply", ok=False)
    assert [c.status for c in sends] == [429, 429, 201]
    assert len(world.cards_to("ana")) == 1
    assert elapsed >= 0.6  # two waits of Retry-After 0.3 s, not the 1 ms base backoff


def test_team_install_stores_the_channel_for_channel_posts(world: TeamsWorld) -> None:
    user = USERS["ana"]
    install = world.activity(
        user,
        "installationUpdate",
        action="add",
        conversation={
            "id": "19:general@thread.tacv2",
            "conversationType": "channel",
            "tenantId": "tenant-nordwind",
        },
        channelData={
            "team": {"id": "19:team@thread.tacv2", "name": "S&OP"},
            "channel": {"id": "19:general@thread.tacv2", "name": "sop-decisions"},
            "tenant": {"id": "tenant-nordwind"},
        },
    )
    assert world.post(install).status_code in (200, 201, 202)
    teams = next(a for a in world.runtime.adapters if a.name == "teams")
    ref = teams.chat.post_to_channel(channel="sop-decisions", message=notice("Weekly digest"))
    assert ref.channel == "19:general@thread.tacv2"
    [call] = [c for c in world.connector.of_kind("send", "reply") if "Weekly digest" in c.text]
    assert call.conversation_id == "19:general@thread.tacv2"
    # Installing in a team did not make ana reachable 1:1 (that needs the personal app).
    assert not teams.chat.can_reach(world.runtime.config.people_by_id["ana"])
