"""The SLA world: ingest through the real path, sweep as of a moment under a frozen
clock, deliver through the in-memory chat, read back what people received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.messages import Message
from storage.models import Event, OutboxItem, Recommendation
from tests.support.intake import ingest
from workflows.delivery.worker import OutboxWorker
from workflows.intake.validation import IngestResult
from workflows.service import Services
from workflows.sla.sweep import SweepReport, sweep


@dataclass
class World:
    services: Services
    outbox: OutboxWorker
    chat: InMemoryChat
    clock: AdjustableClock

    def ingest(self, *raw: dict[str, Any], deliver: bool = True) -> list[IngestResult]:
        results = ingest(self.services, *raw)
        if deliver:
            self.outbox.drain()
        return results

    def at(self, moment: datetime, *, deliver: bool = True) -> SweepReport:
        """Move the clock to `moment`, sweep as of then, deliver what it queued."""
        self.clock.set(moment)
        report = sweep(
            database=self.services.database,
            config=self.services.config,
            calendars=self.services.calendars,
            now=moment,
        )
        if deliver:
            self.outbox.drain()
        return report

    def rec(self, rec_id: int) -> Recommendation:
        with self.services.database.transaction() as session:
            rec = session.get(Recommendation, rec_id)
            assert rec is not None
            return rec

    def events(self, rec_id: int) -> list[Event]:
        with self.services.database.transaction() as session:
            query = select(Event).where(Event.recommendation_id == rec_id).order_by(Event.id)
            return list(session.scalars(query))

    def outbox_count(self) -> int:
        with self.services.database.transaction() as session:
            return session.scalar(select(func.count()).select_from(OutboxItem)) or 0

    def received(self, person: str) -> list[Message]:
        return self.chat.to(person)

    def follow_ups(self, person: str) -> list[Message]:
        """The short follow-ups under the person's cards (reminders, escalations)."""
        cards = {s.ref.message_id for s in self.chat.sent if s.to == person and not s.reply_to}
        return [s.message for s in self.chat.sent if s.reply_to in cards]

    def headers(self, person: str) -> list[str]:
        return [m.header for m in self.chat.to(person)]
