"""A Slack direct message is delivered once even when Slack posted it and sopbot never
learned: the answer was lost in a timeout, or the worker died between the send and its
record. Each message carries its outbox row's mark in its metadata, and a row tried again
is looked for in the person's DM (conversations.open, conversations.history) before it is
posted. Real SlackChat against the fake Slack Web API, real outbox worker, both databases."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.slack.chat import SlackChat
from adapters.slack.client import build_client
from adapters.slack.home import HomeTab
from adapters.slack.people import SlackPeople
from adapters.slack.sent import PAGE, SENT_BY
from core.clock import AdjustableClock, Calendars
from core.domain import EventKind, OutboxState
from storage.models import ChatMessage, Event, OutboxItem, Recommendation
from tests.fakes.slack_api import FakeSlackApi
from tests.support.intake import ingest_one
from tests.support.slack import sent_to
from workflows.delivery.worker import LEASE, OutboxWorker
from workflows.service import Services
from workflows.sla.sweep import sweep

TIMEOUT = 0.5  # the client's timeout here: a lost answer is noticed quickly


def slack_chat(services: Services, fake: FakeSlackApi) -> SlackChat:
    """A new SlackChat each time, as a new process would have: no DM channel known yet."""
    client = build_client(token="xoxb-test", base_url=fake.url, timeout=TIMEOUT)
    return SlackChat(
        client=client,
        people=SlackPeople(services=services, client=client),
        home=HomeTab(services=services, client=client),
    )


def worker(services: Services, fake: FakeSlackApi) -> OutboxWorker:
    return OutboxWorker(
        database=services.database,
        config=services.config,
        chat=slack_chat(services, fake),
        clock=services.clock,
    )


def delivered(services: Services, rec_id: int) -> list[Event]:
    with services.database.transaction() as session:
        query = select(Event).where(
            Event.recommendation_id == rec_id, Event.kind == EventKind.DELIVERED.value
        )
        return list(session.scalars(query))


def stored_ts(services: Services, rec_id: int) -> list[str]:
    with services.database.transaction() as session:
        return list(
            session.scalars(
                select(ChatMessage.message_id).where(ChatMessage.recommendation_id == rec_id)
            )
        )


def outbox_states(services: Services) -> list[str]:
    with services.database.transaction() as session:
        return list(session.scalars(select(OutboxItem.state)))


def test_every_direct_message_carries_its_rows_mark(
    services: Services, fake_slack: FakeSlackApi
) -> None:
    ingest_one(services)
    worker(services, fake_slack).drain()
    (posted,) = fake_slack.held("chat.postMessage")
    assert posted["metadata"]["event_type"] == SENT_BY
    assert posted["metadata"]["event_payload"]["key"].split(":")[0].isdigit()
    assert not fake_slack.calls_to("conversations.history")  # a first try looks nothing up


def test_a_send_whose_answer_was_lost_is_found_not_posted_again(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    rec_id = ingest_one(services)
    fake_slack.lose_answers("chat.postMessage", hang=TIMEOUT * 3)
    first = worker(services, fake_slack).drain(rounds=1)
    assert (first.sent, first.retried) == (0, 1)  # a timeout: the outbox retries it
    assert len(fake_slack.held("chat.postMessage")) == 1  # but Slack holds the message

    clock.advance(timedelta(minutes=1))
    second = worker(services, fake_slack).drain()
    assert second.sent == 1
    assert len(fake_slack.held("chat.postMessage")) == 1  # not posted twice
    assert len(fake_slack.calls_to("conversations.history")) == 1
    (event,) = delivered(services, rec_id)
    assert event.data["found_again"] is True
    # The stored reference is the message Slack holds, so updates land on it.
    (held,) = fake_slack.history["D0ANA"]
    assert stored_ts(services, rec_id) == [held["ts"]]


def test_a_worker_killed_between_send_and_record_costs_no_copy(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    rec_id = ingest_one(services)
    dying = worker(services, fake_slack)
    (item,) = dying.claim()
    with services.database.transaction() as session:
        message = dying.prepare(session, item, session.get(Recommendation, rec_id))
    assert message is not None
    dying.send_prepared(item, message)  # sent; the process dies before it records it
    assert delivered(services, rec_id) == []

    clock.advance(LEASE + timedelta(seconds=1))  # the lease runs out; another worker
    report = worker(services, fake_slack).drain()
    assert report.sent == 1
    assert len(fake_slack.held("chat.postMessage")) == 1
    assert [c["users"] for c in fake_slack.calls_to("conversations.open")] == ["U0ANA"]
    assert [e.data.get("found_again") for e in delivered(services, rec_id)] == [True]
    assert outbox_states(services) == [OutboxState.SENT]


def test_a_send_found_again_after_hundreds_more_to_the_person_costs_no_copy(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    """A row re-claimed after its worker died waits behind every row due before its lease
    ran out: by its retry the person may have been sent hundreds more (two replicas, one
    killed mid-burst, re-posted each such row: tests/workflows/sla/test_multiprocess.py).
    The lookup reads back to when the row was made, not a fixed number of messages."""
    rec_id = ingest_one(services)
    dying = worker(services, fake_slack)
    (item,) = dying.claim()
    with services.database.transaction() as session:
        message = dying.prepare(session, item, session.get(Recommendation, rec_id))
    assert message is not None
    dying.send_prepared(item, message)  # sent; the process dies before it records it
    sent_to(fake_slack, "D0ANA", 2 * PAGE + 50, at=clock.now())  # the other replica's

    clock.advance(LEASE + timedelta(seconds=1))
    assert worker(services, fake_slack).drain().sent == 1
    assert len(fake_slack.held("chat.postMessage")) == 1  # not posted twice
    assert [e.data.get("found_again") for e in delivered(services, rec_id)] == [True]
    assert len(fake_slack.calls_to("conversations.history")) == 3  # read back to it


def test_a_retry_reads_no_further_back_than_the_row(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    """A long DM of messages sent before the row was made is not read to its end: the
    first page that reaches them ends the search (Slack allows ~50 reads a minute)."""
    sent_to(fake_slack, "D0ANA", 5 * PAGE, at=clock.now() - timedelta(days=2))
    clock.advance(timedelta(hours=1))
    rec_id = ingest_one(services)
    fake_slack.fail_next("chat.postMessage", 500)  # refused before any work
    assert worker(services, fake_slack).drain(rounds=1).retried == 1
    clock.advance(timedelta(minutes=1))
    assert worker(services, fake_slack).drain().sent == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1
    assert [e.data.get("found_again") for e in delivered(services, rec_id)] == [None]


def test_a_row_tried_again_that_slack_never_posted_is_posted(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    rec_id = ingest_one(services)
    fake_slack.fail_next("chat.postMessage", 500)  # refused before any work
    assert worker(services, fake_slack).drain(rounds=1).retried == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # handed to the outbox, no blind retry
    clock.advance(timedelta(minutes=1))
    assert worker(services, fake_slack).drain().sent == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1
    assert len(fake_slack.held("chat.postMessage")) == 1
    assert [e.data.get("found_again") for e in delivered(services, rec_id)] == [None]


def test_a_lookup_that_fails_for_now_sends_nothing_blind(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    ingest_one(services)
    fake_slack.lose_answers("chat.postMessage", hang=TIMEOUT * 3)
    worker(services, fake_slack).drain(rounds=1)
    clock.advance(timedelta(minutes=1))
    fake_slack.fail_next("conversations.history", 503, count=3)  # the SDK retries twice
    report = worker(services, fake_slack).drain(rounds=1)
    assert (report.sent, report.retried) == (0, 1)
    assert len(fake_slack.held("chat.postMessage")) == 1  # no blind second post
    clock.advance(timedelta(minutes=1))
    assert worker(services, fake_slack).drain().sent == 1
    assert len(fake_slack.held("chat.postMessage")) == 1


def test_a_workspace_that_refuses_the_lookup_still_gets_the_message(
    services: Services,
    fake_slack: FakeSlackApi,
    clock: AdjustableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Scopes not granted yet (an older install): the row is sent as before, at the cost
    of a possible copy, never lost; the refusal is logged."""
    rec_id = ingest_one(services)
    fake_slack.fail_next("chat.postMessage", 500)
    worker(services, fake_slack).drain(rounds=1)
    clock.advance(timedelta(minutes=1))
    fake_slack.fail_next("conversations.open", 200, error="missing_scope")
    with caplog.at_level(logging.WARNING):
        assert worker(services, fake_slack).drain().sent == 1
    assert "refused to look up sent messages" in caplog.text
    assert len(fake_slack.held("chat.postMessage")) == 1
    assert len(delivered(services, rec_id)) == 1


