"""A context interview through Teams' real HTTP path: Bot Framework activities posted to
`/api/messages`, answers as cards through the fake Bot Connector; start, answer, skip,
go back, resume after restarting the server, approve; the rule is then on a matching
recommendation's card and not on another one."""

from __future__ import annotations

import itertools

from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.support.live import serving
from tests.support.teams import BOT, TeamsUser, TeamsWorld, teams_runtime

GRETA = TeamsUser(
    id="29:greta", aad="aad-greta-0000", name="Greta Lindqvist", upn="greta@nordwind.example"
)
CUSTOMER_ANSWERS = (
    "RETAILER-Y store openings in March",
    "Ordered 1,200, final call-off 960",
    "Round numbers on every line",
    "Built stock for all 1,200",
    "Their buyers change every season",
)


def install_greta(world: TeamsWorld) -> None:
    world.connector.add_member(
        GRETA.id,
        name=GRETA.name,
        aadObjectId=GRETA.aad,
        userPrincipalName=GRETA.upn,
        email=GRETA.upn,
    )
    members = [BOT, {"id": GRETA.id, "aadObjectId": GRETA.aad}]
    world.post(world.activity(GRETA, "conversationUpdate", membersAdded=members))
    world.post(world.activity(GRETA, "installationUpdate", action="add"))


def greta_says(world: TeamsWorld, text: str) -> str:
    world.connector.clear()
    assert world.post(world.activity(GRETA, "message", text=text)).status_code in (200, 201, 202)
    return "\n".join(c.text for c in world.connector.of_kind("reply", "send"))


def ana_says(world: TeamsWorld, text: str) -> str:
    world.connector.clear()
    assert world.say("ana", text).status_code in (200, 201, 202)
    return "\n".join(c.text for c in world.connector.of_kind("reply", "send"))


def test_interview_over_teams_then_rule_on_matching_recommendation_only(
    world: TeamsWorld,
    db_url: str,
    config: Config,
    clock: AdjustableClock,
    connector: FakeBotConnector,
) -> None:
    world.install("ana")
    install_greta(world)
    assert "Started the Customers interview with Ana Lopez" in greta_says(
        world, "interview @ana customers"
    )
    connector.clear()
    world.deliver()
    [invitation] = world.cards_to("ana")
    assert "Interview: Customers (1 of 12)" in invitation.text
    assert "(2 of 12)" in ana_says(world, CUSTOMER_ANSWERS[0])
    assert "(3 of 12)" in ana_says(world, "skip")
    assert "(2 of 12)" in ana_says(world, "back")
    assert "(3 of 12)" in ana_says(world, CUSTOMER_ANSWERS[1])
    assert "(4 of 12)" in ana_says(world, CUSTOMER_ANSWERS[2])
    assert "Paused at question 4" in ana_says(world, "pause")

    restarted = teams_runtime(db_url, config, clock)
    with serving(create_app(restarted, start_background=False)) as server:
        again = TeamsWorld(restarted, server.url, connector)
        again._ids = itertools.count(1000)  # Teams never reuses an activity id
        assert "(4 of 12)" in ana_says(again, "resume")
        for answer in CUSTOMER_ANSWERS[3:]:
            ana_says(again, answer)
        assert "does not know the customer 'RETAILER-Z'" in ana_says(again, "RETAILER-Z")
        for answer in ("RETAILER-Y", "when a new store opens"):
            ana_says(again, answer)
        ana_says(again, "Inflates first orders, cancels the difference in week 6")
        assert "has no number in it" in ana_says(again, "a fifth or so")
        for answer in ("20 % (15-25)", "The last 5 store openings", "medium"):
            ana_says(again, answer)
        assert "draft context rule retailer-y-customers" in ana_says(again, "stockout_risk")
        assert "Approved by Greta Lindqvist" in greta_says(
            again, "rules approve retailer-y-customers"
        )
        connector.clear()
        again.ingest(type="stockout_risk", customer="RETAILER-Y", title="SKU-4711 for RETAILER-Y")
        again.ingest(type="stockout_risk", customer="FOODLINE-NL", title="SKU-2410 for FOODLINE")
        again.deliver()
        cards = {
            ("RETAILER-Y" if "RETAILER-Y" in c.text else "other"): c.text
            for c in again.cards_to("ana")
        }
        assert "Context rules" in cards["RETAILER-Y"]
        assert "Inflates first orders" in cards["RETAILER-Y"]
        assert "From Ana Lopez" in cards["RETAILER-Y"]
        assert "SKU-2410 for FOODLINE" in cards["other"] and "Context rules" not in cards["other"]
        again.http.close()
    restarted.stop()
