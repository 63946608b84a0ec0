"""What the go-live gates need written down in `sopbot.yml`, beside the ownership matrix:
which functions take part and who leads each, what each recommendation type's feed
depends on (source systems, sites, production volume, a data dictionary), and the
agreed success criteria (the signal threshold is the type's `actionable_confidence`,
which the criteria gate wants written, not defaulted). Every key is optional so that
older configurations keep loading; a gate whose key is missing fails and names the
key, it never passes for want of one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.durations import parse_duration

# Kinds of source system a feed may depend on; others may be named too (`others`).
SOURCE_KINDS: tuple[str, ...] = ("ERP", "MES", "WMS", "CMMS", "supplier", "other")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FunctionSpec(_Strict):
    """A function of the company that owns recommendation types (supply planning,
    purchasing, production): its lead signs off the matrix and the success criteria."""

    lead: str
    label: str | None = None


class FieldDefinition(_Strict):
    """One row of a type's data dictionary: what a field means and in which unit, so
    that a plant sending hours where another sends pieces is caught at ingestion."""

    unit: str = Field(min_length=1, max_length=40)
    definition: str = Field(min_length=1, max_length=500)


class DataSpec(_Strict):
    """What a recommendation type's feed depends on, declared before go-live and then
    checked against what arrives: the source systems and sites in scope, the volume
    production generates per business day at each site, and the data dictionary."""

    sources: list[str] = Field(default_factory=list)  # `source` values of the feed
    sites: list[str] = Field(default_factory=list)
    # Recommendations production generates per business day at each site (not the pilot's
    # volume): the gate wants at least `min_share` of it over the window.
    production_volume: float | None = Field(default=None, gt=0)
    min_share: float = Field(default=0.8, gt=0, le=1)
    fields: dict[str, FieldDefinition] = Field(default_factory=dict)


class ReadinessSettings(_Strict):
    """The go-live gates: who leads which function, how long a window the data gate
    measures, how fresh the feed must be, and who reviews pilot-wide."""

    functions: dict[str, FunctionSpec] = Field(default_factory=dict)
    # Before functions were named, the leads were listed here; kept so older files load.
    matrix_signoff_leads: list[str] = Field(default_factory=list)
    # p95 of receipt minus `recorded_time` (how late the feed delivers what is entered).
    feed_lag_limit: timedelta = timedelta(minutes=15)
    window_days: int = Field(default=5, ge=1, le=60)  # business days the data gate reads
    # The planned go-live day: history before it is the baseline sopbot measures itself.
    go_live: date | None = None

    @field_validator("feed_lag_limit", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class SuccessCriteria(_Strict):
    """Agreed before go-live, per type: what is measured, where it stood before (a number,
    its unit and the period it was measured in), where it must get to, and how often
    it is looked at. Older files wrote baseline and target as free text: they load, and
    the criteria gate says they must be numbers."""

    metric: str
    baseline: float | str | None = None
    unit: str | None = None
    baseline_period: str | None = None  # e.g. "2026-Q2" or "2026-05-01..2026-07-31"
    target: float | str | None = None
    review_cadence: str | None = None
