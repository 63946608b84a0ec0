"""Outcomes in: what actually happened, matched to the recommendation it answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select, tuple_

from core.domain import EventKind
from core.recommendation import OutcomeIn
from storage.models import Outcome, Recommendation
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.intake.validation import BatchRejected, ItemError, _field_name

_OUTCOME = TypeAdapter(OutcomeIn)


class UnknownRecommendations(BatchRejected):
    """Valid outcomes for recommendations that were never received: nothing stored."""


def record_outcomes(ctx: WorkflowContext, *, raw_items: Sequence[Any]) -> list[int]:
    """Validate all, store all or nothing; a repeat for the same recommendation replaces
    the earlier outcome (the planning system may correct itself)."""
    errors: list[ItemError] = []
    items: list[OutcomeIn] = []
    for index, raw in enumerate(raw_items):
        try:
            items.append(_OUTCOME.validate_python(raw))
        except ValidationError as exc:
            for err in exc.errors():
                errors.append(
                    ItemError(
                        index=index,
                        field=_field_name(err["loc"]),
                        message=err["msg"].removeprefix("Value error, "),
                    )
                )
    if errors:
        raise BatchRejected(errors)
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        keys = [(i.source, i.external_id) for i in items]
        found = {
            (row.source, row.external_id): row.id
            for row in session.execute(
                select(Recommendation.source, Recommendation.external_id, Recommendation.id).where(
                    tuple_(Recommendation.source, Recommendation.external_id).in_(keys)
                )
            )
        }
        missing = [
            ItemError(
                index=i,
                field="external_id",
                message=f"no recommendation {item.external_id} from {item.source}",
            )
            for i, item in enumerate(items)
            if (item.source, item.external_id) not in found
        ]
        if missing:
            raise UnknownRecommendations(missing)
        ids = []
        for item in items:
            rec_id = found[(item.source, item.external_id)]
            outcome = session.scalars(
                select(Outcome).where(Outcome.recommendation_id == rec_id)
            ).first()
            if outcome is None:
                outcome = Outcome(recommendation_id=rec_id, recorded_at=now)
                session.add(outcome)
            outcome.actual_value = item.actual_value
            outcome.ai_correct = item.ai_correct
            outcome.note = item.note
            outcome.observed_at = item.observed_at
            outcome.recorded_at = now
            record_event(
                session,
                kind=EventKind.OUTCOME,
                at=now,
                recommendation_id=rec_id,
                actual_value=item.actual_value,
                ai_correct=item.ai_correct,
            )
            ids.append(rec_id)
        return ids
