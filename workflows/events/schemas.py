"""The public bodies as pydantic models: their JSON Schema is what the OpenAPI document
publishes (GET /api/v1/events) and what the tests validate every produced event
against. The sequencer writes plain dicts (fast); these models only describe them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecommendationRef(_Body):
    id: int = Field(description="sopbot's id")
    source: str
    external_id: str = Field(description="the planning system's id")
    revision: int
    type: str
    sku: str | None
    site: str | None
    supplier: str | None
    customer: str | None
    product_family: str | None


class ReceivedData(_Body):
    recommendation: RecommendationRef
    owner: str | None = Field(description="person id")
    backup: str | None
    tier: str | None = Field(description="direct | digest | auto")
    due_at: str | None
    ai_value: float | None
    unit: str | None
    confidence: float | None
    event_time: str | None


class RevisedData(_Body):
    recommendation: RecommendationRef
    revision: Any


class WithdrawnData(_Body):
    recommendation: RecommendationRef
    on_arrival: bool


class ReassignedData(_Body):
    recommendation: RecommendationRef
    previous_owner: str | None
    new_owner: str | None
    by: str | None = Field(description="person id; null when the matrix re-routed a revision")
    note: str | None


class DecisionData(_Body):
    recommendation: RecommendationRef
    action: Literal["accept", "override", "auto_accept"]
    ai_value: float | None
    final_value: float | None
    unit: str | None
    reason_code: str | None
    reason_label: str | None
    note: str | None
    decided_by: str | None = Field(description="person id ('sopbot' for auto_accept)")
    on_behalf_of: str | None
    role: str | None
    channel: str | None
    decided_at: str | None


class EscalatedData(_Body):
    recommendation: RecommendationRef
    level: int | None
    notified: str | None = Field(description="person id or #channel")


class OutcomeData(_Body):
    recommendation: RecommendationRef
    actual_value: float | None
    ai_correct: bool | None


class RuleApprovedData(_Body):
    rule: str | None
    by: str | None
    owner: str | None
    review_by: str | None


class RuleRetiredData(_Body):
    rule: str | None
    by: str | None
    reason: str | None


class GateState(_Body):
    id: int
    name: str
    hard: bool
    passed: bool


class ReadinessData(_Body):
    ready: bool
    gates: list[GateState]


def _event(type_: str, data: type[BaseModel], doc: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "id": (str, Field(description="stable: the same in the feed, webhooks and replays")),
        "type": (Literal[type_], ...),  # type: ignore[valid-type]
        "timestamp": (str, Field(description="when the fact happened (ISO 8601, UTC)")),
        "data": (data, ...),
    }
    name = "".join(part.title() for part in type_.replace(".", "_").split("_")) + "Event"
    return create_model(name, __doc__=doc, __base__=_Body, **fields)


EVENT_MODELS: list[type[BaseModel]] = [
    _event("recommendation.received", ReceivedData, "A recommendation was stored and routed."),
    _event("recommendation.revised", RevisedData, "The planning system sent a newer revision."),
    _event("recommendation.withdrawn", WithdrawnData, "The planning system withdrew it."),
    _event("recommendation.reassigned", ReassignedData, "It has a new owner."),
    _event("decision.recorded", DecisionData, "A final decision: accept, override, auto."),
    _event("sla.escalated", EscalatedData, "The SLA clock escalated it."),
    _event("outcome.recorded", OutcomeData, "What actually happened was reported."),
    _event("rule.approved", RuleApprovedData, "A context rule was approved."),
    _event("rule.retired", RuleRetiredData, "A context rule was rejected or withdrawn."),
    _event("readiness.changed", ReadinessData, "A go-live gate passed or failed."),
]
# One schema per type, told apart by `type` (a discriminated union in the OpenAPI).
AnyEvent = Annotated[Union[tuple(EVENT_MODELS)], Field(discriminator="type")]  # noqa: UP007
_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyEvent)


def event_schema() -> dict[str, Any]:
    """The JSON Schema of one public event (any type), self-contained."""
    return _ADAPTER.json_schema()


class FeedPage(BaseModel):
    """GET /api/v1/events: a page of events after the cursor."""

    events: list[AnyEvent] = Field(description="oldest first; docs/events.md lists each type")
    next_cursor: str = Field(description="save it; pass it as `after` to read on")
