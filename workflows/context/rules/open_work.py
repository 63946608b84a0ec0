"""Rules reach open work: approving, changing or retiring a context rule redraws the
open cards it bears on (before the change or after it), so a rule shows on the items
already waiting, not only on those ingested after it (issue 27). The refreshes go to the
outbox in the rule's own transaction; the worker redraws each card in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import OutboxKind
from storage.models import ContextRule, Recommendation
from workflows.context.rules.matching import rules_bearing_on
from workflows.outbox import enqueue_many, outbox_row

_OPEN = Recommendation.status == literal_column("'open'")


def open_matching(session: Session, *, config: Config, rule: ContextRule) -> set[int]:
    """The open recommendations `rule` bears on as it reads now, whatever its status."""
    query = select(Recommendation).where(_OPEN)
    if rule.types:
        query = query.where(Recommendation.type.in_(list(rule.types)))
    if rule.entity_kind != "line":
        column = getattr(Recommendation, rule.entity_kind, None)
        if column is None:
            return set()
        query = query.where(column == rule.entity_value)
    return {
        rec.id for rec in session.scalars(query) if rules_bearing_on([rule], config=config, rec=rec)
    }


def refresh_open_cards(
    session: Session, *, rule: ContextRule, ids: set[int], now: datetime, why: str
) -> None:
    """A refresh of every stored card of each of `ids`."""
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    enqueue_many(
        session,
        [
            outbox_row(
                kind=OutboxKind.REFRESH,
                key=f"refresh:rule:{rule.key}:{why}:{stamp}:{rec_id}",
                now=now,
                recommendation_id=rec_id,
            )
            for rec_id in sorted(ids)
        ],
    )
