"""A batch of recommendations checked whole before anything is stored: every bad item
and field named at once (the API answers them in one 422), and the content hash that
tells an identical repeat from a revision."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from core.config import Config
from core.domain import IngestStatus, Tier
from core.recommendation import NOW, RecommendationIn

_ITEMS = TypeAdapter(RecommendationIn)


class ItemError(BaseModel):
    """One problem with one item: which item, which field, what is wrong."""

    index: int
    field: str
    message: str


class BatchRejected(Exception):
    """Nothing was stored; `errors` lists every bad item and field."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the batch")
        self.errors = errors


class IngestResult(BaseModel):
    id: int
    external_id: str
    source: str
    status: IngestStatus
    owner: str
    due_at: datetime
    tier: Tier
    note: str | None = None


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in loc]
    return ".".join(parts).replace(".[", "[") or "(item)"


def validate_batch(
    *, config: Config, raw_items: Sequence[Any], now: datetime | None = None
) -> list[RecommendationIn]:
    """Validate every item; raise BatchRejected naming all problems, or return them all.
    `now` (the service's clock; the wall clock if None) is what `respond_by`'s horizon
    counts from."""
    context = {NOW: now} if now is not None else None
    errors: list[ItemError] = []
    items: list[RecommendationIn] = []
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(raw_items):
        try:
            item = _ITEMS.validate_python(raw, context=context)
        except ValidationError as exc:
            for err in exc.errors():
                message = err["msg"].removeprefix("Value error, ")
                errors.append(
                    ItemError(index=index, field=_field_name(err["loc"]), message=message)
                )
            continue
        if item.type not in config.recommendation_types:
            known = ", ".join(config.recommendation_types)
            errors.append(
                ItemError(
                    index=index, field="type", message=f"unknown type '{item.type}'; use {known}"
                )
            )
        else:
            unit_error = _unit_error(config, item)
            if unit_error is not None:
                errors.append(ItemError(index=index, field="unit", message=unit_error))
        key = (item.source, item.external_id)
        if key in seen:
            errors.append(
                ItemError(
                    index=index,
                    field="external_id",
                    message=f"repeats item {seen[key]} of the same batch",
                )
            )
        seen[key] = index
        items.append(item)
    if errors:
        raise BatchRejected(errors)
    return items


def _unit_error(config: Config, item: RecommendationIn) -> str | None:
    """A unit other than the one the type's data dictionary gives its quantity: a plant
    sending hours where the others send pieces is caught here, not in the review."""
    spec = config.recommendation_types[item.type].data
    quantity = spec.fields.get("quantity") if spec else None
    if quantity is None or item.unit is None or item.unit == quantity.unit:
        return None
    return (
        f"'{item.unit}' is not the unit of {item.type} quantities: the data dictionary "
        f"(recommendation_types.{item.type}.data.fields.quantity) expects '{quantity.unit}'"
    )


def content_hash(item: RecommendationIn) -> str:
    """Identity of the content: an identical repeat is a duplicate. Field order is the
    model's, so the serialisation is stable."""
    # An absent baseline leaves the serialisation as it was before the field existed, so
    # repeats of items stored earlier stay duplicates.
    unset = {"baseline_value"} if item.baseline_value is None else None
    return hashlib.sha256(item.model_dump_json(exclude=unset).encode()).hexdigest()


CONTENT_COLUMNS = (
    "type",
    "title",
    "action",
    "sku",
    "site",
    "supplier",
    "customer",
    "product_family",
    "quantity",
    "baseline_value",
    "unit",
    "confidence",
    "interval_low",
    "interval_high",
    "event_time",
    "recorded_time",
    "respond_by",
)


def stored_content(item: RecommendationIn) -> dict[str, Any]:
    """The columns a stored recommendation keeps of an item's content."""
    data = {name: getattr(item, name) for name in CONTENT_COLUMNS}
    data["drivers"] = [d.model_dump(mode="json") for d in item.drivers]
    data["links"] = [link.model_dump(mode="json") for link in item.links]
    return data
