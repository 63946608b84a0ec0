"""The interview engine: start, answer, skip, back, revise, pause, resume. Every step
is one transaction on the `interviews` row, so a restart (or a second replica) carries
on at the same question; answers are read into rule fields as they come, and a bad one
is asked again with an example, never stored half-read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain import OutboxKind
from core.interviews import RuleField, Template, load_templates
from core.messages import Message
from core.rule_fields import (
    AnswerError,
    parse_condition,
    parse_confidence,
    parse_entity,
    parse_magnitude,
    parse_types,
)
from core.rules import RuleStatus
from storage.models import ContextRule, InterviewRecord
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.context.interviews import messages
from workflows.context.interviews.draft import COMPLETED, finish_interview
from workflows.context.rules.entities import known_entities
from workflows.context.rules.events import ContextEvent
from workflows.context.rules.people import may_review
from workflows.errors import InvalidInput, NotFound, NotPermitted
from workflows.outbox import enqueue

ACTIVE, PAUSED = "active", "paused"
OPEN_STATES = (ACTIVE, PAUSED)
CONTROL_WORDS = ("skip", "back", "pause", "resume", "revise")


@dataclass(frozen=True)
class Started:
    interview_id: int
    reply: Message | str  # to the facilitator (the planner's invitation goes via the outbox)


def interview_templates(ctx: WorkflowContext) -> dict[str, Template]:
    return load_templates(ctx.config.context.templates_dir)


# --- starting -----------------------------------------------------------------


def start_interview(
    ctx: WorkflowContext,
    *,
    facilitator_id: str,
    person_id: str,
    template_name: str,
    origin: str | None = None,
) -> Started:
    templates = interview_templates(ctx)
    template = templates.get(template_name)
    if template is None:
        raise InvalidInput(
            "template",
            f"Unknown template '{template_name}'; choose one of {', '.join(sorted(templates))}.",
        )
    if person_id not in ctx.config.people_by_id:
        raise InvalidInput("person", f"Unknown person '{person_id}'.")
    if person_id != facilitator_id and not may_review(config=ctx.config, person_id=facilitator_id):
        raise NotPermitted(
            "Only a facilitator may start an interview for someone else; "
            "you can start your own: `interview <template>`."
        )
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        current = _open(ctx, session, person_id)
        if current is not None:
            raise InvalidInput(
                "person",
                f"{ctx.config.display_name(person_id)} already has "
                f"the {current.template} interview open (#{current.id}).",
            )
        record = InterviewRecord(
            template=template.name,
            person_id=person_id,
            facilitator_id=facilitator_id,
            status=ACTIVE,
            position=0,
            answers={},
            trail=[],
            origin=origin,
            started_at=now,
            updated_at=now,
        )
        session.add(record)
        session.flush()
        record_event(
            session,
            kind=ContextEvent.INTERVIEW_STARTED,
            at=now,
            actor_id=facilitator_id,
            interview=record.id,
            person=person_id,
            template=template.name,
        )
        if person_id == facilitator_id:
            return Started(record.id, messages.question_message(record, template))
        invite = messages.invitation(record, template, ctx.config.display_name(facilitator_id))
        _notify(
            ctx,
            session,
            key=f"interview:{record.id}:start",
            person_id=person_id,
            message=invite,
            now=now,
        )
    return Started(
        record.id,
        f"Started the {template.title} interview with "
        f"{ctx.config.display_name(person_id)} (#{record.id}); the first "
        "question is on its way to them.",
    )


# --- the conversation -----------------------------------------------------------


def has_open_interview(ctx: WorkflowContext, person_id: str) -> bool:
    with ctx.database.transaction() as session:
        return _open(ctx, session, person_id) is not None


def interview_reply(ctx: WorkflowContext, *, person_id: str, text: str) -> Message | str:
    """Whatever the planner typed while an interview is open: a control word or an
    answer to the current question."""
    word, _, rest = text.strip().partition(" ")
    word = word.lower()
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        record = _open(ctx, session, person_id, lock=True)
        if record is None and word == "revise":
            record = _revisable(ctx, session, person_id)
        if record is None:
            raise NotFound("You have no interview open.")
        template = interview_templates(ctx)[record.template]
        if record.status == PAUSED:
            if word not in ("resume", "back", "revise", "skip"):
                return (
                    f"Your {template.title} interview is paused at question "
                    f"{record.position + 1}. Type `resume` to continue."
                )
            record.status, record.paused_at = ACTIVE, None
            if word == "resume":
                record.updated_at = now
                return messages.question_message(record, template, note="Welcome back.")
        if word == "pause":
            record.status, record.paused_at, record.updated_at = PAUSED, now, now
            return Message(
                header=f"Interview paused: {template.title}",
                text=f"Paused at question {record.position + 1} of "
                f"{len(template.questions)}. Type `resume` whenever you like; "
                "nothing you said is lost.",
                thread=messages.thread_of(record),
                thread_started=record.started_at,
            )
        if word == "back":
            return _back(ctx, record, template, now)
        if word == "revise":
            return _revise(ctx, record, template, rest, now)
        if word == "skip":
            return _skip(ctx, session, record, template, now)
        if word == "resume":
            return messages.question_message(record, template, note="Welcome back.")
        return _answer(ctx, session, record, template, text.strip(), now)


def _back(
    ctx: WorkflowContext, record: InterviewRecord, template: Template, now: datetime
) -> Message:
    if not record.trail:
        return messages.question_message(record, template, note="This is the first question.")
    trail = list(record.trail)
    record.position = trail.pop()
    record.trail, record.updated_at = trail, now
    return messages.question_message(record, template)


def _revise(
    ctx: WorkflowContext, record: InterviewRecord, template: Template, wanted: str, now: datetime
) -> Message:
    index = template.question_index(wanted.strip().lower())
    if index is None:
        return messages.question_message(
            record,
            template,
            problem=f"There is no question '{wanted.strip()}'. "
            f"Give its number, 1 to {len(template.questions)}.",
        )
    record.trail = [*record.trail, record.position]
    record.position, record.updated_at = index, now
    return messages.question_message(record, template)


def _skip(
    ctx: WorkflowContext,
    session: Session,
    record: InterviewRecord,
    template: Template,
    now: datetime,
) -> Message:
    question = template.questions[record.position]
    if question.required:
        return messages.question_message(
            record,
            template,
            problem="This one is needed for the rule, so it cannot be skipped.",
        )
    return _store(ctx, session, record, template, {"skipped": True}, now)


def _answer(
    ctx: WorkflowContext,
    session: Session,
    record: InterviewRecord,
    template: Template,
    text: str,
    now: datetime,
) -> Message:
    question = template.questions[record.position]
    if not text:
        return messages.question_message(record, template, problem="I need an answer.")
    try:
        value = _read(ctx, session, question.fills, text, template)
    except AnswerError as exc:
        record_event(
            session,
            kind=ContextEvent.INTERVIEW_ANSWER_REFUSED,
            at=now,
            actor_id=record.person_id,
            interview=record.id,
            question=question.id,
            answer=text,
            problem=exc.problem,
        )
        return messages.question_message(record, template, problem=str(exc))
    return _store(ctx, session, record, template, {"text": text, "value": value}, now)


def _read(
    ctx: WorkflowContext, session: Session, fills: RuleField | None, text: str, template: Template
) -> Any:
    if fills == RuleField.ENTITY:
        kind, value = parse_entity(
            text,
            default_kind=template.entity_kind,
            known=known_entities(session, config=ctx.config),
        )
        return {"kind": kind, "value": value}
    if fills == RuleField.CONDITION:
        return parse_condition(text)
    if fills == RuleField.MAGNITUDE:
        return parse_magnitude(text)
    if fills == RuleField.CONFIDENCE:
        return parse_confidence(text)
    if fills == RuleField.TYPES:
        return parse_types(text, ctx.config.recommendation_types)
    return text


def _store(
    ctx: WorkflowContext,
    session: Session,
    record: InterviewRecord,
    template: Template,
    answer: dict[str, Any],
    now: datetime,
) -> Message:
    question = template.questions[record.position]
    record.answers = {**record.answers, question.id: answer}
    record.trail = [*record.trail, record.position]
    record.updated_at = now
    ids = [q.id for q in template.questions]
    following = [i for i in range(record.position + 1, len(ids)) if ids[i] not in record.answers]
    if following:
        record.position = following[0]
        return messages.question_message(record, template)
    unanswered = [i for i in range(len(ids)) if ids[i] not in record.answers]
    if unanswered:
        record.position = unanswered[0]
        return messages.question_message(record, template)
    return finish_interview(session, config=ctx.config, record=record, template=template, now=now)


# --- helpers --------------------------------------------------------------------


def _open(
    ctx: WorkflowContext, session: Session, person_id: str, *, lock: bool = False
) -> InterviewRecord | None:
    query = (
        select(InterviewRecord)
        .where(InterviewRecord.person_id == person_id, InterviewRecord.status.in_(OPEN_STATES))
        .order_by(InterviewRecord.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def _revisable(ctx: WorkflowContext, session: Session, person_id: str) -> InterviewRecord | None:
    """The latest finished interview whose rule is still a draft: reopened to revise."""
    record = session.scalars(
        select(InterviewRecord)
        .join(ContextRule, ContextRule.id == InterviewRecord.rule_id)
        .where(
            InterviewRecord.person_id == person_id,
            InterviewRecord.status == COMPLETED,
            ContextRule.status == RuleStatus.DRAFT,
        )
        .order_by(InterviewRecord.id.desc())
        .limit(1)
    ).first()
    if record is not None:
        record.status = ACTIVE
    return record


def _notify(
    ctx: WorkflowContext,
    session: Session,
    *,
    key: str,
    person_id: str,
    message: Message,
    now: datetime,
) -> None:
    enqueue(
        session,
        kind=OutboxKind.NOTICE,
        key=key,
        now=now,
        person_id=person_id,
        payload={"message": message.model_dump(mode="json"), "purpose": "interview"},
    )
