"""One source of truth for the reminder and escalation versions of a message: what an
adapter redraws after a click (`recommendation_for(purpose=...)`) is what the outbox
sent, and Snooze / Extend SLA go to exactly the people their workflows accept."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.domain import Action
from core.messages import ButtonAction, Message
from tests.support.intake import ingest_one
from workflows.chat.inbox import recommendation_for
from workflows.decisions.service import DecisionRequest, decide
from workflows.delivery.worker import OutboxWorker
from workflows.errors import InvalidInput, NotPermitted
from workflows.service import Services
from workflows.sla.extension import extend_sla
from workflows.sla.sweep import sweep
from workflows.views.message import Purpose, purpose_of

BERLIN = ZoneInfo("Europe/Berlin")
REMINDER_AT = datetime(2026, 11, 30, 13, 30, tzinfo=BERLIN)  # past the 50% reminder
ESCALATION_AT = datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN)  # due: the manager is told
DECISIONS = {ButtonAction.ACCEPT, ButtonAction.OVERRIDE, ButtonAction.REASSIGN}


def at(services: Services, outbox: OutboxWorker, clock: AdjustableClock, moment: datetime) -> None:
    """The SLA clock as of `moment`: sweep, then deliver what it queued."""
    clock.set(moment)
    sweep(
        database=services.database, config=services.config, calendars=services.calendars, now=moment
    )
    outbox.drain()


def sent(chat: InMemoryChat, person: str, purpose: Purpose) -> Message:
    [message] = [m for m in chat.to(person) if purpose_of(m) == purpose]
    return message


def actions(message: Message) -> list[ButtonAction]:
    return [b.action for b in message.buttons]


def test_a_redrawn_reminder_is_the_reminder_the_outbox_sent(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat, clock: AdjustableClock
) -> None:
    rec_id = ingest_one(services, outbox=outbox)
    at(services, outbox, clock, REMINDER_AT)
    reminder = sent(chat, "ana", Purpose.REMINDER)
    redrawn = recommendation_for(
        services, recommendation_id=rec_id, reader_id="ana", purpose=Purpose.REMINDER
    )
    assert redrawn == reminder
    assert redrawn.header.startswith("Reminder: ")
    assert [b.value for b in redrawn.buttons if b.action == ButtonAction.SNOOZE] == [
        "1h",
        "4h",
        "nbd",
    ]
    assert redrawn.state[0].startswith("Due in ")
    plain = recommendation_for(services, recommendation_id=rec_id, reader_id="ana")
    assert chat.to("ana") == [reminder]  # one card, redrawn in place as the reminder
    assert purpose_of(plain) == Purpose.OWNER and ButtonAction.SNOOZE not in actions(plain)


def test_a_redrawn_escalation_is_the_escalation_the_outbox_sent(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat, clock: AdjustableClock
) -> None:
    rec_id = ingest_one(services, outbox=outbox)
    at(services, outbox, clock, ESCALATION_AT)
    escalation = sent(chat, "ben", Purpose.ESCALATION)
    redrawn = recommendation_for(
        services, recommendation_id=rec_id, reader_id="ben", purpose=Purpose.ESCALATION
    )
    assert redrawn == escalation
    assert redrawn.form_for(ButtonAction.EXTEND) is not None
    assert any("has had it for" in line for line in redrawn.state)


def test_snooze_only_for_the_owner_and_backup_and_nothing_once_decided(
    services: Services, outbox: OutboxWorker, clock: AdjustableClock
) -> None:
    rec_id = ingest_one(services, outbox=outbox)  # Ana owns it, Dora is the backup, Ben escalates
    clock.set(REMINDER_AT)

    def reminder(reader: str) -> Message:
        return recommendation_for(
            services, recommendation_id=rec_id, reader_id=reader, purpose=Purpose.REMINDER
        )

    assert ButtonAction.SNOOZE in actions(reminder("ana"))
    assert ButtonAction.SNOOZE in actions(reminder("dora"))
    ben = reminder("ben")  # may decide on Ana's behalf, but the reminders are not his
    assert ButtonAction.SNOOZE not in actions(ben) and ButtonAction.ACCEPT in actions(ben)
    decide(services, DecisionRequest(rec_id, "ana", Action.ACCEPT, "local"))
    drawn = {
        p: recommendation_for(services, recommendation_id=rec_id, reader_id="ben", purpose=p)
        for p in Purpose
    }
    assert len({m.model_dump_json() for m in drawn.values()}) == 1  # decided: all the same
    assert drawn[Purpose.ESCALATION].buttons == []


@pytest.mark.parametrize("rtype", ["capacity_warning", "stockout_risk"])
def test_extend_is_offered_to_exactly_those_extend_sla_allows(
    services: Services, outbox: OutboxWorker, clock: AdjustableClock, rtype: str
) -> None:
    """capacity_warning escalates to Eve's manager only: Greta, the override reviewer,
    may extend it without being able to decide it. stockout_risk has her on the chain."""
    rec_id = ingest_one(services, outbox=outbox, type=rtype)
    clock.set(ESCALATION_AT)
    offered, allowed = set(), set()
    for person in services.config.people:
        message = recommendation_for(
            services, recommendation_id=rec_id, reader_id=person.id, purpose=Purpose.ESCALATION
        )
        if message.form_for(ButtonAction.EXTEND) is not None:
            offered.add(person.id)
        try:  # a due time in the past: past the permission check, nothing is changed
            extend_sla(
                services,
                recommendation_id=rec_id,
                actor_id=person.id,
                reason="test",
                new_due="2026-11-30T08:00",
                channel="local",
            )
        except NotPermitted:
            continue
        except InvalidInput as error:
            assert error.field == "due_at"
        allowed.add(person.id)
    assert offered == allowed
    assert "greta" in offered and "ben" in offered
    greta = recommendation_for(
        services, recommendation_id=rec_id, reader_id="greta", purpose=Purpose.ESCALATION
    )
    if rtype == "capacity_warning":  # the reviewer: Extend SLA, but no decision to take
        assert actions(greta) == [ButtonAction.EXTEND]
        assert greta.header.startswith("Escalated: ")
