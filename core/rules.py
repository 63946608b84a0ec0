"""A context rule as it is written down: the `rules:` YAML that `sopbot rules import`
reads and `sopbot rules export` writes, so a team versions its planners' knowledge next
to `sopbot.yml`. Validation names the key and the line, as the configuration does."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.config import Config, ConfigError, _line_index, _where
from core.context_settings import ENTITY_KINDS
from core.rule_fields import AnswerError, parse_months, parse_weekdays


class RuleStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleCondition(_Strict):
    months: list[str] | None = None
    weekdays: list[str] | None = None
    trigger: str | None = None  # in words: shown, judged by the reader

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return _calendar_words(value, parse_months)

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekdays(cls, value: Any) -> Any:
        return _calendar_words(value, parse_weekdays)


def _calendar_words(value: Any, parse: Any) -> Any:
    if value is None:
        return None
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    try:
        return parse(text)
    except AnswerError as exc:
        raise ValueError(f"{exc.problem} Use e.g. {exc.example}") from None


class Magnitude(_Strict):
    likely: float
    low: float | None = None
    high: float | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Magnitude:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if (
            self.low is not None
            and self.high is not None
            and not (self.low <= self.likely <= self.high)
        ):
            raise ValueError("likely must lie between low and high")
        return self


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)
    entity: dict[str, str]
    condition: RuleCondition | None = None
    types: list[str] = Field(default_factory=list)
    effect: str = Field(min_length=1)
    magnitude: Magnitude | None = None
    evidence: str | None = None
    confidence: Literal["low", "medium", "high"] = "medium"
    owner: str | None = None
    contributors: list[str] = Field(default_factory=list)
    review_by: date | None = None
    status: RuleStatus = RuleStatus.DRAFT

    @field_validator("entity")
    @classmethod
    def _one_entity(cls, entity: dict[str, str]) -> dict[str, str]:
        if len(entity) != 1:
            raise ValueError(
                f"name exactly one entity, e.g. {{supplier: ACME}}; "
                f"kinds: {', '.join(ENTITY_KINDS)}"
            )
        [kind] = entity
        if kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind '{kind}'; use {', '.join(ENTITY_KINDS)}")
        return {kind: str(entity[kind])}

    @property
    def entity_kind(self) -> str:
        return next(iter(self.entity))

    @property
    def entity_value(self) -> str:
        return next(iter(self.entity.values()))


def _reference_problems(specs: list[RuleSpec], config: Config) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if spec.id in seen:
            problems.append((("rules", i, "id"), f"duplicate rule id '{spec.id}'"))
        seen.add(spec.id)
        for j, type_name in enumerate(spec.types):
            if type_name not in config.recommendation_types:
                problems.append(
                    (("rules", i, "types", j), f"unknown recommendation type '{type_name}'")
                )
        people = [("owner",), *[("contributors", j) for j in range(len(spec.contributors))]]
        for path in people:
            person = spec.owner if path == ("owner",) else spec.contributors[path[1]]
            if person is not None and person not in config.people_by_id:
                problems.append((("rules", i, *path), f"unknown person '{person}'"))
        if spec.status == RuleStatus.APPROVED and (spec.owner is None or spec.review_by is None):
            problems.append(
                (("rules", i, "status"), "an approved rule needs an owner and a review_by date")
            )
    return problems


def parse_rules(text: str, *, config: Config, source: str = "rules file") -> list[RuleSpec]:
    """Every rule of a `rules:` document, or ConfigError naming each bad key and line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"not valid YAML: {exc}"], source) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(["the file must be a mapping with a `rules:` list"], source)
    lines = _line_index(text)
    specs: list[RuleSpec] = []
    problems: list[str] = []
    for i, raw in enumerate(data["rules"]):
        try:
            specs.append(RuleSpec.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                message = err["msg"].removeprefix("Value error, ")
                problems.append(f"{_where(('rules', i, *err['loc']), lines)}: {message}")
    if problems:
        raise ConfigError(problems, source)
    refs = _reference_problems(specs, config)
    if refs:
        raise ConfigError([f"{_where(path, lines)}: {msg}" for path, msg in refs], source)
    return specs


def rules_document(specs: list[RuleSpec]) -> dict[str, Any]:
    """`{"rules": [...]}`: the import format, as YAML (dump_rules) or JSON (the AI team's
    feature configuration, `sopbot rules export --format json`)."""
    rows = [
        spec.model_dump(mode="json", exclude_none=True, exclude_defaults=False) for spec in specs
    ]
    for row in rows:
        if row.get("condition") == {}:
            row.pop("condition")
    return {"rules": rows}


def dump_rules(specs: list[RuleSpec]) -> str:
    return yaml.safe_dump(rules_document(specs), sort_keys=False, allow_unicode=True)
