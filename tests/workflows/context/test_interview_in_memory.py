"""A full interview through the in-memory chat on both databases: a facilitator starts
it, the planner answers, skips, goes back, revises, pauses, and resumes after a restart
(new services on the same database); bad answers are asked again with an example; the
approved rule then shows on a matching recommendation and not on others."""

from __future__ import annotations

from sqlalchemy import select

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config
from core.domain import Action
from core.messages import Message
from storage.db import Database
from storage.models import ContextRule, Event, InterviewRecord, Recommendation
from tests.support.intake import ingest_one
from tests.support.interviews import SUPPLIER_ANSWERS, question_number, say, text_of
from workflows.decisions.service import DecisionRequest, decide
from workflows.delivery.worker import OutboxWorker
from workflows.service import Services, build_services
from workflows.views.message import recommendation_message


def rules_shown(services: Services, rec_id: int, reader: str) -> list[str]:
    with services.database.transaction() as session:
        rec = session.get(Recommendation, rec_id)
        message = recommendation_message(
            session, config=services.config, rec=rec, reader_id=reader, now=services.clock.now()
        )
    section = next((s for s in message.sections if s.title == "Context rules"), None)
    return section.lines if section else []


def test_full_interview_then_rule_on_matching_recommendations_only(
    database: Database,
    db_url: str,
    config: Config,
    clock: AdjustableClock,
    services: Services,
    chat: InMemoryChat,
    outbox: OutboxWorker,
) -> None:
    started = say(services, "greta", "interview @ana suppliers")
    assert "Started the Suppliers interview with Ana Lopez" in text_of(started)
    outbox.drain()
    [invite] = chat.to("ana")
    assert invite.header == "Interview: Suppliers (1 of 12)"
    assert "Greta Lindqvist asked you" in (invite.text or "")
    assert any("For example:" in line for line in invite.context)

    assert question_number(say(services, "ana", SUPPLIER_ANSWERS["incident"])) == 2
    assert question_number(say(services, "ana", "skip")) == 3
    back = say(services, "ana", "back")
    assert question_number(back) == 2 and "Your answer so far: (skipped)" in text_of(back)
    assert question_number(say(services, "ana", SUPPLIER_ANSWERS["timeline"])) == 3
    for key in ("cues", "newcomer", "tricks"):
        say(services, "ana", SUPPLIER_ANSWERS[key])

    unknown = say(services, "ana", "SKF-DEU")  # an entity the configuration does not know
    assert question_number(unknown) == 6
    assert "does not know the supplier 'SKF-DEU'. Did you mean SKF-DE?" in text_of(unknown)
    assert "For example: `supplier" in text_of(unknown)
    assert question_number(say(services, "ana", "skf-de")) == 7
    misspelt = say(services, "ana", "octobr, nov, dec")
    assert question_number(misspelt) == 7
    assert "I don't know the month 'octobr' (did you mean oct?)" in text_of(misspelt)
    assert "For example:" in text_of(misspelt)
    assert question_number(say(services, "ana", "Oct-Dec")) == 8

    paused = say(services, "ana", "pause")
    assert "Paused at question 8 of 12" in text_of(paused)
    # A restart: new services on the same database, nothing in memory survives.
    restarted_db = Database(db_url)
    again = build_services(database=restarted_db, config=config, clock=clock)
    assert "paused at question 8" in text_of(say(again, "ana", "Confirms late"))
    resumed = say(again, "ana", "resume")
    assert question_number(resumed) == 8 and "Welcome back" in text_of(resumed)
    assert question_number(say(again, "ana", "Confirms late every Q4")) == 9
    not_a_number = say(again, "ana", "about two weeks")
    assert question_number(not_a_number) == 9
    assert "has no number in it" in text_of(not_a_number)
    assert "For example: `14 days (10-21)`" in text_of(not_a_number)
    # Three numbers but no range: asked again, never stored as "likely 6 (4-8)".
    not_a_range = say(again, "ana", "6 of the last 8 Q4 POs")
    assert question_number(not_a_range) == 9
    assert "I can't tell a likely value and a range" in text_of(not_a_range)
    assert question_number(say(again, "ana", "14 days (10-21)")) == 10
    revise = say(again, "ana", "revise 8")
    assert question_number(revise) == 8
    assert "Your answer so far: Confirms late every Q4" in text_of(revise)
    effect = "Confirms late every Q4 but ships on time; hold the expedite"
    assert question_number(say(again, "ana", effect)) == 10  # back where she was
    say(again, "ana", "8 of the last 10 Q4 POs")
    assert "not a confidence" in text_of(say(again, "ana", "hihg"))
    say(again, "ana", "high")
    finished = say(again, "ana", "supplier_delay, expedite")
    assert "draft context rule skf-de-suppliers" in text_of(finished)
    restarted_db.dispose()

    with database.transaction() as session:
        rule = session.scalars(select(ContextRule)).one()
        interview = session.scalars(select(InterviewRecord)).one()
        refused = session.scalars(
            select(Event).where(Event.kind == "interview_answer_refused").order_by(Event.id)
        ).all()
    assert (rule.entity_kind, rule.entity_value, rule.status) == ("supplier", "SKF-DE", "draft")
    assert rule.condition == {"months": ["oct", "nov", "dec"]}
    assert rule.magnitude == {"likely": 14.0, "low": 10.0, "high": 21.0, "unit": "days"}
    assert rule.effect == effect and rule.types == ["supplier_delay", "expedite"]
    assert interview.status == "completed" and "timeline" in interview.answers
    assert [e.data["question"] for e in refused] == [
        "entity",
        "condition",
        "magnitude",
        "magnitude",
        "confidence",
    ]
    outbox.drain()
    assert "skf-de-suppliers is ready for review" in text_of(chat.to("greta")[-1])

    card = say(services, "greta", "rules show skf-de-suppliers")
    assert isinstance(card, Message)
    [words] = [s.lines for s in card.sections if s.title == "In the planner's words"]
    assert any(SUPPLIER_ANSWERS["incident"][:40] in line for line in words)  # Ana's own words
    refused_review = say(services, "ana", "rules approve skf-de-suppliers")
    assert "Only a facilitator" in text_of(refused_review)
    approved = say(services, "greta", "rules approve skf-de-suppliers")
    assert "Status: approved" in text_of(approved) and "Owner: Ana Lopez" in text_of(approved)
    assert "Review by: 2027-05-29" in text_of(approved)  # 180 days after 30 Nov 2026

    matching = ingest_one(services, type="supplier_delay", supplier="SKF-DE", site="DC-NORTH")
    other_supplier = ingest_one(services, type="supplier_delay", supplier="TIMKEN-US")
    summer = ingest_one(
        services,
        type="supplier_delay",
        supplier="SKF-DE",
        event_time="2026-06-01T07:00:00+00:00",
        recorded_time="2026-06-01T07:10:00+00:00",
    )
    other_type = ingest_one(services, type="stockout_risk", supplier="SKF-DE")
    [line] = rules_shown(services, matching, "carl")
    assert "supplier SKF-DE, Oct-Dec: Confirms late every Q4" in line
    assert "likely 14 days (10-21)" in line and "From Ana Lopez" in line
    assert rules_shown(services, other_supplier, "carl") == []
    assert rules_shown(services, summer, "carl") == []
    assert rules_shown(services, other_type, "ana") == []

    outbox.drain()
    delivered = [m for m in chat.to("carl") if m.recommendation_id == matching]
    assert any(s.title == "Context rules" for s in delivered[0].sections)
    decide(services, DecisionRequest(matching, "carl", Action.ACCEPT, "memory"))
    decide(services, DecisionRequest(other_supplier, "carl", Action.ACCEPT, "memory"))
    with database.transaction() as session:
        shown = session.scalars(select(Event).where(Event.kind == "context_rules_shown")).all()
    assert [(e.recommendation_id, e.data["rules"]) for e in shown] == [
        (matching, ["skf-de-suppliers"])
    ]
