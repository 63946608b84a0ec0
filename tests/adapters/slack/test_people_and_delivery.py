"""People without a configured Slack id are looked up by email once and stored; clicks
from such a user map back to the person. SlackChat sorts Web API failures for the
outbox: rate limits and server trouble are transient, refusals permanent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from adapters.slack.chat import SlackChat
from adapters.slack.client import build_client
from adapters.slack.home import HomeTab
from adapters.slack.ids import ActionId
from adapters.slack.people import SlackPeople
from bot.runtime import build_runtime
from bot.server import create_app
from core.chat import DeliveryError
from core.clock import AdjustableClock
from core.config import Config, parse_config
from core.messages import Message
from tests.fakes.slack_api import FakeSlackApi
from tests.support.data import ROOT
from tests.support.live import serving
from tests.support.slack import SlackWorld, slack_settings
from tests.support.slack_http import SlackSender, block_actions, button_in
from workflows.service import Services


@pytest.fixture
def unlinked_config() -> Config:
    """The demo configuration with Ana's Slack id removed (her email stays)."""
    text = (ROOT / "core" / "data" / "demo.yml").read_text(encoding="utf-8")
    assert " slack: U0ANA," in text
    return parse_config(text.replace(" slack: U0ANA,", "", 1))


@pytest.fixture
def unlinked_world(
    db_url: str, unlinked_config: Config, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> Iterator[SlackWorld]:
    fake_slack.users_by_email["ana@nordwind.example"] = "U0ANA2"
    runtime = build_runtime(
        slack_settings(db_url, fake_slack), config=unlinked_config, clock=clock, upgrade=False
    )
    with serving(create_app(runtime)) as server:
        sender = SlackSender(server.url)
        yield SlackWorld(runtime=runtime, fake=fake_slack, slack=sender)
        sender.close()
    runtime.stop()


def test_lookup_by_email_once_then_stored(unlinked_world: SlackWorld) -> None:
    world = unlinked_world
    first = world.ingest()
    world.ingest(sku="SKU-9000", title="SKU-9000 at DC-NORTH")
    lookups = world.fake.calls_to("users.lookupByEmail")
    assert [c["email"] for c in lookups] == ["ana@nordwind.example"]
    assert len(world.fake.replies_to("chat.postMessage")) == 2
    dm = world.dm_to("U0ANA2")

    # Her click arrives with the looked-up id and maps back to Ana.
    click = block_actions(
        user_id="U0ANA2",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    assert world.fake.wait_for("chat.update")
    assert world.decisions(first) + world.decisions(first + 1) == 1
    assert len(world.fake.calls_to("users.lookupByEmail")) == 1


@pytest.fixture
def slack_chat(services: Services, fake_slack: FakeSlackApi) -> SlackChat:
    client = build_client(token="xoxb-test", base_url=fake_slack.url)
    return SlackChat(
        client=client,
        people=SlackPeople(services=services, client=client),
        home=HomeTab(services=services, client=client),
    )


def test_delivery_errors_are_sorted_for_the_outbox(
    slack_chat: SlackChat, fake_slack: FakeSlackApi, config: Config
) -> None:
    ana = config.person("ana")
    message = Message(header="hello")
    fake_slack.fail_next("chat.postMessage", 429, retry_after=30)  # too long to wait here
    with pytest.raises(DeliveryError) as rate_limited:
        slack_chat.send(person=ana, message=message)
    assert rate_limited.value.transient and rate_limited.value.retry_after == 30
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # handed to the outbox at once

    fake_slack.fail_next("chat.postMessage", 503, count=3)
    with pytest.raises(DeliveryError) as server_error:
        slack_chat.send(person=ana, message=message)
    assert server_error.value.transient

    fake_slack.fail_next("chat.postMessage", 200, error="channel_not_found")
    with pytest.raises(DeliveryError) as refused:
        slack_chat.send(person=ana, message=message)
    assert not refused.value.transient and "channel_not_found" in str(refused.value)

    ref = slack_chat.send(person=ana, message=message)
    assert (ref.platform, ref.channel) == ("slack", "D0ANA")


def test_unreachable_slack_is_transient(services: Services, config: Config) -> None:
    client = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/", timeout=2)
    chat = SlackChat(
        client=client,
        people=SlackPeople(services=services, client=client),
        home=HomeTab(services=services, client=client),
    )
    with pytest.raises(DeliveryError) as unreachable:
        chat.send(person=config.person("ana"), message=Message(header="hello"))
    assert unreachable.value.transient


def test_unknown_email_is_permanent_and_not_asked_twice(
    slack_chat: SlackChat, fake_slack: FakeSlackApi, unlinked_config: Config
) -> None:
    slack_chat.people.services.config = unlinked_config
    fake_slack.users_by_email.clear()  # nobody in the workspace has Ana's address
    ana = unlinked_config.person("ana")
    assert slack_chat.can_reach(ana)
    for _ in range(2):
        with pytest.raises(DeliveryError) as missing:
            slack_chat.send(person=ana, message=Message(header="hello"))
        assert not missing.value.transient
    assert len(fake_slack.calls_to("users.lookupByEmail")) == 1
    assert not slack_chat.can_reach(ana)
