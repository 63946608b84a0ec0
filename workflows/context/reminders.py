"""Nudges of the context loop, run by a timer on every replica: a paused interview is
recalled to its planner inside their business hours, at most once a (local) day, and the
owner of an approved rule past its review-by date is asked to re-check it. The outbox
key of each nudge (interview and local date; rule and review date) makes it once, for
any number of replicas."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.domain import OutboxKind
from core.messages import Message, Tone
from core.rules import RuleStatus
from storage.models import ContextRule, InterviewRecord
from workflows.base import WorkflowContext
from workflows.context.rules.describe import rule_line
from workflows.outbox import enqueue_many, outbox_row

CONTEXT_REMINDER_SECONDS = 300.0


@dataclass(frozen=True)
class NudgeReport:
    interviews: int
    rules: int


class ContextReminders(WorkflowContext):
    def run_once(self) -> NudgeReport:
        now = self.clock.now()
        rows = []
        with self.database.transaction() as session:
            paused = session.scalars(
                select(InterviewRecord).where(InterviewRecord.status == "paused")
            ).all()
            for record in paused:
                calendar = self.calendars.for_person(record.person_id)
                today = now.astimezone(calendar.tz).date()
                in_hours = calendar.next_open(now) == now
                paused_on = (record.paused_at or now).astimezone(calendar.tz).date()
                if not in_hours or paused_on >= today:
                    continue  # not in their hours, or paused today: leave them be
                message = Message(
                    header="Your context interview is waiting",
                    text=f"You paused the {record.template.replace('_', ' ')} interview at "
                    f"question {record.position + 1}. Type `resume` to carry on where you "
                    "stopped; it takes a few minutes.",
                    tone=Tone.INFO,
                )
                rows.append(
                    outbox_row(
                        kind=OutboxKind.NOTICE,
                        key=f"interview-reminder:{record.id}:{today}",
                        now=now,
                        person_id=record.person_id,
                        payload={
                            "message": message.model_dump(mode="json"),
                            "purpose": "interview",
                        },
                    )
                )
            interview_rows = len(rows)
            stale = session.scalars(
                select(ContextRule).where(
                    ContextRule.status == RuleStatus.APPROVED,
                    ContextRule.review_by.is_not(None),
                    ContextRule.owner_id.is_not(None),
                )
            ).all()
            for rule in stale:
                calendar = self.calendars.for_person(rule.owner_id)
                if rule.review_by >= now.astimezone(calendar.tz).date():
                    continue
                message = Message(
                    header=f"Context rule due for review: {rule.key}",
                    text=f"Its review-by date {rule.review_by.isoformat()} has passed. Is it "
                    "still true? Ask the facilitator to approve it with a new date, edit "
                    "it, or reject it.",
                    context=[rule_line(rule, self.config)],
                    tone=Tone.ATTENTION,
                )
                rows.append(
                    outbox_row(
                        kind=OutboxKind.NOTICE,
                        key=f"rule-review:{rule.id}:{rule.review_by}",
                        now=now,
                        person_id=rule.owner_id,
                        payload={"message": message.model_dump(mode="json"), "purpose": "rule"},
                    )
                )
            if rows:
                enqueue_many(session, rows)
        return NudgeReport(interviews=interview_rows, rules=len(rows) - interview_rows)