def _reminder_due(services: Services, clock: AdjustableClock, fake: FakeSlackApi) -> int:
    """A card delivered to Ana, then its 50% reminder queued by the sweep; the item's id."""
    rec_id = ingest_one(services)
    assert worker(services, fake).drain().sent == 1
    clock.advance(timedelta(hours=4, minutes=30))
    sweep(
        database=services.database,
        config=services.config,
        calendars=Calendars(services.config),
        now=clock.now(),
    )
    return rec_id


def _follow_ups(fake: FakeSlackApi) -> list[dict]:
    return [p for p in fake.held("chat.postMessage") if p.get("thread_ts")]


def test_a_follow_up_carries_its_rows_mark_and_a_first_try_looks_nothing_up(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    _reminder_due(services, clock, fake_slack)
    assert worker(services, fake_slack).drain().sent == 1
    (reply,) = _follow_ups(fake_slack)
    assert reply["metadata"]["event_type"] == SENT_BY
    assert reply["text"].startswith("Reminder:")
    assert not fake_slack.calls_to("conversations.replies")


def test_a_follow_up_whose_worker_died_before_its_record_is_found_in_the_thread(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    """Reminders are not held to one send in flight (they go out many at a time): a crash
    between the follow-up and its record must cost no second follow-up."""
    rec_id = _reminder_due(services, clock, fake_slack)
    dying = worker(services, fake_slack)
    (item,) = dying.claim()
    assert item.payload["purpose"] == "reminder"
    assert dying.finds_sent(item)
    with services.database.transaction() as session:
        outgoing = dying.prepare(session, item, session.get(Recommendation, rec_id))
    assert outgoing is not None and outgoing.card is not None  # a follow-up to the card
    dying.send_prepared(item, outgoing)  # sent; the process dies before it records it

    clock.advance(LEASE + timedelta(seconds=1))
    assert worker(services, fake_slack).drain().sent == 1
    (reply,) = _follow_ups(fake_slack)  # not posted twice
    assert reply["thread_ts"] == outgoing.card.message_id
    assert len(fake_slack.calls_to("conversations.replies")) == 1
    reminders = [e for e in delivered(services, rec_id) if e.data["purpose"] == "reminder"]
    assert [(e.data.get("found_again"), e.data.get("follow_up")) for e in reminders] == [
        (True, True)
    ]
    assert set(outbox_states(services)) == {OutboxState.SENT}


def test_a_follow_up_whose_answer_was_lost_is_found_not_posted_again(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    _reminder_due(services, clock, fake_slack)
    fake_slack.lose_answers("chat.postMessage", hang=TIMEOUT * 3)
    first = worker(services, fake_slack).drain(rounds=1)
    assert (first.sent, first.retried) == (0, 1)
    assert len(_follow_ups(fake_slack)) == 1  # Slack holds it

    clock.advance(timedelta(minutes=1))
    assert worker(services, fake_slack).drain().sent == 1
    assert len(_follow_ups(fake_slack)) == 1
    # the card was updated again on the retry (idempotent), the follow-up found
    assert len(fake_slack.calls_to("conversations.replies")) == 1


def test_a_follow_up_tried_again_that_slack_never_posted_is_posted(
    services: Services, fake_slack: FakeSlackApi, clock: AdjustableClock
) -> None:
    _reminder_due(services, clock, fake_slack)
    fake_slack.fail_next("chat.postMessage", 500)
    assert worker(services, fake_slack).drain(rounds=1).retried == 1
    clock.advance(timedelta(minutes=1))
    assert worker(services, fake_slack).drain().sent == 1
    assert len(fake_slack.calls_to("conversations.replies")) == 1
    assert len(_follow_ups(fake_slack)) == 1
