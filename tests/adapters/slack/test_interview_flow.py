"""A context interview through Slack's real HTTP path: signed `/sopbot` requests to the
live server, the planner's questions posted to her DM through the fake Slack Web API;
start, answer, skip, go back, resume after restarting the server, approve; the rule is
then on a matching recommendation's message and not on another one."""

from __future__ import annotations

import itertools
import json

from bot.runtime import build_runtime
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.slack_api import FakeSlackApi
from tests.support.interviews import SUPPLIER_ANSWERS
from tests.support.live import serving
from tests.support.slack import SlackWorld, said_in_dm, slack_settings
from tests.support.slack_http import SlackSender

_answers = itertools.count()


def said(sender: SlackSender, fake: FakeSlackApi, user_id: str, text: str) -> str:
    """The ephemeral answer to `/sopbot <text>`, as one string: acked empty, then posted
    to the command's response_url (served by the fake) after the ack."""
    name = f"interview-answer{next(_answers)}"
    url = fake.url.replace("/api/", "/commands/T0FAKE/1/") + name
    acked = sender.command(user_id, text, response_url=url)
    assert acked.status_code == 200 and not acked.content, acked.text
    answers = fake.wait_for(name)
    assert answers, f"/sopbot {text} was not answered"
    return json.dumps(answers[0])


def typed_in_dm(sender: SlackSender, fake: FakeSlackApi, text: str) -> str:
    """Ana types into her DM with sopbot (`message.im`); sopbot's reply in that DM."""
    reply = said_in_dm(sender, fake, text)
    assert reply["channel"] == "D0ANA"
    return json.dumps(reply)


def test_interview_over_slack_then_rule_on_matching_recommendation_only(
    world: SlackWorld,
    db_url: str,
    config: Config,
    clock: AdjustableClock,
    fake_slack: FakeSlackApi,
) -> None:
    assert "Started the Suppliers interview with Ana Lopez" in said(
        world.slack, fake_slack, "U0GRETA", "interview <@U0ANA|ana> suppliers"
    )
    world.runtime.outbox.drain()
    invitation = json.dumps(world.dm_to("U0ANA").blocks)
    assert "Interview: Suppliers (1 of 12)" in invitation and "/sopbot &lt;answer&gt;" in invitation

    assert "(2 of 12)" in said(world.slack, fake_slack, "U0ANA", SUPPLIER_ANSWERS["incident"])
    assert "(3 of 12)" in said(world.slack, fake_slack, "U0ANA", "skip")
    assert "(2 of 12)" in said(world.slack, fake_slack, "U0ANA", "back")
    assert "(3 of 12)" in said(world.slack, fake_slack, "U0ANA", SUPPLIER_ANSWERS["timeline"])
    assert "(4 of 12)" in said(world.slack, fake_slack, "U0ANA", SUPPLIER_ANSWERS["cues"])

    # The server restarts: a new runtime and server on the same database.
    restarted = build_runtime(
        slack_settings(db_url, fake_slack), config=config, clock=clock, upgrade=False
    )
    with serving(create_app(restarted)) as server:
        slack = SlackSender(server.url)
        resumed = said(slack, fake_slack, "U0ANA", "resume")
        assert "(4 of 12)" in resumed and "If a new planner had been in your seat" in resumed
        assert "CDM" not in resumed  # the technique is the facilitator's word, not hers
        assert "(5 of 12)" in typed_in_dm(slack, fake_slack, SUPPLIER_ANSWERS["newcomer"])
        assert "(6 of 12)" in typed_in_dm(slack, fake_slack, SUPPLIER_ANSWERS["tricks"])
        assert "(7 of 12)" in typed_in_dm(slack, fake_slack, "SKF-DE")
        assert "I don't know the month" in said(slack, fake_slack, "U0ANA", "Octobre")
        said(slack, fake_slack, "U0ANA", "oct, nov, dec")
        effect = "Confirms late every Q4 but ships on time; hold the expedite"
        said(slack, fake_slack, "U0ANA", effect)
        assert "has no number in it" in said(slack, fake_slack, "U0ANA", "two weeks or so")
        for answer in ("14 days (10-21)", "8 of the last 10 Q4 POs", "high"):
            said(slack, fake_slack, "U0ANA", answer)
        drafted = said(slack, fake_slack, "U0ANA", "supplier_delay")
        assert "draft context rule skf-de-suppliers" in drafted
        restarted.outbox.drain()
        assert "skf-de-suppliers is ready for review" in json.dumps(world.dm_to("U0GRETA").blocks)
        listed = said(slack, fake_slack, "U0GRETA", "rules")
        assert "Draft (1)" in listed and "skf-de-suppliers" in listed
        approved = said(slack, fake_slack, "U0GRETA", "rules approve skf-de-suppliers")
        assert "Approved by Greta Lindqvist" in approved
        slack.close()
    restarted.stop()

    world.ingest(type="supplier_delay", supplier="SKF-DE", title="SKF-DE PO 4500999 late")
    matching = json.dumps(world.dm_to("U0CARL").blocks)
    assert "Context rules" in matching and "Confirms late every Q4" in matching
    assert "From Ana Lopez" in matching
    world.ingest(type="supplier_delay", supplier="TIMKEN-US", title="TIMKEN-US PO 4501000 late")
    other = json.dumps(world.dm_to("U0CARL").blocks)
    assert "TIMKEN-US PO 4501000" in other and "Context rules" not in other
