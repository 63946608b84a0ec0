"""What the AI planning system sends: the recommendation as it arrives, validated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.limits import MAX_BIGINT, Moment, WholeNumber

# How far ahead a `respond_by` may be. Routing counts the business time up to it (the
# reminders are fractions of it) inside the write transaction: a due time centuries out
# would hold the write lock for seconds per item. Two years is beyond any planning cycle.
RESPOND_BY_HORIZON = timedelta(days=730)
RESPOND_BY_HORIZON_LABEL = "730 days (two years)"
# Validation context key: the instant the horizon counts from (the service's clock);
# the wall clock when a caller gives none.
NOW = "now"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ScopeValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Driver(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    factor: Text
    weight: float | None = Field(default=None, ge=-1, le=1)
    detail: str | None = Field(default=None, max_length=500)


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    label: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2000)]


class RecommendationIn(BaseModel):
    """One recommendation. `(source, external_id)` identifies it across repeats and
    revisions; `event_time` is when it happened, `recorded_time` when the ERP learnt it."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, allow_inf_nan=False, strict=True
    )

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=100)] = "default"
    type: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    title: Text
    action: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    sku: ScopeValue | None = None
    site: ScopeValue | None = None
    supplier: ScopeValue | None = None
    customer: ScopeValue | None = None
    product_family: ScopeValue | None = None
    quantity: float | None = None
    baseline_value: float | None = Field(
        default=None,
        description="what the plan said before the AI (the naive step of the review's "
        "forecast-value-added stairstep); when absent, the last actual of the same sku "
        "and site stands in",
    )
    unit: Annotated[str, StringConstraints(max_length=40)] | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    interval_low: float | None = None
    interval_high: float | None = None
    drivers: list[Driver] = Field(default_factory=list, max_length=20)
    event_time: Moment | None = None
    recorded_time: Moment | None = None
    respond_by: Moment | None = Field(
        default=None,
        description=f"the due time instead of the SLA's; at most {RESPOND_BY_HORIZON_LABEL} "
        "after the recommendation arrives",
    )
    links: list[Link] = Field(default_factory=list, max_length=10)
    revision: WholeNumber = Field(default=1, ge=1, le=MAX_BIGINT)
    withdrawn: bool = False

    @field_validator("respond_by")
    @classmethod
    def _within_horizon(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            return None
        now = (info.context or {}).get(NOW) or datetime.now(UTC)
        if value > now + RESPOND_BY_HORIZON:
            raise ValueError(
                f"must be at most {RESPOND_BY_HORIZON_LABEL} ahead "
                f"(no later than {(now + RESPOND_BY_HORIZON):%Y-%m-%dT%H:%MZ})"
            )
        return value

    @model_validator(mode="after")
    def _interval_order(self) -> RecommendationIn:
        low, high = self.interval_low, self.interval_high
        if low is not None and high is not None and low > high:
            raise ValueError("interval_low must not be greater than interval_high")
        return self

    def scope(self) -> dict[str, str | None]:
        return {
            "site": self.site,
            "supplier": self.supplier,
            "customer": self.customer,
            "sku": self.sku,
            "product_family": self.product_family,
        }


class OutcomeIn(BaseModel):
    """What actually happened, for the review: the actual value, or a verdict."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=100)] = "default"
    actual_value: float | None = None
    ai_correct: bool | None = None
    note: str | None = Field(default=None, max_length=2000)
    observed_at: Moment | None = None
