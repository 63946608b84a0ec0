"""The interview engine: start, answer, skip, back, revise, pause, resume. Every step
is one transaction on the `interviews` row, so a restart (or a second replica) carries
on at the same question; answers are read into rule fields as they come, and a bad one
is asked again with an example, never stored half-read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain import OutboxKind
from core.interviews import RuleField, Template, load_templates
from core.messages import Message, Tone
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
from workflows.context import WorkflowContext
from workflows.errors import InvalidInput, NotFound, NotPermitted
from workflows.interviews import messages
from workflows.outbox import enqueue
from workflows.rules.entities import known_entities
from workflows.rules.events import ContextEvent
from workflows.rules.people import may_review
from workflows.rules.store import draft_rule

ACTIVE, PAUSED, COMPLETED = "active", "paused", "completed"
OPEN_STATES = (ACTIVE, PAUSED)
CONTROL_WORDS = ("skip", "back", "pause", "resume", "revise")


@dataclass(frozen=True)
class Started:
    interview_id: int
    reply: Message | str  # to the facilitator (the planner's invitation goes via the outbox)


class InterviewService(WorkflowContext):
    @cached_property
    def templates(self) -> dict[str, Template]:
        return load_templates(self.config.context.templates_dir)

    # --- starting -----------------------------------------------------------------

    def start(self, *, facilitator_id: str, person_id: str, template_name: str,
              origin: str | None = None) -> Started:  # fmt: skip
        template = self.templates.get(template_name)
        if template is None:
            raise InvalidInput("template", f"Unknown template '{template_name}'; choose one of "
                               f"{', '.join(sorted(self.templates))}.")  # fmt: skip
        if person_id not in self.config.people_by_id:
            raise InvalidInput("person", f"Unknown person '{person_id}'.")
        if person_id != facilitator_id and not may_review(config=self.config,
                                                          person_id=facilitator_id):
            raise NotPermitted("Only a facilitator may start an interview for someone else; "
                               "you can start your own: `interview <template>`.")  # fmt: skip
        now = self.clock.now()
        with self.database.transaction() as session:
            current = self._open(session, person_id)
            if current is not None:
                raise InvalidInput("person", f"{self.config.display_name(person_id)} already has "
                                   f"the {current.template} interview open (#{current.id}).")
            record = InterviewRecord(
                template=template.name, person_id=person_id, facilitator_id=facilitator_id,
                status=ACTIVE, position=0, answers={}, trail=[], origin=origin,
                started_at=now, updated_at=now,
            )  # fmt: skip
            session.add(record)
            session.flush()
            record_event(session, kind=ContextEvent.INTERVIEW_STARTED, at=now,
                         actor_id=facilitator_id, interview=record.id, person=person_id,
                         template=template.name)  # fmt: skip
            if person_id == facilitator_id:
                return Started(record.id, messages.question_message(record, template))
            invite = messages.invitation(record, template, self.config.display_name(facilitator_id))
            self._notify(session, key=f"interview:{record.id}:start", person_id=person_id,
                         message=invite, now=now)  # fmt: skip
        return Started(record.id, f"Started the {template.title} interview with "
                       f"{self.config.display_name(person_id)} (#{record.id}); the first "
                       "question is on its way to them.")  # fmt: skip

    # --- the conversation -----------------------------------------------------------

    def has_open(self, person_id: str) -> bool:
        with self.database.transaction() as session:
            return self._open(session, person_id) is not None

    def reply(self, *, person_id: str, text: str) -> Message | str:
        """Whatever the planner typed while an interview is open: a control word or an
        answer to the current question."""
        word, _, rest = text.strip().partition(" ")
        word = word.lower()
        now = self.clock.now()
        with self.database.transaction() as session:
            record = self._open(session, person_id, lock=True)
            if record is None and word == "revise":
                record = self._revisable(session, person_id)
            if record is None:
                raise NotFound("You have no interview open.")
            template = self.templates[record.template]
            if record.status == PAUSED:
                if word not in ("resume", "back", "revise", "skip"):
                    return (f"Your {template.title} interview is paused at question "
                            f"{record.position + 1}. Type `resume` to continue.")  # fmt: skip
                record.status, record.paused_at = ACTIVE, None
                if word == "resume":
                    record.updated_at = now
                    return messages.question_message(record, template, note="Welcome back.")
            if word == "pause":
                record.status, record.paused_at, record.updated_at = PAUSED, now, now
                return Message(header=f"Interview paused: {template.title}",
                               text=f"Paused at question {record.position + 1} of "
                               f"{len(template.questions)}. Type `resume` whenever you like; "
                               "nothing you said is lost.")  # fmt: skip
            if word == "back":
                return self._back(record, template, now)
            if word == "revise":
                return self._revise(record, template, rest, now)
            if word == "skip":
                return self._skip(session, record, template, now)
            if word == "resume":
                return messages.question_message(record, template, note="Welcome back.")
            return self._answer(session, record, template, text.strip(), now)

    def _back(self, record: InterviewRecord, template: Template, now: datetime) -> Message:
        if not record.trail:
            return messages.question_message(record, template, note="This is the first question.")
        trail = list(record.trail)
        record.position = trail.pop()
        record.trail, record.updated_at = trail, now
        return messages.question_message(record, template)

    def _revise(self, record: InterviewRecord, template: Template, wanted: str,
                now: datetime) -> Message:  # fmt: skip
        index = template.question_index(wanted.strip().lower())
        if index is None:
            return messages.question_message(
                record, template, problem=f"There is no question '{wanted.strip()}'. "
                f"Give its number, 1 to {len(template.questions)}.")  # fmt: skip
        record.trail = [*record.trail, record.position]
        record.position, record.updated_at = index, now
        return messages.question_message(record, template)

    def _skip(self, session: Session, record: InterviewRecord, template: Template,
              now: datetime) -> Message:  # fmt: skip
        question = template.questions[record.position]
        if question.required:
            return messages.question_message(
                record, template, problem="This one is needed for the rule, so it cannot be "
                "skipped.")  # fmt: skip
        return self._store(session, record, template, {"skipped": True}, now)

    def _answer(self, session: Session, record: InterviewRecord, template: Template, text: str,
                now: datetime) -> Message:  # fmt: skip
        question = template.questions[record.position]
        if not text:
            return messages.question_message(record, template, problem="I need an answer.")
        try:
            value = self._read(session, question.fills, text, template)
        except AnswerError as exc:
            record_event(session, kind=ContextEvent.INTERVIEW_ANSWER_REFUSED, at=now,
                         actor_id=record.person_id, interview=record.id, question=question.id,
                         answer=text, problem=exc.problem)  # fmt: skip
            return messages.question_message(record, template, problem=str(exc))
        return self._store(session, record, template, {"text": text, "value": value}, now)

    def _read(self, session: Session, fills: RuleField | None, text: str,
              template: Template) -> Any:  # fmt: skip
        if fills == RuleField.ENTITY:
            kind, value = parse_entity(text, default_kind=template.entity_kind,
                                       known=known_entities(session, config=self.config))
            return {"kind": kind, "value": value}
        if fills == RuleField.CONDITION:
            return parse_condition(text)
        if fills == RuleField.MAGNITUDE:
            return parse_magnitude(text)
        if fills == RuleField.CONFIDENCE:
            return parse_confidence(text)
        if fills == RuleField.TYPES:
            return parse_types(text, self.config.recommendation_types)
        return text

    def _store(self, session: Session, record: InterviewRecord, template: Template,
               answer: dict[str, Any], now: datetime) -> Message:  # fmt: skip
        question = template.questions[record.position]
        record.answers = {**record.answers, question.id: answer}
        record.trail = [*record.trail, record.position]
        record.updated_at = now
        ids = [q.id for q in template.questions]
        following = [i for i in range(record.position + 1, len(ids))
                     if ids[i] not in record.answers]  # fmt: skip
        if following:
            record.position = following[0]
            return messages.question_message(record, template)
        unanswered = [i for i in range(len(ids)) if ids[i] not in record.answers]
        if unanswered:
            record.position = unanswered[0]
            return messages.question_message(record, template)
        return self._finish(session, record, template, now)

    # --- the end: a draft rule ------------------------------------------------------

    def _finish(self, session: Session, record: InterviewRecord, template: Template,
                now: datetime) -> Message:  # fmt: skip
        values = {q.fills: record.answers[q.id].get("value") for q in template.questions
                  if q.fills and not record.answers[q.id].get("skipped")}  # fmt: skip
        entity = values[RuleField.ENTITY]
        types = values.get(RuleField.TYPES)
        fields = {
            "entity_kind": entity["kind"], "entity_value": entity["value"],
            "condition": values.get(RuleField.CONDITION) or {},
            "types": template.types if types is None else types,
            "effect": values[RuleField.EFFECT], "magnitude": values.get(RuleField.MAGNITUDE),
            "evidence": values.get(RuleField.EVIDENCE),
            "confidence": values.get(RuleField.CONFIDENCE) or "medium",
            "owner": record.person_id, "contributors": [record.person_id],
        }  # fmt: skip
        if record.rule_id is not None:
            rule_key = self._redraft(session, record, fields, now)
        else:
            rule = draft_rule(session, key_base=f"{entity['value']}-{template.name}", fields=fields,
                              source=f"interview:{record.id}", actor_id=record.person_id,
                              now=now)  # fmt: skip
            record.rule_id, rule_key = rule.id, rule.key
        record.status, record.completed_at, record.updated_at = COMPLETED, now, now
        record_event(session, kind=ContextEvent.INTERVIEW_COMPLETED, at=now,
                     actor_id=record.person_id, interview=record.id, rule=rule_key)  # fmt: skip
        if record.facilitator_id != record.person_id:
            self._notify(session, key=f"interview:{record.id}:done:{rule_key}",
                         person_id=record.facilitator_id, now=now, message=Message(
                             header=f"Interview finished: {template.title}",
                             text=f"{self.config.display_name(record.person_id)} finished the "
                             f"interview. Draft context rule {rule_key} is ready for review.",
                             context=[f"`rules show {rule_key}`, `rules approve {rule_key}`, "
                                      f"`rules reject {rule_key}`"], tone=Tone.GOOD))  # fmt: skip
        return messages.finished_message(record, template, rule_key)

    def _redraft(self, session: Session, record: InterviewRecord, fields: dict[str, Any],
                 now: datetime) -> str:  # fmt: skip
        rule = session.get(ContextRule, record.rule_id)
        if rule is None or rule.status != RuleStatus.DRAFT:
            raise NotPermitted("That rule has been reviewed already; ask the facilitator to "
                               "edit it.")  # fmt: skip
        for name in ("entity_kind", "entity_value", "condition", "types", "effect", "magnitude",
                     "evidence", "confidence"):  # fmt: skip
            setattr(rule, name, fields[name])
        rule.updated_at = now
        return rule.key

    # --- helpers --------------------------------------------------------------------

    def _open(self, session: Session, person_id: str, *,
              lock: bool = False) -> InterviewRecord | None:  # fmt: skip
        query = (select(InterviewRecord)
                 .where(InterviewRecord.person_id == person_id,
                        InterviewRecord.status.in_(OPEN_STATES))
                 .order_by(InterviewRecord.id.desc()).limit(1))  # fmt: skip
        if lock:
            query = query.with_for_update()
        return session.scalars(query).first()

    def _revisable(self, session: Session, person_id: str) -> InterviewRecord | None:
        """The latest finished interview whose rule is still a draft: reopened to revise."""
        record = session.scalars(
            select(InterviewRecord)
            .join(ContextRule, ContextRule.id == InterviewRecord.rule_id)
            .where(InterviewRecord.person_id == person_id, InterviewRecord.status == COMPLETED,
                   ContextRule.status == RuleStatus.DRAFT)
            .order_by(InterviewRecord.id.desc()).limit(1)
        ).first()  # fmt: skip
        if record is not None:
            record.status = ACTIVE
        return record

    def _notify(self, session: Session, *, key: str, person_id: str, message: Message,
                now: datetime) -> None:  # fmt: skip
        enqueue(session, kind=OutboxKind.NOTICE, key=key, now=now, person_id=person_id,
                payload={"message": message.model_dump(mode="json"), "purpose": "interview"})
