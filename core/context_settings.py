"""The `context:` section of `sopbot.yml`: where a team keeps its own interview
templates, which entities it knows by name, when a repeated override becomes a pattern
worth a rule, and how long an approved rule stays trusted before its owner re-checks it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.durations import parse_duration

ENTITY_KINDS: tuple[str, ...] = ("supplier", "customer", "sku", "site", "product_family", "line")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OverridePattern(_Strict):
    """The same reason code for the same entity `count` times within `window`."""

    count: int = Field(default=3, ge=2)
    window: timedelta = timedelta(days=30)

    @field_validator("window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class ContextSettings(_Strict):
    templates_dir: str | None = None  # extra interview templates (*.yml), besides the bundled
    entities: dict[str, list[str]] = Field(default_factory=dict)  # e.g. {supplier: [ACME]}
    override_pattern: OverridePattern = Field(default_factory=OverridePattern)
    review_after: timedelta = timedelta(days=180)  # approved rule -> review-by date

    @field_validator("entities")
    @classmethod
    def _kinds(cls, entities: dict[str, list[str]]) -> dict[str, list[str]]:
        for kind in entities:
            if kind not in ENTITY_KINDS:
                raise ValueError(f"unknown entity kind '{kind}'; use {', '.join(ENTITY_KINDS)}")
        return entities

    @field_validator("review_after", mode="before")
    @classmethod
    def _review(cls, value: Any) -> Any:
        return parse_duration(value)
