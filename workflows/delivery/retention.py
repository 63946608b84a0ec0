"""Pruning what only delivery needs, so the outbox and the de-duplication keys do not
grow with every message ever sent. The audit trail is never pruned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select

from core.domain import OutboxState, Status
from storage.models import OutboxItem, ProcessedDelivery, Recommendation
from workflows.base import WorkflowContext


@dataclass(frozen=True)
class PruneReport:
    outbox_rows: int
    deduplication_keys: int


class Pruner(WorkflowContext):
    """The periodic job (Runtime.jobs): deletes as of the clock's now."""

    def run_once(self) -> PruneReport:
        return self.prune(now=self.clock.now())

    def prune(self, *, now: datetime) -> PruneReport:
        retention = self.config.retention
        still_open = select(Recommendation.id).where(Recommendation.status == Status.OPEN)
        with self.database.transaction() as session:
            outbox = session.execute(
                delete(OutboxItem).where(
                    OutboxItem.state == OutboxState.SENT,
                    OutboxItem.sent_at < now - retention.delivered_outbox,
                    or_(
                        OutboxItem.recommendation_id.is_(None),
                        OutboxItem.recommendation_id.not_in(still_open),
                    ),
                )
            ).rowcount
            keys = session.execute(
                delete(ProcessedDelivery).where(
                    ProcessedDelivery.at < now - retention.deduplication_keys
                )
            ).rowcount
        return PruneReport(outbox_rows=outbox, deduplication_keys=keys)
